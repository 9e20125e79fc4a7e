#include <catch2/catch.hpp>

#include <numeric>

#include "core/model/fleet_plan.hpp"
#include "core/scenario/catalog.hpp"

using namespace aidc;

namespace {

SystemSpec dgx_h100(int count) {
  SystemSpec s;
  s.name = "dgx-h100";
  s.gpus_per_system = 8;
  s.count = count;
  s.max_power_w = 10.2e3;
  s.cooling = "air";
  s.scaleout_nics = 8;
  s.nic_gbps = 400;
  return s;
}

SystemSpec gb200_nvl72(int count) {
  SystemSpec s;
  s.name = "gb200-nvl72";
  s.gpus_per_system = 72;
  s.count = count;
  s.max_power_w = 120e3;
  s.cooling = "liquid";
  s.scaleout_nics = 72;
  s.nic_gbps = 400;
  return s;
}

ItSpec it_of(std::vector<SystemSpec> systems) {
  ItSpec it;
  it.systems = std::move(systems);
  return it;
}

// Figures of network.json's quantum-2-qm9700 and quantum-x800-q3400 (radix, port speed, power per switch and optic).
NetworkSpec qm9700() {
  NetworkSpec n;
  n.switch_model = "quantum-2-qm9700";
  n.switch_radix = 64;
  n.port_gbps = 400;
  n.switch_power_w = 700;
  n.optic_power_w = 8;
  return n;
}

NetworkSpec q3400() {
  NetworkSpec n;
  n.switch_model = "quantum-x800-q3400";
  n.switch_radix = 144;
  n.port_gbps = 800;
  n.switch_power_w = 1575;
  n.optic_power_w = 15;
  return n;
}

}  // namespace

TEST_CASE("a fabric whose NICs all fit one switch has one tier", "[fleet][fabric]") {
  const FabricPlan p = size_fabric(it_of({dgx_h100(8)}), qm9700());
  CHECK(p.endpoints == 64);
  CHECK(p.rails == 8);
  CHECK(p.tiers == 1);
  CHECK(p.switches == 1);
  CHECK(p.leaf_switches == 1);
  CHECK(p.spine_switches == 0);
  CHECK(p.links == 64);
  CHECK(p.transceivers == 128);  // NIC end and switch end of every NIC link
  CHECK(p.power_w == Approx(700 + 128 * 8));
}

TEST_CASE("the DGX SuperPOD 4 SU reference is 32 leaf and 16 spine QM9700 switches", "[fleet][fabric]") {
  // NVIDIA DGX SuperPOD H100 reference architecture (shared/data/network.csv): 127 DGX H100 (1,016 GPUs),
  // rail-optimized, 32 leaf + 16 spine QM9700. Each of the 8 rails holds 127 NICs, i.e. 4 leaves of 32 down ports
  // (one port of the last leaf unused, where the fifth SU's UFM node would sit), all 32 uplinks of each leaf cabled.
  const FabricPlan p = size_fabric(it_of({dgx_h100(127)}), qm9700());
  CHECK(p.endpoints == 1016);
  CHECK(p.tiers == 2);
  CHECK(p.leaf_down_ports == 32);
  CHECK(p.leaf_up_ports == 32);
  CHECK(p.leaf_switches == 32);
  CHECK(p.spine_switches == 16);
  CHECK(p.core_switches == 0);
  REQUIRE(p.links_per_tier.size() == 2);
  CHECK(p.links_per_tier[0] == 1016);
  CHECK(p.links_per_tier[1] == 1024);
  CHECK(p.transceivers == 2 * (1016 + 1024));
  CHECK(p.power_w == Approx(48 * 700.0 + 4080 * 8.0));
  CHECK_FALSE(p.price_known);
}

TEST_CASE("two tiers of radix k hold k squared over 2 endpoints and one more needs a third tier", "[fleet][fabric]") {
  const FabricPlan full = size_fabric(it_of({dgx_h100(256)}), qm9700());  // 2,048 = 64²/2 endpoints
  CHECK(full.tiers == 2);
  CHECK(full.leaf_switches == 64);
  CHECK(full.spine_switches == 32);
  const FabricPlan over = size_fabric(it_of({dgx_h100(257)}), qm9700());
  CHECK(over.tiers == 3);
  CHECK(over.leaf_switches == 8 * 9);  // 257 NICs per rail → 9 leaves per rail
  CHECK(over.spine_switches == 72);    // one spine per leaf: k/2 down, k/2 up
  CHECK(over.core_switches == 36);     // 72 × 32 uplinks / 64 ports
}

TEST_CASE("a full three-tier fat tree of radix k holds k cubed over 4 endpoints", "[fleet][fabric]") {
  // 8,192 DGX H100 × 8 NICs = 65,536 = 64³/4: k²/2 leaves and spines, k²/4 core switches.
  const FabricPlan p = size_fabric(it_of({dgx_h100(8192)}), qm9700());
  CHECK(p.endpoints == 65536);
  CHECK(p.tiers == 3);
  CHECK(p.leaf_switches == 2048);
  CHECK(p.spine_switches == 2048);
  CHECK(p.core_switches == 1024);
  CHECK(p.switches == 5120);
  CHECK(p.links == 65536LL * 3);
}

