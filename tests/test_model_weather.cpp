#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/model/psychrometrics.hpp"
#include "core/model/weather.hpp"
#include "model_fixtures.hpp"

using namespace aidc;

namespace {
double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
}  // namespace

TEST_CASE("a synthetic Singapore year reproduces the annual means of its normals") {
  const auto w = synthetic_weather(test::singapore_normals(), test::kSingaporeElevationM, 8760, {}, 0.0, 0.97);
  REQUIRE(w.dry_bulb_c.size() == 8760);
  const double db = mean(w.dry_bulb_c);
  const double wb = mean(w.wet_bulb_c);
  INFO("synthetic Singapore annual means: dry bulb " << db << " C, wet bulb " << wb << " C");
  CHECK(db == Approx(27.46).margin(0.3));
  CHECK(wb == Approx(25.14).margin(0.3));
  // The file's header: no hour below 18 C dry bulb.
  CHECK(*std::min_element(w.dry_bulb_c.begin(), w.dry_bulb_c.end()) > 18.0);
}

TEST_CASE("a synthetic Singapore year reproduces each month's mean, mean daily max and mean daily min") {
  const auto normals = test::singapore_normals();
  const auto w = synthetic_weather(normals, test::kSingaporeElevationM, 8760, {}, 0.0, 0.97);
  int hour = 0;
  for (int m = 0; m < 12; ++m) {
    double sum = 0.0, sum_max = 0.0, sum_min = 0.0;
    for (int d = 0; d < kDays[m]; ++d) {
      const auto first = w.dry_bulb_c.begin() + hour;
      sum += std::accumulate(first, first + 24, 0.0);
      sum_max += *std::max_element(first, first + 24);
      sum_min += *std::min_element(first, first + 24);
      hour += 24;
    }
    INFO("month " << m + 1);
    CHECK(sum / (24.0 * kDays[m]) == Approx(normals.mean_db_c[m]).margin(0.3));
    CHECK(sum_max / kDays[m] == Approx(normals.mean_daily_max_c[m]).margin(0.3));
    CHECK(sum_min / kDays[m] == Approx(normals.mean_daily_min_c[m]).margin(0.3));
  }
}

TEST_CASE("the synthetic day is coolest near sunrise and warmest in the early afternoon") {
  const auto w = synthetic_weather(test::singapore_normals(), 0.0, 8760, {}, 0.0, 0.97);
  for (int day : {10, 100, 200, 300}) {
    const auto first = w.dry_bulb_c.begin() + 24 * day;
    const int coolest = static_cast<int>(std::min_element(first, first + 24) - first);
    const int warmest = static_cast<int>(std::max_element(first, first + 24) - first);
    CHECK(coolest >= 4);
    CHECK(coolest <= 7);
    CHECK(warmest >= 13);
    CHECK(warmest <= 15);
  }
}

TEST_CASE("the synthetic year has no steps at month boundaries") {
  const auto w = synthetic_weather(test::singapore_normals(), 0.0, 8760, {}, 0.0, 0.97);
  // Same hour on consecutive days never jumps by more than a small amount.
  for (int h = 24; h < 8760; ++h) CHECK(std::abs(w.dry_bulb_c[h] - w.dry_bulb_c[h - 24]) < 0.3);
}

TEST_CASE("the AR(1) noise has the requested standard deviation and wet bulb never exceeds dry bulb") {
  const int hours = 3 * 8760;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  std::vector<double> eps(hours);
  for (auto& e : eps) e = normal(rng);
  const auto normals = test::singapore_normals();
  const auto base = synthetic_weather(normals, 16.0, hours, {}, 0.0, 0.9);
  const auto noisy = synthetic_weather(normals, 16.0, hours, eps, 1.5, 0.9);
  double s2 = 0.0;
  for (int h = 0; h < hours; ++h) {
    const double x = noisy.dry_bulb_c[h] - base.dry_bulb_c[h];
    s2 += x * x;
    REQUIRE(noisy.wet_bulb_c[h] <= noisy.dry_bulb_c[h] + 1e-9);
    REQUIRE(noisy.rh_pct[h] <= 100.0);
  }
  CHECK(std::sqrt(s2 / hours) == Approx(1.5).epsilon(0.1));
  // Horizons beyond a year wrap the climatology.
  CHECK(base.dry_bulb_c[8760 + 123] == base.dry_bulb_c[123]);
}

