#include <fstream>
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/model/fleet_plan.hpp"
#include "core/scenario/input_error.hpp"
#include "scenario_fixtures.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::small_scenario_json;

namespace {

nlohmann::json with_fleet(const nlohmann::json& fleet = nlohmann::json::object()) {
  auto doc = small_scenario_json();  // Malaysia, 1,000 DGX H100
  doc["fleet"] = fleet;
  return doc;
}

// The example of the issue: every key set.
nlohmann::json full_fleet() {
  return nlohmann::json::parse(R"({
    "halls": 4,
    "rack_power_limit_kw": 40,
    "hot_spare_nodes": 16,
    "technicians": 6,
    "spare_parts_share": 0.02,
    "parts_lead_time_days": 12,
    "node_swap_h": 0.25,
    "power_capping": true,
    "dvfs_power_exponent": 3,
    "cooling_derate_per_k": 0.015,
    "training_utilization": 1.0,
    "network": {"switch": "quantum-2-qm9700", "oversubscription": 1.0},
    "failures": {"scale": 1.0, "components": {"accelerator": {"failures_per_unit_h": 1e-5, "repair_h": 4}}}
  })");
}

const ComponentReliability& component(const FleetSpec& f, const std::string& kind) {
  for (const ComponentReliability& c : f.components) {
    if (c.kind == kind) return c;
  }
  FAIL("no component " << kind);
  return f.components.front();
}

}  // namespace

TEST_CASE("an empty fleet section resolves with catalog defaults scaled to the site", "[fleet][scenario]") {
  const auto rs = resolve(with_fleet());
  const FleetSpec& f = rs.scenario.fleet;
  CHECK(f.enabled);
  CHECK(f.halls == 1);
  CHECK(f.rack_power_limit_w == Approx(40.8e3));  // air-cooled DGX H100: four per rack
  CHECK(f.hot_spare_nodes == 20);                 // 2 % of 1,000 nodes
  CHECK(f.technicians == 2);                      // 2 per 1,000 nodes
  CHECK(f.spare_parts_share == Approx(0.03));
  CHECK(f.parts_lead_time_h == Approx(7.0 * 24));  // countries.json Malaysia
  CHECK(f.lead_time_source.find("Malaysia") != std::string::npos);
  CHECK(f.node_swap_h == Approx(0.0833));
  CHECK(f.power_capping);
  CHECK(f.dvfs_power_exponent == 3.0);
  CHECK(f.training_utilization == 1.0);
  CHECK(f.network.switch_model == "quantum-2-qm9700");  // 400 Gb/s NICs
  CHECK(f.network.switch_radix == 64);
  CHECK(f.network.port_gbps == 400);
  CHECK(f.network.oversubscription == 1.0);
  CHECK(f.components.size() == 7);
  CHECK(component(f, "accelerator").per == FailureUnit::Gpu);
  CHECK(component(f, "nic").per == FailureUnit::Nic);
  CHECK(component(f, "host").per == FailureUnit::Node);
  CHECK(component(f, "software").per == FailureUnit::JobGpu);
  CHECK_FALSE(component(f, "software").needs_part);
  CHECK(component(f, "accelerator").failures_per_unit_h == Approx(196.0 / (16384.0 * 1296.0)));
  CHECK(rs.resolved.contains("fleet"));
  CHECK(rs.catalog_entries["network"].contains("quantum-2-qm9700"));
  CHECK(rs.catalog_entries["failures"].size() == 7);
}

TEST_CASE("a scenario without a fleet section has no fleet", "[fleet][scenario]") {
  const auto rs = resolve(small_scenario_json());
  CHECK_FALSE(rs.scenario.fleet.enabled);
  CHECK_FALSE(rs.resolved.contains("fleet"));
}

