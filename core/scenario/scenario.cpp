#include "core/scenario/scenario.hpp"

namespace aidc {

double it_max_power_w(const ItSpec& it) {
  double total_w = 0.0;
  for (const auto& s : it.systems) total_w += s.max_power_w * s.count;
  return total_w;
}

double mean_output_tokens(const WorkloadSpec& w) {
  if (w.mix.empty()) return w.osl;
  double tokens = 0.0;
  for (const RequestClass& c : w.mix) tokens += c.share * c.osl;
  return tokens;
}

}  // namespace aidc
