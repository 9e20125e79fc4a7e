#include "core/run/sizing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "core/model/cooling.hpp"
#include "core/model/economics.hpp"
#include "core/model/export_control.hpp"
#include "core/model/fleet_ops.hpp"
#include "core/model/fleet_plan.hpp"
#include "core/model/fleet_sizing.hpp"
#include "core/model/power_chain.hpp"
#include "core/model/site_year.hpp"
#include "core/run/perf_estimates.hpp"
#include "core/scenario/input_error.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/scenario/parse_sizing.hpp"
#include "core/stats/quantile.hpp"

namespace aidc {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// A scenario resolved only to read its workloads and fleet (before any plan exists) holds this many systems, so
// that the parser's "at most the site's GPUs" checks pass for any job the scenario names.
constexpr int kProbeSystems = 1'000'000;

std::string fmt(const char* f, auto... args) {
  char buf[768];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

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

// Training estimate of a job at one GPU count (cached per workload).
struct TrainPoint {
  bool found = false;
  int gpus = 0;
  double tokens_per_s = 0.0;
  double ettr = 0.0;
  double time_to_train_d = kInf;
  std::string reason;
};

// One workload's choices on the candidate, and how its allocation moves.
struct WorkloadState {
  WorkloadSpec spec;               // resolved on the candidate (probe scenario)
  bool training = false;
  bool fixed = false;              // training without deadline: keeps its GPUs
  int gpus = 0;                    // inference: per instance; training: of the fixed job
  int step = 1;                    // inference: instances per allocation step (one node, or one spanning instance)
  double instance_tokens_per_s = 0.0;
  double availability = 1.0;
  std::string precision;
  std::string note;
  std::map<int, TrainPoint> train;  // training: by node count
};

struct Outcome {
  bool passed = false;
  std::vector<RequirementCheck> checks;
  double pue = 0.0, water_m3 = 0.0, carbon_t = 0.0, energy_cost_usd = 0.0, tokens_served = 0.0;
};

class CandidateSizer {
 public:
  CandidateSizer(const nlohmann::json& site_doc, const std::string& site, const std::string& system,
                 const Catalog& catalog, const std::string& file, const std::filesystem::path& base_dir,
                 const SizingSpec& z, const SizingOptions& opt)
      : doc_(site_doc), catalog_(catalog), file_(file), base_dir_(base_dir), z_(z), opt_(opt) {
    r_.site = site;
    r_.system = system;
  }

  // A candidate the scenario cannot take (a rack power limit below its power, say) is reported, not fatal.
  CandidateResult run() {
    const nlohmann::json* sys_entry = catalog_.entry("systems", r_.system);
    r_.accelerator = sys_entry ? sys_entry->value("accelerator", "") : "";
    try {
      return search();
    } catch (const BadInput& e) {
      r_.limiting_factor = "scenario";
      r_.reason = e.problems().empty() ? e.what() : format_problem(e.problems().front());
      return finish_infeasible();
    }
  }

 private:
  CandidateResult search() {
    if (!prepare()) return finish_infeasible();
    std::vector<int> plan = analytic_plan();
    if (!r_.reason.empty()) return finish_infeasible();
    // The analytic plan must fit the grid (the verified one is at most slightly larger).
    if (!fits_grid(plan)) return finish_infeasible();
    say(fmt("%s / %s: analytic plan %d systems, verifying", r_.site.c_str(), r_.system.c_str(), systems_of(plan)));

    // Grow until the simulation agrees.
    const Outcome* v = &verify(plan);
    while (!v->passed) {
      if (runs_ >= z_.max_verification_runs) {
        r_.limiting_factor = "verification";
        r_.reason = "no plan passed within " + std::to_string(z_.max_verification_runs) +
                    " verification runs; last failed " + first_failed(*v);
        r_.checks = v->checks;
        return finish_infeasible();
      }
      bool grew = false;
      for (const RequirementCheck& c : v->checks) {
        if (c.met) continue;
        const int i = index_of(c.workload);
        if (i < 0) continue;
        const int up = higher(i, plan[i]);
        if (up > 0) {
          plan[i] = up;
          grew = true;
        }
      }
      if (!grew) {
        r_.limiting_factor = "verification";
        r_.reason = "failed " + first_failed(*v) + " and no workload can grow";
        r_.checks = v->checks;
        return finish_infeasible();
      }
      v = &verify(plan);
    }

    // Shrink each workload while the plan passes, then check that one step fewer fails for every workload.
    for (std::size_t i = 0; i < ws_.size(); ++i) shrink(static_cast<int>(i), plan);
    for (int round = 0; round < 3; ++round) {
      bool changed = false;
      r_.minimality.clear();
      for (std::size_t i = 0; i < ws_.size(); ++i) {
        if (ws_[i].fixed) continue;
        MinimalityCheck m;
        m.workload = ws_[i].spec.name;
        m.nodes_from = nodes_of(static_cast<int>(i), plan[i]);
        const int down = lower(static_cast<int>(i), plan[i]);
        if (down <= 0) {
          m.failed = true;
          m.failed_requirement = ws_[i].training ? "no smaller node count has a valid parallel layout"
                                                 : "a service needs at least one system";
          r_.minimality.push_back(m);
          continue;
        }
        std::vector<int> smaller = plan;
        smaller[i] = down;
        m.nodes_to = nodes_of(static_cast<int>(i), down);
        if (runs_ >= z_.max_verification_runs && !memo_.count(smaller)) {
          m.failed_requirement = "not checked: verification run bound reached";
          r_.minimality.push_back(m);
          continue;
        }
        const Outcome& o = verify(smaller);
        if (o.passed) {
          plan[i] = down;
          changed = true;
          shrink(static_cast<int>(i), plan);
          break;
        }
        m.failed = true;
        m.failed_requirement = first_failed(o);
        r_.minimality.push_back(m);
      }
      if (!changed) break;
    }

    const Outcome& final_outcome = verify(plan);
    r_.checks = final_outcome.checks;
    if (!fits_grid(plan)) return finish_infeasible();
    r_.feasible = true;
    fill_plan(plan);
    fill_economics(plan, final_outcome);
    r_.verification_runs = runs_;
    return r_;
  }

  void say(const std::string& line) const {
    if (opt_.progress) opt_.progress(line);
  }

  CandidateResult finish_infeasible() {
    r_.feasible = false;
    r_.verification_runs = runs_;
    r_.capex_usd = r_.tco_usd = r_.usd_per_million_tokens = kNan;
    r_.pue = r_.water_m3_per_year = r_.carbon_t_per_year = kNan;
    return r_;
  }

  int index_of(const std::string& name) const {
    for (std::size_t i = 0; i < ws_.size(); ++i) {
      if (ws_[i].spec.name == name) return static_cast<int>(i);
    }
    return -1;
  }

  static std::string first_failed(const Outcome& o) {
    for (const RequirementCheck& c : o.checks) {
      if (!c.met) return c.text();
    }
    return "nothing";
  }

  // ---- Documents ---------------------------------------------------------------------------------------------
  // The site document re-targeted to the candidate: one system entry, every workload on it (with the precision it
  // supports), economics priced for it (or dropped when no price is known), the given counts.
  nlohmann::json document(int systems, const std::vector<int>* plan, int spares) {
    nlohmann::json d = doc_;
    nlohmann::json sys = {{"name", r_.system}, {"count", systems}};
    d["it"]["systems"] = nlohmann::json::array({sys});
    d["replications"] = z_.verify_replications;
    if (d.contains("fleet") && d["fleet"].is_object()) d["fleet"]["hot_spare_nodes"] = spares;
    if (d.contains("workloads") && d["workloads"].is_array()) {
      for (std::size_t i = 0; i < d["workloads"].size(); ++i) {
        nlohmann::json& w = d["workloads"][i];
        w["system"] = r_.system;
        if (i < ws_.size()) w["precision"] = ws_[i].precision;
        if (w.value("type", "") == "inference") w.erase("instances");
        if (plan && i < ws_.size()) {
          const int gpus = gpus_of(static_cast<int>(i), (*plan)[i]);
          w["gpus"] = gpus;
          if (!ws_[i].training) w["instances"] = (*plan)[i];
          for (const char* k : {"tp", "pp", "cp"}) {
            if (w.contains(k) && w[k].is_number_integer() && w[k].get<int>() > 0 && gpus % w[k].get<int>() != 0) {
              w[k] = 0;
            }
          }
        }
      }
    }
    // Economics: the candidate's price (sizing.system_price_usd, the scenario's, else the catalog's list price).
    std::optional<double> price;
    for (const auto& [name, usd] : z_.system_price_usd) {
      if (name == r_.system) price = usd;
    }
    const nlohmann::json* entry = catalog_.entry("systems", r_.system);
    const bool listed = entry && entry->contains("list_price_usd") && (*entry)["list_price_usd"].is_number();
    if (d.contains("economics") && d["economics"].is_object()) {
      nlohmann::json& e = d["economics"];
      e.erase("design_it_mw");  // scales with the sized IT
      if (e.contains("system_price_usd") && e["system_price_usd"].is_object()) {
        const nlohmann::json old = e["system_price_usd"];
        if (!price && old.contains(r_.system) && old[r_.system].is_number()) price = old[r_.system].get<double>();
        e.erase("system_price_usd");
      }
      if (price) e["system_price_usd"] = {{r_.system, *price}};
      if (!price && !listed) d.erase("economics");
    } else if (price || listed) {
      // Capex and TCO need the economics model; its defaults come from the catalog. Revenue does not enter them.
      d["economics"] = {{"_note", "added by aidcsim size: capex and opex from the economics defaults catalog"},
                        {"revenue", {{"usd_per_gpu_hour", 0.0}}}};
      if (price) d["economics"]["system_price_usd"] = {{r_.system, *price}};
    }
    return d;
  }

  ResolvedScenario resolve(const nlohmann::json& d) const { return resolve_and_prepare(d, catalog_, file_, base_dir_); }

  // ---- Estimates ---------------------------------------------------------------------------------------------
  bool prepare() {
    const nlohmann::json& wl = doc_["workloads"];
    // Precision: the scenario's, else the next wider one the accelerator supports (fp4 → fp8 → bf16).
    std::vector<std::string> precisions;
    for (const nlohmann::json& w : wl) {
      const bool training = w.value("type", "") == "training";
      std::string p = w.value("precision", training ? "bf16" : "fp8");
      const std::string wanted = p;
      const std::vector<std::string> order = {"fp4", "fp8", "bf16"};
      auto it = std::find(order.begin(), order.end(), p);
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
      const std::string wanted = wl[i].value("precision", wl[i].value("type", "") == "training" ? "bf16" : "fp8");
      if (wanted != precisions[i]) ws_[i].note = wanted + " → " + precisions[i] + " (" + r_.accelerator + " has no " + wanted + ")";
    }
    const ResolvedScenario probe = resolve(document(kProbeSystems, nullptr, 0));
    const Scenario& s = probe.scenario;
    sys_ = s.it.systems.at(0);
    fleet_ = s.fleet;
    horizon_h_ = s.horizon_h;
    r_.export_class = assess_export_control(s.it).accelerators.empty()
                          ? ""
                          : assess_export_control(s.it).accelerators.front().classification_name;
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

  InferenceOutcome estimate_instance(const WorkloadSpec& w, int gpus) const {
    InferenceRequestSpec spec;
    spec.model = w.model;
    spec.accelerator = w.accelerator;
    spec.arch = w.arch;
    spec.accel = w.accel;
    spec.precision = w.precision;
    spec.gpus = gpus;
    spec.fixed_tp = w.tp > 0 && gpus % w.tp == 0 ? w.tp : 0;
    spec.fixed_pp = w.pp > 0 && gpus % w.pp == 0 ? w.pp : 0;
    spec.isl = w.isl;
    spec.osl = w.osl;
    spec.concurrency = w.concurrency;
    spec.ttft_slo_s = w.ttft_slo_s;
    spec.tpot_slo_s = w.tpot_slo_s;
    return estimate_inference_mix(spec, w.mix, opt_.backend);
  }

  TrainPoint train_at(const WorkloadSpec& w, int nodes, int gpus) const {
    TrainPoint p;
    TrainingRequestSpec spec;
    spec.model = w.model;
    spec.accelerator = w.accelerator;
    spec.arch = w.arch;
    spec.accel = w.accel;
    spec.precision = w.precision;
    spec.gpus = gpus;
    spec.seq = w.seq;
    spec.global_batch_tokens = w.global_batch_tokens;
    spec.fixed_tp = w.tp > 0 && gpus % w.tp == 0 ? w.tp : 0;
    spec.fixed_pp = w.pp > 0 && gpus % w.pp == 0 ? w.pp : 0;
    spec.fixed_cp = w.cp > 0 && gpus % w.cp == 0 ? w.cp : 0;
    const TrainingOutcome o = estimate_training(spec, opt_.backend);
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
  const TrainPoint& train_point(int i, int nodes) {
    WorkloadState& st = ws_[static_cast<std::size_t>(i)];
    auto it = st.train.find(nodes);
    if (it != st.train.end()) return it->second;
    TrainPoint p = st.fixed ? train_at(st.spec, nodes, st.spec.gpus) : TrainPoint{};
    return st.train.emplace(nodes, p).first->second;
  }

  // Bound of the training searches: four times the nodes the grid could power at all (ignoring cooling), at
  // least 2,048, so that a deadline only met beyond the grid is reported as a grid limit, with its numbers.
  int node_cap() const {
    const double grid_nodes = r_.grid_mw * 1e6 / std::max(1.0, sys_.max_power_w);
    return static_cast<int>(std::clamp(4.0 * grid_nodes, 2048.0, 1e6));
  }

  std::vector<int> analytic_plan() {
    std::vector<int> plan(ws_.size(), 0);
    const int gpn = std::max(1, sys_.gpus_per_system);
    const double availability = expected_node_availability(fleet_, sys_);
    for (std::size_t i = 0; i < ws_.size(); ++i) {
      WorkloadState& st = ws_[i];
      const WorkloadSpec& w = st.spec;
      if (!st.training) {
        // The scenario's instance size if it fits the candidate; else the cheapest per token within one system.
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
            r_.limiting_factor = first_reason.find("memory") != std::string::npos ||
                                         first_reason.find("GB") != std::string::npos
                                     ? "memory"
                                     : "slo";
            r_.reason = w.name + ": no configuration of 1 to " + std::to_string(std::max(gpn, w.gpus)) + " " +
                        r_.accelerator + " meets its SLOs (" + first_reason + ")";
            return plan;
          }
          st.note += (st.note.empty() ? "" : "; ") + fmt("instance of %d GPUs (%d do not fit)", gpus, w.gpus);
        }
        st.gpus = gpus;
        st.instance_tokens_per_s = o.estimate.output_tokens_per_s;
        st.availability = availability;
        st.step = gpus < gpn ? gpn / gpus : 1;
        const int peak = instances_for_peak(w, {st.instance_tokens_per_s * availability, 0.0}, horizon_h_);
        plan[i] = ((peak + st.step - 1) / st.step) * st.step;
      } else if (st.fixed) {
        st.gpus = w.gpus;
        const int nodes = (w.gpus + gpn - 1) / gpn;
        const TrainPoint& p = train_point(static_cast<int>(i), nodes);
        if (!p.found) {
          r_.limiting_factor = "memory";
          r_.reason = w.name + ": no parallel layout on " + std::to_string(w.gpus) + " " + r_.accelerator + " (" +
                      p.reason + ")";
          return plan;
        }
        plan[i] = nodes;
      } else {
        // GPU counts a layout search likes (powers of two, three times powers of two, whole systems by powers of
        // two), ascending; the least node count whose job meets the deadline, plus a few larger ones to grow into.
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
          r_.reason = best_n > 0 ? fmt("%s: deadline %.1f d not met with up to %d systems (best %.1f d on %d systems)",
                                       w.name.c_str(), w.deadline_d, cap, best, best_n)
                                 : w.name + ": no parallel layout on any GPU count up to " +
                                       std::to_string(static_cast<long long>(cap) * gpn);
          return plan;
        }
        plan[i] = meets;
      }
    }
    return plan;
  }

  // ---- Allocation steps --------------------------------------------------------------------------------------
  int gpus_of(int i, int a) {
    const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
    if (!st.training) return st.gpus;
    if (st.fixed) return st.gpus;
    return train_point(i, a).gpus;
  }
  int nodes_of(int i, int a) const {
    const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
    if (st.training) return a;
    return nodes_for_instances(a, st.gpus, sys_.gpus_per_system);
  }
  // The largest valid allocation <= x, or 0.
  int at_or_below(int i, int x) {
    const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
    if (st.fixed) return 0;
    if (!st.training) return x >= st.step ? (x / st.step) * st.step : 0;
    for (auto it = st.train.rbegin(); it != st.train.rend(); ++it) {
      if (it->first <= x && it->second.found) return it->first;
    }
    return 0;
  }
  int lower(int i, int a) { return at_or_below(i, a - 1); }
  int higher(int i, int a) {
    const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
    if (st.fixed) return 0;
    if (!st.training) return a + st.step;
    for (const auto& [n, p] : st.train) {
      if (n > a && p.found) return n;
    }
    return 0;
  }
  int working_nodes(const std::vector<int>& plan) const {
    int n = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) n += nodes_of(static_cast<int>(i), plan[i]);
    return n;
  }
  int systems_of(const std::vector<int>& plan) const {
    const int w = working_nodes(plan);
    return w + hot_spares_for(w, spare_share_);
  }

