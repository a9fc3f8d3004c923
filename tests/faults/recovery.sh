#!/bin/bash
# Recovery from network and process faults, measured: the client daemon in
# one network namespace (wtcli-PID, 192.0.2.2) pings the server in another
# (wtsrv-PID, 192.0.2.1) over a veth pair; nftables rules in wtcli inject the
# faults (tc netem is not available on these kernels). Run as root:
#   top_builddir=_build tests/faults/recovery.sh
#   1. a 5 s blackhole       4. the server frozen (SIGSTOP) for 3 s
#   2. server SIGKILL+restart (ICMP refused, then stateless reset)
#   3. 10 % random loss      5. a NAT-like rebinding of the client's port
#   6. a client daemon restart
# Every scenario prints its detection and recovery times on a '# ' line.
# Needs root, ip (iproute2) and nft (nftables); skips (77) without them,
# unless CI=true (then it fails).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

missing=""
[ "$(id -u)" -eq 0 ] || missing="root"
for t in ip nft openssl python3; do
  command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
  echo "# recovery.sh needs:$missing"
  if [ "${CI:-}" = true ]; then
    echo "not ok - prerequisites missing under CI:$missing"
    echo "0 passed, 1 failed"
    exit 1
  fi
  exit 77
fi

. "$top_srcdir/tests/integration/lib.sh"
WTPCTL="$top_builddir/wtpctl"

# Names of our own: unique per run, so that parallel runs cannot collide.
NS_S="wtsrv-$$"
NS_C="wtcli-$$"
SRV_ADDR=192.0.2.1
CLI_ADDR=192.0.2.2
PORT=4433
URL="https://$SRV_ADDR:$PORT/wtping"
INTERVAL=0.05
RECONNECT_MAX=2

lib_cleanup() { cleanup; }
ns_cleanup() {
  local ns p
  for ns in "$NS_S" "$NS_C"; do
    ip netns list 2>/dev/null | grep -qw "^$ns" || continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -CONT "$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; done
    for _ in $(seq 20); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.05; done
    ip netns del "$ns" 2>/dev/null
  done
}
all_cleanup() {
  local p
  # our daemons first, gently (a stopped one is woken up), at most 3 s
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 30); do
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && break; p=""; done
    [ -z "$p" ] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ns_cleanup
  lib_cleanup
}
trap all_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

now() { echo "$EPOCHREALTIME"; }
# fsub A B: A - B with two decimals
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
# sleep_until T: sleep until the epoch time T (at most 10 s)
sleep_until() {
  local d
  d=$(awk -v t="$1" -v n="$EPOCHREALTIME" 'BEGIN { d = t - n; if (d < 0) d = 0; if (d > 10) d = 10; printf "%.3f", d }')
  sleep "$d"
}

# The poller: runs wtpctl every 50 ms until a Python expression over the
# reply (d: the parsed JSON or None, rc: wtpctl's exit code) holds.
# poll.py T0 TIMEOUT OUT EXPR WTPCTL-ARGS... prints the epoch time at which
# it held and the seconds since T0; exit 1 on a timeout.
cat >"$TMP/poll.py" <<'PY'
import json, subprocess, sys, time
t0, timeout, out, expr = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
cmd = sys.argv[5:]
start = time.time()
for _ in range(int(timeout / 0.05) + 2):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=2)
        rc, txt = p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        rc, txt = 124, ""
    t = time.time()
    try:
        d = json.loads(txt)
    except ValueError:
        d = None
    try:
        ok = bool(eval(expr, {"d": d, "rc": rc}))
    except Exception:
        ok = False
    if ok:
        if out != "-":
            open(out, "w").write(txt)
        print("%.6f %.3f" % (t, t - t0))
        sys.exit(0)
    if t - start >= timeout:
        break
    time.sleep(max(0.0, 0.05 - (time.time() - t)))
