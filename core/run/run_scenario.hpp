#pragma once
// Runs a resolved scenario's replications in parallel (TBB) and writes one results file. Replications run in
// batches: each batch in parallel, then written in replication order while the next batch runs, so memory stays
// bounded (two batches) and the file's contents do not depend on the number of threads.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/io/results_writer.hpp"
#include "core/model/economics.hpp"
#include "core/model/export_control.hpp"
#include "core/model/site_year.hpp"
#include "core/run/claims_outputs.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "kernels/backend.hpp"

namespace aidc {

struct RunOptions {
  std::filesystem::path output;  // results file; empty: no file is written
  int threads = 0;               // 0: all cores
  int batch_replications = 0;    // 0: chosen from the thread count
  Backend perf_backend = Backend::Auto;  // where the workload estimates run (scenario "workloads")
  int event_replications = -1;   // /events holds the events of the first this many replications; -1: all
};

struct RunSummary {
  std::vector<KpiRow> kpis;
  std::uint64_t events_processed = 0;
  std::uint64_t fingerprint = 0;  // of replication 0's event sequence
  std::size_t event_records = 0;
  double wall_s = 0.0;
  int threads = 0;
  ComplianceReport compliance;          // export-control screening of the fleet
  std::vector<CashFlowYear> cash_flows;  // the median replication's table; empty without an economics section
  int cash_flow_replication = -1;
  std::vector<std::string> workloads;    // one summary line per workload, e.g. "workload chat-70b: 19075 output ..."
  std::vector<std::string> claims;       // one verdict line per claim, e.g. "claim \"annual PUE <= 1.3\": ..."
  std::vector<std::string> finance;      // cover ratios, debt and the refresh's funding (with economics)
  std::vector<InputWarning> run_warnings;  // found by the run (e.g. little of the capacity earns revenue)
  std::string uncertainty;               // what varies between replications (uncertainty_description)
};

// What a run settles before any replication, once: the workloads' estimates (a workload that cannot run anywhere
// on the site is bad input) and the claims resolved against the run's KPIs (an unknown metric is bad input).
// `aidcsim check` builds the same plan, so it rejects exactly what `run` would.
struct RunPlan {
  Backend kernels_backend = Backend::Cpu;  // where the workloads' throughput kernels ran
  std::vector<WorkloadResult> workloads;
  std::vector<KpiInfo> kpi_info;
  std::vector<ResolvedClaim> claims;
};
RunPlan plan_run(const ResolvedScenario& rs, Backend perf_backend);

// Called after each batch with (replications done, replications in all).
using ProgressFn = std::function<void(int, int)>;

RunSummary run_scenario(const ResolvedScenario& rs, const RunOptions& options, const ProgressFn& progress = {});

// The KPIs a run of `s` reports, in the order of /kpis: the site's, the fleet's (with a fleet section), the
// economics' (with an economics section) and the cost per million tokens (with both and a service). Claims resolve
// against this list (`aidcsim check` does so too).
std::vector<KpiInfo> run_kpi_info(const Scenario& s);

// The /warnings table: one row per warning (file, json_path, value, message).
NamedTable warnings_table(const std::vector<InputWarning>& warnings);

// KPI rows (mean, P10, P50, P90 over replications) from per-replication values, kpi-major.
std::vector<KpiRow> summarize_kpis(const std::vector<std::vector<double>>& per_replication);
// The same with the names, units and long names of each KPI row (site KPIs followed by economics KPIs, say).
std::vector<KpiRow> summarize_kpis(const std::vector<std::vector<double>>& per_replication,
                                   const std::vector<KpiInfo>& info);

}  // namespace aidc
