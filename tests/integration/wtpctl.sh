#!/bin/bash
# wtpctl end to end against fake daemons (fake_ctl_daemon.py): rendering,
# --json pass-through, metrics format, exit codes.
. "$(dirname "$0")/lib.sh"
WTPCTL="$top_builddir/wtpctl"
RUN="$TMP/run"
mkdir -p "$RUN"
export WTPCTL_RUNDIR="$RUN"

# stop_fake PID [SIGNAL]: TERM removes the socket, KILL leaves it stale
stop_fake() {
  kill "-${2:-TERM}" "$1"
  wait "$1" 2>/dev/null
}

# run ARGS...: wtpctl with stdout in $TMP/out, stderr in $TMP/err, status in rc
run() {
  "$WTPCTL" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
}


empty() { [ ! -s "$1" ]; }

# ---------------------------------------------------------------- the tool itself
run --help
check "--help: exit 0" [ $rc -eq 0 ]
for c in status stats sessions metrics reload drain check version; do
  check "--help lists $c" grep -q "^  $c" "$TMP/out"
done
run -V
check "-V prints the version" grep -Eq '^wtpctl [0-9]+\.[0-9]+' "$TMP/out"
run frobnicate
check "unknown command: exit 2" [ $rc -eq 2 ]
check "unknown command: says so" grep -q "unknown command 'frobnicate'" "$TMP/err"
run -t 0 status
check "-t 0: exit 2" [ $rc -eq 2 ]
run -t abc status
check "-t abc: exit 2" [ $rc -eq 2 ]
run stats extra
check "extra argument: exit 2" [ $rc -eq 2 ]
run check
check "check without --ready/--live: exit 2" [ $rc -eq 2 ]

# ---------------------------------------------------------------- nothing running
run status
check "no socket: status exits 3" [ $rc -eq 3 ]
check "no socket: says no daemon is running" grep -qx "wtpctl: no wtping daemon is running" "$TMP/err"
check "no socket: nothing on stdout" empty "$TMP/out"
run --json status
check "no socket: status --json exits 3" [ $rc -eq 3 ]
run stats
check "no socket: stats exits 3" [ $rc -eq 3 ]
check "no socket: stats names the socket" grep -q "$RUN/server.sock: not running (No such file or directory)" "$TMP/err"
run check --ready
check "no socket: check --ready exits 3" [ $rc -eq 3 ]
check "no socket: check prints nothing" bash -c "[ ! -s '$TMP/out' ] && [ ! -s '$TMP/err' ]"
WTPCTL_RUNDIR="$TMP/nonexistent" "$WTPCTL" status >/dev/null 2>&1
check "missing run directory: exit 3" [ $? -eq 3 ]

# A stale socket file: nobody accepts.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$RUN/server.sock"
check "stale socket file exists" [ -S "$RUN/server.sock" ]
run status
check "stale socket: status exits 3" [ $rc -eq 3 ]
check "stale socket: no daemon is running" grep -q "no wtping daemon is running" "$TMP/err"
run -s "$RUN/server.sock" status
check "stale socket, -s: exit 3" [ $rc -eq 3 ]
check "stale socket, -s: connection refused" grep -q "not running (Connection refused)" "$TMP/err"
run check --live
check "stale socket: check --live exits 3" [ $rc -eq 3 ]
rm -f "$RUN/server.sock"

# ---------------------------------------------------------------- both daemons
start_fake server "$RUN/server.sock" --daemon server
SPID=$FAKE_PID
start_fake client "$RUN/client.sock" --daemon client
CPID=$FAKE_PID

run status
check "status: exit 0" [ $rc -eq 0 ]
check "status: nothing on stderr" empty "$TMP/err"
cat >"$TMP/want" <<EOF
Daemon             : wtping-client
Version            : 0.1.0
PID                : $CPID
State              : connected
Uptime             : 5m 10s
Config             : none
Server URL         : https://example.net:4433/wtping
Server address     : 192.0.2.1:4433
Mode               : datagram
RTT last/avg/p99   : 0.412 / 0.501 / 1.250 ms
Sent/received/loss : 100 / 98 / 2.0%
Reconnects         : 1
Downtime           : 12.3 s (longest outage 5.0 s)
Last error         : none
wtping-client (pid $CPID) is running

