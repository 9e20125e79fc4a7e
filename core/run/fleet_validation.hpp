#pragma once
// Validation of the fleet in operation against the Llama 3 405B pre-training record (The Llama 3 Herd of Models,
// arXiv 2407.21783, Table 5): 16,384 H100 GPUs (2,048 nodes), 54 days, 419 unexpected interruptions, effective
// training time above 90 %. The case is built from the catalogs (failure rates, checkpoint and restart defaults)
// exactly as a user's scenario would be, run for `replications` replications, and compared with the record.
// `aidcsim validate` prints it after the throughput rows; scenarios/validation/llama3-405b-16k-h100.json is the
// same case as a scenario file.

#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "kernels/backend.hpp"

namespace aidc {

struct FleetValidation {
  int replications = 0;
  double interruptions_published = 419.0;
  double interruptions_mean = 0.0, interruptions_p10 = 0.0, interruptions_p90 = 0.0;
  double interruptions_error = 0.0;  // mean / published - 1
  double ettr_published_min = 0.90;  // "above 90 %"
  double ettr_mean = 0.0, ettr_p10 = 0.0, ettr_p90 = 0.0;
  double training_tokens_per_s = 0.0;  // the kernel's estimate for the job, all GPUs healthy
  bool ettr_met = false;
};

// The validation case as a scenario document (what scenarios/validation/llama3-405b-16k-h100.json holds).
nlohmann::json llama3_405b_validation_scenario();

FleetValidation validate_fleet_llama3(const Catalog& catalog, int replications = 32, Backend backend = Backend::Auto);

nlohmann::json fleet_validation_json(const FleetValidation& v);
std::string fleet_validation_text(const FleetValidation& v);

}  // namespace aidc
