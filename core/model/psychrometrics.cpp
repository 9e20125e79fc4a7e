#include "core/model/psychrometrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace aidc {
namespace {

constexpr double kKelvinOffset = 273.15;
// Ratio of molecular masses of water and dry air, 18.015268 / 28.966 (ASHRAE HOF 2017 ch. 1 eq. 20).
constexpr double kMolarMassRatio = 0.621945;
// Temperature bounds of the Hyland–Wexler fits (ASHRAE HOF 2017 ch. 1: −100..+200 °C).
constexpr double kMinTempC = -100.0;
constexpr double kMaxTempC = 200.0;
// Convergence tolerance of the root solvers (assumption: far below the 0.05 K accuracy asked of the model).
constexpr double kSolveTolK = 1e-7;

double log_saturation_vapor_pressure(double temp_c) {
  const double t = std::clamp(temp_c, kMinTempC, kMaxTempC) + kKelvinOffset;
  if (temp_c < 0.0) {
    // Over ice, ASHRAE HOF 2017 ch. 1 eq. 5 (Hyland & Wexler 1983), pressure in Pa.
    constexpr double c1 = -5.6745359e+03, c2 = 6.3925247e+00, c3 = -9.6778430e-03, c4 = 6.2215701e-07,
                     c5 = 2.0747825e-09, c6 = -9.4840240e-13, c7 = 4.1635019e+00;
    return c1 / t + c2 + t * (c3 + t * (c4 + t * (c5 + t * c6))) + c7 * std::log(t);
  }
  // Over liquid water, ASHRAE HOF 2017 ch. 1 eq. 6 (Hyland & Wexler 1983), pressure in Pa.
  constexpr double c8 = -5.8002206e+03, c9 = 1.3914993e+00, c10 = -4.8640239e-02, c11 = 4.1764768e-05,
                   c12 = -1.4452093e-08, c13 = 6.5459673e+00;
  return c8 / t + c9 + t * (c10 + t * (c11 + t * c12)) + c13 * std::log(t);
}

void require_finite(double v, const char* what) {
  if (!std::isfinite(v)) throw std::invalid_argument(std::string("psychrometrics: ") + what + " is not finite");
}

}  // namespace

double saturation_vapor_pressure_pa(double temp_c) { return std::exp(log_saturation_vapor_pressure(temp_c)); }

double pressure_at_elevation_pa(double elevation_m) {
  // ASHRAE HOF 2017 ch. 1 eq. 3: p = 101.325 (1 − 2.25577e−5 Z)^5.2559 kPa, Z in m (valid in the troposphere).
  return kStandardPressurePa * std::pow(1.0 - 2.25577e-5 * elevation_m, 5.2559);
}

double humidity_ratio_from_vapor_pressure(double vapor_pressure_pa, double pressure_pa) {
  const double pw = std::clamp(vapor_pressure_pa, 0.0, 0.999 * pressure_pa);
  return kMolarMassRatio * pw / (pressure_pa - pw);
}

double vapor_pressure_from_humidity_ratio(double humidity_ratio, double pressure_pa) {
  const double w = std::max(humidity_ratio, 0.0);
  return pressure_pa * w / (kMolarMassRatio + w);
}

double humidity_ratio(double dry_bulb_c, double rh_pct, double pressure_pa) {
  return humidity_ratio_from_vapor_pressure(std::max(rh_pct, 0.0) / 100.0 * saturation_vapor_pressure_pa(dry_bulb_c),
                                            pressure_pa);
}

double relative_humidity_from_humidity_ratio(double dry_bulb_c, double humidity_ratio, double pressure_pa) {
  return 100.0 * vapor_pressure_from_humidity_ratio(humidity_ratio, pressure_pa) /
         saturation_vapor_pressure_pa(dry_bulb_c);
}

