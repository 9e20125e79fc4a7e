// The scheduler of the fleet (core/model/fleet_scheduler): placement, pre-emption and waiting groups, also when a
// service asks for far more instances than the site holds.

#include <catch2/catch.hpp>

#include <chrono>

#include "fleet_fixtures.hpp"

using namespace aidc;
using namespace aidc::test;

TEST_CASE("a service with 1,000 times the site's capacity in demand runs in seconds and is under-served",
          "[fleet][scheduler]") {
  // 125 nodes of 8 GPUs hold 1,000 one-GPU instances (5e6 tokens/s); the demand asks for 1,000 times that, so the
  // service deploys about 1.3 million instances for its diurnal peak, nearly all waiting for a node. Failures at
  // 100 times the Llama 3 rates hand repaired nodes to the waiting groups all along the week.
  Scenario s = fleet_scenario(125, 24 * 7);
  for (auto& c : s.fleet.components) c.failures_per_unit_h *= 100.0;
  const double instance_tokens_per_s = 5000.0;
  const double capacity_tokens_per_s = 125 * 8 * instance_tokens_per_s;
  s.workloads = {inference_service("chat", 1, 0, 1000.0 * capacity_tokens_per_s / 300.0)};
  const std::vector<FleetWorkloadRate> rates = {{instance_tokens_per_s, 0.0}};
  REQUIRE(instances_for_peak(s.workloads[0], rates[0], s.horizon_h) > 1'000'000);

  const auto t0 = std::chrono::steady_clock::now();
  const SiteYearResult r = run_fleet(s, rates);
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(elapsed_s < 20.0);  // a scan of all groups per placement took minutes

  CHECK(fleet_kpi(s, r, "failures") > 0);
  CHECK(fleet_kpi(s, r, "chat.instances_up") <= 1000.0);
  CHECK(fleet_kpi(s, r, "chat.instances_up") > 100.0);
  CHECK(fleet_kpi(s, r, "chat.capacity_tokens_per_s") <= capacity_tokens_per_s);
  const double attainment = fleet_kpi(s, r, "chat.slo_attainment");
  CHECK(attainment > 0.0);
  CHECK(attainment < 0.002);
  CHECK(fleet_kpi(s, r, "service_availability") == 0.0);
}

TEST_CASE("a higher-priority service pre-empts the latest instances of a lower one, not its own",
          "[fleet][scheduler]") {
  // 8 nodes, no spare: each service holds 4 at the start. When one of the high service's nodes fails, it takes a
  // node of the low service at once (the low one's latest group); the low service waits for the repair.
  Scenario s = fleet_scenario(8, 24 * 14);
  for (auto& c : s.fleet.components) c.failures_per_unit_h *= 2000.0;
  s.fleet.spare_parts_share = 1.0;
  WorkloadSpec high = inference_service("high", 8, 4, 1.0);
  high.priority = 2;
  WorkloadSpec low = inference_service("low", 8, 4, 1.0);
  low.priority = 1;
  s.workloads = {low, high};
  const SiteYearResult r = run_fleet(s, {{1000.0, 0.0}, {1000.0, 0.0}});
  REQUIRE(fleet_kpi(s, r, "failures") > 10);
  // The high service keeps more of its instances up than the low one, which gives nodes up to it.
  CHECK(fleet_kpi(s, r, "high.instances_up") > fleet_kpi(s, r, "low.instances_up"));
  CHECK(fleet_kpi(s, r, "high.instances_up") + fleet_kpi(s, r, "low.instances_up") <= 8.0);
}
