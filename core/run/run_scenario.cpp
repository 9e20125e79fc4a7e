#include "core/run/run_scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <ctime>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include "aidcsim_version.hpp"
#include "core/io/utc_timestamp.hpp"
#include "core/model/site_year.hpp"
#include "core/run/claims_outputs.hpp"
#include "core/run/economics_outputs.hpp"
#include "core/run/fleet_outputs.hpp"
#include "core/run/package_outputs.hpp"
#include "core/run/uncertain_replications.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/stats/quantile.hpp"

namespace aidc {

NamedTable warnings_table(const std::vector<InputWarning>& warnings) {
  NamedTable t;
  t.long_name = "legal but implausible inputs: the run went on; each row says what the value does to the results";
  TableColumn file{"file", "", true, {}, {}}, path{"json_path", "", true, {}, {}}, value{"value", "", true, {}, {}},
      message{"message", "", true, {}, {}};
  for (const InputWarning& w : warnings) {
    file.text.push_back(w.file);
    path.text.push_back(w.json_path);
    value.text.push_back(w.value);
    message.text.push_back(w.message);
  }
  t.columns = {file, path, value, message};
  return t;
}

std::vector<KpiRow> summarize_kpis(const std::vector<std::vector<double>>& per_replication) {
  return summarize_kpis(per_replication, site_kpi_info());
}

std::vector<KpiRow> summarize_kpis(const std::vector<std::vector<double>>& per_replication,
                                   const std::vector<KpiInfo>& info) {
  std::vector<KpiRow> rows;
  for (std::size_t k = 0; k < per_replication.size(); ++k) {
    // A KPI may be undefined in some replications (an IRR without a sign change is NaN): the statistics are over
    // the replications where it is defined, and NaN when it is defined in none.
    std::vector<double> v;
    for (double x : per_replication[k]) {
      if (!std::isnan(x)) v.push_back(x);
    }
    rows.push_back({info[k].name, info[k].units, info[k].long_name, mean(v), quantile(v, 0.1), quantile(v, 0.5),
                    quantile(v, 0.9), static_cast<long long>(v.size())});
  }
  return rows;
}

std::vector<KpiInfo> run_kpi_info(const Scenario& s) {
  std::vector<KpiInfo> info = site_kpi_info();
  if (s.fleet.enabled) {
    const std::vector<KpiInfo> fk = fleet_kpi_info(s);
    info.insert(info.end(), fk.begin(), fk.end());
  }
  // The throughput model's error drawn per replication (uncertainty.throughput_error), so that claims can name it.
  if (s.uncertainty.inference_log_sigma > 0.0) {
    info.push_back({"inference_throughput_multiplier", "1",
                    "the throughput model's error drawn for the inference workloads: true / estimated rate"});
  }
  if (s.uncertainty.training_log_sigma > 0.0) {
    info.push_back({"training_throughput_multiplier", "1",
                    "the throughput model's error drawn for the training workloads: true / estimated rate"});
  }
  if (s.economics.enabled) {
    info.insert(info.end(), economics_kpi_info().begin(), economics_kpi_info().end());
    // With a fleet serving tokens: the levelized cost per million output tokens, all costs borne by the services.
    bool serves_tokens = false;
    for (const WorkloadSpec& w : s.workloads) serves_tokens = serves_tokens || w.kind == WorkloadKind::Inference;
    if (s.fleet.enabled && serves_tokens) {
      info.push_back({"levelized_usd_per_million_tokens", "USD/Mtoken",
                      "PV of capex and opex / PV of output tokens served (the simulated year's tokens every year; "
                      "all costs borne by the inference services)"});
    }
  }
  return info;
}

RunPlan plan_run(const ResolvedScenario& rs, Backend perf_backend) {
  if (!rs.prepared) throw std::logic_error("plan_run: the scenario was not prepared (core/run/prepare_scenario.hpp)");
  const Scenario& s = rs.scenario;
  RunPlan plan;
  // The backend is resolved once so that the results file records where the kernels ran (CUDA without a device is
  // refused here, before anything else).
  plan.kernels_backend = s.workloads.empty() ? Backend::Cpu : resolve_backend(perf_backend);
  plan.workloads = estimate_workloads(s, plan.kernels_backend);
  plan.kpi_info = run_kpi_info(s);
  plan.claims = resolve_claims(s, plan.kpi_info);
  return plan;
}

RunSummary run_scenario(const ResolvedScenario& rs, const RunOptions& options, const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const Scenario& s = rs.scenario;
  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  // The workloads' estimates are deterministic: once per run, and before anything else, so that a workload that
  // cannot run anywhere on the site, or a claim on an unknown metric, is bad input (exit 2) before any replication
  // or results file.
  const RunPlan plan = plan_run(rs, options.perf_backend);
  const std::vector<WorkloadResult>& workloads = plan.workloads;
  // With a fleet the workloads are operated at these operating points over the horizon.
  const std::vector<FleetWorkloadRate> rates = fleet_rates(workloads);
  const bool fleet = s.fleet.enabled;
  const int event_replications =
      options.event_replications < 0 ? s.replications : std::min(options.event_replications, s.replications);
  std::vector<SeriesInfo> series_info = site_series_info();
  if (fleet) series_info.insert(series_info.end(), fleet_series_info().begin(), fleet_series_info().end());

  // The synthetic climatology (or the EPW year) is shared by every replication: prepared once.
  const SiteWeather weather(s, rs.epw_weather.get());

  const int R = s.replications;
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  std::vector<double> time_s(T);
  for (std::size_t h = 0; h < T; ++h) time_s[h] = static_cast<double>(h) * 3600.0;

  std::unique_ptr<ResultsWriter> writer;
  if (!options.output.empty()) {
    // The site-years always run on the CPU; `backend` and `device` say where the throughput kernels ran too.
    const bool cuda = plan.kernels_backend == Backend::Cuda;
    RunMetadata meta{kSoftwareVersion, kGitSha, utc_now_iso8601(), s.seed, R, backend_name(plan.kernels_backend),
                     std::to_string(threads) + " threads (TBB)" + (cuda ? "; kernels on " + cuda_device_name() : ""),
                     s.name};
    writer = std::make_unique<ResultsWriter>(options.output, meta, time_s, series_info, R, event_kind_names(s));
    writer->write_inputs(rs.resolved.dump(2), rs.catalog_entries.dump(2));
    writer->set_event_replications(event_replications);
  }

  const int batch = options.batch_replications > 0 ? options.batch_replications : std::max(8, 4 * threads);
  const bool economics = s.economics.enabled;
  const std::vector<KpiInfo>& kpi_info = plan.kpi_info;
  const std::size_t fleet_kpi_first = kKpiCount;  // the site's KPIs come first
  const std::size_t economics_kpi_first = kpi_index(kpi_info, economics_kpi_info().front().name);
  const std::size_t token_cost_kpi = kpi_index(kpi_info, "levelized_usd_per_million_tokens");
  const bool token_cost = token_cost_kpi < kpi_info.size();
  const std::size_t inference_multiplier_kpi = kpi_index(kpi_info, "inference_throughput_multiplier");
  const std::size_t training_multiplier_kpi = kpi_index(kpi_info, "training_throughput_multiplier");
  std::vector<std::vector<double>> kpis(kpi_info.size(), std::vector<double>(static_cast<std::size_t>(R)));
  std::vector<OperatingInputs> ops(economics ? static_cast<std::size_t>(R) : 0);
  std::vector<EconomicsResult> finance;
  int sizing_rep = -1;
  RunSummary summary;
  summary.threads = threads;
  const std::vector<ResolvedClaim>& claims = plan.claims;

  // With uncertain inputs each replication runs its own scenario (uncertain_replications.hpp), made in its task
  // (a batch's scenarios in memory at a time); the weather, the IT, the workloads' estimates and the claims are the
  // base scenario's in every one. Each replication's economics spec is kept for the economics after the loop.
  const UncertainReplications* uncertain = rs.uncertain.get();
  std::vector<EconomicsSpec> specs(uncertain && economics ? static_cast<std::size_t>(R) : 0);
  auto simulate_batch = [&](int first, std::vector<SiteYearResult>& results) {
    const int count = std::min(batch, R - first);
    results.assign(static_cast<std::size_t>(count), SiteYearResult{});
    tbb::parallel_for(0, count, [&](int i) {
      const int rep = first + i;
      SiteYearResult& r = results[static_cast<std::size_t>(i)];
      if (uncertain) {
        const Scenario sr = uncertain->scenario_of(rep);
        // The throughput model's error drawn for this replication scales every workload's rate of its kind.
        std::vector<FleetWorkloadRate> rr = rates;
        const auto k = static_cast<std::size_t>(rep);
        for (FleetWorkloadRate& w : rr) {
          if (!uncertain->inference_multiplier.empty()) {
            w.planning_output_tokens_per_s = w.instance_output_tokens_per_s;  // deployed as the estimate planned
            w.instance_output_tokens_per_s *= uncertain->inference_multiplier[k];
          }
          if (!uncertain->training_multiplier.empty()) w.training_tokens_per_s *= uncertain->training_multiplier[k];
        }
        r = simulate_site_year(sr, weather.replication(rep), rep, rr);
        if (economics) {
          specs[static_cast<std::size_t>(rep)] = sr.economics;
          ops[static_cast<std::size_t>(rep)] = replication_operating_inputs(sr, r.kpis, r.fleet_kpis);
        }
      } else {
        r = simulate_site_year(s, weather.replication(rep), rep, rates);
        if (economics) ops[static_cast<std::size_t>(rep)] = replication_operating_inputs(s, r.kpis, r.fleet_kpis);
      }
    });
  };
  std::vector<double> block;
  auto collect_batch = [&](int first, std::vector<SiteYearResult>& results) {
    const int count = static_cast<int>(results.size());
    for (int i = 0; i < count; ++i) {
      SiteYearResult& r = results[static_cast<std::size_t>(i)];
      const auto rep = static_cast<std::size_t>(first + i);
      for (std::size_t k = 0; k < kKpiCount; ++k) kpis[k][rep] = r.kpis[k];
      for (std::size_t k = 0; k < r.fleet_kpis.size(); ++k) kpis[fleet_kpi_first + k][rep] = r.fleet_kpis[k];
      if (uncertain && inference_multiplier_kpi < kpi_info.size()) {
        kpis[inference_multiplier_kpi][rep] = uncertain->inference_multiplier[rep];
      }
      if (uncertain && training_multiplier_kpi < kpi_info.size()) {
        kpis[training_multiplier_kpi][rep] = uncertain->training_multiplier[rep];
      }
      summary.events_processed += r.events_processed;
      if (first + i == 0) summary.fingerprint = r.fingerprint;
      // Events go to the file batch by batch (in replication order), so memory stays bounded for long runs; a run
      // may keep only the first replications' events (RunOptions::event_replications) to keep big files small.
      if (static_cast<int>(rep) < event_replications) {
        summary.event_records += r.events.size();
        if (writer) writer->write_events(r.events);
      }
    }
    if (writer) {
      block.resize(static_cast<std::size_t>(count) * T);
      for (std::size_t k = 0; k < series_info.size(); ++k) {
        for (int i = 0; i < count; ++i) {
          const SiteYearResult& r = results[static_cast<std::size_t>(i)];
          const auto& series = k < kSeriesCount ? r.series : r.fleet_series;
          const std::size_t row = k < kSeriesCount ? k : k - kSeriesCount;
          std::copy_n(series.begin() + static_cast<std::ptrdiff_t>(row * T), T,
                      block.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(i) * T));
        }
        writer->write_series_block(k, first, count, block);
      }
    }
    if (progress) progress(first + count, R);
  };