double dew_point_from_vapor_pressure_c(double vapor_pressure_pa) {
  require_finite(vapor_pressure_pa, "vapour pressure");
  // ln p_ws is strictly increasing in temperature: bisection on it cannot fail; Newton would save few calls here.
  const double target = std::log(std::max(vapor_pressure_pa, 1e-9));
  double lo = kMinTempC;
  double hi = kMaxTempC;
  if (target <= log_saturation_vapor_pressure(lo)) return lo;
  if (target >= log_saturation_vapor_pressure(hi)) return hi;
  while (hi - lo > kSolveTolK) {
    const double mid = 0.5 * (lo + hi);
    (log_saturation_vapor_pressure(mid) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double dew_point_c(double dry_bulb_c, double rh_pct) {
  require_finite(dry_bulb_c, "dry bulb");
  require_finite(rh_pct, "relative humidity");
  if (rh_pct <= 0.0) return kMinTempC;
  return dew_point_from_vapor_pressure_c(rh_pct / 100.0 * saturation_vapor_pressure_pa(dry_bulb_c));
}

double relative_humidity_from_dew_point(double dry_bulb_c, double dew_point_c) {
  return 100.0 * saturation_vapor_pressure_pa(dew_point_c) / saturation_vapor_pressure_pa(dry_bulb_c);
}

double humidity_ratio_from_wet_bulb(double dry_bulb_c, double wet_bulb_c, double pressure_pa) {
  const double ws_star = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure_pa(wet_bulb_c), pressure_pa);
  const double t = dry_bulb_c;
  const double ts = wet_bulb_c;
  if (ts >= 0.0) {
    // ASHRAE HOF 2017 ch. 1 eq. 33 (kJ/kg constants: 2501 latent heat at 0 °C, 1.006 c_p air, 1.86 c_p vapour,
    // 4.186 c_p liquid water).
    return ((2501.0 - 2.326 * ts) * ws_star - 1.006 * (t - ts)) / (2501.0 + 1.86 * t - 4.186 * ts);
  }
  // ASHRAE HOF 2017 ch. 1 eq. 35 (wet bulb below freezing: ice on the bulb; 2830 sublimation heat, 2.1 c_p ice).
  return ((2830.0 - 0.24 * ts) * ws_star - 1.006 * (t - ts)) / (2830.0 + 1.86 * t - 2.1 * ts);
}

double wet_bulb_from_humidity_ratio_c(double dry_bulb_c, double humidity_ratio, double pressure_pa) {
  require_finite(dry_bulb_c, "dry bulb");
  require_finite(humidity_ratio, "humidity ratio");
  require_finite(pressure_pa, "pressure");
  const double w = std::max(humidity_ratio, 1e-7);  // PsychroLib also floors W at 1e-7 to keep the root bracketed
  // f(t*) = W(t_db, t*) − W rises with t*; at t* = t_db it is W_s(t_db) − W >= 0 for unsaturated air.
  auto f = [&](double ts) { return humidity_ratio_from_wet_bulb(dry_bulb_c, ts, pressure_pa) - w; };
  double hi = dry_bulb_c;
  if (f(hi) <= 0.0) return dry_bulb_c;  // saturated or supersaturated input: wet bulb equals dry bulb
  // The wet bulb lies at or above the dew point; start the bracket just below it and widen if needed.
  double lo = std::min(dew_point_from_vapor_pressure_c(vapor_pressure_from_humidity_ratio(w, pressure_pa)) - 1.0,
                       dry_bulb_c - 1.0);
  while (f(lo) > 0.0 && lo > kMinTempC) lo = std::max(kMinTempC, lo - 10.0);
  if (f(lo) > 0.0) return lo;

  // Safeguarded Newton: Newton steps from the current iterate, falling back to bisection whenever
  // the step leaves the bracket or does not halve it.
  double x = 0.5 * (lo + hi);
  for (int iter = 0; iter < 200 && hi - lo > kSolveTolK; ++iter) {
    const double fx = f(x);
    if (fx == 0.0) return x;
    (fx < 0.0 ? lo : hi) = x;
    constexpr double h = 1e-6;  // finite-difference step, K
    const double dfx = (f(x + h) - fx) / h;
    double next = (dfx > 0.0) ? x - fx / dfx : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) < kSolveTolK) return next;
    x = next;
  }
  return std::min(x, dry_bulb_c);
}

double wet_bulb_c(double dry_bulb_c, double rh_pct, double pressure_pa) {
  require_finite(rh_pct, "relative humidity");
  const double rh = std::clamp(rh_pct, 0.0, 100.0);
  return wet_bulb_from_humidity_ratio_c(dry_bulb_c, humidity_ratio(dry_bulb_c, rh, pressure_pa), pressure_pa);
}

}  // namespace aidc
