// The training model against measured Megatron-LM step times on A100 (Korthikanti et al. 2022, Tables 3 and 5; the
// rows of /work/shared/data/calibration/training.csv copied here so the project stands alone), with the configs as
// published. The efficiencies are per generation (kernels/training_calibration.hpp), not per row.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "kernel_fixtures.hpp"
#include "kernels/training_search.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

struct MeasuredStep {
  const char* model;
  LlmArch arch;
  int gpus, tp, pp, global_batch, micro_batch, interleave;
  bool seq_sel;  // sequence parallel + selective recompute; else full recompute
  double step_time_s;
  // The model's estimate before flash attention and FP8 GEMMs were added (kept fixed: see the test). The same as
  // `aidcsim validate`'s calibration estimates except gpt3-175b (+0.03 %: this file's A100 fixture is not the
  // catalog's entry in every figure).
  double estimate_s;
};

std::vector<MeasuredStep> korthikanti_table5() {
  return {
      {"megatron-22b", megatron_22b(), 8, 8, 1, 4, 4, 1, false, 1.42, 1.5379433209351663},
      {"megatron-22b", megatron_22b(), 8, 8, 1, 4, 4, 1, true, 1.10, 1.0975792217978673},
      {"gpt3-175b", gpt3_175b(), 64, 8, 8, 64, 1, 3, false, 18.13, 18.066789288},
      {"gpt3-175b", gpt3_175b(), 64, 8, 8, 64, 1, 3, true, 13.75, 12.9361511146},
      {"turing-530b", turing_530b(), 280, 8, 35, 280, 1, 3, false, 49.05, 48.91984552723952},
      {"turing-530b", turing_530b(), 280, 8, 35, 280, 1, 3, true, 37.83, 35.92143917114305},
      {"megatron-1t", megatron_1t(), 512, 8, 64, 512, 1, 1, false, 94.42, 96.04805970600357},
      {"megatron-1t", megatron_1t(), 512, 8, 64, 512, 1, 1, true, 71.49, 70.95875603732264},
  };
}

}  // namespace

TEST_CASE("step times of Megatron-LM on A100 are within 10 percent median and 25 percent worst") {
  std::vector<double> errors;
  std::printf("%-12s %-8s %9s %9s %8s %6s %8s\n", "model", "recomp", "meas_s", "est_s", "error", "MFU", "mem_GB");
  for (const MeasuredStep& row : korthikanti_table5()) {
    // Megatron-LM 2022 ran standard attention (the s×s softmax stored and moved), not FlashAttention.
    TrainingProblem p = problem(row.arch, a100_sxm_80gb(), row.gpus, 2048, row.global_batch);
    p.flash_attention = false;
    TrainingConfig c;
    c.tp = row.tp;
    c.pp = row.pp;
    c.dp = row.gpus / (row.tp * row.pp);
    c.micro_batch = row.micro_batch;
    c.interleave = row.interleave;
    c.recompute = row.seq_sel ? Recompute::Selective : Recompute::Full;
    c.sequence_parallel = row.seq_sel ? 1 : 0;
    const TrainingEstimate e = evaluate_training(p, c);
    REQUIRE(e.limit != TrainingLimit::InvalidConfig);
    CHECK(e.feasible == 1);  // the published configs ran, so they must fit
    // Calibration unchanged by later model features (flash attention, FP8 GEMMs): the standard-attention bf16 path
    // gives the estimates the efficiencies were fitted with.
    CHECK(e.step_time_s == Approx(row.estimate_s).epsilon(1e-9));
    const double err = e.step_time_s / row.step_time_s - 1.0;
    errors.push_back(std::fabs(err));
    std::printf("%-12s %-8s %9.2f %9.2f %+7.1f%% %6.3f %8.1f\n", row.model, row.seq_sel ? "seq+sel" : "full",
                row.step_time_s, e.step_time_s, 100.0 * err, e.mfu, e.memory_bytes / 1e9);
  }
  std::sort(errors.begin(), errors.end());
  const double median = 0.5 * (errors[3] + errors[4]);
  std::printf("median |error| %.1f%%, max %.1f%%\n", 100.0 * median, 100.0 * errors.back());
  REQUIRE(median <= 0.10);
  REQUIRE(errors.back() <= 0.25);
}

TEST_CASE("the MLPerf GPT-3 175B scale point on 3584 H100 gives a plausible throughput") {
  // MLPerf Training v3.0, 3,584 H100 SXM, 10.94 minutes to the benchmark target. The global batch used there is not
  // in the reference data; 1792 sequences of 2048 (divisible by the 7 in 3584) stands in. Informational: prints the
  // tokens this model would process in 10.94 minutes; asserts only a sane MFU.
  for (Precision prec : {Precision::Bf16, Precision::Fp8}) {
    TrainingProblem p = problem(gpt3_175b(), h100_sxm(), 3584, 2048, 1792);
    p.precision = prec;
    const TrainingSearchResult r = search_training(p, Backend::Cpu);
    REQUIRE(r.found);
    const double tokens = r.estimate.tokens_per_s * 10.94 * 60.0;
    std::printf("MLPerf GPT-3 175B, 3584 H100 %s: tp %d pp %d dp %d v %d mb %d: step %.2f s, MFU %.3f (of %s peak), "
                "%.2f B tokens in 10.94 min\n",
                prec == Precision::Fp8 ? "fp8" : "bf16", r.best.tp, r.best.pp, r.best.dp, r.best.interleave,
                r.best.micro_batch, r.estimate.step_time_s, r.estimate.mfu, prec == Precision::Fp8 ? "fp8" : "bf16",
                tokens / 1e9);
    REQUIRE(r.estimate.mfu > 0.2);
    REQUIRE(r.estimate.mfu < 0.8);
  }
}
