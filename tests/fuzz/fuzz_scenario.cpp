// libFuzzer harness for the scenario pipeline: parse, resolve, claims, and the resolved document's round trip
// (tests/fuzz/scenario_pipeline.hpp). Run by tools/fuzz_smoke.sh; README "Fuzzing and sanitizers" for a long run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/scenario_pipeline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Relative paths in a scenario (an EPW file) resolve against the example scenarios' folder.
  const std::string finding = aidc::fuzz::scenario_pipeline_finding(text, AIDCSIM_SOURCE_DIR "/scenarios");
  if (!finding.empty()) {
    std::fprintf(stderr, "fuzz_scenario: %s\n", finding.c_str());
    std::abort();
  }
  return 0;
}
