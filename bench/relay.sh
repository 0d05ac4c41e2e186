#!/usr/bin/env bash
# The relay alone vs RabbitMQ PerfTest on the same broker and topology (part 4).
#   bench/relay.sh [ENTRIES=20000] [CLASSES=200] [RUNS=5]
# Needs Redis and RabbitMQ on localhost. Prints each run and a table of medians (also in
# bench/target-results/relay.md).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ENTRIES="${1:-20000}"; CLASSES="${2:-200}"; RUNS="${3:-5}"
cd "$ROOT"
[[ -n "${SEATWATCH_BENCH_NO_BUILD:-}" ]] || ./mvnw -q -B -DskipTests -pl api -am package
./mvnw -q -B -f bench/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
JAR=$(ls "$ROOT"/api/target/api-*.jar | grep -v plain | head -n1)
cd bench
mkdir -p target-results
java -cp "target/classes:$(cat target/classpath.txt)" io.seatwatch.bench.RelayBench "$JAR" "$ENTRIES" "$CLASSES" "$RUNS" \
  | tee target-relay-output.txt
sed -n '/^| measure/,$p' target-relay-output.txt > target-results/relay.md
