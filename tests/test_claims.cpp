// Claims with verdicts (issue 5): the pure model (core/model/claims.hpp), their parsing and resolution against a
// run's KPIs (core/scenario/parse_claims.hpp, core/run/claims_outputs.hpp), and the /claims table of a real run.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/io/results_reader.hpp"
#include "core/model/claims.hpp"
#include "core/run/claims_outputs.hpp"
#include "core/run/run_scenario.hpp"
#include "core/scenario/parse_claims.hpp"
#include "run_command.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::small_scenario_json;
using aidc::test::TempDir;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> one_to_ten() { return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; }

ClaimSpec claim(const std::string& metric, const std::string& comparison, double target,
                const std::string& units = "", const std::string& workload = "") {
  ClaimSpec c;
  c.metric = metric;
  c.comparison = comparison;
  c.target = target;
  c.units = units;
  c.workload = workload;
  c.label = default_claim_label(c);
  return c;
}

Scenario scenario_with(std::vector<ClaimSpec> claims, int horizon_h = 8760) {
  Scenario s;
  s.source_path = "claims.json";
  s.horizon_h = horizon_h;
  s.claims = std::move(claims);
  return s;
}

std::vector<InputProblem> resolution_problems(const Scenario& s, const std::vector<KpiInfo>& info) {
  try {
    resolve_claims(s, info);
  } catch (const BadInput& e) {
    return e.problems();
  }
  return {};
}

