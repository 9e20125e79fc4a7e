#include "kernels/training_search.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "kernels/training_search_backend.hpp"

namespace aidc {
namespace {

std::vector<int> divisors(int n, int cap) {
  std::vector<int> out;
  for (int d = 1; d <= n && d <= cap; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

// x with `decimals` digits after the point.
std::string fixed(double x, int decimals) { return fmt::format("{:.{}f}", x, decimals); }

// Bytes as "640 GB" / "2.80 TB".
std::string bytes_text(double bytes) {
  if (bytes >= 1e12) return fixed(bytes / 1e12, 2) + " TB";
  return fixed(bytes / 1e9, 0) + " GB";
}

long long sequences_per_step(const TrainingProblem& p) {
  return p.seq_len > 0 ? static_cast<long long>(p.global_batch_tokens / p.seq_len) : 0;
}

}  // namespace

std::string training_problem_error(const TrainingProblem& p) {
  const auto num = [](long long v) { return std::to_string(v); };
  if (p.gpus < 1) return "the GPU count must be at least 1 (got " + num(p.gpus) + ")";
  if (p.arch.layers < 1 || p.arch.hidden < 1 || p.arch.heads < 1) return "the architecture has no layers, width or heads";
  if (p.seq_len < 1) return "the sequence length must be at least 1 (got " + num(p.seq_len) + ")";
  if (sequences_per_step(p) < 1) {
    return "the global batch of " + fixed(p.global_batch_tokens, 0) + " tokens is less than one sequence of " +
           num(p.seq_len) + " tokens";
  }
  if (const double whole = double(sequences_per_step(p)) * p.seq_len; p.global_batch_tokens != whole) {
    // frameworks step on whole sequences (Megatron's global batch size is a sequence count)
    return "the global batch of " + fixed(p.global_batch_tokens, 0) + " tokens is not a whole number of " +
           num(p.seq_len) + "-token sequences (" + fixed(p.global_batch_tokens / p.seq_len, 2) +
           "): give a multiple of the sequence length, e.g. " + fixed(whole, 0) + " or " + fixed(whole + p.seq_len, 0);
  }
  if (p.fixed_tp > 0 && p.gpus % p.fixed_tp != 0) {
    return num(p.gpus) + " GPUs are not divisible by the fixed tensor-parallel degree " + num(p.fixed_tp);
  }
  if (p.fixed_tp > 0 && p.arch.heads % p.fixed_tp != 0) {
    return num(p.arch.heads) + " attention heads are not divisible by the fixed tensor-parallel degree " +
           num(p.fixed_tp);
  }
  if (p.fixed_pp > p.arch.layers) {
    return "the fixed pipeline-parallel degree " + num(p.fixed_pp) + " exceeds the " + num(p.arch.layers) + " layers";
  }
  if (p.fixed_schedule < -1 || p.fixed_schedule > 2) {
    return "the fixed pipeline schedule " + num(p.fixed_schedule) +
           " is not one of -1 (searched), 0 (1f1b), 1 (zero-bubble), 2 (dualpipe)";
  }
  if (p.fixed_schedule > 0 && (p.fixed_pp == 1 || p.gpus == 1)) {
    return std::string(p.fixed_schedule == 2 ? "the dualpipe" : "the zero-bubble") +
           " schedule needs a pipeline (pp > 1); use 1f1b or searched";
  }
  if (p.fixed_schedule == 2 && p.fixed_pp > 0 && p.fixed_pp % 2 != 0) {
    return "the dualpipe schedule needs an even pipeline-parallel degree (got " + num(p.fixed_pp) + ")";
  }
  if (p.fixed_interleave < 0 || p.fixed_interleave > 8) {
    return "the fixed interleave " + num(p.fixed_interleave) + " is outside the 1..8 virtual stages per GPU the "
           "search offers";
  }
  if (p.fixed_interleave > 1 && (p.fixed_pp == 1 || p.gpus == 1)) {
    return "interleave " + num(p.fixed_interleave) + " needs a pipeline (pp > 1)";
  }
  if (p.fixed_interleave > 1 && p.fixed_schedule > 0) {
    return std::string(p.fixed_schedule == 2 ? "the dualpipe" : "the zero-bubble") +
           " schedule does not interleave; give interleave 1 or the 1f1b schedule";
  }
  if (p.fixed_interleave > 1 && p.fixed_pp > 0 && p.fixed_pp * p.fixed_interleave > p.arch.layers) {
    return "pp " + num(p.fixed_pp) + " x interleave " + num(p.fixed_interleave) + " chunks exceed the " +
           num(p.arch.layers) + " layers";
  }
  const long long fixed = static_cast<long long>(p.fixed_tp > 0 ? p.fixed_tp : 1) * (p.fixed_pp > 0 ? p.fixed_pp : 1) *
                          (p.fixed_cp > 0 ? p.fixed_cp : 1);
  if (p.gpus % fixed != 0) {
    return num(p.gpus) + " GPUs are not divisible by the fixed tp × pp × cp = " + num(fixed);
  }
  if (p.fixed_cp > 0 && p.seq_len % p.fixed_cp != 0) {
    return "the sequence length " + num(p.seq_len) + " is not divisible by the fixed context-parallel degree " +
           num(p.fixed_cp);
  }
  return {};
}

std::vector<TrainingConfig> enumerate_training_configs(const TrainingProblem& p) {
  std::vector<TrainingConfig> out;
  if (!training_problem_error(p).empty()) return out;
  const LlmArch& a = p.arch;
  const long long seqs = sequences_per_step(p);
  const int domain = p.accel.scaleup_domain_gpus > 0 ? p.accel.scaleup_domain_gpus : 1;
  std::vector<int> tps = p.fixed_tp > 0 ? std::vector<int>{p.fixed_tp} : divisors(p.gpus, domain);
  // Pipeline degrees: the divisors of the layers (even stages) and the powers of two up to the layers (Megatron's
  // uneven placement when they do not divide).
  std::vector<int> pps = p.fixed_pp > 0 ? std::vector<int>{p.fixed_pp} : divisors(a.layers, a.layers);
  if (p.fixed_pp == 0) {
    for (int pp = 2; pp <= a.layers && pp <= 128; pp *= 2) {
      if (a.layers % pp != 0) pps.push_back(pp);
    }
  }
  std::vector<int> cps = p.fixed_cp > 0 ? std::vector<int>{p.fixed_cp} : std::vector<int>{1, 2, 4, 8, 16};
  const int micro_batches[] = {1, 2, 4, 8, 16};
  // Recompute: none and every set of the single modules the architecture has (Megatron-core's recompute_modules),
  // selective (the attention core; with standard attention also beside every module set, with fused attention it
  // has nothing to recompute) and full.
  struct RecomputeChoice {
    Recompute recompute;
    int modules;
  };
  std::vector<RecomputeChoice> recomputes;
  const int applicable = recompute_modules_applicable(a);
  for (int mods = 0; mods <= applicable; ++mods) {
    if ((mods & ~applicable) == 0) recomputes.push_back({Recompute::None, mods});
  }
  for (int mods = 0; mods <= applicable; ++mods) {
    if ((mods & ~applicable) == 0 && (mods == 0 || !p.flash_attention)) recomputes.push_back({Recompute::Selective, mods});
  }
  recomputes.push_back({Recompute::Full, 0});
  for (int tp : tps) {
    if (a.heads % tp != 0 || p.gpus % tp != 0) continue;
    for (int pp : pps) {
      if ((p.gpus / tp) % pp != 0) continue;
      for (int cp : cps) {
        if ((p.gpus / tp / pp) % cp != 0 || p.seq_len % cp != 0) continue;
        if (p.fixed_cp == 0 && cp > 1 && p.seq_len % (2 * cp) != 0) continue;  // load-balanced causal chunks
        const int dp = p.gpus / tp / pp / cp;
        if (seqs % dp != 0) continue;
        const long long per_replica = seqs / dp;
        // Expert layouts (MoE): ep over the t·c·d ranks of a stage with the experts tensor-parallel over t
        // (etp 0, Megatron's default), and with t > 1 also folded to expert TP 1 (MoE parallel folding).
        struct ExpertLayout {
          int etp, ep;
        };
        std::vector<ExpertLayout> experts{{0, 1}};
        if (a.routed_experts > 0) {
          experts.clear();
          for (int ep : divisors(cp * dp, a.routed_experts)) {
            if (a.routed_experts % ep == 0) experts.push_back({0, ep});
          }
          if (tp > 1) {
            for (int ep : divisors(tp * cp * dp, a.routed_experts)) {
              if (a.routed_experts % ep == 0) experts.push_back({1, ep});
            }
          }
        }
        for (const ExpertLayout& x : experts) {
          const int ep = x.ep;
          for (int mb : micro_batches) {
            if (per_replica % mb != 0) continue;
            const long long m = per_replica / mb;
            // Interleaving: v = 2..8 chunks per GPU, the p·v chunks placed as stages are (gpu_layout; Megatron's
            // accounting of the embedding and the loss when p·v does not divide the layers, e.g. 126 layers at
            // p = 8, v = 8, or DeepSeek-V3's 61 at p = 4, v = 4), every chunk holding a layer.
            std::vector<int> vs{1};
            if (pp > 1 && m % pp == 0) {
              for (int v = 2; v <= 8 && pp * v <= a.layers; ++v) {
                StageLayout chunk;
                gpu_layout(a.layers, pp, v, &chunk);
                if (chunk.first >= 1 && chunk.last >= 1 && (pp * v <= 2 || chunk.middle_min >= 1)) vs.push_back(v);
              }
            }
            for (int v : vs) {
              if (p.fixed_interleave > 0 && v != p.fixed_interleave) continue;
              // Schedules: 1F1B; without interleaving and with m ≥ p also zero-bubble and (p even, m even)
              // DualPipe.
              int n_schedules = 1;
              if (pp > 1 && v == 1 && m >= pp) n_schedules = (pp % 2 == 0 && m % 2 == 0) ? 3 : 2;
              if (p.fixed_schedule > 0 && v > 1) continue;  // zero-bubble and DualPipe do not interleave
              for (int zero = 0; zero <= 3; ++zero) {
                for (const RecomputeChoice& rch : recomputes) {
                  for (int seqpar = 0; seqpar <= (tp > 1 ? 1 : 0); ++seqpar) {
                    if (x.etp == 1 && tp > 1 && seqpar == 0) continue;  // folding dispatches sequence shards
                    for (int sched = 0; sched < n_schedules; ++sched) {
                      if (p.fixed_schedule >= 0 && sched != p.fixed_schedule) continue;
                      TrainingConfig c;
                      c.tp = tp;
                      c.pp = pp;
                      c.dp = dp;
                      c.cp = cp;
                      c.ep = ep;
                      c.etp = x.etp;
                      c.micro_batch = mb;
                      c.interleave = v;
                      c.zero = zero;
                      c.recompute = rch.recompute;
                      c.recompute_modules = rch.modules;
                      c.sequence_parallel = seqpar;
                      c.schedule = static_cast<PipelineSchedule>(sched);
                      out.push_back(c);
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

TrainingEstimate evaluate_training(const TrainingProblem& problem, const TrainingConfig& config) {
  return estimate_training(problem, config, training_calibration(problem.accel.generation, problem.precision));
}

namespace {

std::string no_fit_reason(const TrainingProblem& p, const TrainingSearchResult& r) {
  const ArchCounts ac = arch_counts(p.arch);
  const double state = 16.0 * ac.total_params;
  const double usable = r.estimate.usable_bytes;
  std::string s = "no configuration fits in memory: the model needs " + bytes_text(state) +
                  " for weights, gradients and optimizer states (16 bytes × " + fixed(ac.total_params / 1e9, 1) +
                  " B parameters); " + std::to_string(p.gpus) + " GPUs × " + fixed(p.accel.hbm_bytes / 1e9, 0) +
                  " GB hold " + bytes_text(p.gpus * p.accel.hbm_bytes) + " (" + bytes_text(p.gpus * usable) +
                  " usable)";
  s += "; the smallest footprint of the " + std::to_string(r.evaluated) + " configurations evaluated is " +
       fixed(r.estimate.memory_bytes / 1e9, 1) + " GB per GPU against " + fixed(usable / 1e9, 1) + " GB usable";
  return s;
}

}  // namespace

std::vector<TrainingSearchResult> search_training_batch(std::span<const TrainingProblem> problems, Backend backend,
                                                        bool keep_all) {
  const Backend resolved = resolve_backend(backend);
  const int n_problems = static_cast<int>(problems.size());
  std::vector<TrainingSearchResult> results(problems.size());
  std::vector<TrainingConfig> configs;
  std::vector<int> problem_of;
  std::vector<std::int64_t> first(problems.size() + 1, 0);
  std::vector<TrainingCalibration> calibrations;
  calibrations.reserve(problems.size());
  for (int i = 0; i < n_problems; ++i) {
    const TrainingProblem& p = problems[static_cast<std::size_t>(i)];
    calibrations.push_back(training_calibration(p.accel.generation, p.precision));
    std::vector<TrainingConfig> c = enumerate_training_configs(p);
    first[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(configs.size());
    configs.insert(configs.end(), c.begin(), c.end());
    problem_of.insert(problem_of.end(), c.size(), i);
  }
  first[problems.size()] = static_cast<std::int64_t>(configs.size());

  detail::TrainingBatchView view;
  view.problems = problems.data();
  view.calibrations = calibrations.data();
  view.n_problems = n_problems;
  view.configs = configs.data();
  view.problem_of = problem_of.data();
  view.first = first.data();
  view.n_configs = static_cast<std::int64_t>(configs.size());
  std::vector<std::int64_t> best(problems.size(), -1);
  std::vector<TrainingEstimate> all(keep_all ? configs.size() : 0);
  TrainingEstimate* all_out = keep_all ? all.data() : nullptr;
  if (resolved == Backend::Cuda) {
#if defined(AIDCSIM_HAVE_CUDA)
    detail::cuda_backend::evaluate_training_batch(view, best.data(), all_out);
#else
    throw std::logic_error("resolve_backend returned cuda in a build without CUDA");
#endif
  } else {
    detail::tbb_backend::evaluate_training_batch(view, best.data(), all_out);
  }

  for (int i = 0; i < n_problems; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    const TrainingProblem& p = problems[ui];
    TrainingSearchResult& r = results[ui];
    r.backend = resolved;
    r.evaluated = first[ui + 1] - first[ui];
    if (keep_all) {
      r.configs.assign(configs.begin() + first[ui], configs.begin() + first[ui + 1]);
      r.estimates.assign(all.begin() + first[ui], all.begin() + first[ui + 1]);
    }
    if (best[ui] < 0) {
      const std::string err = training_problem_error(p);
      r.reason = !err.empty() ? err
                              : "no parallel layout of " + std::to_string(p.gpus) + " GPUs divides " +
                                    std::to_string(p.arch.layers) + " layers, " + std::to_string(p.arch.heads) +
                                    " heads and a global batch of " + std::to_string(sequences_per_step(p)) +
                                    " sequences";
      if (err.empty() && p.fixed_schedule > 0) {
        r.reason += std::string(" with the ") + (p.fixed_schedule == 2 ? "dualpipe" : "zero-bubble") +
                    " schedule, which needs pp > 1, no interleaving and at least pp micro-batches per pipeline" +
                    (p.fixed_schedule == 2 ? " (pp and the micro-batch count both even)" : "") +
                    "; 1f1b or searched lifts that";
      }
      continue;
    }
    r.best = configs[static_cast<std::size_t>(best[ui])];
    // The winner's full estimate, serially on the host (the reduction kept only what ranking needs).
    r.estimate = estimate_training(p, r.best, calibrations[ui]);
    r.found = r.estimate.feasible != 0;
    if (!r.found) r.reason = no_fit_reason(p, r);
  }
  return results;
}

TrainingSearchResult search_training(const TrainingProblem& problem, Backend backend, bool keep_all) {
  return std::move(search_training_batch(std::span<const TrainingProblem>(&problem, 1), backend, keep_all).front());
}

}  // namespace aidc
