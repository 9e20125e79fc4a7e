#pragma once
// Search over training parallel configurations: every (tp, pp, cp, dp, ep, micro-batch, interleave, ZeRO, recompute,
// sequence parallelism) layout of a problem evaluated in one Thrust transform on the chosen backend, the fastest
// feasible picked by a Thrust reduction. Plain C++ interface: no Thrust types cross it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/training_model.hpp"

namespace aidc {

struct TrainingSearchResult {
  bool found = false;             // a feasible configuration exists
  TrainingConfig best;            // the fastest feasible (or, when none fits, the one with the least memory per GPU)
  TrainingEstimate estimate;      // of `best`
  std::int64_t evaluated = 0;     // configurations evaluated for this problem
  std::string reason;             // why nothing was found, in numbers; empty when found
  Backend backend = Backend::Cpu; // the backend that ran
  // Every evaluated configuration and its estimate, in enumeration order (only when asked for).
  std::vector<TrainingConfig> configs;
  std::vector<TrainingEstimate> estimates;
};

// Candidate degrees (search space): tp divides the GPU count and the heads, up to the scale-up domain (or the fixed
// value); pp divides the layers or is a power of two (uneven placement), or fixed; cp ∈ {1, 2, 4, 8, 16} dividing the
// sequence (or fixed); dp the rest; micro-batch ∈ {1, 2, 4, 8, 16} dividing the sequences per data-parallel replica;
// interleave v ≤ 8 with p·v dividing the layers or the layers + 2 (embedding and loss accounted), only with pp > 1
// and micro-batches a multiple of pp (Megatron's interleaved schedule); schedule 1F1B, and without interleaving
// zero-bubble and DualPipe (p even, micro-batches ≥ p and even); ZeRO 0..3; recompute none, selective (attention
// core) and full, none (and with standard attention selective) also beside every set of the single modules the
// architecture has (layernorm, moe_act, mlp, mla_up_proj: Megatron-core's recompute_modules); sequence
// parallelism on/off with tp > 1; ep (MoE only) divides the experts and dp.
std::vector<TrainingConfig> enumerate_training_configs(const TrainingProblem& problem);

// One configuration, serially (same formulas as the search).
TrainingEstimate evaluate_training(const TrainingProblem& problem, const TrainingConfig& config);

TrainingSearchResult search_training(const TrainingProblem& problem, Backend backend = Backend::Auto,
                                     bool keep_all = false);

// Several problems in one launch (one transform over all their configurations, then one reduction per problem for
// its best); results in the order of `problems`.
std::vector<TrainingSearchResult> search_training_batch(std::span<const TrainingProblem> problems,
                                                        Backend backend = Backend::Auto, bool keep_all = false);

// A problem that cannot have any configuration (e.g. GPUs not divisible by a fixed tp): the reason, or "".
std::string training_problem_error(const TrainingProblem& problem);

}  // namespace aidc
