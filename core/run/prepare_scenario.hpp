#pragma once
// The prepare step between resolution and the run: what a resolved scenario needs from files and models before
// any replication. It loads the EPW year (the only file it reads), fills the design conditions the weather gives,
// sizes the generators at the design facility power, checks the scenario against the models for implausible input
// (warnings) and renders the resolved document. `run`, `check`, `size` and `sweep` all go through it, so `check`
// reports what `run` would.
//
//   document ─► resolve_scenario (core/scenario, pure) ─► prepare_scenario (here) ─► run_scenario (core/run)

#include <filesystem>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/scenario/scenario_patch.hpp"

namespace aidc {

// Prepares `rs` in place (once; a prepared scenario is left as it is). Bad input found here (an EPW file that is
// missing or invalid, a given design wet bulb above the weather's design dry bulb) → BadInput.
void prepare_scenario(ResolvedScenario& rs);

// resolve_scenario then prepare_scenario.
ResolvedScenario resolve_and_prepare(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                                     const std::filesystem::path& base_dir);

// Reads a scenario file, applies `patches` to the document (RFC 6902, in order: command-line overrides, variants),
// resolves and prepares it. A missing file, bad JSON (with line and column), a patch that does not apply or bad
// values → BadInput. Relative paths inside it are relative to the file's folder.
ResolvedScenario load_scenario_file(const std::filesystem::path& path, const Catalog& catalog,
                                    std::span<const ScenarioPatch> patches = {});

}  // namespace aidc
