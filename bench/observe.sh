#!/usr/bin/env bash
# Poll time of the observer on a 6-node and a 30-node lab, and the agent's start-up time and RSS on the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run-java.sh PollBench "$@"
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
bench/run-java.sh StartupBench
