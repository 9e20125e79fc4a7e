#pragma once
// Reader for EnergyPlus weather files (EPW): the LOCATION header and the hourly dry bulb, dew point, relative
// humidity and station pressure, as the file holds them (the wet bulb is the model's: hourly_weather_from_epw in
// core/model/weather.hpp). Format: EnergyPlus "Auxiliary Programs", Weather Converter, EPW data dictionary (8 header
// lines, then one comma-separated row per hour: year, month, day, hour 1–24, minute, data source flags, dry bulb C,
// dew point C, RH %, station pressure Pa, ...).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

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

// Hours of the kept 8760-hour year whose field held the EPW missing marker, and how each was filled.
struct EpwMissing {
  int dry_bulb = 0;   // carried from the last good hour (the next good one at the start of the file)
  int dew_point = 0;  // from the hour's RH, else carried (with the RH) when the hour has neither
  int rh = 0;         // from the hour's dew point, else carried (with the dew point) when the hour has neither
  int pressure = 0;   // the standard atmosphere at the station elevation
  int humidity = 0;   // hours with neither RH nor dew point (counted in both above): humidity carried
  int total() const { return dry_bulb + dew_point + rh + pressure; }
};

// At most this share of the 8760 hours may lack a dry bulb, or lack any humidity (RH and dew point both missing);
// a file with more is refused. Assumption: carrying the last value over gaps that long flattens the diurnal and
// synoptic swings that set chiller lift and economizer hours, so the year is no longer the station's; typical-year
// files (TMY3, IWEC2) are built from station-months with few gaps, which they interpolate.
inline constexpr double kMaxEpwMissingShare = 0.10;

// RH and dew point contradict each other when the RH differs by more than this (percentage points) from the RH the
// dew point gives at the hour's dry bulb; the dew point is then kept (it is the measured moisture in most source
// data, RH being derived), and RH recomputed from it.
inline constexpr double kEpwRhContradictionPct = 10.0;

struct EpwFile {
  EpwLocation location;
  // 8760 hours from 1 January 00:00 (a leap-year file loses 29 February), missing values filled (see EpwMissing).
  std::vector<double> dry_bulb_c;
  std::vector<double> dew_point_c;
  std::vector<double> rh_pct;        // capped at 100 % (EPW allows up to 110 % from supersaturated source data)
  std::vector<double> pressure_pa;   // station pressure
  EpwMissing missing;
  int rh_from_dew_point = 0;         // hours whose RH contradicted the dew point (kEpwRhContradictionPct): recomputed
  int data_rows = 0;                 // 8760, or 8784 for a leap year
  std::string sha256;                // of the file's bytes (the text parsed), 64 hex digits
};

// Largest EPW file accepted (a full hourly EPW is 1.5–2 MB; assumption: ten times that leaves room for long
// comments and refuses anything that is not one year of hourly data).
inline constexpr std::uintmax_t kMaxEpwBytes = 20u * 1024u * 1024u;

// Reads an EPW file. A UTF-8 byte order mark is skipped. Missing values (EPW markers: temperatures >= 99.9,
// RH >= 999, pressure >= 999999) are filled as EpwMissing says.
// Throws std::runtime_error naming the file, the line, the field, the value and what was expected, for: a missing or
// unreadable file, one over kMaxEpwBytes, a bad header, fewer than 8760 or more than 8784 data rows, a row with too
// few fields, a non-number, a value outside its physical range, a calendar that is not one year from 1 January
// 01:00 to 31 December 24:00 hour by hour, a column with no valid value at all, or more than kMaxEpwMissingShare of
// the hours without a dry bulb or without humidity.
EpwFile read_epw_file(const std::filesystem::path& path);

// Parses EPW text already in memory; `name` is used in error messages (for tests and fuzzing).
EpwFile parse_epw(std::string_view text, const std::string& name);
inline EpwFile read_epw_text(std::string_view text, const std::string& name) { return parse_epw(text, name); }

// The hourly weather of an EPW year: its dry bulb and RH, the wet bulb at the station pressure (the model's
// psychrometrics, core/model/weather.hpp).
HourlyWeather hourly_weather_from_epw(const EpwFile& file);

// The hourly weather of an EPW file (hourly_weather_from_epw(read_epw_file(path))).
HourlyWeather read_epw(const std::filesystem::path& path);

}  // namespace aidc
