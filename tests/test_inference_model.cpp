#include <catch2/catch.hpp>

#include <cmath>

#include "kernels/inference_calibration.hpp"
#include "kernels/inference_model.hpp"
#include "tests/inference_test_models.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

void check_published(const LlmArch& a, double tol = 0.03) {
  const LlmParamCounts c = count_params(a);
  INFO("counted " << c.total / 1e9 << " B, published " << a.published_params / 1e9 << " B");
  CHECK(std::fabs(c.total / a.published_params - 1.0) <= tol);
  if (a.published_active_params > 0.0) {
    INFO("active " << c.active / 1e9 << " B, published " << a.published_active_params / 1e9 << " B");
    CHECK(std::fabs(c.active / a.published_active_params - 1.0) <= tol);
  }
}

}  // namespace

TEST_CASE("parameter counts of dense Llama models match the published sizes within 3 percent") {
  check_published(llama_3_1_8b());
  check_published(llama_3_3_70b());
  check_published(llama_3_1_405b());
  check_published(llama_2_70b());
}

TEST_CASE("parameter counts of mixture-of-experts and latent-attention models match published totals and actives") {
  check_published(mixtral_8x7b());
  check_published(deepseek_v3());
  // A dense model's active count is its total.
  const LlmParamCounts d = count_params(llama_3_1_8b());
  CHECK(d.active == Approx(d.total));
}

TEST_CASE("KV bytes per token follow 2 x kv_heads x head_dim x layers x bytes, or the MLA latent") {
  // Llama 3.1 8B: 2 * 8 * 128 * 32 = 65,536 elements per token
  CHECK(kv_bytes_per_token(llama_3_1_8b(), 2.0) == Approx(131072.0));
  CHECK(kv_bytes_per_token(llama_3_1_8b(), 1.0) == Approx(65536.0));
  // DeepSeek-V3: 576 latent elements per layer, 61 layers
  CHECK(kv_bytes_per_token(deepseek_v3(), 1.0) == Approx(576.0 * 61));
}

TEST_CASE("weights in fp8 take half the bytes of bf16 apart from the 16-bit embeddings") {
  const LlmArch a = llama_3_3_70b();
  const double bf16 = weight_bytes(a, Precision::Bf16);
  const double fp8 = weight_bytes(a, Precision::Fp8);
  const LlmParamCounts c = count_params(a);
  CHECK(bf16 == Approx(2.0 * c.total));
  CHECK(fp8 == Approx(c.total + c.embedding + c.lm_head));
  // FP4 stores its block scales: NVFP4 one E4M3 byte per 16 values (4.5 bits), MXFP4 one E8M0 byte per 32 (4.25)
  const double linear = c.total - c.embedding - c.lm_head;
  const double nvfp4 = weight_bytes(a, Precision::Fp4, kGenerationBlackwell);
  const double mxfp4 = weight_bytes(a, Precision::Fp4, kGenerationCdna4);
  CHECK(nvfp4 == Approx(linear * 4.5 / 8.0 + 2.0 * (c.embedding + c.lm_head)));
  CHECK(mxfp4 == Approx(linear * 4.25 / 8.0 + 2.0 * (c.embedding + c.lm_head)));
  CHECK(stored_bytes_per_element(Precision::Fp8, kGenerationBlackwell) == 1.0);
}

TEST_CASE("tensor and pipeline parallelism divide the weights per GPU and the replica's KV capacity grows") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel r2 = make_replica_model(llama_3_3_70b(), h100_sxm(), Precision::Fp8, 2, 1, 1, 2048, eff);
  const ReplicaModel r4 = make_replica_model(llama_3_3_70b(), h100_sxm(), Precision::Fp8, 4, 1, 1, 2048, eff);
  const ReplicaModel p2 = make_replica_model(llama_3_3_70b(), h100_sxm(), Precision::Fp8, 2, 2, 1, 2048, eff);
  CHECK(r4.weights_bytes_per_gpu == Approx(r2.weights_bytes_per_gpu / 2));
  CHECK(p2.weights_bytes_per_gpu == Approx(r2.weights_bytes_per_gpu / 2));
  CHECK(r4.kv_capacity_tokens > 2.0 * r2.kv_capacity_tokens);
  CHECK(p2.kv_capacity_tokens > 2.0 * r2.kv_capacity_tokens);
  CHECK(r2.infeasible == 0);
  // one H100 cannot hold 141 GB of bf16 weights
  const ReplicaModel r1 = make_replica_model(llama_3_3_70b(), h100_sxm(), Precision::Bf16, 1, 1, 1, 2048, eff);
  CHECK(r1.infeasible == int(InferenceInfeasible::WeightsExceedMemory));
}

