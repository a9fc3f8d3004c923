#!/bin/bash
# Both daemons as systemd runs them, without systemd: a notification socket
# of our own (READY, STATUS, WATCHDOG, RELOADING, STOPPING), SIGHUP reloads,
# SIGSTOP against the watchdog, configuration checks, and wtpctl on their
# control sockets (including a refused reload for another uid).
. "$(dirname "$0")/lib.sh"
WTPCTL="$top_builddir/wtpctl"
make_cert cert
port=$(free_udp_port)
run="$TMP/run"
mkdir -p "$run"
chmod 755 "$TMP" "$run"

cat >"$TMP/server.conf" <<CONF
listen = [ "127.0.0.1:$port", "[::1]:$port" ];
certificate = "$TMP/cert.pem";
key = "$TMP/cert.key";
control_socket = "$run/server.sock";
control_mode = "0666";
CONF
cat >"$TMP/client.conf" <<CONF
url = "https://localhost:$port/wtping";
cafile = "$TMP/cert.pem";
interval = 0.1;
control_socket = "$run/client.sock";
control_mode = "0666";
reconnect_min = 0.1;
reconnect_max = 1.0;
CONF

# -t
out=$("$SERVER" -t -c "$TMP/server.conf"); rc=$?
check "server -t: exit 0" [ $rc -eq 0 ]
check "server -t: configuration OK" [ "$out" = "configuration OK" ]
printf 'listen = "127.0.0.1:70000";\ncertificate = "%s";\nkey = "%s";\n' "$TMP/cert.pem" "$TMP/cert.key" >"$TMP/bad.conf"
"$SERVER" -t -c "$TMP/bad.conf" 2>"$TMP/err"; rc=$?
check "server -t bad config: exit 1" [ $rc -eq 1 ]
check "server -t bad config: file:line: setting" grep -q "bad.conf:1: listen: .*port out of range" "$TMP/err"
printf 'lisen = "127.0.0.1:1";\n' >"$TMP/typo.conf"
"$SERVER" -t -c "$TMP/typo.conf" 2>"$TMP/err"; rc=$?
check "unknown setting is an error" grep -q "typo.conf:1: lisen: unknown setting" "$TMP/err"
printf 'certificate = "%s";\nkey = "%s";\n' "$TMP/cert.key" "$TMP/cert.key" >"$TMP/wrongcert.conf"
"$SERVER" -t -c "$TMP/wrongcert.conf" 2>"$TMP/err"; rc=$?
check "server -t with a key as certificate: exit 1" [ $rc -eq 1 ]

# socket activation: the server serves the socket systemd hands it
if command -v systemd-socket-activate >/dev/null; then
  sport=$(free_udp_port)
  systemd-socket-activate --datagram -l "127.0.0.1:$sport" "$SERVER" --cert "$TMP/cert.pem" \
    --key "$TMP/cert.key" --control "" --reset-secret "" >"$TMP/activated.log" 2>&1 &
  PIDS+=($!)
  wait_udp "$sport"
  check "socket activation: a client is answered" \
    bash -c "'$CLIENT' -q -c 2 -i 0.05 --cafile '$TMP/cert.pem' https://127.0.0.1:$sport/wtping >/dev/null"
  check "socket activation: the passed socket was used" grep -q "using 1 socket(s) passed by systemd" "$TMP/activated.log"
else
  fail "systemd-socket-activate is missing (package systemd)"
fi

# start the server with a notification socket and a 1 s watchdog
python3 "$here/notify_recv.py" "$TMP/server.notify" "$TMP/server.nlog" --port "$port" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$TMP/server.notify" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$TMP/server.notify" WATCHDOG_USEC=1000000 \
  bash -c 'export WATCHDOG_PID=$$; exec "$0" -c "$1"' "$SERVER" "$TMP/server.conf" \
  >"$TMP/server.log" 2>&1 &
