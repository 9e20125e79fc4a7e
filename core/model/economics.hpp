#pragma once
// Project finance of an AI data center as its lenders read it: construction with interest during construction,
// operating years from the commercial operation date (COD), revenue a lender believes (price paths, ramp-up, idle
// capacity sold only as the scenario says, local-currency devaluation), cash flow available for debt service
// (CFADS), how each IT refresh is paid (cash flow, maintenance reserve, refresh tranche or sponsor equity), a debt
// service reserve, senior debt given as a share or sculpted to a target DSCR, cover ratios (DSCR, LLCR, PLCR), NPV,
// IRR, payback and the levelized cost per GPU-hour. Pure functions on plain structs; no I/O.
//
// Conventions (stated once, used everywhere):
//   - Rows of the cash-flow table: construction years (year <= 0; year 0 ends at COD; with no construction period
//     year 0 alone is financial close = COD), then operating years 1..H. Construction months are counted back from
//     COD. Operating flows fall at the end of their year; NPV and IRR discount row k by k years (row 0 = the first
//     construction year, at financial close).
//   - Construction cost is USD per watt of design IT capacity (the Turner & Townsend and Cushman & Wakefield
//     data-center cost guides quote cost per watt / per MW of IT load). Capex is drawn month by month; debt and
//     equity fund each draw pro rata (debt share s); interest during construction (IDC) is capitalised monthly into
//     the debt, so the debt at COD is s x (capex + IDC at s = 1). Commitment fees (on the undrawn facility) and the
//     upfront fee are paid by the sponsor; IDC and fees are not depreciated (no tax shield taken).
//   - IT (systems, network, installation, spares) is bought again at the end of each IT life inside the horizon, at
//     the same price, and depreciated straight line. How it is paid is RefreshSpec::funding; in every year
//     capex = sum of its sources (*_drawdown, *_release, equity injection) + maintenance capex (the part paid from
//     the year's cash flow).
//   - CFADS = EBITDA - tax - maintenance capex - contributions to the maintenance reserve. DSCR = CFADS / debt
//     service (senior + refresh tranche: interest + principal + guarantee fee). LLCR = PV at COD of (CFADS - the
//     refresh tranches' debt service) over the senior tenor at the senior interest rate / senior debt at COD;
//     PLCR the same over the horizon.
//   - The debt service reserve (DSRA) holds dsra.months of the next year's debt service: funded at COD by the
//     sponsor or from cash after debt service, drawn when CFADS falls short, released as the target falls.
//   - Tax = tax_rate x (EBITDA - depreciation - interest - guarantee fees), losses carried forward without limit.
//     The project (unlevered) cash flow pays tax on EBITDA - depreciation instead.
//   - At the end of the horizon the remaining book value of the building and the last IT fleet is a terminal value
//     (sale at book, so no tax on it) unless terminal_value is "none".
//   - Levelized cost per GPU-hour = PV(capex + opex - terminal value) / PV(GPU-hours sold), at the project rate,
//     before tax and financing: comparable with the price per GPU-hour.

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
  // GPU-hours the modelled workloads hold per year (a fleet's allocated GPU-hours), sold at usd_per_gpu_hour;
  // < 0 (no fleet): e.sold_fraction of all GPU-hours is sold at that price.
  double gpu_hours_sold_per_year = -1.0;
  double million_tokens_per_year = 0.0;  // output tokens served, sold at e.usd_per_million_tokens
  // With a fleet: healthy GPU-hours per year (accelerator availability x installed GPU-hours); what no workload
  // holds is sold as GPU cloud (e.sold_fraction of it at e.cloud_usd_per_gpu_hour). < 0: none (no fleet).
  double healthy_gpu_hours_per_year = -1.0;
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
  int year = 0;                        // <= 0: construction (0 ends at COD); 1..H: operation
  double capex_usd = 0.0;
  // Sources of the capex: capex = the four below + maintenance_capex_usd.
  double senior_debt_drawdown_usd = 0.0;
  double equity_drawdown_usd = 0.0;    // the sponsor's pro rata share of the construction draws
  double refresh_debt_drawdown_usd = 0.0;
  double mra_release_usd = 0.0;        // maintenance reserve paying a refresh
  double equity_injection_usd = 0.0;   // sponsor equity paying a refresh (the sponsor's funding need)
  double maintenance_capex_usd = 0.0;  // capex paid from the year's cash flow (deducted from CFADS)
  double idc_usd = 0.0;                // interest during construction, capitalised into the senior debt
  double financing_fees_usd = 0.0;     // upfront and commitment fees (paid by the sponsor)
  double sold_volume_factor = 0.0;     // ramp-up: share of the target sold GPU-hours and tokens
  double gpu_hours_sold = 0.0;
  double revenue_workloads_usd = 0.0;  // GPU-hours the workloads hold (all sold GPU-hours without a fleet)
  double revenue_cloud_usd = 0.0;      // unallocated healthy GPU-hours sold as GPU cloud
  double revenue_tokens_usd = 0.0;
  double revenue_usd = 0.0;
  double opex_usd = 0.0;
  double ebitda_usd = 0.0;
  double depreciation_usd = 0.0;
  double interest_usd = 0.0;           // senior + refresh tranche
  double principal_usd = 0.0;
  double guarantee_fee_usd = 0.0;
  double debt_service_usd = 0.0;       // interest + principal + guarantee fee
  double refresh_debt_service_usd = 0.0;  // the refresh tranche's part of it
  double debt_outstanding_usd = 0.0;   // at the end of the year, senior + refresh tranche
  double tax_usd = 0.0;                // levered (the company's)
  double mra_contribution_usd = 0.0;
  double mra_balance_usd = 0.0;
  double dsra_flow_usd = 0.0;          // > 0 into the reserve, < 0 drawn or released
  double dsra_balance_usd = 0.0;
  double cfads_usd = 0.0;
  double terminal_value_usd = 0.0;
  double equity_cash_flow_usd = 0.0;
  double project_cash_flow_usd = 0.0;
  double dscr = 0.0;                   // cfads / debt service; NaN where there is no debt service
};

