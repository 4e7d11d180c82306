#!/usr/bin/env bash
# A Docker engine on this machine and the images the container suite uses, all built locally (no registry):
#
#   scripts/docker-up.sh            engine + cahoots-redis:local + cahoots-java-base:17
#   scripts/docker-up.sh --agent    ... + cahoots-agent:0.1.0 from src/main/docker/Dockerfile.jvm
#                                   (runs `mvn -B -q package -DskipTests` first when target/quarkus-app is missing)
#
# 1. Installs Debian's docker.io when dockerd is missing.
# 2. Starts dockerd when no engine answers: no bridge, no iptables changes, so a container can only use the host's
#    network (every container of this project runs with --network host and binds 127.0.0.1).
#    Log: $DOCKERD_LOG (default /var/log/cahoots-dockerd.log). An engine that already answers is used as it is.
# 3. Builds cahoots-redis:local FROM scratch: this machine's redis-server and the libraries ldd lists.
# 4. Builds cahoots-java-base:17 FROM scratch: a jlink'ed runtime of this machine's JDK 17 (Debian's openjdk-17),
#    /bin/sh, and a small run-java.sh at the UBI image's path, so Dockerfile.jvm builds here with
#    --build-arg BASE_IMAGE=cahoots-java-base:17 (its default base stays the public UBI image).
#
# Idempotent: an image is rebuilt only when its inputs changed (a fingerprint label); a second run takes seconds.
# Fails loudly (exit 1) when the engine cannot be installed or started: the container suite never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

REDIS_IMAGE=${CAHOOTS_REDIS_IMAGE:-cahoots-redis:local}
JAVA_BASE_IMAGE=${CAHOOTS_JAVA_BASE_IMAGE:-cahoots-java-base:17}
AGENT_IMAGE=${CAHOOTS_AGENT_IMAGE:-cahoots-agent:0.1.0}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/cahoots-dockerd.log}
want_agent=false
[ "${1:-}" = "--agent" ] && want_agent=true

t0=$(date +%s)
say() { echo "docker-up: $*"; }
die() { echo "docker-up: ERROR: $*" >&2; exit 1; }
# The legacy builder's deprecation notice is noise here (docker.io has no buildx); errors still show.
quiet() { grep -v -e 'DEPRECATED: The legacy builder' -e 'Install the buildx component' -e 'docs.docker.com/go/buildx' -e '^\s*$' >&2 || true; }

# --- 1. the engine -------------------------------------------------------------------------------------------------
if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null \
    || die "apt-get install docker.io failed"
fi
command -v docker >/dev/null 2>&1 || die "no docker CLI after installing docker.io"

if ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log $DOCKERD_LOG)"
  # setsid: the daemon outlives this script and is not in its process group.
  setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false >>"$DOCKERD_LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -30 "$DOCKERD_LOG" >&2 || true; die "dockerd did not answer within 60 s"; }
fi
say "engine $(docker version -f '{{.Server.Version}}' 2>/dev/null), storage $(docker info -f '{{.Driver}}' 2>/dev/null)"

# --- helpers -------------------------------------------------------------------------------------------------------
fingerprint_of() { docker image inspect -f '{{index .Config.Labels "cahoots.fingerprint"}}' "$1" 2>/dev/null || true; }

# Copies binaries/libraries with their absolute paths into $1, plus every library ldd lists for them.
copy_with_libs() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\s*\/[^ ]+ \(/ {print $1}'); do
      if [ ! -e "$root$lib" ]; then
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
      fi
    done
  done
}

# --- 2. cahoots-redis:local ----------------------------------------------------------------------------------------
redis_bin=$(readlink -f "$(command -v redis-server)")
redis_fp=$( { sha256sum < "$redis_bin"; sha256sum < "$0"; } | sha256sum | cut -c1-16)
if [ "$(fingerprint_of "$REDIS_IMAGE")" != "$redis_fp" ]; then
  say "building $REDIS_IMAGE from $(redis-server --version | cut -d' ' -f1-3)"
  ctx=$(mktemp -d)
  mkdir -p "$ctx/root/usr/bin" "$ctx/root/tmp" "$ctx/root/data"
  cp -L "$redis_bin" "$ctx/root/usr/bin/redis-server"
  copy_with_libs "$ctx/root" "$redis_bin"
  rm -f "$ctx/root$redis_bin" 2>/dev/null || true
  cp -L "$redis_bin" "$ctx/root/usr/bin/redis-server"
  chmod 1777 "$ctx/root/tmp"
  version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
  cat > "$ctx/Dockerfile" <<EOF
FROM scratch
COPY root/ /
WORKDIR /data
LABEL cahoots.fingerprint="$redis_fp" org.opencontainers.image.version="$version" \
      org.opencontainers.image.description="redis-server $version of the build machine, no base image"
ENTRYPOINT ["/usr/bin/redis-server"]
EOF
  docker build -q -t "$REDIS_IMAGE" -t "cahoots-redis:$version" "$ctx" 2>&1 >/dev/null | quiet
  rm -rf "$ctx"
fi

