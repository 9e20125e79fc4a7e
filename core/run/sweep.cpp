#include "core/run/sweep.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/model/uncertainty_sampling.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/run/run_scenario.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/json_reader.hpp"
#include "core/scenario/scenario_patch.hpp"

namespace aidc {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Bisection halves the bracket each run: 60 halvings reach any tolerance a double can state.
constexpr int kMaxBisections = 60;

std::string text(double x) { return fmt::format("{:.6g}", x); }

// The base document a sweep edits: the scenario with the sweep's replication count and uncertainty choice.
nlohmann::json sweep_base(const SweepSpec& spec, nlohmann::json doc) {
  if (spec.replications > 0) doc["replications"] = spec.replications;
  if (spec.uncertainty == "drop") doc.erase("uncertainty");
  return doc;
}

// `base` with `set` applied; an uncertain input the point sets is fixed at the point's value (its draw removed).
nlohmann::json point_document(const nlohmann::json& base, const PointerValues& set, const std::string& label,
                              const std::string& file_label) {
  nlohmann::json doc = base;
  for (const auto& [pointer, value] : set) {
    const ScenarioPatch p = set_creating_parents(doc, pointer, value, "sweep: " + label);
    doc = apply_patches(doc, std::span<const ScenarioPatch>(&p, 1), file_label);
  }
  if (doc.contains("uncertainty") && doc["uncertainty"].is_object() && doc["uncertainty"].contains("inputs") &&
      doc["uncertainty"]["inputs"].is_array()) {
    nlohmann::json& inputs = doc["uncertainty"]["inputs"];
    nlohmann::json kept = nlohmann::json::array();
    for (const nlohmann::json& in : inputs) {
      const bool fixed = in.is_object() && in.contains("path") && in["path"].is_string() &&
                         std::any_of(set.begin(), set.end(), [&](const auto& pv) { return pv.first == in["path"]; });
      if (!fixed) kept.push_back(in);
    }
    const nlohmann::json& te = doc["uncertainty"].contains("throughput_error") ? doc["uncertainty"]["throughput_error"]
                                                                               : nlohmann::json("none");
    if (kept.empty() && te == "none") {
      doc.erase("uncertainty");
    } else if (kept.empty()) {
      doc["uncertainty"].erase("inputs");
      doc["uncertainty"].erase("correlations");
    } else {
      inputs = kept;
      // Correlations with a fixed input go with it.
      if (doc["uncertainty"].contains("correlations") && doc["uncertainty"]["correlations"].is_array()) {
        nlohmann::json corr = nlohmann::json::array();
        for (const nlohmann::json& c : doc["uncertainty"]["correlations"]) {
          bool keep = true;
          if (c.is_object() && c.contains("between") && c["between"].is_array()) {
            for (const nlohmann::json& p : c["between"]) {
              keep = keep && !std::any_of(set.begin(), set.end(), [&](const auto& pv) { return pv.first == p; });
            }
          }
          if (keep) corr.push_back(c);
        }
        doc["uncertainty"]["correlations"] = corr;
      }
    }
  }
  return doc;
}

bool is_number_at(const nlohmann::json& doc, const std::string& pointer) {
  try {
    const nlohmann::json::json_pointer p(pointer);
    return doc.contains(p) && doc.at(p).is_number();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::vector<std::string> kpi_names(const std::vector<KpiInfo>& info) {
  std::vector<std::string> names;
  for (const KpiInfo& k : info) names.push_back(k.name);
  return names;
}

class SweepRunner {
 public:
  SweepRunner(const SweepSpec& spec, const nlohmann::json& base, const Catalog& catalog, const std::string& label,
              const std::filesystem::path& base_dir, const SweepOptions& options)
      : spec_(spec), base_(base), catalog_(catalog), label_(label), base_dir_(base_dir), options_(options) {}

  ResolvedScenario resolve(const PointerValues& set, const std::string& point) const {
    return resolve_and_prepare(point_document(base_, set, point, label_), catalog_, label_, base_dir_);
  }

  // Resolves a point's document; its problems are collected with the point named.
  void check(const PointerValues& set, const std::string& point, std::vector<InputProblem>& problems) const {
    try {
      (void)resolve(set, point);
    } catch (const BadInput& e) {
      for (InputProblem p : e.problems()) {
        p.expected += " (in sweep point \"" + point + "\" of " + spec_.source_path + ")";
        problems.push_back(std::move(p));
      }
    }
  }

  SweepPointResult run(const std::string& kind, const std::string& point, const PointerValues& set) const {
    if (options_.progress) options_.progress(kind + " " + point);
    SweepPointResult r;
    r.kind = kind;
    r.label = point;
    r.set = set;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      const ResolvedScenario rs = resolve(set, point);
      RunOptions o;
      o.threads = options_.threads;
      const RunSummary summary = run_scenario(rs, o);
      for (const std::string& name : spec_.kpis) {
        const auto it = std::find_if(summary.kpis.begin(), summary.kpis.end(),
                                     [&](const KpiRow& k) { return k.name == name; });
        r.kpis.push_back(it != summary.kpis.end() ? *it : KpiRow{name, "", "", kNaN, kNaN, kNaN, kNaN});
      }
    } catch (const std::exception& e) {
      r.ok = false;
      r.error = e.what();
      r.kpis.clear();
      for (const std::string& name : spec_.kpis) r.kpis.push_back({name, "", "", kNaN, kNaN, kNaN, kNaN});
    }
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }

  // The statistic of one KPI (not necessarily of the sweep's list) at `x` of `pointer`.
  double kpi_at(const BreakEvenSpec& b, double x, int& runs) const {
    ++runs;
    if (options_.progress) options_.progress(fmt::format("break-even {}: {} = {}", b.label, b.pointer, text(x)));
    const ResolvedScenario rs = resolve({{b.pointer, x}}, b.label);
    RunOptions o;
    o.threads = options_.threads;
    const RunSummary summary = run_scenario(rs, o);
    for (const KpiRow& k : summary.kpis) {
      if (k.name == b.kpi) return kpi_statistic(k, b.statistic);
    }
    return kNaN;
  }

 private:
  const SweepSpec& spec_;
  const nlohmann::json& base_;
  const Catalog& catalog_;
  const std::string& label_;
  const std::filesystem::path& base_dir_;
  const SweepOptions& options_;
};

BreakEvenResult find_break_even(const SweepRunner& runner, const BreakEvenSpec& b) {
  BreakEvenResult out;
  out.spec = b;
  double lo = b.low, hi = b.high;
  double f_lo = runner.kpi_at(b, lo, out.runs) - b.target;
  double f_hi = runner.kpi_at(b, hi, out.runs) - b.target;
  out.kpi_at_low = f_lo + b.target;
  out.kpi_at_high = f_hi + b.target;
  if (std::isnan(f_lo) || std::isnan(f_hi) || (f_lo > 0.0) == (f_hi > 0.0)) {
    const bool low_closer = std::abs(f_lo) <= std::abs(f_hi);
    out.message = fmt::format("{} {} is {} at {} = {} and {} at {}: no value in [{}, {}] reaches {} (the {} end is "
                              "closer); widen the bracket",
                              b.kpi, b.statistic, text(out.kpi_at_low), b.pointer, text(b.low), text(out.kpi_at_high),
                              text(b.high), text(b.low), text(b.high), text(b.target), low_closer ? "low" : "high");
    out.bracket_low = b.low;
    out.bracket_high = b.high;
    return out;
  }
  for (int i = 0; i < kMaxBisections && hi - lo > b.tolerance; ++i) {
    const double mid = 0.5 * (lo + hi);
    const double f_mid = runner.kpi_at(b, mid, out.runs) - b.target;
    if (std::isnan(f_mid)) break;
    if ((f_mid > 0.0) == (f_lo > 0.0)) {
      lo = mid;
      f_lo = f_mid;
    } else {
      hi = mid;
      f_hi = f_mid;
    }
  }
  out.found = true;
  out.bracket_low = lo;
  out.bracket_high = hi;
  out.value = 0.5 * (lo + hi);
  // The statistic at the crossing, interpolated between the bracket's ends (no extra run).
  out.kpi_value = b.target + 0.5 * (f_lo + f_hi);
  return out;
}

}  // namespace

double kpi_statistic(const KpiRow& k, const std::string& statistic) {
  if (statistic == "mean") return k.mean;
  if (statistic == "p10") return k.p10;
  if (statistic == "p90") return k.p90;
  return k.p50;
}

SweepResult run_sweep(const SweepSpec& spec, const nlohmann::json& base_doc, const Catalog& catalog,
                      const std::string& base_label, const std::filesystem::path& base_dir,
                      const SweepOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const nlohmann::json base = sweep_base(spec, base_doc);
  const ResolvedScenario base_rs = resolve_and_prepare(base, catalog, base_label, base_dir);
  const Scenario& s = base_rs.scenario;

  // Everything the sweep file names, against the resolved base, before any run.
  std::vector<InputProblem> problems;
  const std::vector<std::string> names = kpi_names(run_kpi_info(s));
  auto check_kpi = [&](const std::string& name, const std::string& path) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      problems.push_back({spec.source_path, path, nlohmann::json(name).dump(),
                          "a KPI of the base scenario's run, " + expected_one_of(name, names)});
    }
  };
  for (std::size_t i = 0; i < spec.kpis.size(); ++i) check_kpi(spec.kpis[i], "/kpis/" + std::to_string(i));
  for (std::size_t i = 0; i < spec.break_even.size(); ++i) {
    check_kpi(spec.break_even[i].kpi, "/break_even/" + std::to_string(i) + "/kpi");
    if (!is_number_at(base_rs.resolved, spec.break_even[i].pointer)) {
      problems.push_back({spec.source_path, "/break_even/" + std::to_string(i) + "/path",
                          nlohmann::json(spec.break_even[i].pointer).dump(),
                          "a pointer to a number of the base scenario with every default filled in (as `aidcsim "
                          "check` prints it)"});
    }
  }
  std::vector<SensitivityInput> sensitivity = spec.sensitivity;
  for (std::size_t i = 0; i < sensitivity.size(); ++i) {
    SensitivityInput& in = sensitivity[i];
    const std::string path = "/sensitivity/" + std::to_string(i) + "/path";
    if (!is_number_at(base_rs.resolved, in.pointer)) {
      problems.push_back({spec.source_path, path, nlohmann::json(in.pointer).dump(),
                          "a pointer to a number of the base scenario with every default filled in"});
      continue;
    }
    if (in.from_uncertainty) {
      const auto& inputs = s.uncertainty.inputs;
      const auto it = std::find_if(inputs.begin(), inputs.end(), [&](const UncertainInput& u) { return u.pointer == in.pointer; });
      if (it == inputs.end()) {
        problems.push_back({spec.source_path, "/sensitivity/" + std::to_string(i), nlohmann::json(in.pointer).dump(),
                            "\"low\" and \"high\", or a path the base scenario's uncertainty section draws (its P10 "
                            "and P90 are then the low and high)"});
      } else {
        in.low = distribution_quantile(it->distribution, 0.1);
        in.high = distribution_quantile(it->distribution, 0.9);
      }
    }
  }
  if (!problems.empty()) throw BadInput(problems);

  SweepRunner runner(spec, base, catalog, base_label, base_dir, options);
  for (const SweepPoint& p : spec.variants) runner.check(p.set, p.label, problems);
  for (const SweepPoint& p : spec.cases) runner.check(p.set, p.label, problems);
  for (const SensitivityInput& in : sensitivity) {
    runner.check({{in.pointer, in.low}}, in.pointer + " low", problems);
    runner.check({{in.pointer, in.high}}, in.pointer + " high", problems);
  }
  for (const BreakEvenSpec& b : spec.break_even) {
    runner.check({{b.pointer, b.low}}, b.label + " low", problems);
    runner.check({{b.pointer, b.high}}, b.label + " high", problems);
  }
  if (!problems.empty()) throw BadInput(problems);

  SweepResult out;
  out.base_scenario = s.name;
  out.replications = s.replications;
  out.seed = s.seed;
  // The points in their fixed order; item k (points first, then break-evens) is this rank's when k % ranks == rank.
  std::vector<SweepPointResult> planned;
  auto plan = [&](const std::string& kind, const std::string& label, const PointerValues& set) {
    SweepPointResult p;
    p.kind = kind;
    p.label = label;
    p.set = set;
    p.computed = false;
    planned.push_back(std::move(p));
  };
  plan("base", "base", {});
  for (const SweepPoint& p : spec.variants) plan("variant", p.label, p.set);
  for (const SweepPoint& p : spec.cases) plan("case", p.label, p.set);
  for (const SensitivityInput& in : sensitivity) {
    plan("sensitivity_low", in.pointer + " low", {{in.pointer, in.low}});
    plan("sensitivity_high", in.pointer + " high", {{in.pointer, in.high}});
    out.sensitivity_base_input.push_back(base_rs.resolved.at(nlohmann::json::json_pointer(in.pointer)).get<double>());
  }
  const SweepPartition& part = options.partition;
  auto mine = [&](std::size_t item) { return static_cast<int>(item % static_cast<std::size_t>(part.ranks)) == part.rank; };
  for (std::size_t i = 0; i < planned.size(); ++i) {
    out.points.push_back(mine(i) ? runner.run(planned[i].kind, planned[i].label, planned[i].set) : planned[i]);
  }
  for (std::size_t j = 0; j < spec.break_even.size(); ++j) {
    if (mine(planned.size() + j)) {
      out.break_even.push_back(find_break_even(runner, spec.break_even[j]));
    } else {
      BreakEvenResult b;
      b.spec = spec.break_even[j];
      b.computed = false;
      out.break_even.push_back(b);
    }
  }
  if (part.ranks == 1) finish_sweep(spec, out);
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

