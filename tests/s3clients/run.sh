#!/usr/bin/env bash
# The S3 client matrix (issue 10, "Real clients, in the test suite"): real S3 clients — awscli,
# rclone, s3cmd, boto3 and the AWS SDK for JavaScript v3 — against a real `castor serve`.
#
#   tests/s3clients/run.sh CASTOR_BINARY [CLIENT...]     e.g. run.sh build/castor boto3 js
#
# DATABASE_URL must name a PostgreSQL superuser connection (scripts/test sets it): the matrix
# creates a database of its own there and drops it again. It installs the clients that are missing
# (Debian packages through castor_install_deps, the JS SDK through `npm ci`), starts one server
# on a free port of 127.0.0.1 with its own data directory and S3 master key, creates one S3
# credential with `castor keys create --s3`, then runs tests/s3clients/<client>.{sh,py,mjs} one
# after the other, each with its own bucket and work directory, and prints a PASS/FAIL line per
# client and the closing line "N passed, N failed". Exit status: 0 when every client passed.
# On failure the clients' output and the server log are kept (their paths are printed).
#
# Environment:
#   S3CLIENTS_LARGE_MIB  size of each client's large (multipart) file in MiB (default 40)
#   S3CLIENTS_KEEP=1     keep the work directory even when everything passed
#   S3CLIENTS_CLIENT_TIMEOUT  seconds one client may take (default 420)
#   S3CLIENTS_LOG_LEVEL  the server's LOG_LEVEL (default info)
#
# Each client script gets: S3_ENDPOINT (http://127.0.0.1:PORT), AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_REGION/AWS_DEFAULT_REGION (us-east-1), S3CLIENTS_BUCKET (a bucket
# name no other client uses), S3CLIENTS_WORK (an empty directory of its own, also its HOME) and
# S3CLIENTS_LARGE_MIB; it exits 0 only when every check passed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

