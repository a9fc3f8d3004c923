#!/bin/bash
# System test: wtping-server and wtping-client under a real systemd 252.
#
# Boots Debian bookworm (debootstrap, cached as a tarball) with systemd-nspawn,
# installs this tree's build into it (make install DESTDIR=ROOT: binaries,
# units, sysusers.d, tmpfiles.d, /etc/wtping), and checks what only a real
# systemd can show: the units accepted as written, Type=notify readiness and
# STATUS=, journald priorities, Restart= after SIGKILL, the watchdog after
# SIGSTOP, ExecReload, clean stop.
#
# Needs root, debootstrap, systemd-nspawn (package systemd-container), nsenter,
# python3, openssl and Debian's apt mirror. Exit 77 (skip) when a tool is
# missing, unless CI=true (then 1).
#
# Environment:
#   top_srcdir            source tree (default: two levels above this script)
#   WTPING_NSPAWN_CACHE   directory of the cached root (default /var/cache/wtping-test)
#   WTPING_NSPAWN_MIRROR  Debian mirror (default: from /etc/apt/sources.list*)
#   WTPING_NSPAWN_KEEP=1  keep the temporary directory (build, logs) on exit
set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "must run as root"
for t in debootstrap systemd-nspawn nsenter python3 openssl tar flock chroot make; do
  command -v "$t" >/dev/null 2>&1 || skip "$t not found (apt-get install debootstrap systemd-container)"
done

T_START=$(date +%s.%N)
TMP=$(mktemp -d /var/tmp/wtping-nspawn.XXXXXX)
chmod 755 "$TMP"
ROOT="$TMP/root"
KEEP=${WTPING_NSPAWN_KEEP:-0}

trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build
note "source: $top_srcdir; work dir: $TMP"
t=$(now)
if [ ! -x "$top_srcdir/configure" ]; then
  (cd "$top_srcdir" && autoreconf -fi) >"$TMP/autoreconf.log" 2>&1 ||
    { tail -n 20 "$TMP/autoreconf.log"; abort "autoreconf -fi"; }
fi
mkdir -p "$TMP/build"
if ! (cd "$TMP/build" &&
      "$top_srcdir/configure" --prefix=/usr --sysconfdir=/etc --localstatedir=/var --runstatedir=/run &&
      make -j2) >"$TMP/build.log" 2>&1; then
  tail -n 30 "$TMP/build.log" | sed 's/^/#   /'
  abort "build (configure && make)"
fi
pass "build ($(since "$t") s)"

# ---------------------------------------------------------------- root file system
libpkgs=$(lib_packages "$TMP/build/wtping-server" "$TMP/build/wtping-client" "$TMP/build/wtpctl")
# procps: /bin/kill, which the units' ExecReload= runs (every real Debian system has it;
# debootstrap's minbase variant does not)
include=$(printf '%s\n' systemd systemd-sysv dbus openssl procps $libpkgs | sort -u | paste -sd, -)
note "packages in the root: $include"

root_from_cache "$include"

# ---------------------------------------------------------------- install into the root
if (cd "$TMP/build" && make install DESTDIR="$ROOT") >"$TMP/install.log" 2>&1; then
  pass "make install DESTDIR=ROOT"
else
  tail -n 20 "$TMP/install.log" | sed 's/^/#   /'
  fail "make install DESTDIR=ROOT"
fi
for f in /usr/bin/wtping-server /usr/bin/wtping-client /usr/bin/wtpctl \
         /usr/lib/systemd/system/wtping-server.service /usr/lib/systemd/system/wtping-client.service \
         /usr/lib/sysusers.d/wtping.conf /usr/lib/tmpfiles.d/wtping.conf \
         /etc/wtping/server.conf /etc/wtping/client.conf; do
  [ -f "$ROOT$f" ] || fail "installed: $f"
done
[ -f "$ROOT/usr/bin/wtping-server" ] && [ -f "$ROOT/usr/lib/systemd/system/wtping-server.service" ] ||
  abort "nothing to boot without the server and its unit"
missing=$(chroot "$ROOT" ldd /usr/bin/wtping-server /usr/bin/wtping-client /usr/bin/wtpctl 2>&1 | grep 'not found')
check "every shared library is in the root" [ -z "$missing" ]
[ -n "$missing" ] && note "$missing"

chroot "$ROOT" systemd-sysusers >"$TMP/sysusers.log" 2>&1
check "systemd-sysusers creates the wtping user" [ $? -eq 0 ]
sed 's/^/#   /' "$TMP/sysusers.log"
wt_uid=$(chroot "$ROOT" id -u wtping 2>/dev/null)
check "user wtping exists (uid ${wt_uid:-none})" [ -n "$wt_uid" ]

root_add_hosts

