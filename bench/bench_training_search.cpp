// Throughput of the training configuration search on the CPU (Thrust/TBB) backend: configurations evaluated per
// second for a sweep of GPT-3-175B-like problems on H100 (several GPU counts, sequence lengths and global batches,
// all in one launch). Usage: bench_training_search [threads=2] [repeats=3]
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/training_search.hpp"

using namespace aidc;

namespace {

TrainingProblem gpt3_problem(int gpus, int seq, double batch_tokens) {
  TrainingProblem p;
  p.arch.layers = 96;
  p.arch.hidden = 12288;
  p.arch.ffn_hidden = 4 * 12288;
  p.arch.heads = 96;
  p.arch.kv_heads = 96;
  p.arch.head_dim = 128;
  p.arch.vocab = 51200;
  p.arch.gated_mlp = false;
  // H100 SXM (accelerators.csv): 989 TFLOPS bf16, 80 GB at 3.35 TB/s, NVLink 900 GB/s bidirectional, 8 per node.
  p.accel.bf16_flops_per_s = 989e12;
  p.accel.fp8_flops_per_s = 1979e12;
  p.accel.hbm_bytes = 80e9;
  p.accel.hbm_bytes_per_s = 3.35e12;
  p.accel.scaleup_bytes_per_s = 450e9;
  p.accel.scaleup_domain_gpus = 8;
  p.accel.scaleout_bytes_per_s = 50e9;
  p.accel.generation = static_cast<int>(AcceleratorGeneration::Hopper);
  p.gpus = gpus;
  p.seq_len = seq;
  p.global_batch_tokens = batch_tokens;
  return p;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(threads));
  std::vector<TrainingProblem> problems;
  for (int gpus : {1024, 2048, 4096, 8192}) {
    for (int seq : {2048, 4096, 8192}) {
      for (double mtok : {4.0, 8.0, 16.0}) problems.push_back(gpt3_problem(gpus, seq, mtok * 1024 * 1024));
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  std::size_t n_configs = 0;
  for (const TrainingProblem& p : problems) n_configs += enumerate_training_configs(p).size();
  const double enum_s = seconds_since(t0);

  std::vector<double> times;
  std::vector<TrainingSearchResult> results;
  for (int r = 0; r < repeats; ++r) {
    t0 = std::chrono::steady_clock::now();
    results = search_training_batch(problems, Backend::Cpu);
    times.push_back(seconds_since(t0));
  }
  std::sort(times.begin(), times.end());
  const double best = times.front(), median = times[times.size() / 2];
  std::printf("problems %zu, configurations %zu, threads %d, backend %s\n", problems.size(), n_configs, threads,
              backend_name(results.front().backend).c_str());
  std::printf("enumeration alone (serial): %.3f s (%.2f M configs/s)\n", enum_s, n_configs / enum_s / 1e6);
  std::printf("search (enumerate + transform + per-problem reduce): best %.3f s, median %.3f s of %d -> %.2f M configs/s "
              "(best), %.2f M configs/s (median)\n",
              best, median, repeats, n_configs / best / 1e6, n_configs / median / 1e6);
  const TrainingSearchResult& r = results[4];  // 1024 GPUs, seq 4096, 8 M tokens
  std::printf("example: 1024 GPUs seq 4096 8M tokens: tp %d pp %d dp %d cp %d mb %d v %d zero %d rc %d sp %d: "
              "%.3f s/step, MFU %.3f, %.1f GB/GPU\n",
              r.best.tp, r.best.pp, r.best.dp, r.best.cp, r.best.micro_batch, r.best.interleave, r.best.zero,
              static_cast<int>(r.best.recompute), r.best.sequence_parallel, r.estimate.step_time_s, r.estimate.mfu,
              r.estimate.memory_bytes / 1e9);
  return 0;
}
