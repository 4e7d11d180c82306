#!/usr/bin/env bash
# The agent's rebalance vs redis-cli --cluster rebalance on identical fresh data (default 1,000,000 keys of
# 100 bytes on 3 masters, one empty master added). Add "sweep" to try several batch/chunk sizes.
# Usage: bench/rebalance.sh [keys] [sweep]
set -euo pipefail
cd "$(dirname "$0")/.."
bench/run-java.sh RebalanceBench "$@"
