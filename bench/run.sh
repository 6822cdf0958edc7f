#!/usr/bin/env bash
# bench/run.sh — produce every castor performance figure in one run on this machine, beside the
# baselines issue 11's targets are measured against.
#
# It builds nothing. It expects a Release build at build/castor (or CASTOR_BIN=path) and
# starts, in a private temporary directory that is removed at exit:
#   - a throwaway PostgreSQL 15 (unix socket only, no TCP port, its default settings: fsync on),
#   - `castor serve` on 127.0.0.1:<free port>, using that PostgreSQL,
#   - nginx on 127.0.0.1:<free port> with a private config tuned as a user would tune it
#     (static GET with sendfile, WebDAV PUT with a 1 MiB body buffer, no access log),
# then measures:
#   - pg-commit / pg-lookup: pgbench (16 clients, prepared) doing one single-row INSERT per
#     transaction / one SELECT by the unique key, on a table shaped like castor's objects table
#     (bench/pgbench/*.sql) in a second database of the same PostgreSQL, before castor starts,
#   - small objects with wrk: PUT of distinct content, PUT of content already stored (dedup),
#     GET by key and GET by id, and the same against nginx,
#   - large objects with curl (castor and nginx interleaved) against the physical limit of a
#     hashed, durable upload: min(SHA-256 on one core, disk write + fsync), measured in this run,
#   - castor's RSS during a 1 GiB upload,
#   - castor's RSS with 10,000 idle keep-alive connections open, and a GET on a new connection
#     meanwhile (bench/idle_conns.py),
# and ends with issue 11's targets table (castor, baseline, ratio, PASS/FAIL).
# The Markdown report goes to stdout and to $BENCH_RESULTS (default bench/results/latest.md).
# All traffic goes to 127.0.0.1 only. The measurements take about 5 minutes; deleting the temp dir
# (~100,000 small files from nginx's PUT test) 1-3 more on a loaded machine.
#
# Knobs (environment):
#   CASTOR_BIN        castor binary                          (default <repo>/build/castor)
#   BENCH_CASTOR_ENV  extra castor settings, "NAME=value NAME=value" (e.g. INLINE_MAX_BYTES=0 to
#                     measure the old small-object path); applied last, so they override the
#                     bench's own (default none)
#   BENCH_TMPDIR      where the temp dir is made; must be a real disk, not tmpfs (default /tmp)
#   BENCH_RESULTS     report file                            (default <repo>/bench/results/latest.md)
#   BENCH_DURATION    wrk duration per small-object test     (default 10s)
#   BENCH_CONNECTIONS wrk connections and pgbench clients    (default 16)
#   BENCH_THREADS     wrk threads of the throughput pass, pgbench threads (default 2)
#   BENCH_LAT_DURATION duration of the latency pass (one connection per wrk thread, every
#                     request timed; see run_wrk below)      (default 5s; 0 = no latency pass)
#   BENCH_PG_SECONDS  pgbench duration of each baseline      (default 10)
#   BENCH_PG_ROWS     rows pre-filled for pg-lookup          (default 10000)
#   BENCH_SMALL_SIZE  small object size in bytes             (default 4096)
#   BENCH_SMALL_N     small objects pre-uploaded for GET     (default 1000)
#   BENCH_LARGE_MIB   large object size in MiB               (default 256)
#   BENCH_HUGE_MIB    size of the upload watched for RSS     (default 1024)
#   BENCH_REPEATS     large-object repetitions (best and median kept) (default 5)
#   BENCH_LIMIT_REPEATS repetitions of the disk baseline (dd), best kept (default 3)
#   BENCH_IDLE_CONNS  idle keep-alive connections held open  (default 10000; 0 = skip)
#   BENCH_LOG_LEVEL   castor LOG_LEVEL                       (default info, as in production)
#   BENCH_IO_THREADS  castor IO_THREADS                      (default: castor's default)
#   BENCH_AUTH        off = AUTH_MODE=disabled; jwt = every castor request carries an HS256 bearer
#                     token (JWT_SECRET set for the run), so that token checking is measured too
#                     (default off; ignored by a castor without authentication). The rate limiter,
#                     if castor has one, is always switched off (RATE_LIMIT_RPS=0).
#   BENCH_NGINX_ONLY  1 = skip everything castor (to test the harness; pgbench still runs)
#   BENCH_PREFAULT_MIB page cache touched once before measuring (default ~ all the run writes; 0 = off)
#   BENCH_NGINX_BODY_BUFFER nginx client_body_buffer_size    (default 1m)
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
LIMIT_REPEATS=${BENCH_LIMIT_REPEATS:-3}
PG_SECONDS=${BENCH_PG_SECONDS:-10}
PG_ROWS=${BENCH_PG_ROWS:-10000}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
NGINX_BODY_BUFFER=${BENCH_NGINX_BODY_BUFFER:-1m}
read -r -a EXTRA_CASTOR_ENV <<<"${BENCH_CASTOR_ENV:-}"
LOG_LEVEL_CASTOR=${BENCH_LOG_LEVEL:-info}
NGINX_ONLY=${BENCH_NGINX_ONLY:-0}
STRICT=${BENCH_STRICT:-0}
AUTH=${BENCH_AUTH:-off}
# shellcheck disable=SC2012  # version-sorted directory names, no odd characters
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
NS=bench
TENANT=t1
WRK_LUA=$REPO/bench/wrk/objects.lua

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- preflight
for tool in wrk nginx curl openssl dd awk sha256sum split python3; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install -y wrk nginx-light curl openssl coreutils python3)"
done
for tool in initdb pg_ctl psql pgbench; do
  [[ -x $PG_BIN/$tool ]] || die "PostgreSQL's $tool not found in '$PG_BIN' (apt-get install -y postgresql postgresql-client; set PG_BIN)"
