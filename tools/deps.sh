#!/usr/bin/env bash
# Installs the Debian 12 packages aidcsim needs, only those missing. Sourced by quickstart.sh and test.sh.
set -euo pipefail
AIDCSIM_PACKAGES=(cmake make g++ pkg-config libhdf5-dev zlib1g-dev libtbb-dev nlohmann-json3-dev catch2 libcli11-dev
                  hdf5-tools python3 python3-h5py python3-numpy
                  libthrust-dev  # Thrust/CUB headers for the CPU kernels when no CUDA toolkit (CCCL) is installed
                  clang libclang-rt-14-dev  # the sanitizer build and libFuzzer (tools/sanitize.sh, fuzz_smoke.sh)
                  librapidcheck-dev libfmt-dev
                  libopenmpi-dev openmpi-bin  # aidcsim sweep across ranks (mpirun)
                  # aidcsim report (visualize/): charts, the HTML template, the workbook; Chromium prints the PDF and,
                  # with poppler-utils and LibreOffice, checks the report, the PDF and the workbook's formulas in tests
                  python3-matplotlib python3-jinja2 python3-openpyxl chromium fonts-dejavu-core poppler-utils
                  libreoffice-calc-nogui)
missing=()
for p in "${AIDCSIM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "aidcsim: installing missing packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
