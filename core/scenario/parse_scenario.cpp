#include "core/scenario/parse_scenario.hpp"

#include <cmath>
#include <limits>

#include "core/scenario/input_error.hpp"
#include "core/scenario/input_limits.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/parse_checks.hpp"
#include "core/scenario/parse_claims.hpp"
#include "core/scenario/parse_economics.hpp"
#include "core/scenario/parse_fleet.hpp"
#include "core/scenario/parse_package.hpp"
#include "core/scenario/parse_sizing.hpp"
#include "core/scenario/parse_uncertainty.hpp"
#include "core/scenario/parse_workloads.hpp"

namespace aidc {

namespace {

constexpr long long kMaxHorizonH = 100LL * 8784;  // a century of hours: beyond any financing horizon
constexpr long long kMaxReplications = 1'000'000;
constexpr long long kMaxSystemCount = 10'000'000;

const std::vector<std::string> kCoolingTypes = {"air_cooled_chiller", "water_cooled_chiller_tower",
                                                "liquid_dry_cooler"};
const std::vector<std::string> kRedundancy = {"N", "N+1", "N+2", "2N"};

std::string cooling_type_name(CoolingKind k) {
  switch (k) {
    case CoolingKind::AirCooledChiller: return "air_cooled_chiller";
    case CoolingKind::WaterCooledChillerTower: return "water_cooled_chiller_tower";
    case CoolingKind::LiquidDryCooler: return "liquid_dry_cooler";
  }
  return "water_cooled_chiller_tower";
}

CoolingKind cooling_kind_from(const std::string& s) {
  if (s == "air_cooled_chiller") return CoolingKind::AirCooledChiller;
  if (s == "liquid_dry_cooler") return CoolingKind::LiquidDryCooler;
  return CoolingKind::WaterCooledChillerTower;
}

// Defaults come from the facility_defaults catalog, each with its source; the resolver records which it used.
class Defaults {
 public:
  Defaults(const Catalog& catalog, nlohmann::json& used) : catalog_(catalog), used_(used) {}
  double value(const std::string& key) const { return catalog_default(catalog_, "facility_defaults", key, used_); }

