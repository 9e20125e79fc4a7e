#pragma once
// An accelerator's performance figures in SI units (from scenarios/catalog/accelerators.json via the scenario
// layer). Dense (no sparsity) peak compute per precision.

#include "kernels/hd.hpp"

namespace aidc {

enum class Precision : int { Bf16 = 0, Fp8 = 1, Fp4 = 2 };

// Calibration classes: fitted efficiencies belong to an architecture generation, not to a measured row.
enum class AcceleratorGeneration : int {
  Unknown = 0,
  Ampere = 1,     // A100
  Ada = 2,        // L40S
  Hopper = 3,     // H100, H200
  Blackwell = 4,  // B200, GB200, GB300
  Cdna3 = 5,      // MI300X, MI325X
  Cdna4 = 6,      // MI355X
  Gaudi3 = 7,
};

struct AcceleratorSpec {
  double bf16_flops_per_s = 0.0;
  double fp8_flops_per_s = 0.0;   // 0 when not supported
  double fp4_flops_per_s = 0.0;   // 0 when not supported
  double hbm_bytes = 0.0;
  double hbm_bytes_per_s = 0.0;
  double scaleup_bytes_per_s = 0.0;  // per GPU, one direction (the catalog's bidirectional figure / 2)
  int scaleup_domain_gpus = 1;       // GPUs reachable over the scale-up fabric (NVLink/xGMI domain)
  double scaleout_bytes_per_s = 0.0; // per GPU NIC bandwidth, one direction
  double tdp_w = 0.0;
  int generation = 0;                // an AcceleratorGeneration: efficiencies are fitted per generation, not per row
};

AIDC_HD inline double peak_flops_per_s(const AcceleratorSpec& a, Precision p) {
  switch (p) {
    case Precision::Fp4: return a.fp4_flops_per_s > 0.0 ? a.fp4_flops_per_s : 0.0;
    case Precision::Fp8: return a.fp8_flops_per_s > 0.0 ? a.fp8_flops_per_s : 0.0;
    case Precision::Bf16: break;
  }
  return a.bf16_flops_per_s;
}

// Bytes per weight element at a precision (the value alone).
AIDC_HD inline double bytes_per_element(Precision p) {
  switch (p) {
    case Precision::Fp4: return 0.5;
    case Precision::Fp8: return 1.0;
    case Precision::Bf16: break;
  }
  return 2.0;
}

// Bytes per stored weight element, block scales included. FP4 weights carry a shared scale per micro-block: NVFP4
// (NVIDIA Blackwell) one FP8 E4M3 scale per 16 values, 4.5 bits per value (NVIDIA, "Introducing NVFP4 for Efficient
// and Accurate Low-Precision Inference", 2025; the per-tensor FP32 scale is negligible); MXFP4 (OCP Microscaling
// Formats v1.0, AMD CDNA4) one E8M0 scale per 32 values, 4.25 bits. FP8 and BF16 scales are per tensor or channel:
// negligible.
AIDC_HD inline double stored_bytes_per_element(Precision p, int generation) {
  if (p != Precision::Fp4) return bytes_per_element(p);
  return generation == static_cast<int>(AcceleratorGeneration::Cdna4) ? 0.5 + 1.0 / 32.0 : 0.5 + 1.0 / 16.0;
}

}  // namespace aidc
