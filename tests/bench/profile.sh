#!/bin/bash
# Load-independent costs of the server, per pong and per session:
#
#   profile.sh instr  [BENCH ARGS]   callgrind: instructions per pong (two
#                                    runs of different length, difference /
#                                    difference of pongs) and the top functions
#   profile.sh sys    [BENCH ARGS]   syscalls per pong, by syscall (perf
#                                    tracepoints, or strace -c without perf)
#   profile.sh alloc  [BENCH ARGS]   as instr, plus malloc/calloc/realloc/free calls
#                                    per pong (callgrind's call counts)
#   profile.sh massif [N]            heap of N idle sessions (default 1000):
#                                    bytes per session and the top allocation sites
#   profile.sh hs     [N]            callgrind: instructions per new session (N of them)
#
# BENCH ARGS default to the throughput scenario: -n 256 -m 16. Output under
# $PROFILE_OUT (default $top_builddir/bench-results/profile-DATE).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SERVER="$top_builddir/wtping-server"
BENCH="$top_builddir/wtping-bench"
OUT=${PROFILE_OUT:-$top_builddir/bench-results/profile-$(date +%Y%m%d-%H%M%S)}
mode=${1:-instr}
shift || true
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/wtping-prof.XXXXXX)
SPID=
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
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
port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start [WRAPPER...]: the server, optionally under valgrind; sets SPID, URL
start() {
  local p
  p=$(port)
  URL="https://127.0.0.1:$p/wtping"
  "$@" "$SERVER" -c "$TMP/limits.conf" --cert "$TMP/cert.pem" --key "$TMP/cert.key" --listen "127.0.0.1:$p" \
    --control "" --reset-secret "" --max-connections 20000 --max-sessions 16 \
    >"$TMP/server.log" 2>&1 &
  SPID=$!
  local hex
  hex=$(printf '%04X' "$p")
  for _ in $(seq 300); do
    grep -q ":$hex " /proc/net/udp && return 0
    sleep 0.1
  done
  echo "profile.sh: server did not start" >&2
  cat "$TMP/server.log" >&2
  exit 1
}
stop() {
  kill -INT "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
  SPID=
}
# bench COUNT ARGS...: a run that ends after COUNT pongs (no warm-up)
bench() {
  local count=$1; shift
  "$BENCH" -k -q --json -w 0 -c "$count" "$@" "$URL"
}
pongs() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["pongs"])'; }
# total instructions of a callgrind output
ir() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1; exit}'; }

ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(-n 256 -m 16)

case "$mode" in
instr | alloc)
  # Two runs, N1 and N2 pongs: (Ir2 - Ir1) / (N2 - N1) leaves out start-up,
  # handshakes and teardown, which both runs share.
  N1=${PROFILE_N1:-5000}
  N2=${PROFILE_N2:-25000}
  declare -A IR P
  for n in "$N1" "$N2"; do
    start valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.$n"
    P[$n]=$(bench "$n" "${ARGS[@]}" | pongs)
    stop
    IR[$n]=$(ir "$OUT/callgrind.$n")
  done
  echo "scenario: ${ARGS[*]}"
  python3 - "${IR[$N1]}" "${IR[$N2]}" "${P[$N1]}" "${P[$N2]}" <<'EOF'
import sys
i1, i2, p1, p2 = map(int, sys.argv[1:])
print(f"instructions: {i1:,} for {p1:,} pongs, {i2:,} for {p2:,} pongs")
print(f"instructions per pong (difference): {(i2 - i1) / (p2 - p1):,.0f}")
EOF
  if [ "$mode" = alloc ]; then
    echo "heap calls per pong (difference):"
    python3 "$here/cg_calls.py" "$OUT/callgrind.$N1" "$OUT/callgrind.$N2" "${P[$N1]}" "${P[$N2]}"
  fi
  python3 "$here/cg_diff.py" "$OUT/callgrind.$N1" "$OUT/callgrind.$N2" "${P[$N1]}" "${P[$N2]}" 30
  ;;
sys)
  N=${PROFILE_N:-50000}
  start
  bench 500 "${ARGS[@]}" >/dev/null # sessions opened once, so that the counts below are pings only
  EV=raw_syscalls:sys_enter
  for s in sendmsg sendmmsg recvmsg recvmmsg epoll_wait timerfd_settime read write; do
    EV="$EV,syscalls:sys_enter_$s"
  done
  perf stat -e "$EV" -p "$SPID" -o "$TMP/perf.txt" &
  PP=$!
  sleep 0.3
  p=$(bench "$N" "${ARGS[@]}" | pongs)
  kill -INT "$PP"
  wait "$PP"
  stop
  echo "scenario: ${ARGS[*]} ($p pongs; session set-up included)"
  awk -v p="$p" '/sys_enter/ {gsub(",","",$1); printf "  %-36s %10d  %.3f per pong\n", $2, $1, $1/p}' "$TMP/perf.txt"
  ;;
massif)
  N=${1:-1000}
  start valgrind --tool=massif --massif-out-file="$OUT/massif.0" --peak-inaccuracy=0.1
  sleep 1
  stop
  start valgrind --tool=massif --massif-out-file="$OUT/massif.$N" --peak-inaccuracy=0.1 \
    --threshold=0.5
  "$BENCH" -k -q --json -n 1 --idle "$N" --pending 32 -w 0 -d 2 "$URL" >"$OUT/bench.json"
  stop
  python3 - "$OUT/massif.0" "$OUT/massif.$N" "$N" <<'EOF'
import re, sys
def peak(path):
    best = 0
    for line in open(path):
        m = re.match(r"mem_heap_B=(\d+)", line)
        if m:
            best = max(best, int(m.group(1)))
    return best
b0, b1, n = peak(sys.argv[1]), peak(sys.argv[2]), int(sys.argv[3])
print(f"heap peak: {b0:,} B idle server, {b1:,} B with {n} sessions: {(b1 - b0) / n / 1024:.1f} KiB per session")
EOF
  ms_print --threshold=1 "$OUT/massif.$N" | sed -n '/^ *n *time/,$p' | grep -E "^[ |]*->|^ +[0-9]+ +[0-9,]+ " | head -60
  ;;
hs)
  # N1 and N1+N sessions opened (and closed) with no pings: the difference
  # is the cost of N new sessions, whatever the start-up costs.
  N=${1:-200}
  N1=20
  declare -A IR
  for n in "$N1" $((N1 + N)); do
    start valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.hs.$n"
    "$BENCH" -k -q --json -n 1 --idle $((n - 1)) --pending 4 -w 0 -d 0.1 "$URL" >"$OUT/hs.$n.json"
    stop
    IR[$n]=$(ir "$OUT/callgrind.hs.$n")
  done
  a=$N1
  b=$((N1 + N))
  python3 -c "import sys; i1,i2,n=map(int,sys.argv[1:]); print(f'instructions per new session (handshake, CONNECT/200, close): {(i2-i1)/n:,.0f}')" \
    "${IR[$a]}" "${IR[$b]}" "$N"
  CG_UNIT="new session" python3 "$here/cg_diff.py" "$OUT/callgrind.hs.$a" "$OUT/callgrind.hs.$b" "$a" "$b" 30
  ;;
*)
  sed -n '2,16p' "$0"
  exit 2
  ;;
esac
