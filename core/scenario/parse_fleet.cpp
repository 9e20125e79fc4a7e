#include "core/scenario/parse_fleet.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/scenario/input_limits.hpp"

namespace aidc {

namespace {

constexpr const char* kDefaults = "fleet_defaults";
constexpr const char* kFailures = "failures";
constexpr const char* kNetwork = "network";
constexpr long long kMaxCount = 100'000'000;
constexpr double kHoursPerDay = 24.0;

const std::vector<std::string> kUnits = {"gpu", "node", "nic", "job_gpu"};

FailureUnit failure_unit_from(const std::string& s) {
  if (s == "gpu") return FailureUnit::Gpu;
  if (s == "nic") return FailureUnit::Nic;
  if (s == "job_gpu") return FailureUnit::JobGpu;
  return FailureUnit::Node;
}

std::string number_text(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

// A catalog entry's field the parser cannot do without; a user catalog folder may lack it, which is bad input
// naming the catalog file (the built-in catalogs are tested to hold every field).
const nlohmann::json& catalog_field(const Catalog& catalog, const std::string& cat, const std::string& name,
                                    const nlohmann::json& entry, const std::string& key, bool (nlohmann::json::*is)() const,
                                    const std::string& expected) {
  if (!entry.contains(key) || !(entry[key].*is)()) {
    throw BadInput(catalog.label(cat), "/entries/" + json_pointer_escape(name) + "/" + key,
                   entry.contains(key) ? json_excerpt(entry[key]) : "", expected);
  }
  return entry[key];
}

const nlohmann::json& default_entry(const Catalog& catalog, nlohmann::json& used, const std::string& key) {
  const nlohmann::json* e = catalog.entry(kDefaults, key);
  if (!e || !e->contains("value")) {
    throw BadInput(catalog.label(kDefaults), "/entries/" + key, e ? json_excerpt(*e) : "",
                   "an entry with a \"value\" and its \"source\"");
  }
  used[kDefaults][key] = *e;
  return *e;
}

// A numeric default from fleet_defaults.json, recorded in `used`.
double default_value(const Catalog& catalog, nlohmann::json& used, const std::string& key) {
  const nlohmann::json& e = default_entry(catalog, used, key);
  return catalog_field(catalog, kDefaults, key, e, "value", &nlohmann::json::is_number,
                       "a numeric \"value\" and its \"source\"")
      .get<double>();
}

int node_count(const ItSpec& it) {
  long long n = 0;
  for (const SystemSpec& s : it.systems) n += s.count;
  return static_cast<int>(std::min<long long>(n, kMaxCount));
}

// The default rack power limit: the highest of the systems' cooling types (fleet_defaults rack_power_limit_kw
// by_cooling), so that every system fits; the entry's value for a cooling type it does not list.
double default_rack_limit_kw(const Catalog& catalog, nlohmann::json& used, const ItSpec& it) {
  const double fallback = default_value(catalog, used, "rack_power_limit_kw");
  const nlohmann::json& e = *catalog.entry(kDefaults, "rack_power_limit_kw");
  double kw = 0.0;
  for (const SystemSpec& s : it.systems) {
    double here = fallback;
    if (e.contains("by_cooling") && e["by_cooling"].contains(s.cooling) && e["by_cooling"][s.cooling].is_number()) {
      here = e["by_cooling"][s.cooling].get<double>();
    }
    kw = std::max(kw, here);
  }
  return kw > 0.0 ? kw : fallback;
}

std::string default_switch(const Catalog& catalog, nlohmann::json& used, const ItSpec& it) {
  const nlohmann::json& e = default_entry(catalog, used, "network_switch");
  std::string name = catalog_field(catalog, kDefaults, "network_switch", e, "value", &nlohmann::json::is_string,
                                   "a network.json switch name as \"value\"")
                         .get<std::string>();
  double gbps = 0.0;
  for (const SystemSpec& s : it.systems) gbps = std::max(gbps, s.nic_gbps);
  const std::string key = number_text(gbps);
  if (e.contains("by_nic_gbps") && e["by_nic_gbps"].contains(key) && e["by_nic_gbps"][key].is_string()) {
    name = e["by_nic_gbps"][key].get<std::string>();
  }
  return name;
}

void read_network(std::optional<JsonObjectReader>& nr, const Catalog& catalog, const Scenario& s,
                  nlohmann::json& used, NetworkSpec& n) {
  const std::string fallback = default_switch(catalog, used, s.it);
  n.switch_model = nr ? nr->string("switch", fallback) : fallback;
  const nlohmann::json* e = catalog.entry(kNetwork, n.switch_model);
  if (!e) {
    const std::string got = nlohmann::json(n.switch_model).dump();
    const std::string expected =
        "a switch in " + catalog.label(kNetwork) + ", " + expected_one_of(n.switch_model, catalog.names(kNetwork));
    if (nr) nr->problem_at("switch", got, expected);
    else throw BadInput(catalog.label(kDefaults), "/entries/network_switch/value", got, expected);
  } else {
    used[kNetwork][n.switch_model] = *e;
    auto field = [&](const char* key) {
      return catalog_field(catalog, kNetwork, n.switch_model, *e, key, &nlohmann::json::is_number, "a number")
          .get<double>();
    };
    n.switch_radix = static_cast<int>(field("radix"));
    n.port_gbps = field("port_gbps");
    n.switch_power_w = field("switch_power_typical_w");
    n.optic_power_w = field("optic_power_w");
    n.switch_price_usd = e->contains("price_usd") && (*e)["price_usd"].is_number() ? (*e)["price_usd"].get<double>() : 0.0;
    n.source = e->value("source", "");
  }
  n.oversubscription = default_value(catalog, used, "network_oversubscription");
  if (nr) {
    n.oversubscription = nr->number("oversubscription", n.oversubscription, Range::closed(1.0, 64.0));
    // Overrides of the catalog's figures (the resolved section writes them all out).
    n.switch_radix = static_cast<int>(nr->integer("radix", n.switch_radix, 2, 4096));
    // Today's fastest ports run at 1.6 Tb/s, switches draw 1-3 kW, an optic 10-30 W, and a switch lists at up to
    // about 1e5 USD; the bounds are a hundred times that.
    n.port_gbps = nr->number("port_gbps", n.port_gbps, limits::positive_up_to(1.6e5));
    n.switch_power_w = nr->number("switch_power_w", n.switch_power_w, limits::up_to(3e5));
    n.optic_power_w = nr->number("optic_power_w", n.optic_power_w, limits::up_to(3e3));
    n.switch_price_usd = nr->number("switch_price_usd", n.switch_price_usd, limits::up_to(1e7));
    n.source = nr->string("source", n.source);
    nr->finish();
  }
}

void read_failures(std::optional<JsonObjectReader>& fr, const Catalog& catalog, nlohmann::json& used,
                   std::vector<ComponentReliability>& components) {
  // A thousand times the catalog's failure rates is no longer a fleet that runs (assumption: a stress-test bound).
  const double scale = fr ? fr->number("scale", default_value(catalog, used, "failures_scale"), limits::up_to(1e3))
                          : default_value(catalog, used, "failures_scale");
  const std::vector<std::string> kinds = catalog.names(kFailures);
  for (const std::string& kind : kinds) {
    const nlohmann::json& e = *catalog.entry(kFailures, kind);
    used[kFailures][kind] = e;
    ComponentReliability c;
    c.kind = kind;
    const std::string per = catalog_field(catalog, kFailures, kind, e, "per", &nlohmann::json::is_string,
                                          "one of: gpu, node, nic, job_gpu")
                                .get<std::string>();
    c.per = failure_unit_from(per);
    c.failures_per_unit_h = catalog_field(catalog, kFailures, kind, e, "failures_per_unit_h",
                                          &nlohmann::json::is_number, "a number >= 0")
                                .get<double>();
    c.needs_part = catalog_field(catalog, kFailures, kind, e, "needs_part", &nlohmann::json::is_boolean, "true or false")
                       .get<bool>();
    c.repair_h = catalog_field(catalog, kFailures, kind, e, "repair_h", &nlohmann::json::is_number, "a number >= 0")
                     .get<double>();
    c.source = e.value("source", "");
    components.push_back(c);
  }
  std::optional<JsonObjectReader> cr;
  if (fr) cr = fr->object("components");
  if (cr) {
    if (const nlohmann::json* raw = fr->raw("components"); raw && raw->is_object()) {
      for (const auto& item : raw->items()) {
        // Named copies, not a structured binding: clang 14 cannot capture a structured binding in a lambda.
        const std::string& kind = item.key();
        const nlohmann::json& value = item.value();
        if (!kind.empty() && kind.front() == '_') continue;
        auto c = std::find_if(components.begin(), components.end(),
                              [&](const ComponentReliability& x) { return x.kind == kind; });
        cr->accept(kind);
        if (c == components.end()) {
          cr->problem_at(kind, json_excerpt(value),
                         "a component kind of " + catalog.label(kFailures) + ", " + expected_one_of(kind, kinds));
          continue;
        }
        JsonObjectReader kr(value, cr->child_path(kind), cr->file(), cr->problems());
        c->per = failure_unit_from(kr.choice("per", failure_unit_name(c->per), kUnits));
        // One failure an hour per unit: a part that never works (the catalog's rates are 1e-7 to 1e-4).
        c->failures_per_unit_h = kr.number("failures_per_unit_h", c->failures_per_unit_h, limits::up_to(1.0));
        c->needs_part = kr.boolean("needs_part", c->needs_part);
        c->repair_h = kr.number("repair_h", c->repair_h, limits::up_to(limits::kMaxDurationH));
        c->source = kr.string("source", c->source);
        kr.finish();
      }
    }
    cr->finish();
  }
  for (ComponentReliability& c : components) c.failures_per_unit_h *= scale;
  if (fr) fr->finish();
}

}  // namespace

const char* failure_unit_name(FailureUnit u) {
  switch (u) {
    case FailureUnit::Gpu: return "gpu";
    case FailureUnit::Node: return "node";
    case FailureUnit::Nic: return "nic";
    case FailureUnit::JobGpu: return "job_gpu";
  }
  return "node";
}

void read_fleet(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used, FleetSpec& f) {
  f.enabled = true;
  auto d = [&](const char* key) { return default_value(catalog, used, key); };
  const int nodes = node_count(s.it);

  f.halls = static_cast<int>(r.integer("halls", static_cast<long long>(d("halls")), 1, 100'000));

  // Rack power limit: at least one system per rack.
  f.rack_power_limit_w = r.number("rack_power_limit_kw", default_rack_limit_kw(catalog, used, s.it),
                                  limits::positive_up_to(limits::kMaxSystemPowerKw)) * 1e3;
  const SystemSpec* largest = nullptr;
  for (const SystemSpec& sys : s.it.systems) {
    if (!largest || sys.max_power_w > largest->max_power_w) largest = &sys;
  }
  if (largest && largest->max_power_w > f.rack_power_limit_w) {
    r.problem_at("rack_power_limit_kw", r.has("rack_power_limit_kw") ? number_text(f.rack_power_limit_w / 1e3) : "",
                 "at least the max power of one system (a rack holds at least one): " + largest->name + " draws " +
                     number_text(largest->max_power_w / 1e3) + " kW");
  }

  // Hot spares and technicians scale with the node count.
  const long long spares_default = static_cast<long long>(std::floor(d("hot_spare_nodes_share") * nodes));
  f.hot_spare_nodes = static_cast<int>(r.integer("hot_spare_nodes", spares_default, 0, kMaxCount));
  if (nodes > 0 && f.hot_spare_nodes >= nodes) {
    r.problem_at("hot_spare_nodes", std::to_string(f.hot_spare_nodes),
                 "fewer hot spares than the " + std::to_string(nodes) + " nodes of it.systems (some must run work)");
  }
  const long long technicians_default =
      std::max<long long>(1, static_cast<long long>(std::ceil(d("technicians_per_1000_nodes") * nodes / 1000.0)));
  f.technicians = static_cast<int>(r.integer("technicians", technicians_default, 1, kMaxCount));
  f.spare_parts_share = r.number("spare_parts_share", d("spare_parts_share"), Range::fraction());

  // Parts lead time: the site's country (countries.json), else the catalog fallback.
  const nlohmann::json* country = catalog.entry("countries", s.site.country);
  double lead_days = 0.0;
  std::string lead_source;
  if (country && country->contains("parts_lead_time_days") && (*country)["parts_lead_time_days"].is_number()) {
    lead_days = (*country)["parts_lead_time_days"].get<double>();
    lead_source = catalog.label("countries") + " " + s.site.country + " parts_lead_time_days";
    if (country->contains("unverified") && (*country)["unverified"].is_array()) {
      for (const nlohmann::json& u : (*country)["unverified"]) {
        if (u == "parts_lead_time_days") lead_source += " (unverified: fallback or bound, see its sources)";
      }
    }
  } else {
    lead_days = d("parts_lead_time_days");
    lead_source = catalog.label(kDefaults) + " parts_lead_time_days (fallback: the country catalog has none for \"" +
                  s.site.country + "\")";
  }
  if (r.has("parts_lead_time_days")) lead_source = "scenario";
  f.parts_lead_time_h =
      r.number("parts_lead_time_days", lead_days, limits::positive_up_to(limits::kMaxDurationD)) * kHoursPerDay;
  f.lead_time_source = r.string("parts_lead_time_source", lead_source);

  f.node_swap_h = r.number("node_swap_h", d("node_swap_h"), limits::up_to(limits::kMaxDurationH));
  f.power_capping = r.boolean("power_capping", true);
  f.dvfs_power_exponent = r.number("dvfs_power_exponent", d("dvfs_power_exponent"), {0.0, 5.0, true, false});
  f.cooling_derate_per_k = r.number("cooling_derate_per_k", d("cooling_derate_per_k"), Range::fraction());
  f.training_utilization = r.number("training_utilization", d("training_utilization"), Range::unit_open_low());

  std::optional<JsonObjectReader> nr = r.object("network");
  read_network(nr, catalog, s, used, f.network);
  std::optional<JsonObjectReader> fr = r.object("failures");
  read_failures(fr, catalog, used, f.components);
  r.finish();
}

nlohmann::json fleet_to_json(const FleetSpec& f) {
  const NetworkSpec& n = f.network;
  nlohmann::json components = nlohmann::json::object();
  for (const ComponentReliability& c : f.components) {
    components[c.kind] = {{"per", failure_unit_name(c.per)},
                          {"failures_per_unit_h", c.failures_per_unit_h},
                          {"needs_part", c.needs_part},
                          {"repair_h", c.repair_h},
                          {"source", c.source}};
  }
  return {
      {"_failures_convention", "failures_per_unit_h already include failures.scale (written here as 1)"},
      {"halls", f.halls},
      {"rack_power_limit_kw", f.rack_power_limit_w / 1e3},
      {"hot_spare_nodes", f.hot_spare_nodes},
      {"technicians", f.technicians},
      {"spare_parts_share", f.spare_parts_share},
      {"parts_lead_time_days", f.parts_lead_time_h / kHoursPerDay},
      {"parts_lead_time_source", f.lead_time_source},
      {"node_swap_h", f.node_swap_h},
      {"power_capping", f.power_capping},
      {"dvfs_power_exponent", f.dvfs_power_exponent},
      {"cooling_derate_per_k", f.cooling_derate_per_k},
      {"training_utilization", f.training_utilization},
      {"network",
       {{"switch", n.switch_model},
        {"oversubscription", n.oversubscription},
        {"radix", n.switch_radix},
        {"port_gbps", n.port_gbps},
        {"switch_power_w", n.switch_power_w},
        {"optic_power_w", n.optic_power_w},
        {"switch_price_usd", n.switch_price_usd},
        {"source", n.source}}},
      {"failures", {{"scale", 1.0}, {"components", components}}}};
}

}  // namespace aidc
