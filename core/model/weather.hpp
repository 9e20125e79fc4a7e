#pragma once
// Hourly outdoor weather: a synthetic typical year from monthly climate normals (this file), or an EPW file read at
// the edge (core/io/epw_reader.hpp). Both give the same HourlyWeather.

#include <cstddef>
#include <cstdint>
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

// Weather noise of a synthetic year: stationary AR(1) anomalies x_t = φ x_{t−1} + √(1−φ²) ε_t (unit sd) per hour,
// one on the dry bulb (sd dry_bulb_sd_c) and an independent one on the dew point (sd dew_point_sd_c); and the dew
// point coupled to the dry bulb's departure from its climatological 24-hour mean, κ K per K (negative: hot hours —
// afternoons and hot spells — are drier, as in desert and monsoon climates; positive: warm spells are humid). The
// coupling carries the diurnal and the day-to-day humidity variation that set the wet bulb coincident with hot hours.
// φ = 0.97 per hour gives a correlation time of about a day and a half, the day-to-day (synoptic) variability.
struct WeatherNoise {
  double dry_bulb_sd_c = 0.0;
  double autocorrelation_per_h = 0.97;
  double dew_point_sd_c = 0.0;
  double dew_point_coupling = 0.0;  // K of dew point per K of dry-bulb departure from its daily mean
};

// Standard normal draws a synthetic year of `hours` needs: `hours` for the dry bulb, as many again for the
// independent part of the dew point when it has noise, none without noise.
std::size_t noise_draws_needed(const WeatherNoise& noise, int hours);

// A typical year from monthly normals, `hours` long:
//  * the monthly mean, mean daily maximum and mean daily minimum dry bulb are interpolated linearly between
//    mid-month nodes (no steps at month boundaries); the node values are calibrated so that the generated year
//    reproduces each month's three normals (interpolation alone would flatten the annual cycle's peaks);
//  * a diurnal cycle with its minimum at 06:00 and its maximum at the climate's diurnal_max_hour (14:00 by default:
//    the ASHRAE HOF 2009 ch. 14 Table 6 design-day profile peaks between 14 and 15 h solar time; measured tropical
//    years peak about 13:00 local): a half-cosine rise from minimum to maximum (the sine day-time branch of Parton
//    & Logan 1981, Agric. Meteorol. 23:205) and a falling branch ((1 + cos)/2)^p to the next 06:00, whose exponent p
//    is chosen each hour so that the day's mean is the monthly mean (p > 1 gives the fast evening fall and slow
//    night cooling of Parton & Logan's exponential branch);
//  * humidity: each month's vapour pressure is the one that, held over that month's diurnal cycle, gives the
//    month's mean relative humidity (RH is the mean of hourly ratios, so in a dry climate with a wide diurnal range
//    the vapour pressure is below the one at the mean dry bulb and mean RH); interpolated and calibrated like the
//    temperatures, held over the day, and carried as a climatological dew point;
//  * the dry bulb and dew point anomalies of WeatherNoise, driven by noise_normals (noise_draws_needed of them);
//    the dew point is capped at the dry bulb (fog), and RH and the wet bulb follow psychrometrically.
// Throws std::invalid_argument for inconsistent normals (min > mean or mean > max, RH outside (0, 100]), hours < 0,
// negative sds, a coupling outside [−2, 2], too few noise draws, or φ outside [0, 1).
HourlyWeather synthetic_weather(const MonthlyClimate& normals, double elevation_m, int hours,
                                std::span<const double> noise_normals, const WeatherNoise& noise);
// The dry-bulb noise alone (no dew point anomaly).
HourlyWeather synthetic_weather(const MonthlyClimate& normals, double elevation_m, int hours,
                                std::span<const double> noise_normals, double noise_sd_c,
                                double noise_autocorrelation_per_h);

// synthetic_weather in two steps. The calibrated climatological year (no noise) depends only on the normals and the
// elevation, and costs about three times as much as one replication's noise and psychrometrics, so a run computes
// it once and every replication draws its own year from it; the result is identical to the one-step call.
struct SyntheticClimate {
  std::string city;
  double pressure_pa = 0.0;         // at the site's elevation
  std::vector<double> dry_bulb_c;   // kHoursPerYear: the calibrated annual and diurnal cycle
  std::vector<double> dew_point_c;  // kHoursPerYear: the calibrated climatological dew point
  std::vector<double> daily_mean_c; // kHoursPerYear: 24-hour running mean of dry_bulb_c
};
SyntheticClimate synthetic_climate(const MonthlyClimate& normals, double elevation_m);
HourlyWeather synthetic_weather(const SyntheticClimate& climate, int hours, std::span<const double> noise_normals,
                                const WeatherNoise& noise);

// The annual cooling design conditions of hourly weather (an EPW year, or several synthetic years pooled), by the
// ASHRAE method: the dry bulb and wet bulb exceeded in 0.4 / 1 / 2 % of the hours, the mean coincident wet bulb of
// the hours within ±0.5 K of each dry-bulb level (and the mean coincident dry bulb of the 0.4 % wet bulb), the mean
// of the annual maxima of the dry bulb (one year per kHoursPerYear hours) and the highest wet bulb.
DesignConditions design_conditions_of(const HourlyWeather& weather);
// The mean wet bulb of the hours within ±0.5 K of `dry_bulb_c`; above every hour's dry bulb, that of the 0.4 % level.
double coincident_wet_bulb_c(const HourlyWeather& weather, double dry_bulb_c);

// Weather noise fitted so that synthetic years from `climate` reproduce a city's design conditions: the dry-bulb sd
// so that the pooled 0.4 % dry bulb equals target.db_0p4_c, then the dew-point sd and coupling so that the 0.4 %
// wet bulb and the wet bulb coincident with the 0.4 % dry bulb equal target.wb_0p4_c and target.mcwb_0p4_c. The
// years are drawn from a fixed calibration stream (kFitYears years), so the fit is deterministic; `achieved` is what
// the fitted noise gives on that sample. A target the climatology alone already exceeds (normals and design data
// inconsistent) leaves that sd at 0 and says so in `note`.
struct WeatherNoiseFit {
  WeatherNoise noise;
  DesignConditions achieved;
  std::string note;  // empty when every target is met within 0.05 K
};
inline constexpr int kFitYears = 12;
WeatherNoiseFit fit_weather_noise(const SyntheticClimate& climate, const DesignConditions& target,
                                  double autocorrelation_per_h);

// `years` synthetic years from `climate` with `noise`, their normals drawn from the standard normal stream
// (seed, stream_id); pooled, for design statistics.
HourlyWeather synthetic_years(const SyntheticClimate& climate, const WeatherNoise& noise, int years,
                              std::uint64_t seed, std::uint64_t stream_id);

}  // namespace aidc
