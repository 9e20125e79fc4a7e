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
  // The search offers every v = 2..8 at p = 8 for 126 layers (none of which divides 126 / 8), each chunk a layer.
  LlmArch a = test::gpt_arch(126, 8192, 64);
  TrainingProblem p = test::problem(a, test::h100_sxm(), 64, 4096, 64);
  p.fixed_pp = 8;
  p.fixed_tp = 8;
  bool v[9] = {};
  for (const TrainingConfig& x : enumerate_training_configs(p)) v[x.interleave] = true;
  CHECK(v[2]);
  CHECK(v[4]);
  CHECK(v[8]);
  CHECK(v[3]);
  // Short middle chunks take the last middle positions and each GPU adds up what it holds: 13 layers in 4 x 3 = 12
  // chunks are 1, 2, then nine of 1, then 1; GPU 1 holds chunks 1, 5, 9 (2 + 1 + 1), the others 3.
  const StageLayout g13 = gpu_layout(13, 4, 3, &chunk);
  CHECK(chunk.first == 1);
  CHECK(chunk.last == 1);
  int sum = 0;
  for (int j = 0; j < 12; ++j) sum += chunk_layers(chunk, 13, 12, j);
  CHECK(sum == 13);
  CHECK(g13.first + g13.middle_max + g13.middle_min + g13.last == 13);
  CHECK(g13.middle_max == 4);
  // DeepSeek-V3's published p = 4, v = 4 (61 layers in 16 chunks) is offered.
  LlmArch ds = test::gpt_arch(61, 7168, 128);
  TrainingProblem pd = test::problem(ds, test::h100_sxm(), 256, 4096, 4096);
  pd.fixed_pp = 4;
  pd.fixed_tp = 1;
  bool v4 = false;
  for (const TrainingConfig& x : enumerate_training_configs(pd)) v4 = v4 || x.interleave == 4;
  CHECK(v4);
}

namespace {

// One GPT layer's times for one micro-batch of one sequence, worked by hand from the model's stated terms (bf16,
// flash attention, tp t without sequence parallelism, no recompute): the layer GEMMs, the causal attention scores,
// the elementwise HBM passes over Korthikanti's sbh(10 + 24/t) + the log-sum-exp, and 4 TP all-reduces.
struct HandLayer {
  double gemm_fwd = 0, attn_fwd = 0, elem_fwd = 0, tp = 0, logits_fwd = 0;
  double compute() const { return 3 * gemm_fwd + 3.5 * attn_fwd + 3 * elem_fwd; }
  double per_layer() const { return compute() + tp; }
  double forward() const { return gemm_fwd + attn_fwd + elem_fwd + tp / 2; }
};

HandLayer hand_layer(const LlmArch& a, const TrainingProblem& p, const TrainingCalibration& k, double t) {
  const ArchCounts ac = arch_counts(a);
  const double s = p.seq_len, h = a.hidden, tok = s;
  const double mm = p.accel.bf16_flops_per_s * k.matmul_fraction;
  HandLayer l;
  l.gemm_fwd = tok * 2 * (ac.attn_params + ac.mlp_active_params) / t / mm;
  l.attn_fwd = tok * 4 * s * ac.q_width / t * 0.5 / mm;
  const double act = tok * h * (10 + 24 / t) + 4 * a.heads * s / t;
  l.elem_fwd = act * k.elementwise_passes / (p.accel.hbm_bytes_per_s * k.hbm_fraction);
  if (t > 1) {
    l.tp = 4 * tok * h * 2 * 2 * (t - 1) / t / (p.accel.scaleup_bytes_per_s * k.scaleup_bus_fraction);
  }
  l.logits_fwd = tok * 2 * double(a.vocab) * h / t / mm;
  return l;
}

// A GPT model of `layers` layers (h 8192, 64 heads) and `vocab` tokens on tp 8 × pp × dp 1 H100s, sequences of
// 4096, one per micro-batch, no recompute, 1F1B; with the problem's calibration.
struct PipelineCase {
  LlmArch a;
  TrainingProblem p;
  TrainingConfig c;
  TrainingCalibration k;
};

PipelineCase pipeline_case(int layers, int vocab, int pp, long long seqs) {
  PipelineCase x;
  x.a = test::gpt_arch(layers, 8192, 64);
  x.a.vocab = vocab;
  x.p = test::problem(x.a, test::h100_sxm(), 8 * pp, 4096, seqs);
  x.c.tp = 8;
  x.c.pp = pp;
  x.c.dp = 1;
  x.c.micro_batch = 1;
  x.c.recompute = Recompute::None;
  x.k = training_calibration(x.p.accel.generation, x.p.precision);
  return x;
}

}  // namespace

