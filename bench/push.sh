#!/usr/bin/env bash
# bench/push.sh — the issue-9 figures: moving trees with castorctl, and bundle downloads.
#
#   1. push:   `castorctl push DIR --bundle` of PUSH_FILES random files of PUSH_FILE_KIB KiB
#              (default 2,000 x 1 MiB = 2 GiB) against `curl --parallel --parallel-max JOBS`
#              POSTing the same files to /v1/objects (one keyed object each). Every side of every
#              repetition gets a fresh castor, database and storage directory, so that nothing is
#              deduplicated. Also `castorctl push DIR --prefix P` (keyed objects through the same
#              POST /v1/objects as curl) unless PUSH_PREFIX=0.  Target: castorctl time <= curl time.
#   2. repush: a tree of REPUSH_FILES files of REPUSH_FILE_BYTES bytes (default 10,000 x 4 KiB) is
#              pushed with --bundle, then pushed again REPEATS times unchanged; each re-push must
#              upload 0 bytes (from its --json). Target: < 2 s.
#   3. bundle: a bundle of BUNDLE_FILES files of BUNDLE_FILE_MIB MiB (default 64 x 64 MiB = 4 GiB)
#              downloaded as ZIP (GET /v1/bundles/{id}/download) against a plain GET of one object
#              of the same bytes (the files concatenated), interleaved; castor's VmRSS sampled every
#              100 ms during each download. Targets: ZIP MB/s >= 0.8 x object MB/s; RSS flat.
#
# It builds nothing: it runs build/castor and build/castorctl (or CASTOR_BIN, CASTORCTL_BIN; private
# copies are run, so a rebuild meanwhile changes nothing). It starts a private PostgreSQL (unix
# socket, fsync on) and castor on 127.0.0.1:<free port> (AUTH_MODE=disabled, RATE_LIMIT_RPS=0,
# GC_INTERVAL_SECONDS=0), in a temporary directory under BENCH_TMPDIR removed at exit. Traffic goes
# to 127.0.0.1 only. Disk: about 2 x the push tree + 3 x the bundle (default ~16 GiB) at the peak.
# The Markdown report goes to stdout and to BENCH_RESULTS (default bench/results/push.md).
#
# Knobs (environment): BENCH_PARTS ("push repush bundle"), REPEATS (3, best and median reported),
# JOBS (8: castorctl --jobs and curl --parallel-max), PUSH_FILES (2000), PUSH_FILE_KIB (1024),
# PUSH_PREFIX (1), REPUSH_FILES (10000), REPUSH_FILE_BYTES (4096), BUNDLE_FILES (64),
# BUNDLE_FILE_MIB (64), BUNDLE_REPEATS (5 downloads of each), BUNDLE_CACHE (warm: castor's files
# read into the page cache before each download; cold: evicted from it, `dd iflag=nocache`, so the
# server reads the disk, or what the VM's host caches of it), BENCH_LOG_LEVEL (castor LOG_LEVEL, default info), BENCH_TMPDIR (/tmp; a
# real disk, not tmpfs), BENCH_PREFAULT_MIB (page cache touched once at the start; see
# bench/run.sh), BENCH_STRICT (1 = exit 1 when a target is missed).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

CASTOR_BIN=${CASTOR_BIN:-$ROOT/build/castor}
CASTORCTL_BIN=${CASTORCTL_BIN:-$ROOT/build/castorctl}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
BENCH_RESULTS=${BENCH_RESULTS:-$ROOT/bench/results/push.md}
PARTS=${BENCH_PARTS:-push repush bundle}
REPEATS=${REPEATS:-3}
JOBS=${JOBS:-8}
PUSH_FILES=${PUSH_FILES:-2000}
PUSH_FILE_KIB=${PUSH_FILE_KIB:-1024}
PUSH_PREFIX=${PUSH_PREFIX:-1}
REPUSH_FILES=${REPUSH_FILES:-10000}
REPUSH_FILE_BYTES=${REPUSH_FILE_BYTES:-4096}
BUNDLE_FILES=${BUNDLE_FILES:-64}
BUNDLE_FILE_MIB=${BUNDLE_FILE_MIB:-64}
BUNDLE_REPEATS=${BUNDLE_REPEATS:-5}
BUNDLE_CACHE=${BUNDLE_CACHE:-warm}
LOG_LEVEL_CASTOR=${BENCH_LOG_LEVEL:-info}
STRICT=${BENCH_STRICT:-0}
NS=bench
TENANT=t1

