#!/usr/bin/env bash
# End to end, open loop (part 3): drops at fixed rates, each promoting a subscribed student; time from
# the drop to the email accepted by an SMTP server and to the webhook received; every notification counted;
# the highest rate that held is then held for SUSTAIN seconds, with the CPU of each process and peak RSS.
#   bench/e2e.sh [RATES=50,200,500,1000] [SECONDS_PER_RATE=10] [SUSTAIN=60] [WARMUP=300:3000:8]
# WARMUP is RATE:DROPS:MAX_ROUNDS: rounds of drops, not reported, until a round's CPU per drop is within 10 % of
# the round before (the JIT has compiled the hot paths; a cold JVM costs several times as much per drop).
# Needs Redis and RabbitMQ on localhost (a vhost of its own is created and deleted). Writes
# bench/target-results/e2e.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RATES="${1:-50,200,500,1000}"; SECONDS_PER_RATE="${2:-10}"; SUSTAIN="${3:-60}"; WARMUP="${4:-300:3000:8}"
VHOST=seatwatch-bench-e2e; PREFIX="sw:v1:bench:e2e:"
cd "$ROOT"
if [[ -z "${SEATWATCH_BENCH_NO_BUILD:-}" ]]; then
  ./mvnw -q -B -DskipTests -pl api,notifier-email,notifier-webhook -am package
fi
./mvnw -q -B -f bench/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt

cleanup() {
  # Apps of an earlier run that was killed would answer on these ports with another JWT secret.
  pkill -f -- "--server.port=1809[345]" 2>/dev/null || true
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
  redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null
}
cleanup
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest ".*" ".*" ".*" >/dev/null
trap cleanup EXIT

# Each app as its image runs it (Apps.java): its /app prepared from the Dockerfile (extracted jar, class data
# sharing archive trained; SEATWATCH_BENCH_CDS=off skips the training and runs without it), the ENTRYPOINT's
# arguments, the image's JAVA_TOOL_OPTIONS, then each app's JDK_JAVA_OPTIONS from k8s/base, which the java
# launcher applies after them. Experiments add flags with SEATWATCH_BENCH_EXTRA_JVM_FLAGS (e.g. a transport or GC
# to compare): on the command line, before the ENTRYPOINT's.
source bench/image.sh
CDS="${SEATWATCH_BENCH_CDS:-on}"
LAYOUT="$ROOT/bench/target-e2e-apps"
for app in api notifier-email notifier-webhook; do
  image_layout "$app" "$LAYOUT/$app" "$CDS"
done
export SEATWATCH_BENCH_ENTRYPOINT_ARGS; SEATWATCH_BENCH_ENTRYPOINT_ARGS=$(image_entrypoint_args "$CDS")   # Apps checks its archive was mapped
export SEATWATCH_BENCH_JAVA_TOOL_OPTIONS="$IMAGE_JAVA_TOOL_OPTIONS"
source bench/k8s-jvm-options.sh
export SEATWATCH_BENCH_JDK_JAVA_OPTIONS_API; SEATWATCH_BENCH_JDK_JAVA_OPTIONS_API=$(k8s_jdk_java_options api)
export SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_EMAIL; SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_EMAIL=$(k8s_jdk_java_options notifier-email)
export SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_WEBHOOK; SEATWATCH_BENCH_JDK_JAVA_OPTIONS_NOTIFIER_WEBHOOK=$(k8s_jdk_java_options notifier-webhook)
mkdir -p bench/target-results
cd bench
java -cp "target/classes:$(cat target/classpath.txt)" io.seatwatch.bench.e2e.EndToEndBench \
  "$LAYOUT/api" "$LAYOUT/notifier-email" "$LAYOUT/notifier-webhook" "$VHOST" target-results/e2e.md \
  "$RATES" "$SECONDS_PER_RATE" "$SUSTAIN" "$WARMUP"
