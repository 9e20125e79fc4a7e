#include "core/run/run_scenario.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <thread>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include "aidcsim_version.hpp"
#include "core/model/site_year.hpp"
#include "core/stats/quantile.hpp"

namespace aidc {

namespace {

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::vector<KpiRow> summarize_kpis(const std::vector<std::vector<double>>& per_replication) {
  const auto& info = site_kpi_info();
  std::vector<KpiRow> rows;
  for (std::size_t k = 0; k < per_replication.size(); ++k) {
    const auto& v = per_replication[k];
    rows.push_back({info[k].name, info[k].units, info[k].long_name, mean(v), quantile(v, 0.1), quantile(v, 0.5),
                    quantile(v, 0.9)});
  }
  return rows;
}

RunSummary run_scenario(const ResolvedScenario& rs, const RunOptions& options, const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const Scenario& s = rs.scenario;
  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  // The synthetic climatology (or the EPW year) is shared by every replication: prepared once.
  const SiteWeather weather(s, rs.epw_weather.get());

  const int R = s.replications;
  const std::size_t T = static_cast<std::size_t>(s.horizon_h);
  std::vector<double> time_s(T);
  for (std::size_t h = 0; h < T; ++h) time_s[h] = static_cast<double>(h) * 3600.0;

  std::unique_ptr<ResultsWriter> writer;
  if (!options.output.empty()) {
    RunMetadata meta{kSoftwareVersion, kGitSha, utc_now_iso8601(), s.seed, R, "cpu",
                     std::to_string(threads) + " threads (TBB)", s.name};
    writer = std::make_unique<ResultsWriter>(options.output, meta, time_s, site_series_info(), R,
                                             site_event_kind_names());
    writer->write_inputs(rs.resolved.dump(2), rs.catalog_entries.dump(2));
  }

  const int batch = options.batch_replications > 0 ? options.batch_replications : std::max(8, 4 * threads);
  std::vector<std::vector<double>> kpis(kKpiCount, std::vector<double>(static_cast<std::size_t>(R)));
  std::vector<EventRecord> events;
  RunSummary summary;
  summary.threads = threads;

  auto simulate_batch = [&](int first, std::vector<SiteYearResult>& results) {
    const int count = std::min(batch, R - first);
    results.assign(static_cast<std::size_t>(count), SiteYearResult{});
    tbb::parallel_for(0, count, [&](int i) {
      const int rep = first + i;
      results[static_cast<std::size_t>(i)] = simulate_site_year(s, weather.replication(rep), rep);
    });
  };
  std::vector<double> block;
  auto collect_batch = [&](int first, std::vector<SiteYearResult>& results) {
    const int count = static_cast<int>(results.size());
    for (int i = 0; i < count; ++i) {
      SiteYearResult& r = results[static_cast<std::size_t>(i)];
      for (std::size_t k = 0; k < kKpiCount; ++k) kpis[k][static_cast<std::size_t>(first + i)] = r.kpis[k];
      summary.events_processed += r.events_processed;
      if (first + i == 0) summary.fingerprint = r.fingerprint;
      events.insert(events.end(), r.events.begin(), r.events.end());
    }
    if (writer) {
      block.resize(static_cast<std::size_t>(count) * T);
      for (std::size_t k = 0; k < kSeriesCount; ++k) {
        for (int i = 0; i < count; ++i) {
          const auto& series = results[static_cast<std::size_t>(i)].series;
          std::copy_n(series.begin() + static_cast<std::ptrdiff_t>(k * T), T,
                      block.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(i) * T));
        }
        writer->write_series_block(k, first, count, block);
      }
    }
    if (progress) progress(first + count, R);
  };

  // A pipeline of two batches: while the workers simulate the next batch, this thread stores the last one. HDF5 is
  // written from one thread, and the gzip compression of the series costs more CPU than simulating them
  // (bench/RESULTS_site_year.md); before, the workers sat idle while it ran. This thread counts as one of the
  // `threads`: it joins the simulation once its writing is done.
  std::vector<SiteYearResult> current, next;
  simulate_batch(0, current);
  for (int first = 0; first < R; first += batch) {
    tbb::task_group simulating;
    if (first + batch < R) simulating.run([&, first] { simulate_batch(first + batch, next); });
    collect_batch(first, current);
    simulating.wait();
    std::swap(current, next);
  }
  summary.kpis = summarize_kpis(kpis);
  summary.event_records = events.size();
  if (writer) {
    writer->write_events(events);
    writer->write_kpis(summary.kpis);
    writer->commit();
  }
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace aidc
