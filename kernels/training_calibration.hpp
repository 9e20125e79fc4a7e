#pragma once
// Achievable fractions of an accelerator's peak figures in LLM training, per accelerator generation and precision
// class. A handful of numbers per generation, fitted to whole-step measurements; never per model or per row.
//
// How they were fitted (Ampere, bf16/fp16): the eight Megatron-LM step times on Selene A100 80GB in
// Korthikanti et al. 2022 (arXiv 2205.05198, Tables 3 and 5; 22B, 175B, 530B and 1T GPT models, sequence 2048,
// TP 8 inside a DGX, PP across nodes, full recompute and sequence-parallel + selective recompute) with the configs
// exactly as given. The collective fractions are not fitted: they are measured bus bandwidth over link bandwidth
// (nccl-tests all_reduce_perf, large messages: 8x A100 NVSwitch 230-250 GB/s busbw over 300 GB/s per direction;
// HDR InfiniBand typically reaches ~80% of line rate). The remaining two, the matmul fraction and the elementwise
// traffic passes, were fitted by a grid search minimising the median absolute relative error of the eight rows
// (tests/test_kernel_training_calibration.cpp prints each row's error; `aidcsim calibrate` reruns the grid from the
// catalog's calibration rows, core/run/calibration_fit.cpp, and tests/test_calibration_fit.cpp requires the result to
// equal the values below). Their physics: matmuls run at a fixed fraction
// of tensor-core peak; elementwise work (layer norm, dropout, GeLU, softmax, residual adds) is HBM-bound, moving
// `elementwise_passes` bytes per byte of the activations that Korthikanti's formulas count (34sbh + 5as^2b per
// layer), forward once and backward twice. The second term is what makes small-hidden models slower per FLOP.
//
// Generations without measurements inherit the nearest measured one (marked below).
//
// FP8 (and FP4) training: only the transformer-layer GEMMs run in the low precision (Transformer Engine's recipe);
// attention, the vocabulary projection, elementwise work and collectives stay bf16 (kernels/training_model.hpp).
// The GEMMs reach `fp8_matmul_fraction` of the FP8 dense peak: 0.64, i.e. 1.6x the bf16 GEMM rate (0.80 of a peak
// half as high). Public figures behind it: NVIDIA's NeMo FP8 throughput study ("Faster Training Throughput in FP8
// Precision with NVIDIA NeMo", developer.nvidia.com blog, 2025) measures per-tensor-scaled FP8 GEMMs on H100 at up to
// 2x bf16 for the largest shapes and less for smaller GEMMs and finer-grained (block, MX) scaling, whose quantisation
// and scale handling cost time; the end-to-end result is well below 2x: Megatron-LM + Transformer Engine, GPT 13B on
// H100, 0.34 s -> 0.24 s per step (1.42x; NVIDIA/Megatron-LM issue #396, where the maintainers explain that 2x
// holds for the arithmetic only), and NVIDIA's Megatron-Bridge low-precision post reports up to ~1.6x for FP8/NVFP4
// recipes. Not fitted to any row of reference_measurements.json; the test that FP8 lands at 1.2-1.6x over bf16 on a
// 13B GPT (tests/test_kernel_training_calibration.cpp) is the consistency check against issue #396.
//
// FP4 (NVFP4) training, Transformer Engine's recipe as NVIDIA's "Pretraining Large Language Models with NVFP4"
// (arXiv 2509.25149) describes it: only the linear-layer GEMMs (fprop, dgrad, wgrad) run in NVFP4, about 16 % of
// them (the most sensitive layers) stay BF16, and attention, embeddings, the output head, norms and collectives stay
// high precision. The kernel: Transformer Engine's "GEMM Speedups Across Precisions" page (B300, a 5B config, hidden
// 4096) measures NVFP4 pre-quantized GEMMs at 3.55x BF16; with BF16 GEMMs at 0.80 of their peak and B300's NVFP4
// dense peak 6x its BF16 one, that is 3.55 x 0.80 / 6 = 0.47 of the FP4 peak. Quantisation is counted as HBM
// traffic, not as the page's autocast figure (2.03x, which re-quantises the weights on every call with unfused
// kernels): every activation and output gradient entering an NVFP4 GEMM is quantised twice (row-wise for fprop /
// dgrad, column-wise with the Hadamard transform for wgrad), 4.5625 bytes moved per element each time; weights once
// per step (negligible). On GB200 (NVFP4 4x BF16) this gives about 2x BF16 and 1.25x FP8 for the GEMMs.
//
// MoE expert GEMMs: an expert sees M = tok·k·ep/E tokens of a micro-batch, a GEMM too short in M to fill the
// tensor cores when M is in the hundreds (tile quantisation, too few tiles per SM, the weight reads not amortised).
// DeepGEMM's published H800 FP8 figures (deepseek-ai/DeepGEMM README, February 2025: dense M = 64, 128 and masked
// grouped M = 256..1024 against the same N x K with 4096 tokens per group, two expert shapes) give the achieved share
// M / (M + M½) with M½ = 164 tokens (grid fit, median |error| 7.9 %, max 26 %; reference_measurements.json
// "grouped_gemm", refitted by `aidcsim calibrate`). Hopper FP8 kernels; other generations and precisions inherit
// it (Blackwell's larger MMA tiles would raise M½: no published figure yet).

