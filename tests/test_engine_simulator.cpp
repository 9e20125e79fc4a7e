#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/engine/rng.hpp"
#include "core/engine/simulator.hpp"

using aidc::Event;
using aidc::SimTime;

namespace {

// A small self-exciting model: each event schedules 0-2 follow-ups after random delays. Used to compare runs.
template <class Queue>
std::uint64_t run_branching_model(std::uint64_t seed, SimTime end, std::uint64_t* processed = nullptr) {
  aidc::Simulator<Queue> sim;
  aidc::RngStream rng(seed, 0, 0);
  for (std::uint32_t i = 0; i < 50; ++i) sim.schedule_at(static_cast<SimTime>(rng.uniform_int(1000)), 0, i);
  sim.run_until(end, [&](const Event& ev, aidc::Simulator<Queue>& s) {
    const std::uint64_t children = s.pending() > 2000 ? 0 : 1 + rng.uniform_int(2);
    for (std::uint64_t c = 0; c < children; ++c) {
      s.schedule_in(static_cast<SimTime>(rng.exponential(1.0 / 500.0)), ev.kind + 1, ev.target,
                    ev.payload * 31 + c);
    }
  });
  if (processed != nullptr) *processed = sim.events_processed();
  return sim.fingerprint();
}

// The same kind of model, run in many short run_until slices with events injected between slices at or after now()
// (often before the next pending event, and often at now() itself), and with many equal times (delays of 0..3 ns).
template <class Queue>
std::uint64_t run_sliced_model(std::uint64_t seed, std::uint64_t* processed = nullptr) {
  aidc::Simulator<Queue> sim;
  aidc::RngStream rng(seed, 0, 0);
  for (std::uint32_t i = 0; i < 20; ++i) sim.schedule_at(static_cast<SimTime>(rng.uniform_int(50)), 0, i);
  auto handler = [&](const Event& ev, aidc::Simulator<Queue>& s) {
    const std::uint64_t children = s.pending() > 500 ? 0 : rng.uniform_int(3);
    for (std::uint64_t c = 0; c < children; ++c) {
      const SimTime delay = rng.uniform_int(4) == 0 ? static_cast<SimTime>(rng.uniform_int(4))
                                                    : static_cast<SimTime>(rng.exponential(1.0 / 40.0));
      s.schedule_in(delay, ev.kind + 1, ev.target, ev.payload * 31 + c);
    }
  };
  for (SimTime end = 7; end < 60'000; end += 1 + static_cast<SimTime>(rng.uniform_int(30))) {
    sim.run_until(end, handler);
    const std::uint64_t injected = rng.uniform_int(3);
    for (std::uint64_t j = 0; j < injected; ++j) {
      sim.schedule_in(static_cast<SimTime>(rng.uniform_int(5)), 100, static_cast<std::uint32_t>(j), 0);
    }
  }
  if (processed != nullptr) *processed = sim.events_processed();
  return sim.fingerprint();
}

}  // namespace

TEST_CASE("the simulator dispatches events in time order and equal times in scheduling order") {
  aidc::Simulator<> sim;
  sim.schedule_at(20, 1, 0);
  sim.schedule_at(10, 2, 0);
  sim.schedule_at(20, 3, 0);
  sim.schedule_at(10, 4, 0);
  std::vector<std::uint32_t> kinds;
  std::vector<SimTime> times;
  sim.run_until(100, [&](const Event& ev, aidc::Simulator<>& s) {
    kinds.push_back(ev.kind);
    times.push_back(s.now());
    if (ev.kind == 2) s.schedule_in(0, 5, 0);  // same time, scheduled later: after kind 4
  });
  CHECK(kinds == std::vector<std::uint32_t>{2, 4, 5, 1, 3});
  CHECK(times == std::vector<SimTime>{10, 10, 10, 20, 20});
  CHECK(sim.events_processed() == 5);
}

TEST_CASE("schedule_at returns rising sequence numbers") {
  aidc::Simulator<> sim;
  CHECK(sim.schedule_at(5, 0) == 0);
  CHECK(sim.schedule_at(1, 0) == 1);
  CHECK(sim.schedule_in(0, 0) == 2);
}

TEST_CASE("scheduling in the past throws and leaves the queue unchanged") {
  aidc::Simulator<> sim;
  sim.run_until(100, [](const Event&, aidc::Simulator<>&) {});
  CHECK_THROWS_AS(sim.schedule_at(99, 0), std::logic_error);
  CHECK_THROWS_AS(sim.schedule_in(-1, 0), std::logic_error);
  CHECK_THROWS_AS(sim.schedule_in(std::numeric_limits<SimTime>::max(), 0), std::logic_error);
  CHECK_THROWS_AS(sim.run_until(50, [](const Event&, aidc::Simulator<>&) {}), std::logic_error);
  CHECK(sim.pending() == 0);
  CHECK_NOTHROW(sim.schedule_at(100, 0));
  CHECK(sim.pending() == 1);
}

