#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include "core/model/cooling.hpp"
#include "core/model/power_chain.hpp"
#include "core/model/weather.hpp"
#include "model_fixtures.hpp"

using namespace aidc;

namespace {
constexpr double kItW = 10.0e6;

struct AnnualPue {
  double pue;
  double min_hourly_pue;
};

AnnualPue annual_pue(const FacilitySpec& f, const HourlyWeather& w) {
  double it_j = 0.0, facility_j = 0.0, min_pue = 1e9;
  for (std::size_t h = 0; h < w.dry_bulb_c.size(); ++h) {
    const double heat = indoor_heat_w(f.power_chain, kItW);
    const auto c = cooling_power(f.cooling, heat, w.dry_bulb_c[h], w.wet_bulb_c[h]);
    const auto p = power_flows(f.power_chain, kItW, c.cooling_power_w);
    it_j += p.it_power_w;
    facility_j += p.facility_power_w;
    min_pue = std::min(min_pue, p.facility_power_w / p.it_power_w);
  }
  return {facility_j / it_j, min_pue};
}

std::vector<FacilitySpec> designs() {
  FacilitySpec tower;
  FacilitySpec air;
  air.cooling.kind = CoolingKind::AirCooledChiller;
  FacilitySpec liquid;
  liquid.cooling.kind = CoolingKind::LiquidDryCooler;
  liquid.cooling.liquid_fraction = 0.945;
  return {tower, air, liquid};
}
}  // namespace

TEST_CASE("facility power equals IT plus cooling plus losses") {
  const PowerChainSpec spec;
  for (double it : {0.0, 1.0, 1.0e3, 7.3e6, 1.0e9}) {
    for (double cooling : {0.0, 0.123 * it, 0.6 * it}) {
      const auto p = power_flows(spec, it, cooling);
      CHECK(p.facility_power_w == p.it_power_w + p.cooling_power_w + p.loss_power_w);
      // And the losses are what the chain's efficiencies imply, to a few ulps.
      const double expected = (it / (spec.ups_efficiency * spec.pdu_efficiency) + spec.misc_fraction_of_it * it +
                               cooling) / spec.transformer_efficiency;
      CHECK(p.facility_power_w == Approx(expected).epsilon(1e-14));
    }
  }
}

TEST_CASE("indoor heat is IT plus the UPS, PDU and misc losses") {
  PowerChainSpec spec;
  const auto p = power_flows(spec, kItW, 0.0);
  CHECK(indoor_heat_w(spec, kItW) == Approx(kItW + p.indoor_loss_w));
  CHECK(p.indoor_loss_w < p.loss_power_w);  // transformers add to the losses but not to the indoor heat
  spec.ups_efficiency = spec.pdu_efficiency = spec.transformer_efficiency = 1.0;
  spec.misc_fraction_of_it = 0.0;
  CHECK(power_flows(spec, kItW, 5.0).loss_power_w == 0.0);
  CHECK_THROWS_AS(power_flows(spec, -1.0, 0.0), std::invalid_argument);
  spec.ups_efficiency = 0.0;
  CHECK_THROWS_AS(indoor_heat_w(spec, kItW), std::invalid_argument);
}

TEST_CASE("PUE is at least 1 for every climate hour") {
  const auto normals = test::singapore_normals();
  for (double shift : {-25.0, -15.0, 0.0, 10.0}) {
    const auto w = synthetic_weather(test::shifted(normals, shift), 0.0, 8760, {}, 0.0, 0.97);
    for (const auto& f : designs()) {
      const auto r = annual_pue(f, w);
      CHECK(r.min_hourly_pue >= 1.0);
      CHECK(r.pue < 2.5);
    }
  }
}

TEST_CASE("a hotter climate gives a higher annual PUE for the same design") {
  const auto normals = test::singapore_normals();
  const auto hot = synthetic_weather(normals, 16.0, 8760, {}, 0.0, 0.97);
  const auto cold = synthetic_weather(test::shifted(normals, -15.0), 16.0, 8760, {}, 0.0, 0.97);
  for (const auto& f : designs()) {
    const double pue_hot = annual_pue(f, hot).pue;
    const double pue_cold = annual_pue(f, cold).pue;
    INFO("cooling kind " << static_cast<int>(f.cooling.kind) << ": PUE " << pue_hot << " (Singapore) vs " << pue_cold
                         << " (15 K colder)");
    CHECK(pue_hot > pue_cold);
    CHECK(pue_hot > 1.05);
  }
}
