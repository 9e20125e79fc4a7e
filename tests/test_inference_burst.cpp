// A burst of prompts timed to the last finish (InferenceProblem::makespan): what vllm bench serve and sglang
// bench_serving with --request-rate inf report, and the reference rows of scenario "burst".
#include <catch2/catch.hpp>

#include <vector>

#include "core/run/perf_estimates.hpp"
#include "core/run/reference_validation.hpp"
#include "core/scenario/catalog.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "tests/inference_calibration_rows.hpp"
#include "tests/inference_test_models.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

InferenceProblem burst_problem(int gpus, const std::vector<InferenceRequest>& reqs) {
  InferenceProblem pr;
  pr.arch = llama_3_1_8b();
  pr.accel = h100_sxm();
  pr.gpus = gpus;
  pr.precision = Precision::Fp8;
  pr.requests = reqs.data();
  pr.n_requests = int(reqs.size());
  pr.eff = inference_efficiency(pr.accel.generation, pr.precision);
  pr.makespan = true;
  return pr;
}

InferenceConfig config(int replicas, int max_batch) {
  InferenceConfig c;
  c.replicas = replicas;
  c.max_batch = max_batch;
  c.chunk_tokens = 8192;
  return c;
}

}  // namespace

TEST_CASE("a burst's throughput is all its output tokens over the replica simulation's makespan") {
  const std::vector<InferenceRequest> reqs = fixed_requests(300, 1000, 200);
  const InferenceProblem pr = burst_problem(1, reqs);
  ScratchOwner sc(pr.n_requests);
  const InferenceEstimate e = evaluate_inference_config(pr, config(1, 64), sc.s);
  REQUIRE(e.feasible == 1);
  // The same stream simulated directly: 300 clients, all there at t = 0, at most 64 in flight.
  const ReplicaModel r = make_replica_model(pr.arch, pr.accel, pr.precision, 1, 1, 1, 8192, pr.eff);
  BatchingParams bp;
  bp.max_batch = 64;
  bp.chunk_tokens = 8192;
  bp.kv_capacity_tokens = r.kv_capacity_tokens;
  bp.concurrency = 300;
  ScratchOwner sc2(pr.n_requests);
  const BatchingResult b = simulate_batching(r, reqs.data(), 300, bp, sc2.s);
  REQUIRE(b.requests_finished == 300);
  CHECK(e.output_tokens_per_s == Approx(300.0 * 200.0 / b.makespan_s).epsilon(1e-12));
  // Five waves of 64 with a ramp and a drain: below the steady-state figure of the same configuration.
  InferenceProblem steady = pr;
  steady.makespan = false;
  const InferenceEstimate s = evaluate_inference_config(steady, config(1, 64), sc.s);
  CHECK(e.output_tokens_per_s < s.output_tokens_per_s);
  CHECK(e.output_tokens_per_s > 0.5 * s.output_tokens_per_s);
}

TEST_CASE("a burst shares its prompts among the replicas: four replicas of 100 run as one of 25") {
  const std::vector<InferenceRequest> reqs = fixed_requests(100, 500, 100);
  const InferenceProblem four = burst_problem(4, reqs);
  ScratchOwner sc(four.n_requests);
  const InferenceEstimate e4 = evaluate_inference_config(four, config(4, 256), sc.s);
  const std::vector<InferenceRequest> quarter = fixed_requests(25, 500, 100);
  const InferenceProblem one = burst_problem(1, quarter);
  const InferenceEstimate e1 = evaluate_inference_config(one, config(1, 256), sc.s);
  REQUIRE(e4.feasible == 1);
  REQUIRE(e1.feasible == 1);
  CHECK(e4.output_tokens_per_s == Approx(4.0 * e1.output_tokens_per_s).epsilon(1e-12));
  CHECK(e4.requests_finished == 25);
}

