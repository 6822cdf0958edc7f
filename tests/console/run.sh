#!/usr/bin/env bash
# The web console's browser tests (issue 14): playwright-core driving Debian's chromium, headless,
# against a real `castor serve` and the console built into it.
#
#   tests/console/run.sh CASTOR_BINARY CASTOR_SOURCE_ROOT
#
# DATABASE_URL must name a PostgreSQL superuser connection (scripts/test sets it): the run creates
# a database of its own there and drops it again. It installs what is missing (Debian's chromium
# and chromium-driver through castor_install_deps; `npm ci` in tests/console when node_modules is
# missing or older than package-lock.json), builds the console when console/dist is missing or
# older than console/'s files (castor_console_build: `npm ci && npm run build`), starts castor on
# a free port of 127.0.0.1 with its storage in a temporary directory, creates three API keys (t1
# read+write+delete, t1 read-only, `*` admin), seeds namespace "bulk" with 20,000 objects
# and namespace "xss" with one hostile key (seed.mjs), then runs console.test.mjs. Exit status:
# the tests'. The server log and the tests' artifacts stay in the output directory.
#
# Environment:
#   CASTOR_TEST_OUTPUT_DIR  where screenshots (PNG), the server log and downloads go
#                           (default: <binary's directory>/console-test-output)
#   BULK_OBJECTS            objects seeded in "bulk" (default 20000)
#   CONSOLE_TEST_DIR=1      serve console/dist (CONSOLE_DIR) instead of the console built into the
#                           binary: for iterating on the console without rebuilding castor
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
castor_bin=$(realpath "${1:?usage: run.sh CASTOR_BINARY CASTOR_SOURCE_ROOT}")
ROOT=$(realpath "${2:?usage: run.sh CASTOR_BINARY CASTOR_SOURCE_ROOT}")
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

[[ -x $castor_bin ]] || castor_die "not an executable: $castor_bin"
[[ -n ${DATABASE_URL:-} ]] || castor_die "DATABASE_URL must name a PostgreSQL superuser connection"
out=${CASTOR_TEST_OUTPUT_DIR:-$(dirname "$castor_bin")/console-test-output}
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
rm -f "$out"/*.png  # no screenshot of an earlier run passes for one of this run
started_at=$SECONDS

# ---- what the run needs ------------------------------------------------------------------------
export PATH=/usr/bin:/bin:$PATH
if ! dpkg -s chromium chromium-driver >/dev/null 2>&1; then
  castor_install_deps chromium chromium-driver
fi
[[ -x /usr/bin/chromium ]] || castor_die "/usr/bin/chromium missing after castor_install_deps"
# Node.js and the console (castor_console_build installs Debian's nodejs and npm when missing).
(cd "$ROOT" && castor_console_build)
[[ -f $ROOT/console/dist/index.html ]] || castor_die "no console build in $ROOT/console/dist"
if [[ ! -f $HERE/node_modules/.package-lock.json ||
  $HERE/package-lock.json -nt $HERE/node_modules/.package-lock.json ]]; then
  castor_log "npm ci in $HERE"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || castor_die "npm ci failed in $HERE"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-console-test.XXXXXX")
server_pid=
database=castor_console_$$_$RANDOM
database_created=0

database_url_for() {
  local base=${DATABASE_URL%%\?*} query=
  [[ $DATABASE_URL == *\?* ]] && query="?${DATABASE_URL#*\?}"
  printf '%s/%s%s\n' "${base%/*}" "$1" "$query"
}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((database_created)); then
    psql "$DATABASE_URL" -qtAXc "drop database if exists \"$database\" with (force)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  castor_log "browser tests: exit $status after $((SECONDS - started_at)) s; output in $out"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- a database, a server ----------------------------------------------------------------------
psql "$DATABASE_URL" -qtAXc "create database \"$database\"" >/dev/null
database_created=1
server_env=(
  DATABASE_URL="$(database_url_for "$database")"
  LISTEN_ADDR=127.0.0.1:0
  PORT_FILE="$work/port"
  HOT_STORAGE_PATH="$work/data/hot"
  COLD_STORAGE_PATH="$work/data/cold"
  AUTH_MODE=required
  RATE_LIMIT_RPS=0
  GC_INTERVAL_SECONDS=0
  LOG_LEVEL=warn
)
# The console built into the binary, as users get it; CONSOLE_TEST_DIR=1 serves console/dist
# instead (iterating on the console without rebuilding castor).
if [[ ${CONSOLE_TEST_DIR:-0} == 1 ]]; then
  server_env+=(CONSOLE_DIR="$ROOT/console/dist")
fi

# The keys first: `castor keys` applies the migrations the server would.
make_key() {
  env "${server_env[@]}" "$castor_bin" keys create "$@" 2>>"$out/keys.log" ||
    castor_die "castor keys create $* failed (see $out/keys.log)"
}
: >"$out/keys.log"
KEY_RW=$(make_key --tenant t1 --scopes 'objects:read objects:write objects:delete' --name console-rw)
KEY_RO=$(make_key --tenant t1 --scopes 'objects:read' --name console-ro)
KEY_ADMIN=$(make_key --tenant '*' --scopes 'admin' --name console-admin)
export KEY_RW KEY_RO KEY_ADMIN

env "${server_env[@]}" "$castor_bin" serve >"$out/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 300; i++)); do
  [[ -s $work/port ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -s $work/port ]] || { tail -n 40 "$out/server.log" >&2; castor_die "castor serve did not start"; }
CASTOR_URL=http://127.0.0.1:$(head -n 1 "$work/port")
export CASTOR_URL
ready=0
for ((i = 0; i < 100; i++)); do
  if curl -fsS -o /dev/null "$CASTOR_URL/ready" 2>/dev/null; then ready=1 && break; fi
  sleep 0.1
done
((ready)) || castor_die "castor serve never became ready (log: $out/server.log)"

export CONSOLE_URL=$CASTOR_URL
console_status=$(curl -s -o /dev/null -w '%{http_code}' "$CASTOR_URL/console/")
[[ $console_status == 200 ]] ||
  castor_die "castor answers $console_status for /console/ (a binary without the console serving?)"

# ---- seed, test --------------------------------------------------------------------------------
seed_started=$SECONDS
node "$HERE/seed.mjs" || castor_die "seeding failed"
castor_log "seeding took $((SECONDS - seed_started)) s"

export CASTOR_TEST_OUTPUT_DIR=$out CASTOR_SOURCE_ROOT=$ROOT
status=0
(cd "$HERE" && node console.test.mjs) || status=$?
exit "$status"
