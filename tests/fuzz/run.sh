#!/bin/sh
# Runs libFuzzer harnesses one after the other, each for FUZZ_SECONDS
# (default 60; 0: one pass over the inputs), at low priority, and writes a summary line per harness.
# Usage: run.sh SRCDIR BUILDDIR HARNESS...
# Inputs found go to BUILDDIR/fuzz-out/HARNESS/corpus (the committed seeds
# in SRCDIR/tests/fuzz/corpus/HARNESS stay untouched); crashes, leaks and
# timeouts to BUILDDIR/fuzz-out/HARNESS/, to be minimised, turned into a
# unit test and copied to SRCDIR/tests/fuzz/crashes/HARNESS/ after the fix.
# FUZZ_ARGS adds libFuzzer options (e.g. -len_control=0 for a slow harness
# such as h3_conn, whose inputs otherwise stay short for a long time).
# Exit status: 0 when no harness found anything.
set -u
srcdir=$1
builddir=$2
shift 2
secs=${FUZZ_SECONDS:-60}
out=$builddir/fuzz-out
mkdir -p "$out"
summary=$out/summary.txt
status=0
for h in "$@"; do
  d=$out/$h
  mkdir -p "$d/corpus"
  bin=$builddir/tests/fuzz/fuzz_$h
  seeds=$srcdir/tests/fuzz/corpus/$h
  crashes=$srcdir/tests/fuzz/crashes/$h
  set -- "$d/corpus" "$seeds"
  [ -d "$crashes" ] && set -- "$@" "$crashes"
  echo "fuzz_$h: $secs s" >&2
  # libFuzzer takes -max_total_time=0 as "no limit": 0 here means one pass
  # over the inputs (-runs=0), a smoke test of the fuzz build
  if [ "$secs" -gt 0 ]; then limit=-max_total_time=$secs; else limit=-runs=0; fi
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of options
  nice -n 10 "$bin" "$limit" ${FUZZ_ARGS:-} -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$d/" "$@" >"$d/log" 2>&1
  rc=$?
  # the last status line: "#N  REDUCE|NEW|pulse|DONE  cov: C ft: F corp: ..."
  last=$(grep -E '^#[0-9]+' "$d/log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
  cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s\n' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  corp=$(printf '%s\n' "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
  found=$(ls "$d" | grep -cE '^(crash|leak|timeout|oom|slow-unit)-' || true)
  line="$(date -u +%FT%TZ) fuzz_$h seconds=$secs execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} exit=$rc findings=$found"
  echo "$line" | tee -a "$summary"
  [ "$rc" -eq 0 ] && [ "$found" -eq 0 ] || status=1
done
exit $status