 private:
  const Catalog& catalog_;
  nlohmann::json& used_;
};

// Copies a catalog entry's field when it is a number; records a problem when the entry lacks it.
std::optional<double> entry_number(const nlohmann::json& entry, const std::string& key) {
  if (entry.contains(key) && entry[key].is_number()) return entry[key].get<double>();
  return std::nullopt;
}

std::array<double, 24> flat_24() {
  std::array<double, 24> a{};
  a.fill(1.0);
  return a;
}

// The climate entry's (or inline normals') extras: the diurnal maximum hour, the city's design conditions and the
// weather noise fitted to them (aidcsim fit-climate). Other keys of a catalog entry (station, sources) are not read.
void read_climate_extras(const nlohmann::json& normals, const std::string& path, const std::string& file,
                         InputProblems& problems, WeatherSpec& w) {
  JsonObjectReader er(normals, path, file, problems);
  w.normals.diurnal_max_hour = static_cast<int>(er.integer("diurnal_max_hour", w.normals.diurnal_max_hour, 10, 18));
  if (er.has("design")) {
    if (auto dr = er.object("design")) {
      DesignConditions& d = w.design;
      const Range t = Range::closed(-40, 60);
      auto opt = [&](const char* key) { return dr->optional_number(key, t).value_or(DesignConditions::kUnknown); };
      d.db_0p4_c = dr->required_number("db_0p4_c", t);
      d.mcwb_0p4_c = dr->required_number("mcwb_0p4_c", t);
      d.wb_0p4_c = dr->required_number("wb_0p4_c", t);
      d.mcdb_wb_0p4_c = opt("mcdb_wb_0p4_c");
      d.db_1_c = opt("db_1_c");
      d.mcwb_1_c = opt("mcwb_1_c");
      d.db_2_c = opt("db_2_c");
      d.mcwb_2_c = opt("mcwb_2_c");
      d.extreme_annual_max_db_c = opt("extreme_annual_max_db_c");
      d.extreme_max_wb_c = opt("extreme_max_wb_c");
      d.source = dr->string("source", "");
      for (const char* k : {"edition", "hottest_month", "hottest_month_db_range_k", "wb_1_c", "mcdb_wb_1_c", "wb_2_c",
                            "mcdb_wb_2_c", "unverified", "notes"}) {
        dr->accept(k);
      }
      if (d.mcwb_0p4_c > d.db_0p4_c) dr->problem_at("mcwb_0p4_c", nlohmann::json(d.mcwb_0p4_c).dump(), "at most db_0p4_c");
      if (d.mcdb_wb_0p4_c < d.wb_0p4_c) {
        dr->problem_at("mcdb_wb_0p4_c", nlohmann::json(d.mcdb_wb_0p4_c).dump(), "at least wb_0p4_c");
      }
      dr->finish();
    }
  }
  if (er.has("synthetic_noise") && w.design.has_0p4()) {
    if (auto nr = er.object("synthetic_noise")) {
      w.noise_sd_c = nr->required_number("dry_bulb_sd_c", Range::closed(0.0, 10.0));
      w.dew_point_noise_sd_c = nr->required_number("dew_point_sd_c", Range::closed(0.0, 10.0));
      w.dew_point_coupling = nr->required_number("dew_point_coupling", Range::closed(-2.0, 2.0));
      w.noise_autocorrelation_per_h = nr->number("autocorrelation_per_h", w.noise_autocorrelation_per_h,
                                                 Range::closed(0.0, 0.9999));
      w.noise_source = "fitted to " + w.normals.city + "'s design conditions (aidcsim fit-climate)";
      nr->accept("fitted_by");
      nr->accept("achieved");
      nr->finish();
    }
  }
}

// A climate catalog entry (or inline normals): the 12 months, the source and the extras.
void read_climate_entry(const nlohmann::json& entry, const std::string& city, const std::string& path,
                        const std::string& file, InputProblems& problems, WeatherSpec& w) {
  MonthlyClimate& mc = w.normals;
  mc.city = city;
  mc.source = entry.contains("source") && entry["source"].is_string() ? entry["source"].get<std::string>() : "";
  const nlohmann::json& months = entry.contains("months") ? entry["months"] : nlohmann::json();
  if (!months.is_array() || months.size() != 12) {
    problems.add(file, path + "/months", json_excerpt(months), "an array of 12 monthly normals");
  } else {
    for (std::size_t m = 0; m < 12; ++m) {
      JsonObjectReader mr(months[m], path + "/months/" + std::to_string(m), file, problems);
      mr.integer("month", static_cast<long long>(m + 1), static_cast<long long>(m + 1), static_cast<long long>(m + 1));
      mc.mean_db_c[m] = mr.required_number("mean_db_c", Range::closed(-60, 50));
      mc.mean_daily_max_c[m] = mr.required_number("mean_daily_max_c", Range::closed(-60, 60));
      mc.mean_daily_min_c[m] = mr.required_number("mean_daily_min_c", Range::closed(-70, 50));
      mc.mean_rh_pct[m] = mr.required_number("mean_rh_pct", Range::closed(1, 100));
      mr.accept("mean_wb_c");
      mr.accept("source");
      if (mc.mean_daily_min_c[m] > mc.mean_db_c[m] || mc.mean_db_c[m] > mc.mean_daily_max_c[m]) {
        mr.problem_here(json_excerpt(months[m]), "mean_daily_min_c <= mean_db_c <= mean_daily_max_c");
      }
      mr.finish();
    }
  }
  read_climate_extras(entry, path, file, problems, w);
}

void read_site(JsonObjectReader& r, const Catalog& catalog, const Defaults& defaults, nlohmann::json& used,
               const std::filesystem::path& base_dir, SiteSpec& site) {
  site.name = r.string("name", "");
  const std::vector<std::string> countries = catalog.names("countries");
  site.country = r.required_string("country");
  const nlohmann::json* country = nullptr;
  if (!site.country.empty()) {
    country = catalog.entry("countries", site.country);
    if (!country) {
      r.problem_at("country", nlohmann::json(site.country).dump(),
                   "a country in " + catalog.label("countries") + ", " + expected_one_of(site.country, countries));
    } else {
      used["countries"][site.country] = *country;
    }
  }
  auto country_number = [&](const std::string& key, double fallback) {
    if (!country) return fallback;
    return entry_number(*country, key).value_or(fallback);
  };
  site.iso3 = country && country->contains("iso3") ? (*country)["iso3"].get<std::string>() : "";
  const std::string country_city = country && country->contains("city") ? (*country)["city"].get<std::string>() : "";
  site.city = r.string("city", country_city);
  site.lat_deg = r.number("lat_deg", country_number("lat", 0.0), Range::closed(-90, 90));
  site.lon_deg = r.number("lon_deg", country_number("lon", 0.0), Range::closed(-180, 180));
  site.elevation_m = r.number("elevation_m", country_number("elevation_m", 0.0), Range::closed(-500, 6000));
  const std::optional<double> country_water = country ? entry_number(*country, "water_price_usd_per_m3") : std::nullopt;
  // Desalinated water costs 0.5-3 USD/m3 (IDA); 100 USD/m3 is trucked water at its dearest.
  site.water_price_usd_per_m3 = r.number("water_price_usd_per_m3", country_water.value_or(0.0), limits::up_to(100.0));
  if (!country_water && !r.has("water_price_usd_per_m3") && country) {
    r.problem_at("water_price_usd_per_m3", "", "a water price (the country catalog has none for " + site.country + ")");
  }

  GridSpec& g = site.grid;
  if (auto gr = r.object("grid")) {
    g.capacity_w = gr->required_number("capacity_mw", limits::positive_up_to(limits::kMaxGridMw)) * 1e6;
    g.price_usd_per_kwh = gr->number("price_usd_per_kwh", country_number("price_usd_per_kwh", 0.0),
                                     Range::closed(0.0, 10.0));
    g.carbon_kg_per_kwh = gr->number("carbon_g_per_kwh", country_number("carbon_g_per_kwh", 0.0),
                                     Range::closed(0.0, 2000.0)) / 1000.0;
    g.price_multiplier_by_hour = flat_24();
    if (auto m = gr->number_array("price_multiplier_by_hour", 24, Range::closed(0.0, 100.0))) {
      std::copy(m->begin(), m->end(), g.price_multiplier_by_hour.begin());
    }
    g.carbon_multiplier_by_hour = flat_24();
    if (auto m = gr->number_array("carbon_multiplier_by_hour", 24, Range::closed(0.0, 10.0))) {
      std::copy(m->begin(), m->end(), g.carbon_multiplier_by_hour.begin());
    }
    g.saidi_h_per_yr = gr->number("saidi_h_per_yr", country_number("saidi_h_per_yr", 0.0), Range::closed(0.0, 8760.0));
    warn_saidi(*gr, g.saidi_h_per_yr, country ? entry_number(*country, "saidi_h_per_yr") : std::nullopt);
    g.saifi_per_yr = gr->number("saifi_per_yr", country_number("saifi_per_yr", 0.0), Range::closed(0.0, 10000.0));
    g.outage_duration_sigma = gr->number("outage_duration_sigma", defaults.value("outage_duration_sigma"),
                                         Range::closed(0.0, 5.0));
    if (g.saidi_h_per_yr > 0.0 && g.saifi_per_yr <= 0.0) {
      gr->problem_at("saifi_per_yr", nlohmann::json(g.saifi_per_yr).dump(),
                     "a number > 0 when saidi_h_per_yr > 0 (outages need a frequency)");
    }
    gr->finish();
  } else {
    r.problem_at("grid", "", "an object with at least capacity_mw");
  }

  WeatherSpec& w = site.weather;
  w.noise_sd_c = defaults.value("noise_sd_c");
  w.noise_autocorrelation_per_h = defaults.value("noise_autocorrelation_per_h");
  w.dew_point_noise_sd_c = defaults.value("dew_point_noise_sd_c");
  w.dew_point_coupling = defaults.value("dew_point_coupling");
  w.noise_source = "facility defaults (assumptions)";
  auto wr = r.object("weather");
  std::string source = "synthetic";
  if (wr) source = wr->choice("source", "synthetic", {"synthetic", "epw"});
  if (source == "epw") {
    w.kind = WeatherKind::Epw;
    const std::string file = wr->required_string("file");
    if (!file.empty()) {
      // The file is read by the prepare step (core/run/prepare_scenario.cpp); here the path is only made
      // independent of the working directory: relative paths are relative to the scenario file's folder.
      std::filesystem::path p(file);
      if (p.is_relative()) p = base_dir / p;
      w.epw_path = p.lexically_normal().string();
      w.epw_file = file;
    }
  } else {
    w.kind = WeatherKind::Synthetic;
    std::string climate = site.city;
    if (wr) climate = wr->string("climate", climate);
    const nlohmann::json* normals = nullptr;
    std::string normals_path;
    if (wr && wr->has("normals")) {
      normals = wr->raw("normals");
      normals_path = wr->child_path("normals");
    } else if (!climate.empty()) {
      normals = catalog.entry("climate", climate);
      normals_path = "/entries/" + climate;
      if (!normals) {
        const std::string where = wr && wr->has("climate") ? "climate" : "";
        const std::string msg = "a city in " + catalog.label("climate") + ", " + expected_one_of(climate, catalog.names("climate"));
        if (!where.empty()) wr->problem_at("climate", nlohmann::json(climate).dump(), msg);
        else r.problem_at("weather", "", "weather.climate naming " + msg + " (no normals for city \"" + climate + "\")");
      } else {
        used["climate"][climate] = *normals;
      }
    }
    if (normals) {
      const std::string file = wr && wr->has("normals") ? r.file() : catalog.label("climate");
      read_climate_entry(*normals, climate, normals_path, file, r.problems(), w);
    }
    if (wr) {
      const bool own = wr->has("noise_sd_c") || wr->has("dew_point_noise_sd_c") ||
                       wr->has("dew_point_coupling") || wr->has("noise_autocorrelation_per_h");
      w.noise_sd_c = wr->number("noise_sd_c", w.noise_sd_c, Range::closed(0.0, 10.0));
      w.noise_autocorrelation_per_h = wr->number("noise_autocorrelation_per_h", w.noise_autocorrelation_per_h,
                                                 Range::closed(0.0, 0.9999));
      w.dew_point_noise_sd_c = wr->number("dew_point_noise_sd_c", w.dew_point_noise_sd_c, Range::closed(0.0, 10.0));
      w.dew_point_coupling =
          wr->number("dew_point_coupling", w.dew_point_coupling, Range::closed(-2.0, 2.0));
      if (own) w.noise_source = "the scenario's /site/weather";
      if (const nlohmann::json* from = wr->raw("_noise_from"); from && from->is_string()) {
        w.noise_source = from->get<std::string>();
      }
    }
  }
  if (wr) {
    wr->accept("climate");
    wr->accept("file");
    wr->accept("normals");
    wr->finish();
  }

  // Design conditions for plant and backup sizing (scenario.hpp SiteSpec): given, else the city's 0.4 % design
  // conditions for a synthetic year, else the country's 0.4 % dry bulb; for an EPW year the prepare step
  // (core/run/prepare_scenario.cpp) takes the year's own 0.4 % hours. NaN marks "from the weather".
  // (std::optional<double> trips a GCC 12 false -Wmaybe-uninitialized here.)
  const double from_weather = std::numeric_limits<double>::quiet_NaN();
  const double country_db = country ? entry_number(*country, "design_temp_04_c").value_or(from_weather) : from_weather;
  const bool epw = w.kind == WeatherKind::Epw;
  const DesignConditions& dc = w.design;
  const bool city_design = !epw && dc.has_0p4();
  if (!epw && !city_design && std::isnan(country_db) && !r.has("design_dry_bulb_c")) {
    r.problem_at("design_dry_bulb_c", "", "a design dry bulb in degC (neither the climate nor the country catalog has one)");
  }
  const bool db_given = r.has("design_dry_bulb_c");
  const double db_default = epw ? from_weather : city_design ? dc.db_0p4_c : std::isnan(country_db) ? 35.0 : country_db;
  site.design_dry_bulb_c = r.number("design_dry_bulb_c", db_default, Range::closed(-40, 60));
  // The city's coincident wet bulb belongs to its own 0.4 % dry bulb, not to one the scenario sets.
  site.design_wet_bulb_c = r.number("design_wet_bulb_c", city_design && !db_given ? dc.mcwb_0p4_c : from_weather,
                                    Range::closed(-40, 40));
  site.design_evap_wet_bulb_c = r.number("design_evap_wet_bulb_c", city_design ? dc.wb_0p4_c : from_weather,
                                         Range::closed(-40, 40));
  site.design_evap_dry_bulb_c = r.number("design_evap_dry_bulb_c",
                                         city_design && !std::isnan(dc.mcdb_wb_0p4_c) ? dc.mcdb_wb_0p4_c : from_weather,
                                         Range::closed(-40, 60));
  if (db_given) {
    site.design_basis = "the scenario's design_dry_bulb_c";
  } else if (city_design) {
    site.design_basis = "0.4 % annual design conditions of " + w.normals.city + " (" + dc.source + ")";
  } else if (!epw) {
    site.design_basis = "the country's 0.4 % dry bulb (countries catalog); wet bulb from the normals' most humid month";
  }
  // A resolved scenario read again keeps the basis it states (its values are then all explicit).
  if (const nlohmann::json* basis = r.raw("_design_basis"); basis && basis->is_string()) {
    site.design_basis = basis->get<std::string>();
  }
  if (site.design_wet_bulb_c > site.design_dry_bulb_c) {  // false while either comes from the weather (NaN)
    r.problem_at("design_wet_bulb_c", nlohmann::json(site.design_wet_bulb_c).dump(), "at most design_dry_bulb_c");
  }
  if (site.design_evap_wet_bulb_c > site.design_evap_dry_bulb_c) {
    r.problem_at("design_evap_wet_bulb_c", nlohmann::json(site.design_evap_wet_bulb_c).dump(),
                 "at most design_evap_dry_bulb_c");
  }
  r.finish();
}

void read_cooling(std::optional<JsonObjectReader> cr, const Defaults& d, CoolingSpec& c, JsonObjectReader& parent) {
  if (!cr) {
    parent.problem_at("cooling", "", "an object with \"type\": one of air_cooled_chiller, water_cooled_chiller_tower, liquid_dry_cooler");
    return;
  }
  if (!cr->has("type")) cr->problem_at("type", "", "one of: air_cooled_chiller, water_cooled_chiller_tower, liquid_dry_cooler");
  c.kind = cooling_kind_from(cr->choice("type", kDefaultCoolingType, kCoolingTypes));
  auto num = [&](const char* key, Range range) { return cr->number(key, d.value(key), range); };
  c.chilled_water_supply_c = num("chilled_water_supply_c", Range::closed(4, 30));
  // Water-cooled and air-cooled chillers sit at different fractions of Carnot (each calibrated to its ASHRAE 90.1
  // rating in the catalog); the liquid plant's trim and air-side chillers are air-cooled.
  c.chiller_carnot_fraction = cr->number("chiller_carnot_fraction",
                                         d.value(c.kind == CoolingKind::WaterCooledChillerTower
                                                     ? "chiller_carnot_fraction_water_cooled"
                                                     : "chiller_carnot_fraction_air_cooled"),
                                         Range::closed(0.1, 0.9));
  c.chiller_cop_max = num("chiller_cop_max", Range::closed(1, 50));
  c.evaporator_approach_k = num("evaporator_approach_k", Range::closed(0, 15));
  c.condenser_approach_k = num("condenser_approach_k", Range::closed(0, 20));
  c.air_condenser_approach_k = num("air_condenser_approach_k", Range::closed(0, 40));
  c.tower_approach_k = num("tower_approach_k", Range::closed(0, 15));
  c.drycooler_approach_k = num("drycooler_approach_k", Range::closed(0, 25));
  c.economizer_approach_k = num("economizer_approach_k", Range::closed(0, 15));
  c.economizer = cr->boolean("economizer", true);
  const double default_liquid = c.kind == CoolingKind::LiquidDryCooler ? d.value("liquid_fraction") : 0.0;
  c.liquid_fraction = cr->number("liquid_fraction", default_liquid, Range::fraction());
  if (c.kind != CoolingKind::LiquidDryCooler && c.liquid_fraction > 0.0) {
    cr->problem_at("liquid_fraction", nlohmann::json(c.liquid_fraction).dump(),
                   "0 unless type is liquid_dry_cooler (only that plant has a warm-water loop)");
  }
  c.liquid_supply_c = num("liquid_supply_c", Range::closed(15, 60));
  c.adiabatic_assist = cr->boolean("adiabatic_assist", true);
  c.adiabatic_effectiveness = num("adiabatic_effectiveness", Range::fraction());
  c.crah_fan_w_per_w = num("crah_fan_w_per_w", Range::closed(0, 0.5));
  c.pump_w_per_w = num("pump_w_per_w", Range::closed(0, 0.5));
  c.tower_fan_w_per_w = num("tower_fan_w_per_w", Range::closed(0, 0.5));
  c.cycles_of_concentration = num("cycles_of_concentration", {1.0, 50.0, true, false});
  c.drift_fraction = num("drift_fraction", Range::closed(0, 0.1));
  c.chilled_water_delta_t_k = num("chilled_water_delta_t_k", {0.0, 30.0, true, false});
  c.condenser_water_range_k = num("condenser_water_range_k", {0.0, 30.0, true, false});
  c.tower_evaporated_share = num("tower_evaporated_share", Range::fraction());
  c.liquid_loop_delta_t_k = num("liquid_loop_delta_t_k", {0.0, 40.0, true, false});
  c.drycooler_air_delta_t_k = num("drycooler_air_delta_t_k", {0.0, 40.0, true, false});
  cr->finish();
}

void read_facility(JsonObjectReader& r, const Defaults& d, FacilitySpec& f) {
  read_cooling(r.object("cooling"), d, f.cooling, r);

  PowerChainSpec& p = f.power_chain;
  auto pr = r.object("power_chain");
  auto pnum = [&](const char* key, Range range) { return pr ? pr->number(key, d.value(key), range) : d.value(key); };
  p.transformer_efficiency = pnum("transformer_efficiency", Range::unit_open_low());
  p.ups_efficiency = pnum("ups_efficiency", Range::unit_open_low());
  p.pdu_efficiency = pnum("pdu_efficiency", Range::unit_open_low());
  p.misc_fraction_of_it = pnum("misc_fraction_of_it", Range::closed(0, 0.5));
  if (pr) pr->finish();

  auto ur = r.object("ups");
  f.ups.ride_through_s = ur ? ur->number("ride_through_s", d.value("ride_through_s"), Range::closed(0, 86400))
                            : d.value("ride_through_s");
  if (ur) ur->finish();

  GeneratorSpec& g = f.generators;
  auto gr = r.object("generators");
  auto gnum = [&](const char* key, Range range) { return gr ? gr->number(key, d.value(key), range) : d.value(key); };
  g.start_reliability = gnum("start_reliability", Range::fraction());
  g.start_time_s = gnum("start_time_s", Range::closed(0, 3600));
  g.fuel_autonomy_h = gnum("fuel_autonomy_h", Range::closed(0, 8760));
  g.fail_to_run_per_h = gnum("fail_to_run_per_h", Range::closed(0, 1));
  g.fuel_l_per_kwh = gnum("fuel_l_per_kwh", Range::closed(0.01, 2));
  g.carbon_kg_per_l = gnum("carbon_kg_per_l", Range::closed(0, 10));
  g.fuel_price_usd_per_l = gnum("fuel_price_usd_per_l", Range::closed(0, 20));
  if (gr) {
    g.unit_capacity_w =
        gr->number("unit_capacity_mw", 0.0, Range::closed(limits::kMinGeneratorMw, limits::kMaxGeneratorMw)) * 1e6;
    const bool has_count = gr->has("count");
    const bool has_redundancy = gr->has("redundancy");
    if (has_count) g.count = static_cast<int>(gr->integer("count", 0, 0, limits::kMaxGeneratorCount));
    if (has_redundancy) g.redundancy = gr->choice("redundancy", "N+1", kRedundancy);
    if (has_count && has_redundancy) {
      gr->problem_at("redundancy", nlohmann::json(g.redundancy).dump(), "either count or redundancy, not both");
    }
    if (!has_count && !has_redundancy) {
      gr->problem_at("count", "", "a generator count, or a redundancy (N, N+1, N+2, 2N) to size them from the load");
    }
    if ((g.count > 0 || has_redundancy) && !gr->has("unit_capacity_mw")) {
      gr->problem_at("unit_capacity_mw", "", "a number > 0 (the rating of one generator)");
    }
    gr->finish();
  }
  r.finish();
}

void read_it(JsonObjectReader& r, const Catalog& catalog, nlohmann::json& used, const CoolingSpec& cooling,
             ItSpec& it) {
  const nlohmann::json* systems = r.raw("systems");
  if (!systems || !systems->is_array() || systems->empty()) {
    r.problem_at("systems", systems ? json_excerpt(*systems) : "", "a non-empty array of {\"name\", \"count\"}");
  } else {
    for (std::size_t i = 0; i < systems->size(); ++i) {
      JsonObjectReader sr((*systems)[i], r.child_path("systems") + "/" + std::to_string(i), r.file(), r.problems());
      SystemSpec s;
      s.name = sr.required_string("name");
      s.count = static_cast<int>(sr.required_integer("count", 1, kMaxSystemCount));
      const nlohmann::json* e = s.name.empty() ? nullptr : catalog.entry("systems", s.name);
      if (!s.name.empty() && !e) {
        sr.problem_at("name", nlohmann::json(s.name).dump(),
                      "a system in " + catalog.label("systems") + ", " + expected_one_of(s.name, catalog.names("systems")));
      }
      if (e) {
        used["systems"][s.name] = *e;
        s.accelerator = e->value("accelerator", "");
        s.gpus_per_system = e->value("gpus", 0);
        s.cooling = e->value("cooling", "");
        s.scaleout_nics = e->value("scaleout_nics", 0);
        s.nic_gbps = entry_number(*e, "nic_gbps").value_or(0.0);
        s.source = e->value("source", "");
        if (const nlohmann::json* a = catalog.entry("accelerators", s.accelerator)) {
          used["accelerators"][s.accelerator] = *a;
          // Figures for export-control screening (core/model/export_control.hpp); null in the catalog stays NaN.
          s.fp4_dense_tflops = entry_number(*a, "fp4_dense_tflops").value_or(s.fp4_dense_tflops);
          s.fp8_dense_tflops = entry_number(*a, "fp8_dense_tflops").value_or(s.fp8_dense_tflops);
          s.bf16_dense_tflops = entry_number(*a, "bf16_dense_tflops").value_or(s.bf16_dense_tflops);
          s.logic_die_mm2 = entry_number(*a, "logic_die_mm2").value_or(s.logic_die_mm2);
        }
      }
      const std::optional<double> cat_power_kw = e ? entry_number(*e, "max_power_kw") : std::nullopt;
      const std::optional<double> cat_idle = e ? entry_number(*e, "idle_power_fraction") : std::nullopt;
      s.max_power_w = sr.number("max_power_kw", cat_power_kw.value_or(0.0),
                                limits::positive_up_to(limits::kMaxSystemPowerKw)) * 1e3;
      s.idle_power_fraction = sr.number("idle_power_fraction", cat_idle.value_or(0.0), Range::fraction());
      if (e && !cat_power_kw && !sr.has("max_power_kw")) {
        sr.problem_at("max_power_kw", "", "a number > 0 (the catalog has no power figure for " + s.name + ")");
      }
      if (e && !cat_idle && !sr.has("idle_power_fraction")) {
        sr.problem_at("idle_power_fraction", "", "a number in [0, 1] (the catalog has none for " + s.name + ")");
      }
      sr.finish();
      it.systems.push_back(std::move(s));
    }
    check_cooling_fits_systems(cooling_type_name(cooling.kind), cooling, catalog, kCoolingTypes, it, r);
  }
  UtilizationProfile& u = it.utilization;
  if (auto ur = r.object("utilization")) {
    u.mean = ur->number("mean", u.mean, Range::fraction());
    u.diurnal_amplitude = ur->number("diurnal_amplitude", 0.0, Range::fraction());
    u.peak_hour = ur->number("peak_hour", u.peak_hour, {0.0, 24.0, false, true});
    u.weekend_factor = ur->number("weekend_factor", 1.0, Range::closed(0.0, 2.0));
    if (u.mean * (1.0 + u.diurnal_amplitude) * std::max(1.0, u.weekend_factor) > 1.0 + 1e-12) {
      // The values in use, not the key "mean": it may be absent (its default then counts) and raw() null.
      ur->problem_here(json_excerpt(nlohmann::json{{"mean", u.mean}, {"diurnal_amplitude", u.diurnal_amplitude},
                                                   {"weekend_factor", u.weekend_factor}}),
                       "mean × (1 + diurnal_amplitude) × max(1, weekend_factor) <= 1 (utilization cannot exceed 100%)");
    }
    ur->finish();
  }
  r.finish();
}

nlohmann::json cooling_to_json(const CoolingSpec& c) {
  return {{"type", cooling_type_name(c.kind)},
          {"chilled_water_supply_c", c.chilled_water_supply_c},
          {"chiller_carnot_fraction", c.chiller_carnot_fraction},
          {"chiller_cop_max", c.chiller_cop_max},
          {"evaporator_approach_k", c.evaporator_approach_k},
          {"condenser_approach_k", c.condenser_approach_k},
          {"air_condenser_approach_k", c.air_condenser_approach_k},
          {"tower_approach_k", c.tower_approach_k},
          {"drycooler_approach_k", c.drycooler_approach_k},
          {"economizer_approach_k", c.economizer_approach_k},
          {"economizer", c.economizer},
          {"liquid_fraction", c.liquid_fraction},
          {"liquid_supply_c", c.liquid_supply_c},
          {"adiabatic_assist", c.adiabatic_assist},
          {"adiabatic_effectiveness", c.adiabatic_effectiveness},
          {"crah_fan_w_per_w", c.crah_fan_w_per_w},
          {"pump_w_per_w", c.pump_w_per_w},
          {"tower_fan_w_per_w", c.tower_fan_w_per_w},
          {"cycles_of_concentration", c.cycles_of_concentration},
          {"drift_fraction", c.drift_fraction},
          {"chilled_water_delta_t_k", c.chilled_water_delta_t_k},
          {"condenser_water_range_k", c.condenser_water_range_k},
          {"tower_evaporated_share", c.tower_evaporated_share},
          {"liquid_loop_delta_t_k", c.liquid_loop_delta_t_k},
          {"drycooler_air_delta_t_k", c.drycooler_air_delta_t_k}};
}

nlohmann::json to_json(const Scenario& s) {
  const SiteSpec& site = s.site;
  nlohmann::json weather;
  if (site.weather.kind == WeatherKind::Epw) {
    weather = {{"source", "epw"}, {"file", site.weather.epw_path}};
  } else {
    nlohmann::json months = nlohmann::json::array();
    const MonthlyClimate& mc = site.weather.normals;
    for (int m = 0; m < 12; ++m) {
      months.push_back({{"month", m + 1},
                        {"mean_db_c", mc.mean_db_c[m]},
                        {"mean_daily_max_c", mc.mean_daily_max_c[m]},
                        {"mean_daily_min_c", mc.mean_daily_min_c[m]},
                        {"mean_rh_pct", mc.mean_rh_pct[m]}});
    }
    weather = {{"source", "synthetic"},
               {"climate", mc.city},
               {"normals", {{"months", months}, {"source", mc.source}}},
               {"noise_sd_c", site.weather.noise_sd_c},
               {"noise_autocorrelation_per_h", site.weather.noise_autocorrelation_per_h},
               {"dew_point_noise_sd_c", site.weather.dew_point_noise_sd_c},
               {"dew_point_coupling", site.weather.dew_point_coupling},
               {"_noise_from", site.weather.noise_source}};
    weather["normals"]["diurnal_max_hour"] = mc.diurnal_max_hour;
    if (site.weather.design.has_0p4()) weather["normals"]["design"] = design_conditions_to_json(site.weather.design);
  }
  const GridSpec& g = site.grid;
  nlohmann::json systems = nlohmann::json::array();
  for (const auto& sys : s.it.systems) {
    systems.push_back({{"name", sys.name},
                       {"count", sys.count},
                       {"max_power_kw", sys.max_power_w / 1e3},
                       {"idle_power_fraction", sys.idle_power_fraction}});
  }
  const FacilitySpec& f = s.facility;
  nlohmann::json generators = {{"count", f.generators.count},
                               {"unit_capacity_mw", f.generators.unit_capacity_w / 1e6},
                               {"start_reliability", f.generators.start_reliability},
                               {"start_time_s", f.generators.start_time_s},
                               {"fuel_autonomy_h", f.generators.fuel_autonomy_h},
                               {"fail_to_run_per_h", f.generators.fail_to_run_per_h},
                               {"fuel_l_per_kwh", f.generators.fuel_l_per_kwh},
                               {"carbon_kg_per_l", f.generators.carbon_kg_per_l},
                               {"fuel_price_usd_per_l", f.generators.fuel_price_usd_per_l}};
  if (f.generators.count == 0) generators.erase("unit_capacity_mw");
  if (!f.generators.redundancy.empty()) {
    generators["_sized_for"] = f.generators.redundancy + " at the design facility power";
  }
  return {
      {"name", s.name},
      {"description", s.description},
      {"seed", s.seed},
      {"replications", s.replications},
      {"horizon", {{"duration_h", s.horizon_h}}},
      {"site",
       {{"name", site.name},
        {"country", site.country},
        {"city", site.city},
        {"lat_deg", site.lat_deg},
        {"lon_deg", site.lon_deg},
        {"elevation_m", site.elevation_m},
        {"water_price_usd_per_m3", site.water_price_usd_per_m3},
        {"design_dry_bulb_c", site.design_dry_bulb_c},
        {"design_wet_bulb_c", site.design_wet_bulb_c},
        {"design_evap_wet_bulb_c", site.design_evap_wet_bulb_c},
        {"design_evap_dry_bulb_c", site.design_evap_dry_bulb_c},
        {"_design_basis", site.design_basis},
        {"grid",
         {{"capacity_mw", g.capacity_w / 1e6},
          {"price_usd_per_kwh", g.price_usd_per_kwh},
          {"price_multiplier_by_hour", g.price_multiplier_by_hour},
          {"carbon_g_per_kwh", g.carbon_kg_per_kwh * 1000.0},
          {"carbon_multiplier_by_hour", g.carbon_multiplier_by_hour},
          {"saidi_h_per_yr", g.saidi_h_per_yr},
          {"saifi_per_yr", g.saifi_per_yr},
          {"outage_duration_sigma", g.outage_duration_sigma}}},
        {"weather", weather}}},
      {"facility",
       {{"cooling", cooling_to_json(f.cooling)},
        {"power_chain",
         {{"transformer_efficiency", f.power_chain.transformer_efficiency},
          {"ups_efficiency", f.power_chain.ups_efficiency},
          {"pdu_efficiency", f.power_chain.pdu_efficiency},
          {"misc_fraction_of_it", f.power_chain.misc_fraction_of_it}}},
        {"ups", {{"ride_through_s", f.ups.ride_through_s}}},
        {"generators", generators}}},
      {"it",
       {{"systems", systems},
        {"utilization",
         {{"mean", s.it.utilization.mean},
          {"diurnal_amplitude", s.it.utilization.diurnal_amplitude},
          {"peak_hour", s.it.utilization.peak_hour},
          {"weekend_factor", s.it.utilization.weekend_factor}}}}}};
}

}  // namespace

const std::vector<std::string>& cooling_type_names() { return kCoolingTypes; }

ResolvedScenario resolve_scenario(const nlohmann::json& doc, const Catalog& catalog, const std::string& file_label,
                                  const std::filesystem::path& base_dir) {
  InputProblems problems;
  ResolvedScenario out;
  Scenario& s = out.scenario;
  s.source_path = file_label;
  nlohmann::json& used = out.catalog_entries;
  used = nlohmann::json::object();
  const Defaults defaults(catalog, used);

  JsonObjectReader root(doc, "", file_label, problems);
  s.name = root.required_string("name");
  s.description = root.string("description", "");
  s.seed = static_cast<std::uint64_t>(root.integer("seed", 1, 0, std::numeric_limits<long long>::max()));
  s.replications = static_cast<int>(root.integer("replications", 1, 1, kMaxReplications));
  if (auto hr = root.object("horizon")) {
    s.horizon_h = static_cast<int>(hr->integer("duration_h", 8760, 1, kMaxHorizonH));
    hr->finish();
  }
  if (auto sr = root.object("site")) {
    read_site(*sr, catalog, defaults, used, base_dir, s.site);
  } else if (root.is_object()) {
    root.problem_at("site", "", "an object with country and grid");
  }
  if (auto fr = root.object("facility")) {
    read_facility(*fr, defaults, s.facility);
  } else if (root.is_object()) {
    root.problem_at("facility", "", "an object with cooling (and optionally power_chain, ups, generators)");
  }
  if (auto ir = root.object("it")) {
    read_it(*ir, catalog, used, s.facility.cooling, s.it);
  } else if (root.is_object()) {
    root.problem_at("it", "", "an object with systems");
  }
  // Optional fleet in operation (core/scenario/parse_fleet.cpp); it places and sizes the systems just read.
  if (root.has("fleet")) { if (auto fr = root.object("fleet")) read_fleet(*fr, catalog, s, used, s.fleet); }
  // Optional LLM workloads to estimate on the site's systems (core/scenario/parse_workloads.cpp).
  if (root.has("workloads")) read_workloads(root, catalog, s, used, s.workloads);
  // Optional project finance (core/scenario/parse_economics.cpp); it prices the systems and may sell the workloads'
  // tokens, both read above.
  if (root.has("economics")) {
    if (auto er = root.object("economics")) read_economics(*er, catalog, s, used, s.economics);
  }
  // Optional export package and claims for reviewers (issue 5): they describe and test the site, never change it.
  if (root.has("package")) {
    if (auto pr = root.object("package")) read_package(*pr, catalog, s, used, s.package);
  }
  read_claims(root, s, s.claims, s.claims_policy);
  // Optional sizing question for `aidcsim size` (core/scenario/parse_sizing.cpp); defaults without one.
  s.sizing = default_sizing(s);
  if (root.has("sizing")) {
    if (auto zr = root.object("sizing")) read_sizing(*zr, catalog, s, s.sizing);
  }
  // Optional uncertain inputs (core/scenario/parse_uncertainty.cpp): drawn per replication by the prepare step.
  if (root.has("uncertainty")) {
    if (auto ur = root.object("uncertainty")) read_uncertainty(*ur, catalog, s, used, s.uncertainty);
    // Each replication's scenario is resolved before the run (to refuse a bad draw), about a millisecond to tens of
    // milliseconds each; 10,000 Latin-hypercube draws already pin a P10 or P90 to a fraction of a percent.
    constexpr int kMaxUncertainReplications = 10000;
    if (s.uncertainty.enabled && s.replications > kMaxUncertainReplications) {
      root.problem_at("replications", std::to_string(s.replications),
                      "at most " + std::to_string(kMaxUncertainReplications) + " replications with an uncertainty section");
    }
  }
  root.finish();
  problems.throw_if_any();
  out.warnings = problems.warnings();
  return out;
}

nlohmann::json resolved_scenario_json(const Scenario& s) {
  nlohmann::json resolved = to_json(s);
  if (s.economics.enabled) resolved["economics"] = economics_to_json(s.economics);
  if (s.fleet.enabled) resolved["fleet"] = fleet_to_json(s.fleet);
  if (!s.workloads.empty()) resolved["workloads"] = workloads_to_json(s.workloads, s.fleet.enabled);
  if (s.package.enabled) resolved["package"] = package_to_json(s.package);
  if (!s.claims.empty()) {
    resolved["claims"] = claims_to_json(s.claims);
    resolved["claims_policy"] = claims_policy_to_json(s.claims_policy);
  }
  if (s.sizing.enabled) resolved["sizing"] = sizing_to_json(s.sizing);
  if (s.uncertainty.enabled) resolved["uncertainty"] = uncertainty_to_json(s.uncertainty);
  return resolved;
}


nlohmann::json design_conditions_to_json(const DesignConditions& d) {
  nlohmann::json j = nlohmann::json::object();
  auto put = [&](const char* key, double v) {
    if (!std::isnan(v)) j[key] = v;
  };
  put("db_0p4_c", d.db_0p4_c);
  put("mcwb_0p4_c", d.mcwb_0p4_c);
  put("db_1_c", d.db_1_c);
  put("mcwb_1_c", d.mcwb_1_c);
  put("db_2_c", d.db_2_c);
  put("mcwb_2_c", d.mcwb_2_c);
  put("wb_0p4_c", d.wb_0p4_c);
  put("mcdb_wb_0p4_c", d.mcdb_wb_0p4_c);
  put("extreme_annual_max_db_c", d.extreme_annual_max_db_c);
  put("extreme_max_wb_c", d.extreme_max_wb_c);
  j["source"] = d.source;
  return j;
}

WeatherSpec climate_entry_weather(const nlohmann::json& entry, const std::string& city, const std::string& file) {
  InputProblems problems;
  WeatherSpec w;
  read_climate_entry(entry, city, "/entries/" + json_pointer_escape(city), file, problems, w);
  problems.throw_if_any();
  return w;
}

}  // namespace aidc
