#!/usr/bin/env bash
# Startup time of each app alone (part 6): api, notifier-email and notifier-webhook, RUNS times
# each, as the image runs them: the Boot jar extracted into the image's layout (app.jar + lib/), the
# Dockerfile's class data sharing training start run as written there, then its ENTRYPOINT with its
# JAVA_TOOL_OPTIONS and each app's own options from k8s/base. Per start: wall time from launching java until
# /actuator/health/readiness answers 200 (polled every 50 ms), the JVM's own "Started ... in X seconds (process
# running for Y)", CPU to ready, VmRSS/VmHWM once ready and idle, and whether the archive was mapped. Prints a
# markdown table of medians per app (target: started in <= 10 s), also written to
# bench/target-results/startup.md.
#   bench/startup.sh [RUNS=3]
#   CDS=both bench/startup.sh       each start once with the archive and once without, alternating (the gain)
#   CDS=off bench/startup.sh        without the archive only
#   MEMORY_LIMIT=none bench/startup.sh   size the heap from this machine's RAM instead (see below)
# Needs Redis and RabbitMQ (guest/guest, rabbitmqctl) on localhost; the machine should be otherwise idle.
# SEATWATCH_BENCH_NO_BUILD=1 uses the jars already built.
set -euo pipefail
export LC_ALL=C   # a decimal point in $EPOCHREALTIME and in the numbers awk prints
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-3}"
MEMORY_LIMIT="${MEMORY_LIMIT:-k8s}"
CDS="${CDS:-on}"
case "$CDS" in on) ARCHIVE_MODES=(on) ;; off) ARCHIVE_MODES=(off) ;; both) ARCHIVE_MODES=(on off) ;;
  *) echo "CDS must be on, off or both" >&2; exit 2 ;; esac
PREFIX="sw:v1:bench:startup:"; VHOST="seatwatch-bench-startup"
SMTP_PORT=18125      # nothing listens there: readiness does not include mail, and nothing is sent
IDLE_SECONDS=5       # after readiness, before reading the memory figures
RESULTS="$ROOT/bench/target-results/startup.md"
APPS=(api notifier-email notifier-webhook)
cd "$ROOT"

source bench/image.sh   # IMAGE_JAVA_TOOL_OPTIONS, IMAGE_ENTRYPOINT, IMAGE_ARCHIVE, image_layout, image_entrypoint_args
FLAGS="$IMAGE_JAVA_TOOL_OPTIONS"
read -ra JVM_FLAGS <<< "$FLAGS"

[[ -n "${SEATWATCH_BENCH_NO_BUILD:-}" ]] || ./mvnw -q -B -DskipTests -pl api,notifier-email,notifier-webhook -am package
LAYOUT="$ROOT/bench/target-startup"   # one directory per app, as /app in its image

# The flags are percentages of the container's memory limit. On a bare machine the JVM would take them of
# all its RAM (on a 24 GB machine, an 18 GB heap), which no deployment has; so by default each app gets
# -XX:MaxRAM = its memory limit in k8s/base, which is what the JVM sees in that container.
memory_limit() { # app -> e.g. 768m, or nothing
  [[ "$MEMORY_LIMIT" == k8s ]] || return 0
  awk '/limits:/{f=1; next} f && /memory:/{print $2; exit}' "k8s/base/$1/deployment.yaml" \
    | sed -e 's/Mi$/m/' -e 's/Gi$/g/'
}
source bench/k8s-jvm-options.sh
jvm_flags_of() { # app -> the flags for it, one per line: the image's, then the app's own from k8s/base (later wins)
  printf '%s\n' "${JVM_FLAGS[@]}"
  local own; read -ra own <<< "$(k8s_jdk_java_options "$1")"
  [[ ${#own[@]} -eq 0 ]] || printf '%s\n' "${own[@]}"
  local limit; limit=$(memory_limit "$1")
  [[ -z "$limit" ]] || echo "-XX:MaxRAM=$limit"
}

port_of() { case "$1" in api) echo 18100 ;; notifier-email) echo 18101 ;; notifier-webhook) echo 18102 ;; esac; }
ready_port_of() { case "$1" in api) echo 19100 ;; *) port_of "$1" ;; esac; }  # where actuator answers
args_of() {
  echo "--server.port=$(port_of "$1")"
  echo "--seatwatch.redis.key-prefix=$PREFIX"
  [[ "$1" != api ]] || echo "--management.server.port=19100"
}

