#pragma once
// `aidcsim estimate inference|training` and `aidcsim validate`: options as parsed, and the commands, each returning
// the process exit code (0, 2 bad input with the reason in numbers, 1 internal error).

#include <string>

#include "core/run/perf_estimates.hpp"

namespace aidc {

struct EstimateOptions {
  std::string model, accelerator, precision = "bf16", backend = "auto";
  int gpus = 0, tp = 0, pp = 0, cp = 0;
  // inference
  int isl = 0, osl = 0, concurrency = 0, requests = kDefaultInferenceRequests;
  int burst = 0;  // > 0: this many prompts for the deployment, sent at once, timed to the last finish
  double ttft_slo_s = 0.0, tpot_slo_s = 0.0;
  std::string engine = "trtllm";  // trtllm | vllm | sglang | trtllm-serve
  std::string serving;            // aggregated | disaggregated | any; empty: aggregated (disaggregated with a split)
  int prefill_instances = 0;      // > 0: disaggregated with this many prefill instances
  int prefill_tp = 0;             // > 0: disaggregated with the prefill instances at this tp
  bool engine_defaults = false;   // the engine's default scheduler limits instead of the searched ones
  std::string kv_cache = "auto";  // auto | bf16 | fp8
  int max_batch = 0, chunk_tokens = 0;  // > 0: fixed scheduler limits
  int ep = 0;                     // > 0: fixed expert-parallel degree (MoE)
  // training
  int seq = 0;
  double global_batch_tokens = 0.0;
  std::string attention = "flash";  // flash | standard
  std::string schedule = "searched";  // searched | 1f1b | zero-bubble | dualpipe
  int interleave = 0;                 // virtual stages per GPU; 0: searched
  bool json = false;
};

struct ValidateCliOptions {
  bool json = false;
  bool estimator_errors = false;  // print scenarios/catalog/estimator_errors.json instead of the report
  std::string backend = "auto";
  int requests = kDefaultInferenceRequests;
};

int run_estimate_inference(const EstimateOptions& o);
int run_estimate_training(const EstimateOptions& o);
int run_validate(const ValidateCliOptions& o);

}  // namespace aidc
