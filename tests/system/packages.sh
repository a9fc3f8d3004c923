#!/bin/bash
# System test: the Debian packages (wtping-common, wtping-server, wtping-client)
# built from this tree, installed, booted, used and purged under a real
# systemd 252.
#
# 1. dpkg-buildpackage -us -uc -b in a copy of the tree (the working tree's
#    files that git tracks or would add: uncommitted changes are included);
# 2. lintian on the .changes: no E:, no W: that is not overridden;
# 3. mandoc -Tlint -W warning on the man pages in the .debs: silent;
# 4. a Debian bookworm root (the cache of nspawn.sh, see lib.sh): apt installs
#    man-db and the three .debs; no certificate is made (self-rotating mode);
#    server.conf/client.conf are pointed at a free loopback port;
# 5. boot it with systemd-nspawn: the units are enabled and start, wtpctl
#    shows the client connected with an RTT, man finds the pages, user
#    wtping, /run/wtping, the server's STATUS=, /var/lib/wtping/reset-secret;
#    the server's own certificate: `wtpctl cert` publishes the SHA-256 of the
#    served certificate, an ECDSA P-256 key valid <= 14 days (what browsers
#    accept with serverCertificateHashes), key files 0600, and `wtpctl page`
#    links to the installed page;
# 6. apt-get purge of the three packages: units, /etc/wtping, state and
#    processes gone.
#
# Needs root, git, dpkg-dev, debhelper (and the rest of Build-Depends),
# lintian, mandoc, debootstrap, systemd-nspawn (package systemd-container),
# nsenter, python3 and Debian's apt mirror. Exit 77 (skip) when something is
# missing, unless CI=true (then 1).
#
# Environment:
#   top_srcdir              source tree (default: two levels above this script)
#   WTPING_NSPAWN_CACHE     directory of the cached root (default /var/cache/wtping-test)
#   WTPING_NSPAWN_MIRROR    Debian mirror (default: from /etc/apt/sources.list*)
#   WTPING_PACKAGES_KEEP=1  keep the temporary directory (build, .debs, logs) on exit
set -u
export LC_ALL=C
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "must run as root"
for t in git dpkg-buildpackage dpkg-checkbuilddeps dpkg-deb dh lintian mandoc readelf debootstrap \
         systemd-nspawn nsenter python3 openssl tar flock chroot timeout; do
  command -v "$t" >/dev/null 2>&1 ||
    skip "$t not found (scripts/install-deps.sh; apt-get install dpkg-dev debhelper fakeroot lintian mandoc debootstrap systemd-container)"
done
[ -f "$top_srcdir/debian/control" ] || skip "no debian/ in $top_srcdir"
git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
  skip "$top_srcdir is not a git checkout (the copy to build is the files git knows)"

T_START=$(now)
TMP=$(mktemp -d /var/tmp/wtping-packages.XXXXXX)
chmod 755 "$TMP"
ROOT="$TMP/root"
KEEP=${WTPING_PACKAGES_KEEP:-0}
trap cleanup EXIT
trap 'exit 130' INT TERM
note "source: $top_srcdir; work dir: $TMP"

indent() { sed 's/^/#   /'; }

# ---------------------------------------------------------------- 1. build
# tracked files and untracked ones that are not ignored, as they are in the
# working tree (a tracked file deleted there is left out)
mkdir "$TMP/src"
git -C "$top_srcdir" ls-files -z --cached --others --exclude-standard |
  (cd "$top_srcdir" && while IFS= read -r -d '' f; do
     if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
   done) | sort -zu | tar -C "$top_srcdir" --null -T - -cf - | tar -C "$TMP/src" -xf - ||
  abort "copy of the source tree"
note "copied $(find "$TMP/src" -type f | wc -l) files of $top_srcdir ($(git -C "$top_srcdir" describe --always --dirty 2>/dev/null))"

if ! (cd "$TMP/src" && dpkg-checkbuilddeps) >"$TMP/builddeps.log" 2>&1; then
  indent <"$TMP/builddeps.log"
  skip "Build-Depends of debian/control not installed: $(sed -n 's/.*Unmet build dependencies: //p' "$TMP/builddeps.log")" \
       "(apt-get build-dep $top_srcdir, or scripts/install-deps.sh)"
