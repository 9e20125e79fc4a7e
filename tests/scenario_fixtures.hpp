#pragma once
// A small valid scenario for tests, as JSON, so each test can break one thing and see the message.

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
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
  return resolve_scenario(doc, catalog, "test.json", ".");
}

}  // namespace aidc::test
