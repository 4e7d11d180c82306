#!/usr/bin/env bash
# Redis load of 1 and of 3 agent sidecars on one lab, and the failover push delay on each sidecar.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
bench/run-java.sh FleetBench "$@"
