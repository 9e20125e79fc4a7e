#include "core/scenario/parse_workloads.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/scenario/input_error.hpp"
#include "core/scenario/input_limits.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"

namespace aidc {

namespace {

constexpr long long kMaxTokens = 10'000'000;
constexpr long long kMaxGpus = 10'000'000;

Precision precision_from(const std::string& text) {
  if (text == "bf16") return Precision::Bf16;
  if (text == "fp4") return Precision::Fp4;
  return Precision::Fp8;
}

// The highest request rate over the horizon (diurnal peak, weekend factor, compounded growth) must stay within
// limits::kMaxRequestsPerS: it sets the instance count, an int.
void check_peak_demand(const JsonObjectReader& d, const DemandSpec& demand, int horizon_h) {
  const double years = static_cast<double>(horizon_h) / 8760.0;
  const double peak = demand.mean_requests_per_s * (1.0 + demand.diurnal_amplitude) *
                      std::max(1.0, demand.weekend_factor) * std::pow(1.0 + std::max(0.0, demand.annual_growth), years);
  if (!(peak <= limits::kMaxRequestsPerS)) {
    d.problem_at("annual_growth", nlohmann::json(demand.annual_growth).dump(),
                 "a demand whose peak over the horizon stays at most " + limits::short_number(limits::kMaxRequestsPerS) +
                     " requests/s (mean × (1 + diurnal_amplitude) × weekend_factor × (1 + annual_growth)^years reaches " +
                     limits::short_number(peak) + ")");
  }
}

// How the workload runs over the horizon (issue 4): only with a "fleet" section, where it is required.
void read_operation(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                    const SystemSpec* sys, WorkloadSpec& w) {
  const bool inference = w.kind == WorkloadKind::Inference;
  static const std::vector<std::string> inference_keys = {"priority", "instances", "demand"};
  static const std::vector<std::string> training_keys = {"priority", "tokens", "start_h", "checkpoint_interval_s",
                                                         "checkpoint_s", "restart_s", "deadline_d"};
  const auto& keys = inference ? inference_keys : training_keys;
  if (!s.fleet.enabled) {
    // Without a fleet the workload is only estimated; operation keys would be silently ignored, so say so.
    for (const std::string& k : keys) {
      if (r.has(k)) {
        r.accept(k);
        r.problem_at(k, json_excerpt(*r.raw(k)),
                     "no \"" + k + "\" here, or a top-level \"fleet\" section (operating workloads over the horizon "
                     "needs the fleet they run on)");
      }
    }
    return;
  }
  w.priority = static_cast<int>(r.integer("priority", inference ? 1 : 0, -1000, 1000));
  const int gpn = sys ? std::max(1, sys->gpus_per_system) : 1;
  const long long pool_nodes = [&] {
    long long n = 0;
    for (const SystemSpec& x : s.it.systems) {
      if (sys && x.name == sys->name) n += x.count;
    }
    return n;
  }();
  if (inference) {
    w.instances = static_cast<int>(r.integer("instances", 0, 0, kMaxGpus));
    if (sys && w.instances > 0) {
      const long long nodes_per_instance = (w.gpus + gpn - 1) / gpn;
      const long long per_node = w.gpus < gpn ? gpn / w.gpus : 1;
      const long long nodes = w.gpus < gpn ? (w.instances + per_node - 1) / per_node : w.instances * nodes_per_instance;
      if (nodes > pool_nodes) {
        r.problem_at("instances", std::to_string(w.instances),
                     "at most what the site's " + std::to_string(pool_nodes) + " " + sys->name + " systems hold (" +
                         std::to_string(w.instances) + " instances of " + std::to_string(w.gpus) + " GPUs need " +
                         std::to_string(nodes) + " systems)");
      }
    }
    if (auto d = r.object("demand")) {
      w.demand.mean_requests_per_s =
          d->required_number("mean_requests_per_s", limits::positive_up_to(limits::kMaxRequestsPerS));
      w.demand.diurnal_amplitude = d->number("diurnal_amplitude", 0.0, Range::fraction());
      w.demand.peak_hour = d->number("peak_hour", 14.0, {0.0, 24.0, false, true});
      // Weekends at ten times the weekday demand would be a different service, not a weekly shape.
      w.demand.weekend_factor = d->number("weekend_factor", 1.0, limits::up_to(10.0));
      w.demand.annual_growth = d->number("annual_growth", 0.0, {-1.0, 10.0, true, false});
      check_peak_demand(*d, w.demand, s.horizon_h);
      d->finish();
    } else if (!r.has("demand")) {
      r.problem_at("demand", "", "an object {\"mean_requests_per_s\", ...}: with a \"fleet\" section every "
                                 "inference workload is a service with a demand");
    }
  } else {
    w.tokens = r.required_number("tokens", limits::positive_up_to(limits::kMaxTrainingTokens));
    w.start_h = r.number("start_h", 0.0, {0.0, static_cast<double>(s.horizon_h), false, true});
    const Range duration = limits::up_to(limits::kMaxDurationS);
    w.checkpoint_interval_s = r.number("checkpoint_interval_s", 0.0, duration);
    w.checkpoint_s = r.number("checkpoint_s", catalog_default(catalog, "facility_defaults", "training_checkpoint_s", used),
                              duration);
    w.restart_s = r.number("restart_s", catalog_default(catalog, "facility_defaults", "training_restart_s", used),
                           duration);
    // Only `aidcsim size` reads the deadline (the least hardware that meets it); a run reports time_to_train_d.
    w.deadline_d = r.optional_number("deadline_d", limits::positive_up_to(limits::kMaxDurationD)).value_or(0.0);
  }
}

void read_one(JsonObjectReader& r, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
              WorkloadSpec& w) {
  w.name = r.required_string("name");
  if (r.has("name") && !w.name.empty() && !hdf5_safe_name(w.name)) {
    r.problem_at("name", nlohmann::json(w.name).dump(),
                 "1 to " + std::to_string(limits::kMaxWorkloadNameBytes) +
                     " letters, digits, '-' or '_' (the name becomes the HDF5 group /perf/<name> and prefixes KPI "
                     "names such as <name>.capacity_tokens_per_s, which the results file holds in 63 bytes)");
  }
  if (!r.has("type")) r.problem_at("type", "", "one of: inference, training");
  const std::string type = r.choice("type", "inference", {"inference", "training"});
  w.kind = type == "training" ? WorkloadKind::Training : WorkloadKind::Inference;
  const bool inference = w.kind == WorkloadKind::Inference;

  w.model = r.required_string("model");
  const nlohmann::json* model = w.model.empty() ? nullptr : catalog.entry("llm_models", w.model);
  if (!w.model.empty() && !model) {
    r.problem_at("model", nlohmann::json(w.model).dump(),
                 "a model in " + catalog.label("llm_models") + ", " +
                     expected_one_of(w.model, catalog.names("llm_models")));
  }
  if (model) {
    used["llm_models"][w.model] = *model;
    w.arch = llm_arch_from_catalog(catalog, w.model, r.file());
  }

  // The system must be one the site holds; its GPUs bound the workload's.
  w.system = r.required_string("system");
  std::vector<std::string> fleet;
  long long site_gpus = 0;
  const SystemSpec* sys = nullptr;
  for (const SystemSpec& x : s.it.systems) {
    if (std::find(fleet.begin(), fleet.end(), x.name) == fleet.end()) fleet.push_back(x.name);
    if (x.name == w.system) {
      sys = &x;
      site_gpus += static_cast<long long>(x.count) * x.gpus_per_system;
    }
  }
  if (!w.system.empty() && !sys) {
    r.problem_at("system", nlohmann::json(w.system).dump(),
                 "a system of this scenario's it.systems, " + expected_one_of(w.system, fleet));
  }
  if (sys && !sys->accelerator.empty() && catalog.entry("accelerators", sys->accelerator)) {
    w.accelerator = sys->accelerator;
    w.accel = accelerator_from_catalog(catalog, w.accelerator, r.file());
  }

  w.gpus = static_cast<int>(r.required_integer("gpus", 1, kMaxGpus));
  if (sys && r.has("gpus") && w.gpus > site_gpus) {
    r.problem_at("gpus", std::to_string(w.gpus),
                 "at most the " + std::to_string(site_gpus) + " GPUs the site holds in " + w.system + " systems (" +
                     std::to_string(site_gpus / std::max(1, sys->gpus_per_system)) + " x " +
                     std::to_string(sys->gpus_per_system) + " " + w.accelerator + ")");
  }
  w.precision = precision_from(r.choice("precision", inference ? "fp8" : "bf16", {"bf16", "fp8", "fp4"}));
  auto unsupported_precision = [&](const std::string& way_out) {
    r.problem_at("precision", nlohmann::json(precision_name(w.precision)).dump(),
                 "a precision " + w.accelerator + " supports (it has no dense " + precision_name(w.precision) +
                     " peak in " + catalog.label("accelerators") + ")" + way_out);
  };
  // (checked against the engine below for inference: vLLM serves FP8 weight-only where the GPU has no FP8 peak)
  if (!inference && !w.accelerator.empty() && peak_flops_per_s(w.accel, w.precision) <= 0.0) {
    unsupported_precision("");
  }
  w.tp = static_cast<int>(r.integer("tp", 0, 0, kMaxGpus));
  w.pp = static_cast<int>(r.integer("pp", 0, 0, kMaxGpus));
  // (inference: checked below, once the serving mode is known: disaggregated instances of two tps fill the GPUs
  // together, 12 = 8 + 4)
  if (!inference && w.tp > 0 && w.gpus % w.tp != 0) {
    r.problem_at("tp", std::to_string(w.tp), "a divisor of gpus (" + std::to_string(w.gpus) + "), or 0 to search");
  }
  if (w.pp > 0 && w.gpus % w.pp != 0) {
    r.problem_at("pp", std::to_string(w.pp), "a divisor of gpus (" + std::to_string(w.gpus) + "), or 0 to search");
  }
  if (inference) {
    if (const nlohmann::json* mix = r.raw("mix")) {
      // A request length mix: classes with shares summing to 1; isl/osl then come from the mix.
      if (!mix->is_array() || mix->empty() || mix->size() > 16) {
        r.problem_at("mix", json_excerpt(*mix), "an array of 1 to 16 classes {\"share\", \"isl\", \"osl\"}");
      } else {
        double shares = 0.0, isl = 0.0, osl = 0.0;
        for (std::size_t i = 0; i < mix->size(); ++i) {
          JsonObjectReader cr((*mix)[i], r.child_path("mix") + "/" + std::to_string(i), r.file(), r.problems());
          RequestClass c;
          c.share = cr.required_number("share", Range::unit_open_low());
          c.isl = static_cast<int>(cr.required_integer("isl", 1, kMaxTokens));
          c.osl = static_cast<int>(cr.required_integer("osl", 1, kMaxTokens));
          cr.finish();
          shares += c.share;
          isl += c.share * c.isl;
          osl += c.share * c.osl;
          w.mix.push_back(c);
        }
        if (std::abs(shares - 1.0) > 1e-6) {
          r.problem_at("mix", json_excerpt(*mix), "shares that sum to 1 (they sum to " + nlohmann::json(shares).dump() + ")");
        }
        w.isl = std::max(1, static_cast<int>(std::lround(isl)));
        w.osl = std::max(1, static_cast<int>(std::lround(osl)));
      }
      for (const char* k : {"isl", "osl"}) {
        if (r.has(k)) {
          r.accept(k);
          r.problem_at(k, json_excerpt(*r.raw(k)), "no \"" + std::string(k) + "\" next to a \"mix\" (the mix sets the lengths)");
        }
      }
    } else {
      w.isl = static_cast<int>(r.required_integer("isl", 1, kMaxTokens));
      w.osl = static_cast<int>(r.required_integer("osl", 1, kMaxTokens));
    }
    w.concurrency = static_cast<int>(r.integer("concurrency", 0, 0, kMaxTokens));
    w.ttft_slo_s = r.number("ttft_slo_s", 0.0, limits::up_to(limits::kMaxLatencySloS));
    w.tpot_slo_s = r.number("tpot_slo_s", 0.0, limits::up_to(limits::kMaxLatencySloS));
    w.engine = r.choice("engine", "trtllm", {"trtllm", "vllm", "sglang", "trtllm-serve"});
    if (!w.accelerator.empty()) {
      ServingEngine engine = ServingEngine::TrtLlm;
      engine_by_name(w.engine, engine);  // one of the names r.choice accepted
      if (gemm_peak_flops_per_s(w.accel, w.precision,
                                inference_efficiency(w.accel.generation, w.precision, engine)) <= 0.0) {
        unsupported_precision(vllm_serves_fp8_weight_only(w.accel, w.precision)
                                  ? "; \"engine\": \"vllm\" serves FP8 checkpoints on it weight-only (FP8 Marlin, "
                                    "W8A16)"
                                  : "");
      }
    }
    w.prefill_instances = static_cast<int>(r.integer("prefill_instances", 0, 0, kMaxGpus));
    w.prefill_tp = static_cast<int>(r.integer("prefill_tp", 0, 0, kMaxGpus));
    w.serving = r.choice("serving", w.prefill_instances > 0 || w.prefill_tp > 0 ? "disaggregated" : "aggregated",
                         {"aggregated", "disaggregated", "any"});
    if (w.tp > 0 && w.gpus % w.tp != 0 && w.serving == "aggregated") {
      r.problem_at("tp", std::to_string(w.tp),
                   "a divisor of gpus (" + std::to_string(w.gpus) + "), or 0 to search (or \"serving\": "
                   "\"disaggregated\", whose prefill instances may fill the rest at a tp of their own)");
    }
    if ((w.prefill_instances > 0 || w.prefill_tp > 0) && w.serving == "aggregated") {
      const bool count = w.prefill_instances > 0;
      r.problem_at(count ? "prefill_instances" : "prefill_tp", std::to_string(count ? w.prefill_instances : w.prefill_tp),
                   "no fixed prefill/decode split with \"serving\": \"aggregated\" (use \"disaggregated\" or \"any\")");
    } else if ((w.prefill_instances > 0 || w.prefill_tp > 0 || w.serving == "disaggregated") && w.arch.layers > 0 &&
               w.accel.hbm_bytes > 0.0 && (w.pp == 0 || w.gpus % w.pp == 0)) {
      // some layout holds the fixed split: np prefill instances at prefill_tp beside at least one decode instance at
      // tp (the searched ones where not fixed) fill the GPUs per stage (enumerate_inference_configs)
      InferenceProblem pr;
      pr.arch = w.arch;
      pr.accel = w.accel;
      pr.gpus = w.gpus;
      pr.serving = ServingMode::Disaggregated;
      pr.fixed_tp = w.tp;
      pr.fixed_pp = w.pp;
      pr.max_pp = std::max(pr.max_pp, w.pp);  // the search's depth limit yields to a given pp
      pr.fixed_prefill_tp = w.prefill_tp;
      pr.fixed_prefill_replicas = w.prefill_instances;
      if (count_layouts(pr) == 0) {
        const std::string decode = w.tp > 0 ? " at tp " + std::to_string(w.tp) : "";
        const std::string over = w.pp > 1 ? " over pp " + std::to_string(w.pp) : "";
        if (w.prefill_tp > 0) {
          r.problem_at("prefill_tp", std::to_string(w.prefill_tp),
                       "a tensor-parallel degree for the prefill instances that the engines run on " + w.model + " (" +
                           std::to_string(w.arch.heads) + " heads, " + std::to_string(w.arch.kv_heads) +
                           " KV heads) within the " + std::to_string(w.accel.scaleup_domain_gpus) +
                           "-GPU scale-up domain, whose instances" +
                           (w.prefill_instances > 0 ? " (" + std::to_string(w.prefill_instances) + ")" : "") +
                           " and at least one decode instance" + decode + " fill the workload's " +
                           std::to_string(w.gpus) + " GPUs" + over);
        } else if (w.prefill_instances > 0) {
          r.problem_at("prefill_instances", std::to_string(w.prefill_instances),
                       "a count of prefill instances (each of at least one GPU per pipeline stage, at a tp the engines "
                       "run) that leaves room in the workload's " + std::to_string(w.gpus) + " GPUs" + over +
                           " for at least one decode instance" + decode);
        } else {
          r.problem_at("serving", "\"disaggregated\"",
                       "at least 2 instances in the workload's " + std::to_string(w.gpus) + " GPUs" + over +
                           " (one prefill and one decode instance" + decode + ")");
        }
      }
    }
  } else {
    w.seq = static_cast<int>(r.required_integer("seq", 1, kMaxTokens));
    w.global_batch_tokens =
        r.required_number("global_batch_tokens", limits::positive_up_to(limits::kMaxGlobalBatchTokens));
    w.cp = static_cast<int>(r.integer("cp", 0, 0, kMaxGpus));
    w.schedule = r.choice("schedule", "searched", {"searched", "1f1b", "zero-bubble", "dualpipe"});
    if (r.has("seq") && r.has("global_batch_tokens") && w.seq > 0 && w.global_batch_tokens < w.seq) {
      r.problem_at("global_batch_tokens", nlohmann::json(w.global_batch_tokens).dump(),
                   "at least one sequence (seq = " + std::to_string(w.seq) + " tokens)");
    }
  }
  read_operation(r, catalog, s, used, sys, w);
  r.finish();
}

}  // namespace

bool hdf5_safe_name(const std::string& name) {
  if (name.empty() || name.size() > limits::kMaxWorkloadNameBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void read_workloads(JsonObjectReader& root, const Catalog& catalog, const Scenario& s, nlohmann::json& used,
                    std::vector<WorkloadSpec>& out) {
  const nlohmann::json* list = root.raw("workloads");
  if (!list) return;
  if (!list->is_array()) {
    root.problem_at("workloads", json_excerpt(*list), "an array of workloads, each {\"name\", \"type\", \"model\", ...}");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    JsonObjectReader r((*list)[i], root.child_path("workloads") + "/" + std::to_string(i), root.file(),
                       root.problems());
    WorkloadSpec w;
    read_one(r, catalog, s, used, w);
    if (!w.name.empty() && !names.insert(w.name).second) {
      r.problem_at("name", nlohmann::json(w.name).dump(), "a name no other workload has (each gets /perf/<name>)");
    }
    out.push_back(std::move(w));
  }
}

nlohmann::json workloads_to_json(const std::vector<WorkloadSpec>& workloads, bool operated) {
  nlohmann::json a = nlohmann::json::array();
  for (const WorkloadSpec& w : workloads) {
    nlohmann::json j = {{"name", w.name},
                        {"type", w.kind == WorkloadKind::Training ? "training" : "inference"},
                        {"model", w.model},
                        {"system", w.system},
                        {"gpus", w.gpus},
                        {"precision", precision_name(w.precision)},
                        {"tp", w.tp},
                        {"pp", w.pp}};
    if (w.kind == WorkloadKind::Inference && !w.mix.empty()) {
      nlohmann::json m = nlohmann::json::array();
      for (const RequestClass& c : w.mix) m.push_back({{"share", c.share}, {"isl", c.isl}, {"osl", c.osl}});
      j["mix"] = m;
    }
    if (w.kind == WorkloadKind::Inference) {
      if (w.mix.empty()) {
        j["isl"] = w.isl;
        j["osl"] = w.osl;
      }
      j["concurrency"] = w.concurrency;
      j["ttft_slo_s"] = w.ttft_slo_s;
      j["tpot_slo_s"] = w.tpot_slo_s;
      j["engine"] = w.engine;
      j["serving"] = w.serving;
      if (w.prefill_instances > 0) j["prefill_instances"] = w.prefill_instances;
      if (w.prefill_tp > 0) j["prefill_tp"] = w.prefill_tp;
    } else {
      j["seq"] = w.seq;
      j["global_batch_tokens"] = w.global_batch_tokens;
      j["cp"] = w.cp;
      j["schedule"] = w.schedule;
    }
    if (operated) {
      j["priority"] = w.priority;
      if (w.kind == WorkloadKind::Inference) {
        j["instances"] = w.instances;
        j["demand"] = {{"mean_requests_per_s", w.demand.mean_requests_per_s},
                       {"diurnal_amplitude", w.demand.diurnal_amplitude},
                       {"peak_hour", w.demand.peak_hour},
                       {"weekend_factor", w.demand.weekend_factor},
                       {"annual_growth", w.demand.annual_growth}};
      } else {
        j["tokens"] = w.tokens;
        j["start_h"] = w.start_h;
        j["checkpoint_interval_s"] = w.checkpoint_interval_s;
        j["checkpoint_s"] = w.checkpoint_s;
        j["restart_s"] = w.restart_s;
        if (w.deadline_d > 0.0) j["deadline_d"] = w.deadline_d;
      }
    }
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace aidc
