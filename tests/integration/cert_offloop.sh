#!/bin/bash
# Certificate rotation off the event loop: while a self-rotating server
# with a shortened schedule (--cert-rotation 12, test-only) rotates twice,
# the control socket keeps answering quickly and a session pinging every
# 50 ms loses nothing; reloads (each one makes a job) and a SIGTERM right
# after a SIGHUP leave a working server and a clean exit; a rotation that
# fails (next.pem made a directory) is logged, the server keeps serving the
# certificate it has, and the rotation resumes once the fault is gone.
# The latency bound is generous (a loaded 2-core machine): it catches a loop
# stalled for a second, not one stalled for 10 ms; tests/unit/test_offload
# proves the hand-off itself with a slow job.
. "$(dirname "$0")/lib.sh"
WTPCTL="$top_builddir/wtpctl"
ROTATION=12
MAX_MS=1000

port=$(free_udp_port)
sock="$TMP/server.sock"
certs="$TMP/certs"
url="https://127.0.0.1:$port/wtping"

start_rotating() { # start_rotating LOGNAME
  "$SERVER" --cert-mode self-rotating --cert-dir "$certs" --cert-rotation "$ROTATION" \
    --listen "127.0.0.1:$port" --control "$sock" --reset-secret "" >"$TMP/$1.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_udp "$port" && for _ in $(seq 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
  return 1
}

# current_hash: the served certificate's base64 hash per wtpctl cert
current_hash() {
  "$WTPCTL" -s "$sock" --json cert 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["current"]["sha256_base64"])' 2>/dev/null
}

status_ok() { "$WTPCTL" -s "$sock" -t 2 status >/dev/null; }
no_sanitizer_report() { ! grep -qE "AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error" "$1"; }

check "server starts in self-rotating mode" start_rotating server

# ---------------------------------------------------------------- during rotations
"$CLIENT" -q --json -i 0.05 -W 2 --cafile "$certs/ca.crt" "$url" >"$TMP/long.json" 2>"$TMP/long.err" &
long_pid=$!
PIDS+=("$long_pid")

# poll status and cert for 2.5 periods: the worst reply time, the hashes seen
python3 - "$WTPCTL" "$sock" $((ROTATION * 5 / 2)) >"$TMP/poll.txt" <<'PY'
import json, subprocess, sys, time
wtpctl, sock, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + dur
worst, n, failed, seen = 0.0, 0, 0, []
while time.monotonic() < end:
    for cmd in ("status", "cert"):
        t = time.monotonic()
        r = subprocess.run([wtpctl, "-s", sock, "--json", "-t", "5", cmd],
                           capture_output=True, text=True)
        worst = max(worst, time.monotonic() - t)
        n += 1
        if r.returncode != 0:
            failed += 1
            continue
        if cmd == "cert":
            h = json.loads(r.stdout)["current"]["sha256_base64"]
            if not seen or seen[-1] != h:
                seen.append(h)
    time.sleep(0.02)
print(n, failed, int(worst * 1000), len(seen))
PY
read -r polls poll_failed worst_ms hashes <"$TMP/poll.txt"
echo "# $polls control replies, worst $worst_ms ms, $hashes certificates served (timings noisy)"
check "every control request answered during rotations ($poll_failed of $polls failed)" \
  [ "${poll_failed:-1}" = 0 ]
check "the server rotated at least twice while polled ($hashes certificates seen)" \
  [ "${hashes:-0}" -ge 3 ]
check "worst control reply ${worst_ms} ms < $MAX_MS ms during rotations" \
  [ "${worst_ms:-99999}" -lt "$MAX_MS" ]
check "server logged >= 2 rotations" [ "$(grep -c 'rotated: now serving' "$TMP/server.log")" -ge 2 ]

# ---------------------------------------------------------------- reloads
check "wtpctl reload in self-rotating mode" "$WTPCTL" -s "$sock" reload
for _ in 1 2 3 4 5; do kill -HUP "$SERVER_PID"; done
sleep 0.5
check "after 6 reloads in a row: a client trusting the CA connects" \
  "$CLIENT" -q -c 3 -i 0.05 --cafile "$certs/ca.crt" "$url"
check "after 6 reloads: status answers" status_ok

kill -INT "$long_pid"
wait "$long_pid"
long_rc=$?
read -r tx rx lost rttmax < <(python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
print(v.get("transmitted"), v.get("received"), v.get("lost"), (v.get("rtt_ms") or {}).get("max"))' "$TMP/long.json")
echo "# long session: $rx of $tx pongs, $lost lost, rtt max $rttmax ms"
check "the session pinging every 50 ms lost nothing across rotations and reloads" \
  bash -c "[ $long_rc -eq 0 ] && [ '${tx:-0}' -ge 200 ] && [ '$rx' = '$tx' ] && [ '$lost' = 0 ]"
check "its worst RTT ${rttmax} ms < $MAX_MS ms" \
  python3 -c "import sys; sys.exit(0 if float('$rttmax') < $MAX_MS else 1)"

# ---------------------------------------------------------------- a failing rotation
before=$(current_hash)
rm -f "$certs/next.pem"
mkdir "$certs/next.pem" # the next rotation cannot write next.pem
failed=
for _ in $(seq $((ROTATION * 30))); do
  grep -q "certificate rotation failed" "$TMP/server.log" && { failed=1; break; }
  sleep 0.1
done
check "a rotation that cannot write is logged as failed" [ -n "$failed" ]
check "while failing: status answers" status_ok
check "while failing: the certificate served so far is still served and published" \
  [ "$(current_hash)" = "$before" ]
check "while failing: a client pinned to it connects" \
  "$CLIENT" -q -c 2 -i 0.05 --pin "sha256:$before" "$url"
rmdir "$certs/next.pem"
recovered=
for _ in $(seq $((ROTATION * 30))); do
  now_hash=$(current_hash)
  [ -n "$now_hash" ] && [ "$now_hash" != "$before" ] && [ -f "$certs/next.pem" ] &&
    { recovered=1; break; }
  sleep 0.1
done
check "the fault gone, the retry serves a new certificate and makes the next" [ -n "$recovered" ]
check "a client pinned to the new certificate connects" \
  "$CLIENT" -q -c 2 -i 0.05 --pin "sha256:$(current_hash)" "$url"

# ---------------------------------------------------------------- exit during a job
kill -HUP "$SERVER_PID"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
check "SIGTERM right after SIGHUP (a job in flight): exit status 0 (got $rc)" [ "$rc" = 0 ]
check "the server said it stopped" grep -q "stopped:" "$TMP/server.log"
check "no sanitizer report in the server's log" no_sanitizer_report "$TMP/server.log"
grep -E "rotation failed|now serving|ignoring" "$TMP/server.log" | sed 's/^/# /' | head -8

finish
