#!/usr/bin/env bash
# A 3-node MariaDB Galera cluster on loopback, for the tests (issue 9).
#
#   galera.sh up [BASEDIR]     tear down any cluster at BASEDIR, then bootstrap 3 fresh nodes
#                              and wait until all are Synced with wsrep_cluster_size=3
#   galera.sh down [BASEDIR]   stop every node started here (SIGTERM, then SIGKILL), remove BASEDIR
#   galera.sh status           one line per node; exit 0 only if every node is Synced in a
#                              Primary component of 3
#   galera.sh kill N           kill -9 node N (1..3)
#   galera.sh stop N           clean shutdown of node N (SIGTERM, SIGKILL after a timeout)
#   galera.sh start N          restart node N: --wsrep-recover, then --wsrep-start-position so
#                              it catches up by IST; waits until it is Synced again
#   galera.sh wait [N]         wait until node N (or every running node) is Synced and its
#                              cluster size equals the number of running nodes
#
# Environment:
#   GALERA_DIR          base dir (default ${TMPDIR:-/tmp}/ah-galera; the BASEDIR argument wins)
#   GALERA_BASE_PORT    SQL port of node 1 (default 4406; nodes 2, 3 use +1, +2)
#   GALERA_REPL_PORT    group-communication port of node 1 (default 14567); node N uses
#                       REPL+10*(N-1) for gcomm, +1 for IST, +2 for SST (rsync)
#   GALERA_TIMEOUT      seconds to wait for Synced (default 90)
#   GALERA_STOP_TIMEOUT seconds between SIGTERM and SIGKILL for `stop N` (default 30)
#   GALERA_DOWN_TIMEOUT the same for each node in `down` (default 10; nodes stop one by one)
#   GALERA_PROVIDER_OPTIONS  extra wsrep_provider_options, appended (e.g. "evs.suspect_timeout=PT3S")
#
# Ports are written to BASEDIR/cluster.env by `up`; the other subcommands read them from there.
# Only processes started from BASEDIR are ever signalled; the system server on 3306 is never
# touched (its my.cnf is never read: every node uses --defaults-file).
set -euo pipefail

PROG=galera.sh
MARKER=.ah-galera-cluster
PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
NODES=(1 2 3)

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }
now() { date +%s; }
T0=$EPOCHREALTIME
elapsed() { # seconds since T0, one decimal
  local a=${T0/./} b=${EPOCHREALTIME/./}
  local ds=$(( (b - a) / 100000 ))
  echo "$((ds / 10)).$((ds % 10))s"
}

MARIADBD=$(PATH="$PATH:/usr/sbin:/sbin" command -v mariadbd || true)
MARIADB=$(command -v mariadb || true)
INSTALL_DB=$(command -v mariadb-install-db || true)

# ---------------------------------------------------------------------------------------------
# settings