PUSH_BYTES=$((PUSH_FILES * PUSH_FILE_KIB * 1024))
BUNDLE_BYTES=$((BUNDLE_FILES * BUNDLE_FILE_MIB * 1048576))
PREFAULT_MIB=${BENCH_PREFAULT_MIB:-$((PUSH_BYTES * 2 / 1048576 + 1024))}

log() { printf '[push-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

for tool in curl psql awk sed sort split head sha256sum; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install -y curl postgresql-client coreutils)"
done
[[ -x $CASTOR_BIN ]] || die "no castor binary at $CASTOR_BIN (build first: scripts/test --build-only)"
[[ -x $CASTORCTL_BIN ]] || die "no castorctl binary at $CASTORCTL_BIN (build first)"

# ---------------------------------------------------------------- temp dir and cleanup
work=$(mktemp -d "$BENCH_TMPDIR/castor-push-bench.XXXXXX")
chmod 755 "$work"
CASTOR_PID=
SAMPLER_PID=
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
  if [[ -n $CASTOR_PID ]] && kill -0 "$CASTOR_PID" 2>/dev/null; then
    kill "$CASTOR_PID" 2>/dev/null
    wait "$CASTOR_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    for f in "$work"/castor-*.log; do
      [[ -s $f ]] && {
        log "last lines of $f:"
        tail -n 15 "$f" >&2
      }
    done
  fi
  castor_pg_destroy "$work/pg" >/dev/null 2>&1 || true
  log "removing $work"
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

cp "$CASTOR_BIN" "$work/castor-bin"
cp "$CASTORCTL_BIN" "$work/castorctl-bin"
CTL=$work/castorctl-bin
CASTOR_SHA=$(sha256sum "$CASTOR_BIN" | cut -c1-12)
CTL_SHA=$(sha256sum "$CASTORCTL_BIN" | cut -c1-12)
FSTYPE=$(df -PT "$work" | awk 'NR == 2 { print $2 }')
[[ $FSTYPE == tmpfs ]] && log "warning: $work is on tmpfs: set BENCH_TMPDIR to a real disk"

castor_pg_start "$work/pg" 2>"$work/pg-start.log" || die "PostgreSQL did not start: $(cat "$work/pg-start.log")"
PG_URL=$DATABASE_URL

