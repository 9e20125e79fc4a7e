#pragma once
// The optional "fleet" section of a scenario: parse, validate and fill defaults from
// scenarios/catalog/fleet_defaults.json, failures.json, network.json and countries.json (parts_lead_time_days of the
// site's country). Defaults that depend on the site: the rack power limit from the systems' cooling type, the
// technicians and hot spares from the node count, the switch from the systems' NIC speed. Problems are recorded in
// the reader's InputProblems, so they come out with the rest of the scenario's (exit code 2). Called by
// parse_scenario.cpp after site and it are read.

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// `s` must hold the resolved site and it sections. `used` collects the catalog entries read (fleet_defaults,
// failures, network).
void read_fleet(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used, FleetSpec& f);

// The resolved section, every value explicit; parsing it again gives the same FleetSpec.
nlohmann::json fleet_to_json(const FleetSpec& f);

// "gpu", "node", "nic", "job_gpu" (the failures.json spelling of FailureUnit).
const char* failure_unit_name(FailureUnit u);

}  // namespace aidc
