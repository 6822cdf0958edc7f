#!/usr/bin/env bash
# bench/run.sh — produce every castor performance figure in one run on this machine.
#
# It builds nothing. It expects a Release build at build/castor (or CASTOR_BIN=path) and
# starts, in a private temporary directory that is removed at exit:
#   - a throwaway PostgreSQL 15 (unix socket only, no TCP port),
#   - `castor serve` on 127.0.0.1:<free port>,
#   - nginx on 127.0.0.1:<free port> with a private config (static GET, WebDAV PUT),
# then measures small objects with wrk, large objects with curl, the machine's
# SHA-256 / disk / page-cache baselines, and castor's RSS during a 1 GiB upload.
# The Markdown report goes to stdout and to $BENCH_RESULTS (default bench/results/latest.md).
# All traffic goes to 127.0.0.1 only. The whole run takes about 3 minutes.
#
# Knobs (environment):
#   CASTOR_BIN        castor binary                          (default <repo>/build/castor)
#   BENCH_TMPDIR      where the temp dir is made; must be a real disk, not tmpfs (default /tmp)
#   BENCH_RESULTS     report file                            (default <repo>/bench/results/latest.md)
#   BENCH_DURATION    wrk duration per small-object test     (default 10s)
#   BENCH_CONNECTIONS wrk connections                        (default 16)
#   BENCH_THREADS     wrk threads of the throughput pass      (default 2)
#   BENCH_LAT_DURATION duration of the latency pass (one connection per wrk thread, every
#                     request timed; see run_wrk below)      (default 5s; 0 = no latency pass)
#   BENCH_SMALL_SIZE  small object size in bytes             (default 4096)
#   BENCH_SMALL_N     small objects pre-uploaded for GET     (default 1000)
#   BENCH_LARGE_MIB   large object size in MiB               (default 256)
#   BENCH_HUGE_MIB    size of the upload watched for RSS     (default 1024)
#   BENCH_REPEATS     large-object repetitions (best kept)   (default 5)
#   BENCH_LOG_LEVEL   castor LOG_LEVEL                       (default info, as in production)
#   BENCH_IO_THREADS  castor IO_THREADS                      (default: castor's default)
#   BENCH_AUTH        off = AUTH_MODE=disabled; jwt = every castor request carries an HS256 bearer
#                     token (JWT_SECRET set for the run), so that token checking is measured too
#                     (default off; ignored by a castor without authentication). The rate limiter,
#                     if castor has one, is always switched off (RATE_LIMIT_RPS=0).
#   BENCH_NGINX_ONLY  1 = skip everything castor (to test the harness)
#   BENCH_PREFAULT_MIB page cache touched once before measuring (default ~ all the run writes; 0 = off)
#   BENCH_NGINX_EXTRA extra nginx http-level directives      (default none)
#   BENCH_STRICT      1 = exit 1 when a target is missed
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CASTOR_BIN=${CASTOR_BIN:-$REPO/build/castor}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
BENCH_RESULTS=${BENCH_RESULTS:-$REPO/bench/results/latest.md}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-16}
WRK_THREADS=${BENCH_THREADS:-2}
LAT_DURATION=${BENCH_LAT_DURATION:-5s}
SMALL_SIZE=${BENCH_SMALL_SIZE:-4096}
SMALL_N=${BENCH_SMALL_N:-1000}
LARGE_MIB=${BENCH_LARGE_MIB:-256}
HUGE_MIB=${BENCH_HUGE_MIB:-1024}
REPEATS=${BENCH_REPEATS:-5}
LOG_LEVEL_CASTOR=${BENCH_LOG_LEVEL:-info}
NGINX_ONLY=${BENCH_NGINX_ONLY:-0}
STRICT=${BENCH_STRICT:-0}
AUTH=${BENCH_AUTH:-off}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
NS=bench
TENANT=t1
WRK_LUA=$REPO/bench/wrk/objects.lua

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- preflight
for tool in wrk nginx curl openssl dd awk sha256sum split; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install -y wrk nginx-light curl openssl coreutils)"
done
[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "PostgreSQL server binaries not found (apt-get install -y postgresql); set PG_BIN"
if [[ $NGINX_ONLY != 1 ]]; then
  [[ -x $CASTOR_BIN ]] || die "castor binary not found at $CASTOR_BIN (build Release first, or set CASTOR_BIN)"
fi

# ---------------------------------------------------------------- temp dir and cleanup
T=$(mktemp -d "$BENCH_TMPDIR/castor-bench.XXXXXX")
chmod 0755 "$T"            # the postgres user must be able to traverse it
PIDS_TO_STOP=()
PG_STARTED=0
SAMPLER_PID=

as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_pid() { # pid [signal]
  local pid=$1 sig=${2:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
  local p
  log "cleaning up"
  for p in "${PIDS_TO_STOP[@]}"; do stop_pid "$p"; done
  if [[ $PG_STARTED == 1 ]]; then
    as_pg "$PG_BIN/pg_ctl" stop -D "$T/pg/data" -m immediate >/dev/null 2>&1 || true
  fi
  log "servers stopped"
  if [[ $rc -ne 0 && -d $T ]]; then
    for f in "$T/castor.log" "$T/pg/log" "$T/nginx/error.log"; do
      [[ -s $f ]] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }
    done
  fi
  rm -rf "$T"
  log "done"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

# MB/s (10^6 bytes per second) from bytes and seconds
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) print "n/a"; else printf "%.0f", b / s / 1e6 }'; }

