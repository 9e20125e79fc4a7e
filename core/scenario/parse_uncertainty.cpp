#include "core/scenario/parse_uncertainty.hpp"

#include "core/model/uncertainty_sampling.hpp"
#include "core/scenario/perf_catalog.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>


namespace aidc {

namespace {

constexpr const char* kAllowedPrefixes[] = {"/site/grid/", "/site/water_price_usd_per_m3", "/facility/", "/fleet/",
                                            "/economics/"};
// More inputs than any sensitivity study names; keeps the samples table and the copula small.
constexpr std::size_t kMaxUncertainInputs = 64;

std::string text(double x) { return nlohmann::json(x).dump(); }

const char* kind_name(DistributionKind k) {
  switch (k) {
    case DistributionKind::Normal: return "normal";
    case DistributionKind::Lognormal: return "lognormal";
    case DistributionKind::Triangular: return "triangular";
    case DistributionKind::Discrete: return "discrete";
    case DistributionKind::Uniform: break;
  }
  return "uniform";
}

void read_distribution(JsonObjectReader& r, Distribution& d) {
  const std::string kind =
      r.choice("distribution", "uniform", {"normal", "lognormal", "triangular", "uniform", "discrete"});
  const Range finite{-1e300, 1e300, false, false};
  if (kind == "normal") {
    d.kind = DistributionKind::Normal;
    d.mean = r.required_number("mean", finite);
    d.sd = r.required_number("sd", Range::positive());
  } else if (kind == "lognormal") {
    d.kind = DistributionKind::Lognormal;
    d.median = r.required_number("median", Range::positive());
    d.sigma = r.required_number("sigma", {0.0, 10.0, true, false});
  } else if (kind == "triangular") {
    d.kind = DistributionKind::Triangular;
    d.low = r.required_number("low", finite);
    d.mode = r.required_number("mode", finite);
    d.high = r.required_number("high", finite);
    if (!(d.low <= d.mode && d.mode <= d.high && d.low < d.high)) {
      r.problem_here("low " + text(d.low) + ", mode " + text(d.mode) + ", high " + text(d.high),
                     "low <= mode <= high with low < high");
    }
  } else if (kind == "uniform") {
    d.kind = DistributionKind::Uniform;
    d.low = r.required_number("low", finite);
    d.high = r.required_number("high", finite);
    if (!(d.low < d.high)) r.problem_here("low " + text(d.low) + ", high " + text(d.high), "low < high");
  } else {
    d.kind = DistributionKind::Discrete;
    const nlohmann::json* values = r.raw("values");
    const nlohmann::json* weights = r.raw("weights");
    auto numbers = [&](const nlohmann::json* a, const char* key, Range range, std::vector<double>& out) {
      if (!a) return;
      if (!a->is_array() || a->empty()) {
        r.problem_at(key, json_excerpt(*a), "a non-empty array of numbers");
        return;
      }
      for (std::size_t i = 0; i < a->size(); ++i) {
        const nlohmann::json& x = (*a)[i];
        if (!x.is_number() || !range.contains(x.get<double>())) {
          r.problem_at(std::string(key) + "/" + std::to_string(i), json_excerpt(x), range.describe());
          return;
        }
        out.push_back(x.get<double>());
      }
    };
    if (!values) r.problem_at("values", "", "an array of the values the input may take");
    numbers(values, "values", finite, d.values);
    numbers(weights, "weights", Range::non_negative(), d.weights);
    if (weights && !d.weights.empty() && d.weights.size() != d.values.size()) {
      r.problem_at("weights", json_excerpt(*weights),
                   "one weight per value (" + std::to_string(d.values.size()) + " values)");
    }
    double sum = 0.0;
    for (double w : d.weights) sum += w;
    if (!d.weights.empty() && !(sum > 0.0)) r.problem_at("weights", json_excerpt(*weights), "weights with a sum > 0");
    if (d.weights.empty()) d.weights.assign(d.values.size(), 1.0);
  }
  d.min = r.number("min", -1e308, finite);
  d.max = r.number("max", 1e308, finite);
  if (r.has("min") || r.has("max")) {
    if (!(d.min < d.max)) r.problem_at("max", text(d.max), "more than min (" + text(d.min) + ")");
    // The truncated range must hold some probability.
    const bool empty = (d.kind == DistributionKind::Uniform || d.kind == DistributionKind::Triangular)
                           ? (d.max <= d.low || d.min >= d.high)
                       : d.kind == DistributionKind::Lognormal ? d.max <= 0.0
                                                               : false;
    if (empty) r.problem_here("min " + text(d.min) + ", max " + text(d.max), "bounds that overlap the distribution");
  }
}

}  // namespace

bool uncertain_pointer_allowed(const std::string& pointer) {
  for (const char* p : kAllowedPrefixes) {
    const std::string prefix(p);
    if (pointer.compare(0, prefix.size(), prefix) == 0 &&
        (prefix.back() == '/' ? pointer.size() > prefix.size() : pointer.size() == prefix.size())) {
      return true;
    }
  }
  return false;
}

void read_uncertainty(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                      UncertaintySpec& u) {
  u.enabled = true;
  u.sampling = r.choice("sampling", "latin_hypercube", {"latin_hypercube", "random"});
  u.throughput_error = r.choice("throughput_error", "none", {"none", "validation"});
  if (u.throughput_error == "validation") {
    bool inference = false, training = false;
    for (const WorkloadSpec& w : s.workloads) {
      inference = inference || w.kind == WorkloadKind::Inference;
      training = training || w.kind != WorkloadKind::Inference;
    }
    // Each workload's most specific error class with an entry (throughput_error_keys: its engine's when it has its
    // own calibration, then kind/generation/architecture, kind/architecture, kind); one multiplier per kind, so the
    // kind takes its workloads' largest sigma. A service with "serving": "any" is laid out by the search, after this
    // parse: it takes the larger of its co-located and its disaggregated class's sigma.
    auto class_sigma = [&](const WorkloadSpec& w, bool disaggregated) {
      const std::string kind = w.kind == WorkloadKind::Inference ? "inference" : "training";
      for (const std::string& key : throughput_error_keys(
               kind, w.arch, w.accel, w.kind == WorkloadKind::Inference ? w.engine : "", disaggregated)) {
        if (catalog.entry("estimator_errors", key)) return catalog_default(catalog, "estimator_errors", key, used);
      }
      return catalog_default(catalog, "estimator_errors", kind, used);
    };
    auto sigma_of = [&](const WorkloadSpec& w) {
      if (w.kind != WorkloadKind::Inference) return class_sigma(w, false);
      if (w.serving == "any") return std::max(class_sigma(w, false), class_sigma(w, true));
      return class_sigma(w, w.serving == "disaggregated");
    };
    if (!s.fleet.enabled || (!inference && !training)) {
      r.problem_at("throughput_error", "\"validation\"",
                   "\"none\", or a \"fleet\" section with workloads (the throughput model's error acts on the "
                   "workloads in operation)");
    } else {
      for (const WorkloadSpec& w : s.workloads) {
        double& sigma = w.kind == WorkloadKind::Inference ? u.inference_log_sigma : u.training_log_sigma;
        sigma = std::max(sigma, sigma_of(w));
      }
    }
  }
  const nlohmann::json* list = r.raw("inputs");
  std::set<std::string> pointers;
  if (!list && u.throughput_error != "none") {
    // Only the throughput model's error: no inputs needed.
  } else if (!list || !list->is_array() || list->empty()) {
    r.problem_at("inputs", list ? json_excerpt(*list) : "",
                 "a non-empty array of uncertain inputs, each {\"path\": \"/economics/...\", \"distribution\", its "
                 "parameters}");
  } else if (list->size() > kMaxUncertainInputs) {
    r.problem_at("inputs", std::to_string(list->size()) + " inputs",
                 "at most " + std::to_string(kMaxUncertainInputs) + " uncertain inputs");
  } else {
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObjectReader ir((*list)[i], r.child_path("inputs") + "/" + std::to_string(i), r.file(), r.problems());
      UncertainInput in;
      in.pointer = ir.required_string("path");
      if (ir.has("path")) {
        if (in.pointer.empty() || in.pointer.front() != '/') {
          ir.problem_at("path", nlohmann::json(in.pointer).dump(),
                        "a JSON pointer (RFC 6901) to a number of the scenario, e.g. \"/economics/revenue/usd_per_gpu_hour\"");
        } else if (!uncertain_pointer_allowed(in.pointer)) {
          ir.problem_at("path", nlohmann::json(in.pointer).dump(),
                        "a value under /site/grid, /site/water_price_usd_per_m3, /facility, /fleet or /economics (the "
                        "weather, the IT, the workloads and the claims are fixed in a run)");
        } else if (!pointers.insert(in.pointer).second) {
          ir.problem_at("path", nlohmann::json(in.pointer).dump(), "a path no other uncertain input names");
        }
      }
      read_distribution(ir, in.distribution);
      in.units = ir.string("units", "");
      in.source = ir.string("source", "");
      ir.finish();
      u.inputs.push_back(std::move(in));
    }
  }
  if (const nlohmann::json* cl = r.raw("correlations")) {
    const std::string path = r.child_path("correlations");
    if (!cl->is_array()) {
      r.problem_at("correlations", json_excerpt(*cl), "an array of {\"between\": [path, path], \"rho\": r}");
    } else {
      for (std::size_t k = 0; k < cl->size(); ++k) {
        JsonObjectReader cr((*cl)[k], path + "/" + std::to_string(k), r.file(), r.problems());
        InputCorrelation ic;
        ic.rho = cr.required_number("rho", {-1.0, 1.0, true, true});
        const nlohmann::json* between = cr.raw("between");
        auto index_of = [&](const nlohmann::json& p) -> std::optional<std::size_t> {
          if (!p.is_string()) return std::nullopt;
          for (std::size_t i = 0; i < u.inputs.size(); ++i) {
            if (u.inputs[i].pointer == p.get<std::string>()) return i;
          }
          return std::nullopt;
        };
        std::optional<std::size_t> a, b;
        if (between && between->is_array() && between->size() == 2) {
          a = index_of((*between)[0]);
          b = index_of((*between)[1]);
        }
        if (!a || !b || *a == *b) {
          cr.problem_at("between", between ? json_excerpt(*between) : "",
                        "the paths of two different uncertain inputs of /uncertainty/inputs");
        } else {
          ic.a = *a;
          ic.b = *b;
          u.correlations.push_back(ic);
        }
        cr.finish();
      }
      if (!u.correlations.empty() && !cholesky_factor(correlation_matrix(u))) {
        r.problem_at("correlations", json_excerpt(*cl),
                     "correlations that some joint distribution has (the correlation matrix is not positive definite)");
      }
    }
  }
  r.finish();
}

