#pragma once
// Glue between the site-year simulation and the economics and export-control models: per-replication operating
// inputs from a replication's KPIs, the economics KPIs, the /economics/cash_flows and /compliance tables, the
// run-time warnings and the console lines of the financing.

#include <array>
#include <span>
#include <string>
#include <vector>

#include "core/io/results_writer.hpp"
#include "core/model/economics.hpp"
#include "core/model/export_control.hpp"
#include "core/model/site_year.hpp"
#include "core/scenario/input_error.hpp"

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
  kKpiAvgDscr,
  kKpiLlcr,
  kKpiPlcr,
  kKpiSeniorDebt,
  kKpiGearing,
  kKpiIdc,
  kKpiSponsorInjection,
  kKpiEarningShare,
  kEconomicsKpiCount
};
const std::vector<KpiInfo>& economics_kpi_info();

// One replication's operating inputs: its energy cost and water over the simulated horizon, scaled to a year
// (x 8760 / horizon_h), drive the opex. With a fleet (`fleet_kpis` non-empty, in fleet_kpi_info order): the
// GPU-hours its workloads held are sold at usd_per_gpu_hour, the healthy GPU-hours (accelerator_availability x
// installed GPU-hours) no workload held are sold at sold_fraction as GPU cloud, and the output tokens served at
// usd_per_million_tokens. Without a fleet, sold_fraction of all GPU-hours is sold.
OperatingInputs replication_operating_inputs(const Scenario& s, const std::array<double, kKpiCount>& site_kpis,
                                             std::span<const double> fleet_kpis = {});
std::array<double, kEconomicsKpiCount> economics_kpis(const EconomicsResult& r);

// Warnings about a run's economics, for /warnings and stderr: less than half the healthy GPU-hours earn revenue,
// gearing above the OECD Arrangement's 85 % (after IDC), a refresh the sponsor must fund. `r` is the replication
// whose cash flows the results file holds.
std::vector<InputWarning> economics_run_warnings(const Scenario& s, const EconomicsResult& r);
// Console lines after the KPI table: cover ratios, debt, and how the IT refresh is paid.
std::vector<std::string> economics_summary_lines(const Scenario& s, const EconomicsResult& r,
                                                 const std::vector<KpiRow>& kpis);

// Tables for the results file. `replication` and `selection` say which replication's cash flows these are.
NamedTable cash_flow_table(const EconomicsSpec& e, const EconomicsResult& r, int replication,
                           const std::string& selection, int sizing_replication = -1);
NamedTable compliance_table(const ComplianceReport& c);

}  // namespace aidc
