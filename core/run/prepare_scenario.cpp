#include "core/run/prepare_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/io/epw_reader.hpp"
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
    rs.epw_weather = std::make_shared<const HourlyWeather>(read_epw(path));
  } catch (const std::exception& e) {
    throw BadInput(s.source_path, "/site/weather/file", value, std::string("a valid EPW file: ") + e.what());
  }
}

// Design conditions the scenario leaves to the weather (NaN after resolution): the EPW year's hottest hour and
// highest wet bulb, or for a synthetic year the design dry bulb at the most humid month's moisture.
void fill_design_conditions(ResolvedScenario& rs) {
  SiteSpec& site = rs.scenario.site;
  const bool wb_given = !std::isnan(site.design_wet_bulb_c);
  const HourlyWeather* epw = rs.epw_weather.get();
  if (std::isnan(site.design_dry_bulb_c)) {
    site.design_dry_bulb_c = epw && !epw->dry_bulb_c.empty()
                                 ? *std::max_element(epw->dry_bulb_c.begin(), epw->dry_bulb_c.end())
                                 : 35.0;
  }
  if (!wb_given) {
    if (epw && !epw->wet_bulb_c.empty()) {
      site.design_wet_bulb_c = *std::max_element(epw->wet_bulb_c.begin(), epw->wet_bulb_c.end());
    } else if (site.weather.kind == WeatherKind::Synthetic) {
      site.design_wet_bulb_c =
          design_wet_bulb_from_normals_c(site.weather.normals, site.design_dry_bulb_c, site.elevation_m);
    } else {
      site.design_wet_bulb_c = site.design_dry_bulb_c;
    }
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
  if (s.site.weather.kind == WeatherKind::Epw) load_epw_weather(rs);
  fill_design_conditions(rs);
  GeneratorSpec& gen = s.facility.generators;
  if (!gen.redundancy.empty()) {
    gen.count = generator_count_for(design_facility_power_w(s), gen.unit_capacity_w, gen.redundancy);
  }
  rs.resolved = resolved_scenario_json(s);
  rs.prepared = true;
}

ResolvedScenario resolve_and_prepare(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                                     const std::filesystem::path& base_dir) {
  ResolvedScenario rs = resolve_scenario(doc, catalog, file_label, base_dir);
  prepare_scenario(rs);
  return rs;
}

ResolvedScenario load_scenario_file(const std::filesystem::path& path, const Catalog& catalog) {
  const std::string label = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw BadInput(label, "", "no such file", "a scenario JSON file");
  }
  // A scenario is a few kilobytes; refuse anything absurd rather than read it whole.
  constexpr std::uintmax_t kMaxBytes = 16u << 20;
  if (std::filesystem::file_size(path, ec) > kMaxBytes) {
    throw BadInput(label, "", std::to_string(std::filesystem::file_size(path, ec)) + " bytes",
                   "a scenario file under 16 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput(label, "", "unreadable", "a readable scenario JSON file");
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = parse_json_text(text.str(), label);
  // Relative paths in the document are relative to its folder, made absolute so that the resolved scenario
  // (`check`, /inputs/scenario) runs again from any working directory.
  return resolve_and_prepare(doc, catalog, label, std::filesystem::absolute(path, ec).parent_path());
}

}  // namespace aidc
