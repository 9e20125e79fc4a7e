#include "core/model/cooling.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace aidc {
namespace {

constexpr double kKelvinOffset = 273.15;
// Latent heat of vaporisation of water at about 30 °C, 2430 kJ/kg (IAPWS-IF97 steam tables: 2429.8 kJ/kg at 30 °C).
constexpr double kLatentHeatJPerKg = 2.430e6;
// Specific heat of liquid water near 30 °C, J/(kg K) (steam tables: 4.18 kJ/(kg K)).
constexpr double kWaterCpJPerKgK = 4186.0;
// Density of water: 1 kg per litre (assumption; 0.996 at 30 °C, inside the model's uncertainty).
constexpr double kLitresPerKg = 1.0;
constexpr double kSecondsPerHour = 3600.0;

// Everything below is computed per watt of heat load and scaled at the end: a load of zero gives exact zeros.
struct PerWatt {
  double power = 0.0;        // W of electricity per W of heat
  double water_kg_s = 0.0;   // kg/s per W of heat
  double chiller_load = 0.0; // W lifted by compressors per W of heat
  double compressor = 0.0;   // W of compressor work per W of heat
  double plant_load = 0.0;   // W of heat the plant removes per W of heat (load plus fan heat)
};

// A chilled-water plant (chillers with an economizer) serving load_w of heat; returns the compressor work, what the
// chillers lift, and the heat rejected outdoors.
struct ChilledWater {
  double chiller_load = 0.0;
  double compressor = 0.0;
  double rejected = 0.0;
  double cop = 0.0;
};

ChilledWater chilled_water_plant(const CoolingSpec& s, double load, double condensing_c, double economizer_fluid_c) {
  ChilledWater out;
  const double evaporating_c = s.chilled_water_supply_c - s.evaporator_approach_k;
  out.cop = chiller_cop(s, evaporating_c, condensing_c);
  const double free_share = s.economizer ? economizer_share(s, economizer_fluid_c) : 0.0;
  out.chiller_load = load * (1.0 - free_share);
  out.compressor = out.chiller_load / out.cop;
  out.rejected = load + out.compressor;
  return out;
}

// Wet cooling tower water: evaporation of the latent share of the rejected heat, blowdown to hold the cycles of
// concentration, drift as a share of the circulating water.
double tower_water_kg_s(const CoolingSpec& s, double rejected_w) {
  const double evaporation = rejected_w * s.tower_evaporated_share / kLatentHeatJPerKg;
  const double blowdown = evaporation / (s.cycles_of_concentration - 1.0);
  const double circulating = rejected_w / (kWaterCpJPerKgK * s.condenser_water_range_k);
  return evaporation + blowdown + s.drift_fraction * circulating;
}

void validate(const CoolingSpec& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("cooling spec: " + what); };
  if (!(s.chiller_carnot_fraction > 0.0 && s.chiller_carnot_fraction <= 1.0))
    fail("chiller_carnot_fraction must be in (0, 1]");
  if (!(s.chiller_cop_max > 0.0)) fail("chiller_cop_max must be > 0");
  if (!(s.cycles_of_concentration > 1.0)) fail("cycles_of_concentration must be > 1");
  if (!(s.liquid_fraction >= 0.0 && s.liquid_fraction <= 1.0)) fail("liquid_fraction must be in [0, 1]");
  if (!(s.adiabatic_effectiveness >= 0.0 && s.adiabatic_effectiveness <= 1.0))
    fail("adiabatic_effectiveness must be in [0, 1]");
  if (!(s.chilled_water_delta_t_k > 0.0)) fail("chilled_water_delta_t_k must be > 0");
  if (!(s.condenser_water_range_k > 0.0)) fail("condenser_water_range_k must be > 0");
  if (!(s.liquid_loop_delta_t_k > 0.0)) fail("liquid_loop_delta_t_k must be > 0");
  if (!(s.drycooler_air_delta_t_k > 0.0)) fail("drycooler_air_delta_t_k must be > 0");
  if (!(s.tower_evaporated_share >= 0.0 && s.tower_evaporated_share <= 1.0))
    fail("tower_evaporated_share must be in [0, 1]");
  if (s.crah_fan_w_per_w < 0.0 || s.pump_w_per_w < 0.0 || s.tower_fan_w_per_w < 0.0 || s.drift_fraction < 0.0)
    fail("fan, pump and drift coefficients must be >= 0");
}

