#include "kernels/inference_search_parallel.hpp"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "kernels/inference_search_backend.hpp"

namespace aidc {
namespace {

// Threads the TBB backend may use (the arena's, lowered by a tbb::global_control when one is active).
int tbb_threads() {
  const auto limit = static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  return std::max(1, std::min(tbb::this_task_arena::max_concurrency(), limit));
}

// Feasible configurations exist but none meets the SLOs: the sentence, with the closest one's percentiles.
std::string describe_slo_miss(const InferenceProblem& p, const InferenceSearchResult& s, const InferenceEstimate* est,
                              const std::string& model, const std::string& accel) {
  const InferenceEstimate& e = est[s.best_unconstrained];
  return fmt::format(
      "{} on {} x {}: {} configurations fit but none meets the SLOs ({}); the highest-throughput one has p99 TTFT "
      "{:.3g} s and p99 TPOT {:.3g} s",
      model, p.gpus, accel, s.n_feasible, slo_bounds_text(p.slo_ttft_s, p.slo_tpot_s), e.ttft_p99_s, e.tpot_p99_s);
}

}  // namespace

std::string describe_infeasible(const InferenceSearchResult& s, const char* model, const char* accel, int gpus,
                                Precision p) {
  const double gb = 1e9;
  switch (InferenceInfeasible(s.reason)) {
    case InferenceInfeasible::WeightsExceedMemory:
      if (s.closest_weights_fit && s.closest_chunk_tokens > 0) {
        // the weights alone fit on each GPU of the closest replica: the activations of its token budget do not
        return fmt::format("{} in {}: {:.0f} GB of weights fit in the {:.0f} GB usable of {} x {}, but not with the "
                           "activations of a {}-token iteration (they grow with the token budget, --chunk-tokens)",
                           model, precision_name(p), s.weights_bytes_total / gb, s.weights_ceiling_bytes_total / gb,
                           gpus, accel, s.closest_chunk_tokens);
      }
      return fmt::format("{} in {} needs {:.0f} GB of weights; {} x {} hold {:.0f} GB ({:.0f} GB usable)", model,
                         precision_name(p), s.weights_bytes_total / gb, gpus, accel, s.hbm_bytes_total / gb,
                         s.usable_hbm_bytes_total / gb);
    case InferenceInfeasible::NoKvRoom:
      return fmt::format("{} in {}: {:.0f} GB of weights fit on {} x {} ({:.0f} GB) but leave no KV-cache room for one "
                         "request",
                         model, precision_name(p), s.weights_bytes_total / gb, gpus, accel, s.hbm_bytes_total / gb);
    case InferenceInfeasible::PrecisionUnsupported:
      return fmt::format("{} has no {} support", accel, precision_name(p));
    case InferenceInfeasible::TpExceedsScaleUp:
      return fmt::format("{}: tensor parallelism exceeds the scale-up domain of {}", model, accel);
    case InferenceInfeasible::NoKvTransferLink:
      return fmt::format("{} on {} x {}: disaggregated serving needs a fabric between the prefill and decode "
                         "instances, and the catalog gives {} no scale-out NIC (no system built on it) while the "
                         "deployment exceeds its scale-up domain",
                         model, gpus, accel, accel);
    default:
      break;
  }
  return fmt::format("{} on {} x {}: no valid configuration (reason {})", model, gpus, accel, s.reason);
}

std::string slo_bounds_text(double slo_ttft_s, double slo_tpot_s) {
  const std::string ttft = slo_ttft_s > 0.0 ? fmt::format("p99 TTFT <= {:g} s", slo_ttft_s) : "no TTFT bound";
  const std::string tpot = slo_tpot_s > 0.0 ? fmt::format("p99 TPOT <= {:g} s", slo_tpot_s) : "no TPOT bound";
  return ttft + ", " + tpot;
}

std::int64_t inference_scratch_bytes_per_slot(int n_requests, int batch_capacity) {
  const auto n = static_cast<std::int64_t>(std::max(1, n_requests));
  const auto b = static_cast<std::int64_t>(std::max(1, batch_capacity));
  return n * static_cast<std::int64_t>(sizeof(RequestState) + sizeof(double)) +
         b * static_cast<std::int64_t>(sizeof(long long) + sizeof(int));
}

std::vector<InferenceConfig> enumerate_inference_config_list(const InferenceProblem& problem) {
  std::vector<InferenceConfig> out(1024);
  int n = enumerate_inference_configs(problem, out.data(), static_cast<int>(out.size()));
  if (n > static_cast<int>(out.size())) {
    out.resize(static_cast<std::size_t>(n));
    n = enumerate_inference_configs(problem, out.data(), n);
  }
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::vector<InferenceSearchOutcome> search_inference_configs_batch(std::span<const InferenceProblem> problems,
                                                                   Backend backend,
                                                                   const InferenceSearchOptions& options,
                                                                   std::span<const InferenceProblemLabel> labels) {
  if (!labels.empty() && labels.size() != problems.size()) {
    throw std::invalid_argument("search_inference_configs_batch: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(problems.size()) + " problems");
  }
  const Backend resolved = resolve_backend(backend);
  const int n_problems = static_cast<int>(problems.size());
  std::vector<InferenceConfig> configs;
  std::vector<int> problem_of;
  std::vector<std::int64_t> first(problems.size() + 1, 0);
  int n_capacity = 1, batch_capacity = 1;
  for (int i = 0; i < n_problems; ++i) {
    const InferenceProblem& p = problems[static_cast<std::size_t>(i)];
    if (p.n_requests < 0 || (p.n_requests > 0 && p.requests == nullptr)) {
      throw std::invalid_argument("inference problem " + std::to_string(i) + ": " + std::to_string(p.n_requests) +
                                  " requests but no request array");
    }
    n_capacity = std::max(n_capacity, p.n_requests);
    const std::vector<InferenceConfig> c = enumerate_inference_config_list(p);
    for (const InferenceConfig& x : c) batch_capacity = std::max(batch_capacity, x.max_batch);
    first[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(configs.size());
    configs.insert(configs.end(), c.begin(), c.end());
    problem_of.insert(problem_of.end(), c.size(), i);
  }
  first[problems.size()] = static_cast<std::int64_t>(configs.size());
  const auto n = static_cast<std::int64_t>(configs.size());

  std::int64_t chunk = options.chunk > 0 ? options.chunk : (resolved == Backend::Cuda ? 4096 : 32LL * tbb_threads());
  chunk = std::min(chunk, std::max<std::int64_t>(
                              1, kInferenceScratchBudgetBytes / inference_scratch_bytes_per_slot(n_capacity, batch_capacity)));
  chunk = std::max<std::int64_t>(1, std::min(chunk, n));

  detail::InferenceBatchView view;
  view.problems = problems.data();
  view.n_problems = n_problems;
  view.configs = configs.data();
  view.problem_of = problem_of.data();
  view.n_configs = n;
  view.n_capacity = n_capacity;
  view.batch_capacity = batch_capacity;
  view.chunk = chunk;
  std::vector<InferenceEstimate> est(configs.size());
  if (n > 0) {
    if (resolved == Backend::Cuda) {
#if defined(AIDCSIM_HAVE_CUDA)
      detail::cuda_backend::evaluate_inference_batch(view, est.data());
#else
      throw std::logic_error("resolve_backend returned cuda in a build without CUDA");
#endif
    } else {
      detail::tbb_backend::evaluate_inference_batch(view, est.data());
    }
  }

  std::vector<InferenceSearchOutcome> results(problems.size());
  for (int i = 0; i < n_problems; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    const InferenceProblem& p = problems[ui];
    InferenceSearchOutcome& r = results[ui];
    const InferenceConfig* c = configs.data() + first[ui];
    const InferenceEstimate* e = est.data() + first[ui];
    const int count = static_cast<int>(first[ui + 1] - first[ui]);
    r.backend = resolved;
    r.chunk = chunk;
    r.evaluated = count;
    r.summary = pick_best_inference(p, c, e, count);
    r.found = r.summary.best >= 0;
    if (r.found) {
      r.best = c[r.summary.best];
      r.estimate = e[r.summary.best];
    }
    const std::string& model = labels.empty() ? options.model_name : labels[ui].model_name;
    const std::string& accel = labels.empty() ? options.accel_name : labels[ui].accel_name;
    if (r.summary.n_feasible == 0) {
      r.infeasible = describe_infeasible(r.summary, model.c_str(), accel.c_str(), p.gpus, p.precision);
      const InferenceInfeasible why = InferenceInfeasible(r.summary.reason);
      const bool memory = why == InferenceInfeasible::WeightsExceedMemory || why == InferenceInfeasible::NoKvRoom;
      if (memory && r.summary.closest_prefill_failed) {
        r.infeasible += fmt::format(" (disaggregated serving: a prefill instance of tp {} x pp {} does not hold {}; "
                                    "its tp is --prefill-tp)",
                                    r.summary.closest_prefill_tp, r.summary.closest_pp,
                                    why == InferenceInfeasible::NoKvRoom ? "the longest prompt" : "the weights");
      } else if (p.serving == ServingMode::Disaggregated && memory) {
        // the largest instance any disaggregated layout offered here has (at least one of each kind)
        int largest = 0;
        for (int k = 0; k < count; ++k) {
          if (c[k].prefill_replicas > 0) largest = std::max(largest, std::max(c[k].tp, prefill_tp_of(c[k])) * c[k].pp);
        }
        r.infeasible += fmt::format(" (disaggregated serving: at least one prefill and one decode instance, so an "
                                    "instance has at most {} GPUs)",
                                    largest);
      }
    } else if (!r.found) {
      r.infeasible = describe_slo_miss(p, r.summary, e, model, accel);
    }
    if (options.keep_all) {
      r.configs.assign(c, c + count);
      r.estimates.assign(e, e + count);
    }
  }
  return results;
}

InferenceSearchOutcome search_inference_configs(const InferenceProblem& problem, Backend backend,
                                                const InferenceSearchOptions& options) {
  return std::move(
      search_inference_configs_batch(std::span<const InferenceProblem>(&problem, 1), backend, options).front());
}

}  // namespace aidc
