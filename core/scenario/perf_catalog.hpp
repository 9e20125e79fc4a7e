#pragma once
// Catalog entries to the kernels' plain structs: an LLM architecture (llm_models.json) and an accelerator
// (accelerators.json, with the scale-out NIC bandwidth of the catalog's systems that carry it). Unknown names are
// BadInput listing the names that exist.

#include <string>

#include "core/scenario/catalog.hpp"
#include "kernels/accelerator_spec.hpp"
#include "kernels/llm_arch.hpp"

namespace aidc {

LlmArch llm_arch_from_catalog(const Catalog& catalog, const std::string& name, const std::string& where = "--model");
AcceleratorSpec accelerator_from_catalog(const Catalog& catalog, const std::string& name,
                                         const std::string& where = "--accelerator");
Precision parse_precision(const std::string& text, const std::string& where = "--precision");
// The class the throughput model's error is kept for (scenarios/catalog/estimator_errors.json): the accelerator
// generation and whether the model routes experts, e.g. "hopper/dense", "blackwell/moe".
std::string throughput_error_class(const LlmArch& arch, const AcceleratorSpec& accel);

// What the held-out validation rows say about an estimate of this kind ("inference", "training") on this model and
// accelerator: the most specific class of estimator_errors.json with an entry (kind/generation/architecture, then
// kind/architecture, then kind). found = false when the catalog has none.
struct ValidationErrorBand {
  bool found = false;
  std::string error_class;
  int rows = 0;
  double median_abs_error = 0.0, max_abs_error = 0.0;
  double log_ratio_mean = 0.0;  // mean ln(measured / estimate): < 0 when the estimates run high
  bool disaggregated_missing = false;
};
// The estimator-error classes that apply to an estimate, most specific first: for a serving engine with its own
// calibration (vllm, sglang, trtllm-serve on NVIDIA GPUs) its class on that generation ("inference/hopper/engine:vllm"),
// then its engine class ("inference/engine:vllm"), then kind/generation/architecture,
// kind/architecture, kind. Disaggregated serving puts its own class (kDisaggregatedErrorKey) before all of them.
// The "checked against" line and the uncertainty draws both take the first with an entry.
// A serving engine's error class: "inference/engine:vllm", or on one generation "inference/hopper/engine:vllm".
std::string engine_error_key(const std::string& kind, const std::string& generation, const std::string& engine);
// The class of the validation rows whose estimate serves prefill and decode apart (its rows appear once it has
// kMinClassRows of them, core/run/estimator_errors.hpp).
inline const char* const kDisaggregatedErrorKey = "inference/serving:disaggregated";
std::vector<std::string> throughput_error_keys(const std::string& kind, const LlmArch& arch,
                                               const AcceleratorSpec& accel, const std::string& engine = "",
                                               bool disaggregated = false);
// `disaggregated_missing`: a disaggregated estimate whose own class has no entry yet (the band is then of mostly
// co-located rows).
ValidationErrorBand validation_error_band(const Catalog& catalog, const std::string& kind, const LlmArch& arch,
                                          const AcceleratorSpec& accel, const std::string& engine = "",
                                          bool disaggregated = false);
// Its inverse is precision_name() in kernels/inference_search.hpp.

}  // namespace aidc