# ---------------------------------------------------------------- helpers
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_to_s() { awk -v t="$1" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) print "n/a"; else printf "%.0f", b / s / 1e6 }'; }
now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
stat_best() { printf '%s\n' "$@" | sort -g | head -n1; }         # smallest (times)
stat_max() { printf '%s\n' "$@" | sort -g | tail -n1; }          # largest (MB/s)
stat_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() { # value op target
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "" || v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "PASS" : "FAIL" }'
}
json_num() { sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" <<<"$2"; }
json_str() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2"; }
load_now() { uptime | sed 's/^ *//'; }

settle() {
  sync
  sleep 1
}
# Page cache the VM has backed before (see bench/run.sh): write and delete MiB of zeros.
warm_pages() {
  dd if=/dev/zero of="$work/warm.bin" bs=1M count="$1" status=none
  rm -f "$work/warm.bin"
}
cached() { find "$@" -type f -exec cat {} + >/dev/null; }
evict() { find "$@" -type f -exec dd iflag=nocache count=0 status=none if={} \; ; }

# `gen_tree DIR FILES BYTES PER_DIR`: FILES random files of BYTES each, PER_DIR per subdirectory.
gen_tree() {
  local dir=$1 n=$2 size=$3 per=$4 d=0 left k
  left=$n
  while ((left > 0)); do
    k=$((left < per ? left : per))
    mkdir -p "$dir/d$(printf %03d "$d")"
    head -c $((k * size)) /dev/urandom | (cd "$dir/d$(printf %03d "$d")" && split -b "$size" -a 4 -d - f-)
    left=$((left - k))
    d=$((d + 1))
  done
  [[ $(find "$dir" -type f | wc -l) == "$n" ]] || die "gen_tree $dir: wrong file count"
}

# `start_castor NAME`: a castor on a new database NAME and a new storage directory.
# Sets CASTOR_PID, BASE, STORE.
start_castor() {
  local name=$1 url
  psql "$PG_URL" -qtAXc "create database \"$name\"" >/dev/null
  url=${PG_URL/\/postgres\?//$name?}
  STORE=$work/store-$name
  mkdir -p "$STORE"
  rm -f "$work/port-$name"
  (
    export DATABASE_URL=$url HOT_STORAGE_PATH=$STORE/hot COLD_STORAGE_PATH=$STORE/cold \
      LISTEN_ADDR=127.0.0.1:0 PORT_FILE=$work/port-$name AUTH_MODE=disabled RATE_LIMIT_RPS=0 \
      GC_INTERVAL_SECONDS=0 MAX_OBJECT_SIZE=$((1 << 40)) LOG_LEVEL=$LOG_LEVEL_CASTOR \
      MIGRATE_ON_START=true
    exec "$work/castor-bin" serve
  ) >"$work/castor-$name.log" 2>&1 &
  CASTOR_PID=$!
  for _ in $(seq 300); do
    [[ -s $work/port-$name ]] && break
    kill -0 "$CASTOR_PID" 2>/dev/null || die "castor ($name) exited at start"
    sleep 0.1
  done
  [[ -s $work/port-$name ]] || die "castor ($name) wrote no port file in 30 s"
  BASE=http://127.0.0.1:$(tr -dc '0-9' <"$work/port-$name")
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$BASE/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  die "castor ($name) is not ready"
}
# `stop_castor NAME`: stops it and removes its storage and database.
stop_castor() {
  local name=$1
  kill "$CASTOR_PID" 2>/dev/null || true
  wait "$CASTOR_PID" 2>/dev/null || true
  CASTOR_PID=
  rm -rf "$STORE"
  psql "$PG_URL" -qtAXc "drop database \"$name\"" >/dev/null
}
castor_alive() { kill -0 "$CASTOR_PID" 2>/dev/null || die "castor died during $1"; }

# shellcheck disable=SC2317  # called through timed
ctl() { "$CTL" --url "$BASE" -n "$NS" -t "$TENANT" "$@"; }

# `timed OUT_PREFIX CMD...`: runs CMD (stdout to OUT_PREFIX.out, stderr to .err); prints
# "wall_s client_cpu_s server_cpu_s" (client: CMD and its children; server: castor's process).
timed() {
  local out=$1 t0 c0 s0 rc=0
  shift
  local TIMEFORMAT='%3U %3S'
  s0=$(cpu_ticks "$CASTOR_PID")
  t0=$(now_ns)
  { time "$@" >"$out.out" 2>"$out.err"; } 2>"$out.time" || rc=$?
  local wall
  wall=$(secs_since "$t0")
  c0=$(awk '{ printf "%.2f", $1 + $2 }' "$out.time")
  [[ $rc == 0 ]] || {
    cat "$out.err" >&2
    die "command failed ($rc): $*"
  }
  echo "$wall $c0 $(ticks_to_s $(($(cpu_ticks "$CASTOR_PID") - s0)))"
}

# `request_ms PATTERN LOG`: the duration (ms) of the last request in castor's log matching PATTERN
# (lines "... info POST /v1/bundles 201 18.842 ms ...").
request_ms() {
  grep -F "$1" "$2" | tail -n1 | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "ms") { print $i; exit } }'
}

# castorctl's phase durations from its plain progress lines ("hashing: ... in 1.2 s (...)").
phases() {
  sed -n 's/^\([a-z]*\): .* in \([0-9.]*\) s (.*/\1 \2 s/p' "$1" | paste -sd, - | sed 's/,/, /g'
}

