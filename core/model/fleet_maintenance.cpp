// Maintenance of the fleet: the failure process of the healthy nodes and the running jobs, the on-site stock of
// spare parts, and repairs by a limited number of technicians.
//
// Failures of each component kind arrive as Poisson processes per unit (failures_per_node_h × nodes up), so the
// fleet draws one exponential for the next failure of all its up nodes and running jobs, and draws again whenever
// that total rate changes (memoryless). A node failure takes the node down and out of its group; its repair takes a
// part from the stock (reordered at once, back after the lead time) or waits for the ordered one, then a technician
// (FIFO when all are busy). A repaired node goes back to the scheduler (release_node).

#include "core/model/fleet_maintenance.hpp"

#include <algorithm>
#include <cmath>

#include "core/model/fleet_state.hpp"

namespace aidc {

double units_per_node(const SystemSpec& sys, FailureUnit per) {
  switch (per) {
    case FailureUnit::Gpu: return sys.gpus_per_system;
    case FailureUnit::Node: return 1.0;
    case FailureUnit::Nic: return sys.scaleout_nics;
    case FailureUnit::JobGpu: return 0.0;
  }
  return 0.0;
}

double failures_per_node_h(const ComponentReliability& c, const SystemSpec& sys) {
  return c.failures_per_unit_h * units_per_node(sys, c.per);
}

double repair_queue_utilization(const Scenario& s) {
  const FleetSpec& f = s.fleet;
  if (!f.enabled || f.technicians <= 0) return 0.0;
  double technician_h_per_h = 0.0;
  for (const SystemSpec& sys : s.it.systems) {
    for (const ComponentReliability& c : f.components) {
      technician_h_per_h += sys.count * failures_per_node_h(c, sys) * c.repair_h;
    }
  }
  return technician_h_per_h / f.technicians;
}

using namespace fleet_detail;

// ---- Construction -----------------------------------------------------------------------------------------------

void FleetOps::Impl::build_software_rates() {
  const std::size_t kinds = f.components.size();
  software_rate_per_gpu_h.assign(kinds, 0.0);
  for (std::size_t k = 0; k < kinds; ++k) {
    if (f.components[k].per == FailureUnit::JobGpu) {
      software_rate_per_gpu_h[k] = f.components[k].failures_per_unit_h;
      software_rate_total_per_gpu_h += f.components[k].failures_per_unit_h;
    }
  }
}

// Spare parts on site: a share of the installed units of each kind, rounded up.
void FleetOps::Impl::build_stock() {
  const std::size_t kinds = f.components.size();
  stock.assign(kinds, 0);
  backorders.assign(kinds, {});
  for (std::size_t k = 0; k < kinds; ++k) {
    double units = 0.0;
    for (const Pool& p : pools) {
      units += p.count * units_per_node(s.it.systems[static_cast<std::size_t>(p.system)], f.components[k].per);
    }
    stock[k] = static_cast<int>(std::ceil(f.spare_parts_share * units - 1e-9));
  }
}

// ---- Failure process --------------------------------------------------------------------------------------------

double FleetOps::Impl::hardware_rate_per_h() const {
  double r = 0.0;
  for (const Pool& p : pools) r += static_cast<double>(p.up.size()) * p.hw_rate_per_node_h;
  return r;
}

// `hardware_per_h` plus the software faults of the running jobs.
double FleetOps::Impl::total_rate_per_h(double hardware_per_h) const {
  double r = hardware_per_h;
  for (const Job& j : jobs) {
    if (j.state == JobState::Running) {
      r += s.workloads[static_cast<std::size_t>(j.workload)].gpus * software_rate_total_per_gpu_h;
    }
  }
  return r;
}

// The next failure of the whole fleet, drawn again whenever the total rate changed (memoryless).
void FleetOps::Impl::reschedule_failure(Simulator<>& sim) {
  const double rate = total_rate_per_h(hardware_rate_per_h()) / 3600.0;
  if (rate == failure_rate_per_s) return;
  failure_rate_per_s = rate;
  ++failure_epoch;
  if (rate <= 0.0) return;
  const double t = now_s(sim) + failure_rng.exponential(rate);
  if (t < static_cast<double>(horizon_h) * 3600.0) {
    sim.schedule_at(std::max(sim.now(), seconds_to_sim(t)), kEvFailure, 0, failure_epoch);
  }
}

// Which failure it is: a node (pool by its share of the hardware rate, a node uniformly, the kind by its rate) or a
// software fault of a running job.
void FleetOps::Impl::on_failure(Simulator<>& sim) {
  const double hw = hardware_rate_per_h();
  const double total = total_rate_per_h(hw);
  double u = pick_rng.uniform() * total;
  if (u >= hw) {
    software_fault(u - hw, sim);
    return;
  }
  for (std::size_t pi = 0; pi < pools.size(); ++pi) {
    Pool& p = pools[pi];
    const double pr = static_cast<double>(p.up.size()) * p.hw_rate_per_node_h;
    if (u >= pr && pi + 1 < pools.size()) {
      u -= pr;
      continue;
    }
    if (p.up.empty()) return;
    const int n = p.up[static_cast<std::size_t>(pick_rng.uniform_int(p.up.size()))];
    double v = pick_rng.uniform() * p.hw_rate_per_node_h;
    std::size_t kind = 0;
    for (; kind + 1 < p.kind_rate_per_node_h.size(); ++kind) {
      if (v < p.kind_rate_per_node_h[kind]) break;
      v -= p.kind_rate_per_node_h[kind];
    }
    node_failure(n, static_cast<int>(kind), sim);
    return;
  }
}

// A software fault of a running job, weighted by its GPUs; `u` is uniform over the jobs' software rate.
void FleetOps::Impl::software_fault(double u, Simulator<>& sim) {
  for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
    Job& j = jobs[ji];
    if (j.state != JobState::Running) continue;
    const double r = s.workloads[static_cast<std::size_t>(j.workload)].gpus * software_rate_total_per_gpu_h;
    if (u >= r) {
      u -= r;
      continue;
    }
    double v = pick_rng.uniform() * software_rate_total_per_gpu_h;
    std::size_t kind = 0;
    for (; kind + 1 < software_rate_per_gpu_h.size(); ++kind) {
      if (software_rate_per_gpu_h[kind] > 0.0 && v < software_rate_per_gpu_h[kind]) break;
      v -= software_rate_per_gpu_h[kind];
    }
    ++failures;
    record(now_s(sim), kRecordComponentFailure, f.components[kind].kind, -1, 0.0, 0.0);
    interrupt_job(static_cast<int>(ji), sim, -1);
    if (!power_lost) begin_restart(static_cast<int>(ji), sim);  // same nodes, after the restart time
    return;
  }
}

