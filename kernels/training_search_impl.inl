// Thrust implementation of the training search, compiled once per backend: training_search_tbb.cpp (host compiler,
// THRUST_DEVICE_SYSTEM_TBB, CUB wrapped in aidc_tbb_cub) and training_search_cuda.cu (nvcc). The includer defines
// AIDC_TRAINING_BACKEND_NS. Thrust is named through THRUST_NS_QUALIFIER so the wrapped namespace is honoured.

#ifndef AIDC_TRAINING_BACKEND_NS
#error "define AIDC_TRAINING_BACKEND_NS before including training_search_impl.inl"
#endif

#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/transform.h>

#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/hd.hpp"
#include "kernels/training_model.hpp"
#include "kernels/training_search_backend.hpp"

namespace aidc::detail::AIDC_TRAINING_BACKEND_NS {
namespace {

// What the reduction needs of an estimate when the caller does not keep them all (24 bytes instead of ~200).
struct TrainingRank {
  double step_time_s;
  double memory_bytes;
  int feasible;
  TrainingLimit limit;
};

template <class Out>
struct EvaluateConfig {
  const TrainingProblem* problems;
  const TrainingCalibration* calibrations;
  const TrainingConfig* configs;
  const int* problem_of;
  AIDC_HD Out operator()(std::int64_t i) const {
    const int p = problem_of[i];
    const TrainingEstimate e = estimate_training(problems[p], configs[i], calibrations[p]);
    if constexpr (std::is_same_v<Out, TrainingEstimate>) {
      return e;
    } else {
      return Out{e.step_time_s, e.memory_bytes, e.feasible, e.limit};
    }
  }
};

template <class Est>
struct PickBetter {
  const Est* estimates;
  AIDC_HD std::int64_t operator()(std::int64_t x, std::int64_t y) const {
    const Est& ex = estimates[x];
    const Est& ey = estimates[y];
    return training_better(ex, x, ey, y) ? x : y;
  }
};

template <class Est>
void run(const TrainingBatchView& batch, std::int64_t* best_index, TrainingEstimate* all) {
  namespace th = THRUST_NS_QUALIFIER;
  const std::int64_t n = batch.n_configs;
  for (int i = 0; i < batch.n_problems; ++i) best_index[i] = -1;
  if (n == 0) return;
  th::device_vector<TrainingProblem> problems(batch.problems, batch.problems + batch.n_problems);
  th::device_vector<TrainingCalibration> calibrations(batch.calibrations, batch.calibrations + batch.n_problems);
  th::device_vector<TrainingConfig> configs(batch.configs, batch.configs + n);
  th::device_vector<int> problem_of(batch.problem_of, batch.problem_of + n);
  th::device_vector<Est> estimates(static_cast<std::size_t>(n));

  const th::counting_iterator<std::int64_t> first(0);
  th::transform(first, first + n, estimates.begin(),
                EvaluateConfig<Est>{th::raw_pointer_cast(problems.data()), th::raw_pointer_cast(calibrations.data()),
                                    th::raw_pointer_cast(configs.data()), th::raw_pointer_cast(problem_of.data())});

  // Configs of one problem are contiguous: one reduce_by_key gives each problem's best index.
  th::device_vector<int> keys(static_cast<std::size_t>(batch.n_problems));
  th::device_vector<std::int64_t> winners(static_cast<std::size_t>(batch.n_problems));
  const auto ends = th::reduce_by_key(problem_of.begin(), problem_of.end(), first, keys.begin(), winners.begin(),
                                      th::equal_to<int>(), PickBetter<Est>{th::raw_pointer_cast(estimates.data())});
  const auto n_keys = static_cast<std::size_t>(ends.first - keys.begin());
  std::vector<int> host_keys(n_keys);
  std::vector<std::int64_t> host_winners(n_keys);
  th::copy(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n_keys), host_keys.begin());
  th::copy(winners.begin(), winners.begin() + static_cast<std::ptrdiff_t>(n_keys), host_winners.begin());
  for (std::size_t k = 0; k < n_keys; ++k) best_index[host_keys[k]] = host_winners[k];
  if constexpr (std::is_same_v<Est, TrainingEstimate>) {
    if (all != nullptr) th::copy(estimates.begin(), estimates.end(), all);
  }
}

}  // namespace

void evaluate_training_batch(const TrainingBatchView& batch, std::int64_t* best_index, TrainingEstimate* all) {
  if (all != nullptr) {
    run<TrainingEstimate>(batch, best_index, all);
  } else {
    run<TrainingRank>(batch, best_index, nullptr);
  }
}

}  // namespace aidc::detail::AIDC_TRAINING_BACKEND_NS
