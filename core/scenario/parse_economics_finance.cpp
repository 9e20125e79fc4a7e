#include "core/scenario/parse_economics_finance.hpp"

#include <algorithm>
#include <cmath>

namespace aidc {

namespace {

// The OECD Arrangement on Officially Supported Export Credits: at least 15 % down payment, so official support
// covers at most 85 % of the export contract value.
constexpr double kOecdMaxOfficialSupport = 0.85;
constexpr int kMonthsPerYear = 12;

std::string text(double x) { return nlohmann::json(x).dump(); }

void read_construction(JsonObjectReader& r, const EconomicsDefault& d, EconomicsSpec& e) {
  ConstructionSpec& c = e.construction;
  c.months = static_cast<int>(d("construction_months"));
  auto cr = r.object("construction");
  if (!cr) return;
  c.months = static_cast<int>(cr->integer("months", c.months, 0, 1200));
  if (c.months > e.horizon_years * kMonthsPerYear) {
    cr->problem_at("months", std::to_string(c.months),
                   "at most horizon_years x 12 (" + std::to_string(e.horizon_years * kMonthsPerYear) +
                       "): the construction period must be shorter than the horizon");
  }
  c.profile = cr->choice("profile", "even", {"even", "s_curve", "by_year"});
  const std::size_t rows = c.months <= 0 ? 1 : static_cast<std::size_t>((c.months + kMonthsPerYear - 1) / kMonthsPerYear);
  if (cr->has("drawdown_by_year")) {
    if (auto shares = cr->number_array("drawdown_by_year", rows, Range::fraction())) {
      double sum = 0.0;
      for (double x : *shares) sum += x;
      if (std::abs(sum - 1.0) > 1e-6) {
        cr->problem_at("drawdown_by_year", text(sum), "shares of the capex per construction year that add up to 1");
      }
      c.by_year = *shares;
      c.profile = "by_year";
    }
  } else if (c.profile == "by_year") {
    cr->problem_at("drawdown_by_year", "", "an array of " + std::to_string(rows) +
                                               " shares (one per construction year) with profile \"by_year\"");
  }
  cr->finish();
}

void read_refresh(JsonObjectReader& r, const EconomicsDefault& d, EconomicsSpec& e) {
  RefreshSpec& f = e.refresh;
  const FinancingSpec& senior = e.financing;
  f.interest_rate = senior.interest_rate;
  f.guarantee_fee_rate = senior.guarantee_fee_rate;
  f.tenor_years = e.it_life_years;
  f.debt_share = d("refresh_debt_share");
  auto rr = r.object("refresh");
  if (!rr) return;
  // Default: from the year's cash flow, so that CFADS carries the refresh unless a reserve, a tranche or the
  // sponsor is named (lenders deduct capex that nothing else funds).
  const std::string how = rr->choice("funding", "cash_flow", {"cash_flow", "reserve", "debt", "equity"});
  f.funding = how == "reserve" ? RefreshFunding::Reserve
              : how == "debt"  ? RefreshFunding::Debt
              : how == "equity" ? RefreshFunding::Equity
                                : RefreshFunding::CashFlow;
  if (auto tr = rr->object("debt")) {
    f.debt_share = tr->number("share", f.debt_share, Range::fraction());
    f.interest_rate = tr->number("interest_rate", f.interest_rate, Range::closed(0.0, 1.0));
    f.tenor_years = static_cast<int>(tr->integer("tenor_years", f.tenor_years, 1, 50));
    f.repayment = tr->choice("repayment", f.repayment, {"annuity", "straight"});
    f.guarantee_fee_rate = tr->number("guarantee_fee_rate", f.guarantee_fee_rate, Range::closed(0.0, 0.5));
    tr->finish();
  }
  if (f.funding == RefreshFunding::Debt) {
    const int Li = std::max(1, e.it_life_years);
    const int last_refresh = ((e.horizon_years - 1) / Li) * Li;
    // The last refresh falls at most one IT life before the horizon, so this also refuses a tranche that would
    // outlive the IT it pays for.
    if (last_refresh > 0 && last_refresh + f.tenor_years > e.horizon_years) {
      rr->problem_at("debt", "tenor_years " + std::to_string(f.tenor_years),
                     "a tenor_years of at most " + std::to_string(e.horizon_years - last_refresh) +
                         ": the tranche of the year-" + std::to_string(last_refresh) +
                         " refresh must be repaid inside the horizon");
    }
    if (f.debt_share > kOecdMaxOfficialSupport) {
      rr->warning_at("debt", "share " + text(f.debt_share),
                     "above the OECD Arrangement's 85 % limit of official export-credit support");
    }
  }
  rr->finish();
}

void read_dsra(JsonObjectReader& r, const EconomicsDefault& d, EconomicsSpec& e) {
  DsraSpec& s = e.dsra;
  s.months = d("dsra_months");
  s.funding = d("dsra_funded_at_close") != 0.0 ? "close" : "cash_flow";
  if (auto dr = r.object("dsra")) {
    s.months = dr->number("months", s.months, Range::closed(0.0, 60.0));
    s.funding = dr->choice("funding", s.funding, {"close", "cash_flow"});
    dr->finish();
  }
}

}  // namespace

void read_economics_finance(JsonObjectReader& r, const EconomicsDefault& d, EconomicsSpec& e) {
  FinancingSpec& f = e.financing;
  f.debt_share = d("debt_share");
  f.interest_rate = d("interest_rate");
  f.tenor_years = static_cast<int>(d("tenor_years"));
  f.grace_years = static_cast<int>(d("grace_years"));
  f.repayment = d("repayment_annuity") != 0.0 ? "annuity" : "straight";
  f.guarantee_fee_rate = d("guarantee_fee_rate");
  f.upfront_fee_rate = d("upfront_fee_rate");
  f.commitment_fee_rate = d("commitment_fee_rate");
  f.max_gearing = d("max_gearing");
  std::optional<JsonObjectReader> fr = r.object("financing");
  if (fr) {
    f.debt_share = fr->number("debt_share", f.debt_share, Range::fraction());
    f.interest_rate = fr->number("interest_rate", f.interest_rate, Range::closed(0.0, 1.0));
    f.tenor_years = static_cast<int>(fr->integer("tenor_years", f.tenor_years, 1, 50));
    f.grace_years = static_cast<int>(fr->integer("grace_years", f.grace_years, 0, 49));
    f.repayment = fr->choice("repayment", f.repayment, {"annuity", "straight"});
    f.guarantee_fee_rate = fr->number("guarantee_fee_rate", f.guarantee_fee_rate, Range::closed(0.0, 0.5));
    f.upfront_fee_rate = fr->number("upfront_fee_rate", f.upfront_fee_rate, Range::closed(0.0, 0.5));
    f.commitment_fee_rate = fr->number("commitment_fee_rate", f.commitment_fee_rate, Range::closed(0.0, 0.5));
    f.sizing = fr->choice("sizing", "share", {"share", "sculpted"}) == "sculpted" ? DebtSizing::Sculpted
                                                                                   : DebtSizing::Share;
    f.max_gearing = fr->number("max_gearing", f.max_gearing, Range::fraction());
    f.sizing_case = fr->choice("sizing_case", f.sizing_case, {"p50", "p90", "p10"});
    if (f.sizing == DebtSizing::Sculpted) {
      if (fr->has("target_dscr")) {
        f.target_dscr = fr->number("target_dscr", 0.0, {0.0, 100.0, true, false});
      } else {
        fr->problem_at("target_dscr", "", "a target DSCR (e.g. 1.3) with sizing \"sculpted\"");
      }
      if (fr->has("debt_share")) {
        fr->problem_at("debt_share", text(f.debt_share), "no debt_share with sizing \"sculpted\" (max_gearing caps it)");
      }
    } else {
      fr->accept("target_dscr");
      if (fr->has("target_dscr")) {
        fr->problem_at("target_dscr", "", "sizing \"sculpted\" (a target DSCR sizes a sculpted debt only)");
      }
    }
  }
  // Cross-checks, reported where the user would fix them.
  const bool has_debt = f.sizing == DebtSizing::Sculpted ? f.max_gearing > 0.0 : f.debt_share > 0.0;
  auto financing_problem = [&](const std::string& key, const std::string& value, const std::string& expected) {
    if (fr) fr->problem_at(key, value, expected);
    else r.problem_at("financing", "", key + " " + expected);
  };
  if (has_debt && f.grace_years >= f.tenor_years) {
    financing_problem("grace_years", std::to_string(f.grace_years),
                      "fewer grace years than tenor_years (" + std::to_string(f.tenor_years) + ")");
  }
  if (has_debt && f.tenor_years > e.horizon_years) {
    financing_problem("tenor_years", std::to_string(f.tenor_years),
                      "at most horizon_years (" + std::to_string(e.horizon_years) + "): the loan must be repaid inside the horizon");
  }
  if (fr) {
    const double gearing = f.sizing == DebtSizing::Sculpted ? f.max_gearing : f.debt_share;
    if (gearing > kOecdMaxOfficialSupport) {
      fr->warning_at(f.sizing == DebtSizing::Sculpted ? "max_gearing" : "debt_share", text(gearing),
                     "above the OECD Arrangement's 85 % limit of official export-credit support (the buyer pays at "
                     "least 15 %): an ECA-backed loan cannot be this large");
    }
    if (has_debt && f.tenor_years > e.building_life_years) {
      fr->warning_at("tenor_years", std::to_string(f.tenor_years),
                     "beyond the building's life (asset_life_years.building = " +
                         std::to_string(e.building_life_years) + "): the loan outlives the asset it finances");
    }
    fr->finish();
  }
  read_construction(r, d, e);
  read_refresh(r, d, e);
  read_dsra(r, d, e);
}

void finance_to_json(const EconomicsSpec& e, nlohmann::json& out) {
  const FinancingSpec& f = e.financing;
  nlohmann::json fin = {{"interest_rate", f.interest_rate},
                        {"tenor_years", f.tenor_years},
                        {"grace_years", f.grace_years},
                        {"repayment", f.repayment},
                        {"guarantee_fee_rate", f.guarantee_fee_rate},
                        {"upfront_fee_rate", f.upfront_fee_rate},
                        {"commitment_fee_rate", f.commitment_fee_rate},
                        {"sizing", f.sizing == DebtSizing::Sculpted ? "sculpted" : "share"},
                        {"max_gearing", f.max_gearing},
                        {"sizing_case", f.sizing_case}};
  if (f.sizing == DebtSizing::Sculpted) fin["target_dscr"] = f.target_dscr;
  else fin["debt_share"] = f.debt_share;
  out["financing"] = fin;
  const ConstructionSpec& c = e.construction;
  out["construction"] = {{"months", c.months}, {"profile", c.profile}};
  if (!c.by_year.empty()) out["construction"]["drawdown_by_year"] = c.by_year;
  const RefreshSpec& r = e.refresh;
  out["refresh"] = {{"funding", refresh_funding_name(r.funding)},
                    {"debt",
                     {{"share", r.debt_share},
                      {"interest_rate", r.interest_rate},
                      {"tenor_years", r.tenor_years},
                      {"repayment", r.repayment},
                      {"guarantee_fee_rate", r.guarantee_fee_rate}}}};
  out["dsra"] = {{"months", e.dsra.months}, {"funding", e.dsra.funding}};
}

}  // namespace aidc
