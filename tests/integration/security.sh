#!/bin/bash
# Access control and key material (docs/security.md): permission checks on
# the private key and the tokens file, systemd credentials, and who may
# open a session (origins, bearer tokens).
. "$(dirname "$0")/lib.sh"
make_cert cert
chmod 0600 "$TMP/cert.key"

TOKEN_A=abcdefghijklmnop0123456789
TOKEN_B=Zm9vYmFyYmF6cXV4cXV1eA==

# --- key material -----------------------------------------------------------
cp "$TMP/cert.key" "$TMP/open.key"
chmod 0644 "$TMP/open.key"
port=$(free_udp_port)
"$SERVER" --cert "$TMP/cert.pem" --key "$TMP/open.key" --listen "127.0.0.1:$port" \
  --control "" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "world-readable key: startup refused (exit 1)" [ $rc -eq 1 ]
check "world-readable key: names the file and the mode" \
  grep -q "$TMP/open.key is readable by all users (mode 0644)" "$TMP/err"
check "world-readable key: says how to fix it" grep -q "chmod 0600 $TMP/open.key" "$TMP/err"
"$SERVER" -t --cert "$TMP/cert.pem" --key "$TMP/open.key" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "world-readable key: -t (ExecStartPre) fails too" [ $rc -ne 0 ]

# the systemd credential "key" wins over the configured (open) file
mkdir -p "$TMP/creds"
cp "$TMP/cert.key" "$TMP/creds/key"
chmod 0400 "$TMP/creds/key"
CREDENTIALS_DIRECTORY="$TMP/creds" "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/open.key" \
  --listen "127.0.0.1:$port" --control "" >"$TMP/cred.log" 2>&1 &
cpid=$!
PIDS+=("$cpid")
wait_udp "$port"
check "key from \$CREDENTIALS_DIRECTORY: a client is answered" \
  "$CLIENT" -q -c 1 --cafile "$TMP/cert.pem" "https://127.0.0.1:$port/wtping"
kill "$cpid"; wait "$cpid" 2>/dev/null

# --- tokens file ------------------------------------------------------------
printf '# test tokens\n%s\n\n%s\n' "$TOKEN_A" "$TOKEN_B" >"$TMP/tokens"
chmod 0644 "$TMP/tokens"
write_conf() { # write_conf PORT [EXTRA LINES...]
  local p=$1; shift
  {
    echo "certificate = \"$TMP/cert.pem\";"
    echo "key = \"$TMP/cert.key\";"
    echo "listen = \"127.0.0.1:$p\";"
    echo "control_socket = \"$TMP/ctl.sock\";"
    echo "reset_secret = \"\";"
    printf '%s\n' "$@"
  } >"$TMP/server.conf"
}
port=$(free_udp_port)
write_conf "$port" "tokens_file = \"$TMP/tokens\";"
"$SERVER" -c "$TMP/server.conf" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "world-readable tokens file: startup refused" [ $rc -eq 1 ]
check "world-readable tokens file: names it" grep -q "$TMP/tokens is readable by all users" "$TMP/err"
chmod 0600 "$TMP/tokens"
printf '%s\nshort\n' "$TOKEN_A" >"$TMP/bad-tokens"
chmod 0600 "$TMP/bad-tokens"
write_conf "$port" "tokens_file = \"$TMP/bad-tokens\";"
"$SERVER" -c "$TMP/server.conf" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "a short token: startup refused" [ $rc -eq 1 ]
check "a short token: file:line and why" \
  grep -q "$TMP/bad-tokens:2: a token must be 16 to 256 characters long" "$TMP/err"
check "a short token: the good token is not in the message" bash -c "! grep -q '$TOKEN_A' '$TMP/err'"

# --- bearer tokens on CONNECT ---------------------------------------------------
port=$(free_udp_port)
write_conf "$port" "tokens_file = \"$TMP/tokens\";"
"$SERVER" -c "$TMP/server.conf" >"$TMP/tok.log" 2>&1 &
tpid=$!
PIDS+=("$tpid")
wait_udp "$port"
url="https://127.0.0.1:$port/wtping"
"$CLIENT" -c 1 -W 2 --cafile "$TMP/cert.pem" "$url" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "tokens: no token -> refused (exit $rc)" [ $rc -ne 0 ]
check "tokens: no token -> 401" grep -q "401" "$TMP/err"
check "tokens: the 401 carries www-authenticate: Bearer (the client says so)" \
  grep -q "answered 401 (it asks for a bearer token" "$TMP/err"
