#include "core/cli/kpi_table.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace aidc {

namespace {
// Four significant digits without exponent for the sizes a site-year produces; exponent beyond.
std::string format_value(double x) {
  const double a = std::fabs(x);
  if (x == 0.0) return "0";
  if (a >= 1e9 || a < 1e-4) return fmt::format("{:.4g}", x);
  if (a >= 1000.0) return fmt::format("{:.0f}", x);
  return fmt::format("{:.4g}", x);
}

void print_row(std::ostream& out, const std::string& name, const std::string& units, const std::string& mean,
               const std::string& p10, const std::string& p50, const std::string& p90) {
  out << fmt::format("{:<30} {:<6} {:>14} {:>14} {:>14} {:>14}\n", name, units, mean, p10, p50, p90);
}
}  // namespace

void print_kpi_table(std::ostream& out, std::span<const KpiRow> kpis) {
  print_row(out, "kpi", "units", "mean", "p10", "p50", "p90");
  for (const auto& k : kpis) {
    print_row(out, k.name, k.units, format_value(k.mean), format_value(k.p10), format_value(k.p50),
              format_value(k.p90));
  }
}

}  // namespace aidc
