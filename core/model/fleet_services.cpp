// Inference services on the fleet: each deploys instances of `gpus` GPUs (several per node when an instance is
// smaller than a node, else one instance over several nodes), grouped by node, against a demand with a diurnal and
// weekly shape and yearly growth. A group serves once it holds all its nodes (after the swap time when it replaces
// a lost node); the service's capacity is that of its serving instances at the current clock, and it serves the
// lesser of its demand and that capacity (fleet_kpis.cpp).

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/model/fleet_state.hpp"
#include "core/model/it_load.hpp"

namespace aidc {

using namespace fleet_detail;

double fleet_detail::demand_requests_per_s(const DemandSpec& d, long long hour) {
  const double shaped = diurnal_weekly(d.mean_requests_per_s, d.diurnal_amplitude, d.peak_hour, d.weekend_factor, hour);
  const double growth = std::pow(1.0 + d.annual_growth, static_cast<double>(hour) / 8760.0);
  return std::max(0.0, shaped * growth);
}

int instances_for_peak(const WorkloadSpec& w, const FleetWorkloadRate& rate, int horizon_h) {
  if (!(rate.instance_output_tokens_per_s > 0.0)) return 0;
  double peak_rps = 0.0;
  for (long long h = 0; h < horizon_h; ++h) peak_rps = std::max(peak_rps, demand_requests_per_s(w.demand, h));
  const double need = peak_rps * mean_output_tokens(w) / rate.instance_output_tokens_per_s;
  // At most INT_MAX (a demand that large is far beyond any site; the fleet deploys what its nodes hold).
  const double most = static_cast<double>(std::numeric_limits<int>::max());
  return std::max(1, static_cast<int>(std::min(most, std::ceil(need - 1e-9))));
}

// The service of workload `wi` and its groups in pool `pool`.
void FleetOps::Impl::add_service(int wi, int pool, const FleetWorkloadRate& rate) {
  const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(wi)];
  const int gpn = std::max(1, pools[static_cast<std::size_t>(pool)].gpus);
  Service sv;
  sv.workload = wi;
  sv.osl = mean_output_tokens(w);
  FleetWorkloadRate planning = rate;
  if (rate.planning_output_tokens_per_s > 0.0) planning.instance_output_tokens_per_s = rate.planning_output_tokens_per_s;
  const int wanted = w.instances > 0 ? w.instances : instances_for_peak(w, planning, s.horizon_h);
  const int per_node = w.gpus < gpn ? gpn / w.gpus : 1;
  const int size = w.gpus < gpn ? 1 : (w.gpus + gpn - 1) / gpn;
  // Groups beyond the first ceil(nodes / size) never hold a node: the groups of a service share its priority, a
  // node goes to the first waiting one, so group k holds one only while groups 0..k-1 all hold theirs (k × size
  // nodes). They would only wait, so they are not built: the same results, and memory bounded by the site when the
  // demand asks for far more instances than it holds.
  const long long max_groups = (pools[static_cast<std::size_t>(pool)].count + size - 1) / size;
  const int instances = static_cast<int>(std::min<long long>(wanted, max_groups * per_node));
  for (int left = instances; left > 0;) {
    Group g;
    g.workload = wi;
    g.service = static_cast<int>(services.size());
    g.pool = pool;
    g.priority = w.priority;
    g.size = size;
    g.instances = std::min(per_node, left);
    g.capacity_tokens_per_s = g.instances * rate.instance_output_tokens_per_s;
    left -= g.instances;
    sv.groups.push_back(static_cast<int>(groups.size()));
    groups.push_back(std::move(g));
  }
  services.push_back(std::move(sv));
}

// Capacity and instances of the serving groups over `dt`, at the current clock.
void FleetOps::Impl::accrue_services(double dt) {
  for (Service& sv : services) {
    sv.hour_capacity_integral += sv.active_capacity * factor * dt;
    sv.hour_instances_integral += sv.active_instances * dt;
  }
}

// Sets the service's demand for hour `hour` and returns the dynamic power its serving nodes draw at full clock: in
// proportion to their load (demand over capacity, at most 1).
double FleetOps::Impl::service_dynamic_w(Service& sv, std::size_t hour) {
  const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(sv.workload)];
  sv.hour_demand_tokens_per_s = demand_requests_per_s(w.demand, static_cast<long long>(hour)) * sv.osl;
  if (sv.active_capacity <= 0.0 || sv.active_nodes == 0) return 0.0;
  const Pool& p = pools[static_cast<std::size_t>(groups[static_cast<std::size_t>(sv.groups.front())].pool)];
  const double load = std::min(1.0, sv.hour_demand_tokens_per_s / sv.active_capacity);
  return sv.active_nodes * p.max_w * (1.0 - p.idle_fraction) * load;
}

// The group's instances serve (it holds all its nodes).
void FleetOps::Impl::activate_instance(int gi, Simulator<>& sim) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  if (g.active || static_cast<int>(g.nodes.size()) < g.size) return;
  g.active = true;
  Service& sv = services[static_cast<std::size_t>(g.service)];
  sv.active_capacity += g.capacity_tokens_per_s;
  sv.active_nodes += g.size;
  sv.active_instances += g.instances;
  if (sim.now() > 0) {
    record(now_s(sim), kRecordInstanceRestored, s.workloads[static_cast<std::size_t>(g.workload)].name, gi, 0.0,
           g.instances);
  }
}

// The group's instances stop serving (it lost a node).
void FleetOps::Impl::deactivate_instance(int gi, Simulator<>& sim) {
  Group& g = groups[static_cast<std::size_t>(gi)];
  g.active = false;
  Service& sv = services[static_cast<std::size_t>(g.service)];
  sv.active_capacity -= g.capacity_tokens_per_s;
  sv.active_nodes -= g.size;
  sv.active_instances -= g.instances;
  record(now_s(sim), kRecordInstanceLost, s.workloads[static_cast<std::size_t>(g.workload)].name, gi, 0.0,
         g.instances);
}

}  // namespace aidc
