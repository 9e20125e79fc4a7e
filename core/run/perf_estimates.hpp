#pragma once
// Throughput estimates for the command line and the reference validation: an inference request (model,
// accelerator, GPUs, precision, request lengths, optional concurrency and SLOs) or a training run → the best
// configuration the kernels' searches find, with its estimate. Catalog names are resolved by the caller
// (core/scenario/perf_catalog.hpp); this layer only builds the kernels' problems and runs the searches.
//
// estimate_inference() is the one place that calls the inference search: switching to the parallel search is a
// change of one call in perf_estimates.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/backend.hpp"
#include "kernels/inference_search.hpp"
#include "kernels/training_search.hpp"

namespace aidc {

// Requests per simulated replica when the caller does not say: the count the calibration was checked with. Fewer
// (600-700) are enough for saturated throughput, but the MLPerf-server rate search needs the longer stream: with
// 600 requests the H100 server row comes out 27 % low instead of 15 % (the latency bounds are met only at lower
// rates while the finite stream is still in its transient). 2000 requests cost ~1 ms per configuration.
inline constexpr int kDefaultInferenceRequests = 2000;

struct InferenceRequestSpec {
  std::string model;        // names, for messages
  std::string accelerator;
  LlmArch arch;
  AcceleratorSpec accel;
  Precision precision = Precision::Fp8;
  int gpus = 1;
  int fixed_tp = 0;         // 0: searched
  int fixed_pp = 0;
  int fixed_ep = 0;         // 0: searched (MoE only)
  int fixed_max_batch = 0;  // > 0: this scheduler limit instead of the search's (sequences in flight per replica)
  int fixed_chunk_tokens = 0;  // > 0: this token budget per iteration instead of the search's
  // Run the engine's default scheduler limits (engine_default_limits, kernels/inference_model.hpp: what a plain
  // `vllm serve` gets on this GPU) instead of searching them; a fixed limit above wins over the default.
  bool engine_defaults = false;
  KvCacheDtype kv_cache = KvCacheDtype::Auto;  // what the KV cache is stored in (Auto: FP8 with FP8/FP4 weights)
  int isl = 1024, osl = 256;  // every request has these lengths
  int n_requests = kDefaultInferenceRequests;
  int concurrency = 0;      // clients over the deployment; 0: saturated (maximum throughput)
  double arrival_rate_per_s = 0.0;  // > 0: open loop, Poisson arrivals at this rate (concurrency ignored)
  double ttft_slo_s = 0.0;  // p99 bounds; 0: none
  double tpot_slo_s = 0.0;
  std::optional<InferenceEfficiency> efficiency;  // default: inference_efficiency(generation, precision)
  ServingEngine engine = ServingEngine::TrtLlm;
  ServingMode serving = ServingMode::Aggregated;  // co-located, disaggregated prefill/decode, or either
  int prefill_instances = 0;  // > 0: disaggregated with this many prefill instances (the rest decode)
  int prefill_tp = 0;         // > 0: disaggregated with the prefill instances at this tp (0: searched; decode: fixed_tp)
  bool keep_all = false;    // return every evaluated configuration and estimate
  // n_requests prompts for the whole deployment, all there at t = 0 (or behind `concurrency` clients), throughput =
  // their output tokens over the time to the last finish: what vllm bench serve / sglang bench_serving with
  // --request-rate inf and benchmark_throughput.py report (InferenceProblem::makespan). Co-located serving only.
  bool makespan = false;
};

struct InferenceOutcome {
  bool found = false;               // a feasible configuration meeting the SLOs exists
  std::string reason;               // why not, in numbers; empty when found
  InferenceConfig config;           // the best
  InferenceEstimate estimate;       // of `config`
  InferenceSearchResult search;
  int configs_evaluated = 0;
  Backend backend = Backend::Cpu;   // the backend that ran
  std::vector<InferenceConfig> configs;      // keep_all only
  std::vector<InferenceEstimate> estimates;  // keep_all only
};

// The scheduler limits the search holds fixed for `spec` (0: searched): the engine's defaults when
// spec.engine_defaults, overridden by fixed_max_batch / fixed_chunk_tokens; max_batch capped at kMaxBatchLimit.
SchedulerLimits scheduler_limits(const InferenceRequestSpec& spec);

// A problem that cannot have any configuration whatever the search does (precision the accelerator lacks, GPUs
// not divisible by a fixed tp, tp beyond the scale-up domain or the heads): the reason, or "".
std::string inference_request_error(const InferenceRequestSpec& spec);

// The adapter: builds the request stream and the problem, runs the search on `backend`, explains a failure.
InferenceOutcome estimate_inference(const InferenceRequestSpec& spec, Backend backend = Backend::Auto);

// A service with a request length mix (scenario workloads[].mix; empty: spec's isl/osl only). Each class is
// estimated on its own (spec with the class's isl/osl); an instance serving the mix is taken to time-share its
// classes, so its request rate is 1 / Σ share_i / rate_i and its output tokens/s that rate × Σ share_i osl_i
// (an approximation: it ignores batching requests of different classes together). The outcome returned is the
// largest-share class's (configuration, latencies, tables), with estimate.output_tokens_per_s replaced by the
// mix's; found only when every class fits its SLOs (reason: the first that does not, with its lengths).
struct RequestClass;
InferenceOutcome estimate_inference_mix(const InferenceRequestSpec& spec, const std::vector<RequestClass>& mix,
                                        Backend backend = Backend::Auto);

struct TrainingRequestSpec {
  std::string model;
  std::string accelerator;
  LlmArch arch;
  AcceleratorSpec accel;
  Precision precision = Precision::Bf16;
  int gpus = 1;
  int seq = 4096;
  double global_batch_tokens = 0.0;
  int fixed_tp = 0, fixed_pp = 0, fixed_cp = 0;  // 0: searched
  int fixed_schedule = -1;                       // a PipelineSchedule; -1: searched
  int fixed_interleave = 0;                      // virtual stages per GPU; 0: searched
  bool flash_attention = true;                   // FlashAttention-style fused attention; false: standard (2022)
  bool keep_all = false;                         // return every evaluated configuration and estimate
};

struct TrainingOutcome {
  bool found = false;
  std::string reason;
  TrainingConfig config;
  TrainingEstimate estimate;
  std::int64_t configs_evaluated = 0;
  Backend backend = Backend::Cpu;
  std::vector<TrainingConfig> configs;      // keep_all only
  std::vector<TrainingEstimate> estimates;  // keep_all only
};

TrainingProblem training_problem(const TrainingRequestSpec& spec);
TrainingOutcome estimate_training(const TrainingRequestSpec& spec, Backend backend = Backend::Auto);

// Host-side owner of a batching simulation's scratch memory.
struct BatchingScratchOwner {
  std::vector<RequestState> states;
  std::vector<double> values;
  std::vector<long long> heap;
  std::vector<int> queue;
  BatchingScratch s;
  explicit BatchingScratchOwner(int n, int batch = kMaxBatchLimit);
};

// n requests of fixed lengths.
std::vector<InferenceRequest> fixed_length_requests(int n, int isl, int osl);
// Poisson arrivals at `rate` per second (deterministic 64-bit LCG, exponential gaps).
void set_poisson_arrivals(std::vector<InferenceRequest>& r, double rate, std::uint64_t seed = 12345);

std::string recompute_name(Recompute r);
// The single modules of a kRecompute* bit set by Megatron-core's names ("layernorm", "moe_act", "mlp",
// "mla_up_proj"), and one name's bit (0 for none of them).
std::vector<std::string> recompute_module_names(int modules);
int recompute_module_bit(const std::string& name);
// What a configuration recomputes, in one word: "none", "selective", "full", or its modules ("mla_up_proj+mlp",
// "selective+layernorm").
std::string recompute_label(const TrainingConfig& c);
// "1f1b", "zero-bubble", "dualpipe"; and back (-1 for "searched" or anything else).
std::string schedule_name(PipelineSchedule s);
int schedule_from_name(const std::string& name);
// The serving engines by name ("trtllm", "vllm", "sglang", "trtllm-serve"; engine_name in kernels/inference_search.hpp); `where`
// names the flag or JSON path in the BadInput an unknown name raises.
ServingEngine parse_engine(const std::string& name, const std::string& where);
inline const char* const kEngineNames = "trtllm, vllm, sglang, trtllm-serve";

// Serving modes by name: "aggregated", "disaggregated", "any" (serving_mode_name in kernels/inference_search.hpp).
ServingMode parse_serving_mode(const std::string& name, const std::string& where);
inline const char* const kServingModeNames = "aggregated, disaggregated, any";

// A name given, or else the default: disaggregated when a prefill count or tp is fixed, aggregated otherwise.
ServingMode serving_mode_or_default(const std::string& name, int prefill_instances, const std::string& where,
                                    int prefill_tp = 0);

// "8 replicas" or, disaggregated, "3 prefill + 5 decode instances", and "4 prefill (tp 2) + 1 decode instances"
// when the prefill instances' tp differs from the decode instances'.
std::string inference_instances_text(const InferenceConfig& c);
// "tp 1, pp 1, ep 1, 8 replicas" or, disaggregated, "tp 1, pp 1, ep 1, 3 prefill + 5 decode instances" (tp and ep:
// the decode instances').
std::string inference_layout_text(const InferenceConfig& c);
// The layers per pipeline stage of an estimate: "8 per stage", or for Megatron's uneven placement
// "7 + 14 x 8 + 7 (uneven: ...)"; "" for pp 1.
std::string pipeline_layout_text(const TrainingEstimate& e, int pp, int interleave = 1);

// The message for a GPU count a fixed tp does not divide ("--gpus 6 is not divisible by --tp 4 (...)"), or "".
std::string tp_divisibility_error(int gpus, int tp);

// A configuration's parallel degrees and batching, as in the estimate commands' and the validation's JSON.
nlohmann::json inference_config_json(const InferenceConfig& c);
nlohmann::json training_config_json(const TrainingConfig& c);

}  // namespace aidc
