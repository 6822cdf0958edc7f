# shellcheck shell=bash
# Helpers for the shell client scripts of the S3 client matrix (sourced; see run.sh for the
# environment they get). A scenario is a sequence of steps, each a function run by `run_step` in a
# subshell with set -e: a command that fails stops that step (the ERR trap names the line) and
# counts as a failure, and the next step runs, so that one run shows everything that is broken
# (a step that needs an earlier one's result then fails too, with its own message). `expect_*`
# checks record a failure and go on. `finish` exits 1 when any check or step failed.
set -Eeuo pipefail

: "${S3_ENDPOINT:?}" "${S3CLIENTS_BUCKET:?}" "${S3CLIENTS_WORK:?}" "${S3CLIENTS_LARGE_MIB:?}"
cd "$S3CLIENTS_WORK"
# Counters live in files: steps run in subshells. One line per check / per failure.
s3c_counts=$S3CLIENTS_WORK/.s3c-counts
mkdir -p "$s3c_counts"
: >"$s3c_counts/checks"
: >"$s3c_counts/failures"

s3c_trap_error() { trap 's3c_on_error $? $LINENO "$BASH_COMMAND"' ERR; }
s3c_trap_error
s3c_on_error() {
  printf 'FAILED (exit %s) at line %s: %s\n' "$1" "$2" "$3" >&2
  local frame=1 where
  while where=$(caller "$frame"); do
    printf '  called from line %s\n' "$where" >&2
    frame=$((frame + 1))
  done
}