done
for kv in "${EXTRA_CASTOR_ENV[@]}"; do
  [[ $kv =~ ^[A-Z_][A-Z0-9_]*=.*$ ]] || die "BENCH_CASTOR_ENV: '$kv' is not NAME=value"
done
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

# shellcheck disable=SC2317  # invoked by cleanup, from the trap
stop_pid() { # pid [signal]
  local pid=$1 sig=${2:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked by the trap
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

# best / smallest / median of numbers given as arguments; a > b
better() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
stat_best() { printf '%s\n' "$@" | sort -n | tail -n1; }
stat_min() { printf '%s\n' "$@" | sort -n | head -n1; }
stat_median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

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
# the binary's path and mtime (castor has no --version; its sha256 identifies it, see below)
CASTOR_BIN_SHOWN="$CASTOR_BIN, built $(date -u -r "$CASTOR_BIN" +'%Y-%m-%d %H:%M UTC' 2>/dev/null || echo '?')"
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
# Every write (castor's and nginx's large PUTs, dd) starts from the same state: dirty pages
# flushed, then warm_pages so that the page cache it writes into is memory the VM has already
# backed (see above).
warm_pages() { # MiB
  dd if=/dev/zero of="$T/data/warm.bin" bs=1M count="$1" status=none
  rm -f "$T/data/warm.bin"
}
# The physical limit of a hashed, durable upload (issue 11) = min(SHA-256 on one core, disk write
# + fsync), each the best this machine shows in this run.
log "baseline: openssl speed sha256"
SHA_MBPS=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null \
  | awk '$1 ~ /^sha256$/ || $1 ~ /^SHA256$/ { v = $NF } END { sub("k$", "", v); printf "%.0f", v * 1000 / 1e6 }')
[[ $SHA_MBPS =~ ^[0-9]+$ && $SHA_MBPS -gt 0 ]] || die "could not read openssl speed's SHA-256 figure"
dd_mbps() { # dd args... -> MB/s computed from dd's byte count and seconds
  LC_ALL=C dd "$@" 2>&1 | awk '/bytes/ && /copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) secs = $(i-1); printf "%.0f", $1 / secs / 1e6 }'
}
DISK_SAMPLES=""
for r in $(seq 1 "$LIMIT_REPEATS"); do
  log "baseline: dd write+fsync #$r"
  settle; warm_pages $(( LARGE_MIB + 64 ))
  DISK_SAMPLES="$DISK_SAMPLES $(dd_mbps if=/dev/zero of="$T/data/dd.bin" bs=1M count="$LARGE_MIB" conv=fsync)"
  rm -f "$T/data/dd.bin"
done
# shellcheck disable=SC2086  # one sample per word
DISK_MBPS=$(stat_best $DISK_SAMPLES)
PHYS_MBPS=$(( SHA_MBPS < DISK_MBPS ? SHA_MBPS : DISK_MBPS ))
PHYS_WHAT=$([[ $SHA_MBPS -le $DISK_MBPS ]] && echo "SHA-256" || echo "disk")
# synchronous 4 KiB writes per second (one fdatasync each): the floor under a file-per-object PUT
DSYNC_OPS=$(LC_ALL=C dd if=/dev/zero of="$T/data/dd.bin" bs=4k count=1000 oflag=dsync 2>&1 \
  | awk '/bytes/ && /copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) secs = $(i-1); printf "%.0f", 1000 / secs }')
rm -f "$T/data/dd.bin"
log "baseline: dd page-cache read"
dd if="$LARGE" of=/dev/null bs=1M 2>/dev/null   # make sure it is cached
CACHE_MBPS=$(dd_mbps if="$LARGE" of=/dev/null bs=1M)
log "physical limit of a $LARGE_MIB MiB PUT: $PHYS_MBPS MB/s ($PHYS_WHAT; SHA-256 $SHA_MBPS, disk best of:$DISK_SAMPLES)"

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
events { worker_connections 4096; }
http {
  # tuned the way a user would tune a static + WebDAV upload server (issue 11: the baseline is the
  # best a user could pick): no access log, sendfile, a 1 MiB body buffer (nginx writes a request
  # body to its temp file in pieces of this size; its default is 8 KiB), open files cached
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=10000 inactive=60s;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_max_body_size 0;
  client_body_buffer_size $NGINX_BODY_BUFFER;
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

# ---------------------------------------------------------------- postgres
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
PG_CONN=(-h "$T/pg/sock" -p 5432 -U postgres)
psql_q() { "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "${PG_CONN[@]}" "$@"; }
PG_SETTINGS=$(psql_q -d postgres -F '=' -R ', ' -c "SELECT name, setting FROM pg_settings
  WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers',
                 'max_connections') ORDER BY name")

# ---------------------------------------------------------------- pg-commit and pg-lookup
# pgbench against this PostgreSQL (its default settings, fsync on, the ones castor gets), in a
# database of its own, before castor starts: bench/pgbench/schema.sql makes a table shaped like
# castor's objects table and pre-fills $PG_ROWS keyed rows; insert.sql is one single-row INSERT per
# transaction (autocommit: one commit each), lookup.sql one SELECT by the unique key.
PGB_DIR=$REPO/bench/pgbench
psql_q -d postgres -c "CREATE DATABASE pgbench" >/dev/null
psql_q -d pgbench -v rows="$PG_ROWS" -f "$PGB_DIR/schema.sql" >/dev/null
# the plan pg-lookup's prepared statement gets once PostgreSQL switches to a generic plan
PG_LOOKUP_PLAN=$(psql_q -d pgbench <<'SQL' | awk '/Scan/ { sub(/^ *(->)? */, ""); sub(/  \(cost.*/, ""); print; exit }'
SET plan_cache_mode = force_generic_plan;
PREPARE q(int) AS SELECT id FROM objects WHERE namespace = 'bench' AND tenant_id = 't1'
  AND key = 'obj-' || lpad($1::text, 6, '0') AND status = 'COMMITTED';
EXPLAIN EXECUTE q(1);
SQL
)
pgb() { # name script [pgbench options...] -> "tps mean_latency_ms transactions"
  local name=$1 script=$2 out=$T/pgbench-$1.txt
  shift 2
  settle
  log "pgbench $name: -n -c$CONNS -j$WRK_THREADS -T$PG_SECONDS -M prepared -f ${script#"$REPO"/} $*"
  "$PG_BIN/pgbench" -n -c "$CONNS" -j "$WRK_THREADS" -T "$PG_SECONDS" -M prepared -f "$script" "$@" \
    "${PG_CONN[@]}" pgbench >"$out" 2>&1 || { cat "$out" >&2; die "pgbench $name failed"; }
  awk '/^tps = / { tps = $3 } /^latency average = / { lat = $4 } /actually processed:/ { n = $NF }
       /^number of failed transactions:/ { failed = $5 }
       END { if (tps == "" || failed + 0 != 0) exit 1; printf "%.0f %.3f %d\n", tps, lat, n }' "$out" \
    || { cat "$out" >&2; die "pgbench $name: no tps figure, or failed transactions"; }
}
read -r PG_COMMIT_TPS PG_COMMIT_LAT PG_COMMIT_N < <(pgb commit "$PGB_DIR/insert.sql")
log "pg-commit: $PG_COMMIT_TPS tps (mean $PG_COMMIT_LAT ms)"
read -r PG_LOOKUP_TPS PG_LOOKUP_LAT PG_LOOKUP_N < <(pgb lookup "$PGB_DIR/lookup.sql" -D rows="$PG_ROWS")
log "pg-lookup: $PG_LOOKUP_TPS tps (mean $PG_LOOKUP_LAT ms; $PG_LOOKUP_PLAN)"

# ---------------------------------------------------------------- castor
CASTOR_PID=
CASTOR_PORT=
if [[ $NGINX_ONLY != 1 ]]; then
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
  [[ -n ${BENCH_IO_THREADS:-} ]] && CASTOR_ENV+=(IO_THREADS="$BENCH_IO_THREADS")
  CASTOR_ENV+=(GC_INTERVAL_SECONDS=0 LOG_LEVEL="$LOG_LEVEL_CASTOR" "${EXTRA_CASTOR_ENV[@]}")
  # The idle-connection test needs a socket per connection in castor, and castor sizes its default
  # MAX_CONNECTIONS from its descriptor limit (about half of it: a busy connection may also hold a
  # file): raise the limit for castor where this shell may (root, or a high hard limit). Where it
  # may not, and the default would refuse some of the idle connections, set MAX_CONNECTIONS: an idle
  # keep-alive connection holds only its socket.
  CASTOR_FDS=$(( IDLE_CONNS > 0 ? 2 * (IDLE_CONNS + 1024) + 1024 : 0 ))
  raise_nofile() { # the soft RLIMIT_NOFILE, raised towards CASTOR_FDS (call in a subshell)
    if (( CASTOR_FDS > $(ulimit -Sn) )); then
      if [[ $(ulimit -Hn) != unlimited ]] && (( CASTOR_FDS > $(ulimit -Hn) )); then
        ulimit -Hn "$CASTOR_FDS" 2>/dev/null || true   # raising the hard limit needs privilege
      fi
      ulimit -Sn "$CASTOR_FDS" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
    fi
  }
  fds=$(raise_nofile; ulimit -Sn)
  if (( IDLE_CONNS > 0 )) && [[ $fds != unlimited ]] && [[ " ${EXTRA_CASTOR_ENV[*]} " != *" MAX_CONNECTIONS="* ]] \
     && (( (fds - 256) / 2 < IDLE_CONNS + 64 )); then
    (( fds > IDLE_CONNS + 512 )) || log "warning: castor may open only $fds descriptors: fewer than $IDLE_CONNS idle connections will fit"
    CASTOR_ENV+=(MAX_CONNECTIONS=$(( IDLE_CONNS + 64 )))
    log "castor's descriptor limit stays at $fds: MAX_CONNECTIONS=$(( IDLE_CONNS + 64 )) for the idle-connection test"
  fi

  # castor's settings that matter here: the value given, else its default from `castor --help`
  castor_setting() { # NAME -> "NAME=value" or "NAME=value (default)"
    local name=$1 kv v="" found=0 def
    for kv in "${CASTOR_ENV[@]}"; do
      [[ ${kv%%=*} == "$name" ]] && { v=${kv#*=}; found=1; }
    done
    if [[ $found == 1 ]]; then echo "$name=$v"; return; fi
    [[ $CASTOR_HELP == *"$name"* ]] || { echo "$name n/a (not in this build)"; return; }
    # the "(default)" that ends the setting's line, or its continuation lines (indented, no NAME)
    def=$(awk -v n="$name" '
      $1 == n { on = 1 } on && $1 != n && $1 ~ /^[A-Z_]+$/ { exit }
      on && match($0, /\([^()]*\)$/) { print substr($0, RSTART + 1, RLENGTH - 2); exit }' <<<"$CASTOR_HELP")
    echo "$name=${def:-?} (default)"
  }
  CASTOR_SETTINGS=""
  for name in INLINE_MAX_BYTES IO_THREADS DB_POOL_SIZE DISK_THREADS MAX_CONNECTIONS IDLE_TIMEOUT_SECONDS \
              LOG_LEVEL GC_INTERVAL_SECONDS; do
    CASTOR_SETTINGS="${CASTOR_SETTINGS:+$CASTOR_SETTINGS, }$(castor_setting "$name")"
  done
  for kv in "${EXTRA_CASTOR_ENV[@]}"; do   # anything else BENCH_CASTOR_ENV set
    [[ $CASTOR_SETTINGS == *"${kv%%=*}="* ]] || CASTOR_SETTINGS="$CASTOR_SETTINGS, $kv"
  done

  mkdir -p "$T/castor/hot" "$T/castor/cold"
  # run a private copy, so that a rebuild of build/castor during the run changes nothing
  cp "$CASTOR_BIN" "$T/castor-bin"
  CASTOR_SHA=$(sha256sum "$CASTOR_BIN" | cut -c1-12)
  log "starting castor ($CASTOR_BIN, sha256 $CASTOR_SHA)"
  (
    export DATABASE_URL=$DB_URL LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/castor.port \
      HOT_STORAGE_PATH=$T/castor/hot COLD_STORAGE_PATH=$T/castor/cold \
      MIGRATE_ON_START=true
    for kv in "${CASTOR_ENV[@]}"; do export "${kv?}"; done
    raise_nofile
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
  CASTOR_FD_LIMIT=$(awk '/^Max open files/ { print $4 }' "/proc/$CASTOR_PID/limits")
  log "castor listening on 127.0.0.1:$CASTOR_PORT (pid $CASTOR_PID, fd limit $CASTOR_FD_LIMIT): $CASTOR_SETTINGS"
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
declare -A SMALL NEW_BLOBS
if [[ $NGINX_ONLY != 1 ]]; then
  # PUT: every request a distinct body, keyless
  SMALL[castor_put]=$(BENCH_METHOD=POST BENCH_PATH=/v1/objects BENCH_BODY_SIZE=$SMALL_SIZE \
    BENCH_HEADERS="X-Namespace: $NS|X-Tenant: $TENANT|Content-Type: application/octet-stream${AUTH_HEADER:+|$AUTH_HEADER}" \
    run_wrk castor-put "$CB/v1/objects")
  castor_alive "the small PUT test"
  answered "${SMALL[castor_put]}" "the castor small PUT test"

  # PUT of content already stored (a dedup hit), keyless, two ways; the blobs table must not grow:
  #  - one content (issue 11's row): the same body on every request, uploaded once first;
  #  - many contents: the bodies rotate over the SMALL_N objects uploaded for the GET tests below.
  blob_count() { psql_q -d postgres -c "SELECT count(*) FROM blobs"; }
  dedup_pass() { # key wrk-name BENCH_BODY_FILE|BENCH_BODY_LIST file
    local before result
    before=$(blob_count)
    result=$(export "$3=$4"; BENCH_METHOD=POST BENCH_PATH=/v1/objects \
      BENCH_HEADERS="X-Namespace: $NS|X-Tenant: $TENANT|Content-Type: application/octet-stream${AUTH_HEADER:+|$AUTH_HEADER}" \
      run_wrk "$2" "$CB/v1/objects")
    SMALL[$1]=$result
    castor_alive "the $2 test"
    answered "$result" "the castor $2 test"
    NEW_BLOBS[$1]=$(( $(blob_count) - before ))
    log "blobs created during $2: ${NEW_BLOBS[$1]} (expected 0)"
  }
  head -c "$SMALL_SIZE" /dev/urandom >"$T/data/dedup.bin"
  code=$(curl -sS --max-time 30 -X POST --data-binary "@$T/data/dedup.bin" -H "X-Namespace: $NS" \
    -H "X-Tenant: $TENANT" -H "Content-Type: application/octet-stream" ${AUTH_HEADER:+-H "$AUTH_HEADER"} \
    -o /dev/null -w '%{http_code}' "$CB/v1/objects")
  [[ $code == 201 ]] || die "uploading the dedup body answered HTTP $code"
  dedup_pass castor_dedup castor-put-dedup BENCH_BODY_FILE "$T/data/dedup.bin"

  # GET: pre-upload SMALL_N keyed objects (distinct contents) with one curl process, keeping each
  # response for the object's id, then rotate over them by key, then by id
  log "pre-uploading $SMALL_N keyed objects to castor"
  cfg=$T/upload.curlrc
  : >"$cfg"
  sep=""
  mkdir -p "$T/ids"
  for f in "$T"/nginx/www/small/obj-*; do
    k=${f##*/}
    printf '%surl = "%s/v1/objects"\nheader = "X-Namespace: %s"\nheader = "X-Tenant: %s"\nheader = "X-Key: %s"\ndata-binary = "@%s"\noutput = "%s"\nwrite-out = "%%{http_code}\\n"\nmax-time = 30\nsilent\nshow-error\n' \
      "$sep" "$CB" "$NS" "$TENANT" "$k" "$f" "$T/ids/$k.json" >>"$cfg"
    if [[ -n $AUTH_HEADER ]]; then printf 'header = "%s"\n' "$AUTH_HEADER" >>"$cfg"; fi
    sep=$'next\n'
  done
  codes=$(timeout 300 curl -sS --no-progress-meter --parallel --parallel-max "$CONNS" -K "$cfg" 2>"$T/upload.err" | sort | uniq -c | tr '\n' ' ' | sed 's/  */ /g')
  [[ -s $T/upload.err ]] && head -n 5 "$T/upload.err" >&2
  [[ $codes == " $SMALL_N 201 " ]] || die "pre-upload answered: $codes"
  # the first "id" of each upload response (the object's), one per line
  find "$T/ids" -name '*.json' -exec grep -m1 -ho '"id" *: *"[0-9a-fA-F-]*"' {} + \
    | sed 's/.*"\([0-9a-fA-F-]*\)"$/\1/' >"$T/ids.txt"
  [[ $(sort -u "$T/ids.txt" | wc -l) == "$SMALL_N" ]] || die "expected $SMALL_N distinct ids in the upload responses, got $(wc -l <"$T/ids.txt")"
  SMALL[castor_get]=$(BENCH_METHOD=GET BENCH_PATH="/v1/objects/by-key/$NS/$TENANT/obj-%06d" BENCH_BODY_SIZE=0 \
    BENCH_HEADERS="$AUTH_HEADER" run_wrk castor-get "$CB/")
  castor_alive "the small GET test"
  answered "${SMALL[castor_get]}" "the castor small GET test"
  find "$T/nginx/www/small" -name 'obj-*' | sort >"$T/bodies.txt"
  dedup_pass castor_dedup_many castor-put-dedup-many BENCH_BODY_LIST "$T/bodies.txt"
  SMALL[castor_get_id]=$(BENCH_METHOD=GET BENCH_PATH="/v1/objects/%s" BENCH_LIST_FILE=$T/ids.txt BENCH_BODY_SIZE=0 \
    BENCH_HEADERS="X-Tenant: $TENANT${AUTH_HEADER:+|$AUTH_HEADER}" run_wrk castor-get-id "$CB/")
  castor_alive "the small GET-by-id test"
  answered "${SMALL[castor_get_id]}" "the castor small GET-by-id test"
fi
# nginx PUT: a new file (new name, distinct body) per request. Not over a set of names in turn: ext4
# starts writeback of a file renamed over an existing one (auto_da_alloc), which cut nginx to a
# quarter here. The ~100,000 files make the final clean-up take a minute or more.
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

# The VM also drops page cache not read for about a minute (DAMON pageout); read the source file
# back into the cache before each test so that the client always sends from memory.
cached() { cat "$@" >/dev/null; }
declare -A SAMPLES CPU   # "castor_put" etc. -> space-separated MB/s values; CPU seconds of the best
record() { # key mbps cpu_ticks
  local best
  # shellcheck disable=SC2086  # one sample per word
  best=$(stat_best ${SAMPLES[$1]:-0})
  SAMPLES[$1]="${SAMPLES[$1]:-} $2"
  better "$2" "$best" && CPU[$1]=$(ticks_to_s "$3")
  return 0
}

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
  read -r -a workers <<<"$(nginx_workers)"
  t0=$(cpu_ticks_sum "${workers[@]}")
  read -r secs code bytes < <(curl_put_nginx "$LARGE" "/large/put-$r.bin")
  t1=$(cpu_ticks_sum "${workers[@]}")
  if [[ ! ( $code == 201 || $code == 204 ) || $bytes != "$LARGE_BYTES" ]]; then
    die "nginx large PUT: HTTP $code, $bytes bytes"
  fi
  v=$(mbps "$bytes" "$secs"); log "nginx  PUT $LARGE_MIB MiB #$r: $v MB/s (${secs}s)"
  record nginx_put "$v" $(( t1 - t0 ))

  t0=$(cpu_ticks_sum "${workers[@]}")
  read -r secs code bytes < <(curl_get "$NB/large/large.bin")
  t1=$(cpu_ticks_sum "${workers[@]}")
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

# ================================================================ 4. idle keep-alive connections
# bench/idle_conns.py opens IDLE_CONNS connections to castor, each with one complete GET answered
# (so they are real keep-alive connections, idle), reads castor's RSS before and with them all
# open, times GETs on new connections meanwhile, and checks that none of them was closed.
IDLE_LINE=""
if [[ $NGINX_ONLY != 1 && $IDLE_CONNS -gt 0 ]]; then
  log "castor: $IDLE_CONNS idle keep-alive connections (bench/idle_conns.py)"
  settle
  echo 5 >"/proc/$CASTOR_PID/clear_refs" 2>/dev/null || true   # reset VmHWM to the current RSS
  idle_args=(--port "$CASTOR_PORT" --pid "$CASTOR_PID" --n "$IDLE_CONNS" --rotate "$SMALL_N"
    --path "/v1/objects/by-key/$NS/$TENANT/obj-%06d")
  [[ -n $AUTH_HEADER ]] && idle_args+=(--header "$AUTH_HEADER")
  IDLE_LINE=$(timeout 300 python3 "$REPO/bench/idle_conns.py" "${idle_args[@]}" 2>"$T/idle.err" | grep '^IDLE ') \
    || { cat "$T/idle.err" >&2; die "the idle connection test failed"; }
  [[ -s $T/idle.err ]] && head -n 3 "$T/idle.err" >&2
  castor_alive "the idle connection test"
  log "$IDLE_LINE"
fi
idle() { # key -> its value in IDLE_LINE
  local kv
  for kv in $IDLE_LINE; do [[ ${kv%%=*} == "$1" ]] && { echo "${kv#*=}"; return; }; done
}
IDLE_RSS_BEFORE="" IDLE_RSS_AFTER="" IDLE_RSS_PEAK="" IDLE_RSS_INC="" IDLE_GET_BEST="" IDLE_GET_MED="" IDLE_GET_MAX=""
IDLE_OK=0
if [[ -n $IDLE_LINE ]]; then
  mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
  IDLE_RSS_BEFORE=$(mib "$(idle rss_before_kib)")
  IDLE_RSS_AFTER=$(mib "$(idle rss_after_kib)")
  peak_kib=$(idle hwm_after_kib); after_kib=$(idle rss_after_kib)
  (( after_kib > peak_kib )) && peak_kib=$after_kib
  IDLE_RSS_PEAK=$(mib "$peak_kib")
  IDLE_RSS_INC=$(mib $(( peak_kib - $(idle rss_before_kib) )))
  # shellcheck disable=SC2046  # one sample per word
  IDLE_GET_BEST=$(stat_min $(idle get_ms | tr ',' ' '))
  # shellcheck disable=SC2046
  IDLE_GET_MAX=$(stat_best $(idle get_ms | tr ',' ' '))
  IDLE_GET_MED=$(idle get_median_ms)
  [[ $(idle opened) == "$IDLE_CONNS" && $(idle still_open) == "$IDLE_CONNS" ]] && IDLE_OK=1
  [[ $(idle get_errors) == 0 ]] || IDLE_GET_MED="n/a"
fi

# ================================================================ report
verdict() { # value op target  (op: >= <= <)
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "" || v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v >= t) : (op == "<=") ? (v <= t) : (v < t); print ok ? "PASS" : "FAIL" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || a == "n/a" || b == "" || b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
small_field() { # key field-number (1 ops/s, 3 p99 ms, 4 errors) -> value or ""
  [[ -n ${SMALL[$1]:-} ]] && awk -v f="$2" '{ print $f }' <<<"${SMALL[$1]}"
  return 0
}
row_small() { # label key
  local v=${SMALL[$2]:-}
  if [[ -z $v ]]; then printf '| %s | n/a | n/a | n/a | n/a | n/a | n/a |\n' "$1"; return; fi
  read -r ops p50 p99 err reqs mean wrk50 wrk99 <<<"$v"
  printf '| %s | %s | %s | %s | %s | %s / %s | %s of %s |\n' "$1" "$ops" "$p50" "$p99" "$mean" "$wrk50" "$wrk99" "$err" "$reqs"
}
# shellcheck disable=SC2086  # the sample lists are space-separated on purpose
{
  best_put_c=$(stat_best ${SAMPLES[castor_put]:-}) best_get_c=$(stat_best ${SAMPLES[castor_get]:-})
  best_put_n=$(stat_best ${SAMPLES[nginx_put]:-}) best_get_n=$(stat_best ${SAMPLES[nginx_get]:-})
  med_put_c=$(stat_median ${SAMPLES[castor_put]:-}) med_get_c=$(stat_median ${SAMPLES[castor_get]:-})
  med_put_n=$(stat_median ${SAMPLES[nginx_put]:-}) med_get_n=$(stat_median ${SAMPLES[nginx_get]:-})
}

# ---- issue 11's targets: "label|castor figure|baseline|ratio|target|result" rows
TARGET_ROWS=()
N_PASS=0 N_FAIL=0
target() { # label castor baseline ratio target result
  TARGET_ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |")
  case $6 in PASS*) N_PASS=$(( N_PASS + 1 )) ;; FAIL*) N_FAIL=$(( N_FAIL + 1 )) ;; esac
}
with_errors() { # verdict small-key: a test with failed requests fails whatever its figure
  local err
  err=$(small_field "$2" 4)
  if [[ ${err:-0} -gt 0 ]]; then echo "FAIL ($err errors)"; else echo "$1"; fi
}
target_ops() { # label small-key baseline-name baseline-value min-ratio
  local ops r
  ops=$(small_field "$2" 1)
  r=$(ratio "$ops" "$4")
  target "$1: ops/s" "${ops:-n/a}" "$3 $4" "$r" "≥ $5×" "$(with_errors "$(verdict "$r" ">=" "$5")" "$2")"
}
target_p99() { # label small-key max-ms
  local p99
  p99=$(small_field "$2" 3)
  target "$1: p99" "${p99:-n/a} ms" "" "" "≤ $3 ms" "$(with_errors "$(verdict "$p99" "<=" "$3")" "$2")"
}
target_ops "4 KiB PUT, distinct content" castor_put pg-commit "$PG_COMMIT_TPS" 0.6
target_p99 "4 KiB PUT, distinct content" castor_put 20
target_ops "4 KiB PUT, content already stored" castor_dedup pg-commit "$PG_COMMIT_TPS" 0.6
v=$(small_field castor_dedup_many 1)
target "4 KiB PUT, content already stored, $SMALL_N contents in turn: ops/s" "${v:-n/a}" \
  "pg-commit $PG_COMMIT_TPS" "$(ratio "$v" "$PG_COMMIT_TPS")" "reported, no target" "–"
target_ops "4 KiB GET by key" castor_get pg-lookup "$PG_LOOKUP_TPS" 0.5
target_p99 "4 KiB GET by key" castor_get 5
target_ops "4 KiB GET by id" castor_get_id pg-lookup "$PG_LOOKUP_TPS" 0.5
target_p99 "4 KiB GET by id" castor_get_id 5
r=$(ratio "$best_put_c" "$PHYS_MBPS")
target "$LARGE_MIB MiB PUT, best of $REPEATS: MB/s" "${best_put_c:-n/a}" "physical limit $PHYS_MBPS" "$r" "≥ 0.8×" "$(verdict "$r" ">=" 0.8)"
r=$(ratio "$med_put_c" "$PHYS_MBPS")
target "$LARGE_MIB MiB PUT, median of $REPEATS: MB/s" "${med_put_c:-n/a}" "physical limit $PHYS_MBPS" "$r" "≥ 0.8×" "$(verdict "$r" ">=" 0.8)"
target "$LARGE_MIB MiB PUT beside tuned nginx, best (median)" "${best_put_c:-n/a} (${med_put_c:-n/a})" \
  "nginx $best_put_n ($med_put_n)" "$(ratio "$best_put_c" "$best_put_n") ($(ratio "$med_put_c" "$med_put_n"))" "reported, no target" "–"
r=$(ratio "$best_get_c" "$best_get_n")
target "$LARGE_MIB MiB GET, best of $REPEATS (median): MB/s" "${best_get_c:-n/a} (${med_get_c:-n/a})" \
  "nginx $best_get_n ($med_get_n)" "$r ($(ratio "$med_get_c" "$med_get_n"))" "≥ 0.9× (best)" "$(verdict "$r" ">=" 0.9)"
target "$HUGE_MIB MiB PUT: RSS growth" "${RSS_INC:-n/a} MiB" "" "" "< 64 MiB" "$(verdict "$RSS_INC" "<" 64)"
v=$(verdict "$IDLE_RSS_INC" "<" 200)
[[ -n $IDLE_LINE && $IDLE_OK != 1 && $v == PASS ]] && v="FAIL (not all $IDLE_CONNS connections open)"
target "$IDLE_CONNS idle keep-alive connections: RSS growth (peak)" "${IDLE_RSS_INC:-n/a} MiB" "" "" "< 200 MiB" "$v"
v=$(verdict "$IDLE_GET_MED" "<" 50)
[[ -n $IDLE_LINE && $(idle get_errors) != 0 ]] && v="FAIL ($(idle get_errors) of the GETs failed)"
target "… and a GET on a new connection meanwhile: median" "${IDLE_GET_MED:-n/a} ms" "" "" "< 50 ms" "$v"

mkdir -p "$(dirname "$BENCH_RESULTS")"
{
  echo "## castor benchmark — $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $NPROC × $CPU_MODEL, $MEM_GIB GiB RAM, Linux $KERNEL, temp dir on $FSTYPE;" \
       "load average at start $LOADAVG, at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Software: castor binary ${CASTOR_BIN_SHOWN:-n/a} (sha256 ${CASTOR_SHA:-n/a}…), bench/run.sh at $CASTOR_REV, nginx $NGINX_VERSION," \
       "PostgreSQL $PG_VERSION, pgbench, wrk $WRK_VERSION, curl $(curl --version | awk 'NR==1 { print $2 }'), $(python3 --version 2>&1)."
  echo "castor settings: ${CASTOR_SETTINGS:-n/a}; ${AUTH_NOTE:-}; fd limit ${CASTOR_FD_LIMIT:-n/a}${BENCH_CASTOR_ENV:+; BENCH_CASTOR_ENV=\"$BENCH_CASTOR_ENV\"}."
  echo "PostgreSQL (castor's and pgbench's, its defaults): $PG_SETTINGS."
  echo "nginx: worker_processes auto, access_log off, sendfile on, client_body_buffer_size $NGINX_BODY_BUFFER," \
       "open_file_cache, WebDAV PUT, static GET${BENCH_NGINX_EXTRA:+, extra: $BENCH_NGINX_EXTRA}."
  echo "Client and servers share the same $NPROC cores. MB/s = 10^6 bytes/s."
  echo
  echo "### PostgreSQL baselines (\`pgbench -n -c$CONNS -j$WRK_THREADS -T$PG_SECONDS -M prepared\`)"
  echo
  echo "| baseline | tps | mean latency ms | transactions |"
  echo "|---|---:|---:|---:|"
  echo "| pg-commit: one single-row INSERT per transaction into a table shaped like objects (bench/pgbench/insert.sql) | $PG_COMMIT_TPS | $PG_COMMIT_LAT | $PG_COMMIT_N |"
  echo "| pg-lookup: one SELECT by the unique key over $PG_ROWS rows (bench/pgbench/lookup.sql) | $PG_LOOKUP_TPS | $PG_LOOKUP_LAT | $PG_LOOKUP_N |"
  echo
  echo "pg-lookup's generic plan: \`${PG_LOOKUP_PLAN:-n/a}\`."
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
  row_small "castor PUT of content already stored (the same body every request)" castor_dedup
  row_small "castor PUT of content already stored ($SMALL_N bodies in turn)" castor_dedup_many
  row_small "castor GET by key ($SMALL_N objects)" castor_get
  row_small "castor GET by id ($SMALL_N objects)" castor_get_id
  row_small "nginx PUT (WebDAV, a new file each)" nginx_put
  row_small "nginx GET (static, $SMALL_N files)" nginx_get
  echo
  echo "Blobs created during the dedup passes: ${NEW_BLOBS[castor_dedup]:-n/a} (one body), ${NEW_BLOBS[castor_dedup_many]:-n/a}" \
       "($SMALL_N bodies); 0 expected: every request is a dedup hit. Without a key, each request still creates an object."
  echo
  echo "### Large objects ($LARGE_MIB MiB, curl, one client, best of $REPEATS; median in brackets)"
  echo
  echo "| op | castor MB/s | nginx MB/s | castor / nginx best (median) | server CPU s castor | server CPU s nginx |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| PUT | ${best_put_c:-n/a} (${med_put_c:-n/a}) | $best_put_n ($med_put_n) | $(ratio "$best_put_c" "$best_put_n") ($(ratio "$med_put_c" "$med_put_n")) | ${CPU[castor_put]:-n/a} | ${CPU[nginx_put]:-n/a} |"
  echo "| GET | ${best_get_c:-n/a} (${med_get_c:-n/a}) | $best_get_n ($med_get_n) | $(ratio "$best_get_c" "$best_get_n") ($(ratio "$med_get_c" "$med_get_n")) | ${CPU[castor_get]:-n/a} | ${CPU[nginx_get]:-n/a} |"
  echo
  echo "Physical limit of a hashed, durable upload: **$PHYS_MBPS MB/s** = min(SHA-256 one core $SHA_MBPS," \
       "disk write + fsync $DISK_MBPS) ($PHYS_WHAT-bound). castor PUT / limit: best $(ratio "$best_put_c" "$PHYS_MBPS")," \
       "median $(ratio "$med_put_c" "$PHYS_MBPS"). nginx does not fsync or hash what it receives."
  echo
  echo "All samples (MB/s): castor PUT:${SAMPLES[castor_put]:- n/a}; nginx PUT:${SAMPLES[nginx_put]:- n/a};" \
       "castor GET:${SAMPLES[castor_get]:- n/a}; nginx GET:${SAMPLES[nginx_get]:- n/a}."
  echo
  echo "### Memory (castor RSS, $HUGE_MIB MiB upload)"
  echo
  echo "| measurement | value |"
  echo "|---|---:|"
  echo "| RSS before upload | ${RSS_BEFORE:-n/a} MiB |"
  echo "| peak RSS during upload (VmHWM and 50 ms samples) | ${RSS_PEAK:-n/a} MiB |"
  echo "| increase | ${RSS_INC:-n/a} MiB |"
  echo "| peak RSS increase during a $LARGE_MIB MiB GET | ${rss_get_c:-n/a} MiB |"
  echo "| $HUGE_MIB MiB upload throughput | ${HUGE_MBPS:-n/a} MB/s |"
  echo
  echo "### $IDLE_CONNS idle keep-alive connections (bench/idle_conns.py)"
  echo
  if [[ -n $IDLE_LINE ]]; then
    echo "Each connection sent one GET by key (HTTP/1.1 keep-alive) and read its complete 200 response, then stayed open"
    echo "and idle while castor's RSS was read and GETs were timed on new connections (connect to last byte)."
    echo
    echo "| measurement | value |"
    echo "|---|---:|"
    echo "| connections opened / failed / still open at the end | $(idle opened) / $(idle failed) / $(idle still_open) |"
    echo "| time to open them (one request each, ≤ 100 at a time) | $(idle open_s) s |"
    echo "| castor RSS before / with them open / peak | $IDLE_RSS_BEFORE / $IDLE_RSS_AFTER / $IDLE_RSS_PEAK MiB |"
    echo "| castor open file descriptors before / with them open | $(idle fds_before) / $(idle fds_after) |"
    echo "| GET on a new connection before them, ms | $(idle before_ms | tr ',' ' ') |"
    echo "| GET on a new connection with them open, ms: best / median / max | $IDLE_GET_BEST / $IDLE_GET_MED / $IDLE_GET_MAX |"
    echo "| … all samples, ms (failed GETs: $(idle get_errors)) | $(idle get_ms | tr ',' ' ') |"
  else
    echo "Not measured (BENCH_IDLE_CONNS=0 or BENCH_NGINX_ONLY=1)."
  fi
  echo
  echo "### Machine baselines"
  echo
  echo "| what | figure |"
  echo "|---|---:|"
  echo "| SHA-256, one core (\`openssl speed -evp sha256 -bytes 1048576 -seconds 3\`) | $SHA_MBPS MB/s |"
  echo "| disk write + fsync (\`dd bs=1M count=$LARGE_MIB conv=fsync\`), best of:$DISK_SAMPLES | $DISK_MBPS MB/s |"
  echo "| synchronous 4 KiB writes, one at a time (\`dd bs=4k count=1000 oflag=dsync\`) | $DSYNC_OPS writes/s |"
  echo "| page-cache read (\`dd bs=1M\` of the $LARGE_MIB MiB file) | $CACHE_MBPS MB/s |"
  echo
  echo "### Targets (issue 11)"
  echo
  echo "| workload | castor | baseline | ratio | target | result |"
  echo "|---|---:|---:|---:|---|---|"
  printf '%s\n' "${TARGET_ROWS[@]}"
  echo
  echo "$N_PASS PASS, $N_FAIL FAIL. Small-object ops/s: the throughput pass; p99: the latency pass; a test with failed requests fails."
} | tee "$BENCH_RESULTS"
log "report written to $BENCH_RESULTS"

if [[ $STRICT == 1 && $N_FAIL -gt 0 ]]; then exit 1; fi
exit 0
