// The inference configuration search on the Thrust backends (kernels/inference_search_parallel.hpp) against the
// serial loop (search_inference) over the same configurations.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "kernels/inference_search_parallel.hpp"
#include "tests/inference_calibration_rows.hpp"
#include "tests/inference_test_models.hpp"
#include "tests/skip.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

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

struct Serial {
  std::vector<InferenceConfig> cfg;
  std::vector<InferenceEstimate> est;
  InferenceSearchResult res;
};

Serial serial_search(const InferenceProblem& pr) {
  Serial s;
  s.cfg.resize(8192);
  const int n = enumerate_inference_configs(pr, s.cfg.data(), int(s.cfg.size()));
  REQUIRE(n <= int(s.cfg.size()));
  s.cfg.resize(n);
  s.est.resize(n);
  ScratchOwner sc(pr.n_requests > 0 ? pr.n_requests : 1);
  s.res = search_inference(pr, s.cfg.data(), n, s.est.data(), sc.s);
  return s;
}

bool same_config(const InferenceConfig& a, const InferenceConfig& b) {
  return a.tp == b.tp && a.pp == b.pp && a.ep == b.ep && a.replicas == b.replicas && a.max_batch == b.max_batch &&
         a.chunk_tokens == b.chunk_tokens;
}

// Field by field: exact (tol 0) on the same backend, relative `tol` across backends.
void require_same_estimate(const InferenceEstimate& a, const InferenceEstimate& b, double tol) {
  REQUIRE(a.feasible == b.feasible);
  REQUIRE(a.reason == b.reason);
  REQUIRE(a.meets_slo == b.meets_slo);
  REQUIRE(a.requests_finished == b.requests_finished);
  const double av[] = {a.weights_bytes_total, a.weights_bytes_per_gpu, a.hbm_bytes_per_gpu, a.usable_hbm_bytes_per_gpu,
                       a.kv_capacity_tokens, a.max_batch_by_kv, a.largest_request_tokens, a.output_tokens_per_s,
                       a.output_tokens_per_s_per_gpu, a.ttft_p50_s, a.ttft_p99_s, a.tpot_p50_s, a.tpot_p99_s,
                       a.mean_batch};
  const double bv[] = {b.weights_bytes_total, b.weights_bytes_per_gpu, b.hbm_bytes_per_gpu, b.usable_hbm_bytes_per_gpu,
                       b.kv_capacity_tokens, b.max_batch_by_kv, b.largest_request_tokens, b.output_tokens_per_s,
                       b.output_tokens_per_s_per_gpu, b.ttft_p50_s, b.ttft_p99_s, b.tpot_p50_s, b.tpot_p99_s,
                       b.mean_batch};
  for (std::size_t k = 0; k < std::size(av); ++k) {
    INFO("field " << k << ": " << av[k] << " vs " << bv[k]);
    if (tol == 0.0) {
      REQUIRE(av[k] == bv[k]);
    } else {
      REQUIRE(std::abs(av[k] - bv[k]) <= tol * std::max(std::abs(av[k]), std::abs(bv[k])));
    }
  }
}

void require_same_summary(const InferenceSearchResult& a, const InferenceSearchResult& b) {
  REQUIRE(a.best == b.best);
  REQUIRE(a.best_unconstrained == b.best_unconstrained);
  REQUIRE(a.n_evaluated == b.n_evaluated);
  REQUIRE(a.n_feasible == b.n_feasible);
  REQUIRE(a.n_meeting_slo == b.n_meeting_slo);
  REQUIRE(a.reason == b.reason);
  REQUIRE(a.weights_bytes_total == b.weights_bytes_total);
}

void require_matches_serial(const InferenceSearchOutcome& o, const Serial& s) {
  REQUIRE(o.evaluated == static_cast<std::int64_t>(s.cfg.size()));
  REQUIRE(o.configs.size() == s.cfg.size());
  REQUIRE(o.estimates.size() == s.est.size());
  for (std::size_t i = 0; i < s.cfg.size(); ++i) {
    INFO("configuration " << i);
    REQUIRE(same_config(o.configs[i], s.cfg[i]));
    require_same_estimate(o.estimates[i], s.est[i], 0.0);
  }
  require_same_summary(o.summary, s.res);
  REQUIRE(o.found == (s.res.best >= 0));
  if (o.found) {
    REQUIRE(same_config(o.best, s.cfg[s.res.best]));
    require_same_estimate(o.estimate, s.est[s.res.best], 0.0);
  }
}