printf 'not-the-right-token-at-all\n' >"$TMP/wrong"; chmod 0600 "$TMP/wrong"
"$CLIENT" -c 1 -W 2 --cafile "$TMP/cert.pem" --token-file "$TMP/wrong" "$url" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "tokens: a wrong token -> refused" [ $rc -ne 0 ]
check "tokens: a wrong token -> 403" grep -q "403" "$TMP/err"
printf '%s\n' "$TOKEN_B" >"$TMP/mine"; chmod 0600 "$TMP/mine"
check "tokens: the right token (second in the file) -> pongs" \
  "$CLIENT" -q -c 2 -i 0.05 --cafile "$TMP/cert.pem" --token-file "$TMP/mine" "$url"
chmod 0644 "$TMP/mine"
"$CLIENT" -c 1 -W 2 --cafile "$TMP/cert.pem" --token-file "$TMP/mine" "$url" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "tokens: a client token file readable by all is refused" \
  bash -c "[ $rc -ne 0 ] && grep -q 'readable by all users' '$TMP/err'"
chmod 0600 "$TMP/mine"
# a session that authenticated says so in wtpctl sessions
"$CLIENT" -q -c 30 -i 0.1 --cafile "$TMP/cert.pem" --token-file "$TMP/mine" "$url" >/dev/null 2>&1 &
lpid=$!
sleep 1
"$top_builddir/wtpctl" -s "$TMP/ctl.sock" sessions >"$TMP/sessions" 2>&1
check "tokens: wtpctl sessions shows auth token" grep -Eq " token +- *$" "$TMP/sessions"
"$top_builddir/wtpctl" -s "$TMP/ctl.sock" --json sessions >"$TMP/sessions.json" 2>&1
check "tokens: --json sessions has \"auth\":\"token\"" grep -q '"auth": *"token"' "$TMP/sessions.json"
kill "$lpid"; wait "$lpid" 2>/dev/null
"$top_builddir/wtpctl" -s "$TMP/ctl.sock" stats >"$TMP/stats" 2>&1
check "tokens: refusals are counted (refused_access 2)" grep -Eq "^refused_access +: 2$" "$TMP/stats"
check "tokens: refused requests opened no session (sessions_total 2)" \
  grep -Eq "^sessions_total +: 2$" "$TMP/stats"
check "tokens: never logged" bash -c "! grep -q -e '$TOKEN_A' -e '$TOKEN_B' -e not-the-right '$TMP/tok.log'"
# SIGHUP re-reads the tokens: without TOKEN_B, its holder is refused
printf '%s\n' "$TOKEN_A" >"$TMP/tokens"
kill -HUP "$tpid"
sleep 0.5
"$CLIENT" -c 1 -W 2 --cafile "$TMP/cert.pem" --token-file "$TMP/mine" "$url" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "tokens: after SIGHUP a removed token gets 403" bash -c "[ $rc -ne 0 ] && grep -q 403 '$TMP/err'"
kill "$tpid"; wait "$tpid" 2>/dev/null

# --- client certificates (mutual TLS) ------------------------------------------
# client_cert NAME CA SUBJECT: a client certificate signed by CA
client_cert() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/$1.key" \
    -out "$TMP/$1.csr" -subj "$3" 2>/dev/null &&
    openssl x509 -req -in "$TMP/$1.csr" -CA "$TMP/$2.pem" -CAkey "$TMP/$2.key" \
      -CAcreateserial -out "$TMP/$1.pem" -days 2 2>/dev/null && chmod 0600 "$TMP/$1.key"
}
for ca in ca otherca; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/$ca.key" \
    -out "$TMP/$ca.pem" -days 2 -subj "/CN=wtping-test-$ca" 2>/dev/null