void finish_sweep(const SweepSpec& spec, SweepResult& out) {
  out.tornado.clear();
  const std::vector<KpiRow>& base_kpis = out.points.front().kpis;
  std::size_t first = 1 + spec.variants.size() + spec.cases.size();
  for (std::size_t i = 0; i < out.sensitivity_base_input.size(); ++i) {
    const SweepPointResult& lo = out.points[first + 2 * i];
    const SweepPointResult& hi = out.points[first + 2 * i + 1];
    for (std::size_t k = 0; k < spec.kpis.size(); ++k) {
      TornadoRow row;
      row.kpi = spec.kpis[k];
      row.pointer = lo.set.front().first;
      row.base_input = out.sensitivity_base_input[i];
      row.low = lo.set.front().second.get<double>();
      row.high = hi.set.front().second.get<double>();
      row.base_kpi = kpi_statistic(base_kpis[k], spec.statistic);
      row.kpi_at_low = kpi_statistic(lo.kpis[k], spec.statistic);
      row.kpi_at_high = kpi_statistic(hi.kpis[k], spec.statistic);
      row.swing = std::abs(row.kpi_at_high - row.kpi_at_low);
      out.tornado.push_back(row);
    }
  }
  // Per KPI in the sweep's order, the widest swing first (NaN swings last).
  std::stable_sort(out.tornado.begin(), out.tornado.end(), [&](const TornadoRow& a, const TornadoRow& b) {
    const auto ka = std::find(spec.kpis.begin(), spec.kpis.end(), a.kpi) - spec.kpis.begin();
    const auto kb = std::find(spec.kpis.begin(), spec.kpis.end(), b.kpi) - spec.kpis.begin();
    if (ka != kb) return ka < kb;
    if (std::isnan(a.swing) != std::isnan(b.swing)) return std::isnan(b.swing);
    return a.swing > b.swing;
  });
}

