#include "core/scenario/parse_checks.hpp"

#include <algorithm>
#include <set>

#include "core/scenario/input_limits.hpp"

namespace aidc {

// SAIDI is often published in minutes per customer and year (CEER benchmarking, US EIA); the countries catalog and
// scenarios use hours, and the worst national grids reach tens of hours a year. Above 100 h, and ten times the
// country catalog's figure, it was likely typed in minutes.
void warn_saidi(const JsonObjectReader& gr, double saidi_h_per_yr, std::optional<double> catalog_h_per_yr) {
  constexpr double kPlausibleMaxH = 100.0;
  if (!gr.has("saidi_h_per_yr") || saidi_h_per_yr <= kPlausibleMaxH) return;
  if (catalog_h_per_yr && saidi_h_per_yr <= 10.0 * *catalog_h_per_yr) return;
  std::string message = "SAIDI of " + limits::short_number(saidi_h_per_yr) + " h a year";
  message += catalog_h_per_yr ? " is " + limits::short_number(saidi_h_per_yr / std::max(*catalog_h_per_yr, 1e-9)) +
                                    " times the country catalog's " + limits::short_number(*catalog_h_per_yr) + " h"
                              : " is above any national grid's";
  gr.warning_at("saidi_h_per_yr", nlohmann::json(saidi_h_per_yr).dump(),
                message + ": minutes typed as hours? (SAIDI is often published in minutes per year)");
}

// The facility's cooling type against each system's supported_cooling (systems.json). A liquid plant with a
// liquid fraction on a site whose systems have no cold plates is impossible: no heat reaches the liquid loop, and
// the model would credit it with dry-cooler efficiency it cannot have (PUE 1.26 -> 1.15 on DGX H200), so it is bad
// input. Any other mismatch is possible but implausible and warned: a chilled-water plant can feed a liquid rack's
// CDU, and the model then charges that heat at the air path's fans and chiller lift.
void check_cooling_fits_systems(const std::string& type, const CoolingSpec& cooling, const Catalog& catalog,
                                const std::vector<std::string>& cooling_types, const ItSpec& it,
                                const JsonObjectReader& r) {
  bool any_list = false, any_liquid = false;
  for (const SystemSpec& sys : it.systems) {
    const auto supported = supported_cooling(catalog, sys.name, cooling_types);
    if (!supported) continue;
    any_list = true;
    if (std::find(supported->begin(), supported->end(), "liquid_dry_cooler") != supported->end()) any_liquid = true;
  }
  const std::string path = "/facility/cooling/type";
  const std::string value = nlohmann::json(type).dump();
  if (any_list && !any_liquid && cooling.kind == CoolingKind::LiquidDryCooler && cooling.liquid_fraction > 0.0) {
    r.problems().add(r.file(), path, value,
                     "a cooling type the site's systems support (air_cooled_chiller or water_cooled_chiller_tower; "
                     "their supported_cooling in " + catalog.label("systems") +
                         " has no liquid_dry_cooler), or liquid_fraction 0: no system has cold plates, so no heat "
                         "would reach the liquid loop");
    return;
  }
  std::set<std::string> warned;
  for (const SystemSpec& sys : it.systems) {
    const auto supported = supported_cooling(catalog, sys.name, cooling_types);
    if (!supported || std::find(supported->begin(), supported->end(), type) != supported->end()) continue;
    if (!warned.insert(sys.name).second) continue;
    std::string list;
    for (const std::string& t : *supported) list += (list.empty() ? "" : ", ") + t;
    r.problems().warn(r.file(), path, value,
                      sys.name + " is not cooled by " + type + " (its supported_cooling in " + catalog.label("systems") +
                          ": " + list + "); the cooling energy and water are those of " + type + " for all its heat");
  }
}

}  // namespace aidc
