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
// throughput. SLOs are checked against p99 TTFT and p99 TPOT (MLPerf server-style); the SLO attainment counts the
// requests whose own TTFT and TPOT are within both bounds (the goodput papers' measure: DistServe, vLLM's
// benchmark_serving --goodput).
//
// Disaggregated serving (InferenceConfig::prefill_replicas > 0; DistServe, Splitwise, Mooncake, NVIDIA Dynamo,
// SGLang PD): of the R instances, P only prefill (their scheduler sees prompts alone) and D = R - P only decode
// (no prompt chunk ever stalls a decode step). Each phase is simulated on its own (BatchingParams::phase) and the
// deployment runs at the slowest of: what the P prefill instances can feed, what the D decode instances can
// produce, and what the fabric can carry of prompt KV from one to the other (DistServe's placement method: each
// phase's rate per instance, then the split that balances them). The KV moves over the scale-up fabric when the
// whole deployment sits in one scale-up domain, else over the NICs, every GPU of an instance sending its shard
// in parallel; the transfer is not overlapped with the prefill (layer-wise streaming would hide part of it), so
// TTFT = prefill TTFT + transfer + wait for a decode slot, per request (the decode simulation carries each request's
// prefill TTFT from the prefill simulation of the same stream; its percentiles and the SLO attainment are of those
// sums). Open loop: each prefill instance sees 1/P of the arrivals, each decode instance 1/D of what the prefill
// side delivers (the offered rate, or less when the prefill instances cannot keep up; the prefill delay shifts the
// arrivals, ignored). Closed loop with C clients (saturated: max_batch per decode instance): the clients split
// between the phases in proportion to the time a request spends in each (Little's law), refined from the phase
// simulations' rates.

#include "kernels/accelerator_spec.hpp"
#include "kernels/hd.hpp"
#include "kernels/inference_batching.hpp"
#include "kernels/inference_model.hpp"
#include "kernels/llm_arch.hpp"

namespace aidc {

// Deployment shapes a search offers.
enum class ServingMode : int {
  Aggregated = 0,     // every replica prefills and decodes (co-located; the engines' default)
  Disaggregated = 1,  // prefill and decode instances apart (at least one of each)
  Either = 2,         // both, the search picks
};

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
  ServingMode serving = ServingMode::Aggregated;
  // Throughput over the whole finite stream (all output tokens / last finish), as the benchmarks that time a fixed
  // set of prompts report it (vllm bench serve and sglang bench_serving with --request-rate inf, vLLM's
  // benchmark_throughput.py), instead of the steady-state window. n_requests is then the deployment's, shared among
  // the replicas; co-located serving only (the disaggregated phases keep the steady-state window).
  bool makespan = false;
  // enumeration
  int fixed_prefill_replicas = 0;  // > 0: disaggregated with exactly this many prefill instances
  int fixed_prefill_tp = 0;        // > 0: disaggregated with the prefill instances at this tp (decode: fixed_tp)
  int fixed_tp = 0;          // > 0: only this tp (e.g. to reproduce a published run)
  int fixed_pp = 0;
  int fixed_ep = 0;          // > 0: only this expert-parallel degree (MoE; vLLM's --enable-expert-parallel is ep = tp)
  int kv_cache = 0;            // a KvCacheDtype: what the KV cache is stored in (Auto: by the weights)
  int fixed_max_batch = 0;     // > 0: only this max_batch (an engine's default, or the user's), capped at kMaxBatchLimit
  int fixed_chunk_tokens = 0;  // > 0: only this token budget per iteration
  int max_pp = 8;
};

struct InferenceConfig {
  int tp = 1;
  int pp = 1;
  int ep = 1;
  int replicas = 1;
  int max_batch = 256;
  int chunk_tokens = 8192;
  int prefill_replicas = 0;  // 0: co-located; > 0: disaggregated, this many prefill and replicas - this decode
                             // instances (max_batch and chunk_tokens apply to both)
  // Disaggregated: the prefill instances' tensor- and expert-parallel degrees (0: tp, ep; the decode instances
  // have tp, ep; both phases share pp). DistServe places each phase's parallelism on its own; the published
  // layouts often prefill at a smaller tp than they decode (e.g. 4 x TP2 prefill + 1 x TP8 decode).
  int prefill_tp = 0;
  int prefill_ep = 0;
};

AIDC_HD inline int prefill_tp_of(const InferenceConfig& c) { return c.prefill_tp > 0 ? c.prefill_tp : c.tp; }
AIDC_HD inline int prefill_ep_of(const InferenceConfig& c) { return c.prefill_ep > 0 ? c.prefill_ep : c.ep; }

// GPUs a configuration occupies: replicas x tp x pp, or disaggregated (prefill x prefill tp + decode x tp) x pp.
AIDC_HD inline int config_gpus(const InferenceConfig& c) {
  if (c.prefill_replicas <= 0) return c.tp * c.pp * c.replicas;
  return (c.prefill_replicas * prefill_tp_of(c) + (c.replicas - c.prefill_replicas) * c.tp) * c.pp;
}

