#include <catch2/catch.hpp>

#include "core/scenario/scenario.hpp"

TEST_CASE("nameplate IT power is the sum over systems of count times max power") {
  aidc::ItSpec it;
  aidc::SystemSpec a;
  a.count = 10;
  a.max_power_w = 10'200.0;
  aidc::SystemSpec b;
  b.count = 2;
  b.max_power_w = 120'000.0;
  it.systems = {a, b};
  CHECK(aidc::it_max_power_w(it) == Approx(342'000.0));
}
