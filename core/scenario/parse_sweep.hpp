#pragma once
// The sweep file (core/scenario/sweep_spec.hpp). Pure: every problem of the file is BadInput naming it, the JSON
// path, the value and what was expected. Whether the pointers name values of the base scenario, and the KPI names,
// are checked by run_sweep against the resolved base.

#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario/sweep_spec.hpp"

namespace aidc {

SweepSpec read_sweep(const nlohmann::json& doc, const std::string& file_label);

}  // namespace aidc
