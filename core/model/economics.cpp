#include "core/model/economics.hpp"

#include "core/model/economics_reserves.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace aidc {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kHoursPerYear = 8760.0;

// Tax with losses carried forward without limit: `loss` holds the unused losses between calls.
double tax_with_carry_forward(double taxable, double rate, double& loss) {
  if (taxable < 0.0) {
    loss += -taxable;
    return 0.0;
  }
  const double used = std::min(loss, taxable);
  loss -= used;
  return rate * (taxable - used);
}

}  // namespace

long long total_gpus(const EconomicsSpec& e) {
  long long n = 0;
  for (const SystemPrice& s : e.systems) n += static_cast<long long>(s.count) * s.gpus_per_system;
  return n;
}

CapexBreakdown initial_capex(const EconomicsSpec& e) {
  CapexBreakdown c;
  c.building_usd = e.construction_usd_per_w * e.design_it_w;
  for (const SystemPrice& s : e.systems) c.systems_usd += static_cast<double>(s.count) * s.price_usd;
  c.network_usd = e.network_share_of_systems * c.systems_usd;
  c.installation_usd = e.installation_share * (c.systems_usd + c.network_usd);
  c.spares_usd = e.spares_share * c.systems_usd;
  c.it_usd = c.systems_usd + c.network_usd + c.installation_usd + c.spares_usd;
  c.total_usd = c.building_usd + c.it_usd;
  return c;
}

double npv(double rate, std::span<const double> cash_flows) {
  double sum = 0.0;
  double factor = 1.0;
  for (double cf : cash_flows) {
    sum += cf / factor;
    factor *= 1.0 + rate;
  }
  return sum;
}

double irr(std::span<const double> cash_flows) {
  // Without a flow of each sign no rate makes NPV zero (and all-zero flows make every rate a root).
  const bool has_negative = std::any_of(cash_flows.begin(), cash_flows.end(), [](double x) { return x < 0.0; });
  const bool has_positive = std::any_of(cash_flows.begin(), cash_flows.end(), [](double x) { return x > 0.0; });
  if (!has_negative || !has_positive) return kNaN;
  // A grid fine near zero, where project returns live, and coarse far away. The first bracket from below is taken:
  // for conventional flows (outflows then inflows) NPV falls with the rate and there is one root.
  std::vector<double> grid;
  for (double r = -0.99; r < -0.5; r += 0.05) grid.push_back(r);
  for (double r = -0.5; r < 1.0; r += 0.01) grid.push_back(r);
  for (double r = 1.0; r <= 10.0; r += 0.25) grid.push_back(r);
  double lo = grid.front();
  double f_lo = npv(lo, cash_flows);
  for (std::size_t i = 1; i < grid.size(); ++i) {
    const double hi = grid[i];
    const double f_hi = npv(hi, cash_flows);
    if (f_lo == 0.0) return lo;
    if ((f_lo < 0.0) != (f_hi < 0.0)) {
      double a = lo, b = hi, fa = f_lo;
      for (int it = 0; it < 200 && b - a > 1e-14; ++it) {
        const double m = 0.5 * (a + b);
        const double fm = npv(m, cash_flows);
        if ((fm < 0.0) == (fa < 0.0)) {
          a = m;
          fa = fm;
        } else {
          b = m;
        }
      }
      return 0.5 * (a + b);
    }
    lo = hi;
    f_lo = f_hi;
  }
  return kNaN;
}

double payback_years(std::span<const double> cash_flows) {
  double cum = 0.0;
  for (std::size_t t = 0; t < cash_flows.size(); ++t) {
    const double before = cum;
    cum += cash_flows[t];
    if (cum >= 0.0 && t > 0 && before < 0.0) {
      return static_cast<double>(t - 1) + (-before) / cash_flows[t];
    }
    if (cum >= 0.0 && t == 0 && cash_flows[0] >= 0.0) return 0.0;
  }
  return kNaN;
}

