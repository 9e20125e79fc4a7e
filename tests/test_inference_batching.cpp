#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/inference_batching.hpp"
#include "kernels/inference_calibration.hpp"
#include "tests/inference_calibration_rows.hpp"
#include "tests/inference_test_models.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

ReplicaModel model_8b(int chunk = 2048) {
  return make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp8, 1, 1, 1, chunk,
                            inference_efficiency(kGenerationHopper, Precision::Fp8));
}

}  // namespace

TEST_CASE("heap sort orders values and percentiles interpolate between ranks") {
  double v[] = {5, 1, 4, 1, 5, 9, 2, 6, 5, 3};
  heap_sort(v, 10);
  CHECK(std::is_sorted(v, v + 10));
  CHECK(sorted_percentile(v, 10, 0.0) == 1.0);
  CHECK(sorted_percentile(v, 10, 1.0) == 9.0);
  CHECK(sorted_percentile(v, 10, 0.5) == Approx(4.5));
}

TEST_CASE("percentiles by selection equal those of the fully sorted array") {
  for (int n : {1, 2, 3, 10, 101, 1999, 2000}) {
    std::vector<double> a(n);
    std::uint64_t x = 11 + n;
    for (double& v : a) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      v = double((x >> 40) % 500);  // many ties
    }
    std::vector<double> sorted = a;
    heap_sort(sorted.data(), n);
    double p50 = 0.0, p99 = 0.0;
    percentiles_50_99(a.data(), n, p50, p99);
    INFO("n " << n);
    CHECK(p50 == Approx(sorted_percentile(sorted.data(), n, 0.50)));
    CHECK(p99 == Approx(sorted_percentile(sorted.data(), n, 0.99)));
  }
}

TEST_CASE("the simulator conserves requests and tokens in closed and open loop") {
  const int n = 1500;
  std::vector<InferenceRequest> reqs = mixed_requests(n);
  double want_out = 0.0, want_in = 0.0;
  for (const auto& q : reqs) {
    want_out += q.output_tokens;
    want_in += q.input_tokens;
  }
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 128;
  p.chunk_tokens = 2048;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  SECTION("closed loop") {
    p.concurrency = 100;
    const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
    REQUIRE(b.error == 0);
    CHECK(b.requests_finished == n);
    CHECK(b.requests_rejected == 0);
    CHECK(b.output_tokens == Approx(want_out));
    CHECK(b.input_tokens == Approx(want_in));
    CHECK(b.mean_batch <= 100.0 + 1e-9);
  }
  SECTION("open loop") {
    set_poisson_arrivals(reqs, 20.0);
    p.concurrency = 0;
    const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
    REQUIRE(b.error == 0);
    CHECK(b.requests_finished == n);
    CHECK(b.output_tokens == Approx(want_out));
    // an under-loaded server finishes what arrives: throughput ~ arrival rate x mean output
    CHECK(b.output_tokens_per_s_makespan == Approx(20.0 * want_out / n).epsilon(0.1));
  }
}

TEST_CASE("requests larger than the whole KV cache are rejected and counted, the rest are served") {
  std::vector<InferenceRequest> reqs = fixed_requests(50, 1000, 100);
  reqs[10].input_tokens = 10'000'000;
  const ReplicaModel r = model_8b();
  ScratchOwner sc(50);
  BatchingParams p;
  p.max_batch = 16;
  p.concurrency = 16;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const BatchingResult b = simulate_batching(r, reqs.data(), 50, p, sc.s);
  CHECK(b.requests_rejected == 1);
  CHECK(b.requests_finished == 49);
  CHECK(b.output_tokens == Approx(49 * 100.0));
}

TEST_CASE("event skipping gives the same results as stepping every iteration") {
  const int n = 600;
  std::vector<InferenceRequest> reqs = mixed_requests(n, 99);
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 64;
  p.chunk_tokens = 1024;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  for (int loop = 0; loop < 2; ++loop) {
    if (loop == 1) {
      set_poisson_arrivals(reqs, 6.0);
      p.concurrency = 0;
    } else {
      p.concurrency = 48;
    }
    p.max_skip_iterations = 0;
    const BatchingResult fast = simulate_batching(r, reqs.data(), n, p, sc.s);
    p.max_skip_iterations = 1;
    const BatchingResult slow = simulate_batching(r, reqs.data(), n, p, sc.s);
    CHECK(fast.iterations == slow.iterations);
    CHECK(fast.events < slow.events / 2);
    CHECK(fast.makespan_s == Approx(slow.makespan_s).epsilon(1e-9));
    CHECK(fast.ttft_p99_s == Approx(slow.ttft_p99_s).epsilon(1e-9));
    CHECK(fast.tpot_p50_s == Approx(slow.tpot_p50_s).epsilon(1e-9));
    CHECK(fast.output_tokens_per_s == Approx(slow.output_tokens_per_s).epsilon(1e-9));
  }
}