struct InferenceEstimate {
  int feasible = 0;
  int reason = 0;                    // InferenceInfeasible
  int meets_slo = 0;
  // memory (bytes)
  double weights_bytes_total = 0.0;
  double weights_bytes_per_gpu = 0.0;
  double hbm_bytes_per_gpu = 0.0;
  double usable_hbm_bytes_per_gpu = 0.0;
  double kv_capacity_tokens = 0.0;   // per replica (disaggregated: per decode instance)
  double max_batch_by_kv = 0.0;      // per replica, at the stream's mean input + output
  double largest_request_tokens = 0.0;
  // serving (whole deployment)
  double output_tokens_per_s = 0.0;
  double output_tokens_per_s_per_gpu = 0.0;
  double ttft_p50_s = 0.0, ttft_p99_s = 0.0;
  double tpot_p50_s = 0.0, tpot_p99_s = 0.0;
  double slo_attainment = 0.0;       // share of the requests within both SLOs (1 when none is set)
  double mean_batch = 0.0;           // per replica
  int requests_finished = 0;         // per simulated replica
  long long preemptions = 0;         // per simulated replica (on-demand KV engines)
  // disaggregated only (0 when co-located)
  double kv_transfer_s = 0.0;             // one mean prompt's KV from a prefill to a decode instance
  double kv_transfer_bytes_per_s = 0.0;   // per instance pair
  double prefill_capacity_tokens_per_s = 0.0;  // output rate the prefill instances can feed (requests x mean output)
  double decode_capacity_tokens_per_s = 0.0;   // output rate the decode instances can produce
  double transfer_capacity_tokens_per_s = 0.0; // output rate the KV transfers allow
  double clients_capacity_tokens_per_s = 0.0;  // closed loop with C clients: what they can ask for (0: no bound)
  double prefill_weights_bytes_per_gpu = 0.0;  // a prefill instance's (the memory figures above: a decode instance's)
  double prefill_kv_capacity_tokens = 0.0;     // per prefill instance
  int prefill_failed = 0;  // infeasible because a prefill instance cannot hold the weights or the longest prompt
};

// KV-cache bandwidth over `links` GPUs per pipeline stage, each sending (or receiving) its shard in parallel
// (bytes/s): over the scale-up fabric when the whole deployment of `gpus` sits in one scale-up domain, else over the
// NICs (one direction per GPU), at the collective efficiency. From one prefill instance to one decode instance the
// narrower of the two sets the links: a TP2 prefill instance's 2 GPUs each send half the heads to the 4 of a TP8
// decode instance's GPUs that hold them, so its links, not the decode instance's 8, bound the transfer.
AIDC_HD inline double kv_transfer_bytes_per_s(const AcceleratorSpec& a, int links, int pp, int gpus,
                                              const InferenceEfficiency& eff) {
  const bool scaleup = gpus <= a.scaleup_domain_gpus && a.scaleup_bytes_per_s > 0.0;
  const double per_gpu = scaleup ? a.scaleup_bytes_per_s : a.scaleout_bytes_per_s;
  return per_gpu * double(links) * pp * eff.collective;
}

// Largest max_batch the enumeration offers (scratch must hold this many batch slots).
// Choices: max_batch in {8, 16, ..., 1024}; chunk_tokens in {512, ..., 8192} (local arrays in the enumerator so that
// device code does not reference host globals).
inline constexpr int kMaxBatchLimit = 1024;
inline constexpr int kNumMaxBatchChoices = 8;
inline constexpr int kNumChunkChoices = 5;

// A fixed max_batch as the enumeration offers it: at most kMaxBatchLimit sequences (the batch scratch's size).
AIDC_HD inline int hd_fixed_max_batch(int max_batch) { return max_batch < kMaxBatchLimit ? max_batch : kMaxBatchLimit; }

AIDC_HD inline bool meets_slos(const InferenceProblem& pr, double ttft_p99_s, double tpot_p99_s) {
  return (pr.slo_ttft_s <= 0.0 || ttft_p99_s <= pr.slo_ttft_s) && (pr.slo_tpot_s <= 0.0 || tpot_p99_s <= pr.slo_tpot_s);
}

// How evaluate_inference_config runs the batching simulator for one configuration: one phase (co-located) or two
// (disaggregated: prefill, then decode), for one pass or, closed-loop disaggregated, up to three passes that move the
// clients between the phases. Everything the disaggregated bookkeeping needs travels here.
struct SimulationPlan {
  BatchingParams params[2];
  int phases = 1;
  int passes = 1;
  // disaggregated only
  int np = 0, nd = 0;          // prefill and decode instances
  double link = 0.0;           // KV transfer bytes/s per instance pair
  double link_total = 0.0;     // all the prefill instances' sends at once (or the decode's receives, if fewer)
  double kv_token = 0.0;       // KV bytes per token, every layer, whole instance
  double t_kv_mean = 0.0;     // one mean prompt's KV transfer
  double clients = 0.0, cp = 0.0;  // closed loop: all clients, and those in the prefill phase
  double mean_in = 0.0;            // closed loop: the stream's mean prompt tokens
};

