// Disaggregated prefill/decode serving: the two phase simulations (BatchingParams::phase) against hand-computed
// iteration costs, and the deployment evaluation (kernels/inference_search.hpp) against its parts.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "kernels/inference_batching.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "tests/inference_calibration_rows.hpp"
#include "tests/inference_test_models.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

ReplicaModel model_70b(int tp, int chunk = 4096) {
  return make_replica_model(llama_3_3_70b(), h100_sxm(), Precision::Fp8, tp, 1, 1, chunk,
                            inference_efficiency(h100_sxm().generation, Precision::Fp8));
}

BatchingParams params(const ReplicaModel& r, int phase, int concurrency, int max_batch = 64, int chunk = 4096) {
  BatchingParams p;
  p.max_batch = max_batch;
  p.chunk_tokens = chunk;
  p.concurrency = concurrency;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  p.phase = phase;
  return p;
}

InferenceProblem problem_70b(int gpus, const std::vector<InferenceRequest>& reqs, ServingMode mode) {
  InferenceProblem pr;
  pr.arch = llama_3_3_70b();
  pr.accel = h100_sxm();
  pr.gpus = gpus;
  pr.precision = Precision::Fp8;
  pr.requests = reqs.data();
  pr.n_requests = int(reqs.size());
  pr.eff = inference_efficiency(pr.accel.generation, Precision::Fp8);
  pr.serving = mode;
  return pr;
}

InferenceConfig layout(int tp, int pp, int replicas, int prefill_replicas, int max_batch, int chunk_tokens) {
  InferenceConfig c;
  c.tp = tp;
  c.pp = pp;
  c.replicas = replicas;
  c.prefill_replicas = prefill_replicas;
  c.max_batch = max_batch;
  c.chunk_tokens = chunk_tokens;
  return c;
}

std::vector<InferenceConfig> enumerate(const InferenceProblem& pr) {
  std::vector<InferenceConfig> c(1 << 16);
  const int n = enumerate_inference_configs(pr, c.data(), int(c.size()));
  REQUIRE(n <= int(c.size()));
  c.resize(n);
  return c;
}

}  // namespace

TEST_CASE("a prefill instance finishes a request when its prompt is done: one iteration per chunk, one token each") {
  const ReplicaModel r = model_70b(2);
  std::vector<InferenceRequest> reqs = fixed_requests(1, 3000, 200);
  ScratchOwner sc(1);
  const BatchingResult b = simulate_batching(r, reqs.data(), 1, params(r, 1, 1), sc.s);
  IterationLoad pre;
  pre.prefill_tokens = 3000;
  pre.prefill_pairs = 3000.0 * 0.5 * 3001.0;
  pre.prefill_kv_read = 3000;
  pre.logit_rows = 1;
  const double t = iteration_cost(r, pre).time_s;
  CHECK(b.requests_finished == 1);
  CHECK(b.output_tokens == 1.0);  // the first token; the other 199 are the decode instance's
  CHECK(b.iterations == 1);
  CHECK(b.ttft_p50_s == Approx(t).epsilon(1e-12));
  CHECK(b.makespan_s == Approx(t).epsilon(1e-12));
}

TEST_CASE("a decode instance admits a request with its KV and first token and runs only decode steps") {
  const ReplicaModel r = model_70b(2);
  std::vector<InferenceRequest> reqs = fixed_requests(1, 3000, 50);
  ScratchOwner sc(1);
  for (int on_demand : {0, 1}) {
    BatchingParams p = params(r, 2, 1);
    p.kv_on_demand = on_demand;
    const BatchingResult b = simulate_batching(r, reqs.data(), 1, p, sc.s);
    double decode = 0.0;
    for (int g = 1; g < 50; ++g) {  // context: the prompt, the received token, then one more per step
      IterationLoad d;
      d.decode_tokens = 1;
      d.decode_context = 3000 + g;
      d.logit_rows = 1;
      decode += iteration_cost(r, d).time_s;
    }
    INFO("on demand " << on_demand);
    CHECK(b.iterations == 49);
    CHECK(b.output_tokens == 50.0);
    CHECK(b.ttft_p50_s == 0.0);  // nothing waited for a slot
    CHECK(b.tpot_p50_s == Approx(decode / 49).epsilon(1e-12));
    CHECK(b.makespan_s == Approx(decode).epsilon(1e-12));
    CHECK(b.peak_kv_tokens == 3050.0);  // reserved at admission, or grown to it by the last step
  }
}