  // Lowers workload i while the plan passes: galloping steps down, then bisection against the last failure.
  void shrink(int i, std::vector<int>& plan) {
    if (ws_[static_cast<std::size_t>(i)].fixed) return;
    int pass = plan[i];
    int fail = 0;
    int k = 1;
    const int unit = ws_[static_cast<std::size_t>(i)].training ? 1 : ws_[static_cast<std::size_t>(i)].step;
    while (runs_ < z_.max_verification_runs) {
      const int cand = at_or_below(i, pass - k * unit);
      if (cand <= 0) break;
      std::vector<int> p = plan;
      p[i] = cand;
      if (verify(p).passed) {
        pass = cand;
        k *= 2;
      } else {
        fail = cand;
        break;
      }
    }
    while (runs_ < z_.max_verification_runs) {
      int cand = at_or_below(i, fail + (pass - fail) / 2);
      if (cand <= fail) cand = lower(i, pass);
      if (cand <= fail || cand >= pass) break;
      std::vector<int> p = plan;
      p[i] = cand;
      if (verify(p).passed) pass = cand;
      else fail = cand;
    }
    plan[i] = pass;
  }

  // ---- Power -------------------------------------------------------------------------------------------------
  bool fits_grid(const std::vector<int>& plan) {
    const int systems = systems_of(plan);
    const ResolvedScenario rs = resolve(document(systems, &plan, hot_spares_for(working_nodes(plan), spare_share_)));
    const Scenario& s = rs.scenario;
    const double it_w = it_max_power_w(s.it) + (s.fleet.enabled ? size_fabric(s.it, s.fleet.network).power_w : 0.0);
    const CoolingResult cool = cooling_power(s.facility.cooling, indoor_heat_w(s.facility.power_chain, it_w),
                                             s.site.design_dry_bulb_c, s.site.design_wet_bulb_c);
    const double facility_w = power_flows(s.facility.power_chain, it_w, cool.cooling_power_w).facility_power_w;
    r_.it_mw = it_w / 1e6;
    r_.facility_mw = facility_w / 1e6;
    r_.systems = systems;
    if (facility_w > s.site.grid.capacity_w) {
      r_.limiting_factor = "grid capacity";
      r_.reason = fmt("%d %s need %.1f MW IT and %.1f MW at the meter at the design %.1f °C dry / %.1f °C wet bulb; "
                      "the grid connection is %.1f MW",
                      systems, r_.system.c_str(), it_w / 1e6, facility_w / 1e6, s.site.design_dry_bulb_c,
                      s.site.design_wet_bulb_c, s.site.grid.capacity_w / 1e6);
      fill_plan(plan);
      return false;
    }
    return true;
  }

