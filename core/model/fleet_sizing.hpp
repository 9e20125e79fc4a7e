#pragma once
// Closed-form expectations of a fleet's reliability, for sizing (core/run/sizing.hpp) before any simulation:
// how much of a node's time it is healthy, how much of a training job's time is useful (Young/Daly), how nodes
// are shared out to inference instances, and how many hot spares a fleet keeps. Pure functions on the resolved
// scenario's structs; the simulation (core/model/fleet_ops.hpp) then verifies the plan they give.

#include "core/scenario/scenario.hpp"

namespace aidc {

// Hardware failures of one node of `sys` per hour (every failure kind except the job-time software faults) and
// the mean hands-on repair time over them.
struct NodeReliability {
  double failures_per_node_h = 0.0;
  double mean_repair_h = 0.0;
};
NodeReliability node_reliability(const FleetSpec& f, const SystemSpec& sys);

// Expected share of a node's time it is healthy: 1 / (1 + λ·MTTR), MTTR = the mean repair plus the lead time of
// the parts not in stock (taken as none: the stock is reordered at once, so only a burst of failures finds it
// empty). The simulation sees the stockouts; this is the first guess it verifies.
double expected_node_availability(const FleetSpec& f, const SystemSpec& sys);

// Expected effective training time ratio of job `w` on `nodes` nodes of `sys` running `gpus` GPUs. The job is
// interrupted at λ = nodes × hardware rate + gpus × software rate; it checkpoints every τ (w.checkpoint_interval_s,
// else Daly's optimum for λ) at a cost δ = w.checkpoint_s; each interruption costs on average half a segment
// ((τ + δ)/2 of lost work) plus the restart (w.restart_s + node swap). Renewal-reward:
//   ETTR = τ/(τ+δ) / (1 + λ·((τ+δ)/2 + R)).
double expected_ettr(const FleetSpec& f, const SystemSpec& sys, const WorkloadSpec& w, int nodes, int gpus);

// Nodes an inference service of `instances` instances of `gpus` GPUs holds on nodes of `gpus_per_node` (small
// instances share a node, large ones span ceil(gpus / gpus_per_node) nodes), as core/model/fleet_ops.cpp places them.
int nodes_for_instances(int instances, int gpus, int gpus_per_node);
// The most instances that `nodes` nodes hold.
int instances_on_nodes(int nodes, int gpus, int gpus_per_node);

// Hot spares kept for `working_nodes`: share × working nodes, rounded up (none when the share is 0).
int hot_spares_for(int working_nodes, double share);

}  // namespace aidc