namespace {

// Doubles travel as their bit patterns, so a merged sweep is bit-identical to one computed on one rank (and NaN,
// which JSON cannot hold, survives).
nlohmann::json bits(double x) { return std::bit_cast<std::uint64_t>(x); }
double unbits(const nlohmann::json& j) { return std::bit_cast<double>(j.get<std::uint64_t>()); }

}  // namespace

std::string sweep_items_to_text(const SweepResult& r) {
  nlohmann::json points = nlohmann::json::array(), breaks = nlohmann::json::array();
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const SweepPointResult& p = r.points[i];
    if (!p.computed) continue;
    nlohmann::json kpis = nlohmann::json::array();
    for (const KpiRow& k : p.kpis) {
      kpis.push_back({k.name, k.units, k.long_name, bits(k.mean), bits(k.p10), bits(k.p50), bits(k.p90)});
    }
    points.push_back({{"index", i}, {"ok", p.ok}, {"error", p.error}, {"kpis", kpis}, {"wall_s", bits(p.wall_s)}});
  }
  for (std::size_t j = 0; j < r.break_even.size(); ++j) {
    const BreakEvenResult& b = r.break_even[j];
    if (!b.computed) continue;
    breaks.push_back({{"index", j},
                      {"found", b.found},
                      {"numbers", {bits(b.value), bits(b.kpi_value), bits(b.bracket_low), bits(b.bracket_high),
                                   bits(b.kpi_at_low), bits(b.kpi_at_high)}},
                      {"runs", b.runs},
                      {"message", b.message}});
  }
  return nlohmann::json{{"points", points}, {"break_even", breaks}}.dump();
}

