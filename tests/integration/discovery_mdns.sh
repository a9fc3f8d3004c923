#!/bin/bash
# mDNS / DNS-SD discovery with real daemons: two network namespaces joined
# by a veth pair (192.0.2.1, 192.0.2.2), a D-Bus system bus and avahi-daemon
# in each. wtping-server advertises itself in one (--advertise); in the
# other, wtping-client --discover lists it and pings it. The advertisement
# follows the port really bound, comes back after avahi-daemon restarts, and
# is withdrawn when the server stops. Needs root, ip, avahi-daemon,
# dbus-daemon; skips (77) without them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/disc_lib.sh"
disc_need ip avahi-daemon dbus-daemon unshare openssl

A="wtdma-$$"
B="wtdmb-$$"
disc_ns "$A" && disc_ns "$B" && disc_link "$A" 192.0.2.1 "$B" 192.0.2.2 || { fail "namespaces"; finish; }
check "avahi-daemon in A" disc_avahi "$A" "va$$" "wtsrv$$"
check "avahi-daemon in B" disc_avahi "$B" "vb$$" "wtcli$$"
make_cert cert
pin=$(cert_pin cert)
port=$(free_udp_port)

start_adv_server() { # start_adv_server LOG
  disc_bg "$A" "$1" "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "0.0.0.0:$port" --control "" --reset-secret "" --advertise
  SRV=$BG_PID
}
listing() { disc_in "$B" "$CLIENT" --discover -W 3 2>>"$TMP/discover.err"; }
found_port() { listing | grep -q "^mdns;wtping on wtsrv$$;wtsrv$$.local;192.0.2.1;$port;/wtping$"; }
not_found() { ! listing | grep -q "^mdns;"; }

# listening on loopback only: nothing to announce to the link
disc_bg "$A" lo.log "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
  --listen "127.0.0.1:$port" --control "" --reset-secret "" --advertise
check "server on loopback only: does not advertise (a notice)" \
  wait_for 5 grep -q "listening on loopback only: not advertising" "$TMP/lo.log"
kill -TERM "$BG_PID"; wait "$BG_PID"

start_adv_server server.log
check "server: advertised (entry group established)" \
  wait_for 10 grep -q "mDNS: advertising \"wtping on wtsrv$$\" (_wtping._udp, port $port)" "$TMP/server.log"
check "client --discover: lists name, host, address, port, path" wait_for 10 found_port
listing >"$TMP/list.txt"
check "client --discover: exit 0 when found" disc_in "$B" "$CLIENT" --discover -W 3 >/dev/null 2>&1

out=$(disc_in "$B" "$CLIENT" --discover -c 3 -i 0.1 --pin "$pin" 2>&1); rc=$?
check "client --discover -c 3: pings the server found (exit 0)" [ $rc -eq 0 ]
check "client --discover -c 3: 3 pongs from 192.0.2.1" \
  [ "$(grep -c "pong from 192.0.2.1 (192.0.2.1): seq=" <<<"$out")" -eq 3 ]
check "client --discover -c 3: says how it was found" grep -q "by mdns" <<<"$out"

# avahi-daemon restarts: the server's advertisement comes back by itself
disc_avahi_stop "$A"
check "server: notices avahi-daemon gone, keeps running" \
  wait_for 10 grep -q "not advertising for now" "$TMP/server.log"
check "server still running without Avahi" kill -0 "$SRV"
disc_avahi_start "$A"
check "server: advertised again after the avahi-daemon restart" \
  wait_for 15 bash -c "[ \$(grep -c 'mDNS: advertising' '$TMP/server.log') -ge 2 ]"
check "client --discover: found again" wait_for 10 found_port

# the server stops: the record is withdrawn (goodbye), the listing is empty
kill -TERM "$SRV"
wait "$SRV"
check "server: withdrew the record on shutdown" grep -q "mDNS: withdrawing" "$TMP/server.log"
check "client --discover: gone after the server stopped" wait_for 10 not_found
disc_in "$B" "$CLIENT" --discover -W 2 >/dev/null 2>&1; rc=$?
check "client --discover: exit 1 when nothing is found" [ $rc -eq 1 ]

# ---- a client daemon with no url in B finds the server in A and moves on
start_adv_server server2.log
check "server advertised again" wait_for 10 grep -q "mDNS: advertising" "$TMP/server2.log"
sock="$TMP/client.sock"
cat >"$TMP/client.conf" <<CONF
pins = "$pin";
interval = 0.1;
timeout = 1;
reconnect_min = 0.1;
reconnect_max = 1.0;
discovery_dns = false;
control_socket = "$sock";
control_mode = "0666";
CONF
disc_bg "$B" client.log "$CLIENT" -C "$TMP/client.conf"
CLI=$BG_PID
connected_to() { # connected_to ADDR:PORT NAME
  [ "$(status_py "$sock" '(s["state"], s["server"], s["targets"][0]["source"], s["targets"][0]["name"])')" = \
    "('connected', '$1', 'mdns', '$2')" ]
}
check "daemon without url: pings the server found by mDNS" \
  wait_for 15 connected_to "192.0.2.1:$port" "wtping on wtsrv$$"