nlohmann::json uncertainty_to_json(const UncertaintySpec& u) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const UncertainInput& in : u.inputs) {
    const Distribution& d = in.distribution;
    nlohmann::json j = {{"path", in.pointer}, {"distribution", kind_name(d.kind)}};
    switch (d.kind) {
      case DistributionKind::Normal: j["mean"] = d.mean; j["sd"] = d.sd; break;
      case DistributionKind::Lognormal: j["median"] = d.median; j["sigma"] = d.sigma; break;
      case DistributionKind::Triangular: j["low"] = d.low; j["mode"] = d.mode; j["high"] = d.high; break;
      case DistributionKind::Uniform: j["low"] = d.low; j["high"] = d.high; break;
      case DistributionKind::Discrete: j["values"] = d.values; j["weights"] = d.weights; break;
    }
    if (d.min > -1e308) j["min"] = d.min;
    if (d.max < 1e308) j["max"] = d.max;
    if (!in.units.empty()) j["units"] = in.units;
    if (!in.source.empty()) j["source"] = in.source;
    inputs.push_back(std::move(j));
  }
  nlohmann::json out = {{"sampling", u.sampling}, {"throughput_error", u.throughput_error}};
  if (!u.inputs.empty()) out["inputs"] = inputs;
  if (!u.correlations.empty()) {
    nlohmann::json c = nlohmann::json::array();
    for (const InputCorrelation& ic : u.correlations) {
      c.push_back({{"between", {u.inputs[ic.a].pointer, u.inputs[ic.b].pointer}}, {"rho", ic.rho}});
    }
    out["correlations"] = c;
  }
  return out;
}

}  // namespace aidc
