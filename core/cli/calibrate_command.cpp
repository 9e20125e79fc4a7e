#include "core/cli/calibrate_command.hpp"

#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli/cli_errors.hpp"
#include "core/run/calibration_fit.hpp"
#include "kernels/training_model.hpp"

namespace aidc {

int run_calibrate(const CalibrateCliOptions& o) {
  try {
    const Catalog catalog = Catalog::embedded();
    const std::vector<TrainingCalibrationRow> rows = training_calibration_rows(catalog);
    const TrainingCalibration committed = ampere_bf16_calibration();
    const TrainingCalibrationFit fit = fit_training_calibration(rows, committed);
    const bool same = std::abs(fit.matmul_fraction - committed.matmul_fraction) < 1e-9 &&
                      std::abs(fit.elementwise_passes - committed.elementwise_passes) < 1e-9;
    const std::vector<GroupedGemmRow> gemm_rows = grouped_gemm_rows(catalog);
    const GroupedGemmFit gemm = fit_expert_gemm_half_tokens(gemm_rows);
    const double committed_half = TrainingCalibration{}.expert_gemm_half_tokens;
    // With no rows there is nothing to refit: say so, and do not count it as a difference.
    const bool gemm_same = gemm.rows == 0 || std::abs(gemm.half_tokens - committed_half) < 1e-9;
    if (o.json) {
      nlohmann::json g = nlohmann::json::array();
      for (std::size_t i = 0; i < gemm_rows.size(); ++i) {
        g.push_back({{"row", gemm_rows[i].label}, {"measured_ratio", gemm_rows[i].ratio}, {"error", gemm.errors[i]}});
      }
      nlohmann::json r = nlohmann::json::array();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        r.push_back({{"row", rows[i].label}, {"measured_step_s", rows[i].measured_step_s}, {"error", fit.errors[i]}});
      }
      std::cout << nlohmann::json{{"training_ampere_bf16",
                                   {{"refit", {{"matmul_fraction", fit.matmul_fraction},
                                               {"elementwise_passes", fit.elementwise_passes}}},
                                    {"committed", {{"matmul_fraction", committed.matmul_fraction},
                                                   {"elementwise_passes", committed.elementwise_passes}}},
                                    {"equal", same},
                                    {"median_abs_error", fit.median_abs_error},
                                    {"max_abs_error", fit.max_abs_error},
                                    {"rows", r}}},
                                  {"expert_grouped_gemm",
                                   {{"refit", {{"expert_gemm_half_tokens", gemm.half_tokens}}},
                                    {"committed", {{"expert_gemm_half_tokens", committed_half}}},
                                    {"equal", gemm_same},
                                    {"median_abs_error", gemm.median_abs_error},
                                    {"max_abs_error", gemm.max_abs_error},
                                    {"rows", g}}}}
                       .dump(2)
                << '\n';
    } else {
      std::cout << fmt::format("training, Ampere bf16: {} calibration rows (reference_measurements.json, role "
                               "calibration); grid matmul_fraction 0.50..0.95 step 0.01 x elementwise_passes 0..10 "
                               "step 0.25, objective median + 0.3 x max |error|\n",
                               fit.rows);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        std::cout << fmt::format("  {:<28} measured {:>8.2f} s  error at the refit {:+6.1f} %\n", rows[i].label,
                                 rows[i].measured_step_s, 100.0 * fit.errors[i]);
      }
      std::cout << fmt::format("  refit:     matmul_fraction {:.2f}, elementwise_passes {:.2f} (median |error| {:.1f} %, "
                               "max {:.1f} %)\n",
                               fit.matmul_fraction, fit.elementwise_passes, 100.0 * fit.median_abs_error,
                               100.0 * fit.max_abs_error);
      std::cout << fmt::format("  committed: matmul_fraction {:.2f}, elementwise_passes {:.2f} "
                               "(kernels/training_calibration.hpp): {}\n",
                               committed.matmul_fraction, committed.elementwise_passes,
                               same ? "equal to the refit" : "DIFFERENT from the refit");
      std::cout << fmt::format("expert grouped GEMMs: {} calibration rows (reference_measurements.json "
                               "grouped_gemm); ratio to the same N x K with thousands of tokens = M / (M + M_half), "
                               "grid M_half "
                               "0..1000 step 4, same objective\n",
                               gemm.rows);
      for (std::size_t i = 0; i < gemm_rows.size(); ++i) {
        std::cout << fmt::format("  {:<28} measured ratio {:>5.3f}  error at the refit {:+6.1f} %\n",
                                 gemm_rows[i].label, gemm_rows[i].ratio, 100.0 * gemm.errors[i]);
      }
      std::cout << fmt::format("  refit:     expert_gemm_half_tokens {:.0f} (median |error| {:.1f} %, "
                               "max {:.1f} %)\n",
                               gemm.half_tokens, 100.0 * gemm.median_abs_error, 100.0 * gemm.max_abs_error);
      std::cout << fmt::format("  committed: expert_gemm_half_tokens {:.0f} (kernels/training_calibration.hpp): {}\n",
                               committed_half,
                               gemm.rows == 0 ? "not checked (no grouped_gemm calibration rows)"
                               : gemm_same    ? "equal to the refit"
                                              : "DIFFERENT from the refit");
      std::cout << "  not refitted here: the inference efficiencies (kernels/inference_calibration.hpp) and the FP8 "
                   "GEMM fraction (from public figures, not rows)\n";
    }
    return o.check && !(same && gemm_same) ? 1 : 0;
  } catch (const BadInput& e) {
    return report_bad_input(e);
  } catch (const std::exception& e) {
    return report_internal_error(e);
  }
}

}  // namespace aidc
