#pragma once
// Per-replica cost of LLM serving: parameter counts, weight and KV-cache bytes, the memory fit, and the time of one
// engine iteration (prefill chunk + decode batch) from FLOPs and bytes against the accelerator's compute and memory
// roofs, plus tensor/pipeline/expert-parallel communication and a fixed per-iteration overhead.
//
// Device-safe: plain arithmetic on POD structs, every kernel-callable function AIDC_HD, no heap, no exceptions.
//
// Conventions
// - A replica is tp x pp GPUs. Expert parallelism (ep) splits the experts of an MoE layer over ep of the tp ranks
//   (TensorRT-LLM / vLLM style), so every weight is still spread over tp*pp GPUs; ep changes the traffic
//   (all-to-all instead of all-reduce) and which experts a GPU holds, not the bytes per GPU.
// - Pipeline parallelism runs pp micro-batches in flight (continuous batching keeps the pipe full): one iteration
//   is pp stage passes through layers/pp layers, plus one activation send per stage, paced by the heaviest
//   micro-batch: decode sequences spread evenly, but a prompt chunk stays in one micro-batch (the bubble).
// - Cost per stage pass is a sum of rooflines per kernel class: max(compute, memory) for the linear layers, then for
//   decode attention, then for prefill attention, plus communication and launch overhead. A sum of per-kernel
//   rooflines, not one max over the whole step, because the GEMMs and attention saturate different roofs.

#include <math.h>

#include "kernels/accelerator_spec.hpp"
#include "kernels/hd.hpp"
#include "kernels/llm_arch.hpp"
#include "kernels/llm_params.hpp"

