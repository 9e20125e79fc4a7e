#include "core/model/fleet_ops.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>

#include "core/engine/rng.hpp"
#include "core/engine/sim_time.hpp"
#include "core/model/fleet_plan.hpp"
#include "core/model/it_load.hpp"

namespace aidc {

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

double daly_checkpoint_interval_s(double checkpoint_s, double mtbf_s) {
  if (!(checkpoint_s > 0.0) || !(mtbf_s > 0.0)) return 0.0;  // free checkpoints: every step is kept
  if (checkpoint_s >= 2.0 * mtbf_s) return mtbf_s;
  const double x = checkpoint_s / (2.0 * mtbf_s);
  return std::sqrt(2.0 * checkpoint_s * mtbf_s) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - checkpoint_s;
}

namespace {

double demand_requests_per_s(const DemandSpec& d, long long hour) {
  const double shaped = diurnal_weekly(d.mean_requests_per_s, d.diurnal_amplitude, d.peak_hour, d.weekend_factor, hour);
  const double growth = std::pow(1.0 + d.annual_growth, static_cast<double>(hour) / 8760.0);
  return std::max(0.0, shaped * growth);
}

}  // namespace

int instances_for_peak(const WorkloadSpec& w, const FleetWorkloadRate& rate, int horizon_h) {
  if (!(rate.instance_output_tokens_per_s > 0.0)) return 0;
  double peak_rps = 0.0;
  for (long long h = 0; h < horizon_h; ++h) peak_rps = std::max(peak_rps, demand_requests_per_s(w.demand, h));
  const double need = peak_rps * mean_output_tokens(w) / rate.instance_output_tokens_per_s;
  return std::max(1, static_cast<int>(std::ceil(need - 1e-9)));
}

namespace {

enum FleetEventKind : std::uint32_t {
  kEvFailure = kFleetEventBase,  // payload: failure epoch
  kEvPartArrives,                // target: component kind
  kEvRepairDone,                 // target: node
  kEvJobStart,                   // target: job
  kEvJobRestarted,               // target: job, payload: job epoch
  kEvJobComplete,                // target: job, payload: job epoch
  kEvInstanceReady,              // target: group, payload: group epoch
};

constexpr int kFree = -1;
constexpr int kSpare = -2;
constexpr int kDown = -3;

struct Pool {
  int system = 0;
  int first = 0, count = 0;
  int gpus = 0, nics = 0;
  double max_w = 0.0, idle_fraction = 0.0;
  double hw_rate_per_node_h = 0.0;     // all hardware kinds
  std::vector<double> kind_rate_per_node_h;  // per component kind (0 for JobGpu kinds)
  std::vector<int> up;                 // node ids of healthy nodes (any owner)
  std::vector<std::pair<int, std::uint32_t>> spares, frees;  // (node, stamp); stale entries are skipped
  int spare_count = 0, free_count = 0, spare_target = 0;
};

// Units of a failure kind in one node of the pool (software faults count per running job GPU, none here).
double units_per_node(const Pool& p, FailureUnit per) {
  switch (per) {
    case FailureUnit::Gpu: return p.gpus;
    case FailureUnit::Node: return 1.0;
    case FailureUnit::Nic: return p.nics;
    case FailureUnit::JobGpu: return 0.0;
  }
  return 0.0;
}

struct Node {
  int pool = 0;
  int owner = kFree;   // group id, kFree, kSpare or kDown
  int up_pos = -1;     // index in its pool's up list
  std::uint32_t stamp = 0;
  int failed_kind = -1;
  double down_since_s = 0.0;
};

struct Group {
  int workload = 0, job = -1, service = -1, pool = 0, priority = 0;
  int size = 0;               // nodes needed
  std::vector<int> nodes;
  int instances = 0;          // inference: instances it hosts
  double capacity_tokens_per_s = 0.0;
  bool active = false;        // inference: serving
  bool waiting = false;
  std::uint64_t epoch = 0;
};

enum class JobState { Pending, Waiting, Restarting, Running, Done };

struct Job {
  int workload = 0, group = 0;
  JobState state = JobState::Pending;
  double rate_tokens_per_s = 0.0, target_tokens = 0.0;
  double tau_s = 0.0, delta_s = 0.0, restart_s = 0.0;
  double committed = 0.0, segment = 0.0, lost = 0.0;
  double seg_start_s = 0.0, submit_s = 0.0, done_s = -1.0;
  double productive_s = 0.0;
  int interruptions = 0;
  bool started = false;
  std::uint64_t epoch = 0;
  double hour_tokens = 0.0;
};

struct Service {
  int workload = 0;
  std::vector<int> groups;
  double osl = 0.0;
  double active_capacity = 0.0;   // tokens/s of the active instances at full clock
  int active_nodes = 0, active_instances = 0;
  double hour_capacity_integral = 0.0, hour_instances_integral = 0.0;
  double hour_demand_tokens_per_s = 0.0;
  double sum_demand = 0.0, sum_served = 0.0, sum_capacity = 0.0, sum_instances = 0.0;
};

}  // namespace

struct FleetOps::Impl {
  const Scenario& s;
  const FleetSpec& f;
  const int replication;
  const std::int32_t record_offset;
  std::vector<EventRecord>& events;
  std::vector<double>& series;
  const std::size_t horizon_h;
  RngStream failure_rng, pick_rng;

