#include "core/cli/perf_commands.hpp"

#include <cmath>
#include <iostream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli/cli_errors.hpp"
#include "core/run/fleet_validation.hpp"
#include "core/run/perf_estimates.hpp"
#include "core/run/estimator_errors.hpp"
#include "core/run/reference_validation.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernels/inference_calibration.hpp"

namespace aidc {

namespace {

Backend backend_from(const std::string& text) {
  Backend b;
  try {
    b = parse_backend(text);
  } catch (const std::invalid_argument& e) {
    throw Refused(std::string("--backend: ") + e.what());
  }
  try {
    return resolve_backend(b);
  } catch (const std::runtime_error& e) {
    throw Refused(std::string("--backend: ") + e.what());
  }
}

// The fields both estimate commands share: model and accelerator resolved in the catalog, precision, GPU count.
template <class Spec>
void fill_model_and_hardware(const Catalog& catalog, Spec& spec, const EstimateOptions& o) {
  spec.model = o.model;
  spec.accelerator = o.accelerator;
  spec.arch = llm_arch_from_catalog(catalog, o.model, "--model");
  spec.accel = accelerator_from_catalog(catalog, o.accelerator, "--accelerator");
  spec.precision = parse_precision(o.precision, "--precision");
  spec.gpus = o.gpus;
}

}  // namespace

namespace {

// What the held-out validation rows say about estimates of this class (validation_error_band, from
// scenarios/catalog/estimator_errors.json), so a reader can weigh the number: in the text output a sentence, in JSON
// the figures.
std::string error_band_text(const ValidationErrorBand& b) {
  const std::string apart =
      b.disaggregated_missing ? fmt::format("; disaggregated serving has fewer than {} held-out measurements, too few "
                                            "for a band of its own: this one is mostly co-located serving's",
                                            kMinClassRows)
                              : "";
  if (!b.found) return "no held-out measurements of this class in the catalog" + apart;
  const double off = std::exp(-b.log_ratio_mean) - 1.0;  // estimate / measured - 1 at the mean log ratio
  return fmt::format("{} held-out measurement{} ({}): median |error| {:.1f} %, max {:.1f} %, {:.0f} % {} on average "
                     "(aidcsim validate)",
                     b.rows, b.rows == 1 ? "" : "s", b.error_class, 100.0 * b.median_abs_error,
                     100.0 * b.max_abs_error, 100.0 * std::abs(off), off >= 0.0 ? "high" : "low") +
         apart;
}

nlohmann::json error_band_json(const ValidationErrorBand& b) {
  if (!b.found) return nullptr;
  return {{"class", b.error_class},
          {"rows", b.rows},
          {"median_abs_error", b.median_abs_error},
          {"max_abs_error", b.max_abs_error},
          {"log_ratio_mean", b.log_ratio_mean},
          {"disaggregated_class_missing", b.disaggregated_missing}};
}

// Legal but implausible: more tokens per sequence than the model's context window (llm_models.json max_context, the
// positions it was trained for). A warning on stderr and in the JSON, not a refusal: long-context variants exist.
std::vector<std::string> context_warnings(const Catalog& catalog, const std::string& model, long long tokens,
                                          const std::string& what) {
  const nlohmann::json* e = catalog.entry("llm_models", model);
  if (e == nullptr || !e->contains("max_context") || !(*e)["max_context"].is_number()) return {};
  const long long window = (*e)["max_context"].get<long long>();
  if (window <= 0 || tokens <= window) return {};
  return {fmt::format("{} = {} tokens exceed {}'s context window of {} (max_context in llm_models.json): the "
                      "estimate assumes a variant that serves or trains that length",
                      what, tokens, model, window)};
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) std::cerr << "aidcsim: warning: " << w << '\n';
}

// Where each scheduler limit came from: "searched", "engine defaults", "given" or, for a max_batch above the
// enumeration's largest, "given, capped at 1024". One source for the JSON and the text.
struct LimitSources {
  std::string max_batch, chunk_tokens;
};

LimitSources scheduler_limit_sources(const InferenceRequestSpec& spec) {
  InferenceRequestSpec defaults_only = spec;
  defaults_only.fixed_max_batch = 0;
  defaults_only.fixed_chunk_tokens = 0;
  const SchedulerLimits d = scheduler_limits(defaults_only);
  auto from = [&](int fixed, int engine_default) -> std::string {
    if (fixed > 0) return "given";
    return spec.engine_defaults && engine_default > 0 ? "engine defaults" : "searched";
  };
  LimitSources l{from(spec.fixed_max_batch, d.max_batch), from(spec.fixed_chunk_tokens, d.chunk_tokens)};
  if (spec.fixed_max_batch > kMaxBatchLimit) l.max_batch = fmt::format("given, capped at {}", kMaxBatchLimit);
  return l;
}

nlohmann::json scheduler_limits_json(const LimitSources& l) {
  return {{"max_batch", l.max_batch}, {"chunk_tokens", l.chunk_tokens}};
}

const char* kv_cache_name(const InferenceRequestSpec& spec, const InferenceEfficiency& eff) {
  return kv_cache_bytes_per_elem(spec.precision, effective_kv_cache(spec.accel, spec.precision, eff, spec.kv_cache)) >
                 1.5
             ? "bf16"
             : "fp8";
}

// The disaggregated deployment's balance (null when co-located).
nlohmann::json disaggregated_json(const InferenceConfig& c, const InferenceEstimate& e) {
  if (c.prefill_replicas <= 0) return nullptr;
  return {{"prefill_instances", c.prefill_replicas},
          {"decode_instances", c.replicas - c.prefill_replicas},
          {"prefill_tp", prefill_tp_of(c)},
          {"prefill_ep", prefill_ep_of(c)},
          {"prefill_weights_gb_per_gpu", e.prefill_weights_bytes_per_gpu / 1e9},
          {"prefill_kv_capacity_tokens", e.prefill_kv_capacity_tokens},
          {"prefill_capacity_tokens_per_s", e.prefill_capacity_tokens_per_s},
          {"decode_capacity_tokens_per_s", e.decode_capacity_tokens_per_s},
          {"transfer_capacity_tokens_per_s", e.transfer_capacity_tokens_per_s},
          {"clients_capacity_tokens_per_s",
           e.clients_capacity_tokens_per_s > 0.0 ? nlohmann::json(e.clients_capacity_tokens_per_s) : nlohmann::json(nullptr)},
          {"kv_transfer_s", e.kv_transfer_s},
          {"kv_transfer_bytes_per_s", e.kv_transfer_bytes_per_s}};
}

}  // namespace

