#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "kernel_fixtures.hpp"
#include "kernels/backend.hpp"
#include "kernels/training_search.hpp"
#include "tests/skip.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

bool rel_close(double x, double y, double tol) {
  if (x == y) return true;
  return std::fabs(x - y) <= tol * std::fmax(std::fabs(x), std::fabs(y));
}

void require_same_config(const TrainingConfig& x, const TrainingConfig& y) {
  REQUIRE(x.tp == y.tp);
  REQUIRE(x.pp == y.pp);
  REQUIRE(x.dp == y.dp);
  REQUIRE(x.cp == y.cp);
  REQUIRE(x.ep == y.ep);
  REQUIRE(expert_tp(x) == expert_tp(y));
  REQUIRE(x.micro_batch == y.micro_batch);
  REQUIRE(x.interleave == y.interleave);
  REQUIRE(x.zero == y.zero);
  REQUIRE(x.recompute == y.recompute);
  REQUIRE(x.sequence_parallel == y.sequence_parallel);
  REQUIRE(x.schedule == y.schedule);
}

void require_same_estimate(const TrainingEstimate& x, const TrainingEstimate& y, double tol) {
  REQUIRE(x.feasible == y.feasible);
  REQUIRE(x.limit == y.limit);
  const double xs[] = {x.step_time_s, x.compute_s, x.bubble_s, x.tp_comm_s, x.pp_comm_s, x.dp_comm_s,
                       x.cp_comm_s, x.ep_comm_s, x.optimizer_s, x.model_tflops_per_gpu, x.mfu, x.memory_bytes,
                       x.activation_bytes, x.weights_bytes, x.gradients_bytes, x.optimizer_bytes};
  const double ys[] = {y.step_time_s, y.compute_s, y.bubble_s, y.tp_comm_s, y.pp_comm_s, y.dp_comm_s,
                       y.cp_comm_s, y.ep_comm_s, y.optimizer_s, y.model_tflops_per_gpu, y.mfu, y.memory_bytes,
                       y.activation_bytes, y.weights_bytes, y.gradients_bytes, y.optimizer_bytes};
  for (std::size_t i = 0; i < std::size(xs); ++i) {
    INFO("field " << i << ": " << xs[i] << " vs " << ys[i]);
    REQUIRE(rel_close(xs[i], ys[i], tol));
  }
}

// The reference: a plain serial loop over the same configurations with the same ranking.
struct SerialBest {
  long long index = -1;
  std::vector<TrainingEstimate> estimates;
};
SerialBest serial_search(const TrainingProblem& p, const std::vector<TrainingConfig>& configs) {
  SerialBest r;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    r.estimates.push_back(evaluate_training(p, configs[i]));
    const auto ii = static_cast<long long>(i);
    if (r.index < 0 || training_better(r.estimates[i], ii, r.estimates[static_cast<std::size_t>(r.index)], r.index)) {
      r.index = ii;
    }
  }
  return r;
}

TrainingConfig config(int tp, int pp, int dp, int mb, Recompute rc, int sp, int zero = 0) {
  TrainingConfig c;
  c.tp = tp;
  c.pp = pp;
  c.dp = dp;
  c.micro_batch = mb;
  c.recompute = rc;
  c.sequence_parallel = sp;
  c.zero = zero;
  return c;
}

}  // namespace

TEST_CASE("the CPU search equals a plain serial loop over the same configurations") {
  const std::vector<TrainingProblem> problems = {
      problem(megatron_22b(), a100_sxm_80gb(), 64, 2048, 256),
      problem(gpt3_175b(), a100_sxm_80gb(), 512, 2048, 1536),
      problem(gpt3_175b(), h100_sxm(), 1024, 4096, 1024),
  };
  for (const TrainingProblem& p : problems) {
    const TrainingSearchResult r = search_training(p, Backend::Cpu, true);
    const std::vector<TrainingConfig> configs = enumerate_training_configs(p);
    REQUIRE(r.backend == Backend::Cpu);
    REQUIRE(r.evaluated == static_cast<std::int64_t>(configs.size()));
    REQUIRE(r.configs.size() == configs.size());
    REQUIRE(r.evaluated > 1000);
    const SerialBest ref = serial_search(p, configs);
    for (std::size_t i = 0; i < configs.size(); ++i) {
      require_same_config(r.configs[i], configs[i]);
      require_same_estimate(r.estimates[i], ref.estimates[i], 1e-12);
    }
    REQUIRE(ref.index >= 0);
    require_same_config(r.best, configs[static_cast<std::size_t>(ref.index)]);
    require_same_estimate(r.estimate, ref.estimates[static_cast<std::size_t>(ref.index)], 1e-12);
    REQUIRE(r.found);
    REQUIRE(r.reason.empty());
  }
}

