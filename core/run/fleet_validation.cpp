#include "core/run/fleet_validation.hpp"

#include <vector>

#include <fmt/format.h>

#include "core/model/fleet_ops.hpp"
#include "core/model/site_year.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/stats/quantile.hpp"

namespace aidc {

nlohmann::json llama3_405b_validation_scenario() {
  // Meta's cluster is in the United States, which the country catalog lacks: the site (Japan, a very reliable grid)
  // is a stand-in that plays no part in the interruptions. 64 hot-spare nodes (assumption) replace failed ones.
  return nlohmann::json::parse(R"({
    "name": "llama3-405b-16k-h100",
    "description": "2,112 DGX H100 (2,048 for the job plus 64 hot spares) training llama-3.1-405b for 54 days.",
    "seed": 405,
    "replications": 32,
    "horizon": {"duration_h": 1296},
    "site": {"country": "Japan", "grid": {"capacity_mw": 40}, "weather": {"source": "synthetic", "climate": "Tokyo"}},
    "facility": {
      "cooling": {"type": "water_cooled_chiller_tower"},
      "ups": {"ride_through_s": 300},
      "generators": {"redundancy": "N+1", "unit_capacity_mw": 2.5}
    },
    "it": {"systems": [{"name": "dgx-h100", "count": 2112}]},
    "fleet": {"hot_spare_nodes": 64},
    "workloads": [
      {"name": "llama3-405b", "type": "training", "model": "llama-3.1-405b", "system": "dgx-h100", "gpus": 16384,
       "seq": 8192, "global_batch_tokens": 16777216, "tokens": 1e15}
    ]
  })");
}

FleetValidation validate_fleet_llama3(const Catalog& catalog, int replications, Backend backend) {
  ResolvedScenario rs = resolve_and_prepare(llama3_405b_validation_scenario(), catalog, "(built-in validation case)", ".");
  const Scenario& s = rs.scenario;
  const std::vector<FleetWorkloadRate> rates = fleet_rates(estimate_workloads(s, backend));
  const std::vector<KpiInfo> info = fleet_kpi_info(s);
  const std::size_t k_interruptions = kpi_index(info, "llama3-405b.interruptions");
  const std::size_t k_ettr = kpi_index(info, "llama3-405b.ettr");
  const SiteWeather weather(s, nullptr);
  std::vector<double> interruptions, ettr;
  for (int rep = 0; rep < replications; ++rep) {
    const SiteYearResult r = simulate_site_year(s, weather.replication(rep), rep, rates);
    interruptions.push_back(r.fleet_kpis.at(k_interruptions));
    ettr.push_back(r.fleet_kpis.at(k_ettr));
  }
  FleetValidation v;
  v.replications = replications;
  v.interruptions_mean = mean(interruptions);
  v.interruptions_p10 = quantile(interruptions, 0.1);
  v.interruptions_p90 = quantile(interruptions, 0.9);
  v.interruptions_error = v.interruptions_mean / v.interruptions_published - 1.0;
  v.ettr_mean = mean(ettr);
  v.ettr_p10 = quantile(ettr, 0.1);
  v.ettr_p90 = quantile(ettr, 0.9);
  v.ettr_met = v.ettr_mean > v.ettr_published_min;
  v.training_tokens_per_s = rates.empty() ? 0.0 : rates.front().training_tokens_per_s;
  return v;
}

nlohmann::json fleet_validation_json(const FleetValidation& v) {
  return {{"case", "llama-3.1-405b pre-training, 16,384 H100, 54 days (arXiv 2407.21783, Table 5)"},
          {"replications", v.replications},
          {"interruptions", {{"published", v.interruptions_published},
                             {"mean", v.interruptions_mean},
                             {"p10", v.interruptions_p10},
                             {"p90", v.interruptions_p90},
                             {"error", v.interruptions_error}}},
          {"ettr", {{"published_min", v.ettr_published_min},
                    {"mean", v.ettr_mean},
                    {"p10", v.ettr_p10},
                    {"p90", v.ettr_p90},
                    {"met", v.ettr_met}}},
          {"training_tokens_per_s", v.training_tokens_per_s}};
}

std::string fleet_validation_text(const FleetValidation& v) {
  return fmt::format(
      "fleet validation: llama-3.1-405b on 16,384 H100 for 54 days, {} replications: interruptions mean {:.1f} "
      "(P10 {:.0f}, P90 {:.0f}; published 419, error {:+.1f} %), effective training time ratio mean {:.3f} "
      "(P10 {:.3f}, P90 {:.3f}; published > 0.90: {})",
      v.replications, v.interruptions_mean, v.interruptions_p10, v.interruptions_p90, 100.0 * v.interruptions_error,
      v.ettr_mean, v.ettr_p10, v.ettr_p90, v.ettr_met ? "met" : "NOT met");
}

}  // namespace aidc