done
client_cert probe1 ca "/CN=probe1"
client_cert probe2 ca "/CN=probe2"
client_cert stranger otherca "/CN=probe1"
port=$(free_udp_port)
write_conf "$port" "client_ca = \"$TMP/ca.pem\";" 'client_subjects = [ "CN=probe1" ];'
"$SERVER" -c "$TMP/server.conf" >"$TMP/mtls.log" 2>&1 &
mpid=$!
PIDS+=("$mpid")
wait_udp "$port"
url="https://127.0.0.1:$port/wtping"
mt() { "$CLIENT" -c 1 -W 2 --cafile "$TMP/cert.pem" "$@" "$url" >"$TMP/out" 2>"$TMP/err"; }
mt; rc=$?
check "client_ca: a client without a certificate is refused" [ $rc -ne 0 ]
check "client_ca: ... with the TLS alert certificate_required" grep -q "CERTIFICATE_REQUIRED" "$TMP/err"
for _ in $(seq 100); do grep -q "handshake with 127.0.0.1:[0-9]* failed" "$TMP/mtls.log" && break; sleep 0.1; done
check "client_ca: the server log says why" \
  grep -q "handshake with 127.0.0.1:[0-9]* failed: .*CERTIFICATE_REQUIRED" "$TMP/mtls.log"
mt --cert "$TMP/stranger.pem" --key "$TMP/stranger.key"; rc=$?
check "client_ca: a certificate from another CA is refused (TLS alert)" \
  bash -c "[ $rc -ne 0 ] && grep -qi 'alert' '$TMP/err'"
mt --cert "$TMP/probe2.pem" --key "$TMP/probe2.key"; rc=$?
check "client_subjects: CN=probe2 (not listed) is refused" [ $rc -ne 0 ]
check "client_subjects: ... with 403 on CONNECT" grep -q "403" "$TMP/err"
check "client_subjects: the log names the subject" grep -q 'client certificate "CN=probe2"' "$TMP/mtls.log"
check "client_subjects: CN=probe1 gets pongs" mt --cert "$TMP/probe1.pem" --key "$TMP/probe1.key"
"$CLIENT" -q -c 30 -i 0.1 --cafile "$TMP/cert.pem" --cert "$TMP/probe1.pem" \
  --key "$TMP/probe1.key" "$url" >/dev/null 2>&1 &
lpid=$!
sleep 1
"$top_builddir/wtpctl" -s "$TMP/ctl.sock" sessions >"$TMP/sessions" 2>&1
check "mutual TLS: wtpctl sessions shows auth certificate" grep -Eq " certificate +- *$" "$TMP/sessions"
kill "$lpid"; wait "$lpid" 2>/dev/null
"$top_builddir/wtpctl" -s "$TMP/ctl.sock" stats >"$TMP/stats" 2>&1
check "mutual TLS: the refusal is counted" grep -Eq "^refused_client_cert +: 1$" "$TMP/stats"
kill "$mpid"; wait "$mpid" 2>/dev/null

# --- limits -------------------------------------------------------------------
# A handshake flood from one source (127.0.0.1) is capped at
# handshakes_per_second; a client from another source (::1) keeps getting
# pongs meanwhile.
port=$(free_udp_port)
write_conf "$port" 'handshakes_per_second = 5;' 'log_level = "debug";'
sed -i "s|^listen = .*|listen = [ \"127.0.0.1:$port\", \"[::1]:$port\" ];|" "$TMP/server.conf"
"$SERVER" -c "$TMP/server.conf" >"$TMP/flood.log" 2>&1 &
fpid=$!
PIDS+=("$fpid")
wait_udp "$port"
"$CLIENT" -q --json -c 20 -i 0.1 -W 1 --cafile "$TMP/cert.pem" "https://[::1]:$port/wtping" \
  >"$TMP/flood-client.json" 2>"$TMP/flood-client.err" &
