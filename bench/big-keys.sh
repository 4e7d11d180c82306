#!/usr/bin/env bash
# Issue 16's big-key data set (smaller by default): 200,000 small keys, 5 strings of 20-100 MB, a zset of 500,000
# members and a hash of 500,000 fields, rebalanced onto an empty 4th master by redis-cli --cluster rebalance
# --cluster-use-empty-masters and by the agent, each on a fresh lab; every big key's DEBUG DIGEST-VALUE checked after.
# Usage: bench/big-keys.sh [small keys] [strings] [zset members] [hash fields]
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run-java.sh BigKeyBench "$@"
