// The analytic plan of one candidate (core/run/sizing_candidate.hpp): each service's instances for the horizon's
// peak hourly demand at its instance capacity times the expected node availability, each deadline job's least
// node count whose tokens / (tokens/s × expected ETTR) meets the deadline, a job without deadline its own GPUs.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/model/export_control.hpp"
#include "core/model/fleet_sizing.hpp"
#include "core/run/sizing_candidate.hpp"
#include "core/run/workload_estimates.hpp"

namespace aidc::sizing {

namespace {

// A scenario resolved only to read its workloads and fleet (before any plan exists) holds this many systems, so
// that the parser's "at most the site's GPUs" checks pass for any job the scenario names.
constexpr int kProbeSystems = 1'000'000;

const char* precision_key(const std::string& p) {
  if (p == "fp4") return "fp4_dense_tflops";
  if (p == "fp8") return "fp8_dense_tflops";
  return "bf16_dense_tflops";
}

bool accelerator_supports(const Catalog& catalog, const std::string& accel, const std::string& precision) {
  const nlohmann::json* a = catalog.entry("accelerators", accel);
  if (!a) return false;
  const char* key = precision_key(precision);
  return a->contains(key) && (*a)[key].is_number() && (*a)[key].get<double>() > 0.0;
}

std::string scenario_precision(const nlohmann::json& w) {
  return w.value("precision", w.value("type", "") == "training" ? "bf16" : "fp8");
}

}  // namespace

bool CandidateSizer::prepare() {
  const nlohmann::json& wl = doc_["workloads"];
  // Precision: the scenario's, else the next wider one the accelerator supports (fp4 → fp8 → bf16).
  std::vector<std::string> precisions;
  for (const nlohmann::json& w : wl) {
    const std::string wanted = scenario_precision(w);
    const std::vector<std::string> order = {"fp4", "fp8", "bf16"};
    auto it = std::find(order.begin(), order.end(), wanted);
    while (it != order.end() && !accelerator_supports(catalog_, r_.accelerator, *it)) ++it;
    if (it == order.end()) {
      r_.limiting_factor = "precision";
      r_.reason = w.value("name", "?") + ": " + r_.accelerator + " supports none of " + wanted + " or wider";
      return false;
    }
    precisions.push_back(*it);
  }
  ws_.resize(wl.size());
  for (std::size_t i = 0; i < wl.size(); ++i) {
    ws_[i].precision = precisions[i];
    const std::string wanted = scenario_precision(wl[i]);
    if (wanted != precisions[i]) ws_[i].note = wanted + " → " + precisions[i] + " (" + r_.accelerator + " has no " + wanted + ")";
  }
  const ResolvedScenario probe = resolve(document(kProbeSystems, nullptr, 0));
  const Scenario& s = probe.scenario;
  sys_ = s.it.systems.at(0);
  fleet_ = s.fleet;
  horizon_h_ = s.horizon_h;
  const ComplianceReport exports = assess_export_control(s.it);
  r_.export_class = exports.accelerators.empty() ? "" : exports.accelerators.front().classification_name;
  r_.grid_mw = s.site.grid.capacity_w / 1e6;
  r_.design_dry_bulb_c = s.site.design_dry_bulb_c;
  r_.design_wet_bulb_c = s.site.design_wet_bulb_c;
  for (std::size_t i = 0; i < s.workloads.size(); ++i) {
    ws_[i].spec = s.workloads[i];
    ws_[i].training = s.workloads[i].kind == WorkloadKind::Training;
    ws_[i].fixed = ws_[i].training && !(s.workloads[i].deadline_d > 0.0);
  }
  // The hot-spare share: the scenario's own count over its own systems when it gives one, else the catalog's.
  spare_share_ = 0.0;
  if (const nlohmann::json* e = catalog_.entry("fleet_defaults", "hot_spare_nodes_share"); e && e->contains("value")) {
    spare_share_ = (*e)["value"].get<double>();
  }
  const nlohmann::json& f = doc_["fleet"];
  if (f.is_object() && f.contains("hot_spare_nodes") && f["hot_spare_nodes"].is_number()) {
    long long total = 0;
    for (const nlohmann::json& x : doc_["it"]["systems"]) total += x.value("count", 0);
    if (total > 0) spare_share_ = f["hot_spare_nodes"].get<double>() / static_cast<double>(total);
  }
  return true;
}

InferenceOutcome CandidateSizer::estimate_instance(const WorkloadSpec& w, int gpus) const {
  return estimate_inference_mix(inference_request(w, gpus), w.mix, opt_.backend);
}

TrainPoint CandidateSizer::train_at(const WorkloadSpec& w, int nodes, int gpus) const {
  TrainPoint p;
  const TrainingOutcome o = estimate_training(training_request(w, gpus), opt_.backend);
  if (!o.found) {
    p.reason = o.reason;
    return p;
  }
  p.found = true;
  p.gpus = gpus;
  p.tokens_per_s = o.estimate.tokens_per_s;
  p.ettr = expected_ettr(fleet_, sys_, w, nodes, gpus);
  p.time_to_train_d = w.tokens / (p.tokens_per_s * std::max(p.ettr, 1e-9)) / 86400.0;
  return p;
}

// The job's estimate on `nodes` nodes: a fixed job's own GPUs, else the best GPU count tried for that node count
// (every valid allocation of a deadline job was estimated by analytic_plan).
const TrainPoint& CandidateSizer::train_point(int i, int nodes) {
  WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  auto it = st.train.find(nodes);
  if (it != st.train.end()) return it->second;
  TrainPoint p = st.fixed ? train_at(st.spec, nodes, st.spec.gpus) : TrainPoint{};
  return st.train.emplace(nodes, p).first->second;
}

// Bound of the training searches: four times the nodes the grid could power at all (ignoring cooling), at
// least 2,048, so that a deadline only met beyond the grid is reported as a grid limit, with its numbers.
int CandidateSizer::node_cap() const {
  const double grid_nodes = r_.grid_mw * 1e6 / std::max(1.0, sys_.max_power_w);
  return static_cast<int>(std::clamp(4.0 * grid_nodes, 2048.0, 1e6));
}

Plan CandidateSizer::analytic_plan() {
  Plan plan(ws_.size(), 0);
  const int gpn = std::max(1, sys_.gpus_per_system);
  const double availability = expected_node_availability(fleet_, sys_);
  for (std::size_t k = 0; k < ws_.size(); ++k) {
    const int i = static_cast<int>(k);
    WorkloadState& st = ws_[k];
    const WorkloadSpec& w = st.spec;
    if (!st.training) {
      if (!plan_inference(i, gpn, availability, plan)) return plan;
    } else if (st.fixed) {
      st.gpus = w.gpus;
      const int nodes = (w.gpus + gpn - 1) / gpn;
      const TrainPoint& p = train_point(i, nodes);
      if (!p.found) {
        r_.limiting_factor = "memory";
        r_.reason = w.name + ": no parallel layout on " + std::to_string(w.gpus) + " " + r_.accelerator + " (" +
                    p.reason + ")";
        return plan;
      }
      plan[k] = nodes;
    } else if (!plan_deadline_job(i, gpn, plan)) {
      return plan;
    }
  }
  return plan;
}

// The scenario's instance size if it fits the candidate; else the cheapest per token within one system.
bool CandidateSizer::plan_inference(int i, int gpn, double availability, Plan& plan) {
  WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  const WorkloadSpec& w = st.spec;
  InferenceOutcome o = estimate_instance(w, w.gpus);
  int gpus = w.gpus;
  if (!o.found) {
    const std::string first_reason = o.reason;
    double best_cost = kInf;
    std::vector<int> sizes;
    for (int g = 1; g <= gpn; g *= 2) sizes.push_back(g);
    if (std::find(sizes.begin(), sizes.end(), gpn) == sizes.end()) sizes.push_back(gpn);
    for (int g : sizes) {
      if (g == w.gpus) continue;
      InferenceOutcome c = estimate_instance(w, g);
      if (!c.found) continue;
      const double node_share = g < gpn ? 1.0 / (gpn / g) : std::ceil(static_cast<double>(g) / gpn);
      const double cost = node_share / c.estimate.output_tokens_per_s;
      if (cost < best_cost) {
        best_cost = cost;
        o = c;
        gpus = g;
      }
    }
    if (!o.found) {
      r_.limiting_factor =
          first_reason.find("memory") != std::string::npos || first_reason.find("GB") != std::string::npos ? "memory"
                                                                                                            : "slo";
      r_.reason = w.name + ": no configuration of 1 to " + std::to_string(std::max(gpn, w.gpus)) + " " +
                  r_.accelerator + " meets its SLOs (" + first_reason + ")";
      return false;
    }
    st.note += (st.note.empty() ? "" : "; ") + fmt::format("instance of {} GPUs ({} do not fit)", gpus, w.gpus);
  }
  st.gpus = gpus;
  st.instance_tokens_per_s = o.estimate.output_tokens_per_s;
  st.availability = availability;
  st.step = gpus < gpn ? gpn / gpus : 1;
  const int peak = instances_for_peak(w, {st.instance_tokens_per_s * availability, 0.0}, horizon_h_);
  plan[static_cast<std::size_t>(i)] = ((peak + st.step - 1) / st.step) * st.step;
  return true;
}

// GPU counts a layout search likes (powers of two, three times powers of two, whole systems by powers of two),
// ascending; the least node count whose job meets the deadline, plus a few larger ones to grow into.
bool CandidateSizer::plan_deadline_job(int i, int gpn, Plan& plan) {
  WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  const WorkloadSpec& w = st.spec;
  const int cap = node_cap();
  std::vector<int> counts;
  for (long long g = 1; g <= static_cast<long long>(cap) * gpn; g *= 2) {
    counts.push_back(static_cast<int>(g));
    if (3 * g <= static_cast<long long>(cap) * gpn) counts.push_back(static_cast<int>(3 * g));
    if (g <= cap && g * gpn <= static_cast<long long>(cap) * gpn) counts.push_back(static_cast<int>(g * gpn));
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  int meets = 0, beyond = 0;
  for (int g : counts) {
    const int nodes = (g + gpn - 1) / gpn;
    const TrainPoint p = train_at(w, nodes, g);
    if (!p.found) continue;
    auto [it, fresh] = st.train.emplace(nodes, p);
    if (!fresh && p.time_to_train_d < it->second.time_to_train_d) it->second = p;
    if (meets > 0 && ++beyond >= 4) break;
    if (meets == 0 && p.time_to_train_d <= w.deadline_d) meets = nodes;
  }
  if (meets == 0) {
    double best = kInf;
    int best_n = 0;
    for (const auto& [n, p] : st.train) {
      if (p.found && p.time_to_train_d < best) {
        best = p.time_to_train_d;
        best_n = n;
      }
    }
    r_.limiting_factor = best_n > 0 ? "deadline" : "memory";
    r_.reason = best_n > 0 ? fmt::format("{}: deadline {:.1f} d not met with up to {} systems (best {:.1f} d on {} systems)",
                                         w.name, w.deadline_d, cap, best, best_n)
                           : w.name + ": no parallel layout on any GPU count up to " +
                                 std::to_string(static_cast<long long>(cap) * gpn);
    return false;
  }
  plan[static_cast<std::size_t>(i)] = meets;
  return true;
}

}  // namespace aidc::sizing
