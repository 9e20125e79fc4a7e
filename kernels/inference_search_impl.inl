// Thrust implementation of the inference configuration search, compiled once per backend: search_tbb.cpp (host
// compiler, THRUST_DEVICE_SYSTEM_TBB, CUB wrapped in aidc_tbb_cub) and search_cuda.cu (nvcc), next to the training
// search in the same translation units. The includer defines AIDC_KERNEL_BACKEND_NS. Thrust is named through
// THRUST_NS_QUALIFIER so the wrapped namespace is honoured.

#ifndef AIDC_KERNEL_BACKEND_NS
#error "define AIDC_KERNEL_BACKEND_NS before including inference_search_impl.inl"
#endif

#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/memory.h>
#include <thrust/transform.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/hd.hpp"
#include "kernels/inference_search.hpp"
#include "kernels/inference_search_backend.hpp"

namespace aidc::detail::AIDC_KERNEL_BACKEND_NS {
namespace {

// One configuration with its own slice of the scratch pool: configuration i of the chunk that starts at `first`
// uses slot i - first.
struct EvaluateInferenceConfig {
  const InferenceProblem* problems;
  const InferenceConfig* configs;
  const int* problem_of;
  RequestState* states;  // [slots × n_capacity]
  double* values;        // [slots × n_capacity]
  long long* heap;       // [slots × batch_capacity]
  int* queue;            // [slots × batch_capacity]
  int n_capacity;
  int batch_capacity;
  std::int64_t first;
  AIDC_HD InferenceEstimate operator()(std::int64_t i) const {
    const std::int64_t slot = i - first;
    BatchingScratch s;
    s.states = states + slot * n_capacity;
    s.values = values + slot * n_capacity;
    s.heap = heap + slot * batch_capacity;
    s.prefill_queue = queue + slot * batch_capacity;
    s.n_capacity = n_capacity;
    s.batch_capacity = batch_capacity;
    return evaluate_inference_config(problems[problem_of[i]], configs[i], s);
  }
};

// Uninitialized memory of the device system (no fill kernel), freed on scope exit.
class ScratchPool {
 public:
  explicit ScratchPool(std::size_t bytes)
      : ptr_(THRUST_NS_QUALIFIER::malloc(THRUST_NS_QUALIFIER::device, bytes)) {}
  ~ScratchPool() { THRUST_NS_QUALIFIER::free(THRUST_NS_QUALIFIER::device, ptr_); }
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;
  unsigned char* bytes() const { return static_cast<unsigned char*>(THRUST_NS_QUALIFIER::raw_pointer_cast(ptr_)); }

 private:
  decltype(THRUST_NS_QUALIFIER::malloc(THRUST_NS_QUALIFIER::device, std::size_t{1})) ptr_;
};

}  // namespace

void evaluate_inference_batch(const InferenceBatchView& batch, InferenceEstimate* out) {
  namespace th = THRUST_NS_QUALIFIER;
  const std::int64_t n = batch.n_configs;
  if (n <= 0) return;

  // The request streams, one after another, where the device can read them; the problems point into that copy.
  std::vector<InferenceRequest> host_requests;
  std::vector<std::size_t> offset(static_cast<std::size_t>(batch.n_problems));
  for (int p = 0; p < batch.n_problems; ++p) {
    const InferenceProblem& pr = batch.problems[p];
    offset[static_cast<std::size_t>(p)] = host_requests.size();
    if (pr.requests != nullptr && pr.n_requests > 0) {
      host_requests.insert(host_requests.end(), pr.requests, pr.requests + pr.n_requests);
    }
  }
  th::device_vector<InferenceRequest> requests(host_requests.begin(), host_requests.end());
  std::vector<InferenceProblem> host_problems(batch.problems, batch.problems + batch.n_problems);
  for (int p = 0; p < batch.n_problems; ++p) {
    InferenceProblem& pr = host_problems[static_cast<std::size_t>(p)];
    pr.requests = pr.n_requests > 0 ? th::raw_pointer_cast(requests.data()) + offset[static_cast<std::size_t>(p)]
                                    : nullptr;
  }
  th::device_vector<InferenceProblem> problems(host_problems.begin(), host_problems.end());
  th::device_vector<InferenceConfig> configs(batch.configs, batch.configs + n);
  th::device_vector<int> problem_of(batch.problem_of, batch.problem_of + n);
  th::device_vector<InferenceEstimate> estimates(static_cast<std::size_t>(n));

  // One scratch pool of `chunk` slots: states, values (8-byte elements) then heap (8) and queue (4), each array's
  // size a multiple of 8 bytes so every array stays aligned.
  const std::int64_t chunk = std::max<std::int64_t>(1, std::min(batch.chunk, n));
  const auto slots = static_cast<std::size_t>(chunk);
  const auto ncap = static_cast<std::size_t>(batch.n_capacity);
  const auto bcap = static_cast<std::size_t>(batch.batch_capacity);
  const std::size_t states_bytes = slots * ncap * sizeof(RequestState);
  const std::size_t values_bytes = slots * ncap * sizeof(double);
  const std::size_t heap_bytes = slots * bcap * sizeof(long long);
  const std::size_t queue_bytes = (slots * bcap * sizeof(int) + 7) / 8 * 8;
  ScratchPool pool(states_bytes + values_bytes + heap_bytes + queue_bytes);
  unsigned char* base = pool.bytes();

  EvaluateInferenceConfig f{th::raw_pointer_cast(problems.data()),
                            th::raw_pointer_cast(configs.data()),
                            th::raw_pointer_cast(problem_of.data()),
                            reinterpret_cast<RequestState*>(base),
                            reinterpret_cast<double*>(base + states_bytes),
                            reinterpret_cast<long long*>(base + states_bytes + values_bytes),
                            reinterpret_cast<int*>(base + states_bytes + values_bytes + heap_bytes),
                            batch.n_capacity,
                            batch.batch_capacity,
                            0};
  for (std::int64_t b = 0; b < n; b += chunk) {
    const std::int64_t e = std::min(n, b + chunk);
    f.first = b;
    const th::counting_iterator<std::int64_t> it(b);
    th::transform(it, it + (e - b), estimates.begin() + b, f);
  }
  th::copy(estimates.begin(), estimates.end(), out);
}

}  // namespace aidc::detail::AIDC_KERNEL_BACKEND_NS
