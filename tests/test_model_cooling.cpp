#include <catch2/catch.hpp>

#include "core/model/cooling.hpp"

using namespace aidc;

namespace {
CoolingSpec tower() { return CoolingSpec{}; }
CoolingSpec air() {
  CoolingSpec s;
  s.kind = CoolingKind::AirCooledChiller;
  return s;
}
CoolingSpec liquid() {
  CoolingSpec s;
  s.kind = CoolingKind::LiquidDryCooler;
  s.liquid_fraction = 0.945;  // ORNL Frontier configuration, shared/data/facility.csv
  return s;
}
constexpr double kLoadW = 1.0e6;
}  // namespace

TEST_CASE("a chiller's COP falls as the wet bulb rises") {
  auto s = tower();
  s.economizer = false;
  // Above 18 C wet bulb the lift exceeds the cap's (T_cond = wb + 11.6 C against T_evap = 13 C): strictly falling.
  double previous = 1e9;
  for (double wb = 18.0; wb <= 32.0; wb += 2.0) {
    const auto r = cooling_power(s, kLoadW, wb + 8.0, wb);
    CHECK(r.chiller_cop < previous);
    CHECK(r.chiller_cop > 1.0);
    previous = r.chiller_cop;
  }
  // Carnot fraction by hand at 25 C wet bulb: T_evap = 15 - 2 = 13 C; the refrigerant condenses above the
  // condenser water leaving the chiller: T_cond = 25 + 4 (tower) + 5.6 (range) + 2 (approach) = 36.6 C.
  REQUIRE(s.chilled_water_supply_c - s.evaporator_approach_k == Approx(13.0));
  REQUIRE(s.tower_approach_k + s.condenser_water_range_k + s.condenser_approach_k == Approx(11.6));
  const auto r = cooling_power(s, kLoadW, 33.0, 25.0);
  CHECK(r.chiller_cop == Approx(s.chiller_carnot_fraction * (13.0 + 273.15) / (36.6 - 13.0)));
}

TEST_CASE("COP is capped at the chiller maximum when the lift is tiny") {
  auto s = tower();
  s.economizer = false;
  // Wet bulb so low that T_cond is barely above (or below) T_evap.
  const auto r = cooling_power(s, kLoadW, 5.0, 4.5);
  CHECK(r.chiller_cop == Approx(s.chiller_cop_max));
  CHECK(chiller_cop(s, 13.0, 13.0) == s.chiller_cop_max);
  CHECK(chiller_cop(s, 13.0, 10.0) == s.chiller_cop_max);
  CHECK(chiller_cop(s, 13.0, 13.5) == s.chiller_cop_max);
}

TEST_CASE("the economizer carries all the load on a cold day and none on a hot one") {
  for (const auto& s : {tower(), air()}) {
    const auto cold = cooling_power(s, kLoadW, -5.0, -7.0);
    CHECK(cold.economizer_fraction == Approx(1.0));
    CHECK(cold.chiller_load_w == Approx(0.0).margin(1e-6));
    const auto hot = cooling_power(s, kLoadW, 38.0, 28.0);
    CHECK(hot.economizer_fraction == Approx(0.0).margin(1e-12));
    CHECK(hot.chiller_load_w > kLoadW);  // the load plus CRAH fan heat
    CHECK(hot.cooling_power_w > cold.cooling_power_w);
  }
  // In between, the share falls linearly over the chilled-water range (tower: wet bulb + 4 + 2 against 15..21 C).
  const auto mid = cooling_power(tower(), kLoadW, 15.0, 12.0);  // fluid 18 C: half-way
  CHECK(mid.economizer_fraction == Approx(0.5));
}

TEST_CASE("cooling power and water are zero with no heat load") {
  for (const auto& s : {tower(), air(), liquid()}) {
    for (double db : {-10.0, 20.0, 45.0}) {
      const auto r = cooling_power(s, 0.0, db, db - 8.0);
      CHECK(r.cooling_power_w == 0.0);
      CHECK(r.water_l_per_h == 0.0);
      CHECK(r.chiller_load_w == 0.0);
      CHECK(std::isfinite(r.chiller_cop));
      CHECK(std::isfinite(r.economizer_fraction));
    }
  }
}

TEST_CASE("cooling power and water scale with the heat load") {
  for (const auto& s : {tower(), air(), liquid()}) {
    const auto one = cooling_power(s, kLoadW, 40.0, 26.0);
    const auto two = cooling_power(s, 2.0 * kLoadW, 40.0, 26.0);
    CHECK(two.cooling_power_w == Approx(2.0 * one.cooling_power_w));
    CHECK(two.water_l_per_h == Approx(2.0 * one.water_l_per_h));
  }
}

TEST_CASE("a cooling tower evaporates about 1.5 litres per kWh of heat rejected") {
  auto s = tower();
  s.economizer = false;
  const auto r = cooling_power(s, kLoadW, 33.0, 25.0);
  // Evaporation alone: rejected heat x 0.85 / 2430 kJ/kg; 1 MW for one hour rejects 3.6 GJ -> about 1.26 m3.
  const double rejected_w = kLoadW * (1.0 + s.crah_fan_w_per_w) * (1.0 + 1.0 / r.chiller_cop);
  const double evaporation_l_per_h = rejected_w * 0.85 / 2.43e6 * 3600.0;
  const double blowdown_l_per_h = evaporation_l_per_h / 3.0;
  CHECK(r.water_l_per_h > evaporation_l_per_h + blowdown_l_per_h);
  CHECK(r.water_l_per_h < 1.05 * (evaporation_l_per_h + blowdown_l_per_h));
  // Dry systems use no water unless the adiabatic spray runs.
  CHECK(cooling_power(air(), kLoadW, 35.0, 24.0).water_l_per_h == 0.0);
  CHECK(cooling_power(liquid(), kLoadW, 20.0, 14.0).water_l_per_h == 0.0);
}

TEST_CASE("liquid cooling to dry coolers runs dry when cool, sprays when hot, and trims with a chiller when hotter") {
  const auto s = liquid();
  const auto cool = cooling_power(s, kLoadW, 20.0, 14.0);  // 20 + 8 = 28 <= 32 C supply: dry
  CHECK(cool.water_l_per_h == 0.0);
  const auto warm = cooling_power(s, kLoadW, 30.0, 22.0);  // 38 > 32: spray 6 K of the 8 K depression x 0.7 = 5.6
  CHECK(warm.water_l_per_h > 0.0);
  auto dry_only = s;
  dry_only.adiabatic_assist = false;
  const auto warm_dry = cooling_power(dry_only, kLoadW, 30.0, 22.0);
  CHECK(warm_dry.water_l_per_h == 0.0);
  CHECK(warm_dry.chiller_load_w > warm.chiller_load_w);  // without spray the trim chiller works harder
  const auto hot = cooling_power(s, kLoadW, 45.0, 26.0);
  CHECK(hot.chiller_load_w > warm.chiller_load_w);
  CHECK(hot.cooling_power_w > warm.cooling_power_w);
  // Much less power than air-cooled chillers on the same hot day.
  CHECK(hot.cooling_power_w < cooling_power(air(), kLoadW, 45.0, 26.0).cooling_power_w);
}

TEST_CASE("cooling rejects a negative heat load and an impossible tower") {
  CHECK_THROWS_AS(cooling_power(tower(), -1.0, 20.0, 15.0), std::invalid_argument);
  auto s = tower();
  s.cycles_of_concentration = 1.0;
  CHECK_THROWS_AS(cooling_power(s, kLoadW, 20.0, 15.0), std::invalid_argument);
}
