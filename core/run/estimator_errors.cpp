#include "core/run/estimator_errors.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/scenario/perf_catalog.hpp"

namespace aidc {

std::map<std::string, EstimatorError> estimator_errors(const std::vector<ValidationRow>& rows) {
  std::map<std::string, std::vector<double>> logs, abs_errors;
  std::map<std::string, EstimatorError> out;
  for (const ValidationRow& r : rows) {
    if (r.role != "validation" || r.skipped || !(r.measured > 0.0) || !(r.estimate > 0.0)) continue;
    // Throughput multiplier the truth applies to the estimate: measured / estimate for rates, estimate / measured
    // for step times.
    const double ratio = r.quantity == "step_time_s" ? r.estimate / r.measured : r.measured / r.estimate;
    std::vector<std::string> keys{r.kind};
    if (!r.error_class.empty()) {
      // "<generation>/<arch>": the kind/arch class, then the kind/generation/arch class.
      if (const auto slash = r.error_class.find('/'); slash != std::string::npos) {
        keys.push_back(r.kind + r.error_class.substr(slash));
      }
      keys.push_back(r.kind + "/" + r.error_class);
    }
    if (!r.engine.empty()) {
      // Per serving engine, and per engine on one accelerator generation (a served fit from H100 rows judged on
      // A100 rows is another question than on H100 rows).
      keys.push_back(engine_error_key(r.kind, "", r.engine));
      if (const auto slash = r.error_class.find('/'); slash != std::string::npos) {
        keys.push_back(engine_error_key(r.kind, r.error_class.substr(0, slash), r.engine));
      }
    }
    // Disaggregated serving's own class: the layout the estimate chose (its config), not the row's request.
    if (r.kind == "inference" && r.config.is_object() && r.config.value("serving", "") == "disaggregated") {
      keys.push_back(kDisaggregatedErrorKey);
    }
    for (const std::string& key : keys) {
      logs[key].push_back(std::log(ratio));
      abs_errors[key].push_back(std::fabs(r.error));
      out[key].source_rows.push_back(fmt::format("{} {} {} {} {} x{}: error {:+.1f} %", r.kind, r.index, r.model,
                                                 r.accelerator, r.precision, r.gpus, 100.0 * r.error));
    }
  }
  for (auto it = out.begin(); it != out.end();) {
    const std::vector<double>& v = logs[it->first];
    const bool kind_level = it->first.find('/') == std::string::npos;
    if (v.size() < 2 || (!kind_level && static_cast<int>(v.size()) < kMinClassRows)) {
      it = out.erase(it);
      continue;
    }
    double mean = 0.0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double ss = 0.0, sq = 0.0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
      sq += x * x;
    }
    it->second.log_ratio_rms = std::sqrt(sq / static_cast<double>(v.size()));
    it->second.log_ratio_mean = mean;
    it->second.log_ratio_sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
    it->second.rows = static_cast<int>(v.size());
    std::vector<double> a = abs_errors[it->first];
    std::sort(a.begin(), a.end());
    const std::size_t n = a.size();
    it->second.median_abs_error = n % 2 == 1 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
    it->second.max_abs_error = a.back();
    ++it;
  }
  return out;
}

nlohmann::json estimator_errors_catalog(const std::map<std::string, EstimatorError>& errors, const std::string& backend) {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [kind, e] : errors) {
    entries[kind] = {{"log_ratio_mean", e.log_ratio_mean},
                     {"log_ratio_sd", e.log_ratio_sd},
                     {"log_ratio_rms", e.log_ratio_rms},
                     {"value", e.log_ratio_rms},
                     {"rows", e.rows},
                     {"median_abs_error", e.median_abs_error},
                     {"max_abs_error", e.max_abs_error},
                     {"units", "ln(true / estimated throughput)"},
                     {"source", fmt::format("aidcsim validate ({} backend): the {} {} validation rows of "
                                            "reference_measurements.json (held out: calibration rows are not used); "
                                            "regenerate with `aidcsim validate --estimator-errors`",
                                            backend, e.rows, kind)},
                     {"source_rows", e.source_rows}};
  }
  return {{"_comment", "The throughput model's error on held-out measurements, per workload kind, per kind and "
                       "architecture (dense, moe), per kind, accelerator generation and architecture, and for inference "
                       "per serving engine (\"inference/engine:trtllm\") and per engine and generation (\"inference/hopper/engine:vllm\"), and disaggregated serving's (\"inference/serving:disaggregated\"); classes with at least 3 rows: drawn per replication by an uncertainty section's "
                       "\"throughput_error\": \"validation\", each workload taking its most specific class. Generated by "
                       "`aidcsim validate --estimator-errors`; tests/test_estimator_errors.cpp checks it against a "
                       "fresh validation."},
          {"entries", entries}};
}

std::string estimator_errors_table(const std::map<std::string, EstimatorError>& errors) {
  std::string out =
      "throughput model error by class (validation rows only; sigma = RMS and bias = mean of ln(true / estimate), "
      "so a negative bias is an estimate running high; drawn by \"throughput_error\": \"validation\"):\n";
  out += fmt::format("  {:<38} {:>4} {:>13} {:>10} {:>7} {:>9}\n", "class", "rows", "median |err|", "max |err|",
                     "sigma", "bias");
  for (const auto& [key, e] : errors) {
    out += fmt::format("  {:<38} {:>4} {:>12.1f}% {:>9.1f}% {:>7.2f} {:>+9.2f}\n", key, e.rows,
                       100.0 * e.median_abs_error, 100.0 * e.max_abs_error, e.log_ratio_rms, e.log_ratio_mean);
  }
  return out;
}

}  // namespace aidc