castor_bin=$(realpath "${1:?usage: run.sh CASTOR_BINARY [CLIENT...]}")
shift
[[ -x $castor_bin ]] || castor_die "not an executable: $castor_bin"
[[ -n ${DATABASE_URL:-} ]] || castor_die "DATABASE_URL must name a PostgreSQL superuser connection"
all_clients=(awscli rclone s3cmd boto3 js)
clients=("$@")
[[ ${#clients[@]} -gt 0 ]] || clients=("${all_clients[@]}")
large_mib=${S3CLIENTS_LARGE_MIB:-40}
client_timeout=${S3CLIENTS_CLIENT_TIMEOUT:-420}

# Debian's clients (/usr/bin) before anything a version manager put first on PATH (pyenv's aws
# or python3 would not see python3-boto3).
export PATH=/usr/bin:/bin:$PATH

castor_install_deps "${CASTOR_S3_CLIENT_DEB_PACKAGES[@]}"
if [[ " ${clients[*]} " == *" js "* && ! -d $HERE/js/node_modules ]]; then
  command -v npm >/dev/null 2>&1 || castor_die "the JS client needs Node.js (18 or later) and npm"
  castor_log "npm ci in $HERE/js"
  (cd "$HERE/js" && npm ci --no-audit --no-fund --loglevel=error) ||
    castor_die "npm ci failed in $HERE/js"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-s3clients.XXXXXX")
chmod 755 "$work"
server_pid=
database=castor_s3clients_$$_$RANDOM
database_created=0
failed=0
keep=${S3CLIENTS_KEEP:-0}

# postgresql://user@host/db?query -> the same URL naming database $1.
database_url_for() {
  local base=${DATABASE_URL%%\?*} query=
  [[ $DATABASE_URL == *\?* ]] && query="?${DATABASE_URL#*\?}"
  printf '%s/%s%s\n' "${base%/*}" "$1" "$query"
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 150; i++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  if ((database_created)); then
    psql "$DATABASE_URL" -qtAXc "drop database if exists \"$database\"" >/dev/null 2>&1 || true
  fi
  if ((status != 0 || failed != 0)) || [[ $keep == 1 ]]; then
    rm -rf "$work/data" "$work"/*/home/.cache
    castor_log "kept $work (server.log, <client>.log, clients' work directories)"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- a database, a master key, a server --------------------------------------------------------
psql "$DATABASE_URL" -qtAXc "create database \"$database\"" >/dev/null
database_created=1
server_db_url=$(database_url_for "$database")
head -c 32 /dev/urandom >"$work/s3-master-key"
chmod 600 "$work/s3-master-key"

server_env=(
  DATABASE_URL="$server_db_url"
  S3_MASTER_KEY_FILE="$work/s3-master-key"
  LISTEN_ADDR=127.0.0.1:0
  PORT_FILE="$work/port"
  HOT_STORAGE_PATH="$work/data/hot"
  COLD_STORAGE_PATH="$work/data/cold"
  AUTH_MODE=required
  RATE_LIMIT_RPS=0
  GC_INTERVAL_SECONDS=0
  MAX_OBJECT_SIZE=$((256 * 1024 * 1024))
  LOG_LEVEL="${S3CLIENTS_LOG_LEVEL:-info}"
)

# The credential first: `castor keys` applies the migrations the server would.
if ! env "${server_env[@]}" "$castor_bin" keys create --s3 --tenant s3clients \
  --scopes 'objects:read objects:write objects:delete' >"$work/credential" 2>"$work/keys.log"; then
  cat "$work/keys.log" >&2
  castor_die "castor keys create --s3 failed"
fi
read -r access_key secret_key extra <"$work/credential" || true
if [[ -z ${access_key:-} || -z ${secret_key:-} || -n ${extra:-} ]]; then
  castor_die "castor keys create --s3 printed '$(head -c 200 "$work/credential")', not '<access key id> <secret>'"
fi
rm -f "$work/credential"

env "${server_env[@]}" "$castor_bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 300; i++)); do
  [[ -s $work/port ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ ! -s $work/port ]]; then
  failed=1
  tail -n 40 "$work/server.log" >&2
  castor_die "castor serve did not start (log: $work/server.log)"
fi
port=$(head -n 1 "$work/port")
endpoint=http://127.0.0.1:$port
for ((i = 0; i < 100; i++)); do
  curl -fsS -o /dev/null "$endpoint/health" 2>/dev/null && break
  sleep 0.1
done
castor_log "castor serve (pid $server_pid) on $endpoint; work directory $work"

# ---- the clients ---------------------------------------------------------------------------------
client_command() { # client_command CLIENT -> the command that runs its scenario
  case "$1" in
    awscli | rclone | s3cmd) printf '%s\n' "bash $HERE/$1.sh" ;;
    boto3) printf '%s\n' "/usr/bin/python3 $HERE/boto3_client.py" ;;
    js) printf '%s\n' "node $HERE/js/sdk_client.mjs" ;;
    *) return 1 ;;
  esac
}

passed=0
summary=()
for client in "${clients[@]}"; do
  if ! command=$(client_command "$client"); then
    castor_die "unknown client '$client' (known: ${all_clients[*]})"
  fi
  client_work=$work/$client
  mkdir -p "$client_work/home"
  started=$SECONDS
  castor_log "client $client"
  rc=0
  # shellcheck disable=SC2086  # $command is "interpreter script"
  env HOME="$client_work/home" \
    S3_ENDPOINT="$endpoint" AWS_ACCESS_KEY_ID="$access_key" AWS_SECRET_ACCESS_KEY="$secret_key" \
    AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE="$client_work/home/aws-config" \
    AWS_SHARED_CREDENTIALS_FILE="$client_work/home/aws-credentials" \
    S3CLIENTS_BUCKET="s3c-$client-$$" S3CLIENTS_WORK="$client_work" \
    S3CLIENTS_LARGE_MIB="$large_mib" \
    timeout --kill-after=10 "$client_timeout" $command </dev/null >"$work/$client.log" 2>&1 || rc=$?
  elapsed=$((SECONDS - started))
  if ((rc == 0)); then
    passed=$((passed + 1))
    summary+=("PASS  $client (${elapsed} s)")
    rm -rf "$client_work"
  else
    failed=$((failed + 1))
    why="exit $rc"
    ((rc == 124)) && why="timed out after $client_timeout s"
    summary+=("FAIL  $client (${elapsed} s, $why; log: $work/$client.log)")
    printf '\n---- %s: %s (last 60 lines of %s) ----\n' "$client" "$why" "$work/$client.log"
    tail -n 60 "$work/$client.log"
  fi
done

if ! kill -0 "$server_pid" 2>/dev/null; then
  failed=$((failed + 1))
  summary+=("FAIL  castor serve exited during the run (log: $work/server.log)")
fi
stop_server
if ((failed != 0)); then
  printf '\n---- server log: %s (last 40 lines) ----\n' "$work/server.log"
  tail -n 40 "$work/server.log"
fi
printf '\n==== S3 client matrix ====\n'
printf '%s\n' "${summary[@]}"
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