bool names(const std::vector<InputProblem>& ps, const std::string& path, const std::string& value,
           const std::string& expected_part) {
  for (const auto& p : ps) {
    if (p.file == "claims.json" && p.json_path == path && p.value.find(value) != std::string::npos &&
        p.expected.find(expected_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

nlohmann::json with_claims(nlohmann::json claims) {
  auto doc = small_scenario_json();
  doc["claims"] = std::move(claims);
  return doc;
}

}  // namespace

// ---- the model ---------------------------------------------------------------------------------------------

TEST_CASE("a claim holds by its comparison and never on an undefined value") {
  CHECK(claim_holds(1.3, Comparison::AtMost, 1.3));
  CHECK_FALSE(claim_holds(1.3, Comparison::Below, 1.3));
  CHECK(claim_holds(1.3, Comparison::AtLeast, 1.3));
  CHECK_FALSE(claim_holds(1.3, Comparison::Above, 1.3));
  CHECK(claim_holds(1.4, Comparison::Above, 1.3));
  for (Comparison c : {Comparison::AtLeast, Comparison::AtMost, Comparison::Above, Comparison::Below}) {
    CHECK_FALSE(claim_holds(kNaN, c, 0.0));
    CHECK(comparison_from(comparison_symbol(c)) == c);
  }
  CHECK_FALSE(comparison_from("=>").has_value());
}

TEST_CASE("the Wilson interval matches a hand computation") {
  // z = 1.6448536 for 90 % two-sided; 8 of 10: centre (0.8 + z^2/20) / (1 + z^2/10), half-width
  // z sqrt(0.8 x 0.2 / 10 + z^2 / 400) / (1 + z^2/10).
  CHECK(two_sided_z(0.9) == Approx(1.6448536).epsilon(1e-7));
  CHECK(two_sided_z(0.95) == Approx(1.9599640).epsilon(1e-7));
  const ProportionInterval i = wilson_interval(8, 10, 0.9);
  CHECK(i.low == Approx(0.5407928).epsilon(1e-6));
  CHECK(i.high == Approx(0.9314420).epsilon(1e-6));
  const ProportionInterval none = wilson_interval(0, 16, 0.9);
  CHECK(none.low == 0.0);
  CHECK(none.high == Approx(0.1446386).epsilon(1e-6));
  const ProportionInterval all = wilson_interval(16, 16, 0.9);
  CHECK(all.low == Approx(0.8553614).epsilon(1e-6));
  CHECK(all.high == 1.0);
  const ProportionInterval empty = wilson_interval(0, 0, 0.9);
  CHECK(empty.low == 0.0);
  CHECK(empty.high == 1.0);
}

TEST_CASE("the verdict flips as the target crosses the simulated values") {
  const ClaimsPolicy policy;
  const auto v = one_to_ten();
  // "<= target" over the values 1..10: holds in as many replications as values are at most the target.
  CHECK(evaluate_claim(v, Comparison::AtMost, 0.5, policy).verdict == Verdict::NotSupported);
  CHECK(evaluate_claim(v, Comparison::AtMost, 4.0, policy).verdict == Verdict::NotSupported);  // P 0.4
  CHECK(evaluate_claim(v, Comparison::AtMost, 5.0, policy).verdict == Verdict::AtRisk);        // P 0.5
  CHECK(evaluate_claim(v, Comparison::AtMost, 8.0, policy).verdict == Verdict::AtRisk);        // P 0.8
  CHECK(evaluate_claim(v, Comparison::AtMost, 9.0, policy).verdict == Verdict::Supported);     // P 0.9, lo 0.65
  CHECK(evaluate_claim(v, Comparison::AtMost, 100.0, policy).verdict == Verdict::Supported);
  // The mirror image for ">=".
  CHECK(evaluate_claim(v, Comparison::AtLeast, 2.0, policy).verdict == Verdict::Supported);
  CHECK(evaluate_claim(v, Comparison::AtLeast, 3.0, policy).verdict == Verdict::AtRisk);
  CHECK(evaluate_claim(v, Comparison::AtLeast, 7.0, policy).verdict == Verdict::NotSupported);
  // Never backwards: raising a "<=" target never makes the verdict worse.
  int last = 0;
  for (double t = 0.0; t <= 11.0; t += 0.25) {
    const Verdict verdict = evaluate_claim(v, Comparison::AtMost, t, policy).verdict;
    const int rank = verdict == Verdict::NotSupported ? 0 : verdict == Verdict::AtRisk ? 1 : 2;
    CHECK(rank >= last);
    last = rank;
  }
  CHECK(last == 2);
}

TEST_CASE("a claim's distribution and probability come from its replications") {
  const ClaimEvaluation e = evaluate_claim(one_to_ten(), Comparison::AtMost, 8.0, ClaimsPolicy{});
  CHECK(e.replications == 10);
  CHECK(e.held == 8);
  CHECK(e.undefined == 0);
  CHECK(e.probability_met == Approx(0.8));
  CHECK(e.mean == Approx(5.5));
  CHECK(e.p50 == Approx(5.5));
  CHECK(e.p10 == Approx(1.9));
  CHECK(e.p90 == Approx(9.1));
  CHECK(e.interval.low == Approx(0.5407928).epsilon(1e-6));
}

TEST_CASE("an undefined replication counts as the claim not holding") {
  const std::vector<double> v = {10, 12, kNaN, 11};
  const ClaimEvaluation e = evaluate_claim(v, Comparison::AtMost, 30.0, ClaimsPolicy{});
  CHECK(e.undefined == 1);
  CHECK(e.held == 3);
  CHECK(e.probability_met == Approx(0.75));
  CHECK(e.mean == Approx(11.0));  // over the defined replications
  CHECK(e.verdict == Verdict::AtRisk);
  const ClaimEvaluation never = evaluate_claim(std::vector<double>{kNaN, kNaN}, Comparison::AtMost, 1.0, ClaimsPolicy{});
  CHECK(std::isnan(never.p50));
  CHECK(never.verdict == Verdict::NotSupported);
}

TEST_CASE("too few replications cannot support a claim even when it always holds") {
  const ClaimsPolicy policy;
  CHECK(evaluate_claim(std::vector<double>{1.0}, Comparison::AtMost, 2.0, policy).verdict == Verdict::AtRisk);
  CHECK(evaluate_claim(std::vector<double>{1.0, 1.0}, Comparison::AtMost, 2.0, policy).verdict == Verdict::AtRisk);
  CHECK(evaluate_claim(std::vector<double>{1.0, 1.0, 1.0}, Comparison::AtMost, 2.0, policy).verdict ==
        Verdict::Supported);
  ClaimsPolicy lax;
  lax.at_risk_probability = 0.2;
  CHECK(evaluate_claim(std::vector<double>{1.0}, Comparison::AtMost, 2.0, lax).verdict == Verdict::Supported);
}

TEST_CASE("the limiting factor follows the evidence of the other KPIs and says unknown without any") {
  std::map<std::string, std::vector<double>> kpis;
  const KpiLookup lookup = [&](const std::string& name) -> const std::vector<double>* {
    const auto it = kpis.find(name);
    return it == kpis.end() ? nullptr : &it->second;
  };
  const std::vector<bool> fails_second = {true, false};
  CHECK(limiting_factor("pue_annual", Comparison::AtMost, 1.3, Verdict::NotSupported, fails_second, lookup).factor ==
        "cooling");
  CHECK(limiting_factor("pue_annual", Comparison::AtMost, 1.3, Verdict::Supported, fails_second, lookup).factor ==
        "none");
  CHECK(limiting_factor("power_availability", Comparison::AtLeast, 0.9999, Verdict::AtRisk, fails_second, lookup)
            .factor == "unknown");
  kpis["grid_outages"] = {0.0, 3.0};
  const LimitingFactor grid =
      limiting_factor("power_availability", Comparison::AtLeast, 0.9999, Verdict::AtRisk, fails_second, lookup);
  CHECK(grid.factor == "grid");
  CHECK_THAT(grid.evidence, Catch::Contains("grid_outages mean 3"));
  // Outages only in the replication where the claim holds are no evidence.
  kpis["grid_outages"] = {3.0, 0.0};
  CHECK(limiting_factor("power_availability", Comparison::AtLeast, 0.9999, Verdict::AtRisk, fails_second, lookup)
            .factor == "unknown");
  // A service that never sees the demand the claim needs is limited by demand, before power or failures.
  kpis["chat.demand_tokens_per_s"] = {500.0, 500.0};
  kpis["power_capped_hours"] = {0.0, 12.0};
  CHECK(limiting_factor("chat.served_tokens_per_s", Comparison::AtLeast, 1000.0, Verdict::NotSupported, fails_second,
                        lookup).factor == "demand");
  kpis["chat.demand_tokens_per_s"] = {5000.0, 5000.0};
  CHECK(limiting_factor("chat.served_tokens_per_s", Comparison::AtLeast, 1000.0, Verdict::NotSupported, fails_second,
                        lookup).factor == "power");
  kpis["failures"] = {0.0, 4.0};
  CHECK(limiting_factor("service_availability", Comparison::AtLeast, 0.999, Verdict::AtRisk, fails_second, lookup)
            .factor == "failures");
  CHECK(limiting_factor("project_irr", Comparison::AtLeast, 0.1, Verdict::NotSupported, fails_second, lookup)
            .factor == "economics");
  CHECK(limiting_factor("mystery_kpi", Comparison::AtLeast, 0.1, Verdict::NotSupported, fails_second, lookup)
            .factor == "unknown");
}

// ---- resolution against a run's KPIs ---------------------------------------------------------------------

TEST_CASE("a claim on an unknown metric names the file, the JSON path, the value and the nearest KPIs") {
  const Scenario s = scenario_with({claim("pue", "<=", 1.3), claim("pue_anual", "<=", 1.3)});
  const auto ps = resolution_problems(s, site_kpi_info());
  REQUIRE(ps.size() == 1);
  CHECK(names(ps, "/claims/1/metric", "\"pue_anual\"", "nearest: pue_annual"));
}

TEST_CASE("aliases resolve to KPI names with their scaling and units") {
  const Scenario s = scenario_with({claim("pue", "<=", 1.3), claim("availability", ">=", 99.99, "%"),
                                    claim("water_m3_per_year", "<=", 5e4, "m3/yr"), claim("wue", "<=", 0.5)},
                                   168);
  const auto r = resolve_claims(s, site_kpi_info());
  REQUIRE(r.size() == 4);
  CHECK(r[0].kpi == "pue_annual");
  CHECK(r[0].units == "1");
  CHECK(r[1].kpi == "power_availability");
  CHECK(r[1].units == "%");
  CHECK(r[1].scale == 100.0);
  CHECK(r[2].kpi == "water_m3");
  CHECK(r[2].units == "m3/year");
  CHECK(r[2].scale == Approx(8760.0 / 168.0));
  CHECK(r[3].kpi == "wue_l_per_kwh");
}

TEST_CASE("a claim in units other than its KPI's is bad input naming both") {
  const Scenario s = scenario_with({claim("water_m3", "<=", 5e4, "L"), claim("pue_annual", "<=", 1.3, "kW")});
  const auto ps = resolution_problems(s, site_kpi_info());
  CHECK(names(ps, "/claims/0/units", "\"L\"", "water_m3, \"m3\""));
  CHECK(names(ps, "/claims/1/units", "\"kW\"", "\"1\" (or \"%\")"));
}

TEST_CASE("a workload claim resolves to the workload's KPI, whatever KPIs the run lists") {
  std::vector<KpiInfo> info = site_kpi_info();
  info.push_back({"chat.served_tokens_per_s", "tokens/s", "output tokens served per second"});
  info.push_back({"chat.capacity_tokens_per_s", "tokens/s", "output tokens per second the instances can serve"});
  info.push_back({"pretrain.time_to_train_d", "d", "days to train"});
  const Scenario s = scenario_with({claim("tokens_per_s", ">=", 1e4, "tokens/s", "chat"),
                                    claim("days_to_train", "<=", 30, "d", "pretrain"),
                                    claim("served_tokens_per_s", ">=", 1e4, "", "chat")});
  const auto r = resolve_claims(s, info);
  REQUIRE(r.size() == 3);
  CHECK(r[0].kpi == "chat.capacity_tokens_per_s");
  CHECK(r[1].kpi == "pretrain.time_to_train_d");
  CHECK(r[2].kpi == "chat.served_tokens_per_s");
  const auto ps = resolution_problems(scenario_with({claim("served_tokens", ">=", 1, "", "chat")}), info);
  CHECK(names(ps, "/claims/0/metric", "served_tokens", "nearest: served_tokens_per_s"));
}

TEST_CASE("an alias of a KPI the run lacks says what section brings it") {
  const auto ps = resolution_problems(scenario_with({claim("irr", ">=", 0.1), claim("days_to_train", "<=", 9, "", "x")}),
                                      site_kpi_info());
  CHECK(names(ps, "/claims/0/metric", "\"irr\"", "economics"));
  CHECK(names(ps, "/claims/1/metric", "\"days_to_train\"", "fleet"));
}

// ---- parsing ----------------------------------------------------------------------------------------------

TEST_CASE("a fraction claim with a percentage target and no units is bad input at parse") {
  auto doc = with_claims({{{"metric", "availability"}, {"comparison", ">="}, {"target", 99.99}}});
  CHECK(aidc::test::has_problem(aidc::test::problems_of(doc), "/claims/0/target", "99.99",
                                "a fraction in [0, 1] for availability"));
  auto pct = with_claims({{{"metric", "availability"}, {"comparison", ">="}, {"target", 99.99}, {"units", "%"}}});
  CHECK(aidc::test::problems_of(pct).empty());
  auto frac = with_claims({{{"metric", "availability"}, {"comparison", ">="}, {"target", 0.9999}}});
  CHECK(aidc::test::problems_of(frac).empty());
  auto over = with_claims({{{"metric", "power_availability"}, {"comparison", ">="}, {"target", 150}, {"units", "%"}}});
  CHECK(aidc::test::has_problem(aidc::test::problems_of(over), "/claims/0/target", "150", "[0, 100]"));
  // A KPI in units "1" that is not a share (PUE) takes targets above 1.
  auto pue = with_claims({{{"metric", "pue"}, {"comparison", "<="}, {"target", 1.3}}});
  CHECK(aidc::test::problems_of(pue).empty());
}

TEST_CASE("claims parse with default labels and resolve back to the same section") {
  auto doc = with_claims(nlohmann::json::parse(R"([
    {"label": "annual PUE <= 1.3", "metric": "pue", "comparison": "<=", "target": 1.3, "note": "headline"},
    {"metric": "availability", "comparison": ">=", "target": 99.9, "units": "%"}
  ])"));
  doc["claims_policy"] = {{"supported_probability", 0.95}};
  const auto first = resolve(doc);
  REQUIRE(first.scenario.claims.size() == 2);
  CHECK(first.scenario.claims[1].label == "availability >= 99.9%");
  CHECK(first.scenario.claims_policy.supported_probability == 0.95);
  CHECK(first.scenario.claims_policy.at_risk_probability == 0.5);
  const auto again = resolve(first.resolved);
  CHECK(again.resolved["claims"] == first.resolved["claims"]);
  CHECK(again.resolved["claims_policy"] == first.resolved["claims_policy"]);
  CHECK_FALSE(resolve(small_scenario_json()).resolved.contains("claims"));
}

TEST_CASE("bad claims are reported with their JSON paths") {
  const auto ps = problems_of(with_claims(nlohmann::json::parse(R"([
    {"metric": "pue", "comparison": "=<", "target": 1.3},
    {"metric": "pue", "comparison": "<=", "target": "low"},
    {"metric": "served_tokens_per_s", "workload": "chat", "comparison": ">=", "target": 1},
    {"comparison": "<=", "target": 1},
    {"label": "same", "metric": "pue", "comparison": "<=", "target": 1.3},
    {"label": "same", "metric": "wue", "comparison": "<=", "target": 1.3, "colour": "red"},
    {"metric": "pue", "target": 1.3}
  ])")));
  CHECK(has_problem(ps, "/claims/0/comparison", "=<", "one of: >=, <=, >, <"));
  CHECK(has_problem(ps, "/claims/1/target", "low"));
  CHECK(has_problem(ps, "/claims/2/workload", "chat", "it has none"));
  CHECK(has_problem(ps, "/claims/3/metric"));
  CHECK(has_problem(ps, "/claims/5/label", "same", "no other claim"));
  CHECK(has_problem(ps, "/claims/5/colour", "red", "unknown key"));
  CHECK(has_problem(ps, "/claims/6/comparison", "", ">="));
  CHECK(has_problem(problems_of(with_claims("pue <= 1.3")), "/claims", "pue", "an array of claims"));
  auto doc = with_claims(nlohmann::json::array());
  doc["claims_policy"] = {{"supported_probability", 0.6}, {"at_risk_probability", 0.7}};
  CHECK(has_problem(problems_of(doc), "/claims_policy/at_risk_probability", "0.7", "supported_probability"));
}

// ---- a real run ---------------------------------------------------------------------------------------------

TEST_CASE("a run writes the claims table with verdicts that follow the targets") {
  TempDir dir;
  auto doc = with_claims(nlohmann::json::parse(R"([
    {"label": "PUE below 3", "metric": "pue", "comparison": "<=", "target": 3.0},
    {"label": "PUE below 1", "metric": "pue_annual", "comparison": "<=", "target": 1.0},
    {"label": "water per year", "metric": "water_m3_per_year", "comparison": "<=", "target": 1e12, "units": "m3/yr"},
    {"label": "availability", "metric": "availability", "comparison": ">=", "target": 0, "units": "%"}
  ])"));
  doc["horizon"]["duration_h"] = 336;
  doc["replications"] = 4;
  const auto rs = resolve(doc);
  RunOptions options;
  options.output = dir / "claims.h5";
  options.threads = 1;
  const RunSummary summary = run_scenario(rs, options);
  REQUIRE(summary.claims.size() == 4);
  CHECK_THAT(summary.claims[0], Catch::StartsWith("claim \"PUE below 3\": pue_annual P50 ") &&
                                    Catch::Contains("holds in 4 of 4 replications") && Catch::EndsWith("-> supported"));
  CHECK_THAT(summary.claims[1], Catch::Contains("holds in 0 of 4") && Catch::EndsWith("not supported (limiting: cooling)"));

  ResultsReader reader(options.output);
  const NamedTable t = reader.table("/claims");
  REQUIRE(t.rows() == 4);
  CHECK(t.column("claim").text[0] == "PUE below 3");
  CHECK(t.column("kpi").text[1] == "pue_annual");
  CHECK(t.column("verdict").text[0] == "supported");
  CHECK(t.column("verdict").text[1] == "not supported");
  CHECK(t.column("limiting_factor").text[1] == "cooling");
  CHECK(t.column("probability_met").values[0] == 1.0);
  CHECK(t.column("probability_met").values[1] == 0.0);
  CHECK(t.column("probability_low").values[0] == Approx(4.0 / (4.0 + 1.6448536 * 1.6448536)));
  CHECK(t.column("replications").values[0] == 4.0);
  CHECK(t.column("units").text[2] == "m3/year");
  CHECK(t.column("scale").values[2] == Approx(8760.0 / 336.0));
  CHECK(t.column("units").text[3] == "%");
  CHECK(t.column("p50").values[3] <= 100.0);
  CHECK(t.column("p50").values[3] > 90.0);
  CHECK(t.column("probability_met").units == "1");
  // The claim's distribution is its KPI's (the /kpis row), scaled.
  for (const KpiRow& k : reader.kpis()) {
    if (k.name == "pue_annual") CHECK(t.column("p50").values[0] == Approx(k.p50));
  }
  CHECK(reader.double_attribute("/claims", "supported_probability") == 0.9);
  CHECK_THAT(reader.string_attribute("/claims", "rule"), Catch::Contains("Wilson") || Catch::Contains("probability_low"));
}

TEST_CASE("aidcsim run rejects a claim on an unknown metric with exit code 2 before writing anything") {
  TempDir dir;
  auto doc = with_claims(nlohmann::json::parse(R"([{"metric": "pue_anual", "comparison": "<=", "target": 1.3}])"));
  const auto scenario = aidc::test::write_text(dir / "bad-claims.json", doc.dump(2));
  const auto out = dir / "never.h5";
  const auto r = aidc::test::run_command(AIDCSIM_BINARY, {"run", scenario.string(), "-o", out.string(), "-q"}, dir);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(scenario.string()) && Catch::Contains("/claims/0/metric") &&
                        Catch::Contains("pue_anual") && Catch::Contains("nearest: pue_annual"));
  CHECK_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    CHECK(entry.path().extension() != ".h5");
    CHECK(entry.path().filename().string().find("never.h5") == std::string::npos);  // no temporary file left
  }
}

TEST_CASE("aidcsim run prints one verdict line per claim after the KPI table") {
  TempDir dir;
  auto doc = with_claims(nlohmann::json::parse(R"([{"label": "annual PUE <= 1.1", "metric": "pue", "comparison": "<=", "target": 1.1}])"));
  doc["horizon"]["duration_h"] = 168;
  const auto scenario = aidc::test::write_text(dir / "claims.json", doc.dump(2));
  const auto r = aidc::test::run_command(
      AIDCSIM_BINARY, {"run", scenario.string(), "-o", (dir / "r.h5").string(), "--threads", "1"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("claim \"annual PUE <= 1.1\": pue_annual P50 ") &&
                        Catch::Contains("-> not supported (limiting: cooling)"));
  CHECK(r.out.find("claim \"") > r.out.find("headline KPIs"));
}

TEST_CASE("h5py reads the claims and package tables without aidcsim") {
  TempDir dir;
  const std::filesystem::path python = "/usr/bin/python3";
  if (!std::filesystem::exists(python)) FAIL("/usr/bin/python3 is missing: apt-get install python3-h5py");
  const auto results = dir / "default.h5";
  const auto run = aidc::test::run_command(
      AIDCSIM_BINARY,
      {"run", std::string(AIDCSIM_SOURCE_DIR) + "/scenarios/default.json", "-o", results.string(), "-q",
       "--replications", "3", "--threads", "1"},
      dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string script = R"(
import sys, h5py
f = h5py.File(sys.argv[1], "r")
c = f["claims"][...]
units = dict(zip(c.dtype.names, f["claims"].attrs["units"]))
assert units["probability_met"] == "1", units
verdicts = {r["claim"].decode(): r["verdict"].decode() for r in c}
assert verdicts["annual PUE <= 1.3"] == "not supported", verdicts
assert verdicts["minimum DSCR >= 1.3"] == "not supported", verdicts  # the refresh years' cover (README)
summary = {r["field"].decode(): r["value"].decode() for r in f["package/summary"][...]}
assert summary["target_country"] == "Malaysia", summary
assert "dgx-h100" in summary["hardware"], summary
roles = {r["role"].decode() for r in f["package/consortium"][...]}
assert "financier" in roles, roles
support = f["package/federal_support"]
assert support.attrs["total_usd"] == support["amount_usd"].sum()
print("ok")
)";
  const auto py = aidc::test::write_text(dir / "check.py", script);
  const auto check = aidc::test::run_command(python, {py.string(), results.string()}, dir);
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.out, Catch::Contains("ok"));
}