TEST_CASE("both phases conserve requests and tokens, closed and open loop, and never overfill the KV cache") {
  const int n = 1200;
  std::vector<InferenceRequest> reqs = mixed_requests(n);
  double want_out = 0.0;
  for (int i = 0; i < n; ++i) {
    want_out += reqs[i].output_tokens;
    reqs[i].arrival_s = 0.02 * i;
  }
  ReplicaModel r = model_70b(2);
  r.kv_capacity_tokens = 60000;  // tight: the on-demand policy must preempt
  ScratchOwner sc(n);
  for (int on_demand : {0, 1}) {
    for (int concurrency : {0, 100}) {
      INFO("on demand " << on_demand << ", concurrency " << concurrency);
      BatchingParams pp = params(r, 1, concurrency);
      pp.kv_on_demand = on_demand;
      const BatchingResult bp = simulate_batching(r, reqs.data(), n, pp, sc.s);
      CHECK(bp.error == 0);
      CHECK(bp.requests_finished == n);
      CHECK(bp.output_tokens == double(n));
      // prompts over several 512-token chunks: their whole chunks costed without loop turns give what stepping
      // every iteration gives
      BatchingParams pc = pp;
      pc.chunk_tokens = 512;
      const BatchingResult skip_c = simulate_batching(r, reqs.data(), n, pc, sc.s);
      pc.max_skip_iterations = 1;
      const BatchingResult step_c = simulate_batching(r, reqs.data(), n, pc, sc.s);
      CHECK(skip_c.iterations == step_c.iterations);
      if (concurrency > 0) CHECK(skip_c.events < step_c.events);
      CHECK(skip_c.makespan_s == Approx(step_c.makespan_s).epsilon(1e-12));
      CHECK(skip_c.ttft_p99_s == Approx(step_c.ttft_p99_s).epsilon(1e-12));
      CHECK(skip_c.output_tokens_per_s == Approx(step_c.output_tokens_per_s).epsilon(1e-12));
      CHECK(bp.peak_kv_tokens <= r.kv_capacity_tokens);
      BatchingParams dp = params(r, 2, concurrency);
      dp.kv_on_demand = on_demand;
      const BatchingResult bd = simulate_batching(r, reqs.data(), n, dp, sc.s);
      CHECK(bd.error == 0);
      CHECK(bd.requests_finished == n);
      CHECK(bd.output_tokens == want_out);
      CHECK(bd.peak_kv_tokens <= r.kv_capacity_tokens);
      if (on_demand == 1 && concurrency == 100) CHECK(bd.preemptions > 0);
      if (on_demand == 0) CHECK(bd.preemptions == 0);
      // event skipping is exact in the decode-only phase too
      dp.max_skip_iterations = 1;
      const BatchingResult step = simulate_batching(r, reqs.data(), n, dp, sc.s);
      CHECK(step.makespan_s == Approx(bd.makespan_s).epsilon(1e-9));
      CHECK(step.tpot_p99_s == Approx(bd.tpot_p99_s).epsilon(1e-9));
    }
  }
}

TEST_CASE("the KV transfer runs over NVLink inside one scale-up domain and over the NICs beyond it") {
  const AcceleratorSpec h100 = h100_sxm();
  const InferenceEfficiency eff = inference_efficiency(h100.generation, Precision::Fp8);
  // tp 2: two GPUs send their shards in parallel at the collective efficiency
  CHECK(kv_transfer_bytes_per_s(h100, 2, 1, 8, eff) == Approx(2 * h100.scaleup_bytes_per_s * eff.collective));
  REQUIRE(h100.scaleout_bytes_per_s > 0.0);
  CHECK(kv_transfer_bytes_per_s(h100, 2, 1, 16, eff) == Approx(2 * h100.scaleout_bytes_per_s * eff.collective));
  // Llama 3.3 70B in fp8: KV 80 layers x 2 x 8 heads x 128 x 1 byte = 163,840 bytes per token
  std::vector<InferenceRequest> reqs = fixed_requests(400, 3000, 100);
  InferenceProblem pr = problem_70b(8, reqs, ServingMode::Disaggregated);
  InferenceConfig c;
  c.tp = 2;
  c.replicas = 4;
  c.prefill_replicas = 2;
  c.max_batch = 64;
  c.chunk_tokens = 4096;
  ScratchOwner sc(400);
  const InferenceEstimate e = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(e.feasible == 1);
  const double link = 2 * h100.scaleup_bytes_per_s * eff.collective;
  CHECK(e.kv_transfer_bytes_per_s == Approx(link));
  CHECK(e.kv_transfer_s == Approx(eff.p2p_latency_s + 3000.0 * 163840.0 / link));
  CHECK(e.transfer_capacity_tokens_per_s == Approx(2 * link / (3000.0 * 163840.0) * 100.0));
}

