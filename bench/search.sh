#!/usr/bin/env bash
# bench/search.sh — search and listing over HTTP on 1,000,000 objects (issue 12, docs/SEARCH.md).
#
# It builds nothing. In a private temporary directory (removed at exit) it starts a throwaway
# PostgreSQL (unix socket only) and one `castor serve` on 127.0.0.1:<free port> (AUTH_MODE=
# disabled, RATE_LIMIT_RPS=0, GC off), generates BENCH_OBJECTS objects of tenant t1 (plus a tenth
# as many of tenant t2, so that tenant filtering is real) straight in the database with
# generate_series — keys dirNNN/fileI, metadata {"family":"famI%10000","serial":"sn-I",
# "team":"teamI%50"} (string values: user metadata as it is before helper meta's JSON values), sizes spread over 0..10 MB, five objects per content — then VACUUM ANALYZE,
# and measures each query shape with `wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION
# --latency` and bench/wrk/search.lua over 1,000 random requests of that shape:
#   prefix       POST /v1/objects/search {namespace, key_prefix "dirNNN/fileD"}          (~111 hits)
#   containment  POST /v1/objects/search {metadata {"family":"famN"}}          (100 hits)
#   text         POST /v1/objects/search {query "sn-NNNNN"}                               (111 hits)
#   range+sort   POST /v1/objects/search {size_range 1% wide, sort_by size_bytes desc}  (~10k hits)
#   content_hash GET /v1/objects?content_hash=H                                           (5 hits)
#   natural      GET /v1/objects?sort=natural&prefix=dirNNN/                             (1000 hits)
# every one with limit 100 (the first page). Then the PUT cost of the search indexes: small keyed
# PUTs (4 KiB, distinct bodies) with migration 012's indexes, and again after dropping them.
# Prints a Markdown table (also written to $BENCH_RESULTS); the plans are in docs/SEARCH.md. wrk's percentiles add samples for coordinated omission (see bench/wrk/objects.lua).
#
# Knobs (environment): CASTOR_BIN (<repo>/build/castor), BENCH_TMPDIR (/tmp), BENCH_RESULTS
# (<repo>/bench/results/search.md), BENCH_OBJECTS (1000000), BENCH_DURATION (10s),
# BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_PUT_COST (1 = measure it).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CASTOR_BIN=${CASTOR_BIN:-$REPO/build/castor}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
BENCH_RESULTS=${BENCH_RESULTS:-$REPO/bench/results/search.md}
N=${BENCH_OBJECTS:-1000000}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-16}
WRK_THREADS=${BENCH_THREADS:-2}
PUT_COST=${BENCH_PUT_COST:-1}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

