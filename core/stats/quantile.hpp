#pragma once
// Summary statistics over replications.

#include <span>

namespace aidc {

// The q-quantile (0 <= q <= 1) by linear interpolation between order statistics (Hyndman & Fan type 7, the
// default of R and numpy). NaN for an empty sample.
double quantile(std::span<const double> sample, double q);
double mean(std::span<const double> sample);

}  // namespace aidc
