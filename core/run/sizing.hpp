#pragma once
// `aidcsim size`: the least hardware (systems, MW) that meets a scenario's demand, SLOs and training deadlines
// within the site's grid capacity, for each candidate system and each host country, ranked by an objective.
//
// For each site and candidate system:
//   1. The scenario's JSON document is patched (RFC 6902: site.country, it.systems, the workloads' system;
//      core/run/sizing_variants.hpp) and resolved again by the scenario resolver, so every catalog-derived value
//      (climate, prices, lead times) follows the site.
//   2. Analytic plan: each inference service gets the instances for the horizon's peak hourly demand at its
//      instance capacity (kernel estimate at its SLOs on the candidate's accelerator; another instance size within
//      one system when the scenario's does not fit) times the expected node availability (core/model/
//      fleet_sizing.hpp); each training job with a deadline the least node count (doubling, then bisection) whose
//      tokens / (tokens_per_s × expected ETTR) meets it; a job without deadline keeps its GPUs. Hot spares are the
//      fleet's share of the working nodes.
//   3. The plan's IT power (systems at max power + scale-out fabric) and facility power at the design dry/wet bulb
//      must fit the grid connection; else the candidate is infeasible, with the numbers.
//   4. Verification by simulation: the sized scenario (it.systems count = the plan's systems, instances fixed)
//      runs `verify_replications` replications; every service's P10 slo_attainment must reach
//      sizing.slo_attainment and every deadline job's P90 time_to_train_d its deadline_d (a replication that does
//      not finish counts as late). Failing workloads grow by one step (one node, or one instance when an instance
//      spans nodes; training: the next size with a valid layout) until the plan passes.
//   5. Shrink and prove minimality: each workload's allocation is lowered (galloping, then bisection) while the
//      plan still passes; the plan with one step fewer for any workload must fail a requirement, which is
//      reported. Runs are bounded by sizing.max_verification_runs.
//   6. Economics of the plan (capex, TCO = capex + PV of opex over the economics horizon, levelized USD per
//      million output tokens), PUE, water and carbon per year from the verification runs, export-control class.
// Files: sizing.cpp (checks, sites, ranking), sizing_candidate.hpp with sizing_search.cpp (steps 4-5),
// sizing_plan.cpp (2), sizing_verify.cpp (3-4), sizing_economics.cpp (6), sizing_variants.cpp (1),
// sizing_report.cpp (JSON and the /sizing table); the terminal table is core/cli/size_command.cpp's.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/results_writer.hpp"
#include "core/scenario/catalog.hpp"
#include "kernels/backend.hpp"

namespace aidc {

struct SizingOptions {
  std::vector<std::string> sites;       // replaces sizing.sites when not empty
  std::vector<std::string> candidates;  // replaces sizing.candidates when not empty
  int threads = 0;                      // 0: all cores
  Backend backend = Backend::Auto;      // where the throughput searches run
  std::function<void(const std::string&)> progress;  // one line per step, for a terminal
};

// One requirement as the verification saw it.
struct RequirementCheck {
  std::string workload;
  std::string kpi;        // "slo_attainment" (P10) or "time_to_train_d" (P90)
  std::string statistic;  // "p10", "p90"
  double value = 0.0;     // +inf: some replication did not finish
  double target = 0.0;
  bool met = false;
  int replications = 0;  // replications judged
  int missing = 0;       // of them, those whose value misses the target (late counts as missing)
  // Posterior probability (uniform prior on the share of years that miss; Beta-binomial) that more than 10 % of
  // years miss the target, i.e. that the requirement truly fails.
  double fail_confidence() const;
  std::string text() const;  // e.g. "chat.slo_attainment P10 0.9962 < 0.999"
};

struct WorkloadPlan {
  std::string name;
  bool training = false;
  int gpus = 0;                    // per instance (inference) or for the job (training)
  int instances = 0;               // inference
  int nodes = 0;                   // systems the workload holds
  double tokens_per_s = 0.0;       // one instance's output tokens/s at its SLOs, or the job's tokens/s
  double availability = 1.0;       // inference: expected node availability; training: expected ETTR
  double deadline_d = 0.0;         // training: 0 = none
  double estimated_time_to_train_d = 0.0;  // training: tokens / (tokens_per_s × ETTR) / 86400
  std::string precision;
  std::string note;                // e.g. "instance size 8 → 4 GPUs (8 do not fit)", precision fallback
};

// The one-step-smaller plan of one workload and what it failed.
struct MinimalityCheck {
  std::string workload;
  int nodes_from = 0, nodes_to = 0;  // the workload's systems in the plan and in the smaller plan
  bool failed = false;               // the smaller plan failed a requirement (what minimality needs)
  std::string failed_requirement;    // the first failed requirement, or why no smaller plan exists
  int replications = 0;              // of the smaller plan's run
  double confidence = 0.0;           // that the failed requirement truly fails (RequirementCheck::fail_confidence)
};

struct CandidateResult {
  std::string site;          // country
  std::string system;
  std::string accelerator;
  std::string export_class;  // 3A090 screening of the accelerator (not legal advice)
  bool feasible = false;
  std::string limiting_factor;  // when infeasible: "memory", "precision", "deadline", "grid capacity", "verification"
  std::string reason;           // in numbers
  // What sizing changed in the scenario for this site and candidate besides the counts, in words: the package's
  // target country moved with the site; the cooling a system supports (sizing_variants.hpp adapted_cooling).
  std::vector<std::string> adaptations;
  std::vector<WorkloadPlan> workloads;
  int working_nodes = 0, spare_nodes = 0, systems = 0;
  long long gpus = 0;
  double it_mw = 0.0;           // systems at max power + scale-out fabric
  double facility_mw = 0.0;     // at the design dry / wet bulb
  double grid_mw = 0.0;
  double design_dry_bulb_c = 0.0, design_wet_bulb_c = 0.0;
  double capex_usd = 0.0;       // NaN: no price for the system
  double tco_usd = 0.0;         // capex + PV of opex (refreshes included) over the economics horizon
  double usd_per_million_tokens = 0.0;  // levelized, on the inference share of the nodes; NaN without service
  double pue = 0.0, water_m3_per_year = 0.0, carbon_t_per_year = 0.0;
  double output_tokens_per_year = 0.0;
  std::vector<RequirementCheck> checks;       // of the final plan
  std::vector<MinimalityCheck> minimality;    // one per workload that can shrink
  int verification_runs = 0;
  int rank = 0;                 // 1 = best at its site; infeasible candidates after the feasible ones
  nlohmann::json sized_scenario;  // the verified scenario document (what `aidcsim run` would take)
};

struct SiteRanking {
  std::string site;
  std::vector<CandidateResult> candidates;  // in rank order
  std::string winner;                       // "" when none is feasible
};

struct SizingResult {
  std::string scenario;
  std::string objective;
  double slo_attainment_target = 0.0;
  int verify_replications = 0;
  int minimality_replications = 0;
  std::vector<SiteRanking> sites;
};

// Sizes the scenario document `doc` (file label and folder for messages and relative paths). Bad input (a
// scenario without fleet or workloads, an unknown candidate or site, a deadline beyond the horizon) → BadInput.
SizingResult size_scenario(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                           const std::filesystem::path& base_dir, const SizingOptions& options = {});

nlohmann::json sizing_result_to_json(const SizingResult& r);
// One row per site and candidate, for /sizing in an HDF5 file.
NamedTable sizing_table(const SizingResult& r);

}  // namespace aidc
