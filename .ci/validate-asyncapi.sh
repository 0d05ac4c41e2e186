#!/usr/bin/env bash
# Offline validation of docs/asyncapi.yaml with npm @asyncapi/parser@3.6.6 (.ci/asyncapi-validate): parses
# the document, resolves its file $refs (docs/events/*.schema.json) and prints every diagnostic. Exits
# non-zero on any error-severity diagnostic or a document that does not parse. No network is needed once
# the packages are installed (npm ci from the committed package-lock.json, into .ci/asyncapi-validate/node_modules).
#   .ci/validate-asyncapi.sh                 # validates docs/asyncapi.yaml of this repository
#   .ci/validate-asyncapi.sh FILE            # validates FILE
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
file="${1:-$root/docs/asyncapi.yaml}"
tool_dir="$root/.ci/asyncapi-validate"
version=3.6.6

command -v node >/dev/null || { echo "validate-asyncapi: node is required (Node.js 18+)" >&2; exit 2; }
command -v npm >/dev/null || { echo "validate-asyncapi: npm is required" >&2; exit 2; }
[ -f "$file" ] || { echo "validate-asyncapi: no such file: $file" >&2; exit 2; }

installed="$tool_dir/node_modules/@asyncapi/parser/package.json"
if [ ! -f "$installed" ] || ! grep -q "\"version\": \"$version\"" "$installed"; then
  echo "validate-asyncapi: installing @asyncapi/parser@$version into $tool_dir/node_modules"
  # --ignore-scripts: the only install script in the tree is @scarf/scarf's install telemetry.
  (cd "$tool_dir" && SCARF_ANALYTICS=false npm ci --silent --no-audit --no-fund --ignore-scripts)
fi

echo "validate-asyncapi: $file"
node "$tool_dir/validate.mjs" "$file"
echo "validate-asyncapi: OK"
