#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/model/facility_design.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/input_limits.hpp"
#include "scenario_fixtures.hpp"

using aidc::BadInput;
using aidc::InputProblem;
using aidc::test::resolve;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::small_scenario_json;

TEST_CASE("a valid scenario resolves with catalog values filled in") {
  const auto rs = resolve(small_scenario_json());
  const aidc::Scenario& s = rs.scenario;
  CHECK(s.site.iso3 == "MYS");
  CHECK(s.site.city == "Johor Bahru");
  CHECK(s.site.grid.capacity_w == Approx(20e6));
  CHECK(s.site.grid.price_usd_per_kwh > 0.0);
  CHECK(s.site.grid.saifi_per_yr > 0.0);
  REQUIRE(s.it.systems.size() == 1);
  CHECK(s.it.systems[0].max_power_w == Approx(10'200.0));
  CHECK(s.it.systems[0].accelerator == "h100-sxm");
  CHECK(s.horizon_h == 168);
  CHECK(rs.catalog_entries["systems"].contains("dgx-h100"));
  CHECK(rs.catalog_entries["countries"]["Malaysia"].contains("sources"));
}

TEST_CASE("the resolved scenario parses back to itself") {
  const auto first = resolve(small_scenario_json());
  const auto second = resolve(first.resolved);
  CHECK(second.resolved == first.resolved);
}

TEST_CASE("scenario values override catalog values") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["price_usd_per_kwh"] = 0.123;
  doc["it"]["systems"][0]["max_power_kw"] = 9.0;
  const auto rs = resolve(doc);
  CHECK(rs.scenario.site.grid.price_usd_per_kwh == Approx(0.123));
  CHECK(rs.scenario.it.systems[0].max_power_w == Approx(9000.0));
}

TEST_CASE("an unknown key is reported with its path and the accepted keys") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_kw"] = 5;
  const auto ps = problems_of(doc);
  REQUIRE(has_problem(ps, "/site/grid/capacity_kw", "5", "capacity_mw"));
}

TEST_CASE("a wrong type names the value and the expected type") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = "lots";
  CHECK(has_problem(problems_of(doc), "/site/grid/capacity_mw", "\"lots\"", "a number in (0, 10000]"));
}

TEST_CASE("an out-of-range number names the range") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = -5;
  CHECK(has_problem(problems_of(doc), "/site/grid/capacity_mw", "-5", "a number in (0, 10000]"));
  auto doc2 = small_scenario_json();
  doc2["facility"]["power_chain"] = {{"ups_efficiency", 1.5}};
  CHECK(has_problem(problems_of(doc2), "/facility/power_chain/ups_efficiency", "1.5", "(0, 1]"));
}

TEST_CASE("an unknown catalog name lists the choices and suggests the nearest") {
  auto doc = small_scenario_json();
  doc["it"]["systems"][0]["name"] = "dgx-h1000";
  CHECK(has_problem(problems_of(doc), "/it/systems/0/name", "dgx-h1000", "did you mean \"dgx-h100\""));
  auto doc2 = small_scenario_json();
  doc2["site"]["country"] = "Atlantis";
  CHECK(has_problem(problems_of(doc2), "/site/country", "Atlantis", "Malaysia"));
}

TEST_CASE("a missing EPW file is reported at its JSON path") {
  auto doc = small_scenario_json();
  doc["site"]["weather"] = {{"source", "epw"}, {"file", "no/such/file.epw"}};
  CHECK(has_problem(problems_of(doc), "/site/weather/file", "no/such/file.epw", "exists"));
}