log() { printf '[searchbench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in wrk curl awk; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install -y wrk curl)"
done
[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "PostgreSQL server binaries not found; set PG_BIN"
[[ -x $CASTOR_BIN ]] || die "castor binary not found at $CASTOR_BIN"

T=$(mktemp -d "$BENCH_TMPDIR/castor-searchbench.XXXXXX")
chmod 0755 "$T"
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

mkdir -p "$T/pg/data" "$T/pg/sock" "$T/castor/hot" "$T/castor/cold"
[[ $EUID -eq 0 ]] && chown -R postgres:postgres "$T/pg"
as_pg "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync -E UTF8 >"$T/initdb.log" 2>&1 \
  || { cat "$T/initdb.log" >&2; die "initdb failed"; }
as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$T/pg/data" -l "$T/pg/log" \
  -o "-c listen_addresses='' -k $T/pg/sock -p 5432 -c maintenance_work_mem=256MB" >/dev/null \
  || die "PostgreSQL did not start"
PG_STARTED=1
export DATABASE_URL="postgresql://postgres@/postgres?host=$T/pg/sock&port=5432"
psql_q() { as_pg "$PG_BIN/psql" -h "$T/pg/sock" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
cp "$CASTOR_BIN" "$T/castor-bin"
CASTOR_SHA=$(sha256sum "$T/castor-bin" | cut -c1-12)
(
  export LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$T/castor.port HOT_STORAGE_PATH=$T/castor/hot \
    COLD_STORAGE_PATH=$T/castor/cold GC_INTERVAL_SECONDS=0 LOG_LEVEL=warn \
    MIGRATE_ON_START=true AUTH_MODE=disabled RATE_LIMIT_RPS=0
  exec "$T/castor-bin" serve
) >"$T/castor.log" 2>&1 &
CASTOR_PID=$!
for _ in $(seq 1 300); do
  [[ -s $T/castor.port ]] && break
  kill -0 "$CASTOR_PID" 2>/dev/null || die "castor exited at start"
  sleep 0.1
done
CASTOR_PORT=$(tr -dc '0-9' <"$T/castor.port")
CB=http://127.0.0.1:$CASTOR_PORT
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$CB/ready" 2>/dev/null && break; sleep 0.1; done
log "castor $CASTOR_SHA on $CB; generating $N objects"

# ---------------------------------------------------------------- data
gen() { # tenant first last
  # A bulk load: the usage triggers off, one recount afterwards (docs/USAGE_AND_QUOTAS.md).
  psql_q -c "BEGIN; SET LOCAL castor.usage_tracking = 'off';
    INSERT INTO objects (id, namespace, tenant_id, key, storage_class, status,
      content_hash, size_bytes, content_type, created_at, updated_at, metadata)
    SELECT overlay(overlay(md5('$1' || i) placing '4' from 13) placing '8' from 17)::uuid, 'bench', '$1',
      'dir' || lpad((i % 1000)::text, 3, '0') || '/file' || i,
      CASE WHEN i % 10 = 0 THEN 'cold' ELSE 'hot' END, 'COMMITTED',
      md5('c' || (i % ($N / 5))) || md5('d' || (i % ($N / 5))), (i::bigint * 7919) % 10000000,
      (ARRAY['text/plain', 'application/json', 'image/png'])[1 + i % 3],
      timestamptz '2026-01-01' + i * interval '1 second',
      timestamptz '2026-01-01' + i * interval '1 second',
      jsonb_build_object('family', 'fam' || (i % 10000), 'serial', 'sn-' || i,
                         'team', 'team' || (i % 50))
    FROM generate_series($2, $3) AS i; COMMIT"
}
start=$(date +%s)
# Bulk load without the search indexes, then build them (what the migration would do on an
# existing table): far faster than maintaining three GIN indexes row by row.
DROP_SEARCH_INDEXES="DROP INDEX objects_metadata, objects_key_trgm, objects_search_text,
  objects_tenant_content, objects_natural"
psql_q -c "$DROP_SEARCH_INDEXES"
gen t1 1 "$N"
gen t2 1 $(( N / 10 ))
psql_q -c "SELECT castor_usage_recount()"
log "generated in $(( $(date +%s) - start )) s; building the search indexes"
start=$(date +%s)
psql_q -c "SET maintenance_work_mem = '256MB'" -f "$REPO/migrations/012_search.sql" 2>&1 | grep -v NOTICE >&2 || true
log "search indexes (migrations/012_search.sql) built in $(( $(date +%s) - start )) s"
psql_q -c "VACUUM ANALYZE objects"
log "VACUUM ANALYZE done; objects and its indexes: $(psql_q -c "SELECT pg_size_pretty(pg_total_relation_size('objects'))")"

# ---------------------------------------------------------------- request files (1,000 each)
R=$T/req; mkdir -p "$R"
psql_q -c "SELECT 'POST /v1/objects/search {\"tenant_id\":\"t1\",\"namespace\":\"bench\",\"key_prefix\":\"dir' ||
  lpad((random() * 999)::int::text, 3, '0') || '/file' || (1 + (random() * 8)::int) || '\",\"limit\":100}'
  FROM generate_series(1, 1000)" >"$R/prefix"
psql_q -c "SELECT 'POST /v1/objects/search {\"tenant_id\":\"t1\",\"metadata\":{\"family\":\"fam' ||
  (random() * 9999)::int || '\"},\"limit\":100}' FROM generate_series(1, 1000)" >"$R/containment"
psql_q -c "SELECT 'POST /v1/objects/search {\"tenant_id\":\"t1\",\"query\":\"sn-' ||
  (10000 + (random() * 89999)::int) || '\",\"limit\":100}' FROM generate_series(1, 1000)" >"$R/text"
psql_q -c "SELECT 'POST /v1/objects/search {\"tenant_id\":\"t1\",\"size_range\":{\"min\":' || m ||
  ',\"max\":' || (m + 100000) || '},\"sort_by\":\"size_bytes\",\"sort_direction\":\"desc\",\"limit\":100}'
  FROM (SELECT (random() * 9800000)::int AS m FROM generate_series(1, 1000)) s" >"$R/range_sort"
psql_q -c "SELECT 'GET /v1/objects?tenant_id=t1&content_hash=' || md5('c' || k) || md5('d' || k)
  FROM (SELECT (random() * ($N / 5 - 1))::int AS k FROM generate_series(1, 1000)) s" >"$R/content_hash"
psql_q -c "SELECT 'GET /v1/objects?namespace=bench&tenant_id=t1&sort=natural&limit=100&prefix=dir' ||
  lpad((random() * 999)::int::text, 3, '0') || '/' FROM generate_series(1, 1000)" >"$R/natural"

# Check one request of each shape answers 200 with objects before measuring.
for shape in prefix containment text range_sort content_hash natural; do
  read -r method path body < <(head -n1 "$R/$shape")
  if [[ $method == POST ]]; then
    code=$(curl -sS -o "$T/check.json" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$CB$path")
  else
    code=$(curl -sS -o "$T/check.json" -w '%{http_code}' "$CB$path")
  fi
  [[ $code == 200 ]] || die "$shape answered $code: $(head -c 300 "$T/check.json")"
  hits=$(grep -o '"id":' "$T/check.json" | wc -l)
  [[ $hits -gt 0 ]] || die "$shape found nothing: $(head -c 300 "$T/check.json")"
  log "$shape: first request answered 200 with $hits objects"
done

# ---------------------------------------------------------------- measure
ms() { # wrk latency value (e.g. 1.23ms, 512.00us, 1.02s) -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
declare -A OPS P50 P99 ERRS
for shape in prefix containment text range_sort content_hash natural; do
  BENCH_REQUESTS_FILE=$R/$shape BENCH_THREADS=$WRK_THREADS \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency --timeout 10s \
    -s "$REPO/bench/wrk/search.lua" "$CB" >"$T/wrk-$shape.txt" 2>&1 || { cat "$T/wrk-$shape.txt" >&2; die "wrk failed"; }
  OPS[$shape]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$T/wrk-$shape.txt")
  P50[$shape]=$(ms "$(awk '$1 == "50%" { print $2 }' "$T/wrk-$shape.txt")")
  P99[$shape]=$(ms "$(awk '$1 == "99%" { print $2 }' "$T/wrk-$shape.txt")")
  ERRS[$shape]=$(awk '/Non-2xx|Socket errors/ { s = s $0 " " } END { print (s == "" ? "0" : s) }' "$T/wrk-$shape.txt")
  log "$shape: ${OPS[$shape]} req/s, p50 ${P50[$shape]} ms, p99 ${P99[$shape]} ms, errors ${ERRS[$shape]}"
  castor_ok=$(kill -0 "$CASTOR_PID" 2>/dev/null && echo yes || echo no)
  [[ $castor_ok == yes ]] || die "castor died during $shape"
done

# ---------------------------------------------------------------- PUT cost of the indexes
PUT_WITH= PUT_WITHOUT=
put_pass() { # out
  BENCH_METHOD=POST BENCH_PATH="/v1/objects?namespace=bench&tenant_id=t3&key=put-%s" \
    BENCH_BODY_SIZE=4096 BENCH_NONCE="$1-$(date +%s%N)" \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency --timeout 10s \
    -s "$REPO/bench/wrk/objects.lua" "$CB" >"$T/put-$1.txt" 2>&1 || { cat "$T/put-$1.txt" >&2; die "wrk failed"; }
  grep -q "Non-2xx" "$T/put-$1.txt" && die "PUTs failed: $(cat "$T/put-$1.txt")"
  printf '%s req/s, p50 %s ms, p99 %s ms' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$T/put-$1.txt")" \
    "$(ms "$(awk '$1 == "50%" { print $2 }' "$T/put-$1.txt")")" "$(ms "$(awk '$1 == "99%" { print $2 }' "$T/put-$1.txt")")"
}
if [[ $PUT_COST == 1 ]]; then
  PUT_WITH=$(put_pass with)
  log "4 KiB keyed PUT with the search indexes: $PUT_WITH"
  psql_q -c "$DROP_SEARCH_INDEXES"
  PUT_WITHOUT=$(put_pass without)
  log "4 KiB keyed PUT without them: $PUT_WITHOUT"
fi

# ---------------------------------------------------------------- report
{
  echo "### Search on $N objects (castor $CASTOR_SHA, $(date -u +%Y-%m-%d))"
  echo
  echo "\`wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency\` per shape, 1,000 random requests of it, limit 100,"
  echo "over HTTP through castor (AUTH_MODE=disabled); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| shape | request | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---:|---:|---:|---|"
  for shape in prefix containment text range_sort content_hash natural; do
    printf '| %s | `%s` | %s | %s | %s | %s |\n' "$shape" "$(head -n1 "$R/$shape" | cut -c1-110)" \
      "${OPS[$shape]}" "${P50[$shape]}" "${P99[$shape]}" "${ERRS[$shape]}"
  done
  if [[ $PUT_COST == 1 ]]; then
    echo
    echo "4 KiB keyed PUT (POST /v1/objects, distinct bodies) into this database: with the search indexes"
    echo "$PUT_WITH; after dropping migration 012's five indexes $PUT_WITHOUT."
  fi
} | tee "$T/results.md"
mkdir -p "$(dirname "$BENCH_RESULTS")"
cp "$T/results.md" "$BENCH_RESULTS"
