// The lenders' keys of a scenario's "economics" section: parsing, bad input, warnings, and what a run writes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <sys/wait.h>

#include "core/io/results_reader.hpp"
#include "core/run/run_scenario.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::TempDir;

namespace {

nlohmann::json lender_case() {
  auto doc = aidc::test::small_scenario_json();
  doc["economics"] = nlohmann::json::parse(R"({
    "horizon_years": 12,
    "revenue": {"usd_per_gpu_hour": 2.0, "sold_fraction": 0.7, "gpu_hour_price_decline": 0.1,
                "ramp_up": {"years": 2, "start": 0.6}},
    "construction": {"months": 18, "profile": "s_curve"},
    "financing": {"sizing": "sculpted", "target_dscr": 1.3, "max_gearing": 0.7, "interest_rate": 0.065,
                  "tenor_years": 10, "grace_years": 1, "commitment_fee_rate": 0.005},
    "refresh": {"funding": "reserve"},
    "dsra": {"months": 6},
    "tax_rate": 0.24
  })");
  return doc;
}

bool has_warning(const std::vector<InputWarning>& ws, const std::string& path, const std::string& part = "") {
  for (const InputWarning& w : ws) {
    if (w.json_path == path && w.message.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the lenders' economics keys resolve and parse back to the same values") {
  const auto rs = resolve(lender_case());
  const EconomicsSpec& e = rs.scenario.economics;
  CHECK(e.construction.months == 18);
  CHECK(e.construction.profile == "s_curve");
  CHECK(e.financing.sizing == DebtSizing::Sculpted);
  CHECK(e.financing.target_dscr == 1.3);
  CHECK(e.refresh.funding == RefreshFunding::Reserve);
  CHECK(e.dsra.months == 6.0);
  CHECK(e.dsra.funding == "close");  // economics_defaults.json
  CHECK(e.cloud_usd_per_gpu_hour == 2.0);  // defaults to the workloads' price
  CHECK(e.ramp_up_years == 2);
  const auto again = resolve(rs.resolved);
  CHECK(again.resolved["economics"] == rs.resolved["economics"]);
}

TEST_CASE("bad lender inputs are reported with their paths") {
  auto doc = lender_case();
  doc["economics"]["construction"]["months"] = 150;  // the horizon is 12 years = 144 months
  doc["economics"]["dsra"]["months"] = -1;
  doc["economics"]["local_currency"] = {{"revenue_share", 1.5}, {"opex_share", -0.2}};
  doc["economics"]["revenue"]["usd_per_gpu_hour_by_year"] = {2.0, 1.9, 1.8};
  doc["economics"]["refresh"]["debt"] = {{"share", 1.2}};
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/economics/construction/months", "150", "horizon"));
  CHECK(has_problem(ps, "/economics/dsra/months", "-1"));
  CHECK(has_problem(ps, "/economics/local_currency/revenue_share", "1.5", "[0, 1]"));
  CHECK(has_problem(ps, "/economics/local_currency/opex_share", "-0.2", "[0, 1]"));
  CHECK(has_problem(ps, "/economics/revenue/usd_per_gpu_hour_by_year", "", "12 numbers"));
  CHECK(has_problem(ps, "/economics/refresh/debt/share", "1.2", "[0, 1]"));

  auto no_target = lender_case();
  no_target["economics"]["financing"].erase("target_dscr");
  CHECK(has_problem(problems_of(no_target), "/economics/financing/target_dscr", "", "target DSCR"));

  auto bad_profile = lender_case();
  bad_profile["economics"]["construction"]["drawdown_by_year"] = {0.5, 0.4};
  CHECK(has_problem(problems_of(bad_profile), "/economics/construction/drawdown_by_year", "0.9", "add up to 1"));

  auto long_tranche = lender_case();
  long_tranche["economics"]["refresh"] = {{"funding", "debt"}, {"debt", {{"tenor_years", 5}}}};
  // The year-10 refresh of a 12-year horizon leaves 2 years to repay its tranche.
  CHECK(has_problem(problems_of(long_tranche), "/economics/refresh/debt", "5", "at most 2"));
}

TEST_CASE("gearing above the OECD 85 percent and a tenor beyond the asset life are warned about") {
  auto doc = aidc::test::small_scenario_json();
  doc["economics"] = {{"revenue", {{"usd_per_gpu_hour", 2.0}}},
                      {"horizon_years", 30},
                      {"financing", {{"debt_share", 0.95}, {"tenor_years", 28}}},
                      {"refresh", {{"funding", "debt"}, {"debt", {{"tenor_years", 5}, {"share", 0.9}}}}}};
  const auto rs = resolve(doc);
  CHECK(has_warning(rs.warnings, "/economics/financing/debt_share", "85 %"));
  CHECK(has_warning(rs.warnings, "/economics/financing/tenor_years", "building"));
  CHECK(has_warning(rs.warnings, "/economics/refresh/debt", "85 %"));
}

TEST_CASE("a lender's case run writes CFADS, the capex sources, IDC, the reserves and the cover ratios") {
  TempDir dir;
  auto doc = lender_case();
  doc["replications"] = 3;
  const auto rs = resolve(doc);
  RunOptions options;
  options.output = dir.path() / "r.h5";
  options.threads = 1;
  const RunSummary summary = run_scenario(rs, options);
  REQUIRE(summary.cash_flows.size() == 2 + 12);  // 18 months of construction, 12 operating years

  ResultsReader reader(options.output);
  std::map<std::string, KpiRow> kpis;
  for (const auto& k : reader.kpis()) kpis[k.name] = k;
  for (const char* name : {"min_dscr", "avg_dscr", "llcr", "plcr", "senior_debt_usd", "gearing", "idc_usd",
                           "sponsor_equity_injection_usd", "gpu_hours_earning_share"}) {
    INFO(name);
    REQUIRE(kpis.count(name) == 1);
  }
  // Sculpted to 1.3 on the median case, capped at 70 % gearing.
  CHECK(kpis["gearing"].p50 <= 0.7 + 1e-9);
  CHECK(kpis["idc_usd"].p50 > 0.0);

  const NamedTable cf = reader.table("/economics/cash_flows");
  CHECK(cf.column("year").values.front() == -1.0);
  CHECK(cf.column("year").values.back() == 12.0);
  const auto& capex = cf.column("capex_usd").values;
  const auto& cfads = cf.column("cfads_usd").values;
  const auto& service = cf.column("debt_service_usd").values;
  const auto& dscr = cf.column("dscr").values;
  for (std::size_t i = 0; i < cf.rows(); ++i) {
    INFO("row " << i);
    double sources = cf.column("maintenance_capex_usd").values[i] + cf.column("equity_injection_usd").values[i];
    for (const TableColumn& c : cf.columns) {
      const std::string& n = c.name;
      const auto ends = [&](const std::string& s) { return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0; };
      if (ends("_drawdown_usd") || ends("_release_usd")) sources += c.values[i];
    }
    CHECK(sources == Approx(capex[i]).margin(1e-3));
    if (service[i] > 0.0) CHECK(dscr[i] == Approx(cfads[i] / service[i]));
  }
  CHECK(cf.column("mra_release_usd").values[2 + 4] > 0.0);  // year 5's refresh from the reserve
  CHECK(cf.column("dsra_balance_usd").values[1] > 0.0);      // funded at COD
  CHECK(cf.column("idc_usd").values[0] > 0.0);
  CHECK(cf.column("sold_volume_factor").values[2] == Approx(0.6));
  CHECK(reader.string_attribute("/economics/cash_flows", "refresh_funding") == "reserve");
  CHECK(summary.finance.size() == 2);
  CHECK(summary.finance[0].find("LLCR") != std::string::npos);
  CHECK(summary.finance[1].find("maintenance reserve") != std::string::npos);
}

TEST_CASE("a run selling little of its capacity warns on stderr and in the results file") {
  TempDir dir;
  auto doc = aidc::test::small_scenario_json();
  doc["economics"] = {{"revenue", {{"usd_per_gpu_hour", 2.0}, {"sold_fraction", 0.3}}},
                      {"refresh", {{"funding", "equity"}}}};
  const auto file = dir.path() / "low.json";
  std::ofstream(file) << doc.dump(2);
  const auto out = dir.path() / "out.txt";
  const auto h5 = dir.path() / "low.h5";
  const std::string cmd = std::string(AIDCSIM_BINARY) + " run -q " + file.string() + " -o " + h5.string() + " 2> " +
                          out.string();
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("30.0 % of the healthy GPU-hours earn revenue") != std::string::npos);
  CHECK(text.find("sponsor equity") != std::string::npos);
  ResultsReader reader(h5);
  const NamedTable w = reader.table("/warnings");
  bool low = false, sponsor = false;
  for (std::size_t i = 0; i < w.rows(); ++i) {
    low = low || w.column("json_path").text[i] == "/economics/revenue";
    sponsor = sponsor || w.column("json_path").text[i] == "/economics/refresh/funding";
  }
  CHECK(low);
  CHECK(sponsor);
  CHECK(reader.double_attribute("/economics/cash_flows", "sponsor_funding_need_usd") > 0.0);
}
