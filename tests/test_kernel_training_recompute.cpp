// Recompute of single modules (Megatron-core's --recompute-modules; kRecompute* bits in kernels/training_model.hpp):
// what each frees, what recomputing it costs, and which the search offers.
#include <catch2/catch.hpp>

#include <set>

#include "core/scenario/catalog.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernel_fixtures.hpp"
#include "kernels/training_search.hpp"

using namespace aidc;

namespace {

// 8 dense layers, hidden 4096, SwiGLU of width 11008, 32 heads (MHA), a tiny vocabulary.
LlmArch small_dense() {
  LlmArch a = test::gpt_arch(8, 4096, 32);
  a.gated_mlp = true;
  a.ffn_hidden = 11008;
  a.vocab = 1;
  return a;
}

TrainingConfig one_gpu(int modules) {
  TrainingConfig c = test::data_parallel_config(1);
  c.recompute_modules = modules;
  return c;
}

}  // namespace

TEST_CASE("recomputing the layer norms or a dense MLP frees their saved tensors and costs their forward again") {
  const LlmArch a = small_dense();
  // one GPU, pp 1: one micro-batch of activations per layer, plus one layer's recomputed tensors while it recomputes
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 1, 4096, 16);
  const TrainingCalibration k = training_calibration(p.accel.generation, p.precision);
  const TrainingEstimate none = estimate_training(p, one_gpu(0), k);
  const TrainingEstimate ln = estimate_training(p, one_gpu(kRecomputeLayernorm), k);
  const TrainingEstimate mlp = estimate_training(p, one_gpu(kRecomputeMlp), k);
  REQUIRE(none.limit != TrainingLimit::InvalidConfig);
  REQUIRE(ln.limit != TrainingLimit::InvalidConfig);
  REQUIRE(mlp.limit != TrainingLimit::InvalidConfig);
  const double tok = 4096.0, h = 4096.0, f = 11008.0, L = 8.0, m = 16.0;
  // layernorm: the QKV input and the MLP input, 2 bytes x h each, per token and layer
  const double ln_saved = tok * 4.0 * h;
  CHECK(none.activation_bytes - ln.activation_bytes == Approx((L - 1.0) * ln_saved));
  // mlp: fc1's output (2f wide) and the activation's output (f), 2 bytes each
  const double mlp_saved = tok * 6.0 * f;
  CHECK(none.activation_bytes - mlp.activation_bytes == Approx((L - 1.0) * mlp_saved));
  CHECK(ln.weights_bytes == none.weights_bytes);
  // cost: the recomputed tensors written once more by the elementwise kernels, and the MLP's three GEMMs again
  const double hbm_rate = p.accel.hbm_bytes_per_s * k.hbm_fraction;
  const double gemm_rate = peak_flops_per_s(p.accel, Precision::Bf16) * k.matmul_fraction;
  CHECK(ln.compute_s - none.compute_s == Approx(m * L * ln_saved * k.elementwise_passes / hbm_rate));
  const double mlp_flops = tok * 2.0 * 3.0 * h * f;
  CHECK(mlp.compute_s - none.compute_s ==
        Approx(m * L * (mlp_flops / gemm_rate + mlp_saved * k.elementwise_passes / hbm_rate)));
  CHECK(mlp.step_time_s > ln.step_time_s);
  CHECK(ln.step_time_s > none.step_time_s);
}

TEST_CASE("a recomputed dense MLP runs its forward tensor-parallel collective again in the backward pass") {
  const LlmArch a = small_dense();
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 8, 4096, 16);
  TrainingConfig c = one_gpu(0);
  c.tp = 8;
  c.sequence_parallel = 1;
  const TrainingEstimate none = estimate_training(p, c);
  c.recompute_modules = kRecomputeMlp;
  const TrainingEstimate mlp = estimate_training(p, c);
  REQUIRE(none.tp_comm_s > 0.0);
  CHECK(mlp.tp_comm_s == Approx(none.tp_comm_s * 5.0 / 4.0));  // 4 collectives per layer, one more
}

