// The checks of one candidate's plan (core/run/sizing_candidate.hpp): its power at the design dry / wet bulb
// against the grid connection, and the verification by simulation (every service's P10 slo_attainment, every
// deadline job's P90 time_to_train_d; a replication that does not finish counts as late).
#include <cmath>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "core/model/facility_design.hpp"
#include "core/model/fleet_plan.hpp"
#include "core/model/fleet_sizing.hpp"
#include "core/model/power_chain.hpp"
#include "core/model/site_year.hpp"
#include "core/run/sizing_candidate.hpp"
#include "core/stats/quantile.hpp"

namespace aidc::sizing {

namespace {

RequirementCheck service_check(const std::string& name, const std::vector<double>& values, double target) {
  RequirementCheck c;
  c.workload = name;
  std::vector<double> defined;
  for (double x : values) {
    if (!std::isnan(x)) defined.push_back(x);
  }
  c.kpi = "slo_attainment";
  c.statistic = "p10";
  c.value = defined.empty() ? 1.0 : quantile(defined, 0.1);
  c.target = target;
  c.met = c.value >= c.target;
  c.replications = static_cast<int>(values.size());
  for (double x : defined) c.missing += x < target ? 1 : 0;
  return c;
}

RequirementCheck deadline_check(const std::string& name, const std::vector<double>& values, double deadline_d) {
  RequirementCheck c;
  c.workload = name;
  bool late = false;
  for (double x : values) late = late || std::isnan(x);
  c.kpi = "time_to_train_d";
  c.statistic = "p90";
  c.value = late ? kInf : quantile(values, 0.9);
  c.target = deadline_d;
  c.met = c.value <= c.target;
  c.replications = static_cast<int>(values.size());
  for (double x : values) c.missing += (std::isnan(x) || x > deadline_d) ? 1 : 0;
  return c;
}

}  // namespace

bool CandidateSizer::fits_grid(const Plan& plan) {
  const int systems = systems_of(plan);
  const ResolvedScenario rs = resolve(document(systems, &plan, spares_for(plan)));
  const Scenario& s = rs.scenario;
  const double it_w = it_max_power_w(s.it) + (s.fleet.enabled ? size_fabric(s.it, s.fleet.network).power_w : 0.0);
  const DesignPower design = design_power(s.facility, s.site, it_w);
  const double facility_w = design.facility_w;
  r_.it_mw = it_w / 1e6;
  r_.facility_mw = facility_w / 1e6;
  r_.systems = systems;
  if (facility_w > s.site.grid.capacity_w) {
    r_.limiting_factor = "grid capacity";
    r_.reason = fmt::format(
        "{} {} need {:.1f} MW IT and {:.1f} MW at the meter at the design {:.1f} °C dry / {:.1f} °C wet bulb; "
        "the grid connection is {:.1f} MW",
        systems, r_.system, it_w / 1e6, facility_w / 1e6, design.dry_bulb_c, design.wet_bulb_c,
        s.site.grid.capacity_w / 1e6);
    fill_plan(plan);
    return false;
  }
  return true;
}

const Outcome& CandidateSizer::verify(const Plan& plan, int replications) {
  const int reps = replications > 0 ? replications : z_.verify_replications;
  if (auto it = memo_.find({plan, reps}); it != memo_.end()) return it->second;
  ++runs_;
  const int working = working_nodes(plan);
  const int spares = spares_for(plan);
  const ResolvedScenario rs = resolve(document(working + spares, &plan, spares, reps));
  const Scenario& s = rs.scenario;
  std::vector<FleetWorkloadRate> rates;
  for (std::size_t i = 0; i < ws_.size(); ++i) {
    if (ws_[i].training) {
      rates.push_back({0.0, train_point(static_cast<int>(i), plan[i]).tokens_per_s});
    } else {
      rates.push_back({ws_[i].instance_tokens_per_s, 0.0});
    }
  }
  const SiteWeather weather(s, rs.epw_weather.get());
  const int R = s.replications;
  std::vector<SiteYearResult> results(static_cast<std::size_t>(R));
  tbb::parallel_for(0, R, [&](int rep) {
    results[static_cast<std::size_t>(rep)] = simulate_site_year(s, weather.replication(rep), rep, rates);
  });
  const std::vector<KpiInfo> info = fleet_kpi_info(s);
  auto kpi_values = [&](const std::string& name) {
    std::vector<double> v;
    const std::size_t k = kpi_index(info, name);
    if (k == info.size()) return v;
    for (const SiteYearResult& r : results) v.push_back(r.fleet_kpis.at(k));
    return v;
  };
  Outcome o;
  o.passed = true;
  for (const WorkloadState& st : ws_) {
    const WorkloadSpec& w = st.spec;
    RequirementCheck c;
    if (!st.training) {
      c = service_check(w.name, kpi_values(w.name + ".slo_attainment"), z_.slo_attainment);
    } else if (w.deadline_d > 0.0) {
      c = deadline_check(w.name, kpi_values(w.name + ".time_to_train_d"), w.deadline_d);
    } else {
      continue;
    }
    o.passed = o.passed && c.met;
    o.checks.push_back(c);
  }
  std::vector<double> pue, water, carbon, cost;
  const std::vector<double> served = kpi_values("output_tokens_served");
  for (const SiteYearResult& r : results) {
    pue.push_back(r.kpis[kKpiPueAnnual]);
    water.push_back(r.kpis[kKpiWater]);
    carbon.push_back(r.kpis[kKpiCarbon]);
    cost.push_back(r.kpis[kKpiEnergyCost]);
  }
  o.pue = mean(pue);
  o.water_m3 = mean(water);
  o.carbon_t = mean(carbon);
  o.energy_cost_usd = mean(cost);
  o.tokens_served = served.empty() ? 0.0 : mean(served);
  say(fmt::format("{} / {}: run {}, {} systems: {}", r_.site, r_.system, runs_, working + spares,
                  o.passed ? "meets every requirement" : "fails " + first_failed(o)));
  return memo_.emplace(std::make_pair(plan, reps), std::move(o)).first->second;
}

}  // namespace aidc::sizing
