#pragma once
// IT load until workloads drive it (issue 4): a utilization profile with a diurnal and weekly shape, and the
// fleet's electrical power at that utilization (idle floor plus a share of the dynamic range).

#include "core/scenario/scenario.hpp"

namespace aidc {

// `base` shaped by the day and the week at hour `hour_index`: base × (1 + amplitude × cos(2π (hour of day + 0.5 −
// peak) / 24)), times `weekend_factor` on Saturdays and Sundays. Hour 0 is 00:00 local on a Monday (assumption: the
// horizon starts on a Monday). Shared by the utilization profile and the inference services' demand
// (core/model/fleet_ops.cpp).
double diurnal_weekly(double base, double diurnal_amplitude, double peak_hour, double weekend_factor,
                      long long hour_index);

// Utilization in [0, 1] at hour `hour_index` of the horizon. Hour 0 is 00:00 local on a Monday (assumption:
// the horizon starts on a Monday; only the weekend factor depends on it).
double utilization_at_hour(const UtilizationProfile& profile, long long hour_index);

// Electrical power of all systems at a utilization: count × max × (idle + (1 − idle) × utilization).
double it_power_w(const ItSpec& it, double utilization);

}  // namespace aidc
