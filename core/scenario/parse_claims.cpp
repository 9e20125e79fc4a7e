#include "core/scenario/parse_claims.hpp"

#include <cmath>
#include <set>
#include <sstream>

namespace aidc {

const std::vector<std::string>& claim_comparisons() {
  static const std::vector<std::string> v = {">=", "<=", ">", "<"};
  return v;
}

std::string default_claim_label(const ClaimSpec& c) {
  std::ostringstream text;
  text << (c.workload.empty() ? "" : c.workload + ".") << c.metric << ' ' << c.comparison << ' ' << c.target;
  if (!c.units.empty() && c.units != "1") text << (c.units == "%" ? "" : " ") << c.units;
  return text.str();
}

namespace {

// Metrics whose KPI is a share in [0, 1] (units "1"): the aliases and KPI names of core/run/claims_outputs.cpp and
// core/model/fleet_ops.cpp, site and workload scope. A threshold above 1 on one of them without "units": "%" is
// a percentage written as a fraction ("availability >= 99.99"): it can never hold, and the verdict would blame the
// site for a typo.
bool is_fraction_metric(const std::string& metric) {
  static const std::set<std::string> kFractions = {
      "availability",     "power_availability", "accelerator_availability", "service_availability",
      "slo_attainment",   "training_progress",  "training_goodput",         "it_power_fraction",
      "clock_fraction",   "training_ettr",      "ettr",                     "progress"};
  return kFractions.count(metric) > 0;
}

void check_fraction_target(const JsonObjectReader& r, const ClaimSpec& c) {
  if (!is_fraction_metric(c.metric)) return;
  if (c.units.empty() && (c.target > 1.0 || c.target < 0.0)) {
    r.problem_at("target", nlohmann::json(c.target).dump(),
                 "a fraction in [0, 1] for " + c.metric + " (a share), or \"units\": \"%\" for a percentage");
  } else if (c.units == "%" && (c.target > 100.0 || c.target < 0.0)) {
    r.problem_at("target", nlohmann::json(c.target).dump(), "a percentage in [0, 100] for " + c.metric);
  }
}

void read_one(JsonObjectReader& r, const Scenario& s, ClaimSpec& c) {
  c.metric = r.required_string("metric");
  c.workload = r.string("workload", "");
  if (r.has("workload")) {
    std::vector<std::string> names;
    bool found = false;
    for (const WorkloadSpec& w : s.workloads) {
      names.push_back(w.name);
      found = found || w.name == c.workload;
    }
    if (!found) {
      r.problem_at("workload", nlohmann::json(c.workload).dump(),
                   names.empty() ? "a workload of the scenario's \"workloads\" section (it has none)"
                                 : "a workload of the scenario's \"workloads\" section, " +
                                       expected_one_of(c.workload, names));
    }
  }
  if (!r.has("comparison")) r.problem_at("comparison", "", "one of: >=, <=, >, <");
  c.comparison = r.choice("comparison", ">=", claim_comparisons());
  // A finite target: JSON has no NaN or infinity, but a number too large for a double reads as one.
  c.target = r.required_number("target", Range{});
  c.units = r.string("units", "");
  check_fraction_target(r, c);
  c.note = r.string("note", "");
  c.label = r.string("label", default_claim_label(c));
  if (r.has("label") && c.label.empty()) r.problem_at("label", "\"\"", "a non-empty label (or no label key)");
}

}  // namespace

void read_claims(JsonObjectReader& root, const Scenario& s, std::vector<ClaimSpec>& out, ClaimsPolicy& policy) {
  if (const nlohmann::json* list = root.raw("claims")) {
    if (!list->is_array()) {
      root.problem_at("claims", json_excerpt(*list),
                      "an array of claims, each {\"metric\", \"comparison\", \"target\"} (and optionally label, "
                      "workload, units, note)");
    } else {
      std::set<std::string> labels;
      for (std::size_t i = 0; i < list->size(); ++i) {
        JsonObjectReader r((*list)[i], root.child_path("claims") + "/" + std::to_string(i), root.file(),
                           root.problems());
        ClaimSpec c;
        read_one(r, s, c);
        if (r.is_object() && !c.label.empty() && !labels.insert(c.label).second) {
          r.problem_at("label", nlohmann::json(c.label).dump(),
                       "a label no other claim has (give one claim an explicit \"label\")");
        }
        r.finish();
        out.push_back(std::move(c));
      }
    }
  }
  if (auto pr = root.object("claims_policy")) {
    policy.supported_probability =
        pr->number("supported_probability", policy.supported_probability, Range::unit_open_low());
    policy.at_risk_probability = pr->number("at_risk_probability", policy.at_risk_probability, Range::fraction());
    policy.confidence = pr->number("confidence", policy.confidence, {0.0, 1.0, true, true});
    if (policy.at_risk_probability > policy.supported_probability) {
      pr->problem_at("at_risk_probability", nlohmann::json(policy.at_risk_probability).dump(),
                     "at most supported_probability (" + nlohmann::json(policy.supported_probability).dump() + ")");
    }
    pr->finish();
  }
}

nlohmann::json claims_to_json(const std::vector<ClaimSpec>& claims) {
  nlohmann::json a = nlohmann::json::array();
  for (const ClaimSpec& c : claims) {
    nlohmann::json j = {{"label", c.label}, {"metric", c.metric}, {"comparison", c.comparison}, {"target", c.target}};
    if (!c.workload.empty()) j["workload"] = c.workload;
    if (!c.units.empty()) j["units"] = c.units;
    if (!c.note.empty()) j["note"] = c.note;
    a.push_back(std::move(j));
  }
  return a;
}

nlohmann::json claims_policy_to_json(const ClaimsPolicy& policy) {
  return {{"_rule",
           "supported: P(holds) >= supported_probability and the Wilson lower bound >= at_risk_probability; "
           "not supported: P(holds) < at_risk_probability; otherwise at risk"},
          {"supported_probability", policy.supported_probability},
          {"at_risk_probability", policy.at_risk_probability},
          {"confidence", policy.confidence}};
}

}  // namespace aidc