TEST_CASE("a disaggregated deployment runs at its slowest side, within what its clients allow, and adds the transfer to TTFT") {
  std::vector<InferenceRequest> reqs = fixed_requests(600, 3000, 150);
  ScratchOwner sc(600);
  for (int concurrency : {0, 48}) {
    InferenceProblem pr = problem_70b(8, reqs, ServingMode::Disaggregated);
    pr.concurrency = concurrency;
    for (int np : {1, 2, 3}) {
      InferenceConfig c;
      c.tp = 2;
      c.replicas = 4;
      c.prefill_replicas = np;
      c.max_batch = 64;
      c.chunk_tokens = 8192;
      const InferenceEstimate e = evaluate_inference_config(pr, c, sc.s);
      INFO("concurrency " << concurrency << ", prefill instances " << np);
      REQUIRE(e.feasible == 1);
      const double slowest = std::min({e.prefill_capacity_tokens_per_s, e.decode_capacity_tokens_per_s,
                                       e.transfer_capacity_tokens_per_s});
      // closed loop: also no more than C requests per request latency (TTFT + 149 further tokens)
      const double by_clients = concurrency > 0 ? concurrency * 150.0 / (e.ttft_p50_s + 149.0 * e.tpot_p50_s) : 1e300;
      const double expected = std::min(slowest, by_clients);
      CHECK(e.output_tokens_per_s == Approx(expected).epsilon(1e-12));
      CHECK(e.output_tokens_per_s_per_gpu == Approx(expected / 8).epsilon(1e-12));
      // the clients' bound is reported (saturated: none)
      if (concurrency > 0) {
        CHECK(e.output_tokens_per_s <= e.clients_capacity_tokens_per_s * (1.0 + 1e-12));
      } else {
        CHECK(e.clients_capacity_tokens_per_s == 0.0);
      }
      CHECK(e.ttft_p50_s >= e.kv_transfer_s);
      CHECK(e.ttft_p99_s >= e.ttft_p50_s);
      CHECK(e.tpot_p50_s > 0.0);
    }
  }
  // An instance count without a decode instance is refused.
  InferenceProblem pr = problem_70b(8, reqs, ServingMode::Disaggregated);
  InferenceConfig c;
  c.tp = 2;
  c.replicas = 4;
  c.prefill_replicas = 4;
  CHECK(evaluate_inference_config(pr, c, sc.s).reason == int(InferenceInfeasible::BadParallelism));
}

TEST_CASE("the enumeration offers co-located, disaggregated or both deployments, and a fixed split only") {
  std::vector<InferenceRequest> reqs = fixed_requests(10, 1000, 100);
  const std::vector<InferenceConfig> agg = enumerate(problem_70b(8, reqs, ServingMode::Aggregated));
  const std::vector<InferenceConfig> dis = enumerate(problem_70b(8, reqs, ServingMode::Disaggregated));
  const std::vector<InferenceConfig> any = enumerate(problem_70b(8, reqs, ServingMode::Either));
  CHECK(any.size() == agg.size() + dis.size());
  for (const InferenceConfig& c : agg) CHECK(c.prefill_replicas == 0);
  std::set<int> splits_at_tp1;
  for (const InferenceConfig& c : dis) {
    CHECK(c.prefill_replicas >= 1);
    CHECK(c.prefill_replicas < c.replicas);
    if (c.tp == 1 && c.pp == 1) splits_at_tp1.insert(c.prefill_replicas);
  }
  CHECK(splits_at_tp1 == std::set<int>{1, 2, 3, 4, 5, 6, 7});
  InferenceProblem fixed = problem_70b(8, reqs, ServingMode::Disaggregated);
  fixed.fixed_prefill_replicas = 3;
  for (const InferenceConfig& c : enumerate(fixed)) CHECK(c.prefill_replicas == 3);
  // Large deployments: every split within 15 of either end, then one per sixteenth (at most 46 choices).
  int offered = 0;
  for (int p = 1; p < 1000; ++p) offered += offered_prefill_split(p, 1000) ? 1 : 0;
  CHECK(offered <= 46);
  CHECK(offered_prefill_split(1, 1000));
  CHECK(offered_prefill_split(999, 1000));
  CHECK(offered_prefill_split(500, 1000));
  CHECK_FALSE(offered_prefill_split(0, 1000));
  CHECK_FALSE(offered_prefill_split(1000, 1000));
}

