// The results of one candidate's plan (core/run/sizing_candidate.hpp): its workloads in numbers, its economics
// (capex, TCO = capex + PV of opex over the economics horizon, levelized USD per million output tokens), PUE,
// water and carbon per year from the verification runs; and the ranking of a site's candidates.
#include <algorithm>
#include <cmath>

#include "core/model/economics.hpp"
#include "core/model/fleet_sizing.hpp"
#include "core/run/sizing_candidate.hpp"

namespace aidc::sizing {

namespace {

double objective_value(const CandidateResult& c, SizingObjective o) {
  switch (o) {
    case SizingObjective::Tco: return c.tco_usd;
    case SizingObjective::Capex: return c.capex_usd;
    case SizingObjective::UsdPerMillionTokens: return c.usd_per_million_tokens;
  }
  return c.tco_usd;
}

}  // namespace

void CandidateSizer::fill_plan(const Plan& plan) {
  r_.workloads.clear();
  r_.working_nodes = working_nodes(plan);
  r_.spare_nodes = spares_for(plan);
  r_.systems = r_.working_nodes + r_.spare_nodes;
  r_.gpus = static_cast<long long>(r_.systems) * sys_.gpus_per_system;
  for (std::size_t i = 0; i < ws_.size(); ++i) {
    const WorkloadState& st = ws_[i];
    WorkloadPlan p;
    p.name = st.spec.name;
    p.training = st.training;
    p.precision = st.precision;
    p.note = st.note;
    p.nodes = nodes_of(static_cast<int>(i), plan[i]);
    if (st.training) {
      const TrainPoint& t = train_point(static_cast<int>(i), p.nodes);
      p.gpus = t.gpus;
      p.tokens_per_s = t.tokens_per_s;
      p.availability = t.ettr;
      p.deadline_d = st.spec.deadline_d;
      p.estimated_time_to_train_d = t.time_to_train_d;
    } else {
      p.gpus = st.gpus;
      p.instances = plan[i];
      p.tokens_per_s = st.instance_tokens_per_s;
      p.availability = st.availability;
    }
    r_.workloads.push_back(p);
  }
}

void CandidateSizer::fill_economics(const Plan& plan, const Outcome& o) {
  const int working = working_nodes(plan);
  const int spares = spares_for(plan);
  r_.sized_scenario = document(working + spares, &plan, spares);
  const ResolvedScenario rs = resolve(r_.sized_scenario);
  const Scenario& s = rs.scenario;
  const double per_year = 8760.0 / s.horizon_h;
  r_.pue = o.pue;
  r_.water_m3_per_year = o.water_m3 * per_year;
  r_.carbon_t_per_year = o.carbon_t * per_year;
  r_.output_tokens_per_year = o.tokens_served * per_year;
  r_.capex_usd = r_.tco_usd = r_.usd_per_million_tokens = kNan;
  if (!s.economics.enabled) return;
  const EconomicsResult e = evaluate_economics(
      s.economics, {o.energy_cost_usd * per_year, o.water_m3 * per_year, s.site.water_price_usd_per_m3});
  r_.capex_usd = e.capex.total_usd;
  const double rate = s.economics.discount_rate;
  double pv_cost = 0.0, pv_terminal = 0.0, pv_tokens = 0.0;
  // Discounted as the cash-flow table is: row k (construction rows first) by k years from financial close.
  for (std::size_t k = 0; k < e.years.size(); ++k) {
    const CashFlowYear& y = e.years[k];
    const double df = std::pow(1.0 + rate, -static_cast<double>(k));
    pv_cost += (y.capex_usd + y.opex_usd) * df;
    pv_terminal += y.terminal_value_usd * df;
    if (y.year > 0) pv_tokens += r_.output_tokens_per_year * df;
  }
  r_.tco_usd = pv_cost;
  int inference_nodes = 0;
  for (std::size_t i = 0; i < ws_.size(); ++i) {
    if (!ws_[i].training) inference_nodes += nodes_of(static_cast<int>(i), plan[i]);
  }
  const double share = working > 0 ? static_cast<double>(inference_nodes) / working : 0.0;
  r_.usd_per_million_tokens = pv_tokens > 0.0 && share > 0.0 ? (pv_cost - pv_terminal) * share / pv_tokens * 1e6 : kNan;
}

void rank_candidates(std::vector<CandidateResult>& candidates, SizingObjective obj) {
  std::stable_sort(candidates.begin(), candidates.end(), [obj](const CandidateResult& a, const CandidateResult& b) {
    if (a.feasible != b.feasible) return a.feasible;
    if (!a.feasible) return false;
    const double va = objective_value(a, obj), vb = objective_value(b, obj);
    const bool na = std::isnan(va), nb = std::isnan(vb);
    if (na != nb) return nb;
    if (!na && va != vb) return va < vb;
    return a.systems < b.systems;
  });
  for (std::size_t k = 0; k < candidates.size(); ++k) candidates[k].rank = static_cast<int>(k + 1);
}

}  // namespace aidc::sizing
