// `aidcsim size` (core/run/sizing.hpp): the least hardware that meets a small site's demand, SLOs and training
// deadline, verified by simulation, minimal (one step fewer fails), monotone in its requirements, per site.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "core/model/fleet_sizing.hpp"
#include "core/io/text_file.hpp"
#include "core/run/run_scenario.hpp"
#include "core/run/sizing.hpp"
#include "core/run/sizing_variants.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/scenario/input_error.hpp"
#include "scenario_fixtures.hpp"

namespace aidc::test {
namespace {

// Three weeks of a llama-3.1-8b chat service (1-GPU instances) and an 8B training job with a 10-day deadline,
// about fifty DGX H100 once sized.
nlohmann::json sizing_json() {
  return nlohmann::json::parse(R"({
    "name": "sizing-small",
    "seed": 3,
    "replications": 2,
    "horizon": {"duration_h": 504},
    "site": {"country": "Malaysia", "grid": {"capacity_mw": 20},
             "weather": {"source": "synthetic", "climate": "Johor Bahru"}},
    "facility": {"cooling": {"type": "water_cooled_chiller_tower"},
                 "generators": {"redundancy": "N+1", "unit_capacity_mw": 2.5}},
    "it": {"systems": [{"name": "dgx-h100", "count": 40}]},
    "fleet": {},
    "workloads": [
      {"name": "chat", "type": "inference", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 1,
       "precision": "fp8", "isl": 1000, "osl": 200, "ttft_slo_s": 1.0, "tpot_slo_s": 0.05, "priority": 2,
       "demand": {"mean_requests_per_s": 4000, "diurnal_amplitude": 0.3}},
      {"name": "train", "type": "training", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 64,
       "seq": 8192, "global_batch_tokens": 2097152, "tokens": 1.5e12, "deadline_d": 10, "priority": 1}
    ],
    "sizing": {"candidates": ["dgx-h100"], "verify_replications": 2}
  })");
}

SizingResult size_doc(const nlohmann::json& doc, SizingOptions o = {}) {
  static const Catalog catalog = Catalog::embedded();
  o.threads = 1;
  return size_scenario(doc, catalog, "test.json", ".", o);
}

const CandidateResult& only(const SizingResult& r) {
  REQUIRE(r.sites.size() == 1);
  REQUIRE(r.sites[0].candidates.size() == 1);
  return r.sites[0].candidates[0];
}

std::vector<InputProblem> sizing_problems(const nlohmann::json& doc) {
  try {
    size_doc(doc);
  } catch (const BadInput& e) {
    return e.problems();
  }
  return {};
}

double kpi_p10(const RunSummary& s, const std::string& name) {
  for (const KpiRow& k : s.kpis) {
    if (k.name == name) return k.p10;
  }
  FAIL("no KPI " << name);
  return 0.0;
}

}  // namespace

TEST_CASE("sizing returns a verified plan that meets every requirement", "[sizing]") {
  const SizingResult r = size_doc(sizing_json());
  const CandidateResult& c = only(r);
  REQUIRE(c.feasible);
  CHECK(c.rank == 1);
  CHECK(c.systems == c.working_nodes + c.spare_nodes);
  CHECK(c.systems > 20);
  CHECK(c.systems < 100);
  REQUIRE(c.checks.size() == 2);
  for (const RequirementCheck& k : c.checks) {
    INFO(k.text());
    CHECK(k.met);
  }
  CHECK(c.it_mw > c.systems * 10.2e-3);  // systems at max power plus the fabric
  CHECK(c.facility_mw > c.it_mw);
  CHECK(c.facility_mw < c.grid_mw);
  CHECK(c.pue > 1.0);
  CHECK(c.capex_usd > c.systems * 199000.0);
  CHECK(c.tco_usd > c.capex_usd);
  CHECK(c.usd_per_million_tokens > 0.0);
  CHECK(c.export_class == "3A090.a");
}