TEST_CASE("a batch of problems gives the same answers as searching each alone") {
  const std::vector<TrainingProblem> problems = {
      problem(megatron_22b(), a100_sxm_80gb(), 64, 2048, 256),
      problem(gpt3_175b(), a100_sxm_80gb(), 8, 2048, 64),  // does not fit
      problem(gpt3_175b(), h100_sxm(), 256, 2048, 512),
  };
  const std::vector<TrainingSearchResult> batch = search_training_batch(problems, Backend::Cpu);
  REQUIRE(batch.size() == problems.size());
  for (std::size_t i = 0; i < problems.size(); ++i) {
    const TrainingSearchResult alone = search_training(problems[i], Backend::Cpu);
    REQUIRE(batch[i].found == alone.found);
    REQUIRE(batch[i].evaluated == alone.evaluated);
    require_same_config(batch[i].best, alone.best);
    REQUIRE(batch[i].estimate.step_time_s == alone.estimate.step_time_s);
    REQUIRE(batch[i].reason == alone.reason);
  }
  CHECK_FALSE(batch[1].found);
}

TEST_CASE("the CUDA search agrees with the CPU search where a GPU is present") {
  if (cuda_device_count() == 0) AIDCSIM_SKIP("no CUDA device here: the CUDA instantiation is compiled but not run");
  const TrainingProblem p = problem(gpt3_175b(), h100_sxm(), 1024, 4096, 1024);
  const TrainingSearchResult cpu = search_training(p, Backend::Cpu, true);
  const TrainingSearchResult gpu = search_training(p, Backend::Cuda, true);
  REQUIRE(gpu.evaluated == cpu.evaluated);
  for (std::size_t i = 0; i < cpu.estimates.size(); ++i) require_same_estimate(gpu.estimates[i], cpu.estimates[i], 1e-9);
  // Ties within rounding could pick a different config; the best step time must agree.
  REQUIRE(rel_close(gpu.estimate.step_time_s, cpu.estimate.step_time_s, 1e-9));
}

TEST_CASE("the search picks the fastest feasible configuration and reports it consistently") {
  const TrainingProblem p = problem(gpt3_175b(), a100_sxm_80gb(), 512, 2048, 1536);
  const TrainingSearchResult r = search_training(p, Backend::Cpu, true);
  REQUIRE(r.found);
  for (std::size_t i = 0; i < r.estimates.size(); ++i) {
    if (r.estimates[i].feasible) REQUIRE(r.estimates[i].step_time_s >= r.estimate.step_time_s);
  }
  const TrainingEstimate& e = r.estimate;
  REQUIRE(e.memory_bytes <= e.usable_bytes);
  const double parts = e.compute_s + e.bubble_s + e.tp_comm_s + e.pp_comm_s + e.dp_comm_s + e.cp_comm_s +
                       e.ep_comm_s + e.optimizer_s;
  REQUIRE(parts == Approx(e.step_time_s).epsilon(1e-9));
  REQUIRE(e.mfu > 0.2);
  REQUIRE(e.mfu < 0.8);
  REQUIRE(e.model_tflops_per_gpu == Approx(e.mfu * 312.0).epsilon(1e-9));
  INFO("best: tp " << r.best.tp << " pp " << r.best.pp << " dp " << r.best.dp << " cp " << r.best.cp << " mb "
                   << r.best.micro_batch << " v " << r.best.interleave << " zero " << r.best.zero << " rc "
                   << static_cast<int>(r.best.recompute) << " sp " << r.best.sequence_parallel << ": "
                   << e.step_time_s << " s, MFU " << e.mfu << ", " << e.memory_bytes / 1e9 << " GB");
  SUCCEED();
}

