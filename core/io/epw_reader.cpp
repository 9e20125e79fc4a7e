#include "core/io/epw_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fmt/format.h>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "core/io/sha256.hpp"
#include "core/model/psychrometrics.hpp"

namespace aidc {
namespace {

constexpr int kHeaderLines = 8;
constexpr int kRowsNormalYear = 8760;
constexpr int kRowsLeapYear = 8784;
// Fields read from a data row: year ... station pressure (EPW data dictionary N1–N5, A1, N6–N9).
constexpr std::size_t kMinDataFields = 10;
constexpr std::size_t kMinLocationFields = 10;
// Column positions (0-based) in a data row.
constexpr std::size_t kMonth = 1, kDay = 2, kHour = 3, kDryBulb = 6, kDewPoint = 7, kRh = 8, kPressure = 9;

// Validity limits and missing-value markers from the EPW data dictionary (EnergyPlus Auxiliary Programs,
// "EnergyPlus Weather File (EPW) Data Dictionary"): dry bulb and dew point −70 < t < 70 °C, missing 99.9;
// RH 0–110 %, missing 999; station pressure 31 000 < p < 120 000 Pa, missing 999 999.
constexpr double kTempMissing = 99.9;
constexpr double kTempMin = -70.0, kTempMax = 70.0;
constexpr double kRhMissing = 999.0;
constexpr double kRhMin = 0.0, kRhMax = 110.0;
constexpr double kPressureMissing = 999999.0;
constexpr double kPressureMin = 31000.0, kPressureMax = 120000.0;
// LOCATION limits (EPW data dictionary): elevation −1000 ≤ z < 9999.9 m, time zone −12..+14 h.
constexpr double kElevationMin = -1000.0, kElevationMax = 9999.9;

constexpr std::array<int, 12> kDaysInMonth{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};  // 29 Feb allowed

[[noreturn]] void fail(const std::string& name, int line, const std::string& what) {
  throw std::runtime_error(name + " line " + std::to_string(line) + ": " + what);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Printable excerpt of a field for an error message (bounded, control characters replaced).
std::string quoted(std::string_view v) {
  constexpr std::size_t kMaxShown = 40;
  std::string s(v.substr(0, kMaxShown));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  if (v.size() > kMaxShown) s += "...";
  return "'" + s + "'";
}

double parse_number(std::string_view field, const std::string& name, int line, const char* what) {
  if (field.empty()) fail(name, line, std::string(what) + " is empty, expected a number");
  std::string_view s = field;
  if (s.front() == '+') s.remove_prefix(1);  // from_chars does not take a leading '+'
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value))
    fail(name, line, std::string(what) + " " + quoted(field) + " is not a number");
  return value;
}

void check_range(double v, double lo, double hi, bool inclusive, std::string_view field, const std::string& name,
                 int line, const char* what, const char* units) {
  const bool ok = inclusive ? (v >= lo && v <= hi) : (v > lo && v < hi);
  if (!ok) {
    fail(name, line,
         std::string(what) + " " + quoted(field) +
             fmt::format(" is out of range, expected {}{:g} to {:g}{} {}", inclusive ? "" : "more than ", lo, hi,
                         inclusive ? "" : " (exclusive)", units));
  }
}

EpwLocation parse_location(std::string_view line, const std::string& name) {
  const auto f = split_fields(line);
  if (f.empty() || f[0] != "LOCATION")
    fail(name, 1, "header " + quoted(f.empty() ? std::string_view{} : f[0]) + " found, expected LOCATION");
  if (f.size() < kMinLocationFields)
    fail(name, 1, "LOCATION has " + std::to_string(f.size()) + " fields, expected " +
                      std::to_string(kMinLocationFields) +
                      " (LOCATION, city, state, country, source, WMO, latitude, longitude, time zone, elevation)");
  EpwLocation loc;
  loc.city = std::string(f[1]);
  loc.state_province = std::string(f[2]);
  loc.country = std::string(f[3]);
  loc.data_source = std::string(f[4]);
  loc.wmo_station = std::string(f[5]);
  loc.lat_deg = parse_number(f[6], name, 1, "latitude");
  check_range(loc.lat_deg, -90.0, 90.0, true, f[6], name, 1, "latitude", "deg");
  loc.lon_deg = parse_number(f[7], name, 1, "longitude");
  check_range(loc.lon_deg, -180.0, 180.0, true, f[7], name, 1, "longitude", "deg");
  loc.time_zone_h = parse_number(f[8], name, 1, "time zone");
  check_range(loc.time_zone_h, -12.0, 14.0, true, f[8], name, 1, "time zone", "h");
  loc.elevation_m = parse_number(f[9], name, 1, "elevation");
  if (!(loc.elevation_m >= kElevationMin && loc.elevation_m < kElevationMax))
    fail(name, 1, "elevation " + quoted(f[9]) + " is out of range, expected -1000 to 9999.9 m");
  return loc;
}

void check_data_periods(std::string_view line, const std::string& name) {
  const auto f = split_fields(line);
  if (f.empty() || f[0] != "DATA PERIODS")
    fail(name, kHeaderLines,
         "header " + quoted(f.empty() ? std::string_view{} : f[0]) + " found, expected DATA PERIODS");
  if (f.size() >= 3) {
    const double per_hour = parse_number(f[2], name, kHeaderLines, "records per hour");
    if (per_hour != 1.0)
      fail(name, kHeaderLines, "records per hour " + quoted(f[2]) + " is not supported, expected 1 (hourly data)");
  }
}

struct Row {
  int line = 0;
  int month = 0, day = 0;
  std::optional<double> dry_bulb_c, dew_point_c, rh_pct, pressure_pa;
};

Row parse_row(std::string_view text, int line, int index, const std::string& name) {
  const auto f = split_fields(text);
  if (f.size() < kMinDataFields)
    fail(name, line, "row has " + std::to_string(f.size()) + " fields, expected at least " +
                         std::to_string(kMinDataFields) + " (year ... station pressure)");
  Row r;
  r.line = line;
  const double month = parse_number(f[kMonth], name, line, "month");
  if (month != std::floor(month) || month < 1 || month > 12)
    fail(name, line, "month " + quoted(f[kMonth]) + " is out of range, expected 1 to 12");
  r.month = static_cast<int>(month);
  const double day = parse_number(f[kDay], name, line, "day");
  if (day != std::floor(day) || day < 1 || day > kDaysInMonth[r.month - 1])
    fail(name, line,
         "day " + quoted(f[kDay]) + " is out of range, expected 1 to " + std::to_string(kDaysInMonth[r.month - 1]));
  r.day = static_cast<int>(day);
  const double hour = parse_number(f[kHour], name, line, "hour");
  const int expected_hour = index % 24 + 1;
  if (hour != expected_hour)
    fail(name, line, "hour " + quoted(f[kHour]) + " is out of sequence, expected " + std::to_string(expected_hour));

  const double db = parse_number(f[kDryBulb], name, line, "dry bulb");
  if (db < kTempMissing) {
    check_range(db, kTempMin, kTempMax, false, f[kDryBulb], name, line, "dry bulb", "C");
    r.dry_bulb_c = db;
  }
  const double dp = parse_number(f[kDewPoint], name, line, "dew point");
  if (dp < kTempMissing) {
    check_range(dp, kTempMin, kTempMax, false, f[kDewPoint], name, line, "dew point", "C");
    r.dew_point_c = dp;
  }
  const double rh = parse_number(f[kRh], name, line, "relative humidity");
  if (rh < kRhMissing) {
    check_range(rh, kRhMin, kRhMax, true, f[kRh], name, line, "relative humidity", "%");
    r.rh_pct = std::min(rh, 100.0);  // EPW allows up to 110 % (supersaturation in the source data)
  }
  const double p = parse_number(f[kPressure], name, line, "station pressure");
  if (p < kPressureMissing) {
    check_range(p, kPressureMin, kPressureMax, false, f[kPressure], name, line, "station pressure", "Pa");
    r.pressure_pa = p;
  }
  return r;
}

std::string date_text(int month, int day) { return std::to_string(month) + "/" + std::to_string(day); }

// The calendar: the first row is 1 January, each row with hour 1 on the day after the previous row's (28 February
// may be followed by 29 February or 1 March), every other row on the previous row's day; the hours themselves are
// checked in parse_row. With the row count (8760 or 8784) this makes the file one year, 1 January to 31 December.
void check_date(const Row& r, const Row* previous, int index, const std::string& name) {
  if (!previous) {
    if (r.month != 1 || r.day != 1)
      fail(name, r.line, "date " + date_text(r.month, r.day) + " starts the data, expected 1/1 (1 January)");
    return;
  }
  const int pm = previous->month, pd = previous->day;
  if (index % 24 != 0) {
    if (r.month != pm || r.day != pd)
      fail(name, r.line, "date " + date_text(r.month, r.day) + " is out of sequence, expected " + date_text(pm, pd) +
                             " (the same day as the hour before)");
    return;
  }
  constexpr std::array<int, 12> kDaysNormalYear{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap_day = pm == 2 && pd == 28 && r.month == 2 && r.day == 29;
  int nm = pm, nd = pd + 1;
  if (pm == 2 && pd == 29) {
    nm = 3;
    nd = 1;
  } else if (pd >= kDaysNormalYear[pm - 1]) {
    if (pm == 12) fail(name, r.line, "date " + date_text(r.month, r.day) + " follows 12/31, expected the year to end");
    nm = pm + 1;
    nd = 1;
  }
  if (!leap_day && (r.month != nm || r.day != nd))
    fail(name, r.line, "date " + date_text(r.month, r.day) + " is out of sequence, expected " + date_text(nm, nd) +
                           (pm == 2 && pd == 28 ? " or 2/29" : "") + " (the day after " + date_text(pm, pd) + ")");
}

// Replaces missing values by the last good one (the next good one before the first), counting replacements.
std::vector<double> fill_missing(const std::vector<std::optional<double>>& v, const char* what,
                                 const std::string& name, int& filled) {
  std::vector<double> out(v.size());
  const auto first = std::find_if(v.begin(), v.end(), [](const auto& x) { return x.has_value(); });
  if (first == v.end()) throw std::runtime_error(name + ": every " + std::string(what) + " value is missing");
  double last = **first;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i]) {
      last = *v[i];
    } else {
      ++filled;
    }
    out[i] = last;
  }
  return out;
}

