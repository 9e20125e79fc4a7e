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

// sizing.sites: each a country name, a climate city name (its country from the climate entry), or an object
// {"country", "city", "weather", "name"}; distinct labels.
std::vector<SizingSite> read_sites(JsonObjectReader& r, const Catalog& catalog, const Scenario& s) {
  std::vector<SizingSite> out;
  const nlohmann::json* list = r.raw("sites");
  if (!list) return out;
  if (!list->is_array() || list->empty()) {
    r.problem_at("sites", json_excerpt(*list), "a non-empty array of countries, climate cities or site objects");
    return out;
  }
  const std::vector<std::string> countries = catalog.names("countries");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& v = (*list)[i];
    const std::string path = r.child_path("sites") + "/" + std::to_string(i);
    SizingSite site;
    if (v.is_string()) {
      const std::string name = v.get<std::string>();
      if (catalog.entry("countries", name)) {
        site.country = name;
      } else if (const nlohmann::json* c = catalog.entry("climate", name); c && c->contains("country") &&
                                                                           catalog.entry("countries", (*c)["country"].get<std::string>())) {
        site.country = (*c)["country"].get<std::string>();
        site.city = name;
      } else {
        r.problems().add(r.file(), path, nlohmann::json(name).dump(),
                         "a country in " + catalog.label("countries") + " or a city in " + catalog.label("climate") +
                             ", " + expected_one_of(name, countries));
        continue;
      }
    } else if (v.is_object()) {
      JsonObjectReader sr(v, path, r.file(), r.problems());
      site.country = sr.required_string("country");
      if (!site.country.empty() && !catalog.entry("countries", site.country)) {
        sr.problem_at("country", nlohmann::json(site.country).dump(),
                      "a country in " + catalog.label("countries") + ", " + expected_one_of(site.country, countries));
      }
      site.city = sr.string("city", "");
      if (!site.city.empty() && !catalog.entry("climate", site.city) && !sr.has("weather")) {
        sr.problem_at("city", nlohmann::json(site.city).dump(),
                      "a city in " + catalog.label("climate") + " (or a \"weather\" object for it), " +
                          expected_one_of(site.city, catalog.names("climate")));
      }
      if (const nlohmann::json* w = sr.raw("weather")) {
        if (!w->is_object()) {
          sr.problem_at("weather", json_excerpt(*w), "an object like /site/weather (an EPW file or inline normals)");
        } else {
          site.weather_json = w->dump();
        }
      }
      site.label = sr.string("name", "");
      sr.finish();
    } else {
      r.problems().add(r.file(), path, json_excerpt(v), "a country or city name, or a site object");
      continue;
    }
    if (site.label.empty()) {
      site.label = site.country;
      if (!site.city.empty()) site.label += " (" + site.city + ")";
      if (!site.weather_json.empty()) {
        const nlohmann::json w = nlohmann::json::parse(site.weather_json);
        site.label += w.contains("file") && w["file"].is_string() ? " (weather: " + w["file"].get<std::string>() + ")"
                                                                  : " (own weather)";
      }
    }
    site.is_scenario_site = site.country == s.site.country && site.city.empty() && site.weather_json.empty();
    if (std::any_of(out.begin(), out.end(), [&](const SizingSite& o) { return o.label == site.label; })) {
      r.problems().add(r.file(), path, json_excerpt(v), "a site not already listed (\"" + site.label + "\")");
      continue;
    }
    out.push_back(std::move(site));
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
  if (!s.site.country.empty()) z.sites.push_back({s.site.country, s.site.country, "", "", true});
  return z;
}

void read_sizing(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, SizingSpec& z) {
  z = default_sizing(s);
  z.enabled = true;
  if (r.has("candidates")) z.candidates = read_names(r, "candidates", catalog, "systems", "system");
  if (r.has("sites")) z.sites = read_sites(r, catalog, s);
  z.objective = objective_from(r.choice("objective", "tco", kObjectives));
  z.verify_replications = static_cast<int>(r.integer("verify_replications", z.verify_replications, 1, 1000));
  z.slo_attainment = r.number("slo_attainment", z.slo_attainment, Range::unit_open_low());
  z.max_verification_runs = static_cast<int>(r.integer("max_verification_runs", z.max_verification_runs, 1, 10000));
  z.minimality_replications = static_cast<int>(
      r.integer("minimality_replications", std::max(z.minimality_replications, z.verify_replications), 1, 1000));
  if (z.minimality_replications < z.verify_replications) {
    r.problem_at("minimality_replications", std::to_string(z.minimality_replications),
                 "at least verify_replications (" + std::to_string(z.verify_replications) + ")");
  }
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
  nlohmann::json sites_json = nlohmann::json::array();
  for (const SizingSite& site : z.sites) {
    if (site.city.empty() && site.weather_json.empty() && site.label == site.country) {
      sites_json.push_back(site.country);
      continue;
    }
    nlohmann::json j = {{"country", site.country}, {"name", site.label}};
    if (!site.city.empty()) j["city"] = site.city;
    if (!site.weather_json.empty()) j["weather"] = nlohmann::json::parse(site.weather_json);
    sites_json.push_back(j);
  }
  return {{"candidates", z.candidates},
          {"sites", sites_json},
          {"objective", sizing_objective_name(z.objective)},
          {"verify_replications", z.verify_replications},
          {"slo_attainment", z.slo_attainment},
          {"max_verification_runs", z.max_verification_runs},
          {"minimality_replications", z.minimality_replications},
          {"system_price_usd", prices}};
}

}  // namespace aidc
