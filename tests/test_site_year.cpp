#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "core/model/facility_design.hpp"
#include "core/model/site_year.hpp"
#include "core/stats/quantile.hpp"
#include "scenario_fixtures.hpp"

using namespace aidc;
using aidc::test::resolve;
using aidc::test::small_scenario_json;

namespace {

SiteYearResult simulate(const Scenario& s, int replication = 0) {
  const HourlyWeather w = site_weather(s, nullptr, replication);
  return simulate_site_year(s, w, replication);
}

double sum_series(const SiteYearResult& r, SiteSeries k, std::size_t T) {
  double total = 0.0;
  for (std::size_t h = 0; h < T; ++h) total += r.at(k, h, T);
  return total;
}

std::size_t count_events(const SiteYearResult& r, SiteEventKind kind) {
  return static_cast<std::size_t>(
      std::count_if(r.events.begin(), r.events.end(), [&](const EventRecord& e) { return e.kind == kind; }));
}

// A year with frequent, long outages so that backup is exercised.
Scenario unreliable_grid_year() {
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  doc["site"]["grid"]["saidi_h_per_yr"] = 200.0;
  doc["site"]["grid"]["saifi_per_yr"] = 50.0;
  return resolve(doc).scenario;
}

}  // namespace

TEST_CASE("every hour, facility power equals IT plus cooling plus losses, and PUE is at least 1") {
  const Scenario s = resolve(small_scenario_json()).scenario;
  const auto r = simulate(s);
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  for (std::size_t h = 0; h < T; ++h) {
    const double it = r.at(kSeriesItPower, h, T);
    const double sum = it + r.at(kSeriesCoolingPower, h, T) + r.at(kSeriesLossPower, h, T);
    REQUIRE(r.at(kSeriesFacilityPower, h, T) == Approx(sum).epsilon(1e-12));
    REQUIRE(r.at(kSeriesPue, h, T) >= 1.0);
    REQUIRE(r.at(kSeriesWetBulb, h, T) <= r.at(kSeriesDryBulb, h, T) + 1e-9);
  }
}

TEST_CASE("every hour, demand is met by grid, backup or counted as unserved") {
  const Scenario s = unreliable_grid_year();
  const auto r = simulate(s);
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  REQUIRE(r.kpis[kKpiGridOutages] > 10);
  for (std::size_t h = 0; h < T; ++h) {
    const double supplied = r.at(kSeriesGridImport, h, T) + r.at(kSeriesBackupPower, h, T) + r.at(kSeriesUnservedPower, h, T);
    REQUIRE(supplied == Approx(r.at(kSeriesFacilityPower, h, T)).epsilon(1e-9));
    REQUIRE(r.at(kSeriesUnservedPower, h, T) >= -1e-6);
  }
}

TEST_CASE("with no outages and ample grid capacity everything comes from the grid") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["saidi_h_per_yr"] = 0.0;
  doc["site"]["grid"]["saifi_per_yr"] = 0.0;
  const Scenario s = resolve(doc).scenario;
  const auto r = simulate(s);
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  CHECK(r.kpis[kKpiBackupHours] == 0.0);
  CHECK(r.kpis[kKpiUnservedEnergy] == 0.0);
  CHECK(sum_series(r, kSeriesGridImport, T) == Approx(sum_series(r, kSeriesFacilityPower, T)));
  CHECK(r.kpis[kKpiPowerAvailability] == 1.0);
}

TEST_CASE("more SAIDI gives more backup hours") {
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  doc["site"]["grid"]["saifi_per_yr"] = 4.0;
  auto backup_hours = [&](double saidi) {
    doc["site"]["grid"]["saidi_h_per_yr"] = saidi;
    const Scenario s = resolve(doc).scenario;
    double total = 0.0;
    for (int rep = 0; rep < 8; ++rep) total += simulate(s, rep).kpis[kKpiBackupHours];
    return total / 8.0;
  };
  const double low = backup_hours(2.0);
  const double high = backup_hours(40.0);
  CHECK(low > 0.0);
  CHECK(high > 5.0 * low);
}

TEST_CASE("the mean backup time over many years approaches SAIDI") {
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  doc["site"]["grid"]["saidi_h_per_yr"] = 20.0;
  doc["site"]["grid"]["saifi_per_yr"] = 10.0;
  const Scenario s = resolve(doc).scenario;
  const SiteWeather weather(s, nullptr);
  std::vector<double> hours;
  for (int rep = 0; rep < 200; ++rep) {
    hours.push_back(simulate_site_year(s, weather.replication(rep), rep).kpis[kKpiBackupHours]);
  }
  // Lognormal durations (sigma 1) have a wide spread; 200 years bound the mean within about ±15%.
  CHECK(aidc::mean(hours) == Approx(20.0).epsilon(0.15));
}

