// Lender-grade project finance (core/model/economics.hpp): CFADS, how a refresh is paid, cover ratios,
// construction with interest during construction, sculpted debt, revenue paths. Every expected value is
// computed by hand in the test.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/model/economics.hpp"
#include "core/model/economics_reserves.hpp"
#include "core/run/economics_outputs.hpp"

using namespace aidc;

namespace {

constexpr double kHours = 8760.0;

// One 1-GPU "system" costing `capex`; no building, shares, opex or tax. The GPU sells every hour, so the revenue
// per year is `revenue` (usd_per_gpu_hour = revenue / 8760). IT lives `it_life` years.
EconomicsSpec lender_spec(double capex, double revenue, int horizon, int it_life) {
  EconomicsSpec e;
  e.enabled = true;
  e.horizon_years = horizon;
  e.discount_rate = 0.10;
  e.equity_discount_rate = 0.10;
  e.systems = {{"gpu", 1, 1, capex}};
  e.usd_per_gpu_hour = revenue / kHours;
  e.cloud_usd_per_gpu_hour = e.usd_per_gpu_hour;
  e.sold_fraction = 1.0;
  e.it_life_years = it_life;
  e.building_life_years = 25;
  e.terminal_book_value = false;
  FinancingSpec& f = e.financing;
  f.debt_share = 0.5;
  f.interest_rate = 0.10;
  f.tenor_years = horizon;
  f.grace_years = 0;
  f.repayment = "annuity";
  return e;
}

double annuity_payment(double principal, double rate, int years) {
  return principal * rate / (1.0 - std::pow(1.0 + rate, -years));
}

const CashFlowYear& year_of(const EconomicsResult& r, int year) {
  for (const CashFlowYear& c : r.years) {
    if (c.year == year) return c;
  }
  FAIL("no year " << year);
  return r.years.front();
}

void check_capex_sources_add_up(const EconomicsResult& r) {
  for (const CashFlowYear& c : r.years) {
    INFO("year " << c.year);
    CHECK(c.senior_debt_drawdown_usd + c.equity_drawdown_usd + c.refresh_debt_drawdown_usd + c.mra_release_usd +
              c.equity_injection_usd + c.maintenance_capex_usd ==
          Approx(c.capex_usd).margin(1e-9));
  }
}

}  // namespace

TEST_CASE("a refresh paid from cash flow is deducted from CFADS and lowers that year's DSCR") {
  // 1000 of capex, 1500 a year of revenue, IT refreshed at the end of year 2 of 4; debt 500 over 4 years at 10 %.
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.refresh.funding = RefreshFunding::CashFlow;
  const EconomicsResult r = evaluate_economics(e, {});
  const double service = annuity_payment(500.0, 0.10, 4);  // 157.74
  CHECK(year_of(r, 2).capex_usd == Approx(1000.0));
  CHECK(year_of(r, 2).maintenance_capex_usd == Approx(1000.0));
  CHECK(year_of(r, 1).cfads_usd == Approx(1500.0));
  CHECK(year_of(r, 2).cfads_usd == Approx(500.0));
  CHECK(year_of(r, 2).dscr == Approx(500.0 / service));
  CHECK(year_of(r, 3).dscr == Approx(1500.0 / service));
  CHECK(r.min_dscr == Approx(500.0 / service));
  CHECK(r.avg_dscr == Approx((3 * 1500.0 + 500.0) / 4 / service));
  check_capex_sources_add_up(r);
}

TEST_CASE("CFADS is EBITDA less tax, unfunded capex and reserve contributions") {
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.tax_rate = 0.2;
  e.staff_usd_per_year = 100.0;
  e.refresh.funding = RefreshFunding::CashFlow;
  const EconomicsResult r = evaluate_economics(e, {});
  for (const CashFlowYear& c : r.years) {
    if (c.year < 1) continue;
    INFO("year " << c.year);
    CHECK(c.ebitda_usd == Approx(1400.0));
    CHECK(c.cfads_usd == Approx(c.ebitda_usd - c.tax_usd - c.maintenance_capex_usd - c.mra_contribution_usd));
  }
  // Year 1: taxable = 1400 - depreciation 500 - interest 50 = 850, tax 170.
  CHECK(year_of(r, 1).tax_usd == Approx(0.2 * (1400.0 - 500.0 - 50.0)));
  CHECK(year_of(r, 1).cfads_usd == Approx(1400.0 - 170.0));
}