  // ---- Verification ------------------------------------------------------------------------------------------
  const Outcome& verify(const std::vector<int>& plan) {
    if (auto it = memo_.find(plan); it != memo_.end()) return it->second;
    ++runs_;
    const int working = working_nodes(plan);
    const int spares = hot_spares_for(working, spare_share_);
    const nlohmann::json d = document(working + spares, &plan, spares);
    const ResolvedScenario rs = resolve(d);
    const Scenario& s = rs.scenario;
    std::vector<FleetWorkloadRate> rates;
    for (std::size_t i = 0; i < ws_.size(); ++i) {
      if (ws_[i].training) {
        rates.push_back({0.0, train_point(static_cast<int>(i), plan[i]).tokens_per_s});
      } else {
        rates.push_back({ws_[i].instance_tokens_per_s, 0.0});
      }
    }
    const SiteWeather weather(s, rs.epw_weather.get());
    const int R = s.replications;
    std::vector<SiteYearResult> results(static_cast<std::size_t>(R));
    tbb::parallel_for(0, R, [&](int rep) {
      results[static_cast<std::size_t>(rep)] = simulate_site_year(s, weather.replication(rep), rep, rates);
    });
    const std::vector<KpiInfo> info = fleet_kpi_info(s);
    auto kpi_values = [&](const std::string& name) {
      std::vector<double> v;
      const std::size_t k = kpi_index(info, name);
      if (k == info.size()) return v;
      for (const SiteYearResult& r : results) v.push_back(r.fleet_kpis.at(k));
      return v;
    };
    Outcome o;
    o.passed = true;
    for (const WorkloadState& st : ws_) {
      const WorkloadSpec& w = st.spec;
      RequirementCheck c;
      c.workload = w.name;
      if (!st.training) {
        std::vector<double> v = kpi_values(w.name + ".slo_attainment");
        std::vector<double> defined;
        for (double x : v) {
          if (!std::isnan(x)) defined.push_back(x);
        }
        c.kpi = "slo_attainment";
        c.statistic = "p10";
        c.value = defined.empty() ? 1.0 : quantile(defined, 0.1);
        c.target = z_.slo_attainment;
        c.met = c.value >= c.target;
      } else if (w.deadline_d > 0.0) {
        std::vector<double> v = kpi_values(w.name + ".time_to_train_d");
        bool late = false;
        for (double x : v) late = late || std::isnan(x);
        c.kpi = "time_to_train_d";
        c.statistic = "p90";
        c.value = late ? kInf : quantile(v, 0.9);
        c.target = w.deadline_d;
        c.met = c.value <= c.target;
      } else {
        continue;
      }
      o.passed = o.passed && c.met;
      o.checks.push_back(c);
    }
    std::vector<double> pue, water, carbon, cost, tokens;
    const std::vector<double> served = kpi_values("output_tokens_served");
    for (const SiteYearResult& r : results) {
      pue.push_back(r.kpis[kKpiPueAnnual]);
      water.push_back(r.kpis[kKpiWater]);
      carbon.push_back(r.kpis[kKpiCarbon]);
      cost.push_back(r.kpis[kKpiEnergyCost]);
    }
    o.pue = mean(pue);
    o.water_m3 = mean(water);
    o.carbon_t = mean(carbon);
    o.energy_cost_usd = mean(cost);
    o.tokens_served = served.empty() ? 0.0 : mean(served);
    say(fmt("%s / %s: run %d, %d systems: %s", r_.site.c_str(), r_.system.c_str(), runs_, working + spares,
            o.passed ? "meets every requirement" : ("fails " + first_failed(o)).c_str()));
    return memo_.emplace(plan, std::move(o)).first->second;
  }

