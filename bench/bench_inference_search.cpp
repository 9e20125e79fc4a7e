// Serial speed of the inference configuration search: configurations evaluated per second, each a continuous-
// batching simulation of a 2,000-request stream, on one core. Goal (issue): 10,000 configurations x 2,000 requests
// in <= 10 s on 2 cores once parallel, i.e. >= ~500 configurations/s/core serially.
//
// Usage: bench_inference_search [requests=2000] [repeats=3] [threads=1]
// threads > 1 splits the configurations over std::threads (each with its own scratch) to show how the pure
// per-configuration function scales before the Thrust/TBB backend takes over.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "tests/inference_test_models.hpp"

using namespace aidc;

namespace {

std::vector<InferenceRequest> mixed_requests(int n, int mean_in, int mean_out, std::uint64_t seed) {
  std::vector<InferenceRequest> r(n);
  std::uint64_t x = seed;
  for (auto& q : r) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    q.input_tokens = 1 + int((x >> 33) % (2 * mean_in));
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    q.output_tokens = 1 + int((x >> 33) % (2 * mean_out));
  }
  return r;
}

struct Case {
  const char* name;
  LlmArch arch;
  AcceleratorSpec accel;
  int gpus;
  int mean_in, mean_out;
  int concurrency;
};

}  // namespace

int main(int argc, char** argv) {
  const int n_req = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const Case cases[] = {
      {"llama-3.3-70b 8xH100 fp8 1000/1000 saturated", aidc::test::llama_3_3_70b(), aidc::test::h100_sxm(), 8, 1000,
       1000, 0},
      {"llama-3.1-8b 8xH100 fp8 2000/200 saturated", aidc::test::llama_3_1_8b(), aidc::test::h100_sxm(), 8, 2000, 200,
       0},
      {"mixtral-8x7b 8xH100 fp8 1000/300 concurrency 256", aidc::test::mixtral_8x7b(), aidc::test::h100_sxm(), 8,
       1000, 300, 256},
      // long prompts: many chunked-prefill iterations per request (the slow end)
      {"llama-3.1-8b 8xH100 fp8 20000/2000 saturated", aidc::test::llama_3_1_8b(), aidc::test::h100_sxm(), 8, 20000,
       2000, 0},
  };
  std::printf("requests per simulation: %d, repeats: %d, threads: %d\n", n_req, repeats, threads);
  double total_cfg = 0.0, total_s = 0.0;
  for (const Case& c : cases) {
    std::vector<InferenceRequest> reqs = mixed_requests(n_req, c.mean_in, c.mean_out, 42);
    InferenceProblem pr;
    pr.arch = c.arch;
    pr.accel = c.accel;
    pr.gpus = c.gpus;
    pr.precision = Precision::Fp8;
    pr.requests = reqs.data();
    pr.n_requests = n_req;
    pr.concurrency = c.concurrency;
    pr.eff = inference_efficiency(c.accel.generation, pr.precision);
    std::vector<InferenceConfig> cfg(8192);
    const int n = enumerate_inference_configs(pr, cfg.data(), int(cfg.size()));
    cfg.resize(n);
    std::vector<InferenceEstimate> est(n);
    const int nt = threads > 0 ? threads : 1;
    std::vector<std::vector<RequestState>> states(nt, std::vector<RequestState>(n_req));
    std::vector<std::vector<double>> values(nt, std::vector<double>(n_req));
    std::vector<std::vector<long long>> heap(nt, std::vector<long long>(kMaxBatchLimit));
    std::vector<std::vector<int>> queue(nt, std::vector<int>(kMaxBatchLimit));
    double best_s = 1e300;
    InferenceSearchResult res;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < nt; ++t) {
        pool.emplace_back([&, t] {
          BatchingScratch sc{states[t].data(), values[t].data(), heap[t].data(), queue[t].data(), n_req,
                             kMaxBatchLimit};
          for (int i = t; i < n; i += nt) est[i] = evaluate_inference_config(pr, cfg[i], sc);
        });
      }
      for (auto& th : pool) th.join();
      res = pick_best_inference(pr, cfg.data(), est.data(), n);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s < best_s) best_s = s;
    }
    long long iters = 0;
    for (int i = 0; i < n; ++i) iters += est[i].feasible ? 1 : 0;
    std::printf("%-50s configs %4d (simulated %4d)  %.3f s  %7.0f configs/s  %7.0f simulated/s",
                c.name, n, res.n_feasible, best_s, n / best_s, res.n_feasible / best_s);
    if (res.best >= 0) {
      const InferenceConfig& b = cfg[res.best];
      std::printf("  best tp%d pp%d ep%d x%d batch<=%d chunk %d: %.0f tok/s\n", b.tp, b.pp, b.ep, b.replicas,
                  b.max_batch, b.chunk_tokens, est[res.best].output_tokens_per_s);
    } else {
      std::printf("\n");
    }
    (void)iters;
    total_cfg += res.n_feasible;
    total_s += best_s;
  }
  std::printf("overall: %.0f simulated configurations/s with %d thread(s) (%.3f ms each)\n", total_cfg / total_s,
              threads, 1e3 * total_s / total_cfg);
  return 0;
}
