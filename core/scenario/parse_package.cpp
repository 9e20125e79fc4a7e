#include "core/scenario/parse_package.hpp"

#include <cmath>
#include <fmt/format.h>
#include <set>

#include "core/scenario/input_limits.hpp"

namespace aidc {

const std::vector<std::string>& package_roles() {
  static const std::vector<std::string> v = {"chips",        "servers",       "network",  "data_center",
                                             "models",       "applications",  "cybersecurity", "energy",
                                             "integrator",   "financier",     "operator", "other"};
  return v;
}

const std::vector<std::string>& package_sectors() {
  static const std::vector<std::string> v = {"health",     "agriculture", "finance",       "education",
                                             "government", "energy",      "manufacturing", "other"};
  return v;
}

const std::vector<std::string>& package_business_models() {
  static const std::vector<std::string> v = {"colocation", "gpu_cloud",           "sovereign_ai",
                                             "enterprise", "tokens_as_a_service", "other"};
  return v;
}

// US federal agencies that finance exports and overseas investment: the Export-Import Bank (EXIM), the U.S.
// International Development Finance Corporation (DFC) and the U.S. Trade and Development Agency (USTDA).
const std::vector<std::string>& package_agencies() {
  static const std::vector<std::string> v = {"EXIM", "DFC", "USTDA", "other"};
  return v;
}

const std::vector<std::string>& package_instruments() {
  static const std::vector<std::string> v = {"loan_guarantee", "direct_loan", "political_risk_insurance",
                                             "equity",         "grant",       "feasibility_study", "other"};
  return v;
}

namespace {

// A list of non-empty, distinct strings at r/key. Missing: a problem when `required`, else empty.
std::vector<std::string> string_list(JsonObjectReader& r, const std::string& key, bool required,
                                     const std::string& what) {
  std::vector<std::string> out;
  const nlohmann::json* v = r.raw(key);
  if (!v) {
    if (required) r.problem_at(key, "", "a non-empty array of " + what);
    return out;
  }
  if (!v->is_array() || (required && v->empty())) {
    r.problem_at(key, json_excerpt(*v), std::string(required ? "a non-empty" : "an") + " array of " + what);
    return out;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& e = (*v)[i];
    const std::string path = r.child_path(key) + "/" + std::to_string(i);
    if (!e.is_string() || e.get<std::string>().empty()) {
      r.problems().add(r.file(), path, json_excerpt(e), "a non-empty string (" + what + ")");
      continue;
    }
    if (!seen.insert(e.get<std::string>()).second) {
      r.problems().add(r.file(), path, e.dump(), "a value not already listed in " + key);
      continue;
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

// The objects of the array r/key, each read by `one` with its own reader.
template <typename Fn>
void object_list(JsonObjectReader& r, const std::string& key, bool required, const std::string& what, Fn one) {
  const nlohmann::json* v = r.raw(key);
  if (!v) {
    if (required) r.problem_at(key, "", "a non-empty array of " + what);
    return;
  }
  if (!v->is_array() || (required && v->empty())) {
    r.problem_at(key, json_excerpt(*v), std::string(required ? "a non-empty" : "an") + " array of " + what);
    return;
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    JsonObjectReader er((*v)[i], r.child_path(key) + "/" + std::to_string(i), r.file(), r.problems());
    one(er);
    er.finish();
  }
}

// A required, non-empty choice (choice() alone falls back silently when the key is missing).
std::string required_choice(JsonObjectReader& r, const std::string& key, const std::vector<std::string>& allowed) {
  if (!r.has(key)) {
    std::string names;
    for (const std::string& a : allowed) names += (names.empty() ? "" : ", ") + a;
    r.problem_at(key, "", "one of: " + names);
  }
  return r.choice(key, "", allowed);
}

std::string fleet_description(const Scenario& s) {
  std::string text;
  long long gpus = 0;
  for (const SystemSpec& sys : s.it.systems) {
    if (!text.empty()) text += ", ";
    text += std::to_string(sys.count) + " x " + sys.name;
    gpus += static_cast<long long>(sys.count) * sys.gpus_per_system;
  }
  const std::string mw = fmt::format("{:.1f}", it_max_power_w(s.it) / 1e6);
  return text + " (" + std::to_string(gpus) + " accelerators, " + mw + " MW IT nameplate)";
}

std::string site_description(const Scenario& s) {
  std::string cooling = "water-cooled chillers with cooling towers";
  if (s.facility.cooling.kind == CoolingKind::AirCooledChiller) cooling = "air-cooled chillers";
  if (s.facility.cooling.kind == CoolingKind::LiquidDryCooler) cooling = "direct liquid cooling to dry coolers";
  std::string where = s.site.name.empty() ? "" : s.site.name + ", ";
  if (!s.site.city.empty()) where += s.site.city + ", ";
  const std::string mw = fmt::format("{:.0f}", s.site.grid.capacity_w / 1e6);
  // The generator count may still be sized from the design load after parsing: state the rule then.
  const GeneratorSpec& g = s.facility.generators;
  const std::string generators = !g.redundancy.empty() ? g.redundancy + " diesel generators"
                                                        : std::to_string(g.count) + " diesel generators";
  return where + s.site.country + "; " + mw + " MW grid connection; " + cooling + "; " + generators;
}

}  // namespace

void read_package(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                  PackageSpec& p) {
  p.enabled = true;
  p.title = r.required_string("title");
  p.target_country = r.required_string("target_country");
  if (!p.target_country.empty() && !s.site.country.empty() && p.target_country != s.site.country) {
    r.problem_at("target_country", nlohmann::json(p.target_country).dump(),
                 "the site's country, \"" + s.site.country + "\" (site.country): the package is offered where the "
                 "simulated site is");
  }

  std::set<std::string> members;
  object_list(r, "consortium", true, "members, each {\"name\", \"role\", \"country\"}", [&](JsonObjectReader& mr) {
    ConsortiumMember m;
    m.name = mr.required_string("name");
    m.role = required_choice(mr, "role", package_roles());
    m.country = mr.required_string("country");
    if (!m.name.empty() && !members.insert(m.name).second) {
      mr.problem_at("name", nlohmann::json(m.name).dump(), "a name no other consortium member has");
    }
    p.consortium.push_back(std::move(m));
  });

  if (auto cr = r.object("components")) {
    p.hardware = cr->string("hardware", fleet_description(s));
    p.data_center = cr->string("data_center", site_description(s));
    p.data_pipelines = cr->required_string("data_pipelines");
    p.models = string_list(*cr, "models", true, "model names of llm_models.json");
    const std::vector<std::string> known = catalog.names("llm_models");
    if (const nlohmann::json* list = cr->raw("models"); list && list->is_array()) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const nlohmann::json& e = (*list)[i];
        if (!e.is_string() || e.get<std::string>().empty()) continue;
        const std::string name = e.get<std::string>();
        if (const nlohmann::json* entry = catalog.entry("llm_models", name)) {
          used["llm_models"][name] = *entry;
        } else {
          r.problems().add(r.file(), cr->child_path("models") + "/" + std::to_string(i), e.dump(),
                           "a model in " + catalog.label("llm_models") + ", " + expected_one_of(name, known));
        }
      }
    }
    p.cybersecurity_controls =
        string_list(*cr, "cybersecurity_controls", true, "controls or frameworks, e.g. \"NIST CSF 2.0\"");
    std::set<std::string> apps;
    object_list(*cr, "applications", true, "applications, each {\"name\", \"sector\"}", [&](JsonObjectReader& ar) {
      PackageApplication a;
      a.name = ar.required_string("name");
      a.sector = required_choice(ar, "sector", package_sectors());
      if (!a.name.empty() && !apps.insert(a.name).second) {
        ar.problem_at("name", nlohmann::json(a.name).dump(), "a name no other application has");
      }
      p.applications.push_back(std::move(a));
    });
    cr->finish();
  } else {
    r.problem_at("components", "",
                 "an object with data_pipelines, models, cybersecurity_controls and applications (hardware and "
                 "data_center default to the scenario's fleet and site)");
  }

  p.business_model = required_choice(r, "business_model", package_business_models());

  object_list(r, "federal_support", false, "requests, each {\"agency\", \"instrument\", \"amount_usd\"}",
              [&](JsonObjectReader& fr) {
                FederalSupport f;
                f.agency = required_choice(fr, "agency", package_agencies());
                f.instrument = required_choice(fr, "instrument", package_instruments());
                f.amount_usd = fr.required_number("amount_usd", limits::up_to(limits::kMaxUsd));
                f.note = fr.string("note", "");
                p.federal_support.push_back(std::move(f));
              });
  r.finish();
}

nlohmann::json package_to_json(const PackageSpec& p) {
  nlohmann::json consortium = nlohmann::json::array();
  for (const ConsortiumMember& m : p.consortium) {
    consortium.push_back({{"name", m.name}, {"role", m.role}, {"country", m.country}});
  }
  nlohmann::json applications = nlohmann::json::array();
  for (const PackageApplication& a : p.applications) applications.push_back({{"name", a.name}, {"sector", a.sector}});
  nlohmann::json support = nlohmann::json::array();
  for (const FederalSupport& f : p.federal_support) {
    nlohmann::json j = {{"agency", f.agency}, {"instrument", f.instrument}, {"amount_usd", f.amount_usd}};
    if (!f.note.empty()) j["note"] = f.note;
    support.push_back(std::move(j));
  }
  return {{"title", p.title},
          {"target_country", p.target_country},
          {"consortium", consortium},
          {"components",
           {{"hardware", p.hardware},
            {"data_center", p.data_center},
            {"data_pipelines", p.data_pipelines},
            {"models", p.models},
            {"cybersecurity_controls", p.cybersecurity_controls},
            {"applications", applications}}},
          {"business_model", p.business_model},
          {"federal_support", support}};
}

}  // namespace aidc
