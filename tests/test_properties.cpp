// Physical and financial invariants as properties (RapidCheck): each holds for every input RapidCheck generates,
// and a counterexample is shrunk to a small one. RC_PARAMS="seed=N" replays a run; the number of cases per property
// is set here, small where one case is a simulation.

#include <catch2/catch.hpp>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/model/economics.hpp"
#include "core/model/power_chain.hpp"
#include "core/model/site_year.hpp"
#include "fleet_fixtures.hpp"
#include "scenario_fixtures.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

// Checks `testable` on `cases` generated inputs (RapidCheck's seed and size from RC_PARAMS); fails the test case
// with RapidCheck's report, the shrunk counterexample included.
template <typename Testable>
void check_property(int cases, Testable&& testable) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = cases;
  const rc::detail::TestResult result =
      rc::detail::checkTestable(std::forward<Testable>(testable), rc::detail::TestMetadata{}, params);
  std::ostringstream report;
  rc::detail::printResultMessage(result, report);
  INFO(report.str());
  CHECK(result.template is<rc::detail::SuccessResult>());
}

// A value in [lo, hi] in `steps` steps: RapidCheck's integers shrink towards lo.
rc::Gen<double> in_range(double lo, double hi, int steps = 1'000'000) {
  return rc::gen::map(rc::gen::inRange(0, steps + 1),
                      [lo, hi, steps](int i) { return lo + (hi - lo) * static_cast<double>(i) / steps; });
}

}  // namespace

TEST_CASE("for any power chain and load, facility power is IT plus cooling plus losses, and losses are heat") {
  check_property(500, [] {
    PowerChainSpec spec;
    spec.transformer_efficiency = *in_range(0.5, 1.0);
    spec.ups_efficiency = *in_range(0.5, 1.0);
    spec.pdu_efficiency = *in_range(0.5, 1.0);
    spec.misc_fraction_of_it = *in_range(0.0, 0.2);
    const double it_w = *in_range(0.0, 2e9);
    const double cooling_w = *in_range(0.0, 1.0) * it_w;
    const PowerFlows p = power_flows(spec, it_w, cooling_w);
    RC_ASSERT(p.facility_power_w == p.it_power_w + p.cooling_power_w + p.loss_power_w);
    RC_ASSERT(p.loss_power_w >= 0.0);
    RC_ASSERT(p.indoor_loss_w >= 0.0);
    RC_ASSERT(p.indoor_loss_w <= p.loss_power_w * (1 + 1e-12));
    RC_ASSERT(std::abs(indoor_heat_w(spec, it_w) - (it_w + p.indoor_loss_w)) <= 1e-9 * std::max(1.0, it_w));
  });
}

TEST_CASE("in any site-week, every hour's facility power balances and the supply meets it or is counted unserved") {
  check_property(12, [] {
    auto doc = small_scenario_json();
    doc["horizon"]["duration_h"] = 168;
    doc["seed"] = *rc::gen::inRange(1, 1'000'000);
    doc["site"]["grid"]["saidi_h_per_yr"] = *in_range(0.0, 500.0);
    doc["site"]["grid"]["saifi_per_yr"] = *in_range(0.1, 100.0);
    doc["site"]["grid"]["capacity_mw"] = *in_range(5.0, 40.0);
    doc["it"]["utilization"]["mean"] = *in_range(0.1, 0.9);
    const Scenario s = resolve(doc).scenario;
    const int replication = *rc::gen::inRange(0, 8);
    const SiteYearResult r = simulate_site_year(s, site_weather(s, nullptr, replication), replication);
    const std::size_t T = static_cast<std::size_t>(s.horizon_h);
    for (std::size_t h = 0; h < T; ++h) {
      const double facility = r.at(kSeriesFacilityPower, h, T);
      const double parts = r.at(kSeriesItPower, h, T) + r.at(kSeriesCoolingPower, h, T) + r.at(kSeriesLossPower, h, T);
      RC_ASSERT(std::abs(facility - parts) <= 1e-12 * facility);
      const double supplied =
          r.at(kSeriesGridImport, h, T) + r.at(kSeriesBackupPower, h, T) + r.at(kSeriesUnservedPower, h, T);
      RC_ASSERT(std::abs(supplied - facility) <= 1e-9 * facility);
      RC_ASSERT(r.at(kSeriesUnservedPower, h, T) >= -1e-6);
      RC_ASSERT(r.at(kSeriesPue, h, T) >= 1.0);
    }
  });
}

