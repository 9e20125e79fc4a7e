#include "core/scenario/scenario.hpp"

namespace aidc {

double it_max_power_w(const ItSpec& it) {
  double total_w = 0.0;
  for (const auto& s : it.systems) total_w += s.max_power_w * s.count;
  return total_w;
}

}  // namespace aidc
