# Shared helpers for the integration tests (sourced, bash).
# The automake harness exports top_builddir and top_srcdir.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SERVER="$top_builddir/wtping-server"
CLIENT="$top_builddir/wtping-client"
BADPEER="$top_builddir/tests/tools/wt_badpeer"

TMP=$(mktemp -d /tmp/wtping-test.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

FAILS=0
PASSES=0
pass() { echo "ok - $*"; PASSES=$((PASSES + 1)); }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
  local d=$1; shift
  if "$@"; then pass "$d"; else fail "$d"; fi
}
finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
  exit $?
}

# make_cert NAME [DAYS]: an ECDSA P-256 certificate for localhost, 127.0.0.1, ::1
make_cert() {
  local name=$1 days=${2:-10}
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$TMP/$name.key" -out "$TMP/$name.pem" -days "$days" -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" 2>/dev/null
}

# cert_pin NAME: sha256:BASE64 of the DER certificate
cert_pin() {
  echo "sha256:$(openssl x509 -in "$TMP/$1.pem" -outform der | openssl dgst -sha256 -binary | base64)"
}

wait_grep() { # wait_grep PATTERN FILE: up to 3 s for a line to appear (a log
  # written by another process, e.g. a notification receiver, may trail
  # the event that produced it)
  local i
  for i in $(seq 30); do
    grep -q "$1" "$2" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_udp PORT: until something is bound to UDP PORT (at most 5 s)
wait_udp() {
  local hex
  hex=$(printf '%04X' "$1")
  for _ in $(seq 50); do
    grep -q ":$hex " /proc/net/udp /proc/net/udp6 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_server NAME PORT [ARGS...]: runs wtping-server in the background,
# log in $TMP/NAME.log, pid in SERVER_PID
start_server() {
  local name=$1 port=$2; shift 2
  "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" --listen "127.0.0.1:$port" \
    --listen "[::1]:$port" "$@" >"$TMP/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_udp "$port"
}

# start_fake NAME SOCKET ARGS...: a stand-in control-socket daemon
# (fake_ctl_daemon.py ARGS) on SOCKET, once it accepts; pid in FAKE_PID
start_fake() {
  local name=$1 sock=$2
  shift 2
  python3 "$here/fake_ctl_daemon.py" --socket "$sock" --pidfile "$TMP/$name.pid" "$@" \
    2>>"$TMP/fake.err" &
  FAKE_PID=$!
  PIDS+=("$FAKE_PID")
  for _ in $(seq 100); do
    [ -s "$TMP/$name.pid" ] && return 0
    sleep 0.05
  done
  echo "fake daemon $name did not start:"
  cat "$TMP/fake.err"
  exit 1
}

# ctl_raw SOCKET LINE: the reply to the request LINE, straight from the
# control socket (for requests wtpctl does not send)
ctl_raw() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
sys.stdout.buffer.write(buf)
PY
}
