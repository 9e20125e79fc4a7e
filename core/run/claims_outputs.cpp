#include "core/run/claims_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/scenario/input_error.hpp"
#include "core/stats/number_text.hpp"
#include "core/scenario/json_reader.hpp"

namespace aidc {

namespace {

enum class Scope { Site, Workload };
enum class Scale { None, PerYear, PerSecond };

struct Alias {
  const char* alias;
  const char* kpi;
  Scope scope;
  Scale scale;
};

// See claims_outputs.hpp for why each alias means what it does.
constexpr Alias kAliases[] = {
    {"pue", "pue_annual", Scope::Site, Scale::None},
    {"annual_pue", "pue_annual", Scope::Site, Scale::None},
    {"wue", "wue_l_per_kwh", Scope::Site, Scale::None},
    {"availability", "power_availability", Scope::Site, Scale::None},
    {"water_m3_per_year", "water_m3", Scope::Site, Scale::PerYear},
    {"carbon_t_per_year", "carbon_t", Scope::Site, Scale::PerYear},
    {"energy_cost_usd_per_year", "energy_cost_usd", Scope::Site, Scale::PerYear},
    {"output_tokens_per_s", "output_tokens_served", Scope::Site, Scale::PerSecond},
    {"npv", "npv_usd", Scope::Site, Scale::None},
    {"irr", "project_irr", Scope::Site, Scale::None},
    {"dscr", "min_dscr", Scope::Site, Scale::None},
    {"usd_per_gpu_hour", "levelized_usd_per_gpu_hour", Scope::Site, Scale::None},
    {"usd_per_million_tokens", "levelized_usd_per_million_tokens", Scope::Site, Scale::None},
    {"days_to_train", "time_to_train_d", Scope::Workload, Scale::None},
    {"output_tokens_per_s", "capacity_tokens_per_s", Scope::Workload, Scale::None},
    {"tokens_per_s", "capacity_tokens_per_s", Scope::Workload, Scale::None},
};


std::string normalized_units(std::string u) {
  // "m3/yr" and "m3/year" are the same unit; so are "m³" and "m3".
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t p = u.find(from); p != std::string::npos; p = u.find(from, p + to.size())) u.replace(p, from.size(), to);
  };
  replace_all("\xC2\xB3", "3");  // ³
  if (u.size() >= 3 && u.compare(u.size() - 3, 3, "/yr") == 0) u = u.substr(0, u.size() - 3) + "/year";
  return u;
}

std::string scaled_units(const std::string& units, Scale scale) {
  const std::string base = units == "1" ? "" : units;
  switch (scale) {
    case Scale::None: return units;
    case Scale::PerYear: return (base.empty() ? "1" : base) + "/year";
    case Scale::PerSecond: return (base.empty() ? "1" : base) + "/s";
  }
  return units;
}

// The `count` names of `names` nearest to `got` by edit distance, nearest first.
std::vector<std::string> nearest(const std::string& got, const std::vector<std::string>& names, std::size_t count) {
  std::vector<std::pair<std::size_t, std::string>> d;
  for (const std::string& n : names) d.emplace_back(edit_distance(got, n), n);
  std::stable_sort(d.begin(), d.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < d.size() && i < count; ++i) out.push_back(d[i].second);
  return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string number_text(double x) { return fmt::format("{:.4g}", x); }

}  // namespace

