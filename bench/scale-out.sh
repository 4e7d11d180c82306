#!/usr/bin/env bash
# Issue 16: scale-out 3 -> 6 masters, the agent in one job vs redis-cli --cluster add-node x3 + rebalance
# --cluster-use-empty-masters, on identical fresh data (default 1,000,000 keys of 100 bytes); then the memory
# balance of a skewed dataset (one master with 3x the bytes at equal slot counts; skew keys 0 skips it).
# Needs the packaged agent: mvn -B -q package -DskipTests
# Usage: bench/scale-out.sh [keys] [parallelisms, e.g. 1,2,3,4] [skew keys]
set -euo pipefail
cd "$(dirname "$0")/.."
test -f target/quarkus-app/quarkus-run.jar || { echo "target/quarkus-app/quarkus-run.jar missing: mvn -B -q package -DskipTests" >&2; exit 1; }
bench/run-java.sh ScaleOutBench "$@"
