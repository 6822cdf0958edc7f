#!/usr/bin/env bash
# The first five minutes, as a new user lives them (issue 7): scripts/run serves and prints how to
# try it only once castor listens; scripts/castor reaches the same database without a
# DATABASE_URL; a JWT minted with the local secret works; a taken port or a bad setting fails fast
# and leaves no PostgreSQL behind; Ctrl-C, SIGTERM and `scripts/run stop` stop castor and its
# PostgreSQL; `scripts/run status` tells.
#
#   tests/scripts/run_lifecycle_test.sh CASTOR_BINARY
set -euo pipefail

unset DATABASE_URL # scripts/run must start its own PostgreSQL, as for a new user
castor_bin=$(realpath "${1:?usage: run_lifecycle_test.sh CASTOR_BINARY}")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-run-test.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for dir in "$work"/var*; do
    [[ -f $dir/castor.pid ]] && kill -KILL "$(cat "$dir/castor.pid")" 2>/dev/null
    castor_pg_destroy "$dir/pg" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

failures=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    printf 'ok: %s\n' "$what"
  else
    printf 'FAILED: %s\n' "$what"
    failures=$((failures + 1))
  fi
}
# Polls COMMAND every 0.1 s until it succeeds or SECONDS pass (waiting on another process).
within() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
exited() { ! kill -0 "$1" 2>/dev/null; }
contains() { grep -qF -- "$2" "$1"; }
pg_stopped() { ! castor_pg_is_running "$1/pg"; }

port=$(_castor_free_port)
export CASTOR_BIN=$castor_bin LISTEN_ADDR=127.0.0.1:$port
base=http://127.0.0.1:$port

# ---- serve, then Ctrl-C ----------------------------------------------------------------------
var=$work/var1
# As from a terminal: its own process group, SIGINT not ignored (background jobs of a script
# ignore it), so that `kill -INT -- -pgid` is what Ctrl-C does.
CASTOR_VAR_DIR=$var setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$ROOT/scripts/run" \
  >"$work/run1.log" 2>&1 &
run=$!
pids+=("$run")
check "scripts/run prints the banner once castor listens" \
  within 120 contains "$work/run1.log" "castor is running on $LISTEN_ADDR"
check "the banner shows the admin key" contains "$work/run1.log" "export API_KEY=cst_"
check "castor answers" within 5 curl -fsS -o /dev/null "$base/health"
check "var/pg/database_url is castor's database" grep -q '^postgresql://postgres@/castor?' \
  "$var/pg/database_url"
CASTOR_VAR_DIR=$var "$ROOT/scripts/run" status >"$work/status.out" && status_rc=0 || status_rc=$?
check "scripts/run status: exit 0 while running" test "$status_rc" -eq 0
check "scripts/run status names castor and PostgreSQL" \
  grep -qE 'castor is running \(pid [0-9]+\) on 127.0.0.1' "$work/status.out"

# scripts/castor reaches the same database without a DATABASE_URL.
key=$(CASTOR_VAR_DIR=$var "$ROOT/scripts/castor" keys create --tenant acme \
  --scopes 'objects:read objects:write')
check "scripts/castor keys create prints a key" test "${key:0:4}" = cst_
code=$(curl -sS -o "$work/upload.json" -D "$work/upload.headers" -w '%{http_code}' \
  -H "Authorization: Bearer $key" -H 'X-Namespace: demo' -H 'X-Key: cfg/model.json' \
  --data-binary '{"a":1}' "$base/v1/objects")
check "the new key uploads (201)" test "$code" = 201
check "the upload answers an ETag" grep -qiE '^etag: "[0-9a-f]{64}"' "$work/upload.headers"
check "curl's form type was not stored" grep -q '"content_type":"application/json"' \
  "$work/upload.json"
# The S3 master key: created on first start, 32 bytes, only the owner may read it; scripts/castor
# finds it, and `keys create --s3` prints one line "<access key id> <secret>".
check "var/s3-master-key holds 32 bytes" test "$(stat -c %s "$var/s3-master-key")" = 32
check "var/s3-master-key is mode 600" test "$(stat -c %a "$var/s3-master-key")" = 600
s3_line=$(CASTOR_VAR_DIR=$var "$ROOT/scripts/castor" keys create --s3 --tenant acme \
  --scopes 'objects:read objects:write')
