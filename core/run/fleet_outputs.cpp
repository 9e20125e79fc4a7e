#include "core/run/fleet_outputs.hpp"

#include <string>

#include "core/model/fleet_plan.hpp"

namespace aidc {

NamedTable fleet_racks_table(const Scenario& s) {
  const FleetLayout l = plan_layout(s.it, s.fleet);
  NamedTable t;
  t.long_name = "racks of the fleet: hall, system model, systems and nameplate power (racks filled in order, dealt to "
                "halls round-robin)";
  TableColumn hall{"hall", "1", false, {}, {}}, system{"system", "", true, {}, {}}, nodes{"systems", "1", false, {}, {}},
      power{"nameplate_power_w", "W", false, {}, {}};
  for (int r = 0; r < l.racks; ++r) {
    const auto i = static_cast<std::size_t>(r);
    hall.values.push_back(l.rack_hall[i]);
    system.text.push_back(s.it.systems[static_cast<std::size_t>(l.rack_system[i])].name);
    nodes.values.push_back(l.rack_nodes[i]);
    power.values.push_back(l.rack_power_w[i]);
  }
  t.columns = {hall, system, nodes, power};
  t.number_attributes = {{"halls", static_cast<double>(l.halls)},
                         {"racks", static_cast<double>(l.racks)},
                         {"nodes", static_cast<double>(l.nodes)},
                         {"rack_power_limit_w", s.fleet.rack_power_limit_w}};
  return t;
}

NamedTable fleet_fabric_table(const Scenario& s) {
  const FabricPlan p = size_fabric(s.it, s.fleet.network);
  NamedTable t;
  t.long_name = "scale-out fabric: a rail-optimized fat tree of " + s.fleet.network.switch_model +
                " switches; per tier the switches and the links from the tier below";
  TableColumn tier{"tier", "", true, {}, {}}, switches{"switches", "1", false, {}, {}},
      links{"links_from_below", "1", false, {}, {}};
  for (std::size_t i = 0; i < p.switches_per_tier.size(); ++i) {
    tier.text.push_back(i == 0 ? "leaf" : i == 1 ? "spine" : "core-" + std::to_string(i - 1));
    switches.values.push_back(p.switches_per_tier[i]);
    links.values.push_back(i < p.links_per_tier.size() ? static_cast<double>(p.links_per_tier[i]) : 0.0);
  }
  t.columns = {tier, switches, links};
  t.text_attributes = {{"switch", s.fleet.network.switch_model}, {"source", s.fleet.network.source}};
  t.number_attributes = {{"endpoints", static_cast<double>(p.endpoints)},
                         {"rails", static_cast<double>(p.rails)},
                         {"tiers", static_cast<double>(p.tiers)},
                         {"switches", static_cast<double>(p.switches)},
                         {"links", static_cast<double>(p.links)},
                         {"transceivers", static_cast<double>(p.transceivers)},
                         {"switch_power_w", p.switch_power_w},
                         {"optics_power_w", p.optics_power_w},
                         {"power_w", p.power_w},
                         {"switch_price_usd", p.price_known ? p.price_usd : -1.0}};
  return t;
}

}  // namespace aidc