// Humidity of one hour from the RH and dew point the file holds: the dew point wins when they contradict each other.
struct Humidity {
  std::optional<double> rh_pct, dew_point_c;
};

Humidity hour_humidity(const Row& r, double dry_bulb_c, EpwFile& out) {
  Humidity h{r.rh_pct, r.dew_point_c};
  if (r.dew_point_c) {
    const double from_dew = std::min(100.0, relative_humidity_from_dew_point(dry_bulb_c, std::min(*r.dew_point_c, dry_bulb_c)));
    if (!r.rh_pct) {
      h.rh_pct = from_dew;
      ++out.missing.rh;
    } else if (std::abs(*r.rh_pct - from_dew) > kEpwRhContradictionPct) {
      h.rh_pct = from_dew;
      ++out.rh_from_dew_point;
    }
  } else if (r.rh_pct) {
    // dew_point_c(t, 0 %) is -infinity: the driest air the EPW range admits stands in (RH 0.1 %, about -60 C dew
    // point at 20 C).
    h.dew_point_c = dew_point_c(dry_bulb_c, std::max(*r.rh_pct, 0.1));
    ++out.missing.dew_point;
  } else {
    ++out.missing.humidity;
    ++out.missing.rh;
    ++out.missing.dew_point;
  }
  return h;
}

