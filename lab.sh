#!/usr/bin/env bash
# Starts the agent on a local lab of real redis-server processes (3 masters, 3 replicas, 1 spare node,
# a Sentinel group) that the agent starts itself and stops on exit (Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server is missing: installing it (Debian/Ubuntu)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
fi
if [ "${AGENT_LAB_TLS:-false}" = true ] && ! command -v openssl >/dev/null 2>&1; then
  echo "openssl is missing (AGENT_LAB_TLS makes the lab's certificates with it): installing it (Debian/Ubuntu)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl
fi
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
  mvn -B -q package -DskipTests
fi
export AGENT_LAB=true
exec java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar
