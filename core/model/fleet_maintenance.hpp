#pragma once
// Maintenance of the fleet as pure functions of the scenario: the failure rates of a node's components and the load
// they put on the technicians. The simulation (core/model/fleet_maintenance.cpp) uses the same functions, so a
// check made before the run sees the rates the run will draw from.

#include "core/scenario/scenario.hpp"

namespace aidc {

// Units of a failure kind in one node of `sys` (software faults count per running job GPU: none per node).
double units_per_node(const SystemSpec& sys, FailureUnit per);

// Failures per hour of component kind `c` in one healthy node of `sys` (0 for software faults, which interrupt a
// job and need no technician).
double failures_per_node_h(const ComponentReliability& c, const SystemSpec& sys);

// Utilization ρ of the repair queue: the technician-hours of hands-on repair that the failures of a fully healthy
// fleet ask for per hour, divided by the technicians, i.e. Σ over systems and hardware component kinds of
// nodes × failures_per_node_h × repair_h, over FleetSpec::technicians (an M/G/c queue's offered load per server).
// ρ ≥ 1: repairs arrive faster than the technicians finish them, the queue grows without bound over the horizon and
// availability collapses; ρ above about 0.8: long waits for a technician. Failed nodes fail no further, so the
// simulated load is a little lower than this upper bound. 0 when the technicians are unlimited (≤ 0), no fleet is
// enabled, or nothing fails.
double repair_queue_utilization(const Scenario& s);

}  // namespace aidc
