#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "tests/inference_calibration_rows.hpp"
#include "tests/inference_test_models.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

struct Search {
  std::vector<InferenceConfig> cfg;
  std::vector<InferenceEstimate> est;
  InferenceSearchResult res;
};

Search run_search(InferenceProblem pr) {
  Search s;
  s.cfg.resize(8192);
  const int n = enumerate_inference_configs(pr, s.cfg.data(), int(s.cfg.size()));
  REQUIRE(n <= int(s.cfg.size()));
  s.cfg.resize(n);
  s.est.resize(n);
  ScratchOwner sc(pr.n_requests);
  s.res = search_inference(pr, s.cfg.data(), n, s.est.data(), sc.s);
  return s;
}

InferenceProblem problem(const LlmArch& a, const AcceleratorSpec& acc, int gpus, Precision p,
                         const std::vector<InferenceRequest>& reqs) {
  InferenceProblem pr;
  pr.arch = a;
  pr.accel = acc;
  pr.gpus = gpus;
  pr.precision = p;
  pr.requests = reqs.data();
  pr.n_requests = int(reqs.size());
  pr.eff = inference_efficiency(acc.generation, p);
  return pr;
}

}  // namespace

TEST_CASE("the enumeration covers tp, pp, batch and chunk choices within the scale-up domain") {
  std::vector<InferenceRequest> reqs = fixed_requests(10, 100, 100);
  InferenceProblem pr = problem(llama_3_3_70b(), h100_sxm(), 8, Precision::Fp8, reqs);
  std::vector<InferenceConfig> cfg(4096);
  const int n = enumerate_inference_configs(pr, cfg.data(), 4096);
  // (tp, pp) with tp*pp dividing 8: (1,1) (1,2) (1,4) (1,8) (2,1) (2,2) (2,4) (4,1) (4,2) (8,1); 8 batches x 5 chunks
  CHECK(n == 10 * 8 * 5);
  for (int i = 0; i < n; ++i) CHECK(cfg[i].replicas * cfg[i].tp * cfg[i].pp == 8);
  pr.gpus = 16;
  const int n16 = enumerate_inference_configs(pr, cfg.data(), 4096);
  for (int i = 0; i < n16 && i < 4096; ++i) CHECK(cfg[i].tp <= 8);
  // MoE adds expert-parallel choices
  InferenceProblem moe = problem(mixtral_8x7b(), h100_sxm(), 4, Precision::Fp8, reqs);
  const int nm = enumerate_inference_configs(moe, cfg.data(), 4096);
  CHECK(nm > 6 * 40);
}

TEST_CASE("nothing fits gives the reason with the numbers") {
  std::vector<InferenceRequest> reqs = fixed_requests(100, 1000, 1000);
  const Search s = run_search(problem(llama_3_1_405b(), h100_sxm(), 2, Precision::Fp8, reqs));
  CHECK(s.res.best < 0);
  CHECK(s.res.n_feasible == 0);
  CHECK(s.res.reason == int(InferenceInfeasible::WeightsExceedMemory));
  // 401.6 B linear-layer parameters in fp8 + 4.2 B embedding/lm_head parameters in bf16
  CHECK(s.res.weights_bytes_total == Approx(410e9).epsilon(0.01));
  CHECK(s.res.hbm_bytes_total == Approx(2.0 * 81559.0 * 1024 * 1024));
  const std::string msg = describe_infeasible(s.res, "llama-3.1-405b", "h100-sxm", 2, Precision::Fp8);
  INFO(msg);
  CHECK(msg.find("llama-3.1-405b in fp8 needs 410 GB of weights") != std::string::npos);
  CHECK(msg.find("GB of weights; 2 x h100-sxm hold 171 GB (167 GB usable)") != std::string::npos);
}

TEST_CASE("weights that fit but leave no room for one long request report the KV cache") {
  // Llama 3.1 8B in fp8 on one H100: 9 GB of weights fit; ~60 GB of fp8 KV hold ~0.97 M tokens, not 2 M
  std::vector<InferenceRequest> reqs = fixed_requests(10, 2000000, 1000);
  const Search s = run_search(problem(llama_3_1_8b(), h100_sxm(), 1, Precision::Fp8, reqs));
  CHECK(s.res.best < 0);
  CHECK(s.res.reason == int(InferenceInfeasible::NoKvRoom));
}

TEST_CASE("fp8 beats bf16 on H100 for the same model") {
  std::vector<InferenceRequest> reqs = fixed_requests(600, 1000, 1000);
  const Search f = run_search(problem(llama_3_1_8b(), h100_sxm(), 1, Precision::Fp8, reqs));
  const Search b = run_search(problem(llama_3_1_8b(), h100_sxm(), 1, Precision::Bf16, reqs));
  REQUIRE(f.res.best >= 0);
  REQUIRE(b.res.best >= 0);
  CHECK(f.est[f.res.best].output_tokens_per_s > 1.3 * b.est[b.res.best].output_tokens_per_s);
}

TEST_CASE("a tighter TPOT SLO never gives more throughput") {
  std::vector<InferenceRequest> reqs = fixed_requests(600, 1000, 500);
  InferenceProblem pr = problem(llama_3_3_70b(), h100_sxm(), 4, Precision::Fp8, reqs);
  double last = 1e300;
  for (double slo : {0.0, 0.1, 0.05, 0.03, 0.02, 0.015}) {
    pr.slo_tpot_s = slo;
    const Search s = run_search(pr);
    const double tps = s.res.best >= 0 ? s.est[s.res.best].output_tokens_per_s : 0.0;
    INFO("TPOT SLO " << slo << " s: " << tps << " tok/s");
    CHECK(tps <= last);
    if (s.res.best >= 0 && slo > 0.0) CHECK(s.est[s.res.best].tpot_p99_s <= slo);
    last = tps;
  }
  CHECK(last < 1e300);
}

