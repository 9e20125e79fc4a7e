#include "core/model/economics_reserves.hpp"

#include <algorithm>

namespace aidc {

RefreshFlows refresh_flows(const EconomicsSpec& e, double it_usd) {
  const int H = e.horizon_years;
  const int Li = std::max(1, e.it_life_years);
  const auto n = static_cast<std::size_t>(H) + 1;
  RefreshFlows r;
  for (auto* v : {&r.capex_usd, &r.maintenance_capex_usd, &r.mra_contribution_usd, &r.mra_release_usd,
                  &r.mra_balance_usd, &r.equity_injection_usd, &r.tranche_drawdown_usd}) {
    v->assign(n, 0.0);
  }
  r.tranche.assign(n, DebtYear{});
  const RefreshSpec& f = e.refresh;
  FinancingSpec tranche_terms;
  tranche_terms.interest_rate = f.interest_rate;
  tranche_terms.tenor_years = f.tenor_years;
  tranche_terms.grace_years = 0;
  tranche_terms.repayment = f.repayment;
  tranche_terms.guarantee_fee_rate = f.guarantee_fee_rate;
  for (int bought = Li; bought < H; bought += Li) {
    const auto y = static_cast<std::size_t>(bought);
    r.capex_usd[y] = it_usd;
    r.last_fleet_year = bought;
    switch (f.funding) {
      case RefreshFunding::CashFlow:
        r.maintenance_capex_usd[y] = it_usd;
        break;
      case RefreshFunding::Equity:
        r.equity_injection_usd[y] = it_usd;
        break;
      case RefreshFunding::Reserve:
        // Filled over the life of the fleet being replaced, this year's share included, then released.
        for (int t = bought - Li + 1; t <= bought; ++t) r.mra_contribution_usd[static_cast<std::size_t>(t)] += it_usd / Li;
        r.mra_release_usd[y] = it_usd;
        break;
      case RefreshFunding::Debt: {
        const double lent = f.debt_share * it_usd;
        r.tranche_drawdown_usd[y] = lent;
        r.maintenance_capex_usd[y] = it_usd - lent;
        const std::vector<DebtYear> s = debt_schedule(tranche_terms, lent, H - bought);
        for (std::size_t k = 0; k < s.size(); ++k) {
          DebtYear& d = r.tranche[y + 1 + k];
          d.opening_usd += s[k].opening_usd;
          d.interest_usd += s[k].interest_usd;
          d.principal_usd += s[k].principal_usd;
          d.guarantee_fee_usd += s[k].guarantee_fee_usd;
          d.closing_usd += s[k].closing_usd;
        }
        r.tranche[y].closing_usd += lent;  // drawn at the end of the refresh year
        break;
      }
    }
  }
  double balance = 0.0;
  for (std::size_t t = 1; t < n; ++t) {
    balance += r.mra_contribution_usd[t] - r.mra_release_usd[t];
    r.mra_balance_usd[t] = balance;
  }
  return r;
}

DsraStep dsra_step(double balance_usd, double target_usd, double cash_after_debt_service_usd) {
  DsraStep s{0.0, balance_usd};
  const double available = cash_after_debt_service_usd;
  if (available < 0.0) {
    const double draw = std::min(s.balance_usd, -available);
    s.balance_usd -= draw;
    s.flow_usd -= draw;
  }
  if (s.balance_usd > target_usd) {
    s.flow_usd -= s.balance_usd - target_usd;
    s.balance_usd = target_usd;
  } else if (available > 0.0) {
    const double top_up = std::min(target_usd - s.balance_usd, available);
    s.balance_usd += top_up;
    s.flow_usd += top_up;
  }
  return s;
}

}  // namespace aidc
