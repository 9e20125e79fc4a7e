#pragma once
// The prepare step of a scenario with an "uncertainty" section: checks that every uncertain input names a number
// of the resolved scenario, draws the inputs (core/model/uncertainty_sampling.hpp), and resolves each
// replication's scenario: the document with the drawn values set by RFC 6902 patches, resolved and prepared like
// any file, so a drawn value is checked as a typed one would be. All of it before any replication runs: a draw that
// makes bad input (a negative price from a normal without a min) is exit 2, naming the input and the replication.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/results_writer.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace aidc {

// Sets rs.uncertain when rs.scenario.uncertainty is enabled (else nothing). `doc` is the document rs was resolved
// from; rs must be prepared.
void prepare_uncertain_replications(ResolvedScenario& rs, const nlohmann::json& doc, const Catalog& catalog,
                                    const std::string& file_label, const std::filesystem::path& base_dir);

// /uncertainty/samples: one row per replication, one column per input with its units, named by its pointer without
// the leading '/' and with '.' for '/' ("economics.revenue.usd_per_gpu_hour"; HDF5 member names hold no '/'); the
// attribute "pointers" lists the pointers in column order as a JSON array.
std::string samples_column_name(const std::string& pointer);
NamedTable uncertainty_samples_table(const UncertaintySpec& u, const UncertainReplications& draws);

// "weather, grid outages and equipment failures" plus the inputs drawn, for the claims table and the console.
std::string uncertainty_description(const Scenario& s);

}  // namespace aidc
