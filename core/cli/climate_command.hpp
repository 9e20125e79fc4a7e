#pragma once
// `aidcsim fit-climate`: refits each climate entry's synthetic weather noise to its design conditions
// (core/model/weather.hpp fit_weather_noise) and prints it; --check compares with the values the catalog carries,
// --write stores them. Exit codes: 0, 1 when --check finds a stored value that differs from the refit (or an
// internal error), 2 for bad input.

#include <string>
#include <vector>

namespace aidc {

struct FitClimateCliOptions {
  std::string catalog_dir;          // folder replacing the built-in catalogs
  std::vector<std::string> cities;  // default: every entry with design conditions
  bool check = false;
  std::string write;                // a climate.json to update in place (atomically)
  bool json = false;
  int threads = 0;
};

int run_fit_climate(const FitClimateCliOptions& o);

}  // namespace aidc