spid=$!
PIDS+=("$spid")
for _ in $(seq 50); do grep -q "READY=1" "$TMP/server.nlog" 2>/dev/null && break; sleep 0.1; done
check "server: READY=1" grep -q "READY=1" "$TMP/server.nlog"
check "server: the UDP port was bound when READY=1 came" grep -q "PORT_BOUND=1" "$TMP/server.nlog"
check "server: STATUS=" grep -q "STATUS=0 session(s)" "$TMP/server.nlog"

# the client daemon
python3 "$here/notify_recv.py" "$TMP/client.notify" "$TMP/client.nlog" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$TMP/client.notify" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$TMP/client.notify" WATCHDOG_USEC=1000000 \
  bash -c 'export WATCHDOG_PID=$$; exec "$0" -C "$1"' "$CLIENT" "$TMP/client.conf" \
  >"$TMP/client.log" 2>&1 &
cpid=$!
PIDS+=("$cpid")
for _ in $(seq 50); do grep -q "STATUS=connected .*last RTT" "$TMP/client.nlog" 2>/dev/null && break; sleep 0.1; done
check "client: READY=1" grep -q "READY=1" "$TMP/client.nlog"
check "client: STATUS says connected with an RTT" grep -q "STATUS=connected to .*last RTT" "$TMP/client.nlog"
sleep 1.2
check "server: STATUS follows the session" wait_grep "STATUS=1 session(s)" "$TMP/server.nlog"
n=$(grep -c "WATCHDOG=1" "$TMP/server.nlog")
check "server: WATCHDOG=1 keeps coming ($n so far)" [ "$n" -ge 3 ]
check "client: WATCHDOG=1 keeps coming" [ "$(grep -c WATCHDOG=1 "$TMP/client.nlog")" -ge 3 ]

# a frozen loop stops the watchdog pings
kill -STOP "$spid"
sleep 0.3
before=$(grep -c "WATCHDOG=1" "$TMP/server.nlog")
sleep 1.5
after=$(grep -c "WATCHDOG=1" "$TMP/server.nlog")
kill -CONT "$spid"
check "server: no WATCHDOG=1 while stopped ($before -> $after)" [ "$before" -eq "$after" ]
sleep 1
check "server: WATCHDOG=1 again after SIGCONT" [ "$(grep -c WATCHDOG=1 "$TMP/server.nlog")" -gt "$after" ]

# wtpctl
out=$("$WTPCTL" -s "$run/server.sock" status); rc=$?
echo "$out" | sed 's/^/# /'
check "wtpctl status (server): exit 0" [ $rc -eq 0 ]
check "wtpctl status (server): running" grep -q "is running" <<<"$out"
out=$("$WTPCTL" -s "$run/client.sock" status); rc=$?
echo "$out" | sed 's/^/# /'
check "wtpctl status (client): exit 0" [ $rc -eq 0 ]
check "wtpctl status (client): connected" grep -qi "connected" <<<"$out"
out=$(WTPCTL_RUNDIR="$run" "$WTPCTL" status); rc=$?
check "wtpctl status (every daemon): both shown" bash -c 'grep -q wtping-server <<<"$1" && grep -q wtping-client <<<"$1"' _ "$out"
WTPCTL_RUNDIR="$run" "$WTPCTL" --json status >"$TMP/all.json"
python3 - "$TMP/all.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 2, d
by = {x["daemon"]: x for x in d}
c, s = by["wtping-client"], by["wtping-server"]
assert c["state"] == "connected" and c["received"] > 0 and c["rtt_ms"]["last"] > 0, c
assert s["sessions"]["now"] == 1 and s["pings"]["stream"] > 0, s
print("# client: %d pongs, last RTT %.3f ms; server: %d stream pings" %
      (c["received"], c["rtt_ms"]["last"], s["pings"]["stream"]))
