#include "core/model/weather.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "core/engine/rng.hpp"
#include "core/model/psychrometrics.hpp"

namespace aidc {
namespace {

constexpr std::array<int, 12> kDaysInMonth{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};  // non-leap year
constexpr int kDaysPerYear = 365;
constexpr int kHoursPerDay = 24;
// Diurnal shape: minimum near sunrise, maximum in the afternoon (ASHRAE HOF 2009 ch. 14 Table 6 design-day profile
// has its minimum at 05–06 h and its maximum between 14 and 15 h solar time; Parton & Logan 1981 likewise).
constexpr int kMinHour = 6;
// Fixed-point calibration of the mid-month nodes; the error shrinks by at least half per pass (the averaging
// operator of linear interpolation has eigenvalues in [0.5, 1]), so 30 passes leave far below 0.001 K.
constexpr int kCalibrationPasses = 30;

struct DiurnalShape {
  int max_hour = 14;
  int rise_hours() const { return max_hour - kMinHour; }
  int fall_hours() const { return kHoursPerDay - rise_hours(); }
};

using Monthly = std::array<double, 12>;

struct Calendar {
  Monthly mid_day{};                           // day of year (continuous, 0 = 1 Jan 00:00) of each mid-month
  std::array<int, kDaysPerYear> month_of_day{};
  Monthly hours_in_month{};
};

Calendar make_calendar() {
  Calendar c;
  int start = 0;
  for (int m = 0; m < 12; ++m) {
    c.mid_day[m] = start + 0.5 * kDaysInMonth[m];
    for (int d = 0; d < kDaysInMonth[m]; ++d) c.month_of_day[start + d] = m;
    c.hours_in_month[m] = kDaysInMonth[m] * kHoursPerDay;
    start += kDaysInMonth[m];
  }
  return c;
}

// Periodic piecewise-linear interpolation of mid-month node values at day-of-year t (continuous).
double interpolate(const Calendar& c, const Monthly& nodes, double t) {
  int hi = 0;
  while (hi < 12 && c.mid_day[hi] <= t) ++hi;
  const int lo = (hi + 11) % 12;
  const int up = hi % 12;
  double t_lo = c.mid_day[lo];
  double t_up = c.mid_day[up];
  if (hi == 0) t_lo -= kDaysPerYear;   // before mid-January: between December of last year and January
  if (hi == 12) t_up += kDaysPerYear;  // after mid-December: towards January of next year
  const double w = (t - t_lo) / (t_up - t_lo);
  return nodes[lo] + w * (nodes[up] - nodes[lo]);
}

// The falling branch samples c_j = (1 + cos(pi j / F)) / 2, j = 0..F-1 (from the maximum to the hour before the
// next minimum), raised to p.
std::vector<double> fall_bases(const DiurnalShape& d) {
  std::vector<double> b(static_cast<std::size_t>(d.fall_hours()));
  for (int j = 0; j < d.fall_hours(); ++j) b[j] = 0.5 * (1.0 + std::cos(std::numbers::pi * j / d.fall_hours()));
  return b;
}

double rise_shape(const DiurnalShape& d, int j) { return 0.5 * (1.0 - std::cos(std::numbers::pi * j / d.rise_hours())); }

// Table of the mean of the 24 hourly values of the normalised diurnal shape g (0 at the minimum, 1 at the maximum)
// against the falling-branch exponent p, to invert for p given the wanted daily mean. p spans 0.05..50 (log-spaced),
// which covers daily means from about 0.21 to 0.77 of the way from minimum to maximum.
struct ShapeTable {
  static constexpr int kN = 801;
  std::array<double, kN> log_p{};
  std::array<double, kN> mean{};  // decreasing in p
};

ShapeTable make_shape_table(const DiurnalShape& d) {
  ShapeTable t;
  const auto bases = fall_bases(d);
  double rise_sum = 0.0;
  for (int j = 0; j < d.rise_hours(); ++j) rise_sum += rise_shape(d, j);
  const double lp0 = std::log(0.05);
  const double lp1 = std::log(50.0);
  for (int i = 0; i < ShapeTable::kN; ++i) {
    t.log_p[i] = lp0 + (lp1 - lp0) * i / (ShapeTable::kN - 1);
    const double p = std::exp(t.log_p[i]);
    double s = rise_sum;
    for (double b : bases) s += std::pow(b, p);
    t.mean[i] = s / kHoursPerDay;
  }
  return t;
}

double exponent_for_mean(const ShapeTable& t, double wanted_mean) {
  if (wanted_mean >= t.mean.front()) return std::exp(t.log_p.front());
  if (wanted_mean <= t.mean.back()) return std::exp(t.log_p.back());
  // Binary search in the decreasing table, then linear interpolation in log p.
  int lo = 0;
  int hi = ShapeTable::kN - 1;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    (t.mean[mid] > wanted_mean ? lo : hi) = mid;
  }
  const double w = (t.mean[lo] - wanted_mean) / (t.mean[lo] - t.mean[hi]);
  return std::exp(t.log_p[lo] + w * (t.log_p[hi] - t.log_p[lo]));
}

struct Nodes {
  Monthly mean_c, max_c, min_c;
};

// One climatological year of dry bulb (no noise) from the mid-month nodes.
std::vector<double> dry_bulb_year(const Calendar& cal, const DiurnalShape& d, const ShapeTable& table, const Nodes& n) {
  const auto bases = fall_bases(d);
  std::vector<double> out(kHoursPerYear);
  for (int h = 0; h < kHoursPerYear; ++h) {
    const double t = static_cast<double>(h) / kHoursPerDay;
    const double lo = interpolate(cal, n.min_c, t);
    const double hi = interpolate(cal, n.max_c, t);
    const double mean = interpolate(cal, n.mean_c, t);
    const double range = std::max(hi - lo, 0.0);
    const int hour_of_day = h % kHoursPerDay;
    double g = 0.0;
    if (hour_of_day >= kMinHour && hour_of_day < d.max_hour) {
      g = rise_shape(d, hour_of_day - kMinHour);
    } else {
      const double wanted = range > 1e-9 ? (mean - lo) / range : 0.5;
      const double p = exponent_for_mean(table, wanted);
      const int j = (hour_of_day - d.max_hour + kHoursPerDay) % kHoursPerDay;
      g = std::pow(bases[j], p);
    }
    out[h] = lo + range * g;
  }
  return out;
}

struct MonthlyStats {
  Monthly mean_c{}, mean_daily_max_c{}, mean_daily_min_c{};
};

MonthlyStats monthly_stats(const Calendar& cal, const std::vector<double>& year) {
  MonthlyStats s;
  for (int d = 0; d < kDaysPerYear; ++d) {
    const int m = cal.month_of_day[d];
    double lo = year[d * kHoursPerDay];
    double hi = lo;
    for (int k = 0; k < kHoursPerDay; ++k) {
      const double v = year[d * kHoursPerDay + k];
      s.mean_c[m] += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    s.mean_daily_max_c[m] += hi;
    s.mean_daily_min_c[m] += lo;
  }
  for (int m = 0; m < 12; ++m) {
    s.mean_c[m] /= cal.hours_in_month[m];
    s.mean_daily_max_c[m] /= kDaysInMonth[m];
    s.mean_daily_min_c[m] /= kDaysInMonth[m];
  }
  return s;
}

std::string who(const std::string& city) { return "synthetic_weather(" + city + "): "; }

void validate_normals(const MonthlyClimate& n) {
  if (n.diurnal_max_hour < kMinHour + 4 || n.diurnal_max_hour > kMinHour + 12)
    throw std::invalid_argument(who(n.city) + "the diurnal maximum hour must be in 10..18, got " +
                                std::to_string(n.diurnal_max_hour));
  for (int m = 0; m < 12; ++m) {
    const std::string month = "month " + std::to_string(m + 1);
    if (!std::isfinite(n.mean_db_c[m]) || !std::isfinite(n.mean_daily_max_c[m]) ||
        !std::isfinite(n.mean_daily_min_c[m]) || !std::isfinite(n.mean_rh_pct[m]))
      throw std::invalid_argument(who(n.city) + month + ": normals must be finite numbers");
    if (!(n.mean_daily_min_c[m] <= n.mean_db_c[m] && n.mean_db_c[m] <= n.mean_daily_max_c[m]))
      throw std::invalid_argument(who(n.city) + month + ": expected mean daily min <= mean <= mean daily max, got " +
                                  std::to_string(n.mean_daily_min_c[m]) + ", " + std::to_string(n.mean_db_c[m]) +
                                  ", " + std::to_string(n.mean_daily_max_c[m]));
    if (!(n.mean_rh_pct[m] > 0.0 && n.mean_rh_pct[m] <= 100.0))
      throw std::invalid_argument(who(n.city) + month + ": mean RH must be in (0, 100] %, got " +
                                  std::to_string(n.mean_rh_pct[m]));
  }
}

void validate_noise(const std::string& city, int hours, std::span<const double> normals, const WeatherNoise& n) {
  if (hours < 0) throw std::invalid_argument(who(city) + "hours must be >= 0");
  if (!(n.dry_bulb_sd_c >= 0.0) || !std::isfinite(n.dry_bulb_sd_c))
    throw std::invalid_argument(who(city) + "noise sd must be >= 0");
  if (!(n.dew_point_sd_c >= 0.0) || !std::isfinite(n.dew_point_sd_c))
    throw std::invalid_argument(who(city) + "dew-point noise sd must be >= 0");
  if (!(n.dew_point_coupling >= -2.0 && n.dew_point_coupling <= 2.0))
    throw std::invalid_argument(who(city) + "dew-point coupling must be in [-2, 2] K/K");
  if (!(n.autocorrelation_per_h >= 0.0 && n.autocorrelation_per_h < 1.0))
    throw std::invalid_argument(who(city) + "noise autocorrelation must be in [0, 1)");
  if (normals.size() < noise_draws_needed(n, hours))
    throw std::invalid_argument(who(city) + "needs " + std::to_string(noise_draws_needed(n, hours)) +
                                " noise draws, got " + std::to_string(normals.size()));
}

// The value exceeded by `share` of the sample (0.004 = the 0.4 % level), linear between order statistics like
// core/stats/quantile (type 7) at 1 − share; reorders `v`.
double exceeded_by(std::vector<double>& v, double share) {
  const double pos = (1.0 - share) * static_cast<double>(v.size() - 1);
  const auto k = static_cast<std::size_t>(pos);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  const double lo = v[k];
  if (k + 1 >= v.size()) return lo;
  const double hi = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(k) + 1, v.end());
  return lo + (pos - static_cast<double>(k)) * (hi - lo);
}

// Mean of `other` over the hours whose `level_of` lies within ±0.5 K of `level` (ASHRAE's coincident means); NaN
// when no hour does.
double coincident_mean(const std::vector<double>& level_of, const std::vector<double>& other, double level) {
  double sum = 0.0;
  int n = 0;
  for (std::size_t h = 0; h < level_of.size(); ++h) {
    if (std::abs(level_of[h] - level) <= 0.5) {
      sum += other[h];
      ++n;
    }
  }
  return n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

// The stationary unit-variance AR(1) series of standard normal draws z: a_0 = z_0, a_t = φ a_{t−1} + √(1−φ²) z_t.
std::vector<double> unit_ar1(std::span<const double> z, double phi) {
  std::vector<double> a(z.size());
  const double innovation = std::sqrt(1.0 - phi * phi);
  for (std::size_t h = 0; h < z.size(); ++h) a[h] = h == 0 ? z[0] : phi * a[h - 1] + innovation * z[h];
  return a;
}

// One synthetic hour's moisture at dry bulb t in climatological hour k: the dew point is the climatology's plus the
// coupling κ to t's departure from its daily mean plus the independent anomaly (K), never above t (excess moisture
// condenses: fog, 100 % RH). The one formula the years and the noise fit share.
struct MoistHour {
  double vapor_pressure_pa = 0.0;
  double wet_bulb_c = 0.0;
};

MoistHour moist_hour(const SyntheticClimate& c, int k, double t, double kappa, double independent_k) {
  const double dp = std::min(c.dew_point_c[k] + kappa * (t - c.daily_mean_c[k]) + independent_k, t);
  const double e = saturation_vapor_pressure_pa(dp);
  const double w = humidity_ratio_from_vapor_pressure(e, c.pressure_pa);
  return {e, std::min(t, wet_bulb_from_humidity_ratio_c(t, w, c.pressure_pa))};
}

}  // namespace

SyntheticClimate synthetic_climate(const MonthlyClimate& normals, double elevation_m) {
  validate_normals(normals);
  const Calendar cal = make_calendar();
  const DiurnalShape shape{normals.diurnal_max_hour};
  const ShapeTable table = make_shape_table(shape);
  SyntheticClimate climate;
  climate.city = normals.city;
  climate.pressure_pa = pressure_at_elevation_pa(elevation_m);

  // Calibrate the mid-month nodes so that the generated year reproduces the three monthly normals.
  Nodes nodes{normals.mean_db_c, normals.mean_daily_max_c, normals.mean_daily_min_c};
  std::vector<double> year = dry_bulb_year(cal, shape, table, nodes);
  for (int pass = 0; pass < kCalibrationPasses; ++pass) {
    const MonthlyStats got = monthly_stats(cal, year);
    for (int m = 0; m < 12; ++m) {
      nodes.mean_c[m] += normals.mean_db_c[m] - got.mean_c[m];
      nodes.max_c[m] += normals.mean_daily_max_c[m] - got.mean_daily_max_c[m];
      nodes.min_c[m] += normals.mean_daily_min_c[m] - got.mean_daily_min_c[m];
    }
    year = dry_bulb_year(cal, shape, table, nodes);
  }
  climate.dry_bulb_c = std::move(year);
  const std::vector<double>& db = climate.dry_bulb_c;

  // Each month's vapour pressure: RH = 100 e / e_s(T) averaged over the month's hours equals the mean RH when
  // e = RH_mean / 100 / mean(1 / e_s(T)). Its mid-month nodes are calibrated like the temperatures' (on e).
  Monthly inv_es{};
  for (int h = 0; h < kHoursPerYear; ++h) inv_es[cal.month_of_day[h / kHoursPerDay]] += 1.0 / saturation_vapor_pressure_pa(db[h]);
  Monthly e_target{};
  for (int m = 0; m < 12; ++m) e_target[m] = normals.mean_rh_pct[m] / 100.0 / (inv_es[m] / cal.hours_in_month[m]);
  Monthly e_nodes = e_target;
  std::vector<double> e_year(kHoursPerYear);
  for (int pass = 0; pass <= kCalibrationPasses; ++pass) {
    Monthly got{};
    for (int h = 0; h < kHoursPerYear; ++h) {
      e_year[h] = interpolate(cal, e_nodes, static_cast<double>(h) / kHoursPerDay);
      got[cal.month_of_day[h / kHoursPerDay]] += e_year[h];
    }
    if (pass == kCalibrationPasses) break;
    for (int m = 0; m < 12; ++m) e_nodes[m] += e_target[m] - got[m] / cal.hours_in_month[m];
  }
  // The climatological 24-hour running mean: the dew point couples to the dry bulb's departure from it.
  climate.daily_mean_c.resize(kHoursPerYear);
  {
    double sum = 0.0;
    for (int k = -12; k < 12; ++k) sum += db[(k + kHoursPerYear) % kHoursPerYear];
    for (int h = 0; h < kHoursPerYear; ++h) {
      climate.daily_mean_c[h] = sum / kHoursPerDay;
      sum += db[(h + 12) % kHoursPerYear] - db[(h - 12 + kHoursPerYear) % kHoursPerYear];
    }
  }
  climate.dew_point_c.resize(kHoursPerYear);
  for (int h = 0; h < kHoursPerYear; ++h) {
    // Never above saturation at the hour's dry bulb (a month whose mean RH is near 100 % can ask for it at noon).
    const double e = std::min(e_year[h], saturation_vapor_pressure_pa(db[h]));
    climate.dew_point_c[h] = dew_point_from_vapor_pressure_c(e);
  }
  return climate;
}

std::size_t noise_draws_needed(const WeatherNoise& noise, int hours) {
  const auto n = static_cast<std::size_t>(std::max(hours, 0));
  if (noise.dew_point_sd_c > 0.0) return 2 * n;
  return noise.dry_bulb_sd_c > 0.0 ? n : 0;
}

HourlyWeather synthetic_weather(const SyntheticClimate& climate, int hours, std::span<const double> noise_normals,
                                const WeatherNoise& noise) {
  validate_noise(climate.city, hours, noise_normals, noise);
  const std::vector<double>& year = climate.dry_bulb_c;
  HourlyWeather out;
  out.dry_bulb_c.resize(hours);
  out.rh_pct.resize(hours);
  out.wet_bulb_c.resize(hours);
  const auto n = static_cast<std::size_t>(hours);
  const double phi = noise.autocorrelation_per_h;
  // Unit AR(1) series: the dry bulb's anomaly / its sd, and the dew point's independent part.
  const std::vector<double> x = noise.dry_bulb_sd_c > 0.0 ? unit_ar1(noise_normals.first(n), phi) : std::vector<double>(n);
  const std::vector<double> y = noise_draws_needed(noise, hours) > n ? unit_ar1(noise_normals.subspan(n, n), phi)
                                                                     : std::vector<double>(n);
  for (int h = 0; h < hours; ++h) {
    const int k = h % kHoursPerYear;
    const double t = year[k] + noise.dry_bulb_sd_c * x[h];
    const MoistHour m = moist_hour(climate, k, t, noise.dew_point_coupling, noise.dew_point_sd_c * y[h]);
    out.dry_bulb_c[h] = t;
    out.rh_pct[h] = std::min(100.0, 100.0 * m.vapor_pressure_pa / saturation_vapor_pressure_pa(t));
    out.wet_bulb_c[h] = m.wet_bulb_c;
  }
  return out;
}

HourlyWeather synthetic_weather(const MonthlyClimate& normals, double elevation_m, int hours,
                                std::span<const double> noise_normals, const WeatherNoise& noise) {
  return synthetic_weather(synthetic_climate(normals, elevation_m), hours, noise_normals, noise);
}

HourlyWeather synthetic_weather(const MonthlyClimate& normals, double elevation_m, int hours,
                                std::span<const double> noise_normals, double noise_sd_c,
                                double noise_autocorrelation_per_h) {
  return synthetic_weather(normals, elevation_m, hours, noise_normals,
                           WeatherNoise{noise_sd_c, noise_autocorrelation_per_h, 0.0, 0.0});
}

DesignConditions design_conditions_of(const HourlyWeather& weather) {
  DesignConditions d;
  const std::vector<double>& db = weather.dry_bulb_c;
  const std::vector<double>& wb = weather.wet_bulb_c;
  if (db.empty()) return d;
  std::vector<double> work = db;
  d.db_0p4_c = exceeded_by(work, 0.004);
  d.db_1_c = exceeded_by(work, 0.01);
  d.db_2_c = exceeded_by(work, 0.02);
  d.mcwb_0p4_c = coincident_mean(db, wb, d.db_0p4_c);
  d.mcwb_1_c = coincident_mean(db, wb, d.db_1_c);
  d.mcwb_2_c = coincident_mean(db, wb, d.db_2_c);
  work = wb;
  d.wb_0p4_c = exceeded_by(work, 0.004);
  d.mcdb_wb_0p4_c = coincident_mean(wb, db, d.wb_0p4_c);
  d.extreme_max_wb_c = *std::max_element(wb.begin(), wb.end());
  double sum_max = 0.0;
  int years = 0;
  for (std::size_t start = 0; start < db.size(); start += kHoursPerYear, ++years) {
    const auto end = db.begin() + static_cast<std::ptrdiff_t>(std::min(db.size(), start + kHoursPerYear));
    sum_max += *std::max_element(db.begin() + static_cast<std::ptrdiff_t>(start), end);
  }
  d.extreme_annual_max_db_c = sum_max / years;
  return d;
}

double coincident_wet_bulb_c(const HourlyWeather& weather, double dry_bulb_c) {
  const double m = coincident_mean(weather.dry_bulb_c, weather.wet_bulb_c, dry_bulb_c);
  return std::isnan(m) ? design_conditions_of(weather).mcwb_0p4_c : m;
}

HourlyWeather synthetic_years(const SyntheticClimate& climate, const WeatherNoise& noise, int years,
                              std::uint64_t seed, std::uint64_t stream_id) {
  const int hours = years * kHoursPerYear;
  RngStream rng(seed, 0, stream_id);
  std::vector<double> normals(noise_draws_needed(noise, hours));
  for (double& z : normals) z = rng.normal();
  return synthetic_weather(climate, hours, normals, noise);
}

namespace {

// The fit's calibration stream: fixed, and apart from every run's streams (those are keyed by the scenario seed).
constexpr std::uint64_t kFitSeed = 0x0A5B4AE2009ULL;  // "ASHRAE 2009"
constexpr std::uint64_t kFitStream = 7;

// The fit's working sample: the standard normal draws and the unit AR(1) series, so that each trial noise only
// rescales them.
struct FitSample {
  std::vector<double> x, y;  // unit AR(1) series: dry bulb, dew point's independent part
};

FitSample fit_sample(double phi) {
  const int hours = kFitYears * kHoursPerYear;
  RngStream rng(kFitSeed, 0, kFitStream);
  std::vector<double> z(2 * static_cast<std::size_t>(hours));
  for (double& v : z) v = rng.normal();
  const std::span<const double> all(z);
  return {unit_ar1(all.first(hours), phi), unit_ar1(all.subspan(hours), phi)};
}

// The argument in [lo, hi] where an increasing f crosses `target`, by the Illinois variant of regula falsi
// (bracketing, superlinear): lo when f(lo) >= target already, hi when f(hi) < target; stops within tol_c.
template <class F>
double solve_increasing(F f, double target, double lo, double hi, double tol_c = 0.005) {
  double f_lo = f(lo) - target;
  if (f_lo >= 0.0) return lo;
  double f_hi = f(hi) - target;
  if (f_hi < 0.0) return hi;
  int side = 0;
  double x = lo;
  for (int i = 0; i < 40; ++i) {
    x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
    const double fx = f(x) - target;
    if (std::abs(fx) <= tol_c) return x;
    if (fx < 0.0) {
      lo = x;
      f_lo = fx;
      if (side == -1) f_hi *= 0.5;
      side = -1;
    } else {
      hi = x;
      f_hi = fx;
      if (side == 1) f_lo *= 0.5;
      side = 1;
    }
  }
  return x;
}

}  // namespace

WeatherNoiseFit fit_weather_noise(const SyntheticClimate& climate, const DesignConditions& target,
                                  double autocorrelation_per_h) {
  if (!target.has_0p4()) throw std::invalid_argument(who(climate.city) + "the fit needs the 0.4 % design conditions");
  const FitSample sample = fit_sample(autocorrelation_per_h);
  const int hours = static_cast<int>(sample.x.size());
  std::vector<double> db(hours), wb(hours), work(hours);

  auto make_db = [&](double sd) {
    for (int h = 0; h < hours; ++h) db[h] = climate.dry_bulb_c[h % kHoursPerYear] + sd * sample.x[h];
  };
  auto db_0p4 = [&](double sd) {
    make_db(sd);
    std::copy(db.begin(), db.end(), work.begin());
    return exceeded_by(work, 0.004);
  };
  // Dew point = climatology + kappa (dry bulb − its climatological daily mean) + independent_c y.
  auto make_wb = [&](double kappa, double independent_c) {
    for (int h = 0; h < hours; ++h) {
      wb[h] = moist_hour(climate, h % kHoursPerYear, db[h], kappa, independent_c * sample.y[h]).wet_bulb_c;
    }
  };
  auto wb_0p4 = [&](double kappa, double independent_c) {
    make_wb(kappa, independent_c);
    std::copy(wb.begin(), wb.end(), work.begin());
    return exceeded_by(work, 0.004);
  };

  WeatherNoiseFit fit;
  std::string note;
  const double sd = solve_increasing(db_0p4, target.db_0p4_c, 0.0, 8.0);
  make_db(sd);
  // The wet bulb coincident with the 0.4 % dry bulb rises with the coupling (the hot hours' moisture); the 0.4 %
  // wet bulb with the independent part (and the coupling). Alternate: the coupling for the coincident wet bulb at
  // the current independent part, then the independent part for the 0.4 % wet bulb; each mainly moves one target.
  double kappa = 0.0, independent = 0.0;
  for (int sweep = 0; sweep < 3; ++sweep) {
    kappa = solve_increasing(
        [&](double c) {
          make_wb(c, independent);
          const double m = coincident_mean(db, wb, target.db_0p4_c);
          return std::isnan(m) ? -1e9 : m;
        },
        target.mcwb_0p4_c, -1.5, 1.5);
    independent = solve_increasing([&](double u) { return wb_0p4(kappa, u); }, target.wb_0p4_c, 0.0, 8.0);
  }
  fit.noise.dry_bulb_sd_c = sd;
  fit.noise.autocorrelation_per_h = autocorrelation_per_h;
  fit.noise.dew_point_sd_c = independent;
  fit.noise.dew_point_coupling = kappa;
  make_wb(kappa, independent);
  HourlyWeather pooled;
  pooled.dry_bulb_c = db;
  pooled.wet_bulb_c = wb;
  fit.achieved = design_conditions_of(pooled);
  auto off = [&](const char* what, double got, double want) {
    if (std::abs(got - want) > 0.05) {
      note += (note.empty() ? "" : "; ") + std::string(what) + " " + std::to_string(got).substr(0, 5) + " C against " +
              std::to_string(want).substr(0, 5) + " C";
    }
  };
  off("0.4 % dry bulb", fit.achieved.db_0p4_c, target.db_0p4_c);
  off("coincident wet bulb", fit.achieved.mcwb_0p4_c, target.mcwb_0p4_c);
  off("0.4 % wet bulb", fit.achieved.wb_0p4_c, target.wb_0p4_c);
  fit.note = note;
  return fit;
}

HourlyWeather hourly_weather_from_observations(std::span<const double> dry_bulb_c, std::span<const double> rh_pct,
                                               std::span<const double> pressure_pa) {
  HourlyWeather w;
  w.dry_bulb_c.assign(dry_bulb_c.begin(), dry_bulb_c.end());
  w.rh_pct.assign(rh_pct.begin(), rh_pct.end());
  w.wet_bulb_c.resize(dry_bulb_c.size());
  for (std::size_t i = 0; i < w.wet_bulb_c.size(); ++i) {
    w.wet_bulb_c[i] = wet_bulb_c(dry_bulb_c[i], rh_pct[i], pressure_pa[i]);
  }
  return w;
}

}  // namespace aidc
