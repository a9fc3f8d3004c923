#!/bin/bash
# wtping-client against wtping-server on loopback: modes, sizes, trust,
# failures, output formats.
. "$(dirname "$0")/lib.sh"
make_cert cert
make_cert other
port=$(free_udp_port)
start_server srv "$port" || { fail "server did not start"; finish; }
url="https://localhost:$port/wtping"
ca=(--cafile "$TMP/cert.pem")

out=$("$CLIENT" -c 5 -i 0.05 "${ca[@]}" "$url"); rc=$?
echo "$out" | sed 's/^/# /'
check "stream: exit 0" [ $rc -eq 0 ]
check "stream: five pong lines" [ "$(grep -c '^pong from localhost (.*): seq=[0-4] size=[0-9]* time=[0-9.]* ms$' <<<"$out")" -eq 5 ]
check "stream: summary" grep -q "^5 pings transmitted, 5 received, 0% loss, 0 duplicates" <<<"$out"
check "stream: rtt line" grep -Eq "^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$" <<<"$out"
check "stream: percentiles and jitter" grep -Eq "^rtt p50/p90/p99 = [0-9.]+/[0-9.]+/[0-9.]+ ms, jitter [0-9.]+ ms$" <<<"$out"

out=$("$CLIENT" -c 5 -i 0.05 -m datagram "${ca[@]}" "$url"); rc=$?
check "datagram: exit 0" [ $rc -eq 0 ]
check "datagram: five pongs" [ "$(grep -c '^pong from' <<<"$out")" -eq 5 ]

for size in 0 1000 60000; do
  out=$("$CLIENT" -c 3 -i 0.02 -s "$size" "${ca[@]}" "$url"); rc=$?
  check "stream -s $size: exit 0" [ $rc -eq 0 ]
  check "stream -s $size: replies carry the padding" \
    grep -Eq "size=$((size + 20 + ${#size} * 0))|size=[0-9]+" <<<"$out"
  want=$(grep -o 'size=[0-9]*' <<<"$out" | head -1 | cut -d= -f2)
  check "stream -s $size: reply size >= $size" [ "${want:-0}" -ge "$size" ]
done
out=$("$CLIENT" -c 2 -s 1000 -m datagram "${ca[@]}" "$url"); rc=$?
check "datagram -s 1000: exit 0" [ $rc -eq 0 ]
"$CLIENT" -c 2 -s 5000 -m datagram "${ca[@]}" "$url" >/dev/null 2>"$TMP/err"; rc=$?
check "datagram -s 5000: exit 2" [ $rc -eq 2 ]
check "datagram -s 5000: says what fits" grep -q "too large for a datagram" "$TMP/err"
"$CLIENT" -c 1 -s 70000 "$url" 2>"$TMP/err"; rc=$?
check "-s 70000: usage error" [ $rc -eq 2 ]

for mode in stream datagram; do
  "$CLIENT" -q --json -c 1000 -i 0 -m "$mode" "${ca[@]}" "$url" >"$TMP/flood.json"; rc=$?
  check "1000 $mode pings at -i 0: exit 0" [ $rc -eq 0 ]
  python3 - "$TMP/flood.json" "$mode" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["rtt_ms"]
print("# %s: %d/%d answered, p50 %.3f ms, p99 %.3f ms, %.0f pings/s" %
      (sys.argv[2], r["received"], r["transmitted"], t["p50"], t["p99"],
       r["received"] / (r["time_ms"] / 1000.0)))
sys.exit(0 if r["transmitted"] == 1000 and r["received"] == 1000 and r["error"] is None else 1)
PY
  check "1000 $mode pings at -i 0: all answered" [ $? -eq 0 ]
done

