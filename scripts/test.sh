#!/bin/sh
# Runs the whole test suite: unit, integration and browser interop tests,
# once in a normal build and once under AddressSanitizer and
# UndefinedBehaviorSanitizer; then the daemons under a real systemd in a
# systemd-nspawn container. Dependencies: scripts/install-deps.sh.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
status=0
run() { # run BUILD_DIR [configure args]
  dir=$1; shift
  echo "=== $(basename "$dir") ==="
  BUILD=$dir "$top/scripts/build.sh" "$@"
  if ! make -s -C "$dir" -j"$(nproc)" check; then
    for f in "$dir"/tests/*/*.log; do
      case "$f" in *test-suite.log) continue ;; esac
      grep -qE ':test-result: (FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null && { echo "--- $f"; tail -n 60 "$f"; }
    done
    status=1
  fi
}
run "$top/_build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run "$top/_build-asan" --enable-sanitizers

# Under a real systemd: both units in a systemd-nspawn container (root only).
echo "=== system (systemd-nspawn) ==="
"$top/tests/system/nspawn.sh" || status=1
exit $status
