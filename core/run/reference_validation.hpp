#pragma once
// `aidcsim validate`: every reference measurement of the catalog (scenarios/catalog/reference_measurements.json,
// calibration and validation rows) against the estimate, with the signed error, and the median and maximum
// absolute error per workload (inference, training) and role (calibration, validation). The calibration tests
// use the same row estimation.
//
// Inference rows. max-throughput (TensorRT-LLM trtllm-bench): fixed input/output lengths, tp as stated, pp = 1
// searched with max_batch and chunk; saturated closed loop. MLPerf Inference Llama 2 70B on OpenOrca: output mean
// 294 tokens/sample (the reference TOKENS_PER_SAMPLE 294.45 whose +-10 % window the closed division must meet;
// NVIDIA's v5.0 DGX-H100 result, 31,106 tok/s at 106.21 samples/s = 292.9, agrees). Prompts: 48 to 1021 tokens,
// 5,463,976 in all over the 24,576 samples, mean 222.3 (the tok_input_length column of MLCommons' dataset file
// open_orca_gpt4_tokenized_llama.sampled_24576.pkl.gz, md5 c247a315b9328365f66d2c2585b35cd4, as tabulated by
// FlashLab-MBZUAI/HBFSim validation/calibration/h100-llama2-70b-calibration-protocol.json; no MLCommons page
// prints the mean). Until 2026-12-04 this was an assumed 600. Every request has the mean lengths (the spread of
// prompt lengths, 48 to 1021, is not simulated).
// mlperf-offline = saturated closed loop over all tp/pp (or the stated tp); mlperf-server = Poisson arrivals at
// the highest rate whose p99 TTFT <= 2 s and p99 TPOT <= 200 ms (MLPerf server constraints) and that the server
// sustains (steady-state output within 5 % of the offered load), found by bisection, on the offline
// configuration's tp/pp over max_batch and chunk; mlperf-interactive = the same bisection with p99 TTFT <= 450 ms
// and p99 TPOT <= 40 ms, tp (unless stated) and pp searched at each rate (the tight TPOT bound moves the best
// layout away from the offline one).
//
// Training rows. Calibration rows give step_time_s with the published configuration (tp, pp, micro-batch,
// interleave, recompute: "full" or "seq+sel" = sequence parallel + selective), ZeRO 0 (Megatron-LM 2022).
// Validation rows give tokens_per_s_per_gpu (compared) and model_tflops_per_gpu; the published tp, pp, cp,
// micro-batch, interleave and ep are fixed as far as the model allows (a degree the model's layers or heads do not
// admit, or a combination that does not fit in memory, is searched instead and named in the row's note); recompute
// null is searched; fsdp true is ZeRO 3, false is ZeRO 0 or 1 (distributed optimizer). "attention": "standard"
// (Megatron-LM 2022: the s×s softmax stored and moved; the calibration rows) or "flash" (fused FlashAttention-style
// kernels of 2023+ frameworks: the validation rows); absent means flash.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run/perf_estimates.hpp"
#include "core/scenario/catalog.hpp"