fi

t=$(now)
if (cd "$TMP/src" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1; then
  t_build=$(since "$t")
  pass "dpkg-buildpackage -us -uc -b ($t_build s)"
else
  tail -n 40 "$TMP/build.log" | indent
  abort "dpkg-buildpackage -us -uc -b"
fi
grep -iE '(^|[^-])warning:' "$TMP/build.log" | grep -v '^dpkg-buildpackage: warning: using a gain-root-command' |
  sort -u | head -n 20 | indent
changes=$(ls "$TMP"/*.changes 2>/dev/null | head -n 1)
[ -n "$changes" ] || abort "no .changes file in $TMP"
debs=()
for p in wtping-common wtping-server wtping-client; do
  f=$(ls "$TMP/${p}_"*.deb 2>/dev/null | head -n 1)
  if [ -n "$f" ]; then debs+=("$f"); else fail "package $p built"; fi
done
[ ${#debs[@]} -eq 3 ] || abort "three packages to test"
for f in "${debs[@]}"; do note "$(basename "$f"): $(dpkg-deb -f "$f" Installed-Size) KiB installed"; done

# ---------------------------------------------------------------- 2. lintian
t=$(now)
lintian_cmd=(lintian --display-info --show-overrides)
# lintian advises against root; nobody can read $TMP
if command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
  lintian_cmd=(runuser -u nobody -- env HOME=/nonexistent "${lintian_cmd[@]}")
fi
"${lintian_cmd[@]}" "$changes" >"$TMP/lintian.log" 2>&1
lrc=$?
t_lintian=$(since "$t")
note "lintian $(dpkg-query -W -f '${Version}' lintian) on $(basename "$changes") ($t_lintian s), exit $lrc:"
indent <"$TMP/lintian.log"
errors=$(grep -c '^E: ' "$TMP/lintian.log")
warnings=$(grep -c '^W: ' "$TMP/lintian.log")
overridden=$(grep -c '^O: ' "$TMP/lintian.log")
check "lintian: $errors errors, $warnings warnings not overridden ($overridden overridden), exit $lrc" \
  [ "$errors" -eq 0 -a "$warnings" -eq 0 -a "$lrc" -eq 0 ]

# ---------------------------------------------------------------- 3. contents, man pages
X="$TMP/x"
for f in "${debs[@]}"; do
  p=$(dpkg-deb -f "$f" Package)
  mkdir -p "$X/$p" && dpkg-deb -x "$f" "$X/$p" || fail "dpkg-deb -x $(basename "$f")"
done
mkdir "$TMP/man"
pages=""
for f in "$X"/*/usr/share/man/man*/*; do
  [ -f "$f" ] || continue
  b=$(basename "$f" .gz)
  case $f in *.gz) gzip -dc "$f" >"$TMP/man/$b" ;; *) cp "$f" "$TMP/man/$b" ;; esac
  pages="$pages $b"
done
note "man pages:$pages"
for want in wtpctl.1 wtping-server.8 wtping-client.8 wtping-server.conf.5 wtping-client.conf.5; do
  [ -f "$TMP/man/$want" ] || fail "man page $want in the packages"
done
lint=$(cd "$TMP/man" && mandoc -Tlint -W warning ./* 2>&1)
check "mandoc -Tlint -W warning on the $(echo "$pages" | wc -w) man pages of the packages: silent" [ -z "$lint" ]
[ -n "$lint" ] && indent <<<"$lint"

# Debian packages of the libraries the programs link directly (DT_NEEDED)
needed_packages() {
  local b
  for b in "$@"; do
    ldd "$b" | awk -v need=" $(readelf -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd' ') " \
      '$2 == "=>" && index(need, " " $1 " ") { print $3 }'
  done | sort -u | while read -r lib; do
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null
  done | grep -v '^diversion' | cut -d: -f1 | sort -u
}
# each package depends on the packages of the libraries its programs link
for p in wtping-common wtping-server wtping-client; do
  dep=$(dpkg-deb -f "$(ls "$TMP/${p}_"*.deb)" Depends | tr ',|' '\n\n' | awk '{ print $1 }' | sort -u)
  need=$(needed_packages "$X/$p"/usr/bin/*)
  missing=$(comm -23 <(sort -u <<<"$need") <(echo "$dep"))
  check "$p: Depends covers the libraries of its programs${missing:+ (missing: $(echo $missing))}" [ -z "$missing" ]
done

# ---------------------------------------------------------------- 4. root, install
# the same package list as nspawn.sh (its cache key), from the packaged programs;
# a cached root made with another list is good too: apt installs what is missing
libpkgs=$(lib_packages "$X"/wtping-*/usr/bin/*)
include=$(printf '%s\n' systemd systemd-sysv dbus openssl procps $libpkgs | sort -u | paste -sd, -)
root_from_cache "$include" any
root_add_hosts

# nspawn_run CMD...: one command in the root (not booted: no systemd running, as in
# a chroot, but with /proc, /dev and the host's resolv.conf set up by nspawn)
nspawn_run() {
  timeout 600 systemd-nspawn -D "$ROOT" --register=no --keep-unit -q --console=pipe --as-pid2 \
    --setenv=DEBIAN_FRONTEND=noninteractive --setenv=LC_ALL=C "$@" </dev/null
}
# (not /tmp: nspawn mounts a tmpfs there)
mkdir -p "$ROOT/var/tmp/debs"
cp "${debs[@]}" "$ROOT/var/tmp/debs/"
in_root=()
for f in "${debs[@]}"; do in_root+=("/var/tmp/debs/$(basename "$f")"); done

t=$(now)
# (the host's apt configuration disables Valid-Until: the mirror may be a snapshot)
if nspawn_run apt-get -q -o Acquire::Check-Valid-Until=false update >"$TMP/apt-update.log" 2>&1; then
  pass "apt-get update in the root ($(since "$t") s)"
else
  tail -n 20 "$TMP/apt-update.log" | indent
  abort "apt-get update in the root"
fi
t=$(now)
nspawn_run apt-get -q -y --no-install-recommends install man-db "${in_root[@]}" >"$TMP/apt-install.log" 2>&1
rc=$?
t_install=$(since "$t")
if [ $rc -eq 0 ]; then
  pass "apt-get install man-db ${in_root[*]} ($t_install s)"
else
  tail -n 40 "$TMP/apt-install.log" | indent
  abort "apt-get install man-db and the packages: exit $rc"
fi
awk '/^The following NEW/ { on = 1; print; next } on && /^  / { print; next } { on = 0 }
     /^(W|E): |^Setting up wtping|^wtping|^Creat/' "$TMP/apt-install.log" | indent

rstat() { chroot "$ROOT" stat -c "$1" "$2" 2>/dev/null; }
check "postinst made no certificate in /etc/wtping" [ ! -e "$ROOT/etc/wtping/cert.pem" ]
check "server.conf selects self-rotating certificates and names none" \
  bash -c "grep -q '^certificate_mode = \"self-rotating\";' '$ROOT/etc/wtping/server.conf' &&
           ! grep -qE '^(certificate|key) =' '$ROOT/etc/wtping/server.conf'"
check "the ping page is installed: $(cd "$ROOT/usr/share/wtping/www" 2>/dev/null && ls | paste -sd' ')" \
  test -s "$ROOT/usr/share/wtping/www/index.html" -a -s "$ROOT/usr/share/wtping/www/ping.js" \
  -a -s "$ROOT/usr/share/wtping/www/style.css"

PORT=$(free_udp_port)
note "UDP port $PORT (127.0.0.1 and ::1; the container shares the host network)"
sed -i -e "s|^#\{0,1\}listen = .*|listen = [ \"127.0.0.1:$PORT\", \"[::1]:$PORT\" ];|" "$ROOT/etc/wtping/server.conf"
sed -i -e "s|^url = .*|url = \"https://localhost:$PORT/wtping\";|" "$ROOT/etc/wtping/client.conf"
check "server.conf: $(grep '^listen' "$ROOT/etc/wtping/server.conf")" \
  [ "$(grep -c "^listen = \[ \"127.0.0.1:$PORT\", \"\[::1\]:$PORT\" \];" "$ROOT/etc/wtping/server.conf")" = 1 ]
check "client.conf: $(grep '^url' "$ROOT/etc/wtping/client.conf"), $(grep '^cafile' "$ROOT/etc/wtping/client.conf")" \
  [ "$(grep -c "^url = \"https://localhost:$PORT/wtping\";" "$ROOT/etc/wtping/client.conf")" = 1 ]

# ---------------------------------------------------------------- 5. boot
boot_container

s=$(inc systemctl is-enabled wtping-server wtping-client | paste -sd' ')
check "systemctl is-enabled wtping-server wtping-client: $s" [ "$s" = "enabled enabled" ]
s=$(inc systemctl is-enabled wtping-server.socket)
check "wtping-server.socket is shipped, not enabled: $s" [ "$s" = disabled ]
both_active() { [ "$(inc systemctl is-active wtping-server)" = active ] &&
                [ "$(inc systemctl is-active wtping-client)" = active ]; }
wait_for 10 both_active
note "after boot (enabled, so started by multi-user.target): wtping-server" \
     "$(inc systemctl is-active wtping-server), wtping-client $(inc systemctl is-active wtping-client)"
out=$(inc systemctl start wtping-server wtping-client 2>&1); rc=$?
check "systemctl start wtping-server wtping-client: exit $rc${out:+ ($out)}" [ $rc -eq 0 ]
wait_for 10 both_active
for u in wtping-server wtping-client; do
  s=$(inc systemctl is-active $u)
  check "$u is $s" [ "$s" = active ]
done

t=$(now)
wait_for 15 status_ok
check "wtpctl --json status: client connected with an RTT, server running with its session ($(since "$t") s)" status_ok
rtt=$(wtpctl_json | python3 -c '
import json, sys
try:
    c = {x["daemon"]: x for x in json.load(sys.stdin)}["wtping-client"]
    print("%s, RTT last %.3f ms, %s" % (c["state"], c["rtt_ms"]["last"], c.get("server_address", c.get("url", ""))))
except Exception as e:
    print("no RTT: %r" % e)')
note "client: $rtt"
inc wtpctl status 2>&1 | indent

for page in wtpctl wtping-server.conf wtping-client.conf wtping-server wtping-client; do
  w=$(inc man -w "$page" 2>&1)
  check "man -w $page: $w" grep -q "^/usr/share/man/man[158]/$page\.[158]\.gz$" <<<"$w"
done
w=$(inc getent passwd wtping)
check "getent passwd wtping: $w" grep -q '^wtping:x:[0-9]*:[0-9]*:.*:/nonexistent:/usr/sbin/nologin$' <<<"$w"
s=$(inc stat -c '%F %U:%G %a' /run/wtping 2>&1)
check "/run/wtping: $s" [ "$s" = "directory wtping:wtping 755" ]
# (the server updates STATUS= once a second: wait for the client's session in it)
status_line() { inc systemctl --no-pager status wtping-server 2>&1 | grep -E '^ +Status: '; }
status_session() { status_line | grep -q 'Status: "1 session'; }
wait_for 5 status_session
st=$(status_line)
check "systemctl status wtping-server shows the STATUS= line:${st:- none}" grep -q 'Status: "1 session' <<<"$st"
s=$(inc stat -c '%a %U:%G %s bytes' /var/lib/wtping/reset-secret 2>&1)
check "/var/lib/wtping/reset-secret: $s" grep -q '^600 wtping:wtping [1-9]' <<<"$s"

# the server's own certificate, as a browser would check it
certs=/var/lib/wtping/certs
s=$(inc stat -c '%a %U:%G' $certs $certs/ca.pem $certs/current.pem $certs/next.pem $certs/ca.crt 2>&1 | paste -sd,)
check "$certs, ca.pem, current.pem, next.pem, ca.crt: $s" \
  [ "$s" = "700 wtping:wtping,600 wtping:wtping,600 wtping:wtping,600 wtping:wtping,644 wtping:wtping" ]
inc wtpctl cert --json >"$TMP/cert.json" 2>&1
inc wtpctl cert 2>&1 | indent
cert_field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2:]: v = (v or {}).get(k)
print("" if v is None else v)' "$TMP/cert.json" "$@" 2>/dev/null; }
served="$ROOT$certs/current.pem"
served_hash=$(openssl x509 -in "$served" -outform der 2>/dev/null | sha256sum | cut -d' ' -f1)
check "wtpctl cert: mode $(cert_field mode), hash $(cert_field current sha256) = the served certificate's" \
  bash -c "[ -n '$served_hash' ] && [ '$(cert_field current sha256)' = '$served_hash' ]"
check "wtpctl cert publishes the next hash too" [ -n "$(cert_field next sha256)" ]
key=$(openssl x509 -in "$served" -noout -text 2>/dev/null | grep -E 'Public Key Algorithm|ASN1 OID' | tr -s ' ' | paste -sd' ')
check "served key:$key" grep -q 'id-ecPublicKey.*prime256v1' <<<"$key"
nb=$(date -d "$(openssl x509 -in "$served" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$served" -noout -enddate | cut -d= -f2)" +%s)
check "validity $(((na - nb) / 3600)) h <= 14 days and current" \
  bash -c "[ $((na - nb)) -le 1209600 ] && [ $nb -le $(date +%s) ] && [ $(date +%s) -lt $na ]"
link=$(inc wtpctl page 2>&1)
check "wtpctl page: $link" grep -q "^file:///usr/share/wtping/www/index.html#url=.*&hash=$served_hash" <<<"$link"
st=$(inc wtpctl -s /run/wtping/server.sock status 2>&1 | grep -i certificate)
check "wtpctl status shows the certificate: $st" grep -qi 'self-rotating' <<<"$st"

# ---------------------------------------------------------------- 6. purge
t=$(now)
inc_t 180 apt-get -q -y purge wtping-server wtping-client wtping-common >"$TMP/apt-purge.log" 2>&1
rc=$?
t_purge=$(since "$t")
check "apt-get purge -y wtping-server wtping-client wtping-common: exit $rc ($t_purge s)" [ $rc -eq 0 ]
grep -vE '^(Reading|Building|\(Reading)' "$TMP/apt-purge.log" | indent
s=$(inc systemctl list-unit-files --no-legend 2>&1 | grep wtping)
check "systemctl list-unit-files: no wtping unit${s:+ ($s)}" [ -z "$s" ]
s=$(inc systemctl list-units --all --no-legend 2>&1 | grep wtping)
check "systemctl list-units --all: no wtping unit loaded${s:+ ($s)}" [ -z "$s" ]
s=$(inc dpkg-query -W -f '${db:Status-Abbrev}${Package}\n' 'wtping*' 2>/dev/null | grep -v '^un ')
check "dpkg knows no wtping package any more${s:+ ($s)}" [ -z "$s" ]
for d in /etc/wtping /var/lib/wtping /var/lib/wtping-server; do
  s=$(inc find "$d" 2>/dev/null | paste -sd' ')
  check "$d is gone${s:+ (left: $s)}" inc test ! -e "$d"
done
s=$(inc ps -eo pid=,user=,args= | grep -E 'wtping' | grep -v ' ps -eo')
check "no wtping process left${s:+ ($s)}" [ -z "$s" ]
# left behind by design (reported, not failed): the system user, as Debian
# leaves system users; /run/wtping (RuntimeDirectoryPreserve=yes, gone at reboot)
note "after purge: user wtping $(inc getent passwd wtping >/dev/null && echo remains || echo is gone);" \
     "/run/wtping $(inc test -e /run/wtping && echo remains || echo is gone)"

note "times: build $t_build s, lintian $t_lintian s, apt-get install $t_install s, purge $t_purge s"
finish
