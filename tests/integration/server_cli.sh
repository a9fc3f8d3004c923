#!/bin/bash
# wtping-server's command line, startup errors and graceful shutdown.
. "$(dirname "$0")/lib.sh"
make_cert cert

out=$("$SERVER" --help); rc=$?
check "--help exits 0" [ $rc -eq 0 ]
for opt in --config --test-config --listen --cert --key --path --idle-timeout --max-connections --max-sessions --control --verbose --version --help; do
  check "--help lists $opt" grep -q -- "$opt" <<<"$out"
done
check "--version prints the version" bash -c "'$SERVER' --version | grep -Eq '^wtping-server [0-9]+\.[0-9]+'"

"$SERVER" --listen 127.0.0.1:1 >/dev/null 2>"$TMP/err"; rc=$?
check "missing --cert/--key: exit 1" [ $rc -eq 1 ]
check "missing --cert/--key: says so" grep -q -- "no certificate: give --cert and --key" "$TMP/err"

"$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" --listen 127.0.0.1:70000 2>"$TMP/err"; rc=$?
check "port 70000: exit 2" [ $rc -eq 2 ]
check "port 70000: names the option" grep -q -- "--listen 127.0.0.1:70000" "$TMP/err"

"$SERVER" --cert "$TMP/nonexistent.pem" --key "$TMP/cert.key" --listen "127.0.0.1:$(free_udp_port)" 2>"$TMP/err"; rc=$?
check "unreadable certificate: exit 1" [ $rc -eq 1 ]
check "unreadable certificate: names the file" grep -q "nonexistent.pem" "$TMP/err"

"$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" --path nope 2>"$TMP/err"; rc=$?
check "--path without a slash: exit 2" [ $rc -eq 2 ]

# Every key type the server accepts: ECDSA P-256 / P-384, Ed25519, RSA.
for kt in "ec -pkeyopt ec_paramgen_curve:prime256v1" "ec -pkeyopt ec_paramgen_curve:secp384r1" \
          "ed25519" "rsa:2048"; do
  name=$(echo "$kt" | sed 's/.*://; s/ .*//')
  openssl req -x509 -newkey $kt -nodes -keyout "$TMP/k-$name.key" -out "$TMP/k-$name.pem" \
    -days 10 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
  kp=$(free_udp_port)
  "$SERVER" --cert "$TMP/k-$name.pem" --key "$TMP/k-$name.key" --listen "127.0.0.1:$kp" \
    --control "" >"$TMP/k-$name.log" 2>&1 &
  kpid=$!
  PIDS+=("$kpid")
  wait_udp "$kp"
  check "key type $name: a client is answered" \
    bash -c "'$CLIENT' -q -c 1 --cafile '$TMP/k-$name.pem' https://127.0.0.1:$kp/wtping >/dev/null"
  kill "$kpid"; wait "$kpid" 2>/dev/null
done

port=$(free_udp_port)
start_server busy "$port"
"$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" --listen "127.0.0.1:$port" 2>"$TMP/err"; rc=$?
check "address in use: exit 1" [ $rc -eq 1 ]
check "address in use: says so" grep -q "Address already in use" "$TMP/err"

# Graceful shutdown with a session open: the client is told why.
"$CLIENT" -i 0.05 --cafile "$TMP/cert.pem" "https://127.0.0.1:$port/wtping" >"$TMP/client.out" 2>"$TMP/client.err" &
cpid=$!
PIDS+=("$cpid")
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"; rc=$?
t1=$(date +%s%N)
check "SIGTERM: server exits 0" [ $rc -eq 0 ]
ms=$(( (t1 - t0) / 1000000 ))
echo "# server stopped ${ms} ms after SIGTERM"
check "SIGTERM: server exits within 3 s" [ "$ms" -lt 3000 ]
wait "$cpid"; crc=$?
check "client sees the close (exit 2)" [ $crc -eq 2 ]
check "client prints the server's reason" grep -q "server shutting down" "$TMP/client.err"
check "client got pongs before" grep -q "^pong from" "$TMP/client.out"
check "server logged the close" grep -q 'closed by server: code=1 reason="server shutting down"' "$TMP/busy.log"
# Defaults whose directory does not exist (a source build's /usr/local/var):
# the server says so once per default, at notice level, and works without
# them; a path the user chose in a missing directory is still a warning.
help=$("$SERVER" --help)
ctl_dir=$(dirname "$(sed -n 's/.*--control PATH .*(default \([^;]*\);.*/\1/p' <<<"$help")")
sec_dir=$(dirname "$(sed -n 's/.*(default \([^;]*reset-secret\);.*/\1/p' <<<"$help")")
check "--help shows both defaults" [ "$ctl_dir" != . -a "$sec_dir" != . ]
if [ -e "$ctl_dir" ] || [ -e "$sec_dir" ]; then
  echo "ok - # SKIP the default directories exist here ($ctl_dir, $sec_dir)"
else
  dp=$(free_udp_port)
  JOURNAL_STREAM=test "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "127.0.0.1:$dp" >"$TMP/defaults.log" 2>&1 &
  dpid=$!
  PIDS+=("$dpid")
  wait_udp "$dp"
  check "missing default directories: a client is answered" \
    bash -c "'$CLIENT' -q -c 1 --cafile '$TMP/cert.pem' https://127.0.0.1:$dp/wtping >/dev/null"
  kill -TERM "$dpid"; wait "$dpid"; rc=$?
  check "missing default directories: exit 0 on SIGTERM" [ $rc -eq 0 ]
  check "missing default directories: no warning or error line" \
    bash -c "! grep -q '^<[0-4]>' '$TMP/defaults.log'"
  check "missing control socket directory: one notice naming it" [ "$(grep -cF \
    "<5>no control socket: the default directory $ctl_dir does not exist" "$TMP/defaults.log")" -eq 1 ]
  check "missing reset secret directory: one notice naming it" [ "$(grep -cF \
    "<5>stateless reset secret: a new one for this run, as the default directory $sec_dir does not exist" \
    "$TMP/defaults.log")" -eq 1 ]
  check "missing default directories: nothing created" [ ! -e "$ctl_dir" -a ! -e "$sec_dir" ]
  dp=$(free_udp_port)
  JOURNAL_STREAM=test "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "127.0.0.1:$dp" --control "$TMP/missing/server.sock" \
    --reset-secret "$TMP/missing/secret" >"$TMP/chosen.log" 2>&1 &
  dpid=$!
  PIDS+=("$dpid")
  wait_udp "$dp"
  kill -TERM "$dpid"; wait "$dpid"
  check "a chosen control socket in a missing directory: a warning" \
    grep -qF "<4>control socket disabled: $TMP/missing/server.sock: bind:" "$TMP/chosen.log"
  check "a chosen reset secret in a missing directory: a warning" \
    grep -qF "<4>stateless reset secret: $TMP/missing/secret.tmp:" "$TMP/chosen.log"
fi
finish
