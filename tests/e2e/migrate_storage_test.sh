#!/usr/bin/env bash
# CTest entry e2e_migrate_storage: the online migration of a storage class from its directory into
# an S3 bucket (docs/OPERATIONS.md "Moving a class between backends"), with real processes:
#   - a private PostgreSQL (two databases) and a BACKEND castor serving its S3 API from a
#     directory, with an S3 credential and a bucket;
#   - a FRONT castor on HOT_STORAGE_BACKEND=fs holding small (inline) and large (file) objects,
#     one of whose content files is damaged on disk;
# then the procedure, checking each step's exit status, summary and the bucket's keys:
#   1. `castor migrate-storage --class hot --to s3` while the front serves and takes uploads:
#      exit 1 (the damaged file is reported, not copied), every other file's content key is in
#      the bucket; the damaged object is deleted; a re-run copies what was written meanwhile;
#   2. the front restarts on s3 with HOT_STORAGE_FALLBACK=fs; an object uploaded to the directory
#      after the last run still downloads (fallback); new uploads land in the bucket;
#   3. migrate-storage again: exit 0, copies exactly the object written in between;
#   4. a third run copies nothing (idempotent); the front restarts on s3 without the fallback and
#      every object downloads with its content hash; the directory's files are no longer read
#      (they are moved away first);
#   5. `--to fs` copies the bucket's content back into the emptied directory, each file hashing to
#      its name;
#   6. a run killed with SIGKILL once its cursor is saved resumes after the cursor: it walks
#      exactly the rows after it, and every content ends up copied.
#   migrate_storage_test.sh CASTOR_BINARY
set -euo pipefail
castor=${1:?usage: migrate_storage_test.sh CASTOR_BINARY}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/castor-migrate-e2e.XXXXXX")
chmod 755 "$T"
pids=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$? pid
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    for f in "$T"/*.log "$T"/*.out; do [[ -s $f ]] && { echo "--- $f"; tail -n 20 "$f"; }; done
  fi
  castor_pg_destroy "$T/pg" >/dev/null 2>&1 || true
  rm -rf "$T"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

castor_pg_start "$T/pg" --throwaway 2>/dev/null
admin_url=$(cat "$T/pg/database_url")
psql "$admin_url" -qX -c "CREATE DATABASE backend" -c "CREATE DATABASE front"
db_url() { sed -E "s|/postgres\?|/$1?|" <<<"$admin_url"; }
head -c 32 /dev/urandom >"$T/master-key"
mkdir -p "$T/backend" "$T/front/hot" "$T/front/cold"

start() { # name KEY=value...: castor serve; sets port_<name> and pid_<name>
  local name=$1 pid port; shift
  rm -f "$T/$name.port"
  (
    export LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/$name.port GC_INTERVAL_SECONDS=0 LOG_LEVEL=warn \
      AUTH_MODE=disabled RATE_LIMIT_RPS=0 SCRUB_BYTES_PER_SECOND=0
    for kv in "$@"; do export "${kv?}"; done
    exec "$castor" serve
  ) >>"$T/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    [[ -s $T/$name.port ]] && break
    kill -0 "$pid" 2>/dev/null || fail "castor $name exited at start"
    sleep 0.1
  done
  port=$(head -n1 "$T/$name.port" | tr -dc '0-9')
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" || fail "castor $name is not ready"
  printf -v "port_$name" '%s' "$port"
  printf -v "pid_$name" '%s' "$pid"
}
stop() { # name
  local var=pid_$1
  kill "${!var}"
  wait "${!var}" 2>/dev/null || true
}

# ---------------------------------------------------------------- the backend and its bucket
backend_db=$(db_url backend)
start backend DATABASE_URL="$backend_db" HOT_STORAGE_PATH="$T/backend/hot" \
  COLD_STORAGE_PATH="$T/backend/cold" S3_MASTER_KEY_FILE="$T/master-key"
be=http://127.0.0.1:$port_backend
read -r akid secret < <(DATABASE_URL=$backend_db S3_MASTER_KEY_FILE=$T/master-key LOG_LEVEL=warn \
  "$castor" keys create --s3 --tenant t1 --scopes 'objects:read objects:write objects:delete')
s3=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$akid:$secret"
  -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
[[ $(curl -sS "${s3[@]}" -X PUT -o /dev/null -w '%{http_code}' "$be/content") == 200 ]] ||
  fail "CreateBucket"
# Whether the bucket holds the content key of sha256 hex $1.
in_bucket() {
  [[ $(curl -sS "${s3[@]}" -I -o /dev/null -w '%{http_code}' "$be/content/${1:0:2}/${1:2:2}/$1") == 200 ]]
}

front_db=$(db_url front)
common=(DATABASE_URL="$front_db" HOT_STORAGE_PATH="$T/front/hot" COLD_STORAGE_PATH="$T/front/cold"
  HOT_S3_ENDPOINT="$be" HOT_S3_BUCKET=content HOT_S3_ACCESS_KEY_ID="$akid"
  HOT_S3_SECRET_ACCESS_KEY="$secret")
migrate() { # extra args; prints the summary line, returns the exit status
  local status=0
  env "${common[@]}" LOG_LEVEL=warn "$castor" migrate-storage --class hot --to s3 "$@" \
    >"$T/migrate.out" 2>"$T/migrate.err" || status=$?
  grep '^migrate-storage: hot fs→s3 done:' "$T/migrate.out" || true
  return "$status"
}
field() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$2"; }

declare -A hashes  # object id -> content hash hex
upload() { # name bytes-file: uploads through the front, records id and hash
  local out
  out=$(curl -fsS -X POST --data-binary "@$2" -H 'X-Namespace: m' -H 'X-Tenant: t1' \
    -H "X-Key: $1" -H 'Content-Type: application/octet-stream' "$front/v1/objects")
  local id hash
  id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$out")
  hash=$(sed -E 's/.*"content_hash":"sha256:([0-9a-f]{64})".*/\1/' <<<"$out")
  [[ $hash == $(sha256sum "$2" | cut -d' ' -f1) ]] || fail "upload $1: hash $hash"
  hashes[$id]=$hash
  last_id=$id
}
check_all() { # every recorded object downloads with its hash
  local id got
  for id in "${!hashes[@]}"; do
    got=$(curl -fsS -H 'X-Tenant: t1' "$front/v1/objects/$id" | sha256sum | cut -d' ' -f1)
    [[ $got == "${hashes[$id]}" ]] || fail "object $id reads back as $got, not ${hashes[$id]}"
  done
}

