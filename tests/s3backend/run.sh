#!/usr/bin/env bash
# The S3 blob backend's client tests (issue 13) against real S3 servers: starts s3rver (npm,
# pinned by package-lock.json) on a free port, then runs the test executable, which starts its own
# second castor process for castor's S3 API and finds s3rver through S3RVER_ENDPOINT.
#
#   tests/s3backend/run.sh TEST_EXECUTABLE [CATCH2 ARGUMENTS...]
#
# DATABASE_URL must name a PostgreSQL superuser connection (scripts/test sets it) for the castor
# process. Runs `npm ci` in tests/s3backend when node_modules is missing (Node.js 18 or later and
# npm, from Debian when missing; offline once installed). s3rver is stopped at exit; its data
# directory is removed unless S3BACKEND_KEEP=1. Exit status: the test executable's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

tests=$(realpath "${1:?usage: run.sh TEST_EXECUTABLE [CATCH2 ARGUMENTS...]}")
shift
[[ -x $tests ]] || castor_die "not an executable: $tests"
[[ -n ${DATABASE_URL:-} ]] || castor_die "DATABASE_URL must name a PostgreSQL superuser connection"

command -v node >/dev/null 2>&1 || castor_install_deps nodejs
command -v node >/dev/null 2>&1 || castor_die "the S3 backend tests need Node.js (18 or later)"
if [[ ! -d $HERE/node_modules/s3rver ]]; then
  command -v npm >/dev/null 2>&1 || castor_install_deps npm
  command -v npm >/dev/null 2>&1 || castor_die "the S3 backend tests need npm"
  castor_log "npm ci in $HERE"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || castor_die "npm ci failed in $HERE"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-s3backend.XXXXXX")
s3rver_pid=
cleanup() {
  if [[ -n $s3rver_pid ]]; then
    kill -TERM "$s3rver_pid" 2>/dev/null || true
    wait "$s3rver_pid" 2>/dev/null || true
  fi
  if [[ ${S3BACKEND_KEEP:-0} == 1 ]]; then
    castor_log "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --openssl-legacy-provider: s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES,
# which OpenSSL 3 only has in its legacy provider (without it every truncated listing is a 500).
node --openssl-legacy-provider "$HERE/start_s3rver.js" "$work/s3rver" "$work/endpoint" \
  >"$work/s3rver.log" 2>&1 &
s3rver_pid=$!
# start_s3rver.js writes the endpoint file (renamed into place) once it listens.
for ((i = 0; i < 300; i++)); do
  [[ -s $work/endpoint ]] && break
  kill -0 "$s3rver_pid" 2>/dev/null || { cat "$work/s3rver.log" >&2; castor_die "s3rver exited"; }
  sleep 0.1
done
[[ -s $work/endpoint ]] || { cat "$work/s3rver.log" >&2; castor_die "s3rver did not start in 30 s"; }
S3RVER_ENDPOINT=$(cat "$work/endpoint")
export S3RVER_ENDPOINT
castor_log "s3rver at $S3RVER_ENDPOINT"

status=0
"$tests" "$@" || status=$?
exit "$status"
