#include "core/cli/calibrate_command.hpp"

#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli/cli_errors.hpp"
#include "core/run/calibration_fit.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/training_model.hpp"

namespace aidc {

int run_calibrate(const CalibrateCliOptions& o) {
  return guarded(o.json, [&] {
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
    const InferenceCalibrationFit inf = fit_inference_calibration(inference_fit_rows(catalog));
    const InferenceEfficiency hopper = inference_efficiency(kGenerationHopper, Precision::Fp8);
    const double cdna3_matmul = inference_efficiency(kGenerationCdna3, Precision::Fp8).matmul;
    const bool inf_same = (inf.hopper_rows == 0 || (std::abs(inf.hopper_fp8.matmul - hopper.matmul) < 1e-9 &&
                                                    std::abs(inf.hopper_fp8.hbm - hopper.hbm) < 1e-9 &&
                                                    std::abs(inf.hopper_fp8.iteration_overhead_s -
                                                             hopper.iteration_overhead_s) < 1e-12 &&
                                                    std::abs(inf.hopper_fp8.sequence_overhead_s -
                                                             hopper.sequence_overhead_s) < 1e-12 &&
                                                    std::abs(inf.hopper_fp8.collective_latency_s -
                                                             hopper.collective_latency_s) < 1e-12)) &&
                          (inf.cdna3_rows == 0 || std::abs(inf.cdna3_matmul - cdna3_matmul) < 1e-9);
    // Blackwell FP4 (TensorRT-LLM): the committed three against the refit.
    const GenerationEfficiency bw = kBlackwellFp4Efficiency;
    const bool bw_same = inf.blackwell_fp4_rows == 0 ||
                         (std::abs(inf.blackwell_fp4.matmul - bw.matmul) < 1e-9 &&
                          std::abs(inf.blackwell_fp4.hbm - bw.hbm) < 1e-9 &&
                          std::abs(inf.blackwell_fp4.iteration_overhead_s - bw.iteration_overhead_s) < 1e-12);
    // vLLM, SGLang and trtllm-serve on NVIDIA GPUs: their committed values against their refits.
    bool engines_same = true;
    for (const InferenceCalibrationFit::Engine& e : inf.engines) {
      const EngineEfficiency c = engine_efficiency(e.engine);
      engines_same = engines_same && std::abs(e.fit.prompt_token_overhead_s - c.prompt_token_overhead_s) < 1e-12 &&
                     std::abs(e.fit.sequence_overhead_s - c.sequence_overhead_s) < 1e-12;
    }
    auto engines_json = [&] {
      nlohmann::json a = nlohmann::json::array();
      for (const InferenceCalibrationFit::Engine& e : inf.engines) {
        const EngineEfficiency c = engine_efficiency(e.engine);
        nlohmann::json rows_j = nlohmann::json::array();
        for (std::size_t i = 0; i < e.labels.size(); ++i) rows_j.push_back({{"row", e.labels[i]}, {"error", e.errors[i]}});
        a.push_back({{"engine", engine_name(e.engine)},
                     {"refit", {{"prompt_token_overhead_s", e.fit.prompt_token_overhead_s},
                                {"sequence_overhead_s", e.fit.sequence_overhead_s}}},
                     {"committed", {{"prompt_token_overhead_s", c.prompt_token_overhead_s},
                                    {"sequence_overhead_s", c.sequence_overhead_s}}},
                     {"equal", std::abs(e.fit.prompt_token_overhead_s - c.prompt_token_overhead_s) < 1e-12 &&
                                   std::abs(e.fit.sequence_overhead_s - c.sequence_overhead_s) < 1e-12},
                     {"median_abs_error", e.median_abs_error},
                     {"max_abs_error", e.max_abs_error},
                     {"rows", rows_j}});
      }
      return a;
    };
    // Each fitted row's label and signed error at the refit.
    auto rows_json = [](const std::vector<std::string>& labels, const std::vector<double>& errors) {
      nlohmann::json a = nlohmann::json::array();
      for (std::size_t i = 0; i < labels.size() && i < errors.size(); ++i) {
        a.push_back({{"row", labels[i]}, {"error", errors[i]}});
      }
      return a;
    };
    auto eff_json = [](const InferenceEfficiency& e) {
      return nlohmann::json{{"matmul", e.matmul},
                            {"hbm", e.hbm},
                            {"iteration_overhead_s", e.iteration_overhead_s},
                            {"sequence_overhead_s", e.sequence_overhead_s},
                            {"collective_latency_s", e.collective_latency_s}};
    };
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
                                  {"inference_fp8",
                                   {{"refit", {{"hopper", eff_json(inf.hopper_fp8)}, {"cdna3_matmul", inf.cdna3_matmul}}},
                                    {"committed", {{"hopper", eff_json(hopper)}, {"cdna3_matmul", cdna3_matmul}}},
                                    {"equal", inf_same},
                                    {"hopper_median_abs_error", inf.hopper_median_abs_error},
                                    {"hopper_max_abs_error", inf.hopper_max_abs_error},
                                    {"rows", rows_json(inf.labels, inf.errors)}}},
                                  {"inference_engines", engines_json()},
                                  {"inference_blackwell_fp4",
                                   {{"refit", {{"matmul", inf.blackwell_fp4.matmul},
                                               {"hbm", inf.blackwell_fp4.hbm},
                                               {"iteration_overhead_s", inf.blackwell_fp4.iteration_overhead_s}}},
                                    {"committed", {{"matmul", bw.matmul},
                                                   {"hbm", bw.hbm},
                                                   {"iteration_overhead_s", bw.iteration_overhead_s}}},
                                    {"equal", bw_same},
                                    {"median_abs_error", inf.blackwell_fp4_median_abs_error},
                                    {"max_abs_error", inf.blackwell_fp4_max_abs_error},
                                    {"rows", rows_json(inf.blackwell_fp4_labels, inf.blackwell_fp4_errors)}}},
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
      std::cout << fmt::format("inference, FP8: {} Hopper and {} CDNA3 offline calibration rows ({} requests each, as "
                               "validate estimates them); grid matmul 0.45..0.70 x HBM 0.80..0.95 step 0.05 x host time per "
                               "sampled sequence 0..8 us step 1 x collective latency 20/35/50/75/100/150 us ({} points), "
                               "iteration overhead 0 (overlapped with the GPU), then the CDNA3 matmul 0.35..0.70, same "
                               "objective\n",
                               inf.hopper_rows, inf.cdna3_rows, kInferenceFitRequests, inf.hopper_points);
      for (std::size_t i = 0; i < inf.labels.size(); ++i) {
        std::cout << fmt::format("  {:<50} error at the refit {:+6.1f} %\n", inf.labels[i], 100.0 * inf.errors[i]);
      }
      std::cout << fmt::format("  refit:     Hopper matmul {:.2f}, HBM {:.2f}, iteration {:.1f} ms, {:.0f} us per sampled "
                               "sequence, collective {:.0f} us (median |error| {:.1f} %, max {:.1f} %); CDNA3 matmul "
                               "{:.2f}\n",
                               inf.hopper_fp8.matmul, inf.hopper_fp8.hbm, 1e3 * inf.hopper_fp8.iteration_overhead_s,
                               1e6 * inf.hopper_fp8.sequence_overhead_s,
                               1e6 * inf.hopper_fp8.collective_latency_s, 100.0 * inf.hopper_median_abs_error,
                               100.0 * inf.hopper_max_abs_error, inf.cdna3_matmul);
      std::cout << fmt::format("  committed: Hopper matmul {:.2f}, HBM {:.2f}, iteration {:.1f} ms, {:.0f} us per sampled "
                               "sequence, collective {:.0f} us; CDNA3 matmul {:.2f} (kernels/inference_calibration.hpp): "
                               "{}\n",
                               hopper.matmul, hopper.hbm, 1e3 * hopper.iteration_overhead_s,
                               1e6 * hopper.sequence_overhead_s,
                               1e6 * hopper.collective_latency_s, cdna3_matmul,
                               inf_same ? "equal to the refit" : "DIFFERENT from the refit");
      for (const InferenceCalibrationFit::Engine& e : inf.engines) {
        const EngineEfficiency c = engine_efficiency(e.engine);
        const bool eq = std::abs(e.fit.prompt_token_overhead_s - c.prompt_token_overhead_s) < 1e-12 &&
                        std::abs(e.fit.sequence_overhead_s - c.sequence_overhead_s) < 1e-12;
        std::cout << fmt::format("inference, {} on NVIDIA GPUs: {} calibration rows of that engine (the prompts each "
                                 "row states, at the engine's default scheduler limits); grid host time per prompt "
                                 "token 0..150 us step 2.5 x per sampled sequence 0..400 us step 10, the kernels and "
                                 "the rest the TensorRT-LLM fit, same objective\n",
                                 engine_name(e.engine), e.rows);
        for (std::size_t i = 0; i < e.labels.size(); ++i) {
          std::cout << fmt::format("  {:<50} error at the refit {:+6.1f} %\n", e.labels[i], 100.0 * e.errors[i]);
        }
        std::cout << fmt::format("  refit:     {:.1f} us per prompt token, {:.0f} us per sampled sequence (median |error| "
                                 "{:.1f} %, max {:.1f} %)\n",
                                 1e6 * e.fit.prompt_token_overhead_s, 1e6 * e.fit.sequence_overhead_s, 100.0 * e.median_abs_error,
                                 100.0 * e.max_abs_error);
        std::cout << fmt::format("  committed: {:.1f} us per prompt token, {:.0f} us per sampled sequence "
                                 "(kernels/inference_calibration.hpp): {}\n",
                                 1e6 * c.prompt_token_overhead_s, 1e6 * c.sequence_overhead_s,
                                 eq ? "equal to the refit" : "DIFFERENT from the refit");
      }
      std::cout << fmt::format("inference, Blackwell FP4 (TensorRT-LLM): {} calibration rows; grid matmul (of the FP4 "
                               "peak) 0.30..0.60 x HBM 0.45..0.85 step 0.10 x iteration overhead 1..8 ms step 1, then one fine step (0.05, 0.05, 0.5 ms) around the best, "
                               "the collective latency and the rest the Hopper fit, same objective\n",
                               inf.blackwell_fp4_rows);
      for (std::size_t i = 0; i < inf.blackwell_fp4_labels.size(); ++i) {
        std::cout << fmt::format("  {:<50} error at the refit {:+6.1f} %\n", inf.blackwell_fp4_labels[i],
                                 100.0 * inf.blackwell_fp4_errors[i]);
      }
      std::cout << fmt::format("  refit:     matmul {:.2f}, HBM {:.2f}, iteration {:.1f} ms (median |error| {:.1f} %, max "
                               "{:.1f} %)\n",
                               inf.blackwell_fp4.matmul, inf.blackwell_fp4.hbm,
                               1e3 * inf.blackwell_fp4.iteration_overhead_s,
                               100.0 * inf.blackwell_fp4_median_abs_error, 100.0 * inf.blackwell_fp4_max_abs_error);
      std::cout << fmt::format("  committed: matmul {:.2f}, HBM {:.2f}, iteration {:.1f} ms "
                               "(kernels/inference_calibration.hpp): {}\n",
                               bw.matmul, bw.hbm, 1e3 * bw.iteration_overhead_s,
                               inf.blackwell_fp4_rows == 0 ? "not checked (no rows)"
                               : bw_same                   ? "equal to the refit"
                                                           : "DIFFERENT from the refit");
      std::cout << "  not refitted (public figures, not rows): the FP8 and FP4 training GEMM fractions, FP4 serving "
                   "off Blackwell (0.47), BF16's +0.10, attention 0.45, collectives 0.8\n";
    }
    return o.check && !(same && gemm_same && inf_same && engines_same && bw_same) ? 1 : 0;
  });
}

}  // namespace aidc
