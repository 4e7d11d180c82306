#!/usr/bin/env bash
# The agent's import vs redis-cli --cluster import on identical data (default 1,000,000 keys of 100 bytes from a
# standalone primary into an empty 3-master cluster), both verified. Usage: bench/import.sh [keys]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test \
  || mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Xms256m -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" io.cahoots.agent.importer.ImportBench "$@"
