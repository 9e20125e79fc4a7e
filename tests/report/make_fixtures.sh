#!/usr/bin/env bash
# The results files the report's tests read (ctest fixture "report_fixtures"): the default scenario with 4
# replications (default.h5) and a small sweep over it with cases, a tornado and a break-even (sweep.h5).
# Usage: make_fixtures.sh AIDCSIM_BINARY OUT_DIR
set -euo pipefail
bin="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out"
mkdir -p "$out"
"$bin" run "$here/../../scenarios/default.json" --replications 4 -q -o "$out/default.h5"
"$bin" sweep "$here/sweep-small.json" -q -o "$out/sweep.h5"
