#!/bin/bash
# make soak: 30 minutes (SOAK_SECONDS) of mixed load on one server while
# sessions come and go; the server's RSS is sampled every 10 s
# (SOAK_SAMPLE) and printed. Not part of `make check` or CI.
#
# Load, all at once, on the core that the server does not use:
#   - 64 stream sessions x 4 pings in flight, for the whole run
#   - 16 datagram sessions x 4 in flight, for the whole run
#   - new sessions at 50/s (connect, CONNECT/200, one ping, close)
#   - waves of 1,000 idle sessions that stay 20 s and leave
#
# Verdict: RSS must stay flat: the median of the last third of the samples
# may exceed the median of the middle third by at most 10 % (the first
# third is warm-up: allocator arenas and caches fill).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SERVER="$top_builddir/wtping-server"
BENCH="$top_builddir/wtping-bench"
SECS=${SOAK_SECONDS:-1800}
EVERY=${SOAK_SAMPLE:-10}
SCPU=${BENCH_SERVER_CPU:-0}
LCPU=${BENCH_LOAD_CPU:-1}
TMP=$(mktemp -d /tmp/wtping-soak.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$TMP/cert.key" -out "$TMP/cert.pem" -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
# The load comes from one address (127.0.0.1): the server's per-source abuse
# limits (connections and handshakes per source, datagrams per second per
# session, Retry under a handshake flood; docs/security.md) would measure the
# policy, not the server. Off for benchmarks only.
cat >"$TMP/limits.conf" <<'CONF'
max_connections_per_source = 0;
handshakes_per_second = 0;
datagrams_per_second = 0;
retry = "never";
CONF
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="https://127.0.0.1:$PORT/wtping"
taskset -c "$SCPU" "$SERVER" -c "$TMP/limits.conf" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
  --listen "127.0.0.1:$PORT" --control "" --reset-secret "" --max-connections 8192 \
  >"$TMP/server.log" 2>&1 &
SPID=$!
PIDS+=("$SPID")
sleep 0.5
kill -0 "$SPID" 2>/dev/null || { cat "$TMP/server.log"; exit 1; }

run() { taskset -c "$LCPU" "$BENCH" -k -q --json -w 0 "$@" "$URL" >>"$TMP/bench.jsonl" 2>>"$TMP/bench.log"; }
run -n 64 -m 4 -d "$SECS" &
PIDS+=($!)
run -n 16 -m 4 -D -d "$SECS" &
PIDS+=($!)
run -r 50 -d "$SECS" &
PIDS+=($!)
(
  end=$(($(date +%s) + SECS - 30))
  while [ "$(date +%s)" -lt "$end" ]; do
    run -n 1 --idle 1000 --pending 64 -d 20
    sleep 5
  done
) &
PIDS+=($!)

rss() { awk '/^VmRSS/ {print $2}' "/proc/$SPID/status" 2>/dev/null; }
echo "soak: $SECS s, RSS of wtping-server (pid $SPID) every $EVERY s"
echo "   t(s)  RSS(KiB)  open fds"
samples=()
start=$(date +%s)
while :; do
  now=$(($(date +%s) - start))
  [ "$now" -ge "$SECS" ] && break
  r=$(rss)
  [ -z "$r" ] && { echo "soak: the server died"; cat "$TMP/server.log"; exit 1; }

  printf "%7d  %8d  %s\n" "$now" "$r" "$(ls /proc/$SPID/fd | wc -l) fds"
  samples+=("$r")
  sleep "$EVERY"
done
wait "${PIDS[@]:1}" 2>/dev/null
errors=$(python3 -c '
import json, sys
e = p = 0
for l in open(sys.argv[1]):
    try:
        o = json.loads(l)
    except ValueError:
        continue
    e += o.get("errors", 0); p += o.get("pongs", 0)
print(f"{p} pongs, {e} errors")' "$TMP/bench.jsonl")
echo "load: $errors"
python3 - "${samples[@]}" <<'EOF'
import statistics, sys
s = [int(x) for x in sys.argv[1:]]
n = len(s)
if n < 6:
    print("soak: too few samples for a verdict")
    sys.exit(0)
mid = statistics.median(s[n // 3: 2 * n // 3])
last = statistics.median(s[2 * n // 3:])
growth = (last - mid) / mid * 100
print(f"RSS median: middle third {mid:.0f} KiB, last third {last:.0f} KiB ({growth:+.1f} %)")
print("flat" if growth <= 10 else "NOT flat: RSS grows")
sys.exit(0 if growth <= 10 else 1)
EOF
