#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/run/reference_validation.hpp"
#include "core/scenario/catalog.hpp"

using namespace aidc;

// Every inference calibration row of the catalog's reference measurements against the model with the efficiencies
// of kernels/inference_calibration.hpp, estimated as `aidcsim validate` does (core/run/reference_validation.cpp).
// Prints estimate, measurement and error; the fit must stay within a median absolute error of 10 % and a maximum
// of 25 %.
TEST_CASE("the inference model reproduces the measured serving throughputs within the calibration targets") {
  std::vector<InferenceReferenceRow> rows;
  for (InferenceReferenceRow& r : inference_reference_rows(Catalog::embedded())) {
    if (r.role == "calibration") rows.push_back(std::move(r));
  }
  InferenceRowOptions opt;
  opt.n_requests = 2000;
  opt.backend = Backend::Cpu;
  std::vector<double> errors;
  std::printf("\n%-15s %-9s %4s %11s %-15s %10s %10s %7s  %s\n", "model", "accel", "gpus", "isl/osl", "scenario",
              "measured", "estimate", "error", "chosen configuration");
  for (const InferenceReferenceRow& row : rows) {
    INFO(row.model << " on " << row.accelerator << ": " << row.problem);
    REQUIRE(row.problem.empty());
    const InferenceRowEstimate e = estimate_inference_reference(row, opt);
    INFO(e.reason);
    REQUIRE(e.ok);
    const double err = e.tokens_per_s / row.measured_tokens_per_s - 1.0;
    errors.push_back(err);
    std::printf("%-15s %-9s %4d %5d/%-5d %-15s %10.0f %10.0f %+6.1f%%  tp%d pp%d x%d batch<=%d chunk %d "
                "(mean batch %.0f, TTFT p99 %.2f s, TPOT p99 %.1f ms)\n",
                row.model.c_str(), row.accelerator.c_str(), row.gpus, row.isl, row.osl, row.scenario_name.c_str(),
                row.measured_tokens_per_s, e.tokens_per_s, 100.0 * err, e.config.tp, e.config.pp, e.config.replicas,
                e.config.max_batch, e.config.chunk_tokens, e.est.mean_batch, e.est.ttft_p99_s,
                1e3 * e.est.tpot_p99_s);
  }
  const ErrorSummary s = summarize_errors(errors);
  std::printf("median |error| %.1f %%, max %.1f %% over %d rows\n", 100.0 * s.median_abs_error,
              100.0 * s.max_abs_error, s.rows);
  // Sensitivity of the MLPerf offline rows to the OpenOrca mean input length (the spread of prompt lengths is not
  // simulated: every request has the mean).
  for (int isl : {150, 300}) {
    InferenceRowOptions o = opt;
    o.openorca_mean_input = isl;
    for (const InferenceReferenceRow& row : rows) {
      if (!row.openorca || row.scenario != InferenceScenario::Offline) continue;
      const InferenceRowEstimate e = estimate_inference_reference(row, o);
      std::printf("OpenOrca mean input %d instead of %d: %s offline %+.1f %%\n", isl, kOpenOrcaMeanInput,
                  row.accelerator.c_str(), 100.0 * (e.tokens_per_s / row.measured_tokens_per_s - 1.0));
    }
  }
  CHECK(s.rows == 35);
  CHECK(s.median_abs_error <= 0.10);
  CHECK(s.max_abs_error <= 0.25);
}
