#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <queue>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/engine/event_queue.hpp"

using aidc::Event;
using aidc::SimTime;

namespace {

// std::priority_queue keeps the largest on top, so "a later event" is the "less" relation.
struct LaterEvent {
  bool operator()(const Event& a, const Event& b) const { return aidc::event_before(b, a); }
};
using ReferenceQueue = std::priority_queue<Event, std::vector<Event>, LaterEvent>;

bool same_event(const Event& a, const Event& b) {
  return a.time == b.time && a.seq == b.seq && a.kind == b.kind && a.target == b.target && a.payload == b.payload;
}

// A random mix of pushes and pops, with times drawn from a few shapes (dense ties, wide spread, far outliers, events
// before the last popped one), checked pop by pop against std::priority_queue.
template <class Queue>
void check_against_reference(std::uint64_t seed, int operations, SimTime spread, bool monotone) {
  std::mt19937_64 gen(seed);
  Queue q;
  ReferenceQueue ref;
  std::uint64_t seq = 0;
  SimTime last_popped = 0;
  for (int op = 0; op < operations; ++op) {
    const bool do_push = ref.empty() || gen() % 100 < 55;
    if (do_push) {
      SimTime t = static_cast<SimTime>(gen() % static_cast<std::uint64_t>(spread));
      if (gen() % 50 == 0) t += spread * 1000;  // an outlier far ahead, exercising the calendar's direct search
      if (monotone) t += last_popped;           // the discrete-event pattern: never before the last pop
      const Event ev{t, seq++, static_cast<std::uint32_t>(gen() % 7), static_cast<std::uint32_t>(op), gen()};
      q.push(ev);
      ref.push(ev);
    } else {
      REQUIRE(same_event(q.top(), ref.top()));
      const Event got = q.pop();
      REQUIRE(same_event(got, ref.top()));
      last_popped = got.time;
      ref.pop();
    }
    REQUIRE(q.size() == ref.size());
  }
  while (!ref.empty()) {
    REQUIRE(same_event(q.pop(), ref.top()));
    ref.pop();
  }
  REQUIRE(q.empty());
}

}  // namespace

TEMPLATE_TEST_CASE("every queue pops events in (time, seq) order", "[engine][queue]", aidc::BinaryHeapQueue,
                   aidc::QuaternaryHeapQueue, aidc::DaryHeapQueue<8>, aidc::CalendarQueue, aidc::RadixHeapQueue) {
  TestType q;
  q.reserve(16);
  const SimTime times[] = {50, 10, 30, 10, 70, 0, 30, 10};
  std::uint64_t seq = 0;
  for (SimTime t : times) q.push(Event{t, seq++, 0, 0, 0});
  REQUIRE(q.size() == 8);
  Event prev = q.pop();
  while (!q.empty()) {
    const Event next = q.pop();
    CHECK(aidc::event_before(prev, next));
    prev = next;
  }
}

TEMPLATE_TEST_CASE("events at the same time pop in insertion order", "[engine][queue]", aidc::BinaryHeapQueue,
                   aidc::QuaternaryHeapQueue, aidc::CalendarQueue, aidc::RadixHeapQueue) {
  TestType q;
  // Seqs pushed out of order on purpose: the queue orders by seq, whoever assigned it.
  for (std::uint64_t s : {5u, 1u, 4u, 0u, 3u, 2u, 6u}) q.push(Event{42, s, 0, 0, s});
  for (std::uint64_t expected = 0; expected < 7; ++expected) CHECK(q.pop().seq == expected);
}

