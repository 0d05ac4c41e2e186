#!/usr/bin/env bash
# The first promotion after a real RabbitMQ restart, end to end (not part of run.sh: it needs root and minutes of
# broker outages). A private RabbitMQ node of its own (free loopback ports, its own data directory and cookie; the
# machine's broker is not touched) runs under the three apps, which are warmed up and then left idle. Each case is
# repeated N times:
#   a  clean restart: rabbitmqctl stop_app, OUTAGE_SECONDS, start_app; one drop the moment the node answers again
#   b  kill -9 of the node's VM, OUTAGE_SECONDS, a new start; one drop the moment the node answers again
#   c  both again with DROPS_PER_OUTAGE drops spread over the outage, which must all be notified, each once
# Per restart: broker answering again → drop, drop → email accepted by the SMTP sink and → webhook received,
# answering → email and → webhook (c: → the last of them); then median / max per case. Target: within 1 s of the
# broker answering. Fails (exit 3) on a promotion lost or notified twice, never on speed.
#   bench/restart.sh [N=5] [OUTAGE_SECONDS=2] [DROPS_PER_OUTAGE=5]
# Needs root (the broker's own start script), RabbitMQ's and Erlang's packages, Redis on localhost and a JDK.
# SEATWATCH_BENCH_NO_BUILD=1 uses the jars already built; SEATWATCH_BENCH_CDS=on runs the apps with their class data
# sharing archive, trained as the image build does (slower to prepare; start-up speed does not matter here).
# Writes bench/target-results/restart.md; the apps' logs and the node's (rabbitmq/) stay in bench/target-restart/logs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-5}"; OUTAGE_SECONDS="${2:-2}"; DROPS_PER_OUTAGE="${3:-5}"
PREFIX="sw:v1:bench:restart:"
WORK="$ROOT/bench/target-restart"
NODE="swbench-restart-$$@localhost"
RABBIT_BIN=/usr/lib/rabbitmq/bin   # not /usr/sbin's wrapper, which runs the broker as the rabbitmq user
PORTS=(18110 19110 18111 18112)    # RestartBench's api, api actuator, notifier-email, notifier-webhook
cd "$ROOT"

[[ $(id -u) == 0 ]] || { echo "restart.sh: run it as root (the broker's start script refuses other users)" >&2; exit 1; }
[[ -x "$RABBIT_BIN/rabbitmq-server" && -x "$RABBIT_BIN/rabbitmqctl" ]] \
  || { echo "restart.sh: no $RABBIT_BIN/rabbitmq-server (Debian's rabbitmq-server package)" >&2; exit 1; }
for port in "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "restart.sh: port $port is in use" >&2; exit 1; fi
done

if [[ -z "${SEATWATCH_BENCH_NO_BUILD:-}" ]]; then
  ./mvnw -q -B -DskipTests -pl api,notifier-email,notifier-webhook -am package
fi
./mvnw -q -B -f bench/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt

BENCH_PID=""
# Only what this run started. The JVM stops the apps and the node itself; this covers a JVM that was killed.
# A pid is checked against its command line first: after a clean end it may belong to someone else by now.
kill_ours() { # pid-file marker
  [[ -f "$1" ]] || return 0
  local pid
  for pid in $(cat "$1"); do
    if tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$2"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}
cleanup() {
  if [[ -n "$BENCH_PID" ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 60))
    while kill -0 "$BENCH_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$BENCH_PID" 2>/dev/null || true
  fi
  kill_ours "$WORK/app-pids" "--seatwatch.redis.key-prefix=$PREFIX"
  kill_ours "$WORK/node/pid" "-home $WORK/node/home"   # the VM's command line has its HOME, not its node name
  # The node's own log explains a slow return (e.g. its quorum queues' recovery); the rest of it goes.
  if [[ -d "$WORK/node/log" && -d "$WORK/logs" ]]; then cp -R "$WORK/node/log" "$WORK/logs/rabbitmq"; fi
  rm -rf "$WORK/node" "$WORK/app-pids"
  redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null
}
rm -rf "$WORK/node" "$WORK/logs" "$WORK/app-pids"
redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each app as its image runs it, as in e2e.sh (image.sh, k8s-jvm-options.sh), without the archive by default.
source bench/image.sh
CDS="${SEATWATCH_BENCH_CDS:-off}"
for app in api notifier-email notifier-webhook; do
  image_layout "$app" "$WORK/apps/$app" "$CDS"
done
export SEATWATCH_BENCH_ENTRYPOINT_ARGS; SEATWATCH_BENCH_ENTRYPOINT_ARGS=$(image_entrypoint_args "$CDS")
export SEATWATCH_BENCH_JAVA_TOOL_OPTIONS="$IMAGE_JAVA_TOOL_OPTIONS"
source bench/k8s-jvm-options.sh
export SEATWATCH_BENCH_JDK_JAVA_OPTIONS_API; SEATWATCH_BENCH_JDK_JAVA_OPTIONS_API=$(k8s_jdk_java_options api)
export SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_EMAIL; SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_EMAIL=$(k8s_jdk_java_options notifier-email)
export SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_WEBHOOK; SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_WEBHOOK=$(k8s_jdk_java_options notifier-webhook)

mkdir -p bench/target-results
# In the background: a trap runs at once on a signal only while bash waits with `wait`.
java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.seatwatch.bench.restart.RestartBench \
  "$WORK/apps/api" "$WORK/apps/notifier-email" "$WORK/apps/notifier-webhook" "$RABBIT_BIN" "$WORK" "$NODE" \
  bench/target-results/restart.md "$N" "$OUTAGE_SECONDS" "$DROPS_PER_OUTAGE" &
BENCH_PID=$!
status=0
wait "$BENCH_PID" || status=$?
BENCH_PID=""
exit "$status"
