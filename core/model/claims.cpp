#include "core/model/claims.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/stats/quantile.hpp"

namespace aidc {

std::optional<Comparison> comparison_from(const std::string& symbol) {
  if (symbol == ">=") return Comparison::AtLeast;
  if (symbol == "<=") return Comparison::AtMost;
  if (symbol == ">") return Comparison::Above;
  if (symbol == "<") return Comparison::Below;
  return std::nullopt;
}

std::string comparison_symbol(Comparison c) {
  switch (c) {
    case Comparison::AtLeast: return ">=";
    case Comparison::AtMost: return "<=";
    case Comparison::Above: return ">";
    case Comparison::Below: return "<";
  }
  return ">=";
}

bool claim_holds(double value, Comparison c, double target) {
  if (std::isnan(value)) return false;
  switch (c) {
    case Comparison::AtLeast: return value >= target;
    case Comparison::AtMost: return value <= target;
    case Comparison::Above: return value > target;
    case Comparison::Below: return value < target;
  }
  return false;
}

double two_sided_z(double confidence) {
  // Solve P(|Z| <= z) = erf(z / sqrt 2) = confidence by bisection: monotone, and exact to double precision after
  // a hundred halvings of [0, 40].
  const double c = std::clamp(confidence, 0.0, 1.0 - 1e-16);
  double lo = 0.0, hi = 40.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (std::erf(mid / std::sqrt(2.0)) < c) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

ProportionInterval wilson_interval(std::size_t successes, std::size_t n, double confidence) {
  if (n == 0) return {0.0, 1.0};
  const double z = two_sided_z(confidence);
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(std::min(successes, n)) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Supported: return "supported";
    case Verdict::AtRisk: return "at risk";
    case Verdict::NotSupported: return "not supported";
  }
  return "not supported";
}

Verdict claim_verdict(double probability, ProportionInterval interval, const ClaimsPolicy& policy) {
  if (probability < policy.at_risk_probability) return Verdict::NotSupported;
  if (probability >= policy.supported_probability && interval.low >= policy.at_risk_probability) {
    return Verdict::Supported;
  }
  return Verdict::AtRisk;
}

ClaimEvaluation evaluate_claim(std::span<const double> values, Comparison c, double target,
                               const ClaimsPolicy& policy) {
  ClaimEvaluation e;
  e.replications = values.size();
  std::vector<double> defined;
  e.holds.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) ++e.undefined;
    else defined.push_back(values[i]);
    e.holds[i] = claim_holds(values[i], c, target);
    if (e.holds[i]) ++e.held;
  }
  e.mean = mean(defined);
  e.p10 = quantile(defined, 0.1);
  e.p50 = quantile(defined, 0.5);
  e.p90 = quantile(defined, 0.9);
  e.probability_met = e.replications ? static_cast<double>(e.held) / static_cast<double>(e.replications) : 0.0;
  e.interval = wilson_interval(e.held, e.replications, policy.confidence);
  e.verdict = e.replications ? claim_verdict(e.probability_met, e.interval, policy) : Verdict::NotSupported;
  return e;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool one_of(const std::string& s, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

enum class Family { Cooling, PowerSupply, GridPriced, FacilityPower, FleetAvailability, Throughput, Financial, Other };

Family family_of(const std::string& metric) {
  if (starts_with(metric, "pue") || starts_with(metric, "wue") || starts_with(metric, "water") ||
      metric == "free_cooling_hours" || ends_with(metric, "_per_l_water")) {
    return Family::Cooling;
  }
  if (one_of(metric, {"power_availability", "critical_load_loss_h", "critical_unserved_energy_mwh",
                      "unserved_energy_mwh", "backup_hours", "grid_outages", "generator_start_failures",
                      "fuel_used_l"})) {
    return Family::PowerSupply;
  }
  if (one_of(metric, {"carbon_t", "energy_cost_usd"})) return Family::GridPriced;
  if (metric == "peak_facility_power_mw" || ends_with(metric, "_energy_mwh") || ends_with(metric, "_per_mwh")) {
    return Family::FacilityPower;
  }
  if (one_of(metric, {"service_availability", "accelerator_availability", "lost_gpu_hours", "failures",
                      "training_ettr", "ettr", "training_interruptions", "interruptions", "replicas_up"})) {
    return Family::FleetAvailability;
  }
  if (one_of(metric, {"served_tokens_per_s", "capacity_tokens_per_s", "demand_tokens_per_s", "goodput_tokens_per_s",
                      "slo_attainment", "output_tokens_served", "time_to_train_d", "progress"})) {
    return Family::Throughput;
  }
  if (one_of(metric, {"npv_usd", "equity_npv_usd", "project_irr", "equity_irr", "payback_years", "min_dscr",
                      "avg_dscr", "llcr", "plcr", "senior_debt_usd", "gearing", "idc_usd",
                      "sponsor_equity_injection_usd", "gpu_hours_earning_share", "levelized_usd_per_gpu_hour",
                      "levelized_usd_per_million_tokens", "capex_usd", "opex_usd_per_year"})) {
    return Family::Financial;
  }
  return Family::Other;
}

std::string number_text(double x) { return fmt::format("{:.4g}", x); }

}  // namespace

