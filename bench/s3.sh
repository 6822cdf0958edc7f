#!/usr/bin/env bash
# bench/s3.sh — the S3 API against the native API, side by side on one castor server (issue 10).
#
# It builds nothing. In a private temporary directory (removed at exit) it starts a throwaway
# PostgreSQL (unix socket only) and one `castor serve` on 127.0.0.1:<free port> with a fresh
# S3_MASTER_KEY_FILE, AUTH_MODE=disabled (native side), RATE_LIMIT_RPS=0, GC_INTERVAL_SECONDS=0;
# creates an S3 credential (`castor keys create --s3`) and a bucket, then measures:
#   - 4 KiB GET: native GET /v1/objects/by-key/<bucket>/<tenant>/obj-N against S3 GET of the same
#     objects through presigned URLs (bench/s3_presign.py; every request verified with SigV4);
#   - 4 KiB PUT, a distinct body per request: native keyed POST /v1/objects (X-Key unique per
#     request) against S3 PutObject through presigned PUT URLs (UNSIGNED-PAYLOAD), one per key;
#     both with wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION and bench/wrk/s3.lua;
#   - 256 MiB PUT and GET with curl: native POST /v1/objects and GET /v1/objects/{id} against
#     `curl --aws-sigv4 aws:amz:us-east-1:s3` with `x-amz-content-sha256: UNSIGNED-PAYLOAD` and,
#     unless BENCH_S3_SIGNED=0, with the file's SHA-256 as a signed payload hash; best of
#     BENCH_REPEATS, interleaved.
# and prints a Markdown table (also written to $BENCH_RESULTS). Traffic goes to 127.0.0.1 only.
#
# Knobs (environment): CASTOR_BIN (default <repo>/build/castor), BENCH_TMPDIR (/tmp),
# BENCH_RESULTS (<repo>/bench/results/s3.md), BENCH_DURATION (10s), BENCH_CONNECTIONS (16),
# BENCH_THREADS (2), BENCH_SMALL_N (1000 objects for GET), BENCH_PUT_POOL (40000 presigned PUT
# keys; a run that exhausts them overwrites), BENCH_LARGE_MIB (256), BENCH_REPEATS (3),
# BENCH_S3_SIGNED (1), BENCH_LOG_LEVEL (info), BENCH_STRICT (1 = exit 1 when a target is missed),
# BENCH_CASTOR_ENV (extra castor settings, "NAME=value NAME=value", e.g. DISK_THREADS=16),
# BENCH_PG_OPTS (extra postgres options, e.g. "-c shared_preload_libraries=auto_explain ..."),
# BENCH_KEEP_PG_LOG (a file: PostgreSQL's log is copied there at exit),
# BENCH_PERF (a directory: `perf record -g` castor during each 4 KiB pass and the first large
# transfer of each kind into DIR/perf-<test>.data; profiling slows the figures a little).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CASTOR_BIN=${CASTOR_BIN:-$REPO/build/castor}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
BENCH_RESULTS=${BENCH_RESULTS:-$REPO/bench/results/s3.md}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-16}
WRK_THREADS=${BENCH_THREADS:-2}
SMALL_N=${BENCH_SMALL_N:-1000}
PUT_POOL=${BENCH_PUT_POOL:-40000}
LARGE_MIB=${BENCH_LARGE_MIB:-256}
REPEATS=${BENCH_REPEATS:-3}
S3_SIGNED=${BENCH_S3_SIGNED:-1}
LOG_LEVEL_CASTOR=${BENCH_LOG_LEVEL:-info}
STRICT=${BENCH_STRICT:-0}
PERF_DIR=${BENCH_PERF:-}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
BUCKET=bench
TENANT=t1
SMALL_SIZE=4096
WRK_LUA=$REPO/bench/wrk/s3.lua
PRESIGN=$REPO/bench/s3_presign.py

