#include "core/model/export_control.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace aidc {

std::string export_class_name(ExportClass c) {
  switch (c) {
    case ExportClass::Eccn3A090a: return "3A090.a";
    case ExportClass::Eccn3A090b: return "3A090.b";
    case ExportClass::NotControlled: return "not controlled";
    case ExportClass::Indeterminate: return "indeterminate";
  }
  return "indeterminate";
}

TppResult total_processing_performance(const AcceleratorFigures& a) {
  TppResult best;
  auto consider = [&](double tops, double bits, const char* name) {
    if (std::isfinite(tops) && tops > 0.0 && tops * bits > best.tpp) {
      best.tpp = tops * bits;
      best.precision = name;
    }
  };
  consider(a.fp4_dense_tflops, 4.0, "fp4");
  consider(a.fp8_dense_tflops, 8.0, "fp8");
  consider(a.bf16_dense_tflops, 16.0, "bf16");
  return best;
}

double performance_density(double tpp, double logic_die_mm2) {
  if (!std::isfinite(logic_die_mm2) || logic_die_mm2 <= 0.0) return std::numeric_limits<double>::quiet_NaN();
  return tpp / logic_die_mm2;
}

ExportClass classify_3a090(double tpp, double pd) {
  if (tpp >= kTpp3A090aHigh) return ExportClass::Eccn3A090a;
  if (tpp < kTpp3A090aLow) return ExportClass::NotControlled;
  // 1600 <= TPP < 4800: the density decides.
  if (std::isnan(pd)) return ExportClass::Indeterminate;
  if (pd >= kPd3A090a) return ExportClass::Eccn3A090a;
  if (tpp >= kTpp3A090bMid && pd >= kPd3A090bLow) return ExportClass::Eccn3A090b;
  if (pd >= kPd3A090bMid) return ExportClass::Eccn3A090b;
  return ExportClass::NotControlled;
}

ComplianceReport assess_export_control(const ItSpec& it) {
  ComplianceReport report;
  for (const SystemSpec& s : it.systems) {
    const long long n = static_cast<long long>(s.count) * s.gpus_per_system;
    AcceleratorAssessment* row = nullptr;
    for (auto& r : report.accelerators) {
      if (r.accelerator == s.accelerator) row = &r;
    }
    if (row == nullptr) {
      AcceleratorAssessment a;
      a.accelerator = s.accelerator;
      const AcceleratorFigures fig{s.accelerator, s.fp4_dense_tflops, s.fp8_dense_tflops, s.bf16_dense_tflops,
                                   s.logic_die_mm2};
      const TppResult t = total_processing_performance(fig);
      a.tpp = t.tpp;
      a.tpp_precision = t.precision;
      a.performance_density = performance_density(t.tpp, s.logic_die_mm2);
      if (std::isnan(a.performance_density)) {
        a.performance_density_text = "unknown (logic die area not published)";
      } else {
        a.performance_density_text = fmt::format("{:.2f}", a.performance_density);
      }
      a.classification = classify_3a090(a.tpp, a.performance_density);
      a.classification_name = export_class_name(a.classification);
      a.rule_date = kExportRuleDate;
      report.accelerators.push_back(a);
      row = &report.accelerators.back();
    }
    row->count += n;
    report.accelerator_count += n;
    report.total_tpp += static_cast<double>(n) * row->tpp;
    if (row->classification == ExportClass::Eccn3A090a) report.controlled_3a090a_count += n;
  }
  return report;
}

}  // namespace aidc
