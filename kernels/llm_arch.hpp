#pragma once
// A transformer LLM's architecture as plain numbers (from scenarios/catalog/llm_models.json via the scenario
// layer; kernels never read files). Dense and mixture-of-experts (MoE) decoders, grouped-query attention (GQA)
// and multi-head latent attention (MLA, DeepSeek) are covered by the fields below.

#include <cstdint>

#include "kernels/hd.hpp"

namespace aidc {

struct LlmArch {
  int layers = 0;
  int hidden = 0;          // model width d
  int ffn_hidden = 0;      // MLP inner width of a dense layer
  int heads = 0;           // query heads
  int kv_heads = 0;        // key/value heads (GQA); = heads for MHA
  int head_dim = 0;        // per-head width (usually hidden / heads)
  int vocab = 0;
  bool gated_mlp = true;   // SwiGLU-style MLP: three weight matrices instead of two
  // Mixture of experts (0 routed experts: dense model).
  int routed_experts = 0;       // experts per MoE layer
  int active_experts = 0;       // experts each token is routed to (top-k)
  int shared_experts = 0;       // always-active experts per MoE layer
  int moe_ffn_hidden = 0;       // inner width of one expert
  int dense_layers = 0;         // leading layers that stay dense in an MoE model (DeepSeek-V3: 3)
  // Multi-head latent attention: KV cache holds a compressed latent per token and layer instead of K and V.
  int kv_latent_dim = 0;        // 0: ordinary attention; DeepSeek-V3: 512 latent + 64 rope = 576
  // MLA projection shapes (only read when kv_latent_dim > 0). DeepSeek-V3: q_lora_rank 1536, rope 64, v 128; the
  // query/key head width is head_dim (= nope 128 + rope 64 = 192).
  int q_lora_rank = 0;          // 0: queries projected directly from the hidden state
  int qk_rope_head_dim = 0;     // decoupled rotary part of the query/key head, also held in the latent cache
  int v_head_dim = 0;           // value head width (0: head_dim)
  bool tied_embeddings = false; // output projection shares the input embedding matrix
  // Parameter counts as published (used to check the formulas; 0 when unknown).
  double published_params = 0.0;
  double published_active_params = 0.0;
};

}  // namespace aidc
