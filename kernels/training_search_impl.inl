// Thrust implementation of the training search, compiled once per backend: search_tbb.cpp (host compiler,
// THRUST_DEVICE_SYSTEM_TBB, CUB wrapped in aidc_tbb_cub) and search_cuda.cu (nvcc). The includer defines
// AIDC_KERNEL_BACKEND_NS. Thrust is named through THRUST_NS_QUALIFIER so the wrapped namespace is honoured.

#ifndef AIDC_KERNEL_BACKEND_NS
#error "define AIDC_KERNEL_BACKEND_NS before including training_search_impl.inl"
#endif

#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/transform.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/hd.hpp"
#include "kernels/training_model.hpp"
#include "kernels/training_search_backend.hpp"

namespace aidc::detail::AIDC_KERNEL_BACKEND_NS {
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

// Ranks two configurations by index. Reads the ranking fields at byte offsets so that one instantiation serves both
// the compact and the full estimate arrays (each reduction instantiation costs nvcc many seconds per architecture).
struct PickBetter {
  const unsigned char* base;
  std::size_t stride;
  std::size_t off_step, off_memory, off_feasible, off_limit;
  AIDC_HD TrainingRank load(std::int64_t i) const {
    const unsigned char* p = base + static_cast<std::size_t>(i) * stride;
    return TrainingRank{*reinterpret_cast<const double*>(p + off_step), *reinterpret_cast<const double*>(p + off_memory),
                        *reinterpret_cast<const int*>(p + off_feasible),
                        *reinterpret_cast<const TrainingLimit*>(p + off_limit)};
  }
  AIDC_HD std::int64_t operator()(std::int64_t x, std::int64_t y) const {
    return training_better(load(x), x, load(y), y) ? x : y;
  }
};

template <class Est>
PickBetter pick_better(const Est* estimates) {
  return PickBetter{reinterpret_cast<const unsigned char*>(estimates), sizeof(Est), offsetof(Est, step_time_s),
                    offsetof(Est, memory_bytes), offsetof(Est, feasible), offsetof(Est, limit)};
}

// The best configuration of each problem: one Thrust reduction over each problem's contiguous index range.
void reduce_best(const PickBetter& better, const std::int64_t* first, int n_problems, std::int64_t* best_index) {
  namespace th = THRUST_NS_QUALIFIER;
  for (int i = 0; i < n_problems; ++i) {
    const std::int64_t begin = first[i], end = first[i + 1];
    if (begin == end) continue;
    const th::counting_iterator<std::int64_t> it(begin + 1);
    best_index[i] = th::reduce(th::device, it, it + (end - begin - 1), begin, better);
  }
}

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
  reduce_best(pick_better(th::raw_pointer_cast(estimates.data())), batch.first, batch.n_problems, best_index);
  if constexpr (std::is_same_v<Est, TrainingEstimate>) {
    if (all != nullptr) th::copy(estimates.begin(), estimates.end(), all);
  }
}

}  // namespace

void evaluate_training_batch(const TrainingBatchView& batch, std::int64_t* best_index, TrainingEstimate* all) {
#if defined(__CUDACC__)
  // One instantiation of the transform under nvcc (each costs ~15-20 s of compile time per architecture); device
  // memory bandwidth makes the full estimates cheap to write there.
  run<TrainingEstimate>(batch, best_index, all);
#else
  // On the CPU the compact ranking array keeps the transform within cache and memory bandwidth.
  if (all != nullptr) {
    run<TrainingEstimate>(batch, best_index, all);
  } else {
    run<TrainingRank>(batch, best_index, nullptr);
  }
#endif
}

}  // namespace aidc::detail::AIDC_KERNEL_BACKEND_NS
