// Uncertain inputs (core/scenario/uncertainty_spec.hpp, core/model/uncertainty_sampling.hpp,
// core/run/uncertain_replications.hpp): distributions, Latin hypercube draws, correlations, and what a run does
// with them. Every expected value is computed by hand here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "core/io/results_reader.hpp"
#include "core/model/uncertainty_sampling.hpp"
#include "core/run/run_scenario.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::TempDir;

namespace {

Distribution uniform(double low, double high) {
  Distribution d;
  d.kind = DistributionKind::Uniform;
  d.low = low;
  d.high = high;
  return d;
}

UncertaintySpec one_input(Distribution d, const std::string& sampling = "latin_hypercube") {
  UncertaintySpec u;
  u.enabled = true;
  u.sampling = sampling;
  u.inputs.push_back({"/economics/revenue/usd_per_gpu_hour", d, "USD/GPU-h", ""});
  return u;
}

nlohmann::json economics_case(int replications) {
  auto doc = aidc::test::small_scenario_json();
  doc["replications"] = replications;
  doc["economics"] = {{"revenue", {{"usd_per_gpu_hour", 2.0}, {"sold_fraction", 0.7}}},
                      {"financing", {{"debt_share", 0.6}}}};
  return doc;
}

std::map<std::string, KpiRow> kpis_of(const RunSummary& s) {
  std::map<std::string, KpiRow> m;
  for (const KpiRow& k : s.kpis) m[k.name] = k;
  return m;
}

RunSummary run(const ResolvedScenario& rs, const std::filesystem::path& out = {}) {
  RunOptions o;
  o.threads = 1;
  o.output = out;
  return run_scenario(rs, o);
}

}  // namespace

TEST_CASE("the inverse normal CDF matches published quantiles and inverts the CDF") {
  CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-12));
  CHECK(normal_quantile(0.5) == Approx(0.0).margin(1e-15));
  CHECK(normal_quantile(0.001) == Approx(-3.090232306167814).epsilon(1e-12));
  for (double p : {1e-10, 0.01, 0.02425, 0.3, 0.9, 0.99999}) {
    INFO(p);
    CHECK(normal_cdf(normal_quantile(p)) == Approx(p).epsilon(1e-10));
  }
}

TEST_CASE("each distribution's quantile is its inverse CDF, within its truncation") {
  Distribution tri;
  tri.kind = DistributionKind::Triangular;
  tri.low = 0.0;
  tri.mode = 1.0;
  tri.high = 4.0;
  // F(mode) = (1 - 0) / (4 - 0) = 0.25; below it x = sqrt(u * 4 * 1), above it x = 4 - sqrt((1 - u) * 4 * 3).
  CHECK(distribution_quantile(tri, 0.25) == Approx(1.0));
  CHECK(distribution_quantile(tri, 0.0625) == Approx(0.5));
  CHECK(distribution_quantile(tri, 0.75) == Approx(4.0 - std::sqrt(3.0)));
  Distribution ln;
  ln.kind = DistributionKind::Lognormal;
  ln.median = 2.0;
  ln.sigma = 0.5;
  CHECK(distribution_quantile(ln, 0.5) == Approx(2.0));
  CHECK(distribution_quantile(ln, normal_cdf(1.0)) == Approx(2.0 * std::exp(0.5)));
  Distribution n;
  n.kind = DistributionKind::Normal;
  n.mean = 1.0;
  n.sd = 1.0;
  n.min = 0.0;  // truncated at 0: the median of the truncated normal is at F^-1((F(0) + 1) / 2)
  CHECK(distribution_quantile(n, 0.5) == Approx(1.0 + normal_quantile((normal_cdf(-1.0) + 1.0) / 2.0)));
  CHECK(distribution_quantile(n, 1e-12) >= 0.0);
  Distribution dis;
  dis.kind = DistributionKind::Discrete;
  dis.values = {3.0, 1.0, 2.0};
  dis.weights = {0.5, 0.25, 0.25};  // sorted: 1 (0.25), 2 (0.5), 3 (1.0)
  CHECK(distribution_quantile(dis, 0.2) == 1.0);
  CHECK(distribution_quantile(dis, 0.4) == 2.0);
  CHECK(distribution_quantile(dis, 0.9) == 3.0);
  CHECK(distribution_quantile(uniform(2.0, 6.0), 0.25) == Approx(3.0));
}

TEST_CASE("Latin hypercube draws put one replication in each of R equal strata, the same on every call") {
  const UncertaintySpec u = one_input(uniform(0.0, 1.0));
  const auto v = draw_uncertain_inputs(u, 42, 10);
  REQUIRE(v.size() == 1);
  std::set<int> strata;
  for (double x : v[0]) strata.insert(static_cast<int>(std::floor(x * 10.0)));
  CHECK(strata.size() == 10);
  CHECK(draw_uncertain_inputs(u, 42, 10) == v);
  CHECK(draw_uncertain_inputs(u, 43, 10) != v);
  // Random sampling need not fill every stratum, and is not the stratified sample.
  CHECK(draw_uncertain_inputs(one_input(uniform(0.0, 1.0), "random"), 42, 10) != v);
}

