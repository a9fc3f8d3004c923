#!/bin/bash
# Browser test of the shipped ping page (www/): a wtping-server in its
# self-rotating certificate mode (the Debian default) with the origins of the
# packaged configuration, `wtpctl page` for the
# file:// link with the URL and the current + next hashes, then headless
# Chromium opens that link and, through the page's own controls, runs 50
# stream and 50 datagram pings (tests/interop/page_driver.py, DevTools
# protocol over a pipe). The results are read from the page (DOM and canvas
# pixels); screenshots of the chart and the page are kept in
# $top_builddir/tests/interop/page-artifacts/ (the test log directory). Fails
# if the page reports an error, any ping is lost or the chart is empty.
# When Firefox (firefox-esr) is installed, the same page is then smoke-tested
# in headless Firefox (Marionette): 20 stream and 20 datagram pings.
# Exit 0 pass, 1 fail, 77 skip (no Chromium; CI=true never skips).
# Env: CHROMIUM, FIREFOX (browser binaries; FIREFOX=none skips Firefox),
# WTPING_PAGE_TIMEOUT (s per run, default 60).
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$here/../..}"
: "${top_srcdir:=$here/../..}"
server="$top_builddir/wtping-server"
wtpctl="$top_builddir/wtpctl"
driver="$top_srcdir/tests/interop/page_driver.py"
harness="$top_srcdir/tests/interop/harness.py"
artifacts="$top_builddir/tests/interop/page-artifacts"

say() { echo "page.sh: $*"; }
skip() {
  say "$*"
  if [ "${CI:-}" = true ]; then say "CI=true: failing instead of skipping"; exit 1; fi
  exit 77
}
chromium=${CHROMIUM:-$(command -v chromium || true)}
{ [ -n "$chromium" ] && [ -x "$chromium" ]; } || skip "chromium not found (apt-get install chromium)"
command -v python3 >/dev/null || skip "python3 not found"
[ -x "$server" ] && [ -x "$wtpctl" ] || { say "$server or $wtpctl missing"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wtping-page.XXXXXX") || exit 1
srv_pid=
cleanup() {
  [ -n "$srv_pid" ] && { kill -TERM "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; }
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() {
  say "FAIL: $*"
  echo "---- server log (tail) ----"; tail -n 30 "$tmp/server.log"
  exit 1
}

port=$(python3 "$harness" free-udp-port) || fail "no free UDP port"
sock="$tmp/server.sock"
# the origin policy of the packaged configuration: the shipped page must
# pass it as it is installed
grep '^origins = ' "$top_srcdir/etc/server.conf" >"$tmp/server.conf" ||
  fail "etc/server.conf has no origins line"
"$server" --cert-mode self-rotating --cert-dir "$tmp/certs" --listen "127.0.0.1:$port" \
  --listen "[::1]:$port" --control "$sock" --reset-secret "" -c "$tmp/server.conf" \
  >"$tmp/server.log" 2>&1 &
srv_pid=$!
python3 "$harness" wait-udp --port "$port" --family 4 --family 6 --pid "$srv_pid" --timeout 10 ||
  fail "server did not bind UDP port $port"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

link=$("$wtpctl" -s "$sock" page --www "$top_srcdir/www") || fail "wtpctl page failed: $link"
say "wtpctl page: $link"
case $link in
  "file://$top_srcdir/www/index.html#"*) ;;
  *) fail "wtpctl page did not print a file:// link to the page" ;;
esac
nhash=$(grep -o 'hash=' <<<"$link" | wc -l)
[ "$nhash" -eq 2 ] || fail "the link carries $nhash hashes, want 2 (current and next)"

rm -rf "$artifacts"
mkdir -p "$artifacts"
python3 "$driver" --chromium "$chromium" --url "$link" --run stream:50:20 --run datagram:50:20 \
  --out "$artifacts" --timeout "${WTPING_PAGE_TIMEOUT:-60}"
rc=$?
say "screenshots and results: $artifacts ($(cd "$artifacts" && ls *.png results.json 2>/dev/null | tr '\n' ' '))"
[ $rc -eq 0 ] || fail "see above"
for f in chart-stream.png chart-datagram.png; do
  [ -s "$artifacts/$f" ] || fail "no screenshot $f"
done
sessions=$(grep -c ' open$' "$tmp/server.log")
[ "$sessions" -ge 2 ] || fail "the server saw $sessions sessions, want 2"

firefox=${FIREFOX:-$(command -v firefox-esr || command -v firefox || true)}
if [ "$firefox" = none ] || [ -z "$firefox" ]; then
  say "Firefox not found (apt-get install firefox-esr): its smoke test is not run"
else
  python3 "$driver" --browser firefox --firefox "$firefox" --url "$link" \
    --run stream:20:20 --run datagram:20:20 --out "$artifacts" \
    --timeout "${WTPING_PAGE_TIMEOUT:-60}" || fail "Firefox smoke test, see above"
fi
say "PASS"
exit 0
