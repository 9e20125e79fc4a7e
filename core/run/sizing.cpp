// `aidcsim size` (core/run/sizing.hpp): the scenario checked once, then for each site (a patch of the document,
// core/run/sizing_variants.hpp) every candidate sized (core/run/sizing_candidate.hpp) and ranked.
#include "core/run/sizing.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>
#include <tbb/global_control.h>

#include "core/run/sizing_candidate.hpp"
#include "core/run/sizing_variants.hpp"
#include "core/scenario/input_error.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/scenario/parse_sizing.hpp"

namespace aidc {

namespace {

// What sizing needs beyond a valid scenario: a fleet, workloads, deadlines the horizon can see, climate normals
// for every site's city.
void check_sizable(const Scenario& s, const Catalog& catalog, const std::string& file_label) {
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
                   fmt::format("a deadline inside the horizon (start_h {:.0f} + 24 x deadline_d <= horizon.duration_h "
                               "{}), so the verification runs can see it met",
                               w.start_h, s.horizon_h));
    }
  }
  // Every site's city needs climate normals for the synthetic weather, unless the site brings its own weather.
  for (std::size_t i = 0; i < s.sizing.sites.size(); ++i) {
    const SizingSite& site = s.sizing.sites[i];
    if (site.is_scenario_site || !site.weather_json.empty()) continue;
    const nlohmann::json* e = catalog.entry("countries", site.country);
    const std::string city = !site.city.empty() ? site.city : e ? e->value("city", "") : "";
    if (e && !catalog.entry("climate", city)) {
      problems.add(file_label, "/sizing/sites/" + std::to_string(i), nlohmann::json(site.label).dump(),
                   "a site whose city has climate normals in " + catalog.label("climate") + " (" + city +
                       " has none; " + expected_one_of(city, catalog.names("climate")) + ")");
    }
  }
  problems.throw_if_any();
}

// A site that brings its own city or weather (sizing.sites objects) is the user's input: the scenario moved there
// must resolve, its EPW file read, before any candidate is sized; a problem under the moved /site/weather or
// /site/city is reported at the site's own entry.
void check_site_inputs(const nlohmann::json& doc, const Scenario& s, const Catalog& catalog,
                       const std::string& file_label, const std::filesystem::path& base_dir) {
  std::vector<InputProblem> problems;
  for (std::size_t i = 0; i < s.sizing.sites.size(); ++i) {
    const SizingSite& site = s.sizing.sites[i];
    if (site.is_scenario_site || (site.weather_json.empty() && site.city.empty())) continue;
    const ScenarioPatch moved = site_patch(doc, site);
    try {
      resolve_and_prepare(apply_patches(doc, std::span<const ScenarioPatch>(&moved, 1), file_label), catalog,
                          file_label, base_dir);
    } catch (const BadInput& e) {
      const std::string at = "/sizing/sites/" + std::to_string(i);
      for (InputProblem p : e.problems()) {
        for (const char* moved_key : {"/site/weather", "/site/city"}) {
          if (p.json_path.rfind(moved_key, 0) == 0) p.json_path = at + p.json_path.substr(5);
        }
        if (p.json_path.rfind(at, 0) != 0) p.expected += " (at sizing site " + site.label + ")";
        problems.push_back(std::move(p));
      }
    }
  }
  if (!problems.empty()) throw BadInput(std::move(problems));
}

}  // namespace

std::string RequirementCheck::text() const {
  const bool upper = statistic == "p90";
  // Enough significant digits that a value and its target that differ print differently (0.99897 < 0.999, never
  // "0.999 < 0.999").
  int digits = 4;
  while (digits < 12 && value != target && fmt::format("{:.{}g}", value, digits) == fmt::format("{:.{}g}", target, digits)) {
    ++digits;
  }
  return fmt::format("{}.{} {} {:.{}g} {} {:.4g}", workload, kpi, upper ? "P90" : "P10", value, digits,
                     met ? (upper ? "<=" : ">=") : (upper ? ">" : "<"), target);
}

double RequirementCheck::fail_confidence() const {
  // P(share > 0.1) for share ~ Beta(missing + 1, n − missing + 1): 1 − I_0.1(a, b), and for integer a, b
  // I_x(a, b) = P(Binomial(a + b − 1, x) >= a).
  const int a = missing + 1;
  const int n = replications + 1;  // a + b − 1
  const double x = 0.1;
  double at_least_a = 0.0;
  for (int j = a; j <= n; ++j) {
    at_least_a += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) + j * std::log(x) +
                           (n - j) * std::log1p(-x));
  }
  return 1.0 - at_least_a;
}

SizingResult size_scenario(const nlohmann::json& doc_in, const Catalog& catalog, const std::string& file_label,
                           const std::filesystem::path& base_dir, const SizingOptions& options) {
  // Command-line lists replace the section's before resolution, so they are checked like the file.
  const ScenarioPatch lists = sizing_lists_patch(doc_in, options.sites, options.candidates);
  const nlohmann::json doc = apply_patches(doc_in, std::span<const ScenarioPatch>(&lists, 1), file_label);
  const ResolvedScenario base = resolve_and_prepare(doc, catalog, file_label, base_dir);
  const Scenario& s = base.scenario;
  check_sizable(s, catalog, file_label);
  check_site_inputs(doc, s, catalog, file_label, base_dir);

  const int threads = options.threads > 0 ? options.threads : 0;
  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  SizingResult out;
  out.scenario = s.name;
  out.objective = sizing_objective_name(s.sizing.objective);
  out.slo_attainment_target = s.sizing.slo_attainment;
  out.verify_replications = s.sizing.verify_replications;
  out.minimality_replications = s.sizing.minimality_replications;
  for (const SizingSite& sizing_site : s.sizing.sites) {
    const std::string& site = sizing_site.label;
    const ScenarioPatch moved = site_patch(doc, sizing_site);
    const bool moved_package = std::any_of(moved.ops.begin(), moved.ops.end(), [](const nlohmann::json& op) {
      return op.value("path", "") == "/package/target_country";
    });
    const nlohmann::json site_doc = apply_patches(doc, std::span<const ScenarioPatch>(&moved, 1), file_label);
    SiteRanking ranking;
    ranking.site = site;
    for (const std::string& system : s.sizing.candidates) {
      sizing::CandidateSizer sizer(site_doc, site, system, catalog, file_label, base_dir, s.sizing, options);
      CandidateResult c = sizer.run();
      if (moved_package) {
        c.adaptations.insert(c.adaptations.begin(), "package target country -> " + sizing_site.country);
      }
      ranking.candidates.push_back(std::move(c));
    }
    sizing::rank_candidates(ranking.candidates, s.sizing.objective);
    if (!ranking.candidates.empty() && ranking.candidates.front().feasible) {
      ranking.winner = ranking.candidates.front().system;
    }
    out.sites.push_back(std::move(ranking));
  }
  return out;
}

}  // namespace aidc