# ---------------------------------------------------------------- a front on the directory
step "front on fs: 12 large and 5 small objects, one large file damaged on disk"
start front "${common[@]}"
front=http://127.0.0.1:$port_front
for i in $(seq 1 12); do head -c $(( 100000 + i * 7001 )) /dev/urandom >"$T/large-$i"; upload "large-$i" "$T/large-$i"; done
for i in $(seq 1 5); do head -c 1000 /dev/urandom >"$T/small-$i"; upload "small-$i" "$T/small-$i"; done
head -c 150000 /dev/urandom >"$T/victim"
upload victim "$T/victim"
damaged_id=$last_id
victim_hash=${hashes[$damaged_id]}
victim_file="$T/front/hot/${victim_hash:0:2}/${victim_hash:2:2}/$victim_hash"
[[ -f $victim_file ]] || fail "no content file at $victim_file"
chmod u+w "$victim_file"
head -c 150000 /dev/urandom | dd of="$victim_file" conv=notrunc status=none  # same size, other bytes

step "1. migrate while the front serves and takes uploads"
( for i in $(seq 1 5); do head -c 90000 /dev/urandom >"$T/during-$i"
    curl -fsS -o /dev/null -X POST --data-binary "@$T/during-$i" -H 'X-Namespace: m' -H 'X-Tenant: t1' \
      -H "X-Key: during-$i" "$front/v1/objects"; done ) &