for port in 18100 19100 18101 18102; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done
if (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then echo "port $SMTP_PORT should be closed (the fake SMTP address)" >&2; exit 1; fi

wipe() { redis-cli --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli unlink >/dev/null; }
APP_PID=""
stop_app() {
  [[ -n "$APP_PID" ]] || return 0
  kill -TERM "$APP_PID" 2>/dev/null || true
  # Graceful shutdown takes at most 20-30 s (spring.lifecycle.timeout-per-shutdown-phase).
  local deadline=$((SECONDS + 45))
  while kill -0 "$APP_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$APP_PID" 2>/dev/null || true
  wait "$APP_PID" 2>/dev/null || true
  APP_PID=""
}
cleanup() {
  stop_app
  wipe || true
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT

wipe
rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" guest ".*" ".*" ".*" >/dev/null

export RABBITMQ_VHOST="$VHOST" SMTP_HOST=127.0.0.1 SMTP_PORT
# Throwaway secrets: nothing is signed or decrypted, the apps only refuse to start without them.
export SEATWATCH_JWT_SECRET; SEATWATCH_JWT_SECRET=$(openssl rand -base64 48 | tr -d '\n')
export SEATWATCH_WEBHOOK_SECRET_KEY; SEATWATCH_WEBHOOK_SECRET_KEY=$(openssl rand -base64 32)

kb_of() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }

# How busy the machine's CPUs were over a pause, from /proc/stat: shows whether it really was idle.
cpu_sample() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat; }  # busy, idle+iowait jiffies
busy_percent_during_sleep() { # seconds
  local b0 i0 b1 i1
  read -r b0 i0 <<< "$(cpu_sample)"; sleep "$1"; read -r b1 i1 <<< "$(cpu_sample)"
  awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) 'BEGIN {printf "%.0f", 100 * b / (b + i)}'
}

