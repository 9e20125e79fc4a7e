// Event-queue benchmark: the classic "hold" model (Jones 1986, "An empirical comparison of priority-queue and
// event-set implementations", CACM 29(4)), on one core.
//
// A hold pops the earliest event and pushes one new event at (popped time + a random increment), so the number of
// pending events stays fixed at N. One hold = one event processed; we report holds per second. Increments are
// exponential with mean 1 s (in integer ns), drawn beforehand into a table so the timing measures the queue, not the
// random number generator. Each point: fill N, warm up to the steady-state time distribution (max(2N, 10^6) holds),
// then 3 timed trials of at least 0.4 s and 10/3 M holds each; the median is reported, with min..max.
//
// Also: the same hold model through Simulator::run_until with a handler that re-schedules (what a model pays per
// event, fingerprint included), at N = 10^4.
//
// Usage: bench_event_queue            (about a minute)
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

#include "core/engine/event_queue.hpp"
#include "core/engine/rng.hpp"
#include "core/engine/simulator.hpp"

namespace {

using aidc::Event;
using aidc::SimTime;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kIncrementTableSize = std::size_t{1} << 20;  // 8 MiB: large enough to not repeat in a trial
constexpr std::uint64_t kMinHoldsPerTrial = 10'000'000 / 3 + 1;
constexpr double kMinSecondsPerTrial = 0.4;
constexpr int kTrials = 3;

std::vector<SimTime> make_increments() {
  aidc::RngStream rng(20240601, 0, 0);
  std::vector<SimTime> inc(kIncrementTableSize);
  for (SimTime& x : inc) x = aidc::seconds_to_sim(rng.exponential(1.0));
  return inc;
}

struct Stats {
  double median_eps;
  double min_eps;
  double max_eps;
};

Stats summarize(std::array<double, kTrials> eps) {
  std::sort(eps.begin(), eps.end());
  return Stats{eps[kTrials / 2], eps.front(), eps.back()};
}

// Runs `holds` holds on q; returns a checksum so the work cannot be optimized away.
template <class Queue>
std::uint64_t hold(Queue& q, std::uint64_t holds, const std::vector<SimTime>& inc, std::size_t& k,
                   std::uint64_t& seq) {
  std::uint64_t checksum = 0;
  const std::size_t mask = inc.size() - 1;
  for (std::uint64_t i = 0; i < holds; ++i) {
    Event ev = q.pop();
    checksum += static_cast<std::uint64_t>(ev.time);
    ev.time += inc[k++ & mask];
    ev.seq = seq++;
    q.push(ev);
  }
  return checksum;
}

template <class Queue>
Stats bench_queue(std::size_t n, const std::vector<SimTime>& inc, std::uint64_t& sink) {
  Queue q;
  q.reserve(n + 1);
  std::size_t k = 0;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < n; ++i) q.push(Event{inc[k++], seq++, 0, static_cast<std::uint32_t>(i), 0});
  sink += hold(q, std::max<std::uint64_t>(2 * n, 1'000'000), inc, k, seq);

  // Calibrate the trial length so each trial runs at least kMinSecondsPerTrial.
  const auto c0 = Clock::now();
  sink += hold(q, 1'000'000, inc, k, seq);
  const double calib_s = std::chrono::duration<double>(Clock::now() - c0).count();
  const auto holds = std::max<std::uint64_t>(kMinHoldsPerTrial,
                                             static_cast<std::uint64_t>(1.1 * kMinSecondsPerTrial / calib_s * 1e6));
  std::array<double, kTrials> eps{};
  for (double& e : eps) {
    const auto t0 = Clock::now();
    sink += hold(q, holds, inc, k, seq);
    e = static_cast<double>(holds) / std::chrono::duration<double>(Clock::now() - t0).count();
  }
  if (q.size() != n) std::printf("BUG: size drifted\n");
  return summarize(eps);
}

template <class Queue>
Stats bench_simulator(std::size_t n, const std::vector<SimTime>& inc, std::uint64_t& sink) {
  using Sim = aidc::Simulator<Queue>;
  Sim sim;
  sim.reserve(n + 1);
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) sim.schedule_at(inc[k++], 0, static_cast<std::uint32_t>(i));
  const std::size_t mask = inc.size() - 1;
  std::uint64_t remaining = 0;
  auto handler = [&](const Event& ev, Sim& s) {
    s.schedule_in(inc[k++ & mask], ev.kind, ev.target, ev.payload + 1);
    if (--remaining == 0) s.stop();
  };
  auto run = [&](std::uint64_t events) {
    remaining = events;
    sim.run_until(std::numeric_limits<SimTime>::max() / 2, handler);
  };
  run(std::max<std::uint64_t>(2 * n, 1'000'000));
  const auto c0 = Clock::now();
  run(1'000'000);
  const double calib_s = std::chrono::duration<double>(Clock::now() - c0).count();
  const auto events = std::max<std::uint64_t>(kMinHoldsPerTrial,
                                              static_cast<std::uint64_t>(1.1 * kMinSecondsPerTrial / calib_s * 1e6));
  std::array<double, kTrials> eps{};
  for (double& e : eps) {
    const auto t0 = Clock::now();
    run(events);
    e = static_cast<double>(events) / std::chrono::duration<double>(Clock::now() - t0).count();
  }
  sink += sim.fingerprint();
  return summarize(eps);
}

void print_row(const char* name, std::size_t n, const Stats& s) {
  std::printf("| %-32s | %9zu | %8.2f | %6.2f .. %6.2f |\n", name, n, s.median_eps / 1e6, s.min_eps / 1e6,
              s.max_eps / 1e6);
  std::fflush(stdout);
}

}  // namespace

int main() {
  const std::vector<SimTime> inc = make_increments();
  std::uint64_t sink = 0;
  std::printf("| %-32s | %9s | %8s | %16s |\n", "queue", "pending", "M ev/s", "min .. max");
  std::printf("|%s|%s|%s|%s|\n", "----------------------------------", "----------:", "---------:", "-----------------:");
  const std::size_t sizes[] = {1'000, 10'000, 100'000, 1'000'000};
  for (std::size_t n : sizes) print_row("BinaryHeapQueue (hold)", n, bench_queue<aidc::BinaryHeapQueue>(n, inc, sink));
  for (std::size_t n : sizes) {
    print_row("QuaternaryHeapQueue (hold)", n, bench_queue<aidc::QuaternaryHeapQueue>(n, inc, sink));
  }
  for (std::size_t n : sizes) print_row("CalendarQueue (hold)", n, bench_queue<aidc::CalendarQueue>(n, inc, sink));
  for (std::size_t n : sizes) print_row("RadixHeapQueue (hold)", n, bench_queue<aidc::RadixHeapQueue>(n, inc, sink));
  print_row("Simulator<QuaternaryHeapQueue>", 10'000, bench_simulator<aidc::QuaternaryHeapQueue>(10'000, inc, sink));
  print_row("Simulator<BinaryHeapQueue>", 10'000, bench_simulator<aidc::BinaryHeapQueue>(10'000, inc, sink));
  print_row("Simulator<CalendarQueue>", 10'000, bench_simulator<aidc::CalendarQueue>(10'000, inc, sink));
  print_row("Simulator<RadixHeapQueue>", 10'000, bench_simulator<aidc::RadixHeapQueue>(10'000, inc, sink));
  std::printf("(checksum %llu)\n", static_cast<unsigned long long>(sink));
  return 0;
}
