# shellcheck shell=bash
# Shared by the system tests (nspawn.sh, packages.sh): sourced, not run.
#
# TAP-like results (pass/fail/check/abort/finish), the cached Debian root
# (debootstrap, kept as a tarball in $CACHE), booting it with systemd-nspawn,
# running commands inside it (inc), and clean-up (poweroff, unmount, rm).
#
# The sourcing script sets, before using the functions that need them:
#   T_START   start time (now)          TMP   its temporary directory
#   ROOT      the container's root      KEEP  1: keep $TMP on exit
# and installs the traps:  trap cleanup EXIT; trap 'exit 130' INT TERM
#
# Environment:
#   WTPING_NSPAWN_CACHE   directory of the cached root (default /var/cache/wtping-test)
#   WTPING_NSPAWN_MIRROR  Debian mirror (default: from /etc/apt/sources.list*)
#   ROOT_CACHE_NAME       name of the cached root in $CACHE (default bookworm-root;
#                         kubernetes.sh keeps a root without systemd as bookworm-minbase)

CACHE=${WTPING_NSPAWN_CACHE:-/var/cache/wtping-test}
SUITE=bookworm
NSPAWN_PID=""
P1=""
PASSES=0
FAILS=0

skip() {
  if [ "${CI:-}" = true ]; then echo "not ok - cannot run: $*"; echo "0 passed, 1 failed"; exit 1; fi
  echo "SKIP: $*"
  exit 77
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
note() { echo "# $*"; }

pass() { echo "ok - $*"; PASSES=$((PASSES + 1)); }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
  local d=$1; shift
  if "$@"; then pass "$d"; else fail "$d"; fi
}
# abort DESCRIPTION: a failure that leaves nothing more to check
abort() { fail "$*"; finish; }
finish() {
  if [ "$FAILS" -gt 0 ]; then
    container_diag
    if [ -s "$TMP/nspawn.log" ]; then
      note "--- last lines of the container console"
      tail -n 30 "$TMP/nspawn.log" | sed 's/^/#   /'
    fi
  fi
  echo "# total time: $(since "$T_START") s"
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
  exit $?
}

# inc CMD...: run CMD inside the container (all its namespaces), bounded
inc() {
  timeout 30 nsenter -t "$P1" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C "$@"
}
# inc_t SECONDS CMD...: the same with another bound
inc_t() {
  local s=$1; shift
  timeout "$s" nsenter -t "$P1" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C "$@"
}

container_diag() {
  [ -n "$P1" ] && [ -d "/proc/$P1" ] || return 0
  note "--- diagnostics from the container"
  inc systemctl --no-pager status wtping-server wtping-client 2>&1 | sed 's/^/#   /'
  inc journalctl --no-pager -n 60 -u wtping-server -u wtping-client 2>&1 | sed 's/^/#   /'
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    if [ -n "$P1" ] && [ -d "/proc/$P1" ]; then
      inc systemctl poweroff --no-block >/dev/null 2>&1
    fi
    for _ in $(seq 200); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$NSPAWN_PID" 2>/dev/null; then
      note "container did not power off in 20 s: killing it"
      kill -TERM "$NSPAWN_PID" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
      [ -n "$P1" ] && kill -KILL "$P1" 2>/dev/null
      kill -KILL "$NSPAWN_PID" 2>/dev/null
    fi
    wait "$NSPAWN_PID" 2>/dev/null
  fi
  # anything still mounted below the root (normally nothing: nspawn had its own mount namespace)
  awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ]; then
    note "kept $TMP"
  else
    rm -rf --one-file-system "$TMP"
  fi
  exit "$rc"
}

