// MoE training costs: grouped-GEMM efficiency against tokens per expert, the MoE layer's saved tensors, the expert
// all-to-all at its own fabric fraction, DeepSeek-V3's memory per GPU against the Megatron-core MoE report, and MoE
// parallel folding (the experts' own tensor-parallel degree).
#include <catch2/catch.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernel_fixtures.hpp"
#include "kernels/training_search.hpp"

using namespace aidc;

namespace {

// 8 MoE layers, hidden 4096, 64 experts of width 1024 (SwiGLU), 8 active, no shared expert.
LlmArch small_moe() {
  LlmArch a = test::gpt_arch(8, 4096, 32);
  a.gated_mlp = true;
  a.routed_experts = 64;
  a.active_experts = 8;
  a.moe_ffn_hidden = 1024;
  a.ffn_hidden = 1024;
  a.vocab = 1;
  return a;
}

}  // namespace

TEST_CASE("routed-expert GEMMs run at M / (M + M_half) of the GEMM rate, M the tokens per local expert") {
  const LlmArch a = small_moe();
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 8, 4096, 8);
  TrainingConfig c = test::data_parallel_config(8);
  TrainingCalibration k = training_calibration(p.accel.generation, p.precision);
  TrainingCalibration ideal = k;
  ideal.expert_gemm_half_tokens = 0.0;
  const TrainingEstimate slow = estimate_training(p, c, k);
  const TrainingEstimate fast = estimate_training(p, c, ideal);
  REQUIRE(slow.limit != TrainingLimit::InvalidConfig);
  // By hand, ep = 1: M = 4096 tokens x 8 active / 64 experts = 512; routed forward FLOPs per layer and micro-batch
  // 2 x 4096 x 8 x 3 x 4096 x 1024; forward + backward = 3x; 8 layers, one micro-batch per GPU.
  const double m_tokens = 4096.0 * 8 / 64;
  const double routed = 2.0 * 4096 * 8 * 3.0 * 4096 * 1024;
  const double rate = p.accel.bf16_flops_per_s * k.matmul_fraction;
  const double extra = 8 * 3.0 * routed / rate * (k.expert_gemm_half_tokens / m_tokens);
  CHECK(slow.compute_s - fast.compute_s == Approx(extra).epsilon(1e-6));
  // With ep = 8 each expert sees 8x the tokens: the penalty shrinks 8x (dispatch cost aside).
  c.ep = 8;
  const TrainingEstimate slow8 = estimate_training(p, c, k);
  const TrainingEstimate fast8 = estimate_training(p, c, ideal);
  CHECK(slow8.compute_s - fast8.compute_s == Approx(extra / 8.0).epsilon(1e-6));
}

TEST_CASE("an MoE layer keeps the router input, the routed copies' inputs and the expert intermediates") {
  const LlmArch a = small_moe();
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 8, 4096, 8);
  const TrainingConfig c = test::data_parallel_config(8);
  const TrainingEstimate e = estimate_training(p, c);
  // Per layer, tp 1, no SP, flash attention, MHA: layer norms, QKV input and mask 7 sbh + Q, K, V, output 8 sbh;
  // MoE MLP: router input 2 sbh, k permuted copies 2k sbh (no expert outputs: probabilities applied in the
  // activation), fc1 and SwiGLU outputs 6 k f s bytes; the log-sum-exp 4 a s; one micro-batch in flight; plus the
  // fp32 logits 4 s V.
  const double s = 4096, h = 4096, k = 8, f = 1024;
  const double layer = 15 * s * h + (2 + 2 * k) * s * h + 6 * k * f * s + 4 * 32 * s;
  CHECK(e.activation_bytes == Approx(8 * layer + 4 * s * 1).epsilon(1e-9));
  // A dense layer of the same model: 15 sbh, the MLP input and mask 3 sbh, fc1 (gate and up, 2 x 2f) and SwiGLU (2f)
  // outputs 6 f bytes per token: Korthikanti's 19 sbh only for a 4h GeLU MLP.
  LlmArch dense = a;
  dense.routed_experts = dense.active_experts = 0;
  const TrainingEstimate d = estimate_training(test::problem(dense, test::h100_sxm(), 8, 4096, 8), c);
  CHECK(d.activation_bytes == Approx(8 * (18 * s * h + 6 * f * s + 4 * 32 * s) + 4 * s).epsilon(1e-9));
  // A 4h GeLU MLP gives Korthikanti's 34 sbh.
  LlmArch gpt = dense;
  gpt.gated_mlp = false;
  gpt.ffn_hidden = 4 * 4096;
  const TrainingEstimate g = estimate_training(test::problem(gpt, test::h100_sxm(), 8, 4096, 8), c);
  CHECK(g.activation_bytes == Approx(8 * (34 * s * h + 4 * 32 * s) + 4 * s).epsilon(1e-9));
}

