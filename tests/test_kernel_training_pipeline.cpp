// Pipeline layouts as Megatron-core builds them (uneven stages when p does not divide the layers) and the one
// parameter count the inference and training models share (MLA, MoE, tied embeddings).
#include <catch2/catch.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernel_fixtures.hpp"
#include "kernels/training_search.hpp"

using namespace aidc;

TEST_CASE("uneven pipeline stages follow Megatron-core's placement with the embedding and the loss as layers") {
  // Llama 3.1 405B (126 layers) at p = 16: Meta's layout, one layer fewer on the first and last stage.
  StageLayout l = stage_layout(126, 16);
  CHECK(l.uneven);
  CHECK(l.first == 7);
  CHECK(l.middle_max == 8);
  CHECK(l.middle_min == 8);
  CHECK(l.last == 7);
  // At p = 8 (MLPerf-style): 15 + 6 x 16 + 15.
  l = stage_layout(126, 8);
  CHECK(l.first == 15);
  CHECK(l.middle_max == 16);
  CHECK(l.last == 15);
  // DeepSeek-V3 (61 layers) at p = 16: 3 + 13 x 4 + 1 x 3 + 3.
  l = stage_layout(61, 16);
  CHECK(l.first == 3);
  CHECK(l.middle_max == 4);
  CHECK(l.middle_min == 3);
  CHECK(l.last == 3);
  CHECK(l.first + 13 * 4 + 1 * 3 + l.last == 61);
  // Two stages, odd layers: the excess off the first stage.
  l = stage_layout(61, 2);
  CHECK(l.first + l.last == 61);
  CHECK(l.first == 30);
  // Divisible: L/p everywhere, as before.
  l = stage_layout(80, 8);
  CHECK_FALSE(l.uneven);
  CHECK(l.first == 10);
  CHECK(l.last == 10);
}

TEST_CASE("an uneven pipeline's step is set by its slowest stage and its memory by its most loaded stage") {
  // GPT-style 126 and 128 layers at p = 8, a one-token vocabulary so the output projection is negligible: the
  // 126-layer model's slowest stages hold 16 layers, like every stage of the 128-layer one, so the micro-batch
  // compute is the same; its first stage holds 15 layers with 8 micro-batches in flight (the most loaded), so its
  // activations are 15/16 of the 128-layer model's first stage.
  LlmArch a126 = test::gpt_arch(126, 8192, 64);
  LlmArch a128 = test::gpt_arch(128, 8192, 64);
  a126.vocab = a128.vocab = 1;
  TrainingConfig c;
  c.tp = 8;
  c.pp = 8;
  c.dp = 1;
  c.micro_batch = 1;
  c.recompute = Recompute::None;
  const TrainingProblem p126 = test::problem(a126, test::h100_sxm(), 64, 4096, 64);
  const TrainingProblem p128 = test::problem(a128, test::h100_sxm(), 64, 4096, 64);
  const TrainingEstimate e126 = estimate_training(p126, c);
  const TrainingEstimate e128 = estimate_training(p128, c);
  REQUIRE(e126.limit != TrainingLimit::InvalidConfig);
  REQUIRE(e128.limit != TrainingLimit::InvalidConfig);
  CHECK(e126.stage_layers_first == 15);
  CHECK(e126.stage_layers_middle == 16);
  CHECK(e126.stage_layers_last == 15);
  CHECK(e126.compute_s == Approx(e128.compute_s).epsilon(1e-6));
  CHECK(e126.bubble_s == Approx(e128.bubble_s).epsilon(1e-6));
  CHECK(e126.activation_bytes == Approx(e128.activation_bytes * 15.0 / 16.0).epsilon(1e-4));
  // The search accepts the fixed p = 8 (no "not divisible" refusal) and explores uneven degrees when free.
  TrainingProblem fixed = test::problem(a126, test::h100_sxm(), 64, 4096, 64);
  fixed.fixed_pp = 8;
  CHECK(training_problem_error(fixed).empty());
  const TrainingSearchResult r = search_training(fixed, Backend::Cpu, false);
  CHECK(r.best.pp == 8);
  bool uneven_searched = false;
  for (const TrainingConfig& x : enumerate_training_configs(p126)) uneven_searched = uneven_searched || x.pp == 8;
  CHECK(uneven_searched);
  // Interleaving places the p·v chunks the same way: 16 chunks of 7 + 14 x 8 + 7 layers, GPU 0 holding the first
  // and one middle chunk (15 layers), the middle GPUs two middle chunks (16).
  c.interleave = 2;
  const TrainingEstimate e126v = estimate_training(p126, c);
  REQUIRE(e126v.limit != TrainingLimit::InvalidConfig);
  CHECK(e126v.stage_layers_first == 15);
  CHECK(e126v.stage_layers_middle == 16);
  CHECK(e126v.stage_layers_last == 15);
  // More chunks than layers leaves a chunk empty: refused.
  c.interleave = 16;
  CHECK(estimate_training(p126, c).limit == TrainingLimit::InvalidConfig);
}

