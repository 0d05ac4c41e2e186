#!/usr/bin/env bash
# HTTP benchmark of the position's conditional GET (parts 1 and 5), with wrk on loopback, all requests
# authenticated: GET /api/v1/ping vs the position answered 200 vs 304 (matching If-None-Match), and the
# position lookup at waitlist sizes 15 and 100,000. Prints requests/s, p50/p99 and the ratios to ping.
#   bench/http.sh [SECONDS=10] [CONNECTIONS=32] [ROUNDS=3] [WARMUP_SECONDS=10]
# Needs Redis on localhost and wrk (Debian package `wrk`). Writes bench/target-results/http.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_PER_RUN="${1:-10}"; CONNECTIONS="${2:-32}"; ROUNDS="${3:-3}"; WARMUP="${4:-10}"
PORT=18090; MPORT=19090; PREFIX="sw:v1:bench:http:"
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then apt-get install -y -q wrk >/dev/null; fi
  command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
fi
cd "$ROOT"
[[ -n "${SEATWATCH_BENCH_NO_BUILD:-}" ]] || ./mvnw -q -B -DskipTests -pl api -am package
JAR=$(ls "$ROOT"/api/target/api-*.jar | grep -v plain | head -n1)
./seatwatch token registrar bench >/dev/null   # makes sure .seatwatch/jwt-secret exists
REG=$(./seatwatch token registrar bench-registrar)

redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null
SEATWATCH_JWT_SECRET=$(cat .seatwatch/jwt-secret) SEATWATCH_WEBHOOK_SECRET_KEY=$(openssl rand -base64 32) \
  java -jar "$JAR" --server.port=$PORT --management.server.port=$MPORT --seatwatch.redis.key-prefix=$PREFIX \
  --seatwatch.rate-limit.enabled=false --seatwatch.relay.enabled=false --logging.level.root=WARN \
  --spring.main.banner-mode=off > bench/target-http-api.log 2>&1 &
API=$!
trap 'kill $API 2>/dev/null || true; redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$MPORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done

api=http://localhost:$PORT/api/v1
new_class() { # capacity waitlistCapacity
  curl -sf -H "Authorization: Bearer $REG" -H 'Content-Type: application/json' \
    -d "{\"department\":\"BENCH\",\"courseCode\":\"$RANDOM$RANDOM\",\"section\":\"01\",\"title\":\"Bench\",\"instructorId\":\"prof\",\"capacity\":$1,\"waitlistCapacity\":$2}" \
    $api/classes | sed 's/.*"id":"\([^"]*\)".*/\1/'
}
join() { curl -sf -o /dev/null -H "Authorization: Bearer $REG" -H 'Content-Type: application/json' -d "{\"studentId\":\"$2\"}" $api/classes/$1/enrollments; }

SMALL=$(new_class 1 100000); join "$SMALL" seat
for i in $(seq 1 15); do join "$SMALL" "w$i"; done
LARGE=$(new_class 1 100000); join "$LARGE" seat
# 99,999 joins written the way enroll.lua writes them (a bench shortcut: HTTP would take minutes), then
# the last one through the API so that the class's version and validators are real.
redis-cli EVAL "local seq = 0
for i = 1, tonumber(ARGV[2]) do
  seq = seq + 1
  redis.call('ZADD', KEYS[1], seq, 'bulk' .. i)
  redis.call('HSET', KEYS[2], 'bulk' .. i, ARGV[1])
end
redis.call('HSET', KEYS[3], 'waitSeq', seq)
return seq" 3 "${PREFIX}class:$LARGE:waitlist" "${PREFIX}class:$LARGE:waitlist-joined" "${PREFIX}class:$LARGE" \
  "$(date +%s)000000" 99999 >/dev/null
join "$LARGE" w100000

