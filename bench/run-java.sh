#!/usr/bin/env bash
# Runs a benchmark main class from src/test/java/io/cahoots/agent/bench against freshly built classes.
# Usage: bench/run-java.sh <SimpleClassName> [args...]
set -euo pipefail
cd "$(dirname "$0")/.."
main="$1"; shift
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test \
  || mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Xms256m -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" "io.cahoots.agent.bench.$main" "$@"