  // ---- Results -----------------------------------------------------------------------------------------------
  void fill_plan(const std::vector<int>& plan) {
    r_.workloads.clear();
    r_.working_nodes = working_nodes(plan);
    r_.spare_nodes = hot_spares_for(r_.working_nodes, spare_share_);
    r_.systems = r_.working_nodes + r_.spare_nodes;
    r_.gpus = static_cast<long long>(r_.systems) * sys_.gpus_per_system;
    for (std::size_t i = 0; i < ws_.size(); ++i) {
      const WorkloadState& st = ws_[i];
      WorkloadPlan p;
      p.name = st.spec.name;
      p.training = st.training;
      p.precision = st.precision;
      p.note = st.note;
      p.nodes = nodes_of(static_cast<int>(i), plan[i]);
      if (st.training) {
        const TrainPoint& t = train_point(static_cast<int>(i), p.nodes);
        p.gpus = t.gpus;
        p.tokens_per_s = t.tokens_per_s;
        p.availability = t.ettr;
        p.deadline_d = st.spec.deadline_d;
        p.estimated_time_to_train_d = t.time_to_train_d;
      } else {
        p.gpus = st.gpus;
        p.instances = plan[i];
        p.tokens_per_s = st.instance_tokens_per_s;
        p.availability = st.availability;
      }
      r_.workloads.push_back(p);
    }
  }

