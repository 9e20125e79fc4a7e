#pragma once
// Training performance model: one (architecture, accelerator, GPU count, sequence, global batch) problem and one
// parallel configuration → step time, throughput, memory per GPU and whether it fits. Pure AIDC_HD functions on plain
// structs, so the search evaluates them in a Thrust transform on TBB or CUDA unchanged.
//
// Notation (Korthikanti et al. 2022, arXiv 2205.05198; Narayanan et al. 2021, arXiv 2104.04473): s sequence, b
// micro-batch, h hidden, a heads, L layers, t tensor-, p pipeline-, d data-, c context-parallel degree, v virtual
// stages per GPU (interleaved 1F1B), m micro-batches per pipeline per step.
//
// Conventions:
// - Model FLOPs per step = 6 · N · tokens, N = active parameters except the input embedding table (the output
//   projection is a matmul and counts). Attention score FLOPs and recomputation are NOT model FLOPs, so model TFLOPS
//   and MFU are comparable across recompute choices (they are in the step time). MFU = model TFLOPS / dense peak at
//   the training precision.
// - Mixed-precision Adam: 2 bytes weights + 2 bytes gradients + 12 bytes optimizer (fp32 master, m, v) per parameter,
//   split across the data-parallel (× context-parallel) group by ZeRO stage 1 (optimizer), 2 (+gradients), 3 (+weights).
// - Parameters from the one count both models share (kernels/llm_params.hpp: MLA, MoE, tied embeddings). A tied
//   output projection still multiplies (it counts in N) and, with pp > 1, the last stage holds a copy of the table
//   (Megatron-core's shared embedding, gradients all-reduced between the first and last stage).
// - Pipeline layout (stage_layout): L/p layers per stage when p divides L; otherwise Megatron-core's uneven
//   placement (--decoder-first/last-pipeline-num-layers with --account-for-embedding-in-pipeline-split and
//   --account-for-loss-in-pipeline-split): the input embedding and the loss count as one layer each, so the first
//   and last stages take one layer fewer than the middle ones (Llama 3.1 405B, 126 layers at p = 16: 7 + 14 × 8 + 7,
//   Meta's Llama 3 layout). The slowest stage sets the micro-batch time; memory is the most loaded stage's.
// - Interleaved 1F1B with v virtual stages: the p·v model chunks follow the same placement (Megatron's
//   --num-virtual-stages-per-pipeline-rank with the embedding and loss accounted: Llama 3.1 405B at p = 8, v = 8
//   gives 64 chunks of 2 layers, the first and last of 1); GPU 0 holds the first chunk and v − 1 middle ones, GPU
//   p − 1 the last chunk, the others v middle chunks.
// - Pipeline schedules (TrainingConfig::schedule), with F, B and W the forward, full backward and weight-gradient
//   times of one micro-batch on the slowest stage (W: the weight-gradient GEMMs, as many FLOPs as the forward GEMMs),
//   bubbles and memory as tabulated in the DualPipe README (deepseek-ai/DualPipe) and Qi et al. 2023 (Zero Bubble
//   Pipeline Parallelism, arXiv 2401.10241):
//   1F1B: bubble (p − 1)(F + B) / v; the first stage holds min(p, m) micro-batches of activations.
//   ZB1P (ZB-H1): bubble (p − 1)(F + B − 2W), the weight-gradient passes scheduled into the fill and drain; same
//     activation memory as 1F1B; v = 1.
//   DualPipe: every rank holds stage i and stage p − 1 − i (two copies of stage parameters, gradients and optimizer
//     states), micro-batches enter from both ends; bubble (p/2 − 1)(F&B + B − 3W) with F&B = F + B, the paired
//     forward and backward chunks whose expert all-to-all and pipeline sends run under the other's compute; p + 1
//     micro-batches of activations per rank; v = 1, p even, m ≥ p and even.
// - Attention, TrainingProblem::flash_attention:
//   false (standard, Megatron-LM 2022 as in Korthikanti et al.): the softmax output, its dropout mask and dropout
//     output (5as²b/t bytes per layer) are stored for backward and moved through HBM by the elementwise kernels; the
//     full s×s score matrix is computed (causal masking applied, not skipped): forward 4·s²·h, backward 2× forward,
//     selective recompute repeats the forward.
//   true (FlashAttention, Dao et al. 2022, arXiv 2205.14135; FlashAttention-2, arXiv 2307.08691; and the cuDNN /
//     Transformer Engine fused kernels of 2023+ frameworks): scores are tiled in on-chip memory, never written;
//     only Q, K, V, the output (all O(s·h), already in the sbh terms) and the fp32 log-sum-exp per query row and head
//     (4·a·s·b/t bytes) are stored. HBM traffic of the kernel is O(s·h), so the s² elementwise traffic goes too.
//     FLOPs: causal block skipping halves the score FLOPs (forward 2·s²·h); the backward recomputes QKᵀ and runs
//     five matmuls to the forward's two (2.5× forward; FlashAttention-2 §3.2 / its FLOP count). Selective recompute
//     therefore has nothing left to recompute and no s² memory to save.
// - FP4 training (NVFP4, Transformer Engine recipe): the layer GEMMs as FP8's but at the FP4 kernel rate plus the
//   quantisation traffic, a BF16 share kept (TrainingCalibration::fp4_*).
// - FP8 training (Transformer Engine recipe): only the GEMMs of the transformer layers (QKV, output projection, MLP,
//   experts) run in FP8, at TrainingCalibration::fp8_matmul_fraction of the FP8 peak; attention scores, the output
//   projection to the vocabulary (a plain BF16 linear in Megatron-core), elementwise work and collectives stay BF16.
// - Experts of MoE layers are sharded over e × ep, e the expert tensor-parallel degree (TrainingConfig::etp, t
//   unless set); the expert data-parallel group is t·c·d/(e·ep). Megatron-core's MoE parallel folding (Liu et al.
//   2025, arXiv 2504.14960; --expert-tensor-parallel-size, --expert-model-parallel-size): the expert layers take
//   their own mapping of the t·c·d ranks of one pipeline stage, e fastest, then ep, then the expert data-parallel
//   group, so ep may span the attention's tensor- and context-parallel ranks (Qwen3-235B on H100 at t = 2, ep = 32,
//   e = 1: 16 data-parallel ranks, as Megatron-Bridge runs it). With e < t, sequence parallelism is required: each
//   GPU dispatches its own sequence shard (tok/t tokens), the experts' FLOPs per GPU are unchanged, a local expert
//   sees M = tok·k·ep·e/(t·E) tokens, and the MoE layer's MLP collectives run over the e expert TP ranks instead
//   of the t attention ones (none at e = 1).

#include "kernels/accelerator_spec.hpp"
#include "kernels/hd.hpp"
#include "kernels/llm_arch.hpp"
#include "kernels/llm_params.hpp"
#include "kernels/training_calibration.hpp"

