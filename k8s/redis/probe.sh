#!/bin/sh
# The data nodes' probes (k8s/redis-cluster.yaml, k8s/redis-sentinel.yaml): `probe.sh live` or `probe.sh ready`.
#
#  live   the server process answers at all. PONG passes, and so do the errors of a healthy server that is not
#         serving yet: LOADING (reading its AOF/RDB, minutes for a large data set), MASTERDOWN (a replica whose master
#         is away, with replica-serve-stale-data no) and BUSY (a long script). Restarting such a node would only make
#         it start loading again. No answer within PROBE_TIMEOUT, or a refused connection, fails.
#  ready  the node should get clients. A cluster node: cluster_state:ok; a replica also needs its link up and its
#         sync done. A node of the Sentinel group (cluster_enabled:0): a master, or a replica with its link up and
#         its sync done. A loading node is never ready.
#
# It authenticates as cahoots-replication (REDISCLI_AUTH holds its password, the Secret cahoots-redis-replication):
# PING, INFO and CLUSTER INFO are all it runs. Exit 0: pass; 1: fail, with the reason on stdout (kubectl describe).
#
# Environment: PORT (6379), HOST (127.0.0.1), REDIS_USER (cahoots-replication), PROBE_TIMEOUT seconds (4, below the
# probe's timeoutSeconds), TLS_ARGS (redis-cli's TLS options, k8s/alternatives/redis-tls.yaml).
set -u

MODE="${1:-}"
PORT="${PORT:-6379}"
HOST="${HOST:-127.0.0.1}"
REDIS_USER="${REDIS_USER:-cahoots-replication}"
PROBE_TIMEOUT="${PROBE_TIMEOUT:-4}"

cli() {
  timeout "$PROBE_TIMEOUT" redis-cli ${TLS_ARGS:-} --no-auth-warning --user "$REDIS_USER" -h "$HOST" -p "$PORT" "$@" 2>&1 | tr -d '\r'
}

field() { # field NAME < INFO text
  sed -n "s/^$1:\(.*\)$/\1/p" | head -n 1
}

case "$MODE" in
  live)
    reply=$(cli ping)
    case "$reply" in
      PONG*|LOADING*|MASTERDOWN*|BUSY*) exit 0 ;;
    esac
    echo "not alive: ${reply:-no answer within ${PROBE_TIMEOUT}s}"
    exit 1
    ;;
  ready)
    info=$(cli info)
    case "$info" in
      *"# Server"*) ;;
      *) echo "not ready: ${info:-no answer within ${PROBE_TIMEOUT}s}"; exit 1 ;;
    esac
    if [ "$(echo "$info" | field loading)" = "1" ]; then
      echo "not ready: loading its data"
      exit 1
    fi
    role=$(echo "$info" | field role)
    if [ "$role" = "slave" ]; then
      link=$(echo "$info" | field master_link_status)
      syncing=$(echo "$info" | field master_sync_in_progress)
      if [ "$link" != "up" ] || [ "$syncing" = "1" ]; then
        echo "not ready: replica with its link ${link:-unknown}, sync in progress ${syncing:-unknown}"
        exit 1
      fi
    fi
    if [ "$(echo "$info" | field cluster_enabled)" = "1" ]; then
      state=$(cli cluster info | field cluster_state)
      if [ "$state" != "ok" ]; then
        echo "not ready: cluster_state:${state:-unknown}"
        exit 1
      fi
    fi
    exit 0
    ;;
  *)
    echo "usage: probe.sh live|ready"
    exit 2
    ;;
esac