int run_estimate_inference(const EstimateOptions& o) {
  return guarded(o.json, [&] {
    const Backend backend = backend_from(o.backend);
    InferenceRequestSpec spec;
    const Catalog catalog = Catalog::embedded();  // parsed once per command
    fill_model_and_hardware(catalog, spec, o);
    spec.fixed_tp = o.tp;
    spec.fixed_pp = o.pp;
    spec.fixed_ep = o.ep;
    spec.isl = o.isl;
    spec.osl = o.osl;
    spec.concurrency = o.concurrency;
    spec.ttft_slo_s = o.ttft_slo_s;
    spec.tpot_slo_s = o.tpot_slo_s;
    spec.n_requests = o.burst > 0 ? o.burst : o.requests;
    spec.makespan = o.burst > 0;
    spec.engine = parse_engine(o.engine, "--engine");
    spec.engine_defaults = o.engine_defaults;
    spec.kv_cache = o.kv_cache == "bf16" ? KvCacheDtype::Bf16 : o.kv_cache == "fp8" ? KvCacheDtype::Fp8 : KvCacheDtype::Auto;
    spec.fixed_max_batch = o.max_batch;
    spec.fixed_chunk_tokens = o.chunk_tokens;
    spec.prefill_instances = o.prefill_instances;
    spec.prefill_tp = o.prefill_tp;
    spec.serving = serving_mode_or_default(o.serving, o.prefill_instances, "--serving", o.prefill_tp);
    if (const std::string err = inference_request_error(spec); !err.empty()) throw Refused(err);
    std::vector<std::string> warnings =
        context_warnings(catalog, o.model, static_cast<long long>(o.isl) + o.osl, fmt::format("--isl {} + --osl {}", o.isl, o.osl));
    print_warnings(warnings);
    const InferenceOutcome r = estimate_inference(spec, backend);
    if (!r.found) throw Refused(r.reason);
    const InferenceEstimate& e = r.estimate;
    const InferenceConfig& c = r.config;
    const InferenceEfficiency eff = inference_efficiency(spec.accel.generation, spec.precision, spec.engine);
    const bool weight_only = fp8_weight_only(spec.accel, spec.precision, eff);
    const char* kv_cache = kv_cache_name(spec, eff);
    const ValidationErrorBand band =
        validation_error_band(catalog, "inference", spec.arch, spec.accel, o.engine, c.prefill_replicas > 0);
    if (o.burst == 0 && o.concurrency == 0 && 3.0 * e.mean_batch > spec.n_requests) {
      // Legal but implausible: saturated throughput is measured from the first finish over whole cycles of one
      // client (kernels/inference_batching.hpp); under three batches (the mean batch in flight) of requests per
      // replica that window is short or empty (then the run's average, ramp-up and drain included). Measured on 8B /
      // H100 / 128-2048: 100 requests 33 % low, 700 1.6 % low, 2000 within 0.1 % of the 22,380 of 6000.
      warnings.push_back(fmt::format("{} requests per replica are under 3 batches (mean batch {:.0f}): the saturated "
                                     "figure comes from a short or empty steady state and may be low; raise "
                                     "--requests",
                                     spec.n_requests, e.mean_batch));
      print_warnings({warnings.back()});
    }
    if (o.json) {
      const nlohmann::json j = {
          {"model", o.model},
          {"accelerator", o.accelerator},
          {"gpus", o.gpus},
          {"precision", o.precision},
          {"engine", o.engine},
          {"serving", c.prefill_replicas > 0 ? "disaggregated" : "aggregated"},
          {"isl", o.isl},
          {"osl", o.osl},
          {"concurrency", o.concurrency > 0 ? nlohmann::json(o.concurrency) : nlohmann::json("saturated")},
          {"ttft_slo_s", o.ttft_slo_s > 0 ? nlohmann::json(o.ttft_slo_s) : nlohmann::json(nullptr)},
          {"tpot_slo_s", o.tpot_slo_s > 0 ? nlohmann::json(o.tpot_slo_s) : nlohmann::json(nullptr)},
          {"output_tokens_per_s", e.output_tokens_per_s},
          {"output_tokens_per_s_per_gpu", e.output_tokens_per_s_per_gpu},
          {"ttft_p50_s", e.ttft_p50_s},
          {"ttft_p99_s", e.ttft_p99_s},
          {"tpot_p50_s", e.tpot_p50_s},
          {"tpot_p99_s", e.tpot_p99_s},
          {"requests_within_slo", o.ttft_slo_s > 0 || o.tpot_slo_s > 0 ? nlohmann::json(e.slo_attainment)
                                                                   : nlohmann::json(nullptr)},
          {"mean_batch_per_replica", e.mean_batch},
          {"preemptions_per_replica", e.preemptions},
          {"weights_gb_per_gpu", e.weights_bytes_per_gpu / 1e9},
          {"kv_capacity_tokens_per_replica", e.kv_capacity_tokens},
          {"kv_cache_dtype", kv_cache},
          {"gemm_precision", weight_only ? "bf16 (fp8 weights dequantized: weight-only W8A16)"
                                         : precision_name(spec.precision)},
          {"config", inference_config_json(c)},
          {"scheduler_limits", scheduler_limits_json(scheduler_limit_sources(spec))},
          {"disaggregated", disaggregated_json(c, e)},
          {"requests_per_replica", o.burst > 0 ? nlohmann::json(nullptr) : nlohmann::json(o.requests)},
          {"burst_prompts", o.burst > 0 ? nlohmann::json(o.burst) : nlohmann::json(nullptr)},
          {"backend", backend_name(r.backend)},
          {"configs_evaluated", r.configs_evaluated},
          {"validation_error", error_band_json(band)},
          {"warnings", warnings}};
      std::cout << j.dump(2) << '\n';
    } else {
      std::string clients =
          o.concurrency > 0 ? fmt::format("{} concurrent client{}", o.concurrency, o.concurrency == 1 ? "" : "s")
                            : "saturated (maximum throughput)";
      if (o.burst > 0) {
        clients = fmt::format("a burst of {} prompts {}, timed to the last finish", o.burst,
                              o.concurrency > 0 ? fmt::format("behind {} clients", o.concurrency) : "sent at once");
      }
      std::cout << fmt::format("{} on {} x {}, {}, {} in / {} out tokens, {}, {}\n", o.model, o.gpus, o.accelerator,
                               o.precision, o.isl, o.osl, clients, o.engine);
      std::cout << fmt::format("  output tokens/s   {:.0f} ({:.0f} per GPU)\n", e.output_tokens_per_s,
                               e.output_tokens_per_s_per_gpu);
      std::cout << fmt::format("  TTFT p50 / p99    {:.3f} / {:.3f} s\n", e.ttft_p50_s, e.ttft_p99_s);
      if (o.osl < 2) {
        std::cout << "  TPOT p50 / p99    n/a (one output token per request: no time between tokens)\n";
      } else {
        std::cout << fmt::format("  TPOT p50 / p99    {:.1f} / {:.1f} ms\n", 1e3 * e.tpot_p50_s, 1e3 * e.tpot_p99_s);
      }
      if (o.ttft_slo_s > 0 || o.tpot_slo_s > 0) {
        std::string bounds;
        if (o.ttft_slo_s > 0) bounds = fmt::format("TTFT <= {:g} s", o.ttft_slo_s);
        if (o.tpot_slo_s > 0) bounds += fmt::format("{}TPOT <= {:g} ms", bounds.empty() ? "" : " and ", 1e3 * o.tpot_slo_s);
        std::cout << fmt::format("  within the SLOs   {:.1f} % of requests ({}, each request's own; the p99s above "
                                 "are what the search checks)\n",
                                 100.0 * e.slo_attainment, bounds);
      }
      const LimitSources src = scheduler_limit_sources(spec);
      auto mark = [](const std::string& source) { return source == "searched" ? std::string() : " (" + source + ")"; };
      std::cout << fmt::format("  configuration     {}, max batch {}{}, chunk {} tokens{}\n", inference_layout_text(c),
                               c.max_batch, mark(src.max_batch), c.chunk_tokens, mark(src.chunk_tokens));
      if (c.prefill_replicas > 0) {
        const double slowest = e.output_tokens_per_s;
        auto mark = [&](double v) { return v <= slowest * (1.0 + 1e-9) ? "  <- sets the rate" : ""; };
        std::cout << fmt::format("  prefill side      {:.0f} output tokens/s could be fed{}\n",
                                 e.prefill_capacity_tokens_per_s, mark(e.prefill_capacity_tokens_per_s));
        std::cout << fmt::format("  decode side       {:.0f} output tokens/s could be produced{}\n",
                                 e.decode_capacity_tokens_per_s, mark(e.decode_capacity_tokens_per_s));
        std::cout << fmt::format("  KV transfer       {:.1f} ms per mean prompt at {:.0f} GB/s per instance pair "
                                 "(in TTFT); the links allow {:.0f} output tokens/s{}\n",
                                 1e3 * e.kv_transfer_s, e.kv_transfer_bytes_per_s / 1e9,
                                 e.transfer_capacity_tokens_per_s, mark(e.transfer_capacity_tokens_per_s));
        if (e.clients_capacity_tokens_per_s > 0.0) {
          std::cout << fmt::format("  clients           {} ask for {:.0f} output tokens/s (one request each per "
                                   "request latency){}\n",
                                   spec.concurrency, e.clients_capacity_tokens_per_s,
                                   mark(e.clients_capacity_tokens_per_s));
        }
      }
      const char* kv_text = std::string(kv_cache) == "bf16" ? "16-bit" : "fp8";
      if (c.prefill_replicas > 0) {
        std::cout << fmt::format("  memory            prefill instance: {:.1f} GB weights per GPU, KV cache {:.0f} "
                                 "tokens; decode instance: {:.1f} GB, {:.0f} tokens ({})\n",
                                 e.prefill_weights_bytes_per_gpu / 1e9, e.prefill_kv_capacity_tokens,
                                 e.weights_bytes_per_gpu / 1e9, e.kv_capacity_tokens, kv_text);
      } else {
        std::cout << fmt::format("  memory            {:.1f} GB weights per GPU, KV cache {:.0f} tokens per replica ({})\n",
                                 e.weights_bytes_per_gpu / 1e9, e.kv_capacity_tokens, kv_text);
      }
      if (weight_only) {
        std::cout << fmt::format("  weight-only fp8   {} has no FP8 arithmetic: {} dequantizes the 8-bit weights to "
                                 "BF16 in its GEMMs (FP8 Marlin, W8A16), which run at the BF16 peak\n",
                                 spec.accelerator, o.engine);
      }
      std::cout << fmt::format("  engine            {}: {}\n", o.engine,
                               engine_kv_on_demand(spec.engine) == 0
                                   ? std::string("each request's whole context reserved at admission "
                                                 "(GUARANTEED_NO_EVICT)")
                               : engine_kv_on_demand(spec.engine) == 2
                                   ? fmt::format("KV grown on demand, admission keeping room for new_token_ratio "
                                                 "(0.7 falling to 0.098) of the tokens to come, {} retraction(s) per "
                                                 "replica (recomputed)",
                                                 e.preemptions)
                                   : fmt::format("KV grown on demand, {} preemption(s) per replica (recomputed)",
                                                 e.preemptions));
      if (spec.engine != ServingEngine::TrtLlm) {
        const InferenceEfficiency fp8 = inference_efficiency(spec.accel.generation, Precision::Fp8, spec.engine);
        const InferenceEfficiency trt = inference_efficiency(spec.accel.generation, Precision::Fp8);
        if (fp8.prompt_token_overhead_s != trt.prompt_token_overhead_s ||
            fp8.sequence_overhead_s != trt.sequence_overhead_s) {
          std::cout << fmt::format("                    its own calibration (served runs through its OpenAI server): "
                                   "{:.1f} us of host time per prompt token and {:.0f} us per sequence per step "
                                   "(trtllm-bench {:.0f} and {:.0f} us), trtllm's kernels\n",
                                   1e6 * fp8.prompt_token_overhead_s, 1e6 * fp8.sequence_overhead_s,
                                   1e6 * trt.prompt_token_overhead_s, 1e6 * trt.sequence_overhead_s);
        }
      }
      std::cout << fmt::format("  checked against   {}\n",
                               error_band_text(band));
      std::cout << fmt::format("  searched          {} configuration{} on {}\n", r.configs_evaluated,
                               r.configs_evaluated == 1 ? "" : "s", backend_name(r.backend));
    }
    return 0;
  });
}