TEMPLATE_TEST_CASE("every queue matches std::priority_queue on random workloads", "[engine][queue]",
                   aidc::BinaryHeapQueue, aidc::QuaternaryHeapQueue, aidc::CalendarQueue) {
  SECTION("dense ties") { check_against_reference<TestType>(1, 20'000, 16, false); }
  SECTION("wide spread, arbitrary order") { check_against_reference<TestType>(2, 50'000, 1'000'000'000, false); }
  SECTION("discrete-event pattern, never before the last pop") {
    check_against_reference<TestType>(3, 50'000, 1'000'000, true);
  }
  SECTION("growing to many thousand and draining (calendar resizes both ways)") {
    check_against_reference<TestType>(4, 200'000, 10'000'000, true);
  }
}

TEMPLATE_TEST_CASE("a queue holds negative and extreme times in order", "[engine][queue]", aidc::BinaryHeapQueue,
                   aidc::QuaternaryHeapQueue, aidc::CalendarQueue, aidc::RadixHeapQueue) {
  TestType q;
  constexpr SimTime kMax = std::numeric_limits<SimTime>::max();
  const SimTime times[] = {kMax, -5, 0, kMax - 1, -1'000'000'000'000, 7, kMax};
  std::uint64_t seq = 0;
  for (SimTime t : times) q.push(Event{t, seq++, 0, 0, 0});
  const SimTime expected[] = {-1'000'000'000'000, -5, 0, 7, kMax - 1, kMax, kMax};
  for (SimTime t : expected) CHECK(q.pop().time == t);
  CHECK(q.empty());
}

TEMPLATE_TEST_CASE("popping an empty queue throws and clear empties it", "[engine][queue]", aidc::BinaryHeapQueue,
                   aidc::QuaternaryHeapQueue, aidc::CalendarQueue, aidc::RadixHeapQueue) {
  TestType q;
  CHECK_THROWS_AS(q.pop(), std::out_of_range);
  for (std::uint64_t i = 0; i < 100; ++i) q.push(Event{static_cast<SimTime>(i * 3), i, 0, 0, 0});
  q.clear();
  CHECK(q.empty());
  CHECK(q.size() == 0);
  q.push(Event{9, 0, 0, 0, 0});
  CHECK(q.pop().time == 9);
}

// The radix heap is monotone only, so it joins the reference comparison on monotone workloads: every push at or
// after the last popped time, as the Simulator guarantees. Ties are frequent (small spreads), and many pushes land
// exactly at the last popped time, which is where seq order could break.
TEMPLATE_TEST_CASE("every queue matches std::priority_queue on monotone workloads with ties", "[engine][queue]",
                   aidc::BinaryHeapQueue, aidc::QuaternaryHeapQueue, aidc::CalendarQueue, aidc::RadixHeapQueue) {
  SECTION("all ties: spread 1") { check_against_reference<TestType>(11, 20'000, 1, true); }
  SECTION("dense ties: spread 4") { check_against_reference<TestType>(12, 50'000, 4, true); }
  SECTION("some ties: spread 64") { check_against_reference<TestType>(13, 50'000, 64, true); }
  SECTION("discrete-event pattern, never before the last pop") {
    check_against_reference<TestType>(3, 50'000, 1'000'000, true);
  }
  SECTION("growing to many thousand and draining") {
    check_against_reference<TestType>(4, 200'000, 10'000'000, true);
  }
  SECTION("many seeds, small and large spreads") {
    for (std::uint64_t seed = 100; seed < 140; ++seed) {
      const SimTime spread = SimTime{1} << (seed % 40);
      check_against_reference<TestType>(seed, 5'000, spread, true);
    }
  }
}

TEST_CASE("the radix heap refuses a push before the last popped time and accepts one at it") {
  aidc::RadixHeapQueue q;
  q.push(Event{10, 0, 0, 0, 0});
  q.push(Event{20, 1, 0, 0, 0});
  CHECK(q.pop().time == 10);
  CHECK_THROWS_AS(q.push(Event{9, 2, 0, 0, 0}), std::logic_error);
  CHECK(q.size() == 1);
  q.push(Event{10, 3, 0, 0, 0});
  CHECK(q.pop().seq == 3);
  CHECK(q.pop().seq == 1);
  CHECK(q.empty());
  q.clear();  // forgets the last popped time
  CHECK_NOTHROW(q.push(Event{-5, 4, 0, 0, 0}));
  CHECK(q.pop().time == -5);
}

TEST_CASE("the radix heap allows pushes before its top as long as they are not before the last pop") {
  // What Simulator::run_until does when it stops short of the next event: top() must not move the reference point.
  aidc::RadixHeapQueue q;
  q.push(Event{100, 0, 0, 0, 0});
  q.push(Event{1'000, 1, 0, 0, 0});
  CHECK(q.pop().time == 100);
  CHECK(q.top().time == 1'000);
  q.push(Event{150, 2, 0, 0, 0});
  CHECK(q.top().time == 150);
  q.push(Event{100, 3, 0, 0, 0});
  CHECK(q.top().seq == 3);
  const SimTime expected[] = {100, 150, 1'000};
  for (SimTime t : expected) CHECK(q.pop().time == t);
}

TEST_CASE("the radix heap keeps seq order at the current time when seqs arrive out of order") {
  // Outside the Simulator seqs need not rise; pushes at the last popped time are then inserted in seq order.
  aidc::RadixHeapQueue q;
  q.push(Event{7, 10, 0, 0, 0});
  q.push(Event{7, 20, 0, 0, 0});
  q.push(Event{9, 1, 0, 0, 0});
  CHECK(q.pop().seq == 10);
  q.push(Event{7, 15, 0, 0, 0});
  q.push(Event{7, 30, 0, 0, 0});
  q.push(Event{7, 12, 0, 0, 0});
  const std::uint64_t expected[] = {12, 15, 20, 30, 1};
  for (std::uint64_t s : expected) CHECK(q.pop().seq == s);
  CHECK(q.empty());
}