TEST_CASE("a burst behind fewer clients than prompts is slower than the same prompts all at once") {
  const std::vector<InferenceRequest> reqs = fixed_requests(200, 500, 300);
  InferenceProblem pr = burst_problem(1, reqs);
  ScratchOwner sc(pr.n_requests);
  const InferenceEstimate all = evaluate_inference_config(pr, config(1, 256), sc.s);
  pr.concurrency = 8;
  const InferenceEstimate eight = evaluate_inference_config(pr, config(1, 256), sc.s);
  REQUIRE(all.feasible == 1);
  REQUIRE(eight.feasible == 1);
  CHECK(eight.output_tokens_per_s < 0.25 * all.output_tokens_per_s);
  CHECK(eight.mean_batch <= 8.0 + 1e-9);
}

TEST_CASE("a burst is not offered disaggregated, and a burst with a rate or a fixed split is refused") {
  const std::vector<InferenceRequest> reqs = fixed_requests(100, 500, 100);
  InferenceProblem pr = burst_problem(8, reqs);
  pr.serving = ServingMode::Either;
  std::vector<InferenceConfig> cfg(8192);
  const int n = enumerate_inference_configs(pr, cfg.data(), int(cfg.size()));
  REQUIRE(n > 0);
  for (int i = 0; i < n && i < int(cfg.size()); ++i) CHECK(cfg[static_cast<std::size_t>(i)].prefill_replicas == 0);

  InferenceRequestSpec spec;
  spec.arch = llama_3_1_8b();
  spec.accel = h100_sxm();
  spec.gpus = 8;
  spec.makespan = true;
  spec.serving = ServingMode::Disaggregated;
  CHECK(inference_request_error(spec).find("co-located serving only") != std::string::npos);
  spec.serving = ServingMode::Aggregated;
  spec.arrival_rate_per_s = 5.0;
  CHECK(inference_request_error(spec).find("arrival rate does not apply") != std::string::npos);
}

