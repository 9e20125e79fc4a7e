#include "core/model/fleet_plan.hpp"

#include <algorithm>
#include <cmath>

namespace aidc {

namespace {

long long ceil_div(long long a, long long b) { return b <= 0 ? 0 : (a + b - 1) / b; }

// Deepest tree considered: at radix 64 four tiers already hold 2 million leaf ports.
constexpr int kMaxTiers = 8;

}  // namespace

FleetLayout plan_layout(const ItSpec& it, const FleetSpec& f) {
  FleetLayout l;
  l.halls = std::max(1, f.halls);
  l.racks_per_hall.assign(static_cast<std::size_t>(l.halls), 0);
  l.nodes_per_hall.assign(static_cast<std::size_t>(l.halls), 0);
  l.hall_power_w.assign(static_cast<std::size_t>(l.halls), 0.0);
  for (std::size_t s = 0; s < it.systems.size(); ++s) {
    const SystemSpec& sys = it.systems[s];
    int per_rack = 1;
    if (sys.max_power_w > 0.0 && f.rack_power_limit_w > 0.0) {
      per_rack = std::max(1, static_cast<int>(std::floor(f.rack_power_limit_w / sys.max_power_w)));
    }
    l.systems_per_rack.push_back(per_rack);
    for (int placed = 0; placed < sys.count;) {
      const int rack = l.racks++;
      const int hall = rack % l.halls;
      const int here = std::min(per_rack, sys.count - placed);
      l.rack_system.push_back(static_cast<int>(s));
      l.rack_hall.push_back(hall);
      l.rack_nodes.push_back(here);
      l.rack_power_w.push_back(here * sys.max_power_w);
      l.racks_per_hall[static_cast<std::size_t>(hall)] += 1;
      l.nodes_per_hall[static_cast<std::size_t>(hall)] += here;
      l.hall_power_w[static_cast<std::size_t>(hall)] += here * sys.max_power_w;
      for (int i = 0; i < here; ++i) {
        l.node_system.push_back(static_cast<int>(s));
        l.node_rack.push_back(rack);
        l.node_hall.push_back(hall);
      }
      placed += here;
    }
  }
  l.nodes = static_cast<int>(l.node_system.size());
  return l;
}

FabricPlan size_fabric(const ItSpec& it, const NetworkSpec& n) {
  FabricPlan p;
  const long long k = std::max(2, n.switch_radix);
  for (const SystemSpec& s : it.systems) p.rails = std::max(p.rails, s.scaleout_nics);
  // Endpoints per rail: rail r holds NIC r of every node that has more than r NICs.
  std::vector<long long> rail_endpoints(static_cast<std::size_t>(p.rails), 0);
  long long endpoints = 0;
  for (const SystemSpec& s : it.systems) {
    for (int r = 0; r < s.scaleout_nics; ++r) rail_endpoints[static_cast<std::size_t>(r)] += s.count;
    endpoints += static_cast<long long>(s.count) * s.scaleout_nics;
  }
  p.endpoints = static_cast<int>(endpoints);
  if (endpoints == 0) return p;

  const double o = std::max(n.oversubscription, 1e-9);
  const long long down = std::clamp<long long>(static_cast<long long>(std::floor(static_cast<double>(k) * o / (1.0 + o))),
                                               1, k - 1);
  const long long up = k - down;

  std::vector<long long> switches;
  std::vector<long long> links{endpoints};
  if (endpoints <= k) {
    // One switch takes every NIC; rails share it.
    p.tiers = 1;
    p.leaf_down_ports = static_cast<int>(k);
    p.leaf_up_ports = 0;
    switches.push_back(1);
  } else {
    p.leaf_down_ports = static_cast<int>(down);
    p.leaf_up_ports = static_cast<int>(up);
    long long leaves = 0;
    for (long long e : rail_endpoints) leaves += ceil_div(e, down);
    // A t-tier tree holds k·(k/2)^(t-2) leaves: the top tier's k ports each reach one pod below.
    const long long half = std::max<long long>(1, k / 2);
    int tiers = 2;
    long long leaf_capacity = k;
    while (leaves > leaf_capacity && tiers < kMaxTiers) {
      ++tiers;
      leaf_capacity *= half;
    }
    p.tiers = tiers;
    switches.push_back(leaves);
    long long uplinks = leaves * up;
    for (int t = 1; t < tiers - 1; ++t) {  // middle tiers: k/2 down, k/2 up
      links.push_back(uplinks);
      const long long s = ceil_div(uplinks, half);
      switches.push_back(s);
      uplinks = s * half;
    }
    links.push_back(uplinks);
    switches.push_back(ceil_div(uplinks, k));  // top tier: all ports down
  }

  for (long long s : switches) p.switches_per_tier.push_back(static_cast<int>(s));
  p.leaf_switches = p.switches_per_tier[0];
  p.spine_switches = p.switches_per_tier.size() > 1 ? p.switches_per_tier[1] : 0;
  for (std::size_t t = 2; t < p.switches_per_tier.size(); ++t) p.core_switches += p.switches_per_tier[t];
  p.switches = p.leaf_switches + p.spine_switches + p.core_switches;
  p.links_per_tier = links;
  for (long long l : links) p.links += l;
  p.transceivers = 2 * p.links;
  p.switch_power_w = p.switches * n.switch_power_w;
  p.optics_power_w = static_cast<double>(p.transceivers) * n.optic_power_w;
  p.power_w = p.switch_power_w + p.optics_power_w;
  p.price_known = n.switch_price_usd > 0.0;
  p.price_usd = p.switches * n.switch_price_usd;
  return p;
}

}  // namespace aidc
