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
not_found() { ! listing | grep -q "^mdns;wtping on wtsrv$$"; }

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
finish