TEST_CASE("decode is memory-bound at small batch and compute-bound at large batch") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel r = make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp8, 1, 1, 1, 2048, eff);
  IterationLoad small;
  small.decode_tokens = 1;
  small.decode_context = 1000;
  small.logit_rows = 1;
  const StepCost s = iteration_cost(r, small);
  CHECK(s.gemm_memory_s > 5.0 * s.gemm_compute_s);
  IterationLoad large;
  large.decode_tokens = 4096;
  large.decode_context = 4096.0 * 200;
  large.logit_rows = 4096;
  const StepCost l = iteration_cost(r, large);
  CHECK(l.gemm_compute_s > l.gemm_memory_s);
  // the memory term barely grows with batch (weights read once), so time per token falls
  CHECK(l.time_s / 4096 < s.time_s / 10);
}

TEST_CASE("an iteration's time is affine in the decode context, which event skipping relies on") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel r = make_replica_model(llama_3_3_70b(), h100_sxm(), Precision::Fp8, 2, 2, 1, 2048, eff);
  IterationLoad l;
  l.decode_tokens = 64;
  l.logit_rows = 64;
  double t[4];
  for (int i = 0; i < 4; ++i) {
    l.decode_context = 64.0 * (500 + 300 * i);
    t[i] = iteration_cost(r, l).time_s;
  }
  CHECK(t[2] - t[1] == Approx(t[1] - t[0]).epsilon(1e-9));
  CHECK(t[3] - t[2] == Approx(t[1] - t[0]).epsilon(1e-9));
}

TEST_CASE("a prefill chunk is compute-bound and its time grows with the chunk") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel r = make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp8, 1, 1, 1, 8192, eff);
  IterationLoad a;
  a.prefill_tokens = 2048;
  a.prefill_pairs = 2048.0 * 1024.5;
  a.prefill_kv_read = 2048;
  a.logit_rows = 1;
  IterationLoad b = a;
  b.prefill_tokens = 8192;
  b.prefill_pairs = 8192.0 * 4096.5;
  b.prefill_kv_read = 8192;
  const StepCost sa = iteration_cost(r, a);
  const StepCost sb = iteration_cost(r, b);
  CHECK(sa.gemm_compute_s > sa.gemm_memory_s);
  CHECK(sb.time_s > 3.0 * (sa.time_s - sa.overhead_s));
}

TEST_CASE("the expected number of distinct experts goes from k at one token to all experts at many") {
  CHECK(expected_distinct_experts(256, 8, 1) == Approx(8.0));
  CHECK(expected_distinct_experts(256, 8, 4096) == Approx(256.0).epsilon(1e-6));
  const double b16 = expected_distinct_experts(256, 8, 16);
  CHECK(b16 > 8.0);
  CHECK(b16 < 128.0);
  CHECK(b16 == Approx(256.0 * (1.0 - std::pow(1.0 - 8.0 / 256.0, 16))));
}

TEST_CASE("MoE decode reads more expert weights as the batch grows until every expert is touched") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel r = make_replica_model(deepseek_v3(), h100_sxm(), Precision::Fp8, 8, 2, 8, 2048, eff);
  REQUIRE(r.infeasible == 0);
  auto mem = [&](double b) {
    IterationLoad l;
    l.decode_tokens = b;
    l.decode_context = b * 10;
    l.logit_rows = b;
    return iteration_cost(r, l).gemm_memory_s;
  };
  CHECK(mem(1) < mem(8));
  CHECK(mem(8) < mem(64));
  // at thousands of tokens every expert is read already: only the (small) activation traffic still grows
  CHECK(mem(4096) - mem(2048) < 0.2 * (mem(64) - mem(8)));
  CHECK(expected_distinct_experts(256, 8, 2048) == Approx(256.0));
}

TEST_CASE("expert parallelism replaces the MLP all-reduce by all-to-alls") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel tp = make_replica_model(mixtral_8x7b(), h100_sxm(), Precision::Fp8, 4, 1, 1, 2048, eff);
  const ReplicaModel ep = make_replica_model(mixtral_8x7b(), h100_sxm(), Precision::Fp8, 4, 1, 4, 2048, eff);
  CHECK(tp.alltoall_per_stage == 0.0);
  CHECK(ep.alltoall_per_stage == Approx(2.0 * 32));
  CHECK(ep.allreduce_per_stage == Approx(32.0));
  CHECK(tp.allreduce_per_stage == Approx(64.0));
  // ep must divide tp and the expert count
  const ReplicaModel bad = make_replica_model(mixtral_8x7b(), h100_sxm(), Precision::Fp8, 4, 1, 3, 2048, eff);
  CHECK(bad.infeasible == int(InferenceInfeasible::BadParallelism));
}

