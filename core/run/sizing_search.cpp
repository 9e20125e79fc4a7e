// The search of one candidate (core/run/sizing_candidate.hpp): from the analytic plan, grow until the simulation
// agrees, shrink each workload while the plan passes, then check that one step fewer fails for every workload.
#include <fmt/format.h>

#include "core/run/prepare_scenario.hpp"
#include "core/model/fleet_sizing.hpp"
#include "core/run/sizing_candidate.hpp"
#include "core/run/sizing_variants.hpp"
#include "core/scenario/input_error.hpp"

namespace aidc::sizing {

CandidateSizer::CandidateSizer(const nlohmann::json& site_doc, const std::string& site, const std::string& system,
                               const Catalog& catalog, const std::string& file, const std::filesystem::path& base_dir,
                               const SizingSpec& z, const SizingOptions& opt)
    : doc_(site_doc), catalog_(catalog), file_(file), base_dir_(base_dir), z_(z), opt_(opt) {
  r_.site = site;
  r_.system = system;
  if (const auto cooling = adapted_cooling(doc_, catalog_, system)) {
    r_.adaptations.push_back("cooling " + cooling->from + " -> " + cooling->to + " (the cooling " + system +
                             " supports)");
  }
}

CandidateResult CandidateSizer::run() {
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

CandidateResult CandidateSizer::search() {
  if (!prepare()) return finish_infeasible();
  Plan plan = analytic_plan();
  if (!r_.reason.empty()) return finish_infeasible();
  // The analytic plan must fit the grid (the verified one is at most slightly larger).
  if (!fits_grid(plan)) return finish_infeasible();
  say(fmt::format("{} / {}: analytic plan {} systems, verifying", r_.site, r_.system, systems_of(plan)));

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

  for (std::size_t i = 0; i < ws_.size(); ++i) shrink(static_cast<int>(i), plan);
  prove_minimality(plan);

  const Outcome& final_outcome = verify(plan);
  r_.checks = final_outcome.checks;
  if (!fits_grid(plan)) return finish_infeasible();
  r_.feasible = true;
  fill_plan(plan);
  fill_economics(plan, final_outcome);
  r_.verification_runs = runs_;
  return r_;
}

// One step fewer for each workload must fail; a smaller plan that passes is taken (and shrunk), and the check
// starts again, at most three rounds.
void CandidateSizer::prove_minimality(Plan& plan) {
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
      Plan smaller = plan;
      smaller[i] = down;
      m.nodes_to = nodes_of(static_cast<int>(i), down);
      const int reps = z_.minimality_replications;
      if (runs_ >= z_.max_verification_runs && !memo_.count({smaller, reps})) {
        m.failed_requirement = "not checked: verification run bound reached";
        r_.minimality.push_back(m);
        continue;
      }
      // Judged on more replications than a verification run, so that "fails" carries a stated confidence.
      const Outcome& o = verify(smaller, reps);
      if (o.passed) {
        plan[i] = down;
        changed = true;
        shrink(static_cast<int>(i), plan);
        break;
      }
      m.failed = true;
      m.failed_requirement = first_failed(o);
      m.replications = reps;
      for (const RequirementCheck& c : o.checks) {
        if (!c.met) {
          m.confidence = c.fail_confidence();
          break;
        }
      }
      r_.minimality.push_back(m);
    }
    if (!changed) break;
  }
}

void CandidateSizer::say(const std::string& line) const {
  if (opt_.progress) opt_.progress(line);
}

CandidateResult CandidateSizer::finish_infeasible() {
  r_.feasible = false;
  r_.verification_runs = runs_;
  r_.capex_usd = r_.tco_usd = r_.usd_per_million_tokens = kNan;
  r_.pue = r_.water_m3_per_year = r_.carbon_t_per_year = kNan;
  return r_;
}

int CandidateSizer::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < ws_.size(); ++i) {
    if (ws_[i].spec.name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string first_failed(const Outcome& o) {
  for (const RequirementCheck& c : o.checks) {
    if (!c.met) return c.text();
  }
  return "nothing";
}

// ---- Allocation steps ------------------------------------------------------------------------------------------
int CandidateSizer::gpus_of(int i, int a) {
  const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  if (!st.training) return st.gpus;
  if (st.fixed) return st.gpus;
  return train_point(i, a).gpus;
}

int CandidateSizer::nodes_of(int i, int a) const {
  const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  if (st.training) return a;
  return nodes_for_instances(a, st.gpus, sys_.gpus_per_system);
}

// The largest valid allocation <= x, or 0.
int CandidateSizer::at_or_below(int i, int x) {
  const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  if (st.fixed) return 0;
  if (!st.training) return x >= st.step ? (x / st.step) * st.step : 0;
  for (auto it = st.train.rbegin(); it != st.train.rend(); ++it) {
    if (it->first <= x && it->second.found) return it->first;
  }
  return 0;
}

int CandidateSizer::higher(int i, int a) {
  const WorkloadState& st = ws_[static_cast<std::size_t>(i)];
  if (st.fixed) return 0;
  if (!st.training) return a + st.step;
  for (const auto& [n, p] : st.train) {
    if (n > a && p.found) return n;
  }
  return 0;
}

int CandidateSizer::working_nodes(const Plan& plan) const {
  int n = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) n += nodes_of(static_cast<int>(i), plan[i]);
  return n;
}

int CandidateSizer::spares_for(const Plan& plan) const { return hot_spares_for(working_nodes(plan), spare_share_); }

// Lowers workload i while the plan passes: galloping steps down, then bisection against the last failure.
void CandidateSizer::shrink(int i, Plan& plan) {
  if (ws_[static_cast<std::size_t>(i)].fixed) return;
  int pass = plan[i];
  int fail = 0;
  int k = 1;
  const int unit = ws_[static_cast<std::size_t>(i)].training ? 1 : ws_[static_cast<std::size_t>(i)].step;
  while (runs_ < z_.max_verification_runs) {
    const int cand = at_or_below(i, pass - k * unit);
    if (cand <= 0) break;
    Plan p = plan;
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
    Plan p = plan;
    p[i] = cand;
    if (verify(p).passed) pass = cand;
    else fail = cand;
  }
  plan[i] = pass;
}

// ---- Documents -------------------------------------------------------------------------------------------------
nlohmann::json CandidateSizer::document(int systems, const Plan* plan, int spares, int replications) {
  CandidateVariant v;
  v.system = r_.system;
  v.systems = systems;
  v.hot_spare_nodes = spares;
  v.replications = replications > 0 ? replications : z_.verify_replications;
  for (const auto& [name, usd] : z_.system_price_usd) {
    if (name == r_.system) v.system_price_usd = usd;
  }
  for (std::size_t i = 0; i < ws_.size(); ++i) {
    WorkloadVariant w;
    w.precision = ws_[i].precision;
    w.training = ws_[i].training;
    if (plan) {
      w.gpus = gpus_of(static_cast<int>(i), (*plan)[i]);
      w.instances = (*plan)[i];
    }
    v.workloads.push_back(w);
  }
  const ScenarioPatch patch = candidate_patch(doc_, catalog_, v);
  return apply_patches(doc_, std::span<const ScenarioPatch>(&patch, 1), file_);
}

ResolvedScenario CandidateSizer::resolve(const nlohmann::json& d) const {
  return resolve_and_prepare(d, catalog_, file_, base_dir_);
}

}  // namespace aidc::sizing
