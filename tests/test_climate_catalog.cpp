// The climate catalog against its own design conditions: for every city with ASHRAE design data, synthetic years
// drawn with the stored (fitted) noise reproduce the 0.4 % dry bulb, its coincident wet bulb and the 0.4 % wet bulb
// within 0.5 K, and the annual mean of the normals within 0.2 K; the stored fits equal a refit; every catalog
// country resolves a synthetic year with its own city's climate and a stated design basis.
#include <catch2/catch.hpp>

#include <filesystem>
#include <numeric>

#include "core/io/text_file.hpp"
#include "core/model/weather.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/parse_scenario.hpp"

using namespace aidc;

namespace {

double annual_mean(const MonthlyClimate& n) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double s = 0.0;
  for (int m = 0; m < 12; ++m) s += n.mean_db_c[m] * kDays[m];
  return s / 365.0;
}

double entry_elevation_m(const nlohmann::json& e) {
  return e.contains("elevation_m") && e["elevation_m"].is_number() ? e["elevation_m"].get<double>() : 0.0;
}

}  // namespace

TEST_CASE("every catalog city with design conditions: synthetic years reproduce its 0.4 % design conditions") {
  const Catalog catalog = Catalog::embedded();
  int cities = 0;
  for (const std::string& city : catalog.names("climate")) {
    const nlohmann::json& e = *catalog.entry("climate", city);
    const WeatherSpec w = climate_entry_weather(e, city, "climate.json");
    if (!w.design.has_0p4()) continue;
    ++cities;
    INFO(city);
    REQUIRE(e.contains("synthetic_noise"));
    const SyntheticClimate climate = synthetic_climate(w.normals, entry_elevation_m(e));
    const WeatherNoise noise{w.noise_sd_c, w.noise_autocorrelation_per_h, w.dew_point_noise_sd_c, w.dew_point_coupling};
    // Years from another stream than the fit's: the check is out of sample.
    const int years = 24;
    const HourlyWeather pooled = synthetic_years(climate, noise, years, 20261203, 11);
    const DesignConditions got = design_conditions_of(pooled);
    CHECK(std::abs(got.db_0p4_c - w.design.db_0p4_c) <= 0.5);
    CHECK(std::abs(got.mcwb_0p4_c - w.design.mcwb_0p4_c) <= 0.5);
    CHECK(std::abs(got.wb_0p4_c - w.design.wb_0p4_c) <= 0.5);
    const double mean = std::accumulate(pooled.dry_bulb_c.begin(), pooled.dry_bulb_c.end(), 0.0) / pooled.dry_bulb_c.size();
    CHECK(std::abs(mean - annual_mean(w.normals)) <= 0.2);
  }
  CHECK(cities >= 40);
}

TEST_CASE("the stored climate fits equal a refit from the catalog (aidcsim fit-climate)") {
  const Catalog catalog = Catalog::embedded();
  for (const std::string city : {"Singapore", "Riyadh", "Warsaw"}) {
    INFO(city);
    const nlohmann::json& e = *catalog.entry("climate", city);
    const WeatherSpec w = climate_entry_weather(e, city, "climate.json");
    const WeatherNoiseFit fit =
        fit_weather_noise(synthetic_climate(w.normals, entry_elevation_m(e)), w.design, w.noise_autocorrelation_per_h);
    CHECK(fit.noise.dry_bulb_sd_c == Approx(w.noise_sd_c).margin(0.0015));
    CHECK(fit.noise.dew_point_sd_c == Approx(w.dew_point_noise_sd_c).margin(0.0015));
    CHECK(fit.noise.dew_point_coupling == Approx(w.dew_point_coupling).margin(0.0015));
  }
}

TEST_CASE("every catalog country resolves a synthetic year with its city's climate and a stated design basis") {
  const Catalog catalog = Catalog::embedded();
  const std::filesystem::path file = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json";
  nlohmann::json doc = nlohmann::json::parse(read_text_file(file, "a scenario", 1u << 24));
  const std::vector<std::string> countries = catalog.names("countries");
  CHECK(countries.size() >= 30);
  for (const std::string& country : countries) {
    INFO(country);
    nlohmann::json d = doc;
    d["site"] = {{"country", country}, {"grid", {{"capacity_mw", d["site"]["grid"]["capacity_mw"]}}}};
    d.erase("package");
    d.erase("economics");
    d.erase("uncertainty");
    const ResolvedScenario rs = resolve_and_prepare(d, catalog, "default.json (site moved)", file.parent_path());
    const SiteSpec& site = rs.scenario.site;
    CHECK(site.weather.kind == WeatherKind::Synthetic);
    CHECK(site.weather.normals.city == (*catalog.entry("countries", country))["city"].get<std::string>());
    CHECK_FALSE(site.design_basis.empty());
    CHECK(site.design_wet_bulb_c <= site.design_dry_bulb_c);
    CHECK(site.design_evap_wet_bulb_c <= site.design_evap_dry_bulb_c);
  }
}

TEST_CASE("the EPW-style design conditions of hourly weather follow the ASHRAE definitions") {
  // 20 000 hours of dry bulb 0..199.99 C in steps of 0.01 K, wet bulb 5 K below: the 0.4 % level is the value 80
  // hours from the top, its coincident wet bulb 5 K lower.
  HourlyWeather w;
  for (int h = 0; h < 20000; ++h) {
    w.dry_bulb_c.push_back(h * 0.01);
    w.wet_bulb_c.push_back(h * 0.01 - 5.0);
    w.rh_pct.push_back(50.0);
  }
  const DesignConditions d = design_conditions_of(w);
  CHECK(d.db_0p4_c == Approx(199.99 * 0.996).margin(0.01));
  CHECK(d.db_1_c == Approx(199.99 * 0.99).margin(0.01));
  CHECK(d.mcwb_0p4_c == Approx(d.db_0p4_c - 5.0).margin(0.01));
  CHECK(d.wb_0p4_c == Approx(d.db_0p4_c - 5.0).margin(0.01));
  CHECK(d.mcdb_wb_0p4_c == Approx(d.db_0p4_c).margin(0.01));
  CHECK(d.extreme_max_wb_c == Approx(194.99).margin(1e-9));
}