TEST_CASE("every value of the fleet section can be set", "[fleet][scenario]") {
  const FleetSpec f = resolve(with_fleet(full_fleet())).scenario.fleet;
  CHECK(f.halls == 4);
  CHECK(f.rack_power_limit_w == Approx(40e3));
  CHECK(f.hot_spare_nodes == 16);
  CHECK(f.technicians == 6);
  CHECK(f.spare_parts_share == Approx(0.02));
  CHECK(f.parts_lead_time_h == Approx(12.0 * 24));
  CHECK(f.lead_time_source == "scenario");
  CHECK(f.node_swap_h == Approx(0.25));
  CHECK(f.cooling_derate_per_k == Approx(0.015));
  CHECK(component(f, "accelerator").failures_per_unit_h == Approx(1e-5));
  CHECK(component(f, "accelerator").repair_h == Approx(4));
  CHECK(component(f, "hbm").failures_per_unit_h == Approx(72.0 / (16384.0 * 1296.0)));  // untouched
}

TEST_CASE("failures scale multiplies every rate, overridden ones included", "[fleet][scenario]") {
  auto fleet = full_fleet();
  fleet["failures"]["scale"] = 2.5;
  const FleetSpec f = resolve(with_fleet(fleet)).scenario.fleet;
  CHECK(component(f, "accelerator").failures_per_unit_h == Approx(2.5e-5));
  CHECK(component(f, "network").failures_per_unit_h == Approx(2.5 * 35.0 / (2048.0 * 1296.0)));
  CHECK(component(f, "network").repair_h == Approx(1.0));  // repair times are not scaled
}

TEST_CASE("the resolved fleet section parses back to the same fleet", "[fleet][scenario]") {
  for (const nlohmann::json& fleet : {nlohmann::json::object(), full_fleet()}) {
    auto doc = with_fleet(fleet);
    doc["fleet"]["failures"]["scale"] = 1.7;  // written back as scaled rates with scale 1
    const auto first = resolve(doc);
    const auto again = resolve(first.resolved);
    CHECK(again.resolved["fleet"] == first.resolved["fleet"]);
    const FleetSpec& a = first.scenario.fleet;
    const FleetSpec& b = again.scenario.fleet;
    CHECK(b.halls == a.halls);
    CHECK(b.rack_power_limit_w == Approx(a.rack_power_limit_w));
    CHECK(b.hot_spare_nodes == a.hot_spare_nodes);
    CHECK(b.technicians == a.technicians);
    CHECK(b.parts_lead_time_h == Approx(a.parts_lead_time_h));
    CHECK(b.lead_time_source == a.lead_time_source);
    CHECK(b.network.switch_model == a.network.switch_model);
    CHECK(b.network.switch_power_w == a.network.switch_power_w);
    REQUIRE(b.components.size() == a.components.size());
    for (std::size_t i = 0; i < a.components.size(); ++i) {
      CHECK(b.components[i].kind == a.components[i].kind);
      CHECK(b.components[i].per == a.components[i].per);
      CHECK(b.components[i].failures_per_unit_h == Approx(a.components[i].failures_per_unit_h));
      CHECK(b.components[i].repair_h == a.components[i].repair_h);
      CHECK(b.components[i].needs_part == a.components[i].needs_part);
    }
  }
}

TEST_CASE("liquid-cooled NVL72 racks default to a liquid rack limit and 800G NICs to an XDR switch",
          "[fleet][scenario]") {
  auto doc = with_fleet();
  doc["it"]["systems"] = {{{"name", "gb300-nvl72"}, {"count", 10}}};
  doc["site"]["grid"]["capacity_mw"] = 5;
  const FleetSpec f = resolve(doc).scenario.fleet;
  CHECK(f.rack_power_limit_w == Approx(142e3));
  CHECK(f.network.switch_model == "quantum-x800-q3400");
  CHECK(f.hot_spare_nodes == 0);  // 2 % of 10 racks
  CHECK(f.technicians == 1);
}

