#include "core/model/uncertainty_sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <utility>

#include "core/engine/rng.hpp"

namespace aidc {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

double normal_quantile(double p) {
  // P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function" (2003):
  // rational approximations in a central region and two tails, relative error below 1.15e-9, then one step of
  // Halley's method on the exact CDF.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  p = std::clamp(p, 1e-300, 1.0 - 1e-16);
  double x = 0.0;
  if (p < p_low) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= 1.0 - p_low) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

namespace {

// The discrete values in increasing order with their normalised cumulative weights, within [min, max].
std::vector<std::pair<double, double>> discrete_cdf(const Distribution& d) {
  std::vector<std::pair<double, double>> vw;
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    const double w = i < d.weights.size() ? d.weights[i] : 1.0;
    if (d.values[i] >= d.min && d.values[i] <= d.max && w > 0.0) vw.emplace_back(d.values[i], w);
  }
  std::stable_sort(vw.begin(), vw.end());
  double sum = 0.0;
  for (auto& [v, w] : vw) sum += w;
  double cum = 0.0;
  for (auto& [v, w] : vw) {
    cum += w / sum;
    w = cum;
  }
  return vw;
}

// CDF and quantile of the untruncated distribution.
double cdf(const Distribution& d, double x) {
  switch (d.kind) {
    case DistributionKind::Normal: return normal_cdf((x - d.mean) / d.sd);
    case DistributionKind::Lognormal: return x <= 0.0 ? 0.0 : normal_cdf(std::log(x / d.median) / d.sigma);
    case DistributionKind::Uniform: return std::clamp((x - d.low) / (d.high - d.low), 0.0, 1.0);
    case DistributionKind::Triangular: {
      const double a = d.low, b = d.high, m = d.mode;
      if (x <= a) return 0.0;
      if (x >= b) return 1.0;
      return x <= m ? (x - a) * (x - a) / ((b - a) * (m - a)) : 1.0 - (b - x) * (b - x) / ((b - a) * (b - m));
    }
    case DistributionKind::Discrete: break;
  }
  return 0.0;  // discrete: truncation is applied to its values instead
}

double quantile(const Distribution& d, double u) {
  switch (d.kind) {
    case DistributionKind::Normal: return d.mean + d.sd * normal_quantile(u);
    case DistributionKind::Lognormal: return d.median * std::exp(d.sigma * normal_quantile(u));
    case DistributionKind::Uniform: return d.low + u * (d.high - d.low);
    case DistributionKind::Triangular: {
      const double a = d.low, b = d.high, m = d.mode;
      const double at_mode = (m - a) / (b - a);
      return u < at_mode ? a + std::sqrt(u * (b - a) * (m - a)) : b - std::sqrt((1.0 - u) * (b - a) * (b - m));
    }
    case DistributionKind::Discrete: {
      const auto vw = discrete_cdf(d);
      if (vw.empty()) return std::clamp(d.values.empty() ? 0.0 : d.values.front(), d.min, d.max);
      for (const auto& [v, cum] : vw) {
        if (u <= cum) return v;
      }
      return vw.back().first;
    }
  }
  return 0.0;
}

}  // namespace

Matrix correlation_matrix(const UncertaintySpec& u) {
  const std::size_t n = u.inputs.size();
  Matrix c(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) c[i][i] = 1.0;
  for (const InputCorrelation& ic : u.correlations) c[ic.a][ic.b] = c[ic.b][ic.a] = ic.rho;
  return c;
}

std::optional<Matrix> cholesky_factor(const Matrix& c) {
  const std::size_t n = c.size();
  Matrix l(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = c[i][j];
      for (std::size_t k = 0; k < j; ++k) sum -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(sum > 1e-12)) return std::nullopt;
        l[i][i] = std::sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

double distribution_quantile(const Distribution& d, double u) {
  if (d.kind == DistributionKind::Discrete) return quantile(d, u);
  const double lo = d.min > -1e308 ? cdf(d, d.min) : 0.0;
  const double hi = d.max < 1e308 ? cdf(d, d.max) : 1.0;
  const double x = quantile(d, lo + u * (hi - lo));
  return std::clamp(x, d.min, d.max);
}

std::vector<std::vector<double>> draw_uncertain_inputs(const UncertaintySpec& u, std::uint64_t seed, int replications) {
  const std::size_t n = u.inputs.size();
  const auto R = static_cast<std::size_t>(std::max(0, replications));
  // Uniforms per input and replication, stratified (Latin hypercube) or plain.
  std::vector<std::vector<double>> uni(n, std::vector<double>(R));
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint64_t> stratum(R);
    std::iota(stratum.begin(), stratum.end(), std::uint64_t{0});
    if (u.sampling == "latin_hypercube") {
      RngStream perm(seed, 0, kStreamUncertaintyFirst + 2 * i + 1);
      for (std::size_t k = R; k > 1; --k) std::swap(stratum[k - 1], stratum[perm.uniform_int(k)]);  // Fisher-Yates
    }
    for (std::size_t r = 0; r < R; ++r) {
      RngStream jitter(seed, r, kStreamUncertaintyFirst + 2 * i);
      const double x = jitter.uniform();
      uni[i][r] = u.sampling == "latin_hypercube" ? (static_cast<double>(stratum[r]) + x) / static_cast<double>(R) : x;
    }
  }
  if (!u.correlations.empty()) {
    // Parsing refuses correlations without a factor; a hand-built spec with such correlations draws independently.
    Matrix identity(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) identity[i][i] = 1.0;
    const Matrix l = cholesky_factor(correlation_matrix(u)).value_or(identity);
    std::vector<double> z(n);
    for (std::size_t r = 0; r < R; ++r) {
      for (std::size_t i = 0; i < n; ++i) z[i] = normal_quantile(uni[i][r]);
      for (std::size_t i = 0; i < n; ++i) {
        double mixed = 0.0;
        for (std::size_t k = 0; k <= i; ++k) mixed += l[i][k] * z[k];
        uni[i][r] = std::clamp(normal_cdf(mixed), 1e-300, 1.0 - 1e-16);
      }
    }
  }
  std::vector<std::vector<double>> values(n, std::vector<double>(R));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t r = 0; r < R; ++r) values[i][r] = distribution_quantile(u.inputs[i].distribution, uni[i][r]);
  }
  return values;
}

}  // namespace aidc