  std::vector<Pool> pools;
  std::vector<Node> nodes;
  std::vector<Group> groups;
  std::vector<Job> jobs;
  std::vector<Service> services;
  std::vector<int> waiting;  // group ids
  std::vector<double> software_rate_per_gpu_h;  // per component kind (JobGpu kinds only)
  double software_rate_total_per_gpu_h = 0.0;

  // Repairs.
  std::vector<int> stock;                 // parts on site per component kind
  std::vector<std::deque<int>> backorders;  // nodes waiting for a part, per kind
  std::deque<int> repair_queue;
  int technicians_busy = 0;

  // Supply.
  double fraction = 1.0, clock = 1.0, factor = 1.0;
  bool power_lost = false, capped = false;
  double hour_demand_w = 0.0, hour_idle_w = 0.0;
  double fabric_w = 0.0;  // scale-out switches and optics, always on (core/model/fleet_plan.hpp)

  // Failure process.
  double failure_rate_per_s = -1.0;
  std::uint64_t failure_epoch = 0;

  // Accrual.
  double last_s = 0.0;
  double up_gpu_s_hour = 0.0, fraction_s_hour = 0.0, clock_s_hour = 0.0;
  double job_running_gpu_s_hour = 0.0, job_active_gpu_s_hour = 0.0;
  int total_gpus = 0, up_gpus = 0;
  long long allocated_gpus = 0;  // in nodes held by a job or an instance
  double allocated_gpu_s = 0.0;

  // Totals.
  double up_gpu_s = 0.0, capped_s = 0.0;
  int failures = 0, stockouts = 0, repairs = 0;
  double repair_time_s = 0.0;
  double hours_all_served = 0.0;
  double tokens_served = 0.0;

  Impl(const Scenario& sc, const std::vector<FleetWorkloadRate>& rates, int rep, std::int32_t offset,
       std::vector<EventRecord>& ev, std::vector<double>& se)
      : s(sc),
        f(sc.fleet),
        replication(rep),
        record_offset(offset),
        events(ev),
        series(se),
        horizon_h(static_cast<std::size_t>(sc.horizon_h)),
        failure_rng(sc.seed, static_cast<std::uint64_t>(rep), kStreamFailures),
        pick_rng(sc.seed, static_cast<std::uint64_t>(rep), kStreamFailurePick) {
    series.assign(kFleetSeriesCount * horizon_h, 0.0);
    fabric_w = size_fabric(sc.it, sc.fleet.network).power_w;
    build(rates);
  }

  double now_s(const Simulator<>& sim) const { return sim_to_seconds(sim.now()); }

  void record(double t, FleetRecordKind kind, const std::string& component, std::int64_t id, double duration_s,
              double value) {
    events.push_back({replication, t, record_offset + kind, component, id, duration_s, value});
  }

