#!/usr/bin/env bash
# CTest entry e2e_db_pause: runs the [dbpause] tests against a private PostgreSQL cluster, because
# they pause the whole cluster (SIGSTOP) and must not stall the suites that share the main one.
#   db_pause_test.sh E2E_TEST_BINARY
set -euo pipefail
binary=${1:?usage: db_pause_test.sh E2E_TEST_BINARY}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/castor-pause-pg.XXXXXX")
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # A test that died while the cluster was paused must not leave it stopped.
  if [[ -f $pg_dir/location ]]; then pg_root=$(cat "$pg_dir/location"); else pg_root=$pg_dir; fi
  if [[ -f $pg_root/data/postmaster.pid ]]; then
    pid=$(head -n 1 "$pg_root/data/postmaster.pid")
    kill -CONT "$pid" $(pgrep -P "$pid" || true) 2>/dev/null || true
  fi
  castor_pg_destroy "$pg_dir" >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

castor_pg_start "$pg_dir" --throwaway 2>/dev/null
"$binary" "[dbpause]"
