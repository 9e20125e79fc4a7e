#pragma once
// Shared inputs for the model tests.

#include "core/scenario/scenario.hpp"

namespace aidc::test {

// Singapore monthly normals, copied from shared/data/climate_monthly.csv (IWEC station 486980). That file's annual
// checks: mean dry bulb 27.46 C, mean wet bulb 25.14 C.
inline MonthlyClimate singapore_normals() {
  MonthlyClimate c;
  c.city = "Singapore";
  c.mean_db_c = {26.7, 27.2, 27.6, 28.1, 28.2, 28.5, 27.8, 27.8, 27.2, 27.5, 26.7, 26.3};
  c.mean_daily_max_c = {29.7, 30.9, 31.6, 32.1, 31.2, 31.5, 30.8, 30.7, 30.4, 30.7, 29.9, 29.5};
  c.mean_daily_min_c = {24.4, 24.9, 25.1, 25.5, 25.9, 25.9, 25.2, 25.0, 24.5, 25.3, 24.6, 24.3};
  c.mean_rh_pct = {83, 83, 84, 83, 83, 81, 83, 81, 83, 84, 89, 86};
  c.source = "IWEC 486980 via shared/data/climate_monthly.csv";
  return c;
}

// Singapore Changi station elevation, m (IWEC 486980 header; assumption to the nearest metres).
inline constexpr double kSingaporeElevationM = 16.0;

// The same normals shifted by dk kelvin (a colder or hotter site with the same humidity).
inline MonthlyClimate shifted(MonthlyClimate c, double dk) {
  for (int m = 0; m < 12; ++m) {
    c.mean_db_c[m] += dk;
    c.mean_daily_max_c[m] += dk;
    c.mean_daily_min_c[m] += dk;
  }
  return c;
}

}  // namespace aidc::test