Daemon             : wtping-server
Version            : 0.1.0
PID                : $SPID
State              : running
Uptime             : 1h 02m 03s
Config             : /etc/wtping/server.conf
Listen             : 0.0.0.0:4433, [::]:4433
Path               : /wtping
Connections        : 3
Sessions           : 2 now / 17 total
Pings answered     : 1500 stream / 200 datagram
Errors             : 1 unknown lines, 2 datagrams dropped, 0 streams reset, 4 packets dropped
wtping-server (pid $SPID) is running
EOF
check "status: both daemons, exactly" diff -u "$TMP/want" "$TMP/out"

run --json status
check "status --json: exit 0" [ $rc -eq 0 ]
check "status --json: an array of both replies" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert isinstance(a, list) and len(a) == 2, a
assert sorted(r["daemon"] for r in a) == ["wtping-client", "wtping-server"]
assert all(r["ok"] is True for r in a)' "$TMP/out"

run -s "$RUN/server.sock" --json stats
check "stats --json: exit 0" [ $rc -eq 0 ]
check "stats --json: parses" python3 -c 'import json, sys; assert "counters" in json.load(open(sys.argv[1]))' "$TMP/out"
ctl_raw "$RUN/server.sock" stats >"$TMP/raw"
check "stats --json: the reply line as is" cmp "$TMP/raw" "$TMP/out"
run -s "$RUN/client.sock" --json status
ctl_raw "$RUN/client.sock" status >"$TMP/raw"
check "status -s --json: the reply line as is" cmp "$TMP/raw" "$TMP/out"

run -s "$RUN/server.sock" status
check "status -s: one daemon" bash -c "grep -c '^Daemon' '$TMP/out' | grep -qx 1"
check "status -s: the server" grep -qx "wtping-server (pid $SPID) is running" "$TMP/out"

run stats
check "stats: exit 0" [ $rc -eq 0 ]
check "stats: one counter a line" grep -Eqx "pings_stream +: 1500" "$TMP/out"
check "stats: the server's by default" grep -Eqx "sessions_total +: 17" "$TMP/out"

run sessions
check "sessions: exit 0" [ $rc -eq 0 ]
check "sessions: header" grep -Eqx "ID +PEER +AGE +PINGS +SRTT\(ms\) +MINRTT\(ms\) +CWND +AUTH +ORIGIN" "$TMP/out"
check "sessions: a row" grep -Eqx "4 +\[2001:db8::1\]:61234 +1h02m +123456 +12.346 +10.500 +1048576 +none +https://ping.example.org" "$TMP/out"

# metrics_ok FILE: every line is a comment or "name{labels}? value"
metrics_ok() {
  local name='[a-zA-Z_:][a-zA-Z0-9_:]*'
  local label='[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"'
  local value='[-+]?([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|Inf|NaN)'
  [ -s "$1" ] && ! grep -Ev "^(# (HELP|TYPE) $name .*|$name(\{$label(,$label)*\})? $value)$" "$1"
}
run metrics
check "metrics (server): exit 0" [ $rc -eq 0 ]
check "metrics (server): format" metrics_ok "$TMP/out"
check "metrics (server): a counter" grep -qx "wtping_server_pings_stream_total 1500" "$TMP/out"
check "metrics (server): its TYPE" grep -qx "# TYPE wtping_server_pings_stream_total counter" "$TMP/out"
check "metrics (server): a gauge" grep -qx "# TYPE wtping_server_sessions_now gauge" "$TMP/out"
check "metrics (server): connections" grep -qx "wtping_server_connections_total 40" "$TMP/out"
check "metrics (server): no histogram" bash -c "! grep -q rtt_seconds '$TMP/out'"