TEST_CASE("a handler scheduling into the past throws out of run_until") {
  aidc::Simulator<> sim;
  sim.schedule_at(10, 0);
  CHECK_THROWS_AS(sim.run_until(20, [](const Event&, aidc::Simulator<>& s) { s.schedule_at(s.now() - 1, 0); }),
                  std::logic_error);
}

TEST_CASE("run_until leaves later events pending and sets now to the end") {
  aidc::Simulator<> sim;
  sim.schedule_at(10, 0);
  sim.schedule_at(50, 0);  // exactly at end: processed
  sim.schedule_at(51, 0);
  sim.schedule_at(90, 0);
  int handled = 0;
  sim.run_until(50, [&](const Event&, aidc::Simulator<>&) { ++handled; });
  CHECK(handled == 2);
  CHECK(sim.now() == 50);
  CHECK(sim.pending() == 2);
  sim.run_until(60, [&](const Event&, aidc::Simulator<>&) { ++handled; });
  CHECK(handled == 3);
  CHECK(sim.now() == 60);
  CHECK(sim.pending() == 1);
}

TEST_CASE("stop ends run_until after the current event and a later run resumes") {
  aidc::Simulator<> sim;
  for (SimTime t = 1; t <= 10; ++t) sim.schedule_at(t, 0);
  std::vector<SimTime> seen;
  sim.run_until(100, [&](const Event& ev, aidc::Simulator<>& s) {
    seen.push_back(ev.time);
    if (ev.time == 4) s.stop();
  });
  CHECK(seen.size() == 4);
  CHECK(sim.now() == 4);
  CHECK(sim.pending() == 6);
  sim.run_until(100, [&](const Event& ev, aidc::Simulator<>&) { seen.push_back(ev.time); });
  CHECK(seen.size() == 10);
  CHECK(sim.now() == 100);
}

TEST_CASE("a model cancels lazily by putting a generation in the payload") {
  aidc::Simulator<> sim;
  std::uint64_t generation = 0;
  sim.schedule_at(10, 0, 0, generation);
  ++generation;  // cancel: the event at 10 is now stale
  sim.schedule_at(20, 0, 0, generation);
  std::vector<SimTime> fired;
  sim.run_until(100, [&](const Event& ev, aidc::Simulator<>&) {
    if (ev.payload != generation) return;
    fired.push_back(ev.time);
  });
  CHECK(fired == std::vector<SimTime>{20});
}

TEST_CASE("the fingerprint is equal for the same run and differs when event order differs") {
  const std::uint64_t a = run_branching_model<aidc::QuaternaryHeapQueue>(7, 20'000);
  const std::uint64_t b = run_branching_model<aidc::QuaternaryHeapQueue>(7, 20'000);
  CHECK(a == b);
  CHECK(a != run_branching_model<aidc::QuaternaryHeapQueue>(8, 20'000));

  // Same events, two at equal time swapped by scheduling order: only the order differs.
  auto two_events = [](bool swapped) {
    aidc::Simulator<> sim;
    sim.schedule_at(5, swapped ? 2u : 1u);
    sim.schedule_at(5, swapped ? 1u : 2u);
    sim.run_until(10, [](const Event&, aidc::Simulator<>&) {});
    return sim.fingerprint();
  };
  CHECK(two_events(false) == two_events(false));
  CHECK(two_events(false) != two_events(true));
}

TEST_CASE("the simulator gives the same event trace on every queue") {
  std::uint64_t n4 = 0;
  std::uint64_t n2 = 0;
  std::uint64_t nc = 0;
  std::uint64_t nr = 0;
  const std::uint64_t f4 = run_branching_model<aidc::QuaternaryHeapQueue>(11, 200'000, &n4);
  const std::uint64_t f2 = run_branching_model<aidc::BinaryHeapQueue>(11, 200'000, &n2);
  const std::uint64_t fc = run_branching_model<aidc::CalendarQueue>(11, 200'000, &nc);
  const std::uint64_t fr = run_branching_model<aidc::RadixHeapQueue>(11, 200'000, &nr);
  CHECK(n4 > 10'000);
  CHECK(f4 == f2);
  CHECK(f4 == fc);
  CHECK(f4 == fr);
  CHECK(n4 == n2);
  CHECK(n4 == nc);
  CHECK(n4 == nr);
}

TEST_CASE("the simulator gives the same event trace on every queue when run in slices with ties") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    std::uint64_t n4 = 0;
    std::uint64_t n2 = 0;
    std::uint64_t nc = 0;
    std::uint64_t nr = 0;
    const std::uint64_t f4 = run_sliced_model<aidc::QuaternaryHeapQueue>(seed, &n4);
    CHECK(n4 > 10'000);
    CHECK(run_sliced_model<aidc::BinaryHeapQueue>(seed, &n2) == f4);
    CHECK(run_sliced_model<aidc::CalendarQueue>(seed, &nc) == f4);
    CHECK(run_sliced_model<aidc::RadixHeapQueue>(seed, &nr) == f4);
    CHECK(n2 == n4);
    CHECK(nc == n4);
    CHECK(nr == n4);
  }
}
