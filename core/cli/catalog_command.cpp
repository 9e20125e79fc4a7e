#include "core/cli/catalog_command.hpp"

#include <iostream>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli/cli_errors.hpp"
#include "core/io/catalog_folder.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/json_reader.hpp"

namespace aidc {

namespace {

// The catalogs a user asks for by a short name.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = {
      {"models", "llm_models"}, {"accelerators", "accelerators"}, {"systems", "systems"}, {"countries", "countries"}};
  return a;
}

double number(const nlohmann::json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string text(const nlohmann::json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string("?");
}

// One entry's key figures, for the catalogs a user picks names from; others print the name alone.
std::string summary(const std::string& catalog, const nlohmann::json& e) {
  if (catalog == "llm_models") {
    const double experts = number(e, "routed_experts");
    return fmt::format("{:.1f} B parameters, {:.0f} layers, hidden {:.0f}, {:.0f} heads ({:.0f} KV){}, context {:.0f}",
                       number(e, "published_params") / 1e9, number(e, "layers"), number(e, "hidden"),
                       number(e, "heads"), number(e, "kv_heads"),
                       experts > 0 ? fmt::format(", {:.0f} experts ({:.0f} active)", experts, number(e, "active_experts"))
                                   : std::string(),
                       number(e, "max_context"));
  }
  if (catalog == "accelerators") {
    return fmt::format("{} {}, dense bf16 {:.0f} / fp8 {:.0f} / fp4 {:.0f} TFLOPS, {:.0f} GB HBM at {:.2f} TB/s, "
                       "scale-up {:.0f} GPUs, {:.0f} W",
                       text(e, "vendor"), text(e, "generation"), number(e, "bf16_dense_tflops"),
                       number(e, "fp8_dense_tflops"), number(e, "fp4_dense_tflops"), number(e, "hbm_gb"),
                       number(e, "hbm_tb_s"), number(e, "scaleup_domain_gpus"), number(e, "tdp_w"));
  }
  if (catalog == "systems") {
    return fmt::format("{:.0f} x {}, {:.1f} kW max, {:.0f} x {:.0f} Gb/s NICs, {} cooling", number(e, "gpus"),
                       text(e, "accelerator"), number(e, "max_power_kw"), number(e, "scaleout_nics"),
                       number(e, "nic_gbps"), text(e, "cooling"));
  }
  if (catalog == "countries") {
    return fmt::format("{}, {:.3f} USD/kWh, {:.0f} g CO2/kWh, SAIDI {:.1f} h/yr", text(e, "city"),
                       number(e, "price_usd_per_kwh"), number(e, "carbon_g_per_kwh"), number(e, "saidi_h_per_yr"));
  }
  return "";
}

}  // namespace

int run_catalog(const CatalogCliOptions& o) {
  return guarded(false, [&] {
    const Catalog catalog = o.catalog_dir.empty() ? Catalog::embedded() : read_catalog_folder(o.catalog_dir);
    const std::vector<std::string> catalogs = catalog.catalogs();
    if (o.name.empty()) {
      for (const std::string& c : catalogs) {
        std::cout << fmt::format("{:<24} {:>4} entries  ({})\n", c, catalog.names(c).size(), catalog.label(c));
      }
      std::cout << "aidcsim catalog models | accelerators | systems | countries | <catalog> lists the entries\n";
      return 0;
    }
    const auto alias = aliases().find(o.name);
    const std::string name = alias != aliases().end() ? alias->second : o.name;
    bool known = false;
    for (const std::string& c : catalogs) known = known || c == name;
    if (!known) {
      std::vector<std::string> choices = catalogs;
      for (const auto& [a, full] : aliases()) {
        if (a != full) choices.push_back(a);
      }
      throw BadInput("command line", "catalog", nlohmann::json(o.name).dump(), expected_one_of(o.name, choices));
    }
    for (const std::string& entry : catalog.names(name)) {
      const nlohmann::json* e = catalog.entry(name, entry);
      const std::string s = e != nullptr && e->is_object() ? summary(name, *e) : std::string();
      std::cout << (s.empty() ? entry + "\n" : fmt::format("{:<20} {}\n", entry, s));
    }
    return 0;
  });
}

}  // namespace aidc
