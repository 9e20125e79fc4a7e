#pragma once
// The catalogs (accelerators, systems, countries, climate, facility defaults): JSON documents of named entries,
// each with its public source. The copies in scenarios/catalog/ are compiled into the binary so that aidcsim
// stands alone; a user may point at another folder with the same file names.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aidc {

class Catalog {
 public:
  // The catalogs compiled into this binary.
  static Catalog embedded();
  // Catalog `catalog` (e.g. "systems") from the text of its document; a bad document is reported as BadInput naming
  // `label` (how messages name the file). A user's catalog folder is read by read_catalog_folder()
  // (core/io/catalog_folder.hpp): this layer reads no file.
  void add(const std::string& catalog, const std::string& text, const std::string& label);

  bool has_catalog(const std::string& catalog) const { return docs_.count(catalog) > 0; }
  // The entry `name` of catalog `catalog` (e.g. "systems", "dgx-h100"), or nullptr.
  const nlohmann::json* entry(const std::string& catalog, const std::string& name) const;
  std::vector<std::string> names(const std::string& catalog) const;
  // The catalogs held ("accelerators", "systems", ...), in name order.
  std::vector<std::string> catalogs() const;
  // How messages name the catalog's file, e.g. "scenarios/catalog/systems.json".
  std::string label(const std::string& catalog) const;

 private:
  std::map<std::string, nlohmann::json> docs_;
  std::map<std::string, std::string> labels_;
};

// The numeric default `key` of a defaults catalog (facility_defaults, economics_defaults, ...): its entry's
// "value", with the entry recorded in used[catalog_name][key] for /inputs/catalog. The built-in catalogs are tested
// to hold every key; a user catalog folder may not, which is bad input naming the catalog file and the entry.
double catalog_default(const Catalog& catalog, const std::string& catalog_name, const std::string& key,
                       nlohmann::json& used);

// The facility cooling types that can cool system `system`: its entry's "supported_cooling" list of names from
// `cooling_types` (the types facility.cooling.type accepts). nullopt when the system is not in the catalog or its
// entry has no list (a user catalog may predate the field: nothing is checked then). A list that is not an array of
// known names is bad input naming the catalog file and the entry.
std::optional<std::vector<std::string>> supported_cooling(const Catalog& catalog, const std::string& system,
                                                          const std::vector<std::string>& cooling_types);

}  // namespace aidc