int run_estimate_training(const EstimateOptions& o) {
  return guarded(o.json, [&] {
    const Backend backend = backend_from(o.backend);
    TrainingRequestSpec spec;
    const Catalog catalog = Catalog::embedded();  // parsed once per command
    fill_model_and_hardware(catalog, spec, o);
    spec.seq = o.seq;
    spec.global_batch_tokens = o.global_batch_tokens;
    spec.fixed_tp = o.tp;
    spec.fixed_pp = o.pp;
    spec.fixed_cp = o.cp;
    spec.flash_attention = o.attention != "standard";
    spec.fixed_schedule = schedule_from_name(o.schedule);
    spec.fixed_interleave = o.interleave;
    if (const std::string err = tp_divisibility_error(o.gpus, o.tp); !err.empty()) throw Refused(err);
    const std::vector<std::string> warnings = context_warnings(catalog, o.model, o.seq, fmt::format("--seq {}", o.seq));
    print_warnings(warnings);
    const TrainingOutcome r = estimate_training(spec, backend);
    if (!r.found) throw Refused(fmt::format("{} on {} x {}: ", o.model, o.gpus, o.accelerator) + r.reason);
    const TrainingEstimate& e = r.estimate;
    const TrainingConfig& c = r.config;
    const ValidationErrorBand band = validation_error_band(catalog, "training", spec.arch, spec.accel);
    if (o.json) {
      const nlohmann::json j = {{"model", o.model},
                                {"accelerator", o.accelerator},
                                {"gpus", o.gpus},
                                {"precision", o.precision},
                                {"attention", o.attention},
                                {"seq", o.seq},
                                {"global_batch_tokens", o.global_batch_tokens},
                                {"step_time_s", e.step_time_s},
                                {"tokens_per_s", e.tokens_per_s},
                                {"tokens_per_s_per_gpu", e.tokens_per_s / o.gpus},
                                {"model_tflops_per_gpu", e.model_tflops_per_gpu},
                                {"mfu", e.mfu},
                                {"memory_per_gpu_gb", e.memory_bytes / 1e9},
                                {"usable_memory_per_gpu_gb", e.usable_bytes / 1e9},
                                {"stage_layers",
                                 {{"first", e.stage_layers_first},
                                  {"middle_max", e.stage_layers_middle},
                                  {"last", e.stage_layers_last}}},
                                {"step_parts_s",
                                 {{"compute", e.compute_s},
                                  {"bubble", e.bubble_s},
                                  {"tp_comm", e.tp_comm_s},
                                  {"pp_comm", e.pp_comm_s},
                                  {"dp_comm", e.dp_comm_s},
                                  {"cp_comm", e.cp_comm_s},
                                  {"ep_comm", e.ep_comm_s},
                                  {"optimizer", e.optimizer_s}}},
                                {"config", training_config_json(c)},
                                {"backend", backend_name(r.backend)},
                                                      {"configs_evaluated", r.configs_evaluated},
                                {"validation_error", error_band_json(band)},
                                {"warnings", warnings}};
      std::cout << j.dump(2) << '\n';
    } else {
      std::cout << fmt::format("{} training on {} x {}, {}, {} attention, sequence {}, {:.0f} tokens per step\n",
                               o.model, o.gpus, o.accelerator, o.precision, o.attention, o.seq, o.global_batch_tokens);
      std::cout << fmt::format("  step time         {:.3f} s ({:.0f} tokens/s, {:.0f} per GPU)\n", e.step_time_s,
                               e.tokens_per_s, e.tokens_per_s / o.gpus);
      // MFU is of the training precision's own dense peak (an fp8 run against the fp8 peak), as MLPerf and
      // Megatron report it; say which, since some reports quote fp8 runs against the bf16 peak.
      std::cout << fmt::format("  model TFLOPS/GPU  {:.0f} (MFU {:.1f} % of the {} dense peak, {:.0f} TFLOPS)\n",
                               e.model_tflops_per_gpu, 100.0 * e.mfu, o.precision,
                               e.mfu > 0.0 ? e.model_tflops_per_gpu / e.mfu : 0.0);
      std::cout << fmt::format("  memory per GPU    {:.1f} of {:.1f} GB usable\n", e.memory_bytes / 1e9,
                               e.usable_bytes / 1e9);
      std::cout << fmt::format("  configuration     tp {}, pp {}, dp {}, cp {}, ep {}{}, micro-batch {}, interleave {}, "
                               "ZeRO {}, recompute {}{}{}\n",
                               c.tp, c.pp, c.dp, c.cp, c.ep,
                               expert_tp(c) != c.tp ? fmt::format(" (expert tp {}, folded)", expert_tp(c)) : "",
                               c.micro_batch, c.interleave, c.zero,
                               recompute_label(c), c.sequence_parallel ? ", sequence parallel" : "",
                               c.pp > 1 ? ", schedule " + schedule_name(c.schedule) : "");
      if (const std::string layout = pipeline_layout_text(e, c.pp, c.interleave); !layout.empty()) {
        std::cout << "  pipeline layers   " << layout << '\n';
      }
      std::cout << fmt::format("  checked against   {}\n",
                               error_band_text(band));
      std::cout << fmt::format("  searched          {} configuration{} on {}\n", r.configs_evaluated,
                               r.configs_evaluated == 1 ? "" : "s", backend_name(r.backend));
    }
    return 0;
  });
}

int run_validate(const ValidateCliOptions& o) {
  return guarded(o.json, [&] {
    ValidationOptions vo;
    vo.backend = backend_from(o.backend);
    vo.n_requests = o.requests;
    const Catalog catalog = Catalog::embedded();  // parsed once for the rows and the fleet check
    const ValidationReport rep = validate_references(catalog, vo);
    if (o.estimator_errors) {
      std::cout << estimator_errors_catalog(estimator_errors(rep.rows), rep.backend).dump(2) << '\n';
      return 0;
    }
    const FleetValidation fleet = validate_fleet_llama3(catalog, 32, vo.backend);
    if (o.json) {
      nlohmann::json j = validation_json(rep);
      j["fleet"] = fleet_validation_json(fleet);
      std::cout << j.dump(2) << '\n';
    } else {
      print_validation(std::cout, rep);
      std::cout << estimator_errors_table(estimator_errors(rep.rows));
      std::cout << fleet_validation_text(fleet) << '\n';
    }
    return 0;
  });
}

}  // namespace aidc