TEST_CASE("a refresh paid by sponsor equity leaves CFADS whole and is flagged as the sponsor's funding need") {
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.refresh.funding = RefreshFunding::Equity;
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(year_of(r, 2).equity_injection_usd == Approx(1000.0));
  CHECK(year_of(r, 2).maintenance_capex_usd == 0.0);
  CHECK(year_of(r, 2).cfads_usd == Approx(1500.0));
  CHECK(r.sponsor_equity_injection_usd == Approx(1000.0));
  check_capex_sources_add_up(r);
  Scenario s;
  s.economics = e;
  bool flagged = false;
  for (const InputWarning& w : economics_run_warnings(s, r)) {
    flagged = flagged || (w.json_path == "/economics/refresh/funding" && w.message.find("sponsor") != std::string::npos);
  }
  CHECK(flagged);
}

TEST_CASE("a maintenance reserve is filled from CFADS over the fleet's life and released at the refresh") {
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.refresh.funding = RefreshFunding::Reserve;
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(year_of(r, 1).mra_contribution_usd == Approx(500.0));
  CHECK(year_of(r, 1).mra_balance_usd == Approx(500.0));
  CHECK(year_of(r, 2).mra_contribution_usd == Approx(500.0));
  CHECK(year_of(r, 2).mra_release_usd == Approx(1000.0));
  CHECK(year_of(r, 2).mra_balance_usd == Approx(0.0));
  CHECK(year_of(r, 3).mra_contribution_usd == 0.0);  // the last fleet is not replaced inside the horizon
  CHECK(year_of(r, 1).cfads_usd == Approx(1000.0));
  CHECK(year_of(r, 2).cfads_usd == Approx(1000.0));
  CHECK(year_of(r, 3).cfads_usd == Approx(1500.0));
  check_capex_sources_add_up(r);
}

TEST_CASE("a refresh tranche lends its share of the refresh and adds its own debt service") {
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.refresh.funding = RefreshFunding::Debt;
  e.refresh.debt_share = 0.5;
  e.refresh.interest_rate = 0.10;
  e.refresh.tenor_years = 2;
  const EconomicsResult r = evaluate_economics(e, {});
  const double senior = annuity_payment(500.0, 0.10, 4);
  const double tranche = annuity_payment(500.0, 0.10, 2);
  CHECK(year_of(r, 2).refresh_debt_drawdown_usd == Approx(500.0));
  CHECK(year_of(r, 2).maintenance_capex_usd == Approx(500.0));
  CHECK(year_of(r, 2).cfads_usd == Approx(1000.0));
  CHECK(year_of(r, 3).refresh_debt_service_usd == Approx(tranche));
  CHECK(year_of(r, 3).debt_service_usd == Approx(senior + tranche));
  CHECK(year_of(r, 3).dscr == Approx(1500.0 / (senior + tranche)));
  CHECK(year_of(r, 4).debt_outstanding_usd == Approx(0.0).margin(1e-9));
  // The worst years are those repaying both loans (3 and 4, equal up to rounding), not the refresh year, and the
  // senior's LLCR counts only the CFADS the tranche leaves: 1500, 1000, 1500 - tranche, 1500 - tranche over 500.
  CHECK(r.min_dscr == Approx(1500.0 / (senior + tranche)));
  CHECK((r.min_dscr_year == 3 || r.min_dscr_year == 4));
  const double pv = 1500.0 / 1.1 + 1000.0 / 1.21 + (1500.0 - tranche) / std::pow(1.1, 3) +
                    (1500.0 - tranche) / std::pow(1.1, 4);
  CHECK(r.llcr == Approx(pv / 500.0));
  check_capex_sources_add_up(r);
}

TEST_CASE("LLCR and PLCR are the PV of CFADS at the debt rate over the senior debt at COD") {
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 10);  // no refresh inside the horizon
  e.horizon_years = 6;
  e.financing.tenor_years = 4;
  const EconomicsResult r = evaluate_economics(e, {});
  double pv4 = 0.0, pv6 = 0.0;
  for (int t = 1; t <= 6; ++t) {
    if (t <= 4) pv4 += 1500.0 / std::pow(1.1, t);
    pv6 += 1500.0 / std::pow(1.1, t);
  }
  CHECK(r.senior_debt_usd == Approx(500.0));
  CHECK(r.llcr == Approx(pv4 / 500.0));  // 9.51
  CHECK(r.plcr == Approx(pv6 / 500.0));
}

