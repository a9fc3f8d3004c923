#!/bin/bash
# Unicast DNS-SD discovery with real daemons: in a network namespace of our
# own, dnsmasq on 127.0.0.1:53 serves SRV + TXT of _wtping._udp.example.test
# for two wtping-servers (a.example.test priority 10, b.example.test
# priority 20) and the client's resolv.conf (bind-mounted in a private
# mount namespace) searches example.test. wtping-client --discover lists
# them in SRV order; --discover -c N pings the better one, verified by name
# against a CA file. Needs root, ip, unshare, dnsmasq; skips (77) without.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/disc_lib.sh"
disc_need ip unshare dnsmasq openssl

NS="wtdd-$$"
disc_ns "$NS" || { fail "namespace"; finish; }
disc_resolv "$NS" example.test
make_names_cert cert a.example.test b.example.test
pa=$(free_udp_port)
pb=$(free_udp_port)
check "dnsmasq serving SRV/TXT" disc_dnsmasq "$NS" \
  --srv-host="_wtping._udp.example.test,a.example.test,$pa,10,5" \
  --srv-host="_wtping._udp.example.test,b.example.test,$pb,20,5" \
  --txt-record="_wtping._udp.example.test,txtvers=1,path=/wtping" \
  --host-record=a.example.test,127.0.0.1 --host-record=b.example.test,127.0.0.2

srv() { # srv NAME ADDR PORT
  dns_bg "$NS" "$1.log" "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "$2:$3" --control "" --reset-secret ""
  eval "PID_$1=$BG_PID"
}
srv a 127.0.0.1 "$pa"
srv b 127.0.0.2 "$pb"
sleep 0.3

out=$(dns_in "$NS" "$CLIENT" --discover -W 3 2>"$TMP/err"); rc=$?
check "--discover (search domain): exit 0" [ $rc -eq 0 ]
check "--discover: the priority-10 server first" \
  [ "$(sed -n 1p <<<"$out")" = "dns-srv;_wtping._udp.example.test;a.example.test;127.0.0.1;$pa;/wtping" ]
check "--discover: then the priority-20 one" \
  [ "$(sed -n 2p <<<"$out")" = "dns-srv;_wtping._udp.example.test;b.example.test;127.0.0.2;$pb;/wtping" ]
out=$(dns_in "$NS" "$CLIENT" --discover --domain example.test -W 3 2>&1)
check "--discover --domain example.test: the same two" [ "$(grep -c '^dns-srv;' <<<"$out")" -eq 2 ]
dns_in "$NS" "$CLIENT" --discover --domain nowhere.test -W 3 >/dev/null 2>"$TMP/err"; rc=$?
check "--discover --domain nowhere.test: nothing, exit 1" [ $rc -eq 1 ]

out=$(dns_in "$NS" "$CLIENT" --discover -c 3 -i 0.1 --cafile "$TMP/cert.pem" 2>&1); rc=$?
check "--discover -c 3: exit 0" [ $rc -eq 0 ]
check "--discover -c 3: 3 pongs from a.example.test (name verified by the CA)" \
  [ "$(grep -c "pong from a.example.test (127.0.0.1): seq=" <<<"$out")" -eq 3 ]
check "--discover -c 3: says it was found by DNS SRV" grep -q "by dns-srv" <<<"$out"

# ---- the client daemon, no url: SRV lookup on every reconnect, fallback, return
sock="$TMP/client.sock"
cat >"$TMP/client.conf" <<CONF
cafile = "$TMP/cert.pem";
interval = 0.1;
timeout = 1;
reconnect_min = 0.1;
reconnect_max = 1.0;
discovery_mdns = false;
control_socket = "$sock";
control_mode = "0666";
CONF
dns_bg "$NS" client.log "$CLIENT" -C "$TMP/client.conf"
CLI=$BG_PID
url_is() { [ "$(status_py "$sock" 's["targets"][0]["url"]')" = "$1" ]; }
connected_to() { url_is "$1" && [ "$(status_py "$sock" 's["state"]')" = connected ]; }
A_URL="https://a.example.test:$pa/wtping"
B_URL="https://b.example.test:$pb/wtping"
check "daemon without url: connected to the priority-10 server" wait_for 10 connected_to "$A_URL"
check "daemon: status says it was found by DNS SRV" \
  [ "$(status_py "$sock" 's["targets"][0]["source"]')" = dns-srv ]
check "daemon: the other server is listed as standby" \
  [ "$(status_py "$sock" '[t["url"] for t in s["targets"] if t["state"] == "standby"]')" = "['$B_URL']" ]
rx=$(status_py "$sock" 's["received"]')
sleep 0.5
check "daemon: pongs from it" [ "$(status_py "$sock" 's["received"]')" -gt "$rx" ]

kill -TERM "$PID_a"; wait "$PID_a" 2>/dev/null
t0=$(now_s)
check "a stops: the daemon falls back to the priority-20 server" wait_for 10 connected_to "$B_URL"
echo "# fell back in $(since_s "$t0") s"
rx=$(status_py "$sock" 's["received"]')
sleep 0.5
check "daemon: pongs from the fallback" [ "$(status_py "$sock" 's["received"]')" -gt "$rx" ]

srv a 127.0.0.1 "$pa"
t0=$(now_s)
check "a is back: the daemon returns to it" wait_for 15 connected_to "$A_URL"
echo "# returned in $(since_s "$t0") s"
check "daemon log: fallback and return" grep -q "a preferred server is available" "$TMP/client.log"
kill -TERM "$CLI"; wait "$CLI" 2>/dev/null; sed "s/^/# /" "$TMP/client.log"

# ---- every server found at once: max_targets 2, one session per SRV target
printf 'max_targets = 2;\n' >>"$TMP/client.conf"
dns_bg "$NS" client2.log "$CLIENT" -C "$TMP/client.conf"
CLI=$BG_PID
both() {
  [ "$(status_py "$sock" 'sorted((t["url"], t["source"], t["state"]) for t in s["targets"])')" = \
    "[('$A_URL', 'dns-srv', 'connected'), ('$B_URL', 'dns-srv', 'connected')]" ]
}
check "max_targets 2: both SRV targets pinged at once" wait_for 10 both
# the zone changes (dnsmasq restarted without b): b's session ends, a's stays;
# lookups that get no answer while dnsmasq is down change nothing
kill -TERM "$DNSMASQ_PID"; wait "$DNSMASQ_PID" 2>/dev/null
sleep 1.5
check "no DNS answer: a lookup failed meanwhile (logged)" \
  wait_for 5 grep -q "discovery: DNS SRV: .*SRV: " "$TMP/client2.log"
check "no DNS answer: both sessions stay" \
  [ "$(status_py "$sock" 'len(s["targets"])')" = 2 ]
check "dnsmasq again, without b" disc_dnsmasq "$NS" \
  --srv-host="_wtping._udp.example.test,a.example.test,$pa,10,5" \
  --txt-record="_wtping._udp.example.test,txtvers=1,path=/wtping" \
  --host-record=a.example.test,127.0.0.1
only_a() {
  [ "$(status_py "$sock" '[(t["url"], t["state"]) for t in s["targets"]]')" = "[('$A_URL', 'connected')]" ]
}
check "b gone from the SRV answer: its session ends, a's stays connected" wait_for 10 only_a
kill -TERM "$CLI"; wait "$CLI" 2>/dev/null
finish
