#pragma once
// Search over serving configurations {tp, pp, ep, replicas, max_batch, chunk_tokens} for a (model, accelerator,
// GPU count, precision, request stream, optional concurrency, optional SLOs) problem.
//
// evaluate_inference_config() is the unit of work: one AIDC_HD call per configuration, pure, with its own scratch,
// so that a thrust::transform over a counting iterator (one scratch slice per element) can replace the serial loop
// in search_inference() unchanged.
//
// Deployment model: replicas = gpus / (tp*pp) identical replicas share the load evenly. Closed loop: each replica
// has ceil(concurrency / replicas) clients; saturated (concurrency 0, closed loop): max_batch clients per replica,
// which keeps the batch full whenever the KV cache allows. Open loop: every replica sees the whole request list
// with arrival times stretched by the replica count (1/R of the rate). Deployment throughput = R x replica
// throughput. SLOs are checked against p99 TTFT and p99 TPOT (MLPerf server-style).

#include "kernels/accelerator_spec.hpp"
#include "kernels/hd.hpp"
#include "kernels/inference_batching.hpp"
#include "kernels/inference_model.hpp"
#include "kernels/llm_arch.hpp"

namespace aidc {

struct InferenceProblem {
  LlmArch arch;
  AcceleratorSpec accel;
  Precision precision = Precision::Fp8;
  int gpus = 1;
  const InferenceRequest* requests = nullptr;  // the request stream (lengths; arrival_s when open_loop, ascending);
                                               // device memory when evaluated on the GPU
  int n_requests = 0;
  int concurrency = 0;       // clients over the whole deployment; 0: saturated
  bool open_loop = false;    // arrivals from requests[i].arrival_s instead of closed-loop clients
  double slo_ttft_s = 0.0;   // 0: no SLO; else p99 TTFT must not exceed it
  double slo_tpot_s = 0.0;   // 0: no SLO; else p99 TPOT must not exceed it
  InferenceEfficiency eff;
  ServingEngine engine = ServingEngine::TrtLlm;
  // enumeration
  int fixed_tp = 0;          // > 0: only this tp (e.g. to reproduce a published run)
  int fixed_pp = 0;
  int max_pp = 8;
};

struct InferenceConfig {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  int replicas = 1;
  int max_batch = 256;
  int chunk_tokens = 8192;
};

struct InferenceEstimate {
  int feasible = 0;
  int reason = 0;                    // InferenceInfeasible
  int meets_slo = 0;
  // memory (bytes)
  double weights_bytes_total = 0.0;
  double weights_bytes_per_gpu = 0.0;
  double hbm_bytes_per_gpu = 0.0;
  double usable_hbm_bytes_per_gpu = 0.0;
  double kv_capacity_tokens = 0.0;   // per replica
  double max_batch_by_kv = 0.0;      // per replica, at the stream's mean input + output
  double largest_request_tokens = 0.0;
  // serving (whole deployment)
  double output_tokens_per_s = 0.0;
  double output_tokens_per_s_per_gpu = 0.0;
  double ttft_p50_s = 0.0, ttft_p99_s = 0.0;
  double tpot_p50_s = 0.0, tpot_p99_s = 0.0;
  double mean_batch = 0.0;           // per replica
  int requests_finished = 0;         // per simulated replica
  long long preemptions = 0;         // per simulated replica (on-demand KV engines)
};

// Largest max_batch the enumeration offers (scratch must hold this many batch slots).
// Choices: max_batch in {8, 16, ..., 1024}; chunk_tokens in {512, ..., 8192} (local arrays in the enumerator so that
// device code does not reference host globals).
inline constexpr int kMaxBatchLimit = 1024;
inline constexpr int kNumMaxBatchChoices = 8;
inline constexpr int kNumChunkChoices = 5;

AIDC_HD inline InferenceEstimate evaluate_inference_config(const InferenceProblem& pr, const InferenceConfig& c,
                                                           const BatchingScratch& scratch) {
  InferenceEstimate e;
  const ReplicaModel r =
      make_replica_model(pr.arch, pr.accel, pr.precision, c.tp, c.pp, c.ep, c.chunk_tokens, pr.eff);
  e.weights_bytes_total = r.weights_bytes_total;
  e.weights_bytes_per_gpu = r.weights_bytes_per_gpu;
  e.hbm_bytes_per_gpu = r.hbm_bytes_per_gpu;
  e.usable_hbm_bytes_per_gpu = r.usable_hbm_per_gpu;
  e.kv_capacity_tokens = r.kv_capacity_tokens;
  if (c.replicas < 1 || c.tp * c.pp * c.replicas > pr.gpus) {
    e.reason = int(InferenceInfeasible::BadParallelism);
    return e;
  }
  if (r.infeasible != 0) {
    e.reason = r.infeasible;
    return e;
  }
  double largest = 0.0, sum_in = 0.0, sum_out = 0.0;
  for (int i = 0; i < pr.n_requests; ++i) {
    const double t = double(pr.requests[i].input_tokens) + pr.requests[i].output_tokens;
    if (t > largest) largest = t;
    sum_in += pr.requests[i].input_tokens;
    sum_out += pr.requests[i].output_tokens;
  }
  e.largest_request_tokens = largest;
  if (pr.n_requests > 0) e.max_batch_by_kv = max_batch_for_lengths(r, sum_in / pr.n_requests, sum_out / pr.n_requests);
  if (pr.n_requests <= 0) {
    e.reason = int(InferenceInfeasible::NoConfiguration);
    return e;
  }
  if (r.kv_capacity_tokens < largest) {
    e.reason = int(InferenceInfeasible::NoKvRoom);
    return e;
  }
  BatchingParams bp;
  bp.max_batch = c.max_batch;
  bp.chunk_tokens = c.chunk_tokens;
  bp.kv_capacity_tokens = r.kv_capacity_tokens;
  bp.kv_on_demand = engine_kv_on_demand(pr.engine);
  if (pr.open_loop) {
    bp.concurrency = 0;
    bp.arrival_scale = c.replicas;
  } else {
    bp.concurrency = pr.concurrency > 0 ? (pr.concurrency + c.replicas - 1) / c.replicas : c.max_batch;
  }
  const BatchingResult b = simulate_batching(r, pr.requests, pr.n_requests, bp, scratch);
  if (b.error != 0) {
    e.reason = int(InferenceInfeasible::SimulationFailed);
    return e;
  }
  e.feasible = 1;
  e.output_tokens_per_s = b.output_tokens_per_s * c.replicas;
  e.output_tokens_per_s_per_gpu = e.output_tokens_per_s / pr.gpus;
  e.ttft_p50_s = b.ttft_p50_s;
  e.ttft_p99_s = b.ttft_p99_s;
  e.tpot_p50_s = b.tpot_p50_s;
  e.tpot_p99_s = b.tpot_p99_s;
  e.mean_batch = b.mean_batch;
  e.requests_finished = b.requests_finished;
  e.preemptions = b.preemptions;
  e.meets_slo = ((pr.slo_ttft_s <= 0.0 || b.ttft_p99_s <= pr.slo_ttft_s) &&
                 (pr.slo_tpot_s <= 0.0 || b.tpot_p99_s <= pr.slo_tpot_s))
                    ? 1 : 0;
  return e;
}

// Writes up to `cap` configurations to `out` and returns how many there are (may exceed cap: call again with a
// larger buffer). Order: tp, pp, ep, max_batch, chunk ascending (deterministic).
AIDC_HD inline int enumerate_inference_configs(const InferenceProblem& pr, InferenceConfig* out, int cap) {
  const int batch_choices[kNumMaxBatchChoices] = {8, 16, 32, 64, 128, 256, 512, 1024};
  const int chunk_choices[kNumChunkChoices] = {512, 1024, 2048, 4096, 8192};
  int count = 0;
  const LlmArch& a = pr.arch;
  for (int tp = 1; tp <= pr.gpus; ++tp) {
    if (pr.gpus % tp != 0) continue;
    if (pr.fixed_tp > 0 && tp != pr.fixed_tp) continue;
    if (tp > 1 && tp > pr.accel.scaleup_domain_gpus) continue;
    if (a.heads > 0 && tp > a.heads) continue;
    for (int pp = 1; pp * tp <= pr.gpus; ++pp) {
      if ((pr.gpus / tp) % pp != 0) continue;
      if (pr.fixed_pp > 0 && pp != pr.fixed_pp) continue;
      if (pp > pr.max_pp || pp > a.layers) continue;
      for (int ep = 1; ep <= tp; ++ep) {
        if (a.routed_experts == 0 && ep != 1) continue;
        if (a.routed_experts > 0 && (tp % ep != 0 || a.routed_experts % ep != 0)) continue;
        for (int mb : batch_choices) {
          for (int ch : chunk_choices) {
            if (count < cap) {
              InferenceConfig& c = out[count];
              c.tp = tp;
              c.pp = pp;
              c.ep = ep;
              c.replicas = pr.gpus / (tp * pp);
              c.max_batch = mb;
              c.chunk_tokens = ch;
            }
            ++count;
          }
        }
      }
    }
  }
  return count;
}

struct InferenceSearchResult {
  int best = -1;                  // index of the chosen configuration; -1 when none is feasible and meets the SLOs
  int best_unconstrained = -1;    // best feasible ignoring the SLOs
  int n_evaluated = 0;
  int n_feasible = 0;
  int n_meeting_slo = 0;
  int reason = 0;                 // when nothing is feasible: the reason of the configuration that came closest
  double weights_bytes_total = 0.0;
  double hbm_bytes_total = 0.0;   // gpus x HBM
  double usable_hbm_bytes_total = 0.0;
};

// Picks the best from already evaluated estimates (separate so that a parallel transform can fill `est`).
AIDC_HD inline InferenceSearchResult pick_best_inference(const InferenceProblem& pr, const InferenceConfig* configs,
                                                         const InferenceEstimate* est, int n) {
  InferenceSearchResult s;
  s.n_evaluated = n;
  s.hbm_bytes_total = pr.accel.hbm_bytes * pr.gpus;
  s.usable_hbm_bytes_total = pr.accel.hbm_bytes * kUsableHbmFraction * pr.gpus;
  int closest = -1;
  for (int i = 0; i < n; ++i) {
    const InferenceEstimate& e = est[i];
    s.weights_bytes_total = e.weights_bytes_total;
    if (e.feasible) {
      ++s.n_feasible;
      if (s.best_unconstrained < 0 || e.output_tokens_per_s > est[s.best_unconstrained].output_tokens_per_s) {
        s.best_unconstrained = i;
      }
      if (e.meets_slo) {
        ++s.n_meeting_slo;
        if (s.best < 0 || e.output_tokens_per_s > est[s.best].output_tokens_per_s) s.best = i;
      }
    } else if (closest < 0 || configs[i].tp * configs[i].pp > configs[closest].tp * configs[closest].pp) {
      closest = i;  // the configuration with the most memory per replica tells best why nothing fits
    }
  }
  if (s.n_feasible == 0) s.reason = closest >= 0 ? est[closest].reason : int(InferenceInfeasible::NoConfiguration);
  return s;
}

// Serial search: evaluates every configuration in `configs` into `est` and picks the best.
AIDC_HD inline InferenceSearchResult search_inference(const InferenceProblem& pr, const InferenceConfig* configs, int n,
                                                      InferenceEstimate* est, const BatchingScratch& scratch) {
  for (int i = 0; i < n; ++i) est[i] = evaluate_inference_config(pr, configs[i], scratch);
  return pick_best_inference(pr, configs, est, n);
}

}  // namespace aidc

#if !defined(__CUDA_ARCH__)
#include <string>

namespace aidc {

inline const char* engine_name(ServingEngine e) {
  switch (e) {
    case ServingEngine::Vllm: return "vllm";
    case ServingEngine::Sglang: return "sglang";
    case ServingEngine::TrtLlm: break;
  }
  return "trtllm";
}

inline const char* precision_name(Precision p) {
  switch (p) {
    case Precision::Fp4: return "fp4";
    case Precision::Fp8: return "fp8";
    case Precision::Bf16: break;
  }
  return "bf16";
}

// Host-only: the sentence the CLI prints when nothing fits, e.g.
// "llama-3.1-405b in fp8 needs 406 GB of weights; 2 x h100-sxm hold 160 GB" (kernels/inference_search_parallel.cpp).
std::string describe_infeasible(const InferenceSearchResult& s, const char* model, const char* accel, int gpus,
                                Precision p);

}  // namespace aidc
#endif
