#include "core/run/reference_validation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/scenario/input_error.hpp"
#include "core/scenario/perf_catalog.hpp"

namespace aidc {

namespace {

std::string str_or(const nlohmann::json& e, const char* key) {
  return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
}
int int_or(const nlohmann::json& e, const char* key, int fallback) {
  return e.contains(key) && e[key].is_number() ? e[key].get<int>() : fallback;
}
double num_or(const nlohmann::json& e, const char* key, double fallback) {
  return e.contains(key) && e[key].is_number() ? e[key].get<double>() : fallback;
}

const nlohmann::json* reference_list(const Catalog& catalog, const char* kind) {
  const nlohmann::json* list = catalog.entry("reference_measurements", kind);
  return list && list->is_array() ? list : nullptr;
}

std::string bad_input_text(const BadInput& e) {
  std::string out;
  for (const auto& p : e.problems()) out += (out.empty() ? "" : "; ") + p.value + ": " + p.expected;
  return out;
}

std::string error_class_of(const Catalog& catalog, const std::string& model, const std::string& accelerator) {
  try {
    return throughput_error_class(llm_arch_from_catalog(catalog, model, "model"),
                                  accelerator_from_catalog(catalog, accelerator, "accelerator"));
  } catch (const BadInput&) {
    return "";
  } catch (const nlohmann::json::exception&) {  // a malformed user catalog entry: no class, not a crash
    return "";
  }
}

std::string training_config_text(const TrainingConfig& c) {
  return fmt::format("tp{} pp{} dp{} cp{} ep{}{} mb{} v{} zero{} {}{}{}", c.tp, c.pp, c.dp, c.cp, c.ep,
                     expert_tp(c) != c.tp ? fmt::format(" etp{}", expert_tp(c)) : "", c.micro_batch,
                     c.interleave, c.zero, recompute_label(c), c.sequence_parallel ? " sp" : "",
                     c.schedule != PipelineSchedule::OneFOneB ? " " + schedule_name(c.schedule) : "");
}

}  // namespace

ErrorSummary summarize_errors(const std::vector<double>& signed_errors) {
  ErrorSummary s;
  std::vector<double> a;
  for (double e : signed_errors) a.push_back(std::fabs(e));
  std::sort(a.begin(), a.end());
  s.rows = static_cast<int>(a.size());
  if (a.empty()) return s;
  const std::size_t n = a.size();
  s.median_abs_error = n % 2 == 1 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
  s.max_abs_error = a.back();
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Inference

std::vector<InferenceReferenceRow> inference_reference_rows(const Catalog& catalog) {
  std::vector<InferenceReferenceRow> rows;
  const nlohmann::json* list = reference_list(catalog, "inference");
  if (!list) return rows;
  int index = 0;
  for (const nlohmann::json& e : *list) {
    InferenceReferenceRow r;
    r.index = index++;
    // every problem of the row is reported, "; "-joined, not only the last one found
    const auto add_problem = [&r](const std::string& what) { r.problem += (r.problem.empty() ? "" : "; ") + what; };
    r.role = str_or(e, "role");
    r.model = str_or(e, "model");
    r.accelerator = str_or(e, "accelerator");
    r.scenario_name = str_or(e, "scenario");
    r.dataset = str_or(e, "dataset");
    r.round = str_or(e, "round");
    r.precision_name = str_or(e, "precision");
    r.gpus = int_or(e, "gpus", 0);
    r.tp = int_or(e, "tp", 0);
    r.measured_tokens_per_s = num_or(e, "output_tokens_per_s", 0.0);
    r.openorca = r.dataset == "openorca";
    r.isl = r.openorca ? kOpenOrcaMeanInput : int_or(e, "isl", 0);
    r.osl = r.openorca ? kOpenOrcaMeanOutput : int_or(e, "osl", 0);
    std::vector<std::string> missing;
    for (const char* k : {"model", "accelerator", "precision", "scenario", "role"}) {
      if (str_or(e, k).empty()) missing.push_back(k);
    }
    if (r.gpus < 1) missing.push_back("gpus");
    if (r.measured_tokens_per_s <= 0.0) missing.push_back("output_tokens_per_s");
    if (r.isl < 1 || r.osl < 1) missing.push_back("isl/osl (or dataset openorca)");
    bool readable = true;  // the fields the estimate needs are there and the scenario is known
    if (!missing.empty()) {
      readable = false;
      r.problem = "missing field";
      for (std::size_t i = 0; i < missing.size(); ++i) r.problem += (i ? ", " : " ") + missing[i];
    } else if (r.scenario_name == "max-throughput" || r.scenario_name == "mlperf-offline") {
      r.scenario = InferenceScenario::Offline;
    } else if (r.scenario_name == "mlperf-server") {
      r.scenario = InferenceScenario::Server;
    } else if (r.scenario_name == "mlperf-interactive") {
      r.scenario = InferenceScenario::Interactive;
    } else if (r.scenario_name == "burst") {
      r.scenario = InferenceScenario::Burst;
      r.prompts = int_or(e, "prompts", 0);
      r.concurrency = int_or(e, "concurrency", 0);
      if (r.prompts < 1) add_problem("missing field prompts (a burst row's prompt count)");
      if (r.concurrency < 0) add_problem("concurrency must be >= 0 (0: all prompts at once)");
    } else if (r.scenario_name == "closed-loop") {
      r.scenario = InferenceScenario::ClosedLoop;
      r.concurrency = int_or(e, "concurrency", 0);
      if (r.concurrency < 1) add_problem("missing field concurrency (a closed-loop row's clients, at least 1)");
    } else {
      readable = false;
      r.problem = "scenario \"" + r.scenario_name +
                  "\" is not one of max-throughput, mlperf-offline, mlperf-server, mlperf-interactive, burst, "
                  "closed-loop";
    }
    if (readable) {
      try {
        r.spec.model = r.model;
        r.spec.accelerator = r.accelerator;
        r.spec.arch = llm_arch_from_catalog(catalog, r.model, "model");
        r.spec.accel = accelerator_from_catalog(catalog, r.accelerator, "accelerator");
        r.spec.precision = parse_precision(r.precision_name, "precision");
        r.spec.gpus = r.gpus;
        r.spec.fixed_tp = r.tp;
        r.spec.engine = parse_engine(str_or(e, "engine").empty() ? "trtllm" : str_or(e, "engine"), "engine");
        r.spec.prefill_instances = int_or(e, "prefill_instances", 0);
        r.spec.prefill_tp = int_or(e, "prefill_tp", 0);
        // the KV cache's dtype where the checkpoint sets it apart from the weights' (auto otherwise)
        if (e.contains("kv_cache")) {
          const std::string kv = str_or(e, "kv_cache");
          if (kv == "bf16") {
            r.spec.kv_cache = KvCacheDtype::Bf16;
          } else if (kv == "fp8") {
            r.spec.kv_cache = KvCacheDtype::Fp8;
          } else if (kv != "auto") {
            add_problem("kv_cache must be auto, bf16 or fp8");
          }
        }
        // the row ran the engine's default serving command: its scheduler limits, not the search's
        if (e.contains("engine_defaults")) {
          if (e["engine_defaults"].is_boolean()) {
            r.spec.engine_defaults = e["engine_defaults"].get<bool>();  // trtllm: refused by inference_request_error
          } else {
            add_problem("engine_defaults must be true or false");
          }
        }
        // scheduler limits the run fixed apart from the engine's defaults (--max-num-batched-tokens, --max-num-seqs),
        // and its expert-parallel degree (vLLM's --enable-expert-parallel: ep = tp)
        const std::pair<const char*, int*> fixed[] = {{"max_batch", &r.spec.fixed_max_batch},
                                                      {"chunk_tokens", &r.spec.fixed_chunk_tokens},
                                                      {"ep", &r.spec.fixed_ep}};
        for (const auto& [k, field] : fixed) {
          if (!e.contains(k)) continue;
          if (e[k].is_number_integer() && e[k].get<long long>() >= 1 && e[k].get<long long>() <= 1000000) {
            *field = e[k].get<int>();
          } else {
            add_problem(std::string(k) + " must be an integer from 1 to 1000000");
          }
        }
        r.spec.serving =
            serving_mode_or_default(str_or(e, "serving"), r.spec.prefill_instances, "serving", r.spec.prefill_tp);
        r.spec.isl = r.isl;
        r.spec.osl = r.osl;
        if (r.scenario == InferenceScenario::Burst) {
          r.spec.makespan = true;
          r.spec.n_requests = r.prompts;
          r.spec.concurrency = r.concurrency;
        }
        if (r.scenario == InferenceScenario::ClosedLoop) r.spec.concurrency = r.concurrency;
        if (r.problem.empty()) r.problem = inference_request_error(r.spec);
      } catch (const BadInput& ex) {
        add_problem(bad_input_text(ex));
      }
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

InferenceRowEstimate estimate_inference_reference(const InferenceReferenceRow& row, const InferenceRowOptions& opt) {
  InferenceRowEstimate out;
  if (!row.problem.empty()) {
    out.reason = row.problem;
    return out;
  }
  InferenceRequestSpec spec = row.spec;
  if (row.scenario != InferenceScenario::Burst) spec.n_requests = opt.n_requests;  // a burst keeps its prompts
  spec.efficiency = opt.efficiency;
  if (row.openorca) spec.isl = opt.openorca_mean_input;
  const InferenceOutcome offline = estimate_inference(spec, opt.backend);
  out.configs_evaluated = offline.configs_evaluated;
  if (!offline.found) {
    out.reason = offline.reason;
    return out;
  }
  out.ok = true;
  out.config = offline.config;
  out.est = offline.estimate;
  out.tokens_per_s = offline.estimate.output_tokens_per_s;
  if (row.scenario == InferenceScenario::Offline || row.scenario == InferenceScenario::Burst ||
      row.scenario == InferenceScenario::ClosedLoop) {
    return out;
  }

  // MLPerf server / interactive: bisection on the Poisson rate; at each rate every (max_batch, chunk) at the offline
  // tp/pp (interactive: every layout) is evaluated and the rate passes when one of them meets the latency bounds and
  // keeps up with the offered load (a finite stream can meet the bounds for a while above capacity).
  const bool interactive = row.scenario == InferenceScenario::Interactive;
  const double ttft_bound_s = interactive ? kMlperfInteractiveTtftS : kMlperfServerTtftS;
  const double tpot_bound_s = interactive ? kMlperfInteractiveTpotS : kMlperfServerTpotS;
  InferenceRequestSpec server = spec;
  if (!interactive) {
    server.fixed_tp = offline.config.tp;
    server.fixed_pp = offline.config.pp;
  }
  server.ttft_slo_s = ttft_bound_s;
  server.tpot_slo_s = tpot_bound_s;
  server.keep_all = true;
  const double offline_rate = out.tokens_per_s / spec.osl;  // requests/s
  double lo = 0.0, hi = offline_rate * 1.05;
  InferenceEstimate at_lo;
  InferenceConfig cfg_lo = offline.config;
  for (int it = 0; it < 12; ++it) {
    const double mid = 0.5 * (lo + hi);
    server.arrival_rate_per_s = mid;
    const InferenceOutcome o = estimate_inference(server, opt.backend);
    out.configs_evaluated += o.configs_evaluated;
    int pick = -1;
    for (std::size_t i = 0; i < o.estimates.size(); ++i) {
      const InferenceEstimate& e = o.estimates[i];
      if (e.feasible && e.meets_slo && e.output_tokens_per_s >= 0.95 * mid * spec.osl &&
          (pick < 0 || e.output_tokens_per_s > o.estimates[static_cast<std::size_t>(pick)].output_tokens_per_s)) {
        pick = static_cast<int>(i);
      }
    }
    if (pick >= 0) {
      lo = mid;
      at_lo = o.estimates[static_cast<std::size_t>(pick)];
      cfg_lo = o.configs[static_cast<std::size_t>(pick)];
    } else {
      hi = mid;
    }
  }
  if (lo <= 0.0) {
    out.ok = false;
    out.reason = interactive
                     ? fmt::format("no request rate meets p99 TTFT <= {:g} s and p99 TPOT <= {:g} s on any layout",
                                   ttft_bound_s, tpot_bound_s)
                     : fmt::format("no request rate meets p99 TTFT <= {:g} s and p99 TPOT <= {:g} s on tp{} pp{}",
                                   ttft_bound_s, tpot_bound_s, offline.config.tp, offline.config.pp);
    return out;
  }
  out.tokens_per_s = std::min(lo * spec.osl, at_lo.output_tokens_per_s);
  out.config = cfg_lo;
  out.est = at_lo;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Training

namespace {

struct TrainingRowResult {
  bool ok = false;
  std::string reason, note;
  TrainingProblem problem;
  TrainingConfig config;
  TrainingEstimate est;
};

TrainingRowResult estimate_training_reference(const Catalog& catalog, const nlohmann::json& e, Backend backend) {
  TrainingRowResult out;
  TrainingRequestSpec spec;
  try {
    spec.model = str_or(e, "model");
    spec.accelerator = str_or(e, "accelerator");
    spec.arch = llm_arch_from_catalog(catalog, spec.model, "model");
    spec.accel = accelerator_from_catalog(catalog, spec.accelerator, "accelerator");
    spec.precision = parse_precision(str_or(e, "precision"), "precision");
  } catch (const BadInput& ex) {
    out.reason = bad_input_text(ex);
    return out;
  }
  spec.gpus = int_or(e, "gpus", 0);
  spec.seq = int_or(e, "seq", 0);
  const int global_batch = int_or(e, "global_batch", 0);
  spec.global_batch_tokens = static_cast<double>(global_batch) * spec.seq;
  if (spec.gpus < 1 || spec.seq < 1 || global_batch < 1) {
    out.reason = "missing field gpus, seq or global_batch";
    return out;
  }
  if (peak_flops_per_s(spec.accel, spec.precision) <= 0.0) {
    out.reason = spec.accelerator + " has no " + precision_name(spec.precision) + " support";
    return out;
  }
  const int tp = int_or(e, "tp", 0), pp = int_or(e, "pp", 0), cp = int_or(e, "cp", 1);
  const int mb = int_or(e, "micro_batch", 0), v = int_or(e, "interleave", 0), ep = int_or(e, "ep", 0);
  const int etp = int_or(e, "etp", 0);  // expert tensor parallel, where the source gives it
  const std::string recompute = str_or(e, "recompute");
  // Single modules the run recomputed ("recompute_modules": ["mla_up_proj"], Megatron-core's names), where the
  // published configuration gives them.
  int modules = 0;
  const bool has_modules = e.contains("recompute_modules");
  if (has_modules) {
    const nlohmann::json& list = e["recompute_modules"];
    if (!list.is_array()) {
      out.reason = "recompute_modules is not an array of module names";
      return out;
    }
    for (const nlohmann::json& name : list) {
      const int bit = name.is_string() ? recompute_module_bit(name.get<std::string>()) : 0;
      if (bit == 0) {
        out.reason = "recompute_modules entry " + name.dump() + " is not layernorm, moe_act, mlp or mla_up_proj";
        return out;
      }
      modules |= bit;
    }
  }
  const bool has_fsdp = e.contains("fsdp") && e["fsdp"].is_boolean();
  const bool fsdp = has_fsdp && e["fsdp"].get<bool>();
  spec.fixed_tp = tp;
  spec.fixed_pp = pp;
  spec.fixed_cp = cp;
  // "attention": "standard" (Megatron-LM 2022, the calibration rows) or "flash" (fused attention of 2023+
  // frameworks); absent: flash, as the CLI.
  const std::string attention = str_or(e, "attention");
  if (!attention.empty() && attention != "flash" && attention != "standard") {
    out.reason = "attention \"" + attention + "\" is not flash or standard";
    return out;
  }
  spec.flash_attention = attention != "standard";
  // The pipeline schedule the run used ("schedule"; absent: 1F1B, Megatron's), kept at every constraint level.
  const std::string schedule = str_or(e, "schedule").empty() ? "1f1b" : str_or(e, "schedule");
  spec.fixed_schedule = schedule_from_name(schedule);
  if (spec.fixed_schedule < 0) {
    out.reason = "schedule \"" + schedule + "\" is not 1f1b, zero-bubble or dualpipe";
    return out;
  }
  TrainingProblem p = training_problem(spec);
  out.problem = p;
  std::vector<std::string> searched;
  // Degrees the model does not admit are searched instead.
  // A pp that does not divide the layers takes Megatron's uneven placement (kernels/training_model.hpp).
  if (pp > spec.arch.layers) {
    searched.push_back(fmt::format("pp {} (more stages than {} layers)", pp, spec.arch.layers));
    p.fixed_pp = 0;
  }
  if (tp > 0 && spec.arch.heads % tp != 0) {
    searched.push_back(fmt::format("tp {} (does not divide {} heads)", tp, spec.arch.heads));
    p.fixed_tp = 0;
  }
  if (const std::string err = training_problem_error(p); !err.empty()) {
    out.reason = err;
    return out;
  }
  const std::vector<TrainingConfig> all = enumerate_training_configs(p);
  // Constraint levels, strictest first: everything published; then micro-batch and interleave free; then ep and
  // recompute free too; then ZeRO free.
  auto matches = [&](const TrainingConfig& c, int level) {
    if (level < 1 && mb > 0 && c.micro_batch != mb) return false;
    if (level < 1 && v > 0 && c.interleave != v && p.fixed_pp > 0) return false;
    if (level < 2 && ep > 0 && spec.arch.routed_experts > 0 && c.ep != ep) return false;
    if (level < 2 && etp > 0 && spec.arch.routed_experts > 0 && expert_tp(c) != etp) return false;
    if (level < 2 && recompute == "full" && (c.recompute != Recompute::Full || c.sequence_parallel != 0)) return false;
    if (level < 2 && recompute == "seq+sel" &&
        (c.recompute != Recompute::Selective || c.sequence_parallel == 0 || c.recompute_modules != 0)) {
      return false;
    }
    if (level < 2 && has_modules && (c.recompute == Recompute::Full || c.recompute_modules != modules)) return false;
    if (level < 3) {
      if (!has_fsdp && c.zero != 0) return false;  // calibration rows: Megatron-LM 2022, no ZeRO
      if (has_fsdp && fsdp && c.zero != 3) return false;
      if (has_fsdp && !fsdp && c.zero > 1) return false;
    }
    return true;
  };
  const char* level_notes[] = {"", "micro-batch and interleave searched", "micro-batch, interleave, ep (and expert TP) and recompute searched",
                               "micro-batch, interleave, ep (and expert TP), recompute and ZeRO searched"};
  for (int level = 0; level <= 3 && !out.ok; ++level) {
    bool any = false;
    for (const TrainingConfig& c : all) {
      if (!matches(c, level)) continue;
      const TrainingEstimate est = evaluate_training(p, c);
      if (!est.feasible) continue;
      if (!any || est.step_time_s < out.est.step_time_s) {
        out.config = c;
        out.est = est;
        any = true;
      }
    }
    if (any) {
      out.ok = true;
      if (level > 0) searched.push_back(std::string(level_notes[level]) + " (the published ones do not fit)");
    }
  }
  if (!out.ok) {
    // Nothing fits even with everything but the fixed degrees searched: say why in numbers.
    const TrainingSearchResult r = search_training(p, backend);
    if (r.found) {
      out.ok = true;
      out.config = r.best;
      out.est = r.estimate;
      searched.push_back("configuration searched");
    } else {
      out.reason = r.reason.empty() ? "no configuration fits in memory" : r.reason;
      return out;
    }
  }
  for (std::size_t i = 0; i < searched.size(); ++i) out.note += (i ? "; " : "") + searched[i];
  return out;
}

}  // namespace

std::vector<TrainingCalibrationRow> training_calibration_rows(const Catalog& catalog) {
  std::vector<TrainingCalibrationRow> rows;
  const nlohmann::json* list = reference_list(catalog, "training");
  if (!list) return rows;
  for (const nlohmann::json& e : *list) {
    const double step = num_or(e, "step_time_s", 0.0);
    if (str_or(e, "role") != "calibration" || step <= 0.0) continue;
    const TrainingRowResult r = estimate_training_reference(catalog, e, Backend::Cpu);
    if (!r.ok) continue;
    rows.push_back({str_or(e, "model") + " " + str_or(e, "recompute"), r.problem, r.config, step, r.note});
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// The report

ValidationReport validate_references(const Catalog& catalog, const ValidationOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  ValidationReport rep;
  rep.requests_per_row = opt.n_requests;
  const Backend backend = resolve_backend(opt.backend);
  rep.backend = backend_name(backend);
  std::vector<double> inf_cal, inf_val, tr_cal, tr_val;
  int inf_cal_skip = 0, inf_val_skip = 0, tr_cal_skip = 0, tr_val_skip = 0;

  InferenceRowOptions io;
  io.n_requests = opt.n_requests;
  io.backend = backend;
  for (const InferenceReferenceRow& r : inference_reference_rows(catalog)) {
    ValidationRow v;
    v.kind = "inference";
    v.role = r.role;
    v.index = r.index;
    v.model = r.model;
    v.accelerator = r.accelerator;
    v.precision = r.precision_name;
    v.scenario = r.scenario_name;
    v.gpus = r.gpus;
    v.shape = r.openorca ? fmt::format("openorca {}/{}", r.isl, r.osl) : fmt::format("{}/{}", r.isl, r.osl);
    if (!r.round.empty()) v.shape += " " + r.round;
    if (r.scenario == InferenceScenario::Burst) {
      v.shape += r.concurrency > 0 ? fmt::format(" x{} c{}", r.prompts, r.concurrency) : fmt::format(" x{}", r.prompts);
    }
    if (r.scenario == InferenceScenario::ClosedLoop) v.shape += fmt::format(" c{}", r.concurrency);
    v.quantity = "output_tokens_per_s";
    v.measured = r.measured_tokens_per_s;
    v.error_class = error_class_of(catalog, v.model, v.accelerator);
    v.engine = r.problem.empty() ? engine_name(r.spec.engine) : "";
    const InferenceRowEstimate e = estimate_inference_reference(r, io);
    const bool cal = r.role == "calibration";
    if (!e.ok) {
      v.skipped = true;
      v.reason = e.reason;
      ++(cal ? inf_cal_skip : inf_val_skip);
    } else {
      v.estimate = e.tokens_per_s;
      v.error = e.tokens_per_s / r.measured_tokens_per_s - 1.0;
      v.config = inference_config_json(e.config);
      v.config_text = fmt::format("{} tp{} pp{} ep{} x{}{} batch<={} chunk {}", v.engine, e.config.tp, e.config.pp,
                                  e.config.ep, e.config.replicas,
                                  e.config.prefill_replicas > 0
                                      ? fmt::format(" ({}P{}+{}D)", e.config.prefill_replicas,
                                                    prefill_tp_of(e.config) != e.config.tp
                                                        ? fmt::format(" tp{}", prefill_tp_of(e.config))
                                                        : "",
                                                    e.config.replicas - e.config.prefill_replicas)
                                      : "",
                                  e.config.max_batch, e.config.chunk_tokens);
      if (r.tp == 0) v.note = "tp searched";
      if (r.spec.engine_defaults) v.note += std::string(v.note.empty() ? "" : ", ") + "engine's default limits";
      if (r.spec.fixed_max_batch > 0) {
        v.note += fmt::format("{}max batch {} given", v.note.empty() ? "" : ", ", r.spec.fixed_max_batch);
      }
      if (r.spec.fixed_chunk_tokens > 0) {
        v.note += fmt::format("{}chunk {} given", v.note.empty() ? "" : ", ", r.spec.fixed_chunk_tokens);
      }
      (cal ? inf_cal : inf_val).push_back(v.error);
    }
    rep.rows.push_back(std::move(v));
  }

  if (const nlohmann::json* list = reference_list(catalog, "training")) {
    int index = 0;
    for (const nlohmann::json& e : *list) {
      ValidationRow v;
      v.kind = "training";
      v.role = str_or(e, "role");
      v.index = index++;
      v.model = str_or(e, "model");
      v.accelerator = str_or(e, "accelerator");
      v.precision = str_or(e, "precision");
      v.scenario = str_or(e, "recompute").empty() ? "pretraining" : "recompute " + str_or(e, "recompute");
      v.gpus = int_or(e, "gpus", 0);
      v.shape = fmt::format("seq {} x {}", int_or(e, "seq", 0), int_or(e, "global_batch", 0));
      v.error_class = error_class_of(catalog, v.model, v.accelerator);
      const bool cal = v.role == "calibration";
      const double step = num_or(e, "step_time_s", 0.0);
      const double tps_gpu = num_or(e, "tokens_per_s_per_gpu", 0.0);
      const double tflops = num_or(e, "model_tflops_per_gpu", 0.0);
      v.quantity = step > 0.0 ? "step_time_s" : tps_gpu > 0.0 ? "tokens_per_s_per_gpu" : "model_tflops_per_gpu";
      v.measured = step > 0.0 ? step : tps_gpu > 0.0 ? tps_gpu : tflops;
      TrainingRowResult r;
      if (v.measured <= 0.0) {
        r.reason = "missing field: none of step_time_s, tokens_per_s_per_gpu, model_tflops_per_gpu";
      } else {
        r = estimate_training_reference(catalog, e, backend);
      }
      if (!r.ok) {
        v.skipped = true;
        v.reason = r.reason;
        ++(cal ? tr_cal_skip : tr_val_skip);
      } else {
        const TrainingEstimate& est = r.est;
        v.estimate = step > 0.0 ? est.step_time_s
                     : tps_gpu > 0.0 ? est.tokens_per_s / std::max(1, v.gpus)
                                     : est.model_tflops_per_gpu;
        v.error = v.estimate / v.measured - 1.0;
        v.config = training_config_json(r.config);
        v.config_text = training_config_text(r.config);
        v.note = r.note;
        (cal ? tr_cal : tr_val).push_back(v.error);
      }
      rep.rows.push_back(std::move(v));
    }
  }
  rep.inference_calibration = summarize_errors(inf_cal);
  rep.inference_calibration.skipped = inf_cal_skip;
  rep.inference_validation = summarize_errors(inf_val);
  rep.inference_validation.skipped = inf_val_skip;
  rep.training_calibration = summarize_errors(tr_cal);
  rep.training_calibration.skipped = tr_cal_skip;
  rep.training_validation = summarize_errors(tr_val);
  rep.training_validation.skipped = tr_val_skip;
  rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

namespace {

nlohmann::json summary_json(const ErrorSummary& s) {
  return {{"rows", s.rows},
          {"skipped", s.skipped},
          {"median_abs_error", s.median_abs_error},
          {"max_abs_error", s.max_abs_error}};
}

}  // namespace

nlohmann::json validation_json(const ValidationReport& rep) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ValidationRow& r : rep.rows) {
    nlohmann::json j = {{"kind", r.kind},         {"role", r.role},         {"index", r.index},
                        {"model", r.model},       {"accelerator", r.accelerator},
                        {"precision", r.precision}, {"scenario", r.scenario}, {"gpus", r.gpus},
                        {"shape", r.shape},       {"quantity", r.quantity}, {"measured", r.measured},
                        {"status", r.skipped ? "skipped" : "estimated"}};
    if (r.skipped) {
      j["reason"] = r.reason;
    } else {
      j["estimate"] = r.estimate;
      j["error"] = r.error;
      j["config"] = r.config;
    }
    if (!r.note.empty()) j["note"] = r.note;
    if (!r.engine.empty()) j["engine"] = r.engine;
    rows.push_back(std::move(j));
  }
  return {{"rows", rows},
          {"summary",
           {{"inference",
             {{"calibration", summary_json(rep.inference_calibration)},
              {"validation", summary_json(rep.inference_validation)}}},
            {"training",
             {{"calibration", summary_json(rep.training_calibration)},
              {"validation", summary_json(rep.training_validation)}}}}},
          {"requests_per_row", rep.requests_per_row},
          {"openorca_mean_input", kOpenOrcaMeanInput},
          {"openorca_mean_output", kOpenOrcaMeanOutput},
          {"backend", rep.backend}};
}

void print_validation(std::ostream& os, const ValidationReport& rep) {
  os << fmt::format("{:<9} {:<11} {:<15} {:<13} {:<4} {:>4} {:<17} {:<20} {:>11} {:>11} {:>8}  {}\n", "workload",
                    "role", "model", "accelerator", "prec", "gpus", "scenario", "shape", "measured", "estimate", "error",
                    "configuration / reason");
  for (const ValidationRow& r : rep.rows) {
    os << fmt::format("{:<9} {:<11} {:<15} {:<13} {:<4} {:>4} {:<17} {:<20} {:>11.5g} ", r.kind, r.role, r.model,
                      r.accelerator, r.precision, r.gpus, r.scenario, r.shape, r.measured);
    if (r.skipped) {
      os << fmt::format("{:>11} {:>8}  skipped: {}\n", "-", "-", r.reason);
    } else {
      os << fmt::format("{:>11.5g} {:>+7.1f}%  {}{}{}\n", r.estimate, 100.0 * r.error, r.config_text,
                        r.note.empty() ? "" : "; ", r.note);
    }
  }
  os << "(inference and tokens_per_s_per_gpu rows compare throughput, step_time_s rows compare step time; error = "
        "estimate / measured - 1)\n";
  const auto line = [&](const char* name, const ErrorSummary& s) {
    os << fmt::format("{:<22} {:>2} rows, {} skipped: median |error| {:>5.1f} %, max {:>5.1f} %\n", name, s.rows,
                      s.skipped, 100.0 * s.median_abs_error, 100.0 * s.max_abs_error);
  };
  line("inference calibration:", rep.inference_calibration);
  line("inference validation:", rep.inference_validation);
  line("training calibration:", rep.training_calibration);
  line("training validation:", rep.training_validation);
}

}  // namespace aidc
