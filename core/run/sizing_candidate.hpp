#pragma once
// Inside `aidcsim size` (core/run/sizing.hpp): one candidate system at one site, sized. The steps live in their
// own files: the search (grow until verified, shrink, minimality; sizing_search.cpp), the analytic plan and the
// throughput estimates (sizing_plan.cpp), the grid check and the verification runs (sizing_verify.cpp), and the
// plan's results and economics (sizing_economics.cpp). The scenario variants are patches (sizing_variants.hpp).

#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run/perf_estimates.hpp"
#include "core/run/sizing.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/scenario/scenario_patch.hpp"

namespace aidc::sizing {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

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

// What one verification run (a plan simulated for sizing.verify_replications replications) found.
struct Outcome {
  bool passed = false;
  std::vector<RequirementCheck> checks;
  double pue = 0.0, water_m3 = 0.0, carbon_t = 0.0, energy_cost_usd = 0.0, tokens_served = 0.0;
};

// A plan: per workload, its allocation (inference: instances; training: nodes).
using Plan = std::vector<int>;

class CandidateSizer {
 public:
  // `site_doc` is the scenario document with the site's patches applied (sizing_variants.hpp).
  CandidateSizer(const nlohmann::json& site_doc, const std::string& site, const std::string& system,
                 const Catalog& catalog, const std::string& file, const std::filesystem::path& base_dir,
                 const SizingSpec& z, const SizingOptions& opt);

  // A candidate the scenario cannot take (a rack power limit below its power, say) is reported, not fatal.
  CandidateResult run();

 private:
  // sizing_search.cpp
  CandidateResult search();
  void prove_minimality(Plan& plan);
  void say(const std::string& line) const;
  CandidateResult finish_infeasible();
  int index_of(const std::string& name) const;
  int gpus_of(int i, int a);
  int nodes_of(int i, int a) const;
  int at_or_below(int i, int x);
  int lower(int i, int a) { return at_or_below(i, a - 1); }
  int higher(int i, int a);
  int working_nodes(const Plan& plan) const;
  int spares_for(const Plan& plan) const;
  int systems_of(const Plan& plan) const { return working_nodes(plan) + spares_for(plan); }
  void shrink(int i, Plan& plan);
  // The candidate variant's document: no plan (probe: `systems` systems, the scenario's GPUs), or the plan's.
  nlohmann::json document(int systems, const Plan* plan, int spares, int replications = 0);
  ResolvedScenario resolve(const nlohmann::json& d) const;

  // sizing_plan.cpp
  bool prepare();
  InferenceOutcome estimate_instance(const WorkloadSpec& w, int gpus) const;
  TrainPoint train_at(const WorkloadSpec& w, int nodes, int gpus) const;
  const TrainPoint& train_point(int i, int nodes);
  int node_cap() const;
  Plan analytic_plan();
  bool plan_inference(int i, int gpn, double availability, Plan& plan);
  bool plan_deadline_job(int i, int gpn, Plan& plan);

  // sizing_verify.cpp
  bool fits_grid(const Plan& plan);
  // The plan simulated for `replications` (0: sizing.verify_replications), memoised per (plan, replications).
  const Outcome& verify(const Plan& plan, int replications = 0);

  // sizing_economics.cpp
  void fill_plan(const Plan& plan);
  void fill_economics(const Plan& plan, const Outcome& o);

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
  std::map<std::pair<Plan, int>, Outcome> memo_;
};

// The first requirement an outcome failed, as text, or "nothing".
std::string first_failed(const Outcome& o);

// The candidates of one site in rank order (feasible first, by the objective, then fewer systems), ranks set.
void rank_candidates(std::vector<CandidateResult>& candidates, SizingObjective objective);

}  // namespace aidc::sizing
