#!/bin/sh
# Writes one Sentinel's config (the init container of k8s/redis-sentinel.yaml):
#
#  1. Copy TEMPLATE (redis-conf/sentinel.conf) to OUT: Sentinel rewrites its config file, so it runs from a
#     writable copy in the pod's volume.
#  2. Ask the other Sentinels, each with a 2 s timeout, which node is the master now. If one answers, monitor that
#     node instead of the template's bootstrap address: a Sentinel that restarts after a failover must not watch the
#     old master (now a replica) as if it were the master.
#  3. Append this pod's own lines: the name it announces to its peers and clients; with SENTINEL_PASSWORD,
#     requirepass (clients and the other Sentinels use it; Sentinels also present it to each other); with
#     REPLICATION_PASSWORD, auth-user AUTH_USER and auth-pass, the ACL user it monitors the data nodes as.
#
# Environment:
#   TEMPLATE        the template config (required)
#   OUT             the config to write (required)
#   SENTINELS       space-separated host:port of all Sentinels, this one included (it does not answer yet)
#   MASTER_NAME     the monitored master's name (default mymaster)
#   ANNOUNCE_HOST   this Sentinel's stable name (optional: without it, the pod IP is announced)
#   SENTINEL_PASSWORD     the Sentinels' own password (Secret cahoots-sentinel; optional)
#   AUTH_USER             the data nodes' ACL user for Sentinels (default cahoots-replication)
#   REPLICATION_PASSWORD  that user's password (Secret cahoots-redis-replication; optional)
#   TLS_ARGS              redis-cli's TLS options when the Sentinels are TLS-only (k8s/alternatives/redis-tls.yaml; optional)
# Passwords: letters and digits (they are written into the config in quotes).
set -eu

: "${TEMPLATE:?TEMPLATE must name the Sentinel config template}"
: "${OUT:?OUT must name the config file to write}"
MASTER_NAME="${MASTER_NAME:-mymaster}"
SENTINELS="${SENTINELS:-}"
AUTH_USER="${AUTH_USER:-cahoots-replication}"
if [ -n "${SENTINEL_PASSWORD:-}" ]; then
  export REDISCLI_AUTH="$SENTINEL_PASSWORD"
fi
for pw in "${SENTINEL_PASSWORD:-}" "${REPLICATION_PASSWORD:-}"; do
  case "$pw" in
    *[!A-Za-z0-9]*)
      echo "prepare-sentinel: passwords must be letters and digits only" >&2
      exit 1 ;;
  esac
done

# 1.
cp "$TEMPLATE" "$OUT"

# 2.
for s in $SENTINELS; do
  reply=$(timeout 2 redis-cli ${TLS_ARGS:-} -h "${s%:*}" -p "${s##*:}" --raw sentinel get-master-addr-by-name "$MASTER_NAME" \
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
  if [ -n "${SENTINEL_PASSWORD:-}" ]; then
    echo "requirepass \"$SENTINEL_PASSWORD\""
  fi
  if [ -n "${REPLICATION_PASSWORD:-}" ]; then
    echo "sentinel auth-user $MASTER_NAME $AUTH_USER"
    echo "sentinel auth-pass $MASTER_NAME \"$REPLICATION_PASSWORD\""
  fi
} >> "$OUT"
grep "^sentinel monitor" "$OUT"