TEST_CASE("burst reference rows keep their prompt count and clients, and a row without prompts is refused") {
  const Catalog catalog = Catalog::embedded();
  int bursts = 0;
  for (const InferenceReferenceRow& r : inference_reference_rows(catalog)) {
    if (r.scenario != InferenceScenario::Burst) continue;
    ++bursts;
    INFO(r.model << " " << r.accelerator << " " << r.isl << "/" << r.osl);
    CHECK(r.problem.empty());
    CHECK(r.spec.makespan);
    CHECK(r.spec.n_requests == r.prompts);
    CHECK(r.spec.concurrency == r.concurrency);
    CHECK(r.prompts > 0);
  }
  CHECK(bursts == 79);

  nlohmann::json rows = nlohmann::json::array();
  rows.push_back({{"model", "qwen3-14b"}, {"accelerator", "h100-sxm"}, {"gpus", 1}, {"precision", "bf16"},
                  {"scenario", "burst"}, {"engine", "vllm"}, {"output_tokens_per_s", 100.0}, {"role", "validation"},
                  {"isl", 100}, {"osl", 10}});
  Catalog c = catalog;
  c.add("reference_measurements", nlohmann::json{{"entries", {{"inference", rows}}}}.dump(), "test");
  const std::vector<InferenceReferenceRow> got = inference_reference_rows(c);
  REQUIRE(got.size() == 1);
  CHECK(got[0].problem.find("prompts") != std::string::npos);

  // engine_defaults and kv_cache: read when well-formed, a problem of the row when not.
  nlohmann::json more = nlohmann::json::array();
  auto row = [](nlohmann::json extra) {
    nlohmann::json r = {{"model", "qwen3-14b"}, {"accelerator", "h100-sxm"}, {"gpus", 1}, {"precision", "fp8"},
                        {"scenario", "burst"}, {"engine", "vllm"}, {"output_tokens_per_s", 100.0},
                        {"role", "validation"}, {"isl", 100}, {"osl", 10}, {"prompts", 50}};
    r.update(extra);
    return r;
  };
  more.push_back(row({{"engine_defaults", true}, {"kv_cache", "bf16"}}));
  more.push_back(row({{"engine_defaults", "yes"}}));
  more.push_back(row({{"kv_cache", "int4"}}));
  more.push_back(row({{"kv_cache", "int4"}, {"engine_defaults", "yes"}, {"concurrency", -1}}));  // three at once
  more.push_back(row({{"engine", "trtllm"}, {"engine_defaults", true}}));  // trtllm-bench has no defaults
  more.push_back(row({{"chunk_tokens", 4096}, {"max_batch", 96}}));  // a run's own --max-num-batched-tokens / -seqs
  more.push_back(row({{"chunk_tokens", 0}, {"max_batch", "many"}}));
  more.push_back(row({{"ep", 2}}));  // Qwen3-14B is dense: no experts to split
  more.push_back(row({{"ep", -4}}));
  Catalog c2 = catalog;
  c2.add("reference_measurements", nlohmann::json{{"entries", {{"inference", more}}}}.dump(), "test");
  const std::vector<InferenceReferenceRow> read = inference_reference_rows(c2);
  REQUIRE(read.size() == 9);
  CHECK(read[7].problem == "--ep 2: qwen3-14b is dense (no routed experts to split)");
  CHECK(read[8].problem == "ep must be an integer from 1 to 1000000");
  CHECK(read[5].problem.empty());
  CHECK(read[5].spec.fixed_chunk_tokens == 4096);
  CHECK(read[5].spec.fixed_max_batch == 96);
  CHECK(read[6].problem ==
        "max_batch must be an integer from 1 to 1000000; chunk_tokens must be an integer from 1 to 1000000");
  CHECK(read[3].problem ==
        "concurrency must be >= 0 (0: all prompts at once); kv_cache must be auto, bf16 or fp8; engine_defaults "
        "must be true or false");
  CHECK_THAT(read[4].problem, Catch::Contains("engine trtllm (trtllm-bench) has no default scheduler limits"));
  CHECK(read[0].problem.empty());
  CHECK(read[0].spec.engine_defaults);
  CHECK(read[0].spec.kv_cache == KvCacheDtype::Bf16);
  CHECK(read[1].problem == "engine_defaults must be true or false");
  CHECK(read[2].problem == "kv_cache must be auto, bf16 or fp8");
  // The GPUStack rows ran the default serving commands; their FP8 rows serve checkpoints without KV scales.
  int lab = 0, lab_fp8 = 0;
  for (const InferenceReferenceRow& r : inference_reference_rows(catalog)) {
    if (!r.spec.engine_defaults) {
      CHECK(r.spec.kv_cache == KvCacheDtype::Auto);  // trtllm-bench, MLPerf, cookbook rows: the checkpoint's FP8 KV
      continue;
    }
    ++lab;
    CHECK(r.spec.engine != ServingEngine::TrtLlm);
    if (r.spec.precision == Precision::Fp8) {
      ++lab_fp8;
      CHECK(r.spec.kv_cache == KvCacheDtype::Bf16);
    }
  }
  CHECK(lab == 73);
  CHECK(lab_fp8 == 25);
}

TEST_CASE("a burst row is estimated with its own prompts, not the validation default") {
  const Catalog catalog = Catalog::embedded();
  for (const InferenceReferenceRow& r : inference_reference_rows(catalog)) {
    if (r.scenario != InferenceScenario::Burst || r.concurrency != 1) continue;
    InferenceRowOptions opt;
    opt.n_requests = 700;
    opt.backend = Backend::Cpu;
    const InferenceRowEstimate e = estimate_inference_reference(r, opt);
    INFO(r.model);
    REQUIRE(e.ok);
    CHECK(e.est.requests_finished == r.prompts);  // one replica runs all of them (10), not 700
    CHECK(e.est.mean_batch <= 1.0 + 1e-9);
  }
}
