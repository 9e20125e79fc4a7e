#include "core/model/it_load.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace aidc {

double utilization_at_hour(const UtilizationProfile& p, long long hour_index) {
  const double hour_of_day = static_cast<double>(hour_index % 24) + 0.5;  // middle of the hour
  const long long day_of_week = (hour_index / 24) % 7;                     // 0 = Monday
  const double diurnal = 1.0 + p.diurnal_amplitude * std::cos(2.0 * std::numbers::pi * (hour_of_day - p.peak_hour) / 24.0);
  const double weekly = day_of_week >= 5 ? p.weekend_factor : 1.0;
  return std::clamp(p.mean * diurnal * weekly, 0.0, 1.0);
}

double it_power_w(const ItSpec& it, double utilization) {
  double total_w = 0.0;
  for (const auto& s : it.systems) {
    total_w += s.count * s.max_power_w * (s.idle_power_fraction + (1.0 - s.idle_power_fraction) * utilization);
  }
  return total_w;
}

}  // namespace aidc
