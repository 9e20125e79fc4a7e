#!/usr/bin/env bash
# The second command: install what is missing, build everything (Release, warnings as errors), run every test; then
# the test suite again under ASan+UBSan+LSan (clang, tools/sanitize.sh, in build-asan/) and each fuzzer on its
# regression inputs and for 60 s (tools/fuzz_smoke.sh; AIDCSIM_FUZZ_SECONDS changes it). For a quick local run
# without those two: AIDCSIM_SANITIZE=0 bash tools/test.sh.
# Extra arguments go to the first ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DAIDCSIM_WERROR=ON -DAIDCSIM_BUILD_TESTS=ON >/dev/null
cmake --build build-test -j"$(nproc)"
(cd build-test && ctest --output-on-failure -j"$(nproc)" "$@")
if [ "${AIDCSIM_SANITIZE:-1}" != "0" ]; then
  bash tools/sanitize.sh
  bash tools/fuzz_smoke.sh
fi