log() { printf '[s3bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in wrk curl python3 sha256sum split awk; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install -y wrk curl python3)"
done
[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "PostgreSQL server binaries not found; set PG_BIN"
[[ -x $CASTOR_BIN ]] || die "castor binary not found at $CASTOR_BIN (build Release first, or set CASTOR_BIN)"

# ---------------------------------------------------------------- temp dir and cleanup
T=$(mktemp -d "$BENCH_TMPDIR/castor-s3bench.XXXXXX")
chmod 0755 "$T"   # the postgres user must be able to traverse it
CASTOR_PID=
PG_STARTED=0
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $CASTOR_PID ]] && kill -0 "$CASTOR_PID" 2>/dev/null; then
    kill "$CASTOR_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$CASTOR_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CASTOR_PID" 2>/dev/null || true
  fi
  [[ -n ${BENCH_KEEP_PG_LOG:-} && -f $T/pg/log ]] && cp "$T/pg/log" "$BENCH_KEEP_PG_LOG"
  [[ $PG_STARTED == 1 ]] && { as_pg "$PG_BIN/pg_ctl" stop -D "$T/pg/data" -m immediate >/dev/null 2>&1 || true; }
  if [[ $rc -ne 0 ]]; then
    for f in "$T/castor.log" "$T/pg/log"; do [[ -s $f ]] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }; done
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# context switches (voluntary + involuntary) of all castor's threads so far
ctx_switches() {
  cat /proc/"$CASTOR_PID"/task/*/status 2>/dev/null | awk '/ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
PERF_PID=
perf_start() { # name: with BENCH_PERF, profile castor until perf_stop
  [[ -n $PERF_DIR ]] || return 0
  mkdir -p "$PERF_DIR"
  perf record -F 499 -g -p "$CASTOR_PID" -o "$PERF_DIR/perf-$1.data" >"$T/perf-$1.log" 2>&1 &
  PERF_PID=$!
  sleep 0.5
}
perf_stop() {
  [[ -n $PERF_PID ]] || return 0
  kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) print "n/a"; else printf "%.0f", b / s / 1e6 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)
settle() { sync; sleep 1; }
# The VM backs guest memory lazily and drops page cache not read for a minute (docs/PERFORMANCE.md):
# write-and-delete before each large PUT, re-read the source before each transfer, as bench/run.sh.
warm_pages() { dd if=/dev/zero of="$T/warm.bin" bs=1M count="$1" status=none; rm -f "$T/warm.bin"; }
cached() { cat "$@" >/dev/null; }
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
log "temp dir $T; load average at start: $LOADAVG"

# ---------------------------------------------------------------- PostgreSQL + castor
mkdir -p "$T/pg/data" "$T/pg/sock" "$T/castor/hot" "$T/castor/cold" "$T/small"
[[ $EUID -eq 0 ]] && chown -R postgres:postgres "$T/pg"
as_pg "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync -E UTF8 >"$T/initdb.log" 2>&1 \
  || { cat "$T/initdb.log" >&2; die "initdb failed"; }
as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$T/pg/data" -l "$T/pg/log" \
  -o "-c listen_addresses='' -k $T/pg/sock -p 5432 ${BENCH_PG_OPTS:-}" >/dev/null || die "PostgreSQL did not start"
PG_STARTED=1
export DATABASE_URL="postgresql://postgres@/postgres?host=$T/pg/sock&port=5432"
export S3_MASTER_KEY_FILE=$T/s3-master-key
head -c 32 /dev/urandom >"$S3_MASTER_KEY_FILE"
chmod 0600 "$S3_MASTER_KEY_FILE"
cp "$CASTOR_BIN" "$T/castor-bin"   # a rebuild of CASTOR_BIN during the run changes nothing
CASTOR_SHA=$(sha256sum "$T/castor-bin" | cut -c1-12)
(
  export LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/castor.port HOT_STORAGE_PATH=$T/castor/hot \
    COLD_STORAGE_PATH=$T/castor/cold GC_INTERVAL_SECONDS=0 LOG_LEVEL=$LOG_LEVEL_CASTOR \
    MIGRATE_ON_START=true AUTH_MODE=disabled RATE_LIMIT_RPS=0
  for kv in ${BENCH_CASTOR_ENV:-}; do export "${kv?}"; done
  exec "$T/castor-bin" serve
) >"$T/castor.log" 2>&1 &
CASTOR_PID=$!
for _ in $(seq 1 300); do
  [[ -s $T/castor.port ]] && break
  kill -0 "$CASTOR_PID" 2>/dev/null || die "castor exited at start"
  sleep 0.1
done
CASTOR_PORT=$(tr -dc '0-9' <"$T/castor.port")
[[ -n $CASTOR_PORT ]] || die "castor did not write its port file"
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$CASTOR_PORT/ready" 2>/dev/null && break; sleep 0.1; done
HOSTPORT=127.0.0.1:$CASTOR_PORT
CB=http://$HOSTPORT
log "castor $CASTOR_SHA on $HOSTPORT (pid $CASTOR_PID)"
castor_alive() { kill -0 "$CASTOR_PID" 2>/dev/null || die "castor died during $1"; }

read -r AKID SECRET < <(LOG_LEVEL=warn "$T/castor-bin" keys create --s3 --tenant "$TENANT" \
  --scopes 'objects:read objects:write objects:delete')
[[ -n ${AKID:-} && -n ${SECRET:-} ]] || die "castor keys create --s3 printed no key pair"
# curl 7.88 signs with --aws-sigv4 but sends no x-amz-content-sha256 (S3 requires it): every
# request states its payload hash; bodyless ones the SHA-256 of nothing.
S3AUTH=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$AKID:$SECRET")
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
S3NOBODY=("${S3AUTH[@]}" -H "x-amz-content-sha256: $EMPTY_SHA")
code=$(curl -sS "${S3NOBODY[@]}" -X PUT -o "$T/mb.xml" -w '%{http_code}' "$CB/$BUCKET")
[[ $code == 200 ]] || die "CreateBucket answered $code: $(head -c 300 "$T/mb.xml")"
log "S3 credential $AKID, bucket $BUCKET created"

# ================================================================ 4 KiB objects
NONCE=$(date +%s%N)
head -c $(( SMALL_SIZE * SMALL_N )) /dev/urandom | (cd "$T/small" && split -b "$SMALL_SIZE" -a 6 -d - obj-)
log "pre-uploading $SMALL_N keyed 4 KiB objects through the native API"
cfg=$T/upload.curlrc; : >"$cfg"; sep=""
for f in "$T"/small/obj-*; do
  printf '%surl = "%s/v1/objects"\nheader = "X-Namespace: %s"\nheader = "X-Tenant: %s"\nheader = "X-Key: %s"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nsilent\nshow-error\n' \
    "$sep" "$CB" "$BUCKET" "$TENANT" "${f##*/}" "$f" >>"$cfg"
  sep=$'next\n'