# CPU seconds (user+system) used so far by a process (and its threads)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)
# sum of cpu ticks over a list of pids
cpu_ticks_sum() { local s=0 p; for p in "$@"; do s=$(( s + $(cpu_ticks "$p") )); done; echo "$s"; }
ticks_to_s() { awk -v t="$1" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }'; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# One small-object test = two wrk passes with the same script:
#  A. throughput: wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency  -> ops/s, wrk's own p50/p99
#  B. latency:    wrk -t$CONNS -c$CONNS -d$LAT_DURATION, BENCH_EXACT=1 -> every request timed
#     (one connection per thread; see bench/wrk/objects.lua), at a slightly lower rate than A
#     because 16 client threads cost more than 2 on two cores.
# prints "ops/s p50_ms p99_ms errors requests mean_ms wrk_p50_ms wrk_p99_ms"
wrk_pass() { # out threads duration exact url
  BENCH_EXACT=$4 wrk -t"$2" -c"$CONNS" -d"$3" --latency --timeout 10s -s "$WRK_LUA" "$5" >"$1" 2>&1 \
    || { cat "$1" >&2; die "wrk failed: $1"; }
}
wrk_parse() { # file -> "rps p50 p99 err reqs mean"  (p50/p99/mean exact if present, else wrk's)
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    function kv(key,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == key) return a[2] } return "" }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /requests in/ { reqs = $1 }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /^Requests\/sec:/ { rps = $2 }
    /^BENCH_LATENCY/ && kv("p50_us") != "" {
      p50 = kv("p50_us") / 1000; p99 = kv("p99_us") / 1000; mean = kv("mean_us") / 1000
    }
    END { printf "%.0f %.2f %.2f %d %d %s\n", rps, p50, p99, err, reqs, (mean == "" ? "n/a" : sprintf("%.2f", mean)) }' "$1"
}
run_wrk() { # name url  (env BENCH_* configure the lua script)
  local name=$1 url=$2
  settle
  log "wrk $name: -t$WRK_THREADS -c$CONNS -d$DURATION $url"
  wrk_pass "$T/wrk-$name.txt" "$WRK_THREADS" "$DURATION" 0 "$url"
  read -r a_rps a_p50 a_p99 a_err a_reqs _ < <(wrk_parse "$T/wrk-$name.txt")
  if [[ $LAT_DURATION != 0 ]]; then
    settle
    log "wrk $name (latency): -t$CONNS -c$CONNS -d$LAT_DURATION"
    wrk_pass "$T/wrk-$name-latency.txt" "$CONNS" "$LAT_DURATION" 1 "$url"
    read -r _ b_p50 b_p99 b_err b_reqs b_mean < <(wrk_parse "$T/wrk-$name-latency.txt")
    echo "$a_rps $b_p50 $b_p99 $(( a_err + b_err )) $(( a_reqs + b_reqs )) $b_mean $a_p50 $a_p99"
  else
    echo "$a_rps $a_p50 $a_p99 $a_err $a_reqs n/a $a_p50 $a_p99"
  fi
}

# ---------------------------------------------------------------- machine
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NPROC=$(nproc)
MEM_GIB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
KERNEL=$(uname -r)
FSTYPE=$(df -PT "$T" | awk 'NR == 2 { print $2 }')
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
NGINX_VERSION=$(nginx -v 2>&1 | sed 's/.*nginx\///')
PG_VERSION=$("$PG_BIN/postgres" --version | awk '{ print $3 }')
WRK_VERSION=$({ wrk -v 2>&1 || true; } | awk 'NR == 1 { print $2 }')
CASTOR_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "uncommitted")
[[ $FSTYPE == tmpfs ]] && log "warning: $T is on tmpfs; fsync and disk figures will be meaningless (set BENCH_TMPDIR)"
log "temp dir $T ($FSTYPE); load average at start: $LOADAVG"

