#!/bin/bash
# Browser interop test: Debian's Chromium (WebTransport over HTTP/3, pinned
# certificate hash) against wtping-server. Exit 0 pass, 1 fail, 77 skip.
# Env: top_builddir, top_srcdir (from the harness), CI=true (never skip),
# CHROMIUM (browser binary), WTPING_INTEROP_TIMEOUT (s, default 60),
# WTPING_INTEROP_KEEP=1 (keep the temp dir: logs, Chromium net log, result).
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$here/../..}"
: "${top_srcdir:=$here/../..}"
srcdir="$top_srcdir/tests/interop"
harness="$srcdir/harness.py"
server="$top_builddir/wtping-server"
timeout_s=${WTPING_INTEROP_TIMEOUT:-60}

say() { echo "browser.sh: $*"; }
skip() {
  say "$*"
  if [ "${CI:-}" = true ]; then say "CI=true: failing instead of skipping"; exit 1; fi
  exit 77
}

chromium=${CHROMIUM:-$(command -v chromium || true)}
{ [ -n "$chromium" ] && [ -x "$chromium" ]; } || skip "chromium not found (apt-get install chromium)"
command -v python3 >/dev/null || skip "python3 not found"
command -v openssl >/dev/null || command -v certtool >/dev/null || skip "neither openssl nor certtool found"
[ -x "$server" ] || { say "$server not found or not executable"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wtping-browser.XXXXXX") || exit 1
srv_pid='' http_pid='' chrome_pid=''
alive() {  # not exited and not a zombie
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
kill_group() {  # kill_group PID [GRACE_S]: the process and its process group
  [ -n "$1" ] || return 0
  if [ -n "${2:-}" ]; then
    kill -TERM -- "-$1" 2>/dev/null
    for _ in $(seq $(($2 * 10))); do alive "$1" || break; sleep 0.1; done
  fi
  kill -KILL -- "-$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null
}
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  kill_group "$chrome_pid"; kill_group "$http_pid"; kill_group "$srv_pid"
  if [ "${WTPING_INTEROP_KEEP:-}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
tails() {
  echo "---- server log (tail) ----";   tail -n 40 "$tmp/server.log" 2>/dev/null
  echo "---- chromium log (tail, without D-Bus noise) ----"
  grep -av -e dbus -e zygote -e bluez -e idle_linux -e vaapi -e 'called with multiple threads' \
    "$tmp/chromium.log" 2>/dev/null | tail -n 25
  echo "---- chromium net log ----"
  [ -s "$tmp/netlog.json" ] && python3 "$harness" netlog "$tmp/netlog.json"
  echo "---- page log ----";            tail -n 40 "$tmp/page.log" 2>/dev/null
  echo "----"
}
fail() { say "FAIL: $*"; tails; exit 1; }

# 1. Certificate: ECDSA P-256, self-signed, 10 days (Chromium's hash pinning allows <= 14).
cert="$tmp/cert.pem" key="$tmp/key.pem"
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 10 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$key" -out "$cert" >"$tmp/cert.log" 2>&1 || { cat "$tmp/cert.log"; fail "openssl req"; }
else
  printf '%s\n' 'cn = localhost' 'dns_name = localhost' 'ip_address = 127.0.0.1' \
    'ip_address = ::1' 'expiration_days = 10' 'signing_key' 'tls_www_server' >"$tmp/cert.tmpl"
  { certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --no-text --outfile "$key" &&
    certtool --generate-self-signed --load-privkey "$key" --template "$tmp/cert.tmpl" \
      --outfile "$cert"; } >"$tmp/cert.log" 2>&1 || { cat "$tmp/cert.log"; fail "certtool"; }
fi
hash=$(python3 "$harness" cert-hash "$cert") || fail "cannot hash $cert"
say "certificate sha-256 $hash"

# 2. The server, on a free UDP port on 127.0.0.1 and ::1.
port=$(python3 "$harness" free-udp-port) || fail "no free UDP port"
"$server" --listen "127.0.0.1:$port" --listen "[::1]:$port" --cert "$cert" --key "$key" \
  --path /wtping >"$tmp/server.log" 2>&1 &
srv_pid=$!
python3 "$harness" wait-udp --port "$port" --family 4 --family 6 --pid "$srv_pid" --timeout 10 ||
  fail "server did not bind UDP port $port"
say "server pid $srv_pid on UDP port $port"

# 3. The page server (COOP/COEP, POST /result and /log).
python3 -u "$harness" serve --port-file "$tmp/http.port" --page-dir "$srcdir" \
  --result "$tmp/result.json" --page-log "$tmp/page.log" --access-log "$tmp/http.log" &
http_pid=$!
for _ in $(seq 100); do [ -s "$tmp/http.port" ] && break; sleep 0.1; done
http_port=$(cat "$tmp/http.port" 2>/dev/null) || fail "page server did not start"

# 4. Chromium, in its own process group so that every child can be killed.
url="http://127.0.0.1:$http_port/page.html?port=$port&hash=$hash"
say "opening $url"
setsid "$chromium" --headless=new --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --enable-logging=stderr --log-level=0 --log-net-log="$tmp/netlog.json" \
  --user-data-dir="$tmp/profile" "$url" \
  >"$tmp/chromium.log" 2>&1 </dev/null &
chrome_pid=$!
python3 "$harness" wait-result --result "$tmp/result.json" --pid "$chrome_pid" --timeout "$timeout_s"
got_result=$?
kill_group "$chrome_pid" 3; chrome_pid=''

# 5. Checks and statistics.
rc=0
if [ $got_result -ne 0 ]; then
  say "FAIL: no result from the page"; rc=1
else
  python3 "$harness" check --result "$tmp/result.json" --server-log "$tmp/server.log" \
    --count 100 --min-datagrams 95 --close-wait 3 || rc=1
fi

# 6. SIGTERM: the server must exit 0 within 5 s.
if ! alive "$srv_pid"; then
  wait "$srv_pid"; say "FAIL: server died early (exit $?)"; srv_pid=; rc=1
else
  kill -TERM "$srv_pid"
  for _ in $(seq 50); do alive "$srv_pid" || break; sleep 0.1; done
  if alive "$srv_pid"; then
    say "FAIL: server still running 5 s after SIGTERM"; rc=1
  else
    wait "$srv_pid"; st=$?
    if [ $st -eq 0 ]; then say "server exited 0 after SIGTERM"
    else say "FAIL: server exit status $st after SIGTERM"; rc=1; fi
  fi
  alive "$srv_pid" || srv_pid=
fi

[ $rc -eq 0 ] || fail "see above"
say "PASS"
exit 0