TEST_CASE("under a tight TPOT bound with long prompts, separating the phases serves more than co-locating them") {
  // Physics: co-located, every prompt chunk lengthens the decode steps it shares (chunked prefill), so a tight
  // TPOT bound forces small chunks and batches; apart, decode steps carry no prompt tokens (DistServe, Dynamo).
  std::vector<InferenceRequest> reqs = fixed_requests(600, 3000, 150);
  ScratchOwner sc(600);
  auto best = [&](ServingMode mode) {
    InferenceProblem pr = problem_70b(8, reqs, mode);
    pr.concurrency = 64;
    pr.slo_tpot_s = 0.05;
    std::vector<InferenceConfig> cfg = enumerate(pr);
    std::vector<InferenceEstimate> est(cfg.size());
    const InferenceSearchResult s = search_inference(pr, cfg.data(), int(cfg.size()), est.data(), sc.s);
    REQUIRE(s.best >= 0);
    return std::make_pair(cfg[s.best], est[s.best]);
  };
  const auto [ca, ea] = best(ServingMode::Aggregated);
  const auto [cd, ed] = best(ServingMode::Disaggregated);
  const auto [cx, ex] = best(ServingMode::Either);
  CHECK(cd.prefill_replicas > 0);
  CHECK(ed.output_tokens_per_s > ea.output_tokens_per_s);
  CHECK(ex.output_tokens_per_s == std::max(ea.output_tokens_per_s, ed.output_tokens_per_s));
  CHECK(ed.tpot_p99_s <= 0.05);
}

TEST_CASE("open loop: the decode instances see what the prefill instances deliver, not more") {
  // 1 prefill + 3 decode instances offered far more than one prefill instance can take: the deployment runs at the
  // prefill side's rate, and the decode side is judged at that load.
  std::vector<InferenceRequest> reqs = fixed_requests(600, 3000, 150);
  set_poisson_arrivals(reqs, 500.0);
  ScratchOwner sc(600);
  InferenceProblem pr = problem_70b(8, reqs, ServingMode::Disaggregated);
  pr.open_loop = true;
  InferenceConfig c;
  c.tp = 2;
  c.replicas = 4;
  c.prefill_replicas = 1;
  c.max_batch = 256;
  c.chunk_tokens = 8192;
  const InferenceEstimate e = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(e.feasible == 1);
  // (the decode side then produces what it is fed, within the measuring window's noise)
  CHECK(e.output_tokens_per_s <= e.prefill_capacity_tokens_per_s);
  CHECK(e.output_tokens_per_s == Approx(e.prefill_capacity_tokens_per_s).epsilon(0.01));
  CHECK(e.output_tokens_per_s < 0.5 * 500.0 * 150.0);
  // the decode instances, fed at the prefill side's rate, are far from saturated: TPOT near a small batch's step
  CHECK(e.tpot_p99_s < 0.05);
}

TEST_CASE("a disaggregated request's TTFT is its own prefill TTFT, transfer and decode wait, paired request by request") {
  // Open loop at a load that queues on the prefill side: the decode phase carries each request's prefill TTFT from
  // the prefill simulation of the same stream, so the deployment's TTFT percentiles are of those sums. Checked
  // against the two phases simulated separately and paired here by hand.
  std::vector<InferenceRequest> reqs = fixed_requests(400, 3000, 100);
  set_poisson_arrivals(reqs, 12.0);
  ScratchOwner sc(400);
  InferenceProblem pr = problem_70b(8, reqs, ServingMode::Disaggregated);
  pr.open_loop = true;
  pr.slo_ttft_s = 0.5;
  pr.slo_tpot_s = 0.05;
  const InferenceConfig c = layout(2, 1, 4, 2, 64, 4096);
  const InferenceEstimate e = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(e.feasible == 1);

  const ReplicaModel r = model_70b(2);
  BatchingParams pp = params(r, 1, 0);
  pp.arrival_scale = 2;
  const BatchingResult bp = simulate_batching(r, reqs.data(), 400, pp, sc.s);
  std::vector<double> prefill_ttft(400);
  for (int i = 0; i < 400; ++i) prefill_ttft[i] = sc.s.states[i].first_token_s - sc.s.states[i].arrival_s;
  BatchingParams dp = params(r, 2, 0);
  // what the prefill side delivers, if less than offered, feeds the decode side (as the evaluation does)
  const double offered = 400.0 / reqs.back().arrival_s;
  const double delivered = bp.output_tokens_per_s * 2;
  dp.arrival_scale = 2 * (offered > delivered ? offered / delivered : 1.0);
  const BatchingResult bd = simulate_batching(r, reqs.data(), 400, dp, sc.s);
  std::vector<double> total(400);
  int within = 0;
  for (int i = 0; i < 400; ++i) {
    const RequestState& s = sc.s.states[i];
    REQUIRE(s.status == 3);
    total[i] = prefill_ttft[i] + e.kv_transfer_s + (s.first_token_s - s.arrival_s);
    const double tpot = (s.finish_s - s.first_token_s) / 99.0;
    within += (total[i] <= 0.5 && tpot <= 0.05) ? 1 : 0;
  }
  std::vector<double> sorted = total;
  std::sort(sorted.begin(), sorted.end());
  const double p50 = 0.5 * (sorted[199] + sorted[200]);
  const double p99 = sorted[395] + (sorted[396] - sorted[395]) * (0.99 * 399 - 395);
  CHECK(e.ttft_p50_s == Approx(p50).epsilon(1e-9));
  CHECK(e.ttft_p99_s == Approx(p99).epsilon(1e-9));
  CHECK(e.slo_attainment == Approx(within / 400.0).epsilon(1e-12));
  // the sum of the phases' own p99s bounds it (what the estimate reported before the pairing)
  CHECK(e.ttft_p99_s <= bp.ttft_p99_s + e.kv_transfer_s + bd.ttft_p99_s + 1e-12);
  CHECK(e.ttft_p99_s > bp.ttft_p99_s);
}

