#!/usr/bin/env bash
# Sourced by tools/sanitize.sh and fuzz_smoke.sh: sets AIDCSIM_DETECT_LEAKS to 1 where LeakSanitizer works, else 0
# (it needs to stop the process's threads with ptrace, which some containers forbid), and says so.
if [ -z "${AIDCSIM_DETECT_LEAKS:-}" ]; then
  AIDCSIM_DETECT_LEAKS=1
  lsan_probe_dir="$(mktemp -d)"
  echo 'int main() { return 0; }' >"$lsan_probe_dir/p.cpp"
  if clang++ -fsanitize=address "$lsan_probe_dir/p.cpp" -o "$lsan_probe_dir/p" &&
     ! ASAN_OPTIONS=detect_leaks=1 "$lsan_probe_dir/p" 2>/dev/null; then
    echo "aidcsim: LeakSanitizer does not work here (ptrace refused?); the sanitizer runs check no leaks" >&2
    AIDCSIM_DETECT_LEAKS=0
  fi
  rm -rf "$lsan_probe_dir"
  export AIDCSIM_DETECT_LEAKS
fi
