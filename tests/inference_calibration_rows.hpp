#pragma once
// Helpers of the inference tests. How each reference row is estimated (MLPerf OpenOrca lengths, the server-rate
// search) lives in core/run/reference_validation.hpp, shared with `aidcsim validate`; the request-stream and scratch
// helpers in core/run/perf_estimates.hpp.

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

}  // namespace aidc::test
