# shellcheck shell=bash
# Shared helpers for scripts/run, scripts/test and .ci/run. Source it, don't execute it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Functions:
#   castor_install_deps [PKG...]   install the Debian packages castor needs and the optional PKGs
#                                  (e.g. "${CASTOR_S3_CLIENT_DEB_PACKAGES[@]}"), only the missing ones
#   castor_build [TYPE] [DIR] [ARGS...]
#                                  configure (Ninja) and build; TYPE Release (default) | Debug | ...,
#                                  DIR build (default); ARGS are passed to cmake's configure step;
#                                  uses ccache when installed (CASTOR_CCACHE=0 turns it off)
#                                  (it builds the web console first: castor_console_build)
#   castor_console_build           build the web console into console/dist (npm ci when
#                                  console/node_modules is missing or stale, then npm run build
#                                  when a file of console/ is newer than the build); installs Debian's
#                                  nodejs and npm when node is missing. CASTOR_CONSOLE=0 skips it.
#   castor_format_check            clang-format --dry-run --Werror over src/ tests/ bench/
#   castor_listen_addr_taken HOST PORT
#                                  whether something already listens on PORT (exit status)
#   castor_pg_start DIR [--throwaway] [--database NAME]
#                                  start (or reuse, if already running) a private PostgreSQL cluster
#                                  kept in DIR (created on first use), export DATABASE_URL and write
#                                  it to DIR/database_url:
#                                    postgresql://postgres@/NAME?host=<socket dir>&port=<port>
#                                  (superuser "postgres", trust auth, UTF8, C locale; database NAME,
#                                  created when missing, default "postgres").
#                                  --throwaway: fsync=off and friends, for test clusters only.
#                                  CASTOR_PG_TCP=1 also listens on 127.0.0.1:<port> (a free port
#                                  chosen at run time); by default it listens on the unix socket only.
#   castor_pg_stop DIR             stop the cluster kept in DIR (no-op when it is not running)
#   castor_pg_is_running DIR       whether the cluster kept in DIR runs (exit status)
#   castor_pg_destroy DIR          stop it and remove DIR and everything the cluster put elsewhere
#
# When run as root, PostgreSQL (which refuses to run as root) runs as the "postgres" system user
# via runuser; if that user cannot reach DIR (e.g. a repository under /root), the cluster itself
# lives in a mktemp directory under /tmp whose path is recorded in DIR/location.

# The Debian bookworm packages needed to build, test and run castor.
CASTOR_DEB_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libpqxx-dev libssl-dev libspdlog-dev catch2 libjwt-dev
  yamllint
  postgresql postgresql-client curl media-types openssl
  # bundles (archives) and castorctl (HTTP client, command line); unzip/bsdtar check archives
  libarchive-dev libcurl4-openssl-dev libcli11-dev libtomlplusplus-dev unzip libarchive-tools
  # the S3 API: XML bodies, and the CRCs of its flexible checksums
  libpugixml-dev libisal-dev
)

# Optional: the real S3 clients that tests/s3clients/run.sh drives (not needed to build or run
# castor; run.sh passes them to castor_install_deps). The JS SDK comes from npm (tests/s3clients/js).
CASTOR_S3_CLIENT_DEB_PACKAGES=(awscli rclone s3cmd python3-boto3 jq xxd)

castor_log() {
  printf '==> %s\n' "$*" >&2
}

castor_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

_castor_pkg_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
  [[ $status == installed ]]
}

castor_install_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    castor_log "not a Debian system: skipping package installation (need: ${CASTOR_DEB_PACKAGES[*]} $*)"
    return 0
  fi
  local pkg missing=()
  for pkg in "${CASTOR_DEB_PACKAGES[@]}" "$@"; do
    _castor_pkg_installed "$pkg" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  local prefix=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 ||
      castor_die "missing packages (${missing[*]}) and not root and no sudo: install them first"
    prefix=(sudo)
  fi
  castor_log "installing missing packages: ${missing[*]}"
  "${prefix[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get update -o DPkg::Lock::Timeout=600 </dev/null
  "${prefix[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" </dev/null
}

