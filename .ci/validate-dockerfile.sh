#!/usr/bin/env bash
# The Dockerfile's build stage without a Docker engine: copies exactly what its COPY lines copy into an empty
# directory, checks that .dockerignore lets each of those paths into the build context, then runs the stage's
# Maven command there for every app and checks that the jar its next command copies exists. Catches a module the
# reactor lists but the image build does not copy (Maven then refuses to read the reactor at all).
#   .ci/validate-dockerfile.sh      offline by default (after ./mvnw verify); SEATWATCH_MAVEN_ONLINE=1 to download
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

allowed() { grep -qxF "!$1" .dockerignore || grep -qxF "!${1%/}" .dockerignore || grep -qxF "!${1%/}/" .dockerignore; }

copies=0
# COPY lines of the first stage (the build), from the build context (no --from).
while read -r -a words; do
  dest="${words[-1]}"
  for src in "${words[@]:1:${#words[@]}-2}"; do
    [[ -e "$src" ]] || { echo "validate-dockerfile: COPY $src: no such path" >&2; exit 1; }
    allowed "$src" || { echo "validate-dockerfile: .dockerignore keeps $src out of the build context" >&2; exit 1; }
    mkdir -p "$work/$dest"
    if [[ -d "$src" ]]; then
      tar -C "$src" --exclude=target -cf - . | tar -C "$work/$dest" -xf -
    else
      cp -p "$src" "$work/$dest"
    fi
    copies=$((copies + 1))
  done
done < <(awk '/^FROM /{stage++} stage == 1 && /^COPY / && !/--from/' Dockerfile)
(( copies > 0 )) || { echo "validate-dockerfile: no COPY lines found in the build stage" >&2; exit 1; }

offline=-o
[[ -n "${SEATWATCH_MAVEN_ONLINE:-}" ]] && offline=
apps=(api notifier-email notifier-webhook)
# The stage runs `./mvnw -B -q -pl "$MODULE" -am -DskipTests package` once per image; one reactor run builds the same.
(cd "$work" && ./mvnw -B -q $offline -pl "$(IFS=,; echo "${apps[*]}")" -am -DskipTests package)
for app in "${apps[@]}"; do
  compgen -G "$work/$app/target/$app-*.jar" >/dev/null \
    || { echo "validate-dockerfile: the build stage made no $app jar" >&2; exit 1; }
done
echo "validate-dockerfile: $copies paths copied; ${apps[*]} build from them"
