// Construction draws, interest during construction and commitment fees (core/model/economics.hpp).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/model/economics.hpp"

namespace aidc {

namespace {

constexpr int kMonthsPerYear = 12;

int construction_rows(int months) { return months <= 0 ? 1 : (months + kMonthsPerYear - 1) / kMonthsPerYear; }

// Row (0 = first construction year) of month m (1..months); months are counted back from COD, so the last twelve
// months are the last row and the first row may be partial.
int row_of_month(int m, int months) {
  return construction_rows(months) - 1 - (months - m) / kMonthsPerYear;
}

}  // namespace

std::vector<double> drawdown_shares(const ConstructionSpec& c) {
  const int M = c.months;
  std::vector<double> w(static_cast<std::size_t>(std::max(0, M)), 0.0);
  if (M <= 0) return w;
  if (c.profile == "s_curve") {
    // sin² bell: slow mobilisation, peak spending mid-way, slow commissioning; its cumulative is an S-curve.
    for (int m = 1; m <= M; ++m) {
      const double x = std::sin(std::numbers::pi * (m - 0.5) / M);
      w[static_cast<std::size_t>(m - 1)] = x * x;
    }
  } else if (c.profile == "by_year" && !c.by_year.empty()) {
    std::vector<int> months_in_row(static_cast<std::size_t>(construction_rows(M)), 0);
    for (int m = 1; m <= M; ++m) ++months_in_row[static_cast<std::size_t>(row_of_month(m, M))];
    for (int m = 1; m <= M; ++m) {
      const auto row = static_cast<std::size_t>(row_of_month(m, M));
      if (row < c.by_year.size()) w[static_cast<std::size_t>(m - 1)] = c.by_year[row] / months_in_row[row];
    }
  } else {
    std::fill(w.begin(), w.end(), 1.0);
  }
  double sum = 0.0;
  for (double x : w) sum += x;
  if (sum > 0.0) {
    for (double& x : w) x /= sum;
  }
  return w;
}

ConstructionSchedule construction_schedule(const ConstructionSpec& c, double capex_usd, double interest_rate,
                                           double commitment_fee_rate) {
  ConstructionSchedule s;
  const auto rows = static_cast<std::size_t>(construction_rows(c.months));
  s.capex_usd.assign(rows, 0.0);
  s.idc_usd.assign(rows, 0.0);
  s.commitment_fee_usd.assign(rows, 0.0);
  if (c.months <= 0) {
    s.capex_usd[0] = capex_usd;
    return s;
  }
  const std::vector<double> w = drawdown_shares(c);
  const double monthly_rate = interest_rate / kMonthsPerYear;
  // First pass: draws and capitalised interest (the facility is capex + IDC); second: fees on the undrawn part.
  double balance = 0.0;
  for (int m = 1; m <= c.months; ++m) {
    const auto row = static_cast<std::size_t>(row_of_month(m, c.months));
    const double draw = w[static_cast<std::size_t>(m - 1)] * capex_usd;
    const double idc = (balance + draw) * monthly_rate;
    s.capex_usd[row] += draw;
    s.idc_usd[row] += idc;
    balance += draw + idc;
  }
  s.idc_total_usd = balance - capex_usd;
  const double facility = balance;
  balance = 0.0;
  for (int m = 1; m <= c.months; ++m) {
    const auto row = static_cast<std::size_t>(row_of_month(m, c.months));
    const double draw = w[static_cast<std::size_t>(m - 1)] * capex_usd;
    balance += draw;
    s.commitment_fee_usd[row] += std::max(0.0, facility - balance) * commitment_fee_rate / kMonthsPerYear;
    balance += (balance) * monthly_rate;
  }
  return s;
}

}  // namespace aidc
