#pragma once
// `aidcsim calibrate`: refits the training efficiencies from the calibration rows alone (core/run/
// calibration_fit.hpp) and prints them against the committed values; --check exits 1 when they differ.

namespace aidc {

struct CalibrateCliOptions {
  bool check = false;
  bool json = false;
};

int run_calibrate(const CalibrateCliOptions& o);

}  // namespace aidc
