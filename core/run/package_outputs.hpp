#pragma once
// The scenario's export package (core/scenario/parse_package.hpp) as tables for the results file, readable with
// h5py alone (numpy structured arrays of text and float64 columns):
//   /package/summary          field, value: title, target_country, business_model, hardware, data_center,
//                             data_pipelines, models and cybersecurity_controls (lists joined by "; ")
//   /package/consortium       name, role, country
//   /package/applications     name, sector
//   /package/federal_support  agency, instrument, amount_usd (USD), note; attr total_usd
// The same package, as JSON, is in /inputs/scenario under "package".

#include <string>
#include <utility>
#include <vector>

#include "core/io/results_writer.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// (path relative to the root, table) pairs, in the order above.
std::vector<std::pair<std::string, NamedTable>> package_tables(const PackageSpec& p);

}  // namespace aidc
