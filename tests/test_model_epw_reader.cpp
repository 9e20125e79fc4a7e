#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>

#include "core/io/epw_reader.hpp"
#include "core/model/psychrometrics.hpp"
#include "temp_dir.hpp"

using namespace aidc;
namespace fs = std::filesystem;
using aidc::test::TempDir;

namespace {

constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

std::string header() {
  return "LOCATION,Singapore,-,SGP,IWEC Data,486980,1.37,103.98,8.0,16.0\n"
         "DESIGN CONDITIONS,0\n"
         "TYPICAL/EXTREME PERIODS,0\n"
         "GROUND TEMPERATURES,0\n"
         "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\n"
         "COMMENTS 1,test fixture written by test_model_epw_reader.cpp\n"
         "COMMENTS 2,synthetic values\n"
         "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n";
}

// Dry bulb with a simple diurnal cycle; RH 70 %; dew point consistent; station pressure 101 000 Pa.
double fixture_db(int index) { return 25.0 + 4.0 * std::sin(2.0 * 3.14159265358979 * (index % 24 - 9) / 24.0); }

std::string row(int month, int day, int hour, double db, double dp, double rh, double p) {
  std::ostringstream s;
  s << 1999 << ',' << month << ',' << day << ',' << hour << ",60,"
    << "A7A7A7A7*0?9?9?9?9?9?9?9A7A7A7A7A7A7*0E8*0*0," << db << ',' << dp << ',' << rh << ',' << p
    << ",0,0,406,0,0,0,0,0,0,0,140,2.1,10,10,20.0,77777,9,999999999,48,0.1100,0,88,0.000,0.0,0.0\n";
  return s.str();
}

std::string year_rows(int rows_wanted = 8760) {
  std::string out;
  int index = 0;
  for (int m = 1; m <= 12 && index < rows_wanted; ++m) {
    for (int d = 1; d <= kDays[m - 1] && index < rows_wanted; ++d) {
      for (int h = 1; h <= 24 && index < rows_wanted; ++h, ++index) {
        const double db = fixture_db(index);
        out += row(m, d, h, db, dew_point_c(db, 70.0), 70.0, 101000.0);
      }
    }
  }
  return out;
}

fs::path write(const TempDir& dir, const std::string& name, const std::string& text) {
  return aidc::test::write_text(dir / name, text);
}

// Replaces the n-th data row (0-based) of a full fixture.
std::string with_row(int n, const std::string& replacement) {
  std::string text = header() + year_rows();
  std::size_t pos = 0;
  for (int i = 0; i < 8 + n; ++i) pos = text.find('\n', pos) + 1;
  const std::size_t end = text.find('\n', pos);
  return text.replace(pos, end - pos, replacement);
}

std::string error_of(const fs::path& p) {
  try {
    (void)read_epw(p);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("an EPW file gives its location and 8760 hours of weather with a psychrometric wet bulb") {
  TempDir dir;
  const auto f = read_epw_file(write(dir, "good.epw", header() + year_rows()));
  CHECK(f.location.city == "Singapore");
  CHECK(f.location.country == "SGP");
  CHECK(f.location.wmo_station == "486980");
  CHECK(f.location.lat_deg == Approx(1.37));
  CHECK(f.location.lon_deg == Approx(103.98));
  CHECK(f.location.time_zone_h == Approx(8.0));
  CHECK(f.location.elevation_m == Approx(16.0));
  CHECK(f.filled_values == 0);
  REQUIRE(f.weather.dry_bulb_c.size() == 8760);
  REQUIRE(f.weather.wet_bulb_c.size() == 8760);
  for (int i : {0, 14, 5000, 8759}) {
    CHECK(f.weather.dry_bulb_c[i] == Approx(fixture_db(i)).margin(1e-4));
    CHECK(f.weather.rh_pct[i] == Approx(70.0));
    CHECK(f.weather.wet_bulb_c[i] == Approx(wet_bulb_c(fixture_db(i), 70.0, 101000.0)).margin(1e-3));
    CHECK(f.weather.wet_bulb_c[i] < f.weather.dry_bulb_c[i]);
  }
}

TEST_CASE("missing EPW values are filled from the dew point, the standard atmosphere or the last good value") {
  TempDir dir;
  std::string text = with_row(100, row(1, 5, 5, 24.0, 20.0, 999.0, 999999.0));  // RH and pressure missing
  const auto f = read_epw_file(write(dir, "missing.epw", text));
  CHECK(f.weather.rh_pct[100] == Approx(relative_humidity_from_dew_point(24.0, 20.0)));
  CHECK(f.weather.wet_bulb_c[100] ==
        Approx(wet_bulb_c(24.0, f.weather.rh_pct[100], pressure_at_elevation_pa(16.0))).margin(1e-3));
  CHECK(f.filled_values == 2);
  const auto g = read_epw_file(write(dir, "missing_db.epw", with_row(101, row(1, 5, 6, 99.9, 99.9, 70.0, 101000.0))));
  CHECK(g.weather.dry_bulb_c[101] == Approx(g.weather.dry_bulb_c[100]));
}

TEST_CASE("an EPW file with 29 February keeps a 8760-hour year") {
  TempDir dir;
  std::string rows;
  int index = 0;
  const int leap_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m)
    for (int d = 1; d <= leap_days[m - 1]; ++d)
      for (int h = 1; h <= 24; ++h, ++index) rows += row(m, d, h, m == 2 && d == 29 ? 40.0 : 20.0, 10.0, 50.0, 1e5);
  const auto w = read_epw(write(dir, "leap.epw", header() + rows));
  REQUIRE(w.dry_bulb_c.size() == 8760);
  for (double v : w.dry_bulb_c) REQUIRE(v == 20.0);
}

TEST_CASE("bad EPW files give messages that name the file, the line and the problem") {
  TempDir dir;
  SECTION("a missing file") {
    const auto msg = error_of(dir / "nowhere.epw");
    CHECK_THAT(msg, Catch::Contains("nowhere.epw") && Catch::Contains("no such file"));
  }
  SECTION("a short file") {
    const auto p = write(dir, "short.epw", header() + year_rows(100));
    const auto msg = error_of(p);
    CHECK_THAT(msg, Catch::Contains("short.epw line 108") && Catch::Contains("100 data rows") &&
                        Catch::Contains("expected 8760"));
  }
  SECTION("a non-numeric field") {
    const auto p = write(dir, "text.epw", with_row(3, "1999,1,1,4,60,flags,-x,20,70,101000,0,0,0"));
    CHECK(error_of(p) == p.string() + " line 12: dry bulb '-x' is not a number");
  }
  SECTION("a row with too few fields") {
    const auto p = write(dir, "few.epw", with_row(0, "1999,1,1,1,60"));
    CHECK_THAT(error_of(p), Catch::Contains("few.epw line 9") && Catch::Contains("5 fields") &&
                                Catch::Contains("expected at least 10"));
  }
  SECTION("a value out of physical range") {
    const auto p = write(dir, "hot.epw", with_row(9, row(1, 1, 10, 85.0, 20.0, 50.0, 101000.0)));
    CHECK_THAT(error_of(p), Catch::Contains("hot.epw line 18: dry bulb '85'") && Catch::Contains("out of range"));
    const auto q = write(dir, "low.epw", with_row(9, row(1, 1, 10, 25.0, 20.0, 50.0, 2000.0)));
    CHECK_THAT(error_of(q), Catch::Contains("low.epw line 18: station pressure '2000'"));
  }
  SECTION("hours out of sequence") {
    const auto p = write(dir, "seq.epw", with_row(5, row(1, 1, 7, 25.0, 20.0, 50.0, 101000.0)));
    CHECK_THAT(error_of(p), Catch::Contains("seq.epw line 14: hour '7' is out of sequence, expected 6"));
  }
  SECTION("a bad LOCATION header") {
    std::string text = header() + year_rows();
    text.replace(0, 8, "LOCATIO");
    const auto p = write(dir, "head.epw", text);
    CHECK_THAT(error_of(p), Catch::Contains("head.epw line 1") && Catch::Contains("expected LOCATION"));
  }
  SECTION("an empty file") {
    const auto p = write(dir, "empty.epw", "");
    CHECK_THAT(error_of(p), Catch::Contains("empty.epw") && Catch::Contains("expected 8 header lines"));
  }
  SECTION("an oversized text") {
    const std::string big(kMaxEpwBytes + 1, 'x');
    CHECK_THROWS_WITH(parse_epw(big, "big.epw"), Catch::Contains("big.epw") && Catch::Contains("bytes"));
  }
}