TEST_CASE("the simulator is deterministic") {
  const int n = 800;
  std::vector<InferenceRequest> reqs = mixed_requests(n, 3);
  const ReplicaModel r = model_8b();
  ScratchOwner a(n), b(n);
  BatchingParams p;
  p.max_batch = 256;
  p.concurrency = 300;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const BatchingResult x = simulate_batching(r, reqs.data(), n, p, a.s);
  const BatchingResult y = simulate_batching(r, reqs.data(), n, p, b.s);
  CHECK(x.output_tokens_per_s == y.output_tokens_per_s);
  CHECK(x.ttft_p99_s == y.ttft_p99_s);
  CHECK(x.tpot_p99_s == y.tpot_p99_s);
  CHECK(x.iterations == y.iterations);
}

TEST_CASE("KV capacity bounds the batch") {
  // 400 requests of 20,000 + 2,000 tokens: the KV cache of one H100 holds only a few dozen of them.
  const int n = 400;
  std::vector<InferenceRequest> reqs = fixed_requests(n, 20000, 2000);
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 1024;
  p.concurrency = 1024;
  p.chunk_tokens = 8192;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const double kv_bound = r.kv_capacity_tokens / 22000.0;
  CHECK(max_batch_for_lengths(r, 20000, 2000) == std::floor(kv_bound));
  const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
  CHECK(kv_bound < 60.0);
  CHECK(b.mean_batch <= kv_bound);
  CHECK(b.mean_batch > 0.8 * std::floor(kv_bound));
  // halve the cache: the batch halves
  p.kv_capacity_tokens = r.kv_capacity_tokens / 2;
  const BatchingResult h = simulate_batching(r, reqs.data(), n, p, sc.s);
  CHECK(h.mean_batch <= kv_bound / 2);
  CHECK(h.output_tokens_per_s < b.output_tokens_per_s);
}

TEST_CASE("max_batch bounds the batch") {
  const int n = 500;
  std::vector<InferenceRequest> reqs = fixed_requests(n, 200, 200);
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 32;
  p.concurrency = 200;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
  CHECK(b.mean_batch <= 32.0 + 1e-9);
  CHECK(b.mean_batch > 30.0);
}

TEST_CASE("TTFT grows with input length") {
  const int n = 300;
  const ReplicaModel r = model_8b(8192);
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 64;
  p.concurrency = 1;  // one client: TTFT is the prompt's own prefill time, no queueing or batching waves
  p.chunk_tokens = 8192;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  double last = 0.0;
  for (int isl : {128, 1024, 4096, 16384}) {
    std::vector<InferenceRequest> reqs = fixed_requests(n, isl, 128);
    const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
    INFO("isl " << isl << " ttft p50 " << b.ttft_p50_s);
    CHECK(b.ttft_p50_s > last);
    last = b.ttft_p50_s;
  }
}

TEST_CASE("throughput never exceeds the roofline") {
  const int n = 1000;
  ScratchOwner sc(n);
  for (int isl : {128, 1000, 5000}) {
    for (int mb : {16, 128, 1024}) {
      const ReplicaModel r = model_8b(2048);
      std::vector<InferenceRequest> reqs = fixed_requests(n, isl, 500);
      BatchingParams p;
      p.max_batch = mb;
      p.concurrency = mb;
      p.chunk_tokens = 2048;
      p.kv_capacity_tokens = r.kv_capacity_tokens;
      const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
      // decode-only roofline at the largest batch and the shortest context, and the pure-compute ceiling
      const double roof = decode_roofline_tokens_per_s(r, mb, isl);
      const double compute_ceiling = h100_sxm().fp8_flops_per_s / (2.0 * count_params(llama_3_1_8b()).matmul_active_per_token);
      INFO("isl " << isl << " max_batch " << mb << ": " << b.output_tokens_per_s << " tok/s, roofline " << roof);
      CHECK(b.output_tokens_per_s <= roof);
      CHECK(b.output_tokens_per_s_makespan <= roof);
      CHECK(b.output_tokens_per_s <= compute_ceiling);
    }
  }
}

