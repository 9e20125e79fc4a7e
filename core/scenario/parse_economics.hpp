#pragma once
// The optional "economics" section of a scenario: parse, validate and fill defaults from
// scenarios/catalog/economics_defaults.json (construction cost per watt and corporate tax from the site's country,
// system prices from systems.json list_price_usd). Problems are recorded in the reader's InputProblems, so they come
// out with the rest of the scenario's (exit code 2). Called by parse_scenario.cpp after site and it are read.

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// `s` must hold the resolved site and it sections. `used` collects the catalog entries read (economics_defaults).
void read_economics(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                    EconomicsSpec& e);

// The resolved section, every value explicit; parsing it again gives the same EconomicsSpec.
nlohmann::json economics_to_json(const EconomicsSpec& e);

}  // namespace aidc