TEST_CASE("every problem in a scenario is reported at once") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = 0;
  doc["replications"] = 0;
  doc["it"]["systems"][0]["count"] = 2.5;
  doc["facility"]["cooling"]["type"] = "magic";
  doc["bogus"] = true;
  const auto ps = problems_of(doc);
  CHECK(ps.size() >= 5);
  CHECK(has_problem(ps, "/site/grid/capacity_mw"));
  CHECK(has_problem(ps, "/replications", "0"));
  CHECK(has_problem(ps, "/it/systems/0/count", "2.5", "an integer"));
  CHECK(has_problem(ps, "/facility/cooling/type", "magic", "air_cooled_chiller"));
  CHECK(has_problem(ps, "/bogus"));
}

TEST_CASE("missing required sections are named") {
  nlohmann::json doc = {{"name", "x"}};
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/site"));
  CHECK(has_problem(ps, "/facility"));
  CHECK(has_problem(ps, "/it"));
}

TEST_CASE("a document that is not an object is one clear problem") {
  const auto ps = problems_of(nlohmann::json::array({1, 2}));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].expected == "a JSON object");
}

TEST_CASE("utilization above 100 percent at the diurnal peak is rejected") {
  auto doc = small_scenario_json();
  doc["it"]["utilization"] = {{"mean", 0.9}, {"diurnal_amplitude", 0.2}};
  CHECK(has_problem(problems_of(doc), "/it/utilization", "", "<= 1"));
}

TEST_CASE("utilization above 100 percent from a default mean names the mean in use") {
  // No "mean" key: the default 0.7 with a weekend factor of 1.9 peaks at 133 %; the message gives the values used.
  auto doc = small_scenario_json();
  doc["it"]["utilization"] = {{"weekend_factor", 1.9}};
  CHECK(has_problem(problems_of(doc), "/it/utilization", "\"mean\":0.7", "<= 1"));
  CHECK(has_problem(problems_of(doc), "/it/utilization", "\"weekend_factor\":1.9", "<= 1"));
}

TEST_CASE("generators need either a count or a redundancy, not both") {
  auto doc = small_scenario_json();
  doc["facility"]["generators"] = {{"count", 4}, {"redundancy", "N+1"}, {"unit_capacity_mw", 2}};
  CHECK(has_problem(problems_of(doc), "/facility/generators/redundancy", "N+1", "not both"));
  auto doc2 = small_scenario_json();
  doc2["facility"]["generators"] = {{"unit_capacity_mw", 2}};
  CHECK(has_problem(problems_of(doc2), "/facility/generators/count"));
}

TEST_CASE("JSON syntax errors give the line and column") {
  try {
    aidc::parse_json_text("{\n  \"name\": \"x\",\n  oops\n}", "bad.json");
    FAIL("no error");
  } catch (const BadInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].file == "bad.json");
    CHECK(e.problems()[0].value.find("line 3") != std::string::npos);
  }
}

TEST_CASE("every facility default used by the parser is in the built-in catalog with a source") {
  const auto rs = resolve(small_scenario_json());
  const auto& used = rs.catalog_entries["facility_defaults"];
  CHECK(used.size() >= 25);
  for (const auto& [key, entry] : used.items()) {
    INFO(key);
    CHECK(entry.contains("source"));
    CHECK(entry["value"].is_number());
  }
}

namespace {

// Whether the resolved scenario carries a warning at `path` whose message names `part`.
bool has_warning(const aidc::ResolvedScenario& rs, const std::string& path, const std::string& part) {
  for (const auto& w : rs.warnings) {
    if (w.json_path == path && w.message.find(part) != std::string::npos && w.file == "test.json") return true;
  }
  return false;
}

}  // namespace

TEST_CASE("numbers beyond physical limits are bad input, not overflowed counts") {
  auto doc = small_scenario_json();
  doc["facility"]["generators"]["unit_capacity_mw"] = 1e-300;
  CHECK(has_problem(problems_of(doc), "/facility/generators/unit_capacity_mw", "1e-300", "[0.01, 100]"));
  doc["facility"]["generators"]["unit_capacity_mw"] = 1e-6;
  CHECK(has_problem(problems_of(doc), "/facility/generators/unit_capacity_mw", "1e-06", "[0.01, 100]"));
  auto grid = small_scenario_json();
  grid["site"]["grid"]["capacity_mw"] = 32000;
  CHECK(has_problem(problems_of(grid), "/site/grid/capacity_mw", "32000", "(0, 10000]"));
  auto power = small_scenario_json();
  power["it"]["systems"][0]["max_power_kw"] = 1e308;
  CHECK(has_problem(problems_of(power), "/it/systems/0/max_power_kw", "1e+308", "(0, 2000]"));
}