  // ---- Construction -------------------------------------------------------------------------------------------
  void build(const std::vector<FleetWorkloadRate>& rates) {
    const std::size_t kinds = f.components.size();
    software_rate_per_gpu_h.assign(kinds, 0.0);
    for (std::size_t k = 0; k < kinds; ++k) {
      if (f.components[k].per == FailureUnit::JobGpu) {
        software_rate_per_gpu_h[k] = f.components[k].failures_per_unit_h;
        software_rate_total_per_gpu_h += f.components[k].failures_per_unit_h;
      }
    }
    int first = 0;
    int total_nodes = 0;
    for (std::size_t i = 0; i < s.it.systems.size(); ++i) total_nodes += s.it.systems[i].count;
    nodes.resize(static_cast<std::size_t>(total_nodes));
    for (std::size_t i = 0; i < s.it.systems.size(); ++i) {
      const SystemSpec& sys = s.it.systems[i];
      Pool p;
      p.system = static_cast<int>(i);
      p.first = first;
      p.count = sys.count;
      p.gpus = sys.gpus_per_system;
      p.nics = sys.scaleout_nics;
      p.max_w = sys.max_power_w;
      p.idle_fraction = sys.idle_power_fraction;
      p.kind_rate_per_node_h.assign(kinds, 0.0);
      for (std::size_t k = 0; k < kinds; ++k) {
        const ComponentReliability& c = f.components[k];
        p.kind_rate_per_node_h[k] = c.failures_per_unit_h * units_per_node(p, c.per);
        p.hw_rate_per_node_h += p.kind_rate_per_node_h[k];
      }
      p.up.reserve(static_cast<std::size_t>(p.count));
      for (int n = first; n < first + p.count; ++n) {
        nodes[static_cast<std::size_t>(n)].pool = static_cast<int>(pools.size());
        nodes[static_cast<std::size_t>(n)].up_pos = static_cast<int>(p.up.size());
        p.up.push_back(n);
      }
      total_gpus += p.count * p.gpus;
      first += p.count;
      pools.push_back(std::move(p));
    }
    up_gpus = total_gpus;

    // Hot spares: shared out over the pools in proportion to their nodes (largest remainder).
    const int spares_total = std::min(f.hot_spare_nodes, total_nodes);
    std::vector<int> share(pools.size(), 0);
    if (spares_total > 0 && total_nodes > 0) {
      std::vector<std::pair<double, std::size_t>> rem;
      int given = 0;
      for (std::size_t i = 0; i < pools.size(); ++i) {
        const double exact = static_cast<double>(spares_total) * pools[i].count / total_nodes;
        share[i] = static_cast<int>(std::floor(exact));
        given += share[i];
        rem.push_back({exact - share[i], i});
      }
      std::stable_sort(rem.begin(), rem.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (std::size_t j = 0; given < spares_total && j < rem.size(); ++j, ++given) ++share[rem[j].second];
    }
    for (std::size_t i = 0; i < pools.size(); ++i) {
      Pool& p = pools[i];
      p.spare_target = std::min(share[i], p.count);
      // Spares are the pool's last nodes; the rest start idle. Lists are stacks: push in reverse so that the
      // lowest node ids are handed out first.
      for (int n = p.first + p.count - 1; n >= p.first; --n) {
        if (n >= p.first + p.count - p.spare_target) {
          push_spare(n);
        } else {
          push_free(n);
        }
      }
    }

    // Spare parts on site: a share of the installed units of each kind, rounded up.
    stock.assign(kinds, 0);
    backorders.assign(kinds, {});
    for (std::size_t k = 0; k < kinds; ++k) {
      double units = 0.0;
      for (const Pool& p : pools) units += p.count * units_per_node(p, f.components[k].per);
      stock[k] = static_cast<int>(std::ceil(f.spare_parts_share * units - 1e-9));
    }

    // Workloads → groups.
    for (std::size_t wi = 0; wi < s.workloads.size(); ++wi) {
      const WorkloadSpec& w = s.workloads[wi];
      int pool = 0;
      for (std::size_t i = 0; i < pools.size(); ++i) {
        if (s.it.systems[static_cast<std::size_t>(pools[i].system)].name == w.system) {
          pool = static_cast<int>(i);
          break;
        }
      }
      const int gpn = std::max(1, pools[static_cast<std::size_t>(pool)].gpus);
      if (w.kind == WorkloadKind::Training) {
        Job j;
        j.workload = static_cast<int>(wi);
        j.rate_tokens_per_s = rates[wi].training_tokens_per_s;
        j.target_tokens = w.tokens;
        j.delta_s = w.checkpoint_s;
        j.restart_s = w.restart_s;
        Group g;
        g.workload = static_cast<int>(wi);
        g.job = static_cast<int>(jobs.size());
        g.pool = pool;
        g.priority = w.priority;
        g.size = (w.gpus + gpn - 1) / gpn;
        // Young/Daly interval from the job's own interruption rate: its nodes' hardware and its GPUs' software.
        const double job_rate_per_h = g.size * pools[static_cast<std::size_t>(pool)].hw_rate_per_node_h +
                                      static_cast<double>(w.gpus) * software_rate_total_per_gpu_h;
        j.tau_s = w.checkpoint_interval_s > 0.0
                      ? w.checkpoint_interval_s
                      : daly_checkpoint_interval_s(j.delta_s, job_rate_per_h > 0.0 ? 3600.0 / job_rate_per_h
                                                                                    : std::numeric_limits<double>::infinity());
        if (!std::isfinite(j.tau_s)) j.tau_s = 0.0;
        j.group = static_cast<int>(groups.size());
        groups.push_back(std::move(g));
        jobs.push_back(j);
      } else {
        Service sv;
        sv.workload = static_cast<int>(wi);
        sv.osl = mean_output_tokens(w);
        const int instances = w.instances > 0 ? w.instances : instances_for_peak(w, rates[wi], s.horizon_h);
        const int per_node = w.gpus < gpn ? gpn / w.gpus : 1;
        const int size = w.gpus < gpn ? 1 : (w.gpus + gpn - 1) / gpn;
        for (int left = instances; left > 0;) {
          Group g;
          g.workload = static_cast<int>(wi);
          g.service = static_cast<int>(services.size());
          g.pool = pool;
          g.priority = w.priority;
          g.size = size;
          g.instances = std::min(per_node, left);
          g.capacity_tokens_per_s = g.instances * rates[wi].instance_output_tokens_per_s;
          left -= g.instances;
          sv.groups.push_back(static_cast<int>(groups.size()));
          groups.push_back(std::move(g));
        }
        services.push_back(std::move(sv));
      }
    }
  }

  // ---- Node lists -----------------------------------------------------------------------------------------------
  // Every change of a node's owner goes through here, which keeps the count of GPUs allocated to workloads.
  void set_owner(int n, int owner) {
    Node& node = nodes[static_cast<std::size_t>(n)];
    const int gpus = pools[static_cast<std::size_t>(node.pool)].gpus;
    if (node.owner >= 0) allocated_gpus -= gpus;
    if (owner >= 0) allocated_gpus += gpus;
    node.owner = owner;
  }

  void push_spare(int n) {
    Node& node = nodes[static_cast<std::size_t>(n)];
    Pool& p = pools[static_cast<std::size_t>(node.pool)];
    set_owner(n, kSpare);
    p.spares.push_back({n, ++node.stamp});
    ++p.spare_count;
  }
  void push_free(int n) {
    Node& node = nodes[static_cast<std::size_t>(n)];
    Pool& p = pools[static_cast<std::size_t>(node.pool)];
    set_owner(n, kFree);
    p.frees.push_back({n, ++node.stamp});
    ++p.free_count;
  }
  int pop_list(std::vector<std::pair<int, std::uint32_t>>& list, int owner) {
    while (!list.empty()) {
      const auto [n, stamp] = list.back();
      list.pop_back();
      const Node& node = nodes[static_cast<std::size_t>(n)];
      if (node.owner == owner && node.stamp == stamp) return n;
    }
    return -1;
  }

  // A healthy node for a group of priority `priority` in pool `pi`: a hot spare (replacements only: a first
  // placement leaves the spares alone), an idle node, or one taken from the lowest-priority instance below
  // `priority` (pre-emption). -1 when none.
  int take_node(int pi, int priority, int for_group, bool use_spares) {
    Pool& p = pools[static_cast<std::size_t>(pi)];
    if (use_spares && p.spare_count > 0) {
      const int n = pop_list(p.spares, kSpare);
      if (n >= 0) {
        --p.spare_count;
        return n;
      }
    }
    if (p.free_count > 0) {
      const int n = pop_list(p.frees, kFree);
      if (n >= 0) {
        --p.free_count;
        return n;
      }
    }
    int victim = -1;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& g = groups[gi];
      if (g.service < 0 || g.pool != pi || g.nodes.empty() || static_cast<int>(gi) == for_group) continue;
      if (g.priority >= priority) continue;
      if (victim < 0 || g.priority < groups[static_cast<std::size_t>(victim)].priority ||
          (g.priority == groups[static_cast<std::size_t>(victim)].priority && gi > static_cast<std::size_t>(victim))) {
        victim = static_cast<int>(gi);
      }
    }
    if (victim < 0) return -1;
    Group& v = groups[static_cast<std::size_t>(victim)];
    const int n = v.nodes.back();
    v.nodes.pop_back();
    set_owner(n, kFree);
    pending_member_loss_.push_back(victim);
    return n;
  }
  std::vector<int> pending_member_loss_;

