#include "core/run/workload_estimates.hpp"

#include "core/stats/number_text.hpp"

#include <fmt/format.h>

#include "core/run/perf_estimates.hpp"
#include "core/scenario/input_error.hpp"

namespace aidc {

namespace {

// Columns filled row by row: numeric(name, units) and text(name).
class TableBuilder {
 public:
  explicit TableBuilder(NamedTable& t) : t_(t) {}
  void number(const std::string& name, const std::string& units, double v) { col(name, units, false).values.push_back(v); }
  void text(const std::string& name, const std::string& v) { col(name, "", true).text.push_back(v); }

 private:
  TableColumn& col(const std::string& name, const std::string& units, bool is_text) {
    for (TableColumn& c : t_.columns) {
      if (c.name == name) return c;
    }
    TableColumn c;
    c.name = name;
    c.units = units;
    c.is_text = is_text;
    t_.columns.push_back(std::move(c));
    return t_.columns.back();
  }
  NamedTable& t_;
};

void inference_row(TableBuilder& b, const InferenceConfig& c, const InferenceEstimate& e) {
  b.number("tp", "1", c.tp);
  b.number("pp", "1", c.pp);
  b.number("ep", "1", c.ep);
  b.number("replicas", "1", c.replicas);
  b.number("max_batch", "1", c.max_batch);
  b.number("chunk_tokens", "tokens", c.chunk_tokens);
  b.number("prefill_instances", "1", c.prefill_replicas);  // 0: co-located; else the rest of `replicas` decode
  b.number("prefill_tp", "1", c.prefill_tp);  // disaggregated: the prefill instances' tp (0: co-located)
  b.number("feasible", "1", e.feasible);
  b.number("meets_slo", "1", e.meets_slo);
  b.number("output_tokens_per_s", "tokens/s", e.output_tokens_per_s);
  b.number("output_tokens_per_s_per_gpu", "tokens/s/GPU", e.output_tokens_per_s_per_gpu);
  b.number("ttft_p50_s", "s", e.ttft_p50_s);
  b.number("ttft_p99_s", "s", e.ttft_p99_s);
  b.number("tpot_p50_s", "s", e.tpot_p50_s);
  b.number("tpot_p99_s", "s", e.tpot_p99_s);
  b.number("requests_within_slo", "1", e.slo_attainment);  // share within both SLOs, each its own TTFT and TPOT
  b.number("mean_batch", "1", e.mean_batch);
  b.number("weights_bytes_per_gpu", "B", e.weights_bytes_per_gpu);
  b.number("memory_bytes_per_gpu", "B", e.hbm_bytes_per_gpu);
  b.number("kv_capacity_tokens", "tokens", e.kv_capacity_tokens);
  b.number("kv_transfer_s", "s", e.kv_transfer_s);  // disaggregated: one mean prompt's KV, prefill to decode
}

void training_row(TableBuilder& b, const TrainingConfig& c, const TrainingEstimate& e) {
  b.number("tp", "1", c.tp);
  b.number("pp", "1", c.pp);
  b.number("dp", "1", c.dp);
  b.number("cp", "1", c.cp);
  b.number("ep", "1", c.ep);
  b.number("etp", "1", expert_tp(c));  // expert tensor parallel: tp unless folded (MoE parallel folding)
  b.number("micro_batch", "sequences", c.micro_batch);
  b.number("interleave", "1", c.interleave);
  b.number("zero", "1", c.zero);
  b.text("recompute", recompute_label(c));
  b.number("sequence_parallel", "1", c.sequence_parallel);
  b.text("schedule", schedule_name(c.schedule));
  b.number("feasible", "1", e.feasible);
  b.number("step_time_s", "s", e.step_time_s);
  b.number("tokens_per_s", "tokens/s", e.tokens_per_s);
  b.number("mfu", "1", e.mfu);
  b.number("model_tflops_per_gpu", "TFLOP/s", e.model_tflops_per_gpu);
  b.number("memory_bytes_per_gpu", "B", e.memory_bytes);
  b.number("usable_bytes_per_gpu", "B", e.usable_bytes);
}

void set_attributes(NamedTable& t, const WorkloadSpec& w, Backend backend, double evaluated) {
  t.text_attributes = {{"workload", w.name},
                       {"type", w.kind == WorkloadKind::Training ? "training" : "inference"},
                       {"model", w.model},
                       {"system", w.system},
                       {"accelerator", w.accelerator},
                       {"precision", precision_name(w.precision)},
                       {"backend", backend_name(backend)}};
  t.number_attributes = {{"gpus", static_cast<double>(w.gpus)}, {"configs_evaluated", evaluated}};
}

BadInput no_fit(const Scenario& s, std::size_t i, const WorkloadSpec& w, const std::string& reason) {
  return BadInput(s.source_path, "/workloads/" + std::to_string(i), "\"" + w.name + "\"",
                  "a workload with a feasible configuration on " + std::to_string(w.gpus) + " x " + w.accelerator +
                      ": " + reason);
}

std::string mix_text(const std::vector<RequestClass>& mix) {
  std::string t;
  for (const RequestClass& c : mix) {
    t += (t.empty() ? "" : ", ") + fmt::format("{:.3g} of {}/{}", c.share, c.isl, c.osl);
  }
  return t + " (share of requests, input/output tokens)";
}

// What both requests take from a workload: model, hardware, precision, GPUs, fixed tp and pp.
template <class Spec>
Spec request_on_hardware(const WorkloadSpec& w) {
  Spec spec;
  spec.model = w.model;
  spec.accelerator = w.accelerator;
  spec.arch = w.arch;
  spec.accel = w.accel;
  spec.precision = w.precision;
  spec.gpus = w.gpus;
  spec.fixed_tp = w.tp;
  spec.fixed_pp = w.pp;
  return spec;
}

// A fixed degree kept where it divides `gpus`, else 0 (searched).
int dividing(int degree, int gpus) { return degree > 0 && gpus % degree == 0 ? degree : 0; }

// `spec` moved to `gpus` GPUs, with the workload's fixed tp and pp where they divide them.
template <class Spec>
Spec on_gpus(Spec spec, const WorkloadSpec& w, int gpus) {
  spec.gpus = gpus;
  spec.fixed_tp = dividing(w.tp, gpus);
  spec.fixed_pp = dividing(w.pp, gpus);
  return spec;
}

}  // namespace

InferenceRequestSpec inference_request(const WorkloadSpec& w) {
  InferenceRequestSpec spec = request_on_hardware<InferenceRequestSpec>(w);
  spec.isl = w.isl;
  spec.osl = w.osl;
  spec.concurrency = w.concurrency;
  spec.ttft_slo_s = w.ttft_slo_s;
  spec.tpot_slo_s = w.tpot_slo_s;
  spec.engine = parse_engine(w.engine, "engine");
  spec.serving = parse_serving_mode(w.serving, "serving");
  spec.prefill_instances = w.prefill_instances;
  spec.prefill_tp = w.prefill_tp;
  return spec;
}

TrainingRequestSpec training_request(const WorkloadSpec& w) {
  TrainingRequestSpec spec = request_on_hardware<TrainingRequestSpec>(w);
  spec.seq = w.seq;
  spec.global_batch_tokens = w.global_batch_tokens;
  spec.fixed_cp = w.cp;
  spec.fixed_schedule = schedule_from_name(w.schedule);
  return spec;
}

InferenceRequestSpec inference_request(const WorkloadSpec& w, int gpus) {
  return on_gpus(inference_request(w), w, gpus);
}

TrainingRequestSpec training_request(const WorkloadSpec& w, int gpus) {
  TrainingRequestSpec spec = on_gpus(training_request(w), w, gpus);
  spec.fixed_cp = dividing(w.cp, gpus);
  return spec;
}

std::vector<WorkloadResult> estimate_workloads(const Scenario& s, Backend backend) {
  std::vector<WorkloadResult> out;
  for (std::size_t i = 0; i < s.workloads.size(); ++i) {
    const WorkloadSpec& w = s.workloads[i];
    WorkloadResult r;
    r.name = w.name;
    if (w.kind == WorkloadKind::Inference) {
      InferenceRequestSpec spec = inference_request(w);
      spec.keep_all = true;
      const InferenceOutcome o = estimate_inference_mix(spec, w.mix, backend);
      if (!o.found) throw no_fit(s, i, w, o.reason);
      TableBuilder cb(r.configs);
      for (std::size_t k = 0; k < o.configs.size(); ++k) inference_row(cb, o.configs[k], o.estimates[k]);
      TableBuilder hb(r.chosen);
      inference_row(hb, o.config, o.estimate);
      r.configs.long_name = "every configuration the inference search evaluated for workload " + w.name;
      r.chosen.long_name = "the chosen operating point of workload " + w.name + " (highest output tokens/s meeting the SLOs)";
      set_attributes(r.configs, w, o.backend, o.configs_evaluated);
      set_attributes(r.chosen, w, o.backend, o.configs_evaluated);
      for (NamedTable* t : {&r.configs, &r.chosen}) {
        t->text_attributes.push_back({"engine", w.engine});
        t->text_attributes.push_back({"serving", w.serving});  // what the search offered
      }
      r.chosen.text_attributes.push_back(
          {"chosen_serving", o.config.prefill_replicas > 0 ? "disaggregated" : "aggregated"});
      r.instance_output_tokens_per_s = o.estimate.output_tokens_per_s;
      if (!w.mix.empty()) {
        // The rows are the largest class's configuration with the mix's output tokens/s (perf_estimates.hpp).
        r.chosen.number_attributes.push_back({"mix_output_tokens_per_s", o.estimate.output_tokens_per_s});
        r.chosen.text_attributes.push_back({"mix", mix_text(w.mix)});
      }
      r.summary = fmt::format("workload {}: {} output tokens/s on {} x {} (tp {}, pp {}, {}{})", w.name,
                              people_number(o.estimate.output_tokens_per_s), people_number(w.gpus), w.accelerator,
                              o.config.tp, o.config.pp, inference_instances_text(o.config),
                              w.engine == "trtllm" ? "" : ", " + w.engine);
    } else {
      TrainingRequestSpec spec = training_request(w);
      spec.keep_all = true;
      const TrainingOutcome o = estimate_training(spec, backend);
      if (!o.found) throw no_fit(s, i, w, o.reason);
      TableBuilder cb(r.configs);
      for (std::size_t k = 0; k < o.configs.size(); ++k) training_row(cb, o.configs[k], o.estimates[k]);
      TableBuilder hb(r.chosen);
      training_row(hb, o.config, o.estimate);
      r.configs.long_name = "every configuration the training search evaluated for workload " + w.name;
      r.chosen.long_name = "the chosen operating point of workload " + w.name + " (shortest step time that fits)";
      set_attributes(r.configs, w, o.backend, static_cast<double>(o.configs_evaluated));
      set_attributes(r.chosen, w, o.backend, static_cast<double>(o.configs_evaluated));
      r.training_tokens_per_s = o.estimate.tokens_per_s;
      r.training_step_time_s = o.estimate.step_time_s;
      const TrainingConfig& c = o.config;
      const std::string chunks = c.interleave > 1 ? fmt::format(" x{}", c.interleave) : "";
      const std::string pipeline = c.pp > 1 ? ", " + schedule_name(c.schedule) + chunks : "";
      r.summary = fmt::format("workload {}: step {:.3f} s, {} tokens/s, MFU {:.1f} % on {} x {} (tp {}, pp {}, cp {}, "
                              "dp {}{}{}{})",
                              w.name, o.estimate.step_time_s, people_number(o.estimate.tokens_per_s),
                              100.0 * o.estimate.mfu, people_number(w.gpus), w.accelerator, c.tp, c.pp, c.cp, c.dp,
                              c.ep > 1 ? fmt::format(", ep {}", c.ep) : "",
                              expert_tp(c) != c.tp ? fmt::format(", expert tp {}", expert_tp(c)) : "", pipeline);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<FleetWorkloadRate> fleet_rates(const std::vector<WorkloadResult>& workloads) {
  std::vector<FleetWorkloadRate> rates;
  for (const WorkloadResult& w : workloads) rates.push_back({w.instance_output_tokens_per_s, w.training_tokens_per_s});
  return rates;
}

}  // namespace aidc
