#pragma once
// The 19 measured rows of shared/data/calibration/inference.csv and how each is estimated (shared by the
// calibration test and the benchmark).
//
// T rows: TensorRT-LLM perf-overview (trtllm-bench, max throughput, output tokens/s), fixed input/output lengths,
// tp as stated, pp = 1; the search picks max_batch and chunk; saturated closed loop.
// M rows: MLPerf Inference v4.1 closed Llama 2 70B on OpenOrca. Output mean 294.45 tokens/sample: the MLPerf
// reference TOKENS_PER_SAMPLE whose +-10 % window (265.005..323.895) the closed division must meet
// (mlcommons/inference_results_v4.1 READMEs); NVIDIA's v5.0 DGX-H100 result (31,106 tok/s at 106.21 samples/s =
// 292.9 tok/sample) agrees. Input: prompts are at most 1024 tokens; their mean was not found in the sources at
// hand, so kOpenOrcaMeanInput is an assumption (600), printed with the rows; the test also prints the
// sensitivity at 400 and 1000. Offline = saturated closed loop over all tp/pp; server = Poisson arrivals at the
// highest rate whose p99 TTFT <= 2 s and p99 TPOT <= 200 ms (MLPerf server constraints) and that the server
// sustains, on the offline configuration's tp/pp.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/inference_calibration.hpp"
#include "kernels/inference_search.hpp"
#include "tests/inference_test_models.hpp"

namespace aidc::test {

inline constexpr int kOpenOrcaMeanOutput = 294;
inline constexpr int kOpenOrcaMeanInput = 600;  // assumption, see above

struct CalibrationRow {
  const char* model;
  const char* accel;
  int gpus;
  int tp;  // 0: searched
  int isl, osl;
  int scenario;  // 0 max throughput / offline, 1 MLPerf server
  double measured_tokens_per_s;
};

inline std::vector<CalibrationRow> calibration_rows() {
  return {
      {"llama-3.1-8b", "h100-sxm", 1, 1, 128, 128, 0, 28312},
      {"llama-3.1-8b", "h100-sxm", 1, 1, 128, 2048, 0, 22714},
      {"llama-3.1-8b", "h100-sxm", 1, 1, 1000, 1000, 0, 15220},
      {"llama-3.1-8b", "h100-sxm", 1, 1, 2048, 2048, 0, 9305},
      {"llama-3.1-8b", "h100-sxm", 1, 1, 5000, 500, 0, 3459},
      {"llama-3.1-8b", "h100-sxm", 1, 1, 20000, 2000, 0, 1351},
      {"llama-3.3-70b", "h100-sxm", 2, 2, 128, 128, 0, 6378},
      {"llama-3.3-70b", "h100-sxm", 2, 2, 128, 2048, 0, 6651},
      {"llama-3.3-70b", "h100-sxm", 2, 2, 1000, 1000, 0, 4205},
      {"llama-3.3-70b", "h100-sxm", 2, 2, 2048, 2048, 0, 3082},
      {"llama-3.3-70b", "h100-sxm", 2, 2, 5000, 500, 0, 898},
      {"llama-3.3-70b", "h100-sxm", 2, 2, 20000, 2000, 0, 437},
      {"llama-3.1-405b", "h100-sxm", 8, 8, 128, 128, 0, 3627},
      {"llama-3.1-405b", "h100-sxm", 8, 8, 1000, 1000, 0, 2919},
      {"llama-3.1-405b", "h100-sxm", 8, 8, 2048, 2048, 0, 2296},
      {"llama-2-70b", "h100-sxm", 4, 0, kOpenOrcaMeanInput, kOpenOrcaMeanOutput, 0, 10700},
      {"llama-2-70b", "h100-sxm", 4, 0, kOpenOrcaMeanInput, kOpenOrcaMeanOutput, 1, 9522},
      {"llama-2-70b", "mi300x", 8, 0, kOpenOrcaMeanInput, kOpenOrcaMeanOutput, 0, 23514.8},
      {"llama-2-70b", "mi300x", 8, 0, kOpenOrcaMeanInput, kOpenOrcaMeanOutput, 1, 21028.2},
  };
}

inline LlmArch model_named(const std::string& m) {
  if (m == "llama-3.1-8b") return llama_3_1_8b();
  if (m == "llama-3.3-70b") return llama_3_3_70b();
  if (m == "llama-3.1-405b") return llama_3_1_405b();
  return llama_2_70b();
}

inline AcceleratorSpec accel_named(const std::string& a) { return a == "mi300x" ? mi300x() : h100_sxm(); }

// Host-side owner of a batching scratch.
struct ScratchOwner {
  std::vector<RequestState> states;
  std::vector<double> values;
  std::vector<long long> heap;
  std::vector<int> queue;
  BatchingScratch s;
  explicit ScratchOwner(int n, int batch = kMaxBatchLimit)
      : states(n), values(n), heap(batch), queue(batch) {
    s.states = states.data();
    s.values = values.data();
    s.heap = heap.data();
    s.prefill_queue = queue.data();
    s.n_capacity = n;
    s.batch_capacity = batch;
  }
};

inline std::vector<InferenceRequest> fixed_requests(int n, int isl, int osl) {
  std::vector<InferenceRequest> r(n);
  for (auto& q : r) {
    q.input_tokens = isl;
    q.output_tokens = osl;
  }
  return r;
}

// Poisson arrivals at `rate` per second (deterministic 64-bit LCG, exponential gaps).
inline void set_poisson_arrivals(std::vector<InferenceRequest>& r, double rate, std::uint64_t seed = 12345) {
  std::uint64_t x = seed;
  double t = 0.0;
  for (auto& q : r) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = (double((x >> 11) + 1)) / 9007199254740993.0;
    t += -std::log(u) / rate;
    q.arrival_s = t;
  }
}

