// Maintenance of the fleet (core/model/fleet_maintenance): the failure rates per node and the load the failures put
// on the technicians, which says before a run whether the repair queue is stable.

#include <catch2/catch.hpp>

#include <fstream>

#include "core/model/fleet_maintenance.hpp"
#include "fleet_fixtures.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

nlohmann::json scenario_file_json(const std::string& name) {
  std::ifstream in(std::string(AIDCSIM_SOURCE_DIR) + "/scenarios/" + name);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("a node's failure rate counts its GPUs, NICs or itself, and no software fault", "[fleet][maintenance]") {
  SystemSpec sys;
  sys.gpus_per_system = 8;
  sys.scaleout_nics = 4;
  const ComponentReliability gpu{"accelerator", FailureUnit::Gpu, 1e-5, true, 4.0, "test"};
  const ComponentReliability nic{"nic", FailureUnit::Nic, 1e-5, true, 1.0, "test"};
  const ComponentReliability node{"host", FailureUnit::Node, 1e-5, true, 2.0, "test"};
  const ComponentReliability software{"software", FailureUnit::JobGpu, 1e-5, false, 0.0, "test"};
  CHECK(failures_per_node_h(gpu, sys) == Approx(8e-5));
  CHECK(failures_per_node_h(nic, sys) == Approx(4e-5));
  CHECK(failures_per_node_h(node, sys) == Approx(1e-5));
  CHECK(failures_per_node_h(software, sys) == 0.0);
}

TEST_CASE("repair queue utilization is failures per hour times hands-on hours over the technicians",
          "[fleet][maintenance]") {
  Scenario s = fleet_scenario(100, 24);
  s.fleet.technicians = 2;
  // By hand from the Llama 3 rates of the fixture: DGX H100 nodes of 8 GPUs and 8 NICs.
  double technician_h_per_h = 0.0;
  for (const ComponentReliability& c : s.fleet.components) {
    const double units = c.per == FailureUnit::Gpu ? 8.0 : c.per == FailureUnit::Nic ? 8.0
                         : c.per == FailureUnit::Node ? 1.0 : 0.0;
    technician_h_per_h += 100.0 * units * c.failures_per_unit_h * c.repair_h;
  }
  CHECK(repair_queue_utilization(s) == Approx(technician_h_per_h / 2.0));
  s.fleet.technicians = 4;
  CHECK(repair_queue_utilization(s) == Approx(technician_h_per_h / 4.0));
  s.fleet.technicians = 0;  // unlimited
  CHECK(repair_queue_utilization(s) == 0.0);
  s.fleet.technicians = 1;
  s.fleet.enabled = false;
  CHECK(repair_queue_utilization(s) == 0.0);
}

TEST_CASE("the default scenario's technicians keep up with its failures", "[fleet][maintenance]") {
  const ResolvedScenario rs = resolve(scenario_file_json("default.json"));
  REQUIRE(rs.scenario.fleet.enabled);
  const double rho = repair_queue_utilization(rs.scenario);
  CHECK(rho > 0.0);
  CHECK(rho < 0.5);
}

TEST_CASE("one technician for 400 GB200 NVL72 racks is an unstable repair queue", "[fleet][maintenance]") {
  // The default of 2 technicians per 1,000 nodes gives one for 400 racks of 72 GPUs: 28,800 GPUs.
  nlohmann::json doc = scenario_file_json("riyadh-50mw-gb200-liquid.json");
  doc["fleet"] = nlohmann::json::object();
  const ResolvedScenario rs = resolve(doc);
  REQUIRE(rs.scenario.fleet.technicians == 1);
  CHECK(repair_queue_utilization(rs.scenario) > 1.0);
  doc["fleet"]["technicians"] = 4;
  CHECK(repair_queue_utilization(resolve(doc).scenario) < 0.8);
}

TEST_CASE("above a repair queue utilization of one repairs wait far longer than their hands-on time",
          "[fleet][maintenance]") {
  // The simulation draws the rates the utilization uses: at 1.5 the queue grows over the horizon, at 0.3 a repair
  // rarely waits. Parts are always on site, so the time to repair is hands-on time plus the wait for a technician.
  Scenario s = fleet_scenario(64, 24 * 60);
  s.workloads = {};
  s.fleet.spare_parts_share = 1.0;
  s.fleet.technicians = 1;
  const double base = repair_queue_utilization(s);
  REQUIRE(base > 0.0);
  auto mttr_at = [&](double rho) {
    Scenario t = s;
    for (auto& c : t.fleet.components) c.failures_per_unit_h *= rho / base;
    REQUIRE(repair_queue_utilization(t) == Approx(rho));
    return fleet_kpi(t, run_fleet(t, {}), "mean_time_to_repair_h");
  };
  const double stable = mttr_at(0.3), unstable = mttr_at(1.5);
  CHECK(stable < 6.0);       // the hands-on times are 0.5 to 4 h
  CHECK(unstable > 24.0);    // a growing backlog: waits of days for a technician
  CHECK(unstable > 5.0 * stable);
}
