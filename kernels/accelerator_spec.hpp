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

// Bytes per weight element at a precision.
AIDC_HD inline double bytes_per_element(Precision p) {
  switch (p) {
    case Precision::Fp4: return 0.5;
    case Precision::Fp8: return 1.0;
    case Precision::Bf16: break;
  }
  return 2.0;
}

}  // namespace aidc
