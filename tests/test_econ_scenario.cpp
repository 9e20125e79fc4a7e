#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/io/results_reader.hpp"
#include "core/run/run_scenario.hpp"
#include "core/scenario/input_error.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::TempDir;
using aidc::test::small_scenario_json;

namespace {

nlohmann::json with_economics() {
  auto doc = small_scenario_json();
  doc["economics"] = nlohmann::json::parse(R"({
    "horizon_years": 12,
    "discount_rate": 0.08,
    "revenue": {"usd_per_gpu_hour": 2.0, "sold_fraction": 0.7},
    "financing": {"debt_share": 0.7, "interest_rate": 0.065, "tenor_years": 10, "grace_years": 2,
                  "repayment": "annuity", "guarantee_fee_rate": 0.01},
    "tax_rate": 0.24
  })");
  return doc;
}

}  // namespace

TEST_CASE("an economics section resolves with catalog prices, country costs and catalog defaults") {
  const auto rs = resolve(with_economics());
  const EconomicsSpec& e = rs.scenario.economics;
  CHECK(e.enabled);
  CHECK(e.horizon_years == 12);
  REQUIRE(e.systems.size() == 1);
  CHECK(e.systems[0].price_usd == 199000);   // systems.json list_price_usd of dgx-h100
  CHECK(e.systems[0].gpus_per_system == 8);
  CHECK(e.construction_usd_per_w == 9.0);    // countries.json, Malaysia
  CHECK(e.design_it_w == Approx(1000 * 10.2e3));
  CHECK(e.financing.grace_years == 2);
  CHECK(e.financing.repayment == "annuity");
  CHECK(e.network_share_of_systems == 0.15);  // economics_defaults.json
  CHECK(e.it_life_years == 5);
  CHECK(rs.resolved.contains("economics"));
  CHECK(rs.resolved["economics"]["system_price_usd"]["dgx-h100"] == 199000);
}

TEST_CASE("the corporate tax defaults to the country's rate") {
  auto doc = with_economics();
  doc["economics"].erase("tax_rate");
  CHECK(resolve(doc).scenario.economics.tax_rate == 0.24);  // Malaysia
}

TEST_CASE("the resolved economics section parses back to the same values") {
  const auto first = resolve(with_economics());
  const auto again = resolve(first.resolved);
  CHECK(again.resolved["economics"] == first.resolved["economics"]);
}

TEST_CASE("a scenario without economics has no economics section") {
  const auto rs = resolve(small_scenario_json());
  CHECK_FALSE(rs.scenario.economics.enabled);
  CHECK_FALSE(rs.resolved.contains("economics"));
}

TEST_CASE("every economics default used is in the built-in catalog with a source") {
  auto doc = small_scenario_json();
  doc["economics"] = {{"revenue", {{"usd_per_gpu_hour", 2.0}}}};
  const auto rs = resolve(doc);
  const auto& used = rs.catalog_entries["economics_defaults"];
  CHECK(used.size() >= 20);
  for (const auto& [key, entry] : used.items()) {
    INFO(key);
    CHECK(entry.contains("source"));
    CHECK(entry["value"].is_number());
  }
}

TEST_CASE("bad economics inputs are reported with their paths") {
  auto doc = with_economics();
  doc["economics"]["system_price_usd"] = {{"dgx-h100", -5}};
  doc["economics"]["financing"]["tenor_years"] = 0;
  doc["economics"]["financing"]["debt_share"] = 1.2;
  doc["economics"]["revenue"]["usd_per_gpu_hour"] = -1;
  doc["economics"]["discount_rate"] = "high";
  doc["economics"]["colour"] = "blue";
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/economics/system_price_usd/dgx-h100", "-5", "(0, 1e+09]"));
  CHECK(has_problem(ps, "/economics/financing/tenor_years", "0"));
  CHECK(has_problem(ps, "/economics/financing/debt_share", "1.2", "[0, 1]"));
  CHECK(has_problem(ps, "/economics/revenue/usd_per_gpu_hour", "-1"));
  CHECK(has_problem(ps, "/economics/discount_rate", "high"));
  CHECK(has_problem(ps, "/economics/colour", "blue", "unknown key"));
}

TEST_CASE("a debt share above the OECD Arrangement's 85 % is warned") {
  auto doc = with_economics();
  CHECK(resolve(doc).warnings.empty());
  doc["economics"]["financing"]["debt_share"] = 0.95;
  const auto rs = resolve(doc);
  REQUIRE(rs.warnings.size() == 1);
  CHECK(rs.warnings[0].json_path == "/economics/financing/debt_share");
  CHECK(rs.warnings[0].message.find("OECD Arrangement") != std::string::npos);
}

TEST_CASE("economics amounts beyond physical limits are bad input") {
  auto doc = with_economics();
  doc["economics"]["revenue"]["usd_per_gpu_hour"] = 1e308;
  doc["economics"]["staff_usd_per_year"] = 1e300;
  doc["economics"]["design_it_mw"] = 1e6;
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/economics/revenue/usd_per_gpu_hour", "1e+308", "[0, 1000]"));
  CHECK(has_problem(ps, "/economics/staff_usd_per_year", "1e+300", "[0, 1e+13]"));
  CHECK(has_problem(ps, "/economics/design_it_mw", "1000000", "(0, 10000]"));
}

TEST_CASE("a system without a catalog price needs a price in the scenario") {
  auto doc = with_economics();
  doc["it"]["systems"] = {{{"name", "dgx-h200"}, {"count", 100}}};
  CHECK(has_problem(problems_of(doc), "/economics/system_price_usd", "", "dgx-h200"));
  doc["economics"]["system_price_usd"] = {{"dgx-h200", 300000}};
  CHECK(resolve(doc).scenario.economics.systems[0].price_usd == 300000);
}