// Refrigerant condensing temperature of a water-cooled chiller: above the condenser water LEAVING the chiller
// (tower water + range), by the condenser approach.
double water_cooled_condensing_c(const CoolingSpec& s, double wb) {
  return wb + s.tower_approach_k + s.condenser_water_range_k + s.condenser_approach_k;
}

// Refrigerant condensing temperature of an air-cooled chiller: the dry bulb plus the condenser's initial
// temperature difference.
double air_cooled_condensing_c(const CoolingSpec& s, double db) { return db + s.air_condenser_approach_k; }

// All heat by air to CRAHs on chilled water from water-cooled chillers and wet towers (water-side economizer).
PerWatt water_cooled(const CoolingSpec& s, double wb) {
  const double crah = s.crah_fan_w_per_w;  // fan heat ends up in the air the CRAH coils cool
  const double plant_load = 1.0 + crah;
  const double tower_water_c = wb + s.tower_approach_k;
  const ChilledWater cw = chilled_water_plant(s, plant_load, water_cooled_condensing_c(s, wb),
                                              tower_water_c + s.economizer_approach_k);
  PerWatt r;
  r.power = cw.compressor + crah + s.pump_w_per_w + s.tower_fan_w_per_w * cw.rejected;
  r.water_kg_s = tower_water_kg_s(s, cw.rejected);
  r.chiller_load = cw.chiller_load;
  r.compressor = cw.compressor;
  r.plant_load = plant_load;
  return r;
}

// Air-cooled chillers serving `air_heat` W by air (CRAHs); dry-bulb economizer coil on the same air stream.
PerWatt air_cooled(const CoolingSpec& s, double air_heat, double db) {
  const double crah = s.crah_fan_w_per_w * air_heat;
  const double plant_load = air_heat + crah;
  // The economizer is a dry-cooler coil whose fluid leaves at the dry bulb plus the dry-cooler approach.
  const double economizer_fluid_c = db + s.drycooler_approach_k + s.economizer_approach_k;
  const ChilledWater cw = chilled_water_plant(s, plant_load, air_cooled_condensing_c(s, db), economizer_fluid_c);
  PerWatt r;
  r.power = cw.compressor + crah + s.tower_fan_w_per_w * cw.rejected;
  r.chiller_load = cw.chiller_load;
  r.compressor = cw.compressor;
  r.plant_load = plant_load;
  return r;
}

// Liquid-cooled share to dry coolers (adiabatic assist, then an air-cooled trim chiller); the rest by air-cooled
// chillers. Pumps on all heat.
PerWatt liquid_dry_cooler(const CoolingSpec& s, double db, double wb) {
  const double liquid = s.liquid_fraction;
  PerWatt r = air_cooled(s, 1.0 - liquid, db);
  r.power += s.pump_w_per_w;
  if (liquid <= 0.0) return r;

  double air_in_c = db;
  double spray_depression_k = 0.0;
  if (db + s.drycooler_approach_k > s.liquid_supply_c && s.adiabatic_assist) {
    // Spray only as much as needed to reach the supply temperature, at most the pad's share of the wet-bulb
    // depression.
    const double needed = db + s.drycooler_approach_k - s.liquid_supply_c;
    spray_depression_k = std::min(needed, s.adiabatic_effectiveness * std::max(db - wb, 0.0));
    air_in_c = db - spray_depression_k;
  }
  const double leaving_c = air_in_c + s.drycooler_approach_k;
  // The dry cooler pre-cools the return (supply + loop ΔT); the trim chiller lifts what is left above the supply.
  const double trim_share = std::clamp((leaving_c - s.liquid_supply_c) / s.liquid_loop_delta_t_k, 0.0, 1.0);
  const double trim_load = liquid * trim_share;
  const double trim_cop = chiller_cop(s, s.liquid_supply_c - s.evaporator_approach_k, air_cooled_condensing_c(s, air_in_c));
  const double trim_compressor = trim_load / trim_cop;
  const double rejected = liquid + trim_compressor;

  r.power += trim_compressor + s.tower_fan_w_per_w * rejected;
  // Evaporated spray: the air through the dry cooler (m cp = Q / ΔT_air) is cooled by the depression, and that
  // sensible heat goes into evaporating water.
  r.water_kg_s += rejected * spray_depression_k / s.drycooler_air_delta_t_k / kLatentHeatJPerKg;
  r.chiller_load += trim_load;
  r.compressor += trim_compressor;
  r.plant_load += liquid;
  return r;
}

}  // namespace

