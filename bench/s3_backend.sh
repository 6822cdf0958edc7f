#!/usr/bin/env bash
# bench/s3_backend.sh — castor with its content in an S3 bucket (HOT_STORAGE_BACKEND=s3, issue 13)
# against the same transfers made straight to that bucket.
#
# It builds nothing. In a private temporary directory (removed at exit) it starts a throwaway
# PostgreSQL (unix socket only) with two databases, and three castor processes on 127.0.0.1:
#   - the BACKEND: a castor serving its S3 API from a directory (fs), with an S3 credential
#     (`castor keys create --s3`) and two buckets, `content` (the front's) and `direct`;
#   - the FRONT: a castor with HOT_STORAGE_BACKEND=s3 pointing at the backend's `content` bucket
#     (AUTH_MODE=disabled, native API);
#   - the REDIRECTING FRONT: the same, on the same database and bucket, with
#     HOT_REDIRECT_DOWNLOADS=true;
# then measures, each large figure the best of BENCH_REPEATS, interleaved:
#   - 256 MiB PUT: POST /v1/objects through the front (streamed as a multipart upload into the
#     bucket, then copied to its content key) vs `curl --aws-sigv4 -T` straight to the backend
#     (x-amz-content-sha256: UNSIGNED-PAYLOAD); target front ≥ 0.8 × direct. Each PUT's content
#     is new (its first 64 bytes rewritten), so no upload is deduplicated;
#   - 256 MiB GET: GET /v1/objects/{id} through the front vs a signed GET straight to the
#     backend; target ≥ 0.8 ×;
#   - 256 MiB GET through the redirecting front with `curl -L` (302 to a presigned URL of the
#     backend, then the bytes from the backend); target ≥ 0.95 ×;
#   - small objects through the front with wrk (bench/wrk/s3.lua): keyed PUT and GET by key of
#     4 KiB (≤ INLINE_MAX_BYTES: the content lives in PostgreSQL, the bucket is not touched) and
#     of 128 KiB (above it: one PutObject / one ranged GetObject per request).
# It checks the bytes: the front's GET and the redirected GET hash to the uploaded content, and
# the redirected GET did follow one 302. The Markdown report goes to stdout and $BENCH_RESULTS.
# Traffic goes to 127.0.0.1 only; client, front and backend share the machine's cores.
#
# Knobs (environment): CASTOR_BIN (<repo>/build/castor), BENCH_TMPDIR (/tmp), BENCH_RESULTS
# (<repo>/bench/results/s3_backend.md), BENCH_LARGE_MIB (256), BENCH_REPEATS (3),
# BENCH_DURATION (10s), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_SMALL_N (500 objects of
# each size for GET), BENCH_LOG_LEVEL (warn; info logs every request with its time),
# BENCH_KEEP_LOGS (a directory: the castors' logs are copied there at exit), BENCH_FRONT_ENV (extra front settings,
# "NAME=value ...", e.g. HOT_S3_PART_SIZE=33554432), BENCH_STRICT (1 = exit 1 when a target is
# missed).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CASTOR_BIN=${CASTOR_BIN:-$REPO/build/castor}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
BENCH_RESULTS=${BENCH_RESULTS:-$REPO/bench/results/s3_backend.md}
LARGE_MIB=${BENCH_LARGE_MIB:-256}
REPEATS=${BENCH_REPEATS:-3}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-16}
WRK_THREADS=${BENCH_THREADS:-2}
SMALL_N=${BENCH_SMALL_N:-500}
LOG_LEVEL_CASTOR=${BENCH_LOG_LEVEL:-warn}
STRICT=${BENCH_STRICT:-0}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
TENANT=t1
NS=bench
WRK_LUA=$REPO/bench/wrk/s3.lua

