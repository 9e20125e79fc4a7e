#include "core/run/prepare_scenario.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/io/epw_reader.hpp"
#include "core/io/text_file.hpp"
#include "core/model/fleet_maintenance.hpp"
#include "core/model/weather.hpp"
#include "core/run/plausibility.hpp"
#include "core/run/uncertain_replications.hpp"
#include "core/model/facility_design.hpp"
#include "core/scenario/input_error.hpp"

namespace aidc {

namespace {

// The EPW year, read and checked once; the models see only its hourly values.
void load_epw_weather(ResolvedScenario& rs) {
  const Scenario& s = rs.scenario;
  const std::string& path = s.site.weather.epw_path;
  const std::string value = nlohmann::json(s.site.weather.epw_file).dump();
  if (!std::filesystem::is_regular_file(path)) {
    throw BadInput(s.source_path, "/site/weather/file", value, "an EPW weather file that exists (looked for " + path + ")");
  }
  try {
    const EpwFile epw = read_epw_file(path);
    rs.epw_weather = std::make_shared<const HourlyWeather>(hourly_weather_from_epw(epw));
    const std::vector<InputWarning> w = epw_warnings(epw, s.site, s.source_path, "/site/weather/file");
    rs.warnings.insert(rs.warnings.end(), w.begin(), w.end());
    rs.epw_sha256 = epw.sha256;
  } catch (const BadInput&) {
    throw;
  } catch (const std::exception& e) {
    throw BadInput(s.source_path, "/site/weather/file", value, std::string("a valid EPW file: ") + e.what());
  }
}

// Design conditions the scenario leaves to the weather (NaN after resolution): the EPW year's own 0.4 % conditions
// by the ASHRAE method (the same basis as a synthetic year's catalog design conditions), or for a synthetic year
// without city design data the design dry bulb at the most humid month's moisture. The evaporation pair defaults to
// the dry-bulb pair.
void fill_design_conditions(ResolvedScenario& rs) {
  SiteSpec& site = rs.scenario.site;
  const bool wb_given = !std::isnan(site.design_wet_bulb_c);
  const HourlyWeather* epw = rs.epw_weather.get();
  const bool from_epw = epw && !epw->dry_bulb_c.empty();
  const DesignConditions year = from_epw ? design_conditions_of(*epw) : DesignConditions{};
  const bool db_from_epw = from_epw && std::isnan(site.design_dry_bulb_c);
  if (std::isnan(site.design_dry_bulb_c)) site.design_dry_bulb_c = from_epw ? year.db_0p4_c : 35.0;
  if (!wb_given) {
    if (from_epw) {
      site.design_wet_bulb_c = db_from_epw ? year.mcwb_0p4_c : coincident_wet_bulb_c(*epw, site.design_dry_bulb_c);
    } else if (site.weather.kind == WeatherKind::Synthetic) {
      site.design_wet_bulb_c =
          design_wet_bulb_from_normals_c(site.weather.normals, site.design_dry_bulb_c, site.elevation_m);
    } else {
      site.design_wet_bulb_c = site.design_dry_bulb_c;
    }
  }
  if (std::isnan(site.design_evap_wet_bulb_c)) {
    site.design_evap_wet_bulb_c = from_epw ? year.wb_0p4_c : site.design_wet_bulb_c;
    if (std::isnan(site.design_evap_dry_bulb_c)) {
      site.design_evap_dry_bulb_c = from_epw ? year.mcdb_wb_0p4_c : site.design_dry_bulb_c;
    }
  }
  if (std::isnan(site.design_evap_dry_bulb_c)) site.design_evap_dry_bulb_c = site.design_dry_bulb_c;
  if (site.design_evap_wet_bulb_c > site.design_evap_dry_bulb_c) site.design_evap_dry_bulb_c = site.design_evap_wet_bulb_c;
  if (from_epw && site.design_basis.empty()) {
    site.design_basis = "0.4 % annual design conditions of the EPW year's hours (ASHRAE method)";
  }
  if (site.design_wet_bulb_c > site.design_dry_bulb_c) {
    throw BadInput(rs.scenario.source_path, "/site/design_wet_bulb_c", nlohmann::json(site.design_wet_bulb_c).dump(),
                   std::string("at most design_dry_bulb_c (") + nlohmann::json(site.design_dry_bulb_c).dump() +
                       " degC" + (wb_given ? "" : "; the wet bulb comes from the weather") + ")");
  }
}

}  // namespace

void prepare_scenario(ResolvedScenario& rs) {
  if (rs.prepared) return;
  Scenario& s = rs.scenario;
  // A replication of an uncertain scenario is handed the EPW year already read (uncertain_replications.cpp).
  if (s.site.weather.kind == WeatherKind::Epw && !rs.epw_weather) load_epw_weather(rs);
  fill_design_conditions(rs);
  GeneratorSpec& gen = s.facility.generators;
  if (!gen.redundancy.empty()) {
    gen.count = generator_count_for(design_facility_power_w(s), gen.unit_capacity_w, gen.redundancy);
  }
  // Checks against the models: legal but implausible input is a warning (stderr and /warnings).
  const std::vector<InputWarning> w = plausibility_warnings(s, s.source_path);
  rs.warnings.insert(rs.warnings.end(), w.begin(), w.end());
  const double rho = repair_queue_utilization(s);
  if (rho > 0.8) {
    rs.warnings.push_back(
        {s.source_path, "/fleet/technicians", fmt::format("{:.2f}", rho),
         rho >= 1.0 ? "the repair queue is unstable (technician utilization >= 1): failed nodes wait ever longer and "
                      "availability collapses; add technicians"
                    : "technician utilization above 0.8: failed nodes wait long for repair (availability falls)"});
  }
  rs.resolved = resolved_scenario_json(s);
  if (!rs.epw_sha256.empty()) rs.resolved["site"]["weather"]["_sha256"] = rs.epw_sha256;
  rs.prepared = true;
}

ResolvedScenario resolve_and_prepare(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                                     const std::filesystem::path& base_dir) {
  ResolvedScenario rs = resolve_scenario(doc, catalog, file_label, base_dir);
  prepare_scenario(rs);
  prepare_uncertain_replications(rs, doc, catalog, file_label, base_dir);
  return rs;
}

ResolvedScenario load_scenario_file(const std::filesystem::path& path, const Catalog& catalog,
                                    std::span<const ScenarioPatch> patches) {
  const std::string label = path.string();
  // A scenario is a few kilobytes; refuse anything absurd rather than read it whole.
  const nlohmann::json file_doc = parse_json_text(read_text_file(path, "a scenario JSON file", 16u << 20), label);
  const nlohmann::json doc = patches.empty() ? file_doc : apply_patches(file_doc, patches, label);
  std::error_code ec;
  // Relative paths in the document are relative to its folder, made absolute so that the resolved scenario
  // (`check`, /inputs/scenario) runs again from any working directory.
  return resolve_and_prepare(doc, catalog, label, std::filesystem::absolute(path, ec).parent_path());
}

}  // namespace aidc