std::vector<ResolvedClaim> resolve_claims(const Scenario& s, const std::vector<KpiInfo>& kpi_info) {
  InputProblems problems;
  const std::string& file = s.source_path;
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < kpi_info.size(); ++k) index.emplace(kpi_info[k].name, k);

  std::vector<ResolvedClaim> out;
  for (std::size_t i = 0; i < s.claims.size(); ++i) {
    const ClaimSpec& c = s.claims[i];
    const std::string path = "/claims/" + std::to_string(i);
    const std::string prefix = c.workload.empty() ? "" : c.workload + ".";
    const Scope scope = c.workload.empty() ? Scope::Site : Scope::Workload;
    ResolvedClaim r;
    r.spec = c;
    r.comparison = comparison_from(c.comparison).value_or(Comparison::AtLeast);  // the parser checked it

    Scale scale = Scale::None;
    std::string name = prefix + c.metric;
    if (!index.count(name)) {
      const Alias* alias = nullptr;
      for (const Alias& a : kAliases) {
        if (a.scope == scope && c.metric == a.alias) alias = &a;
      }
      if (alias) {
        const std::string target = prefix + alias->kpi;
        if (!index.count(target)) {
          problems.add(file, path + "/metric", nlohmann::json(c.metric).dump(),
                       "a metric this run computes: \"" + c.metric + "\" stands for the KPI " + target +
                           ", which this run does not have (" +
                           (scope == Scope::Workload ? "workload KPIs come with a \"fleet\" section"
                                                     : "fleet KPIs need a \"fleet\" section, financial ones "
                                                       "an \"economics\" section") +
                           ")");
          continue;
        }
        name = target;
        scale = alias->scale;
      } else {
        // Unknown: the nearest KPI names of this run (and aliases) in the same scope.
        std::vector<std::string> candidates;
        std::size_t workload_kpis = 0;
        for (const KpiInfo& k : kpi_info) {
          const bool workload_kpi = k.name.find('.') != std::string::npos;
          if (scope == Scope::Site && !workload_kpi) candidates.push_back(k.name);
          if (scope == Scope::Workload && k.name.rfind(prefix, 0) == 0) {
            candidates.push_back(k.name.substr(prefix.size()));
            ++workload_kpis;
          }
        }
        for (const Alias& a : kAliases) {
          if (a.scope == scope) candidates.push_back(a.alias);
        }
        std::string expected = "the name of a KPI this run computes";
        if (scope == Scope::Workload) expected += " for workload " + c.workload;
        expected += " or an alias; nearest: " + join(nearest(c.metric, candidates, 4), ", ") +
                    " (the run's KPIs are the rows of /kpis in its results file; aliases are listed in README.md)";
        if (scope == Scope::Workload && workload_kpis == 0) {
          expected += "; this run has no KPIs for workload " + c.workload + " (they come with a \"fleet\" section)";
        }
        problems.add(file, path + "/metric", nlohmann::json(c.metric).dump(), expected);
        continue;
      }
    }
    r.kpi = name;
    r.kpi_index = index.at(name);
    const double horizon_h = static_cast<double>(s.horizon_h);
    switch (scale) {
      case Scale::None: r.scale = 1.0; break;
      case Scale::PerYear: r.scale = kHoursPerYear / horizon_h; break;
      case Scale::PerSecond: r.scale = 1.0 / (horizon_h * 3600.0); break;
    }
    r.units = scaled_units(kpi_info[r.kpi_index].units, scale);
    if (!c.units.empty() && normalized_units(c.units) != normalized_units(r.units)) {
      if (c.units == "%" && r.units == "1") {
        r.scale *= 100.0;
        r.units = "%";
      } else {
        problems.add(file, path + "/units", nlohmann::json(c.units).dump(),
                     "the units of " + r.kpi + ", \"" + r.units + "\"" +
                         (r.units == "1" ? " (or \"%\")" : "") + ", or no units key");
        continue;
      }
    }
    out.push_back(std::move(r));
  }
  problems.throw_if_any();
  return out;
}

std::vector<ClaimResult> evaluate_claims(const std::vector<ResolvedClaim>& claims, const ClaimsPolicy& policy,
                                         const std::vector<KpiInfo>& kpi_info,
                                         const std::vector<std::vector<double>>& kpis) {
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < kpi_info.size() && k < kpis.size(); ++k) index.emplace(kpi_info[k].name, k);
  const KpiLookup lookup = [&](const std::string& name) -> const std::vector<double>* {
    const auto it = index.find(name);
    return it == index.end() ? nullptr : &kpis[it->second];
  };
  std::vector<ClaimResult> out;
  for (const ResolvedClaim& c : claims) {
    std::vector<double> values = kpis.at(c.kpi_index);
    for (double& v : values) v *= c.scale;
    ClaimResult r;
    r.claim = c;
    r.evaluation = evaluate_claim(values, c.comparison, c.spec.target, policy);
    // The limiting factor compares KPI values with the target, in the KPI's own units.
    r.limiting = limiting_factor(c.kpi, c.comparison, c.spec.target / c.scale, r.evaluation.verdict,
                                 r.evaluation.holds, lookup);
    out.push_back(std::move(r));
  }
  return out;
}