namespace aidc {

enum class Recompute : int { None = 0, Selective = 1, Full = 2 };

// Megatron-core's recompute of single modules (--recompute-granularity selective --recompute-modules ...), a bit set
// beside Recompute::None or Selective (Full recomputes every module anyway). Each frees tensors a layer saves for
// backward and runs that module's forward again in the backward pass; what each frees is in estimate_training. The
// published Megatron-Bridge configurations use these (DeepSeek-V3: mla_up_proj; others mlp, moe_act, layernorm).
inline constexpr int kRecomputeLayernorm = 1;  // "layernorm": the two layer norms' outputs (elementwise to redo)
inline constexpr int kRecomputeMoeAct = 2;     // "moe_act": the routed experts' activation outputs (elementwise)
inline constexpr int kRecomputeMlp = 4;        // "mlp": the dense MLP layers' fc1 and activation outputs (GEMMs)
inline constexpr int kRecomputeMlaUpProj = 8;  // "mla_up_proj": MLA's decompressed Q, K and V (the up projections)
inline constexpr int kRecomputeModuleCount = 4;

// The modules an architecture has: layer norms always, moe_act with routed experts, mlp with dense MLP layers,
// mla_up_proj with MLA attention.
AIDC_HD inline int recompute_modules_applicable(const LlmArch& a) {
  int m = kRecomputeLayernorm;
  if (a.routed_experts > 0) m |= kRecomputeMoeAct;
  if (a.routed_experts == 0 || a.dense_layers > 0) m |= kRecomputeMlp;
  if (a.kv_latent_dim > 0) m |= kRecomputeMlaUpProj;
  return m;
}

// Pipeline schedule (with pp > 1; see the header for the bubble and memory of each).
enum class PipelineSchedule : int {
  OneFOneB = 0,    // 1F1B, interleaved when interleave > 1 (Megatron-LM's default)
  ZeroBubble = 1,  // ZB-H1 / ZB1P: backward split into input and weight gradients, the weight part fills the bubble
  DualPipe = 2,    // DeepSeek's bidirectional schedule: two copies of the stage parameters, comm hidden in F&B pairs
};

struct TrainingProblem {
  LlmArch arch;
  AcceleratorSpec accel;
  int gpus = 0;
  int seq_len = 0;
  double global_batch_tokens = 0.0;
  Precision precision = Precision::Bf16;
  // FlashAttention-style fused attention (no s×s tensor stored or moved, causal FLOPs halved); false: Megatron-LM
  // 2022's standard attention (the calibration rows).
  bool flash_attention = true;
  // Parallelism the caller fixes; 0 lets the search choose.
  int fixed_tp = 0;
  int fixed_pp = 0;
  int fixed_cp = 0;
  int fixed_schedule = -1;  // a PipelineSchedule value; -1 lets the search choose
  int fixed_interleave = 0; // virtual pipeline stages per GPU (1F1B); 0 lets the search choose
  // Memory not available to the model: CUDA context, NCCL buffers, workspaces; and allocator fragmentation.
  double hbm_reserve_bytes = 2e9;
  double hbm_usable_fraction = 0.95;
};

struct TrainingConfig {
  int tp = 1;
  int pp = 1;
  int dp = 1;
  int cp = 1;
  int ep = 1;                 // expert parallel (MoE only); ep × expert TP divides tp × cp × dp
  int etp = 0;                // expert tensor parallel (MoE only): 0 = tp (Megatron's default); < tp folds
  int micro_batch = 1;        // sequences per micro-batch
  int interleave = 1;         // virtual pipeline stages per GPU
  int zero = 0;               // ZeRO stage 0..3
  Recompute recompute = Recompute::None;
  int recompute_modules = 0;  // kRecompute* bits (with None or Selective): single modules recomputed
  int sequence_parallel = 0;  // 1: Megatron sequence parallelism (only with tp > 1)
  PipelineSchedule schedule = PipelineSchedule::OneFOneB;
};

// The expert tensor-parallel degree of a configuration (Megatron-core's --expert-tensor-parallel-size, tp unless set).
AIDC_HD inline int expert_tp(const TrainingConfig& c) { return c.etp > 0 ? c.etp : c.tp; }

enum class TrainingLimit : int {
  Fits = 0,           // feasible
  Memory = 1,         // needs more than the usable HBM per GPU
  InvalidConfig = 2,  // degrees do not multiply to the GPU count, or do not divide layers/heads/batch
};

struct TrainingEstimate {
  // Time per optimizer step and its parts (the parts are critical-path contributions; they sum to step_time_s).
  double step_time_s = 0.0;
  double compute_s = 0.0;      // matmuls + elementwise of all micro-batches on the slowest stage
  double bubble_s = 0.0;       // pipeline fill/drain
  double tp_comm_s = 0.0;      // tensor-parallel collectives (not overlapped)
  double pp_comm_s = 0.0;      // pipeline point-to-point
  double dp_comm_s = 0.0;      // gradient reduction left exposed after overlap with backward (+ ZeRO-3 gathers)
  double cp_comm_s = 0.0;      // context-parallel KV exchange left exposed after overlap with attention
  double ep_comm_s = 0.0;      // expert-parallel all-to-all
  double optimizer_s = 0.0;    // Adam update (HBM-bound)
  double tokens_per_s = 0.0;
  double model_flops_per_step = 0.0;
  double model_tflops_per_gpu = 0.0;
  double mfu = 0.0;
  // Memory per GPU on the most loaded pipeline stage, bytes.
  double weights_bytes = 0.0;
  double gradients_bytes = 0.0;
  double optimizer_bytes = 0.0;
  double activation_bytes = 0.0;
  double memory_bytes = 0.0;
  double usable_bytes = 0.0;
  // Pipeline layout: layers on the first, the largest middle and the last stage (all L/p when p divides L).
  int stage_layers_first = 0, stage_layers_middle = 0, stage_layers_last = 0;
  int feasible = 0;
  TrainingLimit limit = TrainingLimit::InvalidConfig;
};

// Parameter counts of an architecture, per layer averaged over dense and MoE layers, from count_params.
struct ArchCounts {
  double attn_params = 0.0;       // per layer (attention incl. MLA projections)
  double mlp_active_params = 0.0; // per layer, averaged over dense and MoE layers (experts a token uses + router)
  double mlp_total_params = 0.0;  // per layer, averaged (all experts)
  double expert_share = 0.0;      // fraction of mlp_total_params in routed experts (sharded over ep)
  double routed_active_params = 0.0;  // per layer, averaged: the routed experts a token uses (grouped GEMMs)
  double moe_mlp_width = 0.0;     // per MoE layer: (active + shared experts) × expert width, the per-token MLP width
  double embed_params = 0.0;      // one V × h table
  double total_params = 0.0;      // as stored: one table when tied
  double active_params = 0.0;
  double model_params = 0.0;      // the N of 6·N·tokens: every matmul weight a token passes (the output projection
                                  // counts, tied or not; the input embedding lookup does not)
  double q_width = 0.0;           // heads × head_dim
  double kv_width = 0.0;          // kv_heads × head_dim (MLA: the latent a CP ring exchanges)
  double moe_layer_fraction = 0.0;
  double dense_mlp_params = 0.0;  // one dense layer's MLP
  double mla_up_params = 0.0;     // MLA's query and KV up projections (q_b and kv_b), per layer
};

AIDC_HD inline ArchCounts arch_counts(const LlmArch& a) {
  ArchCounts r;
  const LlmParamCounts c = count_params(a);
  const double h = a.hidden;
  const double hd = a.head_dim > 0 ? a.head_dim : (a.heads > 0 ? h / a.heads : h);
  const double kvh = a.kv_heads > 0 ? a.kv_heads : a.heads;
  r.q_width = a.heads * hd;
  r.kv_width = a.kv_latent_dim > 0 ? static_cast<double>(a.kv_latent_dim) : kvh * hd;
  r.attn_params = c.attention_per_layer;  // matmul weights; the layer norms (2h) are neither FLOPs nor memory here
  const double L = a.layers > 0 ? a.layers : 1;
  const double moe_total = (double(a.routed_experts) + a.shared_experts) * c.expert + c.router_per_layer;
  const double moe_active = (double(a.active_experts) + a.shared_experts) * c.expert + c.router_per_layer;
  r.moe_layer_fraction = c.moe_layers / L;
  r.dense_mlp_params = c.dense_mlp_per_layer;
  if (a.kv_latent_dim > 0) {
    // as count_params: q_b (q_lora x heads*head_dim; without a query latent the query projection from the hidden
    // state, which then yields Q) and kv_b (kv_lora x heads*(nope + v))
    const double rope = a.qk_rope_head_dim;
    const double v_dim = a.v_head_dim > 0 ? a.v_head_dim : hd;
    r.mla_up_params = (a.q_lora_rank > 0 ? double(a.q_lora_rank) : h) * a.heads * hd +
                      (double(a.kv_latent_dim) - rope) * a.heads * (hd - rope + v_dim);
  }
  r.mlp_total_params = (c.dense_layers * c.dense_mlp_per_layer + c.moe_layers * moe_total) / L;
  r.mlp_active_params = (c.dense_layers * c.dense_mlp_per_layer + c.moe_layers * moe_active) / L;
  r.expert_share =
      r.mlp_total_params > 0.0 ? c.moe_layers * double(a.routed_experts) * c.expert / L / r.mlp_total_params : 0.0;
  r.routed_active_params = c.moe_layers * double(a.active_experts) * c.expert / L;
  r.moe_mlp_width =
      (double(a.active_experts) + a.shared_experts) * (a.moe_ffn_hidden > 0 ? a.moe_ffn_hidden : a.ffn_hidden);
  r.embed_params = c.embedding;
  r.total_params = c.total;
  r.active_params = c.active;
  r.model_params = c.matmul_active_per_token - a.layers * c.norms_per_layer + double(a.vocab) * h;
  return r;
}

// Layers per pipeline stage (see the header): first and last stage, and the largest and smallest middle stage.
struct StageLayout {
  int first = 0, middle_max = 0, middle_min = 0, last = 0;
  bool uneven = false;
};

AIDC_HD inline StageLayout stage_layout(int layers, int pp) {
  StageLayout s;
  if (pp <= 1) {
    s.first = s.middle_max = s.middle_min = s.last = layers;
    return s;
  }
  if (layers % pp == 0) {
    s.first = s.middle_max = s.middle_min = s.last = layers / pp;
    return s;
  }
  s.uneven = true;
  // Stage work W = ceil((L + 2) / p) layer-equivalents: the first and last stages hold W − 1 layers (plus the
  // embedding, the loss), the middle ones W; the excess comes off middle stages one layer each, then off the ends.
  const int w = (layers + 2 + pp - 1) / pp;
  int first = w - 1, last = w - 1;
  const int middles = pp - 2;
  int excess = first + last + middles * w - layers;
  const int short_middles = excess < middles ? excess : middles;
  excess -= short_middles;
  while (excess > 0) {
    if (first >= last) --first; else --last;
    --excess;
  }
  s.first = first;
  s.last = last;
  s.middle_max = middles > short_middles ? w : w - 1;
  s.middle_min = short_middles > 0 ? w - 1 : w;
  if (middles == 0) s.middle_max = s.middle_min = 0;
  return s;
}

// Layers in chunk j (0 ≤ j < n) of the stage_layout `s` of `layers` over n chunks: the short middle chunks (when the
// middles differ by one) are the last middle ones, so the placement is deterministic.
AIDC_HD inline int chunk_layers(const StageLayout& s, int layers, int n, int j) {
  if (n <= 1) return layers;
  if (j == 0) return s.first;
  if (j == n - 1) return s.last;
  if (s.middle_max == s.middle_min) return s.middle_max;
  const int middles = n - 2;
  const int shorts = middles * s.middle_max - (layers - s.first - s.last);
  return j > middles - shorts ? s.middle_min : s.middle_max;
}

// Layers per GPU (first, middle, last rank) with v virtual stages: the p·v chunks placed as stage_layout places
// stages, GPU g holding chunks g, g + p, …, g + (v − 1)p; the middle ranks' largest and smallest sums. With v = 1,
// stage_layout. `chunk` receives the chunk layout (first, middle and last chunk sizes), used to check that every
// chunk holds a layer.
AIDC_HD inline StageLayout gpu_layout(int layers, int pp, int v, StageLayout* chunk = nullptr) {
  if (v <= 1 || pp <= 1) {
    const StageLayout s = stage_layout(layers, pp);
    if (chunk) *chunk = s;
    return s;
  }
  const int n = pp * v;
  const StageLayout c = stage_layout(layers, n);
  if (chunk) *chunk = c;
  StageLayout g;
  for (int gpu = 0; gpu < pp; ++gpu) {
    int sum = 0;
    for (int j = gpu; j < n; j += pp) sum += chunk_layers(c, layers, n, j);
    if (gpu == 0) g.first = sum;
    if (gpu == pp - 1) g.last = sum;
    if (gpu > 0 && gpu < pp - 1) {
      if (gpu == 1 || sum > g.middle_max) g.middle_max = sum;
      if (gpu == 1 || sum < g.middle_min) g.middle_min = sum;
    }
  }
  g.uneven = g.first != g.last || (pp > 2 && (g.middle_max != g.middle_min || g.middle_max != g.first));
  return g;
}

namespace detail {
AIDC_HD inline double dmax(double x, double y) { return x > y ? x : y; }
AIDC_HD inline double dmin(double x, double y) { return x < y ? x : y; }
// Ring algorithm time of a collective whose per-GPU traffic factor is `factor` × bytes (all-reduce 2(n−1)/n,
// reduce-scatter or all-gather (n−1)/n, all-to-all (n−1)/n) at bus bandwidth `bus_bytes_per_s`.
AIDC_HD inline double ring_time(double bytes, double factor, double bus_bytes_per_s) {
  return bus_bytes_per_s > 0.0 ? bytes * factor / bus_bytes_per_s : 1e30;
}
}  // namespace detail

// Parameters per GPU of one pipeline stage (`stage_layers` layers; the first stage holds the input embedding, the
// last the output projection or, tied, its copy of the table; one stage both), before ZeRO splits.
struct StageParams {
  double dense = 0.0;   // parameters sharded over t (attention, dense MLP, shared experts, router, embeddings)
  double expert = 0.0;  // routed-expert parameters sharded over t × ep
};

AIDC_HD inline StageParams stage_params(const ArchCounts& ac, const LlmArch& a, const TrainingConfig& c,
                                        double stage_layers, bool first_stage, bool last_stage) {
  StageParams sp;
  const double mlp_expert = ac.mlp_total_params * ac.expert_share;
  const double mlp_dense = ac.mlp_total_params - mlp_expert;
  double embed = 0.0;
  if (c.pp == 1) {
    embed = ac.embed_params * (a.tied_embeddings ? 1.0 : 2.0);
  } else {
    embed = (first_stage ? ac.embed_params : 0.0) + (last_stage ? ac.embed_params : 0.0);
  }
  sp.dense = (stage_layers * (ac.attn_params + mlp_dense) + embed) / c.tp;
  sp.expert = stage_layers * mlp_expert / (static_cast<double>(expert_tp(c)) * c.ep);
  return sp;
}

// Whether the degrees are consistent with the problem (the search only generates consistent ones).
AIDC_HD inline bool training_config_valid(const TrainingProblem& p, const TrainingConfig& c) {
  if (c.tp < 1 || c.pp < 1 || c.dp < 1 || c.cp < 1 || c.ep < 1 || c.micro_batch < 1 || c.interleave < 1) return false;
  if (c.zero < 0 || c.zero > 3) return false;
  if (static_cast<long long>(c.tp) * c.pp * c.dp * c.cp != p.gpus) return false;
  // 1F1B (interleaved or not) takes Megatron's placement when p·v does not divide L, with at least one layer in
  // every chunk; interleaving needs pp > 1.
  if (c.interleave > 1 && c.pp == 1) return false;
  if (c.pp * c.interleave > p.arch.layers) return false;
  if (c.pp > 1) {
    StageLayout chunk;
    gpu_layout(p.arch.layers, c.pp, c.interleave, &chunk);
    if (chunk.first < 1 || chunk.last < 1 || (c.pp * c.interleave > 2 && chunk.middle_min < 1)) return false;
  }
  if (c.schedule != PipelineSchedule::OneFOneB) {
    if (c.pp == 1 || c.interleave != 1) return false;
    if (c.schedule != PipelineSchedule::ZeroBubble && c.schedule != PipelineSchedule::DualPipe) return false;
  }
  if (p.arch.heads % c.tp != 0) return false;
  if (c.sequence_parallel != 0 && c.tp == 1) return false;
  // single modules only beside None or Selective, and only those the architecture has
  if (c.recompute_modules != 0 && (c.recompute == Recompute::Full ||
                                   (c.recompute_modules & ~recompute_modules_applicable(p.arch)) != 0)) {
    return false;
  }
  if (p.seq_len < 1 || p.seq_len % c.cp != 0) return false;
  // Experts: ep divides the expert count and ep × e the t·c·d ranks of a stage (parallel folding); e ≠ t only for
  // MoE, and below t only with sequence parallelism (each GPU dispatches its own sequence shard). e divides t: an
  // expert TP wider than the attention's (Megatron allows it) has collectives this model does not count.
  const int e_tp = expert_tp(c);
  if (c.etp < 0 || e_tp > c.tp || c.tp % e_tp != 0) return false;
  if (p.arch.routed_experts == 0 && (c.ep != 1 || e_tp != c.tp)) return false;
  if (p.arch.routed_experts > 0) {
    const long long stage_ranks = static_cast<long long>(c.tp) * c.cp * c.dp;
    if (p.arch.routed_experts % c.ep != 0 || stage_ranks % (static_cast<long long>(e_tp) * c.ep) != 0) return false;
    if (e_tp < c.tp && c.sequence_parallel == 0) return false;
  }
  const double seqs = p.global_batch_tokens / p.seq_len;
  const long long per_replica = static_cast<long long>(seqs) / c.dp;
  if (static_cast<long long>(seqs) % c.dp != 0 || per_replica % c.micro_batch != 0 || per_replica < c.micro_batch) {
    return false;
  }
  // Zero-bubble's (p − 1)(F + B − 2W) needs the p − 1 deferred weight passes of a full pipeline (m ≥ p, as ZB-H1
  // is defined); DualPipe also needs p even and m even.
  const long long m = per_replica / c.micro_batch;
  if (c.schedule != PipelineSchedule::OneFOneB && m < c.pp) return false;
  if (c.schedule == PipelineSchedule::DualPipe && (c.pp % 2 != 0 || m % 2 != 0)) return false;
  return true;
}

AIDC_HD inline TrainingEstimate estimate_training(const TrainingProblem& p, const TrainingConfig& c,
                                                  const TrainingCalibration& k) {
  using detail::dmax;
  using detail::ring_time;
  TrainingEstimate e;
  e.usable_bytes = p.accel.hbm_bytes * p.hbm_usable_fraction - p.hbm_reserve_bytes;
  if (!training_config_valid(p, c)) {
    e.limit = TrainingLimit::InvalidConfig;
    return e;
  }
  const LlmArch& a = p.arch;
  const ArchCounts ac = arch_counts(a);
  const double t = c.tp, pp = c.pp, d = c.dp, cp = c.cp, ep = c.ep, v = c.interleave;
  const double et = expert_tp(c);       // expert tensor-parallel degree (t unless folded)
  const double b = c.micro_batch;
  const double S = p.seq_len;           // full sequence (keys per query)
  const double s = S / cp;              // this GPU's sequence shard
  const double h = a.hidden;
  const double heads = a.heads;
  const double V = a.vocab;
  // The per-micro-batch terms below are per layer; the slowest stage's layer count scales them.
  const double seqs = static_cast<double>(static_cast<long long>(p.global_batch_tokens / p.seq_len));
  const double m = seqs / (d * b);      // micro-batches per pipeline per step
  const bool sp = c.sequence_parallel != 0;
  const double tok = s * b;             // tokens of one micro-batch on this GPU's sequence shard

  const double peak = peak_flops_per_s(p.accel, p.precision);
  if (!(peak > 0.0) || !(peak_flops_per_s(p.accel, Precision::Bf16) > 0.0)) {
    e.limit = TrainingLimit::InvalidConfig;  // the accelerator has no rate at this precision
    return e;
  }
  // BF16 matmuls (attention scores, vocabulary projection; every GEMM in bf16 training) and the layer GEMMs, which run
  // at the training precision: FP8/FP4 GEMMs at their own achievable fraction of their own peak.
  const double bf16_peak = peak_flops_per_s(p.accel, Precision::Bf16);
  const double mm_rate = bf16_peak * k.matmul_fraction;
  const double gemm_rate = p.precision == Precision::Bf16 ? mm_rate : peak * k.fp8_matmul_fraction;
  const bool flash = p.flash_attention;
  const double hbm_rate = p.accel.hbm_bytes_per_s * k.hbm_fraction;
  const int domain = p.accel.scaleup_domain_gpus;
  // A group whose ranks are `stride` apart and `n` wide stays inside the scale-up domain when stride·n ≤ domain
  // (rank order tp fastest, then cp, then dp, then pp, as in Megatron-LM; the expert layers' own order, expert TP
  // fastest, then ep, is used for the all-to-all below).
  auto bus = [&](double stride_times_n) {
    return stride_times_n <= domain ? p.accel.scaleup_bytes_per_s * k.scaleup_bus_fraction
                                    : p.accel.scaleout_bytes_per_s * k.scaleout_bus_fraction;
  };

  // --- Compute of one micro-batch per layer; the output projection (logits) on the last stage. ------------------
  // Routed experts run as grouped GEMMs of M = tok·k·ep·e/(t·E) tokens per local expert (each of the ep·e ranks of
  // an expert group sends its tok/t·k token copies over the E experts, each held by e ranks), at M/(M + M½) of the
  // large-GEMM rate (see TrainingCalibration). At e = t: tok·k·ep/E.
  const double routed_fwd = tok * 2.0 * ac.routed_active_params / t;
  const double dense_fwd = tok * (2.0 * (ac.attn_params + ac.mlp_active_params)) / t - routed_fwd;
  double grouped_efficiency = 1.0;
  if (a.routed_experts > 0 && a.active_experts > 0) {
    const double tokens_per_expert = tok * a.active_experts * ep * et / (t * a.routed_experts);
    grouped_efficiency = tokens_per_expert / (tokens_per_expert + k.expert_gemm_half_tokens);
  }
  // QK^T and attention·V over the full key length; FlashAttention skips the masked half of a causal score matrix.
  const double layer_attn_fwd = tok * 4.0 * S * ac.q_width / t * (flash ? 0.5 : 1.0);
  const double attn_bwd_factor = flash ? 2.5 : 2.0;  // backward matmul FLOPs / forward
  const double logits_fwd = tok * 2.0 * V * h / t;
  // Times at the rates above: fwd (GEMMs at the training precision; attention and logits in bf16), one micro-batch.
  double gemm_fwd_s = (dense_fwd + routed_fwd / grouped_efficiency) / gemm_rate;
  if (p.precision == Precision::Fp4) {
    // NVFP4 (TrainingCalibration): a BF16 share, the rest at the FP4 kernel rate plus its quantisation traffic:
    // per token and layer, each GEMM's input (K) and output-gradient (N) elements, twice (row- and column-wise),
    // a third of it charged to each of fprop, dgrad and wgrad.
    const double f = dense_fwd + routed_fwd / grouped_efficiency;
    const double ffn = a.ffn_hidden, fe = a.moe_ffn_hidden > 0 ? a.moe_ffn_hidden : a.ffn_hidden;
    const double mlp_elems = 2.0 * h + (a.gated_mlp ? 3.0 : 2.0) * ffn;
    const double expert_elems =
        (double(a.active_experts) + a.shared_experts) * (2.0 * h + (a.gated_mlp ? 3.0 : 2.0) * fe);
    const double copies = double(a.active_experts) + a.shared_experts;
    const double moe = ac.moe_layer_fraction;
    // The h-wide elements (a column-parallel GEMM's input, a row-parallel GEMM's output gradient) are replicated
    // on the t ranks unless sequence parallelism shards them; the q-, kv- and ffn-wide ones are sharded over t.
    const double h_elems = 2.0 * h + (1.0 - moe) * 2.0 * h + moe * copies * 2.0 * h;
    const double wide_elems = 2.0 * ac.q_width + 2.0 * ac.kv_width + (1.0 - moe) * (mlp_elems - 2.0 * h) +
                              moe * (expert_elems - copies * 2.0 * h);
    const double elems = h_elems / (sp ? t : 1.0) + wide_elems / t;
    const double quant_bytes = tok * elems * 2.0 * k.fp4_quantize_bytes_per_element / 3.0;
    const double fp4_s = f / (peak * k.fp4_matmul_fraction) + quant_bytes / hbm_rate;
    gemm_fwd_s = k.fp4_bf16_gemm_share * f / mm_rate + (1.0 - k.fp4_bf16_gemm_share) * fp4_s;
  }
  const double attn_fwd_s = layer_attn_fwd / mm_rate;
  const double logits_fwd_s = logits_fwd / mm_rate;
  const double fwd_layer_s = gemm_fwd_s + attn_fwd_s;
  double recompute_s = 0.0;
  if (c.recompute == Recompute::Full) recompute_s = gemm_fwd_s + attn_fwd_s;
  if (c.recompute == Recompute::Selective && !flash) recompute_s = attn_fwd_s;
  const double mb_matmul_s = 3.0 * gemm_fwd_s + (1.0 + attn_bwd_factor) * attn_fwd_s + recompute_s;
  const double logits_mb_s = 3.0 * logits_fwd_s;  // forward and backward of the output projection

  // Activation bytes of one layer for one micro-batch, Korthikanti eq. 2-5 with each tensor at its real width: for
  // MHA with a 4h GeLU MLP, sbh(10 + 24/t) + 5as²b/t without sequence parallelism, sbh·34/t + 5as²b/t with it
  // (with CP the local sequence is s and keys span S). Per token: the two layer norms' inputs (4 bytes × h), the
  // QKV input and the attention dropout mask (3h), replicated over t unless SP; Q, K, V and the attention output
  // (2 bytes each × their widths: GQA's K and V are kv-wide, MLA's decompressed heads are head_dim and v_head_dim
  // wide) sharded over t; MLA's down-projected query and KV latents and their norms (4 bytes × the two ranks),
  // replicated (Megatron-core does not shard the down projections). The dense MLP keeps its input and dropout mask
  // (3h, replicated unless SP) and fc1's output and the activation's output (2f + 2f; gated 2·2f + 2f), sharded.
  // An MoE layer's MLP instead keeps, per token, the router input (2 bytes × h, also the shared experts' input),
  // each of its k routed copies' permuted input (2h) and, for every active and shared expert, fc1's output and the
  // activation's output (as the dense MLP): the tensors Megatron-core's MoE layer saves for backward, the f-wide
  // ones sharded over t (expert tensor parallelism), the h-wide ones replicated over t unless SP. The expert outputs
  // are not kept: since Megatron-core v0.13 the routing probabilities multiply inside the grouped MLP's activation
  // ("memory-efficient token permutation", MCore MoE README), so the unpermute no longer saves its input.
  const double sbh = tok * h;
  const double rep_t = sp ? t : 1.0;  // the divisor of the tensors sequence parallelism shards
  const double hd = a.head_dim > 0 ? a.head_dim : (a.heads > 0 ? h / heads : h);
  const bool mla = a.kv_latent_dim > 0;
  const double k_width = mla ? ac.q_width : (a.kv_heads > 0 ? a.kv_heads : heads) * hd;  // = V's width (GQA)
  const double o_width = mla ? heads * (a.v_head_dim > 0 ? a.v_head_dim : hd) : ac.q_width;  // = V's width (MLA)
  const double v_width = mla ? o_width : k_width;
  const double attn_core = 2.0 * (ac.q_width + k_width + v_width + o_width);
  const double mla_latents = mla ? 4.0 * (double(a.q_lora_rank) + a.kv_latent_dim) : 0.0;
  const double attn_ln_act = sbh * 7.0 / rep_t + tok * (attn_core / t + mla_latents / rep_t);
  const double dense_mlp_act = sbh * 3.0 / rep_t + tok * a.ffn_hidden * (a.gated_mlp ? 6.0 : 4.0) / t;
  double mlp_act = dense_mlp_act;
  if (a.routed_experts > 0) {
    const double moe_mlp_act = sbh * (2.0 + 2.0 * a.active_experts) / rep_t +
                               tok * ac.moe_mlp_width * (a.gated_mlp ? 6.0 : 4.0) / t;
    mlp_act = (1.0 - ac.moe_layer_fraction) * dense_mlp_act + ac.moe_layer_fraction * moe_mlp_act;
  }
  const double act_linear = attn_ln_act + mlp_act;
  // The elementwise kernels still move the expert outputs through the unpermute (2h per routed copy) though they
  // are no longer saved: traffic, not memory.
  const double moved_linear = act_linear + (a.routed_experts > 0 ? ac.moe_layer_fraction * sbh * 2.0 *
                                                                       a.active_experts / rep_t
                                                                 : 0.0);
  // Attention-core activations: standard keeps the s×s softmax output, dropout mask and output (5 bytes per score);
  // FlashAttention keeps the fp32 log-sum-exp per query row and head.
  const double act_softmax = flash ? 4.0 * heads * s * b / t : 5.0 * heads * s * S * b / t;
  // Single modules recomputed (kRecompute* bits), per token and layer, in the tensors above: "layernorm" frees the
  // two norms' outputs (the QKV input and the MLP or router input, 2h each, replicated over t unless SP); "moe_act"
  // the routed experts' activation outputs (2 bytes x k x expert width, sharded); "mlp" a dense layer's fc1 and
  // activation outputs (its input stays) and runs its GEMMs and, with t > 1, its forward collective again;
  // "mla_up_proj" MLA's decompressed Q, K and V (the latents stay) and runs the q_b and kv_b GEMMs again. The
  // recomputed tensors are written once more by the elementwise kernels, and one layer's live at a time.
  double module_saved = 0.0, module_gemm_flops = 0.0, module_colls = 0.0;
  if (c.recompute_modules != 0) {  // training_config_valid: only beside None or Selective, only the arch's modules
    const int mods = c.recompute_modules;
    const double dense_frac = 1.0 - ac.moe_layer_fraction;
    const double fe = a.moe_ffn_hidden > 0 ? a.moe_ffn_hidden : a.ffn_hidden;
    if (mods & kRecomputeLayernorm) module_saved += sbh * 4.0 / rep_t;
    if (mods & kRecomputeMoeAct) module_saved += ac.moe_layer_fraction * tok * a.active_experts * fe * 2.0 / t;
    if (mods & kRecomputeMlp) {
      module_saved += dense_frac * tok * a.ffn_hidden * (a.gated_mlp ? 6.0 : 4.0) / t;
      module_gemm_flops += dense_frac * tok * 2.0 * ac.dense_mlp_params / t;
      module_colls += dense_frac;
    }
    if (mods & kRecomputeMlaUpProj) {
      module_saved += tok * 2.0 * (ac.q_width + k_width + v_width) / t;
      module_gemm_flops += tok * 2.0 * ac.mla_up_params / t;
    }
  }
  // Elementwise kernels are HBM-bound: forward moves the activations once (× passes), backward twice.
  double elem_bytes = (moved_linear + act_softmax) * 3.0;
  if (c.recompute == Recompute::Full) elem_bytes += (moved_linear + act_softmax);
  if (c.recompute == Recompute::Selective && !flash) elem_bytes += act_softmax;
  elem_bytes += module_saved;
  elem_bytes *= k.elementwise_passes;
  // the recomputed GEMMs at the layer GEMMs' rate per FLOP (FP8 / FP4 mixes included)
  const double s_per_layer_gemm_flop = gemm_fwd_s / (dense_fwd + routed_fwd / grouped_efficiency);
  const double layer_compute = mb_matmul_s + module_gemm_flops * s_per_layer_gemm_flop + elem_bytes / hbm_rate;

  // --- Tensor parallel: 2 all-reduces forward, 2 backward per layer (RS+AG pairs with sequence parallelism: same
  // ring volume), 2 more when the forward is recomputed in full. Each moves s·b·h activations (2 bytes).
  double layer_tp = 0.0, layer_tp_fwd = 0.0;
  if (c.tp > 1) {
    const double n_coll = 4.0 + (c.recompute == Recompute::Full ? 2.0 : 0.0);
    // Half of them are the attention's, half the MLP's; a folded MoE layer (e < t) runs its MLP pair over its e
    // expert TP ranks (sbh·e/t bytes each: the e sequence shards it gathers), none at e = 1. Shared experts stay on
    // the attention's tensor-parallel group (Megatron-core), so a layer with one keeps the pair over t.
    const double attn_coll = ring_time(sbh * 2.0, 2.0 * (t - 1.0) / t, bus(t));
    double mlp_coll = attn_coll;
    if (a.routed_experts > 0 && et < t && a.shared_experts == 0) {
      const double moe_coll = et > 1.0 ? ring_time(sbh * 2.0 * et / t, 2.0 * (et - 1.0) / et, bus(et)) : 0.0;
      mlp_coll = (1.0 - ac.moe_layer_fraction) * attn_coll + ac.moe_layer_fraction * moe_coll;
    }
    layer_tp = 0.5 * n_coll * (attn_coll + mlp_coll);
    layer_tp_fwd = layer_tp * 2.0 / n_coll;
    layer_tp += module_colls * attn_coll;  // a recomputed dense MLP's forward collective, in the backward pass
  }
  // --- Context parallel: ring exchange of K and V blocks (forward), K, V, dK, dV (backward), overlapped with the
  // attention score computation of the same layer.
  double layer_cp = 0.0;
  if (c.cp > 1) {
    const double kv_bytes = 2.0 * tok * ac.kv_width * 2.0 / t;  // K and V of the local shard
    const double comm = 3.0 * (cp - 1.0) * kv_bytes / bus(t * cp);
    const double attn_time = (1.0 + attn_bwd_factor) * layer_attn_fwd / mm_rate;
    layer_cp = dmax(0.0, comm - attn_time);
  }
  // --- Expert parallel: dispatch and combine all-to-all forward and backward per MoE layer (again when recomputed).
  double layer_ep = 0.0, ep_fwd_share = 0.0;
  if (c.ep > 1 && a.routed_experts > 0) {
    const double n_a2a = 4.0 + (c.recompute == Recompute::Full ? 2.0 : 0.0);
    ep_fwd_share = 2.0 / n_a2a;
    const double bytes = tok * a.active_experts * h * 2.0 / t;
    // The expert group is e·ep consecutive ranks (folded mapping: expert TP fastest, then ep). Balanced routing
    // sends 1/ep of the copies to each rank of the group. Inside one scale-up domain all of it goes over the
    // scale-up links; an ep spanning domains sends the copies for the `local` ranks of its own domain over the
    // scale-up links and the rest over the NICs, the two at once (NCCL's all-to-all posts the NVLink peer copies
    // and the network sends in one group; DeepEP's internode kernels the same, and they also send a token once per
    // remote node and forward it over NVLink, which is not counted here).
    const double scaleup_a2a = p.accel.scaleup_bytes_per_s * k.alltoall_scaleup_fraction;
    double a2a = ring_time(bytes, (ep - 1.0) / ep, scaleup_a2a);
    if (et * ep > domain) {
      const double local = dmax(1.0, static_cast<double>(static_cast<long long>(domain / et)));
      const double intra = ring_time(bytes, (local - 1.0) / ep, scaleup_a2a);
      const double inter = ring_time(bytes, (ep - local) / ep, p.accel.scaleout_bytes_per_s * k.scaleout_bus_fraction);
      a2a = dmax(intra, inter);
    }
    layer_ep = ac.moe_layer_fraction * n_a2a * a2a;
  }
  // --- The slowest rank sets the micro-batch time: first, a middle one, or the last with the output projection.
  // DualPipe: each rank runs its two stages (i and p − 1 − i) for half the micro-batches each, so its time per
  // micro-batch is the mean of the two; rank 0 pairs the first and the last stage.
  const bool dual = c.schedule == PipelineSchedule::DualPipe && c.pp > 1;
  const StageLayout layout = gpu_layout(a.layers, c.pp, c.interleave);
  const double per_layer = layer_compute + layer_tp + layer_cp + layer_ep;
  double n_slow = layout.last;
  double logits_slow = 1.0;
  if (dual) {
    n_slow = 0.5 * (layout.first + layout.last);
    logits_slow = 0.5;
    if (c.pp > 2 && layout.middle_max * per_layer > n_slow * per_layer + logits_slow * logits_mb_s) {
      n_slow = layout.middle_max;
      logits_slow = 0.0;
    }
  } else {
    double slow = layout.last * per_layer + logits_mb_s;
    if (c.pp > 1 && layout.first * per_layer > slow) {
      n_slow = layout.first;
      logits_slow = 0.0;
      slow = layout.first * per_layer;
    }
    if (c.pp > 2 && layout.middle_max * per_layer > slow) {
      n_slow = layout.middle_max;
      logits_slow = 0.0;
    }
  }
  const double mb_compute = n_slow * layer_compute + logits_slow * logits_mb_s;
  const double mb_tp = n_slow * layer_tp, mb_cp = n_slow * layer_cp;
  // DualPipe hides the expert all-to-all of one chunk under the compute of its paired chunk.
  const double mb_ep = dual ? dmax(0.0, n_slow * layer_ep - mb_compute) : n_slow * layer_ep;
  // The forward of one micro-batch on that rank: its GEMMs and attention, the forward elementwise pass (one of the
  // three activation passes), the forward TP collectives, the forward KV ring's third of the exposed CP time and the
  // forward dispatch and combine.
  const double fwd_elem_s = (moved_linear + act_softmax) * k.elementwise_passes / hbm_rate;
  const double fwd_s = n_slow * (fwd_layer_s + fwd_elem_s + layer_tp_fwd + layer_cp / 3.0) + ep_fwd_share * mb_ep +
                       logits_slow * logits_fwd_s;
  const double t_mb = mb_compute + mb_tp + mb_cp + mb_ep;

  // --- Pipeline fill and drain (schedules in the header): F forward, B = t_mb − F full backward, W the
  // weight-gradient GEMMs of one micro-batch on the slowest rank. Activations are sent point to point at each of the
  // v stage boundaries forward and backward, split over the t GPUs of the stage (Megatron scatter/gather); DualPipe
  // runs them under compute.
  double bubble = 0.0;
  double pp_comm = 0.0;
  if (c.pp > 1) {
    const double f = fwd_s, bwd = t_mb - fwd_s;
    const double w = n_slow * gemm_fwd_s + logits_slow * logits_fwd_s;
    switch (c.schedule) {
      case PipelineSchedule::ZeroBubble: bubble = (pp - 1.0) * dmax(0.0, f + bwd - 2.0 * w); break;
      case PipelineSchedule::DualPipe: bubble = (pp / 2.0 - 1.0) * dmax(0.0, (f + bwd) + bwd - 3.0 * w); break;
      case PipelineSchedule::OneFOneB: bubble = (pp - 1.0) / v * t_mb; break;
    }
    if (!dual) pp_comm = m * 2.0 * v * ring_time(sbh * 2.0 / t, 1.0, bus(t * cp * d * pp));
  }

  // --- Data parallel: gradient reduce-scatter + parameter all-gather (= one all-reduce's volume) over d·c ranks,
  // overlapped with the backward pass of the last micro-batch. ZeRO-3 gathers weights again for each micro-batch's
  // forward and backward, overlapped with that micro-batch's compute.
  // The stages' parameters: the gradient reduction of the stage with the most sets the exposed DP time.
  const StageParams sp_first = stage_params(ac, a, c, layout.first, true, c.pp == 1);
  const StageParams sp_middle = stage_params(ac, a, c, layout.middle_max, false, false);
  const StageParams sp_last = stage_params(ac, a, c, layout.last, c.pp == 1, true);
  // DualPipe ranks hold two stages: rank 0 the first and the last, the others two middle ones.
  auto plus = [](const StageParams& x, const StageParams& y) {
    return StageParams{x.dense + y.dense, x.expert + y.expert};
  };
  const StageParams rank_first = dual ? plus(sp_first, sp_last) : sp_first;
  const StageParams rank_middle = dual ? plus(sp_middle, sp_middle) : sp_middle;
  const StageParams rank_last = dual ? rank_first : sp_last;
  StageParams sp_params = rank_first;
  if (c.pp > 2 && rank_middle.dense + rank_middle.expert > sp_params.dense + sp_params.expert) sp_params = rank_middle;
  if (c.pp > 1 && rank_last.dense + rank_last.expert > sp_params.dense + sp_params.expert) sp_params = rank_last;
  const double g_dense = d * cp;
  const double g_expert = dmax(1.0, t * d * cp / (et * ep));  // expert data-parallel ranks
  double dp_comm = 0.0;
  {
    const double bus_dp = bus(t * cp * d);
    double grad_time = 0.0;
    if (g_dense > 1.0) grad_time += ring_time(sp_params.dense * 2.0, 2.0 * (g_dense - 1.0) / g_dense, bus_dp);
    if (g_expert > 1.0) grad_time += ring_time(sp_params.expert * 2.0, 2.0 * (g_expert - 1.0) / g_expert, bus_dp);
    // DualPipe: ranks i and p − 1 − i hold the same two stages, so each step also all-reduces their gradients
    // between the pair (2 ranks: 2(n − 1)/n = 1 × the bytes), across the pipeline axis.
    if (dual) grad_time += ring_time((sp_params.dense + sp_params.expert) * 2.0, 1.0, bus(t * cp * d * pp));
    const double backward_window = 2.0 * fwd_s;
    dp_comm = dmax(0.0, grad_time - backward_window);
    if (c.zero == 3 && g_dense > 1.0) {
      const double gather = ring_time(sp_params.dense * 2.0, (g_dense - 1.0) / g_dense, bus_dp) +
                            (g_expert > 1.0 ? ring_time(sp_params.expert * 2.0, (g_expert - 1.0) / g_expert, bus_dp)
                                            : 0.0);
      dp_comm += m * dmax(0.0, 2.0 * gather - t_mb);
    }
  }

  // --- Memory per GPU: the most loaded stage. 1F1B: stage i holds min(p − i, m) micro-batches of its layers
  // (the first the most); interleaving adds (p−1)/(p·v) of that (Korthikanti §4.2.3). Checked: the first stage, the
  // second (a middle stage, which with uneven placement has one layer more than the first) and the last.
  const double z1 = c.zero >= 1 ? 1.0 : 0.0, z2 = c.zero >= 2 ? 1.0 : 0.0, z3 = c.zero >= 3 ? 1.0 : 0.0;
  auto shard = [](double n, double g, double on) { return on > 0.0 ? n / g : n; };
  double act_layer = 0.0;
  switch (c.recompute) {
    case Recompute::None: act_layer = act_linear + act_softmax - module_saved; break;
    case Recompute::Selective: act_layer = act_linear - module_saved; break;
    case Recompute::Full: act_layer = 2.0 * sbh / (sp ? t : 1.0); break;
  }
  const double interleave_factor = c.interleave > 1 ? 1.0 + (pp - 1.0) / (pp * v) : 1.0;
  struct StageMemory {
    double weights = 0.0, gradients = 0.0, optimizer = 0.0, activations = 0.0, total = 0.0;
  };
  auto stage_memory = [&](const StageParams& w, double layers, double in_flight, bool logits) {
    StageMemory r;
    r.weights = 2.0 * (shard(w.dense, g_dense, z3) + shard(w.expert, g_expert, z3));
    r.gradients = 2.0 * (shard(w.dense, g_dense, z2) + shard(w.expert, g_expert, z2));
    r.optimizer = 12.0 * (shard(w.dense, g_dense, z1) + shard(w.expert, g_expert, z1));
    double act = layers * act_layer * in_flight * interleave_factor;
    if (c.recompute == Recompute::Full) act += act_linear + act_softmax;  // one layer's recomputed working set
    act += module_saved;  // the recomputed modules' tensors of one layer
    if (logits) act += 4.0 * tok * V / t;                                 // fp32 logits
    r.activations = act;
    r.total = r.weights + r.gradients + r.optimizer + r.activations;
    return r;
  };
  // The first stage is charged the logits too (as before uneven placement: a conservative small term).
  StageMemory worst;
  if (dual) {
    // Each rank: two stages' parameters, p + 1 micro-batches of one stage's activations (DualPipe README).
    const double in_flight = detail::dmin(pp + 1.0, m);
    worst = stage_memory(rank_first, detail::dmax(layout.first, layout.last), in_flight, true);
    if (c.pp > 2) {
      const StageMemory mid = stage_memory(rank_middle, layout.middle_max, in_flight, false);
      if (mid.total > worst.total) worst = mid;
    }
  } else {
    worst = stage_memory(sp_first, layout.first, detail::dmin(pp, m), true);
    if (c.pp > 2) {
      const StageMemory mid = stage_memory(sp_middle, layout.middle_max, detail::dmin(pp - 1.0, m), false);
      if (mid.total > worst.total) worst = mid;
    }
    if (c.pp > 1) {
      const StageMemory last = stage_memory(sp_last, layout.last, 1.0, true);
      if (last.total > worst.total) worst = last;
    }
  }
  e.weights_bytes = worst.weights;
  e.gradients_bytes = worst.gradients;
  e.optimizer_bytes = worst.optimizer;
  e.activation_bytes = worst.activations;
  e.memory_bytes = worst.total;
  const double w_dense = sp_params.dense, w_expert = sp_params.expert;
  e.stage_layers_first = layout.first;
  e.stage_layers_middle = layout.middle_max;
  e.stage_layers_last = layout.last;

  // --- Optimizer step: Adam reads and writes weights, master weights, m, v and reads gradients: ~32 bytes/param.
  const double opt_params = shard(w_dense, g_dense, z1) + shard(w_expert, g_expert, z1);
  const double optimizer = opt_params * 32.0 / hbm_rate;

  e.compute_s = m * mb_compute;
  e.tp_comm_s = m * mb_tp;
  e.cp_comm_s = m * mb_cp;
  e.ep_comm_s = m * mb_ep;
  e.bubble_s = bubble;
  e.pp_comm_s = pp_comm;
  e.dp_comm_s = dp_comm;
  e.optimizer_s = optimizer;
  e.step_time_s = m * t_mb + bubble + pp_comm + dp_comm + optimizer;
  const double tokens = seqs * S;
  e.tokens_per_s = tokens / e.step_time_s;
  e.model_flops_per_step = 6.0 * ac.model_params * tokens;
  e.model_tflops_per_gpu = e.model_flops_per_step / e.step_time_s / p.gpus / 1e12;
  e.mfu = peak > 0.0 ? e.model_tflops_per_gpu * 1e12 / peak : 0.0;
  e.feasible = e.memory_bytes <= e.usable_bytes ? 1 : 0;
  e.limit = e.feasible ? TrainingLimit::Fits : TrainingLimit::Memory;
  return e;
}

AIDC_HD inline TrainingEstimate estimate_training(const TrainingProblem& p, const TrainingConfig& c) {
  return estimate_training(p, c, training_calibration(p.accel.generation, p.precision));
}

// Strict order used to pick the best configuration: feasible first, then the shorter step, then (both infeasible)
// the smaller memory, then the lower index. Associative and commutative, so any reduction order gives one answer.
// Est: TrainingEstimate or any struct with feasible, step_time_s, memory_bytes and limit.
template <class Est>
AIDC_HD bool training_better(const Est& x, long long ix, const Est& y, long long iy) {
  if (x.feasible != y.feasible) return x.feasible > y.feasible;
  if (x.feasible) {
    if (x.step_time_s != y.step_time_s) return x.step_time_s < y.step_time_s;
  } else if (x.memory_bytes != y.memory_bytes) {
    // Invalid configs (memory 0) must never win over a valid infeasible one.
    const bool xv = x.limit != TrainingLimit::InvalidConfig, yv = y.limit != TrainingLimit::InvalidConfig;
    if (xv != yv) return xv;
    return x.memory_bytes < y.memory_bytes;
  }
  return ix < iy;
}

}  // namespace aidc