TOKEN_SMALL=$(./seatwatch token student w15); TOKEN_LARGE=$(./seatwatch token student w100000)
ETAG=$(curl -sf -D - -o /dev/null -H "Authorization: Bearer $TOKEN_SMALL" $api/classes/$SMALL/waitlist/w15 | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
curl -sf -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN_SMALL" -H "If-None-Match: $ETAG" $api/classes/$SMALL/waitlist/w15 | grep -q 304 \
  || { echo "expected a 304 with the position's ETag" >&2; exit 1; }

run() { # name url token [header]
  local extra=()
  [[ -n "${4:-}" ]] && extra=(-H "$4")
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $3" "${extra[@]}" "$2" > "bench/target-wrk-$1.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/{print $2}' "bench/target-wrk-$1.txt")
  p50=$(awk '$1=="50%"{print $2}' "bench/target-wrk-$1.txt")
  p99=$(awk '$1=="99%"{print $2}' "bench/target-wrk-$1.txt")
  non2xx=$(awk '/Non-2xx/{print $5}' "bench/target-wrk-$1.txt")
  echo "$1 $rps $p50 $p99 ${non2xx:-0}"
}
mkdir -p bench
echo "warming the JVM up: $WARMUP s on each endpoint" >&2
for target in "$api/ping|$TOKEN_SMALL|" "$api/classes/$SMALL/waitlist/w15|$TOKEN_SMALL|" \
    "$api/classes/$SMALL/waitlist/w15|$TOKEN_SMALL|If-None-Match: $ETAG" "$api/classes/$LARGE/waitlist/w100000|$TOKEN_LARGE|"; do
  IFS='|' read -r url token header <<< "$target"
  if [[ -n "$header" ]]; then
    wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $token" -H "$header" "$url" >/dev/null
  else
    wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $token" "$url" >/dev/null
  fi
done
echo "running wrk: $ROUNDS interleaved rounds of ${SECONDS_PER_RUN}s per endpoint, $CONNECTIONS connections, 1 thread" >&2
ALL=""
for round in $(seq 1 $ROUNDS); do
  ALL+=$(
    run ping "$api/ping" "$TOKEN_SMALL"
    run position-200 "$api/classes/$SMALL/waitlist/w15" "$TOKEN_SMALL"
    run position-304 "$api/classes/$SMALL/waitlist/w15" "$TOKEN_SMALL" "If-None-Match: $ETAG"
    run position-200-size-100000 "$api/classes/$LARGE/waitlist/w100000" "$TOKEN_LARGE"
  )$'\n'
done
# The median round of each endpoint (by requests/s).
RESULTS=$(for name in ping position-200 position-304 position-200-size-100000; do
  echo "$ALL" | awk -v n="$name" '$1==n' | sort -k2 -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"
done)
echo "$ALL" | awk 'NF' | sed 's/^/round result: /' >&2
mkdir -p bench/target-results
{ echo "wrk 4.1, 1 thread, $CONNECTIONS connections, median of $ROUNDS interleaved rounds of ${SECONDS_PER_RUN} s, every request authenticated (HS256)."; echo; } > bench/target-results/http.md
echo "$RESULTS" | awk '
  NR==1 {ping=$2}
  {rps[$1]=$2; p50[$1]=$3; p99[$1]=$4; bad[$1]=$5; order[NR]=$1}
  END {
    print "| request | requests/s | p50 | p99 | non-2xx | ratio to ping |"
    print "|---|---|---|---|---|---|"
    for (i = 1; i <= NR; i++) { n = order[i]; printf "| %s | %.0f | %s | %s | %s | %.2f |\n", n, rps[n], p50[n], p99[n], bad[n], rps[n]/ping }
    printf "\ntargets: 304 >= 0.8x ping (%.2f), 200 >= 0.5x ping (%.2f), size 100,000 within 1.2x of size 15 (%.2f)\n", rps["position-304"]/ping, rps["position-200"]/ping, rps["position-200"]/rps["position-200-size-100000"]
  }' | tee -a bench/target-results/http.md