# One line for a message: newlines shown as '|', at most 400 characters.
s3c_flat() {
  local text=${1//$'\n'/|}
  ((${#text} > 400)) && text="${text:0:400}…"
  printf '%s' "$text"
}

# run_step TITLE FUNCTION: runs FUNCTION in a subshell with set -e; a failure is counted.
run_step() {
  local rc=0
  printf '\n== %s (at %d s)\n' "$1" "$SECONDS"
  set +e
  trap - ERR # the step reports its own failed command
  (
    s3c_trap_error
    set -e
    "$2"
  )
  rc=$?
  s3c_trap_error
  set -e
  if ((rc != 0)); then
    s3c_fail "step '$1' stopped at a failed command (exit $rc, see above)"
  fi
  return 0
}

s3c_fail() {
  echo >>"$s3c_counts/failures"
  printf 'FAILED: %s\n' "$*"
}

s3c_ok() { printf 'ok: %s\n' "$*"; }
s3c_count_check() { echo >>"$s3c_counts/checks"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  s3c_count_check
  if [[ $2 == "$3" ]]; then
    s3c_ok "$1"
  else
    s3c_fail "$1: expected '$(s3c_flat "$2")', got '$(s3c_flat "$3")'"
  fi
}

# expect_match WHAT REGEX ACTUAL
expect_match() {
  s3c_count_check
  if [[ $3 =~ $2 ]]; then
    s3c_ok "$1"
  else
    s3c_fail "$1: '$(s3c_flat "$3")' does not match /$2/"
  fi
}

# out_of COMMAND...: COMMAND's output, or only "<COMMAND failed: exit N>" when it fails (its
# output then goes to stderr), so that a comparison or match of the output fails too.
out_of() {
  local rc=0 out
  out=$("$@") || rc=$?
  if ((rc == 0)); then
    printf '%s' "$out"
  else
    printf '%s\n' "$out" >&2
    printf '<%s failed: exit %d>' "$1" "$rc"
  fi
}

# expect_lines WHAT WANT_PRESENT FIXED COMMAND...: COMMAND succeeds and a line of its output
# contains FIXED (WANT_PRESENT=1) or none does (WANT_PRESENT=0).
expect_lines() {
  local what=$1 present=$2 fixed=$3 out rc=0 found=0
  shift 3
  s3c_count_check
  out=$("$@" 2>&1) || rc=$?
  grep -qF -- "$fixed" <<<"$out" && found=1
  if ((rc != 0)); then
    s3c_fail "$what: $1 failed (exit $rc): $(s3c_flat "$(tail -n 3 <<<"$out")")"
  elif ((found != present)); then
    s3c_fail "$what: '$fixed' $( ((present)) && echo 'missing from' || echo 'found in') '$(s3c_flat "$out")'"
  else
    s3c_ok "$what"
  fi
}

# expect_same_file WHAT EXPECTED_FILE ACTUAL_FILE: identical bytes (cmp), SHA-256 shown on failure.
expect_same_file() {
  s3c_count_check
  if [[ -f $3 ]] && cmp -s "$2" "$3"; then
    s3c_ok "$1"
  elif [[ -f $3 ]]; then
    s3c_fail "$1: bytes differ: $(sha256sum "$2" | cut -c1-16)… ($(stat -c %s "$2") B) vs $(sha256sum "$3" | cut -c1-16)… ($(stat -c %s "$3") B)"
  else
    s3c_fail "$1: $3 does not exist"
  fi
}

# expect_same_tree WHAT EXPECTED_DIR ACTUAL_DIR: the same files with the same bytes (diff -r).
expect_same_tree() {
  s3c_count_check
  local out
  if out=$(diff -r "$2" "$3" 2>&1); then
    s3c_ok "$1"
  else
    s3c_fail "$1: $(s3c_flat "$(head -n 10 <<<"$out")")"
  fi
}

# expect_fails_with WHAT PATTERN COMMAND...: COMMAND must fail and its output contain PATTERN
# (an S3 error code such as PreconditionFailed, or an HTTP status).
expect_fails_with() {
  local what=$1 pattern=$2 out rc=0
  shift 2
  s3c_count_check
  out=$("$@" 2>&1) || rc=$?
  if ((rc == 0)); then
    s3c_fail "$what: succeeded, expected a failure with $pattern"
  elif [[ $out == *"$pattern"* ]]; then
    s3c_ok "$what"
  else
    s3c_fail "$what: failed without '$pattern': $(s3c_flat "$(tail -n 3 <<<"$out")")"
  fi
}

# make_file PATH BYTES: random content.
make_file() {
  mkdir -p "$(dirname "$1")"
  head -c "$2" /dev/urandom >"$1"
}

# slice FILE OFFSET LENGTH: LENGTH bytes of FILE from OFFSET, to stdout.
slice() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=1M status=none; }

# crc32_b64 FILE: the CRC-32 of FILE as x-amz-checksum-crc32 carries it (base64, big-endian).
crc32_b64() {
  /usr/bin/python3 -c 'import base64, sys, zlib
print(base64.b64encode(zlib.crc32(open(sys.argv[1], "rb").read()).to_bytes(4, "big")).decode())' "$1"
}

# sha256_of FILE
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
# md5_of FILE
md5_of() { md5sum "$1" | cut -d' ' -f1; }

# multipart_etag FILE PART_BYTES: the S3 ETag of FILE uploaded in parts of PART_BYTES
# ("md5-of-part-md5s-N", without quotes).
multipart_etag() {
  local file=$1 part=$2 size n i digests=
  size=$(stat -c %s "$file")
  n=$(((size + part - 1) / part))
  for ((i = 0; i < n; i++)); do
    digests+=$(dd if="$file" bs="$part" skip="$i" count=1 status=none | md5sum | cut -d' ' -f1)
  done
  printf '%s-%d\n' "$(printf '%s' "$digests" | xxd -r -p | md5sum | cut -d' ' -f1)" "$n"
}

# A tree for sync/copy tests: nested directories, an empty file, a name with spaces and UTF-8.
make_tree() {
  local dir=$1
  make_file "$dir/top.bin" 3000
  make_file "$dir/a/one.txt" 10
  make_file "$dir/a/b/two.bin" 70000
  make_file "$dir/a/b/c/three.bin" 1
  make_file "$dir/with space/ünïcode é.txt" 123
  make_file "$dir/z/empty" 0
}

finish() {
  local checks failures
  checks=$(wc -l <"$s3c_counts/checks")
  failures=$(wc -l <"$s3c_counts/failures")
  printf '\n%d checks, %d failures\n' "$checks" "$failures"
  trap - ERR
  ((failures == 0))
}