// Disaggregated serving (header: Disaggregated serving): the instance counts, the KV link and the first split of a
// closed loop's clients. Returns an InferenceInfeasible reason, 0 when the plan is usable. `bp` carries the decode
// instance's batch, chunk, KV capacity and policy; `rp` and `r` are a prefill and a decode instance.
AIDC_HD inline int plan_disaggregated(const InferenceProblem& pr, const InferenceConfig& c, const ReplicaModel& rp,
                                      const ReplicaModel& r, const BatchingParams& bp, double mean_in,
                                      double mean_out, SimulationPlan& plan) {
  plan.np = c.prefill_replicas;
  plan.nd = c.replicas - c.prefill_replicas;
  if (plan.np < 1 || plan.nd < 1) return int(InferenceInfeasible::BadParallelism);
  const int tp_p = prefill_tp_of(c);
  plan.link = kv_transfer_bytes_per_s(pr.accel, tp_p < c.tp ? tp_p : c.tp, c.pp, pr.gpus, pr.eff);
  if (plan.link <= 0.0) return int(InferenceInfeasible::NoKvTransferLink);
  const int send = plan.np * tp_p, receive = plan.nd * c.tp;
  plan.link_total = kv_transfer_bytes_per_s(pr.accel, send < receive ? send : receive, c.pp, pr.gpus, pr.eff);
  plan.kv_token = kv_bytes_per_token(pr.arch, r.kv_bytes_per_elem);
  plan.t_kv_mean = pr.eff.p2p_latency_s + mean_in * plan.kv_token / plan.link;
  plan.mean_in = mean_in;
  plan.phases = 2;
  plan.params[0] = plan.params[1] = bp;
  plan.params[0].kv_capacity_tokens = rp.kv_capacity_tokens;
  plan.params[0].phase = 1;
  plan.params[0].latency_percentiles = 0;  // the decode phase carries each request's prefill TTFT
  plan.params[1].phase = 2;
  plan.params[1].carry_prior = 1;
  plan.params[1].prior_fixed_s = pr.eff.p2p_latency_s;
  plan.params[1].prior_s_per_input_token = plan.kv_token / plan.link;
  if (pr.open_loop) {
    plan.params[0].concurrency = plan.params[1].concurrency = 0;
    plan.params[0].arrival_scale = plan.np;
    plan.params[1].arrival_scale = plan.nd;
    return 0;
  }
  // Closed loop: C clients (saturated: max_batch per decode instance) split between the phases. First split by one
  // mean request's service times (one prefill pass and the transfer against mean_out - 1 decode steps of the decode
  // share), then by the residence times the phase simulations give (Little's law: clients / rate), which moves
  // clients towards the slower phase as its queue would; at most two corrections, the second only
  // while the slower phase is not saturated (slower_phase_saturated).
  plan.passes = 3;
  plan.clients = pr.concurrency > 0 ? double(pr.concurrency) : double(plan.nd) * c.max_batch;
  IterationLoad lp;
  lp.prefill_tokens = mean_in;
  lp.prefill_pairs = mean_in * 0.5 * (mean_in + 1.0);
  lp.prefill_kv_read = mean_in;
  lp.logit_rows = 1.0;
  lp.prefill_sequences = 1.0;
  const double tau_p = iteration_cost(rp, lp).time_s + plan.t_kv_mean;
  const double per_dec = hd_max(1.0, hd_min(double(c.max_batch), plan.clients / plan.nd));
  IterationLoad ld;
  ld.decode_tokens = per_dec;
  ld.decode_context = per_dec * (mean_in + 0.5 * mean_out);
  ld.logit_rows = per_dec;
  const double tau_d = hd_max(0.0, mean_out - 1.0) * iteration_cost(r, ld).time_s;
  plan.cp = tau_p + tau_d > 0.0 ? plan.clients * tau_p / (tau_p + tau_d) : 1.0;
  return 0;
}

// Closed-loop disaggregated, before a pass: the clients of each phase per instance from the split. False when the
// split has not moved since the last pass (nothing to simulate again).
AIDC_HD inline bool split_clients(SimulationPlan& plan, int pass) {
  plan.cp = hd_max(1.0, hd_min(plan.cp, plan.clients - 1.0));
  const int per_p = int(::ceil(plan.cp / plan.np));
  const int per_d = int(::ceil(hd_max(1.0, plan.clients - plan.cp) / plan.nd));
  if (pass > 0 && per_p == plan.params[0].concurrency && per_d == plan.params[1].concurrency) return false;
  plan.params[0].concurrency = per_p;
  plan.params[1].concurrency = per_d;
  return true;
}

// Open-loop disaggregated, before the decode phase: the decode instances see what the prefill instances deliver, at
// most the offered rate.
AIDC_HD inline void feed_decode_phase(const InferenceProblem& pr, const BatchingResult& prefill, SimulationPlan& plan) {
  if (prefill.error != 0 || !(prefill.output_tokens_per_s > 0.0)) return;
  const double span = pr.requests[pr.n_requests - 1].arrival_s;
  const double offered = span > 0.0 ? double(pr.n_requests) / span : 0.0;  // requests/s, whole stream
  const double delivered = prefill.output_tokens_per_s * plan.np;
  plan.params[1].arrival_scale = plan.nd * (offered > delivered && delivered > 0.0 ? offered / delivered : 1.0);
}

// Closed-loop disaggregated, after a pass: the new split from the phases' residence times. False when a phase
// produced nothing (no correction possible).
AIDC_HD inline bool resplit_clients(const BatchingResult* res, double mean_out, SimulationPlan& plan) {
  const double xp = res[0].output_tokens_per_s;             // requests/s per prefill instance
  const double xd = res[1].output_tokens_per_s / mean_out;  // requests/s per decode instance
  if (xp <= 0.0 || xd <= 0.0) return false;
  const double res_p = plan.params[0].concurrency / xp + plan.t_kv_mean, res_d = plan.params[1].concurrency / xd;
  plan.cp = plan.clients * res_p / (res_p + res_d);
  return true;
}

