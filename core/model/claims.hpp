#pragma once
// A claim about the site checked against the simulated distribution of one KPI (issue 5): pure functions from the
// per-replication values to the distribution, the probability the claim holds, an interval on that probability,
// a verdict, and the factor that limits the claim when it may not hold. No I/O; resolving a claim's metric to a
// KPI of the run is core/run/claims_outputs.hpp's.
//
// The verdict rule (ClaimsPolicy, defaults in core/scenario/scenario.hpp), with P the share of replications where
// the claim holds and [lo, hi] its two-sided Wilson score interval at `confidence`:
//   supported      P >= supported_probability (0.9) and lo >= at_risk_probability (0.5)
//   not supported  P <  at_risk_probability (0.5)
//   at risk        otherwise
// The burden of proof is on the claim: "supported" needs the claim to hold in most replications and enough of
// them that P below one half is implausible (at 90 % confidence, at least 3 replications, all holding). A
// replication where the KPI is undefined (NaN: a training job that never finishes, an IRR without a sign change)
// counts as the claim not holding.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/scenario/scenario.hpp"

namespace aidc {

enum class Comparison { AtLeast, AtMost, Above, Below };  // >=, <=, >, <

// ">=", "<=", ">", "<"; nullopt for anything else.
std::optional<Comparison> comparison_from(const std::string& symbol);
std::string comparison_symbol(Comparison c);
// Whether `value` satisfies the claim; false for NaN.
bool claim_holds(double value, Comparison c, double target);

// Two-sided Wilson score interval on a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it
// over the Wald interval for small n and proportions near 0 or 1). [0, 1] when n is 0.
struct ProportionInterval {
  double low = 0.0;
  double high = 1.0;
};
ProportionInterval wilson_interval(std::size_t successes, std::size_t n, double confidence);
// The standard normal quantile z with P(|Z| <= z) = confidence (1.6449 at 0.9).
double two_sided_z(double confidence);

enum class Verdict { Supported, AtRisk, NotSupported };
std::string verdict_name(Verdict v);  // "supported", "at risk", "not supported"
Verdict claim_verdict(double probability, ProportionInterval interval, const ClaimsPolicy& policy);

struct ClaimEvaluation {
  // The distribution over the replications where the KPI is defined (NaN when it is defined in none).
  double mean = 0.0, p10 = 0.0, p50 = 0.0, p90 = 0.0;
  std::size_t replications = 0;  // in all
  std::size_t held = 0;          // replications where the claim holds
  std::size_t undefined = 0;     // replications where the KPI is NaN (counted as not holding)
  double probability_met = 0.0;  // held / replications
  ProportionInterval interval;
  Verdict verdict = Verdict::NotSupported;
  std::vector<bool> holds;       // per replication
};

ClaimEvaluation evaluate_claim(std::span<const double> values, Comparison c, double target,
                               const ClaimsPolicy& policy);

// ---- The limiting factor -------------------------------------------------------------------------------------
// What keeps a claim from holding, from the evidence of the run's other KPIs in the replications where the claim
// fails. Each metric family has an ordered list of candidate factors, each with the KPI whose value is the
// evidence; the first candidate with evidence wins, and "unknown" when none has (never a guess):
//   cooling metrics (pue_*, wue_*, water_*, free_cooling_hours, *_per_l_water)     -> cooling
//   power-supply metrics (power_availability, critical_*, unserved_*, backup_hours)  -> grid if grid_outages > 0
//   grid-priced metrics (carbon_t, energy_cost_usd)                                -> grid (intensity or tariff)
//   facility power metrics (peak_facility_power_mw, *_energy_mwh, *_per_mwh)       -> power
//   fleet availability (service/accelerator availability, lost_gpu_hours, failures, ettr, interruptions,
//   replicas_up)       -> grid if critical_load_loss_h > 0, failures if failures > 0, power if power_capped_hours > 0
//   throughput (tokens/s, slo_attainment, output_tokens_*, time_to_train_d, progress, goodput)
//                      -> demand if the workload's demand_tokens_per_s misses the target, power if
//                         power_capped_hours > 0, grid if critical_load_loss_h > 0, failures if lost_gpu_hours > 0,
//                         capacity if the workload's capacity_tokens_per_s misses the target
//   financial metrics (npv, irr, dscr, payback, levelized cost, capex, opex)       -> economics
// A claim that is supported has factor "none". Memory and network bounds need the estimate's roofline bound per
// configuration, which the run does not carry yet: they are never named.
struct LimitingFactor {
  std::string factor;    // cooling, grid, power, failures, demand, capacity, economics, none, unknown
  std::string evidence;  // e.g. "grid_outages mean 2.1 in the 5 replications where the claim fails"
};

// `values_of(name)` gives the run's per-replication values of KPI `name`, or nullptr when the run has none.
using KpiLookup = std::function<const std::vector<double>*(const std::string&)>;

// `kpi` is the claim's KPI name, "<workload>.<metric>" for a workload's; `holds` is per replication.
LimitingFactor limiting_factor(const std::string& kpi, Comparison c, double target, Verdict verdict,
                               const std::vector<bool>& holds, const KpiLookup& values_of);

}  // namespace aidc