double chiller_cop(const CoolingSpec& spec, double evaporating_c, double condensing_c) {
  const double lift_k = condensing_c - evaporating_c;
  const double t_evap_k = evaporating_c + kKelvinOffset;
  if (!(lift_k > 0.0)) return spec.chiller_cop_max;
  return std::min(spec.chiller_cop_max, spec.chiller_carnot_fraction * t_evap_k / lift_k);
}

double economizer_share(const CoolingSpec& spec, double fluid_c) {
  const double supply = spec.chilled_water_supply_c;
  const double ret = supply + spec.chilled_water_delta_t_k;
  if (fluid_c <= supply) return 1.0;
  if (fluid_c >= ret) return 0.0;
  return (ret - fluid_c) / spec.chilled_water_delta_t_k;
}

CoolingResult cooling_power(const CoolingSpec& spec, double heat_load_w, double dry_bulb_c, double wet_bulb_c) {
  if (!std::isfinite(heat_load_w) || heat_load_w < 0.0)
    throw std::invalid_argument("cooling_power: heat load must be a finite number >= 0 W, got " +
                                std::to_string(heat_load_w));
  if (!std::isfinite(dry_bulb_c) || !std::isfinite(wet_bulb_c))
    throw std::invalid_argument("cooling_power: dry and wet bulb must be finite");
  validate(spec);
  const double wb = std::min(wet_bulb_c, dry_bulb_c);  // a wet bulb above the dry bulb is a data error: saturate

  PerWatt r;
  double idle_cop = 0.0;  // COP of the main chiller in this weather, reported when no chiller runs
  const double evaporating_c = spec.chilled_water_supply_c - spec.evaporator_approach_k;
  switch (spec.kind) {
    case CoolingKind::WaterCooledChillerTower:
      r = water_cooled(spec, wb);
      idle_cop = chiller_cop(spec, evaporating_c, water_cooled_condensing_c(spec, wb));
      break;
    case CoolingKind::AirCooledChiller:
      r = air_cooled(spec, 1.0, dry_bulb_c);
      r.power += spec.pump_w_per_w;
      idle_cop = chiller_cop(spec, evaporating_c, air_cooled_condensing_c(spec, dry_bulb_c));
      break;
    case CoolingKind::LiquidDryCooler:
      r = liquid_dry_cooler(spec, dry_bulb_c, wb);
      idle_cop = spec.liquid_fraction < 1.0
                     ? chiller_cop(spec, evaporating_c, air_cooled_condensing_c(spec, dry_bulb_c))
                     : chiller_cop(spec, spec.liquid_supply_c - spec.evaporator_approach_k,
                                   air_cooled_condensing_c(spec, dry_bulb_c));
      break;
  }

  CoolingResult out;
  out.cooling_power_w = r.power * heat_load_w;
  out.water_l_per_h = r.water_kg_s * heat_load_w * kLitresPerKg * kSecondsPerHour;
  out.chiller_load_w = r.chiller_load * heat_load_w;
  out.chiller_cop = r.compressor > 0.0 ? r.chiller_load / r.compressor : idle_cop;
  out.economizer_fraction = r.plant_load > 0.0 ? 1.0 - r.chiller_load / r.plant_load : 0.0;
  return out;
}

}  // namespace aidc
