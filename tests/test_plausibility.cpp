#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/io/epw_reader.hpp"
#include "core/model/facility_design.hpp"
#include "core/run/plausibility.hpp"
#include "scenario_fixtures.hpp"

using aidc::InputWarning;
using aidc::plausibility_warnings;
using aidc::test::resolve;
using aidc::test::small_scenario_json;

namespace {

bool has(const std::vector<InputWarning>& ws, const std::string& path, const std::string& part) {
  for (const auto& w : ws) {
    if (w.json_path == path && w.message.find(part) != std::string::npos && w.file == "test.json") return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the small scenario is plausible") {
  const auto rs = resolve(small_scenario_json());
  CHECK(plausibility_warnings(rs.scenario, "test.json").empty());
}

TEST_CASE("a grid below the design facility power is warned") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = 5;  // 1000 DGX H100 = 10.2 MW of IT alone
  const auto rs = resolve(doc);
  const double design_w = aidc::design_facility_power_w(rs.scenario);
  REQUIRE(design_w > 10.2e6);
  const auto ws = plausibility_warnings(rs.scenario, "test.json");
  CHECK(has(ws, "/site/grid/capacity_mw", "below the design facility power"));
}

TEST_CASE("a grid twenty times the IT nameplate is warned as kW typed as MW") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = 5000;
  const auto ws = plausibility_warnings(resolve(doc).scenario, "test.json");
  CHECK(has(ws, "/site/grid/capacity_mw", "kW typed as MW"));
  CHECK_FALSE(has(ws, "/site/grid/capacity_mw", "below the design"));
}

TEST_CASE("generators that cannot carry the design load are warned") {
  auto doc = small_scenario_json();
  doc["facility"]["generators"] = {{"count", 2}, {"unit_capacity_mw", 2.5}};
  const auto ws = plausibility_warnings(resolve(doc).scenario, "test.json");
  CHECK(has(ws, "/facility/generators/count", "cannot carry the design facility power"));
  auto sized = small_scenario_json();
  sized["facility"]["generators"] = {{"redundancy", "N+1"}, {"unit_capacity_mw", 2.5}};
  CHECK(plausibility_warnings(resolve(sized).scenario, "test.json").empty());
}

TEST_CASE("a generator count sized up to the limit is warned") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = 10000;
  doc["it"]["systems"][0] = {{"name", "gb300-nvl72"}, {"count", 60000}};  // 8.1 GW of IT
  doc["facility"]["cooling"] = {{"type", "liquid_dry_cooler"}};
  doc["facility"]["generators"] = {{"redundancy", "2N"}, {"unit_capacity_mw", 0.01}};
  const auto rs = resolve(doc);
  CHECK(rs.scenario.facility.generators.count == aidc::limits::kMaxGeneratorCount);
  const auto ws = plausibility_warnings(rs.scenario, "test.json");
  CHECK(has(ws, "/facility/generators/unit_capacity_mw", "reach the limit of 100000 units"));
  CHECK(has(ws, "/facility/generators/unit_capacity_mw", "cannot carry"));
}

TEST_CASE("the great-circle distance matches known city pairs") {
  // Singapore Changi (1.37, 103.98) to Johor Bahru (1.49, 103.74): about 30 km; a quarter meridian: 10,008 km.
  CHECK(aidc::great_circle_km(1.37, 103.98, 1.49, 103.74) == Approx(29.8).margin(1.0));
  CHECK(aidc::great_circle_km(0.0, 0.0, 90.0, 0.0) == Approx(10007.5).margin(1.0));
  CHECK(aidc::great_circle_km(10.0, 20.0, 10.0, 20.0) == 0.0);
}

TEST_CASE("an EPW station far from the site, filled values and RH replaced by the dew point are warned") {
  aidc::EpwFile epw;
  epw.location.city = "Singapore";
  epw.location.country = "SGP";
  epw.location.lat_deg = 1.37;
  epw.location.lon_deg = 103.98;
  aidc::SiteSpec site;
  site.lat_deg = 1.49;
  site.lon_deg = 103.74;
  CHECK(aidc::epw_warnings(epw, site, "test.json", "/site/weather/file").empty());
  site.lat_deg = 3.14;  // Kuala Lumpur
  site.lon_deg = 101.69;
  epw.missing.dry_bulb = 12;
  epw.missing.pressure = 3;
  epw.rh_from_dew_point = 4;
  const auto ws = aidc::epw_warnings(epw, site, "test.json", "/site/weather/file");
  CHECK(has(ws, "/site/weather/file", "km from the site"));
  CHECK(has(ws, "/site/weather/file", "dry bulb 12 h"));
  CHECK(has(ws, "/site/weather/file", "station pressure 3 h"));
  CHECK(has(ws, "/site/weather/file", "RH was recomputed from the dew point"));
}
