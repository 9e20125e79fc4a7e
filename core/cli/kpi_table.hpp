#pragma once
// The KPIs printed at the end of a run: by default ten headline KPIs formatted for people (%, M/B USD, thousands
// separators, cover ratios as 1.30x), each as its P50 with the P10-P90 range; with `--kpis all`, the full table of
// mean and P10/P50/P90 over replications with units.

#include <ostream>
#include <span>
#include <string>

#include "core/io/results_writer.hpp"

namespace aidc {

void print_kpi_table(std::ostream& out, std::span<const KpiRow> kpis);

// The headline KPIs present in `kpis` (at most ten, in a fixed order: site, power, fleet, economics).
void print_headline_kpis(std::ostream& out, std::span<const KpiRow> kpis, int replications);

// One KPI value as a person reads it, by the KPI's kind (exposed for the tests).
enum class PeopleFormat { Ratio, Percent, Usd, Quantity, Cover };
std::string format_for_people(double value, PeopleFormat format, const std::string& units);

}  // namespace aidc
