#pragma once
// The state the parts of the fleet share, internal to core/model/fleet_*.cpp (other code uses fleet_ops.hpp).
//
// FleetOps::Impl is one object with one event loop (the site's Simulator); its operations are defined by concept:
//   fleet_ops.cpp          construction, the start at time 0, event dispatch, the public interface;
//   fleet_maintenance.cpp  the failure process, spare parts and repairs (technicians);
//   fleet_scheduler.cpp    node ownership: hot spares, idle nodes, waiting groups, pre-emption;
//   fleet_training.cpp     training jobs: checkpoints, interruptions, restarts, completion;
//   fleet_services.cpp     inference services: demand, instances, serving capacity;
//   fleet_power.cpp        the IT power demanded and the clock under a power cap;
//   fleet_kpis.cpp         accrual over time, the hourly series and the KPIs.
// Who calls whom: maintenance takes nodes down and hands repaired ones to the scheduler; the scheduler fills groups
// and tells training or services that a group is complete or lost a node; power tells training when the supply is
// lost, restored or its speed changes.

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/engine/rng.hpp"
#include "core/engine/sim_time.hpp"
#include "core/model/fleet_ops.hpp"

namespace aidc {
namespace fleet_detail {

enum FleetEventKind : std::uint32_t {
  kEvFailure = kFleetEventBase,  // payload: failure epoch
  kEvPartArrives,                // target: component kind
  kEvRepairDone,                 // target: node
  kEvJobStart,                   // target: job
  kEvJobRestarted,               // target: job, payload: job epoch
  kEvJobComplete,                // target: job, payload: job epoch
  kEvInstanceReady,              // target: group, payload: group epoch
};

// Owners of a node that are not a group.
constexpr int kFree = -1;
constexpr int kSpare = -2;
constexpr int kDown = -3;

// The nodes of one system type, with their lists by owner.
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
  // Indexes of the scheduler, so that a choice costs O(log groups), not a scan of all groups:
  std::set<std::pair<int, int>> waiting;      // (−priority, group): groups of this pool waiting for nodes
  std::set<std::pair<int, int>> preemptible;  // (priority, −group): service groups holding at least one node
};

struct Node {
  int pool = 0;
  int owner = kFree;   // group id, kFree, kSpare or kDown
  int up_pos = -1;     // index in its pool's up list
  std::uint32_t stamp = 0;
  int failed_kind = -1;
  double down_since_s = 0.0;
};

// The nodes a training job or a set of inference instances runs on.
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

// Requests per second of a demand in hour `hour` of the horizon (fleet_services.cpp).
double demand_requests_per_s(const DemandSpec& d, long long hour);

}  // namespace fleet_detail

struct FleetOps::Impl {
  using Pool = fleet_detail::Pool;
  using Node = fleet_detail::Node;
  using Group = fleet_detail::Group;
  using Job = fleet_detail::Job;
  using JobState = fleet_detail::JobState;
  using Service = fleet_detail::Service;

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

  // Maintenance.
  std::vector<double> software_rate_per_gpu_h;  // per component kind (JobGpu kinds only)
  double software_rate_total_per_gpu_h = 0.0;
  std::vector<int> stock;                   // parts on site per component kind
  std::vector<std::deque<int>> backorders;  // nodes waiting for a part, per kind
  std::deque<int> repair_queue;
  int technicians_busy = 0;
  double failure_rate_per_s = -1.0;  // of the pending failure draw (-1: none drawn)
  std::uint64_t failure_epoch = 0;

  // Scheduler: instances that gave up a node to the group being filled, told once the fill is done.
  std::vector<int> pending_member_loss;

  // Supply.
  double fraction = 1.0, clock = 1.0, factor = 1.0;
  bool power_lost = false, capped = false;
  double hour_demand_w = 0.0, hour_idle_w = 0.0;
  double fabric_w = 0.0;  // scale-out switches and optics, always on (core/model/fleet_plan.hpp)

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

  // ---- fleet_ops.cpp ----
  Impl(const Scenario& sc, const std::vector<FleetWorkloadRate>& rates, int rep, std::int32_t offset,
       std::vector<EventRecord>& ev, std::vector<double>& se);
  void build(const std::vector<FleetWorkloadRate>& rates);
  void build_pools();
  void start(Simulator<>& sim);
  void handle(const Event& e, Simulator<>& sim);
  double now_s(const Simulator<>& sim) const { return sim_to_seconds(sim.now()); }
  void record(double t, FleetRecordKind kind, const std::string& component, std::int64_t id, double duration_s,
              double value);

  // ---- fleet_maintenance.cpp ----
  void build_software_rates();
  void build_stock();
  double hardware_rate_per_h() const;
  double total_rate_per_h(double hardware_per_h) const;
  void reschedule_failure(Simulator<>& sim);
  void on_failure(Simulator<>& sim);
  void software_fault(double u, Simulator<>& sim);
  void node_failure(int n, int kind, Simulator<>& sim);
  void on_part_arrives(int kind, Simulator<>& sim);
  void enqueue_repair(int n, Simulator<>& sim);
  void start_repair(int n, Simulator<>& sim);
  void on_repair_done(int n, Simulator<>& sim);

  // ---- fleet_scheduler.cpp ----
  void share_hot_spares(int total_nodes);
  void set_owner(int n, int owner);
  void push_idle(int n, int owner);
  int pop_list(std::vector<std::pair<int, std::uint32_t>>& list, int owner);
  void add_member(int gi, int n);
  void remove_member(int gi, int n);
  int take_node(int pi, int priority, bool use_spares);
  void release_node(int n, Simulator<>& sim);
  void set_waiting(int gi, bool on);
  bool fill(int gi, Simulator<>& sim, bool initial);
  void group_complete(int gi, Simulator<>& sim, bool initial);
  void member_lost(int gi, Simulator<>& sim, int n);

  // ---- fleet_training.cpp ----
  void add_training_job(int wi, int pool, const FleetWorkloadRate& rate);
  void accrue_jobs(double dt);
  static double checkpoint_efficiency(const Job& j);
  void on_job_start(int ji, Simulator<>& sim);
  void start_running(int ji, Simulator<>& sim);
  void begin_restart(int ji, Simulator<>& sim);
  void schedule_completion(int ji, Simulator<>& sim);
  std::pair<double, double> kept_of_segment(const Job& j, double t) const;
  void interrupt_job(int ji, Simulator<>& sim, int node);
  void on_job_restarted(int ji, std::uint64_t epoch, Simulator<>& sim);
  void on_job_complete(int ji, std::uint64_t epoch, Simulator<>& sim);
  void on_power_lost(Simulator<>& sim);
  void on_power_restored(Simulator<>& sim);
  void on_speed_changed(Simulator<>& sim);

  // ---- fleet_services.cpp ----
  void add_service(int wi, int pool, const FleetWorkloadRate& rate);
  void accrue_services(double dt);
  double service_dynamic_w(Service& sv, std::size_t hour);
  void activate_instance(int gi, Simulator<>& sim);
  void deactivate_instance(int gi, Simulator<>& sim);

  // ---- fleet_power.cpp ----
  double it_demand_w(std::size_t hour);
  void set_supply(Simulator<>& sim, double delivered, bool lost);

  // ---- fleet_kpis.cpp ----
  void accrue(double t);
  void close_hour(std::size_t h);
  std::vector<double> kpis(double facility_energy_mwh, double water_l);
};

}  // namespace aidc