TEST_CASE("the SLO attainment counts the requests whose own TTFT and TPOT are within the bounds") {
  std::vector<InferenceRequest> reqs = fixed_requests(500, 2000, 200);
  set_poisson_arrivals(reqs, 6.0);
  ScratchOwner sc(500);
  InferenceProblem pr = problem_70b(2, reqs, ServingMode::Aggregated);
  pr.open_loop = true;
  const InferenceConfig c = layout(2, 1, 1, 0, 128, 2048);
  const InferenceEstimate free = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(free.feasible == 1);
  CHECK(free.slo_attainment == 1.0);  // no bound: every finished request counts
  // A TTFT bound at the p50 leaves about half the requests outside; one above the p99, at most 1 % of them.
  pr.slo_ttft_s = free.ttft_p50_s;
  const double at_p50 = evaluate_inference_config(pr, c, sc.s).slo_attainment;
  CHECK(at_p50 >= 0.45);
  CHECK(at_p50 <= 0.55);
  pr.slo_ttft_s = free.ttft_p99_s * 1.0001;
  CHECK(evaluate_inference_config(pr, c, sc.s).slo_attainment >= 0.99);
  // Both bounds: no more than either alone.
  pr.slo_ttft_s = free.ttft_p50_s;
  pr.slo_tpot_s = free.tpot_p50_s;
  const InferenceEstimate both = evaluate_inference_config(pr, c, sc.s);
  CHECK(both.slo_attainment <= at_p50);
  pr.slo_ttft_s = 0.0;
  CHECK(both.slo_attainment <= evaluate_inference_config(pr, c, sc.s).slo_attainment);
  // The reported figures do not change with the bounds (they only judge).
  CHECK(both.output_tokens_per_s == free.output_tokens_per_s);
  CHECK(both.ttft_p99_s == free.ttft_p99_s);
}

TEST_CASE("closed-loop disaggregated serving obeys Little's law: C clients at X requests/s spend C / X per request") {
  // One prefill instance for one decode instance with 64 clients: the prefill side sets the rate and the clients
  // the decode side does not hold queue for a prefill; that wait is in TTFT and in the SLO attainment.
  std::vector<InferenceRequest> reqs = fixed_requests(700, 3000, 150);
  ScratchOwner sc(700);
  InferenceProblem pr = problem_70b(8, reqs, ServingMode::Disaggregated);
  pr.concurrency = 64;
  const InferenceConfig c = layout(1, 4, 2, 1, 64, 8192);
  const InferenceEstimate e = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(e.feasible == 1);
  REQUIRE(e.prefill_capacity_tokens_per_s < e.decode_capacity_tokens_per_s);
  const double per_request_s = e.ttft_p50_s + 149.0 * e.tpot_p50_s;
  CHECK(per_request_s >= 64.0 / (e.output_tokens_per_s / 150.0) * (1.0 - 1e-9));
  // a TTFT bound between the phases' own TTFT and the whole one: the waiting requests miss it
  pr.slo_ttft_s = 0.5 * e.ttft_p50_s;
  CHECK(evaluate_inference_config(pr, c, sc.s).slo_attainment < 0.5);
  pr.slo_ttft_s = 1.01 * e.ttft_p99_s;
  CHECK(evaluate_inference_config(pr, c, sc.s).slo_attainment >= 0.99);
}

