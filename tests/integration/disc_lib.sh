# Helpers for the discovery tests (sourced after lib.sh, bash, root):
# network namespaces of our own, each with a D-Bus system bus and an
# avahi-daemon of its own (private /run, bus socket under $TMP), and
# dnsmasq serving SRV/TXT. Everything is named with $$ and cleaned up by PID.

# disc_need TOOL...: skip (77) unless root and every tool is there
disc_need() {
  local missing="" t
  [ "$(id -u)" -eq 0 ] || missing="root"
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
  if [ -n "$missing" ]; then
    echo "# $(basename "$0") needs:$missing"
    if [ "${CI:-}" = true ]; then
      echo "not ok - prerequisites missing under CI:$missing"
      exit 1
    fi
    exit 77
  fi
}

DISC_NS=()
disc_cleanup() {
  local ns p
  for ns in "${DISC_NS[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
  done
  for ns in "${DISC_NS[@]}"; do
    for _ in $(seq 30); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.1; done
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  cleanup
}
trap disc_cleanup EXIT

# disc_ns NAME: a network namespace with loopback up
disc_ns() {
  ip netns add "$1" || return 1
  DISC_NS+=("$1")
  ip -n "$1" link set lo up
}

# disc_link NS1 ADDR1 NS2 ADDR2: a veth pair between two namespaces
# (interfaces v1-$$ and v2-$$ ... named after the namespaces' order)
disc_link() {
  local a=$1 aa=$2 b=$3 ba=$4 ia="va$$" ib="vb$$"
  ip link add "$ia" type veth peer name "$ib" || return 1
  ip link set "$ia" netns "$a"
  ip link set "$ib" netns "$b"
  ip -n "$a" addr add "$aa/24" dev "$ia"
  ip -n "$b" addr add "$ba/24" dev "$ib"
  ip -n "$a" link set "$ia" up
  ip -n "$b" link set "$ib" up
}

# disc_avahi NS IFACE HOSTNAME: a D-Bus system bus and avahi-daemon in NS.
# Sets BUS_<NS-index> ... callers use disc_bus NS for DBUS_SYSTEM_BUS_ADDRESS.
disc_avahi() {
  local ns=$1 ifc=$2 host=$3 d="$TMP/$1"
  mkdir -p "$d"
  cat >"$d/avahi.conf" <<CONF
[server]
host-name=$host
allow-interfaces=$ifc
use-ipv6=yes
enable-dbus=yes
ratelimit-interval-usec=0
[publish]
publish-workstation=no
publish-hinfo=no
CONF
  ip netns exec "$ns" dbus-daemon --config-file=/usr/share/dbus-1/system.conf \
    --address="unix:path=$d/bus" --nopidfile --nofork >"$d/dbus.log" 2>&1 &
  for _ in $(seq 50); do [ -S "$d/bus" ] && break; sleep 0.1; done
  disc_avahi_start "$ns"
}

# disc_avahi_start NS: (re)starts avahi-daemon in NS (private /run)
disc_avahi_start() {
  local ns=$1 d="$TMP/$1"
  ip netns exec "$ns" unshare -m sh -c "mount -t tmpfs none /run && mkdir -p /run/avahi-daemon &&
    DBUS_SYSTEM_BUS_ADDRESS=unix:path=$d/bus exec avahi-daemon -f $d/avahi.conf --no-drop-root --no-chroot --no-rlimits" \
    >>"$d/avahi.log" 2>&1 &
  eval "AVAHI_PID_${ns//[^a-zA-Z0-9]/_}=$!"
  for _ in $(seq 50); do grep -q "Server startup complete" "$d/avahi.log" && return 0; sleep 0.1; done
  return 1
}

# disc_avahi_stop NS: stops the avahi-daemon started by disc_avahi_start
disc_avahi_stop() {
  local v="AVAHI_PID_${1//[^a-zA-Z0-9]/_}"
  kill "${!v}" 2>/dev/null
  wait "${!v}" 2>/dev/null
}

# disc_in NS CMD...: runs CMD in NS with NS's system bus
disc_in() {
  local ns=$1; shift
  ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/$ns/bus" "$@"
}

# disc_bg NS LOG CMD...: CMD in the background in NS with NS's system bus,
# output in $TMP/LOG; its PID (the program's own) in BG_PID
disc_bg() {
  local ns=$1 log=$2; shift 2
  ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TMP/$ns/bus" "$@" >"$TMP/$log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# wait_for SECONDS CMD...: until CMD succeeds (every 0.1 s)
wait_for() {
  local t=$1; shift
  for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}

# disc_resolv NS SEARCH: NS's processes started with dns_in/dns_bg ask
# 127.0.0.1 (our dnsmasq) and search SEARCH: a resolv.conf of our own,
# bind-mounted in a private mount namespace (the host's stays untouched)
disc_resolv() {
  printf 'nameserver 127.0.0.1\nsearch %s\noptions timeout:1 attempts:1\n' "$2" >"$TMP/$1.resolv.conf"
}
dns_in() {
  local ns=$1; shift
  ip netns exec "$ns" unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
    "$TMP/$ns.resolv.conf" "$@"
}
dns_bg() { # dns_bg NS LOG CMD...: PID in BG_PID
  local ns=$1 log=$2; shift 2
  ip netns exec "$ns" unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
    "$TMP/$ns.resolv.conf" "$@" >"$TMP/$log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# disc_dnsmasq NS ARGS...: dnsmasq on 127.0.0.1:53 in NS answering only
# from its command line (--srv-host, --txt-record, --host-record ...)
disc_dnsmasq() {
  local ns=$1; shift
  ip netns exec "$ns" dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-daemon \
    --listen-address=127.0.0.1 --bind-interfaces --port=53 --pid-file= --user=root \
    --log-facility=- "$@" >"$TMP/dnsmasq.log" 2>&1 &
  DNSMASQ_PID=$!
  PIDS+=("$DNSMASQ_PID")
  for _ in $(seq 50); do
    ip netns exec "$ns" grep -q ":0035 " /proc/net/udp 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# make_names_cert NAME HOST...: a certificate for the given DNS names
make_names_cert() {
  local name=$1 san="" h; shift
  for h in "$@"; do san="${san:+$san,}DNS:$h"; done
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$TMP/$name.key" -out "$TMP/$name.pem" -days 10 -subj "/CN=$1" \
    -addext "subjectAltName=$san" 2>/dev/null
}

# jq_status SOCKET EXPR: EXPR (Python, over the reply as "s") evaluated on
# "wtpctl --json status" of SOCKET; prints the result
WTPCTL="$top_builddir/wtpctl"
status_py() {
  "$WTPCTL" -s "$1" --json status 2>/dev/null |
    python3 -c 'import json,sys
try:
    s = json.load(sys.stdin)
    print(eval(sys.argv[1]))
except Exception as e:
    print("ERR", e)' "$2"
}

# now_s: seconds since the epoch, with decimals; since_s T0: seconds since T0
now_s() { date +%s.%N; }
since_s() { python3 -c 'import sys,time; print("%.2f" % (time.time() - float(sys.argv[1])))' "$1"; }