namespace aidc {

inline constexpr int kOpenOrcaMeanOutput = 294;
inline constexpr int kOpenOrcaMeanInput = 222;  // 5,463,976 prompt tokens / 24,576 samples, see above
inline constexpr double kMlperfServerTtftS = 2.0;
inline constexpr double kMlperfServerTpotS = 0.2;
// MLPerf Inference v5.0 Llama 2 70B interactive scenario: the server rules with p99 TTFT <= 450 ms and p99 TPOT
// <= 40 ms (MLCommons, "LLM inference v5.0" task-force post, April 2025).
inline constexpr double kMlperfInteractiveTtftS = 0.45;
inline constexpr double kMlperfInteractiveTpotS = 0.04;

// Offline: saturated, steady-state throughput (trtllm-bench, MLPerf offline). Burst: a fixed set of `prompts` all
// sent at t = 0 (or behind `concurrency` clients), throughput = their output tokens over the time to the last finish
// (vllm bench serve / sglang bench_serving with --request-rate inf, vLLM's benchmark_throughput.py). ClosedLoop:
// `concurrency` clients, each sending its next request when the last one finishes, steady-state throughput
// (genai-perf --concurrency, the benchmark's measurement window rather than one fixed set's makespan).
enum class InferenceScenario { Offline, Server, Interactive, Burst, ClosedLoop };

// One inference row of the catalog, resolved. `problem` is non-empty when the row cannot be estimated.
struct InferenceReferenceRow {
  int index = 0;              // position in the catalog's list
  std::string role;           // calibration | validation
  std::string model, accelerator, scenario_name, dataset;
  std::string precision_name;
  InferenceScenario scenario = InferenceScenario::Offline;
  int gpus = 0, tp = 0;       // tp 0: searched
  int isl = 0, osl = 0;
  bool openorca = false;      // lengths from the OpenOrca means (isl overridable)
  std::string round;          // MLPerf rows: the round ("v5.0"), "" otherwise
  int prompts = 0;            // burst: the prompts of the run (deployment); 0 otherwise
  int concurrency = 0;        // burst: the benchmark's --max-concurrency, 0: all at once; closed-loop: its clients
  double measured_tokens_per_s = 0.0;
  InferenceRequestSpec spec;  // model, accelerator, precision, gpus, tp filled in
  std::string problem;
};

std::vector<InferenceReferenceRow> inference_reference_rows(const Catalog& catalog);

struct InferenceRowOptions {
  int n_requests = kDefaultInferenceRequests;
  int openorca_mean_input = kOpenOrcaMeanInput;
  std::optional<InferenceEfficiency> efficiency;
  Backend backend = Backend::Auto;
};

struct InferenceRowEstimate {
  bool ok = false;
  std::string reason;
  double tokens_per_s = 0.0;
  InferenceConfig config;
  InferenceEstimate est;
  int configs_evaluated = 0;
};

InferenceRowEstimate estimate_inference_reference(const InferenceReferenceRow& row, const InferenceRowOptions& opt);

struct ValidationRow {
  std::string kind;  // inference | training
  std::string role;
  int index = 0;
  std::string model, accelerator, precision, scenario;
  int gpus = 0;
  std::string shape;     // isl/osl or seq x batch
  std::string quantity;  // output_tokens_per_s, step_time_s, tokens_per_s_per_gpu, model_tflops_per_gpu
  double measured = 0.0, estimate = 0.0, error = 0.0;  // error = estimate / measured - 1
  bool skipped = false;
  std::string reason;    // why skipped
  std::string note;      // e.g. what of the published configuration had to be searched
  std::string config_text;
  nlohmann::json config;
  std::string error_class;  // throughput_error_class of its model and accelerator ("" when they do not resolve)
  std::string engine;       // inference: the serving engine the measurement ran (trtllm, vllm, sglang, trtllm-serve)
};

struct ErrorSummary {
  int rows = 0;      // estimated
  int skipped = 0;
  double median_abs_error = 0.0;
  double max_abs_error = 0.0;
};

struct ValidationReport {
  std::vector<ValidationRow> rows;
  ErrorSummary inference_calibration, inference_validation, training_calibration, training_validation;
  int requests_per_row = kDefaultInferenceRequests;
  std::string backend;
  double wall_s = 0.0;
};

struct ValidationOptions {
  int n_requests = kDefaultInferenceRequests;
  Backend backend = Backend::Auto;
};

ValidationReport validate_references(const Catalog& catalog, const ValidationOptions& opt);

// The training calibration rows (role "calibration" with a measured step time) as the fit sees them: the problem
// and the published configuration (chosen among the published degrees only, so independent of the efficiencies
// being fitted), and the measured step time. core/run/calibration_fit.hpp refits the efficiencies from them.
struct TrainingCalibrationRow {
  std::string label;
  TrainingProblem problem;
  TrainingConfig config;
  double measured_step_s = 0.0;
  std::string note;  // what of the published configuration had to be searched (empty for the calibration rows)
};
std::vector<TrainingCalibrationRow> training_calibration_rows(const Catalog& catalog);
nlohmann::json validation_json(const ValidationReport& report);
void print_validation(std::ostream& os, const ValidationReport& report);

// Median of |values| (mean of the middle two for an even count) and maximum; zeros for none.
ErrorSummary summarize_errors(const std::vector<double>& signed_errors);

}  // namespace aidc
