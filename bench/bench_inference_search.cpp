// Serial speed of the inference configuration search: configurations evaluated per second, each a continuous-
// batching simulation of a 2,000-request stream, on one core. Goal (issue): 10,000 configurations x 2,000 requests
// in <= 10 s on 2 cores once parallel, i.e. >= ~500 configurations/s/core serially.
//
// Usage: bench_inference_search [requests=2000] [repeats=3] [threads=1]
// threads > 1 splits the configurations over std::threads (each with its own scratch) to show how the pure
// per-configuration function scales before the Thrust/TBB backend takes over.
//
// Usage: bench_inference_search goal [requests=2000] [max_threads=2] [backend=cpu] [repeats=3] [serving=aggregated]
// The goal measurement: a serving search of >= 10,000 configurations (models x GPU counts x input/output
// lengths, all in one search_inference_configs_batch call on the Thrust backend), each an iteration-level batching
// simulation of `requests` requests, with 1, 2, ..., max_threads TBB threads (tbb::global_control). Reports wall
// time, CPU time (getrusage: user + system of the whole process) and configurations/s of every run (thread counts
// interleaved, repeats times), then the best wall time per thread count. Goal: <= 10 s on 2 threads. `serving`
// (aggregated, disaggregated, any) sets the deployments offered: disaggregated configurations run two phase
// simulations each (1 GPU problems have none).

#include <sys/resource.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "kernels/inference_search_parallel.hpp"
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

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

ServingMode serving_from(const char* text) {
  if (std::strcmp(text, "disaggregated") == 0) return ServingMode::Disaggregated;
  if (std::strcmp(text, "any") == 0) return ServingMode::Either;
  return ServingMode::Aggregated;
}

int goal(int n_req, int max_threads, Backend backend, int repeats, ServingMode serving) {
  struct Model {
    const char* name;
    LlmArch arch;
  };
  const Model models[] = {{"llama-3.1-8b", aidc::test::llama_3_1_8b()},
                          {"llama-3.3-70b", aidc::test::llama_3_3_70b()},
                          {"mixtral-8x7b", aidc::test::mixtral_8x7b()}};
  const int gpu_counts[] = {1, 2, 4, 8};
  struct Lengths {
    int in, out, concurrency;
  };
  const Lengths lengths[] = {{1000, 1000, 0}, {2000, 200, 0}, {1000, 300, 256}, {4000, 500, 64}};
  // Problems until >= 10,000 configurations; each (lengths, seed) has its own request stream.
  std::vector<std::vector<InferenceRequest>> streams;
  std::vector<InferenceProblem> problems;
  std::vector<InferenceProblemLabel> labels;
  long long total = 0;
  for (std::uint64_t round = 0; total < 10000; ++round) {
    for (const Lengths& l : lengths) {
      streams.push_back(mixed_requests(n_req, l.in, l.out, 42 + round));
    }
    for (const Model& m : models) {
      for (int g : gpu_counts) {
        for (std::size_t li = 0; li < std::size(lengths); ++li) {
          InferenceProblem pr;
          pr.arch = m.arch;
          pr.accel = aidc::test::h100_sxm();
          pr.gpus = g;
          pr.precision = Precision::Fp8;
          pr.requests = streams[streams.size() - std::size(lengths) + li].data();
          pr.n_requests = n_req;
          pr.concurrency = lengths[li].concurrency;
          pr.eff = inference_efficiency(pr.accel.generation, pr.precision);
          pr.serving = g > 1 ? serving : ServingMode::Aggregated;
          problems.push_back(pr);
          labels.push_back({m.name, "h100-sxm"});
          total += static_cast<long long>(enumerate_inference_config_list(pr).size());
        }
      }
    }
  }
  // streams never reallocates its elements' buffers after the pointers were taken (vectors move their storage).
  std::printf("goal: %zu problems (3 models x 1/2/4/8 H100 x 4 length mixes), %lld configurations, %d requests each, "
              "backend %s, serving %s\n",
              problems.size(), total, n_req, backend_name(backend).c_str(), serving_mode_name(serving));
  std::vector<double> best_wall(static_cast<std::size_t>(max_threads) + 1, 1e300);
  for (int rep = 0; rep < repeats; ++rep) {
  for (int t = 1; t <= max_threads; ++t) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(t));
    InferenceSearchOptions opt;
    opt.keep_all = false;
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<InferenceSearchOutcome> out = search_inference_configs_batch(problems, backend, opt, labels);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - c0;
    long long evaluated = 0, simulated = 0, found = 0;
    for (const InferenceSearchOutcome& o : out) {
      evaluated += o.evaluated;
      simulated += o.summary.n_feasible;
      found += o.found ? 1 : 0;
    }
    best_wall[static_cast<std::size_t>(t)] = std::min(best_wall[static_cast<std::size_t>(t)], wall);
    std::printf("threads %d (%s, chunk %lld): %lld configs (%lld simulated, %lld problems served)  wall %.2f s  "
                "cpu %.2f s (%.2f cores busy)  %.0f configs/s  %.0f configs/cpu-s\n",
                t, backend_name(out.front().backend).c_str(), static_cast<long long>(out.front().chunk), evaluated,
                simulated, found, wall, cpu, cpu / wall, evaluated / wall, evaluated / cpu);
  }
  }
  for (int t = 1; t <= max_threads; ++t) {
    const double w = best_wall[static_cast<std::size_t>(t)];
    std::printf("best of %d, threads %d: wall %.2f s, %.0f configs/s, speedup vs 1 thread %.2f\n", repeats, t, w,
                double(total) / w, best_wall[1] / w);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "goal") == 0) {
    return goal(argc > 2 ? std::atoi(argv[2]) : 2000, argc > 3 ? std::atoi(argv[3]) : 2,
                argc > 4 ? parse_backend(argv[4]) : Backend::Cpu, argc > 5 ? std::atoi(argv[5]) : 3,
                serving_from(argc > 6 ? argv[6] : "aggregated"));
  }
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
