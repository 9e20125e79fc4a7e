#pragma once
// The optional "uncertainty" section (core/scenario/uncertainty_spec.hpp). Pure: whether each pointer names a
// numeric value of the scenario is checked against the resolved document by the prepare step
// (core/run/uncertain_replications.hpp), which knows every default.

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"
#include "core/scenario/uncertainty_spec.hpp"

namespace aidc {

// `s`: the scenario read so far (its fleet and workloads decide which throughput errors apply); the catalog gives
// the estimator errors, recorded in `used`.
void read_uncertainty(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                      UncertaintySpec& u);
nlohmann::json uncertainty_to_json(const UncertaintySpec& u);

// The sections whose values may be uncertain: the site's grid and water price, the facility, the fleet in
// operation and the economics. The weather, the IT inventory, the workloads and the claims are what the scenario
// is about, or they decide what every replication computes (the workloads' estimates are made once per run).
bool uncertain_pointer_allowed(const std::string& pointer);

}  // namespace aidc
