#pragma once
// Internal interface between training_search.cpp and the backend instantiations of training_search_impl.inl.

#include <cstdint>

#include "kernels/training_model.hpp"

namespace aidc::detail {

struct TrainingBatchView {
  const TrainingProblem* problems = nullptr;
  const TrainingCalibration* calibrations = nullptr;  // one per problem
  int n_problems = 0;
  const TrainingConfig* configs = nullptr;
  const int* problem_of = nullptr;     // problem index of each config, non-decreasing
  const std::int64_t* first = nullptr;  // first[i]..first[i+1]: the configs of problem i (n_problems + 1 entries)
  std::int64_t n_configs = 0;
};

// Evaluates every config, writes the index of the best config of each problem into best_index[n_problems] (−1 for a
// problem without configs) and, when `all` is not null, every estimate into all[n_configs].
#define AIDC_DECLARE_TRAINING_BACKEND(ns)                                                                           \
  namespace ns {                                                                                                    \
  void evaluate_training_batch(const TrainingBatchView& batch, std::int64_t* best_index, TrainingEstimate* all);    \
  }
AIDC_DECLARE_TRAINING_BACKEND(tbb_backend)
AIDC_DECLARE_TRAINING_BACKEND(cuda_backend)
#undef AIDC_DECLARE_TRAINING_BACKEND

}  // namespace aidc::detail
