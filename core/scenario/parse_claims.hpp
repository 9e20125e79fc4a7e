#pragma once
// The optional "claims" section of a scenario: statements a sponsor makes about the site, each checked against
// the simulated distribution of one KPI (issue 5), and the optional "claims_policy" that turns a claim's
// probability of holding into a verdict.
//
//   "claims": [
//     {"label": "annual PUE <= 1.3", "metric": "pue", "comparison": "<=", "target": 1.3},
//     {"metric": "time_to_train_d", "workload": "pretrain-70b", "comparison": "<=", "target": 30, "units": "d"}
//   ],
//   "claims_policy": {"supported_probability": 0.9, "at_risk_probability": 0.5, "confidence": 0.9}
//
// This parser checks the structure (types, the comparison, a finite target, unique labels, that a named workload
// exists). The metric is resolved later, at run start, against the KPIs the run actually has
// (core/run/claims_outputs.hpp), because which KPIs exist depends on the scenario (economics, fleet, workloads).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// The accepted comparisons: ">=", "<=", ">", "<".
const std::vector<std::string>& claim_comparisons();

// `root` is the scenario's top-level reader; `s` must hold the resolved workloads.
void read_claims(JsonObjectReader& root, const Scenario& s, std::vector<ClaimSpec>& out, ClaimsPolicy& policy);

// The default label of a claim: "<metric> <comparison> <target>[ <units>]", e.g. "pue <= 1.3".
std::string default_claim_label(const ClaimSpec& c);

// The resolved sections, every value explicit; parsing them again gives the same claims and policy.
nlohmann::json claims_to_json(const std::vector<ClaimSpec>& claims);
nlohmann::json claims_policy_to_json(const ClaimsPolicy& policy);

}  // namespace aidc