TEST_CASE("one request alone costs one prefill iteration and then one decode iteration per further token") {
  const ReplicaModel r = model_8b(4096);
  std::vector<InferenceRequest> reqs = fixed_requests(1, 3000, 50);
  ScratchOwner sc(1);
  BatchingParams p;
  p.max_batch = 8;
  p.concurrency = 1;
  p.chunk_tokens = 4096;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const BatchingResult b = simulate_batching(r, reqs.data(), 1, p, sc.s);
  IterationLoad pre;
  pre.prefill_tokens = 3000;
  pre.prefill_pairs = 3000.0 * (0.0 + 0.5 * 3001.0);
  pre.prefill_kv_read = 3000;
  pre.logit_rows = 1;
  const double ttft = iteration_cost(r, pre).time_s;
  double decode = 0.0;
  for (int g = 1; g < 50; ++g) {
    IterationLoad d;
    d.decode_tokens = 1;
    d.decode_context = 3000 + g;
    d.logit_rows = 1;
    decode += iteration_cost(r, d).time_s;
  }
  CHECK(b.ttft_p50_s == Approx(ttft).epsilon(1e-12));
  CHECK(b.tpot_p50_s == Approx(decode / 49).epsilon(1e-12));
  CHECK(b.makespan_s == Approx(ttft + decode).epsilon(1e-12));
  CHECK(b.iterations == 50);
}

TEST_CASE("a long prompt is prefilled in chunks of the token budget") {
  // An engine with a host overhead per iteration that it does not overlap (the fitted TensorRT-LLM one has none).
  InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  eff.iteration_overhead_s = 1e-3;
  const ReplicaModel r = make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp8, 1, 1, 1, 1024, eff);
  std::vector<InferenceRequest> reqs = fixed_requests(1, 10000, 2);
  ScratchOwner sc(1);
  BatchingParams p;
  p.max_batch = 8;
  p.concurrency = 1;
  p.chunk_tokens = 1024;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const BatchingResult b = simulate_batching(r, reqs.data(), 1, p, sc.s);
  CHECK(b.iterations == 10 + 1);  // ceil(10000 / 1024) prefill iterations, then one decode
  p.chunk_tokens = 8192;
  const BatchingResult c = simulate_batching(r, reqs.data(), 1, p, sc.s);
  CHECK(c.iterations == 2 + 1);
  // smaller chunks pay the per-iteration overhead more often
  CHECK(b.ttft_p50_s > c.ttft_p50_s);
}

TEST_CASE("chunks of one prompt and the chunk it shares with the next cost what the hand-summed iterations cost") {
  // Two 3000-token prompts, both there at t = 0, a 1024-token budget: A's chunks at 0 and 1024, then its last 952
  // with B's first 72, then B's chunks at 72 and 1096 and its last 880. (The simulator runs a prompt's whole chunks
  // without loop turns when nothing else can change; the sums must be those of one iteration each.)
  const ReplicaModel r = model_8b(1024);
  std::vector<InferenceRequest> reqs = fixed_requests(2, 3000, 1);
  ScratchOwner sc(2);
  BatchingParams p;
  p.max_batch = 8;
  p.concurrency = 2;
  p.chunk_tokens = 1024;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  const BatchingResult b = simulate_batching(r, reqs.data(), 2, p, sc.s);
  auto chunk = [](IterationLoad& l, double offset, double take) {
    l.prefill_tokens += take;
    l.prefill_pairs += take * (offset + 0.5 * (take + 1.0));
    l.prefill_kv_read += offset + take;
    l.prefill_sequences += 1.0;
  };
  IterationLoad l[6];
  chunk(l[0], 0, 1024);
  chunk(l[1], 1024, 1024);
  chunk(l[2], 2048, 952);
  chunk(l[2], 0, 72);
  l[2].logit_rows = 1;
  chunk(l[3], 72, 1024);
  chunk(l[4], 1096, 1024);
  chunk(l[5], 2120, 880);
  l[5].logit_rows = 1;
  double t[6];
  for (int i = 0; i < 6; ++i) t[i] = iteration_cost(r, l[i]).time_s;
  const double ttft_a = t[0] + t[1] + t[2], ttft_b = ttft_a + t[3] + t[4] + t[5];
  CHECK(b.requests_finished == 2);
  CHECK(b.iterations == 6);
  CHECK(b.events == 4);  // A's second and B's middle chunk ran without loop turns
  CHECK(b.makespan_s == Approx(ttft_b).epsilon(1e-12));
  CHECK(b.ttft_p50_s == Approx(0.5 * (ttft_a + ttft_b)).epsilon(1e-12));
  CHECK(b.mean_batch == Approx((2.0 * ttft_a + 1.0 * (ttft_b - ttft_a)) / ttft_b).epsilon(1e-12));
}