TEST_CASE("at tp 8 the MoE layer's f-wide tensors are sharded, its h-wide ones only with sequence parallelism") {
  const LlmArch a = small_moe();
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 8, 4096, 8);
  TrainingConfig c = test::data_parallel_config(8);
  c.tp = 8;
  c.dp = 1;
  const double s = 4096, h = 4096, k = 8, f = 1024, t = 8;
  // One micro-batch in flight (pp 1); the log-sum-exp 4 a s / t; the fp32 logits 4 s V / t.
  const double lse = 4 * 32 * s / t, logits = 4 * s / t;
  const TrainingEstimate no_sp = estimate_training(p, c);
  REQUIRE(no_sp.limit != TrainingLimit::InvalidConfig);
  const double layer = 7 * s * h + 8 * s * h / t + (2 + 2 * k) * s * h + 6 * k * f * s / t + lse;
  CHECK(no_sp.activation_bytes == Approx(8 * layer + logits).epsilon(1e-9));
  c.sequence_parallel = 1;
  const TrainingEstimate with_sp = estimate_training(p, c);
  const double layer_sp = (7 + 8 + 2 + 2 * k) * s * h / t + 6 * k * f * s / t + lse;
  CHECK(with_sp.activation_bytes == Approx(8 * layer_sp + logits).epsilon(1e-9));
}

TEST_CASE("the expert all-to-all runs at the all-to-all fraction of the link, not the all-reduce bus fraction") {
  const LlmArch a = small_moe();
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 8, 4096, 8);
  TrainingConfig c = test::data_parallel_config(8);
  c.ep = 8;
  const TrainingCalibration k = training_calibration(p.accel.generation, p.precision);
  const TrainingEstimate e = estimate_training(p, c, k);
  // 4 all-to-alls per layer (dispatch and combine, forward and backward) of s·k·h bf16 values, 7/8 of them leave.
  const double bytes = 4096.0 * 8 * 4096 * 2;
  const double per_layer = 4 * bytes * 7.0 / 8.0 / (p.accel.scaleup_bytes_per_s * k.alltoall_scaleup_fraction);
  CHECK(e.ep_comm_s == Approx(8 * per_layer).epsilon(1e-9));
  CHECK(k.alltoall_scaleup_fraction < k.scaleup_bus_fraction);  // Hopper: all-reduce 1.0 with NVLS, all-to-all 0.8
}

TEST_CASE("an all-to-all over several scale-up domains sends the in-domain share over NVLink, the rest over the NICs") {
  const LlmArch a = small_moe();
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 32, 4096, 32);  // 4 nodes of 8
  TrainingConfig c = test::data_parallel_config(32);
  c.ep = 32;
  const TrainingCalibration k = training_calibration(p.accel.generation, p.precision);
  const TrainingEstimate e = estimate_training(p, c, k);
  REQUIRE(e.limit != TrainingLimit::InvalidConfig);
  // Of a GPU's s·k·h bf16 copies, 7/32 go to the other 7 GPUs of its node, 24/32 to the 24 GPUs of the other three
  // nodes, at the same time; 4 all-to-alls per layer, 8 layers, one micro-batch.
  const double bytes = 4096.0 * 8 * 4096 * 2;
  const double nvlink = bytes * 7.0 / 32.0 / (p.accel.scaleup_bytes_per_s * k.alltoall_scaleup_fraction);
  const double network = bytes * 24.0 / 32.0 / (p.accel.scaleout_bytes_per_s * k.scaleout_bus_fraction);
  REQUIRE(network > nvlink);
  CHECK(e.ep_comm_s == Approx(8 * 4 * network).epsilon(1e-9));
  // Before: every off-GPU copy at the NIC rate, 31/32 of the bytes.
  CHECK(e.ep_comm_s < 8 * 4 * bytes * 31.0 / 32.0 / (p.accel.scaleout_bytes_per_s * k.scaleout_bus_fraction));
}