TEST_CASE("the last client correction is skipped only when the slower phase is saturated, whose rate more clients do not raise") {
  const ReplicaModel r = model_70b(4, 4096);
  std::vector<InferenceRequest> reqs = fixed_requests(600, 256, 200);
  ScratchOwner sc(600);
  // the premise: a prefill instance whose clients' prompts fill its 4096-token budget (16 x 256) delivers no more
  // requests/s with twice the clients, while one with too few clients to fill it delivers less
  const double rate_16 = simulate_batching(r, reqs.data(), 600, params(r, 1, 16), sc.s).output_tokens_per_s;
  const double rate_32 = simulate_batching(r, reqs.data(), 600, params(r, 1, 32), sc.s).output_tokens_per_s;
  const double rate_2 = simulate_batching(r, reqs.data(), 600, params(r, 1, 2), sc.s).output_tokens_per_s;
  REQUIRE(rate_16 > 0.0);
  CHECK(rate_32 == Approx(rate_16).epsilon(0.02));
  CHECK(rate_16 > 1.15 * rate_2);

  SimulationPlan plan;
  plan.np = 1;
  plan.nd = 3;
  plan.mean_in = 2000.0;
  plan.params[0] = params(r, 1, 4);
  plan.params[1] = params(r, 2, 40);
  BatchingResult res[2];
  res[0].output_tokens_per_s = 2.0;           // requests/s from the one prefill instance
  res[1].output_tokens_per_s = 200.0 * 1.0;   // 1 request/s per decode instance, 3 in all: prefill is slower
  CHECK(slower_phase_saturated(res, 200.0, plan));  // (4 - 1) x 2000 prompt tokens >= the 4096 budget
  plan.nd = 1;  // the same rate per decode instance on one of them, 1 request/s: now the decode phase is slower
  CHECK_FALSE(slower_phase_saturated(res, 200.0, plan));  // its 40 clients of 64
  plan.nd = 3;
  plan.params[0].concurrency = 3;
  CHECK_FALSE(slower_phase_saturated(res, 200.0, plan));  // (3 - 1) x 2000 < 4096: a client between requests
  plan.params[0].concurrency = 64;
  plan.mean_in = 10.0;
  CHECK(slower_phase_saturated(res, 200.0, plan));  // its batch is full
  // decode slower: saturated only at its max batch
  res[0].output_tokens_per_s = 10.0;
  CHECK_FALSE(slower_phase_saturated(res, 200.0, plan));  // 40 of 64
  plan.params[1].concurrency = 64;
  CHECK(slower_phase_saturated(res, 200.0, plan));
}

