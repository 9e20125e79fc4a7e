#pragma once
// Project finance of the site (core/model/economics.hpp), from the optional "economics" section: plain data, every
// default filled in. Rates are fractions per year; money in USD (constant prices unless an escalation or a price
// path is given). Parsed by core/scenario/parse_economics.cpp, with every default from
// scenarios/catalog/economics_defaults.json.

#include <string>
#include <vector>

namespace aidc {

// How the senior debt is sized.
enum class DebtSizing {
  Share,     // debt_share of the initial capex (and of the capitalised interest during construction)
  Sculpted,  // debt service sculpted to target_dscr on the CFADS of sizing_case, capped at max_gearing
};

struct FinancingSpec {
  double debt_share = 0.0;          // of initial capex (pro rata with equity during construction)
  double interest_rate = 0.0;       // per year on the outstanding balance
  int tenor_years = 1;              // from the commercial operation date (COD), grace included
  int grace_years = 0;              // interest only
  std::string repayment = "annuity";  // "annuity" (level debt service) or "straight" (equal principal)
  double guarantee_fee_rate = 0.0;  // per year on the balance outstanding at the start of the year (ECA / PRI cover)
  double upfront_fee_rate = 0.0;    // of the debt facility, paid at financial close (ECA exposure premium, arrangement fee)
  double commitment_fee_rate = 0.0; // per year on the undrawn facility during construction
  DebtSizing sizing = DebtSizing::Share;
  double target_dscr = 0.0;         // sculpting: CFADS / debt service in each repayment year of the sizing case
  double max_gearing = 1.0;         // sculpting: at most this share of capex + capitalised interest
  std::string sizing_case = "p50";  // sculpting: the replication whose PV of CFADS is at "p50", "p90" or "p10"
};

// Construction before the commercial operation date (COD). months = 0: all capex spent at COD (year 0).
struct ConstructionSpec {
  int months = 0;
  std::string profile = "even";    // "even" (the same each month), "s_curve" (sin², slow-fast-slow) or "by_year"
  std::vector<double> by_year;     // "by_year": share of the initial capex drawn in each construction year, first first
};

// How each IT refresh (systems, network, installation, spares bought again at the end of each IT life) is paid.
enum class RefreshFunding {
  CashFlow,  // from the year's cash flow: it is maintenance capex, deducted from CFADS
  Reserve,   // a maintenance reserve account (MRA) funded from CFADS in equal parts over the fleet's life
  Debt,      // a refresh tranche drawn in the refresh year; the rest (1 - share) from the year's cash flow
  Equity,    // an equity injection by the sponsor (flagged as the sponsor's funding need)
};

// The scenario's name of each funding: "cash_flow", "reserve", "debt", "equity".
inline const char* refresh_funding_name(RefreshFunding f) {
  switch (f) {
    case RefreshFunding::Reserve: return "reserve";
    case RefreshFunding::Debt: return "debt";
    case RefreshFunding::Equity: return "equity";
    case RefreshFunding::CashFlow: break;
  }
  return "cash_flow";
}

struct RefreshSpec {
  RefreshFunding funding = RefreshFunding::CashFlow;
  double debt_share = 1.0;          // tranche: share of the refresh capex it lends
  double interest_rate = 0.0;       // tranche terms (annuity or straight, no grace)
  int tenor_years = 5;
  std::string repayment = "annuity";
  double guarantee_fee_rate = 0.0;
};

// Debt service reserve account: months of the next year's debt service held in cash.
struct DsraSpec {
  double months = 0.0;
  std::string funding = "close";  // "close" (by the sponsor at COD) or "cash_flow" (from cash after debt service)
};

// Revenue and cost denominated in the host country's currency lose USD value as it devalues.
struct LocalCurrencySpec {
  double revenue_share = 0.0;
  double opex_share = 0.0;
  double devaluation_per_year = 0.0;  // against the USD, compounded from COD
};

struct SystemPrice {
  std::string system;
  int count = 0;
  int gpus_per_system = 0;
  double price_usd = 0.0;  // per system
};

struct EconomicsSpec {
  bool enabled = false;
  int horizon_years = 15;               // operating years, counted from COD
  double discount_rate = 0.08;          // project (unlevered) cash flows
  double equity_discount_rate = 0.12;   // equity cash flows
  double construction_usd_per_w = 0.0;  // building and M&E per watt of design IT capacity
  double design_it_w = 0.0;             // design IT capacity the construction cost applies to
  std::vector<SystemPrice> systems;
  double network_share_of_systems = 0.0;  // scale-out network as a share of the systems' price
  double installation_share = 0.0;        // of systems + network
  double spares_share = 0.0;              // initial spares pool, of systems
  double usd_per_gpu_hour = 0.0;          // GPU-hours the modelled workloads hold (all sold GPU-hours without a fleet)
  double cloud_usd_per_gpu_hour = 0.0;    // with a fleet: healthy GPU-hours no workload holds, sold as GPU cloud
  double usd_per_million_tokens = 0.0;    // per million output tokens served (needs a fleet serving tokens)
  double sold_fraction = 0.0;             // share of GPU-hours sold (without a fleet); of the unallocated healthy
                                          // GPU-hours sold as GPU cloud (with a fleet)
  // GPU-hour prices fall by gpu_hour_price_decline for each year of the fleet's age, reset when the IT is refreshed
  // (a new generation is bought at the same capex and sold at the base price); a list by operating year replaces
  // the workloads' price path (the cloud price keeps its ratio to it).
  double gpu_hour_price_decline = 0.0;
  std::vector<double> usd_per_gpu_hour_by_year;  // overrides the decline: the workloads' price per operating year
  double token_price_decline = 0.0;       // per year (calendar, from COD)
  std::vector<double> usd_per_million_tokens_by_year;
  int ramp_up_years = 0;                  // sold capacity ramps linearly from ramp_up_start to 1 over these years
  double ramp_up_start = 1.0;             // share of the target sold volume in the first operating year
  double opex_escalation = 0.0;           // per year, compounded from COD, on every opex line
  LocalCurrencySpec local_currency;
  double staff_usd_per_year = 0.0;
  double maintenance_rate_building = 0.0;  // of building capex per year
  double maintenance_rate_it = 0.0;        // of IT capex per year
  double insurance_rate = 0.0;             // of total initial capex per year
  int building_life_years = 25;
  int it_life_years = 5;
  double tax_rate = 0.0;
  bool terminal_book_value = true;  // count the remaining book value at the horizon ("book_value") or not ("none")
  FinancingSpec financing;
  ConstructionSpec construction;
  RefreshSpec refresh;
  DsraSpec dsra;
};

}  // namespace aidc