# ---------------------------------------------------------------- test data
mkdir -p "$T/data" "$T/nginx/www/small" "$T/nginx/www/put" "$T/nginx/www/large" "$T/nginx/body" "$T/nginx/tmp"
LARGE=$T/data/large.bin
HUGE=$T/data/huge.bin
LARGE_BYTES=$(( LARGE_MIB * 1048576 ))
HUGE_BYTES=$(( HUGE_MIB * 1048576 ))
# This machine is a VM: the first write into guest memory the VM has never touched costs a host page
# fault, which caps page-cache writes near 400 MB/s, while writes into memory touched before run at
# 2+ GB/s. So that the order of the tests does not decide who gets "new" memory, touch enough memory
# first (write and delete a file as large as everything this run writes; fast after the first run).
PREFAULT_MIB=${BENCH_PREFAULT_MIB:-$(( LARGE_MIB * 9 + HUGE_MIB * 2 + 512 ))}
if (( PREFAULT_MIB > 0 )); then
  log "touching $PREFAULT_MIB MiB of page cache once (VM memory warm-up)"
  dd if=/dev/zero of="$T/data/prefault.bin" bs=1M count="$PREFAULT_MIB" status=none
  rm -f "$T/data/prefault.bin"
  sync
fi
log "generating test data: $SMALL_N x $SMALL_SIZE B, $LARGE_MIB MiB, $HUGE_MIB MiB (random)"
head -c $(( SMALL_SIZE * SMALL_N )) /dev/urandom | (cd "$T/nginx/www/small" && split -b "$SMALL_SIZE" -a 6 -d - obj-)
head -c "$LARGE_BYTES" /dev/urandom >"$LARGE"
head -c "$HUGE_BYTES" /dev/urandom >"$HUGE"
LARGE_SHA=$(sha256sum "$LARGE" | cut -d' ' -f1)
cp "$LARGE" "$T/nginx/www/large/large.bin"
settle() { sync; sleep 1; }   # flush dirty pages so that one test's writeback does not slow the next one's fsyncs
settle

# ---------------------------------------------------------------- machine baselines
log "baseline: openssl speed sha256"
SHA_MBPS=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null \
  | awk '$1 ~ /^sha256$/ || $1 ~ /^SHA256$/ { v = $NF } END { sub("k$", "", v); printf "%.0f", v * 1000 / 1e6 }')
log "baseline: dd write+fsync"
dd_mbps() { # dd args... -> MB/s computed from dd's byte count and seconds
  LC_ALL=C dd "$@" 2>&1 | awk '/bytes/ && /copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) secs = $(i-1); printf "%.0f", $1 / secs / 1e6 }'
}
dd if=/dev/zero of="$T/data/dd.bin" bs=1M count="$LARGE_MIB" status=none; rm -f "$T/data/dd.bin"   # warm memory
DISK_MBPS=$(dd_mbps if=/dev/zero of="$T/data/dd.bin" bs=1M count="$LARGE_MIB" conv=fsync)
# synchronous 4 KiB writes per second (one fdatasync each): the floor under every small PUT
DSYNC_OPS=$(LC_ALL=C dd if=/dev/zero of="$T/data/dd.bin" bs=4k count=1000 oflag=dsync 2>&1 \
  | awk '/bytes/ && /copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) secs = $(i-1); printf "%.0f", 1000 / secs }')
rm -f "$T/data/dd.bin"
log "baseline: dd page-cache read"
dd if="$LARGE" of=/dev/null bs=1M 2>/dev/null   # make sure it is cached
CACHE_MBPS=$(dd_mbps if="$LARGE" of=/dev/null bs=1M)