TEST_CASE("on-demand KV with preemption conserves requests and tokens and never overfills the cache") {
  const int n = 600;
  std::vector<InferenceRequest> reqs = mixed_requests(n, 17);
  double want_out = 0.0;
  for (const auto& q : reqs) want_out += q.output_tokens;
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 256;
  p.concurrency = 256;
  p.chunk_tokens = 2048;
  p.kv_capacity_tokens = 60000;  // a few dozen of these requests' contexts: preemption is certain
  p.kv_on_demand = 1;
  const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
  REQUIRE(b.error == 0);
  CHECK(b.requests_finished + b.requests_rejected == n);
  double want_served = 0.0;
  for (const auto& q : reqs) {
    if (q.input_tokens + q.output_tokens <= 60000) want_served += q.output_tokens;
  }
  CHECK(b.output_tokens == Approx(want_served));
  CHECK(want_served == Approx(want_out));
  CHECK(b.preemptions > 0);
  CHECK(b.peak_kv_tokens <= p.kv_capacity_tokens);
  // Reserving whole contexts never preempts and holds fewer sequences at once.
  p.kv_on_demand = 0;
  const BatchingResult reserve = simulate_batching(r, reqs.data(), n, p, sc.s);
  REQUIRE(reserve.error == 0);
  CHECK(reserve.preemptions == 0);
  CHECK(reserve.peak_kv_tokens <= p.kv_capacity_tokens);
  CHECK(b.mean_batch > reserve.mean_batch);
}

TEST_CASE("with KV to spare the on-demand and reserve policies schedule identically") {
  const int n = 500;
  std::vector<InferenceRequest> reqs = mixed_requests(n, 5);
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  BatchingParams p;
  p.max_batch = 64;
  p.concurrency = 64;
  p.kv_capacity_tokens = 1e9;
  const BatchingResult a = simulate_batching(r, reqs.data(), n, p, sc.s);
  p.kv_on_demand = 1;
  const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
  CHECK(b.preemptions == 0);
  CHECK(a.iterations == b.iterations);
  CHECK(a.output_tokens_per_s == b.output_tokens_per_s);
  CHECK(a.ttft_p99_s == b.ttft_p99_s);
  CHECK(a.tpot_p99_s == b.tpot_p99_s);
}

TEST_CASE("on-demand KV (vLLM's and SGLang's): event skipping equals stepping every iteration, preemptions included") {
  const int n = 400;
  std::vector<InferenceRequest> reqs = mixed_requests(n, 23);
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  for (int policy : {1, 2}) {
    BatchingParams p;
    p.max_batch = 128;
    p.concurrency = 128;
    p.chunk_tokens = 1024;
    p.kv_capacity_tokens = 50000;
    p.kv_on_demand = policy;
    const BatchingResult fast = simulate_batching(r, reqs.data(), n, p, sc.s);
    p.max_skip_iterations = 1;
    const BatchingResult slow = simulate_batching(r, reqs.data(), n, p, sc.s);
    INFO("policy " << policy);
    REQUIRE(fast.error == 0);
    REQUIRE(slow.error == 0);
    CHECK(fast.preemptions > 0);
    CHECK(fast.preemptions == slow.preemptions);
    CHECK(fast.iterations == slow.iterations);
    CHECK(fast.makespan_s == Approx(slow.makespan_s).epsilon(1e-9));
    CHECK(fast.tpot_p99_s == Approx(slow.tpot_p99_s).epsilon(1e-9));
  }
}