set_base() {
  BASE=${1:-${GALERA_DIR:-${TMPDIR:-/tmp}/ah-galera}}
  [ -n "$BASE" ] || die "empty base dir"
  case "$BASE" in /*) ;; *) BASE="$PWD/$BASE" ;; esac
  BASE=${BASE%/}
  case "$BASE" in
    ""|/|/usr|/usr/*|/etc|/etc/*|/var/lib/mysql|/var/lib/mysql/*|/run/mysqld|/run/mysqld/*|/home|/root|/tmp)
      die "refusing to use '$BASE' as the cluster base dir" ;;
  esac
}

# ports from the environment (for up) ...
set_ports_from_env() {
  local sql=${GALERA_BASE_PORT:-4406} repl=${GALERA_REPL_PORT:-14567} n
  [[ "$sql" =~ ^[0-9]+$ && "$repl" =~ ^[0-9]+$ ]] || die "GALERA_BASE_PORT/GALERA_REPL_PORT must be numbers"
  for n in "${NODES[@]}"; do
    SQL_PORT[$n]=$((sql + n - 1))
    GCOMM_PORT[$n]=$((repl + 10 * (n - 1)))
    IST_PORT[$n]=$((repl + 10 * (n - 1) + 1))
    SST_PORT[$n]=$((repl + 10 * (n - 1) + 2))
  done
}

# ... or from the cluster.env written by up (for everything else)
load_env() {
  [ -f "$BASE/cluster.env" ] || die "no cluster at $BASE (run: $PROG up $BASE)"
  # shellcheck disable=SC1091
  . "$BASE/cluster.env"
  local n
  for n in "${NODES[@]}"; do
    local s="SQL_PORT_$n" g="GCOMM_PORT_$n" i="IST_PORT_$n" t="SST_PORT_$n"
    SQL_PORT[$n]=${!s}; GCOMM_PORT[$n]=${!g}; IST_PORT[$n]=${!i}; SST_PORT[$n]=${!t}
  done
}

write_env() {
  local n
  {
    echo "# written by $PROG up"
    for n in "${NODES[@]}"; do
      echo "SQL_PORT_$n=${SQL_PORT[$n]}"
      echo "GCOMM_PORT_$n=${GCOMM_PORT[$n]}"
      echo "IST_PORT_$n=${IST_PORT[$n]}"
      echo "SST_PORT_$n=${SST_PORT[$n]}"
    done
  } >"$BASE/cluster.env"
}

nd() { echo "$BASE/node$1"; }
sock() { echo "$BASE/node$1/mysqld.sock"; }
cnf() { echo "$BASE/node$1/my.cnf"; }
errlog() { echo "$BASE/node$1/error.log"; }

check_node_arg() {
  [[ "${1:-}" =~ ^[123]$ ]] || die "node must be 1, 2 or 3 (got '${1:-}')"
}

# ---------------------------------------------------------------------------------------------
# prerequisites

check_packages() {
  local missing=() pkgs=()
  if [ ! -e "$PROVIDER" ]; then missing+=("$PROVIDER"); pkgs+=(galera-4); fi
  if [ -z "$MARIADBD" ] || [ -z "$INSTALL_DB" ]; then missing+=("mariadbd/mariadb-install-db"); pkgs+=(mariadb-server); fi
  if [ -z "$MARIADB" ]; then missing+=(mariadb); pkgs+=(mariadb-client); fi
  if ! command -v rsync >/dev/null 2>&1; then missing+=(rsync); pkgs+=(rsync); fi
  if ! command -v socat >/dev/null 2>&1; then missing+=(socat); pkgs+=(socat); fi
  if ! command -v ss >/dev/null 2>&1; then missing+=("ss"); pkgs+=(iproute2); fi
  if ! command -v wsrep_sst_rsync >/dev/null 2>&1; then missing+=(wsrep_sst_rsync); pkgs+=(mariadb-server); fi
  if [ ${#missing[@]} -gt 0 ]; then
    die "cannot start the Galera cluster: missing ${missing[*]}.
Install with: apt-get update && apt-get install -y $(printf '%s\n' "${pkgs[@]}" | sort -u | tr '\n' ' ')"
  fi
}

# As root, run the nodes as the mysql user: mariadbd only runs as root with user=root, and then
# the joiner's rsync daemon (started by wsrep_sst_rsync as root) drops to uid nobody and the
# rsync SST fails with "cannot stat destination ... Permission denied". As any other user the
# nodes run as that user.
RUN_AS=""
if [ "$(id -u)" -eq 0 ]; then RUN_AS=${GALERA_USER:-mysql}; fi

check_run_as() {
  [ -n "$RUN_AS" ] || return 0
  id "$RUN_AS" >/dev/null 2>&1 || die "user '$RUN_AS' does not exist (it comes with mariadb-server; or set GALERA_USER)"
  # every directory above the base dir must be traversable by that user
  if command -v runuser >/dev/null 2>&1 && ! runuser -u "$RUN_AS" -- test -x "$BASE"; then
    die "user $RUN_AS cannot reach $BASE (a parent directory is not world-searchable); use another GALERA_DIR"
  fi
}

port_in_use() { # prints the listener line if something listens on 127.0.0.1/any:$1
  ss -Hltnp "sport = :$1" 2>/dev/null | head -1
}

check_ports_free() {
  local n p busy=()
  for n in "${NODES[@]}"; do
    for p in "${SQL_PORT[$n]}" "${GCOMM_PORT[$n]}" "${IST_PORT[$n]}" "${SST_PORT[$n]}"; do
      [ "$p" -ne 3306 ] || die "port 3306 belongs to the system MariaDB server; pick other ports"
      [ "$p" -gt 1024 ] && [ "$p" -lt 65536 ] || die "port $p out of range"
      local l; l=$(port_in_use "$p")
      [ -z "$l" ] || busy+=("$p ($l)")
    done
  done
  if [ ${#busy[@]} -gt 0 ]; then
    die "ports already in use: ${busy[*]}
(set GALERA_BASE_PORT / GALERA_REPL_PORT, or stop whatever listens there)"
  fi
}

# ---------------------------------------------------------------------------------------------
# processes

# pid of node N if it is running (and really is our mariadbd for that node), else nothing
node_pid() {
  local n=$1 f pid
  for f in "$(nd "$n")/launch.pid" "$(nd "$n")/mysqld.pid"; do
    [ -f "$f" ] || continue
    pid=$(tr -dc '0-9' <"$f" 2>/dev/null || true)
    [ -n "$pid" ] || continue
    if pid_is_node "$pid" "$n"; then echo "$pid"; return 0; fi
  done
  return 0
}

pid_alive() { # running and not a zombie
  local st
  [ -r "/proc/$1/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

pid_is_node() {
  local pid=$1 n=$2 cmd
  pid_alive "$pid" || return 1
  cmd=$(tr "\\0" " " 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ "$cmd" == *"--defaults-file=$(cnf "$n")"* ]]
}

# helper processes of node N (SST scripts, rsync daemon, socat, a recovering mariadbd...):
# anything whose command line names the node's directory, except us and our parents
stray_pids() {
  local n=$1 dir p cmd
  dir="$(nd "$n")/"
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != "$$" ] && [ "$p" != "$PPID" ] || continue
    cmd=$(tr "\\0" " " 2>/dev/null <"/proc/$p/cmdline") || continue
    case "$cmd" in
      *"$dir"*|*"$(cnf "$n")"*) ;;
      *) continue ;;
    esac
    case "$cmd" in
      *mariadbd*|*mysqld*|*rsync*|*wsrep_sst*|*socat*) pid_alive "$p" && echo "$p" ;;
    esac
  done
  return 0
}

# wait up to $1 seconds for all the given pids to be gone; prints the survivors
wait_gone() {
  local timeout=$1; shift
  local deadline=$(( $(now) + timeout )) left p
  while :; do
    left=()
    for p in "$@"; do pid_alive "$p" && left+=("$p"); done
    [ ${#left[@]} -gt 0 ] || return 0
    [ "$(now)" -lt "$deadline" ] || { echo "${left[*]}"; return 0; }
    sleep 0.2
  done
}

# a killed orphan stays a zombie until init reaps it; give init a moment (never an error)
wait_reaped() {
  local i p left
  for i in $(seq 1 30); do
    left=0
    for p in "$@"; do [ -e "/proc/$p" ] && left=1; done
    [ $left = 1 ] || return 0
    sleep 0.1
  done
  return 0
}

# stop the given nodes. mode kill: SIGKILL at once. mode term: SIGTERM one node at a time (all
# leaving together makes each wait out the 5 s suspect timeout; one by one each leaves in ~1 s),
# SIGKILL after $timeout seconds (a node receiving SST ignores SIGTERM). Then any leftover
# helper processes of those nodes get SIGKILL.
stop_nodes() {
  local mode=$1 timeout=$2; shift 2
  local n pid pids=() survivors
  for n in "$@"; do
    pid=$(node_pid "$n")
    [ -n "$pid" ] || continue
    pids+=("$pid")
    if [ "$mode" = kill ]; then
      kill -9 "$pid" 2>/dev/null || true
      continue
    fi
    kill -TERM "$pid" 2>/dev/null || true
    survivors=$(wait_gone "$timeout" "$pid")
    if [ -n "$survivors" ]; then
      log "node $n (pid $pid) still running ${timeout}s after SIGTERM: SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    survivors=$(wait_gone 10 "${pids[@]}")
    [ -z "$survivors" ] || die "could not kill pids $survivors"
  fi
  # leftovers: SST helpers, a joiner's rsync daemon, a --wsrep-recover run...
  local strays=()
  for n in "$@"; do
    mapfile -t -O "${#strays[@]}" strays < <(stray_pids "$n")
  done
  if [ ${#strays[@]} -gt 0 ]; then
    kill -9 "${strays[@]}" 2>/dev/null || true
    wait_gone 5 "${strays[@]}" >/dev/null
  fi
  [ "$mode" = kill ] || [ ${#pids[@]} -eq 0 ] || wait_reaped "${pids[@]}"
  for n in "$@"; do
    rm -f "$(nd "$n")/launch.pid"
  done
}

# ---------------------------------------------------------------------------------------------
# SQL

sql_sock() { # node, sql...
  local n=$1; shift
  "$MARIADB" --no-defaults --protocol=socket --socket="$(sock "$n")" -uroot \
    --connect-timeout=2 -N -B -e "$*" 2>/dev/null
}

# "state size status" of node N, or nothing if it does not answer
node_wsrep() {
  local out
  out=$(sql_sock "$1" "SHOW GLOBAL STATUS WHERE Variable_name IN
    ('wsrep_local_state_comment','wsrep_cluster_size','wsrep_cluster_status')") || return 0
  local state="" size="" status=""
  while IFS=$'\t' read -r k v; do
    case "$k" in
      wsrep_local_state_comment) state=$v ;;
      wsrep_cluster_size) size=$v ;;
      wsrep_cluster_status) status=$v ;;
    esac
  done <<<"$out"
  echo "${state:-?} ${size:-?} ${status:-?}"
}

fail_node() { # node, message
  local n=$1; shift
  {
    echo "$PROG: error: node $n (SQL port ${SQL_PORT[$n]}): $*"
    echo "---- last 30 lines of $(errlog "$n") ----"
    tail -n 30 "$(errlog "$n")" 2>/dev/null || echo "(no error log)"
    echo "----"
  } >&2
  exit 1
}

# wait until every node in $@ is Synced in a Primary component whose size equals the number
# of running nodes (or $WANT_SIZE if set); deadline is an absolute epoch second
wait_synced() {
  local deadline=$1; shift
  local n w state size status want
  while :; do
    local ok=1 running=0 last_n="" last_w=""
    for n in "${NODES[@]}"; do [ -n "$(node_pid "$n")" ] && running=$((running + 1)); done
    want=${WANT_SIZE:-$running}
    for n in "$@"; do
      [ -n "$(node_pid "$n")" ] || fail_node "$n" "mariadbd is not running (it exited or was never started)"
    done
    for n in "$@"; do
      w=$(node_wsrep "$n")
      read -r state size status <<<"${w:-"not-answering ? ?"}"
      if [ "$state" != Synced ] || [ "$size" != "$want" ] || [ "$status" != Primary ]; then
        ok=0; last_n=$n; last_w="wsrep_local_state_comment=$state wsrep_cluster_size=$size (want Synced, $want) wsrep_cluster_status=$status"
        [ -n "$w" ] || last_w="not answering on its socket $(sock "$n")"
        break
      fi
    done
    [ $ok = 1 ] && return 0
    if [ "$(now)" -ge "$deadline" ]; then
      fail_node "$last_n" "not Synced after ${GALERA_TIMEOUT:-90}s: $last_w"
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------------------------------------
# nodes

write_cnf() {
  local n=$1 d addr="" m userline=""
  d=$(nd "$n")
  for m in "${NODES[@]}"; do addr+="${addr:+,}127.0.0.1:${GCOMM_PORT[$m]}"; done
  [ -z "$RUN_AS" ] || userline="user = $RUN_AS"
  local popts="gmcast.listen_addr=tcp://127.0.0.1:${GCOMM_PORT[$n]};ist.recv_addr=127.0.0.1:${IST_PORT[$n]};gcache.size=64M"
  [ -z "${GALERA_PROVIDER_OPTIONS:-}" ] || popts+=";${GALERA_PROVIDER_OPTIONS}"
  cat >"$(cnf "$n")" <<EOF
# node $n of the test cluster at $BASE (written by $PROG; read only via --defaults-file)
[mysqld]
$userline
basedir = /usr
datadir = $d/data
tmpdir = $d/tmp
socket = $d/mysqld.sock
pid-file = $d/mysqld.pid
log-error = $d/error.log
port = ${SQL_PORT[$n]}
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
performance_schema = OFF
skip-log-bin
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
innodb_buffer_pool_size = 256M
innodb_log_file_size = 32M
max_connections = 200

wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = ah-galera
wsrep_cluster_address = gcomm://$addr
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:${GCOMM_PORT[$n]}
wsrep_node_incoming_address = 127.0.0.1:${SQL_PORT[$n]}
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:${SST_PORT[$n]}
wsrep_provider_options = "$popts"
EOF
}

launch() { # node, extra mariadbd args...
  local n=$1; shift
  local d; d=$(nd "$n")
  rm -f "$d/mysqld.pid" "$d/launch.pid"
  # detached: own session, no inherited stdio (so callers' pipes close when this script exits)
  setsid "$MARIADBD" --defaults-file="$(cnf "$n")" "$@" </dev/null >>"$d/stdout.log" 2>&1 &
  echo $! >"$d/launch.pid"
}

recover_position() { # prints uuid:seqno[,gtid] or nothing
  local n=$1 d rl pos
  d=$(nd "$n"); rl="$d/recover.log"
  rm -f "$rl"
  # Bounded: a recovery that hits a damaged .frm was seen here to spin and grow to 22 GiB
  # instead of exiting; past 60 s it is killed and the node starts without a position.
  timeout -s KILL "${GALERA_RECOVER_TIMEOUT:-60}" "$MARIADBD" --defaults-file="$(cnf "$n")" --wsrep-recover --log-error="$rl" </dev/null >/dev/null 2>&1 \
    || { log "node $n: --wsrep-recover failed or timed out (see $rl); starting without a position"; return 0; }
  pos=$(grep -a 'WSREP: Recovered position:' "$rl" 2>/dev/null | tail -1 | sed 's/.*WSREP: Recovered position:[[:space:]]*//')
  case "$pos" in
    *:-1*|"") ;;                     # nothing committed / unknown: let it do a full state transfer
    *) echo "$pos" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# subcommands