rx=$(status_py "$sock" 's["received"]')
sleep 0.5
check "daemon: pongs" [ "$(status_py "$sock" 's["received"]')" -gt "$rx" ]

# the server stops; a second one (another port and name) starts advertising
kill -TERM "$SRV"; wait "$SRV"
port2=$(free_udp_port)
cat >"$TMP/server2.conf" <<CONF
listen = "0.0.0.0:$port2";
certificate = "$TMP/cert.pem";
key = "$TMP/cert.key";
control_socket = "$TMP/server2.sock";
reset_secret = "";
discovery = { advertise = true; name = "wtping second"; publish_pin = true; };
CONF
disc_bg "$A" server3.log "$SERVER" -c "$TMP/server2.conf"
SRV2=$BG_PID
t0=$(now_s)
check "daemon: moves to the second server on reconnect" \
  wait_for 20 connected_to "192.0.2.1:$port2" "wtping second"
echo "# on the second server $(since_s "$t0") s after it started"

check "server status: the advertisement, established, with its name" \
  [ "$(status_py "$TMP/server2.sock" '(s["advertise"]["state"], s["advertise"]["name"])')" = \
    "('established', 'wtping second')" ]

# the published pin: not trusted by default, trusted with discovery_trust_pins
disc_in "$B" "$CLIENT" --discover -c 2 -i 0.1 >"$TMP/notrust.out" 2>&1; rc=$?
check "published pin not trusted by default: no pong (certificate refused)" [ $rc -ne 0 ]
check "published pin not trusted by default: a verification error" \
  grep -qiE "certificate|verif" "$TMP/notrust.out"
sed "s/^/# untrusted: /" "$TMP/notrust.out" | tail -n 1
printf 'discovery_trust_pins = true;\ndiscovery_dns = false;\n' >"$TMP/trust.conf"
out=$(disc_in "$B" "$CLIENT" -C "$TMP/trust.conf" --discover -c 2 -i 0.1 2>&1); rc=$?
check "discovery_trust_pins: the published pin is accepted" [ $rc -eq 0 ]
check "discovery_trust_pins: 2 pongs" [ "$(grep -c "pong from 192.0.2.1" <<<"$out")" -eq 2 ]

# the advertisement follows a reload, and is withdrawn on drain
sed -i 's/wtping second/wtping renamed/' "$TMP/server2.conf"
kill -HUP "$SRV2"
check "server: reload renames the advertisement" \
  wait_for 10 grep -q 'mDNS: advertising "wtping renamed"' "$TMP/server3.log"
renamed() { listing | grep -q "^mdns;wtping renamed;"; }
check "client --discover: sees the new name" wait_for 10 renamed
"$WTPCTL" -s "$TMP/server2.sock" drain >/dev/null
check "server: drain withdraws the advertisement" \
  wait_for 5 grep -q 'mDNS: withdrawing "wtping renamed"' "$TMP/server3.log"
check "client --discover: gone after the drain" wait_for 10 not_found
check "server status: withdrawn" \
  [ "$(status_py "$TMP/server2.sock" 's["advertise"]["state"]')" = withdrawn ]
kill -TERM "$CLI" "$SRV2"; wait "$CLI" "$SRV2" 2>/dev/null

# ---- every server found at once (max_targets 3): two advertised servers,
# two sessions; one stops and only its session ends
pa=$(free_udp_port)
pb=$(free_udp_port)
for x in a b; do
  eval "p=\$p$x"
  disc_bg "$A" "multi-$x.log" "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "0.0.0.0:$p" --control "" --reset-secret "" -c /dev/null --advertise
  eval "M$x=\$BG_PID"
done
printf 'max_targets = 3;\n' >>"$TMP/client.conf"
disc_bg "$B" client-multi.log "$CLIENT" -C "$TMP/client.conf"
CLI=$BG_PID
rows() { status_py "$sock" 'sorted((t["server"], t["source"], t["state"]) for t in s["targets"])'; }
two_rows() {
  [ "$(status_py "$sock" "set((t['server'], t['source'], t['state']) for t in s['targets']) == {('192.0.2.1:$pa', 'mdns', 'connected'), ('192.0.2.1:$pb', 'mdns', 'connected')} and len(s['targets']) == 2")" = True ]
}
check "max_targets 3: both advertised servers pinged, a session each" wait_for 20 two_rows
kill -TERM "$Mb"; wait "$Mb" 2>/dev/null
one_row() { [ "$(rows)" = "[('192.0.2.1:$pa', 'mdns', 'connected')]" ]; }
check "one server withdrawn: its session ends, the other stays connected" wait_for 20 one_row
kill -TERM "$CLI" "$Ma"; wait "$CLI" "$Ma" 2>/dev/null
finish