TEST_CASE("interest during construction is capitalised monthly and commitment fees are paid on the undrawn facility") {
  // 100 of capex over 2 months (50 a month) at 12 %/yr (1 % a month), all debt:
  // month 1: interest (0 + 50) x 1 % = 0.5; month 2: (50.5 + 50) x 1 % = 1.005; IDC 1.505, facility 101.505.
  EconomicsSpec e = lender_spec(100.0, 100.0, 3, 10);
  e.construction.months = 2;
  e.financing.interest_rate = 0.12;
  e.financing.debt_share = 1.0;
  e.financing.commitment_fee_rate = 0.12;
  const ConstructionSchedule cs = construction_schedule(e.construction, 100.0, 0.12, 0.12);
  REQUIRE(cs.capex_usd.size() == 1);
  CHECK(cs.idc_total_usd == Approx(1.505));
  // Undrawn after each draw: 101.505 - 50 = 51.505, then 101.505 - 100.5 = 1.005; x 1 % a month.
  CHECK(cs.commitment_fee_usd[0] == Approx(0.51505 + 0.01005));
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(r.idc_usd == Approx(1.505));
  CHECK(r.senior_debt_usd == Approx(101.505));
  CHECK(r.gearing == Approx(1.0));
  // Half debt: IDC and fees halve (they are linear in the share).
  e.financing.debt_share = 0.5;
  const EconomicsResult half = evaluate_economics(e, {});
  CHECK(half.idc_usd == Approx(0.7525));
  CHECK(half.senior_debt_usd == Approx(50.0 + 0.7525));
  CHECK(half.gearing == Approx(50.7525 / 100.7525));
  CHECK(year_of(half, 0).financing_fees_usd == Approx(0.5 * (0.51505 + 0.01005)));
  check_capex_sources_add_up(half);
}

TEST_CASE("an 18-month construction fills two rows counted back from COD") {
  EconomicsSpec e = lender_spec(1800.0, 100.0, 3, 10);
  e.construction.months = 18;
  const EconomicsResult r = evaluate_economics(e, {});
  REQUIRE(r.construction_years == 2);
  CHECK(r.years[0].year == -1);
  CHECK(r.years[0].capex_usd == Approx(600.0));   // the first 6 months
  CHECK(r.years[1].capex_usd == Approx(1200.0));  // the 12 months before COD
  CHECK(r.years[2].year == 1);
  CHECK(r.years[1].debt_outstanding_usd == Approx(r.senior_debt_usd));
  // A by-year profile puts the given shares in each construction year.
  e.construction.profile = "by_year";
  e.construction.by_year = {0.25, 0.75};
  const EconomicsResult b = evaluate_economics(e, {});
  CHECK(b.years[0].capex_usd == Approx(450.0));
  CHECK(b.years[1].capex_usd == Approx(1350.0));
  // The S-curve spends most in the middle months.
  e.construction.profile = "s_curve";
  const std::vector<double> w = drawdown_shares(e.construction);
  CHECK(w[8] > w[0]);
  CHECK(w[8] > w[17]);
  double sum = 0.0;
  for (double x : w) sum += x;
  CHECK(sum == Approx(1.0));
}

TEST_CASE("sculpted debt is the PV of CFADS over the target DSCR at the debt rate") {
  // Textbook sculpting: CFADS 1500, 1200, 1800, 900; target 1.3; 10 %; no tax, fee or grace.
  const std::vector<double> cfads = {1500.0, 1200.0, 1800.0, 900.0};
  EconomicsSpec e = lender_spec(100000.0, 0.0, 4, 10);
  for (double c : cfads) e.usd_per_gpu_hour_by_year.push_back(c / kHours);
  e.usd_per_gpu_hour = 1500.0 / kHours;
  e.financing.sizing = DebtSizing::Sculpted;
  e.financing.target_dscr = 1.3;
  e.financing.max_gearing = 1.0;
  double debt = 0.0;
  for (int t = 1; t <= 4; ++t) debt += cfads[static_cast<std::size_t>(t - 1)] / 1.3 / std::pow(1.1, t);
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(r.senior_debt_usd == Approx(debt));
  for (int t = 1; t <= 4; ++t) {
    INFO("year " << t);
    CHECK(year_of(r, t).cfads_usd == Approx(cfads[static_cast<std::size_t>(t - 1)]));
    CHECK(year_of(r, t).dscr == Approx(1.3));
  }
  CHECK(year_of(r, 4).debt_outstanding_usd == Approx(0.0).margin(1e-6));
  CHECK(r.llcr == Approx(1.3));

  // Capped at the maximum gearing: the same profile scaled down, so every DSCR rises by the same factor.
  e.financing.max_gearing = 0.02;
  const EconomicsResult capped = evaluate_economics(e, {});
  CHECK(capped.senior_debt_usd == Approx(2000.0));
  CHECK(capped.gearing == Approx(0.02));
  CHECK(year_of(capped, 2).dscr == Approx(1.3 * debt / 2000.0));
}