done
codes=$(curl -sS --parallel --parallel-max "$CONNS" -K "$cfg" 2>"$T/upload.err" | sort | uniq -c | tr '\n' ' ' | sed 's/  */ /g')
[[ $codes == " $SMALL_N 201 " ]] || die "pre-upload answered: $codes"

presign() { # method < paths > paths with query
  python3 "$PRESIGN" --host "$HOSTPORT" --akid "$AKID" --secret "$SECRET" --method "$1" --expires 3600
}
for i in $(seq 0 $(( SMALL_N - 1 ))); do printf '/%s/obj-%06d\n' "$BUCKET" "$i"; done | presign GET >"$T/s3-get.txt"
for i in $(seq 0 $(( SMALL_N - 1 ))); do printf '/v1/objects/by-key/%s/%s/obj-%06d\n' "$BUCKET" "$TENANT" "$i"; done >"$T/native-get.txt"
for i in $(seq 1 "$PUT_POOL"); do printf '/%s/put-%s-%06d\n' "$BUCKET" "$NONCE" "$i"; done | presign PUT >"$T/s3-put.txt"

# check the presigned URLs before measuring: a GET returns the object's bytes, a PUT stores a body
code=$(curl -sS -o "$T/check.bin" -w '%{http_code}' "$CB$(head -n1 "$T/s3-get.txt")")
[[ $code == 200 ]] && cmp -s "$T/check.bin" "$T/small/obj-000000" || die "presigned GET answered $code: $(head -c 300 "$T/check.bin")"
bad_url=$(sed -E 's/X-Amz-Signature=[0-9a-f]+/X-Amz-Signature='"$(printf '0%.0s' $(seq 64))"'/' <<<"$(head -n1 "$T/s3-get.txt")")
code=$(curl -sS -o "$T/check.out" -w '%{http_code}' "$CB$bad_url")
[[ $code == 403 ]] || die "a presigned GET with a wrong signature answered $code: $(head -c 300 "$T/check.out")"
printf 'presign check %s' "$NONCE" >"$T/check-put.bin"
check_put=$(printf '/%s/check-%s\n' "$BUCKET" "$NONCE" | presign PUT)
code=$(curl -sS -T "$T/check-put.bin" -o "$T/check.out" -w '%{http_code}' "$CB$check_put")
[[ $code == 200 ]] || die "presigned PUT answered $code: $(head -c 300 "$T/check.out")"
curl -fsS -o "$T/check.bin" "$CB/v1/objects/by-key/$BUCKET/$TENANT/check-$NONCE"
cmp -s "$T/check.bin" "$T/check-put.bin" || die "the presigned PUT's object reads back different through the native API"
log "presigned GET and PUT URLs verified (200, bytes compared; a wrong signature refused)"