run -s "$RUN/client.sock" metrics
check "metrics (client): exit 0" [ $rc -eq 0 ]
check "metrics (client): format" metrics_ok "$TMP/out"
check "metrics (client): counters" grep -qx "wtping_client_transmitted_total 100" "$TMP/out"
check "metrics (client): a gauge" grep -qx "# TYPE wtping_client_connected_now gauge" "$TMP/out"
check "metrics (client): seconds" grep -qx "wtping_client_downtime_seconds_total 12.34" "$TMP/out"
check "metrics (client): first bucket" grep -qx 'wtping_client_rtt_seconds_bucket{le="0.0001"} 3' "$TMP/out"
check "metrics (client): cumulative histogram" python3 -c '
import re, sys
b = []
vals = {}
for line in open(sys.argv[1]):
    m = re.match(r"wtping_client_rtt_seconds_bucket\{le=\"([^\"]+)\"\} (\d+)$", line)
    if m:
        b.append((float(m.group(1)), int(m.group(2))))
    m = re.match(r"wtping_client_rtt_seconds_(sum|count) (\S+)$", line)
    if m:
        vals[m.group(1)] = float(m.group(2))
assert len(b) == 14 and b[-1][0] == float("inf"), b
assert all(b[i][0] < b[i + 1][0] and b[i][1] <= b[i + 1][1] for i in range(13)), b
assert b[-1][1] == vals["count"] == 98, (b, vals)
assert abs(vals["sum"] - 0.0491) < 1e-12, vals' "$TMP/out"

run version
check "version: the server's" grep -qx "wtping-server 0.1.0" "$TMP/out"
run reload
check "reload: exit 0" [ $rc -eq 0 ]
run drain
check "drain: exit 0" [ $rc -eq 0 ]

run check --ready
check "check --ready (server ready): exit 0" [ $rc -eq 0 ]
check "check --ready: prints nothing" bash -c "[ ! -s '$TMP/out' ] && [ ! -s '$TMP/err' ]"
run -s "$RUN/client.sock" check --live
check "check --live (client): exit 0" [ $rc -eq 0 ]

# ---------------------------------------------------------------- a misbehaving daemon
ODD="$TMP/odd.sock"
start_fake odd "$ODD" --daemon client \
  --reply 'reload={"ok":false,"error":"permission denied"}' \
  --reply 'check ready={"ok":true,"ready":false}' \
  --reply 'check live={"ok":false,"error":"nope"}' \
  --reply 'stats={not json' \
  --reply 'status=[1,2]' \
  --hang sessions --close version --big drain
run -s "$ODD" reload
check "ok:false: exit 1" [ $rc -eq 1 ]
check "ok:false: the error on stderr" grep -qx "wtpctl: reload: permission denied" "$TMP/err"
check "ok:false: nothing on stdout" empty "$TMP/out"
run -s "$ODD" --json reload
check "ok:false --json: exit 1" [ $rc -eq 1 ]
check "ok:false --json: the reply as is" grep -qx '{"ok":false,"error":"permission denied"}' "$TMP/out"
run -s "$ODD" frob
check "unknown subcommand is a usage error, not sent" [ $rc -eq 2 ]
run -s "$ODD" check --ready
check "check --ready (not ready): exit 1" [ $rc -eq 1 ]
check "check --ready (not ready): prints nothing" bash -c "[ ! -s '$TMP/out' ] && [ ! -s '$TMP/err' ]"
run -s "$ODD" check --live
check "check --live (ok:false): exit 1" [ $rc -eq 1 ]
run -s "$ODD" stats
check "malformed reply: exit 1" [ $rc -eq 1 ]
check "malformed reply: says so" grep -q "malformed reply: at byte 1:" "$TMP/err"
run -s "$ODD" --json stats
check "malformed reply --json: exit 1, nothing on stdout" bash -c "[ $rc -eq 1 ] && [ ! -s '$TMP/out' ]"
run -s "$ODD" status
check "reply without ok: exit 1" [ $rc -eq 1 ]
check "reply without ok: says so" grep -q 'no boolean "ok"' "$TMP/err"
t0=$(date +%s%N)
run -s "$ODD" -t 0.5 sessions
t1=$(date +%s%N)
check "silent daemon: exit 1" [ $rc -eq 1 ]
check "silent daemon: timed out" grep -q "timed out after 0.5 s waiting for the reply" "$TMP/err"
check "silent daemon: within the timeout" [ $(((t1 - t0) / 1000000)) -lt 3000 ]
run -s "$ODD" version
check "closed without reply: exit 1" [ $rc -eq 1 ]
check "closed without reply: says so" grep -q "closed the connection without replying" "$TMP/err"
run -s "$ODD" drain
check "reply over 1 MiB: exit 1" [ $rc -eq 1 ]
check "reply over 1 MiB: says so" grep -q "longer than 1048576 bytes" "$TMP/err"