void FleetOps::Impl::node_failure(int n, int kind, Simulator<>& sim) {
  const double t = now_s(sim);
  Node& node = nodes[static_cast<std::size_t>(n)];
  Pool& p = pools[static_cast<std::size_t>(node.pool)];
  ++failures;
  // Out of the up list (swap-remove).
  const int pos = node.up_pos;
  const int last = p.up.back();
  p.up[static_cast<std::size_t>(pos)] = last;
  nodes[static_cast<std::size_t>(last)].up_pos = pos;
  p.up.pop_back();
  node.up_pos = -1;
  up_gpus -= p.gpus;
  node.failed_kind = kind;
  node.down_since_s = t;
  const int owner = node.owner;
  set_owner(n, kDown);
  ++node.stamp;  // invalidates its entry in a spare or idle list
  if (owner == kSpare) --p.spare_count;
  if (owner == kFree) --p.free_count;
  const ComponentReliability& c = f.components[static_cast<std::size_t>(kind)];
  record(t, kRecordComponentFailure, c.kind, n, 0.0, p.gpus);
  if (owner >= 0) {
    remove_member(owner, n);
    member_lost(owner, sim, n);
  }
  // The repair: a part from the stock (reordered at once), or wait for the one ordered now.
  if (c.needs_part) {
    sim.schedule_at(seconds_to_sim(t + f.parts_lead_time_h * 3600.0), kEvPartArrives, static_cast<std::uint32_t>(kind));
    if (stock[static_cast<std::size_t>(kind)] > 0) {
      --stock[static_cast<std::size_t>(kind)];
      enqueue_repair(n, sim);
    } else {
      ++stockouts;
      record(t, kRecordSpareStockout, c.kind, n, f.parts_lead_time_h * 3600.0, 0.0);
      backorders[static_cast<std::size_t>(kind)].push_back(n);
    }
  } else {
    enqueue_repair(n, sim);
  }
}

// ---- Parts and technicians --------------------------------------------------------------------------------------

void FleetOps::Impl::on_part_arrives(int kind, Simulator<>& sim) {
  auto& q = backorders[static_cast<std::size_t>(kind)];
  if (!q.empty()) {
    const int n = q.front();
    q.pop_front();
    enqueue_repair(n, sim);
  } else {
    ++stock[static_cast<std::size_t>(kind)];
  }
}

void FleetOps::Impl::enqueue_repair(int n, Simulator<>& sim) {
  if (f.technicians <= 0 || technicians_busy < f.technicians) {
    start_repair(n, sim);
  } else {
    repair_queue.push_back(n);
  }
}

void FleetOps::Impl::start_repair(int n, Simulator<>& sim) {
  ++technicians_busy;
  const Node& node = nodes[static_cast<std::size_t>(n)];
  const double h = f.components[static_cast<std::size_t>(node.failed_kind)].repair_h;
  sim.schedule_at(sim.now() + seconds_to_sim(h * 3600.0), kEvRepairDone, static_cast<std::uint32_t>(n));
}

void FleetOps::Impl::on_repair_done(int n, Simulator<>& sim) {
  const double t = now_s(sim);
  --technicians_busy;
  if (!repair_queue.empty()) {
    const int next = repair_queue.front();
    repair_queue.pop_front();
    start_repair(next, sim);
  }
  Node& node = nodes[static_cast<std::size_t>(n)];
  Pool& p = pools[static_cast<std::size_t>(node.pool)];
  node.up_pos = static_cast<int>(p.up.size());
  p.up.push_back(n);
  up_gpus += p.gpus;
  ++repairs;
  repair_time_s += t - node.down_since_s;
  record(t, kRecordRepairComplete, f.components[static_cast<std::size_t>(node.failed_kind)].kind, n,
         t - node.down_since_s, p.gpus);
  node.failed_kind = -1;
  release_node(n, sim);
}

}  // namespace aidc