clpid=$!
python3 "$(dirname "$0")/initial_flood.py" 127.0.0.1 "$port" 2000
sleep 0.5
python3 "$(dirname "$0")/initial_flood.py" 127.0.0.1 "$port" 2000
wait "$clpid"; rc=$?
check "Initial flood from 127.0.0.1: the client on ::1 exits 0" [ $rc -eq 0 ]
check "Initial flood from 127.0.0.1: the client on ::1 lost nothing" \
  python3 -c "import json,sys; d=json.load(open('$TMP/flood-client.json')); sys.exit(0 if d['received'] == 20 else 1)"
refused=$(grep -c "dropping an Initial: handshakes per second per source" "$TMP/flood.log")
check "Initial flood: most Initials refused by the per-source rate ($refused)" [ "$refused" -gt 100 ]
kill "$fpid"; wait "$fpid" 2>/dev/null

# With Retry engaged (retry = "always"; "auto" turns it on above
# retry_threshold half-open handshakes), a flood from one source gets only
# Retry packets - no connection state at all - and a client from another
# source, which follows the Retry, keeps getting pongs.
port=$(free_udp_port)
write_conf "$port" 'retry = "always";'
sed -i "s|^listen = .*|listen = [ \"127.0.0.1:$port\", \"[::1]:$port\" ];|" "$TMP/server.conf"
"$SERVER" -c "$TMP/server.conf" >"$TMP/retry.log" 2>&1 &
rpid=$!
PIDS+=("$rpid")
wait_udp "$port"
"$CLIENT" -q --json -c 20 -i 0.1 -W 1 --cafile "$TMP/cert.pem" "https://[::1]:$port/wtping" \
  >"$TMP/retry-client.json" 2>"$TMP/retry-client.err" &
clpid=$!
python3 "$(dirname "$0")/initial_flood.py" 127.0.0.1 "$port" 2000
wait "$clpid"; rc=$?
check "Retry: the client on ::1 follows the Retry and lost nothing" \
  python3 -c "import json,sys; d=json.load(open('$TMP/retry-client.json')); sys.exit(0 if d['received'] == 20 else 1)"
"$top_builddir/wtpctl" -s "$TMP/ctl.sock" stats >"$TMP/stats" 2>&1
retries=$(sed -n 's/^retries_sent *: //p' "$TMP/stats")
check "Retry: the flood got Retry packets ($retries)" [ "${retries:-0}" -gt 100 ]
check "Retry: the flood created no connection (connections_total 1)" \
  grep -Eq "^connections_total +: 1$" "$TMP/stats"
kill "$rpid"; wait "$rpid" 2>/dev/null

# retry = "auto": no Retry while half-open handshakes stay under
# retry_threshold; a flood of real ClientHellos from one source (which never
# completes a handshake) fills the threshold, every further Initial gets a
# Retry and no state; a client from another source follows the Retry and
# gets pongs; once the half-open handshakes time out, Retry is off again.
THRESHOLD=8
FLOOD=2000
port=$(free_udp_port)
write_conf "$port" 'retry = "auto";' "retry_threshold = $THRESHOLD;" 'handshake_timeout = 3;' \
  'handshakes_per_second = 100000;'
sed -i "s|^listen = .*|listen = [ \"127.0.0.1:$port\", \"[::1]:$port\" ];|" "$TMP/server.conf"
"$SERVER" -c "$TMP/server.conf" >"$TMP/auto.log" 2>&1 &
apid=$!
PIDS+=("$apid")
wait_udp "$port"
stat() { # stat NAME: one counter of the server's wtpctl stats
  "$top_builddir/wtpctl" -s "$TMP/ctl.sock" stats | sed -n "s/^$1 *: //p"
}
ping_once() { # ping_once NAME: one client run on ::1; its wall time (ms) in $TMP/NAME.ms
  local t0 t1 rc
  t0=$(date +%s%N)
  "$CLIENT" -q --json -c 1 -W 1 --cafile "$TMP/cert.pem" "https://[::1]:$port/wtping" \
    >"$TMP/$1.json" 2>"$TMP/$1.err"; rc=$?
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >"$TMP/$1.ms"
  return $rc
}
got1() { python3 -c "import json,sys; sys.exit(0 if json.load(open('$1'))['received'] == 1 else 1)"; }
check "Retry auto, no flood: a client connects" ping_once auto-before
check "Retry auto, no flood: it got its pong" got1 "$TMP/auto-before.json"
check "Retry auto, no flood: no Retry sent ($(stat retries_sent))" [ "$(stat retries_sent)" = 0 ]
# handshake_flood.py needs the cryptography module: Debian's python3-cryptography
# (scripts/install-deps.sh) is for /usr/bin/python3, which another python3
# first in PATH may lack
flood_py=
for p in /usr/bin/python3 python3; do
  "$p" -c 'import cryptography' 2>/dev/null && { flood_py=$p; break; }
