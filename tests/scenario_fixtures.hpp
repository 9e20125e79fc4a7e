#pragma once
// A small valid scenario for tests, as JSON, so each test can break one thing and see the message.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace aidc::test {

inline nlohmann::json small_scenario_json() {
  return nlohmann::json::parse(R"({
    "name": "test-site",
    "seed": 5,
    "replications": 2,
    "horizon": {"duration_h": 168},
    "site": {
      "country": "Malaysia",
      "grid": {"capacity_mw": 20},
      "weather": {"source": "synthetic", "climate": "Johor Bahru"}
    },
    "facility": {
      "cooling": {"type": "water_cooled_chiller_tower"},
      "generators": {"count": 8, "unit_capacity_mw": 2.5}
    },
    "it": {"systems": [{"name": "dgx-h100", "count": 1000}], "utilization": {"mean": 0.7}}
  })");
}

inline ResolvedScenario resolve(const nlohmann::json& doc) {
  static const Catalog catalog = Catalog::embedded();
  return resolve_and_prepare(doc, catalog, "test.json", ".");
}

// The problems a document resolves with (none when it is valid).
inline std::vector<InputProblem> problems_of(const nlohmann::json& doc) {
  try {
    resolve(doc);
  } catch (const BadInput& e) {
    return e.problems();
  }
  return {};
}

// Whether a problem at `path` in test.json names `value_part` and `expected_part`.
inline bool has_problem(const std::vector<InputProblem>& ps, const std::string& path,
                        const std::string& value_part = "", const std::string& expected_part = "") {
  for (const auto& p : ps) {
    if (p.json_path == path && p.value.find(value_part) != std::string::npos &&
        p.expected.find(expected_part) != std::string::npos && p.file == "test.json") {
      return true;
    }
  }
  return false;
}

}  // namespace aidc::test
