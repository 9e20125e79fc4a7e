// The results of `aidcsim size` (core/run/sizing.hpp) for others to read: JSON (--json) and the /sizing table of
// an HDF5 file. The terminal table is core/cli/size_command.cpp's.
#include <cmath>

#include "core/model/export_control.hpp"
#include "core/run/sizing.hpp"

namespace aidc {

nlohmann::json sizing_result_to_json(const SizingResult& r) {
  nlohmann::json sites = nlohmann::json::array();
  for (const SiteRanking& site : r.sites) {
    nlohmann::json cands = nlohmann::json::array();
    for (const CandidateResult& c : site.candidates) {
      nlohmann::json workloads = nlohmann::json::array();
      for (const WorkloadPlan& w : c.workloads) {
        nlohmann::json j = {{"name", w.name},
                            {"type", w.training ? "training" : "inference"},
                            {"gpus", w.gpus},
                            {"systems", w.nodes},
                            {"precision", w.precision},
                            {"tokens_per_s", w.tokens_per_s}};
        if (w.training) {
          j["expected_ettr"] = w.availability;
          j["deadline_d"] = w.deadline_d;
          j["estimated_time_to_train_d"] = w.estimated_time_to_train_d;
        } else {
          j["instances"] = w.instances;
          j["expected_availability"] = w.availability;
        }
        if (!w.note.empty()) j["note"] = w.note;
        workloads.push_back(j);
      }
      nlohmann::json checks = nlohmann::json::array();
      for (const RequirementCheck& k : c.checks) {
        checks.push_back({{"workload", k.workload},
                          {"kpi", k.kpi},
                          {"statistic", k.statistic},
                          {"value", std::isinf(k.value) ? nlohmann::json("not finished") : nlohmann::json(k.value)},
                          {"target", k.target},
                          {"met", k.met}});
      }
      nlohmann::json minimality = nlohmann::json::array();
      for (const MinimalityCheck& m : c.minimality) {
        minimality.push_back({{"workload", m.workload},
                              {"systems_from", m.nodes_from},
                              {"systems_to", m.nodes_to},
                              {"fails", m.failed},
                              {"failed_requirement", m.failed_requirement},
                              {"replications", m.replications},
                              {"confidence", m.confidence}});
      }
      cands.push_back({{"rank", c.rank},
                       {"system", c.system},
                       {"accelerator", c.accelerator},
                       {"feasible", c.feasible},
                       {"limiting_factor", c.limiting_factor},
                       {"reason", c.reason},
                       {"adaptations", c.adaptations},
                       {"systems", c.systems},
                       {"working_systems", c.working_nodes},
                       {"hot_spare_systems", c.spare_nodes},
                       {"gpus", c.gpus},
                       {"it_mw", c.it_mw},
                       {"facility_mw", c.facility_mw},
                       {"grid_mw", c.grid_mw},
                       {"design_dry_bulb_c", c.design_dry_bulb_c},
                       {"design_wet_bulb_c", c.design_wet_bulb_c},
                       {"capex_usd", c.capex_usd},
                       {"tco_usd", c.tco_usd},
                       {"usd_per_million_tokens", c.usd_per_million_tokens},
                       {"pue", c.pue},
                       {"water_m3_per_year", c.water_m3_per_year},
                       {"carbon_t_per_year", c.carbon_t_per_year},
                       {"output_tokens_per_year", c.output_tokens_per_year},
                       {"export_class", c.export_class},
                       {"workloads", workloads},
                       {"checks", checks},
                       {"minimality", minimality},
                       {"verification_runs", c.verification_runs}});
    }
    sites.push_back({{"site", site.site}, {"winner", site.winner}, {"candidates", cands}});
  }
  return {{"scenario", r.scenario},
          {"objective", r.objective},
          {"slo_attainment_target", r.slo_attainment_target},
          {"verify_replications", r.verify_replications},
          {"minimality_replications", r.minimality_replications},
          {"note", "export classes are screening flags under US EAR ECCN 3A090, not legal advice"},
          {"sites", sites}};
}

NamedTable sizing_table(const SizingResult& r) {
  NamedTable t;
  t.long_name = "sizing: the least verified hardware per site and candidate system, ranked by " + r.objective;
  auto text = [&](const std::string& name) -> TableColumn& {
    t.columns.push_back({name, "", true, {}, {}});
    return t.columns.back();
  };
  auto num = [&](const std::string& name, const std::string& units) -> TableColumn& {
    t.columns.push_back({name, units, false, {}, {}});
    return t.columns.back();
  };
  text("site");
  text("system");
  text("accelerator");
  num("rank", "1");
  num("feasible", "1");
  text("limiting_factor");
  num("systems", "1");
  num("gpus", "1");
  num("it_mw", "MW");
  num("facility_mw", "MW");
  num("grid_mw", "MW");
  num("capex_usd", "USD");
  num("tco_usd", "USD");
  num("usd_per_million_tokens", "USD/Mtoken");
  num("pue", "1");
  num("water_m3_per_year", "m3/year");
  num("carbon_t_per_year", "t/year");
  text("export_class");
  text("reason");
  text("adaptations");
  for (const SiteRanking& site : r.sites) {
    for (const CandidateResult& c : site.candidates) {
      std::size_t k = 0;
      t.columns[k++].text.push_back(site.site);
      t.columns[k++].text.push_back(c.system);
      t.columns[k++].text.push_back(c.accelerator);
      t.columns[k++].values.push_back(c.rank);
      t.columns[k++].values.push_back(c.feasible ? 1.0 : 0.0);
      t.columns[k++].text.push_back(c.limiting_factor);
      t.columns[k++].values.push_back(c.systems);
      t.columns[k++].values.push_back(static_cast<double>(c.gpus));
      t.columns[k++].values.push_back(c.it_mw);
      t.columns[k++].values.push_back(c.facility_mw);
      t.columns[k++].values.push_back(c.grid_mw);
      t.columns[k++].values.push_back(c.capex_usd);
      t.columns[k++].values.push_back(c.tco_usd);
      t.columns[k++].values.push_back(c.usd_per_million_tokens);
      t.columns[k++].values.push_back(c.pue);
      t.columns[k++].values.push_back(c.water_m3_per_year);
      t.columns[k++].values.push_back(c.carbon_t_per_year);
      t.columns[k++].text.push_back(c.export_class);
      t.columns[k++].text.push_back(c.reason);
      std::string adaptations;
      for (const std::string& a : c.adaptations) adaptations += (adaptations.empty() ? "" : "; ") + a;
      t.columns[k++].text.push_back(adaptations);
    }
  }
  t.text_attributes = {{"objective", r.objective}, {"note", kExportControlNote}};
  t.number_attributes = {{"slo_attainment_target", r.slo_attainment_target},
                         {"verify_replications", static_cast<double>(r.verify_replications)}};
  return t;
}

}  // namespace aidc
