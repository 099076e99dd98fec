# Helpers for the uring-http-server integration tests. Source it from a test
# script run as:  bash test-NAME.sh /path/to/uring-http-server [server args...]
#
# Exit codes follow the liburing/automake convention: 0 pass, 1 fail,
# 77 skipped (with the reason printed). Scratch space is made under
# $HTTP_TEST_TMPDIR (the build tree, so O_DIRECT is tried on the build
# filesystem) and removed on exit, with any server still running.

set -euo pipefail

SERVER=${1:?usage: $0 /path/to/uring-http-server [server args...]}
shift
SERVER_ARGS=("$@")
[[ -x $SERVER ]] || { echo "FAIL: $SERVER is not executable" >&2; exit 1; }

TEST_NAME=$(basename "$0" .sh)
mkdir -p "${HTTP_TEST_TMPDIR:=${TMPDIR:-/tmp}}"
WORK=$(mktemp -d "$HTTP_TEST_TMPDIR/$TEST_NAME.XXXXXX")
ROOT=$WORK/root
mkdir -p "$ROOT"
chmod 755 "$WORK" "$ROOT"
SERVER_PID=
PORT=
BACKGROUND=() # client processes to stop on exit
cleanup() {
  local pid
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $SERVER_PID ]]; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
umask 022

skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*" >&2
  if [[ -s $WORK/server.err ]]; then
    echo "server stderr:" >&2
    tail -20 "$WORK/server.err" >&2
  fi
  exit 1
}
note() { echo "--- $*"; }

command -v curl >/dev/null || skip "curl is not installed"

# random_file PATH BYTES
random_file() { head -c "$2" /dev/urandom >"$1"; }

# start_server [more args...]: starts the server on ROOT with SERVER_ARGS and
# the given args on a free loopback port; sets PORT and SERVER_PID.
start_server() {
  : >"$WORK/server.out"
  : >"$WORK/server.err"
  "$SERVER" "$ROOT" --address 127.0.0.1 --port 0 "${SERVER_ARGS[@]}" "$@" \
    >"$WORK/server.out" 2>"$WORK/server.err" </dev/null &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]\+\)$/\1/p' "$WORK/server.out")
    [[ -n $PORT ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited: $(cat "$WORK/server.out" "$WORK/server.err")"
    sleep 0.05
  done
  [[ -n $PORT ]] || fail "server did not print 'listening on'"
  note "server: $(head -2 "$WORK/server.out" | tr '\n' ' ')port $PORT"
}

# stop_server: SIGTERM; the server must exit 0 and have printed no error.
stop_server() {
  local status=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || status=$?
  SERVER_PID=
  [[ $status == 0 ]] || fail "server exited $status after SIGTERM"
  grep -q '^stopped: ' "$WORK/server.out" || fail "server did not report its stop"
  [[ ! -s $WORK/server.err ]] || fail "server wrote errors"
}

url() { echo "http://127.0.0.1:$PORT$1"; }

# fetch PATH OUT [curl args...]: GET into OUT; prints the status code.
fetch() {
  local path=$1 out=$2
  shift 2
  curl -sS --path-as-is --max-time 20 -o "$out" -w '%{http_code}' "$@" "$(url "$path")"
}

# status PATH [curl args...]: the status code of a GET (body discarded).
status() {
  local path=$1
  shift
  fetch "$path" /dev/null "$@"
}

# expect_status WANT PATH [curl args...]
expect_status() {
  local want=$1 got
  shift
  got=$(status "$@")
  [[ $got == "$want" ]] || fail "GET $* gave $got, expected $want"
}

# headers PATH [curl args...]: response header lines, CR removed, names lower case.
headers() {
  local path=$1
  shift
  curl -sS --path-as-is --max-time 20 -o /dev/null -D - "$@" "$(url "$path")" |
    tr -d '\r' | sed 's/^\([^:]*\):/\L\1:/'
}

# header_value NAME < headers
header_value() { sed -n "s/^$1: //p" | head -1; }

# stat_value NAME: a line of /__stats.
stat_value() { curl -sS --max-time 5 "$(url /__stats)" | sed -n "s/^$1 //p"; }

# expect_pool_full: every lease is back (waits up to 5 s for late completions).
expect_pool_full() {
  local i avail size
  for ((i = 0; i < 50; i++)); do
    avail=$(stat_value pool_available)
    size=$(stat_value pool_size)
    [[ $avail == "$size" ]] && return 0
    sleep 0.1
  done
  fail "pool not full when idle: $avail of $size buffers free"
}

# same_file A B
same_file() { cmp -- "$1" "$2" || fail "$2 differs from $1"; }

# raw_request TEXT OUT: sends TEXT (printf %b escapes) on a fresh connection
# and saves everything the server sends until it closes the connection.
raw_request() {
  timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%b" "$2" >&3 && cat <&3' \
    _ "$PORT" "$1" >"$2" || fail "raw request: no close from the server within 10 s"
}

# header_only FILE: the saved response is a header and nothing after it.
header_only() {
  [[ $(tail -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 0d0a0d0a ]] &&
    [[ $(grep -c $'^\r$' "$1") == 1 ]]
}

# slice FILE FIRST LENGTH: LENGTH bytes of FILE from offset FIRST, on stdout.
slice() { dd if="$1" bs=1M iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none; }