  void fill_economics(const std::vector<int>& plan, const Outcome& o) {
    const int working = working_nodes(plan);
    const int spares = hot_spares_for(working, spare_share_);
    r_.sized_scenario = document(working + spares, &plan, spares);
    const ResolvedScenario rs = resolve(r_.sized_scenario);
    const Scenario& s = rs.scenario;
    const double per_year = 8760.0 / s.horizon_h;
    r_.pue = o.pue;
    r_.water_m3_per_year = o.water_m3 * per_year;
    r_.carbon_t_per_year = o.carbon_t * per_year;
    r_.output_tokens_per_year = o.tokens_served * per_year;
    r_.capex_usd = r_.tco_usd = r_.usd_per_million_tokens = kNan;
    if (!s.economics.enabled) return;
    const EconomicsResult e = evaluate_economics(
        s.economics, {o.energy_cost_usd * per_year, o.water_m3 * per_year, s.site.water_price_usd_per_m3});
    r_.capex_usd = e.capex.total_usd;
    const double rate = s.economics.discount_rate;
    double pv_cost = 0.0, pv_terminal = 0.0, pv_tokens = 0.0;
    for (const CashFlowYear& y : e.years) {
      const double df = std::pow(1.0 + rate, -y.year);
      pv_cost += (y.capex_usd + y.opex_usd) * df;
      pv_terminal += y.terminal_value_usd * df;
      if (y.year > 0) pv_tokens += r_.output_tokens_per_year * df;
    }
    r_.tco_usd = pv_cost;
    int inference_nodes = 0;
    for (std::size_t i = 0; i < ws_.size(); ++i) {
      if (!ws_[i].training) inference_nodes += nodes_of(static_cast<int>(i), plan[i]);
    }
    const double share = working > 0 ? static_cast<double>(inference_nodes) / working : 0.0;
    r_.usd_per_million_tokens = pv_tokens > 0.0 && share > 0.0 ? (pv_cost - pv_terminal) * share / pv_tokens * 1e6 : kNan;
  }

