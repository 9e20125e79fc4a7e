// FP4 (NVFP4) training: a BF16 share of the layer GEMMs, the rest at the FP4 kernel rate plus the quantisation
// traffic, everything else as in BF16 / FP8 training.
#include <catch2/catch.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernel_fixtures.hpp"

using namespace aidc;

TEST_CASE("NVFP4 layer GEMMs: BF16 share, FP4 kernel rate and quantisation bytes by hand") {
  const Catalog catalog = Catalog::embedded();
  const AcceleratorSpec gb200 = accelerator_from_catalog(catalog, "gb200");
  LlmArch a = test::gpt_arch(8, 4096, 32);  // GeLU MLP 4h, MHA
  a.vocab = 1;
  TrainingProblem p = test::problem(a, gb200, 8, 4096, 8);
  TrainingConfig c;
  c.dp = 8;
  c.micro_batch = 1;
  c.recompute = Recompute::None;
  p.precision = Precision::Bf16;
  const TrainingEstimate bf16 = estimate_training(p, c);
  p.precision = Precision::Fp4;
  const TrainingCalibration k = training_calibration(gb200.generation, Precision::Fp4);
  const TrainingEstimate fp4 = estimate_training(p, c, k);
  REQUIRE(fp4.feasible);
  // By hand, per layer and micro-batch (4096 tokens): layer GEMM FLOPs F = 2 x 4096 x 12 h²; quantised elements
  // per token 2h + 2h + 2h (attention: q = kv = h) + 2h + 2 x 4h (MLP) = 16 h, twice, 4.5625 bytes each.
  const double h = 4096, tok = 4096;
  const double f = 2.0 * tok * 12.0 * h * h;
  const double quant = tok * 16.0 * h * 2.0 * k.fp4_quantize_bytes_per_element / 3.0;
  const double bf16_rate = gb200.bf16_flops_per_s * k.matmul_fraction;
  const double fp4_gemm = k.fp4_bf16_gemm_share * f / bf16_rate +
                          (1.0 - k.fp4_bf16_gemm_share) *
                              (f / (gb200.fp4_flops_per_s * k.fp4_matmul_fraction) +
                               quant / (gb200.hbm_bytes_per_s * k.hbm_fraction));
  const double bf16_gemm = f / bf16_rate;
  // Three GEMM passes per layer (fprop, dgrad, wgrad), 8 layers: the compute difference is the GEMMs' difference.
  CHECK(bf16.compute_s - fp4.compute_s == Approx(8 * 3.0 * (bf16_gemm - fp4_gemm)).epsilon(1e-6));
  // Against Transformer Engine's own GEMM benchmark (B300, hidden 4096, FFN 16384; NVFP4 6x BF16's peak, as
  // GB300 here): with no BF16 share the layer GEMMs land between its autocast (2.03x BF16, weights re-quantised on
  // every call) and pre-quantized (3.55x) speed-ups.
  {
    const AcceleratorSpec gb300 = accelerator_from_catalog(catalog, "gb300");
    TrainingCalibration all_fp4 = training_calibration(gb300.generation, Precision::Fp4);
    all_fp4.fp4_bf16_gemm_share = 0.0;
    TrainingProblem q = test::problem(a, gb300, 8, 4096, 8);
    q.precision = Precision::Bf16;
    const TrainingEstimate b = estimate_training(q, c, all_fp4);
    q.precision = Precision::Fp4;
    const TrainingEstimate n = estimate_training(q, c, all_fp4);
    const double bf16_rate300 = gb300.bf16_flops_per_s * all_fp4.matmul_fraction;
    const double gemm_bf16 = 8 * 3.0 * f / bf16_rate300;
    const double gemm_fp4 = gemm_bf16 - (b.compute_s - n.compute_s);
    CHECK(gemm_bf16 / gemm_fp4 > 2.03);
    CHECK(gemm_bf16 / gemm_fp4 < 3.55);
  }
  // A 70B model on GB200: NVFP4 steps are faster than FP8's, short of twice as fast.
  {
    TrainingProblem q = test::problem(llm_arch_from_catalog(catalog, "llama-3.3-70b"), gb200, 64, 8192, 256);
    TrainingConfig d;
    d.tp = 2;
    d.pp = 4;
    d.dp = 8;
    d.interleave = 5;
    d.micro_batch = 1;
    d.sequence_parallel = 1;
    d.recompute = Recompute::Selective;
    q.precision = Precision::Fp8;
    const TrainingEstimate e8 = estimate_training(q, d);
    q.precision = Precision::Fp4;
    const TrainingEstimate e4 = estimate_training(q, d);
    REQUIRE(e4.limit != TrainingLimit::InvalidConfig);
    CHECK(e4.step_time_s < e8.step_time_s);
    CHECK(e4.step_time_s > e8.step_time_s / 2.0);
  }
  // Memory is unchanged (master weights, gradients, optimizer and activations stay high precision).
  CHECK(fp4.memory_bytes == Approx(bf16.memory_bytes));
}

TEST_CASE("NVFP4 at tp 8: each rank quantises the h-wide GEMM operands in full unless sequence parallelism shards them") {
  const Catalog catalog = Catalog::embedded();
  const AcceleratorSpec gb200 = accelerator_from_catalog(catalog, "gb200");
  LlmArch a = test::gpt_arch(8, 4096, 32);
  a.vocab = 1;
  TrainingProblem p = test::problem(a, gb200, 8, 4096, 8);
  TrainingConfig c;
  c.tp = 8;
  c.dp = 1;
  c.micro_batch = 1;
  c.recompute = Recompute::None;
  const TrainingCalibration k = training_calibration(gb200.generation, Precision::Fp4);
  // The quantisation bytes' share of the compute difference between zero and the committed bytes per element.
  TrainingCalibration free_quant = k;
  free_quant.fp4_quantize_bytes_per_element = 0.0;
  p.precision = Precision::Fp4;
  auto quant_s = [&](int sp) {
    c.sequence_parallel = sp;
    return estimate_training(p, c, k).compute_s - estimate_training(p, c, free_quant).compute_s;
  };
  // Per token and layer: h-wide elements 2h (QKV input, projection output gradient) + 2h (fc1 input, fc2 output
  // gradient); q-, kv- and ffn-wide 2h + 2h + 4h + 4h = 12h, over t; twice (row- and column-wise); 4.5625 bytes;
  // 3 passes of a third each; the FP4 share of the GEMMs; 8 layers and 8 micro-batches.
  const double h = 4096, tok = 4096, t = 8;
  const double per_elem = tok * 2.0 * k.fp4_quantize_bytes_per_element * (1.0 - k.fp4_bf16_gemm_share) /
                          (gb200.hbm_bytes_per_s * k.hbm_fraction);
  CHECK(quant_s(0) == Approx(8 * 8 * per_elem * (4 * h + 12 * h / t)).epsilon(1e-9));
  CHECK(quant_s(1) == Approx(8 * 8 * per_elem * (4 * h / t + 12 * h / t)).epsilon(1e-9));
}

TEST_CASE("low-precision training on an accelerator without that rate is an invalid configuration, not an infinite step") {
  LlmArch a = test::gpt_arch(8, 4096, 32);
  AcceleratorSpec no_fp4 = test::h100_sxm();
  no_fp4.fp4_flops_per_s = 0.0;
  TrainingProblem p = test::problem(a, no_fp4, 8, 4096, 8);
  p.precision = Precision::Fp4;
  TrainingConfig c;
  c.dp = 8;
  const TrainingEstimate e = estimate_training(p, c);
  CHECK(e.limit == TrainingLimit::InvalidConfig);
  CHECK(e.feasible == 0);
}
