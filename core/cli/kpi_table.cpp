#include "core/cli/kpi_table.hpp"

#include <array>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/stats/number_text.hpp"

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

struct Headline {
  const char* kpi;
  const char* label;
  PeopleFormat format;
};

// Ten of these, the first present in this order: what a lender's adviser asks first of a site, its power, its
// fleet and its economics.
constexpr std::array kHeadlines{
    Headline{"pue_annual", "annual PUE", PeopleFormat::Ratio},
    Headline{"facility_energy_mwh", "facility energy", PeopleFormat::Quantity},
    Headline{"peak_facility_power_mw", "peak facility power", PeopleFormat::Quantity},
    Headline{"water_m3", "cooling water", PeopleFormat::Quantity},
    Headline{"carbon_t", "CO2 emitted", PeopleFormat::Quantity},
    Headline{"power_availability", "critical power availability", PeopleFormat::Percent},
    Headline{"accelerator_availability", "accelerator availability", PeopleFormat::Percent},
    Headline{"npv_usd", "project NPV", PeopleFormat::Usd},
    Headline{"project_irr", "project IRR", PeopleFormat::Percent},
    Headline{"min_dscr", "minimum DSCR", PeopleFormat::Cover},
    Headline{"slo_attainment", "inference SLO attainment", PeopleFormat::Percent},
    Headline{"levelized_usd_per_gpu_hour", "levelized cost", PeopleFormat::Ratio},
    Headline{"equity_irr", "equity IRR", PeopleFormat::Percent},
};
constexpr std::size_t kHeadlineCount = 10;

}  // namespace

std::string format_for_people(double value, PeopleFormat format, const std::string& units) {
  if (!std::isfinite(value)) return "undefined";
  switch (format) {
    case PeopleFormat::Ratio: {
      const std::string v = fmt::format("{:.3g}", value);
      return units.empty() || units == "1" ? v : v + " " + units;
    }
    case PeopleFormat::Percent: {
      // Availabilities near 1 keep the digits that tell 99.9 % from 99.99 %.
      const double pct = 100.0 * value;
      const int decimals = pct >= 99.0 && pct < 100.0 ? 3 : 1;
      return fmt::format("{:.{}f} %", pct, decimals);
    }
    case PeopleFormat::Usd: {
      const double a = std::fabs(value);
      if (a >= 1e9) return fmt::format("{:.2f} B USD", value / 1e9);
      if (a >= 1e6) return fmt::format("{:.1f} M USD", value / 1e6);
      return with_thousands(fmt::format("{:.0f}", value)) + " USD";
    }
    case PeopleFormat::Quantity: {
      const std::string v = std::fabs(value) >= 100.0 ? with_thousands(fmt::format("{:.0f}", value))
                                                      : fmt::format("{:.3g}", value);
      return units.empty() || units == "1" ? v : v + " " + units;
    }
    case PeopleFormat::Cover:
      return fmt::format("{:.2f}x", value);
  }
  return fmt::format("{}", value);
}

void print_kpi_table(std::ostream& out, std::span<const KpiRow> kpis) {
  print_row(out, "kpi", "units", "mean", "p10", "p50", "p90");
  for (const auto& k : kpis) {
    print_row(out, k.name, k.units, format_value(k.mean), format_value(k.p10), format_value(k.p50),
              format_value(k.p90));
  }
}

void print_headline_kpis(std::ostream& out, std::span<const KpiRow> kpis, int replications) {
  out << fmt::format("headline KPIs: P50 (P10 - P90) over {} replication(s); all {} KPIs with --kpis all\n",
                     replications, kpis.size());
  std::size_t shown = 0;
  for (const Headline& h : kHeadlines) {
    if (shown == kHeadlineCount) break;
    for (const KpiRow& k : kpis) {
      if (k.name != h.kpi) continue;
      out << fmt::format("  {:<30} {:>16}  ({} - {})\n", h.label, format_for_people(k.p50, h.format, k.units),
                         format_for_people(k.p10, h.format, k.units), format_for_people(k.p90, h.format, k.units));
      ++shown;
      break;
    }
  }
}

}  // namespace aidc
