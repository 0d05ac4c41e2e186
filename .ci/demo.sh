#!/usr/bin/env bash
# Script test of the README's run command and walkthrough: ./seatwatch up starts the whole stack on the local
# Redis and RabbitMQ, ./seatwatch demo plays the story end to end (exit 0 only when the email arrived in the
# catcher and the webhook arrived with a valid signature), a demo pointed at a missing mail catcher exits
# non-zero, the OpenAPI document is served, and Ctrl-C (SIGINT) stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
log=.seatwatch/logs/ci-up.log
mkdir -p .seatwatch/logs

fail() { echo "demo-test: FAIL: $*" >&2; tail -n 40 "$log" >&2 || true; exit 1; }
ready() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# Job control: the launcher runs in its own process group and gets SIGINT as from a terminal's Ctrl-C.
set -m
./seatwatch up >"$log" 2>&1 &
up=$!
set +m
trap 'kill -TERM $up 2>/dev/null || true' EXIT

for _ in $(seq 1 300); do
  ready http://127.0.0.1:9080/actuator/health/readiness && ready http://127.0.0.1:8081/actuator/health/readiness \
    && ready http://127.0.0.1:8082/actuator/health/readiness && break
  kill -0 $up 2>/dev/null || fail "./seatwatch up exited"
  sleep 1
done
grep -q "Seatwatch is running" "$log" || fail "the stack did not become ready"

./seatwatch demo || fail "./seatwatch demo exited $?"

if SEATWATCH_MAIL_URL=http://127.0.0.1:9 SEATWATCH_DEMO_TIMEOUT=5 ./seatwatch demo >/dev/null 2>&1; then
  fail "a demo that cannot reach the mail catcher exited 0"
fi

docs=$(curl -fsS http://127.0.0.1:8080/v3/api-docs) || fail "GET /v3/api-docs"
grep -q '"openapi"' <<<"$docs" || fail "/v3/api-docs is not an OpenAPI document"
grep -q '/api/v1/classes/{classId}/waitlist/{studentId}' <<<"$docs" || fail "the OpenAPI document lacks the position endpoint"
echo "demo-test: the OpenAPI document is served"

kill -INT $up
status=0
wait $up || status=$?
trap - EXIT
[[ $status -eq 130 ]] || fail "./seatwatch up exited $status after SIGINT, expected 130"
for port in 8080 9080 8081 8082 1025 8025; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then fail "port $port still answers after Ctrl-C"; fi
done
echo "demo-test: OK (the demo passed; Ctrl-C stopped every process)"