castor_console_build() {
  [[ ${CASTOR_CONSOLE:-1} == 1 ]] || return 0
  local dir=$PWD/console
  [[ -f $dir/package.json ]] || return 0
  # Node.js 18 or later: Debian bookworm's nodejs (18) when there is none (a NodeSource nodejs,
  # which carries its own npm, is left alone: Debian's npm package would conflict with it).
  command -v node >/dev/null 2>&1 || castor_install_deps nodejs
  command -v npm >/dev/null 2>&1 || castor_install_deps npm
  # npm ci writes node_modules/.package-lock.json: older than package-lock.json means stale.
  if [[ ! -f $dir/node_modules/.package-lock.json ||
    $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    castor_log "npm ci in console/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || castor_die "npm ci failed in console/"
  fi
  if [[ ! -f $dir/dist/index.html ]] ||
    [[ -n $(find "$dir" \( -path "$dir/node_modules" -o -path "$dir/dist" \) -prune -o \
      -type f -newer "$dir/dist/index.html" -print -quit) ]]; then
    castor_log "building the web console (console/dist)"
    (cd "$dir" && npm run --silent build) || castor_die "the console build failed (console/)"
  fi
}

castor_build() {
  local type=Release dir=build
  case "${1:-}" in
    Release | Debug | RelWithDebInfo | MinSizeRel)
      type=$1
      shift
      ;;
  esac
  if [[ $# -gt 0 ]]; then
    dir=$1
    shift
  fi
  castor_console_build
  castor_log "building ($type) in $dir"
  local launcher=()
  # ccache, when installed, makes rebuilds in other build directories and worktrees cheap.
  if [[ ${CASTOR_CCACHE:-1} == 1 ]] && command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$PWD")} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  fi
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${launcher[@]}" "$@"
  # CASTOR_BUILD_TARGET narrows the build to these space-separated targets (scripts/run needs
  # only the server and castorctl).
  local targets=()
  read -ra targets <<<"${CASTOR_BUILD_TARGET:-}"
  cmake --build "$dir" -j "${CASTOR_BUILD_JOBS:-2}" ${targets[@]:+--target "${targets[@]}"}
}

# clang-format check over the C++ sources. Returns non-zero when a file is not formatted.
castor_format_check() {
  if ! command -v clang-format >/dev/null 2>&1; then
    castor_log "clang-format not installed: skipping the format check"
    return 0
  fi
  local dirs=() d
  for d in src tests bench; do
    [[ -d $d ]] && dirs+=("$d")
  done
  local files=()
  if [[ ${#dirs[@]} -gt 0 ]]; then
    mapfile -d '' files < <(find "${dirs[@]}" -type f \
      \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.cc' \) -print0 | sort -z)
  fi
  if [[ ${#files[@]} -eq 0 ]]; then
    castor_log "format check: no C++ files"
    return 0
  fi
  castor_log "format check: clang-format over ${#files[@]} files"
  if ! clang-format --dry-run --Werror "${files[@]}"; then
    printf 'error: unformatted C++ code (see above); fix it with: clang-format -i FILE...\n' >&2
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Private PostgreSQL clusters

_castor_pg_bindir() {
  local best
  # Debian keeps each major version's server binaries in /usr/lib/postgresql/<version>/bin.
  best=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' -printf '%h\n' \
    2>/dev/null | sort -V | tail -n 1)
  if [[ -n $best ]]; then
    printf '%s\n' "$best"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  else
    castor_die "PostgreSQL server binaries (initdb, pg_ctl) not found; run castor_install_deps"
  fi
}

# Run a PostgreSQL command as the user that owns the clusters: "postgres" when we are root.
_castor_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Percent-encode a string for a URI query value.
_castor_urlencode() {
  local s=$1 out="" c i
  local LC_ALL=C
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [A-Za-z0-9/._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s\n' "$out"
}

# Is a TCP port on 127.0.0.1 in use (something listening)?
_castor_port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htan "sport = :$port" 2>/dev/null) ]] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
  return 1
}

# Does something already listen where castor would (HOST PORT, as in LISTEN_ADDR)? Any listener
# on PORT counts; without ss, a connection attempt to HOST (or 127.0.0.1 for a wildcard) decides.
castor_listen_addr_taken() {
  local host=$1 port=$2 probe
  case "$host" in
    0.0.0.0 | '' | '[::]' | '::' | localhost) probe=127.0.0.1 ;;
    '['*']') probe=${host:1:${#host}-2} ;;
    *) probe=$host ;;
  esac
  if command -v ss >/dev/null 2>&1 && [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]]; then
    return 0
  fi
  (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null
}

_castor_free_port() {
  local port tries
  port=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
  for ((tries = 0; tries < 500; tries++)); do
    if ! _castor_port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
    port=$((port + 1))
    ((port > 60000)) && port=20000
  done
  castor_die "no free TCP port found"
}

# The directory that actually holds the cluster kept in DIR (DIR itself, or a relocated one).
_castor_pg_root() {
  local dir=$1
  if [[ -f $dir/location ]]; then
    cat "$dir/location"
  else
    printf '%s\n' "$dir"
  fi
}

_castor_pg_running() {
  local bindir=$1 data=$2
  [[ -f $data/PG_VERSION ]] || return 1
  _castor_as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

# Quote a string as a postgresql.conf value.
_castor_conf_quote() {
  printf "'%s'" "${1//\'/\'\'}"
}

castor_pg_start() {
  local dir=${1:?usage: castor_pg_start DIR [--throwaway] [--database NAME]} throwaway=0
  local database=postgres
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --throwaway) throwaway=1 ;;
      --database)
        database=${2:?--database needs a name}
        shift
        ;;
      *) castor_die "castor_pg_start: unknown option $1" ;;
    esac
    shift
  done
  local bindir root data sockdir port url
  bindir=$(_castor_pg_bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)

  root=$(_castor_pg_root "$dir")
  data=$root/data
  if _castor_pg_running "$bindir" "$data"; then
    if [[ -f $dir/database_url ]]; then
      DATABASE_URL=$(cat "$dir/database_url")
      export DATABASE_URL
      if _castor_as_pg "$bindir/psql" "$DATABASE_URL" -qtAXc 'select 1' >/dev/null 2>&1; then
        castor_log "reusing the PostgreSQL cluster already running in $root"
        castor_log "DATABASE_URL=$DATABASE_URL"
        return 0
      fi
    fi
    castor_log "the cluster in $root runs but cannot be reached as recorded: restarting it"
    _castor_as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi

  if [[ ! -d $root ]]; then
    # A relocated cluster whose directory vanished (e.g. /tmp cleaned): start over.
    rm -f "$dir/location"
    root=$dir
    data=$root/data
  fi

  if [[ $(id -u) -eq 0 ]]; then
    getent passwd postgres >/dev/null ||
      castor_die "running as root needs the 'postgres' system user (install the postgresql package)"
    if [[ $root == "$dir" && ! -f $data/PG_VERSION ]] &&
      ! runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null; then
      root=$(mktemp -d /tmp/castor-pg.XXXXXX)
      chmod 755 "$root"
      printf '%s\n' "$root" >"$dir/location"
      castor_log "the postgres user cannot reach $dir: keeping the cluster in $root"
      data=$root/data
    fi
    chown postgres: "$root"
  fi

  # The unix socket path must stay under ~107 bytes: use a short directory when DIR is deep.
  sockdir=$root/sock
  if ((${#sockdir} > 80)) || [[ $sockdir == *[[:space:]]* ]]; then
    if [[ -f $root/sockdir && -d $(cat "$root/sockdir") ]]; then
      sockdir=$(cat "$root/sockdir")
    else
      sockdir=$(mktemp -d /tmp/castor-pgsock.XXXXXX)
      printf '%s\n' "$sockdir" >"$root/sockdir"
    fi
  fi
  mkdir -p "$sockdir"
  chmod 755 "$sockdir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$sockdir"
    [[ -e $root/log ]] || install -o postgres -g postgres -m 640 /dev/null "$root/log"
  fi

  if [[ ! -f $data/PG_VERSION ]]; then
    castor_log "creating a PostgreSQL cluster in $data"
    rm -rf "$data"
    local initdb_args=(-D "$data" -U postgres --auth=trust -E UTF8 --locale=C)
    ((throwaway)) && initdb_args+=(--no-sync)
    _castor_as_pg "$bindir/initdb" "${initdb_args[@]}" >"$root/initdb.log" 2>&1 || {
      cat "$root/initdb.log" >&2
      castor_die "initdb failed"
    }
    printf "\n# castor: per-start settings written by castor_pg_start\ninclude_if_exists = 'castor.conf'\n" |
      _castor_as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi

  local attempt listen
  listen="''"
  [[ ${CASTOR_PG_TCP:-0} == 1 ]] && listen="'127.0.0.1'"
  for attempt in 1 2 3 4 5; do
    port=$(_castor_free_port)
    {
      printf '# rewritten at every start by castor_pg_start\n'
      printf 'listen_addresses = %s\n' "$listen"
      printf 'port = %s\n' "$port"
      printf 'unix_socket_directories = %s\n' "$(_castor_conf_quote "$sockdir")"
      printf 'max_connections = 200\n'
      printf 'shared_buffers = 128MB\n'
      if ((throwaway)); then
        printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
      fi
    } | _castor_as_pg tee "$data/castor.conf" >/dev/null
    if _castor_as_pg "$bindir/pg_ctl" -D "$data" -l "$root/log" -w -t 120 start >/dev/null; then
      break
    fi
    # Only a TCP port can be taken by someone else between the check and the start: retry then.
    if ((attempt == 5)) || [[ ${CASTOR_PG_TCP:-0} != 1 ]]; then
      tail -n 30 "$root/log" >&2 || true
      castor_die "could not start PostgreSQL in $data (log: $root/log)"
    fi
    castor_log "PostgreSQL did not start on port $port; retrying with another port"
  done

  url="postgresql://postgres@/postgres?host=$(_castor_urlencode "$sockdir")&port=$port"
  if [[ $database != postgres ]]; then
    if [[ -z $(_castor_as_pg "$bindir/psql" "$url" -qtAXc \
      "select 1 from pg_database where datname = '$database'") ]]; then
      castor_log "creating database $database"
      _castor_as_pg "$bindir/psql" "$url" -qtAXc "create database \"$database\"" >/dev/null
    fi
    url=${url/\/postgres\?//$database?}
  fi
  printf '%s\n' "$url" >"$dir/database_url"
  DATABASE_URL=$url
  export DATABASE_URL
  castor_log "PostgreSQL $("$bindir/pg_ctl" --version | sed -E 's/^[^0-9]*([0-9.]+).*/\1/') running in $data"
  castor_log "DATABASE_URL=$DATABASE_URL"
}

castor_pg_is_running() {
  local dir=${1:?usage: castor_pg_is_running DIR}
  [[ -d $dir ]] || return 1
  _castor_pg_running "$(_castor_pg_bindir)" "$(_castor_pg_root "$(cd "$dir" && pwd -P)")/data"
}

castor_pg_stop() {
  local dir=${1:?usage: castor_pg_stop DIR} bindir root
  [[ -d $dir ]] || return 0
  dir=$(cd "$dir" && pwd -P)
  bindir=$(_castor_pg_bindir)
  root=$(_castor_pg_root "$dir")
  if _castor_pg_running "$bindir" "$root/data"; then
    castor_log "stopping PostgreSQL in $root/data"
    _castor_as_pg "$bindir/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null ||
      _castor_as_pg "$bindir/pg_ctl" -D "$root/data" -m immediate -w -t 30 stop >/dev/null ||
      true
  fi
  rm -f "$dir/database_url"
}

castor_pg_destroy() {
  local dir=${1:?usage: castor_pg_destroy DIR} root
  [[ -d $dir ]] || return 0
  dir=$(cd "$dir" && pwd -P)
  castor_pg_stop "$dir"
  root=$(_castor_pg_root "$dir")
  if [[ -f $root/sockdir ]]; then
    rm -rf "$(cat "$root/sockdir")"
  fi
  [[ $root != "$dir" ]] && rm -rf "$root"
  rm -rf "$dir"
}
