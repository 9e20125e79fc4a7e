#pragma once
// The scenario's workloads (its optional "workloads" section) estimated on the site's hardware with the
// throughput adapters (core/run/perf_estimates.hpp): every evaluated configuration and the chosen operating point,
// as tables for /perf/<name>/configs and /perf/<name>/chosen in the results file, and one summary line each.
// The estimate is deterministic, so it runs once per run, before any replication.

#include <string>
#include <vector>

#include "core/io/results_writer.hpp"
#include "core/model/fleet_ops.hpp"
#include "core/run/perf_estimates.hpp"
#include "core/scenario/scenario.hpp"
#include "kernels/backend.hpp"

namespace aidc {

struct WorkloadResult {
  std::string name;
  std::string summary;  // e.g. "workload chat-70b: 19075 output tokens/s on 8 x h100-sxm (tp 2, pp 2, 2 replicas)"
  NamedTable configs;   // one row per evaluated configuration
  NamedTable chosen;    // one row: the chosen operating point
  // The chosen operating point in numbers, for the fleet in operation (core/model/fleet_ops.hpp):
  double instance_output_tokens_per_s = 0.0;  // inference: one instance of w.gpus GPUs, saturated within its SLOs
  double training_tokens_per_s = 0.0;         // training: the job on w.gpus GPUs, all healthy
  double training_step_time_s = 0.0;
};

// The throughput request of workload `w` (core/run/perf_estimates.hpp): its model, accelerator, precision and GPUs,
// its fixed tp / pp (and cp for training) as given, its request lengths, concurrency and SLOs (inference) or
// sequence and batch (training). The mix of an inference workload is passed beside it (estimate_inference_mix).
InferenceRequestSpec inference_request(const WorkloadSpec& w);
TrainingRequestSpec training_request(const WorkloadSpec& w);
// The same on `gpus` GPUs: a fixed degree that does not divide them is searched instead.
InferenceRequestSpec inference_request(const WorkloadSpec& w, int gpus);
TrainingRequestSpec training_request(const WorkloadSpec& w, int gpus);

// Estimates each workload of `s` on `backend`. A workload with no feasible configuration (or none meeting its SLOs)
// throws BadInput at /workloads/<i> with the adapter's reason, naming s.source_path.
std::vector<WorkloadResult> estimate_workloads(const Scenario& s, Backend backend = Backend::Auto);

// The operating points a fleet runs its workloads at (core/model/fleet_ops.hpp), one per workload, in order.
std::vector<FleetWorkloadRate> fleet_rates(const std::vector<WorkloadResult>& workloads);

}  // namespace aidc