TEST_CASE("a price for a system the scenario does not have is rejected") {
  auto doc = with_economics();
  doc["economics"]["system_price_usd"] = {{"dgx-b200", 400000}};
  CHECK(has_problem(problems_of(doc), "/economics/system_price_usd/dgx-b200", "400000", "it.systems"));
}

TEST_CASE("grace must be shorter than the tenor and the tenor inside the horizon") {
  auto doc = with_economics();
  doc["economics"]["financing"]["grace_years"] = 10;
  CHECK(has_problem(problems_of(doc), "/economics/financing/grace_years", "10", "tenor_years"));
  auto doc2 = with_economics();
  doc2["economics"]["financing"]["tenor_years"] = 14;
  CHECK(has_problem(problems_of(doc2), "/economics/financing/tenor_years", "14", "horizon_years"));
  auto doc3 = with_economics();
  doc3["economics"].erase("revenue");
  CHECK(has_problem(problems_of(doc3), "/economics/revenue"));
}

TEST_CASE("aidcsim check exits with code 2 and names the economics path for bad input") {
  TempDir dir;
  auto doc = with_economics();
  doc["economics"]["financing"]["debt_share"] = 1.5;
  const auto file = dir.path() / "bad.json";
  std::ofstream(file) << doc.dump(2);
  const auto out = dir.path() / "out.txt";
  const std::string cmd = std::string(AIDCSIM_BINARY) + " check " + file.string() + " > " + out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("/economics/financing/debt_share") != std::string::npos);
  CHECK(text.find("1.5") != std::string::npos);
}

TEST_CASE("the default scenario carries an economics section that resolves") {
  const Catalog catalog = Catalog::embedded();
  const auto rs = load_scenario_file(std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json", catalog);
  CHECK(rs.scenario.economics.enabled);
  CHECK(rs.scenario.economics.systems.size() == 2);
}

TEST_CASE("a run with economics writes the economics KPIs, the cash flows and the compliance table") {
  TempDir dir;
  auto doc = with_economics();
  doc["replications"] = 3;
  const auto rs = resolve(doc);
  RunOptions options;
  options.output = dir.path() / "r.h5";
  options.threads = 1;
  const RunSummary summary = run_scenario(rs, options);
  REQUIRE(summary.cash_flows.size() == 13);

  ResultsReader reader(options.output);
  std::map<std::string, KpiRow> kpis;
  for (const auto& k : reader.kpis()) kpis[k.name] = k;
  for (const char* name : {"npv_usd", "equity_npv_usd", "project_irr", "equity_irr", "payback_years", "min_dscr",
                           "levelized_usd_per_gpu_hour", "capex_usd", "opex_usd_per_year"}) {
    INFO(name);
    REQUIRE(kpis.count(name) == 1);
  }
  CHECK(kpis["it_energy_mwh"].units == "MWh");  // the site KPIs are still there, first
  CHECK(kpis["capex_usd"].units == "USD");
  // Capex by hand: building 9 USD/W x 10.2 MW; 1000 x 199,000 systems with network 15 %, installation 3 % of
  // systems + network, spares 3 % (economics_defaults.json).
  const double systems = 1000.0 * 199000.0;
  const double capex = 9.0 * 10.2e6 + systems * 1.15 + 0.03 * systems * 1.15 + 0.03 * systems;
  CHECK(kpis["capex_usd"].p50 == Approx(capex));
  CHECK(kpis["levelized_usd_per_gpu_hour"].p50 > 0.5);
  CHECK(kpis["levelized_usd_per_gpu_hour"].p50 < 5.0);
  CHECK(kpis["opex_usd_per_year"].p10 <= kpis["opex_usd_per_year"].p90);

  const NamedTable cf = reader.table("/economics/cash_flows");
  CHECK(cf.rows() == 13);
  CHECK(cf.column("year").values.back() == 12.0);
  CHECK(cf.column("capex_usd").units == "USD");
  CHECK(cf.column("capex_usd").values[0] == Approx(capex));
  CHECK(cf.column("principal_usd").values[1] == 0.0);  // grace year
  CHECK(cf.column("debt_outstanding_usd").values[10] == Approx(0.0).margin(1e-3));
  CHECK(reader.string_attribute("/economics/cash_flows", "selection").find("median") != std::string::npos);
  const double rep = reader.double_attribute("/economics/cash_flows", "replication");
  CHECK(rep >= 0.0);
  CHECK(rep < 3.0);

  const NamedTable comp = reader.table("/compliance");
  REQUIRE(comp.rows() == 1);
  CHECK(comp.column("accelerator").text[0] == "h100-sxm");
  CHECK(comp.column("count").values[0] == 8000.0);
  CHECK(comp.column("tpp").values[0] == Approx(15832));
  CHECK(comp.column("classification").text[0] == "3A090.a");
  CHECK(comp.column("rule_date").text[0].find("2023-10-17") != std::string::npos);
  CHECK(reader.double_attribute("/compliance", "total_tpp") == Approx(8000.0 * 15832));
  CHECK(reader.string_attribute("/compliance", "note").find("not legal advice") != std::string::npos);
}

TEST_CASE("a run without economics still screens export control and writes no cash flows") {
  TempDir dir;
  const auto rs = resolve(small_scenario_json());
  RunOptions options;
  options.output = dir.path() / "r.h5";
  options.threads = 1;
  const RunSummary summary = run_scenario(rs, options);
  CHECK(summary.cash_flows.empty());
  ResultsReader reader(options.output);
  CHECK(reader.has_object("/compliance"));
  CHECK_FALSE(reader.has_object("/economics/cash_flows"));
  for (const auto& k : reader.kpis()) CHECK(k.name != "npv_usd");
}
