#include "core/run/perf_estimates.hpp"

#include "core/scenario/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/scenario/input_error.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search_parallel.hpp"

namespace aidc {

BatchingScratchOwner::BatchingScratchOwner(int n, int batch) : states(n), values(n), heap(batch), queue(batch) {
  s.states = states.data();
  s.values = values.data();
  s.heap = heap.data();
  s.prefill_queue = queue.data();
  s.n_capacity = n;
  s.batch_capacity = batch;
}

std::vector<InferenceRequest> fixed_length_requests(int n, int isl, int osl) {
  std::vector<InferenceRequest> r(static_cast<std::size_t>(n > 0 ? n : 0));
  for (auto& q : r) {
    q.input_tokens = isl;
    q.output_tokens = osl;
  }
  return r;
}

void set_poisson_arrivals(std::vector<InferenceRequest>& r, double rate, std::uint64_t seed) {
  std::uint64_t x = seed;
  double t = 0.0;
  for (auto& q : r) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = (double((x >> 11) + 1)) / 9007199254740993.0;
    t += -std::log(u) / rate;
    q.arrival_s = t;
  }
}

std::string tp_divisibility_error(int gpus, int tp) {
  if (tp <= 0 || gpus % tp == 0) return "";
  return fmt::format("--gpus {} is not divisible by --tp {} ({} = {} x {} + {})", gpus, tp, gpus, tp, gpus / tp,
                     gpus % tp);
}

nlohmann::json inference_config_json(const InferenceConfig& c) {
  nlohmann::json j = {{"tp", c.tp},           {"pp", c.pp},
                      {"ep", c.ep},           {"replicas", c.replicas},
                      {"max_batch", c.max_batch}, {"chunk_tokens", c.chunk_tokens},
                      {"serving", c.prefill_replicas > 0 ? "disaggregated" : "aggregated"}};
  if (c.prefill_replicas > 0) {
    j["prefill_instances"] = c.prefill_replicas;
    j["decode_instances"] = c.replicas - c.prefill_replicas;
    j["prefill_tp"] = prefill_tp_of(c);
    j["prefill_ep"] = prefill_ep_of(c);
  }
  return j;
}

std::string inference_instances_text(const InferenceConfig& c) {
  if (c.prefill_replicas > 0) {
    const std::string own = prefill_tp_of(c) != c.tp || prefill_ep_of(c) != c.ep
                                ? fmt::format(" (tp {}{})", prefill_tp_of(c),
                                              prefill_ep_of(c) != 1 ? fmt::format(", ep {}", prefill_ep_of(c)) : "")
                                : "";
    return fmt::format("{} prefill{} + {} decode instances", c.prefill_replicas, own, c.replicas - c.prefill_replicas);
  }
  return fmt::format("{} replica{}", c.replicas, c.replicas == 1 ? "" : "s");
}

std::string inference_layout_text(const InferenceConfig& c) {
  return fmt::format("tp {}, pp {}, ep {}, ", c.tp, c.pp, c.ep) + inference_instances_text(c);
}

ServingMode serving_mode_or_default(const std::string& name, int prefill_instances, const std::string& where,
                                    int prefill_tp) {
  if (name.empty()) {
    return prefill_instances > 0 || prefill_tp > 0 ? ServingMode::Disaggregated : ServingMode::Aggregated;
  }
  return parse_serving_mode(name, where);
}

ServingMode parse_serving_mode(const std::string& name, const std::string& where) {
  for (ServingMode m : {ServingMode::Aggregated, ServingMode::Disaggregated, ServingMode::Either}) {
    if (name == serving_mode_name(m)) return m;
  }
  throw BadInput(where, "", nlohmann::json(name).dump(), std::string("one of: ") + kServingModeNames);
}

nlohmann::json training_config_json(const TrainingConfig& c) {
  return {{"tp", c.tp},
          {"pp", c.pp},
          {"dp", c.dp},
          {"cp", c.cp},
          {"ep", c.ep},
          {"etp", expert_tp(c)},
          {"micro_batch", c.micro_batch},
          {"interleave", c.interleave},
          {"zero", c.zero},
          {"recompute", recompute_name(c.recompute)},
          {"recompute_modules", recompute_module_names(c.recompute_modules)},
          {"sequence_parallel", c.sequence_parallel != 0},
          {"schedule", schedule_name(c.schedule)}};
}

