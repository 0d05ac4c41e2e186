#!/usr/bin/env bash
# Script test of the README's run command and walkthrough: ./seatwatch up starts the whole stack on the local
# Redis and RabbitMQ, ./seatwatch demo plays the story end to end (exit 0 only when the email arrived in the
# catcher and the webhook arrived with a valid signature), a demo pointed at a missing mail catcher exits
# non-zero, the OpenAPI document is served, the apps' JSON logs (ECS) show one trace id from the drop request
# to the email and webhook lines, and Ctrl-C (SIGINT) stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
log=.seatwatch/logs/ci-up.log
mkdir -p .seatwatch/logs

fail() { echo "demo-test: FAIL: $*" >&2; tail -n 40 "$log" >&2 || true; exit 1; }
ready() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

ports_closed() {
  local port
  for port in 8080 9080 8081 8082 1025 8025; do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then fail "port $port still answers after $1"; fi
  done
}

# 1. A newcomer's first command can be the demo alone: it starts the stack, plays the story, stops the stack.
ports_closed "the previous run"
./seatwatch demo > .seatwatch/logs/ci-demo-alone.log 2>&1 || { cat .seatwatch/logs/ci-demo-alone.log; fail "./seatwatch demo alone"; }
grep -q "Demo passed" .seatwatch/logs/ci-demo-alone.log || fail "./seatwatch demo alone did not pass"
ports_closed "./seatwatch demo stopped the stack it started"
echo "demo-test: ./seatwatch demo alone started the stack, passed and stopped it"

# 2. ./seatwatch up in one terminal, the demo in another, then Ctrl-C.
# Job control: the launcher runs in its own process group and gets SIGINT as from a terminal's Ctrl-C.
# A job started by a shell without job control (nohup, `cmd &` in a script) inherits SIGINT ignored, and bash cannot
# trap a signal ignored on entry: restore the default so that the launcher's own Ctrl-C handling is what is tested.
set -m
LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!"' ./seatwatch up >"$log" 2>&1 &
up=$!
set +m
trap 'kill -TERM $up 2>/dev/null || true' EXIT

# The launcher prints "Seatwatch is running" once every app answers its readiness probe.
for _ in $(seq 1 300); do
  grep -q "Seatwatch is running" "$log" && break
  kill -0 $up 2>/dev/null || fail "./seatwatch up exited"
  sleep 1
done
grep -q "Seatwatch is running" "$log" || fail "the stack did not become ready"
for url in http://127.0.0.1:9080/actuator/health/readiness http://127.0.0.1:8081/actuator/health/readiness \
    http://127.0.0.1:8082/actuator/health/readiness; do
  ready "$url" || fail "$url is not ready"
done

./seatwatch demo | tee .seatwatch/logs/ci-demo.log || fail "./seatwatch demo exited $?"
[[ ${PIPESTATUS[0]} -eq 0 ]] || fail "./seatwatch demo failed"

# One trace: the api's drop line, notifier-email's sent line and notifier-webhook's attempt line of this event.
event=$(grep -o 'webhook-id [0-9a-f-]*' .seatwatch/logs/ci-demo.log | cut -d' ' -f2)
[[ -n "$event" ]] || fail "no event id in the demo's output"
trace_of() { grep -h -- "$2" ".seatwatch/logs/$1.log" | grep -o '"traceId":"[0-9a-f]*"' | head -n1 | cut -d'"' -f4; }
run=$(grep -o 'carol-[a-z0-9]*' .seatwatch/logs/ci-demo.log | head -n1 | cut -d- -f2)
api_trace=$(trace_of api "Drop of alice-$run from class")
email_trace=$(trace_of notifier-email "Sent EnrollmentPromoted email <$event@seatwatch>")
webhook_trace=$(trace_of notifier-webhook "Webhook scheduled attempt for event $event")
echo "demo-test: trace ids: api=$api_trace email=$email_trace webhook=$webhook_trace"
[[ -n "$api_trace" && "$api_trace" == "$email_trace" && "$api_trace" == "$webhook_trace" ]] \
  || fail "the drop, the email and the webhook are not in one trace"

if SEATWATCH_MAIL_URL=http://127.0.0.1:9 SEATWATCH_DEMO_TIMEOUT=5 ./seatwatch demo >/dev/null 2>&1; then
  fail "a demo that cannot reach the mail catcher exited 0"
fi

docs=$(curl -fsS http://127.0.0.1:8080/v3/api-docs) || fail "GET /v3/api-docs"
grep -q '"openapi"' <<<"$docs" || fail "/v3/api-docs is not an OpenAPI document"
grep -q '/api/v1/classes/{classId}/waitlist/{studentId}' <<<"$docs" || fail "the OpenAPI document lacks the position endpoint"
echo "demo-test: the OpenAPI document is served"

kill -INT $up
# Bounded: a launcher that ignored the signal would otherwise hold CI until its timeout.
for _ in $(seq 1 60); do kill -0 $up 2>/dev/null || break; sleep 1; done
kill -0 $up 2>/dev/null && fail "./seatwatch up still runs 60 s after SIGINT"
status=0
wait $up || status=$?
trap - EXIT
[[ $status -eq 130 ]] || fail "./seatwatch up exited $status after SIGINT, expected 130"
ports_closed "Ctrl-C"
echo "demo-test: OK (the demo passed; Ctrl-C stopped every process)"
