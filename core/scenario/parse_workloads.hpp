#pragma once
// The optional "workloads" section of a scenario: LLM inference and training jobs to estimate on the site's
// hardware (issue 3, item 9). Each names a model of llm_models.json and a system of the scenario's it.systems (the
// accelerator comes from that system); the GPUs it asks for must be on the site. Problems are recorded in the
// reader's InputProblems with their JSON paths (exit code 2). Called by parse_scenario.cpp after it is read; the
// estimates themselves run in core/run/workload_estimates.cpp.

#include <vector>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// `root` is the scenario's top-level reader; `s` must hold the resolved it section. `used` collects the catalog
// entries read (llm_models).
void read_workloads(JsonObjectReader& root, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                    std::vector<WorkloadSpec>& out);

// The resolved section, every value explicit; parsing it again gives the same workloads.
// `operated`: with the operation fields (scenarios with a fleet section).
nlohmann::json workloads_to_json(const std::vector<WorkloadSpec>& workloads, bool operated);

// Whether a name is safe as an HDF5 group name and a KPI name prefix: 1 to limits::kMaxWorkloadNameBytes (41) of
// letters, digits, '-' and '_'.
bool hdf5_safe_name(const std::string& name);

}  // namespace aidc
