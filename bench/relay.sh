#!/usr/bin/env bash
# The relay alone vs RabbitMQ PerfTest on the same broker and topology (issue 3's benchmark).
#   bench/relay.sh [ENTRIES=20000] [CLASSES=200] [RUNS=5]
# Needs Redis and RabbitMQ on localhost. Prints each run and a table of medians.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ENTRIES="${1:-20000}"; CLASSES="${2:-200}"; RUNS="${3:-5}"
cd "$ROOT"
./mvnw -q -B -DskipTests -pl api -am package
./mvnw -q -B -f bench/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAR=$(ls "$ROOT"/api/target/api-*.jar | grep -v plain | head -n1)
cd bench
java -cp "target/classes:$(cat target/classpath.txt)" io.seatwatch.bench.RelayBench "$JAR" "$ENTRIES" "$CLASSES" "$RUNS"