namespace {

// Prices, volumes and currency of one operating year t (1..H).
struct YearTerms {
  double gpu_hour_price = 0.0;        // the workloads' (or all sold GPU-hours' without a fleet)
  double cloud_gpu_hour_price = 0.0;
  double token_price = 0.0;           // per million output tokens
  double volume = 1.0;                // ramp-up
  double revenue_fx = 1.0;            // USD value of the revenue mix after devaluation
  double opex_factor = 1.0;           // escalation x USD value of the opex mix
};

YearTerms year_terms(const EconomicsSpec& e, int t) {
  YearTerms y;
  const int age = (t - 1) % std::max(1, e.it_life_years);
  const double aged = std::pow(1.0 - e.gpu_hour_price_decline, age);
  const auto i = static_cast<std::size_t>(t - 1);
  y.gpu_hour_price = i < e.usd_per_gpu_hour_by_year.size() ? e.usd_per_gpu_hour_by_year[i] : e.usd_per_gpu_hour * aged;
  const double ratio = e.usd_per_gpu_hour > 0.0 ? y.gpu_hour_price / e.usd_per_gpu_hour : aged;
  y.cloud_gpu_hour_price = e.cloud_usd_per_gpu_hour * ratio;
  y.token_price = i < e.usd_per_million_tokens_by_year.size()
                      ? e.usd_per_million_tokens_by_year[i]
                      : e.usd_per_million_tokens * std::pow(1.0 - e.token_price_decline, t - 1);
  if (e.ramp_up_years > 0 && t <= e.ramp_up_years) {
    y.volume = e.ramp_up_start + (1.0 - e.ramp_up_start) * (t - 1) / e.ramp_up_years;
  }
  const LocalCurrencySpec& lc = e.local_currency;
  const double fx = std::pow(1.0 - lc.devaluation_per_year, t);
  y.revenue_fx = 1.0 - lc.revenue_share + lc.revenue_share * fx;
  y.opex_factor = std::pow(1.0 + e.opex_escalation, t - 1) * (1.0 - lc.opex_share + lc.opex_share * fx);
  return y;
}

// PV at COD of the CFADS left for the senior debt (after the refresh tranches' service) in operating years
// first_year..last_year.
double pv_senior_cfads(std::span<const CashFlowYear> years, double rate, int first_year, int last_year) {
  double pv = 0.0;
  for (const CashFlowYear& c : years) {
    if (c.year >= first_year && c.year <= last_year) {
      pv += (c.cfads_usd - c.refresh_debt_service_usd) / std::pow(1.0 + rate, c.year);
    }
  }
  return pv;
}

}  // namespace

EconomicsResult evaluate_economics(const EconomicsSpec& e, const OperatingInputs& ops) {
  return evaluate_economics(e, ops, size_debt(e, ops));
}

