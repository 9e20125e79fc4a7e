#pragma once
// Cooling plant power and water for one hour: heat removed from the white space against the outdoor dry and wet
// bulb. A steady-state, per-hour model: every output is linear in the heat load at given weather.

#include "core/scenario/scenario.hpp"

namespace aidc {

struct CoolingResult {
  double cooling_power_w = 0.0;       // compressors + CRAH fans + pumps + tower / dry-cooler fans
  double water_l_per_h = 0.0;         // evaporation + blowdown + drift, and adiabatic spray
  double chiller_cop = 0.0;           // load-weighted COP of the running chillers; when none run, the COP the main
                                      // chiller would have in this weather
  double economizer_fraction = 0.0;   // share of the plant's heat removed without compressor work
  double chiller_load_w = 0.0;        // heat lifted by compressors
};

// Chiller COP from the Carnot fraction: eta * T_evap / (T_cond − T_evap) in kelvin, capped at spec.chiller_cop_max
// when the lift is tiny or negative.
double chiller_cop(const CoolingSpec& spec, double evaporating_c, double condensing_c);

// Share of a chilled-water load the economizer carries when its outdoor-side fluid leaves at fluid_c: all of it at or
// below the chilled-water supply, none at or above the return (supply + chilled_water_delta_t_k), linear between
// (a series pre-cooler carries the part of the return-to-supply range it can reach).
double economizer_share(const CoolingSpec& spec, double fluid_c);

// Power and water to remove heat_load_w (IT plus indoor electrical losses) at this outdoor dry and wet bulb.
// Throws std::invalid_argument for a negative or non-finite load or an inconsistent spec.
CoolingResult cooling_power(const CoolingSpec& spec, double heat_load_w, double dry_bulb_c, double wet_bulb_c);

}  // namespace aidc