TEST_CASE("a correlation between two inputs is imposed through the Gaussian copula") {
  UncertaintySpec u;
  u.enabled = true;
  Distribution n;
  n.kind = DistributionKind::Normal;
  n.mean = 0.0;
  n.sd = 1.0;
  u.inputs = {{"/economics/a", n, "", ""}, {"/economics/b", n, "", ""}};
  u.correlations = {{0, 1, 0.8}};
  const int R = 4000;
  const auto v = draw_uncertain_inputs(u, 7, R);
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (int r = 0; r < R; ++r) {
    sab += v[0][r] * v[1][r];
    saa += v[0][r] * v[0][r];
    sbb += v[1][r] * v[1][r];
  }
  // The sample correlation of 4000 pairs has a standard error of about (1 - 0.64) / sqrt(4000) = 0.006.
  CHECK(sab / std::sqrt(saa * sbb) == Approx(0.8).margin(0.03));
  CHECK(saa / R == Approx(1.0).margin(0.05));  // margins stay standard normal
}

TEST_CASE("an uncertain GPU-hour price widens the NPV interval, a point distribution changes nothing") {
  auto base_doc = economics_case(16);
  const RunSummary base = run(resolve(base_doc));
  auto point_doc = base_doc;
  point_doc["uncertainty"] = nlohmann::json::parse(
      R"({"inputs": [{"path": "/economics/revenue/usd_per_gpu_hour", "distribution": "discrete", "values": [2.0]}]})");
  const RunSummary point = run(resolve(point_doc));
  auto spread_doc = base_doc;
  spread_doc["uncertainty"] = nlohmann::json::parse(R"({"inputs": [{"path": "/economics/revenue/usd_per_gpu_hour",
      "distribution": "triangular", "low": 1.5, "mode": 2.0, "high": 2.5, "units": "USD/GPU-h"}]})");
  const RunSummary spread = run(resolve(spread_doc));
  const auto b = kpis_of(base), p = kpis_of(point), s = kpis_of(spread);
  for (const auto& [name, row] : b) {
    INFO(name);
    if (std::isnan(row.p50)) continue;
    CHECK(p.at(name).p10 == row.p10);
    CHECK(p.at(name).p50 == row.p50);
    CHECK(p.at(name).p90 == row.p90);
  }
  const double base_width = b.at("npv_usd").p90 - b.at("npv_usd").p10;
  const double spread_width = s.at("npv_usd").p90 - s.at("npv_usd").p10;
  CHECK(spread_width > 10.0 * base_width);
  CHECK(s.at("pue_annual").p50 == b.at("pue_annual").p50);  // the price changes no physics
  CHECK_THAT(spread.uncertainty, Catch::Contains("1 uncertain input") &&
                                     Catch::Contains("/economics/revenue/usd_per_gpu_hour"));
}

TEST_CASE("a run with uncertain inputs stores the draws and says in the claims table what a verdict includes") {
  TempDir dir;
  auto doc = economics_case(8);
  doc["uncertainty"] = nlohmann::json::parse(R"({"inputs": [
      {"path": "/economics/revenue/usd_per_gpu_hour", "distribution": "uniform", "low": 1.8, "high": 2.2,
       "units": "USD/GPU-h", "source": "ASSUMPTION: +-10 % on the contracted price"},
      {"path": "/site/grid/price_usd_per_kwh", "distribution": "lognormal", "median": 0.09, "sigma": 0.2}]})");
  doc["claims"] = nlohmann::json::parse(R"([{"metric": "npv", "comparison": ">=", "target": 0}])");
  const auto rs = resolve(doc);
  REQUIRE(rs.uncertain);
  CHECK(rs.uncertain->scenario_of(3).economics.usd_per_gpu_hour == rs.uncertain->values[0][3]);
  CHECK(rs.uncertain->scenario_of(3).site.grid.price_usd_per_kwh == rs.uncertain->values[1][3]);
  CHECK(rs.uncertain->base_values[1] == Approx(rs.scenario.site.grid.price_usd_per_kwh));
  const auto out = dir.path() / "u.h5";
  run(rs, out);
  ResultsReader reader(out);
  const NamedTable t = reader.table("/uncertainty/samples");
  REQUIRE(t.rows() == 8);
  const TableColumn& price = t.column("economics.revenue.usd_per_gpu_hour");
  CHECK(nlohmann::json::parse(reader.string_attribute("/uncertainty/samples", "pointers"))[1] ==
        "/site/grid/price_usd_per_kwh");
  CHECK(price.units == "USD/GPU-h");
  for (std::size_t r = 0; r < 8; ++r) CHECK(price.values[r] == rs.uncertain->values[0][r]);
  CHECK(*std::min_element(price.values.begin(), price.values.end()) >= 1.8);
  CHECK_THAT(reader.string_attribute("/uncertainty/samples", "sources"), Catch::Contains("+-10 %"));
  CHECK_THAT(reader.string_attribute("/claims", "uncertainty"), Catch::Contains("2 uncertain inputs"));
  // The resolved scenario in the file carries the section, so it runs again the same.
  CHECK(rs.resolved["uncertainty"]["inputs"].size() == 2);
  CHECK(resolve(rs.resolved).uncertain->values == rs.uncertain->values);
}

