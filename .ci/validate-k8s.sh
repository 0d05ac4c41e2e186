#!/usr/bin/env bash
# Offline validation of k8s/: render every overlay (and the base) with `kubectl kustomize`, then
# validate every rendered core-kind document with npm kubernetes-models@5.1.0 (.ci/k8s-validate).
# Custom resources (RabbitmqCluster) are reported as skipped. Exits non-zero on any invalid manifest
# or render failure. No cluster is needed.
#   .ci/validate-k8s.sh            # validates k8s/ of this repository
#   .ci/validate-k8s.sh DIR        # validates DIR (a k8s/ tree with base/ and overlays/*)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
k8s_dir="${1:-$root/k8s}"
tool_dir="$root/.ci/k8s-validate"
# npm installs into a local prefix outside the repository (CI cache friendly, nothing to commit).
prefix="${SEATWATCH_K8S_VALIDATE_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/seatwatch/k8s-validate}"

command -v node >/dev/null || { echo "validate-k8s: node is required" >&2; exit 2; }
command -v npm >/dev/null || { echo "validate-k8s: npm is required" >&2; exit 2; }

render() {
  if command -v kubectl >/dev/null; then
    kubectl kustomize "$1"
  elif command -v kustomize >/dev/null; then
    kustomize build "$1"
  else
    echo "validate-k8s: need kubectl (with built-in kustomize) or kustomize on PATH" >&2
    exit 2
  fi
}

mkdir -p "$prefix"
cp "$tool_dir/package.json" "$tool_dir/validate.mjs" "$prefix/"
if [ ! -d "$prefix/node_modules/kubernetes-models" ] || [ ! -d "$prefix/node_modules/yaml" ] \
   || ! grep -q '"version": "5.1.0"' "$prefix/node_modules/kubernetes-models/package.json"; then
  echo "validate-k8s: installing kubernetes-models@5.1.0 and yaml into $prefix"
  (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null)
fi

targets=("$k8s_dir/base")
for overlay in "$k8s_dir"/overlays/*/; do targets+=("${overlay%/}"); done

status=0
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for target in "${targets[@]}"; do
  name="${target#"$k8s_dir"/}"
  out="$tmp/$(echo "$name" | tr / _).yaml"
  echo "== $name: kubectl kustomize"
  if ! render "$target" >"$out"; then
    echo "INVALID $name: render failed" >&2; status=1; continue
  fi
  node "$prefix/validate.mjs" "$name" <"$out" || status=1
done

if [ "$status" -ne 0 ]; then echo "validate-k8s: FAILED" >&2; else echo "validate-k8s: all manifests valid"; fi
exit "$status"
