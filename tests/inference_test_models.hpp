#pragma once
// Architectures and accelerators for the inference tests, with their sources. Copied here (tests only): the
// simulator reads the same numbers from the scenario catalogs.

#include "catalog_fixtures.hpp"
#include "kernels/accelerator_spec.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/llm_arch.hpp"

namespace aidc::test {

inline LlmArch llama_dense(int layers, int hidden, int ffn, int heads, int kv_heads, int vocab, double published) {
  LlmArch a;
  a.layers = layers;
  a.hidden = hidden;
  a.ffn_hidden = ffn;
  a.heads = heads;
  a.kv_heads = kv_heads;
  a.head_dim = hidden / heads;
  a.vocab = vocab;
  a.gated_mlp = true;
  a.published_params = published;
  return a;
}

// meta-llama/Llama-3.1-8B config.json: 32 layers, hidden 4096, intermediate 14336, 32 heads, 8 KV heads,
// vocab 128256, untied embeddings. Published size 8.03 B (model card).
inline LlmArch llama_3_1_8b() { return llama_dense(32, 4096, 14336, 32, 8, 128256, 8.03e9); }

// meta-llama/Llama-3.3-70B-Instruct config.json: 80 layers, 8192, 28672, 64 heads, 8 KV, vocab 128256.
// Published 70.6 B (model card).
inline LlmArch llama_3_3_70b() { return llama_dense(80, 8192, 28672, 64, 8, 128256, 70.6e9); }

// meta-llama/Llama-3.1-405B config.json: 126 layers, 16384, 53248, 128 heads, 8 KV, vocab 128256.
// Published 405 B (model card; 405.85 B counted from the checkpoint).
inline LlmArch llama_3_1_405b() { return llama_dense(126, 16384, 53248, 128, 8, 128256, 405.85e9); }

// meta-llama/Llama-2-70b-hf config.json: 80 layers, 8192, 28672, 64 heads, 8 KV (GQA), vocab 32000.
// Published 68.98 B counted from the checkpoint ("70B" on the model card).
inline LlmArch llama_2_70b() { return llama_dense(80, 8192, 28672, 64, 8, 32000, 68.98e9); }

// mistralai/Mixtral-8x7B-v0.1 config.json: 32 layers, 4096, expert ffn 14336, 32 heads, 8 KV, vocab 32000,
// 8 experts, top-2. Published 46.7 B total, 12.9 B active (Mistral AI announcement).
inline LlmArch mixtral_8x7b() {
  LlmArch a = llama_dense(32, 4096, 14336, 32, 8, 32000, 46.7e9);
  a.routed_experts = 8;
  a.active_experts = 2;
  a.moe_ffn_hidden = 14336;
  a.published_active_params = 12.9e9;
  return a;
}

// deepseek-ai/DeepSeek-V3 config.json: 61 layers (first 3 dense), hidden 7168, dense ffn 18432, 128 heads,
// MLA q_lora_rank 1536, kv_lora_rank 512, qk_nope 128, qk_rope 64, v_head 128; 256 routed experts top-8 + 1
// shared, expert ffn 2048; vocab 129280. Published 671 B total, 37 B active (DeepSeek-V3 technical report; the
// checkpoint's 685 B adds the 14 B multi-token-prediction module, not served here).
inline LlmArch deepseek_v3() {
  LlmArch a;
  a.layers = 61;
  a.hidden = 7168;
  a.ffn_hidden = 18432;
  a.heads = 128;
  a.kv_heads = 128;
  a.head_dim = 192;
  a.vocab = 129280;
  a.routed_experts = 256;
  a.active_experts = 8;
  a.shared_experts = 1;
  a.moe_ffn_hidden = 2048;
  a.dense_layers = 3;
  a.kv_latent_dim = 576;
  a.q_lora_rank = 1536;
  a.qk_rope_head_dim = 64;
  a.v_head_dim = 128;
  a.published_params = 671e9;
  a.published_active_params = 37e9;
  return a;
}

// Accelerators from the built-in catalog (scenarios/catalog/accelerators.json, from shared/data/accelerators.csv).
inline AcceleratorSpec h100_sxm() { return catalog_accelerator("h100-sxm"); }

inline AcceleratorSpec mi300x() { return catalog_accelerator("mi300x"); }

inline AcceleratorSpec b200() { return catalog_accelerator("b200"); }

}  // namespace aidc::test