cmd_down() {
  set_base "${1:-}"
  if [ ! -e "$BASE" ]; then return 0; fi
  [ -f "$BASE/$MARKER" ] || die "$BASE exists but was not created by $PROG; not touching it"
  stop_nodes term "${GALERA_DOWN_TIMEOUT:-10}" 3 2 1
  rm -rf "$BASE"
  log "down: $BASE removed"
}

up_cleanup() {
  [ "${UP_DONE:-1}" = 0 ] || return 0
  trap - EXIT INT TERM
  stop_nodes kill 0 "${NODES[@]}" 2>/dev/null || true
  echo "$PROG: up failed; node processes killed, logs kept in $BASE (removed by the next up/down)" >&2
}

cmd_up() {
  local t0; t0=$(now)
  T0=$EPOCHREALTIME
  set_base "${1:-}"
  check_packages
  if [ -e "$BASE" ]; then
    if [ -f "$BASE/$MARKER" ]; then
      log "tearing down the previous cluster at $BASE"
      cmd_down "$BASE"
    elif [ -n "$(ls -A "$BASE" 2>/dev/null)" ]; then
      die "$BASE exists, is not empty and was not created by $PROG; pick another GALERA_DIR"
    fi
  fi
  set_ports_from_env
  check_ports_free

  mkdir -p "$BASE"
  chmod 755 "$BASE"
  touch "$BASE/$MARKER"
  # if anything below fails (or we are interrupted), kill what was started; keep the logs
  UP_DONE=0
  trap 'up_cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  check_run_as
  write_env
  local n
  for n in "${NODES[@]}"; do mkdir -p "$(nd "$n")/tmp"; write_cnf "$n"; done

  # one system-tables install (root with an empty password on localhost and 127.0.0.1, plus
  # the analytics database), copied to the three datadirs; the joiners get node 1's data by
  # SST anyway
  local tmpl="$BASE/template" ilog="$BASE/install-db.log" userarg=()
  [ -z "$RUN_AS" ] || userarg=(--user="$RUN_AS")
  echo "CREATE DATABASE IF NOT EXISTS analytics;" >"$BASE/init.sql"
  "$INSTALL_DB" --no-defaults --datadir="$tmpl" "${userarg[@]}" --auth-root-authentication-method=normal \
      --skip-name-resolve --skip-test-db --extra-file="$BASE/init.sql" \
      --innodb-log-file-size=32M --innodb-buffer-pool-size=64M >"$ilog" 2>&1 \
    || { tail -n 30 "$ilog" >&2; die "mariadb-install-db failed (log above, full log in $ilog)"; }
  for n in "${NODES[@]}"; do cp -a "$tmpl" "$(nd "$n")/data"; done
  rm -rf "$tmpl"
  if [ -n "$RUN_AS" ]; then
    chown -R "$RUN_AS:" "${NODES[@]/#/$BASE/node}"
  fi

  local deadline=$(( t0 + ${GALERA_TIMEOUT:-90} ))
  log "up: $(elapsed) system tables ready; bootstrapping node 1"
  launch 1 --wsrep-new-cluster
  WANT_SIZE=1 wait_synced "$deadline" 1
  log "up: $(elapsed) node 1 Synced; starting nodes 2 and 3 (rsync SST from node 1)"
  launch 2
  launch 3
  WANT_SIZE=3 wait_synced "$deadline" 1 2 3

  # root@127.0.0.1 with an empty password over TCP on every node
  for n in "${NODES[@]}"; do
    "$MARIADB" --no-defaults -h 127.0.0.1 -P "${SQL_PORT[$n]}" -uroot --connect-timeout=5 -N -B \
        -e "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='analytics'" 2>"$BASE/tcp-check.err" | grep -qx 1 \
      || fail_node "$n" "root@127.0.0.1 cannot use database analytics over TCP: $(cat "$BASE/tcp-check.err")"
  done
  rm -f "$BASE/tcp-check.err"
  UP_DONE=1
  log "up: $(elapsed) 3 nodes Synced at $BASE; SQL ports ${SQL_PORT[1]} ${SQL_PORT[2]} ${SQL_PORT[3]}"
  echo "mysql://root@127.0.0.1:${SQL_PORT[1]},127.0.0.1:${SQL_PORT[2]},127.0.0.1:${SQL_PORT[3]}/analytics"
}