  // ---- Accrual ---------------------------------------------------------------------------------------------------
  void accrue(double t) {
    const double dt = t - last_s;
    if (dt <= 0.0) return;
    up_gpu_s_hour += up_gpus * dt;
    allocated_gpu_s += static_cast<double>(allocated_gpus) * dt;
    fraction_s_hour += fraction * dt;
    clock_s_hour += clock * dt;
    if (fraction < 1.0 - 1e-12) capped_s += dt;
    for (Service& sv : services) {
      sv.hour_capacity_integral += sv.active_capacity * factor * dt;
      sv.hour_instances_integral += sv.active_instances * dt;
    }
    for (Job& j : jobs) {
      const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(j.workload)];
      if (j.state == JobState::Running) {
        const double tokens = j.rate_tokens_per_s * factor * checkpoint_efficiency(j) * dt;
        j.segment += tokens;
        j.hour_tokens += tokens;
        job_running_gpu_s_hour += w.gpus * dt;
      }
      if (j.state == JobState::Running || j.state == JobState::Waiting || j.state == JobState::Restarting) {
        job_active_gpu_s_hour += w.gpus * dt;
      }
    }
    last_s = t;
  }

  static double checkpoint_efficiency(const Job& j) {
    return j.tau_s > 0.0 ? j.tau_s / (j.tau_s + j.delta_s) : 1.0;
  }

  // ---- Failure process ---------------------------------------------------------------------------------------------
  double hardware_rate_per_h() const {
    double r = 0.0;
    for (const Pool& p : pools) r += static_cast<double>(p.up.size()) * p.hw_rate_per_node_h;
    return r;
  }
  // `hardware_per_h` plus the software faults of the running jobs.
  double total_rate_per_h(double hardware_per_h) const {
    double r = hardware_per_h;
    for (const Job& j : jobs) {
      if (j.state == JobState::Running) {
        r += s.workloads[static_cast<std::size_t>(j.workload)].gpus * software_rate_total_per_gpu_h;
      }
    }
    return r;
  }

  // The next failure of the whole fleet, drawn again whenever the total rate changed (memoryless).
  void reschedule_failure(Simulator<>& sim) {
    const double rate = total_rate_per_h(hardware_rate_per_h()) / 3600.0;
    if (rate == failure_rate_per_s) return;
    failure_rate_per_s = rate;
    ++failure_epoch;
    if (rate <= 0.0) return;
    const double t = now_s(sim) + failure_rng.exponential(rate);
    if (t < static_cast<double>(horizon_h) * 3600.0) {
      sim.schedule_at(std::max(sim.now(), seconds_to_sim(t)), kEvFailure, 0, failure_epoch);
    }
  }

