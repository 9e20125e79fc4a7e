#pragma once
// Calibrated efficiencies of the inference cost model, per accelerator generation and precision class.
//
// AcceleratorSpec::generation holds an AcceleratorGeneration (kernels/accelerator_spec.hpp). Generations other than
// CDNA get the Hopper values, except Blackwell at FP4 (its own fit).
//
// How these were fitted, reproducibly: `aidcsim calibrate` (core/run/calibration_fit.cpp, fit_inference_calibration)
// refits them from the catalog's offline calibration rows alone (scenarios/catalog/reference_measurements.json:
// TensorRT-LLM trtllm-bench max-throughput on H100 FP8 for Llama 3.1 8B, 3.3 70B, 3.1 405B, and MLPerf Inference
// v5.0 Llama 2 70B offline on 8 H100 and 8 MI325X: the newest round's, the older v4.1 rows only judge), each row estimated as `aidcsim validate` does (the search picks the
// best configuration, tp fixed where the row states it) with 700 requests, and tests/test_calibration_fit.cpp
// requires the committed values to equal the refit. Hopper FP8 (TensorRT-LLM rows only): four numbers on a grid
// (matmul 0.45..0.70 step 0.05, HBM 0.80..0.95 step 0.05, host time per sampled sequence 0..8 us step 1, collective
// latency 20/35/50/75/100/150 us: 1,296 points) over the 16 H100 rows, objective median + 0.3 x max |error|: matmul
// 0.55, HBM 0.85, 4 us per sequence that samples a token in an iteration, 75 us per collective (what separates the
// TP=2/8 rows from the TP=1 rows: launch, synchronisation and rank skew of the ~160-250 small all-reduces per decode
// step, above NCCL's ideal ~10 us); median 3.1 %, max 10.2 %. No exposed per-iteration overhead: the PyTorch
// executor of these rows overlaps its host work (stop checks, responses, scheduling the next batch) with the GPU's
// step (TensorRT-LLM docs, "Overlap Scheduler", enabled by default), and the max-throughput rows cannot tell a
// per-iteration term from a per-sequence one: with both free the fit wandered along a flat valley (3 ms and 0 us,
// 0 ms and 4 us, 2 ms and 2 us at nearly one objective). What the GPU's step cannot hide grows with the batch: the
// per-sequence term. Since 2026-12-07 the memory fits take the capacity the device reports (accelerators.json
// hbm_visible_mib: 81559 MiB = 85.5e9 bytes on H100, not 80e9) and each engine's documented KV rule (KvMemoryRule,
// kernels/inference_model.hpp) instead of 0.92 of 80e9 bytes for every engine; the refit under those was matmul
// 0.55, HBM 0.90, 3.0 ms, 75 us with a per-iteration term only. (Until 2026-12-07: matmul 0.50, HBM 0.85, 1.0 ms,
// 35 us, median 2.4 %, max 10.5 %, under the old memory. Until 2026-12-05: matmul 0.55, HBM 0.95, 2.5 ms, 50 us,
// fitted while the closed loop's
// steady-state window ended at the last admission, which cut fixed-length loops mid-cycle and read them low
// (kernels/inference_batching.hpp); until 2026-12-04 HBM 0.90 and 2 ms, fitted with the OpenOrca prompts at an
// assumed 600 tokens and on the v4.1 H100 row; before that 0.85 HBM and 35 us from a coarser grid "then rounded",
// which no code reproduced.)
// vLLM, SGLang and trtllm-serve on NVIDIA GPUs (EngineEfficiency below): two numbers per engine on that engine's
// calibration rows alone (GPUStack performance lab, one H100 SXM, vllm bench serve with all prompts at once: a
// prefill-heavy 2000/100 run and a ShareGPT run, of Qwen3-14B for vLLM and SGLang and of Qwen3-32B for trtllm-serve,
// whose Qwen3-14B page has only the ShareGPT run), each row at the engine's default scheduler limits
// (engine_default_limits, kernels/inference_model.hpp: the lab ran the default serving commands), the kernels and
// the rest the Hopper fit above: host time per prompt token an iteration schedules (0..150 us step 2.5 us) and per
// sequence that samples a token in an iteration (0..400 us step 10 us: detokenization, stop checks and streaming
// each token to its client through the OpenAI-compatible server, which these engines run in Python; trtllm-bench
// has only its 4 us), 2,501 points. vLLM v0.11.0: 37.5 us per prompt token, 90 us per sequence; SGLang
// v0.5.5.post1: 32.5 and 90 us; trtllm-serve (TensorRT-LLM v1.2.0rc1, PyTorch backend): 80 and 380 us (each max
// |error| under 2 % on its two rows). Why time and not a lower kernel fraction: trtllm-serve runs trtllm-bench's
// own executor and kernels (the fitted 0.55 of the FP8 peak), and vLLM and SGLang call the same cuBLAS / CUTLASS
// GEMMs, so a served engine's loss sits outside the GPU's kernels and does not stretch on a slower GPU. Until
// 2026-12-07 each engine had a linear-layer fraction of its own instead (matmul 0.10..0.70 x the per-sequence time,
// with the search's max_batch and token budget: vLLM 0.225 and 120 us, SGLang 0.225 and 60 us, trtllm-serve 0.225
// and 340 us), which put the whole served path on the GPU's FLOP rate: an A100 (a third of the H100's BF16 peak)
// was read 30-55 % low on the lab's A100 page (disclosed: those validation rows showed the pattern; the reason to
// change is the shared executor above). trtllm-serve post-processes (detokenizes and streams) every
// request's tokens in its main Python process unless extra post-processing workers are configured
// (NVIDIA/TensorRT-LLM PR #5122, `num_postprocess_workers`, off by default): the largest host terms of the three
// are that. What the per-prompt-token time carries: everything of the served prefill path the model does not
// itemize (the API server's tokenization and request handling, scheduling and input preparation for each
// scheduled token, the engines' non-GEMM kernels at default settings); the held-out rows of `aidcsim validate`
// judge how far that carries. Being a constant per replica, it caps a served replica's prefill at 1 / 37.5 us =
// 26.7k prompt tokens/s (vLLM; SGLang 30.8k, trtllm-serve 12.5k) on any GPUs: too slow for large replicas (the
// Qwen3-235B rows on 8 H100, -40 %) and fast small models, a known limit of this term. CDNA3 FP8: only the
// matmul fraction, on the one MI325X offline
// row (0.35..0.70 step 0.05, the rest Hopper's): 0.40; that row is compute-bound so the HBM fraction is not
// identifiable. Blackwell FP4 (NVFP4 weights, FP8 KV cache, TensorRT-LLM; until 2026-12-06 the Hopper values with
// the FP4 GEMMs at Transformer Engine's 0.47, which left the held-out B200/GB200 FP4 rows 20-39 % over): three
// numbers on the ten B200 FP4 calibration rows (TensorRT-LLM perf-overview at commit 00f37686, the PyTorch
// backend's trtllm-bench; Llama 3.3 70B on one B200 and Llama 3.1 405B on four, at 128/128, 128/2048, 2048/2048,
// 5000/500 and 20000/2000; the GB200 rows and every 1000/1000 row only judge), collective latency Hopper's: a
// coarse grid (matmul 0.30..0.60 step 0.10 x HBM 0.45..0.85 step 0.10 x iteration overhead 1..8 ms step 1) and the
// 26 points one fine step (0.05, 0.05, 0.5 ms) around its best: matmul 0.40 of the FP4 peak, HBM 0.55, 2.0 ms per
// iteration on top of Hopper's 4 us per sampled sequence (median 3.3 %, max 14.1 %; 4.0 ms, 2.7 % and 10.2 % until
// 2026-12-07, under the old memory fit and Hopper's 1 ms). A first grid capped at HBM 0.75 and 3 ms put the fit on both edges, so it
// was widened (on the calibration rows alone); under the old memory fit the full fine grid (1,008 points, five times
// the time) found 0.40, 0.60 and 5.5 ms at median 2.6 %, max 9.5 %: HBM and overhead trade along a flat valley. Read them as effective
// values of the PyTorch backend on Blackwell, not kernel figures: 0.55 is what decode's weight and KV reads achieve
// together (STREAM-like kernels reach ~0.9 of B200's 8 TB/s), and 2 ms the time per iteration the model cannot
// itemize (the H100 rows of the same document expose none). The MLPerf server rows are calibration rows of the measurement set but not in the fit:
// predictions.
// Not fitted (physics or a public figure):
// - attention at 0.45 of peak: FlashAttention-3 reaches ~ 0.6-0.75 of H100 peak in BF16 forward on long
//   sequences and less in FP8 and in short causal chunks (Shah et al. 2024);
// - collectives at 0.8 of the unidirectional scale-up figure: nccl-tests on 8xH100 NVSwitch measure 460-480 GB/s
//   bus bandwidth for large messages (shared/data/network.csv);
// - BF16 (not in the calibration set): matmul fraction 0.10 higher than FP8 (FP8 GEMMs reach a smaller share of
//   their doubled peak: cuBLAS FP8 ~ 1.3-1.5 PFLOP/s of 1.98 on H100 vs BF16 ~ 0.75-0.8 of 0.99).
// - FP4 off Blackwell (CDNA4's MXFP4): 0.47 of the FP4 peak, Transformer Engine's published pre-quantized NVFP4
//   GEMM rate on B300 (a kernel figure, not a row), instead of inheriting the FP8 fraction;
// Tried and not adopted (2026-12-04): a rounded roofline for the linear layers, (c^p + m^p)^(1/p) instead of
// max(c, m). DeepGEMM's published dense FP8 table (H800, M = 64/128/4096 over six N x K shapes) prefers p = 2 to
// the sharp max (objective 0.16 vs 0.19 with free compute and memory fractions); refitting the four numbers above
// on the calibration rows with p fixed gives objective 6.2 at p = 2 (HBM 0.90, 1 ms, 35 us), 5.5 at p = 4 (HBM
// 0.85, 1 ms), 5.9 sharp: the rows do not agree with the kernel figure, and at p = 2 or 4 the iteration overhead
// sits on the grid's floor (it trades against p). The sharp roofline stays until rows with mid-size decode batches
// (100-500 tokens per step) are in the calibration set.
// Carry to other hardware: the fractions are of each accelerator's own peaks, so B200 or MI325X inherit their
// family's values (Blackwell FP8 and BF16: Hopper's; CDNA4: CDNA3's) until measurements of that class are fitted.

