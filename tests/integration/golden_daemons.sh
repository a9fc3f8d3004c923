#!/bin/bash
# Golden replies of the real daemons' control sockets: wtping-server and a
# wtping-client daemon on loopback, asked with wtpctl --json (and, for the
# error replies wtpctl never sends, straight on the socket). Each reply is
# normalised by json_shape.py (member order, types and stable values kept;
# pids, times, ports, counters marked) and compared with
# tests/golden/daemons/NAME.json. GOLDEN_UPDATE=1 rewrites them.
. "$(dirname "$0")/lib.sh"
WTPCTL="$top_builddir/wtpctl"
GOLDEN="$top_srcdir/tests/golden/daemons"
VERSION=$("$WTPCTL" -V | awk '{print $2}')
make_cert cert
port=$(free_udp_port)
run="$TMP/run"
mkdir -p "$run"
chmod 755 "$TMP" "$run"
# the configuration in a directory whose name needs escaping in JSON: a
# quote, a backslash, a tab, UTF-8 and a byte that is not UTF-8 (which
# the daemons send as U+FFFD)
conf="$TMP/"$'cfg "q" \\ \t \xc3\xa9 \xff'
mkdir "$conf"

cat >"$conf/server.conf" <<CONF
listen = [ "127.0.0.1:$port", "[::1]:$port" ];
certificate = "$TMP/cert.pem";
key = "$TMP/cert.key";
control_socket = "$run/server.sock";
control_mode = "0666";
reset_secret = "";
CONF
cat >"$conf/client.conf" <<CONF
url = "https://localhost:$port/wtping";
cafile = "$TMP/cert.pem";
interval = 0.05;
control_socket = "$run/client.sock";
control_mode = "0666";
CONF

"$SERVER" -c "$conf/server.conf" >"$TMP/server.log" 2>&1 &
PIDS+=($!)
wait_udp "$port"
"$CLIENT" -C "$conf/client.conf" >"$TMP/client.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  "$WTPCTL" -s "$run/client.sock" check --ready 2>/dev/null && break
  sleep 0.1
done
# a few pongs, so that the client has an RTT and a histogram
for _ in $(seq 100); do
  "$WTPCTL" -s "$run/client.sock" --json status 2>/dev/null | grep -q '"received":[3-9]' && break
  sleep 0.1
done

# shape NAME COMMAND...: the reply COMMAND prints, normalised, against
# $GOLDEN/NAME.json
shape() {
  local name=$1
  shift
  "$@" >"$TMP/$name.raw" 2>"$TMP/$name.err"
  python3 "$here/json_shape.py" --tmp "$TMP" --version "$VERSION" <"$TMP/$name.raw" \
    >"$TMP/$name.json" 2>&1
  if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
    cp "$TMP/$name.json" "$GOLDEN/$name.json"
  fi
  check "golden $name" diff -u "$GOLDEN/$name.json" "$TMP/$name.json"
}

for d in server client; do
  sock="$run/$d.sock"
  shape "${d}_version" "$WTPCTL" -s "$sock" --json version
  shape "${d}_status" "$WTPCTL" -s "$sock" --json status
  shape "${d}_stats" "$WTPCTL" -s "$sock" --json stats
  [ "$d" = server ] && shape "${d}_cert" "$WTPCTL" -s "$sock" --json cert
  shape "${d}_check_ready" ctl_raw "$sock" "check ready"
  shape "${d}_check_live" ctl_raw "$sock" "check live"
  shape "${d}_check_usage" ctl_raw "$sock" "check"
  shape "${d}_check_bad_arg" ctl_raw "$sock" "check soon"
  shape "${d}_unknown_command" ctl_raw "$sock" "frobnicate"
  shape "${d}_bad_request" ctl_raw "$sock" "Status"
  shape "${d}_double_space" ctl_raw "$sock" "status  x"
  shape "${d}_too_long" ctl_raw "$sock" "$(printf 'x%.0s' $(seq 1100))"
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    shape "${d}_reload_denied" setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"reload\n")
print(s.makefile().readline(), end="")' "$sock"
  fi
  shape "${d}_reload" "$WTPCTL" -s "$sock" --json reload
done
shape server_sessions "$WTPCTL" -s "$run/server.sock" --json sessions
shape client_sessions_unknown ctl_raw "$run/client.sock" "sessions"
shape client_rebind "$WTPCTL" -s "$run/client.sock" --json rebind
# a reload that fails keeps the old configuration and says why
cp "$conf/server.conf" "$TMP/server.conf.good"
printf 'listen = "127.0.0.1:70000";\n' >"$conf/server.conf"
shape server_reload_bad "$WTPCTL" -s "$run/server.sock" --json reload
cp "$TMP/server.conf.good" "$conf/server.conf"
shape server_drain "$WTPCTL" -s "$run/server.sock" --json drain
shape server_status_draining "$WTPCTL" -s "$run/server.sock" --json status

finish
