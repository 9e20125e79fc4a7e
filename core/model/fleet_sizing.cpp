#include "core/model/fleet_sizing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/model/fleet_ops.hpp"

namespace aidc {

NodeReliability node_reliability(const FleetSpec& f, const SystemSpec& sys) {
  NodeReliability r;
  double weighted_repair = 0.0;
  for (const ComponentReliability& c : f.components) {
    double units = 0.0;
    switch (c.per) {
      case FailureUnit::Gpu: units = sys.gpus_per_system; break;
      case FailureUnit::Node: units = 1.0; break;
      case FailureUnit::Nic: units = sys.scaleout_nics; break;
      case FailureUnit::JobGpu: units = 0.0; break;
    }
    const double rate = c.failures_per_unit_h * units;
    r.failures_per_node_h += rate;
    weighted_repair += rate * c.repair_h;
  }
  r.mean_repair_h = r.failures_per_node_h > 0.0 ? weighted_repair / r.failures_per_node_h : 0.0;
  return r;
}

double expected_node_availability(const FleetSpec& f, const SystemSpec& sys) {
  const NodeReliability r = node_reliability(f, sys);
  return 1.0 / (1.0 + r.failures_per_node_h * r.mean_repair_h);
}

double expected_ettr(const FleetSpec& f, const SystemSpec& sys, const WorkloadSpec& w, int nodes, int gpus) {
  double software_per_gpu_h = 0.0;
  for (const ComponentReliability& c : f.components) {
    if (c.per == FailureUnit::JobGpu) software_per_gpu_h += c.failures_per_unit_h;
  }
  const double rate_per_h = nodes * node_reliability(f, sys).failures_per_node_h + gpus * software_per_gpu_h;
  const double rate_per_s = rate_per_h / 3600.0;
  const double mtbf_s = rate_per_s > 0.0 ? 1.0 / rate_per_s : std::numeric_limits<double>::infinity();
  double tau_s = w.checkpoint_interval_s > 0.0 ? w.checkpoint_interval_s : daly_checkpoint_interval_s(w.checkpoint_s, mtbf_s);
  if (!std::isfinite(tau_s) || tau_s <= 0.0) {
    // No failures or free checkpoints: only the checkpoint overhead (none) and the restarts remain.
    tau_s = 0.0;
  }
  const double delta_s = w.checkpoint_s;
  const double segment_share = tau_s > 0.0 ? tau_s / (tau_s + delta_s) : 1.0;
  const double restart_s = w.restart_s + f.node_swap_h * 3600.0;
  return segment_share / (1.0 + rate_per_s * ((tau_s + delta_s) / 2.0 + restart_s));
}

int nodes_for_instances(int instances, int gpus, int gpus_per_node) {
  const int gpn = std::max(1, gpus_per_node);
  if (instances <= 0) return 0;
  if (gpus < gpn) {
    const int per_node = gpn / std::max(1, gpus);
    return (instances + per_node - 1) / per_node;
  }
  return instances * ((gpus + gpn - 1) / gpn);
}

int instances_on_nodes(int nodes, int gpus, int gpus_per_node) {
  const int gpn = std::max(1, gpus_per_node);
  if (nodes <= 0) return 0;
  if (gpus < gpn) return nodes * (gpn / std::max(1, gpus));
  return nodes / ((gpus + gpn - 1) / gpn);
}

int hot_spares_for(int working_nodes, double share) {
  if (!(share > 0.0) || working_nodes <= 0) return 0;
  return static_cast<int>(std::ceil(share * working_nodes - 1e-9));
}

}  // namespace aidc
