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