print("%.6f %.3f" % (time.time(), time.time() - t0))
sys.exit(1)
PY
# poll T0 TIMEOUT EXPR SOCKET WTPCTL-COMMAND...: sets POLL_AT (epoch) and
# POLL_DT (seconds since T0); returns the poller's status
poll() {
  local t0=$1 timeout=$2 expr=$3 sock=$4 r rc
  shift 4
  r=$(python3 "$TMP/poll.py" "$t0" "$timeout" "$TMP/poll.json" "$expr" "$WTPCTL" -t 2 -s "$sock" --json "$@")
  rc=$?
  POLL_AT=${r% *}
  POLL_DT=${r#* }
  return $rc
}
# jf FILE EXPR: a value from a JSON file (Python expression over d)
jf() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# st NAME SOCKET: saves `status` into $TMP/NAME.json
st() { "$WTPCTL" -t 2 -s "$2" --json status >"$TMP/$1.json"; }
# lines FILE: the number of lines in FILE (a mark for "new lines since")
lines() { wc -l <"$1"; }
# since FILE MARK: the lines of FILE after MARK
since() { tail -n +"$(($2 + 1))" "$1"; }

nft_c() { ip netns exec "$NS_C" nft "$@"; }
nft_clear() { nft_c delete table inet f 2>/dev/null; true; }

# ------------------------------------------------------------ topology
ip netns add "$NS_S" || { fail "ip netns add"; finish; }
ip netns add "$NS_C" || { fail "ip netns add"; finish; }
ip -n "$NS_S" link set lo up
ip -n "$NS_C" link set lo up
ip -n "$NS_S" link add veth0 type veth peer name veth0 netns "$NS_C"
ip -n "$NS_S" addr add "$SRV_ADDR/24" dev veth0
ip -n "$NS_C" addr add "$CLI_ADDR/24" dev veth0
ip -n "$NS_S" link set veth0 up
ip -n "$NS_C" link set veth0 up
check "topology: $NS_C routes $SRV_ADDR over its veth" \
  bash -c "ip -n '$NS_C' route get $SRV_ADDR | grep -q 'dev veth0'"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$TMP/cert.key" -out "$TMP/cert.pem" -days 2 -subj "/CN=wtping-test" \
  -addext "subjectAltName=IP:$SRV_ADDR" 2>/dev/null
check "certificate with SAN IP:$SRV_ADDR" [ -s "$TMP/cert.pem" ]

SRV_N=0
# start_srv: a new server instance in NS_S, log $TMP/server.N.log; SPID
start_srv() {
  SRV_N=$((SRV_N + 1))
  ip netns exec "$NS_S" "$SERVER" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "$SRV_ADDR:$PORT" --control "$TMP/server.sock" --reset-secret "$TMP/secret" \
    >"$TMP/server.$SRV_N.log" 2>&1 &
  SPID=$!
  PIDS+=("$SPID")
}
CLI_N=0
# start_cli: a new client daemon in NS_C, log $TMP/client.N.log; CPID
start_cli() {
  CLI_N=$((CLI_N + 1))
  ip netns exec "$NS_C" "$CLIENT" -C "$TMP/client.conf" >"$TMP/client.$CLI_N.log" 2>&1 &
  CPID=$!
  PIDS+=("$CPID")
}
cat >"$TMP/client.conf" <<CONF
url = "$URL";
cafile = "$TMP/cert.pem";
interval = $INTERVAL;
timeout = 1.0;
keepalive = 1;
idle_timeout = 10;
reconnect_min = 0.1;
reconnect_max = $RECONNECT_MAX;
control_socket = "$TMP/client.sock";
CONF
SSOCK="$TMP/server.sock"
CSOCK="$TMP/client.sock"

start_srv
poll "$(now)" 5 'rc == 0' "$SSOCK" check --ready
check "server ready in $NS_S" [ $? -eq 0 ]
check "server: its log says listening on $SRV_ADDR:$PORT" grep -q "listening on $SRV_ADDR:$PORT" "$TMP/server.1.log"
t=$(now)
start_cli
poll "$t" 5 'd and d.get("state") == "connected" and d["received"] >= 10' "$CSOCK" status
check "client daemon connected and pinging (first 10 pongs after $POLL_DT s)" [ $? -eq 0 ]

# ------------------------------------------------------------ 1. blackhole 5 s
sleep 0.3
st s1a "$CSOCK"
gap0=$(jf "$TMP/s1a.json" 'd["transmitted"] - d["received"]')
rc0=$(jf "$TMP/s1a.json" 'd["reconnects"]')
mark=$(lines "$TMP/client.$CLI_N.log")
t0=$(now)
nft_c -f - <<NFT
table inet f {
  chain out { type filter hook output priority 0; udp dport $PORT drop; }
  chain in { type filter hook input priority 0; udp sport $PORT drop; }
}
NFT
poll "$t0" 4.5 'd and d.get("outage") is True' "$CSOCK" status
ok=$?
det=$POLL_DT
check "blackhole: status outage=true (after $det s)" [ $ok -eq 0 ]
sleep_until "$(awk -v t="$t0" 'BEGIN { printf "%.6f", t + 5 }')"
st s1b "$CSOCK"
rx1=$(jf "$TMP/s1b.json" 'd["received"]')
t1=$(now)
nft_clear
poll "$t1" $((RECONNECT_MAX + 3)) "d and d['received'] > $rx1" "$CSOCK" status
ok=$?
rec=$POLL_DT
check "blackhole: pongs again $rec s after the lift (<= $((RECONNECT_MAX + 1)) s)" \
  bash -c "[ $ok -eq 0 ] && awk 'BEGIN { exit !($rec <= $RECONNECT_MAX + 1) }'"
sleep 1
st s1c "$CSOCK"
lost=$(($(jf "$TMP/s1c.json" 'd["transmitted"] - d["received"]') - gap0))
rc1=$(jf "$TMP/s1c.json" 'd["reconnects"]')
expect=$(awk -v i="$INTERVAL" 'BEGIN { printf "%d", 5 / i }')
check "blackhole: $lost pings counted lost (about 5 s / $INTERVAL s = $expect)" \
  [ "$lost" -ge $((expect * 7 / 10)) -a "$lost" -le $((expect * 3 / 2 + 10)) ]
check "blackhole: the client log says outage" bash -c "tail -n +$((mark + 1)) '$TMP/client.$CLI_N.log' | grep -q outage"
if [ "$rc1" -eq "$rc0" ]; then how="the same connection, no reconnect"; else how="$((rc1 - rc0)) reconnect(s)"; fi
echo "# blackhole 5s: outage reported after $det s, pongs again $rec s after the lift, $lost pings lost, $how"

# ------------------------------------------------------------ 2. server SIGKILL + restart
# restart_srv DOWN: SIGKILL the server, DOWN s later start it again (DOWN
# "refused": as soon as the client logged "connection refused"); sets
# RDY (epoch of readiness), GAP (ready -> first new pong), MECH
restart_srv() {
  local down=$1 rx rc mark tk
  mark=$(lines "$TMP/client.$CLI_N.log")
  st s2a "$CSOCK"
  rx=$(jf "$TMP/s2a.json" 'd["received"]')
  rc=$(jf "$TMP/s2a.json" 'd["reconnects"]')
  tk=$(now)
  kill -9 "$SPID"
  wait "$SPID" 2>/dev/null
  if [ "$down" = refused ]; then
    for _ in $(seq 100); do
      since "$TMP/client.$CLI_N.log" "$mark" | grep -q "connection refused" && break
      sleep 0.02
    done
  else
    sleep_until "$(awk -v t="$tk" -v d="$down" 'BEGIN { printf "%.6f", t + d }')"
  fi
  local ts
  ts=$(now)
  start_srv
  poll "$ts" 5 'rc == 0' "$SSOCK" check --ready || { RDY=""; GAP=""; MECH="server not ready"; return 1; }
  RDY=$POLL_AT
  STARTUP=$POLL_DT
  # a new pong: after a reconnection (a pong of the old server may have
  # come after the snapshot), and the client pings at once when connected
  poll "$RDY" 5 "d and d['reconnects'] > $rc and d['state'] == 'connected' and d['received'] > $rx" "$CSOCK" status
  GAP=$POLL_DT
  MECH=""
  since "$TMP/client.$CLI_N.log" "$mark" >"$TMP/s2.log"
  grep -q "reset the connection" "$TMP/s2.log" && MECH="stateless reset"
  grep -q "connection refused" "$TMP/s2.log" && MECH="${MECH:+$MECH + }connection refused"
  [ -n "$MECH" ] || MECH="neither ($(grep -m1 'reconnecting' "$TMP/s2.log"))"
  DOWNFOR=$(fsub "$RDY" "$tk")
}
restart_srv refused
check "server SIGKILL (down $DOWNFOR s): pinging again $GAP s after the new server was ready (<= 1 s)" \
  bash -c "[ -n '$GAP' ] && awk 'BEGIN { exit !($GAP <= 1) }'"
echo "# server SIGKILL+restart, ICMP allowed: down $DOWNFOR s (start to ready $STARTUP s), pongs again $GAP s after ready, via $MECH"
m1=$MECH
# the backoff counts failures until a connection has lived reconnect_max
# seconds: let it, so that the second restart starts from the first step
sleep $((RECONNECT_MAX + 1))

nft_c -f - <<NFT
table inet f {
  chain in { type filter hook input priority 0; meta l4proto icmp drop; }
}
NFT
restart_srv 0
nft_clear
check "server SIGKILL, ICMP dropped (down $DOWNFOR s): pinging again $GAP s after ready (<= 1 s)" \
  bash -c "[ -n '$GAP' ] && awk 'BEGIN { exit !($GAP <= 1) }'"
check "server SIGKILL, ICMP dropped: the stateless reset was the signal ($MECH)" [ "$MECH" = "stateless reset" ]
echo "# server SIGKILL+restart, ICMP dropped: down $DOWNFOR s (start to ready $STARTUP s), pongs again $GAP s after ready, via $MECH"
check "server SIGKILL, ICMP allowed: the client saw \"connection refused\" ($m1)" bash -c "case '$m1' in *'connection refused'*) exit 0;; esac; exit 1"

# ------------------------------------------------------------ 3a. setup with a lost flight
# The client's second flight (Finished + SETTINGS + CONNECT) is dropped
# once: the client retransmits the CONNECT ahead of its SETTINGS, and the
# server must park the request and answer it once the SETTINGS arrive
# (draft-02 section 3; this once was a bug: the parked request was never
# answered).
# only long-header (handshake) datagrams reach the counter: the daemon's
# 1-RTT traffic is not touched; the second one of the one-shot client drops
nft_c -f - <<NFT
table inet f {
  chain out { type filter hook output priority 0; udp dport $PORT @th,64,1 1 numgen inc mod 1000000 1 counter drop; }
}
NFT
t=$(now)
ip netns exec "$NS_C" timeout 20 "$CLIENT" -q --json -c 3 -i 0.05 -W 2 --cafile "$TMP/cert.pem" "$URL" \
  >"$TMP/flight.json" 2>"$TMP/flight.err"
r=$?
el=$(fsub "$(now)" "$t")
nft_clear
f_rx=$(jf "$TMP/flight.json" 'd["received"]' 2>/dev/null)
what="second client flight lost once: CONNECT answered after the retransmission (received ${f_rx:-?}/3, exit $r, $el s)"
check "$what" [ "${f_rx:-0}" = 3 ]

# ------------------------------------------------------------ 3b. 10 % loss
# Loss on client->server 1-RTT (short header) datagrams only: the handshake
# is spared, as 3a's bug would otherwise fail about 5 % of the connections.
nft_c -f - <<NFT
table inet f {
  chain out { type filter hook output priority 0; udp dport $PORT @th,64,1 0 numgen random mod 100 < 10 drop; }
}
NFT
oneshot() {
  ip netns exec "$NS_C" timeout 60 "$CLIENT" -q --json -c 1000 -i 0.01 -W 5 --cafile "$TMP/cert.pem" "$@" "$URL"
}
oneshot -m stream >"$TMP/loss-stream.json" 2>"$TMP/loss-stream.err" &
p1=$!
oneshot -m datagram >"$TMP/loss-dgram.json" 2>"$TMP/loss-dgram.err" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
nft_clear
s_rx=$(jf "$TMP/loss-stream.json" 'd["received"]' 2>/dev/null)
check "10% loss (client->server 1-RTT), stream: received ${s_rx:-?} of 1000 (exit $r1$(head -c 200 "$TMP/loss-stream.err" | tr '\n' ' '))" [ "${s_rx:-0}" = 1000 ]
d_loss=$(jf "$TMP/loss-dgram.json" 'd["loss_percent"]' 2>/dev/null)
d_rx=$(jf "$TMP/loss-dgram.json" 'd["received"]' 2>/dev/null)
check "10% loss (client->server 1-RTT), datagram: ${d_loss:-?} % lost, $d_rx received (expect 5..16 %, exit $r2)" \
  bash -c "[ -n '$d_loss' ] && awk 'BEGIN { exit !($d_loss >= 5 && $d_loss <= 16) }'"
s_rtt=$(jf "$TMP/loss-stream.json" '"p50 %.2f ms, p99 %.2f ms" % (d["rtt_ms"]["p50"], d["rtt_ms"]["p99"])' 2>/dev/null)
d_rtt=$(jf "$TMP/loss-dgram.json" '"p50 %.2f ms, p99 %.2f ms" % (d["rtt_ms"]["p50"], d["rtt_ms"]["p99"])' 2>/dev/null)
echo "# 10% loss client->server (1-RTT packets): stream ${s_rx:-?}/1000 answered, RTT ${s_rtt:-?}; datagram ${d_loss:-?} % lost, RTT ${d_rtt:-?}"

# ------------------------------------------------------------ 4. server frozen 3 s
poll "$(now)" 3 'd and d.get("state") == "connected" and not d["outage"]' "$CSOCK" status
st s4a "$CSOCK"
rc0=$(jf "$TMP/s4a.json" 'd["reconnects"]')
mark=$(lines "$TMP/client.$CLI_N.log")
t0=$(now)
kill -STOP "$SPID"
poll "$t0" 2.9 'd and d.get("outage") is True' "$CSOCK" status
ok=$?
det=$POLL_DT
check "server SIGSTOP: status outage=true (after $det s)" [ $ok -eq 0 ]
sleep_until "$(awk -v t="$t0" 'BEGIN { printf "%.6f", t + 3 }')"
st s4b "$CSOCK"
rx1=$(jf "$TMP/s4b.json" 'd["received"]')
t1=$(now)
kill -CONT "$SPID"
poll "$t1" $((RECONNECT_MAX + 3)) "d and d['received'] > $rx1" "$CSOCK" status
ok=$?
rec=$POLL_DT
check "server SIGCONT: pongs again $rec s later (<= $((RECONNECT_MAX + 1)) s)" \
  bash -c "[ $ok -eq 0 ] && awk 'BEGIN { exit !($rec <= $RECONNECT_MAX + 1) }'"
st s4c "$CSOCK"
rc1=$(jf "$TMP/s4c.json" 'd["reconnects"]')
if [ "$rc1" -eq "$rc0" ]; then how="without reconnecting"; else how="after $((rc1 - rc0)) reconnect(s)"; fi
echo "# server SIGSTOP 3s: outage reported after $det s, pongs again $rec s after SIGCONT, $how"

# ------------------------------------------------------------ 5. rebind
sleep 0.5
"$WTPCTL" -t 2 -s "$SSOCK" --json sessions >"$TMP/s5a.json"
st s5a-c "$CSOCK"
sid0=$(jf "$TMP/s5a.json" 'd["sessions"][0]["id"] if len(d["sessions"]) == 1 else "n=%d" % len(d["sessions"])')
peer0=$(jf "$TMP/s5a.json" 'd["sessions"][0]["peer"] if d["sessions"] else None')
rc0=$(jf "$TMP/s5a-c.json" 'd["reconnects"]')
gap0=$(jf "$TMP/s5a-c.json" 'd["transmitted"] - d["received"]')
rx0=$(jf "$TMP/s5a-c.json" 'd["received"]')
"$WTPCTL" -t 2 -s "$CSOCK" --json rebind >"$TMP/s5-rebind.json"
check "rebind: accepted ($(cat "$TMP/s5-rebind.json"))" grep -q '"ok":true' "$TMP/s5-rebind.json"
oldp=$(jf "$TMP/s5-rebind.json" 'd.get("old_port")')
newp=$(jf "$TMP/s5-rebind.json" 'd.get("new_port")')
sleep 1
"$WTPCTL" -t 2 -s "$SSOCK" --json sessions >"$TMP/s5b.json"
st s5b-c "$CSOCK"
sid1=$(jf "$TMP/s5b.json" 'd["sessions"][0]["id"] if len(d["sessions"]) == 1 else "n=%d" % len(d["sessions"])')
peer1=$(jf "$TMP/s5b.json" 'd["sessions"][0]["peer"] if d["sessions"] else None')
rc1=$(jf "$TMP/s5b-c.json" 'd["reconnects"]')
lost=$(($(jf "$TMP/s5b-c.json" 'd["transmitted"] - d["received"]') - gap0))
grown=$(($(jf "$TMP/s5b-c.json" 'd["received"]') - rx0))
check "rebind: the server keeps session $sid0 ($sid0 -> $sid1)" [ "$sid0" = "$sid1" -a "${sid0#n=}" = "$sid0" ]
check "rebind: the server's peer follows ($peer0 -> $peer1, new port $newp)" [ "$peer1" = "$CLI_ADDR:$newp" ]
check "rebind: no reconnect ($rc0 -> $rc1)" [ "$rc0" = "$rc1" ]
check "rebind: pongs continue ($grown in 1 s), no loss burst ($lost lost)" [ "$grown" -ge 10 -a "$lost" -le 2 ]
echo "# rebind: client port $oldp -> $newp, server sees $peer0 -> $peer1, session $sid0 -> $sid1, $grown pongs and $lost lost in the next 1 s, reconnects $rc0 -> $rc1"

# ------------------------------------------------------------ 6. client restart
old_cpid=$CPID
kill -TERM "$CPID"
for _ in $(seq 50); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
wait "$CPID" 2>/dev/null
crc=$?
check "client SIGTERM: exited ($crc)" bash -c "! kill -0 $old_cpid 2>/dev/null"
poll "$(now)" 3 'd and d["sessions"]["now"] == 0' "$SSOCK" status
check "client SIGTERM: the server closed the old session (sessions.now 0 after $POLL_DT s)" [ $? -eq 0 ]
t0=$(now)
start_cli
poll "$t0" 5 'd and d["received"] >= 1' "$CSOCK" status
ok=$?
first=$POLL_DT
cp "$TMP/poll.json" "$TMP/s6a.json"
check "client restart: first pong $first s after the start" [ $ok -eq 0 ]
tx_first=$(jf "$TMP/s6a.json" 'd["transmitted"]' 2>/dev/null)
# a new count, not the old run's (hundreds): no more pings than the time
# since the start allows at one per interval, plus the first and slack for
# the status poll that saw the pong
tx_max=$(awk -v t="$first" -v i="$INTERVAL" 'BEGIN { printf "%d", t / i + 3 }')
check "client restart: the sequence starts from 0 (transmitted $tx_first at the first pong, $first s after the start: at most $tx_max)" [ "${tx_first:-9999}" -le "$tx_max" ]
sleep_until "$(awk -v t="$POLL_AT" 'BEGIN { printf "%.6f", t + 1 }')"
st s6b "$CSOCK"
tx=$(jf "$TMP/s6b.json" 'd["transmitted"]')
rx=$(jf "$TMP/s6b.json" 'd["received"]')
rcn=$(jf "$TMP/s6b.json" 'd["reconnects"]')
maxtx=$(awk -v i="$INTERVAL" 'BEGIN { printf "%d", 1.5 / i + 5 }')
check "client restart: 1 s later received $rx of transmitted $tx, reconnects $rcn" \
  [ "$tx" -le "$maxtx" -a $((tx - rx)) -le 1 -a "$rcn" = 0 ]
st s6-s "$SSOCK"
"$WTPCTL" -t 2 -s "$SSOCK" --json sessions >"$TMP/s6-sessions.json"
now_s=$(jf "$TMP/s6-s.json" 'd["sessions"]["now"]')
n_s=$(jf "$TMP/s6-sessions.json" 'len(d["sessions"])')
check "client restart: the server has one session again (now=$now_s, listed $n_s)" [ "$now_s" = 1 -a "$n_s" = 1 ]
echo "# client restart: first pong $first s after the start, transmitted $tx_first at the first pong, $rx/$tx after 1 s more, server sessions $now_s"

# ------------------------------------------------------------ afterwards
check "server still running" kill -0 "$SPID"
check "client daemon still running" kill -0 "$CPID"
check "clean logs: no AddressSanitizer / runtime error" \
  bash -c "! grep -lE 'AddressSanitizer|runtime error|LeakSanitizer' '$TMP'/server.*.log '$TMP'/client.*.log"
if [ "$FAILS" -ne 0 ]; then
  for f in "$TMP"/server.*.log "$TMP"/client.*.log "$TMP"/*.err; do
    echo "# --- $(basename "$f") (last 30 lines)"
    tail -n 30 "$f" | sed 's/^/#   /'
  done
fi
finish
