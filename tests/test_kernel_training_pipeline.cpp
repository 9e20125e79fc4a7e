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
  // Interleaving needs whole virtual stages: refused on an uneven layout.
  c.interleave = 2;
  CHECK(estimate_training(p126, c).limit == TrainingLimit::InvalidConfig);
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
