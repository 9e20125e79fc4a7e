#pragma once
// Electrical losses between the grid and the IT load. The critical (IT) load runs through PDUs and a double-conversion
// UPS; everything (IT, its losses, misc loads and cooling) runs through the medium-voltage transformers.
// Order of evaluation, which avoids a circular dependency: indoor heat (IT + UPS/PDU/misc losses) first, then the
// cooling that removes it, then transformer losses on the whole.

#include "core/scenario/scenario.hpp"

namespace aidc {

struct PowerFlows {
  double it_power_w = 0.0;
  double cooling_power_w = 0.0;
  double loss_power_w = 0.0;      // UPS + PDU + misc + transformer losses
  double facility_power_w = 0.0;  // it + cooling + losses (by construction)
  double indoor_loss_w = 0.0;     // UPS + PDU + misc: released inside, removed by the cooling
};

// IT power plus the UPS, PDU and misc losses that end up as heat inside the building.
double indoor_heat_w(const PowerChainSpec& spec, double it_power_w);

// The facility's power flows for an IT load and the cooling power computed from indoor_heat_w.
// Throws std::invalid_argument for negative powers or efficiencies outside (0, 1].
PowerFlows power_flows(const PowerChainSpec& spec, double it_power_w, double cooling_power_w);

}  // namespace aidc
