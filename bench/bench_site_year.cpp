// The site-year benchmark (issue 2): many replications of a full-year scenario on a few threads, with and without
// writing the results file, reporting wall time, replications/s, events/s, CPU use and peak RSS.
// Goal for the default 100 MW scenario: 1,000 replications on 2 threads in under 60 s and 2 GB.
// Issue 4 goal for a 100,000-accelerator fleet with failures and hourly workloads (scenarios/bench-100k-h100-fleet.json):
// one replication in at most 1 s on one core; 1,000 replications in at most 10 minutes on 2 cores, within 4 GB.
//
// Usage: bench_site_year SCENARIO.json [REPLICATIONS=1000] [THREADS=2] [RESULTS=/tmp/aidcsim_bench_site_year.h5]

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/model/site_year.hpp"
#include "core/run/run_scenario.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/scenario/catalog.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return s(u.ru_utime) + s(u.ru_stime);
}

// CPU seconds of each thread of this process (Linux /proc/self/task/<tid>/stat, utime + stime): whether the work
// was really spread over the threads, which the process's CPU / wall ratio cannot show on a shared machine.
std::map<long, double> thread_cpu_seconds() {
  std::map<long, double> out;
  const double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));  // from field 3 (state) on
    std::string field;
    double utime = 0.0, stime = 0.0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    out[std::stol(task.path().filename().string())] = (utime + stime) * tick_s;
  }
  return out;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// CPU time of the calling thread: stage timings that a busy machine does not inflate.
double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Where one replication's time goes (CPU time of this thread), averaged over a few replications, after the
// climatology that a run prepares once.
void report_stages(const aidc::ResolvedScenario& rs, int replications) {
  const aidc::Scenario& s = rs.scenario;
  const double t0 = thread_cpu_s();
  const aidc::SiteWeather weather(s, rs.epw_weather.get());
  // A fleet runs its workloads at the kernels' operating points, estimated once per run.
  const std::vector<aidc::FleetWorkloadRate> rates = aidc::fleet_rates(aidc::estimate_workloads(s, aidc::Backend::Cpu));
  const double prepare_s = thread_cpu_s() - t0;
  double weather_s = 0.0, simulate_s = 0.0;
  for (int rep = 0; rep < replications; ++rep) {
    const double t1 = thread_cpu_s();
    const aidc::HourlyWeather w = weather.replication(rep);
    const double t2 = thread_cpu_s();
    const aidc::SiteYearResult r = aidc::simulate_site_year(s, w, rep, rates);
    weather_s += t2 - t1;
    simulate_s += thread_cpu_s() - t2;
  }
  std::printf("CPU time, one thread: climatology and workload estimates once %.2f ms; per replication (mean of %d): weather %.2f ms, "
              "simulate_site_year %.2f ms\n",
              1e3 * prepare_s, replications, 1e3 * weather_s / replications, 1e3 * simulate_s / replications);
}

void report_run(const char* label, const aidc::ResolvedScenario& rs, const aidc::RunOptions& options) {
  const double cpu0 = cpu_seconds();
  const auto threads0 = thread_cpu_seconds();
  const aidc::RunSummary summary = aidc::run_scenario(rs, options);
  const double cpu = cpu_seconds() - cpu0;
  std::vector<double> per_thread;
  for (const auto& [tid, seconds] : thread_cpu_seconds()) {
    const auto before = threads0.find(tid);
    const double used = seconds - (before == threads0.end() ? 0.0 : before->second);
    if (used >= 0.05) per_thread.push_back(used);
  }
  std::sort(per_thread.begin(), per_thread.end(), std::greater<>());
  const int R = rs.scenario.replications;
  std::printf("%-16s %8.2f s wall %8.2f s cpu (%.2f cores) %9.1f rep/s %12.3g events/s  peak RSS %7.1f MiB",
              label, summary.wall_s, cpu, cpu / summary.wall_s, R / summary.wall_s,
              static_cast<double>(summary.events_processed) / summary.wall_s, peak_rss_mib());
  if (!options.output.empty()) {
    std::printf("  file %.1f MiB", static_cast<double>(std::filesystem::file_size(options.output)) / (1 << 20));
  }
  std::printf("\n  CPU by thread (s):");
  for (double t : per_thread) std::printf(" %.2f", t);
  std::printf("\n  fingerprint of replication 0: 0x%016llx, events %llu, event records %zu\n",
              static_cast<unsigned long long>(summary.fingerprint),
              static_cast<unsigned long long>(summary.events_processed), summary.event_records);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each result as soon as it is measured, also into a file
  if (argc < 2 || argc > 5) {
    std::fprintf(stderr,
                 "usage: %s SCENARIO.json [REPLICATIONS=1000] [THREADS=2] [RESULTS=/tmp/aidcsim_bench_site_year.h5]\n"
                 "  e.g. %s scenarios/default.json\n",
                 argv[0], argv[0]);
    return 2;
  }
  try {
    const int replications = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    const std::filesystem::path results = argc > 4 ? argv[4] : "/tmp/aidcsim_bench_site_year.h5";
    if (replications < 1 || threads < 1) {
      std::fprintf(stderr, "REPLICATIONS and THREADS must be positive integers\n");
      return 2;
    }
    aidc::ResolvedScenario rs = aidc::load_scenario_file(argv[1], aidc::Catalog::embedded());
    rs.scenario.replications = replications;
    rs.resolved["replications"] = replications;
    std::printf("%s: %d replications of %d h on %d threads\n", argv[1], replications, rs.scenario.horizon_h, threads);
    report_stages(rs, 8);

    aidc::RunOptions options;
    options.threads = threads;
    report_run("no file", rs, options);
    options.output = results;
    report_run("with HDF5 file", rs, options);
    std::printf("results file: %s\n", results.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_site_year: %s\n", e.what());
    return 1;
  }
}
