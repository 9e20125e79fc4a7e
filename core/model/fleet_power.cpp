// The fleet's IT power and its power cap. Each hour the site asks for the IT power the fleet demands at full clock:
// idle power of the healthy nodes and the fabric, plus the dynamic power of the serving and training nodes. When the
// site delivers less (supply or cooling short), the fleet caps: idle power stays, the dynamic part scales as
// clock^k (FleetSpec::dvfs_power_exponent), and throughput follows the clock. When part of the critical load is
// unpowered instead, every training job is interrupted and work runs at the delivered share.

#include <algorithm>
#include <cmath>

#include "core/model/fleet_state.hpp"

namespace aidc {

using namespace fleet_detail;

double FleetOps::Impl::it_demand_w(std::size_t hour) {
  double idle = fabric_w, dynamic_w = 0.0;
  for (const Pool& p : pools) idle += static_cast<double>(p.up.size()) * p.max_w * p.idle_fraction;
  for (Service& sv : services) dynamic_w += service_dynamic_w(sv, hour);
  for (const Job& j : jobs) {
    if (j.state != JobState::Running) continue;
    const Group& g = groups[static_cast<std::size_t>(j.group)];
    const Pool& p = pools[static_cast<std::size_t>(g.pool)];
    dynamic_w += g.size * p.max_w * (1.0 - p.idle_fraction) * f.training_utilization;
  }
  hour_idle_w = idle;
  hour_demand_w = idle + dynamic_w;
  return hour_demand_w;
}

void FleetOps::Impl::set_supply(Simulator<>& sim, double delivered, bool lost) {
  const double t = now_s(sim);
  accrue(t);
  delivered = std::clamp(delivered, 0.0, 1.0);
  // Clock under a cap: idle power stays, the dynamic part scales as clock^k.
  double c = 1.0;
  const double dyn = hour_demand_w - hour_idle_w;
  if (delivered < 1.0 && dyn > 0.0) {
    const double allowed_dyn = delivered * hour_demand_w - hour_idle_w;
    c = allowed_dyn <= 0.0 ? 0.0 : std::pow(std::min(1.0, allowed_dyn / dyn), 1.0 / f.dvfs_power_exponent);
  }
  const double new_factor = lost ? delivered : c;
  const bool was_capped = capped;
  capped = delivered < 1.0 - 1e-12;
  if (capped && !was_capped) record(t, kRecordPowerCapStart, lost ? "power_loss" : "power_cap", 0, 0.0, delivered);
  if (!capped && was_capped) record(t, kRecordPowerCapEnd, "power_cap", 0, 0.0, delivered);
  fraction = delivered;
  clock = lost ? 0.0 : c;
  if (lost && !power_lost) {
    power_lost = true;
    on_power_lost(sim);
  } else if (!lost && power_lost) {
    power_lost = false;
    on_power_restored(sim);
  }
  if (new_factor != factor) {
    factor = new_factor;
    on_speed_changed(sim);
  }
  reschedule_failure(sim);
}

}  // namespace aidc