TEST_CASE("sculpting converges with tax, whose interest shield depends on the debt") {
  EconomicsSpec e = lender_spec(10000.0, 3000.0, 6, 10);
  e.tax_rate = 0.25;
  e.financing.sizing = DebtSizing::Sculpted;
  e.financing.target_dscr = 1.4;
  e.financing.max_gearing = 1.0;
  e.financing.grace_years = 1;
  e.financing.guarantee_fee_rate = 0.01;
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(r.senior_debt_usd > 0.0);
  for (int t = 2; t <= 6; ++t) {
    INFO("year " << t);
    CHECK(year_of(r, t).dscr == Approx(1.4).epsilon(1e-6));
  }
  CHECK(year_of(r, 1).principal_usd == 0.0);  // grace: interest and fee only
  CHECK(year_of(r, 6).debt_outstanding_usd == Approx(0.0).margin(1e-6));
}

TEST_CASE("one debt plan sized on the sizing case serves every replication") {
  EconomicsSpec e = lender_spec(10000.0, 3000.0, 5, 10);
  e.financing.sizing = DebtSizing::Sculpted;
  e.financing.target_dscr = 1.3;
  e.financing.max_gearing = 1.0;
  std::vector<OperatingInputs> ops(5);
  for (std::size_t i = 0; i < ops.size(); ++i) ops[i].energy_cost_usd_per_year = 100.0 * static_cast<double>(i);
  int chosen = -1;
  const std::vector<EconomicsResult> rs = evaluate_replications(e, ops, &chosen);
  REQUIRE(rs.size() == 5);
  CHECK(chosen == 2);  // the median of the PV of CFADS
  for (const EconomicsResult& r : rs) CHECK(r.senior_debt_usd == Approx(rs[2].senior_debt_usd));
  CHECK(rs[2].min_dscr == Approx(1.3));
  CHECK(rs[0].min_dscr > 1.3);  // the cheapest energy: more CFADS for the same debt
  e.financing.sizing_case = "p90";
  evaluate_replications(e, ops, &chosen);
  CHECK(chosen == 4);  // the CFADS exceeded in 90 % of the cases: the most expensive energy
}

TEST_CASE("with a fleet the unallocated healthy GPU-hours are sold at sold_fraction at the cloud price") {
  EconomicsSpec e = lender_spec(1000.0, 0.0, 3, 10);
  e.usd_per_gpu_hour = 2.0;
  e.cloud_usd_per_gpu_hour = 1.0;
  e.sold_fraction = 0.5;
  OperatingInputs ops;
  ops.gpu_hours_sold_per_year = 1000.0;
  ops.healthy_gpu_hours_per_year = 3000.0;
  const EconomicsResult r = evaluate_economics(e, ops);
  CHECK(year_of(r, 1).revenue_workloads_usd == Approx(2000.0));
  CHECK(year_of(r, 1).revenue_cloud_usd == Approx(1000.0));  // (3000 - 1000) x 0.5 x 1 USD
  CHECK(r.gpu_hours_sold_per_year == Approx(2000.0));
  CHECK(r.earning_share == Approx(2000.0 / 3000.0));
}

TEST_CASE("less than half of the healthy GPU-hours earning revenue is warned about") {
  EconomicsSpec e = lender_spec(1000.0, 0.0, 3, 10);
  e.usd_per_gpu_hour = 2.0;
  e.sold_fraction = 0.0;
  OperatingInputs ops;
  ops.gpu_hours_sold_per_year = 36.0;
  ops.healthy_gpu_hours_per_year = 1000.0;
  const EconomicsResult r = evaluate_economics(e, ops);
  CHECK(r.earning_share == Approx(0.036));
  Scenario s;
  s.economics = e;
  s.fleet.enabled = true;
  const std::vector<InputWarning> w = economics_run_warnings(s, r);
  REQUIRE_FALSE(w.empty());
  CHECK(w[0].json_path == "/economics/revenue");
  CHECK(w[0].message.find("3.6 %") != std::string::npos);
  e.sold_fraction = 0.8;  // the idle capacity sold as GPU cloud
  e.cloud_usd_per_gpu_hour = 1.0;
  CHECK(economics_run_warnings(s, evaluate_economics(e, ops)).empty());
}

