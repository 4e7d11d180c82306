#!/bin/sh
# Forms the Redis Cluster of k8s/redis-cluster.yaml, or refreshes it when it already exists. Idempotent: the Job
# runs it after every `kubectl apply -k k8s/`, and a person may run it again at any time.
#
#  1. Wait, at most WAIT_SECONDS, until every node answers PING (pods start in parallel; names appear as they do).
#  2. Resolve each node's name to its current IP and ask it for its cluster bus port: CLUSTER MEET takes an IP
#     address and, when the bus is not on port + 10000, the bus port.
#  3. Cluster already formed (the first node knows others): MEET every node at its current address from the first
#     node. A node that got a new IP (every pod restarted at once) is found again; a known one is unaffected. Slots
#     and roles are never touched.
#  4. Fresh nodes: redis-cli --cluster create with REPLICAS replicas per master (the 16384 slots in even ranges).
#
# Environment:
#   NODES          space-separated host:port of every cluster node (required)
#   REPLICAS       replicas per master (default 1)
#   WAIT_SECONDS   how long step 1 may take (default 300)
#   REDIS_USER     the ACL user to connect as (the kit: cahoots-admin, which may run every command; optional)
#   REDISCLI_AUTH  that user's password, read by redis-cli itself so it never appears on a command line
#   TLS_ARGS       redis-cli's TLS options for TLS-only nodes, e.g. "--tls --cacert /tls/ca.crt --cert /tls/tls.crt
#                  --key /tls/tls.key" (k8s/alternatives/redis-tls.yaml; optional)
set -eu

# redis-cli as REDIS_USER (redis-cli has no variable for the user; the password comes from REDISCLI_AUTH)
# shellcheck disable=SC2086 # TLS_ARGS is one option per word
cli() {
  if [ -n "${REDIS_USER:-}" ]; then
    redis-cli ${TLS_ARGS:-} --user "$REDIS_USER" "$@"
  else
    redis-cli ${TLS_ARGS:-} "$@"
  fi
}

: "${NODES:?NODES must list host:port of every cluster node}"
REPLICAS="${REPLICAS:-1}"
WAIT_SECONDS="${WAIT_SECONDS:-300}"

host_of() { echo "${1%:*}"; }
port_of() { echo "${1##*:}"; }

# 1. every node answers
deadline=$(( $(date +%s) + WAIT_SECONDS ))
for n in $NODES; do
  until [ "$(cli -h "$(host_of "$n")" -p "$(port_of "$n")" ping 2>/dev/null)" = "PONG" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "create-cluster: $n does not answer PING after ${WAIT_SECONDS}s" >&2
      exit 1
    fi
    sleep 1
  done
done

# 2. current addresses: ip:port@busport
addresses=""
for n in $NODES; do
  ip=$(getent hosts "$(host_of "$n")" | awk '{ print $1; exit }')
  if [ -z "$ip" ]; then
    echo "create-cluster: cannot resolve $(host_of "$n")" >&2
    exit 1
  fi
  bus=$(cli -h "$(host_of "$n")" -p "$(port_of "$n")" config get cluster-port | sed -n 2p | tr -d '\r')
  if [ -z "$bus" ] || [ "$bus" = "0" ]; then
    bus=$(( $(port_of "$n") + 10000 ))
  fi
  addresses="$addresses $ip:$(port_of "$n")@$bus"
done

set -- $NODES
first="$1"
known=$(cli -h "$(host_of "$first")" -p "$(port_of "$first")" cluster info | tr -d '\r' \
  | awk -F: '$1 == "cluster_known_nodes" { print $2 }')

if [ "${known:-1}" -gt 1 ]; then
  # 3. formed already: refresh addresses (skip the first node itself: it cannot meet itself)
  set -- $addresses
  shift
  for a in "$@"; do
    endpoint="${a%@*}"
    cli -h "$(host_of "$first")" -p "$(port_of "$first")" \
      cluster meet "$(host_of "$endpoint")" "$(port_of "$endpoint")" "${a##*@}" >/dev/null
  done
  echo "create-cluster: cluster already formed ($known nodes known); addresses refreshed"
  exit 0
fi

# 4. fresh: create (redis-cli takes ip:port; it reads each node's bus port itself)
endpoints=""
for a in $addresses; do
  endpoints="$endpoints ${a%@*}"
done
# shellcheck disable=SC2086 # one argument per endpoint
cli --cluster create $endpoints --cluster-replicas "$REPLICAS" --cluster-yes
echo "create-cluster: cluster created"