  // A pipeline of two batches: while the workers simulate the next batch, this thread stores the last one. HDF5 is
  // written from one thread, but the gzip compression of the chunks, which costs more CPU than simulating them
  // (bench/RESULTS.md), runs as TBB tasks in this arena (ResultsWriter's direct chunk writes), shared with the
  // simulation. This thread counts as one of the `threads`: it joins the simulation once its writing is done.
  std::vector<SiteYearResult> current, next;
  simulate_batch(0, current);
  for (int first = 0; first < R; first += batch) {
    tbb::task_group simulating;
    if (first + batch < R) simulating.run([&, first] { simulate_batch(first + batch, next); });
    collect_batch(first, current);
    simulating.wait();
    std::swap(current, next);
  }
  if (economics) {
    // Opex varies with each replication's energy cost and water (ops, from the simulation tasks), so the economics
    // KPIs get P10/P50/P90 too. They run once all replications are in: a sculpted debt is sized on one of them.
    if (!uncertain) specs.push_back(s.economics);
    finance = evaluate_replications(specs, ops, &sizing_rep);
    for (std::size_t rep = 0; rep < finance.size(); ++rep) {
      const auto ek = economics_kpis(finance[rep]);
      for (std::size_t k = 0; k < kEconomicsKpiCount; ++k) kpis[economics_kpi_first + k][rep] = ek[k];
      if (token_cost) kpis[token_cost_kpi][rep] = finance[rep].levelized_usd_per_million_tokens;
    }
  }
  summary.kpis = summarize_kpis(kpis, kpi_info);
  summary.compliance = assess_export_control(s.it);
  int median_rep = -1;
  Scenario median_scenario;  // the scenario of the replication whose cash flows the file holds
  if (economics) {
    // The cash-flow table of the median replication by project NPV (the lower median for an even count): one real
    // replication's table, internally consistent, rather than a mean of tables.
    std::vector<int> order(static_cast<std::size_t>(R));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return finance[static_cast<std::size_t>(a)].project_npv_usd < finance[static_cast<std::size_t>(b)].project_npv_usd;
    });
    median_rep = order[static_cast<std::size_t>((R - 1) / 2)];
    summary.cash_flows = finance[static_cast<std::size_t>(median_rep)].years;
    summary.cash_flow_replication = median_rep;
    median_scenario = uncertain ? uncertain->scenario_of(median_rep) : s;
    const Scenario& sm = median_scenario;
    summary.run_warnings = economics_run_warnings(sm, finance[static_cast<std::size_t>(median_rep)]);
    summary.finance = economics_summary_lines(sm, finance[static_cast<std::size_t>(median_rep)], summary.kpis);
  }
  // For reviewers (issue 5): each claim's distribution, probability and verdict, and the export package.
  const std::vector<ClaimResult> claim_results = evaluate_claims(claims, s.claims_policy, kpi_info, kpis);
  for (const ClaimResult& c : claim_results) summary.claims.push_back(claim_summary_line(c, s.claims_policy));
  summary.uncertainty = uncertainty_description(s);
  if (writer && !claim_results.empty()) {
    NamedTable t = claims_table(claim_results, s.claims_policy);
    // Which spread a verdict's probability includes.
    t.text_attributes.push_back({"uncertainty", summary.uncertainty});
    writer->write_table("claims", t);
  }
  if (writer && uncertain) writer->write_table("uncertainty/samples", uncertainty_samples_table(s.uncertainty, *uncertain));
  if (writer && s.package.enabled) {
    for (const auto& [path, table] : package_tables(s.package)) writer->write_table(path, table);
  }
  if (writer) {
    writer->write_kpis(summary.kpis);
    writer->write_table("compliance", compliance_table(summary.compliance));
    std::vector<InputWarning> warnings = rs.warnings;
    warnings.insert(warnings.end(), summary.run_warnings.begin(), summary.run_warnings.end());
    if (!warnings.empty()) writer->write_table("warnings", warnings_table(warnings));
    if (fleet) {
      writer->write_table("fleet/racks", fleet_racks_table(s));
      writer->write_table("fleet/fabric", fleet_fabric_table(s));
    }
    if (economics) {
      writer->write_table("economics/cash_flows",
                          cash_flow_table(median_scenario.economics, finance[static_cast<std::size_t>(median_rep)], median_rep,
                                          "the replication at the median of npv_usd (lower median for an even count)",
                                          sizing_rep));
    }
    for (const WorkloadResult& w : workloads) {
      writer->write_table("perf/" + w.name + "/configs", w.configs);
      writer->write_table("perf/" + w.name + "/chosen", w.chosen);
    }
    writer->commit();
  }
  for (const WorkloadResult& w : workloads) summary.workloads.push_back(w.summary);
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace aidc