log() { printf '[s3backend %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in wrk curl sha256sum awk dd; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install -y wrk curl)"
done
[[ -x $PG_BIN/initdb ]] || die "PostgreSQL server binaries not found; set PG_BIN"
[[ -x $CASTOR_BIN ]] || die "castor binary not found at $CASTOR_BIN (build Release first)"

T=$(mktemp -d "$BENCH_TMPDIR/castor-s3backend.XXXXXX")
chmod 0755 "$T"
PIDS=()
PG_STARTED=0
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local rc=$? pid
  trap - EXIT
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ $PG_STARTED == 1 ]] && { as_pg "$PG_BIN/pg_ctl" stop -D "$T/pg/data" -m immediate >/dev/null 2>&1 || true; }
  [[ -n ${BENCH_KEEP_LOGS:-} ]] && { mkdir -p "$BENCH_KEEP_LOGS"; cp "$T"/*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null || true; }
  if [[ $rc -ne 0 ]]; then
    for f in "$T"/*.log "$T/pg/log"; do [[ -s $f ]] && { log "last lines of $f:"; tail -n 15 "$f" >&2; }; done
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- PostgreSQL
mkdir -p "$T/pg/data" "$T/pg/sock" "$T/backend/hot" "$T/backend/cold" "$T/front/hot" "$T/front/cold"
[[ $EUID -eq 0 ]] && chown -R postgres:postgres "$T/pg"
as_pg "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync -E UTF8 >"$T/initdb.out" 2>&1 \
  || { cat "$T/initdb.out" >&2; die "initdb failed"; }
as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$T/pg/data" -l "$T/pg/log" \
  -o "-c listen_addresses='' -k $T/pg/sock -p 5432 -c max_connections=200" >/dev/null \
  || die "PostgreSQL did not start"
PG_STARTED=1
PGURL="postgresql://postgres@/%s?host=$T/pg/sock&port=5432"
psql "$(printf "$PGURL" postgres)" -qX -c "CREATE DATABASE backend" -c "CREATE DATABASE front"
head -c 32 /dev/urandom >"$T/s3-master-key"
chmod 0600 "$T/s3-master-key"
cp "$CASTOR_BIN" "$T/castor-bin"
CASTOR_SHA=$(sha256sum "$T/castor-bin" | cut -c1-12)

start_castor() { # name KEY=value... : starts castor serve, sets PORT_<name>
  local name=$1 port pid; shift
  (
    export LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/$name.port GC_INTERVAL_SECONDS=0 \
      LOG_LEVEL=$LOG_LEVEL_CASTOR AUTH_MODE=disabled RATE_LIMIT_RPS=0 SCRUB_BYTES_PER_SECOND=0
    for kv in "$@"; do export "${kv?}"; done
    exec "$T/castor-bin" serve
  ) >"$T/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 300); do
    [[ -s $T/$name.port ]] && break
    kill -0 "$pid" 2>/dev/null || die "castor $name exited at start"
    sleep 0.1
  done
  port=$(head -n1 "$T/$name.port" | tr -dc '0-9')
  [[ -n $port ]] || die "castor $name wrote no port"
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" || die "castor $name is not ready"
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
  log "castor $name on 127.0.0.1:$port (pid $pid)"
}

# ---------------------------------------------------------------- the backend and its buckets
BACKEND_DB=$(printf "$PGURL" backend)
start_castor backend DATABASE_URL="$BACKEND_DB" HOT_STORAGE_PATH="$T/backend/hot" \
  COLD_STORAGE_PATH="$T/backend/cold" S3_MASTER_KEY_FILE="$T/s3-master-key"
BE=http://127.0.0.1:$PORT_backend
read -r AKID SECRET < <(DATABASE_URL=$BACKEND_DB S3_MASTER_KEY_FILE=$T/s3-master-key LOG_LEVEL=warn \
  "$T/castor-bin" keys create --s3 --tenant "$TENANT" --scopes 'objects:read objects:write objects:delete')
[[ -n ${AKID:-} && -n ${SECRET:-} ]] || die "castor keys create --s3 printed no key pair"
S3AUTH=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$AKID:$SECRET")
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
for bucket in content direct; do
  code=$(curl -sS "${S3AUTH[@]}" -H "x-amz-content-sha256: $EMPTY_SHA" -X PUT -o "$T/mb.xml" \
    -w '%{http_code}' "$BE/$bucket")
  [[ $code == 200 ]] || die "CreateBucket $bucket answered $code: $(head -c 300 "$T/mb.xml")"
done

# ---------------------------------------------------------------- the fronts
FRONT_DB=$(printf "$PGURL" front)
read -r -a FRONT_EXTRA <<<"${BENCH_FRONT_ENV:-}"
FRONT_ENV=(DATABASE_URL="$FRONT_DB" HOT_STORAGE_PATH="$T/front/hot" COLD_STORAGE_PATH="$T/front/cold"
  HOT_STORAGE_BACKEND=s3 HOT_S3_ENDPOINT="$BE" HOT_S3_BUCKET=content HOT_S3_PATH_STYLE=true
  HOT_S3_ACCESS_KEY_ID="$AKID" HOT_S3_SECRET_ACCESS_KEY="$SECRET" "${FRONT_EXTRA[@]}")
start_castor front "${FRONT_ENV[@]}"
start_castor redirect "${FRONT_ENV[@]}" HOT_REDIRECT_DOWNLOADS=true MIGRATE_ON_START=false
FR=http://127.0.0.1:$PORT_front
RD=http://127.0.0.1:$PORT_redirect

# ================================================================ 256 MiB
LARGE=$T/large.bin
LARGE_BYTES=$(( LARGE_MIB * 1048576 ))
head -c "$LARGE_BYTES" /dev/urandom >"$LARGE"
renew() { head -c 64 /dev/urandom | dd of="$LARGE" conv=notrunc status=none; }
declare -A SAMPLES CPU
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)
transfer() { # key expected-code curl-args...: records MB/s (bytes moved / time_total) and the
  # CPU seconds the front (both fronts) and the backend spent on it
  local key=$1 want=$2 secs code bytes v f0 b0 f1 b1; shift 2
  f0=$(( $(cpu_ticks "$PID_front") + $(cpu_ticks "$PID_redirect") )); b0=$(cpu_ticks "$PID_backend")
  read -r secs code bytes < <(curl -sS --max-time 600 \
    -w '%{time_total} %{http_code} %{size_upload} %{size_download}\n' "$@" |
    awk 'END { print $1, $2, ($3 > $4 ? $3 : $4) }')
  [[ $code == "$want" && $bytes == "$LARGE_BYTES" ]] || die "$key: HTTP $code, $bytes bytes: $(head -c 300 "$T/resp" 2>/dev/null)"
  f1=$(( $(cpu_ticks "$PID_front") + $(cpu_ticks "$PID_redirect") )); b1=$(cpu_ticks "$PID_backend")
  v=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", b / s / 1e6 }')
  SAMPLES[$key]="${SAMPLES[$key]:-} $v"
  CPU[$key]="${CPU[$key]:-} $(awk -v f=$(( f1 - f0 )) -v b=$(( b1 - b0 )) -v h="$CLK_TCK" \
    'BEGIN { printf "%.2f/%.2f", f / h, b / h }')"
  log "$key: $v MB/s (${secs}s; CPU s front/backend${CPU[$key]##* })"
}
best_of() { printf '%s\n' ${SAMPLES[$1]:-0} | sort -n | tail -n1; }
ids=()
for r in $(seq 1 "$REPEATS"); do
  renew; sync
  transfer direct-put 200 -T "$LARGE" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -H "Expect:" \
    -o "$T/resp" "${S3AUTH[@]}" "$BE/direct/large-$r"
  renew; sync
  sha=$(sha256sum "$LARGE" | cut -d' ' -f1)
  transfer front-put 201 -T "$LARGE" -X POST -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" \
    -H "X-Key: large-$r" -H "Content-Type: application/octet-stream" -H "Expect:" -o "$T/resp" \
    "$FR/v1/objects"
  grep -q "$sha" "$T/resp" || die "front PUT: the answer does not carry the content hash"
  id=$(sed -n 's/.*"id" *: *"\([0-9a-fA-F-]*\)".*/\1/p' "$T/resp")
  ids+=("$id")
  transfer direct-get 200 -o /dev/null "${S3AUTH[@]}" -H "x-amz-content-sha256: $EMPTY_SHA" \
    "$BE/direct/large-$r"
  transfer front-get 200 -o /dev/null -H "X-Tenant: $TENANT" "$FR/v1/objects/$id"
  transfer redirect-get 200 -L -o /dev/null -H "X-Tenant: $TENANT" "$RD/v1/objects/$id"
done
# The bytes: both GET paths give back the last upload's content, and the redirect was one 302.
last=${ids[-1]}
got=$(curl -fsS -H "X-Tenant: $TENANT" "$FR/v1/objects/$last" | sha256sum | cut -d' ' -f1)
[[ $got == "$sha" ]] || die "the front's GET returned other bytes"
got=$(curl -fsS -L -H "X-Tenant: $TENANT" "$RD/v1/objects/$last" | sha256sum | cut -d' ' -f1)
[[ $got == "$sha" ]] || die "the redirected GET returned other bytes"
first_code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Tenant: $TENANT" "$RD/v1/objects/$last")
redirects=$(curl -sS -L -o /dev/null -w '%{num_redirects}' -H "X-Tenant: $TENANT" "$RD/v1/objects/$last")
[[ $first_code == 302 && $redirects == 1 ]] || die "the redirecting front answered $first_code, $redirects redirects"
# The front's content is in the bucket, at its content key.
key="${sha:0:2}/${sha:2:2}/$sha"
code=$(curl -sS -I -o /dev/null -w '%{http_code}' "${S3AUTH[@]}" -H "x-amz-content-sha256: $EMPTY_SHA" \
  "$BE/content/$key")
[[ $code == 200 ]] || die "content key $key is not in the bucket (HEAD answered $code)"
log "bytes verified: front GET and redirected GET (one 302) hash to the upload; content key in the bucket"

# ================================================================ small objects
declare -A OPS ERRS
small() { # name method paths-file body-size [key-header] [headers]
  local name=$1 out=$T/wrk-$1.txt ops reqs err
  sync; sleep 1
  BENCH_METHOD=$2 BENCH_PATHS_FILE=$3 BENCH_BODY_SIZE=$4 BENCH_KEY_HEADER=${5:-} BENCH_HEADERS=${6:-} \
    BENCH_THREADS=$WRK_THREADS BENCH_NONCE=$(date +%s%N)-$name \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s -s "$WRK_LUA" "$FR/" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed"; }
  read -r ops reqs err < <(awk '/requests in/ { r = $1 } /Non-2xx or 3xx/ { e += $NF }
    /Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } /^Requests\/sec:/ { o = $2 }
    END { printf "%.0f %d %d\n", o, r, e }' "$out")
  [[ $reqs -gt 0 ]] || die "$name: no request completed"
  OPS[$name]=$ops ERRS[$name]="$err of $reqs"
  log "$name: $ops ops/s, $err errors of $reqs"
}
echo /v1/objects >"$T/put.txt"
for size in 4096 131072; do
  label=$(( size / 1024 ))k
  mkdir -p "$T/small-$label"
  head -c $(( size * SMALL_N )) /dev/urandom | (cd "$T/small-$label" && split -b "$size" -a 6 -d - obj-)
  cfg=$T/upload-$label.curlrc; : >"$cfg"; sep=""
  for f in "$T/small-$label"/obj-*; do
    printf '%surl = "%s/v1/objects"\nheader = "X-Namespace: %s"\nheader = "X-Tenant: %s"\nheader = "X-Key: %s/%s"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nsilent\nshow-error\n' \
      "$sep" "$FR" "$NS" "$TENANT" "$label" "${f##*/}" "$f" >>"$cfg"
    sep=$'next\n'
  done
  codes=$(curl -sS --parallel --parallel-max "$CONNS" -K "$cfg" 2>"$T/upload.err" | sort | uniq -c | tr '\n' ' ' | sed 's/  */ /g')
  [[ $codes == " $SMALL_N 201 " ]] || die "pre-upload of $label answered: $codes"
  for i in $(seq 0 $(( SMALL_N - 1 ))); do printf '/v1/objects/by-key/%s/%s/%s/obj-%06d\n' "$NS" "$TENANT" "$label" "$i"; done >"$T/get-$label.txt"
  small "put-$label" POST "$T/put.txt" "$size" X-Key "X-Namespace: $NS|X-Tenant: $TENANT|Content-Type: application/octet-stream"
  small "get-$label" GET "$T/get-$label.txt" 0
done
# A 128 KiB object's bytes come back from the bucket.
got=$(curl -fsS "$FR/v1/objects/by-key/$NS/$TENANT/128k/obj-000007" | sha256sum | cut -d' ' -f1)
[[ $got == $(sha256sum "$T/small-128k/obj-000007" | cut -d' ' -f1) ]] || die "a 128 KiB GET returned other bytes"

# ================================================================ report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
MISSED=0
row() { # label front direct target
  local r v; r=$(ratio "$2" "$3")
  v=$(awk -v v="$r" -v t="$4" 'BEGIN { if (v == "n/a") print "n/a"; else print (v >= t ? "PASS" : "FAIL") }')
  [[ $v == FAIL ]] && MISSED=1
  printf '| %s | %s | %s | %s | ≥ %s | %s |\n' "$1" "$2" "$3" "$r" "$4" "$v"
}
mkdir -p "$(dirname "$BENCH_RESULTS")"
{
  echo "## castor with an S3 backend vs straight to the bucket — $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "castor $CASTOR_SHA… ($CASTOR_BIN); the backend is castor's S3 API on a directory; front:"
  echo "HOT_STORAGE_BACKEND=s3${BENCH_FRONT_ENV:+ $BENCH_FRONT_ENV}; LOG_LEVEL=$LOG_LEVEL_CASTOR; $(nproc) cores shared by the"
  echo "client, both castors and PostgreSQL; load average at start $LOADAVG, at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "$LARGE_MIB MiB: curl, best of $REPEATS (samples in MB/s = 10^6 B/s). Small: \`wrk -t$WRK_THREADS -c$CONNS -d$DURATION\`."
  echo
  echo "| $LARGE_MIB MiB transfer | through castor (MB/s) | straight to the bucket (MB/s) | ratio | target | result |"
  echo "|---|---:|---:|---:|---|---|"
  row "PUT (front: POST /v1/objects; direct: curl --aws-sigv4 -T, UNSIGNED-PAYLOAD)" "$(best_of front-put)" "$(best_of direct-put)" 0.8
  row "GET (front streams)" "$(best_of front-get)" "$(best_of direct-get)" 0.8
  row "GET with HOT_REDIRECT_DOWNLOADS=true (\`curl -L\`: 302, then the bucket)" "$(best_of redirect-get)" "$(best_of direct-get)" 0.95
  echo
  echo "Samples: direct PUT${SAMPLES[direct-put]}; front PUT${SAMPLES[front-put]}; direct GET${SAMPLES[direct-get]};" \
       "front GET${SAMPLES[front-get]}; redirected GET${SAMPLES[redirect-get]}."
  echo "CPU seconds per transfer, front/backend: direct PUT${CPU[direct-put]}; front PUT${CPU[front-put]};" \
       "direct GET${CPU[direct-get]}; front GET${CPU[front-get]}; redirected GET${CPU[redirect-get]}."
  echo
  echo "| small objects through the front | ops/s | errors |"
  echo "|---|---:|---|"
  echo "| 4 KiB keyed PUT, distinct content (≤ INLINE_MAX_BYTES: stored in PostgreSQL, not in the bucket) | ${OPS[put-4k]} | ${ERRS[put-4k]} |"
  echo "| 4 KiB GET by key (from PostgreSQL) | ${OPS[get-4k]} | ${ERRS[get-4k]} |"
  echo "| 128 KiB keyed PUT, distinct content (one PutObject to the bucket each) | ${OPS[put-128k]} | ${ERRS[put-128k]} |"
  echo "| 128 KiB GET by key (one GetObject from the bucket each) | ${OPS[get-128k]} | ${ERRS[get-128k]} |"
} | tee "$BENCH_RESULTS"
[[ $STRICT == 1 && $MISSED == 1 ]] && exit 1
exit 0
