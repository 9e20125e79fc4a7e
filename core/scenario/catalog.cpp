#include "core/scenario/catalog.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/scenario/input_error.hpp"
#include "core/scenario/json_reader.hpp"

namespace aidc {

// Defined in the generated embedded_catalog.cpp (core/scenario/embed_catalog.cmake).
const std::map<std::string, std::string>& embedded_catalog_texts();

void Catalog::add(const std::string& catalog, const std::string& text, const std::string& label) {
  nlohmann::json doc = parse_json_text(text, label);
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_object()) {
    throw BadInput(label, "/entries", "", "an object of named catalog entries");
  }
  docs_[catalog] = std::move(doc);
  labels_[catalog] = label;
}

Catalog Catalog::embedded() {
  Catalog c;
  for (const auto& [name, text] : embedded_catalog_texts()) {
    c.add(name, text, "scenarios/catalog/" + name + ".json (built in)");
  }
  return c;
}

const nlohmann::json* Catalog::entry(const std::string& catalog, const std::string& name) const {
  auto d = docs_.find(catalog);
  if (d == docs_.end()) return nullptr;
  const auto& entries = d->second["entries"];
  auto e = entries.find(name);
  return e == entries.end() ? nullptr : &*e;
}

std::vector<std::string> Catalog::names(const std::string& catalog) const {
  std::vector<std::string> out;
  auto d = docs_.find(catalog);
  if (d == docs_.end()) return out;
  for (const auto& [name, _] : d->second["entries"].items()) out.push_back(name);
  return out;
}

std::vector<std::string> Catalog::catalogs() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : docs_) out.push_back(name);
  return out;
}

std::string Catalog::label(const std::string& catalog) const {
  auto l = labels_.find(catalog);
  return l == labels_.end() ? "scenarios/catalog/" + catalog + ".json" : l->second;
}

double catalog_default(const Catalog& catalog, const std::string& catalog_name, const std::string& key,
                       nlohmann::json& used) {
  const nlohmann::json* e = catalog.entry(catalog_name, key);
  if (!e || !e->contains("value") || !(*e)["value"].is_number()) {
    throw BadInput(catalog.label(catalog_name), "/entries/" + json_pointer_escape(key), e ? json_excerpt(*e) : "",
                   "an entry with a numeric \"value\" and its \"source\"");
  }
  used[catalog_name][key] = *e;
  return (*e)["value"].get<double>();
}

std::optional<std::vector<std::string>> supported_cooling(const Catalog& catalog, const std::string& system,
                                                          const std::vector<std::string>& cooling_types) {
  const nlohmann::json* e = catalog.entry("systems", system);
  if (!e || !e->contains("supported_cooling")) return std::nullopt;
  const nlohmann::json& list = (*e)["supported_cooling"];
  const std::string path = "/entries/" + json_pointer_escape(system) + "/supported_cooling";
  if (!list.is_array() || list.empty()) {
    throw BadInput(catalog.label("systems"), path, json_excerpt(list),
                   "a non-empty array of facility cooling types, each " + expected_one_of("", cooling_types));
  }
  std::vector<std::string> out;
  for (const nlohmann::json& name : list) {
    if (!name.is_string() ||
        std::find(cooling_types.begin(), cooling_types.end(), name.get<std::string>()) == cooling_types.end()) {
      throw BadInput(catalog.label("systems"), path, json_excerpt(name),
                     "a facility cooling type, " + expected_one_of(name.is_string() ? name.get<std::string>() : "",
                                                                   cooling_types));
    }
    out.push_back(name.get<std::string>());
  }
  return out;
}

}  // namespace aidc