TEST_CASE("sizing returns a minimum: one system fewer for any workload fails a requirement", "[sizing]") {
  const SizingResult r = size_doc(sizing_json());
  const CandidateResult& c = only(r);
  REQUIRE(c.feasible);
  REQUIRE(c.minimality.size() == 2);
  for (const MinimalityCheck& m : c.minimality) {
    INFO(m.workload << ": " << m.nodes_from << " -> " << m.nodes_to << ": " << m.failed_requirement);
    CHECK(m.failed);
    CHECK(m.nodes_to < m.nodes_from);
    CHECK(m.failed_requirement.find(m.workload + ".") == 0);
  }
  // The same claim through `aidcsim run`'s path: the sized scenario with one chat system fewer misses the SLO.
  nlohmann::json doc = c.sized_scenario;
  auto chat = std::find_if(c.workloads.begin(), c.workloads.end(), [](const WorkloadPlan& w) { return w.name == "chat"; });
  REQUIRE(chat != c.workloads.end());
  const int per_system = chat->instances / chat->nodes;
  CHECK(doc["workloads"][0]["instances"].get<int>() == chat->instances);
  doc["workloads"][0]["instances"] = chat->instances - per_system;
  doc["it"]["systems"][0]["count"] = c.systems - 1;
  RunOptions o;
  o.threads = 1;
  const RunSummary fewer = run_scenario(resolve(doc), o);
  CHECK(kpi_p10(fewer, "chat.slo_attainment") < 0.999);
  const RunSummary sized = run_scenario(resolve(c.sized_scenario), o);
  CHECK(kpi_p10(sized, "chat.slo_attainment") >= 0.999);
}

TEST_CASE("a tighter deadline or more demand never gives fewer systems", "[sizing]") {
  const int base = only(size_doc(sizing_json())).systems;
  nlohmann::json tight = sizing_json();
  tight["workloads"][1]["deadline_d"] = 7;
  const SizingResult rt = size_doc(tight);
  const CandidateResult& t = only(rt);
  REQUIRE(t.feasible);
  CHECK(t.systems >= base);
  nlohmann::json busy = sizing_json();
  busy["workloads"][0]["demand"]["mean_requests_per_s"] = 6000;
  const SizingResult rb = size_doc(busy);
  const CandidateResult& b = only(rb);
  REQUIRE(b.feasible);
  CHECK(b.systems > base);
}

TEST_CASE("two sites give two rankings of the same candidates", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["sizing"]["candidates"] = {"dgx-h100", "dgx-b200"};
  doc["sizing"]["system_price_usd"] = {{"dgx-b200", 515000}};
  SizingOptions o;
  o.sites = {"Malaysia", "Japan"};
  const SizingResult r = size_doc(doc, o);
  REQUIRE(r.sites.size() == 2);
  CHECK(r.sites[0].site == "Malaysia");
  CHECK(r.sites[1].site == "Japan");
  for (const SiteRanking& s : r.sites) {
    REQUIRE(s.candidates.size() == 2);
    CHECK(s.candidates[0].rank == 1);
    CHECK(s.candidates[1].rank == 2);
    CHECK(s.winner == s.candidates[0].system);
    CHECK(s.candidates[0].tco_usd <= s.candidates[1].tco_usd);
  }
  // The site changes what the catalogs say: Tokyo's climate cools cheaper than Johor Bahru's.
  auto pue_of = [&](std::size_t site, const std::string& system) {
    for (const CandidateResult& c : r.sites[site].candidates) {
      if (c.system == system) return c.pue;
    }
    return 0.0;
  };
  CHECK(pue_of(1, "dgx-h100") < pue_of(0, "dgx-h100"));
  const nlohmann::json j = sizing_result_to_json(r);
  CHECK(j["sites"].size() == 2);
  CHECK(j["sites"][1]["candidates"][0].contains("usd_per_million_tokens"));
  CHECK(sizing_table(r).rows() == 4);
}

