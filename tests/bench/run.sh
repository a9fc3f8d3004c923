#!/bin/bash
# make bench: the scenarios of issue 14 on loopback (docs/benchmarks.md).
#
#   1 latency     10,000 sequential stream and datagram pings and the UDP
#                 floor; server, client and floor on the same core
#   2 throughput  1/16/256/1024 sessions x 1/16 in flight (stream), and
#                 256 x 16 over datagrams: pongs/s, server CPU per pong
#   3 scale       10,000 idle sessions (fresh server): RSS per session and
#                 a live session's RTT meanwhile
#   4 handshakes  new sessions at a target rate: server CPU per session,
#                 socket-open-to-200 latency; and at a low rate
#   5 control     `wtpctl status` latency while the server answers 20,000
#                 pings/s (wtpctl unpinned, process start included)
#
# The server runs on core $BENCH_SERVER_CPU (0), the load on
# $BENCH_LOAD_CPU (1). Each scenario runs $BENCH_RUNS times (3); the table
# shows medians. Raw JSON lines stay in $BENCH_OUT (default: a directory
# under the build tree). Knobs for a quick look: BENCH_RUNS=1
# BENCH_SECONDS=1 BENCH_IDLE=2000.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SERVER="$top_builddir/wtping-server"
BENCH="$top_builddir/wtping-bench"
ECHO="$top_builddir/tests/bench/udp_echo"
WTPCTL="$top_builddir/wtpctl"
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECONDS:-2}
IDLE=${BENCH_IDLE:-10000}
SCPU=${BENCH_SERVER_CPU:-0}
LCPU=${BENCH_LOAD_CPU:-1}
LAT_COUNT=${BENCH_LAT_COUNT:-10000}
RATE=${BENCH_RATE:-4000}
OUT=${BENCH_OUT:-$top_builddir/bench-results/$(date +%Y%m%d-%H%M%S)}

for b in "$SERVER" "$BENCH" "$ECHO" "$WTPCTL"; do
  [ -x "$b" ] || { echo "run.sh: $b is not built (make first)" >&2; exit 2; }
done
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/wtping-bench.XXXXXX)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
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

free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server: a fresh server on core $SCPU; sets PORT, URL, SERVER_PID
start_server() {
  stop_server
  PORT=$(free_udp_port)
  URL="https://127.0.0.1:$PORT/wtping"
  taskset -c "$SCPU" "$SERVER" -c "$TMP/limits.conf" --cert "$TMP/cert.pem" --key "$TMP/cert.key" \
    --listen "127.0.0.1:$PORT" --control "$TMP/ctl.sock" --reset-secret "" \
    --max-connections $((IDLE + 4096)) --max-sessions 16 ${BENCH_SERVER_ARGS:-} \
    >>"$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do
    [ -S "$TMP/ctl.sock" ] && "$WTPCTL" -s "$TMP/ctl.sock" check --ready 2>/dev/null && return 0
    sleep 0.1
  done
  echo "run.sh: the server did not start (see $OUT/server.log)" >&2
  exit 1
}
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
    rm -f "$TMP/ctl.sock"
  fi
}

# bench NAME CPU ARGS...: one wtping-bench run; its JSON line goes to
# $OUT/NAME.jsonl tagged with the scenario name
bench() {
  local name=$1 cpu=$2; shift 2
  local line
  line=$(taskset -c "$cpu" "$BENCH" -k -q --json --server-pid "$SERVER_PID" "$@" "$URL" \
    2>>"$OUT/bench.log")
  if [ -z "$line" ]; then
    echo "run.sh: $name: no result (see $OUT/bench.log)" >&2
    return 1
  fi
  echo "{\"scenario\":\"$name\",\"result\":$line}" >>"$OUT/results.jsonl"
}

floor() {
  local port line
  port=$(free_udp_port)
  taskset -c "$SCPU" "$ECHO" server -p "$port" >/dev/null &
  local pid=$!
  sleep 0.1
  line=$(taskset -c "$SCPU" "$ECHO" client -p "$port" -n "$LAT_COUNT" --json)
  wait "$pid" 2>/dev/null
  echo "{\"scenario\":\"floor\",\"result\":$line}" >>"$OUT/results.jsonl"
}

# control: wtpctl status, timed end to end, while the server is under load
control() {
  # a paced load (20,000 pings/s) leaves the load core room for wtpctl
  taskset -c "$LCPU" "$BENCH" -k -q --json --server-pid "$SERVER_PID" -n 100 -m 4 -R 20000 \
    -w 0.5 -d $((SECS + 4)) "$URL" >"$TMP/ctl-load.json" 2>>"$OUT/bench.log" &
  local bpid=$!
  sleep 1.5
  python3 - "$WTPCTL" "$TMP/ctl.sock" >>"$OUT/results.jsonl" <<'EOF'
import json, socket, subprocess, sys, time
wtpctl, sock = sys.argv[1], sys.argv[2]
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))] if v else 0
e2e, raw = [], []
for _ in range(100):
    t = time.monotonic()
    subprocess.run([wtpctl, "-s", sock, "status"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    e2e.append((time.monotonic() - t) * 1e3)
    t = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.sendall(b"status\n")
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    s.close()
    raw.append((time.monotonic() - t) * 1e3)
print(json.dumps({"scenario": "control", "result": {
    "wtpctl_ms": {"p50": q(e2e, .5), "p99": q(e2e, .99)},
    "socket_ms": {"p50": q(raw, .5), "p99": q(raw, .99)}}}))
EOF
  wait "$bpid"
  echo "{\"scenario\":\"control-load\",\"result\":$(cat "$TMP/ctl-load.json")}" >>"$OUT/results.jsonl"
}

echo "wtping make bench: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
  "kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server on CPU $SCPU, load on CPU $LCPU, $RUNS run(s) each, results in $OUT"
start=$(date +%s)
start_server
for run in $(seq "$RUNS"); do
  echo "run $run/$RUNS: latency" >&2
  floor
  bench lat-stream "$SCPU" -n 1 -m 1 -w 0.3 -c "$LAT_COUNT"
  bench lat-datagram "$SCPU" -n 1 -m 1 -w 0.3 -c "$LAT_COUNT" -D
  echo "run $run/$RUNS: throughput" >&2
  for n in 1 16 256 1024; do
    for m in 1 16; do
      bench "tput-stream-${n}x${m}" "$LCPU" -n "$n" -m "$m" -w 0.5 -d "$SECS" --pending 128
    done
  done
  bench "tput-datagram-256x16" "$LCPU" -n 256 -m 16 -w 0.5 -d "$SECS" --pending 128 -D
  echo "run $run/$RUNS: handshakes" >&2
  bench "handshake-rate" "$LCPU" -r "$RATE" --pending 128 -w 0.5 -d "$SECS"
  bench "handshake-latency" "$LCPU" -r 100 -w 0.2 -d "$SECS"
  echo "run $run/$RUNS: control under load" >&2
  control
done
for run in $(seq "$RUNS"); do
  echo "run $run/$RUNS: $IDLE idle sessions" >&2
  start_server # RSS per session needs a server that has not served before
  bench "scale-idle" "$LCPU" -n 1 -m 1 --idle "$IDLE" --pending 256 -w 0.5 -d "$SECS"
done
stop_server
echo "elapsed: $(($(date +%s) - start)) s"
python3 "$here/summarize.py" "$OUT/results.jsonl"
