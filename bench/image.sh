#!/usr/bin/env bash
# The agent's image: its size, start-up time (container start to /q/health/ready 200) and RSS under the kit's memory
# limit with a read-only root file system, against a lab of containers. Builds what is missing: the engine and local
# images (scripts/docker-up.sh), the application (mvn package), the image (AgentImageContainerIT builds it from
# src/main/docker/Dockerfile.jvm). Pass -Dcahoots.image.base=<image> to build on another base (default: the local
# cahoots-java-base:17; e.g. registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21 on a host with a registry).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/docker-up.sh >/dev/null
[ -f target/quarkus-app/quarkus-run.jar ] || mvn -B -q package -DskipTests
mvn -B -q -o test-compile "$@" 2>/dev/null || mvn -B -q test-compile "$@"
log=$(mktemp)
if ! mvn -B -Pcontainers failsafe:integration-test failsafe:verify -Dit.test=AgentImageContainerIT "$@" >"$log" 2>&1; then
  tail -80 "$log"; echo "bench/image.sh: AgentImageContainerIT failed (log $log)" >&2; exit 1
fi
grep -h '^FIGURE' "$log" | sed 's/^FIGURE //'
docker images --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^cahoots-'
rm -f "$log"
