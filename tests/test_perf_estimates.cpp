// The adapter between the command line and the kernels' searches (core/run/perf_estimates.hpp) and the error
// summary of the reference validation.
#include <catch2/catch.hpp>

#include <string>

#include "core/run/perf_estimates.hpp"
#include "core/run/reference_validation.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/perf_catalog.hpp"

using namespace aidc;

namespace {

InferenceRequestSpec inference_spec(const std::string& model, const std::string& accel, int gpus, Precision p) {
  const Catalog catalog = Catalog::embedded();
  InferenceRequestSpec s;
  s.model = model;
  s.accelerator = accel;
  s.arch = llm_arch_from_catalog(catalog, model);
  s.accel = accelerator_from_catalog(catalog, accel);
  s.precision = p;
  s.gpus = gpus;
  s.isl = 1000;
  s.osl = 200;
  s.n_requests = 400;
  return s;
}

}  // namespace

TEST_CASE("the inference adapter finds the best configuration of a small problem") {
  InferenceRequestSpec s = inference_spec("llama-3.1-8b", "h100-sxm", 1, Precision::Fp8);
  s.keep_all = true;
  const InferenceOutcome r = estimate_inference(s, Backend::Cpu);
  REQUIRE(r.found);
  CHECK(r.reason.empty());
  CHECK(r.backend == Backend::Cpu);
  CHECK(r.configs_evaluated == kNumMaxBatchChoices * kNumChunkChoices);  // tp 1, pp 1 only
  REQUIRE(r.estimates.size() == static_cast<std::size_t>(r.configs_evaluated));
  for (const InferenceEstimate& e : r.estimates) CHECK(e.output_tokens_per_s <= r.estimate.output_tokens_per_s);
  CHECK(r.estimate.output_tokens_per_s > 0.0);
  CHECK(r.estimate.ttft_p99_s >= r.estimate.ttft_p50_s);
  CHECK(r.estimate.tpot_p99_s >= r.estimate.tpot_p50_s);
}