  void on_failure(Simulator<>& sim) {
    const double hw = hardware_rate_per_h();
    const double total = total_rate_per_h(hw);
    double u = pick_rng.uniform() * total;
    if (u < hw) {
      for (std::size_t pi = 0; pi < pools.size(); ++pi) {
        Pool& p = pools[pi];
        const double pr = static_cast<double>(p.up.size()) * p.hw_rate_per_node_h;
        if (u >= pr && pi + 1 < pools.size()) {
          u -= pr;
          continue;
        }
        if (p.up.empty()) return;
        const int n = p.up[static_cast<std::size_t>(pick_rng.uniform_int(p.up.size()))];
        double v = pick_rng.uniform() * p.hw_rate_per_node_h;
        std::size_t kind = 0;
        for (; kind + 1 < p.kind_rate_per_node_h.size(); ++kind) {
          if (v < p.kind_rate_per_node_h[kind]) break;
          v -= p.kind_rate_per_node_h[kind];
        }
        node_failure(n, static_cast<int>(kind), sim);
        return;
      }
      return;
    }
    // A software fault of a running job, weighted by its GPUs.
    u -= hw;
    for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
      Job& j = jobs[ji];
      if (j.state != JobState::Running) continue;
      const double r = s.workloads[static_cast<std::size_t>(j.workload)].gpus * software_rate_total_per_gpu_h;
      if (u >= r) {
        u -= r;
        continue;
      }
      double v = pick_rng.uniform() * software_rate_total_per_gpu_h;
      std::size_t kind = 0;
      for (; kind + 1 < software_rate_per_gpu_h.size(); ++kind) {
        if (software_rate_per_gpu_h[kind] > 0.0 && v < software_rate_per_gpu_h[kind]) break;
        v -= software_rate_per_gpu_h[kind];
      }
      ++failures;
      record(now_s(sim), kRecordComponentFailure, f.components[kind].kind, -1, 0.0, 0.0);
      interrupt_job(static_cast<int>(ji), sim, -1);
      if (!power_lost) begin_restart(static_cast<int>(ji), sim);  // same nodes, after the restart time
      return;
    }
  }

  void node_failure(int n, int kind, Simulator<>& sim) {
    const double t = now_s(sim);
    Node& node = nodes[static_cast<std::size_t>(n)];
    Pool& p = pools[static_cast<std::size_t>(node.pool)];
    ++failures;
    // Out of the up list (swap-remove).
    const int pos = node.up_pos;
    const int last = p.up.back();
    p.up[static_cast<std::size_t>(pos)] = last;
    nodes[static_cast<std::size_t>(last)].up_pos = pos;
    p.up.pop_back();
    node.up_pos = -1;
    up_gpus -= p.gpus;
    node.failed_kind = kind;
    node.down_since_s = t;
    const int owner = node.owner;
    set_owner(n, kDown);
    ++node.stamp;  // invalidates its entry in a spare or idle list
    if (owner == kSpare) --p.spare_count;
    if (owner == kFree) --p.free_count;
    const ComponentReliability& c = f.components[static_cast<std::size_t>(kind)];
    record(t, kRecordComponentFailure, c.kind, n, 0.0, p.gpus);
    if (owner >= 0) {
      Group& g = groups[static_cast<std::size_t>(owner)];
      g.nodes.erase(std::find(g.nodes.begin(), g.nodes.end(), n));
      member_lost(owner, sim, n);
    }
    // The repair: a part from the stock (reordered at once), or wait for the one ordered now.
    if (c.needs_part) {
      sim.schedule_at(seconds_to_sim(t + f.parts_lead_time_h * 3600.0), kEvPartArrives, static_cast<std::uint32_t>(kind));
      if (stock[static_cast<std::size_t>(kind)] > 0) {
        --stock[static_cast<std::size_t>(kind)];
        enqueue_repair(n, sim);
      } else {
        ++stockouts;
        record(t, kRecordSpareStockout, c.kind, n, f.parts_lead_time_h * 3600.0, 0.0);
        backorders[static_cast<std::size_t>(kind)].push_back(n);
      }
    } else {
      enqueue_repair(n, sim);
    }
  }

  void on_part_arrives(int kind, Simulator<>& sim) {
    auto& q = backorders[static_cast<std::size_t>(kind)];
    if (!q.empty()) {
      const int n = q.front();
      q.pop_front();
      enqueue_repair(n, sim);
    } else {
      ++stock[static_cast<std::size_t>(kind)];
    }
  }

  void enqueue_repair(int n, Simulator<>& sim) {
    if (f.technicians <= 0 || technicians_busy < f.technicians) {
      start_repair(n, sim);
    } else {
      repair_queue.push_back(n);
    }
  }
  void start_repair(int n, Simulator<>& sim) {
    ++technicians_busy;
    const Node& node = nodes[static_cast<std::size_t>(n)];
    const double h = f.components[static_cast<std::size_t>(node.failed_kind)].repair_h;
    sim.schedule_at(sim.now() + seconds_to_sim(h * 3600.0), kEvRepairDone, static_cast<std::uint32_t>(n));
  }

  void on_repair_done(int n, Simulator<>& sim) {
    const double t = now_s(sim);
    --technicians_busy;
    if (!repair_queue.empty()) {
      const int next = repair_queue.front();
      repair_queue.pop_front();
      start_repair(next, sim);
    }
    Node& node = nodes[static_cast<std::size_t>(n)];
    Pool& p = pools[static_cast<std::size_t>(node.pool)];
    node.up_pos = static_cast<int>(p.up.size());
    p.up.push_back(n);
    up_gpus += p.gpus;
    ++repairs;
    repair_time_s += t - node.down_since_s;
    record(t, kRecordRepairComplete, f.components[static_cast<std::size_t>(node.failed_kind)].kind, n,
           t - node.down_since_s, p.gpus);
    node.failed_kind = -1;
    release_node(n, sim);
  }

  // A healthy node back in the pool: to the most urgent waiting group of its pool, else a hot spare (up to the
  // target), else idle.
  void release_node(int n, Simulator<>& sim) {
    Node& node = nodes[static_cast<std::size_t>(n)];
    Pool& p = pools[static_cast<std::size_t>(node.pool)];
    int best = -1;
    for (int gi : waiting) {
      const Group& g = groups[static_cast<std::size_t>(gi)];
      if (g.pool != node.pool) continue;
      if (best < 0 || g.priority > groups[static_cast<std::size_t>(best)].priority ||
          (g.priority == groups[static_cast<std::size_t>(best)].priority && gi < best)) {
        best = gi;
      }
    }
    if (best >= 0) {
      set_owner(n, best);
      ++node.stamp;
      groups[static_cast<std::size_t>(best)].nodes.push_back(n);
      if (static_cast<int>(groups[static_cast<std::size_t>(best)].nodes.size()) ==
          groups[static_cast<std::size_t>(best)].size) {
        group_complete(best, sim, false);
      }
      return;
    }
    if (p.spare_count < p.spare_target) {
      push_spare(n);
    } else {
      push_free(n);
    }
  }

  // ---- Groups -------------------------------------------------------------------------------------------------------
  void set_waiting(int gi, bool on) {
    Group& g = groups[static_cast<std::size_t>(gi)];
    if (g.waiting == on) return;
    g.waiting = on;
    if (on) {
      waiting.push_back(gi);
    } else {
      waiting.erase(std::find(waiting.begin(), waiting.end(), gi));
    }
  }

  // Fills a group from the pool; true when complete. `initial`: placement at the start (no swap delay).
  bool fill(int gi, Simulator<>& sim, bool initial) {
    Group& g = groups[static_cast<std::size_t>(gi)];
    while (static_cast<int>(g.nodes.size()) < g.size) {
      const int n = take_node(g.pool, g.priority, gi, !initial);
      if (n < 0) break;
      set_owner(n, gi);
      ++nodes[static_cast<std::size_t>(n)].stamp;
      g.nodes.push_back(n);
    }
    // Instances that gave up a node to this group lose it now (after the loop, so the scan stays consistent).
    std::vector<int> victims;
    victims.swap(pending_member_loss_);
    for (int v : victims) member_lost(v, sim, -1);
    if (static_cast<int>(g.nodes.size()) < g.size) {
      set_waiting(gi, true);
      return false;
    }
    group_complete(gi, sim, initial);
    return true;
  }

  void group_complete(int gi, Simulator<>& sim, bool initial) {
    set_waiting(gi, false);
    Group& g = groups[static_cast<std::size_t>(gi)];
    if (g.job >= 0) {
      Job& j = jobs[static_cast<std::size_t>(g.job)];
      if (j.state != JobState::Waiting || power_lost) return;
      if (!j.started) {
        start_running(g.job, sim);
      } else {
        begin_restart(g.job, sim);
      }
      return;
    }
    ++g.epoch;
    if (initial) {
      activate_instance(gi, sim);
    } else {
      sim.schedule_at(sim.now() + seconds_to_sim(f.node_swap_h * 3600.0), kEvInstanceReady,
                      static_cast<std::uint32_t>(gi), g.epoch);
    }
  }

  void activate_instance(int gi, Simulator<>& sim) {
    Group& g = groups[static_cast<std::size_t>(gi)];
    if (g.active || static_cast<int>(g.nodes.size()) < g.size) return;
    g.active = true;
    Service& sv = services[static_cast<std::size_t>(g.service)];
    sv.active_capacity += g.capacity_tokens_per_s;
    sv.active_nodes += g.size;
    sv.active_instances += g.instances;
    if (sim.now() > 0) {
      record(now_s(sim), kRecordInstanceRestored, s.workloads[static_cast<std::size_t>(g.workload)].name, gi, 0.0,
             g.instances);
    }
  }

  // A group lost node `n` (-1: taken by pre-emption); it asks for a replacement.
  void member_lost(int gi, Simulator<>& sim, int n) {
    Group& g = groups[static_cast<std::size_t>(gi)];
    ++g.epoch;
    if (g.job >= 0) {
      Job& j = jobs[static_cast<std::size_t>(g.job)];
      if (j.state == JobState::Running || j.state == JobState::Restarting) interrupt_job(g.job, sim, n);
    } else if (g.active) {
      g.active = false;
      Service& sv = services[static_cast<std::size_t>(g.service)];
      sv.active_capacity -= g.capacity_tokens_per_s;
      sv.active_nodes -= g.size;
      sv.active_instances -= g.instances;
      record(now_s(sim), kRecordInstanceLost, s.workloads[static_cast<std::size_t>(g.workload)].name, gi, 0.0,
             g.instances);
    }
    if (g.job >= 0 && jobs[static_cast<std::size_t>(g.job)].state == JobState::Done) return;
    fill(gi, sim, false);
  }

  // ---- Training jobs ------------------------------------------------------------------------------------------------
  void on_job_start(int ji, Simulator<>& sim) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    j.state = JobState::Waiting;
    j.submit_s = now_s(sim);
    fill(j.group, sim, true);
  }

  void start_running(int ji, Simulator<>& sim) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    if (!j.started) {
      j.started = true;
      record(now_s(sim), kRecordJobStarted, s.workloads[static_cast<std::size_t>(j.workload)].name, ji, 0.0,
             j.tau_s);
    }
    j.state = JobState::Running;
    j.seg_start_s = now_s(sim);
    j.segment = 0.0;
    schedule_completion(ji, sim);
  }

  void begin_restart(int ji, Simulator<>& sim) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    j.state = JobState::Restarting;
    ++j.epoch;
    sim.schedule_at(sim.now() + seconds_to_sim(j.restart_s), kEvJobRestarted, static_cast<std::uint32_t>(ji), j.epoch);
  }

  void schedule_completion(int ji, Simulator<>& sim) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    ++j.epoch;
    if (j.state != JobState::Running) return;
    const double rate = j.rate_tokens_per_s * factor * checkpoint_efficiency(j);
    if (!(rate > 0.0)) return;
    const double left = std::max(0.0, j.target_tokens - j.committed - j.segment);
    const double t = now_s(sim) + left / rate;
    if (t < static_cast<double>(horizon_h) * 3600.0) {
      sim.schedule_at(std::max(sim.now(), seconds_to_sim(t)), kEvJobComplete, static_cast<std::uint32_t>(ji), j.epoch);
    }
  }

  // Tokens of the running segment kept by its last completed checkpoint, and the training time they took.
  std::pair<double, double> kept_of_segment(const Job& j, double t) const {
    const double e = t - j.seg_start_s;
    if (e <= 0.0) return {0.0, 0.0};
    if (!(j.tau_s > 0.0)) return {j.segment, e};
    const double cycles = std::floor(e / (j.tau_s + j.delta_s));
    const double share = std::min(1.0, cycles * (j.tau_s + j.delta_s) / e);
    return {j.segment * share, cycles * j.tau_s};
  }

  void interrupt_job(int ji, Simulator<>& sim, int node) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    const double t = now_s(sim);
    double lost = 0.0;
    if (j.state == JobState::Running) {
      const auto [kept, kept_s] = kept_of_segment(j, t);
      j.committed += kept;
      lost = j.segment - kept;
      j.lost += lost;
      j.productive_s += kept_s;
      j.segment = 0.0;
    }
    ++j.interruptions;
    ++j.epoch;
    j.state = JobState::Waiting;
    record(t, kRecordJobInterrupted, s.workloads[static_cast<std::size_t>(j.workload)].name, node, 0.0, lost);
  }

  void on_job_restarted(int ji, std::uint64_t epoch, Simulator<>& sim) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    if (j.epoch != epoch || j.state != JobState::Restarting) return;
    record(now_s(sim), kRecordJobRestarted, s.workloads[static_cast<std::size_t>(j.workload)].name, ji,
           j.restart_s, 0.0);
    start_running(ji, sim);
  }

  void on_job_complete(int ji, std::uint64_t epoch, Simulator<>& sim) {
    Job& j = jobs[static_cast<std::size_t>(ji)];
    if (j.epoch != epoch || j.state != JobState::Running) return;
    const double t = now_s(sim);
    j.productive_s += (t - j.seg_start_s) * checkpoint_efficiency(j);
    j.committed = j.target_tokens;
    j.segment = 0.0;
    j.state = JobState::Done;
    j.done_s = t;
    ++j.epoch;
    record(t, kRecordJobCompleted, s.workloads[static_cast<std::size_t>(j.workload)].name, ji, t - j.submit_s,
           j.target_tokens);
    Group& g = groups[static_cast<std::size_t>(j.group)];
    std::vector<int> freed;
    freed.swap(g.nodes);
    for (int n : freed) {
      set_owner(n, kFree);
      release_node(n, sim);
    }
  }

  // ---- Supply --------------------------------------------------------------------------------------------------------
  double it_demand_w(std::size_t hour) {
    double idle = fabric_w, dynamic_w = 0.0;
    for (const Pool& p : pools) idle += static_cast<double>(p.up.size()) * p.max_w * p.idle_fraction;
    for (Service& sv : services) {
      const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(sv.workload)];
      sv.hour_demand_tokens_per_s = demand_requests_per_s(w.demand, static_cast<long long>(hour)) * sv.osl;
      if (sv.active_capacity <= 0.0 || sv.active_nodes == 0) continue;
      const Pool& p = pools[static_cast<std::size_t>(groups[static_cast<std::size_t>(sv.groups.front())].pool)];
      const double load = std::min(1.0, sv.hour_demand_tokens_per_s / sv.active_capacity);
      dynamic_w += sv.active_nodes * p.max_w * (1.0 - p.idle_fraction) * load;
    }
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

  void set_supply(Simulator<>& sim, double delivered, bool lost) {
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
      for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
        const JobState st = jobs[ji].state;
        if (st == JobState::Running || st == JobState::Restarting) interrupt_job(static_cast<int>(ji), sim, -1);
      }
    } else if (!lost && power_lost) {
      power_lost = false;
      for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
        Job& j = jobs[ji];
        const Group& g = groups[static_cast<std::size_t>(j.group)];
        if (j.state == JobState::Waiting && static_cast<int>(g.nodes.size()) == g.size) {
          if (j.started) {
            begin_restart(static_cast<int>(ji), sim);
          } else {
            start_running(static_cast<int>(ji), sim);
          }
        }
      }
    }
    if (new_factor != factor) {
      factor = new_factor;
      for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
        if (jobs[ji].state == JobState::Running) schedule_completion(static_cast<int>(ji), sim);
      }
    }
    reschedule_failure(sim);
  }

  void close_hour(std::size_t h) {
    accrue(static_cast<double>(h + 1) * 3600.0);
    auto put = [&](FleetSeries k, double v) { series[k * horizon_h + h] = v; };
    double demand = 0.0, served = 0.0, capacity = 0.0;
    bool all_served = true;
    for (Service& sv : services) {
      const double cap = sv.hour_capacity_integral / 3600.0;
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

  void start(Simulator<>& sim) {
    // Placement at time 0 in priority order (ties: scenario order): services' instances and jobs submitted at 0.
    std::vector<int> order(s.workloads.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return s.workloads[static_cast<std::size_t>(a)].priority > s.workloads[static_cast<std::size_t>(b)].priority;
    });
    for (int wi : order) {
      const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(wi)];
      if (w.kind == WorkloadKind::Training) {
        for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
          if (jobs[ji].workload != wi) continue;
          if (w.start_h <= 0.0) {
            on_job_start(static_cast<int>(ji), sim);
          } else {
            sim.schedule_at(seconds_to_sim(w.start_h * 3600.0), kEvJobStart, static_cast<std::uint32_t>(ji));
          }
        }
      } else {
        for (std::size_t gi = 0; gi < groups.size(); ++gi) {
          if (groups[gi].workload == wi && groups[gi].service >= 0) fill(static_cast<int>(gi), sim, true);
        }
      }
    }
    reschedule_failure(sim);
  }

  void handle(const Event& e, Simulator<>& sim) {
    accrue(now_s(sim));
    switch (e.kind) {
      case kEvFailure:
        if (e.payload != failure_epoch) return;
        failure_rate_per_s = -1.0;  // this draw is used: draw the next one whatever the rate
        on_failure(sim);
        break;
      case kEvPartArrives: on_part_arrives(static_cast<int>(e.target), sim); break;
      case kEvRepairDone: on_repair_done(static_cast<int>(e.target), sim); break;
      case kEvJobStart: on_job_start(static_cast<int>(e.target), sim); break;
      case kEvJobRestarted: on_job_restarted(static_cast<int>(e.target), e.payload, sim); break;
      case kEvJobComplete: on_job_complete(static_cast<int>(e.target), e.payload, sim); break;
      case kEvInstanceReady: {
        const Group& g = groups[e.target];
        if (g.epoch == e.payload) activate_instance(static_cast<int>(e.target), sim);
        break;
      }
      default: break;
    }
    reschedule_failure(sim);
  }

  std::vector<double> kpis(double facility_energy_mwh, double water_l) {
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
};

FleetOps::FleetOps(const Scenario& s, const std::vector<FleetWorkloadRate>& rates, int replication,
                   std::int32_t record_offset, std::vector<EventRecord>& events, std::vector<double>& series)
    : impl_(std::make_unique<Impl>(s, rates, replication, record_offset, events, series)) {}
FleetOps::~FleetOps() = default;

void FleetOps::start(Simulator<>& sim) { impl_->start(sim); }
void FleetOps::handle(const Event& e, Simulator<>& sim) { impl_->handle(e, sim); }
double FleetOps::it_demand_w(std::size_t hour) { return impl_->it_demand_w(hour); }
void FleetOps::set_supply(Simulator<>& sim, double delivered_fraction, bool power_lost) {
  impl_->set_supply(sim, delivered_fraction, power_lost);
}
void FleetOps::close_hour(std::size_t hour) { impl_->close_hour(hour); }
std::vector<double> FleetOps::kpis(double facility_energy_mwh, double water_l) {
  return impl_->kpis(facility_energy_mwh, water_l);
}

}  // namespace aidc