#include "kernels/accelerator_spec.hpp"
#include "kernels/hd.hpp"
#include "kernels/inference_model.hpp"

namespace aidc {

inline constexpr int kGenerationAmpere = static_cast<int>(AcceleratorGeneration::Ampere);
inline constexpr int kGenerationHopper = static_cast<int>(AcceleratorGeneration::Hopper);
inline constexpr int kGenerationBlackwell = static_cast<int>(AcceleratorGeneration::Blackwell);
inline constexpr int kGenerationCdna3 = static_cast<int>(AcceleratorGeneration::Cdna3);
inline constexpr int kGenerationCdna4 = static_cast<int>(AcceleratorGeneration::Cdna4);

// What a serving engine other than TensorRT-LLM's own benchmark (trtllm-bench) adds on NVIDIA GPUs (fitted per
// engine, see the header): host time per prompt token an iteration schedules and per sequence that samples a token
// in an iteration (detokenization, stop checks, streaming the token to its client). Its GPU kernels are taken to be
// trtllm-bench's (the Hopper fit's linear-layer fraction): trtllm-serve runs trtllm-bench's own executor and
// kernels, and vLLM and SGLang call the same cuBLAS / CUTLASS GEMMs, so what a served engine loses is time outside
// the kernels, which a slower GPU does not stretch.
struct EngineEfficiency {
  double prompt_token_overhead_s = 0.0;
  double sequence_overhead_s = 0.0;
};
inline constexpr EngineEfficiency kVllmEfficiency{37.5e-6, 90e-6};
inline constexpr EngineEfficiency kSglangEfficiency{32.5e-6, 90e-6};
inline constexpr EngineEfficiency kTrtllmServeEfficiency{80e-6, 380e-6};

// Blackwell FP4 (NVFP4) serving, fitted on the TensorRT-LLM B200 FP4 calibration rows (see the header): the
// linear layers' share of the FP4 dense peak, the HBM fraction and the iteration overhead; the collective latency
// and attention stay Hopper's.
struct GenerationEfficiency {
  double matmul = 0.0;
  double hbm = 0.0;
  double iteration_overhead_s = 0.0;
};
inline constexpr GenerationEfficiency kBlackwellFp4Efficiency{0.40, 0.55, 2.0e-3};
inline constexpr double kHopperFp8Matmul = 0.55;  // TensorRT-LLM's Hopper FP8 linear-layer fraction (fitted, above)
// trtllm-bench's time per sampled sequence per iteration that its overlap scheduler does not hide (fitted, above)
inline constexpr double kHopperFp8SequenceOverhead = 4e-6;

// An engine's committed two numbers on NVIDIA GPUs (no default case: a new engine is a -Wswitch warning, not a silent
// borrowing of another's fit). trtllm-bench's are none per prompt token and the Hopper fit's 4 us per sequence.
AIDC_HD inline EngineEfficiency engine_efficiency(ServingEngine engine) {
  switch (engine) {
    case ServingEngine::Vllm: return kVllmEfficiency;
    case ServingEngine::Sglang: return kSglangEfficiency;
    case ServingEngine::TrtLlmServe: return kTrtllmServeEfficiency;
    case ServingEngine::TrtLlm: break;
  }
  return EngineEfficiency{0.0, kHopperFp8SequenceOverhead};
}

AIDC_HD inline int engine_kv_memory_rule(ServingEngine engine) {
  switch (engine) {
    case ServingEngine::Vllm: return int(KvMemoryRule::Utilization);
    case ServingEngine::Sglang: return int(KvMemoryRule::Static);
    case ServingEngine::TrtLlm:
    case ServingEngine::TrtLlmServe: break;
  }
  return int(KvMemoryRule::FreeFraction);
}

AIDC_HD inline InferenceEfficiency inference_efficiency(int generation, Precision precision,
                                                        ServingEngine engine = ServingEngine::TrtLlm) {
  InferenceEfficiency e;  // Hopper FP8 (fitted)
  e.matmul = kHopperFp8Matmul;
  e.hbm = 0.85;
  e.iteration_overhead_s = 0.0;
  e.sequence_overhead_s = kHopperFp8SequenceOverhead;
  e.collective_latency_s = 75e-6;
  // How the engine sizes its KV cache, by its documented default on any hardware (public defaults, not fitted;
  // KvMemoryRule): TensorRT-LLM 0.9 of the memory free after weights and activations (KvCacheConfig
  // free_gpu_memory_fraction), vLLM 0.9 of the GPU's memory in all (EngineArgs gpu_memory_utilization), SGLang the
  // total less a reserve by GPU size and tp*pp (ServerArgs mem_fraction_static).
  e.kv_memory_rule = engine_kv_memory_rule(engine);
  e.kv_memory_fraction = 0.90;
  if (generation == kGenerationCdna3 || generation == kGenerationCdna4) {
    // Fitted on the MLPerf v5.0 MI325X offline row (vLLM: the CDNA fit is already an engine's), with the rest of the
    // Hopper fit held, its 4 us per sampled sequence included (an assumption for vLLM on ROCm: no row separates it).
    e.matmul = 0.40;
  } else {
    const EngineEfficiency k = engine_efficiency(engine);  // trtllm-bench: the Hopper fit's per-sequence time
    e.prompt_token_overhead_s = k.prompt_token_overhead_s;
    e.sequence_overhead_s = k.sequence_overhead_s;
  }
  if (precision == Precision::Bf16) e.matmul = e.matmul + 0.10 < 0.85 ? e.matmul + 0.10 : 0.85;
  if (precision == Precision::Fp4 && generation == kGenerationBlackwell) {
    // TensorRT-LLM: the Blackwell FP4 fit (above). Another engine has no FP4 rows of its own: the same kernels
    // (Blackwell's FP4 fraction and HBM share) with its own host times per prompt token and per sequence; vLLM and
    // SGLang Hopper's iteration overhead, trtllm-serve (the same executor as the fitted rows) Blackwell's.
    e.matmul = kBlackwellFp4Efficiency.matmul;
    e.hbm = kBlackwellFp4Efficiency.hbm;
    if (engine == ServingEngine::TrtLlm || engine == ServingEngine::TrtLlmServe) {
      e.iteration_overhead_s = kBlackwellFp4Efficiency.iteration_overhead_s;
    }
  } else if (precision == Precision::Fp4) {
    // FP4 elsewhere (CDNA4's MXFP4): Transformer Engine's published pre-quantized NVFP4 B300 figure, 3.55x BF16
    // GEMMs at 0.80 of the BF16 peak with FP4 at 6x it: 0.47 of the FP4 peak (not fitted;
    // kernels/training_calibration.hpp has the derivation).
    e.matmul = 0.47;
  }
  if (precision == Precision::Fp8 && engine == ServingEngine::Vllm && generation == kGenerationAmpere) {
    // vLLM serves FP8 checkpoints on GPUs without FP8 arithmetic (Ampere here) weight-only (fp8_weight_only,
    // FP8 Marlin): the GEMMs run on the BF16 tensor cores at BF16's fraction (an assumption: Marlin reaches the 16-bit GEMMs' speed
    // at serving batch sizes, and no W8A16 row is fitted), with 8-bit weight traffic.
    e.fp8_weight_only = 1;
    e.matmul = e.matmul + 0.10 < 0.85 ? e.matmul + 0.10 : 0.85;
  }
  return e;
}

// Whether vLLM would serve `precision` on `acc` weight-only (fp8_weight_only): the way out that a refusal of FP8
// on such a GPU names.
AIDC_HD inline bool vllm_serves_fp8_weight_only(const AcceleratorSpec& acc, Precision precision) {
  return fp8_weight_only(acc, precision, inference_efficiency(acc.generation, precision, ServingEngine::Vllm));
}

}  // namespace aidc