TEST_CASE("an engine's default scheduler limits replace the search's max_batch and token budget") {
  // vLLM's OpenAI-server defaults: 1024 sequences and 8192 tokens per step on GPUs of >= 70 GiB except the A100,
  // 256 and 2048 on the A100 (EngineArgs, vLLM PR #17885); SGLang's chunked_prefill_size by GPU memory with no fixed
  // sequence limit (the enumeration's largest); trtllm-serve 2048 (capped at 1024) and 8192; trtllm-bench none.
  const double gib = 1024.0 * 1024.0 * 1024.0;
  CHECK(engine_default_limits(ServingEngine::Vllm, 79.6 * gib, false).max_batch == 1024);
  CHECK(engine_default_limits(ServingEngine::Vllm, 79.6 * gib, false).chunk_tokens == 8192);
  CHECK(engine_default_limits(ServingEngine::Vllm, 80.0 * gib, true).max_batch == 256);
  CHECK(engine_default_limits(ServingEngine::Vllm, 80.0 * gib, true).chunk_tokens == 2048);
  CHECK(engine_default_limits(ServingEngine::Vllm, 44.9 * gib, false).chunk_tokens == 2048);  // L40S: below 70 GiB
  CHECK(engine_default_limits(ServingEngine::Sglang, 30.0 * gib, false).chunk_tokens == 2048);
  CHECK(engine_default_limits(ServingEngine::Sglang, 44.9 * gib, false).chunk_tokens == 4096);
  CHECK(engine_default_limits(ServingEngine::Sglang, 79.6 * gib, false).chunk_tokens == 8192);
  CHECK(engine_default_limits(ServingEngine::Sglang, 140.4 * gib, false).chunk_tokens == 8192);
  CHECK(engine_default_limits(ServingEngine::Sglang, 179.1 * gib, false).chunk_tokens == 16384);
  CHECK(engine_default_limits(ServingEngine::TrtLlmServe, 79.6 * gib, false).max_batch == 2048);
  CHECK(engine_default_limits(ServingEngine::TrtLlmServe, 79.6 * gib, false).chunk_tokens == 8192);
  CHECK(engine_default_limits(ServingEngine::TrtLlm, 79.6 * gib, false).max_batch == 0);
  CHECK(engine_default_limits(ServingEngine::TrtLlm, 79.6 * gib, false).chunk_tokens == 0);

  InferenceRequestSpec s = inference_spec("llama-3.1-8b", "h100-sxm", 1, Precision::Fp8);
  s.engine = ServingEngine::Vllm;
  s.engine_defaults = true;
  s.keep_all = true;
  const InferenceOutcome h100 = estimate_inference(s, Backend::Cpu);
  REQUIRE(h100.found);
  CHECK(h100.configs_evaluated == 1);  // tp 1, pp 1, the one default
  CHECK(h100.config.max_batch == 1024);
  CHECK(h100.config.chunk_tokens == 8192);
  s.accelerator = "a100-sxm-80gb";
  s.accel = accelerator_from_catalog(Catalog::embedded(), s.accelerator);
  s.precision = Precision::Bf16;
  const InferenceOutcome a100 = estimate_inference(s, Backend::Cpu);
  REQUIRE(a100.found);
  CHECK(a100.config.max_batch == 256);
  CHECK(a100.config.chunk_tokens == 2048);
  // A fixed limit wins over the default; a max_batch above the enumeration's largest is capped there.
  s.fixed_chunk_tokens = 3000;
  s.fixed_max_batch = 5000;
  CHECK(scheduler_limits(s).chunk_tokens == 3000);
  CHECK(scheduler_limits(s).max_batch == kMaxBatchLimit);
  const InferenceOutcome fixed = estimate_inference(s, Backend::Cpu);
  REQUIRE(fixed.found);
  CHECK(fixed.config.chunk_tokens == 3000);
  CHECK(fixed.config.max_batch == kMaxBatchLimit);
  // Without engine_defaults nothing is fixed: the search's whole grid.
  InferenceRequestSpec searched = inference_spec("llama-3.1-8b", "h100-sxm", 1, Precision::Fp8);
  searched.engine = ServingEngine::Vllm;
  CHECK(scheduler_limits(searched).max_batch == 0);
  CHECK(estimate_inference(searched, Backend::Cpu).configs_evaluated == kNumMaxBatchChoices * kNumChunkChoices);
}

TEST_CASE("the inference adapter keeps a fixed tp and spreads the rest over replicas") {
  InferenceRequestSpec s = inference_spec("llama-3.3-70b", "h100-sxm", 8, Precision::Fp8);
  s.fixed_tp = 2;
  const InferenceOutcome r = estimate_inference(s, Backend::Cpu);
  REQUIRE(r.found);
  CHECK(r.config.tp == 2);
  CHECK(r.config.tp * r.config.pp * r.config.replicas == 8);
}

TEST_CASE("the inference adapter explains requests that cannot run") {
  InferenceRequestSpec s = inference_spec("llama-3.1-8b", "h100-sxm", 3, Precision::Fp8);
  s.fixed_tp = 2;
  CHECK(inference_request_error(s) == "--gpus 3 is not divisible by --tp 2 (3 = 2 x 1 + 1)");
  CHECK_FALSE(estimate_inference(s, Backend::Cpu).found);

  s = inference_spec("llama-3.1-8b", "mi300x", 1, Precision::Fp4);
  CHECK_THAT(inference_request_error(s), Catch::StartsWith("mi300x has no fp4 support"));

  s = inference_spec("llama-3.1-8b", "h100-sxm", 16, Precision::Fp8);
  s.fixed_tp = 16;
  CHECK_THAT(inference_request_error(s), Catch::Contains("exceeds the scale-up domain of h100-sxm (8 GPUs)"));

  s = inference_spec("llama-3.1-405b", "h100-sxm", 2, Precision::Fp8);
  const InferenceOutcome r = estimate_inference(s, Backend::Cpu);
  CHECK_FALSE(r.found);
  CHECK_THAT(r.reason, Catch::Contains("llama-3.1-405b in fp8 needs"));
  CHECK_THAT(r.reason, Catch::Contains("2 x h100-sxm hold 171 GB (167 GB usable)"));
}

