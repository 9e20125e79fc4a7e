#pragma once
// What fuzz_scenario checks for one input, shared with the test suite, which runs it over the regression inputs
// in every build (tests/test_scenario_json_text.cpp). The input is a scenario file's text, parsed
// (parse_json_text), resolved against the built-in catalog (resolve_scenario) and its claims resolved against the
// run's KPIs (resolve_claims). Bad input must end as BadInput; any other exception escapes to the caller, as a crash
// or undefined behaviour would. A scenario that resolves must resolve again from its resolved JSON, written as
// text and read back, to the same resolved JSON but for comments (parse_scenario.hpp's promise that the resolved
// scenario is what ran).

#include <filesystem>
#include <string>

#include "core/run/claims_outputs.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/run/run_scenario.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace aidc::fuzz {

inline const Catalog& embedded_catalog() {
  static const Catalog c = Catalog::embedded();
  return c;
}

// `doc` without its comments (keys starting with "_", at any depth): the resolved document may note how a value
// was found ("_sized_for" on generators sized from a redundancy), which its second resolution, where the value is
// explicit, cannot know.
inline Json without_comments(const Json& doc) {
  if (doc.is_array()) {
    Json out = Json::array();
    for (const Json& v : doc) out.push_back(without_comments(v));
    return out;
  }
  if (!doc.is_object()) return doc;
  Json out = Json::object();
  for (const auto& item : doc.items()) {
    if (item.key().empty() || item.key().front() != '_') out[item.key()] = without_comments(item.value());
  }
  return out;
}

// "" when the input resolves and round-trips, or is refused as BadInput; otherwise what went wrong.
// `base_dir` resolves relative paths in the scenario (an EPW file).
inline std::string scenario_pipeline_finding(const std::string& text, const std::filesystem::path& base_dir) {
  ResolvedScenario first;
  try {
    const Json doc = parse_json_text(text, "fuzz.json");
    first = resolve_and_prepare(doc, embedded_catalog(), "fuzz.json", base_dir);
    (void)resolve_claims(first.scenario, run_kpi_info(first.scenario));
  } catch (const BadInput&) {
    return {};  // refused with a message: what bad input should get
  }
  const std::string resolved_text = first.resolved.dump(2);
  try {
    const Json again = parse_json_text(resolved_text, "resolved.json");
    const ResolvedScenario second = resolve_and_prepare(again, embedded_catalog(), "resolved.json", base_dir);
    if (without_comments(second.resolved) != without_comments(first.resolved)) {
      return "the resolved scenario does not resolve to itself\nfirst:\n" + resolved_text + "\nsecond:\n" +
             second.resolved.dump(2);
    }
  } catch (const BadInput& e) {
    return "the resolved scenario is refused as bad input: " + std::string(e.what()) + "\n" + resolved_text;
  }
  return {};
}

}  // namespace aidc::fuzz