TEST_CASE("synthetic weather rejects inconsistent normals and too few noise draws") {
  auto bad = test::singapore_normals();
  bad.mean_daily_min_c[3] = 40.0;
  CHECK_THROWS_AS(synthetic_weather(bad, 0.0, 24, {}, 0.0, 0.9), std::invalid_argument);
  std::vector<double> eps(10, 0.0);
  CHECK_THROWS_AS(synthetic_weather(test::singapore_normals(), 0.0, 24, eps, 1.0, 0.9), std::invalid_argument);
}

TEST_CASE("the synthetic year's monthly mean RH is the normals' (vapour pressure held over the diurnal cycle)") {
  const auto normals = test::singapore_normals();
  const auto w = synthetic_weather(normals, test::kSingaporeElevationM, 8760, {}, 0.0, 0.97);
  int hour = 0;
  for (int m = 0; m < 12; ++m) {
    double sum = 0.0;
    for (int h = 0; h < 24 * kDays[m]; ++h) sum += w.rh_pct[hour + h];
    hour += 24 * kDays[m];
    INFO("month " << m + 1);
    CHECK(sum / (24.0 * kDays[m]) == Approx(normals.mean_rh_pct[m]).margin(1.0));
  }
}

TEST_CASE("a dry climate's wide diurnal range lowers the moisture below the one at the mean dry bulb and mean RH") {
  // Tucson-like July: mean 31 C, range 16 K, 37 % RH. Held over the day, 37 % mean RH needs less vapour than 37 %
  // at 31 C (1/e_s is convex), so the mean wet bulb is below the one at the monthly means.
  MonthlyClimate c = test::singapore_normals();
  for (int m = 0; m < 12; ++m) {
    c.mean_db_c[m] = 31.0;
    c.mean_daily_max_c[m] = 39.0;
    c.mean_daily_min_c[m] = 23.0;
    c.mean_rh_pct[m] = 37.0;
  }
  const auto w = synthetic_weather(c, 800.0, 8760, {}, 0.0, 0.97);
  const double p = pressure_at_elevation_pa(800.0);
  CHECK(mean(w.wet_bulb_c) < wet_bulb_c(31.0, 37.0, p) - 0.3);
}

TEST_CASE("the dew-point coupling makes hot hours drier and the independent noise has its sd") {
  const auto normals = test::singapore_normals();
  const SyntheticClimate climate = synthetic_climate(normals, 0.0);
  const int hours = 2 * 8760;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<double> eps(2 * hours);
  for (auto& e : eps) e = normal(rng);
  const auto dry = synthetic_weather(climate, hours, eps, WeatherNoise{1.0, 0.97, 0.0, -0.8});
  const auto plain = synthetic_weather(climate, hours, eps, WeatherNoise{1.0, 0.97, 0.0, 0.0});
  // At the afternoon maximum the coupled air holds less moisture: lower wet bulb at the same dry bulb.
  for (int d = 0; d < 30; ++d) CHECK(dry.wet_bulb_c[24 * d + 14] < plain.wet_bulb_c[24 * d + 14]);
  CHECK(noise_draws_needed(WeatherNoise{1.0, 0.97, 1.0, 0.0}, hours) == static_cast<std::size_t>(2 * hours));
  CHECK(noise_draws_needed(WeatherNoise{1.0, 0.97, 0.0, 0.3}, hours) == static_cast<std::size_t>(hours));
  CHECK_THROWS_AS(synthetic_weather(climate, hours, std::span<const double>(eps).first(hours),
                                    WeatherNoise{1.0, 0.97, 1.0, 0.0}),
                  std::invalid_argument);
}
