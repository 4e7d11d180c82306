#!/usr/bin/env bash
# Failover latency benchmark (not a test): over N SENTINEL FAILOVERs (default 20) on a local lab, the time from the
# Sentinels' +switch-master to the agent's SSE event, webhook and pub/sub message, beside redis-cli, a default Redisson
# client and a default JedisSentinelPool. Usage: bench/failover-latency.sh [failovers]
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server redis-cli stdbuf; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing (apt-get install redis-server redis-tools coreutils)"; exit 1; }
done
jar=target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ ! -d target/test-classes ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -q package -DskipTests
fi
if [ ! -f target/classpath.txt ] || [ pom.xml -nt target/classpath.txt ]; then
  mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
fi
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dagent.jar="$jar" \
  -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" \
  io.cahoots.agent.bench.FailoverLatencyBench "$@"