TEST_CASE("a grid connection too small makes the candidate infeasible with the numbers", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["site"]["grid"]["capacity_mw"] = 0.2;
  const SizingResult r = size_doc(doc);
  const CandidateResult& c = only(r);
  CHECK_FALSE(c.feasible);
  CHECK(c.limiting_factor == "grid capacity");
  INFO(c.reason);
  CHECK(c.reason.find("grid connection is 0.2 MW") != std::string::npos);
  CHECK(c.reason.find("MW at the meter") != std::string::npos);
  CHECK(c.facility_mw > 0.2);
  CHECK(c.rank == 1);
  CHECK(r.sites[0].winner.empty());
}

TEST_CASE("sizing rejects unknown candidates and sites and bad deadlines naming the JSON path", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["sizing"]["candidates"] = {"dgx-h1000"};
  doc["sizing"]["sites"] = {"Narnia"};
  doc["sizing"]["objective"] = "cheapest";
  doc["workloads"][1]["deadline_d"] = -3;
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/sizing/candidates/0", "dgx-h1000", "did you mean \"dgx-h100\""));
  CHECK(has_problem(ps, "/sizing/sites/0", "Narnia", "a country in"));
  CHECK(has_problem(ps, "/sizing/objective", "cheapest", "tco"));
  CHECK(has_problem(ps, "/workloads/1/deadline_d", "-3", "(0, 36600]"));

  nlohmann::json late = sizing_json();
  late["workloads"][1]["deadline_d"] = 30;  // the horizon is 21 days
  CHECK(has_problem(sizing_problems(late), "/workloads/1/deadline_d", "30", "inside the horizon"));

  nlohmann::json no_fleet = sizing_json();
  no_fleet.erase("fleet");
  for (auto& w : no_fleet["workloads"]) {
    for (const char* k : {"priority", "demand", "tokens", "deadline_d"}) w.erase(k);
  }
  CHECK(has_problem(sizing_problems(no_fleet), "/fleet", "", "a \"fleet\" section"));

  nlohmann::json other = sizing_json();
  SizingOptions o;
  o.candidates = {"gb200-nvl27"};
  try {
    size_doc(other, o);
    FAIL("an unknown candidate was accepted");
  } catch (const BadInput& e) {
    CHECK(has_problem(e.problems(), "/sizing/candidates/0", "gb200-nvl27", "did you mean \"gb200-nvl72\""));
  }
}

TEST_CASE("the sizing section resolves with its defaults and round-trips", "[sizing]") {
  const ResolvedScenario rs = resolve(sizing_json());
  const SizingSpec& z = rs.scenario.sizing;
  CHECK(z.enabled);
  CHECK(z.candidates == std::vector<std::string>{"dgx-h100"});
  REQUIRE(z.sites.size() == 1);
  CHECK(z.sites[0].country == "Malaysia");
  CHECK(z.sites[0].is_scenario_site);
  CHECK(z.objective == SizingObjective::Tco);
  CHECK(z.slo_attainment == Approx(0.999));
  CHECK(rs.resolved["sizing"]["verify_replications"] == 2);
  CHECK(rs.resolved["workloads"][1]["deadline_d"] == 10);
  const ResolvedScenario again = resolve(rs.resolved);
  CHECK(again.resolved["sizing"] == rs.resolved["sizing"]);
  CHECK(again.resolved["workloads"] == rs.resolved["workloads"]);
}