TEST_CASE("more tensor parallelism means less memory per GPU") {
  const TrainingProblem p = problem(megatron_22b(), a100_sxm_80gb(), 8, 2048, 64);
  for (Recompute rc : {Recompute::None, Recompute::Selective, Recompute::Full}) {
    for (int sp : {0, 1}) {
      double previous = 1e300;
      for (int tp : {1, 2, 4, 8}) {
        const TrainingEstimate e = evaluate_training(p, config(tp, 1, 8 / tp, 1, rc, tp > 1 ? sp : 0));
        REQUIRE(e.limit != TrainingLimit::InvalidConfig);
        REQUIRE(e.memory_bytes < previous);
        previous = e.memory_bytes;
      }
    }
  }
}

TEST_CASE("recomputation trades activation memory for compute") {
  // Standard attention (Megatron-LM 2022): selective recompute saves the s×s softmax; with FlashAttention there is
  // nothing of that size to save (see the flash attention tests below).
  TrainingProblem p = problem(gpt3_175b(), a100_sxm_80gb(), 64, 2048, 64);
  p.flash_attention = false;
  for (int sp : {0, 1}) {
    const TrainingEstimate none = evaluate_training(p, config(8, 8, 1, 1, Recompute::None, sp));
    const TrainingEstimate sel = evaluate_training(p, config(8, 8, 1, 1, Recompute::Selective, sp));
    const TrainingEstimate full = evaluate_training(p, config(8, 8, 1, 1, Recompute::Full, sp));
    REQUIRE(full.activation_bytes < sel.activation_bytes);
    REQUIRE(sel.activation_bytes < none.activation_bytes);
    REQUIRE(full.compute_s > sel.compute_s);
    REQUIRE(sel.compute_s > none.compute_s);
    REQUIRE(full.weights_bytes == none.weights_bytes);
  }
}

TEST_CASE("ZeRO stages shard optimizer states, then gradients, then weights across data parallel ranks") {
  const TrainingProblem p = problem(megatron_22b(), a100_sxm_80gb(), 64, 2048, 256);
  TrainingEstimate z[4];
  for (int stage = 0; stage < 4; ++stage) z[stage] = evaluate_training(p, config(8, 1, 8, 1, Recompute::Full, 1, stage));
  REQUIRE(z[1].optimizer_bytes == Approx(z[0].optimizer_bytes / 8));
  REQUIRE(z[1].gradients_bytes == z[0].gradients_bytes);
  REQUIRE(z[2].gradients_bytes == Approx(z[0].gradients_bytes / 8));
  REQUIRE(z[3].weights_bytes == Approx(z[0].weights_bytes / 8));
  REQUIRE(z[0].memory_bytes > z[1].memory_bytes);
  REQUIRE(z[1].memory_bytes > z[2].memory_bytes);
  REQUIRE(z[2].memory_bytes > z[3].memory_bytes);
}

TEST_CASE("the parameter count of GPT-3 175B comes out at 175 billion") {
  const ArchCounts c = arch_counts(gpt3_175b());
  REQUIRE(c.total_params / 1e9 == Approx(175.2).margin(0.5));
}

TEST_CASE("a fixed tensor-parallel degree is respected") {
  TrainingProblem p = problem(gpt3_175b(), a100_sxm_80gb(), 512, 2048, 1536);
  p.fixed_tp = 4;
  p.fixed_pp = 16;
  const TrainingSearchResult r = search_training(p, Backend::Cpu, true);
  REQUIRE(r.found);
  REQUIRE(r.best.tp == 4);
  REQUIRE(r.best.pp == 16);
  for (const TrainingConfig& c : r.configs) {
    REQUIRE(c.tp == 4);
    REQUIRE(c.pp == 16);
  }
}

TEST_CASE("GPUs not divisible by a fixed tensor-parallel degree give a reason, not an exception") {
  TrainingProblem p = problem(megatron_22b(), a100_sxm_80gb(), 12, 2048, 48);
  p.fixed_tp = 8;
  const TrainingSearchResult r = search_training(p, Backend::Cpu);
  REQUIRE_FALSE(r.found);
  REQUIRE(r.evaluated == 0);
  INFO(r.reason);
  REQUIRE(r.reason.find("12 GPUs") != std::string::npos);
  REQUIRE(r.reason.find("8") != std::string::npos);
}

