#include "core/model/grid_outages.hpp"

namespace aidc {

namespace {
constexpr double kSecondsPerYear = 8760.0 * 3600.0;
}

double mean_outage_duration_s(const GridSpec& grid) {
  if (grid.saifi_per_yr <= 0.0 || grid.saidi_h_per_yr <= 0.0) return 0.0;
  return grid.saidi_h_per_yr / grid.saifi_per_yr * 3600.0;
}

std::vector<GridOutage> sample_grid_outages(const GridSpec& grid, double horizon_s, RngStream& rng) {
  std::vector<GridOutage> outages;
  const double mean_duration_s = mean_outage_duration_s(grid);
  if (mean_duration_s <= 0.0) return outages;
  const double rate_per_s = grid.saifi_per_yr / kSecondsPerYear;
  double t = rng.exponential(rate_per_s);
  while (t < horizon_s) {
    const double duration_s = grid.outage_duration_sigma > 0.0
                                  ? rng.lognormal_mean_sigma(mean_duration_s, grid.outage_duration_sigma)
                                  : mean_duration_s;
    outages.push_back({t, duration_s});
    t += duration_s + rng.exponential(rate_per_s);
  }
  return outages;
}

}  // namespace aidc