TEST_CASE("a candidate variant is the document plus one patch that puts every workload on the candidate", "[sizing]") {
  static const Catalog catalog = Catalog::embedded();
  nlohmann::json doc = sizing_json();
  doc["workloads"][0]["instances"] = 7;
  doc["workloads"][1]["tp"] = 8;
  CandidateVariant v;
  v.system = "dgx-b200";
  v.systems = 12;
  v.hot_spare_nodes = 1;
  v.replications = 2;
  v.workloads = {{"fp4", false, 1, 40}, {"bf16", true, 36, std::nullopt}};
  const ScenarioPatch p = candidate_patch(doc, catalog, v);
  CHECK(p.label == "sizing: candidate dgx-b200, 12 systems");
  const nlohmann::json d = apply_patches(doc, std::vector<ScenarioPatch>{p}, "test.json");
  CHECK(d["it"]["systems"] == nlohmann::json::parse(R"([{"name": "dgx-b200", "count": 12}])"));
  CHECK(d["replications"] == 2);
  CHECK(d["fleet"]["hot_spare_nodes"] == 1);
  for (const auto& w : d["workloads"]) CHECK(w["system"] == "dgx-b200");
  CHECK(d["workloads"][0]["precision"] == "fp4");
  CHECK(d["workloads"][0]["instances"] == 40);
  CHECK(d["workloads"][1]["gpus"] == 36);
  CHECK(d["workloads"][1]["tp"] == 0);  // 8 does not divide 36: searched
  // Without a plan (the probe) a service's instances are left for the fleet to size.
  v.workloads = {{"fp8", false, std::nullopt, std::nullopt}, {"bf16", true, std::nullopt, std::nullopt}};
  const nlohmann::json probe = apply_patches(doc, std::vector<ScenarioPatch>{candidate_patch(doc, catalog, v)}, "t");
  CHECK_FALSE(probe["workloads"][0].contains("instances"));
  CHECK(probe["workloads"][1]["gpus"] == 64);
  CHECK(probe["workloads"][1]["tp"] == 8);
  CHECK(doc["workloads"][0]["instances"] == 7);  // the document itself is unchanged
}

TEST_CASE("a candidate's economics take its price from sizing, the scenario or the catalog, else none", "[sizing]") {
  static const Catalog catalog = Catalog::embedded();
  auto economics_of = [&](const nlohmann::json& doc, const std::string& system, std::optional<double> price) {
    CandidateVariant v;
    v.system = system;
    v.systems = 10;
    v.replications = 1;
    v.system_price_usd = price;
    const nlohmann::json d = apply_patches(doc, std::vector<ScenarioPatch>{candidate_patch(doc, catalog, v)}, "t");
    return d.contains("economics") ? d["economics"] : nlohmann::json();
  };
  // No economics section: added with the catalog's defaults when a price is known.
  const nlohmann::json listed = economics_of(sizing_json(), "dgx-h100", std::nullopt);
  REQUIRE(listed.is_object());
  CHECK_FALSE(listed.contains("system_price_usd"));
  CHECK(listed["revenue"]["usd_per_gpu_hour"] == 0.0);
  CHECK(economics_of(sizing_json(), "dgx-b200", 515000.0)["system_price_usd"]["dgx-b200"] == 515000.0);
  // The scenario's own price for the candidate is kept, its design IT power dropped.
  nlohmann::json own = sizing_json();
  own["economics"] = {{"design_it_mw", 5.0}, {"system_price_usd", {{"dgx-b200", 500000.0}, {"dgx-h100", 1.0}}}};
  const nlohmann::json e = economics_of(own, "dgx-b200", std::nullopt);
  CHECK_FALSE(e.contains("design_it_mw"));
  CHECK(e["system_price_usd"] == nlohmann::json{{"dgx-b200", 500000.0}});
  CHECK(economics_of(own, "dgx-b200", 600000.0)["system_price_usd"]["dgx-b200"] == 600000.0);
  // No price anywhere (dgx-h200 has no list price): no economics, so capex and TCO are n/a.
  CHECK(economics_of(own, "dgx-h200", std::nullopt).is_null());
  CHECK(economics_of(sizing_json(), "dgx-h200", std::nullopt).is_null());
  // A listed candidate drops the scenario's prices of other systems.
  CHECK_FALSE(economics_of(own, "gb200-nvl72", std::nullopt).contains("system_price_usd"));
}

TEST_CASE("a site patch keeps only the site's name and grid capacity, and none is needed for the same country", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["site"]["name"] = "campus";
  CHECK(site_patch(doc, SizingSite{"Malaysia", "Malaysia", "", "", true}).ops.empty());
  const ScenarioPatch p = site_patch(doc, SizingSite{"Japan", "Japan", "", "", false});
  CHECK(p.label == "sizing: site Japan");
  const nlohmann::json d = apply_patches(doc, std::vector<ScenarioPatch>{p}, "t");
  CHECK(d["site"] == nlohmann::json::parse(R"({"country": "Japan", "name": "campus", "grid": {"capacity_mw": 20}})"));
  CHECK(resolve(d).scenario.site.country == "Japan");
}

