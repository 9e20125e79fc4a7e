#pragma once
// The KPI table printed at the end of a run: mean and P10/P50/P90 over replications, with units.

#include <ostream>
#include <span>

#include "core/io/results_writer.hpp"

namespace aidc {

void print_kpi_table(std::ostream& out, std::span<const KpiRow> kpis);

}  // namespace aidc
