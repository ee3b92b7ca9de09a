#!/usr/bin/env bash
# "Deploys" demo-service on this machine: the stand-in for a real deploy step
# in the pipeline workflows (kubectl, aws, terraform…). One instance per
# environment, on 127.0.0.1.
#
#   deploy.sh start <env> <version> <port>   start (replacing a running one),
#                                            wait until the port accepts
#   deploy.sh stop <env>                     stop it (no-op when not running)
#   deploy.sh status <env>                   print its state; exit 0 when
#                                            running, 1 when not
#
# Environment:
#   DEMO_STATE_DIR      where pid, log and version files live
#                       (default: $RUNNER_TEMP/demo-service, else $TMPDIR or /tmp)
#   DEMO_BIN            the demo-service binary (default: demo-service on PATH)
#   DEMO_START_TIMEOUT  seconds to wait for the port (default 10)
#   DEMO_COMMIT, DEMO_START_DELAY, DEMO_UNHEALTHY   passed to the service
# Writes url=, pid= and version= to $GITHUB_OUTPUT when set (start).
# Exit codes: 0 ok, 1 the service did not come up (or is not running, for
# status), 2 bad usage, 3 the environment is broken (no binary, no state dir).
set -euo pipefail

prog="deploy.sh"
state_dir="${DEMO_STATE_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/demo-service}"
bin="${DEMO_BIN:-demo-service}"

usage() {
  cat >&2 <<EOF
usage: $prog start <env> <version> <port>
       $prog stop <env>
       $prog status <env>
EOF
  exit "${1:-2}"
}

die() {
  local code="$1"
  shift
  echo "$prog: $*" >&2
  if [ "${GITHUB_ACTIONS:-}" = "true" ]; then
    local msg="$*"
    msg="${msg//'%'/'%25'}"
    msg="${msg//$'\r'/'%0D'}"
    msg="${msg//$'\n'/'%0A'}"
    echo "::error title=$prog::$msg" >&2
  fi
  exit "$code"
}

check_env_name() {
  [[ "$1" =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]] ||
    die 2 "invalid environment '$1': expected lowercase letters, digits and '-', such as dev or qa"
}

check_version() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$ ]] ||
    die 2 "invalid version '$1': expected letters, digits and . _ + -, such as 84fb5881-20250120-143022"
}

check_port() {
  if ! [[ "$1" =~ ^[0-9]{1,5}$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
    die 2 "invalid port '$1': expected a number from 1 to 65535, such as 8081"
  fi
}

# The pid of the running instance for an environment, or nothing. A pid file
# whose process is gone, or now belongs to another program, counts as none.
running_pid() {
  local pidfile="$state_dir/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(tr -dc '0-9' <"$pidfile")"
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  if [ -r "/proc/$pid/cmdline" ] && [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" != *demo-service* ]]; then
    return 0
  fi
  echo "$pid"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_env() {
  local env="$1" pid waited=0
  pid="$(running_pid "$env")"
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge 50 ]; then
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
      waited=$((waited + 1))
    done
    echo "$prog: stopped $env (pid $pid)" >&2
  else
    echo "$prog: $env is not running" >&2
  fi
  rm -f "$state_dir/$env.pid" "$state_dir/$env.port" "$state_dir/$env.version"
}

start_env() {
  local env="$1" version="$2" port="$3"
  local timeout="${DEMO_START_TIMEOUT:-10}"
  [[ "$timeout" =~ ^[0-9]+$ ]] || die 2 "invalid DEMO_START_TIMEOUT '$timeout': expected whole seconds, such as 10"

  local binpath
  if [[ "$bin" == */* ]]; then
    [ -x "$bin" ] || die 3 "DEMO_BIN '$bin' is not an executable file"
    binpath="$bin"
  else
    binpath="$(command -v "$bin")" || die 3 "'$bin' is not on PATH; build it (cargo build -p demo-service) or set DEMO_BIN"
  fi
  mkdir -p "$state_dir" || die 3 "cannot create the state directory $state_dir"

  if [ -n "$(running_pid "$env")" ]; then
    echo "$prog: replacing the running $env instance" >&2
    stop_env "$env"
  fi
  if port_open "$port"; then
    die 1 "port $port on 127.0.0.1 is already in use; pick another port or stop what listens there"
  fi

  local log="$state_dir/$env.log" pidfile="$state_dir/$env.pid"
  rm -f "$pidfile"
  DEMO_VERSION="$version" "$binpath" --addr 127.0.0.1 --port "$port" --pid-file "$pidfile" \
    </dev/null >>"$log" 2>&1 &
  local pid=$!

  # Up means: our process wrote its pid file (it has bound the port) and the
  # port accepts connections.
  local deadline=$((SECONDS + timeout))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      echo "--- last lines of $log ---" >&2
      tail -n 20 "$log" >&2 || true
      die 1 "demo-service $version for $env exited before it listened on port $port"
    fi
    if [ -s "$pidfile" ] && [ "$(tr -dc '0-9' <"$pidfile")" = "$pid" ] && port_open "$port"; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      die 1 "demo-service $version for $env did not listen on port $port within ${timeout}s (log: $log)"
    fi
    sleep 0.05
  done

  echo "$port" >"$state_dir/$env.port"
  echo "$version" >"$state_dir/$env.version"
  local url="http://127.0.0.1:$port"
  echo "$prog: demo-service $version deployed to $env at $url (pid $pid)" >&2
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
      echo "url=$url"
      echo "pid=$pid"
      echo "version=$version"
    } >>"$GITHUB_OUTPUT"
  fi
  echo "$url"
}

status_env() {
  local env="$1" pid
  pid="$(running_pid "$env")"
  if [ -z "$pid" ]; then
    echo "$env: not running"
    exit 1
  fi
  local port version
  port="$(cat "$state_dir/$env.port" 2>/dev/null || echo '?')"
  version="$(cat "$state_dir/$env.version" 2>/dev/null || echo '?')"
  echo "$env: running version $version at http://127.0.0.1:$port (pid $pid)"
}

[ "$#" -ge 1 ] || usage
command="$1"
shift
case "$command" in
  start)
    [ "$#" -eq 3 ] || usage
    check_env_name "$1"
    check_version "$2"
    check_port "$3"
    start_env "$1" "$2" "$3"
    ;;
  stop)
    [ "$#" -eq 1 ] || usage
    check_env_name "$1"
    stop_env "$1"
    ;;
  status)
    [ "$#" -eq 1 ] || usage
    check_env_name "$1"
    status_env "$1"
    ;;
  -h | --help | help)
    usage 0
    ;;
  *)
    echo "$prog: unknown command '$command'" >&2
    usage
    ;;
esac
