// The fitted training efficiencies are reproducible from the repository: refitting them from the catalog's
// calibration rows alone (core/run/calibration_fit.hpp, `aidcsim calibrate`) gives the committed values.
#include <catch2/catch.hpp>

#include "core/run/calibration_fit.hpp"
#include "core/scenario/catalog.hpp"

using namespace aidc;

TEST_CASE("the committed Ampere training efficiencies equal a refit from the calibration rows alone") {
  const Catalog catalog = Catalog::embedded();
  const std::vector<TrainingCalibrationRow> rows = training_calibration_rows(catalog);
  REQUIRE(rows.size() == 8);
  for (const TrainingCalibrationRow& r : rows) {
    INFO(r.label);
    CHECK(r.note.empty());  // the published configuration, nothing searched
    CHECK(r.problem.accel.generation == static_cast<int>(AcceleratorGeneration::Ampere));
  }
  const TrainingCalibration committed = ampere_bf16_calibration();
  const TrainingCalibrationFit fit = fit_training_calibration(rows, committed);
  CHECK(fit.matmul_fraction == Approx(committed.matmul_fraction));
  CHECK(fit.elementwise_passes == Approx(committed.elementwise_passes));
  CHECK(fit.median_abs_error <= 0.10);
  CHECK(fit.max_abs_error <= 0.25);
}