declare -A OPS CPUMS ERRS XACTS CTXSW SRVMS
# PostgreSQL transactions committed or rolled back so far (pg_stat_database; flushed within ~1 s)
pg_xacts() {
  as_pg "$PG_BIN/psql" -h "$T/pg/sock" -U postgres -d postgres -Atc \
    "select xact_commit + xact_rollback from pg_stat_database where datname = 'postgres'" 2>/dev/null || echo 0
}
small() { # name method paths-file body-size [key-header] [headers]
  local name=$1 out=$T/wrk-$1.txt t0 t1 ops reqs err
  settle
  log "wrk $name: -t$WRK_THREADS -c$CONNS -d$DURATION"
  local x0 x1 c0 c1 l0
  l0=$(wc -l <"$T/castor.log")
  perf_start "$name"
  x0=$(pg_xacts)
  c0=$(ctx_switches)
  t0=$(cpu_ticks "$CASTOR_PID")
  BENCH_METHOD=$2 BENCH_PATHS_FILE=$3 BENCH_BODY_SIZE=$4 BENCH_KEY_HEADER=${5:-} BENCH_HEADERS=${6:-} \
    BENCH_THREADS=$WRK_THREADS BENCH_NONCE=$NONCE-$name \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s -s "$WRK_LUA" "$CB/" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed"; }
  t1=$(cpu_ticks "$CASTOR_PID")
  c1=$(ctx_switches)
  perf_stop
  castor_alive "$name"
  sleep 1.2; x1=$(pg_xacts)
  read -r ops reqs err < <(awk '/requests in/ { r = $1 } /Non-2xx or 3xx/ { e += $NF }
    /Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } /^Requests\/sec:/ { o = $2 }
    END { printf "%.0f %d %d\n", o, r, e }' "$out")
  [[ $reqs -gt 0 ]] || die "$name: no request completed"
  OPS[$name]=$ops ERRS[$name]="$err of $reqs"
  # castor's own time per request (its request log: "<time> <level> <method> <path> <status> <ms> ms ..."), median
  SRVMS[$name]=$(tail -n +"$(( l0 + 1 ))" "$T/castor.log" | awk '$7 == "ms" && $3 ~ /^(GET|PUT|POST)$/ { print $6 }' \
    | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)]; else print "n/a" }')
  CTXSW[$name]=$(awk -v x=$(( c1 - c0 )) -v n="$reqs" 'BEGIN { printf "%.1f", x / n }')
  XACTS[$name]=$(awk -v x=$(( x1 - x0 )) -v n="$reqs" 'BEGIN { printf "%.2f", x / n }')
  CPUMS[$name]=$(awk -v t=$(( t1 - t0 )) -v h="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.3f", t / h * 1000 / n }')
  log "$name: $ops ops/s, $err errors of $reqs, castor CPU ${CPUMS[$name]} ms/request, ${XACTS[$name]} PostgreSQL transactions/request, ${CTXSW[$name]} castor context switches/request, server time p50 ${SRVMS[$name]} ms"
}
echo /v1/objects >"$T/native-put.txt"
small native-get GET "$T/native-get.txt" 0
small s3-get GET "$T/s3-get.txt" 0
small native-put POST "$T/native-put.txt" "$SMALL_SIZE" X-Key \
  "X-Namespace: $BUCKET|X-Tenant: $TENANT|Content-Type: application/octet-stream"
small s3-put PUT "$T/s3-put.txt" "$SMALL_SIZE" "" "Content-Type: application/octet-stream"

