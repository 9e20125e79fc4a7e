#include "core/run/plausibility.hpp"

#include <cmath>
#include <numbers>

#include "core/io/epw_reader.hpp"
#include "core/model/facility_design.hpp"
#include "core/scenario/input_limits.hpp"

namespace aidc {

namespace {

std::string mw(double w) { return limits::short_number(w / 1e6) + " MW"; }

}  // namespace

std::vector<InputWarning> plausibility_warnings(const Scenario& s, const std::string& file_label) {
  std::vector<InputWarning> out;
  const double it_w = it_max_power_w(s.it);
  if (!(it_w > 0.0)) return out;
  const double design_w = design_facility_power_w(s);
  const double grid_w = s.site.grid.capacity_w;
  const std::string grid_value = limits::short_number(grid_w / 1e6);

  if (grid_w < design_w) {
    out.push_back({file_label, "/site/grid/capacity_mw", grid_value,
                   "the grid connection is below the design facility power of " + mw(design_w) + " (IT nameplate " +
                       mw(it_w) + " at the design dry bulb " + limits::short_number(s.site.design_dry_bulb_c) +
                       " C): the site runs capped or sheds load whenever it is busy"});
  }
  // An AI site's facility power is 1.1-1.6 times its IT nameplate; twenty times that is a unit slip, not headroom.
  constexpr double kMaxGridOverIt = 20.0;
  if (grid_w > kMaxGridOverIt * it_w) {
    out.push_back({file_label, "/site/grid/capacity_mw", grid_value,
                   "the grid connection is " + limits::short_number(grid_w / it_w) + " times the IT nameplate of " +
                       mw(it_w) + ": a figure in kW typed as MW?"});
  }

  const GeneratorSpec& g = s.facility.generators;
  if (g.count > 0 && g.unit_capacity_w > 0.0) {
    const std::string path = "/facility/generators";
    if (!g.redundancy.empty() && g.count >= limits::kMaxGeneratorCount) {
      out.push_back({file_label, path + "/unit_capacity_mw", limits::short_number(g.unit_capacity_w / 1e6),
                     "generators sized for " + g.redundancy + " reach the limit of " +
                         std::to_string(limits::kMaxGeneratorCount) + " units of " + mw(g.unit_capacity_w) +
                         " for a design load of " + mw(design_w) + ": a unit rating in MW typed as kW?"});
    }
    const double total_w = g.count * g.unit_capacity_w;
    if (total_w < design_w) {
      out.push_back({file_label, path + (g.redundancy.empty() ? "/count" : "/unit_capacity_mw"),
                     g.redundancy.empty() ? std::to_string(g.count) : limits::short_number(g.unit_capacity_w / 1e6),
                     std::to_string(g.count) + " generators of " + mw(g.unit_capacity_w) + " (" + mw(total_w) +
                         ") cannot carry the design facility power of " + mw(design_w) +
                         ": in a grid outage the site loses load once the UPS is spent"});
    }
  }
  return out;
}

double great_circle_km(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) {
  constexpr double kEarthRadiusKm = 6371.0;
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (lat2_deg - lat1_deg) * kRad, dlon = (lon2_deg - lon1_deg) * kRad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1_deg * kRad) * std::cos(lat2_deg * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2.0 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

std::vector<InputWarning> epw_warnings(const EpwFile& epw, const SiteSpec& site, const std::string& file_label,
                                       const std::string& json_path) {
  std::vector<InputWarning> out;
  const EpwLocation& loc = epw.location;
  const double km = great_circle_km(loc.lat_deg, loc.lon_deg, site.lat_deg, site.lon_deg);
  if (km > kMaxEpwStationDistanceKm) {
    out.push_back({file_label, json_path, limits::short_number(loc.lat_deg) + ", " + limits::short_number(loc.lon_deg),
                   "the EPW station " + loc.city + " (" + loc.country + ") is " + limits::short_number(km) +
                       " km from the site at " + limits::short_number(site.lat_deg) + ", " +
                       limits::short_number(site.lon_deg) + " (site lat_deg/lon_deg, or its country's city): the "
                       "weather may not be the site's"});
  }
  const EpwMissing& m = epw.missing;
  if (m.total() > 0) {
    out.push_back({file_label, json_path, std::to_string(m.total()) + " values",
                   "the EPW file has missing values, filled: dry bulb " + std::to_string(m.dry_bulb) +
                       " h (last good hour), RH " + std::to_string(m.rh) + " h and dew point " +
                       std::to_string(m.dew_point) + " h (from each other, or carried where " +
                       std::to_string(m.humidity) + " h had neither), station pressure " +
                       std::to_string(m.pressure) + " h (standard atmosphere)"});
  }
  if (epw.rh_from_dew_point > 0) {
    out.push_back({file_label, json_path, std::to_string(epw.rh_from_dew_point) + " h",
                   "the EPW file's RH contradicts its dew point by more than " +
                       limits::short_number(kEpwRhContradictionPct) +
                       " points in these hours: the RH was recomputed from the dew point"});
  }
  return out;
}

}  // namespace aidc