TEST_CASE("a site patch moves a package's target country with the site", "[sizing]") {
  const nlohmann::json doc =
      nlohmann::json::parse(read_text_file(std::string(AIDCSIM_SOURCE_DIR) + "/scenarios/default.json", "a scenario", 1u << 24));
  REQUIRE(doc["package"]["target_country"] == "Malaysia");
  const ScenarioPatch p = site_patch(doc, SizingSite{"Japan", "Japan", "", "", false});
  CHECK(p.label == "sizing: site Japan (package target country moved with it)");
  const nlohmann::json d = apply_patches(doc, std::vector<ScenarioPatch>{p}, "t");
  CHECK(d["package"]["target_country"] == "Japan");
  // Without the move the package (offered to Malaysia) would be bad input at a Japanese site.
  const ResolvedScenario r = resolve(d);
  CHECK(r.scenario.site.country == "Japan");
}

TEST_CASE("a candidate whose systems need another cooling gets the first type they support, and says so", "[sizing]") {
  static const Catalog catalog = Catalog::embedded();
  nlohmann::json doc = sizing_json();
  doc["facility"]["cooling"] = {{"type", "air_cooled_chiller"}, {"chilled_water_supply_c", 18}};
  // GB200 NVL72 racks have cold plates only: liquid cooling.
  const auto to_liquid = adapted_cooling(doc, catalog, "gb200-nvl72");
  REQUIRE(to_liquid.has_value());
  CHECK(to_liquid->from == "air_cooled_chiller");
  CHECK(to_liquid->to == "liquid_dry_cooler");
  CHECK_FALSE(adapted_cooling(doc, catalog, "dgx-h100").has_value());  // air-cooled DGX on an air plant: kept
  CandidateVariant v;
  v.system = "gb200-nvl72";
  v.systems = 2;
  v.replications = 1;
  const ScenarioPatch p = candidate_patch(doc, catalog, v);
  CHECK(p.label == "sizing: candidate gb200-nvl72, 2 systems, cooling liquid_dry_cooler");
  const nlohmann::json d = apply_patches(doc, std::vector<ScenarioPatch>{p}, "t");
  CHECK(d["facility"]["cooling"] == nlohmann::json{{"type", "liquid_dry_cooler"}, {"chilled_water_supply_c", 18}});
  // The other way: a liquid plant has no heat to take from air-cooled DGX, so they get the first air type.
  doc["facility"]["cooling"] = {{"type", "liquid_dry_cooler"}, {"liquid_supply_c", 35}};
  const auto to_air = adapted_cooling(doc, catalog, "dgx-h100");
  REQUIRE(to_air.has_value());
  CHECK(to_air->to == "air_cooled_chiller");
  // The sizing result says what it changed, per candidate.
  nlohmann::json small = sizing_json();
  small["sizing"]["candidates"] = {"gb200-nvl72"};
  const SizingResult sized = size_doc(small);
  const CandidateResult& c = only(sized);
  REQUIRE(c.adaptations.size() == 1);
  CHECK(c.adaptations[0] ==
        "cooling water_cooled_chiller_tower -> liquid_dry_cooler (the cooling gb200-nvl72 supports)");
}

TEST_CASE("the command line's sites and candidates replace the sizing section's lists, or make the section", "[sizing]") {
  const nlohmann::json doc = sizing_json();
  CHECK(sizing_lists_patch(doc, {}, {}).ops.empty());
  const nlohmann::json d =
      apply_patches(doc, std::vector<ScenarioPatch>{sizing_lists_patch(doc, {"Japan"}, {})}, "t");
  CHECK(d["sizing"]["sites"] == nlohmann::json{"Japan"});
  CHECK(d["sizing"]["candidates"] == nlohmann::json{"dgx-h100"});
  nlohmann::json bare = sizing_json();
  bare.erase("sizing");
  const nlohmann::json b =
      apply_patches(bare, std::vector<ScenarioPatch>{sizing_lists_patch(bare, {}, {"dgx-b200"})}, "t");
  CHECK(b["sizing"] == nlohmann::json{{"candidates", {"dgx-b200"}}});
}

