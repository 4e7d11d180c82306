#!/usr/bin/env bash
# A full roll of a 3 x 1 lab cluster (POST /api/v1/cluster/roll on the packaged agent, AGENT_LAB=true) with N keys
# (default 1,000,000 of 100 bytes), beside the same six restarts done without failovers (kill -9 + restart with AOF,
# as a RollingUpdate would), each under a cluster client's load: wall time, client errors, p50/p99/max latency.
# Needs the packaged agent (mvn -B package -DskipTests). Usage: bench/roll.sh [keys]
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run-java.sh RollBench "$@"
