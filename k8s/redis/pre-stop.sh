#!/bin/sh
# The data nodes' preStop hook: before Kubernetes stops a master, hand its work to a replica, so that clients see a
# coordinated failover instead of errors for the failure-detection time. The agent's roll (POST /api/v1/cluster/roll)
# fails masters over itself before it deletes a pod; this hook covers every other stop (a drain, a node upgrade,
# `kubectl delete pod`).
#
# A cluster node (cluster_enabled:1) that is a master with slots:
#  1. Pick the replica INFO replication lists as online with the highest offset; it must lag at most MAX_LAG bytes
#     (else the hook gives up: a failover to a stale replica would lose writes, a plain stop loses none).
#  2. Ask it for CLUSTER FAILOVER (the coordinated one: this master holds its clients until the replica caught up).
#  3. Wait, at most WAIT seconds, until this node reports role:slave.
# A node of the Sentinel group (cluster_enabled:0) that is the master: ask the first Sentinel that answers for
# SENTINEL FAILOVER MASTER_NAME, then wait the same way. A replica, or a master without slots, stops at once.
#
# It never fails the stop: whatever happens it exits 0 (the grace period bounds it; Kubernetes stops the pod after).
# It authenticates as cahoots-replication (REDISCLI_AUTH), whose rule allows INFO, CLUSTER INFO|MYID|FAILOVER; the
# Sentinels with SENTINEL_PASSWORD.
#
# Environment: PORT (6379), REDIS_USER (cahoots-replication), WAIT seconds (20), MAX_LAG bytes (1048576),
# SENTINELS (host:port list, Sentinel group only), MASTER_NAME (mymaster), SENTINEL_PASSWORD, TLS_ARGS.
set -u

PORT="${PORT:-6379}"
REDIS_USER="${REDIS_USER:-cahoots-replication}"
WAIT="${WAIT:-20}"
MAX_LAG="${MAX_LAG:-1048576}"
MASTER_NAME="${MASTER_NAME:-mymaster}"

log() { echo "pre-stop: $*"; }

cli() { # cli HOST PORT COMMAND...
  h="$1"; p="$2"; shift 2
  timeout 3 redis-cli ${TLS_ARGS:-} --no-auth-warning --user "$REDIS_USER" -h "$h" -p "$p" "$@" 2>&1 | tr -d '\r'
}

field() {
  sed -n "s/^$1:\(.*\)$/\1/p" | head -n 1
}

role() {
  cli 127.0.0.1 "$PORT" info replication | field role
}

await_replica() {
  i=0
  while [ "$i" -lt "$WAIT" ]; do
    if [ "$(role)" = "slave" ]; then
      log "this node is a replica now"
      return 0
    fi
    sleep 1
    i=$((i + 1))
  done
  log "still master after ${WAIT}s; stopping anyway"
  return 0
}

info=$(cli 127.0.0.1 "$PORT" info)
if [ "$(echo "$info" | field role)" != "master" ]; then
  log "not a master: nothing to hand over"
  exit 0
fi

if [ "$(echo "$info" | field cluster_enabled)" = "1" ]; then
  myid=$(cli 127.0.0.1 "$PORT" cluster myid)
  slots=$(cli 127.0.0.1 "$PORT" cluster nodes 2>/dev/null | grep "^$myid " | awk '{print NF - 8}')
  if [ "${slots:-0}" -le 0 ] 2>/dev/null; then
    log "a master without slots: nothing to hand over"
    exit 0
  fi
  offset=$(echo "$info" | field master_repl_offset)
  # slaveN:ip=10.1.2.3,port=6379,state=online,offset=123,lag=0 -> "ip port offset" of the best online replica
  best=$(echo "$info" | sed -n 's/^slave[0-9]*:ip=\([^,]*\),port=\([0-9]*\),state=online,offset=\([0-9]*\),.*/\1 \2 \3/p' \
    | sort -k3 -n -r | head -n 1)
  if [ -z "$best" ]; then
    log "no online replica: stopping without a failover"
    exit 0
  fi
  set -- $best
  lag=$((offset - $3))
  if [ "$lag" -gt "$MAX_LAG" ]; then
    log "replica $1:$2 lags $lag bytes (more than $MAX_LAG): stopping without a failover"
    exit 0
  fi
  log "CLUSTER FAILOVER on replica $1:$2 (lag $lag bytes)"
  reply=$(cli "$1" "$2" cluster failover)
  [ "$reply" = "OK" ] || log "the replica answered: $reply"
  await_replica
  exit 0
fi

# The Sentinel group's master: the Sentinels want their own password (only for these calls: INFO above and in
# await_replica keeps the replication user's).
sentinel_cli() { # sentinel_cli HOST PORT COMMAND...
  h="$1"; p="$2"; shift 2
  if [ -n "${SENTINEL_PASSWORD:-}" ]; then
    REDISCLI_AUTH="$SENTINEL_PASSWORD" timeout 3 redis-cli ${TLS_ARGS:-} --no-auth-warning -h "$h" -p "$p" "$@" 2>&1 | tr -d '\r'
  else
    env -u REDISCLI_AUTH timeout 3 redis-cli ${TLS_ARGS:-} -h "$h" -p "$p" "$@" 2>&1 | tr -d '\r'
  fi
}
for s in ${SENTINELS:-}; do
  reply=$(sentinel_cli "${s%:*}" "${s##*:}" sentinel failover "$MASTER_NAME")
  if [ "$reply" = "OK" ]; then
    log "SENTINEL FAILOVER $MASTER_NAME asked of $s"
    await_replica
    exit 0
  fi
  log "Sentinel $s answered: $reply"
done
log "no Sentinel started a failover: stopping without one"
exit 0
