#pragma once
// US export-control screening of accelerators (EAR ECCN 3A090): total processing performance (TPP), performance
// density (PD) and the 3A090.a / 3A090.b tiers of the rule of 17 Oct 2023 (effective 16 Nov 2023, restated Dec 2024),
// as summarised in shared/data/export_control.md. Pure functions on plain structs.
//
// These are screening flags with the rule's date, not a classification ruling: not legal advice; check the current
// rules (the AI Diffusion rule of Jan 2025 was rescinded on 13 May 2025, and licence policy per destination changes).

#include <cstdint>
#include <string>
#include <vector>

#include "core/scenario/scenario.hpp"

namespace aidc {

inline constexpr const char* kExportRuleDate = "2023-10-17 (effective 2023-11-16; restated 2024-12)";
inline constexpr const char* kExportControlNote =
    "not legal advice; check the current rules (US EAR ECCN 3A090 thresholds of the 17 Oct 2023 rule; screening "
    "flags only, not a classification ruling)";

// 3A090 thresholds (EAR Supplement 1 to part 774, 3A090 technical notes).
inline constexpr double kTpp3A090aHigh = 4800.0;  // 3A090.a: TPP >= 4800, or
inline constexpr double kTpp3A090aLow = 1600.0;   //           TPP >= 1600 and PD >= 5.92
inline constexpr double kPd3A090a = 5.92;
inline constexpr double kTpp3A090bMid = 2400.0;   // 3A090.b: 2400 <= TPP < 4800 and 1.6 <= PD < 5.92, or
inline constexpr double kPd3A090bLow = 1.6;       //          TPP >= 1600 and 3.2 <= PD < 5.92
inline constexpr double kPd3A090bMid = 3.2;

enum class ExportClass { Eccn3A090a, Eccn3A090b, NotControlled, Indeterminate };
std::string export_class_name(ExportClass c);  // "3A090.a", "3A090.b", "not controlled", "indeterminate"

// Dense (no sparsity) peak throughput per precision, in TFLOPS or TOPS; NaN where the chip has no such figure.
// logic_die_mm2 is the applicable (logic) die area; NaN when unpublished.
struct AcceleratorFigures {
  std::string name;
  double fp4_dense_tflops = 0.0;
  double fp8_dense_tflops = 0.0;
  double bf16_dense_tflops = 0.0;
  double logic_die_mm2 = 0.0;
};

struct TppResult {
  double tpp = 0.0;        // dense TOPS x bit length, the highest over the precisions
  std::string precision;   // which precision gave it ("fp4", "fp8", "bf16"); "" when no figure
};

// TPP = 2 x MacTOPS x bit length = dense TOPS x bit length, maximised over precisions (fp4 x4, fp8 x8, bf16 x16).
TppResult total_processing_performance(const AcceleratorFigures& a);
// TPP / logic die area in mm2; NaN when the area is unknown.
double performance_density(double tpp, double logic_die_mm2);
// The tier for a TPP and PD; with PD unknown (NaN) a chip that TPP alone does not settle is Indeterminate.
ExportClass classify_3a090(double tpp, double pd);

struct AcceleratorAssessment {
  std::string accelerator;
  long long count = 0;            // accelerators of this kind in the deployment
  double tpp = 0.0;
  std::string tpp_precision;
  double performance_density = 0.0;  // NaN when unknown
  std::string performance_density_text;  // e.g. "19.4" or "unknown (logic die area not published)"
  ExportClass classification = ExportClass::NotControlled;
  std::string classification_name;
  std::string rule_date;
};

struct ComplianceReport {
  std::vector<AcceleratorAssessment> accelerators;  // one per accelerator kind, in order of first appearance
  long long accelerator_count = 0;                  // all accelerators in the deployment
  double total_tpp = 0.0;                           // sum over accelerators of count x TPP
  long long controlled_3a090a_count = 0;
  std::string rule_date = kExportRuleDate;
  std::string note = kExportControlNote;
};

// The deployment's assessment from the resolved systems (each carries its accelerator's figures).
ComplianceReport assess_export_control(const ItSpec& it);

}  // namespace aidc
