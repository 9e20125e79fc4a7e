#!/usr/bin/env bash
# The first command: install what is missing, build (Release), run the default scenario → results.h5, and make its
# reviewer's report → report.html (offline HTML; open it in any browser). Extra arguments go to `aidcsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DAIDCSIM_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target aidcsim
./build/aidcsim run scenarios/default.json -o results.h5 "$@"
./build/aidcsim report results.h5 -o report.html