TEST_CASE("a rack power limit below one system is bad input naming the system and its power",
          "[fleet][scenario][validation]") {
  const auto ps = problems_of(with_fleet({{"rack_power_limit_kw", 8}}));
  CHECK(has_problem(ps, "/fleet/rack_power_limit_kw", "8", "dgx-h100 draws 10.2 kW"));
}

TEST_CASE("an unknown switch is bad input with the catalog's switches", "[fleet][scenario][validation]") {
  const auto ps = problems_of(with_fleet({{"network", {{"switch", "quantum-2-qm9701"}}}}));
  CHECK(has_problem(ps, "/fleet/network/switch", "quantum-2-qm9701", "quantum-2-qm9700"));
}

TEST_CASE("an unknown failure kind is bad input listing the known kinds", "[fleet][scenario][validation]") {
  const auto ps = problems_of(with_fleet({{"failures", {{"components", {{"gpu", {{"repair_h", 2}}}}}}}}));
  CHECK(has_problem(ps, "/fleet/failures/components/gpu", "", "accelerator"));
  CHECK(has_problem(ps, "/fleet/failures/components/gpu", "", "software"));
}

TEST_CASE("hot spares must leave nodes to run work", "[fleet][scenario][validation]") {
  const auto ps = problems_of(with_fleet({{"hot_spare_nodes", 1000}}));
  CHECK(has_problem(ps, "/fleet/hot_spare_nodes", "1000", "1000 nodes"));
  CHECK(problems_of(with_fleet({{"hot_spare_nodes", 999}})).empty());
}

TEST_CASE("bad fleet values are reported with their paths", "[fleet][scenario][validation]") {
  auto fleet = nlohmann::json::parse(R"({
    "halls": 0, "technicians": 0, "spare_parts_share": 1.5, "parts_lead_time_days": 0, "node_swap_h": -1,
    "dvfs_power_exponent": 0, "training_utilization": 0, "colour": "blue",
    "network": {"oversubscription": 0.5, "speed": 1},
    "failures": {"scale": -1, "components": {"hbm": {"failures_per_unit_h": -1, "per": "rack", "mttr": 3}}}
  })");
  const auto ps = problems_of(with_fleet(fleet));
  CHECK(has_problem(ps, "/fleet/halls", "0"));
  CHECK(has_problem(ps, "/fleet/technicians", "0"));
  CHECK(has_problem(ps, "/fleet/spare_parts_share", "1.5"));
  CHECK(has_problem(ps, "/fleet/parts_lead_time_days", "0", "(0, 36600]"));
  CHECK(has_problem(ps, "/fleet/node_swap_h", "-1"));
  CHECK(has_problem(ps, "/fleet/dvfs_power_exponent", "0"));
  CHECK(has_problem(ps, "/fleet/training_utilization", "0"));
  CHECK(has_problem(ps, "/fleet/colour"));
  CHECK(has_problem(ps, "/fleet/network/oversubscription", "0.5"));
  CHECK(has_problem(ps, "/fleet/network/speed"));
  CHECK(has_problem(ps, "/fleet/failures/scale", "-1"));
  CHECK(has_problem(ps, "/fleet/failures/components/hbm/failures_per_unit_h", "-1"));
  CHECK(has_problem(ps, "/fleet/failures/components/hbm/per", "rack", "job_gpu"));
  CHECK(has_problem(ps, "/fleet/failures/components/hbm/mttr"));
}

TEST_CASE("every fleet default used is in the built-in catalog with a source", "[fleet][catalog]") {
  const auto rs = resolve(with_fleet());
  const auto& used = rs.catalog_entries["fleet_defaults"];
  CHECK(used.size() >= 10);
  for (const auto& [key, entry] : used.items()) {
    INFO(key);
    CHECK(entry.contains("source"));
    CHECK(entry.contains("assumption"));
    CHECK(entry.contains("value"));
  }
  const Catalog c = Catalog::embedded();
  for (const std::string& name : c.names("network")) {
    INFO(name);
    const nlohmann::json& e = *c.entry("network", name);
    CHECK(e.contains("source"));
    CHECK(e["radix"].get<int>() > 0);
    CHECK(e["switch_power_typical_w"].get<double>() > 0.0);
    CHECK(e["optic_power_w"].get<double>() > 0.0);
    CHECK(e.contains("price_usd"));
    if (e.value("assumption", false)) CHECK(e.contains("note"));
  }
}