TEST_CASE("pipeline schedules: zero-bubble and DualPipe bubbles and memory against hand-computed values") {
  // 64 layers at p = 8 (8 per stage), a one-token vocabulary (no output projection to speak of), tp 8, no
  // recompute, 64 micro-batches of one sequence.
  auto [a, p, c, k] = pipeline_case(64, 1, 8, 64);
  const TrainingEstimate one = estimate_training(p, c, k);
  c.schedule = PipelineSchedule::ZeroBubble;
  const TrainingEstimate zb = estimate_training(p, c, k);
  c.schedule = PipelineSchedule::DualPipe;
  const TrainingEstimate dual = estimate_training(p, c, k);
  REQUIRE(one.feasible + zb.feasible + dual.feasible >= 2);
  REQUIRE(zb.limit != TrainingLimit::InvalidConfig);
  REQUIRE(dual.limit != TrainingLimit::InvalidConfig);
  // By hand: a micro-batch on the last stage is 8 layers + the output projection (forward and backward); F its
  // forward part; W the weight-gradient GEMMs = the forward GEMMs (and the projection's).
  const HandLayer l = hand_layer(a, p, k, 8);
  const double t_mb = 8 * l.per_layer() + 3 * l.logits_fwd;
  const double w = 8 * l.gemm_fwd + l.logits_fwd;
  CHECK(one.compute_s + one.tp_comm_s == Approx(64 * t_mb).epsilon(1e-9));
  CHECK(one.bubble_s == Approx(7.0 * t_mb).epsilon(1e-9));
  CHECK(zb.bubble_s == Approx(7.0 * (t_mb - 2.0 * w)).epsilon(1e-9));  // (p − 1)(F + B − 2W), F + B = t_mb
  CHECK(zb.bubble_s < one.bubble_s);
  CHECK(zb.memory_bytes == Approx(one.memory_bytes));                   // ZB-H1: 1F1B's memory
  // DualPipe: (p/2 − 1)(F&B + B − 3W) with F&B = F + B, B = t_mb − F; rank 0 runs the first and last stage (8
  // layers each) for half the micro-batches each, so half the output projection per micro-batch.
  const double t_dual = 8 * l.per_layer() + 0.5 * 3 * l.logits_fwd;
  const double f_dual = 8 * l.forward() + 0.5 * l.logits_fwd;
  const double w_dual = 8 * l.gemm_fwd + 0.5 * l.logits_fwd;
  CHECK(dual.bubble_s == Approx(3.0 * (t_dual + (t_dual - f_dual) - 3.0 * w_dual)).epsilon(1e-9));
  CHECK(dual.bubble_s < zb.bubble_s);
  CHECK(dual.pp_comm_s == 0.0);
  // dp 1: no data-parallel reduction, but DualPipe's paired ranks all-reduce their two stages' gradients (2 ranks,
  // 1 × the bytes) over the scale-out fabric, behind the backward of the last micro-batch (2F).
  CHECK(one.dp_comm_s == 0.0);
  const ArchCounts ac = arch_counts(a);
  const double pair_bytes = 2.0 * (16 * (ac.attn_params + ac.mlp_active_params) + 2 * ac.embed_params) / 8;
  const double pair_s = pair_bytes / (p.accel.scaleout_bytes_per_s * k.scaleout_bus_fraction);
  CHECK(dual.dp_comm_s == Approx(std::max(0.0, pair_s - 2 * f_dual)).margin(1e-12));
  // Two copies of the stage parameters, p + 1 micro-batches of activations (8 on 1F1B's first stage).
  CHECK(dual.weights_bytes == Approx(2.0 * one.weights_bytes).epsilon(1e-9));
  CHECK(dual.optimizer_bytes == Approx(2.0 * one.optimizer_bytes).epsilon(1e-9));
  CHECK(dual.activation_bytes == Approx(one.activation_bytes * 9.0 / 8.0).epsilon(1e-3));
  // DualPipe needs p even (pp 3 on 24 GPUs is refused; zero-bubble takes it), neither schedule interleaves, and
  // both need at least p micro-batches.
  const TrainingProblem p24 = test::problem(a, test::h100_sxm(), 24, 4096, 64);
  TrainingConfig odd = c;
  odd.pp = 3;
  CHECK(estimate_training(p24, odd, k).limit == TrainingLimit::InvalidConfig);
  odd.schedule = PipelineSchedule::ZeroBubble;
  CHECK(estimate_training(p24, odd, k).limit != TrainingLimit::InvalidConfig);
  odd.interleave = 2;
  CHECK(estimate_training(p24, odd, k).limit == TrainingLimit::InvalidConfig);
  const TrainingProblem few = test::problem(a, test::h100_sxm(), 64, 4096, 4);
  c.interleave = 1;
  CHECK(estimate_training(few, c, k).limit == TrainingLimit::InvalidConfig);  // 4 micro-batches < p = 8
  c.schedule = PipelineSchedule::ZeroBubble;
  CHECK(estimate_training(few, c, k).limit == TrainingLimit::InvalidConfig);
  c.schedule = PipelineSchedule::OneFOneB;
  CHECK(estimate_training(few, c, k).limit != TrainingLimit::InvalidConfig);
  // The search explores all three, only where they are valid, and a fixed schedule is kept.
  bool seen[3] = {};
  for (const TrainingConfig& x : enumerate_training_configs(p)) seen[static_cast<int>(x.schedule)] = true;
  CHECK(seen[0]);
  CHECK(seen[1]);
  CHECK(seen[2]);
  for (const TrainingConfig& x : enumerate_training_configs(few)) {
    CHECK((x.schedule == PipelineSchedule::OneFOneB || x.pp <= 4));
  }
  TrainingProblem fixed = p;
  fixed.fixed_schedule = static_cast<int>(PipelineSchedule::DualPipe);
  const std::vector<TrainingConfig> fixed_configs = enumerate_training_configs(fixed);
  REQUIRE_FALSE(fixed_configs.empty());
  for (const TrainingConfig& x : fixed_configs) {
    CHECK(x.schedule == PipelineSchedule::DualPipe);
    CHECK(x.interleave == 1);
    CHECK(training_config_valid(fixed, x));
  }
  fixed.fixed_schedule = 3;
  CHECK_FALSE(training_problem_error(fixed).empty());
}

