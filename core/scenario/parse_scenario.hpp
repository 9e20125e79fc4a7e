#pragma once
// Scenario files (JSON) to the resolved Scenario: parse, validate, resolve catalog names, fill defaults from the
// facility_defaults catalog. All problems are collected and thrown together as BadInput (exit code 2).
// The resolved scenario can be written back as JSON in the same format (what ran, with every default filled in);
// parsing that JSON again gives the same scenario.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/weather.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

struct ResolvedScenario {
  Scenario scenario;
  nlohmann::json resolved;         // the scenario as it ran, every value explicit
  nlohmann::json catalog_entries;  // the catalog entries used, with their sources
  std::shared_ptr<const HourlyWeather> epw_weather;  // the EPW year, read and checked once; null for synthetic
  std::vector<InputWarning> warnings;  // legal but implausible input: printed on stderr, stored in /warnings
};

// `file_label` names the document in messages; `base_dir` resolves relative paths (an EPW file).
ResolvedScenario resolve_scenario(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                                  const std::filesystem::path& base_dir);

// Reads and resolves a scenario file. A missing file, bad JSON (with line and column) or bad values → BadInput.
ResolvedScenario load_scenario_file(const std::filesystem::path& path, const Catalog& catalog);

// Parses JSON text; every problem is BadInput (core/scenario/json_reader.hpp, where it is defined, says which).
nlohmann::json parse_json_text(const std::string& text, const std::string& file_label);

}  // namespace aidc