TEST_CASE("stepping every iteration with the reserve policy finishes long outputs at max_batch 1") {
  // The loop guard counts decode steps whenever a turn can be one step (regression: 7 of 50 finished).
  const ReplicaModel r = model_8b();
  std::vector<InferenceRequest> reqs = fixed_requests(50, 10, 400);
  ScratchOwner sc(50);
  BatchingParams p;
  p.max_batch = 1;
  p.chunk_tokens = 2048;
  p.concurrency = 4;
  p.kv_capacity_tokens = r.kv_capacity_tokens;
  p.max_skip_iterations = 1;
  const BatchingResult step = simulate_batching(r, reqs.data(), 50, p, sc.s);
  CHECK(step.error == 0);
  CHECK(step.requests_finished == 50);
  p.max_skip_iterations = 0;
  const BatchingResult skip = simulate_batching(r, reqs.data(), 50, p, sc.s);
  CHECK(skip.makespan_s == Approx(step.makespan_s).epsilon(1e-9));
}

TEST_CASE("SGLang's estimated policy conserves requests and tokens and never overfills the cache") {
  const int n = 1200;
  std::vector<InferenceRequest> reqs = mixed_requests(n);
  double want_out = 0.0;
  for (const auto& q : reqs) want_out += q.output_tokens;
  const ReplicaModel r = model_8b();
  ScratchOwner sc(n);
  for (int concurrency : {0, 200}) {
    if (concurrency == 0) {
      for (int i = 0; i < n; ++i) reqs[i].arrival_s = 0.004 * i;
    }
    BatchingParams p;
    p.max_batch = 256;
    p.chunk_tokens = 2048;
    p.concurrency = concurrency;
    p.kv_capacity_tokens = 150000;  // tight: retractions happen
    p.kv_on_demand = 2;
    const BatchingResult b = simulate_batching(r, reqs.data(), n, p, sc.s);
    INFO("concurrency " << concurrency);
    CHECK(b.error == 0);
    CHECK(b.requests_finished == n);
    CHECK(b.output_tokens == want_out);
    CHECK(b.peak_kv_tokens <= p.kv_capacity_tokens);
  }
}

TEST_CASE("SGLang admits only while 0.7 of the admitted requests' future tokens fits, vLLM admits every prompt") {
  // KV of 1000 tokens, three requests of 100 in / 500 out. vLLM (on demand): 101 tokens each, all three start at
  // once. SGLang at new_token_ratio 0.7: the first takes 101 + 0.7 x 499 = 450, the second 101 + 101 + 0.7 x 998 =
  // 900.6 <= 1000, the third 1350 > 1000 waits.
  const ReplicaModel r = model_8b();
  std::vector<InferenceRequest> reqs = fixed_requests(3, 100, 500);
  ScratchOwner sc(3);
  BatchingParams p;
  p.max_batch = 8;
  p.chunk_tokens = 2048;
  p.concurrency = 3;
  p.kv_capacity_tokens = 1000;
  p.kv_on_demand = 1;
  const BatchingResult vllm = simulate_batching(r, reqs.data(), 3, p, sc.s);
  p.kv_on_demand = 2;
  const BatchingResult sglang = simulate_batching(r, reqs.data(), 3, p, sc.s);
  CHECK(vllm.ttft_p99_s == Approx(vllm.ttft_p50_s));  // all three prefilled in the first iteration
  CHECK(sglang.ttft_p50_s == Approx(vllm.ttft_p50_s).epsilon(0.5));
  CHECK(sglang.ttft_p99_s > 2.0 * sglang.ttft_p50_s);  // the third waited
  CHECK(sglang.requests_finished == 3);
  CHECK(vllm.requests_finished == 3);
}

TEST_CASE("the engines map to their KV policies") {
  CHECK(engine_kv_on_demand(ServingEngine::TrtLlm) == 0);
  CHECK(engine_kv_on_demand(ServingEngine::Vllm) == 1);
  CHECK(engine_kv_on_demand(ServingEngine::Sglang) == 2);
  CHECK(engine_kv_on_demand(ServingEngine::TrtLlmServe) == 0);  // trtllm-serve: TensorRT-LLM's GUARANTEED_NO_EVICT
}
