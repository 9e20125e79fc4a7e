// `aidcsim size` (core/run/sizing.hpp): the scenario checked once, then for each site (a patch of the document,
// core/run/sizing_variants.hpp) every candidate sized (core/run/sizing_candidate.hpp) and ranked.
#include "core/run/sizing.hpp"

#include <algorithm>
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

SizingResult size_scenario(const nlohmann::json& doc_in, const Catalog& catalog, const std::string& file_label,
                           const std::filesystem::path& base_dir, const SizingOptions& options) {
  // Command-line lists replace the section's before resolution, so they are checked like the file.
  const ScenarioPatch lists = sizing_lists_patch(doc_in, options.sites, options.candidates);
  const nlohmann::json doc = apply_patches(doc_in, std::span<const ScenarioPatch>(&lists, 1), file_label);
  const ResolvedScenario base = resolve_and_prepare(doc, catalog, file_label, base_dir);
  const Scenario& s = base.scenario;
  check_sizable(s, catalog, file_label);

  const int threads = options.threads > 0 ? options.threads : 0;
  std::optional<tbb::global_control> limit;
  if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  SizingResult out;
  out.scenario = s.name;
  out.objective = sizing_objective_name(s.sizing.objective);
  out.slo_attainment_target = s.sizing.slo_attainment;
  out.verify_replications = s.sizing.verify_replications;
  for (const std::string& site : s.sizing.sites) {
    const ScenarioPatch moved = site_patch(doc, site);
    const bool moved_package = std::any_of(moved.ops.begin(), moved.ops.end(), [](const nlohmann::json& op) {
      return op.value("path", "") == "/package/target_country";
    });
    const nlohmann::json site_doc = apply_patches(doc, std::span<const ScenarioPatch>(&moved, 1), file_label);
    SiteRanking ranking;
    ranking.site = site;
    for (const std::string& system : s.sizing.candidates) {
      sizing::CandidateSizer sizer(site_doc, site, system, catalog, file_label, base_dir, s.sizing, options);
      CandidateResult c = sizer.run();
      if (moved_package) c.adaptations.insert(c.adaptations.begin(), "package target country -> " + site);
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