void merge_sweep_items(SweepResult& r, const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  for (const nlohmann::json& p : j.at("points")) {
    SweepPointResult& dst = r.points.at(p.at("index").get<std::size_t>());
    dst.computed = true;
    dst.ok = p.at("ok").get<bool>();
    dst.error = p.at("error").get<std::string>();
    dst.wall_s = unbits(p.at("wall_s"));
    dst.kpis.clear();
    for (const nlohmann::json& k : p.at("kpis")) {
      dst.kpis.push_back({k[0].get<std::string>(), k[1].get<std::string>(), k[2].get<std::string>(), unbits(k[3]),
                          unbits(k[4]), unbits(k[5]), unbits(k[6])});
    }
  }
  for (const nlohmann::json& b : j.at("break_even")) {
    BreakEvenResult& dst = r.break_even.at(b.at("index").get<std::size_t>());
    dst.computed = true;
    dst.found = b.at("found").get<bool>();
    const nlohmann::json& n = b.at("numbers");
    dst.value = unbits(n[0]);
    dst.kpi_value = unbits(n[1]);
    dst.bracket_low = unbits(n[2]);
    dst.bracket_high = unbits(n[3]);
    dst.kpi_at_low = unbits(n[4]);
    dst.kpi_at_high = unbits(n[5]);
    dst.runs = b.at("runs").get<int>();
    dst.message = b.at("message").get<std::string>();
  }
}

