// The export package manifest (issue 5): parsed and validated (core/scenario/parse_package.hpp), carried into the
// resolved scenario and the results file (/package, core/run/package_outputs.hpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/io/results_reader.hpp"
#include "core/run/run_scenario.hpp"
#include "core/scenario/parse_package.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::small_scenario_json;
using aidc::test::TempDir;

namespace {

nlohmann::json with_package() {
  auto doc = small_scenario_json();
  doc["package"] = nlohmann::json::parse(R"({
    "title": "Test package",
    "target_country": "Malaysia",
    "consortium": [
      {"name": "Server vendor", "role": "servers", "country": "USA"},
      {"name": "Operator", "role": "operator", "country": "Malaysia"}
    ],
    "components": {
      "data_pipelines": "in-country curation",
      "models": ["llama-3.3-70b"],
      "cybersecurity_controls": ["NIST CSF 2.0", "ISO/IEC 27001"],
      "applications": [{"name": "Clinical notes", "sector": "health"}]
    },
    "business_model": "sovereign_ai",
    "federal_support": [{"agency": "EXIM", "instrument": "loan_guarantee", "amount_usd": 1e8, "note": "IT equipment"}]
  })");
  return doc;
}

}  // namespace

TEST_CASE("a package resolves with the fleet and site as its default hardware and data center") {
  const auto rs = resolve(with_package());
  const PackageSpec& p = rs.scenario.package;
  CHECK(p.enabled);
  CHECK(p.title == "Test package");
  REQUIRE(p.consortium.size() == 2);
  CHECK(p.consortium[1].role == "operator");
  CHECK(p.hardware == "1000 x dgx-h100 (8000 accelerators, 10.2 MW IT nameplate)");
  CHECK_THAT(p.data_center, Catch::Contains("Malaysia") && Catch::Contains("20 MW grid connection") &&
                                Catch::Contains("cooling towers"));
  CHECK(p.models == std::vector<std::string>{"llama-3.3-70b"});
  CHECK(p.federal_support.at(0).amount_usd == 1e8);
  CHECK(rs.catalog_entries["llm_models"].contains("llama-3.3-70b"));
  CHECK(rs.resolved["package"]["components"]["hardware"] == p.hardware);
}

TEST_CASE("the resolved package parses back to the same section") {
  const auto first = resolve(with_package());
  const auto again = resolve(first.resolved);
  CHECK(again.resolved["package"] == first.resolved["package"]);
  CHECK(package_to_json(again.scenario.package) == package_to_json(first.scenario.package));
  CHECK_FALSE(resolve(small_scenario_json()).resolved.contains("package"));
}

TEST_CASE("a package for another country than the site's names both") {
  auto doc = with_package();
  doc["package"]["target_country"] = "Kenya";
  CHECK(has_problem(problems_of(doc), "/package/target_country", "Kenya", "\"Malaysia\" (site.country)"));
}

TEST_CASE("bad package inputs are reported with their paths and suggestions") {
  auto doc = with_package();
  auto& p = doc["package"];
  p["consortium"][1]["role"] = "finacier";
  p["consortium"].push_back({{"name", "Server vendor"}, {"role", "network"}, {"country", "USA"}});
  p["components"]["models"] = {"llama-3.3-70b", "gpt-9"};
  p["components"]["applications"][0]["sector"] = "healthcare";
  p["components"]["cybersecurity_controls"] = nlohmann::json::array();
  p["business_model"] = "colo";
  p["federal_support"][0]["amount_usd"] = -5;
  p["federal_support"][0]["agency"] = "EXIMBANK";
  p["sponsor"] = "x";
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/package/consortium/1/role", "finacier", "did you mean \"financier\""));
  CHECK(has_problem(ps, "/package/consortium/2/name", "Server vendor", "no other consortium member"));
  CHECK(has_problem(ps, "/package/components/models/1", "gpt-9", "llm_models"));
  CHECK(has_problem(ps, "/package/components/applications/0/sector", "healthcare", "health"));
  CHECK(has_problem(ps, "/package/components/cybersecurity_controls", "[]", "non-empty array"));
  CHECK(has_problem(ps, "/package/business_model", "colo", "colocation"));
  CHECK(has_problem(ps, "/package/federal_support/0/amount_usd", "-5", "[0, 1e+13]"));
  CHECK(has_problem(ps, "/package/federal_support/0/agency", "EXIMBANK", "EXIM"));
  CHECK(has_problem(ps, "/package/sponsor", "x", "unknown key"));
}

TEST_CASE("a package needs a consortium, its components and a business model") {
  auto doc = small_scenario_json();
  doc["package"] = {{"title", "empty"}, {"target_country", "Malaysia"}, {"consortium", nlohmann::json::array()}};
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/package/consortium", "[]", "non-empty array of members"));
  CHECK(has_problem(ps, "/package/components", "", "data_pipelines"));
  CHECK(has_problem(ps, "/package/business_model", "", "sovereign_ai"));
  auto doc2 = with_package();
  doc2["package"]["components"].erase("models");
  doc2["package"]["consortium"][0].erase("country");
  const auto ps2 = problems_of(doc2);
  CHECK(has_problem(ps2, "/package/components/models", "", "llm_models.json"));
  CHECK(has_problem(ps2, "/package/consortium/0/country"));
}

TEST_CASE("the default scenario carries a package for the site's country and its claims") {
  const Catalog catalog = Catalog::embedded();
  const auto rs = load_scenario_file(std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json", catalog);
  CHECK(rs.scenario.package.enabled);
  CHECK(rs.scenario.package.target_country == rs.scenario.site.country);
  CHECK(rs.scenario.claims.size() >= 2);
}

TEST_CASE("a run writes the package as tables under /package") {
  TempDir dir;
  auto doc = with_package();
  doc["horizon"]["duration_h"] = 48;
  doc["replications"] = 1;
  RunOptions options;
  options.output = dir / "package.h5";
  options.threads = 1;
  run_scenario(resolve(doc), options);
  ResultsReader reader(options.output);
  const NamedTable summary = reader.table("/package/summary");
  REQUIRE(summary.rows() == 8);
  CHECK(summary.column("field").text[0] == "title");
  CHECK(summary.column("value").text[0] == "Test package");
  CHECK(summary.column("value").text[7] == "NIST CSF 2.0; ISO/IEC 27001");
  CHECK(reader.table("/package/consortium").column("name").text.at(1) == "Operator");
  CHECK(reader.table("/package/applications").column("sector").text.at(0) == "health");
  const NamedTable support = reader.table("/package/federal_support");
  CHECK(support.column("amount_usd").units == "USD");
  CHECK(support.column("amount_usd").values.at(0) == 1e8);
  CHECK(reader.double_attribute("/package/federal_support", "total_usd") == 1e8);
  CHECK(reader.string_attribute("/package/summary", "target_country") == "Malaysia");
  CHECK_FALSE(reader.has_object("/claims"));
}