// Closed-loop disaggregated, before the last correction: true when the slower phase (fewer requests/s, whole
// deployment) was already saturated: its per-instance clients fill its prefill budget even while one of them is
// between requests ((clients - 1) x mean prompt >= chunk), or fill its batch. A correction moves clients towards
// the slower phase; saturated, it only queues them there, so its rate, which the estimate takes
// (finish_disaggregated: the least capacity), hardly rises, and the faster phase keeps clients enough to carry it
// (the bottleneck bound of a closed queueing network). The pass is then skipped (bench/RESULTS.md, 2026-12-07).
AIDC_HD inline bool slower_phase_saturated(const BatchingResult* res, double mean_out, const SimulationPlan& plan) {
  const double rate_p = res[0].output_tokens_per_s * plan.np;             // requests/s out of the prefill instances
  const double rate_d = res[1].output_tokens_per_s / mean_out * plan.nd;  // requests/s out of the decode instances
  const BatchingParams& pp = plan.params[0];
  const BatchingParams& pd = plan.params[1];
  if (rate_p < rate_d) {
    return (pp.concurrency - 1) * plan.mean_in >= pp.chunk_tokens || pp.concurrency >= pp.max_batch;
  }
  return pd.concurrency >= pd.max_batch;
}

// The share of the requests whose own TTFT (grown by `wait_s`) and TPOT are within the SLOs, from the states the
// last simulation left (co-located: its requests; disaggregated: the decode phase's, where carry_prior left each
// finished request's whole TTFT as first_token_s - arrival_s). Unfinished and rejected requests count as outside.
// Counted here rather than in the simulator: a pass over the states there cost the search 12 % (register
// allocation of the simulator's loop), here only problems with SLOs pay it.
AIDC_HD inline double share_within_slos(const InferenceProblem& pr, const BatchingScratch& scratch, int n,
                                        double wait_s) {
  int within = 0;
  for (int i = 0; i < n; ++i) {
    const RequestState& s = scratch.states[i];
    if (s.status != 3) continue;
    bool ok = pr.slo_ttft_s <= 0.0 || s.first_token_s - s.arrival_s + wait_s <= pr.slo_ttft_s;
    const int out = pr.requests[i].output_tokens;
    if (ok && pr.slo_tpot_s > 0.0 && out >= 2) ok = (s.finish_s - s.first_token_s) / (out - 1) <= pr.slo_tpot_s;
    within += ok ? 1 : 0;
  }
  return double(within) / n;
}

AIDC_HD inline bool has_slos(const InferenceProblem& pr) { return pr.slo_ttft_s > 0.0 || pr.slo_tpot_s > 0.0; }

// The disaggregated deployment from its two phase simulations. `e` arrives with the memory figures filled.
AIDC_HD inline InferenceEstimate finish_disaggregated(const InferenceProblem& pr, const SimulationPlan& plan,
                                                      const BatchingResult& bpf, const BatchingResult& bdc,
                                                      double mean_in, double mean_out, InferenceEstimate e,
                                                      const BatchingScratch& scratch) {
  const int np = plan.np, nd = plan.nd;
  e.kv_transfer_s = plan.t_kv_mean;
  e.kv_transfer_bytes_per_s = plan.link;
  // a prefill instance finishes requests (one token each); each carries mean_out output tokens
  e.prefill_capacity_tokens_per_s = bpf.output_tokens_per_s * np * mean_out;
  // no decode step at all (every request wants one token): the decode side sets no bound
  e.decode_capacity_tokens_per_s = mean_out <= 1.0 ? 1e300 : bdc.output_tokens_per_s * nd;
  // every instance sends (prefill) or receives (decode) over its own links
  e.transfer_capacity_tokens_per_s = mean_in > 0.0 ? plan.link_total / (mean_in * plan.kv_token) * mean_out : 1e300;
  e.output_tokens_per_s = hd_min(hd_min(e.prefill_capacity_tokens_per_s, e.decode_capacity_tokens_per_s),
                                 e.transfer_capacity_tokens_per_s);
  if (!pr.open_loop && pr.concurrency > 0) {
    // C clients cannot produce more than C requests per request latency (the phase simulations round each
    // instance's share of clients up, to at least one): mean_out x C / (time in prefill + transfer + decode).
    const double latency = bdc.ttft_p50_s + hd_max(0.0, mean_out - 1.0) * bdc.tpot_p50_s;  // TTFT: whole
    if (latency > 0.0) {
      e.clients_capacity_tokens_per_s = pr.concurrency * mean_out / latency;
      e.output_tokens_per_s = hd_min(e.output_tokens_per_s, e.clients_capacity_tokens_per_s);
    }
  }
  if (!(e.output_tokens_per_s > 0.0)) {
    e.reason = int(InferenceInfeasible::SimulationFailed);
    return e;
  }
  e.feasible = 1;
  e.output_tokens_per_s_per_gpu = e.output_tokens_per_s / pr.gpus;
  e.ttft_p50_s = bdc.ttft_p50_s;  // per request: its prefill TTFT + transfer + wait for a decode slot
  e.ttft_p99_s = bdc.ttft_p99_s;
  e.tpot_p50_s = bdc.tpot_p50_s;
  e.tpot_p99_s = bdc.tpot_p99_s;
  double wait = 0.0;
  if (!pr.open_loop) {
    // Little's law for the closed loop: C clients at X requests/s spend C / X per request. What the phase
    // simulations leave out of that (their client split has not settled: too few clients queue at the slower
    // phase) is waiting before the prefill, added to every TTFT (p50 standing in for the mean).
    const double x_req = e.output_tokens_per_s / mean_out;
    const double in_phases = bdc.ttft_p50_s + hd_max(0.0, mean_out - 1.0) * bdc.tpot_p50_s;
    wait = x_req > 0.0 ? hd_max(0.0, plan.clients / x_req - in_phases) : 0.0;
    e.ttft_p50_s += wait;
    e.ttft_p99_s += wait;
  }
  e.slo_attainment =
      has_slos(pr) ? share_within_slos(pr, scratch, pr.n_requests, wait) : double(bdc.requests_finished) / pr.n_requests;
  e.mean_batch = bdc.mean_batch;
  e.requests_finished = bdc.requests_finished;
  e.preemptions = bpf.preemptions + bdc.preemptions;
  e.meets_slo = meets_slos(pr, e.ttft_p99_s, e.tpot_p99_s) ? 1 : 0;
  return e;
}