# `sample_rss FILE`: VmRSS (KiB) of castor every 100 ms into FILE, in the background.
sample_rss() {
  (
    while kill -0 "$CASTOR_PID" 2>/dev/null; do
      while read -r k v _; do [[ $k == VmRSS: ]] && {
        echo "$v"
        break
      }; done <"/proc/$CASTOR_PID/status"
      sleep 0.1
    done
  ) >"$1" &
  SAMPLER_PID=$!
}
stop_sampler() {
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
}

CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_GIB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
LOAD_START=$(load_now)
log "temp dir $work ($FSTYPE); $LOAD_START"
if ((PREFAULT_MIB > 0)); then
  log "touching $PREFAULT_MIB MiB of page cache once (VM memory warm-up)"
  warm_pages "$PREFAULT_MIB"
  sync
fi

REPORT=$work/report.md
: >"$REPORT"
emit() { printf '%s\n' "$@" >>"$REPORT"; }
VERDICTS=()

# ================================================================ 1. push vs curl --parallel
part_push() {
  local tree=$work/push-tree rel cfg side r name
  log "push: generating $PUSH_FILES x $PUSH_FILE_KIB KiB"
  gen_tree "$tree" "$PUSH_FILES" $((PUSH_FILE_KIB * 1024)) 100
  # curl's transfers: one keyed POST /v1/objects per file, streamed (-T), no Expect: 100-continue
  cfg=$work/push.curlrc
  : >"$cfg"
  local sep=""
  while IFS= read -r rel; do
    printf '%surl = "%s/v1/objects"\nrequest = "POST"\nupload-file = "%s"\nheader = "X-Namespace: %s"\nheader = "X-Tenant: %s"\nheader = "X-Key: curl/%s"\nheader = "Content-Type: application/octet-stream"\nheader = "Expect:"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nsilent\nshow-error\n' \
      "$sep" "@BASE@" "$tree/$rel" "$NS" "$TENANT" "$rel" >>"$cfg"
    sep=$'next\n'
  done < <(cd "$tree" && find . -type f -printf '%P\n' | sort)

  local sides=(ctl curl)
  [[ $PUSH_PREFIX == 1 ]] && sides=(ctl ctlkeys curl)
  declare -gA PUSH_WALL PUSH_CCPU PUSH_SCPU PUSH_PHASES
  local load
  load=$(load_now)
  for r in $(seq "$REPEATS"); do
    # alternate the order, so that neither side always runs first
    local order=("${sides[@]}")
    ((r % 2 == 0)) && mapfile -t order < <(printf '%s\n' "${sides[@]}" | tac)
    for side in "${order[@]}"; do
      name=push_${side}_$r
      start_castor "$name"
      cached "$tree"
      settle
      warm_pages $((PUSH_BYTES / 1048576 + 64))
      local res wall ccpu scpu js
      case $side in
        ctl)
          res=$(timed "$work/$name" ctl --json push "$tree" --bundle --jobs "$JOBS")
          js=$(cat "$work/$name.out")
          [[ $(json_num bytes_uploaded "$js") == "$PUSH_BYTES" && $(json_num blobs_uploaded "$js") == "$PUSH_FILES" ]] ||
            die "castorctl push: unexpected summary: $js"
          [[ -n $(json_str bundle_id "$js") ]] || die "castorctl push made no bundle: $js"
          ;;
        ctlkeys)
          res=$(timed "$work/$name" ctl --json push "$tree" --prefix ctl/ --jobs "$JOBS")
          js=$(cat "$work/$name.out")
          [[ $(json_num bytes_uploaded "$js") == "$PUSH_BYTES" && $(json_num objects_created "$js") == "$PUSH_FILES" ]] ||
            die "castorctl push --prefix: unexpected summary: $js"
          ;;
        curl)
          sed "s|@BASE@|$BASE|" "$cfg" >"$work/$name.curlrc"
          res=$(timed "$work/$name" curl -sS --parallel --parallel-max "$JOBS" -K "$work/$name.curlrc")
          local codes
          codes=$(sort "$work/$name.out" | uniq -c | awk '{ printf "%s %s;", $1, $2 }')
          [[ $codes == "$PUSH_FILES 201;" ]] || die "curl --parallel answered: $codes $(head -c 300 "$work/$name.err")"
          ;;
      esac
      castor_alive "$name"
      read -r wall ccpu scpu <<<"$res"
      log "$name: ${wall} s (client CPU $ccpu s, server CPU $scpu s)"
      if [[ $side == ctl* ]]; then
        log "  castorctl said: $(tr '\n' ' ' <"$work/$name.err")"
        PUSH_PHASES[$side]="${PUSH_PHASES[$side]:-}${PUSH_PHASES[$side]:+; }$wall s = $(phases "$work/$name.err")"
      fi
      PUSH_WALL[$side]="${PUSH_WALL[$side]:-} $wall"
      PUSH_CCPU[$side]="${PUSH_CCPU[$side]:-} $ccpu"
      PUSH_SCPU[$side]="${PUSH_SCPU[$side]:-} $scpu"
      stop_castor "$name"
    done
  done
  rm -rf "$tree"

  local best_ctl best_curl rv
  # shellcheck disable=SC2086  # the lists are space-separated numbers
  best_ctl=$(stat_best ${PUSH_WALL[ctl]})
  # shellcheck disable=SC2086
  best_curl=$(stat_best ${PUSH_WALL[curl]})
  rv=$(ratio "$best_curl" "$best_ctl")
  VERDICTS+=("$(verdict "$rv" ">=" 1.0)")
  emit "### Push of $PUSH_FILES files x $PUSH_FILE_KIB KiB ($(awk -v b="$PUSH_BYTES" 'BEGIN { printf "%.2f", b / 2^30 }') GiB, random), $JOBS connections" ""
  emit "Load before: $load. Each run on a fresh castor, database and storage directory; the tree" \
    "read into the page cache first. Wall seconds, best of $REPEATS (median); MB/s of the best." ""
  emit "| client | best s | median s | all s | MB/s | client CPU s (median) | server CPU s (median) |" \
    "|---|---:|---:|---:|---:|---:|---:|"
  local label
  for side in "${sides[@]}"; do
    case $side in
      ctl) label="\`castorctl push DIR --bundle --jobs $JOBS\` (PUT /v1/blobs)" ;;
      ctlkeys) label="\`castorctl push DIR --prefix ctl/ --jobs $JOBS\` (HEAD + POST /v1/objects)" ;;
      curl) label="\`curl --parallel --parallel-max $JOBS\` (POST /v1/objects, keyed)" ;;
    esac
    # shellcheck disable=SC2086
    emit "| $label | $(stat_best ${PUSH_WALL[$side]}) | $(stat_median ${PUSH_WALL[$side]}) |${PUSH_WALL[$side]} | $(mbps "$PUSH_BYTES" "$(stat_best ${PUSH_WALL[$side]})") | $(stat_median ${PUSH_CCPU[$side]}) | $(stat_median ${PUSH_SCPU[$side]}) |"
  done
  emit ""
  for side in "${sides[@]}"; do
    [[ $side == ctl* ]] && emit "castorctl's phases ($side, per run, from its progress lines): ${PUSH_PHASES[$side]}."
  done
  emit "" "castorctl --bundle vs curl: curl s / castorctl s (best) = **$rv** (target ≥ 1.0: ${VERDICTS[-1]})."
  # shellcheck disable=SC2086
  [[ $PUSH_PREFIX == 1 ]] &&
    emit "castorctl --prefix vs curl: $(ratio "$best_curl" "$(stat_best ${PUSH_WALL[ctlkeys]})")."
  emit ""
}