NamedTable sweep_points_table(const SweepSpec& spec, const SweepResult& r) {
  NamedTable t;
  t.long_name = "every point of the sweep: the base, variants, cases and sensitivity ends, with each KPI's mean and "
                "P10/P50/P90 over replications";
  TableColumn kind{"kind", "", true, {}, {}}, label{"label", "", true, {}, {}}, set{"set", "", true, {}, {}},
      status{"status", "", true, {}, {}}, error{"error", "", true, {}, {}}, wall{"wall_s", "s", false, {}, {}};
  for (const SweepPointResult& p : r.points) {
    kind.text.push_back(p.kind);
    label.text.push_back(p.label);
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [pointer, value] : p.set) j[pointer] = value;
    set.text.push_back(j.dump());
    status.text.push_back(p.ok ? "ok" : "failed");
    error.text.push_back(p.error);
    wall.values.push_back(p.wall_s);
  }
  t.columns = {kind, label, set, status, error, wall};
  for (std::size_t k = 0; k < spec.kpis.size(); ++k) {
    std::string units;
    for (const SweepPointResult& p : r.points) {
      if (p.ok && !p.kpis[k].units.empty()) units = p.kpis[k].units;
    }
    for (const char* stat : {"mean", "p10", "p50", "p90"}) {
      TableColumn c{spec.kpis[k] + "." + stat, units, false, {}, {}};
      for (const SweepPointResult& p : r.points) c.values.push_back(kpi_statistic(p.kpis[k], stat));
      t.columns.push_back(std::move(c));
    }
  }
  t.text_attributes = {{"base_scenario", r.base_scenario}, {"uncertainty", spec.uncertainty},
                       {"set", "JSON object of the values the point sets, by JSON pointer into the base scenario"}};
  t.number_attributes = {{"replications", static_cast<double>(r.replications)}, {"wall_s", r.wall_s}};
  return t;
}