namespace aidc {

// ---------------------------------------------------------------------------------------------------------------
// Calibrated efficiencies (values in kernels/inference_calibration.hpp)

// Defaults are the Hopper FP8 fit; use inference_efficiency(generation, precision) for the calibrated values.
struct InferenceEfficiency {
  double matmul = 0.55;          // achieved fraction of dense peak FLOP/s in the linear layers
  double attention = 0.45;       // achieved fraction of peak in attention kernels (flash/paged attention)
  double hbm = 0.85;             // achieved fraction of HBM bandwidth (weights, KV cache, activations)
  double collective = 0.8;       // achieved fraction of the scale-up link in ring collectives
  double collective_latency_s = 75e-6;  // per collective: launch, synchronization and skew between the ranks
  double p2p_latency_s = 10e-6;        // pipeline-stage activation send/recv
  double iteration_overhead_s = 0.0;   // scheduler, sampling, host<->device bookkeeping per engine iteration that
                                       // the engine does not overlap with the GPU's work
  double layer_overhead_s = 0.0;       // kernel launches per layer that CUDA graphs do not hide
  double sequence_overhead_s = 4e-6;   // per sequence that samples a token in an iteration: sampling, stop checks,
                                       // request bookkeeping in the runtime (grows with the batch)
  double prompt_token_overhead_s = 0.0;  // per prompt token an iteration schedules: a served engine's time outside
                                         // the GPU's kernels (its OpenAI server's path; 0 for trtllm-bench)
  int kv_memory_rule = 0;              // how the engine sizes its KV cache from the GPU's memory (KvMemoryRule)
  double kv_memory_fraction = 0.90;    // that rule's documented default fraction (engine_memory)
  int fp8_weight_only = 0;  // 1: the engine runs FP8 checkpoints weight-only on GPUs without FP8 arithmetic (vLLM's
                            // FP8 Marlin: 8-bit weights dequantized to BF16 inside the GEMM, W8A16)
};

// FP8 weights served weight-only: the accelerator has no FP8 peak, but the engine dequantizes 8-bit weights to BF16
// in its GEMMs (vLLM, "FP8 models will run on compute capability >= 7.5 as weight-only W8A16, utilizing FP8 Marlin",
// docs/features/quantization/fp8.md; vllm-project/vllm PR #5975, Ampere, July 2024). Weights and their traffic are
// 8-bit; the arithmetic, and so the peak, is BF16's.
AIDC_HD inline bool fp8_weight_only(const AcceleratorSpec& acc, Precision p, const InferenceEfficiency& e) {
  return p == Precision::Fp8 && e.fp8_weight_only != 0 && !(acc.fp8_flops_per_s > 0.0) && acc.bf16_flops_per_s > 0.0;
}

// The peak the linear layers run at: the precision's, or BF16's when FP8 weights are served weight-only.
AIDC_HD inline double gemm_peak_flops_per_s(const AcceleratorSpec& acc, Precision p, const InferenceEfficiency& e) {
  return fp8_weight_only(acc, p, e) ? acc.bf16_flops_per_s : peak_flops_per_s(acc, p);
}

// The serving engine whose scheduler runs the replicas. What differs here is its KV policy
// (kernels/inference_batching.hpp): TensorRT-LLM reserves each request's whole context at admission
// (GUARANTEED_NO_EVICT, its default capacity scheduler); vLLM (PagedAttention blocks allocated as tokens are
// written, recompute preemption) and SGLang (token pool, retraction) grow the KV on demand and preempt when it runs
// out; SGLang also admits only while an estimated share of the admitted requests' future tokens fits. On NVIDIA
// GPUs the served engines (vLLM, SGLang, trtllm-serve) also take their own host time per prompt token and per
// sequence, fitted on their own rows (engine_efficiency, kernels/inference_calibration.hpp).
// TrtLlmServe is TensorRT-LLM (PyTorch backend) behind its OpenAI-compatible server, trtllm-serve: TensorRT-LLM's KV
// policy and executor, with the served path's host time fitted on its own rows (kernels/inference_calibration.hpp).
enum class ServingEngine : int { TrtLlm = 0, Vllm = 1, Sglang = 2, TrtLlmServe = 3 };

// The KV policy of an engine (BatchingParams::kv_on_demand): 0 reserve, 1 on demand (vLLM), 2 estimated (SGLang).
AIDC_HD inline int engine_kv_on_demand(ServingEngine e) {
  switch (e) {
    case ServingEngine::Vllm: return 1;
    case ServingEngine::Sglang: return 2;
    case ServingEngine::TrtLlm:
    case ServingEngine::TrtLlmServe: break;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// One replica's fixed quantities for a (model, accelerator, precision, tp, pp, ep)

// Why a configuration cannot run (numeric so that a kernel can return it; the CLI turns it into words).
enum class InferenceInfeasible : int {
  None = 0,
  PrecisionUnsupported = 1,  // the accelerator has no peak for the precision
  WeightsExceedMemory = 2,   // weights per GPU exceed usable HBM
  NoKvRoom = 3,              // weights fit but the KV cache cannot hold one request's context
  TpExceedsScaleUp = 4,      // tensor parallel group larger than the scale-up domain
  BadParallelism = 5,        // tp*pp does not divide the GPUs, ep does not divide experts/tp, pp > layers, ...
  NoConfiguration = 6,       // the search had nothing to evaluate
  SimulationFailed = 7,      // the batching simulation could not run (scratch too small, bad parameters)
  NoKvTransferLink = 8,      // disaggregated: no fabric bandwidth between prefill and decode instances
};

// How an engine sizes its KV cache from the memory the GPU reports (AcceleratorSpec::hbm_bytes), by each engine's
// documented default:
// - FreeFraction (TensorRT-LLM, trtllm-serve): KvCacheConfig.free_gpu_memory_fraction, 0.9 of the memory still
//   free after the weights, the activations of the engine's profiling pass and the runtime's own memory
//   (kTrtllmRuntimeReserveBytes: CUDA context, cuBLAS/NCCL workspaces, CUDA-graph pools; an assumption).
// - Utilization (vLLM): gpu_memory_utilization, 0.9 of the GPU's total memory for weights, activations and KV.
// - Static (SGLang): mem_fraction_static = (total - reserved) / total for the weights and the KV pool; the reserve
//   holds activations and CUDA graphs (sglang_reserved_bytes).
enum class KvMemoryRule : int { FreeFraction = 0, Utilization = 1, Static = 2 };

// Memory a TensorRT-LLM process holds besides weights, activations and KV: CUDA context (~0.5 GiB on Hopper),
// cuBLAS and NCCL workspaces and CUDA-graph pools. 2 GiB is an assumption, of the order of the non-torch and graph
// memory vLLM logs at start-up; vLLM's and SGLang's rules hold theirs inside their own margins.
inline constexpr double kTrtllmRuntimeReserveBytes = 2.0 * 1024.0 * 1024.0 * 1024.0;

// SGLang's defaults by the memory the GPU reports, in its buckets (python/sglang/srt/server_args.py,
// _handle_gpu_memory_settings): chunked_prefill_size and cuda_graph_max_bs 2048 and 8 below 20 GiB; 2048 and 24 (80
// at tp >= 4) below 35 GiB; 4096 and 32 (160) below 60 GiB; 8192 and 256 (512) below 160 GiB; 16384 and 512 above.
struct SglangMemoryDefaults {
  int chunked_prefill_size = 0;
  int cuda_graph_max_bs = 0;
};

AIDC_HD inline SglangMemoryDefaults sglang_memory_defaults(double hbm_bytes, int tp) {
  const double mem_gib = hbm_bytes / (1024.0 * 1024.0 * 1024.0);
  const bool wide = tp >= 4;
  if (mem_gib < 20.0) return {2048, 8};
  if (mem_gib < 35.0) return {2048, wide ? 80 : 24};
  if (mem_gib < 60.0) return {4096, wide ? 160 : 32};
  if (mem_gib < 160.0) return {8192, wide ? 512 : 256};
  return {16384, 512};
}

// SGLang's reserve outside mem_fraction_static, in MiB of the reported memory: 512 (attention metadata) + 1.5 x
// max(chunked_prefill_size, 2048) (the largest prefill's activations) + 2 x cuda_graph_max_bs (graph buffers) +
// 1024 x tp*pp/8, at least 10 GiB on GPUs reporting more than 60 GiB (server_args.py since sgl-project/sglang PRs
// #10975 and #11076, September 2025: releases from v0.5.3, the GPUStack rows' v0.5.5.post1 among them).
// `chunk_tokens` is the --chunked-prefill-size the server runs with (0: its default by memory); a smaller chunk
// shrinks the reserve down to the floor, a larger one costs KV cache. On an H100 (81559 MiB) at tp 1 and the
// default chunk of 8192: 13440 MiB, mem_fraction_static 0.835; SGLang issue #29092 reports 0.828 for Qwen3-32B on
// an H100 with a 2026 release, which reserves piecewise CUDA-graph memory on top. cuda_graph_max_bs stays at its
// default by memory. (Until 2026-12-07: (9.5 + tp*pp/2) GiB on 35-90 GiB GPUs, the heuristic those PRs replaced;
// and, until a later change that day, the default chunk whatever the configuration's.)
AIDC_HD inline double sglang_reserved_bytes(double hbm_bytes, int tp, int pp, int chunk_tokens = 0) {
  const double mib = 1024.0 * 1024.0;
  const SglangMemoryDefaults d = sglang_memory_defaults(hbm_bytes, tp);
  const int chunk = chunk_tokens > 0 ? chunk_tokens : d.chunked_prefill_size;
  double reserved_mib = 512.0 + 1.5 * (chunk > 2048 ? chunk : 2048) + 2.0 * d.cuda_graph_max_bs +
                        1024.0 * double(tp) * pp / 8.0;
  if (hbm_bytes / mib > 60.0 * 1024.0 && reserved_mib < 10.0 * 1024.0) reserved_mib = 10.0 * 1024.0;
  return reserved_mib * mib;
}

// One GPU of a replica under an engine's memory rule: the ceiling that weights (and, where the engine measures
// them outside its reserve, activations) must fit under, and the room left for the KV cache.
struct EngineMemory {
  double ceiling_bytes = 0.0;   // weights + activations must not exceed this (Static: weights alone)
  double kv_room_bytes = 0.0;   // bytes for the KV cache (negative: none)
  double used_bytes = 0.0;      // what the engine allocates: weights + activations + KV
  bool fits = false;            // what must fit under the ceiling does
};

// `chunk_tokens`: the tokens per iteration the replica runs with (SGLang's reserve scales with it; 0: the default).
AIDC_HD inline EngineMemory engine_memory(const InferenceEfficiency& e, double hbm_bytes, int tp, int pp,
                                          double weights_bytes, double activation_bytes, int chunk_tokens = 0) {
  EngineMemory m;
  switch (KvMemoryRule(e.kv_memory_rule)) {
    case KvMemoryRule::Utilization:
      m.ceiling_bytes = e.kv_memory_fraction * hbm_bytes;
      m.kv_room_bytes = m.ceiling_bytes - weights_bytes - activation_bytes;
      break;
    case KvMemoryRule::Static:
      m.ceiling_bytes = hbm_bytes - sglang_reserved_bytes(hbm_bytes, tp, pp, chunk_tokens);
      m.kv_room_bytes = m.ceiling_bytes - weights_bytes;
      activation_bytes = 0.0;  // inside the reserve
      break;
    case KvMemoryRule::FreeFraction:
      m.ceiling_bytes = hbm_bytes - kTrtllmRuntimeReserveBytes;
      m.kv_room_bytes = e.kv_memory_fraction * (m.ceiling_bytes - weights_bytes - activation_bytes);
      break;
  }
  m.used_bytes = weights_bytes + activation_bytes + (m.kv_room_bytes > 0.0 ? m.kv_room_bytes : 0.0);
  m.fits = weights_bytes + activation_bytes <= m.ceiling_bytes;
  return m;
}

// The scheduler limits an engine's default serving command runs with on a GPU that reports `hbm_bytes`: sequences in
// flight (max_batch) and tokens per iteration (chunk_tokens); 0: none documented, left to the search. What users
// get from a plain `vllm serve`, `python -m sglang.launch_server` or `trtllm-serve` (the GPUStack rows), where the
// search would otherwise tune them:
// - vLLM (OpenAI server, v0.9 and later): max_num_seqs 1024 and max_num_batched_tokens 8192 on GPUs of >= 70 GiB
//   other than the A100, else 256 and 2048 (EngineArgs batch defaults by usage context; vllm
//   tests/engine/test_arg_utils.py test_defaults_with_usage_context; the A100 exception is vLLM PR #17885).
// - SGLang: chunked_prefill_size 2048 below 35 GiB, 4096 below 60 GiB, 8192 below 160 GiB, 16384 above
//   (sglang_memory_defaults); max_running_requests from the KV pool (no fixed
//   limit: the search's largest, kMaxBatchLimit). SGLang runs prefill and decode batches apart by default, which
//   the co-located simulator approximates with one budget.
// - trtllm-serve: max_batch_size 2048 (above kMaxBatchLimit: the search's largest) and max_num_tokens 8192
//   (BuildConfig defaults, trtllm-serve --max_batch_size / --max_num_tokens).
// - trtllm-bench (TrtLlm): none; the benchmark sizes its own limits per dataset, so the search stands in for it.
struct SchedulerLimits {
  int max_batch = 0;
  int chunk_tokens = 0;
};

AIDC_HD inline SchedulerLimits engine_default_limits(ServingEngine engine, double hbm_bytes, bool is_a100) {
  const double gib = 1024.0 * 1024.0 * 1024.0;
  const double mem_gib = hbm_bytes / gib;
  SchedulerLimits l;
  switch (engine) {
    case ServingEngine::Vllm:
      l = mem_gib >= 70.0 && !is_a100 ? SchedulerLimits{1024, 8192} : SchedulerLimits{256, 2048};
      break;
    case ServingEngine::Sglang:
      l.max_batch = 1 << 20;  // from the KV pool: capped by the enumeration
      l.chunk_tokens = sglang_memory_defaults(hbm_bytes, 1).chunked_prefill_size;  // the same at any tp
      break;
    case ServingEngine::TrtLlmServe:
      l = SchedulerLimits{2048, 8192};
      break;
    case ServingEngine::TrtLlm: break;
  }
  return l;
}

struct ReplicaModel {
  // inputs echoed
  int tp = 1, pp = 1, ep = 1;
  int layers = 0;
  // precision
  double weight_bytes_per_elem = 2.0;
  double kv_bytes_per_elem = 2.0;
  double act_bytes_per_elem = 2.0;  // activations and collectives stay 16-bit
  double peak_flops = 0.0;          // per GPU at the weight precision
  double attn_peak_flops = 0.0;     // per GPU at the KV precision
  // memory (bytes)
  double weights_bytes_total = 0.0;     // whole model
  double weights_bytes_per_gpu = 0.0;
  double activation_reserve_per_gpu = 0.0;
  double kv_bytes_per_token_per_gpu = 0.0;   // all layers of this GPU's stage
  double kv_capacity_tokens = 0.0;           // per replica (every GPU of a stage holds its share of every token)
  double usable_hbm_per_gpu = 0.0;         // what the engine allocates: weights + activations + KV (engine_memory)
  double hbm_bytes_per_gpu = 0.0;
  double hbm_bytes_per_s = 0.0;
  // per-stage, per-GPU cost coefficients
  double stage_layers = 0.0;
  double moe_stage_layers = 0.0;
  double gemm_flops_per_token = 0.0;       // per GPU per stage pass
  double dense_weight_bytes = 0.0;         // per GPU per stage pass, read once (non-expert weights)
  double expert_bytes_per_gpu_layer = 0.0; // one expert's bytes on one GPU (expert split over tp/ep ranks)
  double experts_per_gpu = 0.0;            // routed experts whose shard a GPU holds
  double routed_experts = 0.0, active_experts = 0.0;
  double lm_head_flops_per_row = 0.0;      // per GPU, averaged over stages
  double lm_head_bytes = 0.0;              // per GPU per stage pass, averaged over stages
  double act_bytes_per_token = 0.0;        // activation traffic per token per GPU per stage pass
  double attn_flops_per_ctx = 0.0;         // decode: per query token per context token, per GPU per stage pass
  double attn_prefill_flops_per_pair = 0.0;  // prefill: per causal (query, key) pair, per GPU per stage pass
  double kv_read_bytes_per_ctx = 0.0;      // per context token per GPU per stage pass
  double kv_write_bytes_per_token = 0.0;
  double allreduce_per_stage = 0.0;        // number of TP all-reduces per stage pass
  double alltoall_per_stage = 0.0;         // number of EP all-to-alls per stage pass
  double ring_factor = 0.0;                // 2 (tp-1)/tp
  double a2a_factor = 0.0;                 // (ep-1)/ep
  double hidden = 0.0;
  double scaleup_bytes_per_s = 0.0;
  InferenceEfficiency eff;
  // reciprocals of the achieved rates (seconds per FLOP / per byte), precomputed for the simulator's inner loop
  double s_per_gemm_flop = 0.0, s_per_attn_flop = 0.0, s_per_hbm_byte = 0.0, s_per_link_byte = 0.0;
  double log_expert_miss = 0.0;  // ln(1 - k/E)
  int infeasible = 0;  // InferenceInfeasible
};

AIDC_HD inline double kv_bytes_per_token_layer(const LlmArch& a, double kv_bytes_per_elem, int tp) {
  if (a.kv_latent_dim > 0) return double(a.kv_latent_dim) * kv_bytes_per_elem;  // latent replicated over tp
  const int kv_heads_per_gpu = a.kv_heads >= tp ? (a.kv_heads + tp - 1) / tp : 1;  // heads replicate when tp > kv
  return 2.0 * kv_heads_per_gpu * double(a.head_dim) * kv_bytes_per_elem;
}

// KV bytes per token of the whole model (all layers, unsharded).
AIDC_HD inline double kv_bytes_per_token(const LlmArch& a, double kv_bytes_per_elem) {
  return kv_bytes_per_token_layer(a, kv_bytes_per_elem, 1) * a.layers;
}

// Weight bytes of the whole model at a precision on an accelerator generation (FP4 block scales: its format):
// embeddings and lm_head stay 16-bit (FP8/FP4 recipes quantize the linear layers only).
AIDC_HD inline double weight_bytes(const LlmArch& a, Precision p,
                                   int generation = static_cast<int>(AcceleratorGeneration::Hopper)) {
  const LlmParamCounts c = count_params(a);
  const double emb = c.embedding + c.lm_head;
  return (c.total - emb) * stored_bytes_per_element(p, generation) + emb * 2.0;
}

// What the KV cache is stored in. The checkpoint decides by default: NVIDIA's ModelOpt FP8 and FP4 checkpoints
// (the trtllm-bench and MLPerf rows) carry KV scales and the engines store FP8; a checkpoint without them (Qwen's own
// -FP8 releases, the GPUStack rows) leaves the engines' "auto" at the model's 16-bit dtype (vLLM and SGLang
// --kv-cache-dtype auto: "the model data type"; TensorRT-LLM KvCacheConfig dtype auto: the checkpoint's
// kv_cache_quant_algo). Auto: FP8 with FP8 or FP4 weights, 16-bit with BF16 ones.
enum class KvCacheDtype : int { Auto = 0, Bf16 = 1, Fp8 = 2 };

AIDC_HD inline double kv_cache_bytes_per_elem(Precision weights, KvCacheDtype kv) {
  switch (kv) {
    case KvCacheDtype::Bf16: return 2.0;
    case KvCacheDtype::Fp8: return 1.0;
    case KvCacheDtype::Auto: break;
  }
  return weights == Precision::Bf16 ? 2.0 : 1.0;
}

// What `kv` stands for on this accelerator and engine: Auto under weight-only FP8 is the activations' 16-bit dtype
// (vLLM's kv_cache_dtype "auto" is the model dtype; an FP8 KV cache there must be asked for, --kv-cache fp8).
AIDC_HD inline KvCacheDtype effective_kv_cache(const AcceleratorSpec& acc, Precision prec,
                                               const InferenceEfficiency& eff, KvCacheDtype kv) {
  return kv == KvCacheDtype::Auto && fp8_weight_only(acc, prec, eff) ? KvCacheDtype::Bf16 : kv;
}

AIDC_HD inline ReplicaModel make_replica_model(const LlmArch& a, const AcceleratorSpec& acc, Precision prec, int tp,
                                               int pp, int ep, int max_chunk_tokens, const InferenceEfficiency& eff,
                                               KvCacheDtype kv_cache = KvCacheDtype::Auto) {
  ReplicaModel r;
  r.tp = tp;
  r.pp = pp;
  r.ep = ep < 1 ? 1 : ep;
  r.layers = a.layers;
  r.eff = eff;
  r.weight_bytes_per_elem = stored_bytes_per_element(prec, acc.generation);
  r.kv_bytes_per_elem = kv_cache_bytes_per_elem(prec, effective_kv_cache(acc, prec, eff, kv_cache));
  r.peak_flops = gemm_peak_flops_per_s(acc, prec, eff);
  // Attention at the FP8 rate only where both the weights' path and the KV are 8-bit (FP8 attention kernels); a
  // 16-bit KV (or 16-bit weights with an FP8 KV, dequantized in the kernel) runs it at the BF16 rate.
  const bool fp8_attention = prec != Precision::Bf16 && r.kv_bytes_per_elem < 1.5 && acc.fp8_flops_per_s > 0.0;
  r.attn_peak_flops = fp8_attention ? acc.fp8_flops_per_s : acc.bf16_flops_per_s;
  r.hbm_bytes_per_gpu = acc.hbm_bytes;
  r.hbm_bytes_per_s = acc.hbm_bytes_per_s;
  r.hidden = a.hidden;
  r.scaleup_bytes_per_s = acc.scaleup_bytes_per_s;

  const LlmParamCounts c = count_params(a);
  r.weights_bytes_total = weight_bytes(a, prec, acc.generation);
  const double gpus = double(tp) * pp;
  r.weights_bytes_per_gpu = r.weights_bytes_total / gpus;

  if (tp < 1 || pp < 1 || pp > a.layers || a.layers <= 0 || (a.routed_experts > 0 && (tp % r.ep != 0 ||
      a.routed_experts % r.ep != 0)) || (a.routed_experts == 0 && r.ep != 1)) {
    r.infeasible = int(InferenceInfeasible::BadParallelism);
  }
  if (r.peak_flops <= 0.0) r.infeasible = int(InferenceInfeasible::PrecisionUnsupported);
  if (tp > acc.scaleup_domain_gpus && tp > 1) r.infeasible = int(InferenceInfeasible::TpExceedsScaleUp);

  r.stage_layers = double(a.layers) / pp;
  r.moe_stage_layers = double(c.moe_layers) / pp;
  const double dense_stage_layers = double(c.dense_layers) / pp;
  const double wb = r.weight_bytes_per_elem;

  // Linear layers: FLOPs per token per GPU; bytes of non-expert weights per GPU.
  r.gemm_flops_per_token = 2.0 * c.matmul_active_per_token / pp / tp;
  const double attn_w = (c.attention_per_layer + c.norms_per_layer) * r.stage_layers;
  const double dense_mlp_w = c.dense_mlp_per_layer * dense_stage_layers;
  const double shared_w = (c.router_per_layer + a.shared_experts * c.expert) * r.moe_stage_layers;
  r.dense_weight_bytes = (attn_w + dense_mlp_w + shared_w) * wb / tp;
  r.expert_bytes_per_gpu_layer = c.expert * wb / (double(tp) / r.ep);
  r.experts_per_gpu = a.routed_experts > 0 ? double(a.routed_experts) / r.ep : 0.0;
  r.routed_experts = a.routed_experts;
  r.active_experts = a.active_experts;
  // lm_head on the last stage only; averaged over the pp stage passes of an iteration.
  const double lm = (c.lm_head > 0.0 ? c.lm_head : c.embedding);
  r.lm_head_flops_per_row = 2.0 * lm / tp / pp;
  r.lm_head_bytes = lm * 2.0 / tp / pp;

  // Activation traffic per token per GPU per layer: residual read/write, qkv, attention out, MLP in/out
  // (intermediate at ffn width, SwiGLU gate+up then down), in 16-bit.
  const double ffn_eff = a.routed_experts > 0 ? double(a.moe_ffn_hidden) * (a.active_experts + a.shared_experts)
                                              : double(a.ffn_hidden);
  const double qkv = double(a.heads) * a.head_dim + 2.0 * double(a.kv_heads > 0 ? a.kv_heads : a.heads) * a.head_dim;
  r.act_bytes_per_token = r.act_bytes_per_elem * r.stage_layers * (4.0 * a.hidden + (qkv + a.hidden + 3.0 * ffn_eff) / tp);

  // Attention: QK^T and PV are 2 FLOPs per multiply-add over (dk + dv) per head per context token.
  double dk = a.head_dim, dv = a.head_dim;
  double pk = a.head_dim, pv = a.head_dim;
  if (a.kv_latent_dim > 0) {
    // MLA decode runs absorbed: scores over the latent (kv_lora + rope), values in kv_lora. Prefill runs the
    // latent up-projected: ordinary heads of width head_dim (nope + rope) for keys and v_head_dim for values.
    dk = a.kv_latent_dim;
    dv = double(a.kv_latent_dim) - a.qk_rope_head_dim;
    pv = a.v_head_dim > 0 ? a.v_head_dim : a.head_dim;
  }
  const double heads_per_gpu = double(a.heads) / tp;
  r.attn_flops_per_ctx = 2.0 * heads_per_gpu * (dk + dv) * r.stage_layers;
  r.attn_prefill_flops_per_pair = 2.0 * heads_per_gpu * (pk + pv) * r.stage_layers;
  const double kv_layer = kv_bytes_per_token_layer(a, r.kv_bytes_per_elem, tp);
  r.kv_read_bytes_per_ctx = kv_layer * r.stage_layers;
  r.kv_write_bytes_per_token = kv_layer * r.stage_layers;
  r.kv_bytes_per_token_per_gpu = kv_layer * r.stage_layers;

  // Communication per stage pass: TP all-reduce after attention and after the MLP of each layer; an MoE layer under
  // ep > 1 replaces its MLP all-reduce by dispatch + combine all-to-alls.
  r.ring_factor = tp > 1 ? 2.0 * (tp - 1) / tp : 0.0;
  r.a2a_factor = r.ep > 1 ? double(r.ep - 1) / r.ep : 0.0;
  if (tp > 1) {
    r.allreduce_per_stage = r.stage_layers + (r.ep > 1 ? dense_stage_layers : r.stage_layers);
  }
  r.alltoall_per_stage = r.ep > 1 ? 2.0 * r.moe_stage_layers : 0.0;

  // Memory fit: weights + activation workspace (one chunk's activations: residual, qkv, MLP intermediate, logits
  // for the rows that sample) + KV within what the engine's rule leaves (engine_memory, one replica's tp x pp).
  const double chunk = max_chunk_tokens > 0 ? max_chunk_tokens : 1;
  r.activation_reserve_per_gpu =
      chunk * r.act_bytes_per_elem * (2.0 * a.hidden + (qkv + 2.0 * ffn_eff) / tp) + 256.0 * 1024 * 1024;
  const EngineMemory mem = engine_memory(eff, acc.hbm_bytes, tp, pp, r.weights_bytes_per_gpu,
                                         r.activation_reserve_per_gpu, max_chunk_tokens);
  r.usable_hbm_per_gpu = mem.used_bytes;
  const double kv_room = mem.kv_room_bytes;
  r.kv_capacity_tokens = kv_room > 0.0 && r.kv_bytes_per_token_per_gpu > 0.0
                             ? kv_room / r.kv_bytes_per_token_per_gpu : 0.0;
  r.s_per_gemm_flop = r.peak_flops > 0.0 ? 1.0 / (eff.matmul * r.peak_flops) : 0.0;
  r.s_per_attn_flop = r.attn_peak_flops > 0.0 ? 1.0 / (eff.attention * r.attn_peak_flops) : 0.0;
  r.s_per_hbm_byte = acc.hbm_bytes_per_s > 0.0 ? 1.0 / (eff.hbm * acc.hbm_bytes_per_s) : 0.0;
  r.s_per_link_byte = acc.scaleup_bytes_per_s > 0.0 ? 1.0 / (eff.collective * acc.scaleup_bytes_per_s) : 0.0;
  r.log_expert_miss = a.routed_experts > 0 && a.active_experts < a.routed_experts
                          ? ::log1p(-double(a.active_experts) / a.routed_experts) : -1e300;
  if (r.infeasible == 0 && !mem.fits) {
    r.infeasible = int(InferenceInfeasible::WeightsExceedMemory);
  }
  return r;
}

// Largest batch the KV cache holds when every request reserves input + output tokens (the batching simulator's
// admission rule), for given mean lengths.
AIDC_HD inline double max_batch_for_lengths(const ReplicaModel& r, double input_tokens, double output_tokens) {
  const double ctx = input_tokens + output_tokens;
  return ctx > 0.0 ? double((long long)(r.kv_capacity_tokens / ctx)) : 0.0;
}

// ---------------------------------------------------------------------------------------------------------------
// One engine iteration

// What an iteration processes, summed over the replica's batch.
struct IterationLoad {
  double decode_tokens = 0.0;     // sequences generating one token
  double decode_context = 0.0;    // sum of their context lengths (tokens attended)
  double prefill_tokens = 0.0;    // prompt tokens processed this iteration (chunked prefill)
  double prefill_pairs = 0.0;     // causal (query, key) pairs of those chunks: sum p * (offset + (p + 1) / 2)
  double prefill_kv_read = 0.0;   // KV tokens read by the chunks: sum (offset + p)
  double logit_rows = 0.0;        // sequences that sample a token (decode + prefills that finish)
  double prefill_sequences = 0.0; // sequences whose prompt chunks make up prefill_tokens (0: one when any)
};

struct StepCost {
  double time_s = 0.0;
  double gemm_compute_s = 0.0;
  double gemm_memory_s = 0.0;
  double attn_compute_s = 0.0;
  double attn_memory_s = 0.0;
  double comm_s = 0.0;
  double overhead_s = 0.0;
  double flops = 0.0;  // whole replica, this iteration
  double bytes = 0.0;  // whole replica, this iteration
};

AIDC_HD inline double hd_max(double x, double y) { return x > y ? x : y; }
AIDC_HD inline double hd_min(double x, double y) { return x < y ? x : y; }

// Expected number of distinct experts chosen by n tokens each routing to k of E experts (independent, uniform):
// E (1 - (1 - k/E)^n).
AIDC_HD inline double expected_distinct_experts(double experts, double k, double n) {
  if (experts <= 0.0 || n <= 0.0) return 0.0;
  if (k >= experts) return experts;
  return experts * (1.0 - ::exp(n * ::log1p(-k / experts)));
}

AIDC_HD AIDC_HOT_INLINE StepCost iteration_cost(const ReplicaModel& r, const IterationLoad& load) {
  StepCost s;
  const double pp = r.pp;
  const double tokens = load.decode_tokens + load.prefill_tokens;
  if (tokens <= 0.0) return s;
  // One stage pass handles one of pp micro-batches; an iteration is pp stage passes, paced by the heaviest
  // micro-batch. Decode sequences spread evenly; a sequence's prompt chunk cannot be split, so the prompt tokens
  // spread over at most min(pp, prefill_sequences) micro-batches (the pipeline bubble of chunked prefill).
  const double pre_split = load.prefill_tokens > 0.0
                               ? hd_min(pp, load.prefill_sequences > 1.0 ? load.prefill_sequences : 1.0) : 1.0;
  const double pre_mb = load.prefill_tokens / pre_split;
  const double t_mb = load.decode_tokens / pp + pre_mb;
  const double rows_mb = load.logit_rows / pp;

  // Linear layers: FLOPs on all tokens; weights read once per pass (experts: only those the pass's tokens touch).
  double expert_bytes = 0.0;
  if (r.routed_experts > 0.0) {
    // Distinct experts touched on this GPU: E (1 - (1 - k/E)^t) of the E, of which the GPU holds experts_per_gpu.
    const double touched = (1.0 - ::exp(t_mb * r.log_expert_miss)) * r.experts_per_gpu;
    expert_bytes = touched * r.expert_bytes_per_gpu_layer * r.moe_stage_layers;
  }
  const double gemm_flops = r.gemm_flops_per_token * t_mb + r.lm_head_flops_per_row * rows_mb * pp;
  const double gemm_bytes = r.dense_weight_bytes + expert_bytes + r.lm_head_bytes * pp +
                            (r.act_bytes_per_token + r.kv_write_bytes_per_token) * t_mb;
  const double gemm_c = gemm_flops * r.s_per_gemm_flop;
  const double gemm_m = gemm_bytes * r.s_per_hbm_byte;

  // Decode attention: each decoding sequence reads its whole KV (memory-bound unless contexts are tiny).
  // Prefill attention: causal pairs, and the chunk reads its prefix KV.
  const double dec_c = r.attn_flops_per_ctx * load.decode_context / pp * r.s_per_attn_flop;
  const double dec_m = r.kv_read_bytes_per_ctx * load.decode_context / pp * r.s_per_hbm_byte;
  const double pre_c = r.attn_prefill_flops_per_pair * load.prefill_pairs / pre_split * r.s_per_attn_flop;
  const double pre_m = r.kv_read_bytes_per_ctx * load.prefill_kv_read / pre_split * r.s_per_hbm_byte;
  const double attn_t = hd_max(dec_c, dec_m) + hd_max(pre_c, pre_m);

  // Communication: ring all-reduce of the pass's activations over the scale-up link; EP all-to-all; PP send.
  double comm = 0.0;
  const double msg = t_mb * r.hidden * r.act_bytes_per_elem;
  if (r.allreduce_per_stage > 0.0) {
    comm += r.allreduce_per_stage * (r.eff.collective_latency_s + r.ring_factor * msg * r.s_per_link_byte);
  }
  if (r.alltoall_per_stage > 0.0) {
    comm += r.alltoall_per_stage *
            (r.eff.collective_latency_s + r.a2a_factor * msg * r.active_experts * r.s_per_link_byte);
  }
  if (r.pp > 1) comm += r.eff.p2p_latency_s + msg * r.s_per_link_byte;

  const double pass = hd_max(gemm_c, gemm_m) + attn_t + comm;
  s.gemm_compute_s = gemm_c * pp;
  s.gemm_memory_s = gemm_m * pp;
  s.attn_compute_s = (dec_c + pre_c) * pp;
  s.attn_memory_s = (dec_m + pre_m) * pp;
  s.comm_s = comm * pp;
  s.overhead_s = r.eff.iteration_overhead_s + r.eff.layer_overhead_s * r.layers +
                 r.eff.sequence_overhead_s * load.logit_rows + r.eff.prompt_token_overhead_s * load.prefill_tokens;
  s.time_s = pass * pp + s.overhead_s;
  const double gpus = double(r.tp) * r.pp;
  const double dec_flops = r.attn_flops_per_ctx * load.decode_context / pp;
  const double pre_flops = r.attn_prefill_flops_per_pair * load.prefill_pairs / pp;
  const double attn_bytes = r.kv_read_bytes_per_ctx * (load.decode_context + load.prefill_kv_read) / pp;
  // work actually done (the heavy micro-batch sets the time, the FLOPs are those of the real tokens)
  const double gemm_flops_all = r.gemm_flops_per_token * tokens / pp + r.lm_head_flops_per_row * rows_mb * pp;
  s.flops = (gemm_flops_all + dec_flops + pre_flops) * pp * gpus;
  s.bytes = (gemm_bytes + attn_bytes) * pp * gpus;
  return s;
}

// d(iteration time)/d(decode context) for a pure-decode iteration: the decode-attention roofline per context token
// (the pp micro-batches each see 1/pp of the context and there are pp of them).
AIDC_HD inline double decode_context_slope(const ReplicaModel& r) {
  return hd_max(r.attn_flops_per_ctx * r.s_per_attn_flop, r.kv_read_bytes_per_ctx * r.s_per_hbm_byte);
}

// Roofline bound of a pure-decode iteration's output rate for the replica (tokens/s), ignoring overheads and
// communication: the ceiling that no simulated throughput may exceed.
AIDC_HD inline double decode_roofline_tokens_per_s(const ReplicaModel& r, double batch, double mean_context) {
  const double gpus = double(r.tp) * r.pp;
  const double flops = batch * (r.gemm_flops_per_token + r.attn_flops_per_ctx * mean_context) * gpus;
  const double peak = gpus * r.peak_flops;
  const double bytes_min = r.dense_weight_bytes * gpus + batch * mean_context * r.kv_read_bytes_per_ctx * gpus;
  const double t = hd_max(flops / peak, bytes_min / (gpus * r.hbm_bytes_per_s));
  return t > 0.0 ? batch / t : 0.0;
}

}  // namespace aidc