# ---------------------------------------------------------------- nginx
NGINX_PORT=$(free_port)
NGINX_USER=""
[[ $EUID -eq 0 ]] && NGINX_USER="user root root;"
cat >"$T/nginx/nginx.conf" <<EOF
# private benchmark config written by bench/run.sh
$NGINX_USER
worker_processes auto;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  access_log $T/nginx/access.log;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_max_body_size 0;
  # client_body_buffer_size stays at nginx's default (bodies are written in 8 KiB pieces): on this
  # VM it decides nginx's PUT speed (page-cache writes of >= 128 KiB per write() are several times
  # slower than of <= 64 KiB; see docs/PERFORMANCE.md)
  ${BENCH_NGINX_EXTRA:-}
  client_body_temp_path $T/nginx/body;
  proxy_temp_path $T/nginx/tmp/proxy;
  fastcgi_temp_path $T/nginx/tmp/fastcgi;
  uwsgi_temp_path $T/nginx/tmp/uwsgi;
  scgi_temp_path $T/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $T/nginx/www;
    location / {
      dav_methods PUT;
      create_full_put_path on;
    }
  }
}
EOF
log "starting nginx on 127.0.0.1:$NGINX_PORT"
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" >"$T/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
PIDS_TO_STOP+=("$NGINX_PID")
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/small/obj-000000" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$T/nginx/stdout.log" "$T/nginx/error.log" >&2 2>/dev/null; die "nginx did not start"; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/small/obj-000000" || die "nginx does not answer"
nginx_workers() { pgrep -P "$NGINX_PID" | tr '\n' ' '; }

