#pragma once
// How each IT refresh is paid and the debt service reserve (core/model/economics.hpp): the per-year flows that
// evaluate_economics puts in the cash-flow table. Pure functions.

#include <vector>

#include "core/model/economics.hpp"

namespace aidc {

// Per operating year, index 1..H (index 0 unused).
struct RefreshFlows {
  std::vector<double> capex_usd;
  std::vector<double> maintenance_capex_usd;  // paid from the year's cash flow
  std::vector<double> mra_contribution_usd;
  std::vector<double> mra_release_usd;
  std::vector<double> mra_balance_usd;
  std::vector<double> equity_injection_usd;
  std::vector<double> tranche_drawdown_usd;
  std::vector<DebtYear> tranche;  // all refresh tranches together
  int last_fleet_year = 0;        // when the fleet in service at the horizon was bought (0: the first)
};

// The refreshes inside the horizon (the end of every IT life before year H) and their funding: from cash flow,
// a maintenance reserve filled in equal parts over the years of the fleet it replaces and released at the
// refresh, a refresh tranche (debt_share of the capex, repaid from the next year over its tenor, the rest from
// cash flow), or sponsor equity.
RefreshFlows refresh_flows(const EconomicsSpec& e, double it_usd);

struct DsraStep {
  double flow_usd = 0.0;  // > 0 into the reserve
  double balance_usd = 0.0;
};
// One year of the debt service reserve: drawn first to cover a shortfall of cash after debt service (< 0), then
// brought to `target_usd`: the excess released, a deficit topped up from what cash is left.
DsraStep dsra_step(double balance_usd, double target_usd, double cash_after_debt_service_usd);

}  // namespace aidc
