#pragma once
// Architectures and accelerators for the kernel tests, straight from the reference data: GPT models of
// Korthikanti et al. 2022 (vocab 51200, multi-head attention, GeLU MLP) and accelerators.csv (dense bf16 peak,
// HBM, NVLink bidirectional / 2 per direction). Scale-out per GPU: 200 Gb/s HDR on Selene A100, 400 Gb/s NDR on H100.

#include "catalog_fixtures.hpp"
#include "kernels/accelerator_spec.hpp"
#include "kernels/llm_arch.hpp"
#include "kernels/training_calibration.hpp"
#include "kernels/training_model.hpp"

namespace aidc::test {

inline LlmArch gpt_arch(int layers, int hidden, int heads) {
  LlmArch a;
  a.layers = layers;
  a.hidden = hidden;
  a.ffn_hidden = 4 * hidden;
  a.heads = heads;
  a.kv_heads = heads;
  a.head_dim = hidden / heads;
  a.vocab = 51200;
  a.gated_mlp = false;
  return a;
}
inline LlmArch megatron_22b() { return gpt_arch(48, 6144, 64); }
inline LlmArch gpt3_175b() { return gpt_arch(96, 12288, 96); }
inline LlmArch turing_530b() { return gpt_arch(105, 20480, 128); }
inline LlmArch megatron_1t() { return gpt_arch(128, 25600, 160); }

inline AcceleratorSpec a100_sxm_80gb() { return aidc::test::catalog_accelerator("a100-sxm-80gb"); }

inline AcceleratorSpec h100_sxm() { return aidc::test::catalog_accelerator("h100-sxm"); }

inline TrainingProblem problem(const LlmArch& arch, const AcceleratorSpec& accel, int gpus, int seq, long long seqs) {
  TrainingProblem p;
  p.arch = arch;
  p.accel = accel;
  p.gpus = gpus;
  p.seq_len = seq;
  p.global_batch_tokens = static_cast<double>(seqs) * seq;
  return p;
}

// Every GPU its own data-parallel replica (tp = pp = 1), one sequence per micro-batch, nothing recomputed.
inline TrainingConfig data_parallel_config(int gpus) {
  TrainingConfig c;
  c.dp = gpus;
  c.micro_batch = 1;
  c.recompute = Recompute::None;
  return c;
}

}  // namespace aidc::test
