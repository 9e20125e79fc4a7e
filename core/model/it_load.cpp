#include "core/model/it_load.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace aidc {

double diurnal_weekly(double base, double diurnal_amplitude, double peak_hour, double weekend_factor,
                      long long hour_index) {
  const double hour_of_day = static_cast<double>(hour_index % 24) + 0.5;  // middle of the hour
  const long long day_of_week = (hour_index / 24) % 7;                     // 0 = Monday
  const double diurnal = 1.0 + diurnal_amplitude * std::cos(2.0 * std::numbers::pi * (hour_of_day - peak_hour) / 24.0);
  const double weekly = day_of_week >= 5 ? weekend_factor : 1.0;
  return base * diurnal * weekly;
}

double utilization_at_hour(const UtilizationProfile& p, long long hour_index) {
  return std::clamp(diurnal_weekly(p.mean, p.diurnal_amplitude, p.peak_hour, p.weekend_factor, hour_index), 0.0, 1.0);
}

double it_power_w(const ItSpec& it, double utilization) {
  double total_w = 0.0;
  for (const auto& s : it.systems) {
    total_w += s.count * s.max_power_w * (s.idle_power_fraction + (1.0 - s.idle_power_fraction) * utilization);
  }
  return total_w;
}

}  // namespace aidc