TEST_CASE("a model too large for the GPUs gives a reason in numbers") {
  const TrainingProblem p = problem(gpt3_175b(), a100_sxm_80gb(), 8, 2048, 64);
  const TrainingSearchResult r = search_training(p, Backend::Cpu);
  REQUIRE_FALSE(r.found);
  REQUIRE(r.evaluated > 0);
  INFO(r.reason);
  REQUIRE(r.reason.find("2.80 TB") != std::string::npos);
  REQUIRE(r.reason.find("8 GPUs × 86 GB hold 687 GB") != std::string::npos);
  REQUIRE(r.estimate.memory_bytes > r.estimate.usable_bytes);
  REQUIRE(r.estimate.limit == TrainingLimit::Memory);
}

TEST_CASE("an inconsistent configuration is reported invalid, not evaluated") {
  const TrainingProblem p = problem(megatron_22b(), a100_sxm_80gb(), 8, 2048, 64);
  REQUIRE(evaluate_training(p, config(4, 1, 1, 1, Recompute::None, 0)).limit == TrainingLimit::InvalidConfig);
  REQUIRE(evaluate_training(p, config(8, 1, 1, 3, Recompute::None, 0)).limit == TrainingLimit::InvalidConfig);
  REQUIRE(evaluate_training(p, config(8, 1, 1, 1, Recompute::None, 0)).limit != TrainingLimit::InvalidConfig);
}

TEST_CASE("a mixture-of-experts model counts active parameters for FLOPs and all experts for memory") {
  LlmArch moe = gpt_arch(32, 4096, 32);
  moe.gated_mlp = true;
  moe.ffn_hidden = 14336;
  moe.kv_heads = 8;
  moe.routed_experts = 8;
  moe.active_experts = 2;
  moe.moe_ffn_hidden = 14336;
  const ArchCounts c = arch_counts(moe);
  REQUIRE(c.total_params / 1e9 == Approx(47.0).margin(1.0));   // Mixtral 8x7B: 46.7 B
  REQUIRE(c.active_params / 1e9 == Approx(13.0).margin(0.5));  // 12.9 B active
  const TrainingProblem p = problem(moe, h100_sxm(), 64, 4096, 512);
  const TrainingSearchResult r = search_training(p, Backend::Cpu);
  REQUIRE(r.found);
  INFO("ep " << r.best.ep << " tp " << r.best.tp << " pp " << r.best.pp << " MFU " << r.estimate.mfu);
  REQUIRE(r.estimate.mfu > 0.1);
  REQUIRE(r.estimate.mfu < 0.8);
}

TEST_CASE("flash attention needs less activation memory than standard attention and the gap grows with the sequence") {
  double previous_gap = 0.0, previous_flash = 0.0;
  for (int seq : {1024, 2048, 4096, 8192}) {
    TrainingProblem flash = problem(gpt3_175b(), h100_sxm(), 64, seq, 64);
    TrainingProblem standard = flash;
    standard.flash_attention = false;
    for (int sp : {0, 1}) {
      const TrainingConfig c = config(8, 8, 1, 1, Recompute::None, sp);
      const TrainingEstimate f = evaluate_training(flash, c);
      const TrainingEstimate st = evaluate_training(standard, c);
      REQUIRE(f.limit != TrainingLimit::InvalidConfig);
      REQUIRE(f.activation_bytes < st.activation_bytes);
      REQUIRE(f.weights_bytes == st.weights_bytes);
      if (sp == 0) continue;
      const double gap = st.activation_bytes - f.activation_bytes;
      INFO("seq " << seq << ": flash " << f.activation_bytes / 1e9 << " GB, standard " << st.activation_bytes / 1e9
                  << " GB");
      // The s×s term is quadratic: doubling the sequence at one sequence per micro-batch roughly quadruples the gap,
      // while flash activations stay linear in the sequence.
      if (previous_gap > 0.0) {
        REQUIRE(gap > 3.0 * previous_gap);
        REQUIRE(f.activation_bytes < 2.1 * previous_flash);
      }
      previous_gap = gap;
      previous_flash = f.activation_bytes;
    }
  }
}