// The test problems: a dense 8B, a 70B with tensor-parallel choices on 8 GPUs, an MoE with expert parallelism, and
// a 405B that fits nowhere on 2 GPUs. Short streams keep the tests quick.
struct Problems {
  std::vector<InferenceRequest> short_reqs = fixed_requests(120, 1000, 200);
  std::vector<InferenceRequest> mixed;
  std::vector<InferenceProblem> list;
  std::vector<InferenceProblemLabel> labels;
  Problems() {
    mixed.resize(150);
    for (std::size_t i = 0; i < mixed.size(); ++i) {
      mixed[i].input_tokens = 200 + int((i * 7919) % 3000);
      mixed[i].output_tokens = 1 + int((i * 104729) % 600);
    }
    list.push_back(problem(llama_3_1_8b(), h100_sxm(), 2, Precision::Fp8, mixed));
    labels.push_back({"llama-3.1-8b", "h100-sxm"});
    InferenceProblem p70 = problem(llama_3_3_70b(), h100_sxm(), 8, Precision::Fp8, short_reqs);
    p70.slo_tpot_s = 0.05;
    list.push_back(p70);
    labels.push_back({"llama-3.3-70b", "h100-sxm"});
    InferenceProblem moe = problem(mixtral_8x7b(), h100_sxm(), 4, Precision::Fp8, mixed);
    moe.concurrency = 64;
    list.push_back(moe);
    labels.push_back({"mixtral-8x7b", "h100-sxm"});
    list.push_back(problem(llama_3_1_405b(), h100_sxm(), 2, Precision::Fp8, short_reqs));
    labels.push_back({"llama-3.1-405b", "h100-sxm"});
    // The served engines' paths: vLLM's host time per prompt token and per sequence, its Utilization memory rule,
    // a 16-bit KV cache under FP8 weights and fixed limits with a chunk off the search's grid, over the whole stream
    // (makespan)...
    InferenceProblem vllm = problem(llama_3_1_8b(), h100_sxm(), 1, Precision::Fp8, mixed);
    vllm.engine = ServingEngine::Vllm;
    vllm.eff = inference_efficiency(h100_sxm().generation, Precision::Fp8, ServingEngine::Vllm);
    vllm.kv_cache = int(KvCacheDtype::Bf16);
    vllm.fixed_max_batch = 96;
    vllm.fixed_chunk_tokens = 3000;
    vllm.makespan = true;
    list.push_back(vllm);
    labels.push_back({"llama-3.1-8b", "h100-sxm"});
    // ... and SGLang's Static reserve (by tp and chunk), its admission by an estimate of the tokens to come, with
    // prefill and decode instances apart at fixed limits.
    InferenceProblem sglang = problem(llama_3_1_8b(), h100_sxm(), 4, Precision::Bf16, short_reqs);
    sglang.engine = ServingEngine::Sglang;
    sglang.eff = inference_efficiency(h100_sxm().generation, Precision::Bf16, ServingEngine::Sglang);
    sglang.serving = ServingMode::Disaggregated;
    sglang.fixed_max_batch = 64;
    sglang.fixed_chunk_tokens = 2500;
    list.push_back(sglang);
    labels.push_back({"llama-3.1-8b", "h100-sxm"});
  }
};

}  // namespace

TEST_CASE("the CPU backend gives the serial search's estimates and best configuration for each problem") {
  const Problems ps;
  for (std::size_t k = 0; k < ps.list.size(); ++k) {
    INFO("problem " << ps.labels[k].model_name);
    const Serial s = serial_search(ps.list[k]);
    InferenceSearchOptions opt;
    opt.model_name = ps.labels[k].model_name;
    opt.accel_name = ps.labels[k].accel_name;
    const InferenceSearchOutcome o = search_inference_configs(ps.list[k], Backend::Cpu, opt);
    REQUIRE(o.backend == Backend::Cpu);
    require_matches_serial(o, s);
    if (k != 3) {  // the 405B on 2 GPUs has no room
      REQUIRE(o.found);
      REQUIRE(o.infeasible.empty());
    }
  }
  // the served problems run only their fixed limits, the SGLang one with prefill and decode instances apart
  for (std::size_t k : {std::size_t(4), std::size_t(5)}) {
    const Serial s = serial_search(ps.list[k]);
    REQUIRE(!s.cfg.empty());
    for (const InferenceConfig& c : s.cfg) {
      CHECK(c.max_batch == ps.list[k].fixed_max_batch);
      CHECK(c.chunk_tokens == ps.list[k].fixed_chunk_tokens);
      CHECK((c.prefill_replicas > 0) == (k == 5));
    }
    REQUIRE(s.res.best >= 0);
  }
  // the vLLM problem's 16-bit KV holds half the tokens its FP8 KV would
  InferenceProblem fp8kv = ps.list[4];
  fp8kv.kv_cache = int(KvCacheDtype::Fp8);
  const Serial s16 = serial_search(ps.list[4]), s8 = serial_search(fp8kv);
  REQUIRE(s16.est.size() == s8.est.size());
  CHECK(s16.est[0].kv_capacity_tokens == Approx(0.5 * s8.est[0].kv_capacity_tokens).epsilon(1e-6));
  // the 70B problem offers tensor-parallel choices and its best under the TPOT SLO uses some
  const Serial s70 = serial_search(ps.list[1]);
  int tps = 0;
  for (int tp : {1, 2, 4, 8}) {
    for (const InferenceConfig& c : s70.cfg) {
      if (c.tp == tp) {
        ++tps;
        break;
      }
    }
  }
  CHECK(tps == 4);
}

