#pragma once
// Internal interface between inference_search_parallel.cpp and the backend instantiations of
// inference_search_impl.inl.

#include <cstdint>

#include "kernels/inference_search.hpp"

namespace aidc::detail {

struct InferenceBatchView {
  const InferenceProblem* problems = nullptr;  // requests point to host memory; the backend copies them
  int n_problems = 0;
  const InferenceConfig* configs = nullptr;
  const int* problem_of = nullptr;             // problem index of each config
  std::int64_t n_configs = 0;
  int n_capacity = 1;                          // scratch requests per slot (≥ every problem's n_requests)
  int batch_capacity = 1;                      // scratch batch slots per slot (≥ every config's max_batch)
  std::int64_t chunk = 1;                      // configurations per transform = scratch slots in the pool
};

// Evaluates every config into out[n_configs] (host memory), chunk by chunk with one scratch pool.
#define AIDC_DECLARE_INFERENCE_BACKEND(ns)                                           \
  namespace ns {                                                                     \
  void evaluate_inference_batch(const InferenceBatchView& batch, InferenceEstimate* out); \
  }
AIDC_DECLARE_INFERENCE_BACKEND(tbb_backend)
AIDC_DECLARE_INFERENCE_BACKEND(cuda_backend)
#undef AIDC_DECLARE_INFERENCE_BACKEND

}  // namespace aidc::detail