TEST_CASE("the sized scenario differs from the scenario only where the sizing patches edit it", "[sizing]") {
  const SizingResult r = size_doc(sizing_json());
  const CandidateResult& c = only(r);
  REQUIRE(c.feasible);
  const ScenarioPatch d = patch_between(sizing_json(), c.sized_scenario, "sized");
  REQUIRE_FALSE(d.ops.empty());
  for (const auto& op : d.ops) {
    const std::string path = op["path"];
    INFO(path);
    const bool edited = path.rfind("/it/systems", 0) == 0 || path.rfind("/fleet/", 0) == 0 ||
                        path.rfind("/workloads/", 0) == 0 || path.rfind("/economics", 0) == 0 ||
                        path == "/replications";
    CHECK(edited);
  }
  CHECK(apply_patches(sizing_json(), std::vector<ScenarioPatch>{d}, "t") == c.sized_scenario);
}

TEST_CASE("a workload's throughput request keeps its fixed degrees, on another GPU count only those dividing it",
          "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["workloads"][1]["tp"] = 8;
  doc["workloads"][1]["pp"] = 2;
  doc["workloads"][1]["cp"] = 2;
  const Scenario s = resolve(doc).scenario;
  const InferenceRequestSpec chat = inference_request(s.workloads[0]);
  CHECK(chat.model == "llama-3.1-8b");
  CHECK(chat.gpus == 1);
  CHECK(chat.isl == 1000);
  CHECK(chat.osl == 200);
  CHECK(chat.ttft_slo_s == 1.0);
  CHECK(chat.tpot_slo_s == 0.05);
  CHECK(inference_request(s.workloads[0], 4).gpus == 4);
  const TrainingRequestSpec job = training_request(s.workloads[1]);
  CHECK(job.gpus == 64);
  CHECK(job.seq == 8192);
  CHECK(job.global_batch_tokens == 2097152.0);
  CHECK((job.fixed_tp == 8 && job.fixed_pp == 2 && job.fixed_cp == 2));
  const TrainingRequestSpec on36 = training_request(s.workloads[1], 36);
  CHECK(on36.gpus == 36);
  CHECK(on36.fixed_tp == 0);  // 8 does not divide 36: searched
  CHECK(on36.fixed_pp == 2);
  CHECK(on36.fixed_cp == 2);
}

TEST_CASE("expected availability and ETTR fall as failures rise", "[sizing]") {
  Scenario s = resolve(sizing_json()).scenario;
  const SystemSpec& sys = s.it.systems[0];
  const WorkloadSpec& job = s.workloads[1];
  const double a = expected_node_availability(s.fleet, sys);
  const double e16 = expected_ettr(s.fleet, sys, job, 16, 128);
  const double e64 = expected_ettr(s.fleet, sys, job, 64, 512);
  CHECK(a < 1.0);
  CHECK(a > 0.9);
  CHECK(e64 < e16);
  CHECK(e16 < 1.0);
  for (ComponentReliability& c : s.fleet.components) c.failures_per_unit_h *= 10.0;
  CHECK(expected_node_availability(s.fleet, sys) < a);
  CHECK(expected_ettr(s.fleet, sys, job, 16, 128) < e16);
  CHECK(nodes_for_instances(17, 1, 8) == 3);
  CHECK(nodes_for_instances(3, 16, 8) == 6);
  CHECK(instances_on_nodes(3, 1, 8) == 24);
  CHECK(hot_spares_for(51, 0.02) == 2);
  CHECK(hot_spares_for(51, 0.0) == 0);
}


