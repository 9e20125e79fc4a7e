#include "core/scenario/parse_sizing.hpp"

#include <algorithm>
#include <set>

#include "core/scenario/input_error.hpp"
#include "core/scenario/input_limits.hpp"

namespace aidc {

namespace {

const std::vector<std::string> kObjectives = {"tco", "capex", "usd_per_million_tokens"};

SizingObjective objective_from(const std::string& text) {
  if (text == "capex") return SizingObjective::Capex;
  if (text == "usd_per_million_tokens") return SizingObjective::UsdPerMillionTokens;
  return SizingObjective::Tco;
}

// A non-empty array of distinct catalog names; each unknown name is a problem at its index, with the nearest.
std::vector<std::string> read_names(JsonObjectReader& r, const std::string& key, const Catalog& catalog,
                                    const std::string& table, const std::string& what) {
  std::vector<std::string> out;
  const nlohmann::json* list = r.raw(key);
  if (!list) return out;
  if (!list->is_array() || list->empty()) {
    r.problem_at(key, json_excerpt(*list), "a non-empty array of " + what + " names");
    return out;
  }
  const std::vector<std::string> names = catalog.names(table);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& v = (*list)[i];
    const std::string path = r.child_path(key) + "/" + std::to_string(i);
    if (!v.is_string()) {
      r.problems().add(r.file(), path, json_excerpt(v), "a " + what + " name (a string)");
      continue;
    }
    const std::string name = v.get<std::string>();
    if (!catalog.entry(table, name)) {
      r.problems().add(r.file(), path, nlohmann::json(name).dump(),
                       "a " + what + " in " + catalog.label(table) + ", " + expected_one_of(name, names));
      continue;
    }
    if (std::find(out.begin(), out.end(), name) != out.end()) {
      r.problems().add(r.file(), path, nlohmann::json(name).dump(), "a name not already listed");
      continue;
    }
    out.push_back(name);
  }
  return out;
}

}  // namespace

std::string sizing_objective_name(SizingObjective o) {
  switch (o) {
    case SizingObjective::Tco: return "tco";
    case SizingObjective::Capex: return "capex";
    case SizingObjective::UsdPerMillionTokens: return "usd_per_million_tokens";
  }
  return "tco";
}

SizingSpec default_sizing(const Scenario& s) {
  SizingSpec z;
  for (const SystemSpec& sys : s.it.systems) {
    if (std::find(z.candidates.begin(), z.candidates.end(), sys.name) == z.candidates.end()) {
      z.candidates.push_back(sys.name);
    }
  }
  if (!s.site.country.empty()) z.sites.push_back(s.site.country);
  return z;
}

void read_sizing(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, SizingSpec& z) {
  z = default_sizing(s);
  z.enabled = true;
  if (r.has("candidates")) z.candidates = read_names(r, "candidates", catalog, "systems", "system");
  if (r.has("sites")) z.sites = read_names(r, "sites", catalog, "countries", "country");
  z.objective = objective_from(r.choice("objective", "tco", kObjectives));
  z.verify_replications = static_cast<int>(r.integer("verify_replications", z.verify_replications, 1, 1000));
  z.slo_attainment = r.number("slo_attainment", z.slo_attainment, Range::unit_open_low());
  z.max_verification_runs = static_cast<int>(r.integer("max_verification_runs", z.max_verification_runs, 1, 10000));
  if (auto pr = r.object("system_price_usd")) {
    if (const nlohmann::json* raw = r.raw("system_price_usd"); raw && raw->is_object()) {
      for (const auto& [name, value] : raw->items()) {
        if (!name.empty() && name.front() == '_') continue;
        if (!catalog.entry("systems", name)) {
          pr->problem_at(name, json_excerpt(value),
                         "a system in " + catalog.label("systems") + ", " +
                             expected_one_of(name, catalog.names("systems")));
          pr->accept(name);
          continue;
        }
        z.system_price_usd.emplace_back(name, pr->number(name, 0.0, limits::positive_up_to(limits::kMaxSystemPriceUsd)));
      }
    }
    pr->finish();
  }
  r.finish();
}

nlohmann::json sizing_to_json(const SizingSpec& z) {
  nlohmann::json prices = nlohmann::json::object();
  for (const auto& [name, usd] : z.system_price_usd) prices[name] = usd;
  return {{"candidates", z.candidates},
          {"sites", z.sites},
          {"objective", sizing_objective_name(z.objective)},
          {"verify_replications", z.verify_replications},
          {"slo_attainment", z.slo_attainment},
          {"max_verification_runs", z.max_verification_runs},
          {"system_price_usd", prices}};
}

}  // namespace aidc
