#!/bin/sh
# Starts a data node of the Sentinel-managed group (k8s/redis-sentinel.yaml) as master or replica, whichever keeps
# the group consistent:
#
#  1. Ask the Sentinels, each with a 2 s timeout, which node is the master now.
#  2. A Sentinel names a master other than this node: start as its replica. This is what makes a former master that
#     restarts after a failover rejoin as a replica instead of coming back as a second master.
#     The bootstrap name (BOOTSTRAP_MASTER, the Service in front of ordinal 0) counts as ordinal 0: Sentinel keeps
#     reporting that name until a first failover.
#  3. No Sentinel knows a master yet (the group's first start): ordinal 0 starts as master, the others as replicas
#     of BOOTSTRAP_MASTER.
#  4. exec redis-server with CONF (redis-cluster.conf: the caching policy and AOF) and --cluster-enabled no,
#     announcing ANNOUNCE_HOST so Sentinel reports a stable name instead of the pod IP, and, with ACL_DIR, the ACL
#     users and masteruser/masterauth the init container rendered there (render-acl.sh). The Sentinels' password
#     is dropped from the environment first: Redis never holds it. Arguments given to this script are passed on
#     last (the tests bind to loopback that way).
#
# Environment:
#   CONF              the config file (required)
#   PORT              the port to listen on (default 6379)
#   ANNOUNCE_HOST     this node's stable name, as Sentinel and clients should reach it (required)
#   ORDINAL           the StatefulSet ordinal (default: the -N suffix of the hostname)
#   SENTINELS         space-separated host:port of the Sentinels (required)
#   MASTER_NAME       the monitored master's name (default mymaster)
#   BOOTSTRAP_MASTER  host:port Sentinel first monitors, i.e. ordinal 0 (required)
#   ACL_DIR           where render-acl.sh wrote users.acl and replication.conf (optional: without it, no ACL users)
#   SENTINEL_PASSWORD the Sentinels' requirepass (Secret cahoots-sentinel), to ask them in step 1 (optional)
#   TLS_ARGS          redis-cli's TLS options when the Sentinels are TLS-only (k8s/alternatives/redis-tls.yaml; optional)
set -eu

: "${CONF:?CONF must name the Redis config file}"
: "${ANNOUNCE_HOST:?ANNOUNCE_HOST must be this node's stable name}"
: "${SENTINELS:?SENTINELS must list host:port of the Sentinels}"
: "${BOOTSTRAP_MASTER:?BOOTSTRAP_MASTER must be host:port of ordinal 0 as Sentinel first knows it}"
PORT="${PORT:-6379}"
MASTER_NAME="${MASTER_NAME:-mymaster}"
HOSTNAME="${HOSTNAME:-$(hostname)}"
ORDINAL="${ORDINAL:-${HOSTNAME##*-}}"
# redis-cli reads REDISCLI_AUTH: here it must be the Sentinels' password, not the probes' (the replication user's).
if [ -n "${SENTINEL_PASSWORD:-}" ]; then
  export REDISCLI_AUTH="$SENTINEL_PASSWORD"
else
  unset REDISCLI_AUTH
fi

# 1. the current master, as the first Sentinel that knows one says
master=""
for s in $SENTINELS; do
  reply=$(timeout 2 redis-cli ${TLS_ARGS:-} -h "${s%:*}" -p "${s##*:}" --raw sentinel get-master-addr-by-name "$MASTER_NAME" \
    2>/dev/null | tr -d '\r') || true
  mhost=$(echo "$reply" | sed -n 1p)
  mport=$(echo "$reply" | sed -n 2p)
  case "$mport" in
    ''|*[!0-9]*) continue ;;
  esac
  if [ -n "$mhost" ]; then
    master="$mhost:$mport"
    break
  fi
done

# 2./3. the role
if [ "$master" = "$BOOTSTRAP_MASTER" ] && [ "$ORDINAL" = "0" ]; then
  master=""  # Sentinel still names the bootstrap Service, which is this node
fi
if [ -n "$master" ] && [ "$master" != "$ANNOUNCE_HOST:$PORT" ]; then
  echo "start-ha-node: the Sentinels name $master as master: starting as its replica"
  set -- --replicaof "${master%:*}" "${master##*:}" "$@"
elif [ -z "$master" ] && [ "$ORDINAL" != "0" ]; then
  echo "start-ha-node: no Sentinel knows a master yet: starting as replica of $BOOTSTRAP_MASTER"
  set -- --replicaof "${BOOTSTRAP_MASTER%:*}" "${BOOTSTRAP_MASTER##*:}" "$@"
else
  echo "start-ha-node: starting as master"
fi
if [ -n "${ACL_DIR:-}" ]; then
  set -- --aclfile "$ACL_DIR/users.acl" --include "$ACL_DIR/replication.conf" "$@"
fi

# 4.
unset REDISCLI_AUTH SENTINEL_PASSWORD
exec redis-server "$CONF" --port "$PORT" --cluster-enabled no --replica-announce-ip "$ANNOUNCE_HOST" "$@"
