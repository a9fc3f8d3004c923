#!/bin/bash
# Origin allow-list against a real browser: headless Chromium opens the
# ping page from http://127.0.0.1:PORT while wtping-server only allows
# https://ping.example.org. The session must be refused (403): the page
# reports a failed connect, and the server logs the refusal with the
# page's origin. Exit 0 pass, 1 fail, 77 skip (as browser.sh; CI=true
# never skips).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$here/../..}"
: "${top_srcdir:=$here/../..}"
srcdir="$top_srcdir/tests/interop"
harness="$srcdir/harness.py"
server="$top_builddir/wtping-server"
wtpctl="$top_builddir/wtpctl"

say() { echo "browser_origin.sh: $*"; }
skip() {
  say "$*"
  if [ "${CI:-}" = true ]; then say "CI=true: failing instead of skipping"; exit 1; fi
  exit 77
}
chromium=${CHROMIUM:-$(command -v chromium || true)}
{ [ -n "$chromium" ] && [ -x "$chromium" ]; } || skip "chromium not found (apt-get install chromium)"
command -v openssl >/dev/null || skip "openssl not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wtping-origin.XXXXXX") || exit 1
srv_pid='' http_pid='' chrome_pid=''
kill_group() {
  [ -n "$1" ] || return 0
  kill -TERM -- "-$1" 2>/dev/null; sleep 0.3
  kill -KILL -- "-$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null
}
cleanup() { kill_group "$chrome_pid"; kill_group "$http_pid"; kill_group "$srv_pid"; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() {
  say "FAIL: $*"
  echo "---- server log"; tail -n 20 "$tmp/server.log"
  echo "---- page log"; tail -n 20 "$tmp/page.log" 2>/dev/null
  exit 1
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 10 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || fail "openssl req"
hash=$(python3 "$harness" cert-hash "$tmp/cert.pem") || fail "cannot hash the certificate"
port=$(python3 "$harness" free-udp-port) || fail "no free UDP port"
cat >"$tmp/server.conf" <<CONF
certificate = "$tmp/cert.pem";
key = "$tmp/key.pem";
listen = [ "127.0.0.1:$port", "[::1]:$port" ];
control_socket = "$tmp/ctl.sock";
reset_secret = "";
origins = [ "https://ping.example.org" ];
CONF
setsid "$server" -c "$tmp/server.conf" >"$tmp/server.log" 2>&1 &
srv_pid=$!
python3 "$harness" wait-udp --port "$port" --family 4 --pid "$srv_pid" --timeout 10 ||
  fail "server did not bind UDP port $port"

setsid python3 -u "$harness" serve --port-file "$tmp/http.port" --page-dir "$srcdir" \
  --result "$tmp/result.json" --page-log "$tmp/page.log" --access-log "$tmp/http.log" &
http_pid=$!
for _ in $(seq 100); do [ -s "$tmp/http.port" ] && break; sleep 0.1; done
http_port=$(cat "$tmp/http.port" 2>/dev/null) || fail "page server did not start"

url="http://127.0.0.1:$http_port/page.html?port=$port&hash=$hash"
say "opening $url (its origin is not allowed)"
setsid "$chromium" --headless=new --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/profile" "$url" >"$tmp/chromium.log" 2>&1 </dev/null &
chrome_pid=$!
python3 "$harness" wait-result --result "$tmp/result.json" --pid "$chrome_pid" \
  --timeout "${WTPING_INTEROP_TIMEOUT:-60}" || fail "no result from the page"

python3 - "$tmp/result.json" <<'PY' || fail "the page connected although its origin is not allowed"
import json, sys
r = json.load(open(sys.argv[1]))
print("browser_origin.sh: page result: ok=%s error=%s" % (r.get("ok"), r.get("error")))
sys.exit(0 if not r.get("ok") and str(r.get("error", "")).startswith("connect") else 1)
PY
grep -q "session refused with 403: origin not allowed (origin \"http://127.0.0.1:$http_port\")" \
  "$tmp/server.log" || fail "the server did not log the 403 with the page's origin"
"$wtpctl" -s "$tmp/ctl.sock" stats | grep -Eq "^refused_access +: [1-9]" ||
  fail "wtpctl stats does not count the refusal"
"$wtpctl" -s "$tmp/ctl.sock" sessions | grep -q "^no sessions$" || fail "a session exists"
say "PASS"
exit 0