LimitingFactor limiting_factor(const std::string& kpi, Comparison c, double target, Verdict verdict,
                               const std::vector<bool>& holds, const KpiLookup& values_of) {
  if (verdict == Verdict::Supported) return {"none", "the claim is supported"};
  const auto dot = kpi.find('.');
  const std::string workload = dot == std::string::npos ? "" : kpi.substr(0, dot);
  const std::string metric = dot == std::string::npos ? kpi : kpi.substr(dot + 1);

  std::vector<std::size_t> failing;
  for (std::size_t i = 0; i < holds.size(); ++i) {
    if (!holds[i]) failing.push_back(i);
  }
  const std::string where =
      " in the " + std::to_string(failing.size()) + " replication" + (failing.size() == 1 ? "" : "s") +
      " where the claim fails";
  // Mean of a KPI over the failing replications (its NaNs skipped); nullopt when the run has no such KPI.
  auto failing_mean = [&](const std::string& name) -> std::optional<double> {
    const std::vector<double>* v = values_of ? values_of(name) : nullptr;
    if (!v) return std::nullopt;
    std::vector<double> x;
    for (std::size_t i : failing) {
      if (i < v->size() && !std::isnan((*v)[i])) x.push_back((*v)[i]);
    }
    if (x.empty()) return std::nullopt;
    return mean(x);
  };
  // A factor whose evidence KPI is positive in the failing replications.
  auto positive = [&](const std::string& factor, const std::string& name) -> std::optional<LimitingFactor> {
    const auto m = failing_mean(name);
    if (m && *m > 0.0) return LimitingFactor{factor, name + " mean " + number_text(*m) + where};
    return std::nullopt;
  };
  const bool wants_more = c == Comparison::AtLeast || c == Comparison::Above;
  // A workload's rate that cannot reach the target: the claim cannot hold whatever else happens.
  auto short_of_target = [&](const std::string& factor, const std::string& name) -> std::optional<LimitingFactor> {
    if (workload.empty() || !wants_more) return std::nullopt;
    const auto m = failing_mean(workload + "." + name);
    if (m && *m < target) {
      return LimitingFactor{factor, workload + "." + name + " mean " + number_text(*m) + " below the target " +
                                        number_text(target) + where};
    }
    return std::nullopt;
  };
  const LimitingFactor unknown{"unknown", "no KPI of the run points at one factor" + where};

  switch (family_of(metric)) {
    case Family::Cooling:
      return {"cooling", metric + " is set by the cooling plant and the climate (PUE also by power-chain losses)"};
    case Family::PowerSupply:
      if (auto f = positive("grid", "grid_outages")) return *f;
      return unknown;
    case Family::GridPriced:
      return {"grid", metric + " follows the grid's carbon intensity or tariff and the energy drawn"};
    case Family::FacilityPower:
      return {"power", metric + " is the facility's power and energy draw"};
    case Family::FleetAvailability:
      if (auto f = positive("grid", "critical_load_loss_h")) return *f;
      if (auto f = positive("failures", "failures")) return *f;
      if (auto f = positive("power", "power_capped_hours")) return *f;
      return unknown;
    case Family::Throughput: {
      // The throughput model's error, where the run draws it: the replications that fail drew a rate below the
      // estimate.
      const bool training = metric == "time_to_train_d" || metric == "progress" || metric == "goodput_tokens_per_s";
      if (auto m = failing_mean(training ? "training_throughput_multiplier" : "inference_throughput_multiplier");
          m && *m < 1.0) {
        return {"throughput model", std::string(training ? "training" : "inference") +
                                        "_throughput_multiplier (true / estimated rate) mean " + number_text(*m) + where};
      }
      if (metric == "served_tokens_per_s") {
        if (auto f = short_of_target("demand", "demand_tokens_per_s")) return *f;
      }
      if (auto f = positive("power", "power_capped_hours")) return *f;
      if (auto f = positive("grid", "critical_load_loss_h")) return *f;
      if (auto f = positive("failures", "lost_gpu_hours")) return *f;
      if (metric == "served_tokens_per_s" || metric == "capacity_tokens_per_s") {
        if (auto f = short_of_target("capacity", "capacity_tokens_per_s")) return *f;
      }
      return unknown;
    }
    case Family::Financial:
      return {"economics", metric + " is set by prices, costs and financing (see /economics/cash_flows)"};
    case Family::Other:
      return unknown;
  }
  return unknown;
}

}  // namespace aidc