TEST_CASE("sizing sites name a country, a climate city or an object with its own city and weather", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["sizing"]["sites"] = nlohmann::json::parse(R"(["Malaysia", "Osaka",
      {"country": "Japan", "city": "Tokyo"},
      {"country": "India", "weather": {"source": "epw", "file": "weather/mumbai.epw"}}])");
  const ResolvedScenario rs = resolve(doc);
  const std::vector<SizingSite>& sites = rs.scenario.sizing.sites;
  REQUIRE(sites.size() == 4);
  CHECK(sites[0].is_scenario_site);
  CHECK(sites[1].country == "Japan");
  CHECK(sites[1].city == "Osaka");
  CHECK(sites[1].label == "Japan (Osaka)");
  CHECK(sites[2].label == "Japan (Tokyo)");
  CHECK(sites[3].label == "India (weather: weather/mumbai.epw)");
  // The resolved section lists them again and resolves to the same sites.
  const ResolvedScenario again = resolve(rs.resolved);
  CHECK(again.resolved["sizing"]["sites"] == rs.resolved["sizing"]["sites"]);
  // A city site moves the climate and the design conditions with it.
  const ScenarioPatch p = site_patch(doc, sites[1]);
  nlohmann::json d = apply_patches(doc, std::vector<ScenarioPatch>{p}, "t");
  CHECK(d["site"]["city"] == "Osaka");
  d.erase("sizing");
  const ResolvedScenario osaka = resolve(d);
  CHECK(osaka.scenario.site.weather.normals.city == "Osaka");
  CHECK(osaka.scenario.site.design_dry_bulb_c == Approx(34.2));
  CHECK(osaka.scenario.site.design_basis.find("Osaka") != std::string::npos);
  // The EPW site carries its weather object into the site.
  const nlohmann::json e = apply_patches(doc, std::vector<ScenarioPatch>{site_patch(doc, sites[3])}, "t");
  CHECK(e["site"]["weather"]["file"] == "weather/mumbai.epw");
  CHECK(e["site"]["country"] == "India");
}

TEST_CASE("a sizing site that names an unknown city or country is bad input with the nearest names", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["sizing"]["sites"] = nlohmann::json::parse(R"(["Osaca", {"country": "Japan", "city": "Kyoto"}, "Malaysia", "Malaysia"])");
  try {
    resolve(doc);
    FAIL("unknown sites were accepted");
  } catch (const BadInput& e) {
    CHECK(has_problem(e.problems(), "/sizing/sites/0", "Osaca", "a country in"));
    CHECK(has_problem(e.problems(), "/sizing/sites/1/city", "Kyoto", "a city in"));
    CHECK(has_problem(e.problems(), "/sizing/sites/3", "Malaysia", "a site not already listed"));
  }
}
TEST_CASE("a failed requirement states the confidence that over 10 % of years truly miss", "[sizing]") {
  RequirementCheck c;
  c.replications = 16;
  c.missing = 0;  // Beta(1, 17): P(share > 0.1) = 0.9^17
  CHECK(c.fail_confidence() == Approx(std::pow(0.9, 17)).epsilon(1e-9));
  c.missing = 16;
  CHECK(c.fail_confidence() > 0.9999);
  c.replications = 4;
  c.missing = 1;  // Beta(2, 4): 1 - I_0.1(2, 4) = P(Binomial(5, 0.1) <= 1)
  CHECK(c.fail_confidence() == Approx(std::pow(0.9, 5) + 5 * 0.1 * std::pow(0.9, 4)).epsilon(1e-9));
}

TEST_CASE("a sizing site's own weather is checked before any candidate is sized, at the site's entry", "[sizing]") {
  nlohmann::json doc = sizing_json();
  doc["sizing"]["sites"] = nlohmann::json::parse(
      R"([{"country": "India", "weather": {"source": "epw", "file": "no_such_site.epw"}}])");
  SizingOptions o;
  o.threads = 1;
  try {
    size_doc(doc, o);
    FAIL("a site with a missing EPW file was sized");
  } catch (const BadInput& e) {
    CHECK(has_problem(e.problems(), "/sizing/sites/0/weather/file", "no_such_site.epw", "an EPW weather file that exists"));
  }
}

}  // namespace aidc::test
