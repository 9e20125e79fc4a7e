#pragma once
// Helpers of the inference tests. How each reference row is estimated (MLPerf OpenOrca lengths, the server-rate
// search) lives in core/run/reference_validation.hpp, shared with `aidcsim validate`; the request-stream and scratch
// helpers in core/run/perf_estimates.hpp.

#include <cstdint>
#include <vector>

#include "core/run/perf_estimates.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "tests/inference_test_models.hpp"

namespace aidc::test {

using ScratchOwner = aidc::BatchingScratchOwner;
using aidc::set_poisson_arrivals;

inline std::vector<InferenceRequest> fixed_requests(int n, int isl, int osl) {
  return aidc::fixed_length_requests(n, isl, osl);
}

// Mixed lengths from a fixed LCG (deterministic): inputs 16..3015, outputs 1..800 tokens.
inline std::vector<InferenceRequest> mixed_requests(int n, std::uint64_t seed = 7) {
  std::vector<InferenceRequest> r(n);
  std::uint64_t x = seed;
  for (auto& q : r) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    q.input_tokens = 16 + int((x >> 33) % 3000);
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    q.output_tokens = 1 + int((x >> 33) % 800);
  }
  return r;
}

}  // namespace aidc::test