TEST_CASE("flash attention is never slower than standard attention") {
  struct Case {
    LlmArch arch;
    int gpus, tp, pp;
  };
  const Case cases[] = {{megatron_22b(), 8, 8, 1}, {gpt3_175b(), 64, 8, 8}};
  for (const Case& k : cases) {
    for (int seq : {1024, 2048, 8192}) {
      for (Precision prec : {Precision::Bf16, Precision::Fp8}) {
        TrainingProblem flash = problem(k.arch, h100_sxm(), k.gpus, seq, 64);
        flash.precision = prec;
        TrainingProblem standard = flash;
        standard.flash_attention = false;
        for (Recompute rc : {Recompute::None, Recompute::Selective, Recompute::Full}) {
          for (int sp : {0, 1}) {
            const TrainingConfig c = config(k.tp, k.pp, k.gpus / (k.tp * k.pp), 1, rc, sp);
            const TrainingEstimate f = evaluate_training(flash, c);
            const TrainingEstimate st = evaluate_training(standard, c);
            REQUIRE(f.limit != TrainingLimit::InvalidConfig);
            REQUIRE(f.step_time_s <= st.step_time_s);
            REQUIRE(f.memory_bytes <= st.memory_bytes);
          }
        }
      }
    }
  }
  // The searches: every configuration is at least as fast and as small with flash, so the best is too.
  TrainingProblem flash = problem(megatron_22b(), h100_sxm(), 16, 8192, 32);
  TrainingProblem standard = flash;
  standard.flash_attention = false;
  const TrainingSearchResult rf = search_training(flash, Backend::Cpu);
  const TrainingSearchResult rs = search_training(standard, Backend::Cpu);
  REQUIRE(rf.found);
  REQUIRE(rs.found);
  REQUIRE(rf.estimate.step_time_s <= rs.estimate.step_time_s);
}

TEST_CASE("FP8 training is faster than BF16 but by less than the 2x of the peaks") {
  // Only the layer GEMMs run in FP8; attention, the vocabulary projection, elementwise work and communication stay
  // bf16. Consistency check against NVIDIA/Megatron-LM issue 396: GPT 13B on an 8x H100 machine, Megatron-LM with
  // Transformer Engine, 0.34 s per step in bf16 and 0.24 s in FP8 (1.42x); the config there is not stated, so both
  // precisions are searched here and the ratio is required to be in 1.2-1.6.
  const LlmArch gpt13b = gpt_arch(40, 5120, 40);
  TrainingProblem bf16 = problem(gpt13b, h100_sxm(), 8, 2048, 64);
  TrainingProblem fp8 = bf16;
  fp8.precision = Precision::Fp8;
  const TrainingSearchResult rb = search_training(bf16, Backend::Cpu);
  const TrainingSearchResult r8 = search_training(fp8, Backend::Cpu);
  REQUIRE(rb.found);
  REQUIRE(r8.found);
  const double speedup = rb.estimate.step_time_s / r8.estimate.step_time_s;
  std::printf("GPT 13B on 8 H100, sequence 2048: bf16 %.3f s, fp8 %.3f s per 64-sequence step: %.2fx\n",
              rb.estimate.step_time_s, r8.estimate.step_time_s, speedup);
  REQUIRE(speedup > 1.2);
  REQUIRE(speedup < 1.6);
  // Per configuration as well, over recompute and sequence parallelism, and at long sequences (more bf16 attention).
  for (int seq : {2048, 8192}) {
    TrainingProblem b = problem(gpt13b, h100_sxm(), 8, seq, 64);
    TrainingProblem f = b;
    f.precision = Precision::Fp8;
    for (Recompute rc : {Recompute::None, Recompute::Selective, Recompute::Full}) {
      for (int sp : {0, 1}) {
        const TrainingConfig c = config(8, 1, 1, 1, rc, sp);
        const double ratio = evaluate_training(b, c).step_time_s / evaluate_training(f, c).step_time_s;
        REQUIRE(ratio > 1.0);
        REQUIRE(ratio < 2.0);
      }
    }
  }
}
