#!/bin/bash
# Several targets: a client daemon pings three servers at once (url plus a
# targets list), one session each; wtpctl status --json shows three rows,
# and one server dying affects only its own row; it comes back by itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/disc_lib.sh"
make_cert cert
p1=$(free_udp_port)
p2=$(free_udp_port)
p3=$(free_udp_port)
start_server s1 "$p1"; S1=$SERVER_PID
start_server s2 "$p2"; S2=$SERVER_PID
start_server s3 "$p3"; S3=$SERVER_PID
sock="$TMP/client.sock"
cat >"$TMP/client.conf" <<CONF
url = "https://localhost:$p1/wtping";
targets = [ "https://localhost:$p2/wtping", "https://127.0.0.1:$p3/wtping" ];
cafile = "$TMP/cert.pem";
interval = 0.1;
timeout = 1;
reconnect_min = 0.1;
reconnect_max = 1.0;
control_socket = "$sock";
control_mode = "0666";
CONF
"$CLIENT" -C "$TMP/client.conf" >"$TMP/client.log" 2>&1 &
CLI=$!
PIDS+=("$CLI")

rows() { status_py "$sock" '[(t["url"], t["source"], t["state"]) for t in s["targets"]]'; }
U1="https://localhost:$p1/wtping"
U2="https://localhost:$p2/wtping"
U3="https://127.0.0.1:$p3/wtping"
all3="[('$U1', 'configured', 'connected'), ('$U2', 'configured', 'connected'), ('$U3', 'configured', 'connected')]"
all_up() { [ "$(rows)" = "$all3" ]; }
check "three targets, all connected" wait_for 10 all_up
check "daemon state: connected" [ "$(status_py "$sock" 's["state"]')" = connected ]
rx() { status_py "$sock" "[t['received'] for t in s['targets']]"; }
growing() { # growing INDEX...: those rows' received counters grow
  local before after i
  before=$(rx)
  sleep 0.5
  after=$(rx)
  for i in "$@"; do
    python3 -c 'import sys,ast; b=ast.literal_eval(sys.argv[1]); a=ast.literal_eval(sys.argv[2]); i=int(sys.argv[3]); sys.exit(0 if a[i] > b[i] else 1)' \
      "$before" "$after" "$i" || return 1
  done
}
check "pongs on every row" growing 0 1 2
"$WTPCTL" -s "$sock" metrics >"$TMP/metrics.txt"
check "metrics: a received series per target" \
  [ "$(grep -c "^wtping_client_target_received_total{url=\"https://.*\",source=\"configured\"} [1-9]" "$TMP/metrics.txt")" -eq 3 ]
check "stats: three targets with counters" \
  [ "$("$WTPCTL" -s "$sock" --json stats | python3 -c 'import json,sys; s=json.load(sys.stdin); print(len(s["targets"]), all(t["received"] > 0 for t in s["targets"]))')" = "3 True" ]

# the second server dies (SIGKILL: no goodbye): only its row changes
kill -KILL "$S2"; wait "$S2" 2>/dev/null
row2_down() { [ "$(status_py "$sock" 's["targets"][1]["state"]')" != connected ]; }
check "server 2 killed: its row is not connected" wait_for 10 row2_down
# the error shows while the session waits to retry (a new attempt starts clean)
row2_error() {
  [ "$(status_py "$sock" '(s["targets"][1]["state"], s["targets"][1]["last_error"] is not None)')" = \
    "('backoff', True)" ]
}
check "server 2 killed: its row has the error while it backs off" wait_for 10 row2_error
check "server 2 killed: rows 1 and 3 still connected" \
  [ "$(status_py "$sock" '[t["state"] for t in s["targets"]][0::2]')" = "['connected', 'connected']" ]
check "server 2 killed: rows 1 and 3 still get pongs" growing 0 2
check "daemon state: degraded" [ "$(status_py "$sock" 's["state"]')" = degraded ]
check "wtpctl status (text) shows the targets" bash -c "'$WTPCTL' -s '$sock' status | grep -q 'localhost:$p2'"

start_server s2b "$p2"
check "server 2 back: all three connected again" wait_for 15 all_up
check "server 2 back: only its row counted a reconnect" \
  [ "$(status_py "$sock" '[t["reconnects"] > 0 for t in s["targets"]]')" = "[False, True, False]" ]
"$WTPCTL" -s "$sock" status | sed 's/^/# /'
kill -TERM "$CLI"; wait "$CLI"
check "client daemon stops cleanly" [ $? -eq 0 ]
finish