cmd_status() {
  set_base ""
  load_env
  local n pid w state size status all=0
  for n in "${NODES[@]}"; do
    pid=$(node_pid "$n")
    if [ -z "$pid" ]; then
      echo "node$n port=${SQL_PORT[$n]} pid=- state=down size=- status=-"
      all=1; continue
    fi
    w=$(node_wsrep "$n")
    read -r state size status <<<"${w:-"not-answering - -"}"
    echo "node$n port=${SQL_PORT[$n]} pid=$pid state=$state size=$size status=$status"
    if [ "$state" != Synced ] || [ "$size" != 3 ] || [ "$status" != Primary ]; then all=1; fi
  done
  return $all
}

cmd_kill() {
  check_node_arg "${1:-}"
  set_base ""; load_env
  [ -n "$(node_pid "$1")" ] || log "node $1 is not running"
  stop_nodes kill 0 "$1"
  log "node $1 killed (SIGKILL)"
}

cmd_stop() {
  check_node_arg "${1:-}"
  set_base ""; load_env
  [ -n "$(node_pid "$1")" ] || log "node $1 is not running"
  stop_nodes term "${GALERA_STOP_TIMEOUT:-30}" "$1"
  log "node $1 stopped"
}

cmd_start() {
  check_node_arg "${1:-}"
  local n=$1 t0 m others=0 pos
  t0=$(now)
  set_base ""; load_env
  if [ -n "$(node_pid "$n")" ]; then
    log "node $n is already running"
  else
    stop_nodes kill 0 "$n"   # leftovers of a killed node (SST helpers, rsync daemon)
    for m in "${NODES[@]}"; do [ "$m" != "$n" ] && [ -n "$(node_pid "$m")" ] && others=$((others + 1)); done
    local port; for port in "${SQL_PORT[$n]}" "${IST_PORT[$n]}" "${SST_PORT[$n]}"; do
      [ -z "$(port_in_use "$port")" ] || die "node $n: port $port is in use: $(port_in_use "$port")"
    done
    pos=$(recover_position "$n")
    local args=()
    [ -z "$pos" ] || args+=("--wsrep-start-position=$pos")
    if [ "$others" -eq 0 ]; then
      # the whole cluster is down: this node starts a new primary component
      log "node $n: no other node is running; bootstrapping a new cluster from it"
      sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$(nd "$n")/data/grastate.dat" 2>/dev/null || true
      args+=(--wsrep-new-cluster)
    fi
    log "node $n: starting${pos:+ at recovered position $pos}"
    launch "$n" "${args[@]}"
  fi
  wait_synced $(( t0 + ${GALERA_TIMEOUT:-90} )) "$n"
  log "node $n Synced in $(( $(now) - t0 ))s"
}

cmd_wait() {
  set_base ""; load_env
  local deadline=$(( $(now) + ${GALERA_TIMEOUT:-90} )) n targets=()
  if [ -n "${1:-}" ]; then
    check_node_arg "$1"; targets=("$1")
  else
    for n in "${NODES[@]}"; do [ -n "$(node_pid "$n")" ] && targets+=("$n"); done
    [ ${#targets[@]} -gt 0 ] || die "no node is running at $BASE"
  fi
  wait_synced "$deadline" "${targets[@]}"
}

declare -a SQL_PORT GCOMM_PORT IST_PORT SST_PORT
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status ;;
  kill) cmd_kill "$@" ;;
  stop) cmd_stop "$@" ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  *) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