# the certificate, made by the root's own openssl
if chroot "$ROOT" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
     -keyout /etc/wtping/key.pem -out /etc/wtping/cert.pem -days 30 -subj /CN=localhost \
     -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" >"$TMP/openssl.log" 2>&1 &&
   chroot "$ROOT" chown root:wtping /etc/wtping/key.pem /etc/wtping/cert.pem &&
   chmod 0640 "$ROOT/etc/wtping/key.pem" && chmod 0644 "$ROOT/etc/wtping/cert.pem"; then
  pass "ECDSA P-256 certificate in /etc/wtping, key readable by group wtping"
else
  sed 's/^/#   /' "$TMP/openssl.log"
  fail "certificate"
fi

PORT=$(free_udp_port)
note "UDP port $PORT (127.0.0.1 and ::1; the container shares the host network)"
cat >"$ROOT/etc/wtping/server.conf" <<CONF
# written by tests/system/nspawn.sh
listen = [ "127.0.0.1:$PORT", "[::1]:$PORT" ];
certificate = "/etc/wtping/cert.pem";
key = "/etc/wtping/key.pem";
CONF
cat >"$ROOT/etc/wtping/client.conf" <<CONF
# written by tests/system/nspawn.sh
url = "https://localhost:$PORT/wtping";
cafile = "/etc/wtping/cert.pem";
interval = 0.2;
CONF
mkdir -p "$ROOT/etc/systemd/system/wtping-server.service.d"
printf '[Service]\nWatchdogSec=2s\nRestartSec=500ms\n' >"$ROOT/etc/systemd/system/wtping-server.service.d/test.conf"
check "systemctl enable wtping-server wtping-client (offline, in the root)" \
  chroot "$ROOT" systemctl enable wtping-server.service wtping-client.service --quiet

# ---------------------------------------------------------------- boot
boot_container

# ---------------------------------------------------------------- helpers inside
journal_count() { # journal_count UNIT REGEX
  inc journalctl --no-pager -o cat -u "$1" 2>/dev/null | grep -c -E "$2"
}
restarted() { # restarted UNIT OLD_PID: active with another main PID
  local p
  [ "$(prop "$1" ActiveState)" = active ] || return 1
  p=$(prop "$1" MainPID)
  [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != "$2" ]
}
reloaded() { [ "$(journal_count "$1" 'configuration reloaded')" -gt "$2" ]; }

# ---------------------------------------------------------------- checks
both_active() { [ "$(inc systemctl is-active wtping-server)" = active ] &&
                [ "$(inc systemctl is-active wtping-client)" = active ]; }
if ! wait_for 10 both_active; then
  note "not both active after boot: systemctl start wtping-server wtping-client"
  inc systemctl start wtping-server wtping-client 2>&1 | sed 's/^/#   /'
fi
for u in wtping-server wtping-client; do
  s=$(inc systemctl is-active $u)
  check "$u is active after boot ($s)" [ "$s" = active ]
  s=$(inc systemctl show -p Type,NotifyAccess $u | paste -sd' ')
  check "$u: $s" [ "$s" = "Type=notify NotifyAccess=main" ]
  mp=$(prop $u MainPID)
  uid=$(inc awk '/^Uid:/ { print $2 }' "/proc/$mp/status" 2>/dev/null)
  check "$u runs as user wtping (MainPID $mp, uid ${uid:-?})" [ -n "$uid" -a "$uid" = "$wt_uid" ]
done

t=$(now)
wait_for 10 status_ok
check "wtpctl status: client connected with an RTT, server running with its session" status_ok
inc wtpctl status 2>&1 | sed 's/^/#   /'
server_status_1() { prop wtping-server StatusText | grep -q '^1 session'; }
wait_for 5 server_status_1
s=$(prop wtping-server StatusText)
check "server STATUS= seen by systemd: $s" grep -q '^1 session' <<<"$s"
s=$(prop wtping-client StatusText)
check "client STATUS= seen by systemd: $s" grep -q 'connected' <<<"$s"

inc journalctl --no-pager -o json -u wtping-server >"$TMP/server-journal.json" 2>/dev/null
python3 - "$TMP/server-journal.json" "$PORT" <<'PY'
import json, sys
port = sys.argv[2]
msgs = []
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    if e.get("_SYSTEMD_UNIT") == "wtping-server.service" and isinstance(e.get("MESSAGE"), str) \
       and e.get("_COMM") != "systemd":
        msgs.append((e.get("PRIORITY"), e["MESSAGE"]))
listen = [(p, m) for p, m in msgs if m.startswith("listening on")]
for p, m in listen: print("#   priority %s: %s" % (p, m))
ok = any("127.0.0.1:" + port in m for _, m in listen) and any("[::1]:" + port in m for _, m in listen)
ok = ok and all(p == "5" for p, _ in listen)           # notice, from the <5> prefix
raw = [m for _, m in msgs if m[:1] == "<"]              # a prefix journald did not take
for m in raw: print("#   unparsed prefix: " + m)
sys.exit(0 if ok and not raw else 1)
PY
check "journal: 'listening on' both addresses at priority notice, no raw <N> prefixes" [ $? -eq 0 ]

