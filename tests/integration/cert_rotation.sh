#!/bin/bash
# Self-rotating certificates end to end: a server with a shortened schedule
# (--cert-rotation 12, a test-only value: 12 s per certificate, each valid
# 26 s) rotates at least twice while one wtping-client session, trusting the
# server's local CA, keeps getting pongs; after each rotation a new client
# pinned (--pin) to the hash that `wtpctl cert` published as "next" before
# the rotation connects, and one pinned to the replaced certificate does
# not. Also: file modes, key type and validity of what is served, wtpctl
# cert's text and JSON, restart reuse, and file mode's expiry warning.
. "$(dirname "$0")/lib.sh"
WTPCTL="$top_builddir/wtpctl"
ROTATION=12

port=$(free_udp_port)
sock="$TMP/server.sock"
certs="$TMP/certs"
url="https://127.0.0.1:$port/wtping"

start_rotating() { # start_rotating LOGNAME
  "$SERVER" --cert-mode self-rotating --cert-dir "$certs" --cert-rotation "$ROTATION" \
    --listen "127.0.0.1:$port" --listen "[::1]:$port" --control "$sock" --reset-secret "" \
    >"$TMP/$1.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_udp "$port" && for _ in $(seq 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
  return 1
}

# jfield FILE PATH...: a field of a JSON file ("" for null or missing)
jfield() {
  python3 - "$@" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)
PY
}

# cert_json NAME: `wtpctl cert --json` into $TMP/NAME.json
cert_json() { "$WTPCTL" -s "$sock" cert --json >"$TMP/$1.json" 2>"$TMP/$1.err"; }

check "server starts in self-rotating mode" start_rotating server
grep -q "made a local CA" "$TMP/server.log" || { cat "$TMP/server.log"; fail "no local CA made"; }

# ---------------------------------------------------------------- files
check "certificate directory mode 0700" [ "$(stat -c %a "$certs")" = 700 ]
for f in ca.pem current.pem next.pem; do
  check "$f mode 0600" [ "$(stat -c %a "$certs/$f")" = 600 ]
done
check "ca.crt mode 0644 (for clients)" [ "$(stat -c %a "$certs/ca.crt")" = 644 ]
check "ca.crt holds no key" bash -c "! grep -q 'PRIVATE KEY' '$certs/ca.crt'"

# ---------------------------------------------------------------- wtpctl cert
check "wtpctl cert --json" cert_json c0
cur0=$(jfield "$TMP/c0.json" current sha256_base64)
next0=$(jfield "$TMP/c0.json" next sha256_base64)
check "mode is self-rotating" [ "$(jfield "$TMP/c0.json" mode)" = self-rotating ]
check "current and next hashes published, different" \
  bash -c "[ -n '$cur0' ] && [ -n '$next0' ] && [ '$cur0' != '$next0' ]"
served_hex=$(openssl x509 -in "$certs/current.pem" -outform der | sha256sum | cut -d' ' -f1)
check "published current hash = SHA-256 of the served DER" \
  [ "$(jfield "$TMP/c0.json" current sha256)" = "$served_hex" ]
check "served key is ECDSA P-256" \
  bash -c "openssl x509 -in '$certs/current.pem' -noout -text | grep -q 'ASN1 OID: prime256v1'"
nb=$(date -d "$(openssl x509 -in "$certs/current.pem" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$certs/current.pem" -noout -enddate | cut -d= -f2)" +%s)
check "validity $((na - nb)) s <= 14 days and = the JSON's" \
  bash -c "[ $((na - nb)) -le 1209600 ] && [ $na = '$(jfield "$TMP/c0.json" current not_after_unix)' ]"
"$WTPCTL" -s "$sock" cert >"$TMP/cert.txt" 2>&1
check "wtpctl cert shows both hashes in hex and base64" \
  bash -c "grep -q '$served_hex' '$TMP/cert.txt' && grep -qF '$cur0' '$TMP/cert.txt' && grep -qF '$next0' '$TMP/cert.txt'"
check "wtpctl cert prints a serverCertificateHashes line" \
  grep -qE "^serverCertificateHashes: \[\{ algorithm: 'sha-256', value: " "$TMP/cert.txt"
"$WTPCTL" -s "$sock" status >"$TMP/status.txt" 2>&1
check "wtpctl status shows the certificate mode and expiry" \
  bash -c "grep -qi 'certificate.*self-rotating' '$TMP/status.txt' && grep -qi 'expires' '$TMP/status.txt'"

