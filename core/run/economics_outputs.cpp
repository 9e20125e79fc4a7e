#include "core/run/economics_outputs.hpp"

namespace aidc {

const std::vector<KpiInfo>& economics_kpi_info() {
  static const std::vector<KpiInfo> info = {
      {"npv_usd", "USD", "project (unlevered, after-tax) NPV at economics.discount_rate"},
      {"equity_npv_usd", "USD", "equity NPV at economics.equity_discount_rate"},
      {"project_irr", "1/year", "project IRR (NaN when the cash flows have none)"},
      {"equity_irr", "1/year", "equity IRR (NaN when the cash flows have none)"},
      {"payback_years", "year", "years until the cumulative project cash flow turns positive"},
      {"min_dscr", "1", "minimum debt service coverage ratio over the tenor"},
      {"levelized_usd_per_gpu_hour", "USD/GPU-h", "PV of capex and opex / PV of GPU-hours sold"},
      {"capex_usd", "USD", "initial capex (building, systems, network, installation, spares)"},
      {"opex_usd_per_year", "USD/year", "operating cost per year (energy, water, staff, maintenance, insurance)"},
  };
  return info;
}

EconomicsResult replication_economics(const Scenario& s, const std::array<double, kKpiCount>& site_kpis,
                                      double allocated_gpu_hours, double output_tokens) {
  const double per_year = 8760.0 / static_cast<double>(s.horizon_h);
  OperatingInputs ops;
  ops.energy_cost_usd_per_year = site_kpis[kKpiEnergyCost] * per_year;
  ops.water_m3_per_year = site_kpis[kKpiWater] * per_year;
  ops.water_price_usd_per_m3 = s.site.water_price_usd_per_m3;
  if (allocated_gpu_hours >= 0.0) ops.gpu_hours_sold_per_year = allocated_gpu_hours * per_year;
  ops.million_tokens_per_year = output_tokens / 1e6 * per_year;
  return evaluate_economics(s.economics, ops);
}

std::array<double, kEconomicsKpiCount> economics_kpis(const EconomicsResult& r) {
  return {r.project_npv_usd, r.equity_npv_usd, r.project_irr,     r.equity_irr,       r.payback_years,
          r.min_dscr,        r.levelized_usd_per_gpu_hour,       r.capex.total_usd, r.opex.total_usd};
}

NamedTable cash_flow_table(const EconomicsResult& r, int replication, const std::string& selection) {
  NamedTable t;
  t.long_name = "annual cash flows (year 0 = financial close; USD at constant prices)";
  auto col = [&](const char* name, const char* units, auto field) {
    TableColumn c;
    c.name = name;
    c.units = units;
    for (const CashFlowYear& y : r.years) c.values.push_back(field(y));
    t.columns.push_back(std::move(c));
  };
  col("year", "year", [](const CashFlowYear& y) { return static_cast<double>(y.year); });
  col("capex_usd", "USD", [](const CashFlowYear& y) { return y.capex_usd; });
  col("revenue_usd", "USD", [](const CashFlowYear& y) { return y.revenue_usd; });
  col("opex_usd", "USD", [](const CashFlowYear& y) { return y.opex_usd; });
  col("ebitda_usd", "USD", [](const CashFlowYear& y) { return y.ebitda_usd; });
  col("depreciation_usd", "USD", [](const CashFlowYear& y) { return y.depreciation_usd; });
  col("interest_usd", "USD", [](const CashFlowYear& y) { return y.interest_usd; });
  col("principal_usd", "USD", [](const CashFlowYear& y) { return y.principal_usd; });
  col("guarantee_fee_usd", "USD", [](const CashFlowYear& y) { return y.guarantee_fee_usd; });
  col("debt_service_usd", "USD", [](const CashFlowYear& y) { return y.debt_service_usd; });
  col("debt_outstanding_usd", "USD", [](const CashFlowYear& y) { return y.debt_outstanding_usd; });
  col("tax_usd", "USD", [](const CashFlowYear& y) { return y.tax_usd; });
  col("terminal_value_usd", "USD", [](const CashFlowYear& y) { return y.terminal_value_usd; });
  col("equity_cash_flow_usd", "USD", [](const CashFlowYear& y) { return y.equity_cash_flow_usd; });
  col("project_cash_flow_usd", "USD", [](const CashFlowYear& y) { return y.project_cash_flow_usd; });
  col("dscr", "1", [](const CashFlowYear& y) { return y.dscr; });
  t.text_attributes = {{"selection", selection}};
  t.number_attributes = {{"replication", static_cast<double>(replication)},
                         {"project_npv_usd", r.project_npv_usd},
                         {"equity_npv_usd", r.equity_npv_usd},
                         {"project_irr", r.project_irr},
                         {"equity_irr", r.equity_irr},
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
                         {"gpu_hours_sold_per_year", r.gpu_hours_sold_per_year}};
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