PY
check "wtpctl --json status: parsed, client connected, server has the session" [ $? -eq 0 ]
"$WTPCTL" -s "$run/server.sock" --json sessions | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["sessions"][0]; assert s["pings"]>0 and s["srtt_ms"]>0 and s["cwnd"]>0, s'
check "wtpctl sessions: peer, pings, srtt, cwnd" [ $? -eq 0 ]
"$WTPCTL" -s "$run/client.sock" metrics >"$TMP/metrics.txt"; rc=$?
check "wtpctl metrics: exit 0" [ $rc -eq 0 ]
check "wtpctl metrics: histogram" grep -q '^wtping_client_rtt_seconds_bucket{le="+Inf"} [1-9]' "$TMP/metrics.txt"
check "wtpctl check --ready (client)" "$WTPCTL" -s "$run/client.sock" check --ready
check "wtpctl check --live (server)" "$WTPCTL" -s "$run/server.sock" check --live

# reload by another uid is refused; by us it works
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$WTPCTL" -s "$run/server.sock" reload 2>"$TMP/err"; rc=$?
  check "reload as nobody: exit 1" [ $rc -eq 1 ]
  check "reload as nobody: permission denied" grep -q "permission denied" "$TMP/err"
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$WTPCTL" -s "$run/server.sock" status >/dev/null; rc=$?
  check "status as nobody: allowed" [ $rc -eq 0 ]
else
  fail "setpriv or user nobody missing: cannot test the refusal"
fi

# SIGHUP with a changed configuration: RELOADING=1 then READY=1, new path
sed -i 's|^control_mode.*|&\npath = "/changed";|' "$TMP/server.conf"
n0=$(grep -c "READY=1" "$TMP/server.nlog")
kill -HUP "$spid"
sleep 0.5
check "server: RELOADING=1 on SIGHUP" wait_grep "RELOADING=1" "$TMP/server.nlog"
check "server: READY=1 after the reload" [ "$(grep -c READY=1 "$TMP/server.nlog")" -gt "$n0" ]
check "reload: the new path works" bash -c "'$CLIENT' -q -c 2 -i 0.05 --cafile '$TMP/cert.pem' https://127.0.0.1:$port/changed >/dev/null"
"$CLIENT" -q -c 1 --cafile "$TMP/cert.pem" "https://127.0.0.1:$port/wtping" 2>/dev/null; rc=$?
check "reload: the old path is gone (404)" [ $rc -eq 2 ]
check "reload: the existing session was kept" bash -c "'$WTPCTL' -s '$run/server.sock' --json status | grep -q '\"now\":1'"
sed -i 's|^listen = .*|listen = 5;|' "$TMP/server.conf"
kill -HUP "$spid"
sleep 0.5
check "bad reload: logged with file:line" grep -q "reload failed.*server.conf:[0-9]*: listen" "$TMP/server.log"
check "bad reload: still serving" bash -c "'$CLIENT' -q -c 1 --cafile '$TMP/cert.pem' https://127.0.0.1:$port/changed >/dev/null"
"$WTPCTL" -s "$run/server.sock" reload 2>"$TMP/err"; rc=$?
check "wtpctl reload with a bad config: exit 1 with the reason" bash -c "[ $rc -eq 1 ] && grep -q 'listen' '$TMP/err'"

# SIGTERM: STOPPING=1, exit 0
kill -TERM "$cpid"; wait "$cpid"; rc=$?
check "client: exit 0 on SIGTERM" [ $rc -eq 0 ]
check "client: STOPPING=1" wait_grep "STOPPING=1" "$TMP/client.nlog"
kill -TERM "$spid"; wait "$spid"; rc=$?
check "server: exit 0 on SIGTERM" [ $rc -eq 0 ]
check "server: STOPPING=1" wait_grep "STOPPING=1" "$TMP/server.nlog"
check "control sockets removed" bash -c "[ ! -e '$run/server.sock' ] && [ ! -e '$run/client.sock' ]"
"$WTPCTL" -s "$run/server.sock" status 2>/dev/null; rc=$?
check "wtpctl: exit 3 when the daemon is not running" [ $rc -eq 3 ]
finish