TEST_CASE("uncertain inputs that name no number, outside the allowed sections or impossible are bad input") {
  auto doc = economics_case(4);
  doc["uncertainty"] = nlohmann::json::parse(R"({"inputs": [
      {"path": "/it/systems/0/count", "distribution": "uniform", "low": 1, "high": 2},
      {"path": "economics/x", "distribution": "uniform", "low": 1, "high": 2},
      {"path": "/economics/tax_rate", "distribution": "triangular", "low": 0.3, "mode": 0.2, "high": 0.4},
      {"path": "/economics/discount_rate", "distribution": "normal", "mean": 0.08, "sd": 0},
      {"path": "/economics/horizon_years", "distribution": "gamma"}]})");
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/uncertainty/inputs/0/path", "/it/systems/0/count", "/economics"));
  CHECK(has_problem(ps, "/uncertainty/inputs/1/path", "economics/x", "JSON pointer"));
  CHECK(has_problem(ps, "/uncertainty/inputs/2", "low 0.3", "low <= mode <= high"));
  CHECK(has_problem(ps, "/uncertainty/inputs/3/sd", "0", "> 0"));
  CHECK(has_problem(ps, "/uncertainty/inputs/4/distribution", "gamma", "normal"));

  auto missing = economics_case(4);
  missing["uncertainty"] = nlohmann::json::parse(
      R"({"inputs": [{"path": "/economics/no_such_value", "distribution": "uniform", "low": 1, "high": 2}]})");
  CHECK(has_problem(problems_of(missing), "/uncertainty/inputs/0/path", "no_such_value", "a number of the scenario"));

  auto not_pd = economics_case(4);
  not_pd["uncertainty"] = nlohmann::json::parse(R"({"inputs": [
      {"path": "/economics/tax_rate", "distribution": "uniform", "low": 0.2, "high": 0.3},
      {"path": "/economics/discount_rate", "distribution": "uniform", "low": 0.07, "high": 0.09},
      {"path": "/economics/equity_discount_rate", "distribution": "uniform", "low": 0.1, "high": 0.14}],
    "correlations": [
      {"between": ["/economics/tax_rate", "/economics/discount_rate"], "rho": 0.9},
      {"between": ["/economics/discount_rate", "/economics/equity_discount_rate"], "rho": 0.9},
      {"between": ["/economics/tax_rate", "/economics/equity_discount_rate"], "rho": -0.9}]})");
  CHECK(has_problem(problems_of(not_pd), "/uncertainty/correlations", "", "positive definite"));

  // A normal price without a lower bound draws a negative price in some replication: bad input naming the draw.
  auto negative = economics_case(64);
  negative["uncertainty"] = nlohmann::json::parse(R"({"inputs": [
      {"path": "/economics/revenue/usd_per_gpu_hour", "distribution": "normal", "mean": 0.2, "sd": 1.0}]})");
  const auto np = problems_of(negative);
  REQUIRE(!np.empty());
  CHECK(np[0].json_path == "/economics/revenue/usd_per_gpu_hour");
  CHECK_THAT(np[0].expected, Catch::Contains("drawn for replication") && Catch::Contains("min"));
  auto bounded = negative;
  bounded["uncertainty"]["inputs"][0]["min"] = 0.0;
  CHECK(problems_of(bounded).empty());

  auto too_many = bounded;
  too_many["replications"] = 10001;
  CHECK(has_problem(problems_of(too_many), "/replications", "10001", "at most 10000"));
}

TEST_CASE("/kpis records in how many replications each KPI is defined") {
  // An equity IRR without a sign change is NaN: the statistics skip it and the count says so.
  const std::vector<KpiInfo> info = {{"a", "1", "defined in two of three"}, {"b", "1", "never defined"}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<KpiRow> rows = summarize_kpis({{1.0, nan, 3.0}, {nan, nan, nan}}, info);
  CHECK(rows[0].replications_defined == 2);
  CHECK(rows[0].mean == Approx(2.0));
  CHECK(rows[1].replications_defined == 0);
  CHECK(std::isnan(rows[1].p50));
  TempDir dir;
  const auto out = dir.path() / "k.h5";
  run(resolve(economics_case(3)), out);
  for (const KpiRow& k : ResultsReader(out).kpis()) {
    INFO(k.name);
    CHECK(k.replications_defined >= 0);
    CHECK(k.replications_defined <= 3);
  }
}