TEST_CASE("a given concurrency bounds the batch and shortens TTFT compared with saturation") {
  std::vector<InferenceRequest> reqs = fixed_requests(600, 1000, 300);
  InferenceProblem pr = problem(llama_3_1_8b(), h100_sxm(), 2, Precision::Fp8, reqs);
  InferenceConfig c;
  c.tp = 1;
  c.replicas = 2;
  c.max_batch = 256;
  c.chunk_tokens = 2048;
  ScratchOwner sc(600);
  const InferenceEstimate sat = evaluate_inference_config(pr, c, sc.s);
  pr.concurrency = 16;
  const InferenceEstimate low = evaluate_inference_config(pr, c, sc.s);
  REQUIRE(sat.feasible);
  REQUIRE(low.feasible);
  CHECK(low.mean_batch <= 8.0 + 1e-9);
  CHECK(low.output_tokens_per_s < sat.output_tokens_per_s);
  CHECK(low.tpot_p50_s < sat.tpot_p50_s);
}

TEST_CASE("the search runs a mixture-of-experts model with expert parallelism") {
  std::vector<InferenceRequest> reqs = fixed_requests(300, 1000, 300);
  const Search s = run_search(problem(mixtral_8x7b(), h100_sxm(), 4, Precision::Fp8, reqs));
  REQUIRE(s.res.best >= 0);
  CHECK(s.est[s.res.best].output_tokens_per_s > 0.0);
}

TEST_CASE("a B200 serves more tokens per GPU than an H100, and fp4 more than fp8 on a B200") {
  std::vector<InferenceRequest> reqs = fixed_requests(600, 1000, 1000);
  const Search h = run_search(problem(llama_3_3_70b(), h100_sxm(), 8, Precision::Fp8, reqs));
  const Search b = run_search(problem(llama_3_3_70b(), b200(), 8, Precision::Fp8, reqs));
  const Search b4 = run_search(problem(llama_3_3_70b(), b200(), 8, Precision::Fp4, reqs));
  REQUIRE(h.res.best >= 0);
  REQUIRE(b.res.best >= 0);
  REQUIRE(b4.res.best >= 0);
  const double th = h.est[h.res.best].output_tokens_per_s;
  const double tb = b.est[b.res.best].output_tokens_per_s;
  const double tb4 = b4.est[b4.res.best].output_tokens_per_s;
  INFO("H100 fp8 " << th << ", B200 fp8 " << tb << ", B200 fp4 " << tb4 << " tok/s on 8 GPUs");
  CHECK(tb > 1.5 * th);
  CHECK(tb < 4.0 * th);  // bounded by the ratios of the roofs (2.3x compute, 2.4x bandwidth, 2.25x memory)
  CHECK(tb4 > tb);
}

TEST_CASE("DeepSeek-V3 fits in fp8 on eight B200 but not on eight H100") {
  std::vector<InferenceRequest> reqs = fixed_requests(200, 1000, 300);
  const Search h = run_search(problem(deepseek_v3(), h100_sxm(), 8, Precision::Fp8, reqs));
  CHECK(h.res.best < 0);
  CHECK(h.res.reason == int(InferenceInfeasible::WeightsExceedMemory));
  const Search b = run_search(problem(deepseek_v3(), b200(), 8, Precision::Fp8, reqs));
  REQUIRE(b.res.best >= 0);
  CHECK(b.est[b.res.best].output_tokens_per_s > 0.0);
}

TEST_CASE("the search offers only tensor-parallel degrees that split the attention and KV heads as engines require") {
  // Llama 3.3 70B: 64 query heads, 8 KV heads. tp 3, 5, 6, 7 split neither; tp 16 would replicate each KV head on
  // 2 ranks (allowed by the rule) but exceeds the H100's 8-GPU scale-up domain.
  const LlmArch a = llama_3_3_70b();
  CHECK(tp_splits_heads(a, 1));
  CHECK(tp_splits_heads(a, 2));
  CHECK(tp_splits_heads(a, 8));
  CHECK(tp_splits_heads(a, 16));
  CHECK_FALSE(tp_splits_heads(a, 3));
  CHECK_FALSE(tp_splits_heads(a, 6));
  LlmArch few_kv = a;  // 4 KV heads, as Qwen3-235B: tp 8 replicates each on 2 ranks; tp 6 cannot
  few_kv.kv_heads = 4;
  CHECK(tp_splits_heads(few_kv, 8));
  few_kv.heads = 48;
  CHECK_FALSE(tp_splits_heads(few_kv, 6));
  std::vector<InferenceRequest> reqs = fixed_requests(50, 1000, 100);
  const InferenceProblem pr = problem(a, h100_sxm(), 6, Precision::Fp8, reqs);
  std::vector<InferenceConfig> c(1 << 14);
  const int n = enumerate_inference_configs(pr, c.data(), int(c.size()));
  REQUIRE(n > 0);
  REQUIRE(n <= int(c.size()));
  for (int i = 0; i < n; ++i) {
    INFO("tp " << c[i].tp);
    CHECK((c[i].tp == 1 || c[i].tp == 2));
  }
}
