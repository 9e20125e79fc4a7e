#pragma once
// Moist-air properties (psychrometrics) for weather and cooling models. Pure functions, SI units in the names.
// Source: ASHRAE Handbook — Fundamentals (2017), chapter 1 "Psychrometrics"; equation numbers below refer to it.
// Relative humidity is in percent (0–100) throughout; humidity ratio in kg water per kg dry air.

namespace aidc {

// Standard sea-level pressure (ASHRAE HOF 2017 ch. 1, Table 1).
inline constexpr double kStandardPressurePa = 101'325.0;

// Saturation vapour pressure of pure water: over liquid water for temp_c >= 0, over ice below
// (Hyland & Wexler 1983, as given in ASHRAE HOF 2017 ch. 1 eqs. 5 and 6; valid −100..200 °C, within 300 ppm).
double saturation_vapor_pressure_pa(double temp_c);

// Barometric pressure of the ASHRAE standard atmosphere at an elevation (ASHRAE HOF 2017 ch. 1 eq. 3).
double pressure_at_elevation_pa(double elevation_m);

// Humidity ratio from the partial pressure of water vapour (ASHRAE HOF 2017 ch. 1 eq. 20).
double humidity_ratio_from_vapor_pressure(double vapor_pressure_pa, double pressure_pa);
// Inverse of the above.
double vapor_pressure_from_humidity_ratio(double humidity_ratio, double pressure_pa);
// Humidity ratio of air at a dry bulb and relative humidity.
double humidity_ratio(double dry_bulb_c, double rh_pct, double pressure_pa);
// Relative humidity (percent, not capped) of air with a given humidity ratio at a dry bulb.
double relative_humidity_from_humidity_ratio(double dry_bulb_c, double humidity_ratio, double pressure_pa);

// Dew point (frost point below 0 °C, consistently with saturation_vapor_pressure_pa) of air at a dry bulb and RH.
double dew_point_c(double dry_bulb_c, double rh_pct);
// Temperature at which the saturation vapour pressure equals vapor_pressure_pa.
double dew_point_from_vapor_pressure_c(double vapor_pressure_pa);
// Relative humidity (percent) of air at a dry bulb whose dew point is given.
double relative_humidity_from_dew_point(double dry_bulb_c, double dew_point_c);

// Humidity ratio from dry bulb and thermodynamic wet bulb (ASHRAE HOF 2017 ch. 1 eq. 33, and eq. 35 below 0 °C).
double humidity_ratio_from_wet_bulb(double dry_bulb_c, double wet_bulb_c, double pressure_pa);
// Thermodynamic wet bulb of air with a given humidity ratio: solves eq. 33/35 by safeguarded Newton in a bracket.
double wet_bulb_from_humidity_ratio_c(double dry_bulb_c, double humidity_ratio, double pressure_pa);
// Thermodynamic wet bulb from dry bulb, relative humidity (percent) and pressure. Never exceeds the dry bulb.
double wet_bulb_c(double dry_bulb_c, double rh_pct, double pressure_pa);

}  // namespace aidc