# ================================================================ 256 MiB objects
LARGE=$T/large.bin
LARGE_BYTES=$(( LARGE_MIB * 1048576 ))
head -c "$LARGE_BYTES" /dev/urandom >"$LARGE"
LARGE_SHA=$(sha256sum "$LARGE" | cut -d' ' -f1)
LARGE_MD5=$(md5sum "$LARGE" | cut -d' ' -f1)
declare -A SAMPLES BESTCPU
record() { # key mbps cpu_ticks
  local best
  best=$(printf '%s\n' ${SAMPLES[$1]:-0} | sort -n | tail -n1)
  SAMPLES[$1]="${SAMPLES[$1]:-} $2"
  awk -v a="$2" -v b="$best" 'BEGIN { exit !(a > b) }' \
    && BESTCPU[$1]=$(awk -v t="$3" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }')
  return 0
}
best_of() { printf '%s\n' ${SAMPLES[$1]:-} | sort -n | tail -n1; }
transfer() { # key: runs curl "$@" after the key, checks code, records MB/s and castor CPU
  local key=$1 want=$2 secs code bytes t0 t1 v; shift 2
  [[ $r == 1 ]] && perf_start "$key"
  t0=$(cpu_ticks "$CASTOR_PID")
  read -r secs code bytes < <(curl -sS --max-time 300 -w '%{time_total} %{http_code} %{size_upload} %{size_download}\n' "$@" \
    | awk '{ print $1, $2, ($3 > $4 ? $3 : $4) }')
  t1=$(cpu_ticks "$CASTOR_PID")
  perf_stop
  castor_alive "$key"
  [[ $code == "$want" && $bytes == "$LARGE_BYTES" ]] || die "$key: HTTP $code, $bytes bytes: $(head -c 300 "$T/resp" 2>/dev/null)"
  v=$(mbps "$bytes" "$secs")
  log "$key: $v MB/s (${secs}s, castor CPU $(awk -v t=$(( t1 - t0 )) -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }') s)"
  record "$key" "$v" $(( t1 - t0 ))
}
put_prep() { cached "$LARGE"; settle; warm_pages $(( LARGE_MIB + 64 )); }
for r in $(seq 1 "$REPEATS"); do
  put_prep
  transfer native-put-large 201 -T "$LARGE" -X POST -H "X-Namespace: $BUCKET" -H "X-Tenant: $TENANT" \
    -H "X-Key: large-native-$r" -H "Content-Type: application/octet-stream" -H "Expect:" -o "$T/resp" "$CB/v1/objects"
  grep -q "$LARGE_SHA" "$T/resp" || die "native large PUT: wrong hash: $(head -c 300 "$T/resp")"
  id=$(sed -n 's/.*"id" *: *"\([0-9a-fA-F-]*\)".*/\1/p' "$T/resp")
  put_prep
  transfer s3-put-large 200 -T "$LARGE" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -H "Expect:" \
    -H "Content-Type: application/octet-stream" -D "$T/hdr" -o "$T/resp" "${S3AUTH[@]}" "$CB/$BUCKET/large-s3-$r"
  grep -qi "^etag: \"$LARGE_MD5\"" "$T/hdr" || die "S3 large PUT: ETag is not the MD5: $(grep -i etag "$T/hdr")"
  if [[ $S3_SIGNED == 1 ]]; then
    put_prep
    transfer s3-put-large-signed 200 -T "$LARGE" -H "x-amz-content-sha256: $LARGE_SHA" -H "Expect:" \
      -H "Content-Type: application/octet-stream" -o "$T/resp" "${S3AUTH[@]}" "$CB/$BUCKET/large-s3s-$r"
  fi
  cached "$LARGE"
  transfer native-get-large 200 -o /dev/null -H "X-Tenant: $TENANT" "$CB/v1/objects/$id"
  transfer s3-get-large 200 -o /dev/null "${S3NOBODY[@]}" "$CB/$BUCKET/large-s3-$r"
done
curl -fsS "${S3NOBODY[@]}" "$CB/$BUCKET/large-s3-1" | sha256sum | grep -q "$LARGE_SHA" || die "S3 GET returned other bytes"