TEST_CASE("an infeasible problem reports the serial search's reason in a sentence") {
  const Problems ps;
  const InferenceProblem& p = ps.list[3];
  const Serial s = serial_search(p);
  InferenceSearchOptions opt;
  opt.model_name = "llama-3.1-405b";
  opt.accel_name = "h100-sxm";
  const InferenceSearchOutcome o = search_inference_configs(p, Backend::Cpu, opt);
  REQUIRE_FALSE(o.found);
  REQUIRE(o.summary.n_feasible == 0);
  REQUIRE(o.summary.reason == int(InferenceInfeasible::WeightsExceedMemory));
  REQUIRE(o.infeasible == describe_infeasible(s.res, "llama-3.1-405b", "h100-sxm", 2, Precision::Fp8));
  INFO(o.infeasible);
  CHECK(o.infeasible.find("needs 410 GB of weights; 2 x h100-sxm hold 171 GB (167 GB usable)") != std::string::npos);
}

TEST_CASE("feasible configurations that all miss the SLOs are told apart from nothing fitting") {
  std::vector<InferenceRequest> reqs = fixed_requests(100, 1000, 200);
  InferenceProblem p = problem(llama_3_1_8b(), h100_sxm(), 1, Precision::Fp8, reqs);
  p.slo_tpot_s = 1e-6;
  InferenceSearchOptions opt;
  opt.model_name = "llama-3.1-8b";
  opt.accel_name = "h100-sxm";
  const InferenceSearchOutcome o = search_inference_configs(p, Backend::Cpu, opt);
  REQUIRE_FALSE(o.found);
  REQUIRE(o.summary.n_feasible > 0);
  REQUIRE(o.summary.n_meeting_slo == 0);
  INFO(o.infeasible);
  CHECK(o.infeasible.find("none meets the SLOs") != std::string::npos);
  require_matches_serial(o, serial_search(p));
}

TEST_CASE("Auto runs the CPU backend when no CUDA device is visible") {
  const Problems ps;
  InferenceSearchOptions opt;
  opt.keep_all = false;
  const InferenceSearchOutcome o = search_inference_configs(ps.list[0], Backend::Auto, opt);
  REQUIRE(o.backend == (cuda_device_count() > 0 ? Backend::Cuda : Backend::Cpu));
  REQUIRE(o.found);
  REQUIRE(o.configs.empty());
  REQUIRE(o.estimates.empty());
  const Serial s = serial_search(ps.list[0]);
  REQUIRE(o.evaluated == static_cast<std::int64_t>(s.cfg.size()));
  REQUIRE(same_config(o.best, s.cfg[s.res.best]));
}

TEST_CASE("the chunk size of the scratch pool does not change any result") {
  const Problems ps;
  InferenceSearchOptions opt;
  opt.chunk = 100000;
  const std::vector<InferenceSearchOutcome> ref = search_inference_configs_batch(ps.list, Backend::Cpu, opt);
  REQUIRE(ref.front().chunk > 1);
  for (std::int64_t chunk : {1, 3, 7, 64, 333}) {
    INFO("chunk " << chunk);
    opt.chunk = chunk;
    const std::vector<InferenceSearchOutcome> got = search_inference_configs_batch(ps.list, Backend::Cpu, opt);
    REQUIRE(got.size() == ref.size());
    for (std::size_t k = 0; k < ref.size(); ++k) {
      REQUIRE(got[k].chunk == chunk);
      REQUIRE(got[k].estimates.size() == ref[k].estimates.size());
      for (std::size_t i = 0; i < ref[k].estimates.size(); ++i) {
        require_same_estimate(got[k].estimates[i], ref[k].estimates[i], 0.0);
      }
      require_same_summary(got[k].summary, ref[k].summary);
    }
  }
}

