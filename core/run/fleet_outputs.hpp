#pragma once
// The fleet's plan as tables for the results file: /fleet/racks (one row per rack) and /fleet/fabric (one row per
// tier of the scale-out fat tree, totals as attributes). From core/model/fleet_plan.hpp; written once per run.

#include "core/io/results_writer.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

NamedTable fleet_racks_table(const Scenario& s);
NamedTable fleet_fabric_table(const Scenario& s);

}  // namespace aidc
