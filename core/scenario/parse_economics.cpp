#include "core/scenario/parse_economics.hpp"

#include "core/scenario/parse_economics_finance.hpp"

#include <cmath>
#include <limits>
#include <set>

#include "core/scenario/input_limits.hpp"

namespace aidc {

namespace {

constexpr const char* kDefaults = "economics_defaults";

// A numeric default from economics_defaults.json, recorded in `used`. The built-in catalog is tested to hold every
// key; a user catalog folder may not, which is bad input naming the catalog file.
double default_value(const Catalog& catalog, nlohmann::json& used, const std::string& key) {
  return catalog_default(catalog, kDefaults, key, used);
}

double tax_default(const Catalog& catalog, nlohmann::json& used, const std::string& country) {
  const double fallback = default_value(catalog, used, "corporate_tax_rate");
  const nlohmann::json& e = *catalog.entry(kDefaults, "corporate_tax_rate");
  if (e.contains("by_country") && e["by_country"].contains(country) && e["by_country"][country].is_number()) {
    return e["by_country"][country].get<double>();
  }
  return fallback;
}

void read_revenue(JsonObjectReader& rr, const EconomicsDefault& d, const Scenario& s, EconomicsSpec& e) {
  // Per GPU-hour sold, per million output tokens served, or both (a GPU cloud with a token API).
  // Prices: frontier APIs list 1-100 USD per million output tokens and H100 hours rent at 2-10 USD (2025);
  // the bounds are a hundred times the dearest.
  const Range token_price = limits::up_to(1e4), gpu_hour_price = limits::up_to(1e3);
  e.usd_per_million_tokens = rr.number("usd_per_million_tokens", 0.0, token_price);
  if (rr.has("usd_per_million_tokens")) {
    e.usd_per_gpu_hour = rr.number("usd_per_gpu_hour", 0.0, gpu_hour_price);
  } else {
    e.usd_per_gpu_hour = rr.required_number("usd_per_gpu_hour", gpu_hour_price);
  }
  // With a fleet, the healthy GPU-hours no workload holds are sold as GPU cloud at this price (default: the same).
  e.cloud_usd_per_gpu_hour = rr.number("cloud_usd_per_gpu_hour", e.usd_per_gpu_hour, gpu_hour_price);
  e.sold_fraction = rr.number("sold_fraction", d("sold_fraction"), Range::fraction());
  bool serves = false;
  for (const WorkloadSpec& w : s.workloads) serves = serves || w.kind == WorkloadKind::Inference;
  if (e.usd_per_million_tokens > 0.0 && !(s.fleet.enabled && serves)) {
    rr.problem_at("usd_per_million_tokens", nlohmann::json(e.usd_per_million_tokens).dump(),
                  "0, or a \"fleet\" section with an inference workload (the tokens it serves are what is sold)");
  }
  const auto H = static_cast<std::size_t>(e.horizon_years);
  e.gpu_hour_price_decline = rr.number("gpu_hour_price_decline", d("gpu_hour_price_decline"), {0.0, 1.0, false, true});
  if (auto p = rr.number_array("usd_per_gpu_hour_by_year", H, gpu_hour_price)) e.usd_per_gpu_hour_by_year = *p;
  e.token_price_decline = rr.number("token_price_decline", d("token_price_decline"), {0.0, 1.0, false, true});
  if (auto p = rr.number_array("usd_per_million_tokens_by_year", H, token_price)) {
    e.usd_per_million_tokens_by_year = *p;
  }
  e.ramp_up_years = static_cast<int>(d("ramp_up_years"));
  e.ramp_up_start = d("ramp_up_start");
  if (auto ru = rr.object("ramp_up")) {
    e.ramp_up_years = static_cast<int>(ru->integer("years", e.ramp_up_years, 0, e.horizon_years));
    e.ramp_up_start = ru->number("start", e.ramp_up_start, Range::fraction());
    ru->finish();
  }
  rr.finish();
}

}  // namespace

void read_economics(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                    EconomicsSpec& e) {
  e.enabled = true;
  const EconomicsDefault d = [&](const char* key) { return default_value(catalog, used, key); };

  e.horizon_years = static_cast<int>(r.integer("horizon_years", static_cast<long long>(d("horizon_years")), 1, 100));
  e.discount_rate = r.number("discount_rate", d("discount_rate"), Range::closed(-0.5, 1.0));
  e.equity_discount_rate = r.number("equity_discount_rate", d("equity_discount_rate"), Range::closed(-0.5, 1.0));

  // Construction cost: USD per watt of design IT capacity, from the country (Turner & Townsend / C&W convention).
  const nlohmann::json* country = catalog.entry("countries", s.site.country);
  const bool country_cost = country && country->contains("construction_usd_per_w") &&
                            (*country)["construction_usd_per_w"].is_number();
  if (!country_cost && !r.has("construction_usd_per_w")) {
    r.problem_at("construction_usd_per_w", "",
                 "a construction cost in USD per watt of IT capacity (the country catalog has none for \"" +
                     s.site.country + "\")");
  }
  e.construction_usd_per_w = r.number(
      "construction_usd_per_w", country_cost ? (*country)["construction_usd_per_w"].get<double>() : 0.0,
      Range::closed(0.0, 100.0));
  e.design_it_w =
      r.number("design_it_mw", it_max_power_w(s.it) / 1e6, limits::positive_up_to(limits::kMaxSitePowerMw)) * 1e6;

  // System prices: the scenario's, else the catalog's list price; a system with neither is an error here.
  std::set<std::string> fleet;
  for (const SystemSpec& sys : s.it.systems) fleet.insert(sys.name);
  std::optional<JsonObjectReader> pr = r.object("system_price_usd");
  if (pr) {
    if (const nlohmann::json* raw = r.raw("system_price_usd"); raw && raw->is_object()) {
      for (const auto& [name, value] : raw->items()) {
        if (!name.empty() && name.front() == '_') continue;
        if (!fleet.count(name)) {
          pr->problem_at(name, json_excerpt(value),
                         "a price for a system of this scenario's it.systems (" + name + " is not one of them)");
          pr->accept(name);
        }
      }
    }
  }
  std::set<std::string> priced;
  for (const SystemSpec& sys : s.it.systems) {
    if (priced.count(sys.name)) {
      for (SystemPrice& p : e.systems) {
        if (p.system == sys.name) p.count += sys.count;
      }
      continue;
    }
    priced.insert(sys.name);
    const nlohmann::json* entry = catalog.entry("systems", sys.name);
    if (!entry) continue;  // an unknown system is already reported at /it/systems
    const bool has_list = entry && entry->contains("list_price_usd") && (*entry)["list_price_usd"].is_number();
    SystemPrice p;
    p.system = sys.name;
    p.count = sys.count;
    p.gpus_per_system = sys.gpus_per_system;
    if (pr && pr->has(sys.name)) {
      p.price_usd = pr->number(sys.name, 0.0, limits::positive_up_to(limits::kMaxSystemPriceUsd));
    } else if (has_list) {
      p.price_usd = (*entry)["list_price_usd"].get<double>();
    } else {
      r.problem_at("system_price_usd", "",
                   "an object with a price in USD for \"" + sys.name + "\" (systems.json has no list_price_usd for it), e.g. {\"" +
                       sys.name + "\": 300000}");
    }
    e.systems.push_back(p);
  }
  if (pr) pr->finish();

  e.network_share_of_systems = r.number("network_share_of_systems", d("network_share_of_systems"), Range::closed(0, 2));
  e.installation_share = r.number("installation_share", d("installation_share"), Range::closed(0, 1));
  e.spares_share = r.number("spares_share", d("spares_share"), Range::closed(0, 1));

  if (auto rr = r.object("revenue")) read_revenue(*rr, d, s, e);
  else r.problem_at("revenue", "", "an object with usd_per_gpu_hour and/or usd_per_million_tokens (and optionally sold_fraction)");

  const double staff_default = d("staff_fte_per_mw") * e.design_it_w / 1e6 * d("staff_usd_per_fte_year");
  e.staff_usd_per_year = r.number("staff_usd_per_year", staff_default, limits::up_to(limits::kMaxUsd));

  e.maintenance_rate_building = d("maintenance_rate_building");
  e.maintenance_rate_it = d("maintenance_rate_it");
  if (auto m = r.object("maintenance_rate")) {
    e.maintenance_rate_building = m->number("building", e.maintenance_rate_building, Range::closed(0, 1));
    e.maintenance_rate_it = m->number("it", e.maintenance_rate_it, Range::closed(0, 1));
    m->finish();
  }
  e.insurance_rate = r.number("insurance_rate", d("insurance_rate"), Range::closed(0, 1));
  e.opex_escalation = r.number("opex_escalation", d("opex_escalation"), Range::closed(-0.5, 1.0));
  LocalCurrencySpec& lc = e.local_currency;
  lc.revenue_share = lc.opex_share = d("local_currency_share");
  lc.devaluation_per_year = d("devaluation_per_year");
  if (auto l = r.object("local_currency")) {
    lc.revenue_share = l->number("revenue_share", lc.revenue_share, Range::fraction());
    lc.opex_share = l->number("opex_share", lc.opex_share, Range::fraction());
    lc.devaluation_per_year = l->number("devaluation_per_year", lc.devaluation_per_year, {0.0, 1.0, false, true});
    l->finish();
  }

  e.building_life_years = static_cast<int>(d("building_life_years"));
  e.it_life_years = static_cast<int>(d("it_life_years"));
  if (auto a = r.object("asset_life_years")) {
    e.building_life_years = static_cast<int>(a->integer("building", e.building_life_years, 1, 100));
    e.it_life_years = static_cast<int>(a->integer("it", e.it_life_years, 1, 30));
    a->finish();
  }
  e.tax_rate = r.number("tax_rate", tax_default(catalog, used, s.site.country), {0.0, 1.0, false, true});
  const bool book_default = d("terminal_value") != 0.0;
  e.terminal_book_value = r.choice("terminal_value", book_default ? "book_value" : "none", {"book_value", "none"}) ==
                          "book_value";

  read_economics_finance(r, d, e);
  r.finish();
}

nlohmann::json economics_to_json(const EconomicsSpec& e) {
  nlohmann::json prices = nlohmann::json::object();
  for (const SystemPrice& p : e.systems) prices[p.system] = p.price_usd;
  nlohmann::json revenue = {{"usd_per_gpu_hour", e.usd_per_gpu_hour},
                             {"cloud_usd_per_gpu_hour", e.cloud_usd_per_gpu_hour},
                             {"usd_per_million_tokens", e.usd_per_million_tokens},
                             {"sold_fraction", e.sold_fraction},
                             {"gpu_hour_price_decline", e.gpu_hour_price_decline},
                             {"token_price_decline", e.token_price_decline},
                             {"ramp_up", {{"years", e.ramp_up_years}, {"start", e.ramp_up_start}}}};
  if (!e.usd_per_gpu_hour_by_year.empty()) revenue["usd_per_gpu_hour_by_year"] = e.usd_per_gpu_hour_by_year;
  if (!e.usd_per_million_tokens_by_year.empty()) {
    revenue["usd_per_million_tokens_by_year"] = e.usd_per_million_tokens_by_year;
  }
  nlohmann::json out = {
      {"_construction_convention", "construction_usd_per_w is per watt of design IT capacity (design_it_mw)"},
      {"horizon_years", e.horizon_years},
      {"discount_rate", e.discount_rate},
      {"equity_discount_rate", e.equity_discount_rate},
      {"construction_usd_per_w", e.construction_usd_per_w},
      {"design_it_mw", e.design_it_w / 1e6},
      {"system_price_usd", prices},
      {"network_share_of_systems", e.network_share_of_systems},
      {"installation_share", e.installation_share},
      {"spares_share", e.spares_share},
      {"revenue", revenue},
      {"staff_usd_per_year", e.staff_usd_per_year},
      {"maintenance_rate", {{"building", e.maintenance_rate_building}, {"it", e.maintenance_rate_it}}},
      {"insurance_rate", e.insurance_rate},
      {"asset_life_years", {{"building", e.building_life_years}, {"it", e.it_life_years}}},
      {"tax_rate", e.tax_rate},
      {"terminal_value", e.terminal_book_value ? "book_value" : "none"},
      {"opex_escalation", e.opex_escalation},
      {"local_currency",
       {{"revenue_share", e.local_currency.revenue_share},
        {"opex_share", e.local_currency.opex_share},
        {"devaluation_per_year", e.local_currency.devaluation_per_year}}}};
  finance_to_json(e, out);
  return out;
}

}  // namespace aidc
