#pragma once
// Glue between the site-year simulation and the economics and export-control models: per-replication economics
// KPIs from a replication's site KPIs, and the /economics/cash_flows and /compliance tables of the results file.

#include <array>
#include <vector>

#include "core/io/results_writer.hpp"
#include "core/model/economics.hpp"
#include "core/model/export_control.hpp"
#include "core/model/site_year.hpp"

namespace aidc {

// Economics KPIs, appended after the site KPIs when the scenario has an "economics" section.
enum EconomicsKpi : std::size_t {
  kKpiNpv,
  kKpiEquityNpv,
  kKpiProjectIrr,
  kKpiEquityIrr,
  kKpiPaybackYears,
  kKpiMinDscr,
  kKpiLevelizedGpuHour,
  kKpiCapex,
  kKpiOpexPerYear,
  kEconomicsKpiCount
};
const std::vector<KpiInfo>& economics_kpi_info();

// One replication's economics: its energy cost and water over the simulated horizon, scaled to a year
// (x 8760 / horizon_h), drive the opex; everything else comes from the scenario. `allocated_gpu_hours` >= 0 (a
// fleet's allocated_gpu_hours KPI over the horizon): the GPU-hours sold, scaled to a year, instead of
// economics.sold_fraction of all GPU-hours.
// `output_tokens`: a fleet's output tokens served over the horizon, sold at economics usd_per_million_tokens.
EconomicsResult replication_economics(const Scenario& s, const std::array<double, kKpiCount>& site_kpis,
                                      double allocated_gpu_hours = -1.0, double output_tokens = 0.0);
std::array<double, kEconomicsKpiCount> economics_kpis(const EconomicsResult& r);

// Tables for the results file. `replication` and `selection` say which replication's cash flows these are.
NamedTable cash_flow_table(const EconomicsResult& r, int replication, const std::string& selection);
NamedTable compliance_table(const ComplianceReport& c);

}  // namespace aidc
