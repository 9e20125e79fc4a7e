// The fleet in operation (core/model/fleet_ops.hpp): construction of its pools, nodes, groups, jobs and services
// from the scenario, the placement at time 0, and the dispatch of its events. The concepts live in their own files
// (core/model/fleet_state.hpp lists them); this file only wires them to the site's one event loop.

#include "core/model/fleet_ops.hpp"

#include <algorithm>
#include <numeric>

#include "core/model/fleet_maintenance.hpp"
#include "core/model/fleet_plan.hpp"
#include "core/model/fleet_state.hpp"

namespace aidc {

using namespace fleet_detail;

FleetOps::Impl::Impl(const Scenario& sc, const std::vector<FleetWorkloadRate>& rates, int rep, std::int32_t offset,
                     std::vector<EventRecord>& ev, std::vector<double>& se)
    : s(sc),
      f(sc.fleet),
      replication(rep),
      record_offset(offset),
      events(ev),
      series(se),
      horizon_h(static_cast<std::size_t>(sc.horizon_h)),
      failure_rng(sc.seed, static_cast<std::uint64_t>(rep), kStreamFailures),
      pick_rng(sc.seed, static_cast<std::uint64_t>(rep), kStreamFailurePick) {
  series.assign(kFleetSeriesCount * horizon_h, 0.0);
  fabric_w = size_fabric(sc.it, sc.fleet.network).power_w;
  build(rates);
}

void FleetOps::Impl::record(double t, FleetRecordKind kind, const std::string& component, std::int64_t id,
                            double duration_s, double value) {
  events.push_back({replication, t, record_offset + kind, component, id, duration_s, value});
}

void FleetOps::Impl::build(const std::vector<FleetWorkloadRate>& rates) {
  build_software_rates();
  build_pools();
  share_hot_spares(static_cast<int>(nodes.size()));
  build_stock();
  // Workloads → jobs and services, each on the pool of its system (the first pool if none matches).
  for (std::size_t wi = 0; wi < s.workloads.size(); ++wi) {
    const WorkloadSpec& w = s.workloads[wi];
    int pool = 0;
    for (std::size_t i = 0; i < pools.size(); ++i) {
      if (s.it.systems[static_cast<std::size_t>(pools[i].system)].name == w.system) {
        pool = static_cast<int>(i);
        break;
      }
    }
    if (w.kind == WorkloadKind::Training) {
      add_training_job(static_cast<int>(wi), pool, rates[wi]);
    } else {
      add_service(static_cast<int>(wi), pool, rates[wi]);
    }
  }
}

// One pool per system type, its nodes healthy, with their failure rates per component kind.
void FleetOps::Impl::build_pools() {
  const std::size_t kinds = f.components.size();
  int first = 0;
  int total_nodes = 0;
  for (std::size_t i = 0; i < s.it.systems.size(); ++i) total_nodes += s.it.systems[i].count;
  nodes.resize(static_cast<std::size_t>(total_nodes));
  for (std::size_t i = 0; i < s.it.systems.size(); ++i) {
    const SystemSpec& sys = s.it.systems[i];
    Pool p;
    p.system = static_cast<int>(i);
    p.first = first;
    p.count = sys.count;
    p.gpus = sys.gpus_per_system;
    p.nics = sys.scaleout_nics;
    p.max_w = sys.max_power_w;
    p.idle_fraction = sys.idle_power_fraction;
    p.kind_rate_per_node_h.assign(kinds, 0.0);
    for (std::size_t k = 0; k < kinds; ++k) {
      p.kind_rate_per_node_h[k] = failures_per_node_h(f.components[k], sys);
      p.hw_rate_per_node_h += p.kind_rate_per_node_h[k];
    }
    p.up.reserve(static_cast<std::size_t>(p.count));
    for (int n = first; n < first + p.count; ++n) {
      nodes[static_cast<std::size_t>(n)].pool = static_cast<int>(pools.size());
      nodes[static_cast<std::size_t>(n)].up_pos = static_cast<int>(p.up.size());
      p.up.push_back(n);
    }
    total_gpus += p.count * p.gpus;
    first += p.count;
    pools.push_back(std::move(p));
  }
  up_gpus = total_gpus;
}

void FleetOps::Impl::start(Simulator<>& sim) {
  // Placement at time 0 in priority order (ties: scenario order): services' instances and jobs submitted at 0.
  std::vector<int> order(s.workloads.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return s.workloads[static_cast<std::size_t>(a)].priority > s.workloads[static_cast<std::size_t>(b)].priority;
  });
  for (int wi : order) {
    const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(wi)];
    if (w.kind == WorkloadKind::Training) {
      for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
        if (jobs[ji].workload != wi) continue;
        if (w.start_h <= 0.0) {
          on_job_start(static_cast<int>(ji), sim);
        } else {
          sim.schedule_at(seconds_to_sim(w.start_h * 3600.0), kEvJobStart, static_cast<std::uint32_t>(ji));
        }
      }
    } else {
      for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        if (groups[gi].workload == wi && groups[gi].service >= 0) fill(static_cast<int>(gi), sim, true);
      }
    }
  }
  reschedule_failure(sim);
}

void FleetOps::Impl::handle(const Event& e, Simulator<>& sim) {
  accrue(now_s(sim));
  switch (e.kind) {
    case kEvFailure:
      if (e.payload != failure_epoch) return;
      failure_rate_per_s = -1.0;  // this draw is used: draw the next one whatever the rate
      on_failure(sim);
      break;
    case kEvPartArrives: on_part_arrives(static_cast<int>(e.target), sim); break;
    case kEvRepairDone: on_repair_done(static_cast<int>(e.target), sim); break;
    case kEvJobStart: on_job_start(static_cast<int>(e.target), sim); break;
    case kEvJobRestarted: on_job_restarted(static_cast<int>(e.target), e.payload, sim); break;
    case kEvJobComplete: on_job_complete(static_cast<int>(e.target), e.payload, sim); break;
    case kEvInstanceReady: {
      const Group& g = groups[e.target];
      if (g.epoch == e.payload) activate_instance(static_cast<int>(e.target), sim);
      break;
    }
    default: break;
  }
  reschedule_failure(sim);
}

FleetOps::FleetOps(const Scenario& s, const std::vector<FleetWorkloadRate>& rates, int replication,
                   std::int32_t record_offset, std::vector<EventRecord>& events, std::vector<double>& series)
    : impl_(std::make_unique<Impl>(s, rates, replication, record_offset, events, series)) {}
FleetOps::~FleetOps() = default;

void FleetOps::start(Simulator<>& sim) { impl_->start(sim); }
void FleetOps::handle(const Event& e, Simulator<>& sim) { impl_->handle(e, sim); }
double FleetOps::it_demand_w(std::size_t hour) { return impl_->it_demand_w(hour); }
void FleetOps::set_supply(Simulator<>& sim, double delivered_fraction, bool power_lost) {
  impl_->set_supply(sim, delivered_fraction, power_lost);
}
void FleetOps::close_hour(std::size_t hour) { impl_->close_hour(hour); }
std::vector<double> FleetOps::kpis(double facility_energy_mwh, double water_l) {
  return impl_->kpis(facility_energy_mwh, water_l);
}

}  // namespace aidc
