#!/usr/bin/env bash
# CTest wrapper of the e2e_s3backend* entries (issue 13): runs a test command with castor's content
# in an S3 bucket, served by one of two real S3 implementations:
# - castor (default): a BACKEND castor (fs storage in a temp dir, a database of its own on the
#   PostgreSQL that DATABASE_URL names, its S3 API with a master key, AUTH_MODE=required) on a free
#   port, with an S3 credential for a tenant (`castor keys create --s3`);
# - s3rver (--s3rver): s3rver 3.7.1 from npm (tests/s3backend: package-lock.json, start_s3rver.js;
#   `npm ci` there when node_modules is missing), account S3RVER / S3RVER.
# It creates the bucket (S3 CreateBucket, signed by curl --aws-sigv4), exports
#   CASTOR_E2E_S3_BACKEND="<endpoint> <bucket> <access key id> <secret access key>"
# and runs the command; testing::ServerProcess (tests/support/server_process.h) then starts every
# server under test with HOT_/COLD_STORAGE_BACKEND=s3 on that bucket. The backend is stopped (and
# its database dropped) at exit, whatever happened. Exit status: the command's.
#   with_s3_backend.sh [--s3rver] CASTOR_BINARY TEST_COMMAND [ARGS...]
# Needs DATABASE_URL (a superuser connection; scripts/test starts the cluster), curl and psql.
set -euo pipefail
usage="usage: with_s3_backend.sh [--s3rver] CASTOR_BINARY TEST_COMMAND [ARGS...]"
server=castor
if [[ ${1:-} == --s3rver ]]; then
  server=s3rver
  shift
fi
castor=${1:?$usage}
shift
[[ $# -gt 0 ]] || {
  echo "$usage" >&2
  exit 2
}
: "${DATABASE_URL:?with_s3_backend.sh needs DATABASE_URL (a superuser connection)}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-s3backend.XXXXXX")
database=castor_s3backend_$$_$RANDOM
backend_pid=
bucket="castor-e2e"

# DATABASE_URL with its database name replaced by $1 (URI or key/value form, as libpq takes).
database_url_for() {
  local url=$DATABASE_URL name=$1
  if [[ $url == postgres://* || $url == postgresql://* ]]; then
    local scheme=${url%%://*} rest=${url#*://} query=
    if [[ $rest == *\?* ]]; then
      query="?${rest#*\?}"
      rest=${rest%%\?*}
    fi
    printf '%s://%s/%s%s\n' "$scheme" "${rest%%/*}" "$name" "$query"
  else
    printf '%s dbname=%s\n' "$url" "$name"
  fi
}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $backend_pid ]] && kill -0 "$backend_pid" 2>/dev/null; then
    kill -TERM "$backend_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$backend_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$backend_pid" 2>/dev/null || true
    wait "$backend_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f $work/backend.log ]]; then
    echo "---- S3 backend ($server) log (last 40 lines) ----" >&2
    tail -n 40 "$work/backend.log" >&2 || true
  fi
  psql "$DATABASE_URL" -qtAX -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 ||
    true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The backend castor: starts it, waits for /health, creates the credential. Sets endpoint,
# access_key_id and secret_access_key.
start_castor() {
  psql "$DATABASE_URL" -qtAX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" >/dev/null
  backend_url=$(database_url_for "$database")
  od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$work/master-key"
  chmod 600 "$work/master-key"

  # The backend's own settings only: nothing of the caller's castor configuration leaks into it.
  backend_env=(
    env -u HOT_STORAGE_BACKEND -u COLD_STORAGE_BACKEND -u CASTOR_E2E_S3_BACKEND
    DATABASE_URL="$backend_url"
    LISTEN_ADDR=127.0.0.1:0
    PORT_FILE="$work/port"
    HOT_STORAGE_PATH="$work/hot"
    COLD_STORAGE_PATH="$work/cold"
    S3_MASTER_KEY_FILE="$work/master-key"
    AUTH_MODE=required
    RATE_LIMIT_RPS=0
    MAX_OBJECT_SIZE=$((4 * 1024 * 1024 * 1024))
    MAX_CONNECTIONS=1024
    LOG_LEVEL="${CASTOR_E2E_BACKEND_LOG_LEVEL:-warn}"
  )
  "${backend_env[@]}" "$castor" serve >"$work/backend.log" 2>&1 </dev/null &
  backend_pid=$!

  port=
  for _ in $(seq 600); do
    if ! kill -0 "$backend_pid" 2>/dev/null; then
      echo "with_s3_backend.sh: the backend castor exited before it was ready" >&2
      exit 1
    fi
    if [[ -s $work/port ]]; then
      port=$(head -n 1 "$work/port")
      if [[ $port =~ ^[0-9]+$ ]] &&
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health") == 200 ]]; then
        break
      fi
      port=
    fi
    sleep 0.05
  done
  [[ -n $port ]] || {
    echo "with_s3_backend.sh: the backend castor did not get ready within 30 s" >&2
    exit 1
  }

  read -r access_key_id secret_access_key < <(
    "${backend_env[@]}" "$castor" keys create --s3 --tenant s3backend \
      --scopes "objects:read objects:write objects:delete"
  )
  [[ -n $access_key_id && -n $secret_access_key ]] || {
    echo "with_s3_backend.sh: castor keys create --s3 printed no key pair" >&2
    exit 1
  }
  endpoint=http://127.0.0.1:$port
}

# s3rver, on a free port of its choosing (start_s3rver.js writes its endpoint file once it
# listens). Sets endpoint, access_key_id and secret_access_key.
start_s3rver() {
  local s3dir=$root/tests/s3backend
  if [[ ! -d $s3dir/node_modules/s3rver ]]; then
    # shellcheck source=scripts/lib/common.sh
    source "$root/scripts/lib/common.sh"
    command -v npm >/dev/null 2>&1 || castor_install_deps nodejs npm
    (cd "$s3dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES.
  node --openssl-legacy-provider "$s3dir/start_s3rver.js" "$work/s3rver" "$work/endpoint" \
    >"$work/backend.log" 2>&1 </dev/null &
  backend_pid=$!
  for _ in $(seq 600); do
    [[ -s $work/endpoint ]] && break
    if ! kill -0 "$backend_pid" 2>/dev/null; then
      echo "with_s3_backend.sh: s3rver exited before it was ready" >&2
      exit 1
    fi
    sleep 0.05
  done
  [[ -s $work/endpoint ]] || {
    echo "with_s3_backend.sh: s3rver did not start within 30 s" >&2
    exit 1
  }
  endpoint=$(head -n 1 "$work/endpoint")
  access_key_id=S3RVER
  secret_access_key=S3RVER
}

if [[ $server == s3rver ]]; then
  start_s3rver
else
  start_castor
fi

empty_sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
status=$(curl -s -o "$work/create-bucket" -w '%{http_code}' -X PUT \
  -H "x-amz-content-sha256: $empty_sha256" --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$access_key_id:$secret_access_key" "$endpoint/$bucket")
if [[ $status != 200 ]]; then
  echo "with_s3_backend.sh: CreateBucket $bucket answered $status: $(cat "$work/create-bucket")" >&2
  exit 1
fi

export CASTOR_E2E_S3_BACKEND="$endpoint $bucket $access_key_id $secret_access_key"
echo "with_s3_backend.sh: content in s3://$bucket at $endpoint ($server, pid $backend_pid)"
"$@"
