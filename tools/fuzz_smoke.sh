#!/usr/bin/env bash
# Runs each libFuzzer harness of tests/fuzz (built by tools/sanitize.sh in build-asan/) first on every regression
# input, then for AIDCSIM_FUZZ_SECONDS (default 60) from its seeds, the harnesses side by side. Fails on any finding;
# the input that caused it is left in build-asan/fuzz/findings/ (add it to tests/fuzz/regressions/ once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${AIDCSIM_FUZZ_SECONDS:-60}"
out=build-asan/fuzz
mkdir -p "$out/findings" "$out/corpus/scenario" "$out/corpus/epw" tests/fuzz/regressions/epw
source tools/lsan_probe.sh
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=$AIDCSIM_DETECT_LEAKS}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# harness, seed folders (read, never written); the first folder argument to libFuzzer is its growing corpus.
declare -A seeds=(
  [scenario]="scenarios tests/fuzz/regressions/scenario"
  [epw]="tests/fuzz/seeds/epw tests/fuzz/regressions/epw"
)
# Per-input limits: 30 s is a hang; 16 KiB is many times a scenario (the seeds over it are cut to it), and lets an
# EPW input hold the 8 header lines and rows enough for the full-year mode.
flags=(-timeout=30 -rss_limit_mb=4096 -max_len=16384 -print_final_stats=1)

status=0
for h in scenario epw; do
  regressions=(tests/fuzz/regressions/"$h"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "fuzz_$h: regression inputs"
    "./build-asan/fuzz_$h" "${flags[@]}" "${regressions[@]}" >"$out/$h.regressions.log" 2>&1 ||
      { status=1; tail -40 "$out/$h.regressions.log"; }
  fi
done

declare -A pids=()
for h in scenario epw; do
  # shellcheck disable=SC2086  # the seed folders are word lists on purpose
  "./build-asan/fuzz_$h" "${flags[@]}" -max_total_time="$seconds" -artifact_prefix="$out/findings/$h-" \
    "$out/corpus/$h" ${seeds[$h]} >"$out/$h.log" 2>&1 &
  pids[$h]=$!
done
for h in scenario epw; do
  if wait "${pids[$h]}"; then
    echo "fuzz_$h: ${seconds} s, no finding ($(grep -o 'number_of_executed_units: [0-9]*' "$out/$h.log" || true))"
  else
    status=1
    echo "fuzz_$h: FINDING (inputs in $out/findings/)"
    tail -60 "$out/$h.log"
  fi
done
exit "$status"
