#pragma once
// Plausibility checks made while parsing, on values read from more than one place (the scenario and a catalog, or
// two sections): a warning where the input is legal but implausible, a problem where it is physically impossible.
// They need no model; checks that do (a grid below the design facility power) are in core/run/plausibility.hpp.

#include <optional>
#include <string>
#include <vector>

#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// Warns at `gr`/saidi_h_per_yr when a SAIDI given in the scenario looks like minutes typed as hours.
void warn_saidi(const JsonObjectReader& gr, double saidi_h_per_yr, std::optional<double> catalog_h_per_yr);

// Checks the facility's cooling (`type` = its facility.cooling.type name) against the supported_cooling of each
// system of `it` (systems.json); problems and warnings go to r.problems() at /facility/cooling/type.
void check_cooling_fits_systems(const std::string& type, const CoolingSpec& cooling, const Catalog& catalog,
                                const std::vector<std::string>& cooling_types, const ItSpec& it,
                                const JsonObjectReader& r);

}  // namespace aidc
