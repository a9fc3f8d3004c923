#!/bin/sh
# The quick start: installs the dependencies, builds, and shows wtping on
# loopback the way a user runs it: wtping-server and the wtping-client
# daemon started from configuration files written to a temporary directory
# (their control sockets there too), `wtpctl status` of both, one-shot pings
# over a stream and over datagrams, then both daemons stopped.
#
#   scripts/demo.sh [--no-build] [--port N]
#     --no-build  skip scripts/install-deps.sh and scripts/build.sh: use the
#                 binaries already built in $BUILD (default: _build)
#     --port N    the server's UDP port (default 4433)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${BUILD:-$top/_build}
build=yes
port=4433
usage() { sed -n 's/^#   //p; s/^#     /  /p' "$0"; }
while [ $# -gt 0 ]; do
  case $1 in
  --no-build) build=no ;;
  --port) [ $# -ge 2 ] || { usage >&2; exit 2; }; port=$2; shift ;;
  --port=*) port=${1#--port=} ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
  esac
  shift
done

tmp=$(mktemp -d /tmp/wtping-demo.XXXXXX)
srv=
cli=
cleanup() {
  for p in $cli $srv; do kill "$p" 2>/dev/null || :; done
  for p in $cli $srv; do wait "$p" 2>/dev/null || :; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
# show CMD...: the command as a user would type it
show() {
  printf '$ %s' "$(basename "$1")"
  shift
  printf ' %s' "$@"
  printf '\n'
}
# run CMD...: show the command, then run it
run() {
  show "$@"
  "$@"
}
# die MESSAGE [LOG]: the demo cannot go on; show what the daemon said
die() {
  echo "demo: $1" >&2
  [ $# -lt 2 ] || sed 's/^/  /' "$2" >&2
  exit 1
}
# wait_ready SOCKET PID LOG: until the daemon answers "check --ready"
wait_ready() {
  i=0
  while ! "$b/wtpctl" -s "$1" check --ready 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || die "$(basename "$3" .log) exited" "$3"
    i=$((i + 1))
    [ $i -lt 100 ] || die "$(basename "$3" .log) not ready after 10 s" "$3"
    sleep 0.1
  done
}

if [ $build = yes ]; then
  step "Installing the dependencies and building"
  if ! { "$top/scripts/install-deps.sh" && "$top/scripts/build.sh"; } >"$tmp/build.log" 2>&1; then
    die "install-deps.sh or build.sh failed:" "$tmp/build.log"
  fi
  echo "done: the programs are in $b"
fi

step "Configuration in $tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 10 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" 2>/dev/null
echo "cert.pem, key.pem: a self-signed certificate for localhost"
cat >"$tmp/server.conf" <<EOF
# wtping-server.conf(5)
listen = [ "127.0.0.1:$port", "[::1]:$port" ];
certificate = "$tmp/cert.pem";
key = "$tmp/key.pem";
control_socket = "$tmp/server.sock";
reset_secret = "$tmp/reset-secret";
EOF
cat >"$tmp/client.conf" <<EOF
# wtping-client.conf(5)
url = "https://localhost:$port/wtping";
cafile = "$tmp/cert.pem";
interval = 0.2;
control_socket = "$tmp/client.sock";
EOF
for f in server.conf client.conf; do
  echo "$f:"
  sed '1d; s/^/    /' "$tmp/$f"
done

step "The daemons"
show "$b/wtping-server" -c "$tmp/server.conf"
"$b/wtping-server" -c "$tmp/server.conf" >"$tmp/server.log" 2>&1 &
srv=$!
wait_ready "$tmp/server.sock" "$srv" "$tmp/server.log"
show "$b/wtping-client" -C "$tmp/client.conf"
"$b/wtping-client" -C "$tmp/client.conf" >"$tmp/client.log" 2>&1 &
cli=$!
wait_ready "$tmp/client.sock" "$cli" "$tmp/client.log"
sleep 1 # a few pings

step "Their state, from their control sockets"
run "$b/wtpctl" -s "$tmp/server.sock" status
echo
run "$b/wtpctl" -s "$tmp/client.sock" status

step "One-shot pings over a WebTransport stream"
run "$b/wtping-client" -c 5 -i 0.2 --cafile "$tmp/cert.pem" "https://localhost:$port/wtping"

step "One-shot pings over WebTransport datagrams"
run "$b/wtping-client" -c 5 -i 0.2 -m datagram --cafile "$tmp/cert.pem" \
  "https://localhost:$port/wtping"

step "Stopping the daemons (SIGTERM, as systemctl stop does)"
for p in $cli $srv; do
  kill -TERM "$p"
  rc=0
  wait "$p" || rc=$?
  [ "$p" = "$cli" ] && name=wtping-client || name=wtping-server
  [ $rc -eq 0 ] || die "$name exited with status $rc" "$tmp/${name#wtping-}.log"
  echo "$name (pid $p) stopped, exit status 0"
done
cli=
srv=
for name in server client; do
  echo "wtping-$name logged:"
  sed 's/^/    /' "$tmp/$name.log"
done