NamedTable claims_table(const std::vector<ClaimResult>& results, const ClaimsPolicy& policy) {
  auto text = [](const char* name) { return TableColumn{name, "", true, {}, {}}; };
  auto number = [](const char* name, const std::string& units) { return TableColumn{name, units, false, {}, {}}; };
  NamedTable t;
  t.long_name = "claims checked against the simulated distribution of their KPI over the replications";
  t.columns = {text("claim"),        text("kpi"),          text("comparison"),      number("target", ""),
               text("units"),        number("scale", "1"), number("mean", ""),      number("p10", ""),
               number("p50", ""),    number("p90", ""),    number("replications", "1"),
               number("replications_met", "1"),            number("replications_undefined", "1"),
               number("probability_met", "1"),             number("probability_low", "1"),
               number("probability_high", "1"),            text("verdict"),         text("limiting_factor"),
               text("evidence")};
  // Per-row units differ, so the numeric columns in the claim's units carry the units of the first row when all
  // rows agree, else "see units column".
  std::string common;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string& u = results[i].claim.units;
    if (i == 0) common = u;
    else if (u != common) common = "see units column";
  }
  auto col = [&](const std::string& name) -> TableColumn& {
    for (TableColumn& c : t.columns) {
      if (c.name == name) return c;
    }
    throw std::logic_error("claims_table: no column " + name);
  };
  for (const char* name : {"target", "mean", "p10", "p50", "p90"}) col(name).units = common;
  for (const ClaimResult& r : results) {
    const ClaimEvaluation& e = r.evaluation;
    col("claim").text.push_back(r.claim.spec.label);
    col("kpi").text.push_back(r.claim.kpi);
    col("comparison").text.push_back(comparison_symbol(r.claim.comparison));
    col("target").values.push_back(r.claim.spec.target);
    col("units").text.push_back(r.claim.units);
    col("scale").values.push_back(r.claim.scale);
    col("mean").values.push_back(e.mean);
    col("p10").values.push_back(e.p10);
    col("p50").values.push_back(e.p50);
    col("p90").values.push_back(e.p90);
    col("replications").values.push_back(static_cast<double>(e.replications));
    col("replications_met").values.push_back(static_cast<double>(e.held));
    col("replications_undefined").values.push_back(static_cast<double>(e.undefined));
    col("probability_met").values.push_back(e.probability_met);
    col("probability_low").values.push_back(e.interval.low);
    col("probability_high").values.push_back(e.interval.high);
    col("verdict").text.push_back(verdict_name(e.verdict));
    col("limiting_factor").text.push_back(r.limiting.factor);
    col("evidence").text.push_back(r.limiting.evidence);
  }
  t.text_attributes = {
      {"rule", "supported: probability_met >= supported_probability and probability_low >= at_risk_probability; "
               "not supported: probability_met < at_risk_probability; otherwise at risk. A replication where the "
               "KPI is undefined (NaN) counts as not holding. Values are the KPI times scale, in units."},
      {"interval", "two-sided Wilson score interval at the confidence attribute"}};
  t.number_attributes = {{"supported_probability", policy.supported_probability},
                         {"at_risk_probability", policy.at_risk_probability},
                         {"confidence", policy.confidence}};
  return t;
}

std::string claim_summary_line(const ClaimResult& r, const ClaimsPolicy& policy) {
  const ClaimEvaluation& e = r.evaluation;
  // A rate a year (an IRR) reads as a percentage; other units follow the value.
  const bool percent_rate = r.claim.units == "1/year" && r.claim.scale == 1.0;
  const double shown = percent_rate ? 100.0 : 1.0;
  const std::string units = percent_rate             ? " %"
                            : r.claim.units == "1"   ? ""
                            : r.claim.units == "%"   ? " %"
                                                     : " " + r.claim.units;
  auto value = [&](double x) { return std::isfinite(x) ? people_number(shown * x) + units : std::string("undefined"); };
  std::string line = "claim \"" + r.claim.spec.label + "\": " + r.claim.kpi;
  // A percent claim shows its values in percent; an alias's scaling (per year, per second) is shown as a factor.
  const double shown_scale = r.claim.units == "%" ? r.claim.scale / 100.0 : r.claim.scale;
  if (shown_scale != 1.0) line += " x " + number_text(shown_scale);
  line += " P50 " + value(e.p50) + " (P10 " + value(e.p10) + ", P90 " + value(e.p90) + "); holds in " +
          std::to_string(e.held) + " of " + std::to_string(e.replications) + " replications";
  if (e.undefined > 0) line += " (" + std::to_string(e.undefined) + " undefined, counted as not holding)";
  line += fmt::format(" ({:.0f} %, {:.0f} % interval {:.0f}-{:.0f} %) -> ", 100.0 * e.probability_met,
                      100.0 * policy.confidence, 100.0 * e.interval.low, 100.0 * e.interval.high) +
          verdict_name(e.verdict);
  if (e.verdict != Verdict::Supported) line += " (limiting: " + r.limiting.factor + ")";
  return line;
}

}  // namespace aidc
