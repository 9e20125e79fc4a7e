#include <catch2/catch.hpp>

#include <limits>
#include <stdexcept>

#include "core/engine/sim_time.hpp"

using aidc::SimTime;

TEST_CASE("seconds convert to simulated nanoseconds rounded to the nearest nanosecond") {
  STATIC_REQUIRE(aidc::seconds_to_sim(1.0) == aidc::kNsPerSecond);
  STATIC_REQUIRE(aidc::kNsPerHour == 3'600'000'000'000);
  CHECK(aidc::seconds_to_sim(1.5e-9) == 2);
  CHECK(aidc::seconds_to_sim(1.4e-9) == 1);
  CHECK(aidc::seconds_to_sim(-1.5e-9) == -2);
  CHECK(aidc::seconds_to_sim(0.1) == 100'000'000);
  CHECK(aidc::sim_to_seconds(aidc::kNsPerHour) == 3600.0);
  CHECK(aidc::sim_to_seconds(aidc::seconds_to_sim(123.456789)) == Approx(123.456789).epsilon(1e-15));
}

TEST_CASE("a duration outside the simulated time range is rejected") {
  CHECK_THROWS_AS(aidc::seconds_to_sim(1e12), std::out_of_range);  // ~31,700 years
  CHECK_THROWS_AS(aidc::seconds_to_sim(std::numeric_limits<double>::quiet_NaN()), std::out_of_range);
}
