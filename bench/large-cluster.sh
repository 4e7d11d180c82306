#!/usr/bin/env bash
# The packaged agent (kit heap: -Xmx96m -XX:+UseSerialGC) watching real labs and a simulated 1,000-node cluster:
# poll p50/p99, agent CPU and RSS. Usage: bench/large-cluster.sh [window-seconds] [real masters...], e.g. 30 3 15 50 100
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/quarkus-app/quarkus-run.jar ] && [ -z "$(find src/main -newer target/quarkus-app/quarkus-run.jar -print -quit)" ] \
  || mvn -B -q package -DskipTests
exec bench/run-java.sh LargeClusterBench "$@"
