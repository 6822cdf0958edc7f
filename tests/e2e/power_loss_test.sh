#!/usr/bin/env bash
# CTest entry e2e_power_loss: runs the [powerloss] tests against a private PostgreSQL cluster with
# the durability settings of production (fsync, synchronous_commit and full_page_writes on: NOT a
# throwaway cluster), because they kill -9 the whole cluster after every acknowledged upload.
#   power_loss_test.sh E2E_TEST_BINARY       run the tests
#   power_loss_test.sh --restart-pg PG_DIR   (used by the tests) start the killed cluster again,
#                                            on the same port and socket, recovering from its WAL
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

if [[ ${1:-} == --restart-pg ]]; then
  pg_dir=${2:?usage: power_loss_test.sh --restart-pg PG_DIR}
  pg_root=$(_castor_pg_root "$pg_dir")
  # pg_ctl warns that the stale lock file names a dead postmaster: expected after a kill -9.
  if ! output=$(_castor_as_pg "$(_castor_pg_bindir)/pg_ctl" -D "$pg_root/data" -l "$pg_root/log" \
    -w -t 120 start 2>&1); then
    printf '%s\n' "$output" >&2
    tail -n 30 "$pg_root/log" >&2 || true
    exit 1
  fi
  exit 0
fi

binary=${1:?usage: power_loss_test.sh E2E_TEST_BINARY}
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/castor-powerloss-pg.XXXXXX")
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  castor_pg_destroy "$pg_dir" >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

castor_pg_start "$pg_dir" 2>/dev/null
export CASTOR_POWERLOSS_PG_DIR=$pg_dir
export CASTOR_POWERLOSS_SCRIPT=$root/tests/e2e/power_loss_test.sh
"$binary" "[powerloss]"