# ---------------------------------------------------------------- root file system
# Debian packages of the shared libraries the binaries link
lib_packages() {
  local b lib c p pkg
  for b in "$@"; do ldd "$b"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
    while read -r lib; do
      pkg=""
      for c in "$lib" "$(readlink -f "$lib")"; do
        for p in "$c" "${c#/usr}" "/usr$c"; do
          pkg=$(dpkg -S "$p" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1 | cut -d, -f1)
          [ -n "$pkg" ] && break 2
        done
      done
      if [ -n "$pkg" ]; then echo "$pkg"; else echo "# no package owns $lib" >&2; fi
    done | sort -u
}

# the Debian mirror of the host's apt sources (one-line or deb822 format)
find_mirror() {
  python3 - "$SUITE" <<'PY'
import glob, re, sys
suite = sys.argv[1]
found = []  # (exact suite match, uri)
def one_line(path):
    for line in open(path, errors="replace"):
        line = line.split("#", 1)[0].strip()
        line = re.sub(r"\[[^\]]*\]", " ", line)
        f = line.split()
        if len(f) >= 3 and f[0] == "deb":
            found.append((f[2] == suite, f[1]))
def deb822(path):
    for stanza in re.split(r"\n\s*\n", open(path, errors="replace").read()):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, val = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = val.strip()
        if fields.get("enabled", "yes").lower() == "no" or "deb" not in fields.get("types", "").split():
            continue
        suites = fields.get("suites", "").split()
        for uri in fields.get("uris", "").split():
            found.append((suite in suites, uri))
for p in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try: one_line(p)
    except OSError: pass
for p in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    try: deb822(p)
    except OSError: pass
exact = [u for e, u in found if e and u.startswith(("http://", "https://"))]
print(exact[0] if exact else "http://deb.debian.org/debian")
PY
}

