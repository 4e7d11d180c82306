#!/bin/sh
# Writes one Sentinel's config (the init container of k8s/redis-sentinel.yaml):
#
#  1. Copy TEMPLATE (redis-conf/sentinel.conf) to OUT: Sentinel rewrites its config file, so it runs from a
#     writable copy in the pod's volume.
#  2. Ask the other Sentinels, each with a 2 s timeout, which node is the master now. If one answers, monitor that
#     node instead of the template's bootstrap address: a Sentinel that restarts after a failover must not watch the
#     old master (now a replica) as if it were the master.
#  3. Append this pod's own lines: the name it announces to its peers and clients, and, when there is a password,
#     requirepass (clients and the other Sentinels) and auth-pass (towards the data nodes).
#
# Environment:
#   TEMPLATE        the template config (required)
#   OUT             the config to write (required)
#   SENTINELS       space-separated host:port of all Sentinels, this one included (it does not answer yet)
#   MASTER_NAME     the monitored master's name (default mymaster)
#   ANNOUNCE_HOST   this Sentinel's stable name (optional: without it, the pod IP is announced)
#   REDIS_PASSWORD  the group's password (optional)
set -eu

: "${TEMPLATE:?TEMPLATE must name the Sentinel config template}"
: "${OUT:?OUT must name the config file to write}"
MASTER_NAME="${MASTER_NAME:-mymaster}"
SENTINELS="${SENTINELS:-}"
if [ -n "${REDIS_PASSWORD:-}" ]; then
  export REDISCLI_AUTH="$REDIS_PASSWORD"
fi

# 1.
cp "$TEMPLATE" "$OUT"

# 2.
for s in $SENTINELS; do
  reply=$(timeout 2 redis-cli -h "${s%:*}" -p "${s##*:}" --raw sentinel get-master-addr-by-name "$MASTER_NAME" \
    2>/dev/null | tr -d '\r') || true
  mhost=$(echo "$reply" | sed -n 1p)
  mport=$(echo "$reply" | sed -n 2p)
  case "$mport" in
    ''|*[!0-9]*) continue ;;
  esac
  if [ -n "$mhost" ]; then
    sed -i "s/^sentinel monitor $MASTER_NAME [^ ]* [0-9]* \([0-9]*\)\$/sentinel monitor $MASTER_NAME $mhost $mport \1/" "$OUT"
    echo "prepare-sentinel: $s names $mhost:$mport as master $MASTER_NAME"
    break
  fi
done

# 3.
{
  echo
  echo "# --- appended by prepare-sentinel.sh for this pod ---"
  if [ -n "${ANNOUNCE_HOST:-}" ]; then
    echo "sentinel announce-ip $ANNOUNCE_HOST"
  fi
  if [ -n "${REDIS_PASSWORD:-}" ]; then
    echo "requirepass \"$REDIS_PASSWORD\""
    echo "sentinel auth-pass $MASTER_NAME \"$REDIS_PASSWORD\""
  fi
} >> "$OUT"
grep "^sentinel monitor" "$OUT"