# Access denied (root bypasses file modes, so drop privileges if root).
if [ "$(id -u)" -eq 0 ]; then
  if command -v setpriv >/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$WTPCTL" -s "$RUN/server.sock" status \
      >"$TMP/out" 2>"$TMP/err"
    rc=$?
    check "permission denied: exit 1" [ $rc -eq 1 ]
    check "permission denied: says so" grep -q "Permission denied" "$TMP/err"
  fi
else
  chmod 000 "$ODD"
  run -s "$ODD" status
  check "permission denied: exit 1" [ $rc -eq 1 ]
  check "permission denied: says so" grep -q "Permission denied" "$TMP/err"
  chmod 600 "$ODD"
fi

# A run directory that may be searched but not listed: status still finds
# the well-known sockets.
LOCKED="$TMP/locked"
mkdir "$LOCKED"
start_fake locked "$LOCKED/server.sock" --daemon server
LPID=$FAKE_PID
chmod 666 "$LOCKED/server.sock"
if [ "$(id -u)" -eq 0 ]; then
  if command -v setpriv >/dev/null; then
    chmod 711 "$TMP" "$LOCKED"
    WTPCTL_RUNDIR="$LOCKED" setpriv --reuid=65534 --regid=65534 --clear-groups "$WTPCTL" status \
      >"$TMP/out" 2>"$TMP/err"
    rc=$?
    chmod 700 "$TMP"
    check "unlistable run directory: exit 0" [ $rc -eq 0 ]
    check "unlistable run directory: the server" grep -qx "wtping-server (pid $LPID) is running" "$TMP/out"
  fi
else
  chmod 311 "$LOCKED"
  WTPCTL_RUNDIR="$LOCKED" "$WTPCTL" status >"$TMP/out" 2>"$TMP/err"
  rc=$?
  check "unlistable run directory: exit 0" [ $rc -eq 0 ]
  check "unlistable run directory: the server" grep -qx "wtping-server (pid $LPID) is running" "$TMP/out"
fi
chmod 755 "$LOCKED"
stop_fake "$LPID" TERM

# ---------------------------------------------------------------- one daemon left
stop_fake "$SPID" TERM
check "server socket removed" [ ! -e "$RUN/server.sock" ]
run version
check "only the client's socket: it is the default" grep -qx "wtping-client 0.1.0" "$TMP/out"
run status
check "status: the client alone, exit 0" [ $rc -eq 0 ]
check "status: the client alone" bash -c "grep -c '^Daemon' '$TMP/out' | grep -qx 1"

stop_fake "$CPID" KILL
check "client socket left stale" [ -S "$RUN/client.sock" ]
run status
check "stale client socket: exit 3" [ $rc -eq 3 ]
check "stale client socket: no daemon is running" grep -q "no wtping daemon is running" "$TMP/err"
run stats
check "stale client socket: stats exits 3" [ $rc -eq 3 ]

finish
