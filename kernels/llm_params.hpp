#pragma once
// Parameter counts of an LLM architecture, shared by the inference and the training models (one count for both):
// dense and MoE layers, GQA and multi-head latent attention (MLA, DeepSeek-V2/V3), tied or untied embeddings.
// DeepSeek-V3 (llm_models.json): 671 B total, 37 B active per token (tests/test_kernel_training.cpp checks both
// within 2 %).

#include "kernels/hd.hpp"
#include "kernels/llm_arch.hpp"

namespace aidc {

// ---------------------------------------------------------------------------------------------------------------
// Parameter counts

struct LlmParamCounts {
  double embedding = 0.0;        // input embedding table
  double lm_head = 0.0;          // output projection (0 when tied)
  double attention_per_layer = 0.0;
  double dense_mlp_per_layer = 0.0;  // MLP of a dense layer
  double expert = 0.0;               // one routed or shared expert
  double router_per_layer = 0.0;
  double norms_per_layer = 0.0;
  int moe_layers = 0;
  int dense_layers = 0;
  double total = 0.0;
  double active = 0.0;               // per token: attention + dense MLPs + k routed + shared experts + embeddings
  double matmul_active_per_token = 0.0;  // weights a token multiplies through, excluding the embedding lookup and
                                         // the lm_head (charged per sequence that emits a token)
};

AIDC_HD inline double mlp_params(const LlmArch& a, int inner) {
  return (a.gated_mlp ? 3.0 : 2.0) * double(a.hidden) * double(inner);
}

AIDC_HD inline double attention_params(const LlmArch& a) {
  const double d = a.hidden;
  if (a.kv_latent_dim > 0) {
    // MLA (DeepSeek-V2/V3): q_a (d x q_lora), q_b (q_lora x heads*head_dim) or a direct q projection; kv_a
    // (d x latent incl. rope); kv_b (kv_lora x heads*(nope + v)); o (heads*v x d).
    const double rope = a.qk_rope_head_dim;
    const double kv_lora = double(a.kv_latent_dim) - rope;
    const double nope = double(a.head_dim) - rope;
    const double v = a.v_head_dim > 0 ? a.v_head_dim : a.head_dim;
    const double q = a.q_lora_rank > 0
                         ? d * a.q_lora_rank + double(a.q_lora_rank) * a.heads * a.head_dim + a.q_lora_rank
                         : d * a.heads * a.head_dim;
    const double kv = d * a.kv_latent_dim + kv_lora * a.heads * (nope + v) + kv_lora;
    const double o = double(a.heads) * v * d;
    return q + kv + o;
  }
  const double q = d * double(a.heads) * a.head_dim;
  const double kv = 2.0 * d * double(a.kv_heads) * a.head_dim;
  const double o = double(a.heads) * a.head_dim * d;
  return q + kv + o;
}

AIDC_HD inline LlmParamCounts count_params(const LlmArch& a) {
  LlmParamCounts c;
  c.embedding = double(a.vocab) * a.hidden;
  c.lm_head = a.tied_embeddings ? 0.0 : double(a.vocab) * a.hidden;
  c.attention_per_layer = attention_params(a);
  c.dense_mlp_per_layer = mlp_params(a, a.ffn_hidden);
  c.norms_per_layer = 2.0 * a.hidden;
  const bool moe = a.routed_experts > 0;
  c.moe_layers = moe ? a.layers - a.dense_layers : 0;
  c.dense_layers = a.layers - c.moe_layers;
  c.expert = moe ? mlp_params(a, a.moe_ffn_hidden) : 0.0;
  c.router_per_layer = moe ? double(a.routed_experts) * a.hidden : 0.0;
  const double per_moe_layer_total =
      c.attention_per_layer + c.norms_per_layer + c.router_per_layer +
      (double(a.routed_experts) + a.shared_experts) * c.expert;
  const double per_moe_layer_active =
      c.attention_per_layer + c.norms_per_layer + c.router_per_layer +
      (double(a.active_experts) + a.shared_experts) * c.expert;
  const double per_dense_layer = c.attention_per_layer + c.norms_per_layer + c.dense_mlp_per_layer;
  c.total = c.embedding + c.lm_head + a.hidden + c.dense_layers * per_dense_layer + c.moe_layers * per_moe_layer_total;
  c.active = c.embedding + c.lm_head + a.hidden + c.dense_layers * per_dense_layer + c.moe_layers * per_moe_layer_active;
  c.matmul_active_per_token = c.dense_layers * per_dense_layer + c.moe_layers * per_moe_layer_active;
  return c;
}

}  // namespace aidc
