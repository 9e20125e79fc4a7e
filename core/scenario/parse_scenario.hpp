#pragma once
// Scenario documents (JSON) to the resolved Scenario: parse, validate, resolve catalog names, fill defaults from the
// catalogs. A pure function of (document, catalogs): it reads no file and computes no physics. All problems are
// collected and thrown together as BadInput (exit code 2).
//
// What needs a file or a model (the EPW year, design conditions from the weather, generator sizing, plausibility
// checks against the models) is the prepare step's (core/run/prepare_scenario.hpp), which `run`, `check`, `size`
// and `sweep` share. The resolved scenario is written back as JSON in the same format (what ran, with every default
// filled in); resolving that JSON again gives the same scenario.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/weather.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// A climate catalog entry read as a synthetic weather spec (normals, design conditions, fitted noise; the noise
// left at WeatherSpec's defaults where the entry has none). Throws BadInput naming `file` and the entry's path.
WeatherSpec climate_entry_weather(const nlohmann::json& entry, const std::string& city, const std::string& file);

// Design conditions as the catalog and the results write them (unknown values left out).
nlohmann::json design_conditions_to_json(const DesignConditions& d);

// The names facility.cooling.type accepts, and the one it takes when the scenario gives none.
const std::vector<std::string>& cooling_type_names();
inline constexpr const char* kDefaultCoolingType = "water_cooled_chiller_tower";

// With an "uncertainty" section: each replication's scenario, its uncertain inputs drawn and in place (set up by
// core/run/uncertain_replications.hpp in the prepare step), and the values drawn.
struct UncertainReplications {
  // Replication rep's scenario, made on demand (a pure function of the draws: the same every call), so that a run
  // holds only a batch's scenarios. Every replication's was made once by the prepare step, which refused bad draws.
  std::function<Scenario(int rep)> scenario_of;
  std::vector<std::vector<double>> values;   // [input][replication], in UncertaintySpec::inputs order
  std::vector<double> base_values;           // [input]: the value the scenario gives without uncertainty
  // [replication]: the throughput model's error drawn (UncertaintySpec::throughput_error); empty when not drawn.
  std::vector<double> inference_multiplier, training_multiplier;
};

struct ResolvedScenario {
  Scenario scenario;
  nlohmann::json resolved;         // the scenario as it runs, every value explicit (set by the prepare step)
  nlohmann::json catalog_entries;  // the catalog entries used, with their sources
  std::shared_ptr<const HourlyWeather> epw_weather;  // the EPW year (prepare step); null for synthetic weather
  std::vector<InputWarning> warnings;  // legal but implausible input: printed on stderr, stored in /warnings
  std::string epw_sha256;              // of the EPW file read (prepare step), stored as /site/weather/_sha256
  bool prepared = false;               // set by prepare_scenario(); only a prepared scenario runs
  std::shared_ptr<const UncertainReplications> uncertain;  // null without an "uncertainty" section
};

// `file_label` names the document in messages; `base_dir` is the folder relative paths (an EPW file) are relative
// to; it is joined to them, never read.
ResolvedScenario resolve_scenario(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                                  const std::filesystem::path& base_dir);

// The resolved document of a scenario: every value explicit, in the scenario format.
nlohmann::json resolved_scenario_json(const Scenario& s);

// Parses JSON text; every problem is BadInput (core/scenario/json_reader.hpp, where it is defined, says which).
nlohmann::json parse_json_text(const std::string& text, const std::string& file_label);

}  // namespace aidc
