#include "core/run/sizing_variants.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/scenario/parse_scenario.hpp"

namespace aidc {

namespace {

using Json = nlohmann::json;

bool is_object_at(const Json& doc, const std::string& pointer) {
  const Json::json_pointer p(pointer);
  return doc.contains(p) && doc.at(p).is_object();
}

const Json* json_at(const Json& doc, const std::string& pointer) {
  const Json::json_pointer p(pointer);
  return doc.contains(p) ? &doc.at(p) : nullptr;
}

void economics_ops(ScenarioPatch& p, const Json& doc, const Catalog& catalog, const CandidateVariant& v) {
  std::optional<double> price = v.system_price_usd;
  const Json* entry = catalog.entry("systems", v.system);
  const bool listed = entry && entry->contains("list_price_usd") && (*entry)["list_price_usd"].is_number();
  if (is_object_at(doc, "/economics")) {
    const Json& e = doc["economics"];
    const bool own_prices = e.contains("system_price_usd") && e["system_price_usd"].is_object();
    if (!price && own_prices) {
      const Json& old = e["system_price_usd"];
      if (old.contains(v.system) && old[v.system].is_number()) price = old[v.system].get<double>();
    }
    if (!price && !listed) {
      append_op(p, remove_op("/economics"));
      return;
    }
    append_op(p, remove_if_present_op(doc, "/economics/design_it_mw"));
    if (price) {
      append_op(p, set_op(doc, "/economics/system_price_usd", {{v.system, *price}}));
    } else if (own_prices) {
      append_op(p, remove_op("/economics/system_price_usd"));
    }
  } else if (price || listed) {
    // Capex and TCO need the economics model; its defaults come from the catalog. Revenue does not enter them.
    Json e = {{"_note", "added by aidcsim size: capex and opex from the economics defaults catalog"},
              {"revenue", {{"usd_per_gpu_hour", 0.0}}}};
    if (price) e["system_price_usd"] = {{v.system, *price}};
    append_op(p, set_op(doc, "/economics", std::move(e)));
  }
}

}  // namespace

ScenarioPatch sizing_lists_patch(const Json& doc, const std::vector<std::string>& sites,
                                 const std::vector<std::string>& candidates) {
  ScenarioPatch p{"--sites / --candidates", Json::array()};
  if (sites.empty() && candidates.empty()) return p;
  if (!is_object_at(doc, "/sizing")) {
    Json z = Json::object();
    if (!sites.empty()) z["sites"] = sites;
    if (!candidates.empty()) z["candidates"] = candidates;
    append_op(p, set_op(doc, "/sizing", std::move(z)));
    return p;
  }
  if (!sites.empty()) append_op(p, set_op(doc, "/sizing/sites", sites));
  if (!candidates.empty()) append_op(p, set_op(doc, "/sizing/candidates", candidates));
  return p;
}

ScenarioPatch site_patch(const Json& doc, const SizingSite& to) {
  ScenarioPatch p{"sizing: site " + to.label, Json::array()};
  if (to.is_scenario_site) return p;
  const Json& site = doc["site"];
  const std::string& country = to.country;
  Json ns = {{"country", country}};
  if (site.contains("name")) ns["name"] = site["name"];
  if (site.contains("grid") && site["grid"].contains("capacity_mw")) {
    ns["grid"] = {{"capacity_mw", site["grid"]["capacity_mw"]}};
  }
  if (!to.city.empty()) ns["city"] = to.city;
  if (!to.weather_json.empty()) ns["weather"] = Json::parse(to.weather_json);
  // Fleet lead times and economics construction costs follow the country unless the scenario fixed them.
  append_op(p, set_op(doc, "/site", std::move(ns)));
  // A package offered to the site's country is offered to the new one (its target must match the site's country).
  const bool other_country = site.value("country", "") != country;
  if (other_country && is_object_at(doc, "/package") && doc["package"].contains("target_country")) {
    append_op(p, replace_op("/package/target_country", country));
    p.label += " (package target country moved with it)";
  }
  return p;
}

ScenarioPatch candidate_patch(const Json& doc, const Catalog& catalog, const CandidateVariant& v) {
  ScenarioPatch p{fmt::format("sizing: candidate {}, {} systems", v.system, v.systems), Json::array()};
  append_op(p, set_op(doc, "/it/systems", Json::array({{{"name", v.system}, {"count", v.systems}}})));
  append_op(p, set_op(doc, "/replications", v.replications));
  if (is_object_at(doc, "/fleet")) append_op(p, set_op(doc, "/fleet/hot_spare_nodes", v.hot_spare_nodes));
  if (doc.contains("workloads") && doc["workloads"].is_array()) {
    for (std::size_t i = 0; i < doc["workloads"].size(); ++i) {
      const Json& w = doc["workloads"][i];
      const std::string at = "/workloads/" + std::to_string(i);
      append_op(p, set_op(doc, at + "/system", v.system));
      if (i >= v.workloads.size()) continue;
      const WorkloadVariant& wv = v.workloads[i];
      append_op(p, set_op(doc, at + "/precision", wv.precision));
      if (wv.instances && !wv.training) {
        append_op(p, set_op(doc, at + "/instances", *wv.instances));
      } else if (w.value("type", "") == "inference") {
        append_op(p, remove_if_present_op(doc, at + "/instances"));
      }
      if (!wv.gpus) continue;
      const int gpus = *wv.gpus;
      append_op(p, set_op(doc, at + "/gpus", gpus));
      for (const char* k : {"tp", "pp", "cp"}) {
        if (w.contains(k) && w[k].is_number_integer() && w[k].get<int>() > 0 && gpus % w[k].get<int>() != 0) {
          append_op(p, replace_op(at + "/" + k, 0));
        }
      }
    }
  }
  if (const auto cooling = adapted_cooling(doc, catalog, v.system)) {
    nlohmann::json c = {{"type", cooling->to}};
    const nlohmann::json* was = json_at(doc, "/facility/cooling");
    if (was != nullptr && was->is_object() && was->contains("chilled_water_supply_c")) {
      c["chilled_water_supply_c"] = (*was)["chilled_water_supply_c"];
    }
    append_op(p, set_op(doc, "/facility/cooling", std::move(c)));
    p.label += ", cooling " + cooling->to;
  }
  economics_ops(p, doc, catalog, v);
  return p;
}

std::optional<CoolingChange> adapted_cooling(const nlohmann::json& doc, const Catalog& catalog,
                                             const std::string& system) {
  const auto supported = supported_cooling(catalog, system, cooling_type_names());
  if (!supported || supported->empty()) return std::nullopt;
  const nlohmann::json* type = json_at(doc, "/facility/cooling/type");
  const std::string current = type != nullptr && type->is_string() ? type->get<std::string>() : kDefaultCoolingType;
  if (std::find(supported->begin(), supported->end(), current) != supported->end()) return std::nullopt;
  return CoolingChange{current, supported->front()};
}

}  // namespace aidc
