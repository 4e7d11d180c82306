#!/bin/sh
# Renders the ACL users of a data node (the init container "acl" of k8s/redis-cluster.yaml and k8s/redis-sentinel.yaml)
# into OUT_DIR, a memory-backed emptyDir: the root filesystem is read-only and the ConfigMap cannot hold secrets.
#
#  1. users.acl: the user lines of TEMPLATE (redis-conf/users.acl; Redis refuses comments in an ACL file) with each #<ROLE>_PASSWORD_SHA256 placeholder replaced by the
#     SHA-256 (hex) of that role's password, read from the role's own Secret. Redis stores and compares only the
#     hash: the file never holds a password.
#  2. replication.conf: masteruser cahoots-replication and its masterauth, for the node when it is (or becomes) a
#     replica; redis-server reads it with --include.
#  3. Both files mode 0600; a placeholder left over or a password missing stops the pod before Redis starts.
#
# The main container then runs
#   redis-server <conf> --aclfile OUT_DIR/users.acl --include OUT_DIR/replication.conf
# and holds only the replication password (its probes authenticate as cahoots-replication), never the others.
#
# Environment:
#   TEMPLATE               the users.acl template (required)
#   OUT_DIR                where to write users.acl and replication.conf (required)
#   AGENT_PASSWORD         password of cahoots-agent (Secret cahoots-redis-agent)
#   APP_PASSWORD           password of cahoots-app (Secret cahoots-redis-app)
#   REPLICATION_PASSWORD   password of cahoots-replication (Secret cahoots-redis-replication)
#   ADMIN_PASSWORD         password of cahoots-admin (Secret cahoots-redis-admin)
# Passwords: letters and digits (replication.conf quotes masterauth; the hash takes any bytes).
set -eu

: "${TEMPLATE:?TEMPLATE must name the users.acl template}"
: "${OUT_DIR:?OUT_DIR must name the directory to write}"
: "${AGENT_PASSWORD:?AGENT_PASSWORD (Secret cahoots-redis-agent) is missing}"
: "${APP_PASSWORD:?APP_PASSWORD (Secret cahoots-redis-app) is missing}"
: "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD (Secret cahoots-redis-replication) is missing}"
: "${ADMIN_PASSWORD:?ADMIN_PASSWORD (Secret cahoots-redis-admin) is missing}"

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

case "$REPLICATION_PASSWORD" in
  *[!A-Za-z0-9]*)
    echo "render-acl: the replication password must be letters and digits only" >&2
    exit 1 ;;
esac

umask 077
# 1.
sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' \
    -e "s/#AGENT_PASSWORD_SHA256/#$(sha "$AGENT_PASSWORD")/" \
    -e "s/#APP_PASSWORD_SHA256/#$(sha "$APP_PASSWORD")/" \
    -e "s/#REPLICATION_PASSWORD_SHA256/#$(sha "$REPLICATION_PASSWORD")/" \
    -e "s/#ADMIN_PASSWORD_SHA256/#$(sha "$ADMIN_PASSWORD")/" \
    "$TEMPLATE" > "$OUT_DIR/users.acl.tmp"
if grep -q '_SHA256' "$OUT_DIR/users.acl.tmp"; then
  echo "render-acl: a placeholder is left in $TEMPLATE: $(grep -o '#[A-Z_]*_SHA256' "$OUT_DIR/users.acl.tmp" | head -1)" >&2
  exit 1
fi
mv "$OUT_DIR/users.acl.tmp" "$OUT_DIR/users.acl"

# 2.
{
  echo "# written by render-acl.sh: a replica authenticates to its master as cahoots-replication"
  echo "masteruser cahoots-replication"
  echo "masterauth \"$REPLICATION_PASSWORD\""
} > "$OUT_DIR/replication.conf"

echo "render-acl: $(grep -c '^user ' "$OUT_DIR/users.acl") users written to $OUT_DIR/users.acl"