std::string pipeline_layout_text(const TrainingEstimate& e, int pp, int interleave) {
  if (pp <= 1) return "";
  const std::string chunks = interleave > 1 ? fmt::format(" (per GPU, in {} interleaved chunks)", interleave) : "";
  const bool even_middles = pp <= 2 || e.stage_layers_middle == e.stage_layers_first;
  if (e.stage_layers_first == e.stage_layers_last && even_middles) {
    return fmt::format("{} per stage{}", e.stage_layers_first, chunks);
  }
  const std::string middle = pp > 2 ? fmt::format(" + {} x (up to) {}", pp - 2, e.stage_layers_middle) : "";
  return fmt::format("{}{} + {}{} (uneven, Megatron-core placement: the embedding and the loss count as one layer "
                     "each on the first and last {}; the slowest stage sets the step)",
                     e.stage_layers_first, middle, e.stage_layers_last, chunks, interleave > 1 ? "chunk" : "stage");
}

std::string recompute_name(Recompute r) {
  switch (r) {
    case Recompute::Selective: return "selective";
    case Recompute::Full: return "full";
    case Recompute::None: break;
  }
  return "none";
}

namespace {
constexpr std::pair<int, const char*> kRecomputeModuleNames[kRecomputeModuleCount] = {
    {kRecomputeLayernorm, "layernorm"}, {kRecomputeMoeAct, "moe_act"}, {kRecomputeMlp, "mlp"},
    {kRecomputeMlaUpProj, "mla_up_proj"}};
}  // namespace

std::vector<std::string> recompute_module_names(int modules) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : kRecomputeModuleNames) {
    if (modules & bit) out.push_back(name);
  }
  return out;
}

int recompute_module_bit(const std::string& name) {
  for (const auto& [bit, n] : kRecomputeModuleNames) {
    if (name == n) return bit;
  }
  return 0;
}

std::string recompute_label(const TrainingConfig& c) {
  const std::vector<std::string> mods = recompute_module_names(c.recompute_modules);
  if (mods.empty()) return recompute_name(c.recompute);
  const std::string list = fmt::format("{}", fmt::join(mods, "+"));
  return c.recompute == Recompute::None ? list : recompute_name(c.recompute) + "+" + list;
}

std::string schedule_name(PipelineSchedule s) {
  switch (s) {
    case PipelineSchedule::ZeroBubble: return "zero-bubble";
    case PipelineSchedule::DualPipe: return "dualpipe";
    case PipelineSchedule::OneFOneB: break;
  }
  return "1f1b";
}

int schedule_from_name(const std::string& name) {
  for (PipelineSchedule s : {PipelineSchedule::OneFOneB, PipelineSchedule::ZeroBubble, PipelineSchedule::DualPipe}) {
    if (schedule_name(s) == name) return static_cast<int>(s);
  }
  return -1;
}

ServingEngine parse_engine(const std::string& name, const std::string& where) {
  ServingEngine e = ServingEngine::TrtLlm;
  if (engine_by_name(name, e)) return e;
  throw BadInput(where, "", nlohmann::json(name).dump(), std::string("one of: ") + kEngineNames);
}

SchedulerLimits scheduler_limits(const InferenceRequestSpec& spec) {
  SchedulerLimits l;
  if (spec.engine_defaults) {
    // vLLM tells the A100 apart by its device name; the catalog's names carry it the same way
    std::string name = spec.accelerator;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    l = engine_default_limits(spec.engine, spec.accel.hbm_bytes, name.find("a100") != std::string::npos);
    if (l.max_batch > 0) l.max_batch = hd_fixed_max_batch(l.max_batch);
  }
  if (spec.fixed_max_batch > 0) l.max_batch = hd_fixed_max_batch(spec.fixed_max_batch);
  if (spec.fixed_chunk_tokens > 0) l.chunk_tokens = spec.fixed_chunk_tokens;
  return l;
}