struct RowEstimate {
  double tokens_per_s = 0.0;
  InferenceConfig config;
  InferenceEstimate est;
};

inline RowEstimate estimate_row(const CalibrationRow& row, int n_requests = 2000, int isl_override = 0,
                                const InferenceEfficiency* eff_override = nullptr) {
  const int isl = isl_override > 0 ? isl_override : row.isl;
  std::vector<InferenceRequest> reqs = fixed_requests(n_requests, isl, row.osl);
  InferenceProblem pr;
  pr.arch = model_named(row.model);
  pr.accel = accel_named(row.accel);
  pr.precision = Precision::Fp8;
  pr.gpus = row.gpus;
  pr.requests = reqs.data();
  pr.n_requests = n_requests;
  pr.eff = eff_override ? *eff_override : inference_efficiency(pr.accel.generation, pr.precision);
  pr.fixed_tp = row.tp;
  std::vector<InferenceConfig> cfg(4096);
  const int n = enumerate_inference_configs(pr, cfg.data(), int(cfg.size()));
  cfg.resize(n);
  std::vector<InferenceEstimate> est(n);
  ScratchOwner sc(n_requests);
  const InferenceSearchResult s = search_inference(pr, cfg.data(), n, est.data(), sc.s);
  RowEstimate out;
  if (s.best < 0) return out;
  out.config = cfg[s.best];
  out.est = est[s.best];
  out.tokens_per_s = est[s.best].output_tokens_per_s;
  if (row.scenario == 0) return out;

  // MLPerf server: highest Poisson rate meeting p99 TTFT <= 2 s and p99 TPOT <= 200 ms, over max_batch and chunk
  // at the offline configuration's tp/pp.
  pr.open_loop = true;
  pr.slo_ttft_s = 2.0;
  pr.slo_tpot_s = 0.2;
  pr.fixed_tp = out.config.tp;
  pr.fixed_pp = out.config.pp;
  std::vector<InferenceConfig> cfg2(4096);
  const int n2 = enumerate_inference_configs(pr, cfg2.data(), int(cfg2.size()));
  const double offline_rate = out.tokens_per_s / row.osl;  // requests/s
  RowEstimate best;
  for (int i = 0; i < n2; ++i) {
    double lo = 0.0, hi = offline_rate * 1.05;
    InferenceEstimate at_lo;
    for (int it = 0; it < 12; ++it) {
      const double mid = 0.5 * (lo + hi);
      set_poisson_arrivals(reqs, mid);
      const InferenceEstimate e = evaluate_inference_config(pr, cfg2[i], sc.s);
      // a finite stream can meet the latency bounds for a while above capacity: also require that the server
      // keeps up (steady-state output within 5 % of the offered load)
      if (e.feasible && e.meets_slo && e.output_tokens_per_s >= 0.95 * mid * row.osl) {
        lo = mid;
        at_lo = e;
      } else {
        hi = mid;
      }
    }
    const double tps = lo * row.osl < at_lo.output_tokens_per_s ? lo * row.osl : at_lo.output_tokens_per_s;
    if (tps > best.tokens_per_s) {
      best.tokens_per_s = tps;
      best.config = cfg2[i];
      best.est = at_lo;
    }
  }
  return best;
}

}  // namespace aidc::test