// How the senior debt is drawn and repaid: the debt share s of every construction draw, and the principal repaid
// in each operating year (empty: the FinancingSpec's annuity or straight schedule).
struct DebtPlan {
  double share = 0.0;
  std::vector<double> principal_usd;
};

struct EconomicsResult {
  CapexBreakdown capex;
  OpexBreakdown opex;               // per operating year at COD prices
  double revenue_usd_per_year = 0.0;     // first year at the target sold volume (after ramp-up)
  double gpu_hours_sold_per_year = 0.0;  // at the target sold volume
  // Its parts and the other volumes, per year at the target (what a spreadsheet of the cash flows starts from):
  // the workloads' GPU-hours, the GPU cloud's, the million output tokens sold, the cooling water.
  double workload_gpu_hours_per_year = 0.0, cloud_gpu_hours_per_year = 0.0;
  double million_tokens_per_year = 0.0, water_m3_per_year = 0.0;
  double earning_share = 0.0;       // GPU-hours sold at target / healthy GPU-hours (NaN when none are healthy)
  int construction_years = 0;       // rows before the operating years
  std::vector<CashFlowYear> years;  // construction rows, then operating years 1..H
  double project_npv_usd = 0.0;
  double equity_npv_usd = 0.0;
  double project_irr = 0.0;         // NaN when the cash flows have no IRR (no sign change of NPV)
  double equity_irr = 0.0;
  double payback_years = 0.0;       // from financial close, interpolated within the year; NaN if never
  double min_dscr = 0.0;            // NaN without debt
  int min_dscr_year = 0;            // the (first) operating year of min_dscr; 0 without debt
  double avg_dscr = 0.0;            // mean of the years with debt service
  double llcr = 0.0;                // the senior's: its CFADS is what the refresh tranches' service leaves
  double plcr = 0.0;
  double senior_debt_usd = 0.0;     // at COD, capitalised IDC included
  double gearing = 0.0;             // senior debt at COD / (capex + IDC)
  double idc_usd = 0.0;
  double sponsor_equity_injection_usd = 0.0;  // refreshes paid by sponsor equity, undiscounted sum
  double refresh_capex_usd = 0.0;             // all refreshes inside the horizon
  double levelized_usd_per_gpu_hour = 0.0;
  double levelized_usd_per_million_tokens = 0.0;  // PV of costs / PV of tokens sold; NaN without tokens
};

