#include "core/cli/climate_command.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "core/cli/cli_errors.hpp"
#include "core/io/catalog_folder.hpp"
#include "core/io/temp_files.hpp"
#include "core/io/text_file.hpp"
#include "core/model/weather.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace aidc {

namespace {

using Ordered = nlohmann::ordered_json;

// Stored values carry three decimals; a refit equals them when it rounds to them.
double rounded(double x) { return std::round(x * 1000.0) / 1000.0; }
constexpr double kSame = 0.0015;

struct CityFit {
  std::string city;
  DesignConditions target;
  WeatherNoiseFit fit;
  bool has_stored = false;
  WeatherNoise stored;
};

Ordered noise_json(const CityFit& c) {
  const WeatherNoise& n = c.fit.noise;
  return Ordered{{"dry_bulb_sd_c", rounded(n.dry_bulb_sd_c)},
                 {"dew_point_sd_c", rounded(n.dew_point_sd_c)},
                 {"dew_point_coupling", rounded(n.dew_point_coupling)},
                 {"autocorrelation_per_h", n.autocorrelation_per_h},
                 {"fitted_by", fmt::format("aidcsim fit-climate: {} calibration years; targets the 0.4 % dry bulb, "
                                           "its coincident wet bulb and the 0.4 % wet bulb of \"design\"",
                                           kFitYears)},
                 {"achieved",
                  {{"db_0p4_c", rounded(c.fit.achieved.db_0p4_c)},
                   {"mcwb_0p4_c", rounded(c.fit.achieved.mcwb_0p4_c)},
                   {"wb_0p4_c", rounded(c.fit.achieved.wb_0p4_c)}}}};
}

bool same(const WeatherNoise& a, const WeatherNoise& b) {
  return std::abs(rounded(a.dry_bulb_sd_c) - b.dry_bulb_sd_c) <= kSame &&
         std::abs(rounded(a.dew_point_sd_c) - b.dew_point_sd_c) <= kSame &&
         std::abs(rounded(a.dew_point_coupling) - b.dew_point_coupling) <= kSame;
}

}  // namespace

int run_fit_climate(const FitClimateCliOptions& o) {
  return guarded(o.json, [&] {
    // The entries: the file to update, else the catalog's.
    Ordered doc;
    std::string label;
    if (!o.write.empty()) {
      label = o.write;
      const std::string text = read_text_file(o.write, "a climate catalog JSON file", 64u << 20);
      // The project's parser checks the text (duplicate keys, depth, numbers) with its messages; the ordered copy
      // keeps the file's key order for --write.
      (void)parse_json_text(text, o.write);
      doc = Ordered::parse(text);
    } else {
      const Catalog catalog = o.catalog_dir.empty() ? Catalog::embedded() : read_catalog_folder(o.catalog_dir);
      label = catalog.label("climate");
      Ordered entries = Ordered::object();
      for (const std::string& name : catalog.names("climate")) {
        entries[name] = Ordered::parse(catalog.entry("climate", name)->dump());
      }
      doc = Ordered{{"entries", entries}};
    }
    if (!doc.contains("entries") || !doc["entries"].is_object()) {
      throw BadInput(label, "/entries", doc.contains("entries") ? doc["entries"].dump().substr(0, 80) : "",
                     "an object of climate entries");
    }
    std::vector<CityFit> fits;
    std::vector<double> elevation_m;
    std::vector<MonthlyClimate> normals;
    for (const auto& [name, entry] : doc["entries"].items()) {
      if (!o.cities.empty() && std::find(o.cities.begin(), o.cities.end(), name) == o.cities.end()) continue;
      const WeatherSpec w = climate_entry_weather(nlohmann::json::parse(entry.dump()), name, label);
      if (!w.design.has_0p4()) continue;
      CityFit c;
      c.city = name;
      c.target = w.design;
      c.has_stored = entry.contains("synthetic_noise");
      c.stored = {w.noise_sd_c, w.noise_autocorrelation_per_h, w.dew_point_noise_sd_c, w.dew_point_coupling};
      fits.push_back(c);
      normals.push_back(w.normals);
      elevation_m.push_back(entry.contains("elevation_m") && entry["elevation_m"].is_number() ? entry["elevation_m"].get<double>() : 0.0);
    }
    for (const std::string& c : o.cities) {
      if (!doc["entries"].contains(c)) throw BadInput(label, "/entries/" + c, "", "a city of the climate catalog");
    }
    std::unique_ptr<tbb::global_control> limit;
    if (o.threads > 0) {
      limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, o.threads);
    }
    tbb::parallel_for(std::size_t{0}, fits.size(), [&](std::size_t i) {
      const SyntheticClimate climate = synthetic_climate(normals[i], elevation_m[i]);
      fits[i].fit = fit_weather_noise(climate, fits[i].target, fits[i].stored.autocorrelation_per_h);
    });

    int differing = 0;
    Ordered out = Ordered::array();
    if (!o.json) {
      std::cout << fmt::format("{:<18} {:>23} {:>23} {:>7} {:>7} {:>6}  {}\n", "city", "target 0.4% DB/MCWB/WB",
                               "synthetic DB/MCWB/WB", "sd DB", "sd DP", "kappa", "stored");
    }
    for (const CityFit& c : fits) {
      const bool equal = c.has_stored && same(c.fit.noise, c.stored);
      if (o.check && !equal) ++differing;
      const std::string stored = !c.has_stored ? "none" : equal ? "= refit" : "DIFFERS";
      if (o.json) {
        Ordered j = noise_json(c);
        j["city"] = c.city;
        j["stored"] = stored;
        j["note"] = c.fit.note;
        out.push_back(j);
      } else {
        const DesignConditions& a = c.fit.achieved;
        std::cout << fmt::format("{:<18} {:>7.1f} {:>7.1f} {:>7.1f} {:>7.2f} {:>7.2f} {:>7.2f} {:>7.3f} {:>7.3f} {:>6.3f}  {}{}\n",
                                 c.city, c.target.db_0p4_c, c.target.mcwb_0p4_c, c.target.wb_0p4_c, a.db_0p4_c,
                                 a.mcwb_0p4_c, a.wb_0p4_c, c.fit.noise.dry_bulb_sd_c, c.fit.noise.dew_point_sd_c,
                                 c.fit.noise.dew_point_coupling, stored,
                                 c.fit.note.empty() ? "" : "  (" + c.fit.note + ")");
      }
    }
    if (o.json) std::cout << out.dump(2) << '\n';
    if (!o.write.empty()) {
      for (const CityFit& c : fits) doc["entries"][c.city]["synthetic_noise"] = noise_json(c);
      const std::filesystem::path target(o.write);
      // Written beside the file under the project's temporary name, then renamed over it: never half-written.
      const std::filesystem::path tmp = make_temporary_path(target);
      {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << doc.dump(2) << '\n';
        if (!f) throw std::runtime_error("cannot write " + tmp.string());
      }
      std::filesystem::rename(tmp, target);
      std::cout << "wrote the fitted noise of " << fits.size() << " cities to " << o.write << '\n';
    }
    if (differing > 0) {
      std::cerr << "aidcsim fit-climate --check: " << differing
                << " stored fit(s) differ from the refit (run aidcsim fit-climate --write scenarios/catalog/climate.json)\n";
      return 1;
    }
    return 0;
  });
}

}  // namespace aidc