# ================================================================ 2. re-push of an unchanged tree
part_repush() {
  local tree=$work/repush-tree r res wall ccpu scpu js walls=() first load
  log "repush: generating $REPUSH_FILES x $REPUSH_FILE_BYTES B"
  gen_tree "$tree" "$REPUSH_FILES" "$REPUSH_FILE_BYTES" 100
  start_castor repush
  settle
  res=$(timed "$work/repush-0" ctl --json push "$tree" --bundle --jobs "$JOBS")
  js=$(cat "$work/repush-0.out")
  [[ $(json_num blobs_uploaded "$js") == "$REPUSH_FILES" ]] || die "first push: $js"
  first=${res%% *}
  log "repush: first push ${first} s"
  load=$(load_now)
  local scpus=() ccpus=() bundles=() pre=() bun=()
  for r in $(seq "$REPEATS"); do
    settle
    res=$(timed "$work/repush-$r" ctl --json push "$tree" --bundle --jobs "$JOBS")
    castor_alive "the re-push"
    js=$(cat "$work/repush-$r.out")
    [[ $(json_num bytes_uploaded "$js") == 0 && $(json_num blobs_uploaded "$js") == 0 &&
      $(json_num blobs_missing "$js") == 0 && $(json_num files "$js") == "$REPUSH_FILES" ]] ||
      die "re-push $r did not upload 0 bytes: $js"
    bundles+=("$(json_str bundle_id "$js")")
    read -r wall ccpu scpu <<<"$res"
    log "re-push $r: $wall s, bytes_uploaded 0 (client CPU $ccpu s, server CPU $scpu s)"
    pre+=("$(request_ms 'POST /v1/blobs/preflight ' "$work/castor-repush.log")")
    bun+=("$(request_ms 'POST /v1/bundles ' "$work/castor-repush.log")")
    log "  castorctl said: $(tr '\n' ' ' <"$work/repush-$r.err")"
    walls+=("$wall")
    ccpus+=("$ccpu")
    scpus+=("$scpu")
  done
  stop_castor repush
  rm -rf "$tree"
  local best
  best=$(stat_best "${walls[@]}")
  VERDICTS+=("$(verdict "$best" "<" 2)")
  emit "### Re-push of an unchanged tree of $REPUSH_FILES files x $REPUSH_FILE_BYTES B" ""
  emit "Load before: $load. \`castorctl --json push DIR --bundle --jobs $JOBS\` run again after a first" \
    "push (${first} s); files in the page cache. Every re-push reported \`bytes_uploaded: 0\`," \
    "\`blobs_missing: 0\` (and made a new bundle of the same manifest; ids differ: ${#bundles[@]} re-pushes)." ""
  emit "| measurement | best | median | all | target | result |" "|---|---:|---:|---:|---|---|"
  emit "| wall s | $best | $(stat_median "${walls[@]}") | ${walls[*]} | < 2 s | ${VERDICTS[-1]} |"
  emit "| client CPU s | $(stat_best "${ccpus[@]}") | $(stat_median "${ccpus[@]}") | ${ccpus[*]} | | |"
  emit "| server CPU s | $(stat_best "${scpus[@]}") | $(stat_median "${scpus[@]}") | ${scpus[*]} | | |"
  emit "| preflight ms (castor's log) | $(stat_best "${pre[@]}") | $(stat_median "${pre[@]}") | ${pre[*]} | | |"
  emit "| bundle creation ms (castor's log) | $(stat_best "${bun[@]}") | $(stat_median "${bun[@]}") | ${bun[*]} | | |" ""
}