TEST_CASE("prefill instances at their own tp: the GPUs they take, the narrower instance's KV links, each phase on its own model") {
  // The published layout of triton_distributed's Llama 70B benchmark: 4 prefill instances at TP 2 on one node, one
  // decode instance at TP 8 on the other (16 GPUs, two scale-up domains: the KV crosses the NICs).
  const AcceleratorSpec h100 = h100_sxm();
  const InferenceEfficiency eff = inference_efficiency(h100.generation, Precision::Fp8);
  std::vector<InferenceRequest> reqs = fixed_requests(600, 3000, 150);
  set_poisson_arrivals(reqs, 6.0);
  ScratchOwner sc(600);
  InferenceProblem pr = problem_70b(16, reqs, ServingMode::Disaggregated);
  pr.open_loop = true;
  InferenceConfig c = layout(8, 1, 5, 4, 64, 8192);
  c.prefill_tp = 2;
  CHECK(config_gpus(c) == 16);
  const InferenceEstimate e = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(e.feasible == 1);
  const ReplicaModel rp = model_70b(2, 8192), rd = model_70b(8, 8192);
  CHECK(e.prefill_weights_bytes_per_gpu == rp.weights_bytes_per_gpu);
  CHECK(e.prefill_kv_capacity_tokens == rp.kv_capacity_tokens);
  CHECK(e.weights_bytes_per_gpu == rd.weights_bytes_per_gpu);
  CHECK(e.kv_capacity_tokens == rd.kv_capacity_tokens);
  CHECK(e.prefill_weights_bytes_per_gpu == Approx(4.0 * e.weights_bytes_per_gpu).epsilon(0.01));
  // one pair: the prefill instance's 2 GPUs send (the decode instance's 8 receive); all pairs: 4 x 2 senders
  // against 8 receivers, 8 links
  const double per_gpu = h100.scaleout_bytes_per_s * eff.collective;
  CHECK(e.kv_transfer_bytes_per_s == Approx(2 * per_gpu));
  CHECK(e.kv_transfer_s == Approx(eff.p2p_latency_s + 3000.0 * 163840.0 / (2 * per_gpu)));
  CHECK(e.transfer_capacity_tokens_per_s == Approx(8 * per_gpu / (3000.0 * 163840.0) * 150.0));
  // the prefill side: one TP2 instance's simulation at a quarter of the arrivals, times 4
  BatchingParams p = params(rp, 1, 0, 64, 8192);
  p.arrival_scale = 4;
  p.latency_percentiles = 0;
  const BatchingResult b = simulate_batching(rp, reqs.data(), 600, p, sc.s);
  CHECK(e.prefill_capacity_tokens_per_s == Approx(b.output_tokens_per_s * 4 * 150.0).epsilon(1e-12));
  // A prefill tp equal to the decode tp is the shared-tp layout, bit for bit.
  InferenceConfig same = layout(4, 1, 4, 2, 64, 8192), named = same;
  named.prefill_tp = 4;
  named.prefill_ep = 1;
  const InferenceEstimate a = evaluate_inference_config(pr, same, sc.s), n = evaluate_inference_config(pr, named, sc.s);
  REQUIRE(a.feasible == 1);
  CHECK(n.output_tokens_per_s == a.output_tokens_per_s);
  CHECK(n.ttft_p99_s == a.ttft_p99_s);
  CHECK(n.prefill_weights_bytes_per_gpu == a.weights_bytes_per_gpu);
  // Unequal sides: 6 TP1 prefill instances send over 6 links, the one TP2 decode instance receives over 2.
  InferenceProblem eight = problem_70b(8, reqs, ServingMode::Disaggregated);
  eight.open_loop = true;
  InferenceConfig six = layout(2, 1, 7, 6, 64, 8192);
  six.prefill_tp = 1;
  const InferenceEstimate s6 = evaluate_inference_config(eight, six, sc.s);
  REQUIRE(s6.feasible == 1);
  const double nvlink = h100.scaleup_bytes_per_s * eff.collective;
  CHECK(s6.kv_transfer_bytes_per_s == Approx(nvlink));  // one pair: the TP1 instance's one GPU
  CHECK(s6.transfer_capacity_tokens_per_s == Approx(2 * nvlink / (3000.0 * 163840.0) * 150.0));
  // More GPUs than the problem has, at the prefill side's tp, are refused.
  InferenceConfig over = c;
  over.prefill_tp = 4;  // 4 x 4 + 8 = 24 GPUs
  CHECK(config_gpus(over) == 24);
  CHECK(evaluate_inference_config(pr, over, sc.s).reason == int(InferenceInfeasible::BadParallelism));
}

TEST_CASE("a prefill instance too small for the weights or for the longest prompt is infeasible, not the deployment's decode side") {
  std::vector<InferenceRequest> reqs = fixed_requests(100, 3000, 150);
  ScratchOwner sc(100);
  InferenceProblem pr = problem_70b(16, reqs, ServingMode::Disaggregated);
  pr.precision = Precision::Bf16;  // 141 GB of weights: not on one 80 GB GPU
  pr.eff = inference_efficiency(pr.accel.generation, Precision::Bf16);
  InferenceConfig c = layout(8, 1, 9, 8, 64, 8192);
  c.prefill_tp = 1;
  CHECK(config_gpus(c) == 16);
  CHECK(evaluate_inference_config(pr, c, sc.s).reason == int(InferenceInfeasible::WeightsExceedMemory));
  // FP8 weights fit one GPU, with room for ~55k tokens of KV: a 60k-token prompt does not fit there, while the
  // decode instance (TP8) would hold it; at TP2 the prefill instances hold it.
  std::vector<InferenceRequest> longer = fixed_requests(20, 60000, 10);
  InferenceProblem fp8 = problem_70b(16, longer, ServingMode::Disaggregated);
  const ReplicaModel one = make_replica_model(fp8.arch, fp8.accel, Precision::Fp8, 1, 1, 1, 8192, fp8.eff);
  REQUIRE(one.infeasible == 0);
  REQUIRE(one.kv_capacity_tokens < 60001.0);
  CHECK(evaluate_inference_config(fp8, c, sc.s).reason == int(InferenceInfeasible::NoKvRoom));
  InferenceConfig two = layout(8, 1, 5, 4, 64, 8192);
  two.prefill_tp = 2;
  CHECK(evaluate_inference_config(fp8, two, sc.s).feasible == 1);
}

