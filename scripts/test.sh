#!/bin/sh
# Runs the whole test suite: unit, integration and browser interop tests,
# once in a normal build and once under AddressSanitizer and
# UndefinedBehaviorSanitizer; then the daemons under a real systemd in a
# systemd-nspawn container. Dependencies: scripts/install-deps.sh.
# Prints "N passed, M failed" (test programs and scripts) at the end.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
count() { # count DIR: add up the automake results of a build
  p=$(grep -l ':test-result: PASS' "$1"/tests/*/*.trs 2>/dev/null | wc -l)
  f=$(grep -lE ':test-result: (FAIL|ERROR)' "$1"/tests/*/*.trs 2>/dev/null | wc -l)
  passed=$((passed + p))
  failed=$((failed + f))
}
run() { # run BUILD_DIR [configure args]
  dir=$1; shift
  echo "=== $(basename "$dir") ==="
  rm -f "$dir"/tests/*/*.trs
  if ! BUILD=$dir "$top/scripts/build.sh" "$@"; then
    echo "build failed: $dir"
    failed=$((failed + 1))
    return
  fi
  if ! make -s -C "$dir" -j"$(nproc)" check; then
    for f in "$dir"/tests/*/*.log; do
      case "$f" in *test-suite.log) continue ;; esac
      grep -qE ':test-result: (FAIL|ERROR)' "${f%.log}.trs" 2>/dev/null && { echo "--- $f"; tail -n 60 "$f"; }
    done
  fi
  count "$dir"
}
run "$top/_build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run "$top/_build-asan" --enable-sanitizers
unset ASAN_OPTIONS UBSAN_OPTIONS

# Scripts run once, outside make (root, network namespaces, containers):
# fault injection with nftables, both units under a real systemd in a
# systemd-nspawn container, and the Debian packages installed and purged
# in one; the container image and the Kubernetes manifests (podman).
export top_srcdir="$top" top_builddir="$top/_build"
for t in tests/faults/recovery.sh tests/system/nspawn.sh tests/system/packages.sh \
         tests/system/kubernetes.sh; do
  echo "=== $t ==="
  rc=0
  "$top/$t" || rc=$?
  case $rc in
  0) passed=$((passed + 1)) ;;
  77) echo "$t skipped" ;;
  *) failed=$((failed + 1)) ;;
  esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
