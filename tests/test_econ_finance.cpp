#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/model/economics.hpp"

using namespace aidc;

namespace {

// One system of one GPU bought for `price`; no building, shares, staff, maintenance, insurance or tax, so every
// flow can be computed by hand. Revenue per year = 8760 h x usd_per_gpu_hour (sold_fraction 1).
EconomicsSpec hand_spec(double price, double revenue_per_year, int horizon) {
  EconomicsSpec e;
  e.enabled = true;
  e.horizon_years = horizon;
  e.discount_rate = 0.10;
  e.equity_discount_rate = 0.10;
  e.systems = {{"box", 1, 1, price}};
  e.usd_per_gpu_hour = revenue_per_year / 8760.0;
  e.sold_fraction = 1.0;
  e.it_life_years = 5;
  e.building_life_years = 25;
  e.terminal_book_value = false;
  e.financing.debt_share = 0.0;
  return e;
}

}  // namespace

TEST_CASE("a three-year cash flow of 10 percent coupons has an IRR of exactly 10 percent") {
  const std::vector<double> cf = {-1000, 100, 100, 1100};
  CHECK(irr(cf) == Approx(0.10).margin(1e-10));
  CHECK(npv(0.10, cf) == Approx(0.0).margin(1e-9));
  CHECK(npv(0.05, cf) == Approx(-1000 + 100 / 1.05 + 100 / (1.05 * 1.05) + 1100 / (1.05 * 1.05 * 1.05)));
}

TEST_CASE("IRR is NaN when the cash flows never change sign") {
  CHECK(std::isnan(irr(std::vector<double>{100, 100, 100})));
  CHECK(std::isnan(irr(std::vector<double>{-100, -50, -10})));
  CHECK(std::isnan(irr(std::vector<double>{})));
}

TEST_CASE("IRR of a loss-making project is negative and still found") {
  const std::vector<double> cf = {-1000, 300, 300, 300};  // returns 900 of 1000
  const double r = irr(cf);
  CHECK(r < 0.0);
  CHECK(npv(r, cf) == Approx(0.0).margin(1e-6));
}

TEST_CASE("payback interpolates within the year the cumulative cash flow turns positive") {
  // cumulative: -100, -70, -40, +20 -> 2 years + 40/60 of the third
  CHECK(payback_years(std::vector<double>{-100, 30, 30, 60}) == Approx(2.0 + 40.0 / 60.0));
  CHECK(std::isnan(payback_years(std::vector<double>{-100, 30, 30})));
}

TEST_CASE("an annuity repays the loan exactly with level debt service") {
  FinancingSpec f;
  f.debt_share = 1.0;
  f.interest_rate = 0.10;
  f.tenor_years = 3;
  f.grace_years = 0;
  f.repayment = "annuity";
  const auto s = debt_schedule(f, 1000.0, 5);
  const double payment = 1000.0 * 0.10 / (1.0 - std::pow(1.10, -3));  // 402.11
  double principal = 0.0;
  for (int y = 0; y < 3; ++y) {
    CHECK(s[y].interest_usd + s[y].principal_usd == Approx(payment));
    principal += s[y].principal_usd;
  }
  CHECK(s[0].interest_usd == Approx(100.0));
  CHECK(principal == Approx(1000.0));
  CHECK(s[2].closing_usd == Approx(0.0).margin(1e-9));
  CHECK(s[3].interest_usd == 0.0);  // after the tenor nothing is owed
  CHECK(s[4].principal_usd == 0.0);
}

TEST_CASE("straight repayment pays equal principal") {
  FinancingSpec f;
  f.interest_rate = 0.05;
  f.tenor_years = 4;
  f.repayment = "straight";
  const auto s = debt_schedule(f, 1000.0, 4);
  for (const auto& d : s) CHECK(d.principal_usd == Approx(250.0));
  CHECK(s[1].interest_usd == Approx(750.0 * 0.05));
}

TEST_CASE("a grace period pays interest only and then amortizes over the rest of the tenor") {
  FinancingSpec f;
  f.interest_rate = 0.06;
  f.tenor_years = 5;
  f.grace_years = 2;
  f.guarantee_fee_rate = 0.01;
  const auto s = debt_schedule(f, 1e6, 6);
  for (int y = 0; y < 2; ++y) {
    CHECK(s[y].principal_usd == 0.0);
    CHECK(s[y].interest_usd == Approx(60000.0));
    CHECK(s[y].guarantee_fee_usd == Approx(10000.0));  // 1 % of the outstanding balance
    CHECK(s[y].closing_usd == Approx(1e6));
  }
  const double payment = 1e6 * 0.06 / (1.0 - std::pow(1.06, -3));
  for (int y = 2; y < 5; ++y) CHECK(s[y].interest_usd + s[y].principal_usd == Approx(payment));
  CHECK(s[4].closing_usd == Approx(0.0).margin(1e-6));
  CHECK(s[3].guarantee_fee_usd == Approx(0.01 * s[3].opening_usd));
}

