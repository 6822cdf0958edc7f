#!/usr/bin/env bash
# Validates castor's OpenAPI document with @apidevtools/swagger-parser (the OpenAPI 3.1 JSON
# Schema, every $ref resolved) and the checks of validate.mjs (operation ids, path parameters,
# security schemes, tags, the error body, each schema compiled by Ajv for JSON Schema 2020-12).
#
#   tests/openapi/run.sh build/tests/openapi/castor_openapi_dump
#
# Runs `npm ci` in tests/openapi when node_modules is missing (Node.js 18 or later and npm, from
# Debian when missing; offline once installed: package-lock.json pins every package). Validates: the document castor serves, the same merged with all
# planned fragments of src/api/openapi/planned/, and, to prove the validator can fail, a copy
# broken on purpose (which must be refused). Exit status 0 when all three came out as expected.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

dump=$(realpath "${1:?usage: run.sh CASTOR_OPENAPI_DUMP}")
[[ -x $dump ]] || castor_die "not an executable: $dump"
# Node.js 18 or later: Debian bookworm's nodejs (18) when there is none (a NodeSource nodejs,
# which carries its own npm, is left alone: Debian's npm package would conflict with it).
command -v node >/dev/null 2>&1 || castor_install_deps nodejs
command -v node >/dev/null 2>&1 || castor_die "the OpenAPI validation needs Node.js (18 or later)"
if [[ ! -d $HERE/node_modules/@apidevtools/swagger-parser ]]; then
  command -v npm >/dev/null 2>&1 || castor_install_deps npm
  command -v npm >/dev/null 2>&1 || castor_die "the OpenAPI validation needs npm"
  castor_log "npm ci in $HERE"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || castor_die "npm ci failed in $HERE"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-openapi.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$dump" >"$work/served.json"
shopt -s nullglob
planned=("$ROOT"/src/api/openapi/planned/*.json)
shopt -u nullglob
"$dump" "${planned[@]}" >"$work/planned.json"
node "$HERE/validate.mjs" "$work/served.json" "$work/planned.json" --broken "$work/served.json"