namespace {

std::string no_precision_support(const std::string& accelerator, const AcceleratorSpec& a, Precision p) {
  return fmt::format("{} has no {} support (dense peak: bf16 {:.0f}, fp8 {:.0f}, fp4 {:.0f} TFLOPS)", accelerator,
                     precision_name(p), a.bf16_flops_per_s / 1e12, a.fp8_flops_per_s / 1e12, a.fp4_flops_per_s / 1e12);
}

InferenceProblem inference_problem(const InferenceRequestSpec& spec, const std::vector<InferenceRequest>& reqs) {
  InferenceProblem pr;
  pr.arch = spec.arch;
  pr.accel = spec.accel;
  pr.precision = spec.precision;
  pr.gpus = spec.gpus;
  pr.requests = reqs.data();
  pr.n_requests = static_cast<int>(reqs.size());
  pr.open_loop = spec.arrival_rate_per_s > 0.0;
  pr.concurrency = pr.open_loop ? 0 : spec.concurrency;
  pr.slo_ttft_s = spec.ttft_slo_s;
  pr.slo_tpot_s = spec.tpot_slo_s;
  pr.eff = spec.efficiency ? *spec.efficiency
                           : inference_efficiency(spec.accel.generation, spec.precision, spec.engine);
  pr.engine = spec.engine;
  pr.makespan = spec.makespan;
  pr.serving = spec.serving;  // a fixed split with aggregated serving was refused by inference_request_error
  pr.fixed_prefill_replicas = spec.prefill_instances;
  pr.fixed_prefill_tp = spec.prefill_tp;
  pr.fixed_tp = spec.fixed_tp;
  pr.fixed_pp = spec.fixed_pp;
  pr.fixed_ep = spec.fixed_ep;
  pr.kv_cache = int(spec.kv_cache);
  const SchedulerLimits limits = scheduler_limits(spec);
  pr.fixed_max_batch = limits.max_batch;
  pr.fixed_chunk_tokens = limits.chunk_tokens;
  if (spec.fixed_pp > pr.max_pp) pr.max_pp = spec.fixed_pp;  // the search's depth limit yields to a given pp
  return pr;
}

}  // namespace

