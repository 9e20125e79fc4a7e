#pragma once
// The scenario's claims (core/scenario/parse_claims.hpp) against one run: each claim's metric resolved to a KPI of
// the run, then evaluated over the replications (core/model/claims.hpp) and written as the /claims table and one
// summary line per claim. Resolution happens at run start, before any replication, so that an unknown metric or
// mismatched units are bad input (exit 2) before the run spends any time.
//
// Metric names: a KPI name of the run (site, economics, fleet: whatever its kpi_info lists), or with "workload"
// the workload's KPI "<workload>.<metric>", or one of these aliases:
//   site:     pue, annual_pue -> pue_annual;  wue -> wue_l_per_kwh;
//             availability -> power_availability (the critical IT load fully powered: what a data-center
//               availability figure such as Uptime's tiers states; the fleet's is service_availability);
//             water_m3_per_year, carbon_t_per_year, energy_cost_usd_per_year -> water_m3, carbon_t,
//               energy_cost_usd scaled by 8760 / horizon_h (units "<units>/year");
//             output_tokens_per_s -> output_tokens_served / (horizon_h x 3600) (units "<units>/s");
//             npv -> npv_usd; irr -> project_irr; dscr -> min_dscr; usd_per_gpu_hour -> levelized_usd_per_gpu_hour;
//             usd_per_million_tokens -> levelized_usd_per_million_tokens
//   workload: days_to_train -> time_to_train_d; output_tokens_per_s, tokens_per_s -> capacity_tokens_per_s (what
//             a proposal's "tokens/s at the SLO" states: the healthy, powered instances' capacity within the SLOs,
//             not the served tokens, which the demand bounds)
// Units: a claim's "units" must be the KPI's (after an alias's scaling; "yr" is read as "year"), or "%" for a KPI
// in "1", which states the target and the distribution in percent.

#include <string>
#include <vector>

#include "core/io/results_writer.hpp"
#include "core/model/claims.hpp"
#include "core/model/site_year.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

struct ResolvedClaim {
  ClaimSpec spec;
  Comparison comparison = Comparison::AtLeast;
  std::size_t kpi_index = 0;  // into the run's kpi_info
  std::string kpi;            // its name
  std::string units;          // of the claim's values and target
  double scale = 1.0;         // claim value = KPI value × scale
};

struct ClaimResult {
  ResolvedClaim claim;
  ClaimEvaluation evaluation;  // in the claim's units
  LimitingFactor limiting;
};

// Resolves every claim of `s` against `kpi_info`; all problems are collected and thrown as one BadInput naming
// s.source_path and /claims/<i>/metric (or /units) with the nearest KPI names.
std::vector<ResolvedClaim> resolve_claims(const Scenario& s, const std::vector<KpiInfo>& kpi_info);

// `kpis` is kpi-major, per replication, aligned with `kpi_info`.
std::vector<ClaimResult> evaluate_claims(const std::vector<ResolvedClaim>& claims, const ClaimsPolicy& policy,
                                         const std::vector<KpiInfo>& kpi_info,
                                         const std::vector<std::vector<double>>& kpis);

// The /claims table: claim, kpi, comparison, target, units, scale, mean, p10, p50, p90, replications,
// replications_met, replications_undefined, probability_met, probability_low, probability_high, verdict,
// limiting_factor, evidence; the policy as attributes.
NamedTable claims_table(const std::vector<ClaimResult>& results, const ClaimsPolicy& policy);

// e.g. claim "annual PUE <= 1.3": pue_annual P50 1.389 (P10 1.387, P90 1.39); holds in 0 of 16 replications
//      (0 %, 90 % interval 0-14 %) -> not supported (limiting: cooling)
std::string claim_summary_line(const ClaimResult& r, const ClaimsPolicy& policy);

}  // namespace aidc
