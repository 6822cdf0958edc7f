#!/usr/bin/env bash
# Does a storm of large uploads reaching their fsync hold up the database work of other requests?
# Measures the latency of GET /v1/objects (a listing: authentication + one query, no disk) while
# UPLOADS concurrent uploads of SIZE bytes each stream in, fsync and commit; and the same listing
# on an idle server for comparison. Prints p50/p99/max in milliseconds.
#
#   bench/fsync_starvation.sh                 # 8 uploads of 2 GiB (needs ~2 GiB x 9 free disk)
#   SIZE=256M UPLOADS=8 bench/fsync_starvation.sh
#
# Knobs: SIZE (head -c syntax, default 2G), UPLOADS (8), CASTOR_BIN (build/castor),
# IDLE_SAMPLES (300). Needs curl and the PostgreSQL server binaries; starts its own PostgreSQL
# (fsync on) and castor on 127.0.0.1, in a temporary directory removed at exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

SIZE=${SIZE:-2G}
UPLOADS=${UPLOADS:-8}
IDLE_SAMPLES=${IDLE_SAMPLES:-300}
CASTOR_BIN=${CASTOR_BIN:-$ROOT/build/castor}
[[ -x $CASTOR_BIN ]] || castor_die "no castor binary at $CASTOR_BIN (build first)"

work=$(mktemp -d "${TMPDIR:-/tmp}/castor-fsync-bench.XXXXXX")
castor_pid=
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  trap - EXIT INT TERM
  [[ -n $castor_pid ]] && kill "$castor_pid" 2>/dev/null && wait "$castor_pid" 2>/dev/null
  castor_pg_destroy "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

castor_pg_start "$work/pg" 2>/dev/null
mkdir -p "$work/storage"
chmod 755 "$work"
DATABASE_URL=$DATABASE_URL HOT_STORAGE_PATH=$work/storage/hot COLD_STORAGE_PATH=$work/storage/cold \
  LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$work/port AUTH_MODE=disabled RATE_LIMIT_RPS=0 \
  GC_INTERVAL_SECONDS=0 MAX_OBJECT_SIZE=$((1 << 40)) LOG_LEVEL=warn \
  "$CASTOR_BIN" serve >"$work/castor.log" 2>&1 &
castor_pid=$!
for _ in $(seq 200); do
  [[ -s $work/port ]] && break
  sleep 0.1
done
[[ -s $work/port ]] || castor_die "castor did not start: $(cat "$work/castor.log")"
base=http://127.0.0.1:$(cat "$work/port")

# Something to list: 100 small objects.
for i in $(seq -w 1 100); do
  curl -sf -o /dev/null -X POST -H 'X-Namespace: bench' -H 'X-Tenant: t1' -H "X-Key: obj-$i" \
    --data-binary "object $i" "$base/v1/objects"
done
list="$base/v1/objects?namespace=bench&tenant_id=t1&limit=100"

# Prints "p50 p99 max count" (ms) of the seconds in file $1.
summary() {
  sort -g "$1" | awk '{ v[NR] = $1 * 1000 } END {
    if (NR == 0) { print "- - - 0"; exit }
    p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
    printf "%.1f %.1f %.1f %d\n", p50, p99, v[NR], NR }'
}

sample_once() {
  curl -sf -o /dev/null -w '%{time_total}\n' "$list"
}

for _ in $(seq "$IDLE_SAMPLES"); do sample_once; done >"$work/idle.txt"

castor_log "writing the $SIZE source file"
head -c "$SIZE" /dev/urandom >"$work/source"
sync

castor_log "$UPLOADS uploads of $SIZE, listing meanwhile"
pids=()
for i in $(seq "$UPLOADS"); do
  curl -sf -o /dev/null -w "upload $i: %{http_code} in %{time_total} s\n" -X POST \
    -H 'X-Namespace: bench' -H 'X-Tenant: t2' -H "X-Key: big-$i" \
    -T "$work/source" "$base/v1/objects" >"$work/upload-$i.txt" &
  pids+=($!)
done
: >"$work/busy.txt"
while true; do
  running=0
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && running=1
  done
  ((running)) || break
  sample_once >>"$work/busy.txt" || echo 999 >>"$work/busy.txt"
done
wait "${pids[@]}" || true
cat "$work"/upload-*.txt

read -r i50 i99 imax icount < <(summary "$work/idle.txt")
read -r b50 b99 bmax bcount < <(summary "$work/busy.txt")
printf '\n| GET /v1/objects | p50 ms | p99 ms | max ms | samples |\n|---|---|---|---|---|\n'
printf '| idle server | %s | %s | %s | %s |\n' "$i50" "$i99" "$imax" "$icount"
printf '| during %s uploads of %s | %s | %s | %s | %s |\n' "$UPLOADS" "$SIZE" "$b50" "$b99" "$bmax" "$bcount"