TEST_CASE("a batch of problems in one call gives each problem's own search") {
  Problems ps;
  // an open-loop stream too (arrival times must travel with the requests)
  std::vector<InferenceRequest> open = fixed_requests(100, 800, 150);
  set_poisson_arrivals(open, 20.0);
  InferenceProblem po = problem(llama_3_1_8b(), h100_sxm(), 4, Precision::Fp8, open);
  po.open_loop = true;
  ps.list.push_back(po);
  ps.labels.push_back({"llama-3.1-8b open", "h100-sxm"});
  const std::vector<InferenceSearchOutcome> batch = search_inference_configs_batch(ps.list, Backend::Cpu, {}, ps.labels);
  REQUIRE(batch.size() == ps.list.size());
  for (std::size_t k = 0; k < ps.list.size(); ++k) {
    INFO("problem " << ps.labels[k].model_name);
    require_matches_serial(batch[k], serial_search(ps.list[k]));
  }
  REQUIRE(batch[3].infeasible.find("llama-3.1-405b in fp8") == 0);
  const std::vector<InferenceProblemLabel> one_label{{"a", "b"}};
  REQUIRE_THROWS_AS(search_inference_configs_batch(ps.list, Backend::Cpu, {}, one_label), std::invalid_argument);
  REQUIRE(search_inference_configs_batch({}, Backend::Cpu).empty());
}

TEST_CASE("the scratch pool stays within its memory budget for long request streams") {
  std::vector<InferenceRequest> reqs = fixed_requests(200000, 10, 2);
  const InferenceProblem p = problem(llama_3_1_8b(), h100_sxm(), 1, Precision::Fp8, reqs);
  InferenceSearchOptions opt;
  opt.chunk = 1 << 20;
  opt.keep_all = false;
  // one slot holds 200,000 request states of 56 bytes and a double each (12.8 MB): 20 slots fit in 256 MiB, fewer
  // than the 40 configurations
  const InferenceSearchOutcome o = search_inference_configs(p, Backend::Cpu, opt);
  REQUIRE(o.evaluated == 40);
  const std::int64_t slot = inference_scratch_bytes_per_slot(200000, kMaxBatchLimit);
  CHECK(o.chunk == kInferenceScratchBudgetBytes / slot);
  CHECK(o.chunk == 20);
  REQUIRE(o.found);
  CHECK(o.estimate.requests_finished == 200000);
  CHECK(sizeof(RequestState) == 56);  // 3 times, the finish step, the admission order and 4 counters (on-demand KV)
  CHECK(inference_scratch_bytes_per_slot(2000, 1024) == 2000 * (56 + 8) + 1024 * 12);
}

TEST_CASE("the CUDA inference search agrees with the CPU search where a GPU is present") {
  if (cuda_device_count() == 0) {
    AIDCSIM_SKIP("no CUDA device here: the CUDA instantiation of the inference search is compiled but not run");
  }
  const Problems ps;
  const std::vector<InferenceSearchOutcome> cpu = search_inference_configs_batch(ps.list, Backend::Cpu);
  const std::vector<InferenceSearchOutcome> gpu = search_inference_configs_batch(ps.list, Backend::Cuda);
  REQUIRE(gpu.size() == cpu.size());
  for (std::size_t k = 0; k < cpu.size(); ++k) {
    INFO("problem " << ps.labels[k].model_name);
    REQUIRE(gpu[k].backend == Backend::Cuda);
    REQUIRE(gpu[k].evaluated == cpu[k].evaluated);
    for (std::size_t i = 0; i < cpu[k].estimates.size(); ++i) {
      require_same_estimate(gpu[k].estimates[i], cpu[k].estimates[i], 1e-9);
    }
    // Ties within rounding could pick a different configuration; the best throughput must agree.
    REQUIRE(gpu[k].found == cpu[k].found);
    if (cpu[k].found) {
      REQUIRE(std::abs(gpu[k].estimate.output_tokens_per_s - cpu[k].estimate.output_tokens_per_s) <=
              1e-9 * cpu[k].estimate.output_tokens_per_s);
    }
  }
}