TEST_CASE("the KV cache follows the weights unless the checkpoint sets it apart, and 16-bit KV halves its tokens") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp8);
  const ReplicaModel fp8 = make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp8, 1, 1, 1, 2048, eff);
  const ReplicaModel kv16 =
      make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp8, 1, 1, 1, 2048, eff, KvCacheDtype::Bf16);
  CHECK(fp8.kv_bytes_per_elem == 1.0);
  CHECK(kv16.kv_bytes_per_elem == 2.0);
  CHECK(kv16.weights_bytes_per_gpu == Approx(fp8.weights_bytes_per_gpu));
  CHECK(kv16.kv_capacity_tokens == Approx(0.5 * fp8.kv_capacity_tokens));
  // FP8 attention kernels only with an FP8 KV under FP8 weights; a 16-bit KV runs attention at the BF16 rate.
  CHECK(fp8.attn_peak_flops == Approx(h100_sxm().fp8_flops_per_s));
  CHECK(kv16.attn_peak_flops == Approx(h100_sxm().bf16_flops_per_s));
  const ReplicaModel bf16 = make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Bf16, 1, 1, 1, 2048, eff);
  const ReplicaModel bf16_kv8 =
      make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Bf16, 1, 1, 1, 2048, eff, KvCacheDtype::Fp8);
  CHECK(bf16.kv_bytes_per_elem == 2.0);
  CHECK(bf16_kv8.kv_bytes_per_elem == 1.0);
  CHECK(bf16_kv8.attn_peak_flops == Approx(h100_sxm().bf16_flops_per_s));  // dequantized in a BF16 kernel
  CHECK(kv_cache_bytes_per_elem(Precision::Fp4, KvCacheDtype::Auto) == 1.0);
}

TEST_CASE("fp4 on an accelerator without fp4 is reported as unsupported") {
  const InferenceEfficiency eff = inference_efficiency(kGenerationHopper, Precision::Fp4);
  const ReplicaModel h = make_replica_model(llama_3_1_8b(), h100_sxm(), Precision::Fp4, 1, 1, 1, 2048, eff);
  CHECK(h.infeasible == int(InferenceInfeasible::PrecisionUnsupported));
  const ReplicaModel b = make_replica_model(llama_3_1_8b(), b200(), Precision::Fp4, 1, 1, 1, 2048, eff);
  CHECK(b.infeasible == 0);
}

TEST_CASE("vLLM serves FP8 weights weight-only on an A100: 8-bit weights at the BF16 peak, and no other engine does") {
  const AcceleratorSpec a100 = catalog_accelerator("a100-sxm-80gb");
  REQUIRE(a100.fp8_flops_per_s == 0.0);
  const LlmArch a = llama_3_3_70b();
  const InferenceEfficiency vllm = inference_efficiency(a100.generation, Precision::Fp8, ServingEngine::Vllm);
  const InferenceEfficiency vllm16 = inference_efficiency(a100.generation, Precision::Bf16, ServingEngine::Vllm);
  CHECK(fp8_weight_only(a100, Precision::Fp8, vllm));
  CHECK(vllm.matmul == vllm16.matmul);  // the BF16 tensor cores' fraction
  const ReplicaModel w8 = make_replica_model(a, a100, Precision::Fp8, 2, 1, 1, 2048, vllm, KvCacheDtype::Bf16);
  const ReplicaModel w16 = make_replica_model(a, a100, Precision::Bf16, 2, 1, 1, 2048, vllm16);
  CHECK(w8.infeasible == 0);
  CHECK(w8.peak_flops == a100.bf16_flops_per_s);
  CHECK(w8.dense_weight_bytes == Approx(0.5 * w16.dense_weight_bytes));
  // auto KV under weight-only FP8 is the 16-bit activations' dtype (vLLM's "auto"), as the explicit bf16
  CHECK(make_replica_model(a, a100, Precision::Fp8, 2, 1, 1, 2048, vllm).kv_capacity_tokens ==
        Approx(w8.kv_capacity_tokens));
  CHECK(w8.weight_bytes_per_elem == 1.0);
  CHECK(w8.weights_bytes_per_gpu < 0.55 * w16.weights_bytes_per_gpu);
  CHECK(w8.kv_capacity_tokens > w16.kv_capacity_tokens);  // the 35 GB the weights no longer take hold KV
  // TensorRT-LLM and SGLang have no FP8 path on Ampere, and a GPU with FP8 arithmetic uses it
  for (ServingEngine e : {ServingEngine::TrtLlm, ServingEngine::Sglang, ServingEngine::TrtLlmServe}) {
    const InferenceEfficiency eff = inference_efficiency(a100.generation, Precision::Fp8, e);
    CHECK_FALSE(fp8_weight_only(a100, Precision::Fp8, eff));
    CHECK(make_replica_model(a, a100, Precision::Fp8, 2, 1, 1, 2048, eff).infeasible ==
          int(InferenceInfeasible::PrecisionUnsupported));
  }
  const AcceleratorSpec h100 = h100_sxm();
  const InferenceEfficiency h = inference_efficiency(h100.generation, Precision::Fp8, ServingEngine::Vllm);
  CHECK_FALSE(fp8_weight_only(h100, Precision::Fp8, h));
  CHECK(make_replica_model(a, h100, Precision::Fp8, 2, 1, 1, 2048, h).peak_flops == h100.fp8_flops_per_s);
}