  const nlohmann::json& doc_;
  const Catalog& catalog_;
  std::string file_;
  std::filesystem::path base_dir_;
  const SizingSpec& z_;
  const SizingOptions& opt_;
  CandidateResult r_;
  std::vector<WorkloadState> ws_;
  SystemSpec sys_;
  FleetSpec fleet_;
  int horizon_h_ = 0;
  double spare_share_ = 0.0;
  int runs_ = 0;
  std::map<std::vector<int>, Outcome> memo_;
};

double objective_value(const CandidateResult& c, SizingObjective o) {
  switch (o) {
    case SizingObjective::Tco: return c.tco_usd;
    case SizingObjective::Capex: return c.capex_usd;
    case SizingObjective::UsdPerMillionTokens: return c.usd_per_million_tokens;
  }
  return c.tco_usd;
}

// The site document for another country: the scenario's site section with only its name and grid capacity kept,
// so the resolver fills the city, climate, prices, carbon, reliability and design temperatures from the catalog.
nlohmann::json site_document(const nlohmann::json& doc, const std::string& country) {
  const nlohmann::json& site = doc["site"];
  if (site.value("country", "") == country) return doc;
  nlohmann::json d = doc;
  nlohmann::json ns = {{"country", country}};
  if (site.contains("name")) ns["name"] = site["name"];
  if (site.contains("grid") && site["grid"].contains("capacity_mw")) {
    ns["grid"] = {{"capacity_mw", site["grid"]["capacity_mw"]}};
  }
  d["site"] = ns;
  // Fleet lead times and economics construction costs follow the country unless the scenario fixed them.
  return d;
}

}  // namespace