writer=$!
status=0
summary=$(migrate) || status=$?
wait "$writer" || fail "uploads during the migration failed"
echo "$summary"
[[ $status == 1 ]] || fail "a run with a damaged file exits $status, not 1"
[[ $(field damaged "$summary") == 1 ]] || fail "damaged count: $summary"
grep -q "damaged hot/$victim_hash" "$T/migrate.out" || fail "the damaged content is not named"
in_bucket "$victim_hash" && fail "the damaged content was copied"
[[ $(field unfiled "$summary") -ge 5 ]] || fail "the inline objects were not skipped: $summary"
for id in "${!hashes[@]}"; do
  [[ $id == "$damaged_id" || ${hashes[$id]} == "$victim_hash" ]] && continue
  size=$(stat -c %s "$T/front/hot/${hashes[$id]:0:2}/${hashes[$id]:2:2}/${hashes[$id]}" 2>/dev/null || echo inline)
  [[ $size == inline ]] && continue
  in_bucket "${hashes[$id]}" || fail "content ${hashes[$id]} is not in the bucket after run 1"
done
# The operator deletes the damaged object (its content is lost); the re-run catches the uploads
# made during run 1 and succeeds.
curl -fsS -o /dev/null -X DELETE -H 'X-Tenant: t1' "$front/v1/objects/$damaged_id"
unset "hashes[$damaged_id]"
# The collector removes its blob row, so the re-run no longer meets it.
env "${common[@]}" LOG_LEVEL=warn "$castor" gc >"$T/gc.out" 2>&1 || fail "castor gc failed"
summary=$(migrate) || fail "run 1b exits non-zero: $(cat "$T/migrate.err")"
echo "$summary"
for i in $(seq 1 5); do in_bucket "$(sha256sum "$T/during-$i" | cut -d' ' -f1)" || fail "during-$i not copied"; done

step "2. front on s3 with the fallback; an object written to the directory in between still reads"
head -c 120000 /dev/urandom >"$T/between"
upload between "$T/between"
between_hash=${hashes[$last_id]}
in_bucket "$between_hash" && fail "the in-between object is in the bucket before run 2"
stop front
start front "${common[@]}" HOT_STORAGE_BACKEND=s3 HOT_STORAGE_FALLBACK=fs
front=http://127.0.0.1:$port_front
check_all
head -c 110000 /dev/urandom >"$T/after"
upload after "$T/after"
in_bucket "${hashes[$last_id]}" || fail "an upload on s3 did not land in the bucket"

step "3. migrate again: exactly the in-between object is copied"
summary=$(migrate) || fail "run 2 exits non-zero: $(cat "$T/migrate.err")"
echo "$summary"
[[ $(field copied "$summary") == 1 && $(field damaged "$summary") == 0 ]] || fail "run 2: $summary"
in_bucket "$between_hash" || fail "the in-between object was not copied"

step "4. a third run copies nothing; the front on s3 alone serves every object"
summary=$(migrate) || fail "run 3 exits non-zero"
echo "$summary"
[[ $(field copied "$summary") == 0 ]] || fail "run 3 copied something: $summary"
stop front
mv "$T/front/hot" "$T/front/hot.retired"
mkdir -p "$T/front/hot"
start front "${common[@]}" HOT_STORAGE_BACKEND=s3
front=http://127.0.0.1:$port_front
check_all
for i in $(seq 1 5); do
  got=$(curl -fsS "$front/v1/objects/by-key/m/t1/during-$i" | sha256sum | cut -d' ' -f1)
  [[ $got == $(sha256sum "$T/during-$i" | cut -d' ' -f1) ]] || fail "during-$i reads back wrong"
