#!/bin/bash
# Peers that send malformed HTTP/3 and WebTransport input lose their own
# connection, with the right error code, while a well-behaved client on
# the same server keeps getting every pong.
. "$(dirname "$0")/lib.sh"
make_cert cert
port=$(free_udp_port)
start_server srv "$port" || { fail "server did not start"; finish; }

# A steady client for the whole run (about 6 s at 50 pings/s).
"$CLIENT" -q --json -c 300 -i 0.02 --cafile "$TMP/cert.pem" "https://127.0.0.1:$port/wtping" \
  >"$TMP/steady.json" 2>"$TMP/steady.err" &
steady=$!
PIDS+=("$steady")
sleep 0.3

scenarios=$("$BADPEER" 2>&1 | sed -n 's/^scenarios://p')
check "wt_badpeer lists its scenarios" [ -n "$scenarios" ]
for s in $scenarios; do
  out=$(timeout 20 "$BADPEER" 127.0.0.1 "$port" "$s"); rc=$?
  echo "# $out"
  check "bad peer: $s" [ $rc -eq 0 ]
done

wait "$steady"; rc=$?
check "steady client exit 0" [ $rc -eq 0 ]
python3 - "$TMP/steady.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("# steady client: %d transmitted, %d received, p50 %.3f ms" %
      (r["transmitted"], r["received"], (r["rtt_ms"] or {}).get("p50", -1)))
sys.exit(0 if r["transmitted"] == 300 and r["received"] == 300 else 1)
PY
check "steady client got all 300 pongs during the attacks" [ $? -eq 0 ]

check "server still running" kill -0 "$SERVER_PID"
check "a new client is served afterwards" \
  "$CLIENT" -q -c 3 -i 0.05 --cafile "$TMP/cert.pem" "https://[::1]:$port/wtping"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?
check "server exits 0 on SIGTERM" [ $rc -eq 0 ]
grep -q "ERROR\|AddressSanitizer\|runtime error" "$TMP/srv.log" && fail "sanitizer or error output in the server log" 
finish
