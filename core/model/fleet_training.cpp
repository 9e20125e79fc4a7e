// Training jobs on the fleet: each runs on one group of nodes to its token count. Progress follows Young/Daly
// checkpointing: the job computes in segments since its last (re)start, a share tau/(tau + delta) of the time goes to
// training, and an interruption (a failure in one of its nodes, a software fault, power loss) loses the work since
// the last completed checkpoint. After an interruption the job waits for its nodes (the scheduler), then restarts
// after its restart time.

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/model/fleet_state.hpp"

namespace aidc {

using namespace fleet_detail;

double daly_checkpoint_interval_s(double checkpoint_s, double mtbf_s) {
  if (!(checkpoint_s > 0.0) || !(mtbf_s > 0.0)) return 0.0;  // free checkpoints: every step is kept
  if (checkpoint_s >= 2.0 * mtbf_s) return mtbf_s;
  const double x = checkpoint_s / (2.0 * mtbf_s);
  return std::sqrt(2.0 * checkpoint_s * mtbf_s) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - checkpoint_s;
}

// The job of workload `wi` and its group in pool `pool`.
void FleetOps::Impl::add_training_job(int wi, int pool, const FleetWorkloadRate& rate) {
  const WorkloadSpec& w = s.workloads[static_cast<std::size_t>(wi)];
  const int gpn = std::max(1, pools[static_cast<std::size_t>(pool)].gpus);
  Job j;
  j.workload = wi;
  j.rate_tokens_per_s = rate.training_tokens_per_s;
  j.target_tokens = w.tokens;
  j.delta_s = w.checkpoint_s;
  j.restart_s = w.restart_s;
  Group g;
  g.workload = wi;
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
}

// Tokens computed by the running jobs over `dt`, and the GPU time of the active ones (for the goodput series).
void FleetOps::Impl::accrue_jobs(double dt) {
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
}

double FleetOps::Impl::checkpoint_efficiency(const Job& j) {
  return j.tau_s > 0.0 ? j.tau_s / (j.tau_s + j.delta_s) : 1.0;
}

// ---- Life of a job ----------------------------------------------------------------------------------------------

void FleetOps::Impl::on_job_start(int ji, Simulator<>& sim) {
  Job& j = jobs[static_cast<std::size_t>(ji)];
  j.state = JobState::Waiting;
  j.submit_s = now_s(sim);
  fill(j.group, sim, true);
}

void FleetOps::Impl::start_running(int ji, Simulator<>& sim) {
  Job& j = jobs[static_cast<std::size_t>(ji)];
  if (!j.started) {
    j.started = true;
    record(now_s(sim), kRecordJobStarted, s.workloads[static_cast<std::size_t>(j.workload)].name, ji, 0.0, j.tau_s);
  }
  j.state = JobState::Running;
  j.seg_start_s = now_s(sim);
  j.segment = 0.0;
  schedule_completion(ji, sim);
}

void FleetOps::Impl::begin_restart(int ji, Simulator<>& sim) {
  Job& j = jobs[static_cast<std::size_t>(ji)];
  j.state = JobState::Restarting;
  ++j.epoch;
  sim.schedule_at(sim.now() + seconds_to_sim(j.restart_s), kEvJobRestarted, static_cast<std::uint32_t>(ji), j.epoch);
}

// The completion at the current speed, if within the horizon; any earlier one is cancelled (epoch).
void FleetOps::Impl::schedule_completion(int ji, Simulator<>& sim) {
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
std::pair<double, double> FleetOps::Impl::kept_of_segment(const Job& j, double t) const {
  const double e = t - j.seg_start_s;
  if (e <= 0.0) return {0.0, 0.0};
  if (!(j.tau_s > 0.0)) return {j.segment, e};
  const double cycles = std::floor(e / (j.tau_s + j.delta_s));
  const double share = std::min(1.0, cycles * (j.tau_s + j.delta_s) / e);
  return {j.segment * share, cycles * j.tau_s};
}

// The job stops (`node`: the failed node, -1 for a software fault or power loss) and keeps its last checkpoint.
void FleetOps::Impl::interrupt_job(int ji, Simulator<>& sim, int node) {
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

void FleetOps::Impl::on_job_restarted(int ji, std::uint64_t epoch, Simulator<>& sim) {
  Job& j = jobs[static_cast<std::size_t>(ji)];
  if (j.epoch != epoch || j.state != JobState::Restarting) return;
  record(now_s(sim), kRecordJobRestarted, s.workloads[static_cast<std::size_t>(j.workload)].name, ji, j.restart_s,
         0.0);
  start_running(ji, sim);
}

// Done: all tokens are kept and its nodes go back to the scheduler.
void FleetOps::Impl::on_job_complete(int ji, std::uint64_t epoch, Simulator<>& sim) {
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

// ---- Under the site's supply ------------------------------------------------------------------------------------

// Part of the critical load is unpowered: every running or restarting job stops.
void FleetOps::Impl::on_power_lost(Simulator<>& sim) {
  for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
    const JobState st = jobs[ji].state;
    if (st == JobState::Running || st == JobState::Restarting) interrupt_job(static_cast<int>(ji), sim, -1);
  }
}

// Power is back: jobs that hold all their nodes start, or restart from their checkpoint.
void FleetOps::Impl::on_power_restored(Simulator<>& sim) {
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

// The clock changed: running jobs finish at another time.
void FleetOps::Impl::on_speed_changed(Simulator<>& sim) {
  for (std::size_t ji = 0; ji < jobs.size(); ++ji) {
    if (jobs[ji].state == JobState::Running) schedule_completion(static_cast<int>(ji), sim);
  }
}

}  // namespace aidc