EconomicsResult evaluate_economics(const EconomicsSpec& e, const OperatingInputs& ops, const DebtPlan& plan) {
  EconomicsResult out;
  const int H = e.horizon_years;
  const CapexBreakdown cap = initial_capex(e);
  out.capex = cap;

  OpexBreakdown& o = out.opex;
  o.energy_usd = ops.energy_cost_usd_per_year;
  o.water_usd = ops.water_m3_per_year * ops.water_price_usd_per_m3;
  o.staff_usd = e.staff_usd_per_year;
  o.maintenance_usd = e.maintenance_rate_building * cap.building_usd + e.maintenance_rate_it * cap.it_usd;
  o.insurance_usd = e.insurance_rate * cap.total_usd;
  o.total_usd = o.energy_usd + o.water_usd + o.staff_usd + o.maintenance_usd + o.insurance_usd;

  // Volumes at the target: the workloads' GPU-hours (or sold_fraction of all without a fleet), and with a fleet
  // the healthy GPU-hours no workload holds, sold_fraction of them as GPU cloud.
  const double installed_hours = static_cast<double>(total_gpus(e)) * kHoursPerYear;
  const bool fleet = ops.gpu_hours_sold_per_year >= 0.0;
  const double workload_hours = fleet ? ops.gpu_hours_sold_per_year : installed_hours * e.sold_fraction;
  const double healthy_hours = fleet && ops.healthy_gpu_hours_per_year >= 0.0 ? ops.healthy_gpu_hours_per_year
                                                                               : installed_hours;
  const double cloud_hours = fleet && ops.healthy_gpu_hours_per_year >= 0.0
                                 ? std::max(0.0, healthy_hours - workload_hours) * e.sold_fraction
                                 : 0.0;
  out.gpu_hours_sold_per_year = workload_hours + cloud_hours;
  out.workload_gpu_hours_per_year = workload_hours;
  out.cloud_gpu_hours_per_year = cloud_hours;
  out.million_tokens_per_year = ops.million_tokens_per_year;
  out.water_m3_per_year = ops.water_m3_per_year;
  out.revenue_usd_per_year = workload_hours * e.usd_per_gpu_hour + cloud_hours * e.cloud_usd_per_gpu_hour +
                             ops.million_tokens_per_year * e.usd_per_million_tokens;
  const bool workload_hours_earn = e.usd_per_gpu_hour > 0.0 || ops.million_tokens_per_year > 0.0;
  const double earning_hours = (workload_hours_earn ? workload_hours : 0.0) +
                               (e.cloud_usd_per_gpu_hour > 0.0 ? cloud_hours : 0.0);
  out.earning_share = healthy_hours > 0.0 ? earning_hours / healthy_hours : kNaN;

  // Construction and the senior debt at COD.
  const FinancingSpec& f = e.financing;
  const double s = plan.share;
  const ConstructionSchedule cs =
      construction_schedule(e.construction, cap.total_usd, f.interest_rate, f.commitment_fee_rate);
  const int C = static_cast<int>(cs.capex_usd.size());
  out.construction_years = C;
  out.idc_usd = s * cs.idc_total_usd;
  const double debt = s * (cap.total_usd + cs.idc_total_usd);
  out.senior_debt_usd = debt;
  out.gearing = cap.total_usd + out.idc_usd > 0.0 ? debt / (cap.total_usd + out.idc_usd) : 0.0;
  const std::vector<DebtYear> senior = plan.principal_usd.empty()
                                           ? debt_schedule(f, debt, H)
                                           : debt_schedule_from_principal(f, debt, plan.principal_usd, H);
  const RefreshFlows refresh = refresh_flows(e, cap.it_usd);
  // Debt service by operating year (index 1..H+1; H+1 = 0), for the DSRA's target.
  std::vector<double> service(static_cast<std::size_t>(H) + 2, 0.0);
  for (int t = 1; t <= H; ++t) {
    const DebtYear& d = senior[static_cast<std::size_t>(t - 1)];
    const DebtYear& r = refresh.tranche[static_cast<std::size_t>(t)];
    service[static_cast<std::size_t>(t)] = d.interest_usd + d.principal_usd + d.guarantee_fee_usd + r.interest_usd +
                                           r.principal_usd + r.guarantee_fee_usd;
  }
  const double dsra_share = e.dsra.months / 12.0;

  // Depreciation: the building straight over its life; each IT fleet (COD and every refresh) over the IT life.
  const int Lb = std::max(1, e.building_life_years);
  const int Li = std::max(1, e.it_life_years);
  std::vector<double> depreciation(static_cast<std::size_t>(H) + 1, 0.0);
  for (int y = 1; y <= std::min(H, Lb); ++y) depreciation[static_cast<std::size_t>(y)] += cap.building_usd / Lb;
  for (int bought = 0; bought < H; bought += Li) {
    for (int y = bought + 1; y <= std::min(H, bought + Li); ++y) {
      depreciation[static_cast<std::size_t>(y)] += cap.it_usd / Li;
    }
  }
  double terminal = 0.0;
  if (e.terminal_book_value) {
    terminal += cap.building_usd * std::max(0.0, 1.0 - static_cast<double>(H) / Lb);
    terminal += cap.it_usd * std::max(0.0, 1.0 - static_cast<double>(H - refresh.last_fleet_year) / Li);
  }

  out.years.reserve(static_cast<std::size_t>(C + H));
  double outstanding = 0.0;
  double dsra = 0.0;
  for (int i = 0; i < C; ++i) {
    const auto k = static_cast<std::size_t>(i);
    CashFlowYear c;
    c.year = i - (C - 1);
    c.capex_usd = cs.capex_usd[k];
    c.senior_debt_drawdown_usd = s * c.capex_usd;
    c.equity_drawdown_usd = c.capex_usd - c.senior_debt_drawdown_usd;
    c.idc_usd = s * cs.idc_usd[k];
    c.financing_fees_usd = s * cs.commitment_fee_usd[k] + (i == 0 ? f.upfront_fee_rate * debt : 0.0);
    outstanding += c.senior_debt_drawdown_usd + c.idc_usd;
    c.debt_outstanding_usd = i == C - 1 ? debt : outstanding;
    if (i == C - 1 && e.dsra.funding == "close") {
      c.dsra_flow_usd = dsra_share * service[1];  // the sponsor funds the reserve at COD
      dsra = c.dsra_flow_usd;
    }
    c.dsra_balance_usd = dsra;
    c.project_cash_flow_usd = -c.capex_usd;
    c.equity_cash_flow_usd = -c.equity_drawdown_usd - c.financing_fees_usd - c.dsra_flow_usd;
    c.dscr = kNaN;
    out.years.push_back(c);
  }

  double loss_levered = 0.0, loss_unlevered = 0.0;
  for (int t = 1; t <= H; ++t) {
    const auto k = static_cast<std::size_t>(t);
    const DebtYear& d = senior[k - 1];
    const DebtYear& r = refresh.tranche[k];
    const YearTerms y = year_terms(e, t);
    CashFlowYear c;
    c.year = t;
    c.capex_usd = refresh.capex_usd[k];
    c.refresh_debt_drawdown_usd = refresh.tranche_drawdown_usd[k];
    c.mra_release_usd = refresh.mra_release_usd[k];
    c.equity_injection_usd = refresh.equity_injection_usd[k];
    c.maintenance_capex_usd = refresh.maintenance_capex_usd[k];
    c.sold_volume_factor = y.volume;
    c.gpu_hours_sold = y.volume * out.gpu_hours_sold_per_year;
    c.revenue_workloads_usd = y.volume * workload_hours * y.gpu_hour_price * y.revenue_fx;
    c.revenue_cloud_usd = y.volume * cloud_hours * y.cloud_gpu_hour_price * y.revenue_fx;
    c.revenue_tokens_usd = y.volume * ops.million_tokens_per_year * y.token_price * y.revenue_fx;
    c.revenue_usd = c.revenue_workloads_usd + c.revenue_cloud_usd + c.revenue_tokens_usd;
    c.opex_usd = o.total_usd * y.opex_factor;
    c.ebitda_usd = c.revenue_usd - c.opex_usd;
    c.depreciation_usd = depreciation[k];
    c.interest_usd = d.interest_usd + r.interest_usd;
    c.principal_usd = d.principal_usd + r.principal_usd;
    c.guarantee_fee_usd = d.guarantee_fee_usd + r.guarantee_fee_usd;
    c.debt_service_usd = service[k];
    c.refresh_debt_service_usd = r.interest_usd + r.principal_usd + r.guarantee_fee_usd;
    c.debt_outstanding_usd = d.closing_usd + r.closing_usd;
    c.tax_usd = tax_with_carry_forward(c.ebitda_usd - c.depreciation_usd - c.interest_usd - c.guarantee_fee_usd,
                                       e.tax_rate, loss_levered);
    const double tax_unlevered =
        tax_with_carry_forward(c.ebitda_usd - c.depreciation_usd, e.tax_rate, loss_unlevered);
    c.mra_contribution_usd = refresh.mra_contribution_usd[k];
    c.mra_balance_usd = refresh.mra_balance_usd[k];
    c.cfads_usd = c.ebitda_usd - c.tax_usd - c.maintenance_capex_usd - c.mra_contribution_usd;
    const DsraStep step = dsra_step(dsra, dsra_share * service[k + 1], c.cfads_usd - c.debt_service_usd);
    dsra = step.balance_usd;
    c.dsra_flow_usd = step.flow_usd;
    c.dsra_balance_usd = dsra;
    c.terminal_value_usd = t == H ? terminal : 0.0;
    // What is left in the maintenance reserve at the horizon goes back to the sponsor.
    const double mra_left = t == H ? c.mra_balance_usd : 0.0;
    c.equity_cash_flow_usd = c.cfads_usd - c.debt_service_usd - c.dsra_flow_usd - c.equity_injection_usd +
                             c.terminal_value_usd + mra_left;
    c.project_cash_flow_usd = c.ebitda_usd - c.capex_usd - tax_unlevered + c.terminal_value_usd;
    c.dscr = c.debt_service_usd > 0.0 ? c.cfads_usd / c.debt_service_usd : kNaN;
    out.sponsor_equity_injection_usd += c.equity_injection_usd;
    out.refresh_capex_usd += c.capex_usd;
    out.years.push_back(c);
  }

  std::vector<double> project_cf, equity_cf, costs, hours, tokens, dscrs;
  for (const CashFlowYear& c : out.years) {
    project_cf.push_back(c.project_cash_flow_usd);
    equity_cf.push_back(c.equity_cash_flow_usd);
    costs.push_back(c.capex_usd + c.opex_usd - c.terminal_value_usd);
    hours.push_back(c.gpu_hours_sold);
    tokens.push_back(c.year >= 1 ? c.sold_volume_factor * ops.million_tokens_per_year : 0.0);
    if (!std::isnan(c.dscr)) {
      if (dscrs.empty() || c.dscr < out.min_dscr) {
        out.min_dscr = c.dscr;
        out.min_dscr_year = c.year;
      }
      dscrs.push_back(c.dscr);
    }
  }
  out.project_npv_usd = npv(e.discount_rate, project_cf);
  out.equity_npv_usd = npv(e.equity_discount_rate, equity_cf);
  out.project_irr = irr(project_cf);
  out.equity_irr = irr(equity_cf);
  out.payback_years = payback_years(project_cf);
  if (dscrs.empty()) out.min_dscr = kNaN;
  out.avg_dscr = dscrs.empty() ? kNaN : std::accumulate(dscrs.begin(), dscrs.end(), 0.0) / dscrs.size();
  const std::span<const CashFlowYear> years(out.years);
  out.llcr = debt > 0.0 ? pv_senior_cfads(years, f.interest_rate, 1, std::min(f.tenor_years, H)) / debt : kNaN;
  out.plcr = debt > 0.0 ? pv_senior_cfads(years, f.interest_rate, 1, H) / debt : kNaN;
  const double pv_costs = npv(e.discount_rate, costs);
  const double pv_hours = npv(e.discount_rate, hours);
  const double pv_tokens = npv(e.discount_rate, tokens);
  out.levelized_usd_per_gpu_hour = pv_hours > 0.0 ? pv_costs / pv_hours : kNaN;
  out.levelized_usd_per_million_tokens = pv_tokens > 0.0 ? pv_costs / pv_tokens : kNaN;
  return out;
}

}  // namespace aidc
