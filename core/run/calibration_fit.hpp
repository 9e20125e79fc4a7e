#pragma once
// Reproducible calibration: the fitted efficiencies of kernels/training_calibration.hpp refitted from the catalog's
// calibration rows alone (scenarios/catalog/reference_measurements.json, role "calibration"), by the grid search the
// header describes. `aidcsim calibrate` prints the refit against the committed values; a test requires they agree.
// Validation rows never enter a fit.

#include <string>
#include <vector>

#include "core/run/reference_validation.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_model.hpp"
#include "kernels/training_calibration.hpp"

namespace aidc {

struct TrainingCalibrationFit {
  double matmul_fraction = 0.0;
  double elementwise_passes = 0.0;
  double objective = 0.0;           // median + 0.3 × max of |estimate / measured − 1|
  double median_abs_error = 0.0;
  double max_abs_error = 0.0;
  int rows = 0;
  std::vector<double> errors;       // per row, signed, at the fit
};

// Grid: matmul_fraction 0.50..0.95 step 0.01, elementwise_passes 0..10 step 0.25; the other fractions (HBM, bus)
// held at `fixed`'s (measured, not fitted). Ties keep the first grid point (smallest matmul fraction, then passes).
TrainingCalibrationFit fit_training_calibration(const std::vector<TrainingCalibrationRow>& rows,
                                                const TrainingCalibration& fixed);

// Grouped-GEMM efficiency against tokens per expert (reference_measurements.json "grouped_gemm", role
// "calibration"): a GEMM of M tokens reaches ratio = tflops / reference_tflops of the same N × K with thousands.
struct GroupedGemmRow {
  std::string label;
  double tokens = 0.0;  // M per group (expert)
  double ratio = 0.0;
};

struct GroupedGemmFit {
  double half_tokens = 0.0;  // M½ of M / (M + M½)
  double objective = 0.0, median_abs_error = 0.0, max_abs_error = 0.0;
  int rows = 0;
  std::vector<double> errors;  // per row, signed: model ratio / measured ratio − 1
};

// Rows with role "calibration"; BadInput names a row without positive tokens_per_group, tflops, reference_tflops.
std::vector<GroupedGemmRow> grouped_gemm_rows(const Catalog& catalog);
// Grid M½ = 0..1000 tokens step 4, the objective of the step-time fit (median + 0.3 × max |error|); ties keep the
// smaller M½.
GroupedGemmFit fit_expert_gemm_half_tokens(const std::vector<GroupedGemmRow>& rows);

// Inference: the fitted efficiencies of kernels/inference_calibration.hpp refitted from the offline calibration rows
// (TensorRT-LLM max-throughput and MLPerf offline; the MLPerf server rows are not in the fit and stay predictions)
// estimated as `aidcsim validate` estimates them, with kInferenceFitRequests requests per row, on the CPU backend.
// Hopper FP8: matmul 0.45..0.70 step 0.05 × HBM 0.80..0.95 step 0.05 × host time per sampled sequence 0..8 µs step
// 1 × collective latency 20, 35, 50, 75, 100, 150 µs on the Hopper rows, no exposed per-iteration overhead; then CDNA3 FP8: matmul 0.35..0.70 step 0.05 on the CDNA3
// rows with the Hopper values for the rest; then Blackwell FP4 (TensorRT-LLM) on the Blackwell FP4 rows: matmul
// 0.30..0.60 step 0.10 × HBM 0.45..0.85 step 0.10 × iteration overhead 1..8 ms step 1, then the 26 points one fine
// step (0.05, 0.05, 0.5 ms) around the best, the collective latency Hopper's. Objective median + 0.3 × max |error| (as the training fits); ties keep
// the first grid point in that loop order (smaller values first).
inline constexpr int kInferenceFitRequests = 700;

struct InferenceCalibrationFit {
  InferenceEfficiency hopper_fp8;
  int hopper_points = 0;  // grid points the Hopper fit evaluated
  double cdna3_matmul = 0.0;
  int hopper_rows = 0, cdna3_rows = 0;
  double hopper_median_abs_error = 0.0, hopper_max_abs_error = 0.0;
  double cdna3_max_abs_error = 0.0;
  std::vector<std::string> labels;  // Hopper rows, then CDNA3 rows
  std::vector<double> errors;       // per row, signed, at the fit
  // vLLM, SGLang and trtllm-serve on NVIDIA GPUs: their own linear-layer fraction (at FP8) and host time per
  // sampled sequence (matmul 0.10..0.70 step 0.025 x 0..400 us step 10 us), on their
  // calibration rows (any NVIDIA generation, any precision; BF16 adds 0.10 as for TensorRT-LLM), the rest Hopper's.
  struct Engine {
    ServingEngine engine = ServingEngine::Vllm;
    EngineEfficiency fit;
    int rows = 0;
    double median_abs_error = 0.0, max_abs_error = 0.0;
    std::vector<std::string> labels;
    std::vector<double> errors;
  };
  std::vector<Engine> engines;  // vLLM, SGLang, trtllm-serve (each only when it has calibration rows)
  // Blackwell FP4 (NVFP4) with TensorRT-LLM: matmul (of the FP4 peak), HBM and iteration overhead on the Blackwell
  // FP4 calibration rows, the collective latency and the rest the Hopper fit's.
  InferenceEfficiency blackwell_fp4;
  int blackwell_fp4_rows = 0;
  double blackwell_fp4_median_abs_error = 0.0, blackwell_fp4_max_abs_error = 0.0;
  std::vector<std::string> blackwell_fp4_labels;
  std::vector<double> blackwell_fp4_errors;
};

// The throughput calibration rows of the catalog (role "calibration", scenario max-throughput, mlperf-offline or
// burst).
std::vector<InferenceReferenceRow> inference_fit_rows(const Catalog& catalog);
InferenceCalibrationFit fit_inference_calibration(const std::vector<InferenceReferenceRow>& rows);

}  // namespace aidc
