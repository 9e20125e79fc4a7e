// What the fleet reports: accrual of its state over time between events, the hourly series (close_hour) and the
// KPIs over the horizon, with their names, units and descriptions.

#include <algorithm>
#include <limits>

#include "core/model/fleet_state.hpp"

namespace aidc {

using namespace fleet_detail;

const std::vector<SeriesInfo>& fleet_series_info() {
  static const std::vector<SeriesInfo> info = {
      {"inference_demand_tokens_per_s", "tokens/s", "output tokens per second requested of all inference services"},
      {"inference_served_tokens_per_s", "tokens/s", "output tokens per second served within the SLOs"},
      {"inference_capacity_tokens_per_s", "tokens/s",
       "output tokens per second the healthy, powered instances can serve within the SLOs (hourly mean)"},
      {"slo_attainment", "1", "share of the requested output tokens served within the SLOs (NaN: no demand)"},
      {"accelerators_up", "1", "accelerators in healthy nodes (hourly mean)"},
      {"accelerators_down", "1", "accelerators in failed nodes awaiting a part or a repair (hourly mean)"},
      {"training_tokens_per_s", "tokens/s", "tokens per second computed by all training jobs, before any loss"},
      {"training_progress", "1", "share of all training jobs' tokens safely checkpointed"},
      {"training_goodput", "1",
       "share of the active training jobs' GPU time spent training (not restarting or waiting; NaN: no active job)"},
      {"it_power_fraction", "1", "share of the demanded IT power delivered (below 1: capped or unpowered)"},
      {"clock_fraction", "1", "accelerator clock as a share of nominal under the power cap"},
  };
  return info;
}

const std::vector<std::string>& fleet_record_kind_names() {
  static const std::vector<std::string> names = {
      "component_failure", "repair_complete", "spare_stockout",   "job_started",     "job_interrupted",
      "job_restarted",     "job_completed",   "instance_lost",    "instance_restored", "power_cap_start",
      "power_cap_end"};
  return names;
}

std::vector<KpiInfo> fleet_kpi_info(const Scenario& s) {
  std::vector<KpiInfo> info = {
      {"accelerator_availability", "1", "share of accelerator-hours in healthy nodes"},
      {"failures", "1", "component failures and software interruptions over the horizon"},
      {"lost_gpu_hours", "GPU h", "accelerator-hours in failed nodes"},
      {"mean_time_to_repair_h", "h", "mean time from a node's failure to its repair (NaN: no repair)"},
      {"spare_stockouts", "1", "failures that found no spare part on site"},
      {"power_capped_hours", "h", "time with less than the demanded IT power delivered"},
      {"output_tokens_served", "1", "output tokens served within the SLOs over the horizon"},
      {"output_tokens_per_mwh", "1/MWh", "output tokens served per MWh of facility energy"},
      {"output_tokens_per_l_water", "1/L", "output tokens served per litre of cooling water (NaN: no water)"},
      {"slo_attainment", "1", "share of requested output tokens served within the SLOs (NaN: no service)"},
      {"service_availability", "1", "share of hours in which every service met all of its demand (NaN: no service)"},
      {"training_ettr", "1",
       "effective training time ratio: checkpointed training time / elapsed time since submission (NaN: no job)"},
      {"training_interruptions", "1", "interruptions of training jobs (failures in their nodes, power loss)"},
      {"allocated_gpu_hours", "GPU h",
       "accelerator-hours in nodes held by a job or an instance (what a GPU-hour business sells with a fleet)"},
  };
  for (const WorkloadSpec& w : s.workloads) {
    const std::string p = w.name + ".";
    if (w.kind == WorkloadKind::Inference) {
      info.push_back({p + "demand_tokens_per_s", "tokens/s", "mean output tokens per second requested of " + w.name});
      info.push_back({p + "served_tokens_per_s", "tokens/s", "mean output tokens per second " + w.name + " served within its SLOs"});
      info.push_back({p + "capacity_tokens_per_s", "tokens/s",
                      "mean output tokens per second the healthy instances of " + w.name + " could serve"});
      info.push_back({p + "slo_attainment", "1", "share of " + w.name + "'s requested tokens served within its SLOs"});
      info.push_back({p + "instances_up", "1", "mean number of serving instances of " + w.name});
    } else {
      info.push_back({p + "time_to_train_d", "d",
                      "days from submission to the last checkpoint of " + w.name + " (NaN: not done in the horizon)"});
      info.push_back({p + "ettr", "1", "effective training time ratio of " + w.name});
      info.push_back({p + "interruptions", "1", "interruptions of " + w.name});
      info.push_back({p + "progress", "1", "share of " + w.name + "'s tokens checkpointed by the end of the horizon"});
      info.push_back({p + "goodput_tokens_per_s", "tokens/s",
                      "checkpointed tokens of " + w.name + " per second of elapsed time"});
    }
  }
  return info;
}

// Integrals of the state since the last event, up to time `t`.
void FleetOps::Impl::accrue(double t) {
  const double dt = t - last_s;
  if (dt <= 0.0) return;
  up_gpu_s_hour += up_gpus * dt;
  allocated_gpu_s += static_cast<double>(allocated_gpus) * dt;
  fraction_s_hour += fraction * dt;
  clock_s_hour += clock * dt;
  if (fraction < 1.0 - 1e-12) capped_s += dt;
  accrue_services(dt);
  accrue_jobs(dt);
  last_s = t;
}

void FleetOps::Impl::close_hour(std::size_t h) {
  accrue(static_cast<double>(h + 1) * 3600.0);
  auto put = [&](FleetSeries k, double v) { series[k * horizon_h + h] = v; };
  double demand = 0.0, served = 0.0, capacity = 0.0;
  bool all_served = true;
  for (Service& sv : services) {
    // The integral of a non-negative rate; accrual by differences of times can leave -1e-13 when nothing ran.
    const double cap = std::max(0.0, sv.hour_capacity_integral / 3600.0);
    const double d = sv.hour_demand_tokens_per_s;
    const double sd = std::min(d, cap);
    demand += d;
    capacity += cap;
    served += sd;
    if (sd < d * (1.0 - 1e-9)) all_served = false;
    sv.sum_demand += d;
    sv.sum_served += sd;
    sv.sum_capacity += cap;
    sv.sum_instances += sv.hour_instances_integral / 3600.0;
    sv.hour_capacity_integral = sv.hour_instances_integral = 0.0;
  }
  if (!services.empty() && all_served) hours_all_served += 1.0;
  tokens_served += served * 3600.0;
  double training_tokens = 0.0, committed = 0.0, target = 0.0;
  for (Job& j : jobs) {
    training_tokens += j.hour_tokens;
    j.hour_tokens = 0.0;
    committed += j.committed;
    target += j.target_tokens;
  }
  put(kFleetSeriesDemandTokens, demand);
  put(kFleetSeriesServedTokens, served);
  put(kFleetSeriesCapacityTokens, capacity);
  put(kFleetSeriesSloAttainment, demand > 0.0 ? served / demand : std::numeric_limits<double>::quiet_NaN());
  put(kFleetSeriesAcceleratorsUp, up_gpu_s_hour / 3600.0);
  put(kFleetSeriesAcceleratorsDown, total_gpus - up_gpu_s_hour / 3600.0);
  put(kFleetSeriesTrainingTokens, training_tokens / 3600.0);
  put(kFleetSeriesTrainingProgress, target > 0.0 ? committed / target : std::numeric_limits<double>::quiet_NaN());
  put(kFleetSeriesTrainingGoodput, job_active_gpu_s_hour > 0.0 ? job_running_gpu_s_hour / job_active_gpu_s_hour
                                                               : std::numeric_limits<double>::quiet_NaN());
  put(kFleetSeriesPowerFraction, fraction_s_hour / 3600.0);
  put(kFleetSeriesClockFraction, clock_s_hour / 3600.0);
  up_gpu_s += up_gpu_s_hour;
  up_gpu_s_hour = fraction_s_hour = clock_s_hour = 0.0;
  job_running_gpu_s_hour = job_active_gpu_s_hour = 0.0;
}

std::vector<double> FleetOps::Impl::kpis(double facility_energy_mwh, double water_l) {
  const double horizon_s = static_cast<double>(horizon_h) * 3600.0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double elapsed_all = 0.0, productive_all = 0.0;
  int interruptions = 0;
  double demand_all = 0.0, served_all = 0.0;
  for (const Service& sv : services) {
    demand_all += sv.sum_demand;
    served_all += sv.sum_served;
  }
  std::vector<double> k = {
      total_gpus > 0 ? up_gpu_s / (static_cast<double>(total_gpus) * horizon_s) : nan,
      static_cast<double>(failures),
      (static_cast<double>(total_gpus) * horizon_s - up_gpu_s) / 3600.0,
      repairs > 0 ? repair_time_s / repairs / 3600.0 : nan,
      static_cast<double>(stockouts),
      capped_s / 3600.0,
      tokens_served,
      facility_energy_mwh > 0.0 ? tokens_served / facility_energy_mwh : nan,
      water_l > 0.0 ? tokens_served / water_l : nan,
      demand_all > 0.0 ? served_all / demand_all : nan,
      services.empty() ? nan : hours_all_served / static_cast<double>(horizon_h),
      nan,  // training_ettr, below
      0.0,  // training_interruptions, below
      allocated_gpu_s / 3600.0,
  };
  const double hours = static_cast<double>(horizon_h);
  std::size_t si = 0, ji = 0;
  for (std::size_t wi = 0; wi < s.workloads.size(); ++wi) {
    if (s.workloads[wi].kind == WorkloadKind::Inference) {
      const Service& sv = services[si++];
      k.push_back(sv.sum_demand / hours);
      k.push_back(sv.sum_served / hours);
      k.push_back(sv.sum_capacity / hours);
      k.push_back(sv.sum_demand > 0.0 ? sv.sum_served / sv.sum_demand : nan);
      k.push_back(sv.sum_instances / hours);
    } else {
      Job& j = jobs[ji++];
      double committed = j.committed, productive = j.productive_s;
      if (j.state == JobState::Running) {
        const auto [kept, kept_s] = kept_of_segment(j, horizon_s);
        committed += kept;
        productive += kept_s;
      }
      const bool submitted = j.state != JobState::Pending;
      const double end = j.done_s >= 0.0 ? j.done_s : horizon_s;
      const double elapsed = submitted ? end - j.submit_s : 0.0;
      elapsed_all += elapsed;
      productive_all += productive;
      interruptions += j.interruptions;
      k.push_back(j.done_s >= 0.0 ? (j.done_s - j.submit_s) / 86400.0 : nan);
      k.push_back(elapsed > 0.0 ? productive / elapsed : nan);
      k.push_back(j.interruptions);
      k.push_back(j.target_tokens > 0.0 ? committed / j.target_tokens : nan);
      k.push_back(elapsed > 0.0 ? committed / elapsed : nan);
    }
  }
  k[kFleetKpiTrainingEttr] = elapsed_all > 0.0 ? productive_all / elapsed_all : nan;
  k[kFleetKpiTrainingInterruptions] = interruptions;
  return k;
}

}  // namespace aidc