# root_from_cache INCLUDE [any]: $ROOT from the cached tarball when it was
# made with the package list INCLUDE (comma-separated), else a debootstrap
# with INCLUDE that replaces the cache. With "any", a cached root made with
# another list is used as it is (the caller installs what it needs with apt).
root_from_cache() {
  local include=$1 any=${2:-} t mirror key
  mkdir -p "$CACHE"
  TARBALL="$CACHE/${ROOT_CACHE_NAME:-$SUITE-root}.tar"
  KEYFILE="$CACHE/${ROOT_CACHE_NAME:-$SUITE-root}.packages"
  t=$(now)
  exec 9>"$CACHE/.lock"
  flock 9
  key=$(cat "$KEYFILE" 2>/dev/null)
  if [ -f "$TARBALL" ] && { [ "$key" = "$include" ] || { [ "$any" = any ] && [ -n "$key" ]; }; }; then
    [ "$key" = "$include" ] || note "the cached root was made with other packages: $key"
    mkdir "$ROOT"
    if tar -C "$ROOT" --numeric-owner -xpf "$TARBALL"; then
      pass "root from the cache $TARBALL ($(since "$t") s)"
    else
      abort "unpack $TARBALL"
    fi
  else
    mirror=${WTPING_NSPAWN_MIRROR:-$(find_mirror)}
    note "no usable cache: debootstrap $SUITE from $mirror (takes a minute or two)"
    if ! debootstrap --variant=minbase ${include:+--include="$include"} "$SUITE" "$ROOT" "$mirror" \
         >"$TMP/debootstrap.log" 2>&1; then
      tail -n 30 "$TMP/debootstrap.log" | sed 's/^/#   /'
      abort "debootstrap $SUITE"
    fi
    rm -f "$ROOT"/var/cache/apt/archives/*.deb
    if tar -C "$ROOT" --numeric-owner -cpf "$TARBALL.tmp.$$" . &&
       mv -f "$TARBALL.tmp.$$" "$TARBALL" && printf '%s\n' "$include" >"$KEYFILE"; then
      pass "root made with debootstrap and cached in $TARBALL ($(since "$t") s)"
    else
      rm -f "$TARBALL.tmp.$$"
      fail "could not write the cache $TARBALL (going on)"
    fi
  fi
  flock -u 9
  exec 9>&-
}

# localhost must resolve inside (minbase has no /etc/hosts of its own)
root_add_hosts() {
  grep -qs '^127\.0\.0\.1[[:space:]].*localhost' "$ROOT/etc/hosts" ||
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >>"$ROOT/etc/hosts"
}

# a UDP port free on both 127.0.0.1 and ::1 of the host
free_udp_port() {
  python3 -c 'import socket
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("127.0.0.1", 0)); p = s4.getsockname()[1]
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("::1", p)); print(p)'
}

# ---------------------------------------------------------------- boot
# the container's init: a descendant of nspawn whose PID in its own namespace is 1
find_pid1() {
  local queue=("$NSPAWN_PID") p c ns
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    for c in $(pgrep -P "$p"); do
      ns=$(awk '/^NSpid:/ { print NF - 1, $NF }' "/proc/$c/status" 2>/dev/null)
      if [ "$ns" = "2 1" ]; then echo "$c"; return 0; fi
      queue+=("$c")
    done
  done
  return 1
}

# boot_container: boot $ROOT in the background (console in $TMP/nspawn.log),
# set NSPAWN_PID and P1, wait until systemd is up; abort if it does not come up
boot_container() {
  local t_boot state
  systemd-nspawn -D "$ROOT" --register=no --keep-unit -b --console=pipe -q \
    </dev/null >"$TMP/nspawn.log" 2>&1 &
  NSPAWN_PID=$!
  t_boot=$(now)

  for _ in $(seq 300); do
    kill -0 "$NSPAWN_PID" 2>/dev/null || break
    P1=$(find_pid1) && break
    sleep 0.1
  done
  [ -n "$P1" ] || { tail -n 30 "$TMP/nspawn.log" | sed 's/^/#   /'; NSPAWN_PID=""; abort "systemd-nspawn started a container"; }
  note "container init: host PID $P1 ($(cat "/proc/$P1/comm"))"

  state=""
  for _ in $(seq 120); do
    state=$(inc systemctl is-system-running 2>/dev/null)
    case $state in running|degraded) break ;; esac
    sleep 0.5
  done
  check "systemd is up in the container: $state ($(since "$t_boot") s after boot)" \
    test "$state" = running -o "$state" = degraded
  [ "$state" = degraded ] && inc systemctl --no-pager --failed 2>&1 | sed 's/^/#   /'
  case $state in running|degraded) ;; *) abort "no systemd to test against" ;; esac
  note "$(inc systemctl --version | head -n 1)"
}

# ---------------------------------------------------------------- helpers inside
prop() { inc systemctl show -P "$2" "$1" 2>/dev/null; }  # prop UNIT PROPERTY
wtpctl_json() { inc wtpctl --json status 2>/dev/null; }
# status_ok [SERVER_PID]: client connected with an RTT, server running with the
# client's session (and, if given, the server is process SERVER_PID)
status_ok() {
  wtpctl_json | python3 -c '
import json, sys
want = int(sys.argv[1]) if len(sys.argv) > 1 else None
try:
    d = json.load(sys.stdin)
    by = {x["daemon"]: x for x in d}
    c, s = by["wtping-client"], by["wtping-server"]
    ok = (c["state"] == "connected" and c["rtt_ms"] and c["rtt_ms"]["last"] > 0
          and s["state"] == "running" and s["sessions"]["now"] >= 1
          and (want is None or s["pid"] == want))
except Exception:
    ok = False
sys.exit(0 if ok else 1)' "$@"
}
# wait_for SECONDS COMMAND...: poll every 0.1 s
wait_for() {
  local end
  end=$(awk -v n="$(now)" -v s="$1" 'BEGIN { printf "%.3f", n + s }'); shift
  while :; do
    "$@" && return 0
    awk -v n="$(now)" -v e="$end" 'BEGIN { exit !(n > e) }' && return 1
    sleep 0.1
  done
}
