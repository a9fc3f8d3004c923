#!/bin/bash
# Golden outputs of wtpctl: what it prints for status, stats, sessions and
# metrics, human and --json, against fake daemons with fixed replies
# (fake_ctl_daemon.py, pids pinned with --pid), compared byte for byte with
# tests/golden/wtpctl/NAME.out. An "odd" daemon sends JSON written by hand
# to exercise the parser: escapes, surrogate pairs, big and fractional
# numbers, whitespace, members in an unusual order.
# Where the reply is not JSON only the parser's message is left out.
# GOLDEN_UPDATE=1 rewrites the golden files instead of comparing.
. "$(dirname "$0")/lib.sh"
WTPCTL="$top_builddir/wtpctl"
GOLDEN="$top_srcdir/tests/golden/wtpctl"
RUN="$TMP/run"
mkdir -p "$RUN"
export WTPCTL_RUNDIR="$RUN"

# golden NAME WTPCTL-ARGS...: wtpctl's stdout, then "exit N" and its
# stderr, compared with $GOLDEN/NAME.out
golden() {
  local name=$1
  shift
  {
    "$WTPCTL" "$@" 2>"$TMP/err"
    echo "-- exit $?"
    # the parser's own words for malformed JSON are not part of the format
    sed -e "s|$TMP|TMP|g" -e 's/malformed reply: at byte [0-9]*: .*/malformed reply: at byte N: .../' "$TMP/err"
  } >"$TMP/$name.out"
  if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
    cp "$TMP/$name.out" "$GOLDEN/$name.out"
  fi
  check "golden $name" diff -u "$GOLDEN/$name.out" "$TMP/$name.out"
}

start_fake server "$RUN/server.sock" --daemon server --pid 1234
start_fake client "$RUN/client.sock" --daemon client --pid 5678

S=(-s "$RUN/server.sock")
C=(-s "$RUN/client.sock")
golden status_both status
golden status_both_json --json status
golden status_server "${S[@]}" status
golden status_server_json "${S[@]}" --json status
golden status_client "${C[@]}" status
golden status_client_json "${C[@]}" --json status
golden stats_server "${S[@]}" stats
golden stats_server_json "${S[@]}" --json stats
golden stats_client "${C[@]}" stats
golden stats_client_json "${C[@]}" --json stats
golden sessions_server "${S[@]}" sessions
golden sessions_server_json "${S[@]}" --json sessions
golden metrics_server "${S[@]}" metrics
golden metrics_server_json "${S[@]}" --json metrics
golden metrics_client "${C[@]}" metrics
golden metrics_client_json "${C[@]}" --json metrics
golden version_client "${C[@]}" version
golden rebind_client "${C[@]}" rebind

# Hand-written JSON: what the parser must read the same way.
ODD="$TMP/odd.sock"
start_fake odd "$ODD" --daemon client --pid 42 \
  --reply 'status= { "daemon" : "wtping-client" , "ok" : true, "version":"0.1.0\/\u0031", "pid":4.2e1,"state":"conn\u00e9cted\ud83d\ude00\ttab","uptime":86400.5e0,"config":"\/etc\/wtping\/client.conf","url":"https:\/\/h\u00e9.example\/p","server":null,"mode":"stream","rtt_ms":{"p99":1E-1,"avg":0,"last":-0.0},"transmitted":18446744073709551615,"received":9007199254740993,"loss_percent":1e2,"reconnects":1.0,"downtime":0.1,"longest_outage":1e-7,"last_error":"bad \"quote\" \\ back\nslash\u0001\u007f"}' \
  --reply 'stats={"ok":true,"counters":{"zeta":1,"alpha":-5,"frac":0.1,"exp":1e3,"one":1.0,"big":9007199254740993,"huge":18446744073709551615,"neg_zero":-0,"tiny":5e-324,"t":true,"f":false,"n":null,"s":"a\/b\u00e9\n","arr":[1,2],"obj":{}},"rtt_histogram":{"bounds_ms":[1e-1,0.25,1E0],"counts":[0,1,2,3e0],"sum_ms":1.5,"count":6}}' \
  --reply 'sessions={"ok":true,"sessions":[{"cwnd":1.0,"min_rtt_ms":1e-3,"srtt_ms":2.5E+1,"pings":1e2,"age":59.96,"peer":"[2001:db8::\u0031]:1\n","id":18446744073709551615},{"id":-1,"peer":5,"age":"x","pings":null,"srtt_ms":true,"min_rtt_ms":{},"cwnd":[]},{"id":7,"peer":"p","age":90061,"pings":0,"srtt_ms":0,"min_rtt_ms":0,"cwnd":0}],"truncated":true}' \
  --reply 'version={"ok":true,"daemon":"wtping-client","version":"0.1.0"}' \
  --reply 'rebind={"ok":true,"old_port":4.5e4,"new_port":65535}'
O=(-s "$ODD")
golden odd_status "${O[@]}" status
golden odd_stats "${O[@]}" stats
golden odd_sessions "${O[@]}" sessions
golden odd_metrics "${O[@]}" metrics
golden odd_rebind "${O[@]}" rebind

# Replies that are not JSON, or not what wtpctl wants.
BAD="$TMP/bad.sock"
start_fake bad "$BAD" --daemon server --pid 43 \
  --reply 'status={"ok":true,"daemon":"wtping-server"} x' \
  --reply 'stats={"ok":true,"counters":{"a":1,}}' \
  --reply 'sessions={"ok":true,"sessions":[01]}' \
  --reply 'version={"ok":"yes"}' \
  --reply 'reload={"ok":false,"error":"no\u0007bell\nhere"}' \
  --reply 'drain={"ok":false}' \
  --reply 'check ready=[true]'
B=(-s "$BAD")
golden bad_status_trailing "${B[@]}" status
golden bad_stats_trailing_comma "${B[@]}" stats
golden bad_sessions_leading_zero "${B[@]}" sessions
golden bad_version_ok_not_bool "${B[@]}" version
golden bad_reload_error "${B[@]}" reload
golden bad_reload_error_json "${B[@]}" --json reload
golden bad_drain_no_error "${B[@]}" drain
golden bad_check_array "${B[@]}" check --ready

finish
