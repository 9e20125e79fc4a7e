#pragma once
// The optional "package" section of a scenario: the full-stack export package a consortium offers to the site's
// country (issue 5), as an export-credit or development-finance reviewer reads it: what is offered (hardware, data
// center, data pipelines, models, cybersecurity controls, applications and their sectors), by whom (the consortium
// and each member's role), the business model, and the federal support requested. Problems are recorded in the
// reader's InputProblems with their JSON paths (exit code 2). Called by parse_scenario.cpp after site, it and
// workloads are read; the results file carries the package in /package (core/run/package_outputs.hpp).
//
//   "package": {
//     "title": "...", "target_country": "Malaysia",
//     "consortium": [{"name": "...", "role": "servers", "country": "USA"}],
//     "components": {"hardware": "...", "data_center": "...", "data_pipelines": "...", "models": ["llama-3.3-70b"],
//                    "cybersecurity_controls": ["NIST CSF 2.0"], "applications": [{"name": "...", "sector": "health"}]},
//     "business_model": "sovereign_ai",
//     "federal_support": [{"agency": "EXIM", "instrument": "loan_guarantee", "amount_usd": 1.5e9}]
//   }

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// The accepted values of the package's enumerations.
const std::vector<std::string>& package_roles();
const std::vector<std::string>& package_sectors();
const std::vector<std::string>& package_business_models();
const std::vector<std::string>& package_agencies();
const std::vector<std::string>& package_instruments();

// `r` reads the "package" object; `s` must hold the resolved site and it sections. `used` collects the catalog
// entries read (llm_models).
void read_package(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                  PackageSpec& p);

// The resolved section, every value explicit; parsing it again gives the same PackageSpec.
nlohmann::json package_to_json(const PackageSpec& p);

}  // namespace aidc