TEST_CASE("every country has a parts lead time built from its import hours and the shipping assumptions",
          "[fleet][catalog]") {
  const Catalog c = Catalog::embedded();
  const double vendor_d = c.entry("fleet_defaults", "vendor_shipping_days")->at("value").get<double>();
  const double air_d = c.entry("fleet_defaults", "air_freight_transit_days")->at("value").get<double>();
  for (const std::string& name : c.names("countries")) {
    INFO(name);
    const nlohmann::json& e = *c.entry("countries", name);
    REQUIRE(e.contains("parts_lead_time_days"));
    CHECK(e["parts_lead_time_days"].get<double>() ==
          Approx(e["parts_import_hours"].get<double>() / 24.0 + vendor_d + air_d).margin(1e-3));
    CHECK(e["sources"].get<std::string>().find("parts_lead_time_days") != std::string::npos);
  }
}

TEST_CASE("the shipped scenarios have a fleet exactly when they have a fleet section", "[fleet][scenario]") {
  const Catalog c = Catalog::embedded();
  for (const auto& f :
       std::filesystem::recursive_directory_iterator(std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios")) {
    const auto folder = f.path().parent_path().filename();
    if (f.path().extension() != ".json" || folder == "catalog" || folder == "sweeps") continue;  // not scenarios
    INFO(f.path().string());
    std::ifstream in(f.path());
    const nlohmann::json doc = nlohmann::json::parse(in);
    const ResolvedScenario rs = load_scenario_file(f.path(), c);
    CHECK(rs.scenario.fleet.enabled == doc.contains("fleet"));
    CHECK(rs.resolved.contains("fleet") == doc.contains("fleet"));
  }
}

TEST_CASE("a resolved fleet places every node and sizes its fabric", "[fleet][scenario]") {
  const Scenario s = resolve(with_fleet(full_fleet())).scenario;
  const FleetLayout l = plan_layout(s.it, s.fleet);
  CHECK(l.nodes == 1000);
  CHECK(l.racks == 334);  // 3 × 10.2 kW per 40 kW rack
  CHECK(l.racks_per_hall == std::vector<int>{84, 84, 83, 83});
  const FabricPlan p = size_fabric(s.it, s.fleet.network);
  CHECK(p.endpoints == 8000);
  CHECK(p.tiers == 3);
}

TEST_CASE("fleet durations and rates beyond physical limits are bad input") {
  auto doc = with_fleet(nlohmann::json::parse(R"({
    "parts_lead_time_days": 1e308, "node_swap_h": 1e308, "rack_power_limit_kw": 1e9,
    "failures": {"scale": 1e308, "components": {"accelerator": {"failures_per_unit_h": 5, "repair_h": 1e308}}}
  })"));
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/fleet/parts_lead_time_days", "1e+308", "(0, 36600]"));
  CHECK(has_problem(ps, "/fleet/node_swap_h", "1e+308", "[0, 878400]"));
  CHECK(has_problem(ps, "/fleet/rack_power_limit_kw", "1000000000", "(0, 2000]"));
  CHECK(has_problem(ps, "/fleet/failures/scale", "1e+308", "[0, 1000]"));
  CHECK(has_problem(ps, "/fleet/failures/components/accelerator/failures_per_unit_h", "5", "[0, 1]"));
  CHECK(has_problem(ps, "/fleet/failures/components/accelerator/repair_h", "1e+308", "[0, 878400]"));
}