# systemd complains in the journal about any unit line it rejects or ignores
# (a daemon-reload so that the complaints reach journald for sure)
inc systemctl daemon-reload
bad=$(inc journalctl --no-pager -b -o cat _PID=1 2>/dev/null | grep -E 'wtping-(server|client)\.service(\.d/[^:]*)?:[0-9]+:')
check "systemd 252 accepted every line of both units" [ -z "$bad" ]
[ -n "$bad" ] && sed 's/^/#   /' <<<"$bad"

# Restart= after SIGKILL
old=$(prop wtping-server MainPID); nr=$(prop wtping-server NRestarts)
t=$(now)
inc systemctl kill -s KILL wtping-server
if wait_for 10 restarted wtping-server "$old"; then
  t_kill=$(since "$t"); pass "SIGKILL: wtping-server active again with a new MainPID ($old -> $(prop wtping-server MainPID)) in $t_kill s"
else
  t_kill="-"; fail "SIGKILL: wtping-server not active again with a new MainPID within 10 s ($(prop wtping-server ActiveState))"
fi
nr2=$(prop wtping-server NRestarts)
check "SIGKILL: NRestarts $nr -> $nr2" [ "$nr2" -gt "$nr" ]
if wait_for 20 status_ok "$(prop wtping-server MainPID)"; then
  t_kill_client=$(since "$t"); pass "SIGKILL: client connected to the new server $t_kill_client s after the kill"
else
  t_kill_client="-"; fail "SIGKILL: client not connected to the new server within 20 s"
  inc wtpctl status 2>&1 | sed 's/^/#   /'
fi

# the watchdog after SIGSTOP
old=$(prop wtping-server MainPID); nr=$(prop wtping-server NRestarts)
wd0=$(journal_count wtping-server 'Watchdog timeout')
note "WatchdogUSec=$(prop wtping-server WatchdogUSec) RestartUSec=$(prop wtping-server RestartUSec)"
t=$(now)
inc kill -STOP "$old"
if wait_for 15 restarted wtping-server "$old"; then
  t_wd=$(since "$t"); pass "SIGSTOP: watchdog restarted wtping-server ($old -> $(prop wtping-server MainPID)) in $t_wd s"
else
  t_wd="-"; fail "SIGSTOP: wtping-server not restarted within 15 s ($(prop wtping-server ActiveState)/$(prop wtping-server SubState))"
fi
wd1=$(journal_count wtping-server 'Watchdog timeout')
check "SIGSTOP: journal says 'Watchdog timeout' ($wd0 -> $wd1)" [ "$wd1" -gt "$wd0" ]
nr2=$(prop wtping-server NRestarts)
check "SIGSTOP: NRestarts $nr -> $nr2" [ "$nr2" -gt "$nr" ]
if wait_for 20 status_ok "$(prop wtping-server MainPID)"; then
  t_wd_client=$(since "$t"); pass "SIGSTOP: client connected to the new server $t_wd_client s after the stop"
else
  t_wd_client="-"; fail "SIGSTOP: client not connected to the new server within 20 s"
  inc wtpctl status 2>&1 | sed 's/^/#   /'
fi
inc journalctl --no-pager -o short-monotonic -u wtping-server -n 200 2>/dev/null |
  grep -E 'Watchdog|Main process exited|Failed with|Scheduled restart|Started|listening' | tail -n 8 | sed 's/^/#   /'

# ExecReload
for u in wtping-server wtping-client; do
  mp=$(prop $u MainPID)
  r0=$(journal_count $u 'configuration reloaded')
  out=$(inc systemctl reload $u 2>&1); rc=$?
  check "systemctl reload $u: exit $rc${out:+ ($out)}" [ $rc -eq 0 ]
  wait_for 5 reloaded $u "$r0"
  r1=$(journal_count $u 'configuration reloaded')
  check "$u reload: journal says 'configuration reloaded' ($r0 -> $r1)" [ "$r1" -gt "$r0" ]
  s=$(inc systemctl is-active $u); p=$(prop $u MainPID)
  check "$u reload: still $s, same MainPID ($mp -> $p)" [ "$s:$p" = "active:$mp" ]
done
wait_for 10 status_ok
check "after the reloads: client connected, server has its session" status_ok

# stop
t=$(now)
out=$(inc systemctl stop wtping-client wtping-server 2>&1); rc=$?
t_stop=$(since "$t")
check "systemctl stop wtping-client wtping-server: exit $rc in $t_stop s${out:+ ($out)}" [ $rc -eq 0 ]
for u in wtping-server wtping-client; do
  s=$(inc systemctl is-active $u); r=$(prop $u Result); st=$(prop $u ExecMainStatus)
  check "$u stopped: $s, Result=$r, exit status $st" [ "$s:$r:$st" = "inactive:success:0" ]
done
check "control sockets removed" inc test ! -e /run/wtping/server.sock -a ! -e /run/wtping/client.sock

note "times: SIGKILL -> server active again $t_kill s, client back $t_kill_client s;" \
     "SIGSTOP -> watchdog restart $t_wd s, client back $t_wd_client s; stop $t_stop s"
finish