TEST_CASE("the inference adapter reports SLOs that no configuration meets") {
  InferenceRequestSpec s = inference_spec("llama-3.1-8b", "h100-sxm", 1, Precision::Fp8);
  s.ttft_slo_s = 1e-6;
  const InferenceOutcome r = estimate_inference(s, Backend::Cpu);
  CHECK_FALSE(r.found);
  CHECK_THAT(r.reason, Catch::Contains("meets the SLOs"));
}

TEST_CASE("one client gives less throughput and a shorter time to first token than a saturated server") {
  InferenceRequestSpec s = inference_spec("llama-3.1-8b", "h100-sxm", 1, Precision::Fp8);
  const InferenceOutcome sat = estimate_inference(s, Backend::Cpu);
  s.concurrency = 1;
  const InferenceOutcome one = estimate_inference(s, Backend::Cpu);
  REQUIRE(sat.found);
  REQUIRE(one.found);
  CHECK(sat.estimate.output_tokens_per_s >= one.estimate.output_tokens_per_s);
  CHECK(one.estimate.ttft_p99_s < sat.estimate.ttft_p99_s);
}

TEST_CASE("the training adapter keeps fixed degrees and explains what does not fit") {
  const Catalog catalog = Catalog::embedded();
  TrainingRequestSpec s;
  s.model = "llama-3.1-8b";
  s.accelerator = "h100-sxm";
  s.arch = llm_arch_from_catalog(catalog, s.model);
  s.accel = accelerator_from_catalog(catalog, s.accelerator);
  s.gpus = 16;
  s.seq = 4096;
  s.global_batch_tokens = 64.0 * 4096;
  s.fixed_tp = 2;
  s.fixed_pp = 2;
  const TrainingOutcome r = estimate_training(s, Backend::Cpu);
  REQUIRE(r.found);
  CHECK(r.config.tp == 2);
  CHECK(r.config.pp == 2);
  CHECK(r.estimate.step_time_s > 0.0);
  CHECK(r.estimate.mfu > 0.0);
  CHECK(r.configs_evaluated > 0);

  s.fixed_tp = 3;
  const TrainingOutcome bad = estimate_training(s, Backend::Cpu);
  CHECK_FALSE(bad.found);
  CHECK_THAT(bad.reason, Catch::Contains("not divisible"));

  s.fixed_tp = 0;
  s.fixed_pp = 0;
  s.precision = Precision::Fp8;
  s.accel = accelerator_from_catalog(catalog, "a100-sxm-80gb");
  s.accelerator = "a100-sxm-80gb";
  CHECK_THAT(estimate_training(s, Backend::Cpu).reason, Catch::StartsWith("a100-sxm-80gb has no fp8 support"));
}

TEST_CASE("error summaries take the median of absolute errors and the largest") {
  const ErrorSummary odd = summarize_errors({-0.3, 0.1, 0.05});
  CHECK(odd.rows == 3);
  CHECK(odd.median_abs_error == Approx(0.1));
  CHECK(odd.max_abs_error == Approx(0.3));
  const ErrorSummary even = summarize_errors({0.1, -0.2, 0.3, 0.04});
  CHECK(even.median_abs_error == Approx(0.15));
  CHECK(summarize_errors({}).rows == 0);
}

TEST_CASE("reference rows that cannot be estimated are kept with the reason") {
  const Catalog catalog = Catalog::embedded();
  const auto rows = inference_reference_rows(catalog);
  REQUIRE(rows.size() == catalog.entry("reference_measurements", "inference")->size());
  InferenceReferenceRow row = rows.front();
  row.spec.precision = Precision::Fp4;
  row.problem = inference_request_error(row.spec);
  const InferenceRowEstimate e = estimate_inference_reference(row, InferenceRowOptions{});
  CHECK_FALSE(e.ok);
  CHECK_THAT(e.reason, Catch::StartsWith("h100-sxm has no fp4 support"));
}