TEST_CASE("12,500 DGX H100 need four tiers of QM9700 or three of Q3400", "[fleet][fabric]") {
  const ItSpec it = it_of({dgx_h100(12500)});
  const FabricPlan ib = size_fabric(it, qm9700());
  CHECK(ib.endpoints == 100000);
  CHECK(ib.tiers == 4);  // 100,000 > 64³/4 = 65,536
  CHECK(ib.leaf_switches == 8 * 391);
  REQUIRE(ib.switches_per_tier.size() == 4);
  CHECK(ib.switches_per_tier[1] == 3128);
  CHECK(ib.switches_per_tier[2] == 3128);
  CHECK(ib.switches_per_tier[3] == 1564);
  CHECK(ib.switches == 10948);
  const FabricPlan xdr = size_fabric(it, q3400());
  CHECK(xdr.tiers == 3);  // 144²/2 < 100,000 <= 144³/4
  CHECK(xdr.leaf_switches == 8 * 174);
  CHECK(xdr.spine_switches == 1392);
  CHECK(xdr.core_switches == 696);
  CHECK(xdr.switches == 3480);
  CHECK(xdr.power_w == Approx(3480 * 1575.0 + xdr.transceivers * 15.0));
}

TEST_CASE("an oversubscribed leaf trades uplinks for NIC ports", "[fleet][fabric]") {
  NetworkSpec n = qm9700();
  n.oversubscription = 3.0;
  const FabricPlan p = size_fabric(it_of({dgx_h100(127)}), n);
  CHECK(p.leaf_down_ports == 48);
  CHECK(p.leaf_up_ports == 16);
  CHECK(p.leaf_switches == 8 * 3);
  CHECK(p.spine_switches == 6);  // 24 × 16 / 64
  n.switch_price_usd = 25000;
  const FabricPlan priced = size_fabric(it_of({dgx_h100(127)}), n);
  CHECK(priced.price_known);
  CHECK(priced.price_usd == Approx(30 * 25000.0));
}

TEST_CASE("racks hold as many systems as the rack power limit allows and halls share them round-robin",
          "[fleet][layout]") {
  FleetSpec f;
  f.halls = 2;
  f.rack_power_limit_w = 40.8e3;
  const FleetLayout l = plan_layout(it_of({dgx_h100(10), gb200_nvl72(3)}), f);
  CHECK(l.nodes == 13);
  REQUIRE(l.systems_per_rack.size() == 2);
  CHECK(l.systems_per_rack[0] == 4);   // 4 × 10.2 kW = 40.8 kW
  CHECK(l.systems_per_rack[1] == 1);   // a 120 kW NVL72 above the limit still gets a rack of its own
  CHECK(l.racks == 3 + 3);
  CHECK(l.rack_nodes == std::vector<int>{4, 4, 2, 1, 1, 1});
  CHECK(l.rack_hall == std::vector<int>{0, 1, 0, 1, 0, 1});
  CHECK(l.racks_per_hall == std::vector<int>{3, 3});
  CHECK(std::accumulate(l.nodes_per_hall.begin(), l.nodes_per_hall.end(), 0) == 13);
  for (int r = 0; r < 3; ++r) CHECK(l.rack_power_w[static_cast<std::size_t>(r)] <= f.rack_power_limit_w + 1e-9);
  CHECK(l.node_system[9] == 0);
  CHECK(l.node_system[10] == 1);
  CHECK(l.node_rack[8] == 2);
  CHECK(l.node_hall[8] == 0);
  CHECK(l.node_rack[12] == 5);
  double total_w = 0.0;
  for (double w : l.hall_power_w) total_w += w;
  CHECK(total_w == Approx(10 * 10.2e3 + 3 * 120e3));
}

TEST_CASE("one hall holds every rack", "[fleet][layout]") {
  FleetSpec f;
  f.halls = 1;
  f.rack_power_limit_w = 25e3;  // two DGX H100 per rack
  const FleetLayout l = plan_layout(it_of({dgx_h100(5)}), f);
  CHECK(l.racks == 3);
  CHECK(l.systems_per_rack[0] == 2);
  CHECK(l.racks_per_hall == std::vector<int>{3});
  CHECK(l.rack_power_w[0] == Approx(20.4e3));
}

TEST_CASE("the failures catalog reproduces the 419 interruptions of the Llama 3 405B run", "[fleet][catalog]") {
  // 16,384 H100 in 2,048 nodes of 8, 8 scale-out NICs per node, 1,296 h (arXiv 2407.21783 Table 5).
  const Catalog c = Catalog::embedded();
  const double hours = 1296.0;
  double expected = 0.0;
  int counts = 0;
  for (const std::string& kind : c.names("failures")) {
    INFO(kind);
    const nlohmann::json& e = *c.entry("failures", kind);
    const std::string per = e["per"];
    const double units = per == "node" ? 2048.0 : 16384.0;  // gpu, nic and job_gpu all number 16,384 here
    expected += e["failures_per_unit_h"].get<double>() * units * hours;
    counts += e["count"].get<int>();
    CHECK(e["units"].get<double>() == units);
    CHECK(e.contains("source"));
    CHECK(e["repair_h"].get<double>() > 0.0);
    CHECK((e.contains("repair_h_note") || e.contains("repair_h_source")));
  }
  CHECK(counts == 419);
  CHECK(expected == Approx(419.0).epsilon(1e-12));
  CHECK_FALSE(c.entry("failures", "software")->at("needs_part").get<bool>());
  CHECK(c.entry("failures", "accelerator")->at("count").get<int>() == 196);
}
