#!/usr/bin/env bash
# Issue 16: client latency during a rebalance. redis-benchmark --cluster (4 clients of random 100-byte GETs) runs in
# windows of N requests while 1,000,000 keys on 3 masters are rebalanced onto an empty 4th master: idle cluster,
# redis-cli --cluster rebalance --cluster-use-empty-masters, the agent without a budget and with each budget given
# (AGENT_MIGRATION_MAX_LATENCY, ms). A fresh lab with the same keys per contender.
# Usage: bench/client-latency.sh [keys] [requests per window] [budgets in ms, comma-separated]
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run-java.sh ClientLatencyBench "$@"