TEST_CASE("a generator count sized from the load saturates instead of wrapping") {
  CHECK(aidc::generator_count_for(13.9e6, 2.5e6, "N+1") == 7);
  CHECK(aidc::generator_count_for(13.9e6, 1e-300, "N+1") == aidc::limits::kMaxGeneratorCount);
  CHECK(aidc::generator_count_for(1e300, 1e4, "2N") == aidc::limits::kMaxGeneratorCount);
  CHECK(aidc::generator_count_for(13.9e6, 0.0, "N") == 0);
  CHECK(aidc::generator_count_for(0.0, 2.5e6, "N+1") == 0);
}

TEST_CASE("a SAIDI far above the country's is warned as minutes typed as hours") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["saidi_h_per_yr"] = 360;
  const auto rs = resolve(doc);
  CHECK(has_warning(rs, "/site/grid/saidi_h_per_yr", "minutes typed as hours"));
  auto fine = small_scenario_json();
  fine["site"]["grid"]["saidi_h_per_yr"] = 5;
  CHECK(resolve(fine).warnings.empty());
  CHECK(resolve(small_scenario_json()).warnings.empty());
}

TEST_CASE("a liquid plant on air-cooled systems is bad input") {
  auto doc = small_scenario_json();
  doc["facility"]["cooling"] = {{"type", "liquid_dry_cooler"}};
  doc["it"]["systems"][0]["name"] = "dgx-h200";
  CHECK(has_problem(problems_of(doc), "/facility/cooling/type", "liquid_dry_cooler", "no system has cold plates"));
  // Without a liquid fraction the plant is its air-cooled trim chillers: legal, but not what the systems list.
  doc["facility"]["cooling"]["liquid_fraction"] = 0.0;
  const auto rs = resolve(doc);
  CHECK(has_warning(rs, "/facility/cooling/type", "dgx-h200 is not cooled by liquid_dry_cooler"));
}

TEST_CASE("a chilled-water plant for a liquid-cooled rack is warned, a matching plant is not") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = 200;
  doc["it"]["systems"][0] = {{"name", "gb200-nvl72"}, {"count", 100}};
  const auto rs = resolve(doc);
  CHECK(has_warning(rs, "/facility/cooling/type", "gb200-nvl72 is not cooled by water_cooled_chiller_tower"));
  doc["facility"]["cooling"] = {{"type", "liquid_dry_cooler"}};
  CHECK(resolve(doc).warnings.empty());
}

TEST_CASE("every built-in system lists the cooling types that can cool it, with a source") {
  const aidc::Catalog catalog = aidc::Catalog::embedded();
  const std::vector<std::string> types = {"air_cooled_chiller", "water_cooled_chiller_tower", "liquid_dry_cooler"};
  for (const std::string& name : catalog.names("systems")) {
    INFO(name);
    const auto supported = aidc::supported_cooling(catalog, name, types);
    REQUIRE(supported);
    CHECK(!supported->empty());
    CHECK(catalog.entry("systems", name)->contains("supported_cooling_source"));
  }
  CHECK(*aidc::supported_cooling(catalog, "dgx-h200", types) ==
        std::vector<std::string>{"air_cooled_chiller", "water_cooled_chiller_tower"});
  CHECK(*aidc::supported_cooling(catalog, "gb200-nvl72", types) == std::vector<std::string>{"liquid_dry_cooler"});
}