# ================================================================ 3. bundle ZIP vs one object
part_bundle() {
  local tree=$work/bundle-tree big=$work/big.bin js bundle_id object_id r load
  log "bundle: generating $BUNDLE_FILES x $BUNDLE_FILE_MIB MiB"
  gen_tree "$tree" "$BUNDLE_FILES" $((BUNDLE_FILE_MIB * 1048576)) 16
  start_castor bundle
  # the single object holds the same bytes: the files concatenated in path order
  (cd "$tree" && find . -type f -printf '%P\n' | sort | xargs cat) >"$big"
  settle
  res=$(timed "$work/bundle-push" ctl --json push "$tree" --bundle --jobs "$JOBS")
  js=$(cat "$work/bundle-push.out")
  bundle_id=$(json_str bundle_id "$js")
  [[ -n $bundle_id && $(json_num bytes_uploaded "$js") == "$BUNDLE_BYTES" ]] || die "bundle push: $js"
  log "bundle $bundle_id pushed in ${res%% *} s"
  rm -rf "$tree"
  settle
  local code
  code=$(curl -sS -o "$work/object.json" -w '%{http_code}' -T "$big" -X POST -H "X-Namespace: $NS" \
    -H "X-Tenant: $TENANT" -H "X-Key: big.bin" -H "Content-Type: application/octet-stream" \
    -H "Expect:" "$BASE/v1/objects")
  [[ $code == 201 ]] || die "POST of the $BUNDLE_BYTES-byte object: HTTP $code $(head -c 300 "$work/object.json")"
  object_id=$(json_str id "$(cat "$work/object.json")")
  [[ -n $object_id ]] || die "no id in $(cat "$work/object.json")"
  rm -f "$big"
  settle

  # a listing of the ZIP: every entry there, sizes right
  local listed
  listed=$(curl -sS "$BASE/v1/bundles/$bundle_id/download" -H "X-Tenant: $TENANT" |
    bsdtar -tvf - | awk -v s=$((BUNDLE_FILE_MIB * 1048576)) '$5 == s { n++ } END { print n + 0 }')
  [[ $listed == "$BUNDLE_FILES" ]] || die "the ZIP lists $listed entries of the right size, not $BUNDLE_FILES"

  load=$(load_now)
  local zip_mbps=() obj_mbps=() zip_rss=() obj_rss=() zip_start=() zip_cpu=() obj_cpu=() zip_bytes=""
  for r in $(seq "$BUNDLE_REPEATS"); do
    local order=(zip obj)
    ((r % 2 == 0)) && order=(obj zip)
    for what in "${order[@]}"; do
      if [[ $BUNDLE_CACHE == cold ]]; then evict "$STORE"; else cached "$STORE"; fi
      settle
      local url expect
      if [[ $what == zip ]]; then
        url="$BASE/v1/bundles/$bundle_id/download?format=zip"
      else
        url="$BASE/v1/objects/$object_id"
      fi
      echo 5 >"/proc/$CASTOR_PID/clear_refs" 2>/dev/null || true # reset VmHWM
      local rss0 secs bytes peak hwm sampled c0 cpu
      rss0=$(rss_kib "$CASTOR_PID")
      c0=$(cpu_ticks "$CASTOR_PID")
      sample_rss "$work/rss-$what-$r.txt"
      read -r secs code bytes < <(curl -sS --max-time 900 -H "X-Tenant: $TENANT" -o /dev/null \
        -w '%{time_total} %{http_code} %{size_download}\n' "$url")
      stop_sampler
      cpu=$(ticks_to_s $(($(cpu_ticks "$CASTOR_PID") - c0)))
      castor_alive "the $what download"
      hwm=$(hwm_kib "$CASTOR_PID")
      sampled=$(sort -n "$work/rss-$what-$r.txt" | tail -n1)
      peak=$((hwm > ${sampled:-0} ? hwm : ${sampled:-0}))
      if [[ $what == zip ]]; then
        expect=$bytes
        ((bytes > BUNDLE_BYTES)) || die "ZIP download: HTTP $code, $bytes bytes"
        [[ -z $zip_bytes || $zip_bytes == "$bytes" ]] || die "ZIP sizes differ: $zip_bytes, $bytes"
        zip_bytes=$bytes
      else
        expect=$BUNDLE_BYTES
      fi
      [[ $code == 200 && $bytes == "$expect" ]] || die "$what download: HTTP $code, $bytes bytes"
      local v inc
      v=$(mbps "$bytes" "$secs")
      inc=$(awk -v p="$peak" -v s="$rss0" 'BEGIN { printf "%.1f", (p - s) / 1024 }')
      log "$what GET #$r: $v MB/s (${secs} s, server CPU $cpu s), RSS $((rss0 / 1024)) MiB -> peak $((peak / 1024)) MiB ($(wc -l <"$work/rss-$what-$r.txt") samples)"
      if [[ $what == zip ]]; then
        zip_mbps+=("$v")
        zip_rss+=("$inc")
        zip_start+=("$((rss0 / 1024))")
        zip_cpu+=("$cpu")
      else
        obj_mbps+=("$v")
        obj_rss+=("$inc")
        obj_cpu+=("$cpu")
      fi
    done
  done
  stop_castor bundle

  local bz bo rv rss_max
  bz=$(stat_max "${zip_mbps[@]}")
  bo=$(stat_max "${obj_mbps[@]}")
  rv=$(ratio "$bz" "$bo")
  rss_max=$(stat_max "${zip_rss[@]}")
  VERDICTS+=("$(verdict "$rv" ">=" 0.8)" "$(verdict "$rss_max" "<" 64)")
  emit "### Bundle ZIP download vs one object ($BUNDLE_FILES x $BUNDLE_FILE_MIB MiB = $(awk -v b="$BUNDLE_BYTES" 'BEGIN { printf "%.2f", b / 2^30 }') GiB, $BUNDLE_CACHE page cache)" ""
  emit "Load before: $load. \`curl -o /dev/null\` of \`GET /v1/bundles/{id}/download?format=zip\`" \
    "($zip_bytes bytes, entries stored) and of \`GET /v1/objects/{id}\` (one object of the" \
    "same $BUNDLE_BYTES bytes), interleaved; $([[ $BUNDLE_CACHE == cold ]] && echo "castor's stored files evicted from the page cache (\`dd iflag=nocache\`) before" || echo "castor's stored files read into the page cache before")" \
    "each. MB/s = bytes received / curl's time_total, best of $BUNDLE_REPEATS (median); server CPU = castor's user+system seconds during the download. RSS: castor's VmRSS" \
    "before, then sampled every 100 ms and VmHWM (reset first) during the download; increase = peak - before." ""
  emit "| download | best MB/s | median MB/s | all MB/s | server CPU s (all) | RSS before MiB | RSS increase MiB, max (all) |" \
    "|---|---:|---:|---:|---:|---:|---:|"
  emit "| bundle ZIP | $bz | $(stat_median "${zip_mbps[@]}") | ${zip_mbps[*]} | ${zip_cpu[*]} | ${zip_start[*]} | $rss_max (${zip_rss[*]}) |"
  emit "| one object | $bo | $(stat_median "${obj_mbps[@]}") | ${obj_mbps[*]} | ${obj_cpu[*]} | | $(stat_max "${obj_rss[@]}") (${obj_rss[*]}) |" ""
  emit "ZIP / object MB/s (best) = **$rv** (target ≥ 0.8: ${VERDICTS[-2]}); median / median = $(ratio "$(stat_median "${zip_mbps[@]}")" "$(stat_median "${obj_mbps[@]}")"); RSS increase during the" \
    "ZIP download at most $rss_max MiB (flat, < 64 MiB: ${VERDICTS[-1]})." ""
}

