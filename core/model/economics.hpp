#pragma once
// Project finance of an AI data center over a horizon of years: capex, opex, depreciation, revenue per GPU-hour,
// debt (grace, annuity or straight repayment, guarantee fee), corporate tax, and the cash-flow table with NPV, IRR,
// payback, DSCR and the levelized cost per GPU-hour. Pure functions on plain structs; no I/O.
//
// Conventions (stated once, used everywhere):
//   - Year 0 is financial close: the initial capex is spent and the debt drawn. Years 1..H are operating years; all
//     flows of a year fall at its end. Money is USD at constant prices (real terms, no escalation).
//   - Construction cost is USD per watt of design IT capacity (the convention of the Turner & Townsend and
//     Cushman & Wakefield data-center cost guides, which quote cost per watt / per MW of IT load).
//   - IT (systems, network, installation, spares) is refreshed at the end of each IT life that falls inside the
//     horizon, paid from the year's cash flow (equity), and depreciated straight line like the first fleet.
//   - At the end of the horizon the remaining book value of the building and the last IT fleet is counted as a
//     terminal value (sale at book, so no tax on it) unless terminal_value is "none".
//   - Tax = tax_rate x (EBITDA - depreciation - interest - guarantee fee), with losses carried forward without limit.
//     The project (unlevered) cash flow pays tax on EBITDA - depreciation instead.
//   - Debt service = interest + principal + guarantee fee; DSCR = (EBITDA - tax) / debt service. Refresh capex is
//     assumed equity-funded outside the lenders' waterfall (it does not enter CFADS).
//   - Levelized cost per GPU-hour = PV(capex + opex - terminal value) / PV(GPU-hours sold), at the project rate,
//     before tax and financing: directly comparable with the price per GPU-hour.

#include <span>
#include <string>
#include <vector>

#include "core/scenario/scenario.hpp"

namespace aidc {

struct CapexBreakdown {
  double building_usd = 0.0;
  double systems_usd = 0.0;
  double network_usd = 0.0;
  double installation_usd = 0.0;
  double spares_usd = 0.0;
  double it_usd = 0.0;     // systems + network + installation + spares (what a refresh buys again)
  double total_usd = 0.0;  // building + it
};

// What the site-year simulation gives per operating year (one replication's KPIs, scaled to a year).
struct OperatingInputs {
  double energy_cost_usd_per_year = 0.0;
  double water_m3_per_year = 0.0;
  double water_price_usd_per_m3 = 0.0;
  // GPU-hours sold per year: < 0 means e.sold_fraction of all GPU-hours; with a fleet, the GPU-hours its workloads
  // held (the simulated work is what is sold).
  double gpu_hours_sold_per_year = -1.0;
  double million_tokens_per_year = 0.0;  // output tokens served, sold at e.usd_per_million_tokens
};

struct OpexBreakdown {
  double energy_usd = 0.0;
  double water_usd = 0.0;
  double staff_usd = 0.0;
  double maintenance_usd = 0.0;
  double insurance_usd = 0.0;
  double total_usd = 0.0;
};

struct DebtYear {
  double opening_usd = 0.0;
  double interest_usd = 0.0;
  double principal_usd = 0.0;
  double guarantee_fee_usd = 0.0;
  double closing_usd = 0.0;
};

struct CashFlowYear {
  int year = 0;
  double capex_usd = 0.0;
  double revenue_usd = 0.0;
  double opex_usd = 0.0;
  double ebitda_usd = 0.0;
  double depreciation_usd = 0.0;
  double interest_usd = 0.0;
  double principal_usd = 0.0;
  double guarantee_fee_usd = 0.0;
  double debt_service_usd = 0.0;   // interest + principal + guarantee fee
  double debt_outstanding_usd = 0.0;  // at the end of the year
  double tax_usd = 0.0;            // levered (the company's)
  double terminal_value_usd = 0.0;
  double equity_cash_flow_usd = 0.0;
  double project_cash_flow_usd = 0.0;
  double dscr = 0.0;               // NaN where there is no debt service
};

struct EconomicsResult {
  CapexBreakdown capex;
  OpexBreakdown opex;               // per operating year
  double revenue_usd_per_year = 0.0;
  double gpu_hours_sold_per_year = 0.0;
  std::vector<CashFlowYear> years;  // 0..H
  double project_npv_usd = 0.0;
  double equity_npv_usd = 0.0;
  double project_irr = 0.0;         // NaN when the cash flows have no IRR (no sign change of NPV)
  double equity_irr = 0.0;
  double payback_years = 0.0;       // of the project cash flow, interpolated within the year; NaN if never
  double min_dscr = 0.0;            // NaN without debt
  double levelized_usd_per_gpu_hour = 0.0;
};

CapexBreakdown initial_capex(const EconomicsSpec& e);
long long total_gpus(const EconomicsSpec& e);

// Debt schedule for operating years 1..horizon_years (index 0 is year 1). Interest only in the grace years, then
// annuity (level interest + principal) or straight (equal principal) repayment to zero at the end of the tenor.
std::vector<DebtYear> debt_schedule(const FinancingSpec& f, double principal_usd, int horizon_years);

// Sum of cf[t] / (1 + rate)^t, t = 0..n-1.
double npv(double rate, std::span<const double> cash_flows);
// The rate where npv is zero, found by bracketing on a grid from -99 % to +1000 % and bisecting; NaN when NPV
// does not change sign there (e.g. all flows of one sign).
double irr(std::span<const double> cash_flows);
// First time the cumulative cash flow turns non-negative, in years with linear interpolation; NaN if never.
double payback_years(std::span<const double> cash_flows);

EconomicsResult evaluate_economics(const EconomicsSpec& e, const OperatingInputs& ops);

}  // namespace aidc