TEST_CASE("interleaved chunks follow Megatron's accounting: Llama 3.1 405B at p = 8, v = 8") {
  // 126 layers + embedding + loss = 128 = 64 chunks of 2: the first and last chunk hold 1 layer.
  StageLayout chunk;
  const StageLayout g = gpu_layout(126, 8, 8, &chunk);
  CHECK(chunk.first == 1);
  CHECK(chunk.middle_max == 2);
  CHECK(chunk.middle_min == 2);
  CHECK(chunk.last == 1);
  CHECK(g.first == 1 + 7 * 2);
  CHECK(g.middle_max == 16);
  CHECK(g.last == 15);
  // The search offers v = 2, 4, 8 at p = 8 for 126 layers (none of which divides 126 / 8).
  LlmArch a = test::gpt_arch(126, 8192, 64);
  TrainingProblem p = test::problem(a, test::h100_sxm(), 64, 4096, 64);
  p.fixed_pp = 8;
  p.fixed_tp = 8;
  bool v[9] = {};
  for (const TrainingConfig& x : enumerate_training_configs(p)) v[x.interleave] = true;
  CHECK(v[2]);
  CHECK(v[4]);
  CHECK(v[8]);
  CHECK_FALSE(v[3]);
}

TEST_CASE("pipeline schedules: zero-bubble and DualPipe bubbles and memory against hand-computed values") {
  // 64 layers at p = 8 (8 per stage), a one-token vocabulary (no output projection to speak of), tp 8, no
  // recompute, 64 micro-batches of one sequence.
  LlmArch a = test::gpt_arch(64, 8192, 64);
  a.vocab = 1;
  const TrainingProblem p = test::problem(a, test::h100_sxm(), 64, 4096, 64);
  TrainingConfig c;
  c.tp = 8;
  c.pp = 8;
  c.dp = 1;
  c.micro_batch = 1;
  c.recompute = Recompute::None;
  const TrainingCalibration k = training_calibration(p.accel.generation, p.precision);
  const TrainingEstimate one = estimate_training(p, c, k);
  c.schedule = PipelineSchedule::ZeroBubble;
  const TrainingEstimate zb = estimate_training(p, c, k);
  c.schedule = PipelineSchedule::DualPipe;
  const TrainingEstimate dual = estimate_training(p, c, k);
  REQUIRE(one.feasible + zb.feasible + dual.feasible >= 2);
  REQUIRE(zb.limit != TrainingLimit::InvalidConfig);
  REQUIRE(dual.limit != TrainingLimit::InvalidConfig);
  // By hand: W = the weight-gradient GEMMs of one micro-batch on a stage = its forward layer GEMMs,
  // 8 layers x tokens x 2 x (attention + MLP parameters) / t at the bf16 GEMM rate; t_mb = 1F1B bubble / (p - 1).
  const ArchCounts ac = arch_counts(a);
  const double w = 8.0 * 4096.0 * 2.0 * (ac.attn_params + ac.mlp_active_params) / 8.0 /
                   (p.accel.bf16_flops_per_s * k.matmul_fraction);
  const double t_mb = one.bubble_s / 7.0;
  CHECK(one.bubble_s == Approx(7.0 * t_mb));
  CHECK(zb.bubble_s == Approx(7.0 * (t_mb - 2.0 * w)).epsilon(1e-5));  // (p − 1)(F + B − 2W), F + B = t_mb
  // Less than 1F1B's, though not its third: W is the GEMMs only, the elementwise and TP time stay in B.
  CHECK(zb.bubble_s < one.bubble_s);
  CHECK(zb.memory_bytes == Approx(one.memory_bytes));                   // ZB-H1: 1F1B's memory
  // DualPipe: (p/2 − 1)(F&B + B − 3W) with F&B = F + B; B = t_mb − F.
  // F = the forward of 8 layers: GEMMs (= W) plus the causal flash-attention scores, 4 s² q_width / t / 2 per layer.
  const double f = w + 8.0 * 4096.0 * 4.0 * 4096.0 * ac.q_width / 8.0 * 0.5 /
                           (p.accel.bf16_flops_per_s * k.matmul_fraction);
  CHECK(dual.bubble_s == Approx(3.0 * (t_mb + (t_mb - f) - 3.0 * w)).epsilon(1e-4));
  CHECK(dual.bubble_s < zb.bubble_s);
  CHECK(dual.pp_comm_s == 0.0);
  // Two copies of the stage parameters, p + 1 micro-batches of activations (8 on 1F1B's first stage).
  CHECK(dual.weights_bytes == Approx(2.0 * one.weights_bytes).epsilon(1e-9));
  CHECK(dual.optimizer_bytes == Approx(2.0 * one.optimizer_bytes).epsilon(1e-9));
  CHECK(dual.activation_bytes == Approx(one.activation_bytes * 9.0 / 8.0).epsilon(1e-3));
  // DualPipe needs p even and at least p (even) micro-batches; neither schedule interleaves.
  TrainingConfig odd = c;
  odd.pp = 4;
  odd.dp = 2;
  CHECK(estimate_training(p, odd, k).limit != TrainingLimit::InvalidConfig);
  odd.interleave = 2;
  CHECK(estimate_training(p, odd, k).limit == TrainingLimit::InvalidConfig);
  const TrainingProblem few = test::problem(a, test::h100_sxm(), 64, 4096, 4);
  c.interleave = 1;
  CHECK(estimate_training(few, c, k).limit == TrainingLimit::InvalidConfig);  // 4 micro-batches < p = 8
  // The search explores all three and a fixed schedule is kept.
  bool seen[3] = {};
  for (const TrainingConfig& x : enumerate_training_configs(p)) seen[static_cast<int>(x.schedule)] = true;
  CHECK(seen[0]);
  CHECK(seen[1]);
  CHECK(seen[2]);
  TrainingProblem fixed = p;
  fixed.fixed_schedule = static_cast<int>(PipelineSchedule::DualPipe);
  for (const TrainingConfig& x : enumerate_training_configs(fixed)) {
    CHECK(x.schedule == PipelineSchedule::DualPipe);
    CHECK(x.interleave == 1);
  }
}

TEST_CASE("DeepSeek-V3's parameters: 671 B total and 37 B active, one count for training and inference") {
  const Catalog catalog = Catalog::embedded();
  const LlmArch a = llm_arch_from_catalog(catalog, "deepseek-v3");
  const ArchCounts t = arch_counts(a);
  const LlmParamCounts i = count_params(a);
  CHECK(t.total_params == Approx(671e9).epsilon(0.02));
  CHECK(t.active_params == Approx(37e9).epsilon(0.02));
  CHECK(t.total_params == i.total);
  CHECK(t.active_params == i.active);
  // The model FLOPs' N: every matmul weight a token passes, the output projection included.
  CHECK(t.model_params == Approx(i.active - i.embedding - a.layers * i.norms_per_layer - a.hidden));
}

TEST_CASE("tied embeddings are stored once but still multiply as the output projection") {
  LlmArch a = test::gpt_arch(16, 2048, 16);
  a.vocab = 128256;
  LlmArch tied = a;
  tied.tied_embeddings = true;
  const ArchCounts u = arch_counts(a), t = arch_counts(tied);
  CHECK(u.total_params - t.total_params == Approx(double(a.vocab) * a.hidden));
  CHECK(u.model_params == Approx(t.model_params));
}