# --- 3. cahoots-java-base:17 ---------------------------------------------------------------------------------------
JDK=${CAHOOTS_JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
# What Quarkus, the Kubernetes client, Jedis and Redisson use; jdk.crypto.ec for TLS, jdk.zipfs for the fast-jar.
MODULES=java.base,java.compiler,java.datatransfer,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,java.xml.crypto,jdk.charsets,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.localedata,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs,jdk.jfr
[ -d "$JDK/jmods" ] || die "$JDK/jmods missing (install openjdk-17-jdk-headless or set CAHOOTS_JDK)"
java_fp=$( { cat "$JDK/release"; echo "$MODULES"; sha256sum < "$0"; } | sha256sum | cut -c1-16)
if [ "$(fingerprint_of "$JAVA_BASE_IMAGE")" != "$java_fp" ]; then
  say "building $JAVA_BASE_IMAGE from $JDK (jlink)"
  ctx=$(mktemp -d)
  mkdir -p "$ctx/root/opt" "$ctx/root/tmp" "$ctx/root/deployments" "$ctx/root/etc" "$ctx/root/home/jboss" \
    "$ctx/root/opt/jboss/container/java/run"
  "$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --strip-debug --no-man-pages \
    --no-header-files --compress=2 --output "$ctx/root/opt/java"
  # Libraries of the runtime's own .so files that the host has (libawt_xawt's X libraries it does not need headless).
  for f in "$ctx/root/opt/java/bin/java" $(find "$ctx/root/opt/java/lib" -name '*.so'); do
    for lib in $(ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\s*\/[^ ]+ \(/ {print $1}'); do
      case "$lib" in "$ctx"*) continue ;; esac
      [ -e "$ctx/root$lib" ] || { mkdir -p "$ctx/root$(dirname "$lib")"; cp -L "$lib" "$ctx/root$lib"; }
    done
  done
  rm -f "$ctx/root/opt/java/lib/libawt_xawt.so" "$ctx/root/opt/java/lib/libsplashscreen.so"
  copy_with_libs "$ctx/root" /bin/sh
  # The JVM resolves the user (uid 185, the UBI image's) and the host name.
  printf 'root:x:0:0:root:/root:/bin/sh\njboss:x:185:0:jboss:/home/jboss:/bin/sh\n' > "$ctx/root/etc/passwd"
  printf 'root:x:0:\n' > "$ctx/root/etc/group"
  printf 'hosts: files dns\n' > "$ctx/root/etc/nsswitch.conf"
  chmod 1777 "$ctx/root/tmp"
  chown -R 185:0 "$ctx/root/deployments" "$ctx/root/home/jboss"
  cat > "$ctx/root/opt/jboss/container/java/run/run-java.sh" <<'EOF'
#!/bin/sh
# Stand-in for the UBI OpenJDK image's run-java.sh (cahoots-java-base, built by scripts/docker-up.sh). It honours
# what Dockerfile.jvm and k8s/api.yaml use: JAVA_APP_JAR, JAVA_OPTS, JAVA_OPTS_APPEND and JAVA_MAX_MEM_RATIO
# (heap as % of the container's memory limit when no -Xmx is given; 80 like the UBI image).
case " $JAVA_OPTS $JAVA_OPTS_APPEND " in
  *" -Xmx"*|*MaxRAMPercentage*) heap="" ;;
  *) heap="-XX:MaxRAMPercentage=${JAVA_MAX_MEM_RATIO:-80}" ;;
esac
# shellcheck disable=SC2086
exec /opt/java/bin/java $heap -XX:+ExitOnOutOfMemoryError $JAVA_OPTS $JAVA_OPTS_APPEND -jar "$JAVA_APP_JAR" "$@"
EOF
  chmod 755 "$ctx/root/opt/jboss/container/java/run/run-java.sh"
  cat > "$ctx/Dockerfile" <<EOF
FROM scratch
COPY root/ /
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/bin:/bin LANG=C.UTF-8
WORKDIR /home/jboss
USER 185
LABEL cahoots.fingerprint="$java_fp" \
      org.opencontainers.image.description="jlink'ed OpenJDK 17 of the build machine with the UBI image's run-java.sh path"
EOF
  docker build -q -t "$JAVA_BASE_IMAGE" "$ctx" 2>&1 >/dev/null | quiet
  rm -rf "$ctx"
fi

# --- 4. cahoots-agent ----------------------------------------------------------------------------------------------
if $want_agent; then
  if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
    say "no target/quarkus-app: mvn -B -q package -DskipTests"
    mvn -B -q package -DskipTests
  fi
  say "building $AGENT_IMAGE (Dockerfile.jvm, BASE_IMAGE=$JAVA_BASE_IMAGE)"
  docker build -q -f src/main/docker/Dockerfile.jvm --build-arg BASE_IMAGE="$JAVA_BASE_IMAGE" \
    -t "$AGENT_IMAGE" . 2>&1 >/dev/null | quiet
fi

# Earlier builds of these images (their tags moved on) only take space.
docker image prune -f --filter label=cahoots.fingerprint >/dev/null || true
docker images --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^cahoots-' || true
say "ready in $(( $(date +%s) - t0 )) s"
