#include "core/model/facility_design.hpp"

#include <algorithm>
#include <cmath>

#include "core/model/cooling.hpp"
#include "core/model/power_chain.hpp"
#include "core/model/psychrometrics.hpp"

namespace aidc {

DesignPower design_power(const FacilitySpec& facility, const SiteSpec& site, double it_w) {
  const double heat_w = indoor_heat_w(facility.power_chain, it_w);
  DesignPower best;
  const double points[2][2] = {{site.design_dry_bulb_c, site.design_wet_bulb_c},
                               {site.design_evap_dry_bulb_c, site.design_evap_wet_bulb_c}};
  for (const auto& pt : points) {
    const CoolingResult cool = cooling_power(facility.cooling, heat_w, pt[0], pt[1]);
    const double w = power_flows(facility.power_chain, it_w, cool.cooling_power_w).facility_power_w;
    if (w > best.facility_w) best = {w, pt[0], pt[1]};
  }
  return best;
}

double design_facility_power_w(const Scenario& s) { return design_power(s.facility, s.site, it_max_power_w(s.it)).facility_w; }

int generator_count_for(double design_power_w, double unit_capacity_w, const std::string& redundancy) {
  if (!(unit_capacity_w > 0.0) || !(design_power_w > 0.0)) return 0;
  // In double, then saturated: a ratio of user values must never wrap an int (1e-300 MW units once gave
  // -2147483647 generators). The cap is far beyond any real site; plausibility_warnings reports when it binds.
  const double n = std::ceil(design_power_w / unit_capacity_w - 1e-9);
  double count = n;
  if (redundancy == "N+1") count = n + 1.0;
  if (redundancy == "N+2") count = n + 2.0;
  if (redundancy == "2N") count = 2.0 * n;
  if (!(count < limits::kMaxGeneratorCount)) return limits::kMaxGeneratorCount;
  return static_cast<int>(count);
}

double design_wet_bulb_from_normals_c(const MonthlyClimate& normals, double design_dry_bulb_c, double elevation_m) {
  const double p = pressure_at_elevation_pa(elevation_m);
  double w_max = 0.0;
  for (int m = 0; m < 12; ++m) w_max = std::max(w_max, humidity_ratio(normals.mean_db_c[m], normals.mean_rh_pct[m], p));
  const double w_sat = humidity_ratio(design_dry_bulb_c, 100.0, p);
  return wet_bulb_from_humidity_ratio_c(design_dry_bulb_c, std::min(w_max, w_sat), p);
}

}  // namespace aidc
