#pragma once
// Where the fleet's nodes sit (halls, racks) and how big its scale-out fabric is. Pure functions of the resolved
// scenario's ItSpec and FleetSpec; the event-driven fleet model (core/model/fleet_ops) consumes the results.

#include <vector>

#include "core/scenario/scenario.hpp"

namespace aidc {

// One node per system of it.systems (entries in order, `count` nodes each). A rack holds systems of one entry only,
// floor(rack_power_limit_w / max_power_w) of them (at least one; the parser rejects a limit below one system).
// Racks are filled in order and dealt to halls round-robin (rack r in hall r % halls), so every hall gets a similar
// share of each system type and of the power.
struct FleetLayout {
  int nodes = 0;
  int racks = 0;
  int halls = 0;
  std::vector<int> node_system;          // per node: index into it.systems
  std::vector<int> node_rack;            // per node: rack index
  std::vector<int> node_hall;            // per node: hall index
  std::vector<int> systems_per_rack;     // per it.systems entry: how many fit in one rack
  std::vector<int> rack_system;          // per rack: index into it.systems
  std::vector<int> rack_hall;            // per rack: hall index
  std::vector<int> rack_nodes;           // per rack: nodes in it
  std::vector<double> rack_power_w;      // per rack: nameplate (sum of the max_power_w of its systems)
  std::vector<int> racks_per_hall;       // per hall
  std::vector<int> nodes_per_hall;       // per hall
  std::vector<double> hall_power_w;      // per hall: nameplate
};

FleetLayout plan_layout(const ItSpec& it, const FleetSpec& f);

// A rail-optimized fat tree from one switch model: NIC i of every node goes to leaf group ("rail") i, each rail's
// endpoints fill leaves of their own. Leaves use down = floor(k·o/(1+o)) ports towards the NICs and the rest up
// (k = radix, o = oversubscription); every switch above the leaf is non-blocking (k/2 down, k/2 up; the top tier
// uses all k ports down). The tier count is the smallest that holds the leaves: 1 tier when all endpoints fit one
// switch, else a t-tier tree holds k·(k/2)^(t-2) leaves, i.e. k²/2 endpoints with 2 tiers and k³/4 with 3 when
// o = 1 (shared/data/network.csv). Every leaf is cabled with all its uplinks.
// Optics: every link has a transceiver at each end, NIC-to-leaf links included (the NIC-end optic is powered by the
// node, so counting it here slightly overlaps the system's nameplate power; it is kept so the fabric's optics are
// complete). Power = switches × switch_power_w + transceivers × optic_power_w.
struct FabricPlan {
  int endpoints = 0;                     // Σ systems × scaleout_nics
  int rails = 0;                         // max scaleout_nics of a system
  int tiers = 0;
  int leaf_down_ports = 0;
  int leaf_up_ports = 0;
  std::vector<int> switches_per_tier;    // [0] = leaves, [1] = spines, [2...] = core tiers
  int leaf_switches = 0;
  int spine_switches = 0;
  int core_switches = 0;                 // every tier above the spines
  int switches = 0;
  std::vector<long long> links_per_tier; // [0] = NIC-to-leaf, [1] = leaf-to-spine, [2] = spine-to-core, ...
  long long links = 0;
  long long transceivers = 0;
  double switch_power_w = 0.0;           // all switches
  double optics_power_w = 0.0;           // all transceivers
  double power_w = 0.0;
  double price_usd = 0.0;                // switches only; 0 when the catalog has no price
  bool price_known = false;
};

FabricPlan size_fabric(const ItSpec& it, const NetworkSpec& n);

}  // namespace aidc
