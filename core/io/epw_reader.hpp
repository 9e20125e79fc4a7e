#pragma once
// Reader for EnergyPlus weather files (EPW): the LOCATION header and the hourly dry bulb, humidity and pressure,
// from which the wet bulb is computed. Format: EnergyPlus "Auxiliary Programs", Weather Converter, EPW data
// dictionary (8 header lines, then one comma-separated row per hour: year, month, day, hour 1–24, minute, data
// source flags, dry bulb C, dew point C, RH %, station pressure Pa, ...).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/model/weather.hpp"

namespace aidc {

struct EpwLocation {
  std::string city;
  std::string state_province;
  std::string country;
  std::string data_source;
  std::string wmo_station;
  double lat_deg = 0.0;
  double lon_deg = 0.0;
  double time_zone_h = 0.0;  // hours from GMT
  double elevation_m = 0.0;
};

struct EpwFile {
  EpwLocation location;
  HourlyWeather weather;     // 8760 hours from 1 January 00:00 (a leap-year file loses 29 February)
  int filled_values = 0;     // missing values (EPW markers) replaced: see read_epw_file
};

// Largest EPW file accepted (a full hourly EPW is 1.5–2 MB; assumption: ten times that leaves room for long
// comments and refuses anything that is not one year of hourly data).
inline constexpr std::uintmax_t kMaxEpwBytes = 20u * 1024u * 1024u;

// Reads an EPW file. Missing values (EPW markers: temperatures >= 99.9, RH >= 999, pressure >= 999999) are filled:
// RH from the dew point when that is present, pressure from the standard atmosphere at the station elevation, and
// otherwise the last good value (as EnergyPlus does), the next good one at the start of the file.
// Throws std::runtime_error naming the file, the line, the field, the value and what was expected, for: a missing or
// unreadable file, one over kMaxEpwBytes, a bad header, fewer than 8760 or more than 8784 data rows, a row with too
// few fields, a non-number, a value outside its physical range, or a column with no valid value at all.
EpwFile read_epw_file(const std::filesystem::path& path);

// The hourly weather of an EPW file (read_epw_file(path).weather).
HourlyWeather read_epw(const std::filesystem::path& path);

// Parses EPW text already in memory; `name` is used in error messages (for tests and fuzzing).
EpwFile parse_epw(std::string_view text, const std::string& name);

}  // namespace aidc
