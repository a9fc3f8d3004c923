#!/bin/bash
# Diagnostics a QUIC engineer expects: SSLKEYLOGFILE (GnuTLS's own) and
# --qlog DIR on the server and the client; both off by default and never
# set in the packaged units.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

make_cert cert
port=$(free_udp_port)
mkdir -p "$TMP/qlog-server" "$TMP/qlog-client"
start_server srv "$port" --control "" --reset-secret "" --qlog "$TMP/qlog-server"
URL="https://127.0.0.1:$port/wtping"

SSLKEYLOGFILE="$TMP/keys.txt" "$CLIENT" -q -c 2 -i 0.05 --cafile "$TMP/cert.pem" \
  --qlog "$TMP/qlog-client" "$URL" >"$TMP/client.out" 2>&1
check "the one-shot client pings with SSLKEYLOGFILE and --qlog" [ $? -eq 0 ]
check "SSLKEYLOGFILE gets the TLS 1.3 traffic secrets" \
  grep -qE '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]+$' "$TMP/keys.txt"
check "SSLKEYLOGFILE gets the handshake secrets" \
  grep -qE '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' "$TMP/keys.txt"

# one file per connection on each side, named after the same ODCID
cfile=$(ls "$TMP/qlog-client" 2>/dev/null | head -1)
check "the client wrote one qlog file" [ "$(ls "$TMP/qlog-client" | wc -l)" -eq 1 ]
check "the client's qlog file is <odcid>.client.sqlog" \
  bash -c "[[ '$cfile' =~ ^[0-9a-f]{16,40}\.client\.sqlog$ ]]"
odcid=${cfile%%.*}
for _ in $(seq 30); do [ -s "$TMP/qlog-server/$odcid.server.sqlog" ] && break; sleep 0.1; done
check "the server wrote <the same odcid>.server.sqlog" [ -s "$TMP/qlog-server/$odcid.server.sqlog" ]

# JSON-SEQ (RFC 7464): records start with 0x1e; the first is the qlog header
qlog_ok() {
  python3 - "$1" "$2" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
recs = [r for r in data.split(b"\x1e") if r.strip()]
head = json.loads(recs[0])
assert head.get("qlog_format") == "JSON-SEQ", head
assert head["trace"]["vantage_point"]["type"] == sys.argv[2], head
names = set()
for r in recs[1:]:
    try:
        names.add(json.loads(r).get("name"))
    except ValueError:
        pass  # the last record of a file still being written
assert "transport:packet_sent" in names and "transport:packet_received" in names, names
PY
}
check "the client's qlog is JSON-SEQ qlog with packets sent and received" \
  qlog_ok "$TMP/qlog-client/$cfile" client
check "the server's qlog is JSON-SEQ qlog with packets sent and received" \
  qlog_ok "$TMP/qlog-server/$odcid.server.sqlog" server

# a directory that does not exist: the ping still works, without qlog
"$CLIENT" -q -c 1 --cafile "$TMP/cert.pem" --qlog "$TMP/nonexistent" "$URL" >"$TMP/c2.out" 2>&1
check "an unusable --qlog directory does not stop the client" [ $? -eq 0 ]

# off by default and never in the packaged units
count_before=$(ls "$TMP/qlog-client" | wc -l)
"$CLIENT" -q -c 1 --cafile "$TMP/cert.pem" "$URL" >/dev/null 2>&1
check "no qlog without --qlog" [ "$(ls "$TMP/qlog-client" | wc -l)" -eq "$count_before" ]
check "the packaged units set neither qlog nor SSLKEYLOGFILE" \
  bash -c "! grep -qiE 'qlog|SSLKEYLOGFILE' '$top_srcdir'/systemd/*.in '$top_srcdir'/systemd/*.socket '$top_srcdir'/etc/*.conf"
finish