TEST_CASE("DeepSeek-V3's mla_up_proj frees the decompressed Q, K and V and runs the up projections again") {
  const Catalog catalog = Catalog::embedded();
  const LlmArch a = llm_arch_from_catalog(catalog, "deepseek-v3");
  const TrainingProblem p = test::problem(a, accelerator_from_catalog(catalog, "gb200"), 256, 4096, 4096);
  TrainingConfig c;  // the published GB200 layout (Megatron-Bridge): pp 4, vp 4, ep 64
  c.pp = 4;
  c.dp = 64;
  c.ep = 64;
  c.interleave = 4;
  c.zero = 1;
  const TrainingEstimate none = estimate_training(p, c);
  c.recompute_modules = kRecomputeMlaUpProj;
  const TrainingEstimate up = estimate_training(p, c);
  REQUIRE(none.limit != TrainingLimit::InvalidConfig);
  REQUIRE(up.limit != TrainingLimit::InvalidConfig);
  // per token and layer: Q and K are heads x 192 wide, V heads x 128, 2 bytes each
  const double per_token_layer = 2.0 * (128.0 * 192 + 128.0 * 192 + 128.0 * 128);
  const double saved = none.activation_bytes - up.activation_bytes;
  // GPU 0 holds 15 layers (61 + embedding + loss in 16 chunks: its first chunk 3 layers and the embedding, three
  // middle chunks of 4) of min(p, m) = 4 micro-batches and (p - 1)/(p v) more for interleaving, less one layer's
  // live while it recomputes
  const double layers_in_flight = 15.0 * 4.0 * (1.0 + 3.0 / 16.0) - 1.0;
  CHECK(saved == Approx(layers_in_flight * 4096.0 * per_token_layer).epsilon(0.001));
  // without it the layout needs more than a GB200 holds (the Megatron-core MoE report: 199.5 GB), with it it fits
  CHECK(none.memory_bytes > none.usable_bytes);
  CHECK(up.memory_bytes < up.usable_bytes);
  // the q_b (1536 x 128 x 192) and kv_b (512 x 128 x (128 + 128)) GEMMs again: a few per cent of the step
  CHECK(up.step_time_s > none.step_time_s);
  CHECK(up.step_time_s < none.step_time_s * 1.06);
}

TEST_CASE("the search offers the modules the architecture has, and only beside none or selective") {
  const Catalog catalog = Catalog::embedded();
  auto offered = [&](const char* model) {
    const TrainingProblem p = test::problem(llm_arch_from_catalog(catalog, model), test::h100_sxm(), 64, 4096, 64);
    std::set<int> sets;
    for (const TrainingConfig& c : enumerate_training_configs(p)) {
      if (c.recompute == Recompute::Full) CHECK(c.recompute_modules == 0);
      sets.insert(c.recompute_modules);
    }
    return sets;
  };
  // dense: layer norms and the MLP, every combination
  CHECK(offered("llama-3.3-70b") == std::set<int>{0, kRecomputeLayernorm, kRecomputeMlp,
                                                   kRecomputeLayernorm | kRecomputeMlp});
  // every layer MoE: layer norms and the experts' activation, no dense MLP
  CHECK(offered("qwen3-235b-a22b") == std::set<int>{0, kRecomputeLayernorm, kRecomputeMoeAct,
                                                     kRecomputeLayernorm | kRecomputeMoeAct});
  // MLA with three dense layers: all four modules, 16 sets
  CHECK(offered("deepseek-v3").size() == 16);
}

TEST_CASE("a module the architecture lacks, or modules beside full recompute, make an invalid configuration") {
  const TrainingProblem p = test::problem(small_dense(), test::h100_sxm(), 1, 4096, 16);
  CHECK(training_config_valid(p, one_gpu(kRecomputeLayernorm | kRecomputeMlp)));
  CHECK_FALSE(training_config_valid(p, one_gpu(kRecomputeMoeAct)));     // no experts
  CHECK_FALSE(training_config_valid(p, one_gpu(kRecomputeMlaUpProj)));  // no MLA
  TrainingConfig full = one_gpu(kRecomputeLayernorm);
  full.recompute = Recompute::Full;
  CHECK_FALSE(training_config_valid(p, full));
  CHECK(estimate_training(p, full).limit == TrainingLimit::InvalidConfig);
}