# ================================================================ report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "n/a") print "n/a"; else print (v >= t ? "PASS" : "FAIL") }'; }
MISSED=0
row() { # label native s3 target unit native-extra s3-extra
  local r v; r=$(ratio "$3" "$2"); v=$(verdict "$r" "$4")
  [[ $v == FAIL ]] && MISSED=1
  printf '| %s | %s | %s | %s | ≥ %s | %s | %s | %s |\n' "$1" "$2" "$3" "$r" "$4" "$v" "$5" "$6"
}
mkdir -p "$(dirname "$BENCH_RESULTS")"
{
  echo "## S3 API vs native API — $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "castor binary sha256 $CASTOR_SHA… ($CASTOR_BIN), LOG_LEVEL=$LOG_LEVEL_CASTOR,${BENCH_CASTOR_ENV:+ $BENCH_CASTOR_ENV,} AUTH_MODE=disabled for the native API,"
  echo "RATE_LIMIT_RPS=0; $(nproc) cores shared by client and server; load average at start $LOADAVG, at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "4 KiB: \`wrk -t$WRK_THREADS -c$CONNS -d$DURATION\` (bench/wrk/s3.lua); 256 MiB: curl, best of $REPEATS. MB/s = 10^6 B/s."
  echo
  echo "| workload | native | S3 | S3 / native | target | result | castor CPU native | castor CPU S3 |"
  echo "|---|---:|---:|---:|---|---|---:|---:|"
  row "4 KiB GET ops/s (native by key; S3 presigned GET, $SMALL_N objects)" "${OPS[native-get]}" "${OPS[s3-get]}" 0.8 \
    "${CPUMS[native-get]} ms/req" "${CPUMS[s3-get]} ms/req"
  row "4 KiB PUT ops/s (native keyed POST; S3 presigned PUT, UNSIGNED-PAYLOAD)" "${OPS[native-put]}" "${OPS[s3-put]}" 0.8 \
    "${CPUMS[native-put]} ms/req" "${CPUMS[s3-put]} ms/req"
  row "$LARGE_MIB MiB PUT MB/s (S3: UNSIGNED-PAYLOAD)" "$(best_of native-put-large)" "$(best_of s3-put-large)" 0.9 \
    "${BESTCPU[native-put-large]} s" "${BESTCPU[s3-put-large]} s"
  if [[ $S3_SIGNED == 1 ]]; then
    row "$LARGE_MIB MiB PUT MB/s (S3: signed payload SHA-256)" "$(best_of native-put-large)" "$(best_of s3-put-large-signed)" 0.9 \
      "${BESTCPU[native-put-large]} s" "${BESTCPU[s3-put-large-signed]} s"
  fi
  row "$LARGE_MIB MiB GET MB/s" "$(best_of native-get-large)" "$(best_of s3-get-large)" 0.9 \
    "${BESTCPU[native-get-large]} s" "${BESTCPU[s3-get-large]} s"
  echo
  echo "PostgreSQL transactions per 4 KiB request (pg_stat_database): native GET ${XACTS[native-get]}, S3 GET ${XACTS[s3-get]}," \
       "native PUT ${XACTS[native-put]}, S3 PUT ${XACTS[s3-put]}."
  echo "castor context switches per 4 KiB request (all threads, /proc): native GET ${CTXSW[native-get]}, S3 GET ${CTXSW[s3-get]}," \
       "native PUT ${CTXSW[native-put]}, S3 PUT ${CTXSW[s3-put]}."
  echo "castor's own time per 4 KiB request, median (its request log): native GET ${SRVMS[native-get]} ms, S3 GET ${SRVMS[s3-get]} ms," \
       "native PUT ${SRVMS[native-put]} ms, S3 PUT ${SRVMS[s3-put]} ms."
  echo "Errors (non-2xx or socket) of requests: native GET ${ERRS[native-get]}, S3 GET ${ERRS[s3-get]}," \
       "native PUT ${ERRS[native-put]}, S3 PUT ${ERRS[s3-put]}."
  echo "All $LARGE_MIB MiB samples (MB/s): native PUT:${SAMPLES[native-put-large]}; S3 PUT:${SAMPLES[s3-put-large]};" \
       "${SAMPLES[s3-put-large-signed]:+S3 PUT signed:${SAMPLES[s3-put-large-signed]};} native GET:${SAMPLES[native-get-large]}; S3 GET:${SAMPLES[s3-get-large]}."
} | tee "$BENCH_RESULTS"
log "report written to $BENCH_RESULTS"
[[ $STRICT == 1 && $MISSED == 1 ]] && exit 1
exit 0
