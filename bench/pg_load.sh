#!/usr/bin/env bash
# bench/pg_load.sh — PostgreSQL load per object operation, measured: statements, commits and WAL
# bytes per small PUT, large PUT, GET, DELETE and GC (docs/OPERATIONS.md "PostgreSQL load per
# object operation" is the paper estimate made from these figures).
#
# It builds nothing. In a private temporary directory (removed at exit) it starts a PostgreSQL 15
# with its production defaults (fsync, full_page_writes) plus pg_stat_statements (track=top) and
# autovacuum off (so that only castor writes WAL), a database `castor`, and one `castor serve`
# (AUTH_MODE=disabled, GC_INTERVAL_SECONDS=0, scrubber off), then runs bench/pg_load.py: N
# operations of each kind one after the other, each kind measured on its own. The Markdown report
# goes to stdout and to $BENCH_RESULTS.
#
# The blob store does not change what castor asks PostgreSQL: run it with the S3 backend by
# passing its settings, e.g. BENCH_CASTOR_ENV="HOT_STORAGE_BACKEND=s3 HOT_S3_ENDPOINT=... ...".
#
# Knobs (environment): CASTOR_BIN (<repo>/build/castor), BENCH_TMPDIR (/tmp), BENCH_RESULTS
# (<repo>/bench/results/pg_load.md), BENCH_N (1000 small operations of each kind),
# BENCH_LARGE_N (100 large PUTs and GETs), BENCH_LARGE_SIZE (1048576 bytes), BENCH_CASTOR_ENV.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CASTOR_BIN=${CASTOR_BIN:-$REPO/build/castor}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
BENCH_RESULTS=${BENCH_RESULTS:-$REPO/bench/results/pg_load.md}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

log() { printf '[pg_load %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[[ -x $CASTOR_BIN ]] || die "castor binary not found at $CASTOR_BIN (build Release first)"
[[ -x $PG_BIN/initdb ]] || die "PostgreSQL server binaries not found; set PG_BIN"
command -v psql >/dev/null || die "psql not found"

T=$(mktemp -d "$BENCH_TMPDIR/castor-pgload.XXXXXX")
chmod 0755 "$T"
CASTOR_PID=
PG_STARTED=0
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local rc=$?
  trap - EXIT
  if [[ -n $CASTOR_PID ]]; then kill "$CASTOR_PID" 2>/dev/null || true; wait "$CASTOR_PID" 2>/dev/null || true; fi
  [[ $PG_STARTED == 1 ]] && { as_pg "$PG_BIN/pg_ctl" stop -D "$T/pg/data" -m immediate >/dev/null 2>&1 || true; }
  if [[ $rc -ne 0 ]]; then
    for f in "$T/castor.log" "$T/pg/log"; do [[ -s $f ]] && { log "last lines of $f:"; tail -n 20 "$f" >&2; }; done
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT

mkdir -p "$T/pg/data" "$T/pg/sock" "$T/hot" "$T/cold"
[[ $EUID -eq 0 ]] && chown -R postgres:postgres "$T/pg"
as_pg "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync -E UTF8 >"$T/initdb.log" 2>&1 \
  || { cat "$T/initdb.log" >&2; die "initdb failed"; }
as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$T/pg/data" -l "$T/pg/log" -o "-c listen_addresses='' \
  -k $T/pg/sock -p 5432 -c shared_preload_libraries=pg_stat_statements \
  -c pg_stat_statements.track=top -c autovacuum=off" >/dev/null || die "PostgreSQL did not start"
PG_STARTED=1
ADMIN_URL="postgresql://postgres@/postgres?host=$T/pg/sock&port=5432"
psql "$ADMIN_URL" -qX -c "CREATE DATABASE castor" -c "CREATE EXTENSION pg_stat_statements" >/dev/null
export DATABASE_URL="postgresql://postgres@/castor?host=$T/pg/sock&port=5432"
export HOT_STORAGE_PATH=$T/hot COLD_STORAGE_PATH=$T/cold
cp "$CASTOR_BIN" "$T/castor-bin"
(
  export LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/castor.port GC_INTERVAL_SECONDS=0 LOG_LEVEL=warn \
    AUTH_MODE=disabled RATE_LIMIT_RPS=0 SCRUB_BYTES_PER_SECOND=0 STORAGE_STATS_INTERVAL_SECONDS=86400
  for kv in ${BENCH_CASTOR_ENV:-}; do export "${kv?}"; done
  exec "$T/castor-bin" serve
) >"$T/castor.log" 2>&1 &
CASTOR_PID=$!
for _ in $(seq 1 300); do
  [[ -s $T/castor.port ]] && break
  kill -0 "$CASTOR_PID" 2>/dev/null || die "castor exited at start"
  sleep 0.1
done
PORT=$(head -n1 "$T/castor.port" | tr -dc '0-9')
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/ready" 2>/dev/null && break; sleep 0.1; done
log "castor on 127.0.0.1:$PORT, PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"

mkdir -p "$(dirname "$BENCH_RESULTS")"
for kv in ${BENCH_CASTOR_ENV:-}; do export "${kv?}"; done   # `castor gc` reads the same settings
{
  echo "# PostgreSQL load per object operation ($(date -u +%Y-%m-%dT%H:%MZ), castor $(sha256sum "$CASTOR_BIN" | cut -c1-12))"
  echo
  python3 "$REPO/bench/pg_load.py" --castor "http://127.0.0.1:$PORT" --psql-url "$ADMIN_URL" \
    --castor-db castor --castor-bin "$T/castor-bin" --n "${BENCH_N:-1000}" \
    --large-n "${BENCH_LARGE_N:-100}" --large-size "${BENCH_LARGE_SIZE:-1048576}"
} | tee "$BENCH_RESULTS"