// The co-located deployment from its replica simulation.
AIDC_HD inline InferenceEstimate finish_colocated(const InferenceProblem& pr, const InferenceConfig& c,
                                                  const BatchingParams& bp, const BatchingResult& b, int n_sim,
                                                  InferenceEstimate e, const BatchingScratch& scratch) {
  e.feasible = 1;
  // Saturated or open loop: every replica carries its share. C clients: each replica simulated with ceil(C / R) of
  // them, so the deployment has C / ceil(C / R) replicas' worth (C = 1 on 8 replicas keeps one busy, not eight).
  // Makespan: the stream's output tokens over the time the most loaded replica (ceil(n / R) prompts) takes.
  const double busy_replicas = (!pr.open_loop && pr.concurrency > 0)
                                   ? hd_min(double(c.replicas), double(pr.concurrency) / bp.concurrency)
                                   : double(c.replicas);
  e.output_tokens_per_s =
      pr.makespan ? (b.makespan_s > 0.0 ? b.output_tokens * (double(pr.n_requests) / n_sim) / b.makespan_s : 0.0)
                  : b.output_tokens_per_s * busy_replicas;
  e.output_tokens_per_s_per_gpu = e.output_tokens_per_s / pr.gpus;
  e.ttft_p50_s = b.ttft_p50_s;
  e.ttft_p99_s = b.ttft_p99_s;
  e.tpot_p50_s = b.tpot_p50_s;
  e.tpot_p99_s = b.tpot_p99_s;
  e.slo_attainment = has_slos(pr) ? share_within_slos(pr, scratch, n_sim, 0.0) : double(b.requests_finished) / n_sim;
  e.mean_batch = b.mean_batch;
  e.requests_finished = b.requests_finished;
  e.preemptions = b.preemptions;
  e.meets_slo = meets_slos(pr, b.ttft_p99_s, b.tpot_p99_s) ? 1 : 0;
  return e;
}

