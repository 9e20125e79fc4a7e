#pragma once
// Grid interruptions drawn from the utility's reliability indices: arrivals as a Poisson process with rate SAIFI
// per year, durations lognormal with mean CAIDI = SAIDI / SAIFI (IEEE 1366 definitions) and a given log-sd.
// Outages do not overlap: the next one arrives after the last one ends.

#include <vector>

#include "core/engine/rng.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

struct GridOutage {
  double start_s = 0.0;
  double duration_s = 0.0;
};

std::vector<GridOutage> sample_grid_outages(const GridSpec& grid, double horizon_s, RngStream& rng);

// Mean outage duration (CAIDI) in seconds; 0 when the grid has no outages.
double mean_outage_duration_s(const GridSpec& grid);

}  // namespace aidc