TEST_CASE("GPU-hour prices decline with the fleet's age and reset when the IT is refreshed") {
  EconomicsSpec e = lender_spec(1000.0, kHours * 2.0, 6, 3);
  e.gpu_hour_price_decline = 0.1;
  e.refresh.funding = RefreshFunding::Equity;
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(year_of(r, 1).revenue_usd == Approx(kHours * 2.0));
  CHECK(year_of(r, 2).revenue_usd == Approx(kHours * 2.0 * 0.9));
  CHECK(year_of(r, 3).revenue_usd == Approx(kHours * 2.0 * 0.81));
  CHECK(year_of(r, 4).revenue_usd == Approx(kHours * 2.0));  // a new generation at the base price
}

TEST_CASE("ramp-up, opex escalation and devaluation shape the operating years") {
  EconomicsSpec e = lender_spec(1000.0, 1000.0, 4, 10);
  e.ramp_up_years = 2;
  e.ramp_up_start = 0.5;
  e.staff_usd_per_year = 100.0;
  e.opex_escalation = 0.1;
  e.local_currency = {0.5, 1.0, 0.2};  // half the revenue and all opex in a currency losing 20 % a year
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(year_of(r, 1).sold_volume_factor == Approx(0.5));
  CHECK(year_of(r, 2).sold_volume_factor == Approx(0.75));
  CHECK(year_of(r, 3).sold_volume_factor == Approx(1.0));
  CHECK(year_of(r, 1).revenue_usd == Approx(1000.0 * 0.5 * (0.5 + 0.5 * 0.8)));
  CHECK(year_of(r, 3).revenue_usd == Approx(1000.0 * (0.5 + 0.5 * std::pow(0.8, 3))));
  CHECK(year_of(r, 2).opex_usd == Approx(100.0 * 1.1 * 0.8 * 0.8));
}

TEST_CASE("the DSRA is funded at COD, drawn on a shortfall and released when the loan ends") {
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.refresh.funding = RefreshFunding::CashFlow;
  e.dsra.months = 6.0;
  e.dsra.funding = "close";
  const EconomicsResult r = evaluate_economics(e, {});
  const double service = annuity_payment(500.0, 0.10, 4);
  CHECK(year_of(r, 0).dsra_flow_usd == Approx(0.5 * service));
  CHECK(year_of(r, 0).dsra_balance_usd == Approx(0.5 * service));
  CHECK(year_of(r, 3).dsra_balance_usd == Approx(0.5 * service));
  CHECK(year_of(r, 4).dsra_balance_usd == Approx(0.0).margin(1e-9));  // no debt service after the tenor
  CHECK(year_of(r, 4).dsra_flow_usd == Approx(-0.5 * service));

  // A shortfall: cash after debt service of -30 draws 30 of a 100 reserve, whose target stays 100.
  const DsraStep short_year = dsra_step(100.0, 100.0, -30.0);
  CHECK(short_year.flow_usd == Approx(-30.0));
  CHECK(short_year.balance_usd == Approx(70.0));
  const DsraStep refill = dsra_step(70.0, 100.0, 50.0);
  CHECK(refill.flow_usd == Approx(30.0));
  CHECK(refill.balance_usd == Approx(100.0));
}

TEST_CASE("without construction, DSRA or reserve the lender's model keeps the screening model's flows") {
  // All capex at COD, refresh paid by equity: the equity cash flows are EBITDA - capex - debt service - tax as
  // before; only CFADS now names what pays the refresh.
  EconomicsSpec e = lender_spec(1000.0, 1500.0, 4, 2);
  e.refresh.funding = RefreshFunding::Equity;
  const EconomicsResult r = evaluate_economics(e, {});
  REQUIRE(r.construction_years == 1);
  CHECK(r.years[0].year == 0);
  CHECK(r.years[0].equity_cash_flow_usd == Approx(-500.0));
  const CashFlowYear& y2 = year_of(r, 2);
  CHECK(y2.equity_cash_flow_usd == Approx(y2.ebitda_usd - y2.capex_usd - y2.debt_service_usd - y2.tax_usd));
}