std::string inference_request_error(const InferenceRequestSpec& s) {
  if (s.gpus < 1) return fmt::format("--gpus must be at least 1 (got {})", s.gpus);
  const InferenceEfficiency eff =
      s.efficiency ? *s.efficiency : inference_efficiency(s.accel.generation, s.precision, s.engine);
  if (gemm_peak_flops_per_s(s.accel, s.precision, eff) <= 0.0) {
    std::string text = no_precision_support(s.accelerator, s.accel, s.precision);
    if (vllm_serves_fp8_weight_only(s.accel, s.precision)) {
      text += "; vLLM serves FP8 checkpoints on it weight-only (FP8 Marlin, W8A16): --engine vllm";
    }
    return text;
  }
  if (s.isl < 1 || s.osl < 1) return fmt::format("--isl and --osl must be at least 1 (got {} and {})", s.isl, s.osl);
  if (s.engine_defaults && s.engine == ServingEngine::TrtLlm) {
    return "engine defaults asked for, but engine trtllm (trtllm-bench) has no default scheduler limits (it sizes "
           "them per dataset): let the search stand in for it (no --engine-defaults, no \"engine_defaults\"), or "
           "serve with --engine trtllm-serve";
  }
  if (s.makespan && (s.serving == ServingMode::Disaggregated || s.prefill_instances > 0 || s.prefill_tp > 0)) {
    return "a burst of prompts timed to the last finish is estimated for co-located serving only (disaggregated "
           "serving is estimated in steady state)";
  }
  if (s.makespan && s.arrival_rate_per_s > 0.0) {
    return "a burst of prompts arrives at t = 0: an arrival rate does not apply";
  }
  if ((s.prefill_instances > 0 || s.prefill_tp > 0) && s.serving == ServingMode::Aggregated) {
    return fmt::format("{} asked for with aggregated serving: a fixed prefill/decode split needs disaggregated (or "
                       "any) serving",
                       s.prefill_instances > 0 ? fmt::format("{} prefill instance(s)", s.prefill_instances)
                                               : fmt::format("prefill tp {}", s.prefill_tp));
  }
  // Instances of the smallest shape the fixed degrees allow.
  const int shape = std::max(1, s.fixed_tp) * std::max(1, s.fixed_pp);
  const int most = s.gpus / shape;
  const std::string at = s.fixed_tp > 0 || s.fixed_pp > 0
                             ? fmt::format(" at tp {} x pp {}", std::max(1, s.fixed_tp), std::max(1, s.fixed_pp))
                             : "";
  // co-located replicas tile the GPUs at tp x pp; disaggregated instances of two tps only fill each stage together
  const bool colocated_only = s.serving == ServingMode::Aggregated;
  if (s.fixed_pp > 0) {
    const int shape = (colocated_only ? std::max(1, s.fixed_tp) : 1) * s.fixed_pp;
    if (s.gpus % shape != 0) {
      return fmt::format("{} GPUs are not divisible by the fixed tp x pp = {}", s.gpus, shape);
    }
    if (s.fixed_pp > s.arch.layers) {
      return fmt::format("--pp {} exceeds the {} layers of {}", s.fixed_pp, s.arch.layers, s.model);
    }
  }
  if (s.fixed_ep > 0) {
    if (s.arch.routed_experts == 0 && s.fixed_ep != 1) {
      return fmt::format("--ep {}: {} is dense (no routed experts to split)", s.fixed_ep, s.model);
    }
    if (s.arch.routed_experts > 0 && s.arch.routed_experts % s.fixed_ep != 0) {
      return fmt::format("--ep {} does not divide the {} routed experts of {}", s.fixed_ep, s.arch.routed_experts,
                         s.model);
    }
    if (s.fixed_tp > 0 && s.fixed_tp % s.fixed_ep != 0) {
      return fmt::format("--ep {} must divide --tp {}: experts are split over the ranks of a tensor-parallel group "
                         "(vLLM's --enable-expert-parallel is ep = tp)",
                         s.fixed_ep, s.fixed_tp);
    }
    if (s.fixed_ep > s.gpus) return fmt::format("--ep {} exceeds the {} GPUs", s.fixed_ep, s.gpus);
    // some tensor-parallel degree must hold it: a multiple of ep that divides the GPUs (over pp), splits the heads
    // and stays within the scale-up domain
    bool any_tp = false;
    for (int tp = s.fixed_ep; tp <= s.gpus && !any_tp; tp += s.fixed_ep) {
      if (s.fixed_tp > 0 && tp != s.fixed_tp) continue;
      const int per_pp = std::max(1, s.fixed_pp) * tp;
      any_tp = s.gpus % per_pp == 0 && (tp == 1 || tp <= s.accel.scaleup_domain_gpus) && tp_splits_heads(s.arch, tp);
    }
    if (!any_tp) {
      return fmt::format("--ep {}: no tensor-parallel degree holds it on {} x {} (tp must be a multiple of ep, divide "
                         "the GPUs{} and stay within the scale-up domain of {} GPUs)",
                         s.fixed_ep, s.gpus, s.accelerator,
                         s.fixed_pp > 0 ? fmt::format(" over pp {}", s.fixed_pp) : "",
                         s.accel.scaleup_domain_gpus);
    }
  }
  // a tensor-parallel degree the engines can run on this model and accelerator (`flag` names it)
  const auto tp_error = [&s](const char* flag, int tp) -> std::string {
    if (tp > 1 && tp > s.accel.scaleup_domain_gpus) {
      return fmt::format("{} {} exceeds the scale-up domain of {} ({} GPUs)", flag, tp, s.accelerator,
                         s.accel.scaleup_domain_gpus);
    }
    if (s.arch.heads > 0 && tp > s.arch.heads) {
      return fmt::format("{} {} exceeds the {} attention heads of {}", flag, tp, s.arch.heads, s.model);
    }
    if (!tp_splits_heads(s.arch, tp)) {
      return fmt::format("{} {} does not split the {} attention heads and {} KV heads of {} the way the serving "
                         "engines require (query heads divisible by tp; KV heads divisible by tp, or tp by them)",
                         flag, tp, s.arch.heads, s.arch.kv_heads, s.model);
    }
    return "";
  };
  if (s.fixed_tp > 0) {
    if (colocated_only) {
      if (const std::string err = tp_divisibility_error(s.gpus, s.fixed_tp); !err.empty()) return err;
    }
    if (const std::string err = tp_error("--tp", s.fixed_tp); !err.empty()) return err;
  }
  if (s.prefill_tp > 0) {
    if (const std::string err = tp_error("--prefill-tp", s.prefill_tp); !err.empty()) return err;
  }
  if (!colocated_only) {
    // Some layout holds the fixed degrees; a fixed split needs a disaggregated one: np prefill instances at prefill
    // tp and at least one decode instance at tp fill the GPUs per stage (enumerate_inference_configs: np x prefill
    // tp + nd x tp = gpus / pp), whatever --serving any would also offer co-located.
    std::vector<InferenceRequest> none;
    InferenceProblem pr = inference_problem(s, none);
    const bool split = s.prefill_instances > 0 || s.prefill_tp > 0;
    if (split) pr.serving = ServingMode::Disaggregated;
    if (count_layouts(pr) == 0) {
      if (!split && s.serving == ServingMode::Either) {
        const std::string tiling = tp_divisibility_error(s.gpus, s.fixed_tp);
        return tiling.empty() ? fmt::format("no layout on {} GPU(s){}", s.gpus, at)
                              : tiling + ", and no disaggregated layout fills them";
      }
      if (!split) {
        return fmt::format("disaggregated serving needs at least 2 instances (one prefill, one decode): {} GPU(s){} "
                           "make {}",
                           s.gpus, at, most);
      }
      const std::string prefill =
          (s.prefill_instances > 0 ? fmt::format("{} prefill instance(s)", s.prefill_instances)
                                   : std::string("prefill instances")) +
          (s.prefill_tp > 0 ? fmt::format(" at tp {}", s.prefill_tp) : "");
      return fmt::format("no disaggregated layout holds {} and at least one decode instance{} on {} GPUs: the "
                         "prefill instances x their tp plus the decode instances x theirs must make the GPUs per "
                         "pipeline stage{}",
                         prefill, s.fixed_tp > 0 || s.fixed_pp > 0 ? at : "", s.gpus,
                         s.prefill_instances >= s.gpus ? fmt::format(" ({} prefill instance(s) leave no decode "
                                                                     "instance)",
                                                                     s.prefill_instances)
                                                       : "");
    }
  }
  return "";
}