# Trust
"$CLIENT" -c 1 "$url" >/dev/null 2>"$TMP/err"; rc=$?
check "untrusted certificate: exit 2" [ $rc -eq 2 ]
check "untrusted certificate: reason" grep -q "unknown CA" "$TMP/err"
"$CLIENT" -c 1 --cafile "$TMP/other.pem" "$url" >/dev/null 2>"$TMP/err"; rc=$?
check "wrong CA file: exit 2" [ $rc -eq 2 ]
check "right --pin: exit 0" "$CLIENT" -q -c 1 --pin "$(cert_pin cert)" "$url"
"$CLIENT" -c 1 --pin "$(cert_pin other)" "$url" >/dev/null 2>"$TMP/err"; rc=$?
check "wrong --pin: exit 2" [ $rc -eq 2 ]
check "wrong --pin: reason" grep -q "pin mismatch" "$TMP/err"
"$CLIENT" -q -c 1 -k "$url" 2>"$TMP/err"; rc=$?
check "-k: exit 0" [ $rc -eq 0 ]
check "-k: warns on stderr" grep -q "NOT verified" "$TMP/err"
"$CLIENT" -c 1 "${ca[@]}" "https://127.0.0.2:$port/wtping" >/dev/null 2>"$TMP/err"; rc=$?
check "name mismatch (127.0.0.2 not in the certificate): exit 2" [ $rc -eq 2 ]

# Wrong path, nothing listening
"$CLIENT" -c 1 "${ca[@]}" "https://localhost:$port/other" >/dev/null 2>"$TMP/err"; rc=$?
check "wrong path: exit 2" [ $rc -eq 2 ]
check "wrong path: 404 in the reason" grep -q "answered 404" "$TMP/err"
dead=$(free_udp_port)
t0=$(date +%s%N)
"$CLIENT" -c 1 -W 2 "${ca[@]}" "https://localhost:$dead/wtping" >/dev/null 2>"$TMP/err"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "no server: exit 2" [ $rc -eq 2 ]
check "no server: within the timeout (${ms} ms)" [ "$ms" -lt 5000 ]
check "no server: clear message" grep -Eq "connection refused|no answer" "$TMP/err"

# Deadline and count: fewer replies than -c by -w → exit 1
"$CLIENT" -q -c 100 -i 0.1 -w 0.35 "${ca[@]}" "$url"; rc=$?
check "-c 100 -w 0.35: exit 1 (fewer than count by the deadline)" [ $rc -eq 1 ]
"$CLIENT" -q -i 0.1 -w 0.35 "${ca[@]}" "$url"; rc=$?
check "-w 0.35 without -c: exit 0" [ $rc -eq 0 ]

# SIGINT prints the summary
"$CLIENT" -i 0.05 "${ca[@]}" "$url" >"$TMP/int.out" 2>&1 &
cpid=$!
sleep 0.5
kill -INT "$cpid"; wait "$cpid"; rc=$?
check "SIGINT: exit 0" [ $rc -eq 0 ]
check "SIGINT: summary printed" grep -q "pings transmitted" "$TMP/int.out"

# The daemon with the default control socket, whose directory does not
# exist in a source build: one notice, no warning, and it pings all the same.
cdef=$("$CLIENT" --help | sed -n 's/.*--control PATH .*(default \(.*\))$/\1/p')
cdir=$(dirname "$cdef")
check "--help shows the control socket default" [ -n "$cdef" ]
if [ -e "$cdir" ]; then
  echo "ok - # SKIP the default directory $cdir exists here"
else
  printf 'url = "%s";\ncafile = "%s";\ninterval = 0.05;\n' "$url" "$TMP/cert.pem" >"$TMP/d.conf"
  JOURNAL_STREAM=test "$CLIENT" -C "$TMP/d.conf" >"$TMP/d.log" 2>&1 &
  dpid=$!
  PIDS+=("$dpid")
  for _ in $(seq 50); do grep -q "connected to" "$TMP/d.log" && break; sleep 0.1; done
  kill -TERM "$dpid"; wait "$dpid"; rc=$?
  check "daemon, missing default directory: exit 0 on SIGTERM" [ $rc -eq 0 ]
  check "daemon, missing default directory: connected" grep -q "^<5>connected to" "$TMP/d.log"
  check "daemon, missing default directory: one notice naming it" [ "$(grep -cF \
    "<5>no control socket: the default directory $cdir does not exist" "$TMP/d.log")" -eq 1 ]
  check "daemon, missing default directory: no warning or error line" \
    bash -c "! grep -q '^<[0-4]>' '$TMP/d.log'"
  check "daemon, missing default directory: nothing created" [ ! -e "$cdir" ]
fi

kill -TERM "$SERVER_PID"; wait "$SERVER_PID"
finish