AIDC_HD inline InferenceEstimate evaluate_inference_config(const InferenceProblem& pr, const InferenceConfig& c,
                                                           const BatchingScratch& scratch) {
  InferenceEstimate e;
  const ReplicaModel r =
      make_replica_model(pr.arch, pr.accel, pr.precision, c.tp, c.pp, c.ep, c.chunk_tokens, pr.eff,
                         KvCacheDtype(pr.kv_cache));
  e.weights_bytes_total = r.weights_bytes_total;
  e.weights_bytes_per_gpu = r.weights_bytes_per_gpu;
  e.hbm_bytes_per_gpu = r.hbm_bytes_per_gpu;
  e.usable_hbm_bytes_per_gpu = r.usable_hbm_per_gpu;
  e.kv_capacity_tokens = r.kv_capacity_tokens;
  if (c.replicas < 1 || config_gpus(c) > pr.gpus) {
    e.reason = int(InferenceInfeasible::BadParallelism);
    return e;
  }
  if (r.infeasible != 0) {
    e.reason = r.infeasible;
    return e;
  }
  const bool disaggregated = c.prefill_replicas > 0;
  // a prefill instance: the decode instance's model unless its tp or ep differ
  const bool own_prefill = disaggregated && (prefill_tp_of(c) != c.tp || prefill_ep_of(c) != c.ep);
  ReplicaModel own;
  if (own_prefill) {
    own = make_replica_model(pr.arch, pr.accel, pr.precision, prefill_tp_of(c), c.pp, prefill_ep_of(c),
                             c.chunk_tokens, pr.eff, KvCacheDtype(pr.kv_cache));
  }
  const ReplicaModel& rp = own_prefill ? own : r;
  if (disaggregated) {
    e.prefill_weights_bytes_per_gpu = rp.weights_bytes_per_gpu;
    e.prefill_kv_capacity_tokens = rp.kv_capacity_tokens;
  }
  if (rp.infeasible != 0) {
    e.reason = rp.infeasible;
    e.prefill_failed = 1;
    return e;
  }
  double largest = 0.0, largest_in = 0.0, sum_in = 0.0, sum_out = 0.0;
  for (int i = 0; i < pr.n_requests; ++i) {
    const double t = double(pr.requests[i].input_tokens) + pr.requests[i].output_tokens;
    if (t > largest) largest = t;
    if (pr.requests[i].input_tokens > largest_in) largest_in = pr.requests[i].input_tokens;
    sum_in += pr.requests[i].input_tokens;
    sum_out += pr.requests[i].output_tokens;
  }
  e.largest_request_tokens = largest;
  if (pr.n_requests > 0) e.max_batch_by_kv = max_batch_for_lengths(r, sum_in / pr.n_requests, sum_out / pr.n_requests);
  if (pr.n_requests <= 0) {
    e.reason = int(InferenceInfeasible::NoConfiguration);
    return e;
  }
  // a prefill instance holds a prompt and the token its prefill emits (phase 1: one output token each)
  if (r.kv_capacity_tokens < largest || (disaggregated && rp.kv_capacity_tokens < largest_in + 1.0)) {
    e.reason = int(InferenceInfeasible::NoKvRoom);
    e.prefill_failed = r.kv_capacity_tokens < largest ? 0 : 1;
    return e;
  }
  const double mean_in = sum_in / pr.n_requests, mean_out = sum_out / pr.n_requests;
  BatchingParams bp;
  bp.max_batch = c.max_batch;
  bp.chunk_tokens = c.chunk_tokens;
  bp.kv_capacity_tokens = r.kv_capacity_tokens;
  bp.kv_on_demand = engine_kv_on_demand(pr.engine);
  SimulationPlan plan;
  int n_sim = pr.n_requests;  // requests one replica simulation runs
  if (disaggregated) {
    const int reason = plan_disaggregated(pr, c, rp, r, bp, mean_in, mean_out, plan);
    if (reason != 0) {
      e.reason = reason;
      return e;
    }
  } else {
    plan.params[0] = bp;
    if (pr.makespan) {
      // Each replica gets its share of the prompts; saturated, they are all there at t = 0 (as many clients as
      // prompts), else the replica's share of the clients.
      n_sim = (pr.n_requests + c.replicas - 1) / c.replicas;
      const int clients = pr.concurrency > 0 ? (pr.concurrency + c.replicas - 1) / c.replicas : n_sim;
      plan.params[0].concurrency = clients < n_sim ? clients : n_sim;
    } else if (pr.open_loop) {
      plan.params[0].concurrency = 0;
      plan.params[0].arrival_scale = c.replicas;
    } else {
      plan.params[0].concurrency =
          pr.concurrency > 0 ? (pr.concurrency + c.replicas - 1) / c.replicas : c.max_batch;
    }
  }
  // The one call site of the batching simulator, in a loop over passes and phases: each inlined copy costs the
  // device build registers, stack and compile time.
  BatchingResult res[2];
  for (int pass = 0; pass < plan.passes; ++pass) {
    if (plan.passes > 1 && !split_clients(plan, pass)) break;
    for (int ph = 0; ph < plan.phases; ++ph) {
      if (ph == 1 && pr.open_loop) feed_decode_phase(pr, res[0], plan);
      res[ph] = simulate_batching(ph == 0 ? rp : r, pr.requests, n_sim, plan.params[ph], scratch);
    }
    if (pass + 1 == plan.passes || res[0].error != 0 || res[1].error != 0) break;
    if (pass + 2 == plan.passes && slower_phase_saturated(res, mean_out, plan)) break;
    if (!resplit_clients(res, mean_out, plan)) break;
  }
  if (res[0].error != 0 || (disaggregated && res[1].error != 0)) {
    e.reason = int(InferenceInfeasible::SimulationFailed);
    return e;
  }
  if (disaggregated) return finish_disaggregated(pr, plan, res[0], res[1], mean_in, mean_out, e, scratch);
  return finish_colocated(pr, c, plan.params[0], res[0], n_sim, e, scratch);
}

// Prefill-instance counts a disaggregated search offers out of n instances: every count within 15 of either end,
// and between them the first count of each sixteenth of n (at most 46 choices).
AIDC_HD inline bool offered_prefill_split(int prefill, int n) {
  if (prefill < 1 || prefill >= n) return false;
  if (prefill < 16 || n - prefill < 16) return true;
  return (16 * prefill) / n != (16 * (prefill - 1)) / n;
}

// Tensor parallelism the serving engines run: the query heads split evenly over the tp ranks, and the KV heads
// either split evenly or, fewer than tp, each replicated on tp / kv_heads ranks (vLLM's and TensorRT-LLM's checks).
AIDC_HD inline bool tp_splits_heads(const LlmArch& a, int tp) {
  if (a.heads > 0 && a.heads % tp != 0) return false;
  if (a.kv_heads > 0 && (a.kv_heads >= tp ? a.kv_heads % tp != 0 : tp % a.kv_heads != 0)) return false;
  return true;
}

