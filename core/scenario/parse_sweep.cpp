#include "core/scenario/parse_sweep.hpp"

#include <set>

#include "core/scenario/json_reader.hpp"

namespace aidc {

namespace {

// More points than a 2-core machine runs in a day at a second each; a grid this large is a typo.
constexpr std::size_t kMaxSweepPoints = 100000;

bool valid_pointer(const std::string& p) {
  if (p.empty() || p.front() != '/') return false;
  try {
    (void)nlohmann::json::json_pointer(p);
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

const char* kPointerExpected = "a JSON pointer (RFC 6901) into the base scenario, e.g. \"/site/grid/price_usd_per_kwh\"";

// {"/pointer": value, ...} of a list entry or a case.
PointerValues read_set(JsonObjectReader& r) {
  PointerValues out;
  const Json* set = r.raw("set");
  if (!set) {
    r.problem_at("set", "", "an object of values by JSON pointer, e.g. {\"/site/grid/price_usd_per_kwh\": 0.12}");
    return out;
  }
  if (!set->is_object()) {
    r.problem_at("set", json_excerpt(*set), "an object of values by JSON pointer");
    return out;
  }
  for (const auto& [pointer, value] : set->items()) {
    if (!valid_pointer(pointer)) {
      r.problem_at("set/" + json_pointer_escape(pointer), nlohmann::json(pointer).dump(), kPointerExpected);
    }
    out.emplace_back(pointer, value);
  }
  return out;
}

std::vector<SweepPoint> read_points(JsonObjectReader& root, const char* key, const char* what) {
  std::vector<SweepPoint> out;
  const Json* list = root.raw(key);
  if (!list) return out;
  if (!list->is_array()) {
    root.problem_at(key, json_excerpt(*list), std::string("an array of ") + what + ", each {\"label\", \"set\"}");
    return out;
  }
  std::set<std::string> labels;
  for (std::size_t i = 0; i < list->size(); ++i) {
    JsonObjectReader r((*list)[i], root.child_path(key) + "/" + std::to_string(i), root.file(), root.problems());
    SweepPoint p;
    p.label = r.string("label", std::string(key) + " " + std::to_string(i));
    if (!labels.insert(p.label).second) {
      r.problem_at("label", nlohmann::json(p.label).dump(), "a label no other entry has");
    }
    p.set = read_set(r);
    r.finish();
    out.push_back(std::move(p));
  }
  return out;
}

// The product of the grid's value lists, the first pointer varying slowest; labels "p1=v1, p2=v2".
std::vector<SweepPoint> read_grid(JsonObjectReader& vr) {
  std::vector<SweepPoint> out;
  const Json* grid = vr.raw("grid");
  if (!grid) return out;
  if (!grid->is_object() || grid->empty()) {
    vr.problem_at("grid", json_excerpt(*grid), "an object of value lists by JSON pointer, e.g. {\"/site/country\": [\"Malaysia\", \"Kenya\"]}");
    return out;
  }
  std::vector<std::pair<std::string, std::vector<Json>>> axes;
  std::size_t count = 1;
  for (const auto& [pointer, values] : grid->items()) {
    const std::string path = "grid/" + json_pointer_escape(pointer);
    if (!valid_pointer(pointer)) vr.problem_at(path, nlohmann::json(pointer).dump(), kPointerExpected);
    if (!values.is_array() || values.empty()) {
      vr.problem_at(path, json_excerpt(values), "a non-empty array of the values to sweep");
      return {};
    }
    count *= values.size();
    if (count > kMaxSweepPoints) {
      vr.problem_at("grid", std::to_string(count) + "+ points", "at most " + std::to_string(kMaxSweepPoints) + " points");
      return {};
    }
    axes.emplace_back(pointer, std::vector<Json>(values.begin(), values.end()));
  }
  for (std::size_t k = 0; k < count; ++k) {
    SweepPoint p;
    std::size_t rest = k;
    std::vector<std::size_t> index(axes.size());
    for (std::size_t a = axes.size(); a-- > 0;) {
      index[a] = rest % axes[a].second.size();
      rest /= axes[a].second.size();
    }
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const Json& v = axes[a].second[index[a]];
      p.label += (a ? ", " : "") + axes[a].first + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      p.set.emplace_back(axes[a].first, v);
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

SweepSpec read_sweep(const nlohmann::json& doc, const std::string& file_label) {
  InputProblems problems;
  SweepSpec s;
  s.source_path = file_label;
  JsonObjectReader root(doc, "", file_label, problems);
  s.scenario = root.required_string("scenario");
  s.replications = static_cast<int>(root.integer("replications", 0, 0, 100000));
  s.uncertainty = root.choice("uncertainty", "keep", {"keep", "drop"});
  s.statistic = root.choice("statistic", "p50", {"mean", "p10", "p50", "p90"});
  if (const Json* k = root.raw("kpis")) {
    if (!k->is_array() || k->empty()) {
      root.problem_at("kpis", json_excerpt(*k), "a non-empty array of KPI names, e.g. [\"npv_usd\", \"min_dscr\"]");
    } else {
      for (std::size_t i = 0; i < k->size(); ++i) {
        if (!(*k)[i].is_string()) root.problem_at("kpis/" + std::to_string(i), json_excerpt((*k)[i]), "a KPI name");
        else s.kpis.push_back((*k)[i].get<std::string>());
      }
    }
  } else {
    root.problem_at("kpis", "", "the KPI names each point reports, e.g. [\"npv_usd\", \"min_dscr\", \"pue_annual\"]");
  }
  if (auto vr = root.object("variants")) {
    s.variants = read_grid(*vr);
    std::vector<SweepPoint> listed = read_points(*vr, "list", "variants");
    s.variants.insert(s.variants.end(), listed.begin(), listed.end());
    if (!vr->has("grid") && !vr->has("list")) vr->problem_here("{}", "a \"grid\" or a \"list\" of variants");
    vr->finish();
  }
  s.cases = read_points(root, "cases", "named cases");
  if (const Json* list = root.raw("sensitivity")) {
    if (!list->is_array()) {
      root.problem_at("sensitivity", json_excerpt(*list), "an array of {\"path\", \"low\", \"high\"}");
    } else {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < list->size(); ++i) {
        JsonObjectReader r((*list)[i], root.child_path("sensitivity") + "/" + std::to_string(i), file_label, problems);
        SensitivityInput in;
        in.pointer = r.required_string("path");
        if (r.has("path") && !valid_pointer(in.pointer)) r.problem_at("path", nlohmann::json(in.pointer).dump(), kPointerExpected);
        if (r.has("path") && !seen.insert(in.pointer).second) {
          r.problem_at("path", nlohmann::json(in.pointer).dump(), "a path no other sensitivity input names");
        }
        const Range finite{-1e300, 1e300, false, false};
        if (r.has("low") || r.has("high")) {
          in.low = r.required_number("low", finite);
          in.high = r.required_number("high", finite);
          if (r.has("low") && r.has("high") && !(in.low < in.high)) {
            r.problem_at("high", nlohmann::json(in.high).dump(), "more than low (" + nlohmann::json(in.low).dump() + ")");
          }
        } else {
          in.from_uncertainty = true;  // P10 and P90 of the base scenario's distribution, checked by run_sweep
        }
        r.finish();
        s.sensitivity.push_back(std::move(in));
      }
    }
  }
  if (const Json* list = root.raw("break_even")) {
    if (!list->is_array()) {
      root.problem_at("break_even", json_excerpt(*list),
                      "an array of {\"path\", \"kpi\", \"target\", \"low\", \"high\"} (optionally statistic, tolerance)");
    } else {
      for (std::size_t i = 0; i < list->size(); ++i) {
        JsonObjectReader r((*list)[i], root.child_path("break_even") + "/" + std::to_string(i), file_label, problems);
        BreakEvenSpec b;
        b.pointer = r.required_string("path");
        if (r.has("path") && !valid_pointer(b.pointer)) r.problem_at("path", nlohmann::json(b.pointer).dump(), kPointerExpected);
        b.kpi = r.required_string("kpi");
        b.statistic = r.choice("statistic", "p50", {"mean", "p10", "p50", "p90"});
        const Range finite{-1e300, 1e300, false, false};
        b.target = r.required_number("target", finite);
        b.low = r.required_number("low", finite);
        b.high = r.required_number("high", finite);
        if (r.has("low") && r.has("high") && !(b.low < b.high)) {
          r.problem_at("high", nlohmann::json(b.high).dump(), "more than low (" + nlohmann::json(b.low).dump() + ")");
        }
        b.tolerance = r.number("tolerance", 0.0, Range::non_negative());
        if (b.tolerance == 0.0) b.tolerance = (b.high - b.low) * 1e-4;
        b.label = r.string("label", b.kpi + " " + b.statistic + " = " + nlohmann::json(b.target).dump() + " by " + b.pointer);
        r.finish();
        s.break_even.push_back(std::move(b));
      }
    }
  }
  if (root.is_object() && s.variants.empty() && s.cases.empty() && s.sensitivity.empty() && s.break_even.empty() &&
      problems.empty()) {
    root.problem_here("{}", "at least one of variants, cases, sensitivity or break_even (an empty sweep runs nothing)");
  }
  root.finish();
  problems.throw_if_any();
  return s;
}

}  // namespace aidc