InferenceOutcome estimate_inference(const InferenceRequestSpec& spec, Backend backend) {
  InferenceOutcome out;
  out.backend = resolve_backend(backend);  // refuses cuda without a device, before any work
  if (const std::string err = inference_request_error(spec); !err.empty()) {
    out.reason = err;
    return out;
  }
  std::vector<InferenceRequest> reqs = fixed_length_requests(spec.n_requests, spec.isl, spec.osl);
  if (spec.arrival_rate_per_s > 0.0) set_poisson_arrivals(reqs, spec.arrival_rate_per_s);
  const InferenceProblem pr = inference_problem(spec, reqs);

  // Every configuration evaluated in parallel on the chosen backend (kernels/inference_search_parallel.hpp).
  InferenceSearchOptions options;
  options.keep_all = true;  // the best-unconstrained fallback below indexes into the estimates
  options.model_name = spec.model;
  options.accel_name = spec.accelerator;
  InferenceSearchOutcome search = search_inference_configs(pr, out.backend, options);
  out.backend = search.backend;
  out.search = search.summary;
  out.configs_evaluated = static_cast<int>(search.evaluated);
  const InferenceSearchResult& s = out.search;
  if (search.found) {
    out.found = true;
    out.config = search.best;
    out.estimate = search.estimate;
  } else if (s.n_feasible == 0) {
    out.reason = search.infeasible;
  } else {
    const InferenceEstimate& b = search.estimates[static_cast<std::size_t>(s.best_unconstrained)];
    out.config = search.configs[static_cast<std::size_t>(s.best_unconstrained)];
    out.estimate = b;
    out.reason = fmt::format(
        "none of {} feasible configurations meets the SLOs ({}); the fastest has p99 TTFT {:.3f} s and p99 TPOT "
        "{:.4f} s at {:.0f} output tokens/s",
        s.n_feasible, slo_bounds_text(spec.ttft_slo_s, spec.tpot_slo_s), b.ttft_p99_s, b.tpot_p99_s,
        b.output_tokens_per_s);
  }
  if (spec.keep_all) {
    out.configs = std::move(search.configs);
    out.estimates = std::move(search.estimates);
  }
  return out;
}