NamedTable tornado_table(const SweepSpec& spec, const SweepResult& r) {
  NamedTable t;
  t.long_name = "one-at-a-time sensitivity: each input at its low and high value, the others at the base's; per KPI, "
                "the widest swing first";
  TableColumn kpi{"kpi", "", true, {}, {}}, input{"input", "", true, {}, {}};
  TableColumn base_in{"base_input", "", false, {}, {}}, lo{"low", "", false, {}, {}}, hi{"high", "", false, {}, {}},
      base_k{"base_kpi", "", false, {}, {}}, at_lo{"kpi_at_low", "", false, {}, {}}, at_hi{"kpi_at_high", "", false, {}, {}},
      swing{"swing", "", false, {}, {}};
  for (const TornadoRow& row : r.tornado) {
    kpi.text.push_back(row.kpi);
    input.text.push_back(row.pointer);
    base_in.values.push_back(row.base_input);
    lo.values.push_back(row.low);
    hi.values.push_back(row.high);
    base_k.values.push_back(row.base_kpi);
    at_lo.values.push_back(row.kpi_at_low);
    at_hi.values.push_back(row.kpi_at_high);
    swing.values.push_back(row.swing);
  }
  t.columns = {kpi, input, base_in, lo, hi, base_k, at_lo, at_hi, swing};
  t.text_attributes = {{"statistic", spec.statistic},
                       {"value_units", "inputs in the scenario's units at their pointer; KPIs in /sweep/points' units"}};
  return t;
}

NamedTable break_even_table(const SweepResult& r) {
  NamedTable t;
  t.long_name = "break-even searches: the input value where a KPI statistic reaches its target (bisection)";
  TableColumn label{"label", "", true, {}, {}}, input{"input", "", true, {}, {}}, kpi{"kpi", "", true, {}, {}},
      stat{"statistic", "", true, {}, {}}, found{"found", "1", false, {}, {}}, msg{"message", "", true, {}, {}};
  TableColumn target{"target", "", false, {}, {}}, value{"value", "", false, {}, {}}, kv{"kpi_value", "", false, {}, {}},
      blo{"bracket_low", "", false, {}, {}}, bhi{"bracket_high", "", false, {}, {}}, tol{"tolerance", "", false, {}, {}},
      runs{"runs", "1", false, {}, {}};
  for (const BreakEvenResult& b : r.break_even) {
    label.text.push_back(b.spec.label);
    input.text.push_back(b.spec.pointer);
    kpi.text.push_back(b.spec.kpi);
    stat.text.push_back(b.spec.statistic);
    found.values.push_back(b.found ? 1.0 : 0.0);
    msg.text.push_back(b.message);
    target.values.push_back(b.spec.target);
    value.values.push_back(b.found ? b.value : kNaN);
    kv.values.push_back(b.found ? b.kpi_value : kNaN);
    blo.values.push_back(b.bracket_low);
    bhi.values.push_back(b.bracket_high);
    tol.values.push_back(b.spec.tolerance);
    runs.values.push_back(static_cast<double>(b.runs));
  }
  t.columns = {label, input, kpi, stat, found, target, value, kv, blo, bhi, tol, runs, msg};
  return t;
}

}  // namespace aidc
