#pragma once
// The optional "sizing" section of a scenario: what `aidcsim size` searches (core/run/sizing.hpp).
//   "sizing": {"candidates": ["dgx-h100", "gb200-nvl72"],   systems.json names (default: the scenario's systems)
//              "sites": ["Malaysia", "Japan"],               countries.json names (default: the site's country)
//              "objective": "tco",                           "tco" | "capex" | "usd_per_million_tokens"
//              "verify_replications": 4,                     replications per verification run
//              "slo_attainment": 0.999,                      target of every service's P10 slo_attainment
//              "max_verification_runs": 60,                  bound on the verification loops per candidate and site
//              "system_price_usd": {"dgx-b200": 515000}}     prices of candidates the catalog has no list price for
// Problems are recorded in the reader's InputProblems with their JSON paths (exit code 2). Called by
// parse_scenario.cpp after the it section is read.

#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// Defaults for a scenario without a section: its own systems and country (so `aidcsim size` always has candidates).
SizingSpec default_sizing(const Scenario& s);

// `s` must hold the resolved site and it sections.
void read_sizing(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, SizingSpec& out);

// The resolved section, every value explicit; parsing it again gives the same SizingSpec.
nlohmann::json sizing_to_json(const SizingSpec& z);

std::string sizing_objective_name(SizingObjective o);

}  // namespace aidc