void check_missing_share(int hours, const char* what, const std::string& name) {
  const int limit = static_cast<int>(kMaxEpwMissingShare * kRowsNormalYear);
  if (hours > limit)
    throw std::runtime_error(name + ": " + std::to_string(hours) + " of " + std::to_string(kRowsNormalYear) +
                             " hours have no " + what + ", expected at most " + std::to_string(limit) + " (" +
                             std::to_string(static_cast<int>(kMaxEpwMissingShare * 100)) +
                             " %; beyond that filling the gaps would invent the year)");
}

}  // namespace

EpwFile parse_epw(std::string_view text, const std::string& name) {
  if (text.size() > kMaxEpwBytes)
    throw std::runtime_error(name + ": " + std::to_string(text.size()) + " bytes, more than the " +
                             std::to_string(kMaxEpwBytes) + " accepted for an EPW file");
  EpwFile out;
  out.sha256 = sha256_hex(text);
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  std::vector<Row> rows;
  rows.reserve(kRowsLeapYear);
  int line_no = 0;
  std::size_t pos = 0;
  int last_line = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = (nl == std::string_view::npos) ? text.size() : nl + 1;
    ++line_no;
    if (line_no == 1) {
      out.location = parse_location(trim(line), name);
    } else if (line_no == kHeaderLines) {
      check_data_periods(trim(line), name);
    } else if (line_no > kHeaderLines) {
      if (trim(line).empty()) continue;
      if (static_cast<int>(rows.size()) >= kRowsLeapYear)
        fail(name, line_no, "more than " + std::to_string(kRowsLeapYear) + " data rows, expected 8760 (or 8784)");
      const int index = static_cast<int>(rows.size());
      rows.push_back(parse_row(line, line_no, index, name));
      check_date(rows.back(), index > 0 ? &rows[rows.size() - 2] : nullptr, index, name);
      last_line = line_no;
    }
  }
  if (line_no < kHeaderLines)
    throw std::runtime_error(name + ": " + std::to_string(line_no) + " lines, expected " +
                             std::to_string(kHeaderLines) + " header lines and 8760 data rows");
  const int n = static_cast<int>(rows.size());
  if (n != kRowsNormalYear && n != kRowsLeapYear)
    fail(name, std::max(last_line, line_no),
         std::to_string(n) + " data rows, expected 8760 (or 8784 for a leap year)");
  out.data_rows = n;
  if (rows.back().month != 12 || rows.back().day != 31)
    fail(name, last_line,
         "the data end on " + date_text(rows.back().month, rows.back().day) + ", expected 12/31 (" +
             std::to_string(n) + " rows " + (n == kRowsNormalYear ? "with" : "without") + " 29 February)");
  if (n == kRowsLeapYear) {
    // Keep the climatological 8760-hour year: drop 29 February.
    std::erase_if(rows, [](const Row& r) { return r.month == 2 && r.day == 29; });
  }

  std::vector<std::optional<double>> db(kRowsNormalYear), rh(kRowsNormalYear), dew(kRowsNormalYear);
  for (int i = 0; i < kRowsNormalYear; ++i) db[i] = rows[i].dry_bulb_c;
  out.dry_bulb_c = fill_missing(db, "dry bulb", name, out.missing.dry_bulb);
  check_missing_share(out.missing.dry_bulb, "dry bulb", name);
  for (int i = 0; i < kRowsNormalYear; ++i) {
    const Humidity h = hour_humidity(rows[i], out.dry_bulb_c[i], out);
    rh[i] = h.rh_pct;
    dew[i] = h.dew_point_c;
  }
  check_missing_share(out.missing.humidity, "humidity (neither RH nor dew point)", name);
  int carried = 0;  // already counted in out.missing
  out.rh_pct = fill_missing(rh, "relative humidity (and dew point)", name, carried);
  out.dew_point_c = fill_missing(dew, "dew point (and relative humidity)", name, carried);
  const double standard_pa = pressure_at_elevation_pa(out.location.elevation_m);
  out.pressure_pa.resize(kRowsNormalYear);
  for (int i = 0; i < kRowsNormalYear; ++i) {
    if (rows[i].pressure_pa) {
      out.pressure_pa[i] = *rows[i].pressure_pa;
    } else {
      out.pressure_pa[i] = standard_pa;
      ++out.missing.pressure;
    }
  }
  return out;
}

EpwFile read_epw_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(name + ": cannot open: no such file (expected an EPW weather file)");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw std::runtime_error(name + ": cannot read its size: " + ec.message());
  if (size > kMaxEpwBytes)
    throw std::runtime_error(name + ": " + std::to_string(size) + " bytes, more than the " +
                             std::to_string(kMaxEpwBytes) + " accepted for an EPW file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(name + ": cannot open for reading");
  std::string text;
  text.resize(static_cast<std::size_t>(size));
  in.read(text.data(), static_cast<std::streamsize>(size));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse_epw(text, name);
}

HourlyWeather hourly_weather_from_epw(const EpwFile& file) {
  return hourly_weather_from_observations(file.dry_bulb_c, file.rh_pct, file.pressure_pa);
}

HourlyWeather read_epw(const std::filesystem::path& path) { return hourly_weather_from_epw(read_epw_file(path)); }

}  // namespace aidc