std::string RequirementCheck::text() const {
  const bool upper = statistic == "p90";
  return fmt("%s.%s %s %.4g %s %.4g", workload.c_str(), kpi.c_str(), statistic == "p90" ? "P90" : "P10", value,
             met ? (upper ? "<=" : ">=") : (upper ? ">" : "<"), target);
}

SizingResult size_scenario(const nlohmann::json& doc_in, const Catalog& catalog, const std::string& file_label,
                           const std::filesystem::path& base_dir, const SizingOptions& options) {
  nlohmann::json doc = doc_in;
  // Command-line lists replace the section's before resolution, so they are checked like the file.
  if (!options.sites.empty() || !options.candidates.empty()) {
    if (!doc.contains("sizing") || !doc["sizing"].is_object()) doc["sizing"] = nlohmann::json::object();
    if (!options.sites.empty()) doc["sizing"]["sites"] = options.sites;
    if (!options.candidates.empty()) doc["sizing"]["candidates"] = options.candidates;
  }
  const ResolvedScenario base = resolve_and_prepare(doc, catalog, file_label, base_dir);
  const Scenario& s = base.scenario;
  InputProblems problems;
  if (!s.fleet.enabled) {
    problems.add(file_label, "/fleet", "", "a \"fleet\" section: sizing verifies each plan by operating the workloads");
  }
  if (s.workloads.empty()) {
    problems.add(file_label, "/workloads", "", "at least one workload to size the hardware for");
  }
  for (std::size_t i = 0; i < s.workloads.size(); ++i) {
    const WorkloadSpec& w = s.workloads[i];
    if (w.deadline_d > 0.0 && w.start_h + 24.0 * w.deadline_d > s.horizon_h) {
      problems.add(file_label, "/workloads/" + std::to_string(i) + "/deadline_d", nlohmann::json(w.deadline_d).dump(),
                   fmt("a deadline inside the horizon (start_h %.0f + 24 x deadline_d <= horizon.duration_h %d), so "
                       "the verification runs can see it met",
                       w.start_h, s.horizon_h));
    }
  }
  // Every site's city needs climate normals for the synthetic weather.
  for (std::size_t i = 0; i < s.sizing.sites.size(); ++i) {
    const std::string& c = s.sizing.sites[i];
    if (c == s.site.country) continue;
    const nlohmann::json* e = catalog.entry("countries", c);
    const std::string city = e ? e->value("city", "") : "";
    if (e && !catalog.entry("climate", city)) {
      problems.add(file_label, "/sizing/sites/" + std::to_string(i), nlohmann::json(c).dump(),
                   "a country whose city has climate normals in " + catalog.label("climate") + " (" + city +
                       " has none; " + expected_one_of(city, catalog.names("climate")) + ")");
    }
  }
  problems.throw_if_any();

  const int threads = options.threads > 0 ? options.threads : 0;
  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  SizingResult out;
  out.scenario = s.name;
  out.objective = sizing_objective_name(s.sizing.objective);
  out.slo_attainment_target = s.sizing.slo_attainment;
  out.verify_replications = s.sizing.verify_replications;
  for (const std::string& site : s.sizing.sites) {
    const nlohmann::json site_doc = site_document(doc, site);
    SiteRanking ranking;
    ranking.site = site;
    for (const std::string& system : s.sizing.candidates) {
      CandidateSizer sizer(site_doc, site, system, catalog, file_label, base_dir, s.sizing, options);
      ranking.candidates.push_back(sizer.run());
    }
    const SizingObjective obj = s.sizing.objective;
    std::stable_sort(ranking.candidates.begin(), ranking.candidates.end(),
                     [obj](const CandidateResult& a, const CandidateResult& b) {
                       if (a.feasible != b.feasible) return a.feasible;
                       if (!a.feasible) return false;
                       const double va = objective_value(a, obj), vb = objective_value(b, obj);
                       const bool na = std::isnan(va), nb = std::isnan(vb);
                       if (na != nb) return nb;
                       if (!na && va != vb) return va < vb;
                       return a.systems < b.systems;
                     });
    for (std::size_t k = 0; k < ranking.candidates.size(); ++k) ranking.candidates[k].rank = static_cast<int>(k + 1);
    if (!ranking.candidates.empty() && ranking.candidates.front().feasible) {
      ranking.winner = ranking.candidates.front().system;
    }
    out.sites.push_back(std::move(ranking));
  }
  return out;
}

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
                              {"failed_requirement", m.failed_requirement}});
      }
      cands.push_back({{"rank", c.rank},
                       {"system", c.system},
                       {"accelerator", c.accelerator},
                       {"feasible", c.feasible},
                       {"limiting_factor", c.limiting_factor},
                       {"reason", c.reason},
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
    }
  }
  t.text_attributes = {{"objective", r.objective}, {"note", kExportControlNote}};
  t.number_attributes = {{"slo_attainment_target", r.slo_attainment_target},
                         {"verify_replications", static_cast<double>(r.verify_replications)}};
  return t;
}

}  // namespace aidc
