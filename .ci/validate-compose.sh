#!/usr/bin/env bash
# Validates a Compose file offline (no Docker engine) with npm dclint@3.1.0 against the Compose
# specification schema, style rules off (.ci/dclint.yaml). Exits non-zero on an invalid file.
#   .ci/validate-compose.sh [compose-file]      default: docker-compose.yml at the repository root
# dclint is installed once into DCLINT_HOME (default: ~/.cache/seatwatch/dclint-3.1.0).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
file="${1:-$root/docker-compose.yml}"
version=3.1.0
home="${DCLINT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/seatwatch/dclint-$version}"
bin="$home/node_modules/.bin/dclint"

command -v npm >/dev/null || { echo "validate-compose: npm is required (Node.js 18+)" >&2; exit 2; }
[ -f "$file" ] || { echo "validate-compose: no such file: $file" >&2; exit 2; }

if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "$version" ]; then
  echo "validate-compose: installing dclint@$version into $home"
  mkdir -p "$home"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$home" "dclint@$version" >&2
fi

echo "validate-compose: $file"
# dclint exits 1 on any error (schema, YAML, or an enabled rule at error level); warnings do not fail.
"$bin" --config "$root/.ci/dclint.yaml" --no-color "$file"
echo "validate-compose: OK"