check "scripts/castor keys create --s3 prints an access key id and a secret" \
  grep -qE '^CK[A-Z2-7]{18} [A-Za-z0-9+/]{40}$' <<<"$s3_line"
read -r s3_id _ <<<"$s3_line"
code=$(curl -sS -o "$work/s3.json" -w '%{http_code}' \
  -H "Authorization: Bearer $(cat "$var/admin-key")" "$base/v1/admin/s3-credentials")
check "the admin API lists S3 credentials (200)" test "$code" = 200
check "... the one scripts/castor created" \
  grep -qF "\"access_key_id\":\"$s3_id\"" "$work/s3.json"
jwt=$(CASTOR_VAR_DIR=$var "$ROOT/scripts/mint-jwt.sh" --sub newcomer --tenant acme \
  --scope objects:read)
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $jwt" \
  "$base/v1/objects?namespace=demo")
check "a JWT minted with the local secret is accepted" test "$code" = 200

# A second scripts/run on the same port fails before it starts anything.
CASTOR_VAR_DIR=$work/var2 timeout 60 "$ROOT/scripts/run" >"$work/run2.log" 2>&1 && rc=0 || rc=$?
check "a taken port fails the start" test "$rc" -ne 0
check "and says how to pick another" contains "$work/run2.log" "LISTEN_ADDR=127.0.0.1:9090 scripts/run"
check "with no banner" bash -c "! grep -qF 'castor is running' '$work/run2.log'"
check "and no PostgreSQL started" test ! -e "$work/var2/pg/database_url"

castor_pid=$(cat "$var/castor.pid")
kill -INT -- "-$run"
check "Ctrl-C stops scripts/run" within 60 exited "$run"
check "... and castor" exited "$castor_pid"
check "... and its PostgreSQL" pg_stopped "$var"
check "... and forgets the pid" test ! -e "$var/castor.pid"
CASTOR_VAR_DIR=$var "$ROOT/scripts/run" status >/dev/null && status_rc=0 || status_rc=$?
check "scripts/run status: non-zero when stopped" test "$status_rc" -ne 0

# With castor stopped, scripts/castor starts PostgreSQL for the command and stops it again.
CASTOR_VAR_DIR=$var "$ROOT/scripts/castor" keys list >"$work/keys.out"
check "scripts/castor keys list works while castor is stopped" grep -q 'objects:read' "$work/keys.out"
check "... and leaves no PostgreSQL running" pg_stopped "$var"

# ---- serve, then scripts/run stop --------------------------------------------------------------
CASTOR_VAR_DIR=$var "$ROOT/scripts/run" >"$work/run3.log" 2>&1 &
run=$!
pids+=("$run")
check "scripts/run starts again on the same state" \
  within 120 contains "$work/run3.log" "castor is running on"
CASTOR_VAR_DIR=$var "$ROOT/scripts/run" stop >/dev/null 2>&1
check "scripts/run stop stops the serving scripts/run" within 60 exited "$run"
check "... and its PostgreSQL" pg_stopped "$var"

# ---- SIGTERM ------------------------------------------------------------------------------------
CASTOR_VAR_DIR=$var "$ROOT/scripts/run" >"$work/run4.log" 2>&1 &
run=$!
pids+=("$run")
check "scripts/run starts a third time" within 120 contains "$work/run4.log" "castor is running on"
kill -TERM "$run"
check "SIGTERM stops scripts/run" within 60 exited "$run"
check "... and its PostgreSQL" pg_stopped "$var"

# ---- a setting castor refuses -------------------------------------------------------------------
CASTOR_VAR_DIR=$var MAX_OBJECT_SIZE=lots timeout 120 "$ROOT/scripts/run" >"$work/run5.log" 2>&1 &&
  rc=0 || rc=$?
check "a bad setting fails the start" test "$rc" -ne 0
check "with castor's own error" contains "$work/run5.log" "MAX_OBJECT_SIZE"
check "with no banner" bash -c "! grep -qF 'castor is running' '$work/run5.log'"
check "and no PostgreSQL left running" pg_stopped "$var"

if ((failures > 0)); then
  printf '\n%d check(s) failed; logs:\n' "$failures"
  tail -n 20 "$work"/run*.log
  exit 1
fi
echo "all checks passed"
