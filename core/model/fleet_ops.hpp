#pragma once
// The fleet in operation: nodes (one per system) that fail and are repaired, and the workloads that run on them —
// training jobs to their token count and inference services against their demand — under the power the facility
// can deliver. It runs inside the site-year's event loop (core/model/site_year.cpp), which owns the clock:
//   - at each hour tick the site closes the last hour (close_hour), asks for the IT power of the new hour
//     (it_demand_w) and tells the fleet which share of it the supply and cooling deliver (set_supply);
//   - whenever the supply changes inside the hour (an outage, generators starting or failing) it calls set_supply;
//   - events of kind >= kFleetEventBase belong to the fleet (handle).
// Failures of each component kind arrive as Poisson processes per unit (failures_per_unit_h × units), so the fleet
// draws one exponential for the next failure of all its up nodes and resamples it when that total rate changes.
// Repairs use a part from the on-site stock (reordered at once, back after the lead time) or wait for an ordered
// one, then a technician (FIFO when all are busy). A failed node leaves its job or instance; the scheduler replaces
// it from the hot spares, then from idle nodes, then by pre-empting a lower-priority instance.
// Training progress follows Young/Daly checkpointing: work since the last completed checkpoint is lost on an
// interruption. Under a power cap the clock drops as dynamic power ∝ clock^k (FleetSpec::dvfs_power_exponent) and
// throughput follows the clock.
//
// A pure function of (scenario, rates, replication): its random draws come from its own RNG streams.
// The implementation is split by concept (maintenance, scheduler, training, services, power, KPIs): see
// core/model/fleet_state.hpp. Repair-queue load before a run: core/model/fleet_maintenance.hpp.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/simulator.hpp"
#include "core/model/output_records.hpp"
#include "core/scenario/scenario.hpp"

namespace aidc {

// The chosen operating point of each workload, from the kernels (core/run/workload_estimates.hpp); one per
// Scenario::workloads entry, in order.
struct FleetWorkloadRate {
  double instance_output_tokens_per_s = 0.0;  // inference: one instance of `gpus` GPUs at its SLOs
  double training_tokens_per_s = 0.0;         // training: the job on `gpus` healthy GPUs
  // Inference: the rate the operator plans its instance count with (instances_for_peak) when it differs from the
  // rate the instances deliver (a run drawing the throughput model's error plans with the estimate and serves at the
  // drawn rate); <= 0: the same as instance_output_tokens_per_s.
  double planning_output_tokens_per_s = 0.0;
};

// Hourly series of the fleet, in the order of fleet_series_info().
enum FleetSeries : std::size_t {
  kFleetSeriesDemandTokens,
  kFleetSeriesServedTokens,
  kFleetSeriesCapacityTokens,
  kFleetSeriesSloAttainment,
  kFleetSeriesAcceleratorsUp,
  kFleetSeriesAcceleratorsDown,
  kFleetSeriesTrainingTokens,
  kFleetSeriesTrainingProgress,
  kFleetSeriesTrainingGoodput,
  kFleetSeriesPowerFraction,
  kFleetSeriesClockFraction,
  kFleetSeriesCount
};
const std::vector<SeriesInfo>& fleet_series_info();

// Site-level fleet KPIs, then per workload "<name>.<metric>" (inference: demand_tokens_per_s, served_tokens_per_s,
// capacity_tokens_per_s, slo_attainment, instances_up; training: time_to_train_d, ettr, interruptions, progress,
// goodput_tokens_per_s).
std::vector<KpiInfo> fleet_kpi_info(const Scenario& s);
// The site-level fleet KPIs, in the order of fleet_kpi_info() (the per-workload ones follow).
enum FleetKpi : std::size_t {
  kFleetKpiAcceleratorAvailability,
  kFleetKpiFailures,
  kFleetKpiLostGpuHours,
  kFleetKpiMeanTimeToRepair,
  kFleetKpiSpareStockouts,
  kFleetKpiPowerCappedHours,
  kFleetKpiOutputTokensServed,
  kFleetKpiOutputTokensPerMwh,
  kFleetKpiOutputTokensPerLWater,
  kFleetKpiSloAttainment,
  kFleetKpiServiceAvailability,
  kFleetKpiTrainingEttr,
  kFleetKpiTrainingInterruptions,
  kFleetKpiAllocatedGpuHours,  // what the economics sell with a fleet
  kFleetKpiSiteCount
};

// Event kinds of the fleet in the results file, appended after the site's (site_event_kind_names()).
enum FleetRecordKind : std::int32_t {
  kRecordComponentFailure,
  kRecordRepairComplete,
  kRecordSpareStockout,
  kRecordJobStarted,
  kRecordJobInterrupted,
  kRecordJobRestarted,
  kRecordJobCompleted,
  kRecordInstanceLost,
  kRecordInstanceRestored,
  kRecordPowerCapStart,
  kRecordPowerCapEnd,
  kRecordKindCount
};
const std::vector<std::string>& fleet_record_kind_names();

// Engine event kinds of the fleet (the site's are below this).
inline constexpr std::uint32_t kFleetEventBase = 64;

// RNG streams of the fleet (the site's use 1-3).
enum FleetRngStream : std::uint64_t { kStreamFailures = 16, kStreamFailurePick = 17 };

// Young/Daly optimum checkpoint interval (compute time between checkpoints) for a checkpoint cost delta_s and a
// job MTBF mtbf_s: Daly's (2006) higher-order estimate sqrt(2δM)(1 + √(δ/2M)/3 + δ/18M) − δ for δ < 2M, else M.
double daly_checkpoint_interval_s(double checkpoint_s, double mtbf_s);

// The number of instances an inference service deploys when the scenario leaves it to the model: enough for the
// peak hourly demand of the horizon (diurnal peak, weekdays or weekend, growth to the end), at most INT_MAX. The
// fleet builds no more of them than its pool's nodes can hold at once (the rest could never serve).
int instances_for_peak(const WorkloadSpec& w, const FleetWorkloadRate& rate, int horizon_h);

class FleetOps {
 public:
  // `record_offset` is added to FleetRecordKind in the records (the site's kinds come first). `events` receives
  // the records; `series` is kFleetSeriesCount × horizon_h, series-major.
  FleetOps(const Scenario& s, const std::vector<FleetWorkloadRate>& rates, int replication,
           std::int32_t record_offset, std::vector<EventRecord>& events, std::vector<double>& series);
  ~FleetOps();
  FleetOps(const FleetOps&) = delete;
  FleetOps& operator=(const FleetOps&) = delete;

  void start(Simulator<>& sim);
  void handle(const Event& e, Simulator<>& sim);

  // IT power of all nodes and the scale-out fabric for hour `hour` at full clock, with that hour's inference
  // demand. Failed nodes draw nothing (powered off until repaired: assumption); the fabric draws its full power.
  double it_demand_w(std::size_t hour);
  // The share of the demanded IT power the site delivers from now on; `power_lost`: part of the critical load is
  // unpowered (not capped), which interrupts every training job.
  void set_supply(Simulator<>& sim, double delivered_fraction, bool power_lost);
  void close_hour(std::size_t hour);
  // KPIs in the order of fleet_kpi_info(); called once after the horizon.
  std::vector<double> kpis(double facility_energy_mwh, double water_l);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aidc
