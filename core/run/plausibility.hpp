#pragma once
// Plausibility checks that need a model (issue 10): legal input whose consequences are implausible, reported as
// warnings (printed on stderr, stored in /warnings) before any replication runs. Parsing (core/scenario) stays
// free of models; these run in the prepare step on the resolved scenario.

#include <string>
#include <vector>

#include "core/scenario/input_error.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// Warnings on the resolved scenario, attributed to `file_label` (the scenario file):
//  * the grid connection below the design facility power (every system at full power, cooling at the design dry
//    and wet bulb): the site runs capped or sheds load whenever it is busy, and availability and throughput say
//    so only indirectly;
//  * the grid connection above 20 times the IT nameplate: a figure in kW typed as MW?
//  * generators that together cannot carry the design facility power (an explicit count), or a count sized from
//    the load that reached limits::kMaxGeneratorCount.
std::vector<InputWarning> plausibility_warnings(const Scenario& s, const std::string& file_label);

struct EpwFile;  // core/io/epw_reader.hpp

// Warnings on an EPW weather file read for the site, at `json_path` (e.g. /site/weather/file) of `file_label`:
//  * its station (LOCATION latitude and longitude) more than kMaxEpwStationDistanceKm from the site's lat_deg and
//    lon_deg (the scenario's, else its country's city in countries.json);
//  * missing values it filled (per field, see EpwMissing) and hours whose RH contradicted the dew point.
std::vector<InputWarning> epw_warnings(const EpwFile& epw, const SiteSpec& site, const std::string& file_label,
                                       const std::string& json_path);

// A typical-year station stands for its surroundings over about this distance (assumption: farther away, coast,
// terrain and altitude make another climate; only a warning, since the nearest station may be that far).
inline constexpr double kMaxEpwStationDistanceKm = 100.0;

// Great-circle distance (km) on a sphere of the Earth's mean radius, 6371.0 km (IUGG), by the haversine formula.
double great_circle_km(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);

}  // namespace aidc
