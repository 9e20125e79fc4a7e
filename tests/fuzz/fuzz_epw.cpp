// libFuzzer harness for the EPW weather reader (tests/fuzz/epw_pipeline.hpp). Run by tools/fuzz_smoke.sh; README
// "Fuzzing and sanitizers" for a long run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/epw_pipeline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string finding = aidc::fuzz::epw_finding(data, size);
  if (!finding.empty()) {
    std::fprintf(stderr, "fuzz_epw: %s\n", finding.c_str());
    std::abort();
  }
  return 0;
}