# ---------------------------------------------------------------- rotations
# one long session through every rotation, trusting the local CA
"$CLIENT" -q --json -i 0.1 -W 2 --cafile "$certs/ca.crt" "$url" >"$TMP/long.json" 2>"$TMP/long.err" &
long_pid=$!
PIDS+=("$long_pid")

prev_cur=$cur0 prev_next=$next0
for r in 1 2; do
  # wait for the switch: the published next becomes current
  switched=
  for _ in $(seq $((ROTATION * 20 + 100))); do
    cert_json "r$r" && [ "$(jfield "$TMP/r$r.json" current sha256_base64)" = "$prev_next" ] &&
      { switched=1; break; }
    sleep 0.1
  done
  check "rotation $r: the published next certificate is now served" [ -n "$switched" ]
  check "rotation $r: a client pinned to it connects" \
    "$CLIENT" -q -c 3 -i 0.05 --pin "sha256:$prev_next" "$url"
  "$CLIENT" -q -c 1 -W 2 --pin "sha256:$prev_cur" "$url" >/dev/null 2>&1
  check "rotation $r: a client pinned to the replaced certificate is refused" [ $? -ne 0 ]
  check "rotation $r: a new next certificate is published" \
    bash -c "n=\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"next\"][\"sha256_base64\"])' '$TMP/r$r.json'); [ -n \"\$n\" ] && [ \"\$n\" != '$prev_next' ]"
  prev_cur=$prev_next
  prev_next=$(jfield "$TMP/r$r.json" next sha256_base64)
done

kill -INT "$long_pid"
wait "$long_pid"
long_rc=$?
tx=$(jfield "$TMP/long.json" transmitted)
rx=$(jfield "$TMP/long.json" received)
lost=$(jfield "$TMP/long.json" lost)
check "the long session kept getting pongs across 2 rotations ($rx of $tx, $lost lost, exit $long_rc)" \
  bash -c "[ $long_rc -eq 0 ] && [ '${tx:-0}' -ge 100 ] && [ '$rx' = '$tx' ] && [ '$lost' = 0 ]"
check "server logged >= 2 rotations" [ "$(grep -c 'rotated: now serving' "$TMP/server.log")" -ge 2 ]
check "the long session reported no error" [ -z "$(jfield "$TMP/long.json" error)" ]

# ---------------------------------------------------------------- restart
cert_json before
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
check "restarted server" start_rotating restart
cert_json after
b_cur=$(jfield "$TMP/before.json" current sha256_base64)
b_next=$(jfield "$TMP/before.json" next sha256_base64)
a_cur=$(jfield "$TMP/after.json" current sha256_base64)
check "restart reuses the stored certificates (or switched to the published next)" \
  bash -c "[ '$a_cur' = '$b_cur' ] || [ '$a_cur' = '$b_next' ]"
check "restart reuses the local CA" bash -c "! grep -q 'made a local CA' '$TMP/restart.log'"
check "a client trusting the same CA file connects after the restart" \
  "$CLIENT" -q -c 2 -i 0.05 --cafile "$certs/ca.crt" "$url"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null

# ---------------------------------------------------------------- file mode
# a configured certificate wins over self-rotating; one near its end warns
# valid from 80 days ago for 90 days: 10 days left, within the 14-day warning
"$top_builddir/tests/tools/wt_mkcert" "$TMP/short.pem" -6912000 7776000
port2=$(free_udp_port)
"$SERVER" --cert-mode self-rotating --cert "$TMP/short.pem" --key "$TMP/short.pem" \
  --cert-dir "$TMP/unused" --listen "127.0.0.1:$port2" --control "$TMP/file.sock" \
  --reset-secret "" >"$TMP/file.log" 2>&1 &
PIDS+=($!)
wait_udp "$port2"
for _ in $(seq 50); do [ -S "$TMP/file.sock" ] && break; sleep 0.1; done
check "a configured certificate wins: no certificate directory made" [ ! -e "$TMP/unused" ]
check "file mode: near expiry is a warning in the log" grep -q "expires at" "$TMP/file.log"
"$WTPCTL" -s "$TMP/file.sock" status >"$TMP/fstatus.txt" 2>&1
check "file mode: wtpctl status warns" grep -qi "expires soon\|expires-soon" "$TMP/fstatus.txt"
"$WTPCTL" -s "$TMP/file.sock" cert --json >"$TMP/f.json" 2>&1
check "file mode: wtpctl cert shows the file's hash" \
  [ "$(jfield "$TMP/f.json" current sha256)" = "$(openssl x509 -in "$TMP/short.pem" -outform der | sha256sum | cut -d' ' -f1)" ]
check "file mode: no next certificate" [ -z "$(jfield "$TMP/f.json" next)" ]

finish