TEST_CASE("cash flows, DSCR and tax of a two-year project match the hand computation") {
  // Capex 1000, half debt at 10 % over 2 years (annuity); revenue 600 and energy 100 a year; tax 25 %.
  EconomicsSpec e = hand_spec(1000.0, 600.0, 2);
  e.financing.debt_share = 0.5;
  e.financing.interest_rate = 0.10;
  e.financing.tenor_years = 2;
  e.financing.grace_years = 0;
  e.financing.repayment = "annuity";
  e.tax_rate = 0.25;
  OperatingInputs ops;
  ops.energy_cost_usd_per_year = 100.0;
  const EconomicsResult r = evaluate_economics(e, ops);
  REQUIRE(r.years.size() == 3);
  const double payment = 500.0 * 0.10 / (1.0 - std::pow(1.10, -2));  // 288.10
  const double ebitda = 600.0 - 100.0;
  const double depreciation = 1000.0 / 5;  // IT life 5 years
  const double tax1 = 0.25 * (ebitda - depreciation - 50.0);           // interest 10 % of 500
  const double interest2 = 0.10 * (500.0 - (payment - 50.0));
  const double tax2 = 0.25 * (ebitda - depreciation - interest2);
  CHECK(r.years[0].capex_usd == Approx(1000.0));
  CHECK(r.years[0].equity_cash_flow_usd == Approx(-500.0));
  CHECK(r.years[1].ebitda_usd == Approx(ebitda));
  CHECK(r.years[1].depreciation_usd == Approx(depreciation));
  CHECK(r.years[1].tax_usd == Approx(tax1));
  CHECK(r.years[2].tax_usd == Approx(tax2));
  CHECK(r.years[1].debt_service_usd == Approx(payment));
  CHECK(r.years[1].dscr == Approx((ebitda - tax1) / payment));
  CHECK(r.min_dscr == Approx(std::min((ebitda - tax1) / payment, (ebitda - tax2) / payment)));
  CHECK(r.years[2].debt_outstanding_usd == Approx(0.0).margin(1e-9));
  CHECK(r.years[1].equity_cash_flow_usd == Approx(ebitda - payment - tax1));
  // Unlevered: tax on EBITDA - depreciation = 75 a year.
  CHECK(r.years[1].project_cash_flow_usd == Approx(ebitda - 75.0));
  CHECK(r.project_npv_usd == Approx(-1000.0 + 425.0 / 1.1 + 425.0 / 1.21));
  CHECK(r.equity_npv_usd ==
        Approx(-500.0 + (ebitda - payment - tax1) / 1.1 + (ebitda - payment - tax2) / 1.21));
}

TEST_CASE("higher interest gives a lower equity NPV and a lower minimum DSCR") {
  EconomicsSpec e = hand_spec(1000.0, 400.0, 8);
  e.financing.debt_share = 0.7;
  e.financing.tenor_years = 6;
  e.financing.grace_years = 1;
  e.financing.interest_rate = 0.05;
  // The year-5 IT refresh paid by the sponsor, so that CFADS is the same at both rates and only interest differs.
  e.refresh.funding = RefreshFunding::Equity;
  const EconomicsResult low = evaluate_economics(e, {});
  e.financing.interest_rate = 0.10;
  const EconomicsResult high = evaluate_economics(e, {});
  CHECK(high.equity_npv_usd < low.equity_npv_usd);
  CHECK(high.min_dscr < low.min_dscr);
  CHECK(high.project_npv_usd == Approx(low.project_npv_usd));  // the project's flows do not see the financing
}

TEST_CASE("selling at the levelized cost gives a zero pre-tax project NPV") {
  EconomicsSpec e = hand_spec(5000.0, 1.0, 10);
  e.construction_usd_per_w = 10.0;
  e.design_it_w = 100.0;
  e.staff_usd_per_year = 50.0;
  e.maintenance_rate_building = 0.02;
  e.maintenance_rate_it = 0.03;
  e.terminal_book_value = true;
  OperatingInputs ops{200.0, 10.0, 1.5};
  const EconomicsResult first = evaluate_economics(e, ops);
  e.usd_per_gpu_hour = first.levelized_usd_per_gpu_hour;
  const EconomicsResult at_cost = evaluate_economics(e, ops);
  CHECK(at_cost.project_npv_usd == Approx(0.0).margin(1e-6));
  CHECK(at_cost.project_irr == Approx(e.discount_rate).margin(1e-8));
}

TEST_CASE("IT is bought again at the end of each life inside the horizon") {
  EconomicsSpec e = hand_spec(1000.0, 500.0, 12);
  e.network_share_of_systems = 0.1;
  e.installation_share = 0.0;
  e.spares_share = 0.0;
  e.it_life_years = 5;
  e.terminal_book_value = true;
  const EconomicsResult r = evaluate_economics(e, {});
  CHECK(r.capex.it_usd == Approx(1100.0));
  CHECK(r.years[5].capex_usd == Approx(1100.0));
  CHECK(r.years[10].capex_usd == Approx(1100.0));
  CHECK(r.years[4].capex_usd == 0.0);
  CHECK(r.years[12].capex_usd == 0.0);
  for (int y = 1; y <= 12; ++y) CHECK(r.years[y].depreciation_usd == Approx(220.0));
  // The fleet bought in year 10 has 3 of its 5 years left at the horizon: 3/5 of its cost is terminal value.
  CHECK(r.years[12].terminal_value_usd == Approx(1100.0 * 3.0 / 5.0));
}

TEST_CASE("opex adds energy, water, staff, maintenance and insurance") {
  EconomicsSpec e = hand_spec(1000.0, 0.0, 3);
  e.construction_usd_per_w = 8.0;
  e.design_it_w = 1000.0;  // building 8,000
  e.staff_usd_per_year = 70.0;
  e.maintenance_rate_building = 0.01;
  e.maintenance_rate_it = 0.05;
  e.insurance_rate = 0.002;
  const EconomicsResult r = evaluate_economics(e, {300.0, 20.0, 2.0});
  CHECK(r.capex.building_usd == Approx(8000.0));
  CHECK(r.opex.water_usd == Approx(40.0));
  CHECK(r.opex.maintenance_usd == Approx(80.0 + 50.0));
  CHECK(r.opex.insurance_usd == Approx(0.002 * 9000.0));
  CHECK(r.opex.total_usd == Approx(300.0 + 40.0 + 70.0 + 130.0 + 18.0));
  CHECK(std::isnan(r.min_dscr));  // no debt
}
