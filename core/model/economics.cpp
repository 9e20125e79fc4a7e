#include "core/model/economics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

EconomicsResult evaluate_economics(const EconomicsSpec& e, const OperatingInputs& ops) {
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

  out.gpu_hours_sold_per_year = ops.gpu_hours_sold_per_year >= 0.0
                                    ? ops.gpu_hours_sold_per_year
                                    : static_cast<double>(total_gpus(e)) * kHoursPerYear * e.sold_fraction;
  out.revenue_usd_per_year =
      out.gpu_hours_sold_per_year * e.usd_per_gpu_hour + ops.million_tokens_per_year * e.usd_per_million_tokens;

  const FinancingSpec& f = e.financing;
  const double debt = f.debt_share * cap.total_usd;
  const std::vector<DebtYear> schedule = debt_schedule(f, debt, H);

  // Depreciation: the building straight over its life; each IT fleet (year 0 and every refresh) over the IT life.
  const int Lb = std::max(1, e.building_life_years);
  const int Li = std::max(1, e.it_life_years);
  std::vector<double> depreciation(static_cast<std::size_t>(H) + 1, 0.0);
  std::vector<double> refresh(static_cast<std::size_t>(H) + 1, 0.0);
  for (int y = 1; y <= std::min(H, Lb); ++y) depreciation[static_cast<std::size_t>(y)] += cap.building_usd / Lb;
  int last_fleet_year = 0;
  for (int bought = 0; bought < H; bought += Li) {
    if (bought > 0) refresh[static_cast<std::size_t>(bought)] = cap.it_usd;
    last_fleet_year = bought;
    for (int y = bought + 1; y <= std::min(H, bought + Li); ++y) {
      depreciation[static_cast<std::size_t>(y)] += cap.it_usd / Li;
    }
  }
  double terminal = 0.0;
  if (e.terminal_book_value) {
    terminal += cap.building_usd * std::max(0.0, 1.0 - static_cast<double>(H) / Lb);
    terminal += cap.it_usd * std::max(0.0, 1.0 - static_cast<double>(H - last_fleet_year) / Li);
  }

  std::vector<double> project_cf, equity_cf, costs, hours;
  double loss_levered = 0.0, loss_unlevered = 0.0;
  double min_dscr = kNaN;
  out.years.reserve(static_cast<std::size_t>(H) + 1);
  {
    CashFlowYear y0;
    y0.year = 0;
    y0.capex_usd = cap.total_usd;
    y0.debt_outstanding_usd = debt;
    y0.project_cash_flow_usd = -cap.total_usd;
    y0.equity_cash_flow_usd = -cap.total_usd + debt - f.upfront_fee_rate * debt;
    y0.dscr = kNaN;
    out.years.push_back(y0);
  }
  for (int y = 1; y <= H; ++y) {
    const DebtYear& d = schedule[static_cast<std::size_t>(y - 1)];
    CashFlowYear c;
    c.year = y;
    c.capex_usd = refresh[static_cast<std::size_t>(y)];
    c.revenue_usd = out.revenue_usd_per_year;
    c.opex_usd = o.total_usd;
    c.ebitda_usd = c.revenue_usd - c.opex_usd;
    c.depreciation_usd = depreciation[static_cast<std::size_t>(y)];
    c.interest_usd = d.interest_usd;
    c.principal_usd = d.principal_usd;
    c.guarantee_fee_usd = d.guarantee_fee_usd;
    c.debt_service_usd = d.interest_usd + d.principal_usd + d.guarantee_fee_usd;
    c.debt_outstanding_usd = d.closing_usd;
    c.tax_usd = tax_with_carry_forward(c.ebitda_usd - c.depreciation_usd - c.interest_usd - c.guarantee_fee_usd,
                                       e.tax_rate, loss_levered);
    const double tax_unlevered =
        tax_with_carry_forward(c.ebitda_usd - c.depreciation_usd, e.tax_rate, loss_unlevered);
    c.terminal_value_usd = y == H ? terminal : 0.0;
    c.equity_cash_flow_usd = c.ebitda_usd - c.capex_usd - c.debt_service_usd - c.tax_usd + c.terminal_value_usd;
    c.project_cash_flow_usd = c.ebitda_usd - c.capex_usd - tax_unlevered + c.terminal_value_usd;
    c.dscr = c.debt_service_usd > 0.0 ? (c.ebitda_usd - c.tax_usd) / c.debt_service_usd : kNaN;
    if (!std::isnan(c.dscr)) min_dscr = std::isnan(min_dscr) ? c.dscr : std::min(min_dscr, c.dscr);
    out.years.push_back(c);
  }
  for (const CashFlowYear& c : out.years) {
    project_cf.push_back(c.project_cash_flow_usd);
    equity_cf.push_back(c.equity_cash_flow_usd);
    costs.push_back(c.capex_usd + c.opex_usd - c.terminal_value_usd);
    hours.push_back(c.year == 0 ? 0.0 : out.gpu_hours_sold_per_year);
  }
  out.project_npv_usd = npv(e.discount_rate, project_cf);
  out.equity_npv_usd = npv(e.equity_discount_rate, equity_cf);
  out.project_irr = irr(project_cf);
  out.equity_irr = irr(equity_cf);
  out.payback_years = payback_years(project_cf);
  out.min_dscr = min_dscr;
  const double pv_hours = npv(e.discount_rate, hours);
  out.levelized_usd_per_gpu_hour = pv_hours > 0.0 ? npv(e.discount_rate, costs) / pv_hours : kNaN;
  return out;
}

}  // namespace aidc
