#!/usr/bin/env bash
# Enrollment under contention (part 2): per round, REQUESTS distinct students, each with their own
# token, enroll at the same instant in a new class of CAPACITY seats, from a Java program (JDK HttpClient,
# HTTP/1.1, async, released by a latch). Prints requests/s, p50/p99/max latency and whether the outcome is
# exactly right (CAPACITY enrolled, the rest waitlisted at positions 1..rest, the class's counts and
# enrollment listing agree); exits non-zero when it is not. The table also goes to
# bench/target-results/contention.md.
#   bench/contention.sh [REQUESTS=1000] [CAPACITY=100] [ROUNDS=3]
# Needs Redis on localhost. SEATWATCH_BENCH_NO_BUILD=1 uses the api jar already built.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQUESTS="${1:-1000}"; CAPACITY="${2:-100}"; ROUNDS="${3:-3}"
PORT=18091; MPORT=19091; PREFIX="sw:v1:bench:contention:"
LOG="$ROOT/bench/target-contention.log"; RESULTS="$ROOT/bench/target-results/contention.md"
cd "$ROOT"

[[ -n "${SEATWATCH_BENCH_NO_BUILD:-}" ]] || ./mvnw -q -B -DskipTests -pl api -am package
JAR=$(ls api/target/api-*.jar | grep -v -e '-plain\.jar$' | head -n1)
# The bench program uses the JDK alone: compiled here with javac into its own directory, so that it does
# not depend on the rest of the bench module compiling, nor on a concurrent build of bench/target.
CLASSES="$ROOT/bench/target-contention-classes"
rm -rf "$CLASSES"
javac --release 17 -d "$CLASSES" bench/src/main/java/io/seatwatch/bench/Hs256Tokens.java bench/src/main/java/io/seatwatch/bench/contention/*.java
./seatwatch token registrar bench >/dev/null   # makes sure .seatwatch/jwt-secret exists
export SEATWATCH_JWT_SECRET; SEATWATCH_JWT_SECRET=$(cat .seatwatch/jwt-secret)

wipe() { redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null; }
API=""
cleanup() {
  if [[ -n "$API" ]]; then
    kill -TERM "$API" 2>/dev/null || true
    wait "$API" 2>/dev/null || true
  fi
  wipe || true
}
trap cleanup EXIT

wipe
SEATWATCH_WEBHOOK_SECRET_KEY=$(openssl rand -base64 32) \
  java -jar "$JAR" --server.port=$PORT --management.server.port=$MPORT --seatwatch.redis.key-prefix=$PREFIX \
  --seatwatch.rate-limit.enabled=false --seatwatch.relay.enabled=false --logging.level.root=WARN \
  --spring.main.banner-mode=off > "$LOG" 2>&1 &
API=$!
for _ in $(seq 1 240); do
  curl -sf -o /dev/null localhost:$MPORT/actuator/health/readiness && break
  kill -0 "$API" 2>/dev/null || { tail -n 20 "$LOG" >&2; echo "the api exited while starting; log: $LOG" >&2; exit 1; }
  sleep 0.5
done
curl -sf -o /dev/null localhost:$MPORT/actuator/health/readiness || { echo "the api is not ready after 120 s; log: $LOG" >&2; exit 1; }

mkdir -p "$(dirname "$RESULTS")"
echo "enrollment under contention: $REQUESTS requests for $CAPACITY seats, $ROUNDS rounds (api log: $LOG)" >&2
# The client keeps idle connections for reuse across rounds; this sets how long explicitly, since the
# JDK's default changed between versions (1200 s in 17, 30 s from 20 on).
java -Djdk.httpclient.keepalive.timeout=600 -cp "$CLASSES" \
  io.seatwatch.bench.contention.ContentionBench "http://127.0.0.1:$PORT" "$REQUESTS" "$CAPACITY" "$ROUNDS" "$API" | tee "$RESULTS"