for part in $PARTS; do
  case $part in
    push) part_push ;;
    repush) part_repush ;;
    bundle) part_bundle ;;
    *) die "unknown part '$part' (push, repush, bundle)" ;;
  esac
done

mkdir -p "$(dirname "$BENCH_RESULTS")"
{
  echo "## castorctl push and bundle downloads — $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) × $CPU_MODEL, $MEM_GIB GiB RAM, Linux $(uname -r), temp dir on $FSTYPE;" \
    "at start: $LOAD_START."
  echo "castor $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (castor sha256 $CASTOR_SHA…," \
    "castorctl sha256 $CTL_SHA…), LOG_LEVEL=$LOG_LEVEL_CASTOR, AUTH_MODE=disabled, RATE_LIMIT_RPS=0;" \
    "PostgreSQL $(psql --version | awk '{ print $3 }') (fsync on); curl $(curl --version | awk 'NR == 1 { print $2 }')." \
    "Client and server share the cores. MB/s = 10^6 bytes/s."
  echo
  cat "$REPORT"
} | tee "$BENCH_RESULTS"
log "report written to $BENCH_RESULTS"

if [[ $STRICT == 1 ]]; then
  for v in "${VERDICTS[@]}"; do [[ $v == FAIL ]] && exit 1; done
fi
exit 0
