// JSON text that is not one well-formed document of sane size is refused as BadInput naming the file and, where
// the parser knows it, the JSON path: never an uncaught exception, a stack overflow or a silently dropped key.
// The inputs under tests/fuzz/regressions/ are the fuzzers' past crashes, checked here in every build.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/io/catalog_folder.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "tests/fuzz/scenario_pipeline.hpp"

using aidc::BadInput;
using aidc::InputProblem;

namespace {

// The one problem parse_json_text reports for `text`; fails the test when it accepts the text.
InputProblem refusal(const std::string& text) {
  try {
    (void)aidc::parse_json_text(text, "in.json");
  } catch (const BadInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].file == "in.json");
    return e.problems()[0];
  }
  FAIL("parse_json_text accepted: " << text.substr(0, 200));
  return {};
}

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a number beyond a double's range is bad input naming its JSON path") {
  const InputProblem p = refusal(R"({"site": {"grid": {"capacity_mw": 1e309}}})");
  CHECK(p.json_path == "/site/grid/capacity_mw");
  CHECK(p.value == "1e309");
  CHECK_THAT(p.expected, Catch::Contains("1.8e308"));
  CHECK(refusal(R"({"seed": 2e322})").json_path == "/seed");
  CHECK(refusal(R"({"a": [1, 2, {"b": [0, -1e400]}]})").json_path == "/a/2/b/1");
  // Built by append: GCC 12's -Wrestrict misfires on "[" + std::string(n, c) + "]".
  std::string digits = "[";
  digits.append(400, '9');
  digits.push_back(']');
  CHECK(refusal(digits).json_path == "/0");
}

TEST_CASE("a tiny number rounds to zero or a subnormal and is accepted") {
  CHECK(aidc::parse_json_text(R"({"x": 1e-400})", "in.json")["x"].get<double>() == 0.0);
  CHECK(aidc::parse_json_text(R"({"x": 5e-324})", "in.json")["x"].get<double>() > 0.0);
}

TEST_CASE("a key given twice in one object is bad input naming the key's JSON path") {
  const InputProblem p = refusal(R"({"site": {"grid": {"capacity_mw": 25, "capacity_mw": 2500}}})");
  CHECK(p.json_path == "/site/grid/capacity_mw");
  CHECK_THAT(p.value, Catch::Contains("\"capacity_mw\" given twice"));
  CHECK(refusal(R"({"it": {"systems": [{"name": "a"}, {"name": "b", "count": 1, "name": "c"}]}})").json_path ==
        "/it/systems/1/name");
  CHECK(refusal(R"({"a/b": {"~": 1, "~": 2}})").json_path == "/a~1b/~0");
}

TEST_CASE("the same key in different objects is not a duplicate") {
  const auto doc = aidc::parse_json_text(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]})", "in.json");
  CHECK(doc["c"][1]["x"] == 4);
}

TEST_CASE("JSON nested deeper than the limit is bad input, and at the limit it parses") {
  CHECK_NOTHROW(aidc::parse_json_text(nested_arrays(aidc::kMaxJsonDepth), "in.json"));
  const InputProblem p = refusal(nested_arrays(aidc::kMaxJsonDepth + 1));
  CHECK_THAT(p.value, Catch::Contains("deeper than 64 levels"));
  CHECK(p.json_path.rfind("/0/0/0", 0) == 0);
  // 80,000 levels once overflowed the stack in the recursive dump of an error message.
  CHECK_THAT(refusal("{\"name\": " + nested_arrays(80'000) + "}").value, Catch::Contains("nested deeper"));
}

TEST_CASE("a JSON syntax error still gives the line and column") {
  const InputProblem p = refusal("{\n  \"name\": \"x\",\n  oops\n}");
  CHECK_THAT(p.value, Catch::Contains("line 3, column 3"));
  CHECK(p.json_path.empty());
}

TEST_CASE("a long excerpt is cut on a UTF-8 character boundary") {
  std::string text(76, 'a');
  text += "\xC3\xA9\xC3\xA9\xC3\xA9";  // three two-byte characters across the cut at 77 bytes
  const std::string excerpt = aidc::json_excerpt(aidc::Json(text));
  REQUIRE(excerpt.size() >= 3);
  CHECK(excerpt.substr(excerpt.size() - 3) == "...");
  CHECK_NOTHROW(aidc::Json(excerpt).dump());  // dump() throws on invalid UTF-8
}

TEST_CASE("a user catalog with a number beyond a double's range is bad input naming the catalog file") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "aidcsim-test-catalog-overflow";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "countries.json") << R"({"entries": {"X": {"grid_price_usd_per_kwh": 1e309}}})";
  try {
    (void)aidc::read_catalog_folder(dir);
    FAIL("the catalog was accepted");
  } catch (const BadInput& e) {
    CHECK_THAT(e.problems()[0].file, Catch::Contains("countries.json"));
    CHECK(e.problems()[0].json_path == "/entries/X/grid_price_usd_per_kwh");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("every scenario fuzzing regression input resolves and round-trips or is refused as bad input") {
  const std::filesystem::path dir = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "tests/fuzz/regressions/scenario";
  int inputs = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    INFO(f.path().filename().string());
    CHECK(aidc::fuzz::scenario_pipeline_finding(read_text(f.path()), dir).empty());
    ++inputs;
  }
  CHECK(inputs >= 4);
}

TEST_CASE("a catalog folder holding a folder named like a catalog file is bad input naming it, not a crash") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "aidcsim-test-catalog-subfolder";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "systems.json");
  try {
    (void)aidc::read_catalog_folder(dir);
    FAIL("the catalog was accepted");
  } catch (const BadInput& e) {
    CHECK_THAT(e.problems()[0].file, Catch::Contains("systems.json"));
    CHECK_THAT(e.problems()[0].expected, Catch::Contains("catalog JSON file"));
  }
  CHECK_THROWS_AS(aidc::read_catalog_folder(dir / "missing"), BadInput);
  std::filesystem::remove_all(dir);
}
