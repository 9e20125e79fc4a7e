#pragma once
// The inference configuration search on the Thrust backends: every serving configuration of a problem (or of
// several problems) evaluated by evaluate_inference_config() in one thrust::transform per chunk on the chosen
// backend, the best picked by pick_best_inference() (the serial path's tie-break). Plain C++ interface: no Thrust
// types cross it.
//
// Each evaluation runs a continuous-batching simulation with its own BatchingScratch. The backend allocates one
// scratch pool (device memory on CUDA, host memory on TBB) of `chunk` slots and evaluates the configurations in
// chunks of that many, configuration i of a chunk starting at b using slot i - b, so the pool stays bounded
// (≤ kInferenceScratchBudgetBytes) whatever the number of configurations.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/inference_search.hpp"

namespace aidc {

// Upper bound of the scratch pool: the chunk is cut down so that chunk × bytes per slot stays within it.
inline constexpr std::int64_t kInferenceScratchBudgetBytes = 256LL << 20;

struct InferenceSearchOptions {
  // Configurations per launch (= scratch slots). 0: automatic — CUDA min(n, 4096), CPU 32 × TBB threads; either
  // way capped by kInferenceScratchBudgetBytes. The results do not depend on it.
  std::int64_t chunk = 0;
  bool keep_all = true;  // return every configuration and estimate (for tables); false: only the best
  // Names for the infeasibility sentence (describe_infeasible); the problem carries none.
  std::string model_name = "the model";
  std::string accel_name = "the accelerator";
};

struct InferenceSearchOutcome {
  bool found = false;             // a feasible configuration meets the SLOs
  InferenceConfig best;           // the chosen configuration (default-constructed when none)
  InferenceEstimate estimate;     // of `best`
  InferenceSearchResult summary;  // counts, best_unconstrained, reason, memory totals (indices into `configs`)
  std::int64_t evaluated = 0;     // configurations evaluated for this problem
  Backend backend = Backend::Cpu; // the backend that ran
  std::int64_t chunk = 0;         // configurations per launch that were used
  std::string infeasible;         // describe_infeasible() when no configuration is feasible; else ""
  // Every configuration (enumeration order) and its estimate, when keep_all.
  std::vector<InferenceConfig> configs;
  std::vector<InferenceEstimate> estimates;
};

// All configurations of a problem (enumerate_inference_configs into a vector of the right size).
std::vector<InferenceConfig> enumerate_inference_config_list(const InferenceProblem& problem);

// One problem. problem.requests is host memory (the backend copies it where it needs it).
InferenceSearchOutcome search_inference_configs(const InferenceProblem& problem, Backend backend = Backend::Auto,
                                                const InferenceSearchOptions& options = {});

// Labels for the infeasibility sentence of each problem in a batch.
struct InferenceProblemLabel {
  std::string model_name;
  std::string accel_name;
};

// Several problems in one call: all their configurations in one sequence of chunked transforms (one scratch pool
// sized for the largest request stream), then one pick per problem; results in the order of `problems`. `labels`
// is empty or one per problem (else options' names serve for all).
std::vector<InferenceSearchOutcome> search_inference_configs_batch(std::span<const InferenceProblem> problems,
                                                                   Backend backend = Backend::Auto,
                                                                   const InferenceSearchOptions& options = {},
                                                                   std::span<const InferenceProblemLabel> labels = {});

// Bytes of scratch one configuration needs for `n_requests` requests and `batch_capacity` batch slots.
std::int64_t inference_scratch_bytes_per_slot(int n_requests, int batch_capacity);

// The bounds as a reader wants them: "p99 TTFT <= 2 s, p99 TPOT <= 0.2 s", "no TTFT bound, p99 TPOT <= 0.05 s"
// (0 = no bound).
std::string slo_bounds_text(double slo_ttft_s, double slo_tpot_s);

}  // namespace aidc