TEST_CASE("DualPipe on an uneven layout with a large vocabulary: rank 0 pairs the first and last stage") {
  // 30 layers at p = 4: 7 + 8 + 8 + 7. A (made-up) 512k vocabulary makes the output projection worth over two
  // layers, so 1F1B's slowest stage is the last (7 layers + the projection) and DualPipe's is rank 0 (the first
  // and last stage, 7 layers each, half the projection per micro-batch), not a middle rank's 8 layers.
  auto [a, p, c, k] = pipeline_case(30, 512000, 4, 8);
  const HandLayer l = hand_layer(a, p, k, 8);
  REQUIRE(7 * l.per_layer() + 1.5 * l.logits_fwd > 8 * l.per_layer());
  const TrainingEstimate one = estimate_training(p, c, k);
  c.schedule = PipelineSchedule::DualPipe;
  const TrainingEstimate dual = estimate_training(p, c, k);
  REQUIRE(dual.limit != TrainingLimit::InvalidConfig);
  CHECK(one.stage_layers_first == 7);
  CHECK(one.stage_layers_middle == 8);
  CHECK(one.compute_s == Approx(8 * (7 * l.compute() + 3 * l.logits_fwd)).epsilon(1e-9));
  CHECK(dual.compute_s == Approx(8 * (7 * l.compute() + 1.5 * l.logits_fwd)).epsilon(1e-9));
  // With a one-token vocabulary the middle ranks' 8 layers are the slowest instead.
  LlmArch small = a;
  small.vocab = 1;
  TrainingProblem ps = p;
  ps.arch = small;
  const HandLayer ls = hand_layer(small, ps, k, 8);
  CHECK(estimate_training(ps, c, k).compute_s == Approx(8 * 8 * ls.compute()).epsilon(1e-9));
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