TEST_CASE("DeepSeek-V3 in BF16 at PP 4, VPP 4, EP 64 on 256 GPUs needs about 200 GB per GPU") {
  // "Scalable Training of Mixture-of-Experts Models with Megatron Core" (NVIDIA, arXiv 2603.07685), Table 3:
  // weights and gradients 36.4 GB, main weights and optimizer states 32.1 GB, activations 131.0 GB, total 199.5 GB
  // per GPU (distributed optimizer, no recompute). An independent check of the memory model, not a fitted row.
  const Catalog catalog = Catalog::embedded();
  TrainingProblem p = test::problem(llm_arch_from_catalog(catalog, "deepseek-v3"),
                                    accelerator_from_catalog(catalog, "gb200"), 256, 4096, 4096);
  TrainingConfig c;
  c.pp = 4;
  c.dp = 64;
  c.ep = 64;
  c.interleave = 4;
  c.zero = 1;
  c.micro_batch = 1;
  c.recompute = Recompute::None;
  const TrainingEstimate e = estimate_training(p, c);
  REQUIRE(e.limit != TrainingLimit::InvalidConfig);
  CHECK(e.memory_bytes == Approx(199.5e9).epsilon(0.10));
  CHECK(e.activation_bytes == Approx(131.0e9).epsilon(0.15));
  CHECK(e.weights_bytes + e.gradients_bytes + e.optimizer_bytes == Approx(36.4e9 + 32.1e9).epsilon(0.15));
}

