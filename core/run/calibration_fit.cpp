#include "core/run/calibration_fit.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "kernels/training_model.hpp"

namespace aidc {

namespace {

struct Score {
  double objective = 0.0, median = 0.0, max = 0.0;
};

Score score(std::vector<double> abs_errors) {
  Score s;
  if (abs_errors.empty()) return s;
  std::sort(abs_errors.begin(), abs_errors.end());
  const std::size_t n = abs_errors.size();
  s.median = n % 2 == 1 ? abs_errors[n / 2] : 0.5 * (abs_errors[n / 2 - 1] + abs_errors[n / 2]);
  s.max = abs_errors.back();
  s.objective = s.median + 0.3 * s.max;
  return s;
}

}  // namespace

TrainingCalibrationFit fit_training_calibration(const std::vector<TrainingCalibrationRow>& rows,
                                                const TrainingCalibration& fixed) {
  TrainingCalibrationFit best;
  best.rows = static_cast<int>(rows.size());
  bool first = true;
  for (int i = 50; i <= 95; ++i) {
    for (int j = 0; j <= 40; ++j) {
      TrainingCalibration k = fixed;
      k.matmul_fraction = i / 100.0;
      k.elementwise_passes = j / 4.0;
      std::vector<double> abs_errors, signed_errors;
      for (const TrainingCalibrationRow& r : rows) {
        const TrainingEstimate e = estimate_training(r.problem, r.config, k);
        const double err = e.step_time_s / r.measured_step_s - 1.0;
        signed_errors.push_back(err);
        abs_errors.push_back(std::fabs(err));
      }
      const Score s = score(abs_errors);
      if (first || s.objective < best.objective - 1e-12) {
        first = false;
        best.matmul_fraction = k.matmul_fraction;
        best.elementwise_passes = k.elementwise_passes;
        best.objective = s.objective;
        best.median_abs_error = s.median;
        best.max_abs_error = s.max;
        best.errors = signed_errors;
      }
    }
  }
  return best;
}

std::vector<GroupedGemmRow> grouped_gemm_rows(const Catalog& catalog) {
  std::vector<GroupedGemmRow> out;
  const nlohmann::json* list = catalog.entry("reference_measurements", "grouped_gemm");
  if (!list || !list->is_array()) return out;
  InputProblems problems;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& e = (*list)[i];
    if (!e.is_object()) continue;
    if (const auto role = e.find("role"); role == e.end() || !role->is_string() || *role != "calibration") continue;
    auto positive = [&](const char* key) {
      const auto it = e.find(key);
      const double x = it != e.end() && it->is_number() ? it->get<double>() : 0.0;
      if (!(x > 0.0)) {
        problems.add("reference_measurements.json", "/entries/grouped_gemm/" + std::to_string(i) + "/" + key,
                     it != e.end() ? it->dump() : "missing", "a number > 0");
      }
      return x;
    };
    GroupedGemmRow r;
    r.tokens = positive("tokens_per_group");
    const double tflops = positive("tflops"), reference = positive("reference_tflops");
    r.ratio = reference > 0.0 ? tflops / reference : 0.0;
    // Label fields of any JSON type (a wrong type only changes the label, it is not a fitted value).
    auto text = [&](const char* key) {
      const auto it = e.find(key);
      if (it == e.end()) return std::string("?");
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer()) return std::to_string(it->get<long long>());
      return it->dump();
    };
    r.label = text("gpu") + " " + text("layout") + " M=" + std::to_string(static_cast<long long>(r.tokens)) +
              " N=" + text("n") + " K=" + text("k");
    out.push_back(r);
  }
  problems.throw_if_any();
  return out;
}

GroupedGemmFit fit_expert_gemm_half_tokens(const std::vector<GroupedGemmRow>& rows) {
  GroupedGemmFit best;
  best.rows = static_cast<int>(rows.size());
  bool first = true;
  for (int i = 0; i <= 250; ++i) {
    const double half = 4.0 * i;
    std::vector<double> abs_errors, signed_errors;
    for (const GroupedGemmRow& r : rows) {
      const double err = r.tokens / (r.tokens + half) / r.ratio - 1.0;
      signed_errors.push_back(err);
      abs_errors.push_back(std::fabs(err));
    }
    const Score s = score(abs_errors);
    if (first || s.objective < best.objective - 1e-12) {
      first = false;
      best.half_tokens = half;
      best.objective = s.objective;
      best.median_abs_error = s.median;
      best.max_abs_error = s.max;
      best.errors = signed_errors;
    }
  }
  return best;
}

}  // namespace aidc