TEST_CASE("for any failure rates and demand, tokens served never exceed the demand or the capacity") {
  check_property(8, [] {
    Scenario s = fleet_scenario(16, 24 * 7);
    s.seed = static_cast<std::uint64_t>(*rc::gen::inRange(1, 1'000'000));
    const double failure_scale = *in_range(0.0, 500.0);
    for (auto& c : s.fleet.components) c.failures_per_unit_h *= failure_scale;
    s.fleet.spare_parts_share = *in_range(0.0, 0.1);
    const double rps = *in_range(0.5, 80.0);
    const double instance_tokens_per_s = *in_range(100.0, 20000.0);
    s.workloads = {inference_service("chat", 8, 12, rps), training_job("train", 32, 1e15)};
    const SiteYearResult r = run_fleet(s, {{instance_tokens_per_s, 0.0}, {0.0, 2.0e5}});
    const std::size_t T = static_cast<std::size_t>(s.horizon_h);
    for (std::size_t h = 0; h < T; ++h) {
      const double demand = fleet_series_at(r, kFleetSeriesDemandTokens, h, T);
      const double served = fleet_series_at(r, kFleetSeriesServedTokens, h, T);
      const double capacity = fleet_series_at(r, kFleetSeriesCapacityTokens, h, T);
      RC_ASSERT(served >= 0.0);
      RC_ASSERT(served <= std::min(demand, capacity) * (1 + 1e-12));
      const double up = fleet_series_at(r, kFleetSeriesAcceleratorsUp, h, T);
      const double down = fleet_series_at(r, kFleetSeriesAcceleratorsDown, h, T);
      RC_ASSERT(std::abs(up + down - 16 * 8) <= 1e-9);
    }
  });
}

namespace {

EconomicsSpec priced_spec(double price_usd_per_gpu_hour) {
  EconomicsSpec e;
  e.enabled = true;
  e.horizon_years = 10;
  e.discount_rate = 0.08;
  e.equity_discount_rate = 0.12;
  e.design_it_w = 10e6;
  e.construction_usd_per_w = 10.0;
  e.systems = {{"box", 800, 8, 300'000.0}};
  e.usd_per_gpu_hour = price_usd_per_gpu_hour;
  e.sold_fraction = 0.7;
  e.it_life_years = 5;
  e.building_life_years = 25;
  e.staff_usd_per_year = 2e6;
  e.financing.debt_share = 0.6;
  return e;
}

}  // namespace

TEST_CASE("a dearer energy price never lowers the opex or the levelized cost, nor raises the NPV") {
  check_property(200, [] {
    const double price = *in_range(0.5, 5.0);
    const EconomicsSpec e = priced_spec(price);
    OperatingInputs cheap, dear;
    cheap.energy_cost_usd_per_year = *in_range(0.0, 5e7);
    dear.energy_cost_usd_per_year = cheap.energy_cost_usd_per_year + *in_range(0.0, 5e7);
    const EconomicsResult a = evaluate_economics(e, cheap);
    const EconomicsResult b = evaluate_economics(e, dear);
    RC_ASSERT(b.opex.total_usd >= a.opex.total_usd);
    RC_ASSERT(b.levelized_usd_per_gpu_hour >= a.levelized_usd_per_gpu_hour * (1 - 1e-12));
    RC_ASSERT(b.project_npv_usd <= a.project_npv_usd + 1e-6 * std::abs(a.project_npv_usd));
    RC_ASSERT(b.equity_npv_usd <= a.equity_npv_usd + 1e-6 * std::abs(a.equity_npv_usd));
  });
}

TEST_CASE("a higher price per GPU-hour never lowers the revenue or the NPV, and leaves the levelized cost") {
  check_property(200, [] {
    const double low = *in_range(0.0, 5.0);
    const double high = low + *in_range(0.0, 5.0);
    OperatingInputs ops;
    ops.energy_cost_usd_per_year = *in_range(0.0, 3e7);
    const EconomicsResult a = evaluate_economics(priced_spec(low), ops);
    const EconomicsResult b = evaluate_economics(priced_spec(high), ops);
    RC_ASSERT(b.revenue_usd_per_year >= a.revenue_usd_per_year);
    RC_ASSERT(b.project_npv_usd >= a.project_npv_usd - 1e-6 * std::abs(a.project_npv_usd));
    RC_ASSERT(b.equity_npv_usd >= a.equity_npv_usd - 1e-6 * std::abs(a.equity_npv_usd));
    RC_ASSERT(std::abs(b.levelized_usd_per_gpu_hour - a.levelized_usd_per_gpu_hour) <=
              1e-9 * a.levelized_usd_per_gpu_hour);
  });
}
