#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/epw_reader.hpp"
#include "core/io/sha256.hpp"
#include "core/io/text_file.hpp"
#include "core/model/weather.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/catalog.hpp"
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
  CHECK(f.missing.total() == 0);
  CHECK(f.rh_from_dew_point == 0);
  CHECK(f.data_rows == 8760);
  const HourlyWeather w = hourly_weather_from_epw(f);
  REQUIRE(w.dry_bulb_c.size() == 8760);
  REQUIRE(w.wet_bulb_c.size() == 8760);
  for (int i : {0, 14, 5000, 8759}) {
    CHECK(w.dry_bulb_c[i] == Approx(fixture_db(i)).margin(1e-4));
    CHECK(w.rh_pct[i] == Approx(70.0));
    CHECK(w.wet_bulb_c[i] == Approx(wet_bulb_c(fixture_db(i), 70.0, 101000.0)).margin(1e-3));
    CHECK(w.wet_bulb_c[i] < w.dry_bulb_c[i]);
    // What the file holds, unconverted.
    CHECK(f.dew_point_c[i] == Approx(dew_point_c(fixture_db(i), 70.0)).margin(1e-4));
    CHECK(f.pressure_pa[i] == 101000.0);
  }
}

TEST_CASE("missing EPW values are filled from the dew point, the standard atmosphere or the last good value") {
  TempDir dir;
  std::string text = with_row(100, row(1, 5, 5, 24.0, 20.0, 999.0, 999999.0));  // RH and pressure missing
  const auto f = read_epw_file(write(dir, "missing.epw", text));
  const HourlyWeather w = hourly_weather_from_epw(f);
  CHECK(w.rh_pct[100] == Approx(relative_humidity_from_dew_point(24.0, 20.0)));
  CHECK(w.wet_bulb_c[100] == Approx(wet_bulb_c(24.0, w.rh_pct[100], pressure_at_elevation_pa(16.0))).margin(1e-3));
  CHECK(f.missing.total() == 2);
  CHECK(f.missing.rh == 1);
  CHECK(f.missing.pressure == 1);
  CHECK(f.missing.dry_bulb == 0);
  CHECK(f.missing.humidity == 0);
  const auto g = read_epw_file(write(dir, "missing_db.epw", with_row(101, row(1, 5, 6, 99.9, 99.9, 70.0, 101000.0))));
  CHECK(g.dry_bulb_c[101] == Approx(g.dry_bulb_c[100]));
  CHECK(g.missing.dry_bulb == 1);
  CHECK(g.missing.dew_point == 1);  // from the RH
  CHECK(g.dew_point_c[101] == Approx(dew_point_c(g.dry_bulb_c[101], 70.0)).margin(1e-6));
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

namespace {

// A full fixture with the n-th to (n + count - 1)-th rows' field replaced by `marker` (0-based rows).
std::string with_missing(int first, int count, int field, const std::string& marker) {
  std::istringstream in(header() + year_rows());
  std::string out, line;
  int n = -8;
  while (std::getline(in, line)) {
    if (n >= first && n < first + count) {
      std::vector<std::string> f;
      std::size_t start = 0;
      for (std::size_t c; (c = line.find(',', start)) != std::string::npos; start = c + 1) f.push_back(line.substr(start, c - start));
      f.push_back(line.substr(start));
      f[field] = marker;
      line.clear();
      for (std::size_t i = 0; i < f.size(); ++i) line += (i ? "," : "") + f[i];
    }
    out += line + "\n";
    ++n;
  }
  return out;
}

std::string parse_error(const std::string& text, const std::string& name = "t.epw") {
  try {
    (void)parse_epw(text, name);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("an EPW file with a UTF-8 byte order mark reads like one without") {
  const std::string text = header() + year_rows();
  const EpwFile plain = parse_epw(text, "plain.epw");
  const EpwFile bom = parse_epw("\xEF\xBB\xBF" + text, "bom.epw");
  CHECK(bom.location.city == "Singapore");
  CHECK(bom.dry_bulb_c == plain.dry_bulb_c);
  CHECK(bom.sha256 != plain.sha256);  // the digest is of the bytes as stored
}

TEST_CASE("an EPW file's SHA-256 is the digest of its bytes") {
  TempDir dir;
  const std::string text = header() + year_rows();
  const EpwFile f = read_epw_file(write(dir, "sum.epw", text));
  CHECK(f.sha256 == sha256_hex(text));
  CHECK(f.sha256.size() == 64);
  CHECK(read_epw_text(text, "x").sha256 == f.sha256);
}

TEST_CASE("missing EPW values are counted per field") {
  // Rows 200-209: dry bulb missing; rows 300-304: RH and dew point missing; rows 400-402: pressure missing.
  std::string text = with_missing(200, 10, 6, "99.9");
  const EpwFile f = parse_epw(text, "a.epw");
  CHECK(f.missing.dry_bulb == 10);
  CHECK(f.missing.dew_point == 0);
  const std::string hum = with_missing(300, 5, 7, "99.9");
  const EpwFile g = parse_epw(hum, "b.epw");
  CHECK(g.missing.dew_point == 5);  // from the RH
  CHECK(g.missing.humidity == 0);
  CHECK(g.dew_point_c[302] == Approx(dew_point_c(g.dry_bulb_c[302], 70.0)).margin(1e-6));
  const EpwFile h = parse_epw(with_missing(400, 3, 9, "999999"), "c.epw");
  CHECK(h.missing.pressure == 3);
  CHECK(h.pressure_pa[401] == Approx(pressure_at_elevation_pa(16.0)));
  CHECK(h.missing.total() == 3);
}

TEST_CASE("hours with neither RH nor dew point carry the last humidity and are counted") {
  const std::string text = with_row(500, row(1, 21, 21, 25.0, 99.9, 999.0, 101000.0));
  const EpwFile f = parse_epw(text, "h.epw");
  CHECK(f.missing.humidity == 1);
  CHECK(f.missing.rh == 1);
  CHECK(f.missing.dew_point == 1);
  CHECK(f.rh_pct[500] == f.rh_pct[499]);
  CHECK(f.dew_point_c[500] == f.dew_point_c[499]);
}

TEST_CASE("an EPW file with more than 10 % of its hours without a dry bulb is refused") {
  const int limit = static_cast<int>(kMaxEpwMissingShare * 8760);
  CHECK_NOTHROW(parse_epw(with_missing(1000, limit, 6, "99.9"), "ok.epw"));
  const std::string msg = parse_error(with_missing(1000, 4380, 6, "99.9"), "half.epw");
  CHECK_THAT(msg, Catch::Contains("half.epw") && Catch::Contains("4380 of 8760 hours have no dry bulb") &&
                      Catch::Contains("at most 876"));
}

TEST_CASE("an EPW file with more than 10 % of its hours without humidity is refused") {
  std::string text = with_missing(2000, 900, 7, "99.9");
  // The same rows without RH either.
  std::istringstream in(text);
  std::string out, line;
  for (int n = -8; std::getline(in, line); ++n) {
    if (n >= 2000 && n < 2900) {
      // field 8 (RH) follows the dew point marker
      const std::size_t at = line.find(",99.9,") + 6;
      line.replace(at, line.find(',', at) - at, "999");
    }
    out += line + "\n";
  }
  CHECK_THAT(parse_error(out), Catch::Contains("900 of 8760 hours have no humidity"));
}

TEST_CASE("an EPW RH that contradicts the dew point is recomputed from the dew point") {
  // Dew point 20 C at 25 C dry bulb is 74 % RH; the row says 30 %.
  const EpwFile f = parse_epw(with_row(700, row(1, 30, 5, 25.0, 20.0, 30.0, 101000.0)), "c.epw");
  CHECK(f.rh_from_dew_point == 1);
  CHECK(f.rh_pct[700] == Approx(relative_humidity_from_dew_point(25.0, 20.0)));
  // Within 10 points, the file's RH stands.
  const double near = relative_humidity_from_dew_point(25.0, 20.0) - 5.0;
  const EpwFile g = parse_epw(with_row(700, row(1, 30, 5, 25.0, 20.0, near, 101000.0)), "d.epw");
  CHECK(g.rh_from_dew_point == 0);
  CHECK(g.rh_pct[700] == Approx(near));
}

TEST_CASE("an EPW calendar that is not one year from 1 January hour by hour is refused") {
  SECTION("every row on 1 January") {
    std::string text = header();
    for (int i = 0; i < 8760; ++i) text += row(1, 1, i % 24 + 1, 20.0, 10.0, 52.5, 101000.0);
    CHECK_THAT(parse_error(text), Catch::Contains("t.epw line 33: date 1/1 is out of sequence, expected 1/2"));
  }
  SECTION("a day skipped") {
    CHECK_THAT(parse_error(with_row(48, row(1, 4, 1, 20.0, 10.0, 52.5, 101000.0))),
               Catch::Contains("line 57: date 1/4 is out of sequence, expected 1/3 (the day after 1/2)"));
  }
  SECTION("a day change inside a day") {
    CHECK_THAT(parse_error(with_row(30, row(1, 3, 7, 20.0, 10.0, 52.5, 101000.0))),
               Catch::Contains("line 39: date 1/3 is out of sequence, expected 1/2 (the same day"));
  }
  SECTION("data that start later than 1 January") {
    std::string text = header() + year_rows();
    const std::size_t at = text.find("1999,1,1,1,");
    text.replace(at, 11, "1999,1,2,1,");
    CHECK_THAT(parse_error(text), Catch::Contains("line 9: date 1/2 starts the data, expected 1/1"));
  }
  SECTION("29 February in 8760 rows ends the year on 30 December") {
    std::string text = header();
    const int leap_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int n = 0;
    for (int m = 1; m <= 12; ++m)
      for (int d = 1; d <= leap_days[m - 1] && n < 8760; ++d)
        for (int h = 1; h <= 24; ++h, ++n) text += row(m, d, h, 20.0, 10.0, 52.5, 1e5);
    CHECK_THAT(parse_error(text), Catch::Contains("the data end on 12/30, expected 12/31"));
  }
}

TEST_CASE("an EPW site's design conditions are its hours' 0.4 % levels (ASHRAE method), not its hottest hour") {
  // The fixture year peaks at 29 C; one freak hour at 40 C must not become the design dry bulb.
  const TempDir dir;
  const std::string hot = row(6, 16, 17, 40.0, dew_point_c(40.0, 30.0), 30.0, 101000.0);
  const fs::path epw = write(dir, "site.epw", with_row(4000, hot.substr(0, hot.size() - 1)));
  const fs::path source = fs::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json";
  nlohmann::json doc = nlohmann::json::parse(read_text_file(source, "a scenario", 1u << 24));
  doc["site"]["weather"] = {{"source", "epw"}, {"file", epw.string()}};
  doc["site"].erase("design_dry_bulb_c");
  doc["site"].erase("design_wet_bulb_c");
  const ResolvedScenario rs = resolve_and_prepare(doc, Catalog::embedded(), "default.json (EPW)", source.parent_path());
  const SiteSpec& site = rs.scenario.site;
  CHECK(site.design_dry_bulb_c == Approx(design_conditions_of(*rs.epw_weather).db_0p4_c));
  CHECK(site.design_dry_bulb_c < 29.01);
  CHECK(site.design_dry_bulb_c > 28.9);
  CHECK(site.design_wet_bulb_c == Approx(design_conditions_of(*rs.epw_weather).mcwb_0p4_c));
  CHECK(site.design_evap_wet_bulb_c == Approx(design_conditions_of(*rs.epw_weather).wb_0p4_c));
  CHECK(site.design_basis.find("EPW year") != std::string::npos);
}
