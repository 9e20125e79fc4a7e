#include "core/model/weather.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "core/model/psychrometrics.hpp"

namespace aidc {
namespace {

constexpr std::array<int, 12> kDaysInMonth{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};  // non-leap year
constexpr int kDaysPerYear = 365;
constexpr int kHoursPerDay = 24;
// Diurnal shape: minimum near sunrise, maximum mid-afternoon (ASHRAE HOF 2017 ch. 14 design-day profile has its
// minimum at 05–06 h and maximum at 14–15 h solar time; Parton & Logan 1981 likewise).
constexpr int kMinHour = 6;
constexpr int kMaxHour = 15;
constexpr int kRiseHours = kMaxHour - kMinHour;         // 9 h of warming
constexpr int kFallHours = kHoursPerDay - kRiseHours;   // 15 h of cooling
// Fixed-point calibration of the mid-month nodes; the error shrinks by at least half per pass (the averaging
// operator of linear interpolation has eigenvalues in [0.5, 1]), so 30 passes leave far below 0.001 K.
constexpr int kCalibrationPasses = 30;

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

// The falling branch samples c_j = (1 + cos(pi j / 15)) / 2, j = 0..14 (15:00 to 05:00), raised to p.
std::array<double, kFallHours> fall_bases() {
  std::array<double, kFallHours> b{};
  for (int j = 0; j < kFallHours; ++j) b[j] = 0.5 * (1.0 + std::cos(std::numbers::pi * j / kFallHours));
  return b;
}

double rise_shape(int j) { return 0.5 * (1.0 - std::cos(std::numbers::pi * j / kRiseHours)); }

// Table of the mean of the 24 hourly values of the normalised diurnal shape g (0 at the minimum, 1 at the maximum)
// against the falling-branch exponent p, to invert for p given the wanted daily mean. p spans 0.05..50 (log-spaced),
// which covers daily means from about 0.21 to 0.77 of the way from minimum to maximum.
struct ShapeTable {
  static constexpr int kN = 801;
  std::array<double, kN> log_p{};
  std::array<double, kN> mean{};  // decreasing in p
};

ShapeTable make_shape_table() {
  ShapeTable t;
  const auto bases = fall_bases();
  double rise_sum = 0.0;
  for (int j = 0; j < kRiseHours; ++j) rise_sum += rise_shape(j);
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
std::vector<double> dry_bulb_year(const Calendar& cal, const ShapeTable& table, const Nodes& n) {
  const auto bases = fall_bases();
  std::vector<double> out(kHoursPerYear);
  for (int h = 0; h < kHoursPerYear; ++h) {
    const double t = static_cast<double>(h) / kHoursPerDay;
    const double lo = interpolate(cal, n.min_c, t);
    const double hi = interpolate(cal, n.max_c, t);
    const double mean = interpolate(cal, n.mean_c, t);
    const double range = std::max(hi - lo, 0.0);
    const int hour_of_day = h % kHoursPerDay;
    double g = 0.0;
    if (hour_of_day >= kMinHour && hour_of_day < kMaxHour) {
      g = rise_shape(hour_of_day - kMinHour);
    } else {
      const double wanted = range > 1e-9 ? (mean - lo) / range : 0.5;
      const double p = exponent_for_mean(table, wanted);
      const int j = (hour_of_day - kMaxHour + kHoursPerDay) % kHoursPerDay;
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

void validate_noise(const std::string& city, int hours, std::span<const double> noise, double sd, double phi) {
  if (hours < 0) throw std::invalid_argument(who(city) + "hours must be >= 0");
  if (!(sd >= 0.0) || !std::isfinite(sd)) throw std::invalid_argument(who(city) + "noise sd must be >= 0");
  if (!(phi >= 0.0 && phi < 1.0)) throw std::invalid_argument(who(city) + "noise autocorrelation must be in [0, 1)");
  if (sd > 0.0 && noise.size() < static_cast<std::size_t>(hours))
    throw std::invalid_argument(who(city) + "needs " + std::to_string(hours) + " noise draws, got " +
                                std::to_string(noise.size()));
}

}  // namespace

SyntheticClimate synthetic_climate(const MonthlyClimate& normals, double elevation_m) {
  validate_normals(normals);
  const Calendar cal = make_calendar();
  const ShapeTable table = make_shape_table();
  SyntheticClimate climate;
  climate.city = normals.city;
  climate.pressure_pa = pressure_at_elevation_pa(elevation_m);
  const double pressure_pa = climate.pressure_pa;

  // Calibrate the mid-month nodes so that the generated year reproduces the three monthly normals.
  Nodes nodes{normals.mean_db_c, normals.mean_daily_max_c, normals.mean_daily_min_c};
  std::vector<double> year = dry_bulb_year(cal, table, nodes);
  for (int pass = 0; pass < kCalibrationPasses; ++pass) {
    const MonthlyStats got = monthly_stats(cal, year);
    for (int m = 0; m < 12; ++m) {
      nodes.mean_c[m] += normals.mean_db_c[m] - got.mean_c[m];
      nodes.max_c[m] += normals.mean_daily_max_c[m] - got.mean_daily_max_c[m];
      nodes.min_c[m] += normals.mean_daily_min_c[m] - got.mean_daily_min_c[m];
    }
    year = dry_bulb_year(cal, table, nodes);
  }
  climate.dry_bulb_c = std::move(year);

  // Monthly mean humidity ratio, from the mean dry bulb and mean RH; its nodes calibrated the same way.
  Monthly w_target{};
  for (int m = 0; m < 12; ++m) w_target[m] = humidity_ratio(normals.mean_db_c[m], normals.mean_rh_pct[m], pressure_pa);
  Monthly w_nodes = w_target;
  std::vector<double>& w_year = climate.humidity_ratio;
  w_year.resize(kHoursPerYear);
  for (int pass = 0; pass <= kCalibrationPasses; ++pass) {
    Monthly got{};
    for (int h = 0; h < kHoursPerYear; ++h) {
      w_year[h] = interpolate(cal, w_nodes, static_cast<double>(h) / kHoursPerDay);
      got[cal.month_of_day[h / kHoursPerDay]] += w_year[h];
    }
    if (pass == kCalibrationPasses) break;
    for (int m = 0; m < 12; ++m) w_nodes[m] += w_target[m] - got[m] / cal.hours_in_month[m];
  }
  return climate;
}

HourlyWeather synthetic_weather(const SyntheticClimate& climate, int hours, std::span<const double> noise_normals,
                                double noise_sd_c, double noise_autocorrelation_per_h) {
  validate_noise(climate.city, hours, noise_normals, noise_sd_c, noise_autocorrelation_per_h);
  const std::vector<double>& year = climate.dry_bulb_c;
  const std::vector<double>& w_year = climate.humidity_ratio;
  const double pressure_pa = climate.pressure_pa;
  HourlyWeather out;
  out.dry_bulb_c.resize(hours);
  out.rh_pct.resize(hours);
  out.wet_bulb_c.resize(hours);
  const double phi = noise_autocorrelation_per_h;
  const double innovation_sd = noise_sd_c * std::sqrt(1.0 - phi * phi);
  double x = 0.0;
  for (int h = 0; h < hours; ++h) {
    if (noise_sd_c > 0.0) x = (h == 0) ? noise_sd_c * noise_normals[0] : phi * x + innovation_sd * noise_normals[h];
    const int k = h % kHoursPerYear;
    const double t = year[k] + x;
    // Hold the humidity ratio; where the air would be supersaturated it is at 100 % RH (condensed excess).
    const double w = std::min(w_year[k], humidity_ratio(t, 100.0, pressure_pa));
    out.dry_bulb_c[h] = t;
    out.rh_pct[h] = std::min(100.0, relative_humidity_from_humidity_ratio(t, w, pressure_pa));
    out.wet_bulb_c[h] = wet_bulb_from_humidity_ratio_c(t, w, pressure_pa);
  }
  return out;
}

HourlyWeather synthetic_weather(const MonthlyClimate& normals, double elevation_m, int hours,
                                std::span<const double> noise_normals, double noise_sd_c,
                                double noise_autocorrelation_per_h) {
  return synthetic_weather(synthetic_climate(normals, elevation_m), hours, noise_normals, noise_sd_c,
                           noise_autocorrelation_per_h);
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
