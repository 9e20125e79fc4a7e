// Senior debt: repayment schedules, sizing by share or by sculpting to a target DSCR, and one debt plan for every
// replication (core/model/economics.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/model/economics.hpp"

namespace aidc {

std::vector<DebtYear> debt_schedule(const FinancingSpec& f, double principal_usd, int horizon_years) {
  std::vector<DebtYear> out(static_cast<std::size_t>(std::max(0, horizon_years)));
  const double r = f.interest_rate;
  const int repay_years = f.tenor_years - f.grace_years;
  double balance = principal_usd;
  for (int y = 1; y <= horizon_years; ++y) {
    DebtYear& d = out[static_cast<std::size_t>(y - 1)];
    d.opening_usd = balance;
    if (balance <= 0.0 || y > f.tenor_years) {
      d.closing_usd = balance;
      continue;
    }
    d.interest_usd = balance * r;
    d.guarantee_fee_usd = balance * f.guarantee_fee_rate;
    if (y > f.grace_years) {
      const int left = f.tenor_years - y + 1;  // payments left, this one included
      if (y == f.tenor_years) {
        d.principal_usd = balance;  // the last payment clears the loan exactly (no rounding residue)
      } else if (f.repayment == "straight") {
        d.principal_usd = principal_usd / repay_years;
      } else {
        // Level payment on the remaining balance over the remaining years; recomputed each year it stays level.
        const double payment = r == 0.0 ? balance / left : balance * r / (1.0 - std::pow(1.0 + r, -left));
        d.principal_usd = payment - d.interest_usd;
      }
    }
    balance -= d.principal_usd;
    d.closing_usd = balance;
  }
  return out;
}

std::vector<DebtYear> debt_schedule_from_principal(const FinancingSpec& f, double debt_usd,
                                                   std::span<const double> principal_usd, int horizon_years) {
  std::vector<DebtYear> out(static_cast<std::size_t>(std::max(0, horizon_years)));
  double balance = debt_usd;
  for (int y = 1; y <= horizon_years; ++y) {
    DebtYear& d = out[static_cast<std::size_t>(y - 1)];
    d.opening_usd = balance;
    if (balance <= 0.0 || y > f.tenor_years) {
      d.closing_usd = balance;
      continue;
    }
    d.interest_usd = balance * f.interest_rate;
    d.guarantee_fee_usd = balance * f.guarantee_fee_rate;
    const auto i = static_cast<std::size_t>(y - 1);
    d.principal_usd = y == f.tenor_years ? balance : (i < principal_usd.size() ? principal_usd[i] : 0.0);
    balance -= d.principal_usd;
    d.closing_usd = balance;
  }
  return out;
}

namespace {

// Capex + IDC at debt share 1: the debt at COD is the share times this.
double debt_base_usd(const EconomicsSpec& e) {
  const double capex = initial_capex(e).total_usd;
  const FinancingSpec& f = e.financing;
  return capex + construction_schedule(e.construction, capex, f.interest_rate, f.commitment_fee_rate).idc_total_usd;
}

// The largest debt share whose gearing (debt / (capex + IDC at that share)) is at most `max_gearing`.
double share_at_gearing(const EconomicsSpec& e, double max_gearing) {
  const double capex = initial_capex(e).total_usd;
  const double idc1 = debt_base_usd(e) - capex;
  const double denominator = capex + (1.0 - max_gearing) * idc1;
  return denominator > 0.0 ? std::min(1.0, max_gearing * capex / denominator) : 0.0;
}

}  // namespace

DebtPlan size_debt(const EconomicsSpec& e, const OperatingInputs& ops) {
  const FinancingSpec& f = e.financing;
  if (f.sizing != DebtSizing::Sculpted) return {f.debt_share, {}};
  const int H = e.horizon_years;
  const int T = std::min(f.tenor_years, H);
  const double base = debt_base_usd(e);
  const double cap_share = share_at_gearing(e, f.max_gearing);
  const double k = f.interest_rate + f.guarantee_fee_rate;  // what each dollar outstanding costs a year
  DebtPlan plan{0.0, {}};
  double debt = -1.0;
  // CFADS depends on the debt through the tax shield of its interest: size, re-evaluate, size again.
  for (int iteration = 0; iteration < 50; ++iteration) {
    const EconomicsResult r = evaluate_economics(e, ops, plan);
    std::vector<double> service(static_cast<std::size_t>(H) + 1, 0.0);
    double pv = 0.0;
    for (int t = f.grace_years + 1; t <= T; ++t) {
      const CashFlowYear& c = r.years[static_cast<std::size_t>(r.construction_years + t - 1)];
      service[static_cast<std::size_t>(t)] = std::max(0.0, c.cfads_usd / f.target_dscr - c.refresh_debt_service_usd);
      pv += service[static_cast<std::size_t>(t)] / std::pow(1.0 + k, t - f.grace_years);
    }
    double share = base > 0.0 ? pv / base : 0.0;
    if (share > cap_share) {
      for (double& s : service) s *= cap_share / share;
      share = cap_share;
    }
    const double sized = share * base;
    plan.share = share;
    plan.principal_usd.assign(static_cast<std::size_t>(H), 0.0);
    double balance = sized;
    for (int t = f.grace_years + 1; t <= T; ++t) {
      const double principal = service[static_cast<std::size_t>(t)] - balance * k;
      plan.principal_usd[static_cast<std::size_t>(t - 1)] = principal;
      balance -= principal;
    }
    const bool converged = std::abs(sized - debt) <= 1e-9 * std::max(1.0, sized);
    debt = sized;
    if (converged) break;
  }
  return plan;
}

std::vector<EconomicsResult> evaluate_replications(const EconomicsSpec& e, const std::vector<OperatingInputs>& ops,
                                                   int* sizing_replication) {
  return evaluate_replications(std::span<const EconomicsSpec>(&e, 1), ops, sizing_replication);
}

std::vector<EconomicsResult> evaluate_replications(std::span<const EconomicsSpec> specs,
                                                   const std::vector<OperatingInputs>& ops, int* sizing_replication) {
  // One spec serves every replication; otherwise one each.
  auto spec = [&](std::size_t i) -> const EconomicsSpec& { return specs.size() == 1 ? specs[0] : specs[i]; };
  std::vector<EconomicsResult> out;
  out.reserve(ops.size());
  if (sizing_replication) *sizing_replication = -1;
  if (specs.empty() || spec(0).financing.sizing != DebtSizing::Sculpted || ops.empty()) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
      out.push_back(evaluate_economics(spec(i), ops[i], {spec(i).financing.debt_share, {}}));
    }
    return out;
  }
  // The sizing case: the replication at the chosen quantile of the PV of pre-financing CFADS over the tenor.
  const FinancingSpec& f = spec(0).financing;
  std::vector<double> pv(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const EconomicsSpec& e = spec(i);
    const EconomicsResult r = evaluate_economics(e, ops[i], {0.0, {}});
    for (int t = 1; t <= std::min(e.financing.tenor_years, e.horizon_years); ++t) {
      pv[i] += r.years[static_cast<std::size_t>(r.construction_years + t - 1)].cfads_usd /
               std::pow(1.0 + e.financing.interest_rate, t);
    }
  }
  std::vector<std::size_t> order(ops.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pv[a] < pv[b]; });
  // "p90" is the lenders' P90: the CFADS exceeded in 90 % of the replications, i.e. the 10th percentile.
  const double q = f.sizing_case == "p90" ? 0.1 : f.sizing_case == "p10" ? 0.9 : 0.5;
  const std::size_t chosen = order[static_cast<std::size_t>(std::floor(q * static_cast<double>(ops.size() - 1)))];
  if (sizing_replication) *sizing_replication = static_cast<int>(chosen);
  const DebtPlan plan = size_debt(spec(chosen), ops[chosen]);
  for (std::size_t i = 0; i < ops.size(); ++i) out.push_back(evaluate_economics(spec(i), ops[i], plan));
  return out;
}

}  // namespace aidc
