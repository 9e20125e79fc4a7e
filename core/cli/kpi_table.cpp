#include "core/cli/kpi_table.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace aidc {

namespace {
// Four significant digits without exponent for the sizes a site-year produces; exponent beyond.
std::string format_value(double x) {
  char buf[32];
  const double a = std::fabs(x);
  if (x == 0.0) return "0";
  if (a >= 1e9 || a < 1e-4) std::snprintf(buf, sizeof buf, "%.4g", x);
  else if (a >= 1000.0) std::snprintf(buf, sizeof buf, "%.0f", x);
  else std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}
}  // namespace

void print_kpi_table(std::ostream& out, std::span<const KpiRow> kpis) {
  char line[256];
  std::snprintf(line, sizeof line, "%-30s %-6s %14s %14s %14s %14s\n", "kpi", "units", "mean", "p10", "p50", "p90");
  out << line;
  for (const auto& k : kpis) {
    std::snprintf(line, sizeof line, "%-30s %-6s %14s %14s %14s %14s\n", k.name.c_str(), k.units.c_str(),
                  format_value(k.mean).c_str(), format_value(k.p10).c_str(), format_value(k.p50).c_str(),
                  format_value(k.p90).c_str());
    out << line;
  }
}

}  // namespace aidc