# The readiness poll must not slow down what it measures: a curl and a sleep process every 50 ms cost this
# 2-CPU machine about a quarter of the api's startup (JVM-reported 13.0 s with them, 10.3 s without). So the
# poll forks nothing: a GET over bash's /dev/tcp, and read -t on a FIFO nobody writes to as the 50 ms pause.
NAP_FIFO=$(mktemp -u); mkfifo "$NAP_FIFO"; exec {NAP}<>"$NAP_FIFO"; rm -f "$NAP_FIFO"
nap() { read -r -t "$1" -u "$NAP" _ || true; }
STATUS=""
http_status() { # port path: sets STATUS to the answer's status code, or "" when nothing answers
  STATUS=""
  local fd line
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd" 2>/dev/null || true
  if read -r -t 2 -u "$fd" line; then
    line=${line#* }; STATUS=${line%% *}
  fi
  exec {fd}>&-
}

# One start, after a 2 s pause that lets the previous JVM's exit settle and samples how busy the CPUs are;
# sets MEASURED to "ready_s started_s running_s rss_mb hwm_mb busy% cpu_s mapped". Not run in a $(...) subshell,
# so that APP_PID stays visible to the exit trap.
MEASURED=""
measure() {
  local app="$1" run="$2" mode="$3" log="$ROOT/bench/target-startup-$1.log" port; port=$(ready_port_of "$1")
  local flags args entry; mapfile -t flags < <(jvm_flags_of "$app"); mapfile -t args < <(args_of "$app")
  mapfile -t entry < <(image_entrypoint_args "$mode")
  local busy; busy=$(busy_percent_during_sleep 2)
  local t0=$EPOCHREALTIME
  # In the app's directory, as the image's WORKDIR: the archive's path is relative. exec keeps the PID.
  (cd "$LAYOUT/$app" && exec java "${flags[@]}" "${entry[@]}" "${args[@]}") > "$log" 2>&1 &
  APP_PID=$!
  local deadline=$((SECONDS + 120))
  while http_status "$port" /actuator/health/readiness; [[ "$STATUS" != 200 ]]; do
    kill -0 "$APP_PID" 2>/dev/null || { tail -n 30 "$log" >&2; echo "$app exited while starting (run $run); log: $log" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "$app not ready after 120 s (run $run); log: $log" >&2; return 1; }
    nap 0.05
  done
  local t1=$EPOCHREALTIME
  # CPU time (user + system) the JVM used to get ready: close to 2 x the wall time means CPU-bound on 2 CPUs.
  local cpu; cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$APP_PID/stat")
  # Whether the JVM really mapped the archive (it starts without it, silently, when the archive does not fit).
  local mapped=no; ! grep -q "/$IMAGE_ARCHIVE\$" "/proc/$APP_PID/maps" || mapped=yes
  sleep "$IDLE_SECONDS"
  local rss hwm; rss=$(kb_of "$APP_PID" VmRSS); hwm=$(kb_of "$APP_PID" VmHWM)
  local started
  started=$(grep -a -m1 -oE 'Started [A-Za-z0-9]+ in [0-9.]+ seconds \(process running for [0-9.]+\)' "$log" \
    | sed -E 's/.* in ([0-9.]+) seconds \(process running for ([0-9.]+)\)/\1 \2/')
  [[ -n "$started" ]] || { echo "no 'Started ... in' line in $log" >&2; return 1; }
  stop_app
  if [[ "$mode" == on && "$mapped" != yes ]]; then
    echo "$app: the JVM did not map $IMAGE_ARCHIVE (run $run); log: $log" >&2; return 1
  fi
  MEASURED=$(awk -v t0="$t0" -v t1="$t1" -v s="$started" -v rss="$rss" -v hwm="$hwm" -v busy="$busy" -v cpu="$cpu" -v m="$mapped" \
    'BEGIN { split(s, x, " "); printf "%.2f %.2f %.2f %.0f %.0f %s %s %s", t1 - t0, x[1], x[2], rss / 1024, hwm / 1024, busy, cpu, m }')
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "startup: ${APPS[*]}, $RUNS runs each, archive: ${ARCHIVE_MODES[*]} (logs: bench/target-startup-APP.log)" >&2
ROWS=""
for app in "${APPS[@]}"; do
  image_layout "$app" "$LAYOUT/$app" "$( [[ "${ARCHIVE_MODES[*]}" == off ]] && echo off || echo on )"
  [[ ! -s "$LAYOUT/$app/$IMAGE_ARCHIVE" ]] \
    || echo "$app: image layout in $LAYOUT/$app, $IMAGE_ARCHIVE $(( $(stat -c %s "$LAYOUT/$app/$IMAGE_ARCHIVE") / 1048576 )) MB" >&2
  for run in $(seq 1 "$RUNS"); do
    for mode in "${ARCHIVE_MODES[@]}"; do   # alternating, so that a drift in the machine hits both alike
      measure "$app" "$run" "$mode"
      echo "$app run $run, archive $mode: ready ${MEASURED%% *} s" >&2
      ROWS+="$app $mode $run $MEASURED"$'\n'
    done
  done
done

heap_of() { # app -> "max heap / initial heap" the flags give it here
  local flags; mapfile -t flags < <(jvm_flags_of "$1")
  java "${flags[@]}" -XX:+PrintFlagsFinal -version 2>/dev/null \
    | awk '$2=="MaxHeapSize"{max=$4} $2=="InitialHeapSize"{ini=$4} END {printf "%.0f / %.0f MB", max/1048576, ini/1048576}'
}

mkdir -p "$(dirname "$RESULTS")"
{
  echo "## Startup time, each app alone"
  echo
  echo "$(nproc) CPUs, $(java -version 2>&1 | head -n1). As the image runs each app: the Boot jar extracted into the image's layout (app.jar + lib/), the Dockerfile's class data sharing training start run as written there, then its ENTRYPOINT \`${IMAGE_ENTRYPOINT[*]}\` (archive off: without \`-XX:SharedArchiveFile\`) with its flags \`$FLAGS\`, then the app's own from k8s/base (JDK_JAVA_OPTIONS: api \`$(k8s_jdk_java_options api)\`, notifiers \`$(k8s_jdk_java_options notifier-email)\`)$(
    [[ "$MEMORY_LIMIT" == k8s ]] && echo " plus -XX:MaxRAM = the app's memory limit in k8s/base (what the JVM sees in that container)" \
      || echo " and this machine's $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) of RAM (no -XX:MaxRAM)"
  ). Redis and RabbitMQ on localhost (vhost $VHOST), SMTP address closed. Ready: launch to the first 200 from /actuator/health/readiness (polled every 50 ms, without forking); JVM: Spring Boot's \"Started ... in X seconds (process running for Y)\"; memory read ${IDLE_SECONDS} s after ready; archive mapped: read from /proc/PID/maps."
  echo
  echo "| app | archive | runs | max / initial heap | ready (median) s | JVM \"Started in\" (median) s | process running for (median) s | CPU s to ready (median) | VmRSS ready+idle (median) MB | VmHWM (median) MB | target <= 10 s: JVM started / ready |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for app in "${APPS[@]}"; do
    for mode in "${ARCHIVE_MODES[@]}"; do
      rows=$(awk -v a="$app" -v m="$mode" '$1==a && $2==m' <<< "$ROWS")
      ready=$(awk '{print $4}' <<< "$rows" | median); started=$(awk '{print $5}' <<< "$rows" | median)
      running=$(awk '{print $6}' <<< "$rows" | median); rss=$(awk '{print $7}' <<< "$rows" | median)
      hwm=$(awk '{print $8}' <<< "$rows" | median); cpu=$(awk '{print $10}' <<< "$rows" | median)
      verdict=$(awk -v s="$started" -v r="$ready" 'BEGIN {print ((s <= 10) ? "yes" : "NO") " / " ((r <= 10) ? "yes" : "NO")}')
      echo "| $app | $mode | $RUNS | $(heap_of "$app") | **$ready** | $started | $running | $cpu | $rss | $hwm | $verdict |"
    done
  done
  echo
  echo "Each run:"
  echo
  echo "| app | archive | run | ready s | JVM started in s | process running for s | CPU s to ready | VmRSS MB | VmHWM MB | CPU busy % in the 2 s before | archive mapped |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  awk 'NF {printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $10, $7, $8, $9, $11}' <<< "$ROWS"
} | tee "$RESULTS"