TEST_CASE("in a full site-year, Tokyo has a lower annual PUE than Johor and Riyadh for the same design") {
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  auto pue_in = [&](const std::string& climate) {
    doc["site"]["weather"]["climate"] = climate;
    return simulate(resolve(doc).scenario).kpis[kKpiPueAnnual];
  };
  const double tokyo = pue_in("Tokyo");
  const double johor = pue_in("Johor Bahru");
  const double riyadh = pue_in("Riyadh");
  CHECK(tokyo < johor);
  CHECK(tokyo < riyadh);
}

TEST_CASE("generators that never start leave the critical load unpowered once the UPS is empty") {
  Scenario s = unreliable_grid_year();
  s.facility.generators.start_reliability = 0.0;
  s.facility.ups.ride_through_s = 60.0;
  const auto r = simulate(s);
  CHECK(count_events(r, kEventGeneratorStartFailure) > 0);
  CHECK(count_events(r, kEventUpsDepleted) > 0);
  CHECK(r.kpis[kKpiCriticalUnservedEnergy] > 0.0);
  CHECK(r.kpis[kKpiPowerAvailability] < 1.0);
}

TEST_CASE("reliable generators with enough capacity keep the critical load powered") {
  Scenario s = unreliable_grid_year();
  s.facility.generators.start_reliability = 1.0;
  s.facility.generators.fail_to_run_per_h = 0.0;
  s.facility.generators.count = 20;  // 50 MW for a site of about 14 MW
  const auto r = simulate(s);
  CHECK(r.kpis[kKpiBackupHours] > 50.0);
  CHECK(r.kpis[kKpiCriticalUnservedEnergy] == 0.0);
  CHECK(r.kpis[kKpiFuelUsed] > 0.0);
}

TEST_CASE("running out of fuel in a long outage is an event and leaves load unserved") {
  Scenario s = unreliable_grid_year();
  s.site.grid.saidi_h_per_yr = 500.0;
  s.site.grid.saifi_per_yr = 5.0;  // 100 h outages on average
  s.facility.generators.start_reliability = 1.0;
  s.facility.generators.fail_to_run_per_h = 0.0;
  s.facility.generators.fuel_autonomy_h = 2.0;
  const auto r = simulate(s);
  CHECK(count_events(r, kEventFuelExhausted) > 0);
  CHECK(r.kpis[kKpiCriticalUnservedEnergy] > 0.0);
}

TEST_CASE("demand above the grid connection's capacity is unserved") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["saidi_h_per_yr"] = 0.0;
  doc["site"]["grid"]["saifi_per_yr"] = 0.0;
  doc["site"]["grid"]["capacity_mw"] = 5.0;
  const Scenario s = resolve(doc).scenario;
  const auto r = simulate(s);
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  for (std::size_t h = 0; h < T; ++h) {
    REQUIRE(r.at(kSeriesGridImport, h, T) == Approx(5e6));
    REQUIRE(r.at(kSeriesUnservedPower, h, T) == Approx(r.at(kSeriesFacilityPower, h, T) - 5e6));
  }
}

TEST_CASE("carbon and cost follow grid energy and generator fuel") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["saidi_h_per_yr"] = 0.0;
  doc["site"]["grid"]["saifi_per_yr"] = 0.0;
  const Scenario s = resolve(doc).scenario;
  const auto r = simulate(s);
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  const double grid_kwh = sum_series(r, kSeriesGridImport, T) / 1000.0;
  CHECK(r.kpis[kKpiCarbon] * 1000.0 == Approx(grid_kwh * s.site.grid.carbon_kg_per_kwh));
  CHECK(r.kpis[kKpiEnergyCost] == Approx(grid_kwh * s.site.grid.price_usd_per_kwh));
}

TEST_CASE("a replication is a pure function of scenario, seed and replication") {
  const Scenario s = unreliable_grid_year();
  const auto a = simulate(s, 3);
  const auto b = simulate(s, 3);
  const auto c = simulate(s, 4);
  CHECK(a.series == b.series);
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.fingerprint != c.fingerprint);
}

TEST_CASE("generators sized for N+1 carry the design load with one unit to spare") {
  auto doc = small_scenario_json();
  doc["facility"]["generators"] = {{"redundancy", "N+1"}, {"unit_capacity_mw", 2.5}};
  const auto rs = resolve(doc);
  const int n = rs.scenario.facility.generators.count;
  const double design_w = design_facility_power_w(rs.scenario);
  CHECK((n - 1) * 2.5e6 >= design_w);
  CHECK((n - 2) * 2.5e6 < design_w);
}
