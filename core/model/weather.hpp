#pragma once
// Hourly outdoor weather: a synthetic typical year from monthly climate normals (this file), or an EPW file read at
// the edge (core/io/epw_reader.hpp). Both give the same HourlyWeather.

#include <span>
#include <string>
#include <vector>

#include "core/scenario/scenario.hpp"

namespace aidc {

// Hourly series of equal length; index 0 is 1 January 00:00 local time, one value per hour (instantaneous value at
// the start of the hour).
struct HourlyWeather {
  std::vector<double> dry_bulb_c;
  std::vector<double> rh_pct;
  std::vector<double> wet_bulb_c;
};

// Hourly weather from observations (an EPW year, core/io/epw_reader.hpp): the dry bulb and RH as observed, and the
// psychrometric wet bulb from them at the station pressure. The three spans have one entry per hour.
HourlyWeather hourly_weather_from_observations(std::span<const double> dry_bulb_c, std::span<const double> rh_pct,
                                               std::span<const double> pressure_pa);

// Hours in the climatological (non-leap) year; longer horizons wrap the climatology.
inline constexpr int kHoursPerYear = 8760;

// A typical year from monthly normals, `hours` long:
//  * the monthly mean, mean daily maximum and mean daily minimum dry bulb are interpolated linearly between
//    mid-month nodes (no steps at month boundaries); the node values are calibrated so that the generated year
//    reproduces each month's three normals (interpolation alone would flatten the annual cycle's peaks);
//  * a diurnal cycle with its minimum at 06:00 and maximum at 15:00: a half-cosine rise from minimum to maximum
//    (the sine day-time branch of Parton & Logan 1981, Agric. Meteorol. 23:205) and a falling branch
//    ((1 + cos)/2)^p from 15:00 to the next 06:00, whose exponent p is chosen each hour so that the day's mean is the
//    monthly mean (p > 1 gives the fast evening fall and slow night cooling of Parton & Logan's exponential branch);
//  * AR(1) noise on the dry bulb, x_t = φ x_{t−1} + σ √(1−φ²) ε_t (stationary sd σ), driven by noise_normals
//    (standard normal draws, at least `hours` of them when noise_sd_c > 0);
//  * the monthly mean humidity ratio (from mean dry bulb and mean RH at the site pressure), interpolated like the
//    temperatures and held over the day; RH follows from it and is capped at 100 % (fog), and the wet bulb is
//    computed psychrometrically.
// Throws std::invalid_argument for inconsistent normals (min > mean or mean > max, RH outside (0, 100]), hours < 0,
// noise_sd_c < 0, too few noise draws, or φ outside [0, 1).
HourlyWeather synthetic_weather(const MonthlyClimate& normals, double elevation_m, int hours,
                                std::span<const double> noise_normals, double noise_sd_c,
                                double noise_autocorrelation_per_h);

// synthetic_weather in two steps. The calibrated climatological year (no noise) depends only on the normals and the
// elevation, and costs about three times as much as one replication's noise and psychrometrics, so a run computes
// it once and every replication draws its own year from it; the result is identical to the one-step call.
struct SyntheticClimate {
  std::string city;
  double pressure_pa = 0.0;            // at the site's elevation
  std::vector<double> dry_bulb_c;      // kHoursPerYear: the calibrated annual and diurnal cycle
  std::vector<double> humidity_ratio;  // kHoursPerYear, kg water per kg dry air
};
SyntheticClimate synthetic_climate(const MonthlyClimate& normals, double elevation_m);
HourlyWeather synthetic_weather(const SyntheticClimate& climate, int hours, std::span<const double> noise_normals,
                                double noise_sd_c, double noise_autocorrelation_per_h);

}  // namespace aidc