AIDC_HD inline int hd_gcd(int a, int b) {
  while (b != 0) {
    const int t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// The prefill instances' expert-parallel degree beside decode instances at (tp, ep), at prefill tp `tp_p`: dense, 1;
// expert parallelism over the whole of a multi-GPU instance (vLLM's --enable-expert-parallel: ep = tp > 1) stays
// so (tp_p) where the routed experts split tp_p ways; else the largest degree that divides both ep and tp_p (which
// divides the experts, as ep does).
AIDC_HD inline int prefill_ep_for(const LlmArch& a, int tp, int ep, int tp_p) {
  if (a.routed_experts == 0) return 1;
  if (ep == tp && tp > 1 && a.routed_experts % tp_p == 0) return tp_p;
  return hd_gcd(ep, tp_p);
}

// A tensor-parallel degree the enumeration offers on `pr` for an instance of its model (the GPU count's divisors
// apart: a disaggregated prefill tp need not divide it).
AIDC_HD inline bool offered_tp(const InferenceProblem& pr, int tp) {
  if (tp > 1 && tp > pr.accel.scaleup_domain_gpus) return false;
  return tp_splits_heads(pr.arch, tp);
}

// Writes up to `cap` configurations to `out` and returns how many there are (may exceed cap: call again with a
// larger buffer). Order: tp, pp, ep, then co-located before disaggregated (prefill tp ascending, then prefill count
// ascending), then max_batch, chunk ascending (deterministic).
//
// Disaggregated at decode (tp, pp, ep) and prefill tp_p (every offered tp, or fixed_prefill_tp), all the GPUs used:
// np x tp_p + nd x tp = S = gpus / pp with np, nd >= 1 (neither tp need divide the GPUs: 12 = 8 + 4). The solutions
// are np = np0, np0 + step, ... (step = tp / gcd(tp, tp_p), np0 the least with tp | S - np0 x tp_p) while
// np x tp_p < S; offered_prefill_split picks among them by their index (at equal tp dividing S: np = 1 .. S/tp - 1,
// every split as before).
AIDC_HD inline int enumerate_inference_configs(const InferenceProblem& pr, InferenceConfig* out, int cap) {
  const int batch_choices[kNumMaxBatchChoices] = {8, 16, 32, 64, 128, 256, 512, 1024};
  const int chunk_choices[kNumChunkChoices] = {512, 1024, 2048, 4096, 8192};
  int count = 0;
  const LlmArch& a = pr.arch;
  const bool colocated = pr.serving == ServingMode::Either ||
                         (pr.serving == ServingMode::Aggregated && pr.fixed_prefill_replicas <= 0 &&
                          pr.fixed_prefill_tp <= 0);
  const bool apart = (pr.serving != ServingMode::Aggregated || pr.fixed_prefill_replicas > 0 || pr.fixed_prefill_tp > 0) &&
                     !pr.makespan;
  // every (max_batch, chunk) of one layout
  auto emit = [&](int tp, int pp, int ep, int replicas, int np, int tp_p, int ep_p) {
    for (int bi = 0; bi < kNumMaxBatchChoices; ++bi) {
      // a fixed limit replaces the choices: one value, offered once
      if (pr.fixed_max_batch > 0 && bi > 0) break;
      const int mb = pr.fixed_max_batch > 0 ? hd_fixed_max_batch(pr.fixed_max_batch) : batch_choices[bi];
      for (int ci = 0; ci < kNumChunkChoices; ++ci) {
        if (pr.fixed_chunk_tokens > 0 && ci > 0) break;
        const int ch = pr.fixed_chunk_tokens > 0 ? pr.fixed_chunk_tokens : chunk_choices[ci];
        if (count < cap) {
          InferenceConfig& c = out[count];
          c.tp = tp;
          c.pp = pp;
          c.ep = ep;
          c.replicas = replicas;
          c.max_batch = mb;
          c.chunk_tokens = ch;
          c.prefill_replicas = np;
          c.prefill_tp = np > 0 ? tp_p : 0;
          c.prefill_ep = np > 0 ? ep_p : 0;
        }
        ++count;
      }
    }
  };
  const int tp_limit = pr.accel.scaleup_domain_gpus > 1 ? pr.accel.scaleup_domain_gpus : 1;  // offered_tp's bound
  for (int tp = 1; tp <= pr.gpus; ++tp) {
    if (pr.fixed_tp > 0 && tp != pr.fixed_tp) continue;
    if (!offered_tp(pr, tp)) continue;
    for (int pp = 1; pp * tp <= pr.gpus; ++pp) {
      if (pr.fixed_pp > 0 && pp != pr.fixed_pp) continue;
      if (pp > pr.max_pp || pp > a.layers) continue;
      // co-located replicas tile the GPUs; disaggregated instances only fill each stage's GPUs together
      const bool co = colocated && pr.gpus % (tp * pp) == 0;
      const bool dis = apart && pr.gpus % pp == 0;
      if (!co && !dis) continue;
      const int stage_gpus = pr.gpus / pp;
      for (int ep = 1; ep <= tp; ++ep) {
        if (a.routed_experts == 0 && ep != 1) continue;
        if (a.routed_experts > 0 && (tp % ep != 0 || a.routed_experts % ep != 0)) continue;
        if (pr.fixed_ep > 0 && ep != pr.fixed_ep) continue;
        if (co) emit(tp, pp, ep, stage_gpus / tp, 0, 0, 0);
        if (!dis) continue;
        for (int tp_p = 1; tp_p < stage_gpus && tp_p <= tp_limit; ++tp_p) {
          if (pr.fixed_prefill_tp > 0 && tp_p != pr.fixed_prefill_tp) continue;
          if (!offered_tp(pr, tp_p)) continue;
          const int ep_p = prefill_ep_for(a, tp, ep, tp_p);
          // np x tp_p = stage_gpus (mod tp): the least np, then every step-th
          const int step = tp / hd_gcd(tp, tp_p);
          int np0 = 0;
          for (int x = 1; x <= step && np0 == 0; ++x) np0 = (stage_gpus - x * tp_p) % tp == 0 ? x : 0;
          if (np0 == 0 || np0 * tp_p >= stage_gpus) continue;
          const int n_valid = (stage_gpus - 1 - np0 * tp_p) / (step * tp_p) + 1;
          for (int j = 0; j < n_valid; ++j) {
            const int np = np0 + j * step, nd = (stage_gpus - np * tp_p) / tp;
            if (pr.fixed_prefill_replicas > 0 ? np != pr.fixed_prefill_replicas
                                              : !offered_prefill_split(j + 1, n_valid + 1)) {
              continue;
            }
            emit(tp, pp, ep, np + nd, np, tp_p, ep_p);
          }
        }
      }
    }
  }
  return count;
}

// Layouts (tp, pp, ep, split) the enumeration offers on `pr`, its max_batch and chunk choices aside: 0 when the
// fixed degrees leave none (the refusals before a search, core/run/perf_estimates.cpp and the scenario parser).
AIDC_HD inline int count_layouts(InferenceProblem pr) {
  pr.fixed_max_batch = pr.fixed_chunk_tokens = 1;  // one configuration per layout
  return enumerate_inference_configs(pr, nullptr, 0);
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
  double usable_hbm_bytes_total = 0.0;       // gpus x what the engine may fill at the closest configuration's chunk
  double weights_ceiling_bytes_total = 0.0;  // the same at the smallest activations (SGLang's reserve shrinks)
  int closest_chunk_tokens = 0;   // the token budget of the configuration that came closest (its activations)
  bool closest_weights_fit = false;  // that configuration's weights per GPU fit under the engine's ceiling alone
  // disaggregated: the closest configuration failed at its prefill instances (of this tp); the memory figures above
  // are then theirs
  bool closest_prefill_failed = false;
  int closest_prefill_tp = 0;
  int closest_pp = 0;
};

// Picks the best from already evaluated estimates (separate so that a parallel transform can fill `est`).
AIDC_HD inline InferenceSearchResult pick_best_inference(const InferenceProblem& pr, const InferenceConfig* configs,
                                                         const InferenceEstimate* est, int n) {
  InferenceSearchResult s;
  s.n_evaluated = n;
  s.hbm_bytes_total = pr.accel.hbm_bytes * pr.gpus;
  int closest = -1;
  // the GPUs per stage of the instance that does not fit (disaggregated: prefill or decode)
  auto failing_tp = [&](int i) { return est[i].prefill_failed ? prefill_tp_of(configs[i]) : configs[i].tp; };
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
    } else if (closest < 0 || failing_tp(i) * configs[i].pp > failing_tp(closest) * configs[closest].pp) {
      closest = i;  // the configuration whose failing instance has the most memory tells best why nothing fits
    }
  }
  if (s.n_feasible == 0) s.reason = closest >= 0 ? est[closest].reason : int(InferenceInfeasible::NoConfiguration);
  // What the engine may fill per GPU with the smallest activations, for the replica of the configuration that came
  // closest (SGLang's reserve depends on its tp x pp and chunk: taken at the smallest chunk, so that weights which
  // fit only beside a smaller chunk's reserve read as the activations' fault), times the GPUs.
  s.closest_chunk_tokens = closest >= 0 ? configs[closest].chunk_tokens : 0;
  const int tp = closest >= 0 ? failing_tp(closest) : pr.gpus;
  const int pp = closest >= 0 ? configs[closest].pp : 1;
  s.closest_prefill_failed = closest >= 0 && est[closest].prefill_failed != 0;
  s.closest_prefill_tp = s.closest_prefill_failed ? tp : 0;
  s.closest_pp = pp;
  const double ceiling_per_gpu = engine_memory(pr.eff, pr.accel.hbm_bytes, tp, pp, 0.0, 0.0, 1).ceiling_bytes;
  s.weights_ceiling_bytes_total = ceiling_per_gpu * pr.gpus;
  s.usable_hbm_bytes_total =
      engine_memory(pr.eff, pr.accel.hbm_bytes, tp, pp, 0.0, 0.0, s.closest_chunk_tokens).ceiling_bytes * pr.gpus;
  s.closest_weights_fit =
      closest >= 0 && (s.closest_prefill_failed ? est[closest].prefill_weights_bytes_per_gpu
                                                : est[closest].weights_bytes_per_gpu) <= ceiling_per_gpu;
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
    case ServingEngine::TrtLlmServe: return "trtllm-serve";
    case ServingEngine::TrtLlm: break;
  }
  return "trtllm";
}

// The engine named `name` (engine_name's inverse); false when none is.
inline bool engine_by_name(const std::string& name, ServingEngine& out) {
  for (ServingEngine e : {ServingEngine::TrtLlm, ServingEngine::Vllm, ServingEngine::Sglang, ServingEngine::TrtLlmServe}) {
    if (name == engine_name(e)) {
      out = e;
      return true;
    }
  }
  return false;
}

inline const char* serving_mode_name(ServingMode m) {
  switch (m) {
    case ServingMode::Disaggregated: return "disaggregated";
    case ServingMode::Either: return "any";
    case ServingMode::Aggregated: break;
  }
  return "aggregated";
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
// "llama-3.1-405b in fp8 needs 410 GB of weights; 2 x h100-sxm hold 171 GB (167 GB usable)"
// (kernels/inference_search_parallel.cpp).
std::string describe_infeasible(const InferenceSearchResult& s, const char* model, const char* accel, int gpus,
                                Precision p);

}  // namespace aidc
#endif
