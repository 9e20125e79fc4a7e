#pragma once
// The throughput model's own error, as the held-out validation rows of the reference measurements measure it
// (core/run/reference_validation.hpp): per workload kind, the mean and the standard deviation of
// ln(true throughput / estimate) over the validation rows (for step-time rows, ln(estimate / measured)). Calibration
// rows are not used: they fitted the model, so their errors are not its errors. The numbers are kept in
// scenarios/catalog/estimator_errors.json, which `aidcsim validate --estimator-errors` regenerates and a test checks
// against a fresh validation, so they follow the kernels.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run/reference_validation.hpp"

namespace aidc {

struct EstimatorError {
  double log_ratio_mean = 0.0;  // mean of ln(measured / estimate) in throughput terms
  double log_ratio_sd = 0.0;    // sample standard deviation (n - 1)
  // Root mean square of ln(ratio) around 0: the spread a run draws (median multiplier 1). Drawing around the mean
  // instead would correct the estimates by the validation rows' bias, i.e. fit the model to them, which validation
  // rows must not do; the RMS keeps the bias in the spread instead.
  double log_ratio_rms = 0.0;
  int rows = 0;
  double median_abs_error = 0.0;  // of estimate / measured − 1, for the table `aidcsim validate` prints
  double max_abs_error = 0.0;
  std::vector<std::string> source_rows;  // "kind index model accelerator precision gpus: error"
};

// Per workload kind ("inference", "training"; at least 2 estimated validation rows), per kind and architecture
// ("training/moe", "inference/dense") and per kind and error class ("training/blackwell/moe"; ValidationRow::
// error_class), the classes with at least kMinClassRows rows. One serving engine per row (the engine the source
// ran: TensorRT-LLM for the max-throughput rows, the submitter's for MLPerf), so no engine dimension yet.
inline constexpr int kMinClassRows = 3;
std::map<std::string, EstimatorError> estimator_errors(const std::vector<ValidationRow>& rows);

// The table `aidcsim validate` prints after its summary: one line per entry of `errors`.
std::string estimator_errors_table(const std::map<std::string, EstimatorError>& errors);

// The catalog document (the format of scenarios/catalog/estimator_errors.json).
nlohmann::json estimator_errors_catalog(const std::map<std::string, EstimatorError>& errors, const std::string& backend);

}  // namespace aidc
