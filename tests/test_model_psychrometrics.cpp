#include <catch2/catch.hpp>

#include "core/model/psychrometrics.hpp"

using namespace aidc;

TEST_CASE("saturation vapour pressure matches the ASHRAE table") {
  // ASHRAE HOF 2017 ch. 1 Table 3 values as used in PsychroLib's tests; the formulation is within 300 ppm.
  CHECK(saturation_vapor_pressure_pa(-20.0) == Approx(103.24).epsilon(3e-4));   // over ice
  CHECK(saturation_vapor_pressure_pa(-5.0) == Approx(401.74).epsilon(3e-4));    // over ice
  CHECK(saturation_vapor_pressure_pa(5.0) == Approx(872.6).epsilon(3e-4));
  CHECK(saturation_vapor_pressure_pa(25.0) == Approx(3169.7).epsilon(3e-4));
  CHECK(saturation_vapor_pressure_pa(50.0) == Approx(12351.3).epsilon(3e-4));
}

TEST_CASE("the standard atmosphere gives 101325 Pa at sea level and 95461 Pa at 500 m") {
  CHECK(pressure_at_elevation_pa(0.0) == Approx(101325.0));
  CHECK(pressure_at_elevation_pa(500.0) == Approx(95461.0).margin(1.0));  // PsychroLib test value
}

TEST_CASE("humidity ratio from wet bulb matches the reference values above and below freezing") {
  // PsychroLib (ASHRAE HOF 2017 eqs. 33 and 35) reference values, relative tolerance 3e-4 as there.
  CHECK(humidity_ratio_from_wet_bulb(30.0, 25.0, 95461.0) == Approx(0.0192281274241096).epsilon(3e-4));
  CHECK(humidity_ratio_from_wet_bulb(-1.0, -5.0, 95461.0) == Approx(0.00120399819933844).epsilon(3e-4));
}

TEST_CASE("wet bulb matches psychrometric reference values within 0.05 K") {
  // 30 C / 50 % at sea level: 22.0 C on the ASHRAE chart.
  CHECK(wet_bulb_c(30.0, 50.0, 101325.0) == Approx(22.0).margin(0.05));
  // PsychroLib reference: 7 C, 61 %, 100 kPa -> 3.9267 C.
  CHECK(wet_bulb_c(7.0, 61.0, 100000.0) == Approx(3.92667433781955).margin(0.05));
  // 35 C / 20 % at sea level: the thermodynamic wet bulb of ASHRAE eq. 33 is 18.87 C (empirical fits such as
  // Stull 2011 give about 19.1-19.3). A wet bulb of 19.1 C would imply W = 0.00722, above this air's 0.00698.
  const double wb = wet_bulb_c(35.0, 20.0, 101325.0);
  CHECK(wb == Approx(18.87).margin(0.05));
  CHECK(humidity_ratio_from_wet_bulb(35.0, wb, 101325.0) == Approx(humidity_ratio(35.0, 20.0, 101325.0)).epsilon(1e-6));
  // Round trip: the wet bulb of air built from (30 C, 25 C wet bulb) is 25 C.
  const double w = humidity_ratio_from_wet_bulb(30.0, 25.0, 95461.0);
  CHECK(wet_bulb_from_humidity_ratio_c(30.0, w, 95461.0) == Approx(25.0).margin(1e-4));
}

TEST_CASE("wet bulb never exceeds dry bulb and equals it at saturation") {
  for (double db = -30.0; db <= 50.0; db += 2.5) {
    for (double rh = 0.0; rh <= 100.0; rh += 10.0) {
      for (double p : {70000.0, 101325.0}) {
        const double wb = wet_bulb_c(db, rh, p);
        CHECK(wb <= db + 1e-9);
        CHECK(wb >= dew_point_c(db, rh) - 0.5);  // wet bulb lies between dew point and dry bulb (ice/water slack)
      }
    }
    CHECK(wet_bulb_c(db, 100.0, 101325.0) == Approx(db).margin(1e-3));
  }
}

TEST_CASE("dew point and relative humidity from dew point invert each other") {
  CHECK(dew_point_c(25.0, 80.0) == Approx(21.3094).margin(1e-3));  // PsychroLib documentation example
  for (double db : {-10.0, 5.0, 20.0, 35.0}) {
    for (double rh : {10.0, 50.0, 95.0}) {
      CHECK(relative_humidity_from_dew_point(db, dew_point_c(db, rh)) == Approx(rh).epsilon(1e-6));
    }
  }
}
