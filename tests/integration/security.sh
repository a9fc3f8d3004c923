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

finish
