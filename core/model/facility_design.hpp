#pragma once
// Design-point sizing: the facility's power at full IT load under the site's design weather, which the backup
// generators (and the grid connection) must carry, and generator counts for a redundancy level.

#include <string>

#include "core/scenario/input_limits.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// The facility's power at an IT load under the site's design weather: the larger of the two design points (the
// 0.4 % dry bulb with its coincident wet bulb, which sizes air-side and dry-cooler plant, and the 0.4 % wet bulb with
// its coincident dry bulb, which sizes evaporative plant), and the point that set it.
struct DesignPower {
  double facility_w = 0.0;
  double dry_bulb_c = 0.0;
  double wet_bulb_c = 0.0;
};
DesignPower design_power(const FacilitySpec& facility, const SiteSpec& site, double it_w);

// Facility power (W) with every system at full power, at the worse design point.
double design_facility_power_w(const Scenario& s);

// Units of `unit_capacity_w` for a load under redundancy "N", "N+1", "N+2" or "2N", saturated at
// limits::kMaxGeneratorCount (core/scenario/input_limits.hpp), the most an explicit count may be; 0 for a
// non-positive load or rating.
int generator_count_for(double design_power_w, double unit_capacity_w, const std::string& redundancy);

// Design wet bulb from monthly normals: the design dry bulb at the most humid month's mean humidity ratio (capped
// at saturation), a conservative coincident wet bulb when no design wet bulb is published.
double design_wet_bulb_from_normals_c(const MonthlyClimate& normals, double design_dry_bulb_c, double elevation_m);

}  // namespace aidc