TrainingProblem training_problem(const TrainingRequestSpec& spec) {
  TrainingProblem p;
  p.arch = spec.arch;
  p.accel = spec.accel;
  p.gpus = spec.gpus;
  p.seq_len = spec.seq;
  p.global_batch_tokens = spec.global_batch_tokens;
  p.precision = spec.precision;
  p.fixed_tp = spec.fixed_tp;
  p.fixed_pp = spec.fixed_pp;
  p.fixed_cp = spec.fixed_cp;
  p.fixed_schedule = spec.fixed_schedule;
  p.fixed_interleave = spec.fixed_interleave;
  p.flash_attention = spec.flash_attention;
  return p;
}

TrainingOutcome estimate_training(const TrainingRequestSpec& spec, Backend backend) {
  TrainingOutcome out;
  const Backend resolved = resolve_backend(backend);
  out.backend = resolved;
  if (peak_flops_per_s(spec.accel, spec.precision) <= 0.0) {
    out.reason = no_precision_support(spec.accelerator, spec.accel, spec.precision);
    return out;
  }
  const int domain = std::max(1, spec.accel.scaleup_domain_gpus);
  if (spec.gpus > domain && !(spec.accel.scaleout_bytes_per_s > 0.0)) {
    // Every layout of more GPUs than one scale-up domain sends data-parallel, pipeline or expert traffic between
    // domains; without a NIC rate those collectives have no time (the search would rank infinite steps).
    out.reason = fmt::format("{} GPUs exceed the {}-GPU scale-up domain of {}, and the catalog gives {} no scale-out "
                             "NIC (no system built on it in systems.json): train on at most {} GPU(s), or on a "
                             "system's accelerator",
                             spec.gpus, domain, spec.accelerator, spec.accelerator, domain);
    return out;
  }
  const TrainingProblem p = training_problem(spec);
  if (const std::string err = training_problem_error(p); !err.empty()) {
    out.reason = err;
    return out;
  }
  TrainingSearchResult r = search_training(p, resolved, spec.keep_all);
  out.backend = r.backend;
  out.configs_evaluated = r.evaluated;
  out.config = r.best;
  out.estimate = r.estimate;
  out.found = r.found;
  if (!r.found) out.reason = r.reason.empty() ? "no parallel configuration fits" : r.reason;
  if (spec.keep_all) {
    out.configs = std::move(r.configs);
    out.estimates = std::move(r.estimates);
  }
  return out;
}

InferenceOutcome estimate_inference_mix(const InferenceRequestSpec& spec, const std::vector<RequestClass>& mix,
                                        Backend backend) {
  if (mix.empty()) return estimate_inference(spec, backend);
  std::size_t main_class = 0;
  for (std::size_t i = 1; i < mix.size(); ++i) {
    if (mix[i].share > mix[main_class].share) main_class = i;
  }
  InferenceOutcome main;
  double seconds_per_request = 0.0, tokens_per_request = 0.0;
  for (std::size_t i = 0; i < mix.size(); ++i) {
    InferenceRequestSpec one = spec;
    one.isl = mix[i].isl;
    one.osl = mix[i].osl;
    one.keep_all = spec.keep_all && i == main_class;
    InferenceOutcome o = estimate_inference(one, backend);
    if (!o.found) {
      o.reason = fmt::format("request class {} (share {:.3g}, {}/{} tokens): {}", i, mix[i].share, mix[i].isl,
                             mix[i].osl, o.reason);
      return o;
    }
    const double rate_per_s = o.estimate.output_tokens_per_s / mix[i].osl;
    seconds_per_request += mix[i].share / rate_per_s;
    tokens_per_request += mix[i].share * mix[i].osl;
    if (i == main_class) main = std::move(o);
  }
  main.estimate.output_tokens_per_s = tokens_per_request / seconds_per_request;
  return main;
}

}  // namespace aidc