# ---------------------------------------------------------------- postgres + castor
CASTOR_PID=
CASTOR_PORT=
if [[ $NGINX_ONLY != 1 ]]; then
  mkdir -p "$T/pg/data" "$T/pg/sock"
  [[ $EUID -eq 0 ]] && chown -R postgres:postgres "$T/pg"
  log "initdb + start PostgreSQL ($PG_VERSION) in $T/pg"
  as_pg "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync -E UTF8 >"$T/pg/initdb.log" 2>&1 \
    || { cat "$T/pg/initdb.log" >&2; die "initdb failed"; }
  as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$T/pg/data" -l "$T/pg/log" \
    -o "-c listen_addresses='' -k $T/pg/sock -p 5432" >/dev/null \
    || { cat "$T/pg/log" >&2; die "PostgreSQL did not start"; }
  PG_STARTED=1
  DB_URL="postgresql://postgres@/postgres?host=$T/pg/sock&port=5432"

  # Newer castor builds have authentication and a rate limiter: configure them if present.
  CASTOR_HELP=$("$CASTOR_BIN" --help 2>&1 || true)
  CASTOR_ENV=()
  AUTH_HEADER=""
  AUTH_NOTE="no authentication"
  if [[ $CASTOR_HELP == *RATE_LIMIT_RPS* ]]; then CASTOR_ENV+=(RATE_LIMIT_RPS=0); fi
  if [[ $CASTOR_HELP == *AUTH_MODE* ]]; then
    if [[ $AUTH == jwt ]]; then
      b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
      secret=$(openssl rand -hex 32)
      jwt_h=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
      jwt_p=$(printf '{"sub":"bench","tenant":"%s","scope":"objects:read objects:write","exp":%d}' \
        "$TENANT" $(( $(date +%s) + 3600 )) | b64url)
      jwt_s=$(printf '%s.%s' "$jwt_h" "$jwt_p" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
      AUTH_HEADER="Authorization: Bearer $jwt_h.$jwt_p.$jwt_s"
      CASTOR_ENV+=(AUTH_MODE=required JWT_SECRET="$secret")
      AUTH_NOTE="HS256 bearer token on every request"
    else
      CASTOR_ENV+=(AUTH_MODE=disabled)
      AUTH_NOTE="AUTH_MODE=disabled"
    fi
  fi
  if [[ $CASTOR_HELP == *RATE_LIMIT_RPS* ]]; then AUTH_NOTE="$AUTH_NOTE, RATE_LIMIT_RPS=0"; fi

  mkdir -p "$T/castor/hot" "$T/castor/cold"
  # run a private copy, so that a rebuild of build/castor during the run changes nothing
  cp "$CASTOR_BIN" "$T/castor-bin"
  CASTOR_SHA=$(sha256sum "$CASTOR_BIN" | cut -c1-12)
  log "starting castor ($CASTOR_BIN, sha256 $CASTOR_SHA)"
  (
    export DATABASE_URL=$DB_URL LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/castor.port \
      HOT_STORAGE_PATH=$T/castor/hot COLD_STORAGE_PATH=$T/castor/cold \
      GC_INTERVAL_SECONDS=0 LOG_LEVEL=$LOG_LEVEL_CASTOR MIGRATE_ON_START=true
    [[ -n ${BENCH_IO_THREADS:-} ]] && export IO_THREADS=$BENCH_IO_THREADS
    for kv in "${CASTOR_ENV[@]}"; do export "${kv?}"; done
    exec "$T/castor-bin" serve
  ) >"$T/castor.log" 2>&1 &
  CASTOR_PID=$!
  PIDS_TO_STOP=("$CASTOR_PID" "${PIDS_TO_STOP[@]}")
  for _ in $(seq 1 300); do
    [[ -s $T/castor.port ]] && break
    kill -0 "$CASTOR_PID" 2>/dev/null || die "castor exited at start (see log above)"
    sleep 0.1
  done
  [[ -s $T/castor.port ]] || die "castor did not write its port file in 30 s"
  CASTOR_PORT=$(tr -dc '0-9' <"$T/castor.port")
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$CASTOR_PORT/ready" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$CASTOR_PORT/ready" || die "castor is not ready"
  CB=http://127.0.0.1:$CASTOR_PORT
  log "castor listening on 127.0.0.1:$CASTOR_PORT (pid $CASTOR_PID)"
fi
castor_alive() { # what was running
  [[ $NGINX_ONLY == 1 ]] && return 0
  kill -0 "$CASTOR_PID" 2>/dev/null || die "castor died during $1"
}
answered() { # "wrk result" test-name: fail when the server completed no request at all
  local reqs
  reqs=$(awk '{ print $5 }' <<<"$1")
  [[ ${reqs:-0} -gt 0 ]] || die "the server completed no request during $2 (hung?)"
}
NB=http://127.0.0.1:$NGINX_PORT
NONCE=$(date +%s%N)

# ================================================================ 1. small objects
export BENCH_N=$SMALL_N BENCH_NONCE=$NONCE
declare -A SMALL
if [[ $NGINX_ONLY != 1 ]]; then
  # PUT: every request a distinct body, keyless
  SMALL[castor_put]=$(BENCH_METHOD=POST BENCH_PATH=/v1/objects BENCH_BODY_SIZE=$SMALL_SIZE \
    BENCH_HEADERS="X-Namespace: $NS|X-Tenant: $TENANT|Content-Type: application/octet-stream${AUTH_HEADER:+|$AUTH_HEADER}" \
    run_wrk castor-put "$CB/v1/objects")
  castor_alive "the small PUT test"
  answered "${SMALL[castor_put]}" "the castor small PUT test"

  # GET: pre-upload SMALL_N keyed objects (distinct contents) with one curl process, then rotate over them by key
  log "pre-uploading $SMALL_N keyed objects to castor"
  cfg=$T/upload.curlrc
  : >"$cfg"
  sep=""
  for f in "$T"/nginx/www/small/obj-*; do
    k=${f##*/}
    printf '%surl = "%s/v1/objects"\nheader = "X-Namespace: %s"\nheader = "X-Tenant: %s"\nheader = "X-Key: %s"\ndata-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nmax-time = 30\nsilent\nshow-error\n' \
      "$sep" "$CB" "$NS" "$TENANT" "$k" "$f" >>"$cfg"
    if [[ -n $AUTH_HEADER ]]; then printf 'header = "%s"\n' "$AUTH_HEADER" >>"$cfg"; fi
    sep=$'next\n'
  done
  codes=$(timeout 300 curl -sS --parallel --parallel-max "$CONNS" -K "$cfg" 2>"$T/upload.err" | sort | uniq -c | tr '\n' ' ' | sed 's/  */ /g')
  [[ -s $T/upload.err ]] && head -n 5 "$T/upload.err" >&2
  [[ $codes == " $SMALL_N 201 " ]] || die "pre-upload answered: $codes"
  SMALL[castor_get]=$(BENCH_METHOD=GET BENCH_PATH="/v1/objects/by-key/$NS/$TENANT/obj-%06d" BENCH_BODY_SIZE=0 \
    BENCH_HEADERS="$AUTH_HEADER" run_wrk castor-get "$CB/")
  castor_alive "the small GET test"
  answered "${SMALL[castor_get]}" "the castor small GET test"
fi
SMALL[nginx_put]=$(BENCH_METHOD=PUT BENCH_PATH="/put/%s" BENCH_BODY_SIZE=$SMALL_SIZE BENCH_HEADERS="" \
  run_wrk nginx-put "$NB/")
SMALL[nginx_get]=$(BENCH_METHOD=GET BENCH_PATH="/small/obj-%06d" BENCH_BODY_SIZE=0 BENCH_HEADERS="" \
  run_wrk nginx-get "$NB/")

# ================================================================ 2. large objects
# one transfer with curl; prints "seconds http_code bytes"
curl_put_castor() { # file key
  curl -sS --max-time 120 -T "$1" -X POST -H "X-Namespace: $NS" -H "X-Tenant: $TENANT" -H "X-Key: $2" \
    -H "Content-Type: application/octet-stream" -H "Expect:" ${AUTH_HEADER:+-H "$AUTH_HEADER"} \
    -o "$T/put-response.json" -w '%{time_total} %{http_code} %{size_upload}\n' "$CB/v1/objects"
}
curl_get() { # url [header] [header]
  curl -sS --max-time 120 ${2:+-H "$2"} ${3:+-H "$3"} -o /dev/null -w '%{time_total} %{http_code} %{size_download}\n' "$1"
}
curl_put_nginx() { # file path
  curl -sS --max-time 120 -T "$1" -H "Expect:" -o /dev/null -w '%{time_total} %{http_code} %{size_upload}\n' "$NB$2"
}

# Every PUT (castor and nginx alike) starts from the same state: dirty pages flushed, then
# warm_pages so that the page cache it writes into is memory the VM has already backed (see above).
warm_pages() { # MiB
  dd if=/dev/zero of="$T/data/warm.bin" bs=1M count="$1" status=none
  rm -f "$T/data/warm.bin"
}
# The VM also drops page cache not read for about a minute (DAMON pageout); read the source file
# back into the cache before each test so that the client always sends from memory.
cached() { cat "$@" >/dev/null; }
declare -A SAMPLES CPU   # "castor_put" etc. -> space-separated MB/s values; CPU seconds of the best
record() { # key mbps cpu_ticks
  local best
  best=$(stat_best ${SAMPLES[$1]:-0})
  SAMPLES[$1]="${SAMPLES[$1]:-} $2"
  better "$2" "$best" && CPU[$1]=$(ticks_to_s "$3")
  return 0
}
better() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
stat_best() { printf '%s\n' "$@" | sort -n | tail -n1; }
stat_median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rss_get_c=""
for r in $(seq 1 "$REPEATS"); do
  if [[ $NGINX_ONLY != 1 ]]; then
    cached "$LARGE"; settle; warm_pages $(( LARGE_MIB + 64 ))
    t0=$(cpu_ticks "$CASTOR_PID")
    read -r secs code bytes < <(curl_put_castor "$LARGE" "large-$r")
    t1=$(cpu_ticks "$CASTOR_PID")
    castor_alive "a large PUT"
    [[ $code == 201 && $bytes == "$LARGE_BYTES" ]] || die "castor large PUT: HTTP $code, $bytes bytes: $(head -c 300 "$T/put-response.json")"
    grep -q "$LARGE_SHA" "$T/put-response.json" || die "castor large PUT: hash in response does not match: $(head -c 300 "$T/put-response.json")"
    id=$(sed -n 's/.*"id" *: *"\([0-9a-fA-F-]*\)".*/\1/p' "$T/put-response.json")
    [[ -n $id ]] || die "no id in upload response"
    v=$(mbps "$bytes" "$secs"); log "castor PUT $LARGE_MIB MiB #$r: $v MB/s (${secs}s)"
    record castor_put "$v" $(( t1 - t0 ))

    echo 5 >"/proc/$CASTOR_PID/clear_refs" 2>/dev/null || true   # reset VmHWM
    rss0=$(rss_kib "$CASTOR_PID")
    t0=$(cpu_ticks "$CASTOR_PID")
    read -r secs code bytes < <(curl_get "$CB/v1/objects/$id" "X-Tenant: $TENANT" "$AUTH_HEADER")
    t1=$(cpu_ticks "$CASTOR_PID")
    castor_alive "a large GET"
    [[ $code == 200 && $bytes == "$LARGE_BYTES" ]] || die "castor large GET: HTTP $code, $bytes bytes"
    rss_get_c=$(( ($(hwm_kib "$CASTOR_PID") - rss0) / 1024 ))
    v=$(mbps "$bytes" "$secs"); log "castor GET $LARGE_MIB MiB #$r: $v MB/s (${secs}s)"
    record castor_get "$v" $(( t1 - t0 ))
  fi

  cached "$LARGE"; settle; warm_pages $(( LARGE_MIB + 64 ))
  workers=$(nginx_workers)
  t0=$(cpu_ticks_sum $workers)
  read -r secs code bytes < <(curl_put_nginx "$LARGE" "/large/put-$r.bin")
  t1=$(cpu_ticks_sum $workers)
  [[ $code == 201 || $code == 204 ]] && [[ $bytes == "$LARGE_BYTES" ]] || die "nginx large PUT: HTTP $code, $bytes bytes"
  v=$(mbps "$bytes" "$secs"); log "nginx  PUT $LARGE_MIB MiB #$r: $v MB/s (${secs}s)"
  record nginx_put "$v" $(( t1 - t0 ))

  t0=$(cpu_ticks_sum $workers)
  read -r secs code bytes < <(curl_get "$NB/large/large.bin")
  t1=$(cpu_ticks_sum $workers)
  [[ $code == 200 && $bytes == "$LARGE_BYTES" ]] || die "nginx large GET: HTTP $code, $bytes bytes"
  v=$(mbps "$bytes" "$secs"); log "nginx  GET $LARGE_MIB MiB #$r: $v MB/s (${secs}s)"
  record nginx_get "$v" $(( t1 - t0 ))
done
cmp -s "$LARGE" "$T/nginx/www/large/put-1.bin" || die "nginx stored a different file"
if [[ $NGINX_ONLY != 1 ]]; then
  stored=$T/castor/hot/${LARGE_SHA:0:2}/${LARGE_SHA:2:2}/$LARGE_SHA
  cmp -s "$LARGE" "$stored" || die "castor's content file $stored differs from the upload"
fi

# ================================================================ 3. RSS during a 1 GiB upload
RSS_BEFORE="" RSS_PEAK="" RSS_INC="" HUGE_MBPS=""
if [[ $NGINX_ONLY != 1 ]]; then
  log "castor PUT $HUGE_MIB MiB while sampling RSS every 50 ms"
  cached "$HUGE"; settle; warm_pages $(( HUGE_MIB + 64 ))
  echo 5 >"/proc/$CASTOR_PID/clear_refs" 2>/dev/null || true   # reset VmHWM to the current RSS
  RSS_BEFORE=$(rss_kib "$CASTOR_PID")
  (
    while kill -0 "$CASTOR_PID" 2>/dev/null; do
      while read -r k v _; do [[ $k == VmRSS: ]] && { echo "$v"; break; }; done <"/proc/$CASTOR_PID/status"
      sleep 0.05
    done
  ) >"$T/rss-samples.txt" &
  SAMPLER_PID=$!
  read -r secs code bytes < <(curl_put_castor "$HUGE" "huge-1")
  castor_alive "the $HUGE_MIB MiB upload"
  kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
  [[ $code == 201 && $bytes == "$HUGE_BYTES" ]] || die "castor huge PUT: HTTP $code, $bytes bytes: $(head -c 300 "$T/put-response.json")"
  HUGE_MBPS=$(mbps "$bytes" "$secs")
  hwm=$(hwm_kib "$CASTOR_PID")
  sampled=$(sort -n "$T/rss-samples.txt" | tail -n1)
  peak=$(( hwm > ${sampled:-0} ? hwm : ${sampled:-0} ))
  RSS_BEFORE=$(( RSS_BEFORE / 1024 ))
  RSS_PEAK=$(( peak / 1024 ))
  RSS_INC=$(( RSS_PEAK - RSS_BEFORE ))
  log "RSS before $RSS_BEFORE MiB, peak $RSS_PEAK MiB ($(wc -l <"$T/rss-samples.txt") samples), upload $HUGE_MBPS MB/s"
fi

# ================================================================ report
verdict() { # value op target
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "" || v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "PASS" : "FAIL" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
row_small() { # label key
  local v=${SMALL[$2]:-}
  if [[ -z $v ]]; then printf '| %s | n/a | n/a | n/a | n/a | n/a | n/a |\n' "$1"; return; fi
  read -r ops p50 p99 err reqs mean wrk50 wrk99 <<<"$v"
  printf '| %s | %s | %s | %s | %s | %s / %s | %s of %s |\n' "$1" "$ops" "$p50" "$p99" "$mean" "$wrk50" "$wrk99" "$err" "$reqs"
}
best_put_c=$(stat_best ${SAMPLES[castor_put]:-}) best_get_c=$(stat_best ${SAMPLES[castor_get]:-})
best_put_n=$(stat_best ${SAMPLES[nginx_put]:-}) best_get_n=$(stat_best ${SAMPLES[nginx_get]:-})
med_put_c=$(stat_median ${SAMPLES[castor_put]:-}) med_get_c=$(stat_median ${SAMPLES[castor_get]:-})
med_put_n=$(stat_median ${SAMPLES[nginx_put]:-}) med_get_n=$(stat_median ${SAMPLES[nginx_get]:-})
R_PUT=$(ratio "$best_put_c" "$best_put_n")
R_GET=$(ratio "$best_get_c" "$best_get_n")
V_PUT=$(verdict "$R_PUT" ">=" 0.5)
V_GET=$(verdict "$R_GET" ">=" 0.5)
V_RSS=$(verdict "$RSS_INC" "<" 64)

mkdir -p "$(dirname "$BENCH_RESULTS")"
{
  echo "## castor benchmark — $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $NPROC × $CPU_MODEL, $MEM_GIB GiB RAM, Linux $KERNEL, temp dir on $FSTYPE;" \
       "load average at start $LOADAVG."
  echo "Software: castor $CASTOR_REV (binary sha256 ${CASTOR_SHA:-n/a}…, LOG_LEVEL=$LOG_LEVEL_CASTOR, ${AUTH_NOTE:-}), nginx $NGINX_VERSION," \
       "PostgreSQL $PG_VERSION (defaults: fsync on, synchronous_commit on), wrk $WRK_VERSION, curl $(curl --version | awk 'NR==1 { print $2 }')."
  echo "Client and servers share the same $NPROC cores. MB/s = 10^6 bytes/s."
  echo
  echo "### Small objects ($SMALL_SIZE B, $CONNS connections)"
  echo
  echo "ops/s: \`wrk -t$WRK_THREADS -c$CONNS -d$DURATION\`. p50/p99/mean: a second pass \`wrk -t$CONNS -c$CONNS -d$LAT_DURATION\`"
  echo "that times every request (bench/wrk/objects.lua). wrk p50/p99: wrk's own figures from the first pass,"
  echo "which add synthetic samples for coordinated omission (a scheduler stall counts many times)."
  echo
  echo "| test | ops/s | p50 ms | p99 ms | mean ms | wrk p50 / p99 ms | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  row_small "castor PUT (POST /v1/objects, distinct bodies)" castor_put
  row_small "castor GET (by key, $SMALL_N objects)" castor_get
  row_small "nginx PUT (WebDAV, a new file each)" nginx_put
  row_small "nginx GET (static, $SMALL_N files)" nginx_get
  echo
  echo "### Large objects ($LARGE_MIB MiB, curl, best of $REPEATS; median in brackets)"
  echo
  echo "| op | castor MB/s | nginx MB/s | castor / nginx (best) | target | result | server CPU s castor | server CPU s nginx |"
  echo "|---|---:|---:|---:|---|---|---:|---:|"
  echo "| PUT | ${best_put_c:-n/a} (${med_put_c:-n/a}) | $best_put_n ($med_put_n) | $R_PUT | ≥ 0.5 | $V_PUT | ${CPU[castor_put]:-n/a} | ${CPU[nginx_put]:-n/a} |"
  echo "| GET | ${best_get_c:-n/a} (${med_get_c:-n/a}) | $best_get_n ($med_get_n) | $R_GET | ≥ 0.5 | $V_GET | ${CPU[castor_get]:-n/a} | ${CPU[nginx_get]:-n/a} |"
  echo
  echo "All samples (MB/s): castor PUT:${SAMPLES[castor_put]:- n/a}; nginx PUT:${SAMPLES[nginx_put]:- n/a};" \
       "castor GET:${SAMPLES[castor_get]:- n/a}; nginx GET:${SAMPLES[nginx_get]:- n/a}."
  echo
  echo "### Memory (castor RSS, $HUGE_MIB MiB upload)"
  echo
  echo "| measurement | value | target | result |"
  echo "|---|---:|---|---|"
  echo "| RSS before upload | ${RSS_BEFORE:-n/a} MiB | | |"
  echo "| peak RSS during upload (VmHWM and 50 ms samples) | ${RSS_PEAK:-n/a} MiB | | |"
  echo "| increase | ${RSS_INC:-n/a} MiB | < 64 MiB | $V_RSS |"
  echo "| peak RSS increase during a $LARGE_MIB MiB GET | ${rss_get_c:-n/a} MiB | | |"
  echo "| $HUGE_MIB MiB upload throughput | ${HUGE_MBPS:-n/a} MB/s | | |"
  echo
  echo "### Machine baselines"
  echo
  echo "| what | figure |"
  echo "|---|---:|"
  echo "| SHA-256, one core (\`openssl speed -evp sha256 -bytes 1048576\`) | $SHA_MBPS MB/s |"
  echo "| disk write + fsync (\`dd bs=1M count=$LARGE_MIB conv=fsync\`) | $DISK_MBPS MB/s |"
  echo "| synchronous 4 KiB writes, one at a time (\`dd bs=4k count=1000 oflag=dsync\`) | $DSYNC_OPS writes/s |"
  echo "| page-cache read (\`dd bs=1M\` of the $LARGE_MIB MiB file) | $CACHE_MBPS MB/s |"
} | tee "$BENCH_RESULTS"
log "report written to $BENCH_RESULTS"

if [[ $STRICT == 1 ]]; then
  for v in "$V_PUT" "$V_GET" "$V_RSS"; do [[ $v == FAIL ]] && exit 1; done
fi
exit 0
