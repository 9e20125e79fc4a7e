#!/usr/bin/env bash
# The test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer, built with clang and
# without CUDA in build-asan/, which also holds the libFuzzer harnesses (tests/fuzz, run by tools/fuzz_smoke.sh).
# Every finding aborts its test, so ctest fails on it. Extra arguments go to ctest (e.g. -R fleet). MPI is left out
# (OpenMPI's own allocations at exit would read as leaks); the sweep-across-ranks test then reports itself skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# -O1 -g1: line numbers in reports at a fraction of a debug build's compile time; assertions stay on (no NDEBUG).
CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" -DAIDCSIM_ENABLE_CUDA=OFF -DAIDCSIM_WERROR=ON -DAIDCSIM_BUILD_TESTS=ON \
  -DAIDCSIM_BUILD_BENCH=OFF -DAIDCSIM_SANITIZE=address,undefined -DAIDCSIM_FUZZ=ON -DAIDCSIM_ENABLE_MPI=OFF "${launcher[@]}" >/dev/null
cmake --build build-asan -j"$jobs"
source tools/lsan_probe.sh
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=$AIDCSIM_DETECT_LEAKS:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd build-asan && ctest --output-on-failure -j"$jobs" "$@"
