#pragma once
// What fuzz_epw checks for one input, shared with the test suite, which runs it over the seeds and regression
// inputs in every build (tests/test_model_epw_fuzz_inputs.cpp). The input is for the EPW weather reader
// (core/io/epw_reader.hpp, parse_epw). Bad input must end as std::runtime_error naming the line and field; any
// other exception escapes to the caller, as a crash or undefined behaviour would; a year that parses with a
// non-finite or out-of-range value is a finding.
//
// The first byte picks the mode. Even: the rest is the file as is. Odd: the rest gives the 8 header lines and a
// few data rows, which are repeated to a full year with their date and hour fields rewritten in sequence; a fuzzer's
// inputs are short, and without this it would rarely get past the row count to the per-row checks and the fill of
// missing values.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/epw_reader.hpp"
#include "core/model/weather.hpp"

namespace aidc::fuzz {

inline std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// The header and rows of `text` as a full non-leap year, or "" when there are no rows (or it would be too long).
inline std::string epw_full_year(std::string_view text) {
  constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const std::vector<std::string_view> lines = lines_of(text);
  if (lines.size() <= 8) return {};
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) (out += lines[i]) += '\n';
  const std::size_t rows = lines.size() - 8;
  std::size_t index = 0;
  for (int m = 1; m <= 12; ++m) {
    for (int d = 1; d <= kDaysInMonth[m - 1]; ++d) {
      for (int h = 1; h <= 24; ++h, ++index) {
        std::string_view row = lines[8 + index % rows];
        // Drop the row's own year, month, day, hour and minute (its first 5 fields) when it has them.
        std::size_t cut = 0;
        for (int f = 0; f < 5 && cut != std::string_view::npos; ++f) {
          cut = row.find(',', cut);
          if (cut != std::string_view::npos) ++cut;
        }
        if (cut != std::string_view::npos) row.remove_prefix(cut);
        out += "1999," + std::to_string(m) + ',' + std::to_string(d) + ',' + std::to_string(h) + ",60,";
        (out += row) += '\n';
        if (out.size() > kMaxEpwBytes) return {};
      }
    }
  }
  return out;
}

// "" when the input parses to a sane year or is refused with std::runtime_error; otherwise what went wrong.
inline std::string epw_finding(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string text = (data[0] & 1) ? epw_full_year(rest) : std::string(rest);
  if (text.empty()) return {};
  EpwFile f;
  try {
    f = parse_epw(text, "fuzz.epw");
  } catch (const std::runtime_error&) {
    return {};  // refused with a message: what bad input should get
  }
  const HourlyWeather w = hourly_weather_from_epw(f);
  if (w.dry_bulb_c.size() != static_cast<std::size_t>(kHoursPerYear) || w.rh_pct.size() != w.dry_bulb_c.size() ||
      w.wet_bulb_c.size() != w.dry_bulb_c.size()) {
    return "a year of " + std::to_string(w.dry_bulb_c.size()) + " hours";
  }
  for (std::size_t h = 0; h < w.dry_bulb_c.size(); ++h) {
    const std::string at = " at hour " + std::to_string(h);
    if (!std::isfinite(w.dry_bulb_c[h])) return "a non-finite dry bulb" + at;
    if (!(w.rh_pct[h] >= 0.0 && w.rh_pct[h] <= 100.0)) return "a relative humidity outside [0, 100]" + at;
    if (!(w.wet_bulb_c[h] <= w.dry_bulb_c[h] + 1e-6)) return "a wet bulb above the dry bulb" + at;
  }
  return {};
}

}  // namespace aidc::fuzz