#include "kernels/accelerator_spec.hpp"
#include "kernels/hd.hpp"

namespace aidc {

// Calibration classes are the AcceleratorGeneration values carried in AcceleratorSpec::generation
// (kernels/accelerator_spec.hpp; set from the catalog's "generation" field).

struct TrainingCalibration {
  double matmul_fraction = 0.5;          // of dense peak at the training precision
  double elementwise_passes = 4.0;       // HBM bytes moved per activation byte counted by Korthikanti's formulas
  double hbm_fraction = 0.85;            // of HBM bandwidth reached by elementwise kernels (STREAM-like)
  double scaleup_bus_fraction = 0.8;     // NCCL bus bandwidth / scale-up link bandwidth (one direction)
  double scaleout_bus_fraction = 0.8;    // NCCL bus bandwidth / NIC line rate
  double fp8_matmul_fraction = 0.64;     // layer GEMMs in FP8/FP4: of the dense peak at that precision (see above)
  // Routed-expert grouped GEMMs with M tokens per expert run at M / (M + expert_gemm_half_tokens) of the large-GEMM
  // rate (see above): fitted to DeepGEMM's published H800 grouped and small-M GEMM figures.
  double expert_gemm_half_tokens = 164.0;
  // Expert all-to-all (dispatch, combine) over the scale-up fabric: of the link rate, one direction. Not the
  // all-reduce's bus fraction: an all-to-all gains nothing from NVLink SHARP in-switch reduction. DeepEP's published
  // figures: 153 GB/s on H800 NVLink (200 GB/s per direction: 0.77; deepseek-ai/DeepEP docs/legacy.md, normal
  // kernels, EP 8) and 726-740 GB/s on Blackwell NVLink (900: 0.81; DeepEP README, SM100 EP 8, 64 SMs); 0.8 for all.
  // Over the scale-out NICs the scale-out bus fraction (DeepEP internode 43-58 GB/s of 50 per 400 Gb/s NIC).
  double alltoall_scaleup_fraction = 0.8;
  // NVFP4 training (see above): the GEMM kernel's share of the FP4 dense peak, the share of the layer GEMMs the
  // recipe keeps in BF16, and the HBM bytes per quantised element (read bf16 2 + write FP4 0.5 + E4M3 scale 1/16 +
  // the per-tensor amax pass reading bf16 again 2).
  double fp4_matmul_fraction = 0.47;
  double fp4_bf16_gemm_share = 0.16;
  double fp4_quantize_bytes_per_element = 4.5625;
};

// Ampere, fitted on Selene A100 (see above). hbm_fraction: STREAM-like kernels reach ~85-90% of A100 HBM2e.
// Grid: matmul_fraction 0.50..0.95 step 0.01, elementwise_passes 0..10 step 0.25, objective median + 0.3 × max of
// |estimate/measured − 1|. Result 0.80 and 3.5: median error 1.0%, max 8.3% (22B, full recompute, over).
AIDC_HD constexpr TrainingCalibration ampere_bf16_calibration() { return {0.80, 3.5, 0.85, 0.80, 0.80}; }
// Hopper (H100, H200): no training step times in the reference data yet; inherits Ampere's matmul and elementwise fractions
// (published H100 Megatron MFU, ~40-50% for GPT-3 175B, is in line with that). Scale-up bus fraction from nccl-tests
// on 8x H100 NVSwitch (460-480 GB/s busbw over 450 GB/s per direction, NVLS in-switch reduction), capped at 1.
AIDC_HD constexpr TrainingCalibration hopper_bf16_calibration() { return {0.80, 3.5, 0.85, 1.00, 0.85}; }
// Blackwell and CDNA3/4: no data; inherit Hopper (nearest generation), AMD with RCCL's lower xGMI bus fraction
// unmeasured here, so the same 0.8 as Ampere NVLink.
AIDC_HD constexpr TrainingCalibration blackwell_bf16_calibration() { return hopper_bf16_calibration(); }
AIDC_HD constexpr TrainingCalibration cdna_bf16_calibration() { return {0.80, 3.5, 0.85, 0.80, 0.80}; }

AIDC_HD inline TrainingCalibration training_calibration(int generation, Precision /*precision: inherits bf16*/) {
  switch (static_cast<AcceleratorGeneration>(generation)) {
    case AcceleratorGeneration::Hopper: return hopper_bf16_calibration();
    case AcceleratorGeneration::Blackwell: return blackwell_bf16_calibration();
    // Gaudi 3 has no data either; its scale-up is RoCE, closer to AMD's measured bus fraction than to NVLink's.
    case AcceleratorGeneration::Cdna3:
    case AcceleratorGeneration::Cdna4:
    case AcceleratorGeneration::Gaudi3: return cdna_bf16_calibration();
    case AcceleratorGeneration::Ampere:
    case AcceleratorGeneration::Ada:
    case AcceleratorGeneration::Unknown: break;
  }
  return ampere_bf16_calibration();  // Ampere, Ada (no NVLink) and unknown
}

}  // namespace aidc
