#include "core/model/power_chain.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace aidc {
namespace {

void validate(const PowerChainSpec& s) {
  auto efficiency_ok = [](double e) { return e > 0.0 && e <= 1.0; };
  if (!efficiency_ok(s.transformer_efficiency) || !efficiency_ok(s.ups_efficiency) ||
      !efficiency_ok(s.pdu_efficiency))
    throw std::invalid_argument("power chain: efficiencies must be in (0, 1]");
  if (!(s.misc_fraction_of_it >= 0.0)) throw std::invalid_argument("power chain: misc_fraction_of_it must be >= 0");
}

void require_power(double w, const char* what) {
  if (!std::isfinite(w) || w < 0.0)
    throw std::invalid_argument(std::string("power chain: ") + what + " must be a finite number >= 0 W, got " +
                                std::to_string(w));
}

// UPS, PDU and misc losses for an IT load.
double indoor_loss_w(const PowerChainSpec& s, double it_w) {
  // The UPS feeds the PDUs which feed IT: input = IT / (eta_pdu * eta_ups).
  const double critical_input_w = it_w / (s.pdu_efficiency * s.ups_efficiency);
  // Lighting, offices and security are off the UPS but inside the building; counted as loss (not IT).
  const double misc_w = s.misc_fraction_of_it * it_w;
  return (critical_input_w - it_w) + misc_w;
}

}  // namespace

double indoor_heat_w(const PowerChainSpec& spec, double it_power_w) {
  validate(spec);
  require_power(it_power_w, "IT power");
  return it_power_w + indoor_loss_w(spec, it_power_w);
}

PowerFlows power_flows(const PowerChainSpec& spec, double it_power_w, double cooling_power_w) {
  validate(spec);
  require_power(it_power_w, "IT power");
  require_power(cooling_power_w, "cooling power");
  PowerFlows f;
  f.it_power_w = it_power_w;
  f.cooling_power_w = cooling_power_w;
  f.indoor_loss_w = indoor_loss_w(spec, it_power_w);
  const double transformer_output_w = it_power_w + f.indoor_loss_w + cooling_power_w;
  const double transformer_loss_w = transformer_output_w * (1.0 / spec.transformer_efficiency - 1.0);
  f.loss_power_w = f.indoor_loss_w + transformer_loss_w;
  // Summed in the documented order so that facility == it + cooling + losses holds exactly.
  f.facility_power_w = it_power_w + cooling_power_w + f.loss_power_w;
  return f;
}

}  // namespace aidc
