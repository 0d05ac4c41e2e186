# Sourced by the bench scripts: how the image runs an app, read from the Dockerfile so that the benchmarks follow it.
#   IMAGE_JAVA_TOOL_OPTIONS   its ENV JAVA_TOOL_OPTIONS
#   IMAGE_ENTRYPOINT          its ENTRYPOINT, an array ("java" first)
#   IMAGE_ARCHIVE             the class data sharing archive the ENTRYPOINT maps (-XX:SharedArchiveFile=)
#   image_layout APP DIR [on|off]   DIR becomes APP's /app: the Boot jar extracted by the Dockerfile's command,
#                             its layers merged in the order the Dockerfile copies them, then (on, the default)
#                             the training start run as the Dockerfile's RUN line says, with IMAGE_JAVA_TOOL_OPTIONS
#                             and no memory limit, as in a build. Its log: DIR.training.log.
#   image_entrypoint_args on|off    the ENTRYPOINT's arguments after "java", one per line; off: without the archive
# Callers run java in DIR, as the image's WORKDIR: the archive's path is relative.
_image_dockerfile="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Dockerfile"
IMAGE_JAVA_TOOL_OPTIONS=$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' "$_image_dockerfile")
[[ -n "$IMAGE_JAVA_TOOL_OPTIONS" ]] || { echo "no ENV JAVA_TOOL_OPTIONS=\"...\" line in the Dockerfile" >&2; exit 1; }
# The whole RUN line, env assignments included: sh -c runs it as Docker's shell form does.
_image_training=$(sed -n 's/^RUN \(.*-XX:ArchiveClassesAtExit=.*\)$/\1/p' "$_image_dockerfile")
[[ -n "$_image_training" ]] || { echo "no RUN line with -XX:ArchiveClassesAtExit= in the Dockerfile" >&2; exit 1; }
mapfile -t IMAGE_ENTRYPOINT < <(sed -n 's/^ENTRYPOINT \[\(.*\)\]$/\1/p' "$_image_dockerfile" | sed -e 's/", *"/\n/g' -e 's/"//g')
[[ "${IMAGE_ENTRYPOINT[0]:-}" == java ]] || { echo "no ENTRYPOINT [\"java\", ...] line in the Dockerfile" >&2; exit 1; }
IMAGE_ARCHIVE=$(printf '%s\n' "${IMAGE_ENTRYPOINT[@]}" | sed -n 's/^-XX:SharedArchiveFile=//p')
[[ -n "$IMAGE_ARCHIVE" ]] || { echo "the Dockerfile's ENTRYPOINT names no -XX:SharedArchiveFile=" >&2; exit 1; }

image_layout() { # app dir [on|off]
  local app="$1" dir="$2" train="${3:-on}" root; root="$(dirname "$_image_dockerfile")"
  local jar; jar=$(ls "$root/$app"/target/"$app"-*.jar | grep -v -e '-plain\.jar$' | head -n1)
  [[ -n "$jar" ]] || { echo "$app: no jar in $app/target (build it first)" >&2; return 1; }
  rm -rf "$dir" "$dir.build"; mkdir -p "$dir" "$dir.build"
  cp "$jar" "$dir.build/app.jar"   # the name the Dockerfile gives it, which the extracted jar keeps
  java -Djarmode=tools -jar "$dir.build/app.jar" extract --layers --destination "$dir.build/layers" > /dev/null
  local layer
  for layer in dependencies spring-boot-loader snapshot-dependencies application; do
    [[ ! -d "$dir.build/layers/$layer" ]] || cp -R "$dir.build/layers/$layer/." "$dir/"
  done
  rm -rf "$dir.build"
  [[ "$train" == on ]] || return 0
  (cd "$dir" && JAVA_TOOL_OPTIONS="$IMAGE_JAVA_TOOL_OPTIONS" sh -c "$_image_training") > "$dir.training.log" 2>&1 \
    || { tail -n 30 "$dir.training.log" >&2; echo "$app: the Dockerfile's training start failed; log: $dir.training.log" >&2; return 1; }
  [[ -s "$dir/$IMAGE_ARCHIVE" ]] || { echo "$app: the training start wrote no $IMAGE_ARCHIVE; log: $dir.training.log" >&2; return 1; }
}

image_entrypoint_args() { # on|off
  if [[ "$1" == on ]]; then printf '%s\n' "${IMAGE_ENTRYPOINT[@]:1}"
  else printf '%s\n' "${IMAGE_ENTRYPOINT[@]:1}" | grep -v '^-XX:SharedArchiveFile='; fi
}