CapexBreakdown initial_capex(const EconomicsSpec& e);
long long total_gpus(const EconomicsSpec& e);

// Construction draws (economics_construction.cpp), one entry per construction row (first row first), at debt
// share 1: scale idc and commitment fees by the debt share (they are linear in it).
struct ConstructionSchedule {
  std::vector<double> capex_usd;
  std::vector<double> idc_usd;
  std::vector<double> commitment_fee_usd;
  double idc_total_usd = 0.0;
};
// Capex drawn month by month over c.months (counted back from COD), with interest at `interest_rate` / 12 a month
// on the opening balance plus the month's draw, capitalised, and the commitment fee on the undrawn facility (capex
// + IDC). months = 0: one row, all capex at COD, no IDC.
ConstructionSchedule construction_schedule(const ConstructionSpec& c, double capex_usd, double interest_rate,
                                           double commitment_fee_rate);
// Monthly shares of the capex (sum 1) for the profile.
std::vector<double> drawdown_shares(const ConstructionSpec& c);

// Debt schedule for operating years 1..horizon_years (index 0 is year 1). Interest only in the grace years, then
// annuity (level interest + principal) or straight (equal principal) repayment to zero at the end of the tenor.
std::vector<DebtYear> debt_schedule(const FinancingSpec& f, double principal_usd, int horizon_years);
// The same with the principal of each year given (the last year of the tenor clears what is left).
std::vector<DebtYear> debt_schedule_from_principal(const FinancingSpec& f, double debt_usd,
                                                   std::span<const double> principal_usd, int horizon_years);

// Sum of cf[t] / (1 + rate)^t, t = 0..n-1.
double npv(double rate, std::span<const double> cash_flows);
// The rate where npv is zero, found by bracketing on a grid from -99 % to +1000 % and bisecting; NaN when NPV
// does not change sign there (e.g. all flows of one sign).
double irr(std::span<const double> cash_flows);
// First time the cumulative cash flow turns non-negative, in years with linear interpolation; NaN if never.
double payback_years(std::span<const double> cash_flows);

// The whole model for one set of operating inputs and a given debt plan.
EconomicsResult evaluate_economics(const EconomicsSpec& e, const OperatingInputs& ops, const DebtPlan& plan);
// The same with the debt sized on these inputs (size_debt).
EconomicsResult evaluate_economics(const EconomicsSpec& e, const OperatingInputs& ops);

// Senior debt (economics_debt.cpp): FinancingSpec::debt_share, or debt service sculpted to target_dscr on the
// CFADS of `ops` in each repayment year (debt = PV of CFADS / target at the interest rate plus guarantee fee,
// iterated because the tax depends on the interest), capped at max_gearing.
DebtPlan size_debt(const EconomicsSpec& e, const OperatingInputs& ops);
// Every replication's economics with one debt plan, as lenders size once at financial close: the plan sized on
// the replication at financing.sizing_case of the PV of pre-financing CFADS (sculpting), or debt_share.
// `sizing_replication` receives that replication (-1 without sculpting).
std::vector<EconomicsResult> evaluate_replications(const EconomicsSpec& e, const std::vector<OperatingInputs>& ops,
                                                   int* sizing_replication = nullptr);
// The same with each replication's own spec (`specs[i]` for ops[i]: uncertain commercial inputs); the debt plan is
// sized on the sizing case's spec and inputs, then serves every replication.
std::vector<EconomicsResult> evaluate_replications(std::span<const EconomicsSpec> specs,
                                                   const std::vector<OperatingInputs>& ops,
                                                   int* sizing_replication = nullptr);

}  // namespace aidc