done
step "5. and back: migrate-storage --to fs fills the empty directory from the bucket"
status=0
env "${common[@]}" LOG_LEVEL=warn "$castor" migrate-storage --class hot --to fs \
  >"$T/migrate.out" 2>"$T/migrate.err" || status=$?
summary=$(grep '^migrate-storage: hot s3→fs done:' "$T/migrate.out" || true)
echo "$summary"
[[ $status == 0 && -n $summary ]] || fail "--to fs exits $status: $(cat "$T/migrate.err")"
# 12 large, 5 uploaded during run 1, "between" and "after"; the small ones live in PostgreSQL.
[[ $(field copied "$summary") == 19 && $(field damaged "$summary") == 0 ]] || fail "--to fs: $summary"
for id in "${!hashes[@]}"; do
  h=${hashes[$id]}
  f="$T/front/hot/${h:0:2}/${h:2:2}/$h"
  [[ ! -f $f || $(sha256sum "$f" | cut -d' ' -f1) == "$h" ]] || fail "$f does not hash to its name"
done
[[ $(find "$T/front/hot" -type f -not -path "*/.tmp/*" | wc -l) == 19 ]] || fail "the directory holds $(find "$T/front/hot" -type f | wc -l) files, not 19"
step "6. a run killed (SIGKILL) after its first page resumes after its cursor"
mkdir -p "$T/many"
head -c $(( 70000 * 600 )) /dev/urandom | (cd "$T/many" && split -b 70000 -a 4 -d - m-)
cfg=$T/many.curlrc; : >"$cfg"; sep=""
for f in "$T"/many/m-*; do
  printf '%surl = "%s/v1/objects"\nheader = "X-Namespace: m"\nheader = "X-Tenant: t1"\nheader = "X-Key: many/%s"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nsilent\n' \
    "$sep" "$front" "${f##*/}" "$f" >>"$cfg"
  sep=$'next\n'
done
[[ $(curl -sS --no-progress-meter --parallel --parallel-max 8 -K "$cfg" | sort | uniq -c | tr -s ' ') == " 600 201" ]] ||
  fail "uploading 600 objects"
env "${common[@]}" LOG_LEVEL=warn "$castor" migrate-storage --class hot --to fs --parallel 1 \
  >"$T/killed.out" 2>&1 &
victim=$!
cursor=""
for _ in $(seq 1 2000); do
  cursor=$(psql "$front_db" -AtXc "SELECT value FROM cursors WHERE name = 'migrate.hot.fs'")
  [[ -n $cursor ]] && break
  kill -0 "$victim" 2>/dev/null || break
  sleep 0.01
done
kill -KILL "$victim" 2>/dev/null || fail "the run ended before it could be killed"
wait "$victim" 2>/dev/null || true
[[ -n $cursor ]] || fail "no cursor was saved"
cursor=$(psql "$front_db" -AtXc "SELECT value FROM cursors WHERE name = 'migrate.hot.fs'")
left=$(psql "$front_db" -AtXc "SELECT count(*) FROM blobs WHERE storage_class = 'hot' AND content_hash > '$cursor'")
summary=$(env "${common[@]}" LOG_LEVEL=warn "$castor" migrate-storage --class hot --to fs 2>/dev/null |
  grep 'done:') || fail "the resumed run failed"
echo "$summary (cursor $cursor, $left rows after it)"
[[ $(field blobs "$summary") == "$left" ]] || fail "the resumed run walked other rows than those after its cursor"
for f in "$T"/many/m-*; do
  h=$(sha256sum "$f" | cut -d' ' -f1)
  [[ -f $T/front/hot/${h:0:2}/${h:2:2}/$h ]] || fail "${f##*/} was not copied"
done
[[ -z $(psql "$front_db" -AtXc "SELECT value FROM cursors WHERE name = 'migrate.hot.fs'") ]] ||
  fail "a finished run left its cursor"
echo "PASS: e2e migrate-storage (${#hashes[@]} objects checked)"
