#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/inference_calibration_rows.hpp"

using namespace aidc;
using namespace aidc::test;

// Every row of shared/data/calibration/inference.csv against the model with the efficiencies of
// kernels/inference_calibration.hpp. Prints estimate, measurement and error; the fit must stay within a median
// absolute error of 10 % and a maximum of 25 %.
TEST_CASE("the inference model reproduces the measured serving throughputs within the calibration targets") {
  const std::vector<CalibrationRow> rows = calibration_rows();
  std::vector<double> abs_err;
  std::printf("\n%-15s %-9s %4s %11s %-8s %10s %10s %7s  %s\n", "model", "accel", "gpus", "isl/osl", "scenario",
              "measured", "estimate", "error", "chosen configuration");
  for (const CalibrationRow& row : rows) {
    const RowEstimate e = estimate_row(row);
    const double err = e.tokens_per_s / row.measured_tokens_per_s - 1.0;
    abs_err.push_back(std::fabs(err));
    std::printf("%-15s %-9s %4d %5d/%-5d %-8s %10.0f %10.0f %+6.1f%%  tp%d pp%d x%d batch<=%d chunk %d "
                "(mean batch %.0f, TTFT p99 %.2f s, TPOT p99 %.1f ms)\n",
                row.model, row.accel, row.gpus, row.isl, row.osl, row.scenario ? "server" : "offline",
                row.measured_tokens_per_s, e.tokens_per_s, 100.0 * err, e.config.tp, e.config.pp, e.config.replicas,
                e.config.max_batch, e.config.chunk_tokens, e.est.mean_batch, e.est.ttft_p99_s,
                1e3 * e.est.tpot_p99_s);
  }
  std::vector<double> sorted = abs_err;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  const double worst = sorted.back();
  std::printf("median |error| %.1f %%, max %.1f %% over %zu rows\n", 100.0 * median, 100.0 * worst, sorted.size());
  // Sensitivity of the MLPerf rows to the assumed OpenOrca mean input length.
  for (int isl : {400, 1000}) {
    const RowEstimate h = estimate_row(rows[15], 2000, isl);
    const RowEstimate m = estimate_row(rows[17], 2000, isl);
    std::printf("OpenOrca mean input %d instead of %d: H100 offline %+.1f %%, MI300X offline %+.1f %%\n", isl,
                kOpenOrcaMeanInput, 100.0 * (h.tokens_per_s / rows[15].measured_tokens_per_s - 1.0),
                100.0 * (m.tokens_per_s / rows[17].measured_tokens_per_s - 1.0));
  }
  CHECK(sorted.size() == 19);
  CHECK(median <= 0.10);
  CHECK(worst <= 0.25);
}