TEST_CASE("MoE parallel folding: experts take their own tensor-parallel degree and ep spans the attention's ranks") {
  const LlmArch a = small_moe();  // every layer MoE
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 16, 4096, 16);
  TrainingConfig unfolded = test::data_parallel_config(8);
  unfolded.tp = 2;
  unfolded.sequence_parallel = 1;
  unfolded.ep = 8;  // experts over tp 2 x ep 8 = the 16 ranks of the stage
  TrainingConfig same = unfolded;
  same.etp = 2;  // an explicit etp = tp is the default: every use goes through expert_tp()
  TrainingConfig folded = unfolded;
  folded.etp = 1;  // experts over ep 8 alone; expert data parallel 16 / 8 = 2
  TrainingConfig wide = unfolded;
  wide.etp = 1;
  wide.ep = 16;  // ep over all 16 ranks, across the attention's tp pairs
  CHECK(training_config_valid(p, unfolded));
  CHECK(training_config_valid(p, folded));
  CHECK(training_config_valid(p, wide));
  TrainingConfig too_wide = unfolded;
  too_wide.ep = 16;  // 2 x 16 ranks do not fit in 16
  CHECK_FALSE(training_config_valid(p, too_wide));
  TrainingConfig no_sp = folded;
  no_sp.sequence_parallel = 0;  // a folded layer dispatches each GPU's own sequence shard
  CHECK_FALSE(training_config_valid(p, no_sp));
  TrainingConfig wider = unfolded;
  wider.etp = 4;  // expert TP wider than the attention's: not modelled
  wider.ep = 4;
  CHECK_FALSE(training_config_valid(p, wider));
  LlmArch dense = a;
  dense.routed_experts = dense.active_experts = 0;
  TrainingConfig dense_folded = folded;
  dense_folded.ep = 1;
  CHECK_FALSE(training_config_valid(test::problem(dense, test::h100_sxm(), 16, 4096, 16), dense_folded));

  const TrainingEstimate eu = estimate_training(p, unfolded);
  const TrainingEstimate es = estimate_training(p, same);
  CHECK(es.step_time_s == eu.step_time_s);
  CHECK(es.memory_bytes == eu.memory_bytes);
  const TrainingEstimate ef = estimate_training(p, folded);
  const TrainingEstimate ew = estimate_training(p, wide);
  // The MLP's TP all-gather / reduce-scatter pair goes with e = 1; the attention's stays: half the TP time.
  REQUIRE(eu.tp_comm_s > 0.0);
  CHECK(ef.tp_comm_s == Approx(0.5 * eu.tp_comm_s).epsilon(1e-12));
  CHECK(ew.tp_comm_s == Approx(0.5 * eu.tp_comm_s).epsilon(1e-12));
  // A shared expert stays on the attention's TP group: its layer keeps the MLP pair when folded.
  LlmArch shared = a;
  shared.shared_experts = 1;
  const TrainingProblem ps = test::problem(shared, test::h100_sxm(), 16, 4096, 16);
  CHECK(estimate_training(ps, folded).tp_comm_s == Approx(estimate_training(ps, unfolded).tp_comm_s).epsilon(1e-12));
  // Routed experts per GPU: 8 layers x 64 experts x 3 x 4096 x 1024, over e x ep = 16 (unfolded, wide) or 8
  // (folded); ZeRO 0: 16 bytes of weights, gradients and optimizer states each.
  const double experts = 8.0 * 64 * 3 * 4096 * 1024;
  const auto state = [](const TrainingEstimate& e) { return e.weights_bytes + e.gradients_bytes + e.optimizer_bytes; };
  CHECK(state(ef) - state(eu) == Approx(16.0 * experts * (1.0 / 8 - 1.0 / 16)).epsilon(1e-9));
  CHECK(state(ew) == Approx(state(eu)).epsilon(1e-12));
  // Tokens per local expert M = tok k ep e / (t E): unfolded 4096 x 8 x 8 x 2 / (2 x 64) = 4096, folded 2048;
  // the grouped-GEMM penalty, m x 3 x L x routed FLOPs per GPU / rate x M_half / M (m = 16 / 8 = 2 micro-batches),
  // doubles.
  TrainingCalibration k = training_calibration(p.accel.generation, p.precision);
  TrainingCalibration ideal = k;
  ideal.expert_gemm_half_tokens = 0.0;
  const double routed_per_gpu = 2.0 * 4096 * 8 * 3.0 * 4096 * 1024 / 2;  // tok x 2 x routed active / t
  const double rate = p.accel.bf16_flops_per_s * k.matmul_fraction;
  const auto penalty = [&](const TrainingConfig& c) {
    return estimate_training(p, c, k).compute_s - estimate_training(p, c, ideal).compute_s;
  };
  const double full_rate_s = 2 * 8 * 3.0 * routed_per_gpu / rate;
  CHECK(penalty(unfolded) == Approx(full_rate_s * k.expert_gemm_half_tokens / 4096).epsilon(1e-6));
  CHECK(penalty(folded) == Approx(full_rate_s * k.expert_gemm_half_tokens / 2048).epsilon(1e-6));
}

TEST_CASE("Qwen3-235B at Megatron-Bridge's H100 layout (tp 2, pp 8, vpp 4, ep 32) is estimated, not searched away") {
  const Catalog catalog = Catalog::embedded();
  TrainingProblem p = test::problem(llm_arch_from_catalog(catalog, "qwen3-235b-a22b"),
                                    accelerator_from_catalog(catalog, "h100-sxm"), 256, 4096, 8192);
  p.precision = Precision::Fp8;
  p.fixed_tp = 2;
  p.fixed_pp = 8;
  p.fixed_interleave = 4;
  bool published = false;
  for (const TrainingConfig& c : enumerate_training_configs(p)) {
    if (c.ep != 32 || c.micro_batch != 1) continue;
    REQUIRE(expert_tp(c) == 1);  // 2 x 32 does not divide the 32 ranks of a stage: only the folded layout
    published = published || estimate_training(p, c).feasible;
  }
  CHECK(published);
  // A dense model is offered no folded layouts.
  TrainingProblem d = test::problem(llm_arch_from_catalog(catalog, "llama-3.3-70b"),
                                    accelerator_from_catalog(catalog, "h100-sxm"), 64, 8192, 128);
  d.fixed_tp = 4;
  bool folded = false;
  for (const TrainingConfig& c : enumerate_training_configs(d)) folded = folded || expert_tp(c) != 4;
  CHECK_FALSE(folded);
}