TEST_CASE("the enumeration offers every prefill tp whose instances and the decode instances fill the GPUs") {
  std::vector<InferenceRequest> reqs = fixed_requests(10, 1000, 100);
  InferenceProblem pr = problem_70b(16, reqs, ServingMode::Disaggregated);
  pr.fixed_max_batch = 64;
  pr.fixed_chunk_tokens = 8192;
  std::set<std::pair<int, int>> tps, tps_pp2;  // (decode tp, prefill tp)
  bool published = false;
  for (const InferenceConfig& c : enumerate(pr)) {
    INFO("tp " << c.tp << " pp " << c.pp << " prefill " << c.prefill_replicas << " at tp " << c.prefill_tp);
    CHECK(config_gpus(c) == 16);
    CHECK(c.prefill_replicas >= 1);
    CHECK(c.prefill_replicas < c.replicas);
    CHECK(c.prefill_tp >= 1);
    CHECK(c.prefill_ep == 1);  // dense
    if (c.pp == 1) tps.insert({c.tp, c.prefill_tp});
    if (c.pp == 2) tps_pp2.insert({c.tp, c.prefill_tp});
    published = published || (c.tp == 8 && c.pp == 1 && c.prefill_tp == 2 && c.prefill_replicas == 4);
  }
  CHECK(published);
  for (int d : {1, 2, 4, 8}) {
    for (int p : {1, 2, 4, 8}) {
      CHECK(tps.count({d, p}) == 1u);                          // 16 GPUs per stage hold one of each
      CHECK(tps_pp2.count({d, p}) == (d + p <= 8 ? 1u : 0u));  // 8 per stage: not an 8 beside anything
    }
  }
  // fixed: only that prefill tp, and with a count, only that split
  InferenceProblem fixed = pr;
  fixed.fixed_prefill_tp = 2;
  fixed.fixed_tp = 8;
  std::set<int> splits;
  for (const InferenceConfig& c : enumerate(fixed)) {
    CHECK(c.prefill_tp == 2);
    CHECK(c.tp == 8);
    if (c.pp == 1) splits.insert(c.prefill_replicas);
  }
  CHECK(splits == std::set<int>{4});  // 4 x 2 + 1 x 8: the only way at pp 1
  fixed.fixed_prefill_replicas = 3;   // 3 x 2 leaves 10 GPUs, no whole TP8 instance
  CHECK(enumerate(fixed).empty());
  // GPU counts that are no multiple of lcm(prefill tp, tp): 12 = 8 + 4, and 7 = 3 x 2 + 1 x 1 (or 2 x 2 + 3, 2 + 5)
  auto splits_at = [&](int gpus, int tp, int tp_p) {
    InferenceProblem q = pr;
    q.gpus = gpus;
    q.fixed_tp = tp;
    q.fixed_pp = 1;
    q.fixed_prefill_tp = tp_p;
    std::set<std::pair<int, int>> out;  // (prefill, decode) instances
    for (const InferenceConfig& c : enumerate(q)) {
      CHECK(config_gpus(c) == gpus);
      out.insert({c.prefill_replicas, c.replicas - c.prefill_replicas});
    }
    return out;
  };
  CHECK(splits_at(12, 4, 8) == std::set<std::pair<int, int>>{{1, 1}});
  CHECK(splits_at(7, 1, 2) == std::set<std::pair<int, int>>{{1, 5}, {2, 3}, {3, 1}});
  CHECK(splits_at(6, 2, 4) == std::set<std::pair<int, int>>{{1, 1}});
  CHECK(splits_at(12, 8, 4) == std::set<std::pair<int, int>>{{1, 1}});  // a decode tp that does not divide the GPUs
  CHECK(splits_at(12, 4, 2) == std::set<std::pair<int, int>>{{2, 2}, {4, 1}});
  // co-located configurations carry no prefill tp
  for (const InferenceConfig& c : enumerate(problem_70b(16, reqs, ServingMode::Aggregated))) CHECK(c.prefill_tp == 0);
}

TEST_CASE("MoE prefill instances keep expert parallelism over the whole instance, or the degree both tps share") {
  const LlmArch moe = mixtral_8x7b();  // 8 routed experts
  CHECK(prefill_ep_for(llama_3_3_70b(), 8, 1, 2) == 1);
  CHECK(prefill_ep_for(moe, 8, 8, 2) == 2);  // ep = tp (vLLM's --enable-expert-parallel) stays so
  CHECK(prefill_ep_for(moe, 8, 2, 4) == 2);
  CHECK(prefill_ep_for(moe, 4, 2, 1) == 1);
  CHECK(prefill_ep_for(moe, 2, 2, 16) == 2);  // 8 experts do not split 16 ways: the degree both share
  CHECK(prefill_ep_for(moe, 1, 1, 4) == 1);   // a one-GPU decode instance has no expert parallelism to keep
  CHECK(hd_gcd(8, 12) == 4);
}
