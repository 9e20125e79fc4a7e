#pragma once
// Reproducible calibration: the fitted efficiencies of kernels/training_calibration.hpp refitted from the catalog's
// calibration rows alone (scenarios/catalog/reference_measurements.json, role "calibration"), by the grid search the
// header describes. `aidcsim calibrate` prints the refit against the committed values; a test requires they agree.
// Validation rows never enter a fit.

#include <string>
#include <vector>

#include "core/run/reference_validation.hpp"
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

}  // namespace aidc
