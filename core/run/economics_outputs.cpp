#include "core/run/economics_outputs.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/model/fleet_ops.hpp"

namespace aidc {

const std::vector<KpiInfo>& economics_kpi_info() {
  static const std::vector<KpiInfo> info = {
      {"npv_usd", "USD", "project (unlevered, after-tax) NPV at economics.discount_rate, at financial close"},
      {"equity_npv_usd", "USD", "equity NPV at economics.equity_discount_rate, at financial close"},
      {"project_irr", "1/year", "project IRR (NaN when the cash flows have none)"},
      {"equity_irr", "1/year", "equity IRR (NaN when the cash flows have none)"},
      {"payback_years", "year", "years from financial close until the cumulative project cash flow turns positive"},
      {"min_dscr", "1", "minimum over the debt's life of CFADS / debt service (senior and refresh tranche)"},
      {"levelized_usd_per_gpu_hour", "USD/GPU-h", "PV of capex and opex / PV of GPU-hours sold"},
      {"capex_usd", "USD", "initial capex (building, systems, network, installation, spares)"},
      {"opex_usd_per_year", "USD/year", "operating cost per year at COD prices (energy, water, staff, maintenance, insurance)"},
      {"avg_dscr", "1", "mean over the debt's life of CFADS / debt service"},
      {"llcr", "1", "loan life cover ratio: PV at COD of CFADS less the refresh tranches' service, over the senior "
                   "tenor at its interest rate / senior debt at COD"},
      {"plcr", "1", "project life cover ratio: the same PV over the whole horizon / senior debt at COD"},
      {"senior_debt_usd", "USD", "senior debt at COD, capitalised interest during construction included"},
      {"gearing", "1", "senior debt at COD / (capex + interest during construction)"},
      {"idc_usd", "USD", "interest during construction, capitalised into the senior debt"},
      {"sponsor_equity_injection_usd", "USD", "IT refreshes paid by sponsor equity injections over the horizon"},
      {"gpu_hours_earning_share", "1", "GPU-hours sold at the target volume / healthy GPU-hours"},
  };
  return info;
}

OperatingInputs replication_operating_inputs(const Scenario& s, const std::array<double, kKpiCount>& site_kpis,
                                             std::span<const double> fleet_kpis) {
  const double per_year = 8760.0 / static_cast<double>(s.horizon_h);
  OperatingInputs ops;
  ops.energy_cost_usd_per_year = site_kpis[kKpiEnergyCost] * per_year;
  ops.water_m3_per_year = site_kpis[kKpiWater] * per_year;
  ops.water_price_usd_per_m3 = s.site.water_price_usd_per_m3;
  if (!fleet_kpis.empty()) {
    ops.gpu_hours_sold_per_year = fleet_kpis[kFleetKpiAllocatedGpuHours] * per_year;
    ops.million_tokens_per_year = fleet_kpis[kFleetKpiOutputTokensServed] / 1e6 * per_year;
    // The fleet gives the share of accelerator-hours in healthy nodes; times the installed GPU-hours.
    const double availability = fleet_kpis[kFleetKpiAcceleratorAvailability];
    ops.healthy_gpu_hours_per_year =
        std::isnan(availability) ? -1.0 : availability * static_cast<double>(total_gpus(s.economics)) * 8760.0;
  }
  return ops;
}

std::array<double, kEconomicsKpiCount> economics_kpis(const EconomicsResult& r) {
  return {r.project_npv_usd, r.equity_npv_usd, r.project_irr,  r.equity_irr,  r.payback_years,
          r.min_dscr,        r.levelized_usd_per_gpu_hour,     r.capex.total_usd, r.opex.total_usd,
          r.avg_dscr,        r.llcr,          r.plcr,          r.senior_debt_usd, r.gearing,
          r.idc_usd,         r.sponsor_equity_injection_usd,   r.earning_share};
}

namespace {

// The OECD Arrangement's ceiling of official support: 85 % of the export contract value.
constexpr double kOecdMaxOfficialSupport = 0.85;
// Below this share of the healthy GPU-hours earning revenue the levelized cost is dominated by idle capacity.
constexpr double kLowEarningShare = 0.5;

// x with `decimals` digits after the point.
std::string fixed(double x, int decimals) { return fmt::format("{:.{}f}", x, decimals); }

std::string musd(double usd) { return fixed(usd / 1e6, 0) + " MUSD"; }

std::string refresh_years(const EconomicsResult& r) {
  std::string years;
  for (const CashFlowYear& c : r.years) {
    if (c.year >= 1 && c.capex_usd > 0.0) years += (years.empty() ? "" : ", ") + std::to_string(c.year);
  }
  return years.empty() ? "none inside the horizon" : "year " + years;
}

}  // namespace

std::vector<InputWarning> economics_run_warnings(const Scenario& s, const EconomicsResult& r) {
  std::vector<InputWarning> w;
  if (!std::isnan(r.earning_share) && r.earning_share < kLowEarningShare) {
    w.push_back({"", "/economics/revenue", fixed(r.earning_share, 3),
                 "only " + fixed(100.0 * r.earning_share, 1) +
                     " % of the healthy GPU-hours earn revenue" +
                     (s.fleet.enabled ? " (the workloads' GPU-hours, and sold_fraction of the rest at "
                                        "cloud_usd_per_gpu_hour)"
                                      : " (sold_fraction)") +
                     ": the idle capacity carries its capex and the levelized cost per GPU-hour is high"});
  }
  if (r.gearing > kOecdMaxOfficialSupport + 1e-12) {
    w.push_back({"", "/economics/financing", fixed(r.gearing, 3),
                 "gearing (senior debt at COD / capex + IDC) is above the OECD Arrangement's 85 % limit of "
                 "official export-credit support"});
  }
  if (r.sponsor_equity_injection_usd > 0.0) {
    w.push_back({"", "/economics/refresh/funding", "\"equity\"",
                 "the IT refresh (" + refresh_years(r) + ") needs " + musd(r.sponsor_equity_injection_usd) +
                     " of sponsor equity injections: a funding need of the sponsor outside the lenders' CFADS"});
  }
  return w;
}

std::vector<std::string> economics_summary_lines(const Scenario& s, const EconomicsResult& r,
                                                 const std::vector<KpiRow>& kpis) {
  auto p50 = [&](const std::string& name) {
    for (const KpiRow& k : kpis) {
      if (k.name == name) return k.p50;
    }
    return std::nan("");
  };
  const EconomicsSpec& e = s.economics;
  std::vector<std::string> lines;
  const std::string worst_year = r.min_dscr_year > 0 ? " (year " + std::to_string(r.min_dscr_year) + ")" : "";
  lines.push_back("financing: min DSCR " + fixed(p50("min_dscr"), 2) + worst_year + ", avg DSCR " + fixed(p50("avg_dscr"), 2) +
                  ", LLCR " + fixed(p50("llcr"), 2) + " (P50); in the median-NPV replication senior debt " +
                  musd(r.senior_debt_usd) + " at COD, gearing " + fixed(100.0 * r.gearing, 1) + " %, IDC " + musd(r.idc_usd) + ", " +
                  (e.financing.sizing == DebtSizing::Sculpted
                       ? "sculpted to DSCR " + fixed(e.financing.target_dscr, 2) + " on the " +
                             e.financing.sizing_case + " case"
                       : "debt share " + fixed(e.financing.debt_share, 2)));
  std::string how;
  switch (e.refresh.funding) {
    case RefreshFunding::CashFlow: how = "from the year's cash flow (maintenance capex, deducted from CFADS)"; break;
    case RefreshFunding::Reserve: how = "from a maintenance reserve filled from CFADS over each IT life"; break;
    case RefreshFunding::Debt:
      how = "by a refresh tranche (" + fixed(100.0 * e.refresh.debt_share, 0) + " % at " +
            fixed(100.0 * e.refresh.interest_rate, 2) + " %, " + std::to_string(e.refresh.tenor_years) +
            " years), the rest from cash flow";
      break;
    case RefreshFunding::Equity: how = "by sponsor equity injections of " + musd(r.sponsor_equity_injection_usd) +
                                       " (a funding need of the sponsor)"; break;
  }
  lines.push_back("financing: IT refresh of " + musd(r.capex.it_usd) + " in " + refresh_years(r) + " paid " + how +
                  "; DSRA " + fmt::format("{:g}", e.dsra.months) + " months of debt service");
  return lines;
}

NamedTable cash_flow_table(const EconomicsSpec& e, const EconomicsResult& r, int replication,
                           const std::string& selection, int sizing_replication) {
  NamedTable t;
  t.long_name = "annual cash flows (years <= 0: construction, year 0 ends at COD; USD)";
  auto col = [&](const char* name, const char* units, auto field) {
    TableColumn c;
    c.name = name;
    c.units = units;
    for (const CashFlowYear& y : r.years) c.values.push_back(field(y));
    t.columns.push_back(std::move(c));
  };
#define AIDC_CF_COLUMN(field, units) col(#field, units, [](const CashFlowYear& y) { return y.field; })
  col("year", "year", [](const CashFlowYear& y) { return static_cast<double>(y.year); });
  AIDC_CF_COLUMN(capex_usd, "USD");
  AIDC_CF_COLUMN(senior_debt_drawdown_usd, "USD");
  AIDC_CF_COLUMN(equity_drawdown_usd, "USD");
  AIDC_CF_COLUMN(refresh_debt_drawdown_usd, "USD");
  AIDC_CF_COLUMN(mra_release_usd, "USD");
  AIDC_CF_COLUMN(equity_injection_usd, "USD");
  AIDC_CF_COLUMN(maintenance_capex_usd, "USD");
  AIDC_CF_COLUMN(idc_usd, "USD");
  AIDC_CF_COLUMN(financing_fees_usd, "USD");
  AIDC_CF_COLUMN(sold_volume_factor, "1");
  AIDC_CF_COLUMN(gpu_hours_sold, "GPU h");
  AIDC_CF_COLUMN(revenue_workloads_usd, "USD");
  AIDC_CF_COLUMN(revenue_cloud_usd, "USD");
  AIDC_CF_COLUMN(revenue_tokens_usd, "USD");
  AIDC_CF_COLUMN(revenue_usd, "USD");
  AIDC_CF_COLUMN(opex_usd, "USD");
  AIDC_CF_COLUMN(ebitda_usd, "USD");
  AIDC_CF_COLUMN(depreciation_usd, "USD");
  AIDC_CF_COLUMN(interest_usd, "USD");
  AIDC_CF_COLUMN(principal_usd, "USD");
  AIDC_CF_COLUMN(guarantee_fee_usd, "USD");
  AIDC_CF_COLUMN(debt_service_usd, "USD");
  AIDC_CF_COLUMN(refresh_debt_service_usd, "USD");
  AIDC_CF_COLUMN(debt_outstanding_usd, "USD");
  AIDC_CF_COLUMN(tax_usd, "USD");
  AIDC_CF_COLUMN(mra_contribution_usd, "USD");
  AIDC_CF_COLUMN(mra_balance_usd, "USD");
  AIDC_CF_COLUMN(dsra_flow_usd, "USD");
  AIDC_CF_COLUMN(dsra_balance_usd, "USD");
  AIDC_CF_COLUMN(cfads_usd, "USD");
  AIDC_CF_COLUMN(terminal_value_usd, "USD");
  AIDC_CF_COLUMN(equity_cash_flow_usd, "USD");
  AIDC_CF_COLUMN(project_cash_flow_usd, "USD");
  AIDC_CF_COLUMN(dscr, "1");
#undef AIDC_CF_COLUMN
  t.text_attributes = {{"selection", selection},
                       {"refresh_funding", refresh_funding_name(e.refresh.funding)},
                       {"debt_sizing", e.financing.sizing == DebtSizing::Sculpted ? "sculpted" : "share"},
                       {"cfads", "ebitda - tax - maintenance_capex - mra_contribution; dscr = cfads / debt_service"}};
  t.number_attributes = {{"replication", static_cast<double>(replication)},
                         {"sizing_replication", static_cast<double>(sizing_replication)},
                         {"project_npv_usd", r.project_npv_usd},
                         {"equity_npv_usd", r.equity_npv_usd},
                         {"project_irr", r.project_irr},
                         {"equity_irr", r.equity_irr},
                         {"min_dscr", r.min_dscr},
                         {"avg_dscr", r.avg_dscr},
                         {"llcr", r.llcr},
                         {"plcr", r.plcr},
                         {"senior_debt_usd", r.senior_debt_usd},
                         {"gearing", r.gearing},
                         {"idc_usd", r.idc_usd},
                         {"sponsor_funding_need_usd", r.sponsor_equity_injection_usd},
                         {"construction_months", static_cast<double>(e.construction.months)},
                         {"levelized_usd_per_gpu_hour", r.levelized_usd_per_gpu_hour},
                         {"capex_building_usd", r.capex.building_usd},
                         {"capex_systems_usd", r.capex.systems_usd},
                         {"capex_network_usd", r.capex.network_usd},
                         {"capex_installation_usd", r.capex.installation_usd},
                         {"capex_spares_usd", r.capex.spares_usd},
                         {"opex_energy_usd_per_year", r.opex.energy_usd},
                         {"opex_water_usd_per_year", r.opex.water_usd},
                         {"opex_staff_usd_per_year", r.opex.staff_usd},
                         {"opex_maintenance_usd_per_year", r.opex.maintenance_usd},
                         {"opex_insurance_usd_per_year", r.opex.insurance_usd},
                         {"gpu_hours_sold_per_year", r.gpu_hours_sold_per_year},
                         {"workload_gpu_hours_per_year", r.workload_gpu_hours_per_year},
                         {"cloud_gpu_hours_per_year", r.cloud_gpu_hours_per_year},
                         {"million_tokens_per_year", r.million_tokens_per_year},
                         {"water_m3_per_year", r.water_m3_per_year},
                         {"gpu_hours_earning_share", r.earning_share}};
  return t;
}

NamedTable compliance_table(const ComplianceReport& c) {
  NamedTable t;
  t.long_name = "US export-control screening per accelerator (EAR ECCN 3A090); " + c.note;
  TableColumn name{"accelerator", "", true, {}, {}};
  TableColumn count{"count", "1", false, {}, {}};
  TableColumn tpp{"tpp", "TOPS x bit", false, {}, {}};
  TableColumn precision{"tpp_precision", "", true, {}, {}};
  TableColumn pd{"performance_density", "TPP/mm2", false, {}, {}};
  TableColumn pd_text{"performance_density_text", "", true, {}, {}};
  TableColumn cls{"classification", "", true, {}, {}};
  TableColumn date{"rule_date", "", true, {}, {}};
  for (const AcceleratorAssessment& a : c.accelerators) {
    name.text.push_back(a.accelerator);
    count.values.push_back(static_cast<double>(a.count));
    tpp.values.push_back(a.tpp);
    precision.text.push_back(a.tpp_precision);
    pd.values.push_back(a.performance_density);
    pd_text.text.push_back(a.performance_density_text);
    cls.text.push_back(a.classification_name);
    date.text.push_back(a.rule_date);
  }
  t.columns = {name, count, tpp, precision, pd, pd_text, cls, date};
  t.text_attributes = {{"note", c.note}, {"rule_date", c.rule_date}};
  t.number_attributes = {{"accelerator_count", static_cast<double>(c.accelerator_count)},
                         {"total_tpp", c.total_tpp},
                         {"accelerators_3a090a", static_cast<double>(c.controlled_3a090a_count)}};
  return t;
}

}  // namespace aidc
