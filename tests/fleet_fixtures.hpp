#pragma once
// Fleets for tests of core/model/fleet_ops: a resolved small scenario with a fleet set up in code, so each test can
// change one parameter. Component rates are the Llama 3 405B figures (shared/data/failures.csv: 16,384 H100 in
// 2,048 nodes of 8 with 8 NICs each, 1,296 h, 419 unexpected interruptions).

#include <string>
#include <vector>

#include "core/model/fleet_ops.hpp"
#include "core/model/site_year.hpp"
#include "scenario_fixtures.hpp"

namespace aidc::test {

inline constexpr double kLlamaHours = 54.0 * 24.0;
inline constexpr double kLlamaGpus = 16384.0;
inline constexpr double kLlamaNodes = 2048.0;
inline constexpr double kLlamaNics = 16384.0;

inline std::vector<ComponentReliability> llama3_components() {
  auto c = [](std::string kind, FailureUnit per, double count, double units, bool part, double repair_h) {
    return ComponentReliability{std::move(kind), per, count / (units * kLlamaHours), part, repair_h, "test"};
  };
  return {c("accelerator", FailureUnit::Gpu, 196, kLlamaGpus, true, 4.0),
          c("hbm", FailureUnit::Gpu, 72, kLlamaGpus, true, 4.0),
          c("nic", FailureUnit::Nic, 7, kLlamaNics, true, 1.0),
          c("network", FailureUnit::Node, 35, kLlamaNodes, true, 1.0),
          c("host", FailureUnit::Node, 43, kLlamaNodes, true, 2.0),
          c("power_supply", FailureUnit::Node, 3, kLlamaNodes, true, 0.5),
          c("software", FailureUnit::JobGpu, 63, kLlamaGpus, false, 0.0)};
}

// A site of `nodes` DGX H100 with a fleet: generous grid, no caps unless a test sets them.
inline Scenario fleet_scenario(int nodes, int horizon_h) {
  nlohmann::json doc = small_scenario_json();
  doc["horizon"]["duration_h"] = horizon_h;
  doc["it"]["systems"][0]["count"] = nodes;
  const double it_mw = nodes * 10.2e-3;
  doc["site"]["grid"]["capacity_mw"] = it_mw * 2.0 + 1.0;
  doc["facility"]["generators"] = {{"redundancy", "N+1"}, {"unit_capacity_mw", 2.5}};
  Scenario s = resolve(doc).scenario;
  FleetSpec& f = s.fleet;
  f.enabled = true;
  f.halls = 1;
  f.rack_power_limit_w = 41e3;
  f.hot_spare_nodes = 0;
  f.technicians = 0;  // unlimited
  f.spare_parts_share = 0.02;
  f.parts_lead_time_h = 7 * 24.0;
  f.node_swap_h = 0.25;
  f.power_capping = true;
  f.dvfs_power_exponent = 3.0;
  f.cooling_derate_per_k = 0.0;
  f.training_utilization = 1.0;
  f.components = llama3_components();
  return s;
}

inline WorkloadSpec training_job(const std::string& name, int gpus, double tokens) {
  WorkloadSpec w;
  w.name = name;
  w.kind = WorkloadKind::Training;
  w.system = "dgx-h100";
  w.accelerator = "h100-sxm";
  w.gpus = gpus;
  w.tokens = tokens;
  w.checkpoint_s = 30.0;
  w.restart_s = 300.0;
  return w;
}

inline WorkloadSpec inference_service(const std::string& name, int gpus, int instances, double rps) {
  WorkloadSpec w;
  w.name = name;
  w.kind = WorkloadKind::Inference;
  w.system = "dgx-h100";
  w.accelerator = "h100-sxm";
  w.gpus = gpus;
  w.osl = 300;
  w.isl = 1000;
  w.instances = instances;
  w.priority = 1;
  w.demand.mean_requests_per_s = rps;
  w.demand.diurnal_amplitude = 0.3;
  return w;
}

inline SiteYearResult run_fleet(const Scenario& s, const std::vector<FleetWorkloadRate>& rates, int replication = 0) {
  return simulate_site_year(s, site_weather(s, nullptr, replication), replication, rates);
}

// The value of a fleet KPI by name.
inline double fleet_kpi(const Scenario& s, const SiteYearResult& r, const std::string& name) {
  const auto info = fleet_kpi_info(s);
  const std::size_t k = kpi_index(info, name);
  if (k == info.size()) throw std::out_of_range("no fleet KPI " + name);
  return r.fleet_kpis.at(k);
}

inline double fleet_series_at(const SiteYearResult& r, FleetSeries k, std::size_t hour, std::size_t horizon_h) {
  return r.fleet_series[k * horizon_h + hour];
}

}  // namespace aidc::test