done
[ -n "$flood_py" ] || fail "no python3 with the cryptography module (apt-get install python3-cryptography)"
sent=$(${flood_py:-python3} "$(dirname "$0")/handshake_flood.py" "$CLIENT" 127.0.0.1 "$port" "$FLOOD")
sleep 0.5 # the server drains its socket
half=$(stat handshakes_half_open); r1=$(stat retries_sent); conns=$(stat connections_total)
echo "# Retry auto: threshold $THRESHOLD, flood $sent Initials (real ClientHellos) from 127.0.0.1:" \
  "half open $half, Retry packets $r1, connections created $conns"
check "Retry auto, flood: half-open handshakes fill the threshold ($half)" [ "$half" = "$THRESHOLD" ]
check "Retry auto, flood: the flood got Retry packets ($r1 of $sent)" [ "${r1:-0}" -gt $((sent / 2)) ]
check "Retry auto, flood: no state beyond the threshold (connections_total $conns)" \
  [ "$conns" -le $((1 + THRESHOLD)) ]
check "Retry auto, flood: a client on ::1 still connects" ping_once auto-during
check "Retry auto, flood: it got its pong" got1 "$TMP/auto-during.json"
r2=$(stat retries_sent)
check "Retry auto, flood: that client was sent exactly one Retry ($r1 -> $r2)" [ "$r2" = $((r1 + 1)) ]
check "Retry auto, flood: still engaged after the client ($(stat handshakes_half_open) half open)" \
  [ "$(stat handshakes_half_open)" = "$THRESHOLD" ]
for _ in $(seq 100); do [ "$(stat handshakes_half_open)" = 0 ] && break; sleep 0.1; done
check "Retry auto, after the flood: the half-open handshakes timed out" \
  [ "$(stat handshakes_half_open)" = 0 ]
check "Retry auto, after the flood: a client connects" ping_once auto-after
check "Retry auto, after the flood: it got its pong" got1 "$TMP/auto-after.json"
r3=$(stat retries_sent)
check "Retry auto, after the flood: no Retry for it ($r2 -> $r3)" [ "$r3" = "$r2" ]
echo "# Retry auto: client wall time (process start to exit, one ping): without Retry" \
  "$(cat "$TMP/auto-before.ms") ms before and $(cat "$TMP/auto-after.ms") ms after the flood," \
  "with Retry $(cat "$TMP/auto-during.ms") ms"
kill "$apid"; wait "$apid" 2>/dev/null

# Datagram pings beyond datagrams_per_second in one session go unanswered.
port=$(free_udp_port)
write_conf "$port" 'datagrams_per_second = 5;'
"$SERVER" -c "$TMP/server.conf" >"$TMP/dg.log" 2>&1 &
dpid=$!
PIDS+=("$dpid")
wait_udp "$port"
"$CLIENT" -q --json -c 40 -i 0.01 -W 0.5 -m datagram --cafile "$TMP/cert.pem" \
  "https://127.0.0.1:$port/wtping" >"$TMP/dg.json" 2>/dev/null
check "datagrams_per_second = 5: a burst of 40 gets at most 5 + refill answers" \
  python3 -c "import json,sys; d=json.load(open('$TMP/dg.json')); print(d['received']); sys.exit(0 if 5 <= d['received'] <= 12 else 1)"
check "datagrams_per_second: streams are not limited" \
  "$CLIENT" -q -c 40 -i 0.01 --cafile "$TMP/cert.pem" "https://127.0.0.1:$port/wtping"
kill "$dpid"; wait "$dpid" 2>/dev/null

finish
