// The discrete-event loop of one replication: a clock, a pending-event queue and an event-order fingerprint.
//
// A model talks to the engine through this small surface only (schedule_at / schedule_in / now / stop), in the spirit
// of ASTRA-sim's sim_schedule / sim_get_time; it never sees the queue's insides. The handler passed to run_until is a
// template parameter, so dispatch is a direct (inlinable) call with no std::function on the hot path.
//
// Cancellation is lazy and belongs to the model, as in ns-3 and simcpp20 (a flag checked at pop): the engine cannot
// remove an event once scheduled. A model that may need to cancel keeps a generation counter per target, bumps it to
// cancel, and puts the current generation in the event's payload; when an event arrives whose payload is not the
// target's current generation, the handler ignores it. Stale events still cost a pop, which is cheaper than a
// decrease-key or an indexed heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "core/engine/event_queue.hpp"
#include "core/engine/sim_time.hpp"

namespace aidc {

// The default queue is the radix heap: on the hold benchmark it beats the 4-ary heap at 10^3..10^6 pending events
// (bench/RESULTS.md). It is monotone only (no push before the last popped time), which this class guarantees:
// schedule_at refuses t < now(), now() is the time of the last popped event, and seqs rise, so every queue in
// event_queue.hpp pops the same events in the same order and the fingerprint does not depend on the choice.
template <class Queue = RadixHeapQueue>
class Simulator {
 public:
  SimTime now() const noexcept { return now_; }

  // Schedules an event at absolute time t and returns its sequence number (unique, rising, the tie-break among
  // events at the same time). Throws std::logic_error if t < now(): time never goes backwards, and that is checked
  // in release builds too, since a silently reordered event would corrupt every later result.
  std::uint64_t schedule_at(SimTime t, std::uint32_t kind, std::uint32_t target = 0, std::uint64_t payload = 0) {
    if (t < now_) throw std::logic_error("Simulator::schedule_at: event time is before now (time never goes backwards)");
    const std::uint64_t seq = next_seq_++;
    queue_.push(Event{t, seq, kind, target, payload});
    return seq;
  }

  // Schedules an event dt after now(). Throws std::logic_error if dt < 0 or now() + dt overflows SimTime.
  std::uint64_t schedule_in(SimTime dt, std::uint32_t kind, std::uint32_t target = 0, std::uint64_t payload = 0) {
    if (dt < 0) throw std::logic_error("Simulator::schedule_in: negative delay (time never goes backwards)");
    if (dt > kMaxTime - now_) throw std::logic_error("Simulator::schedule_in: now + delay overflows SimTime");
    return schedule_at(now_ + dt, kind, target, payload);
  }

  // Processes, in (time, seq) order, every pending event with time <= end, including those the handler schedules
  // on the way. For each: now() becomes its time, it is folded into fingerprint(), then h(event, *this) runs.
  // Afterwards now() == end and later events stay pending. If the handler calls stop(), the run ends right after
  // that event and now() stays at that event's time. Throws std::logic_error if end < now().
  template <class Handler>
  void run_until(SimTime end, Handler&& h) {
    if (end < now_) throw std::logic_error("Simulator::run_until: end is before now (time never goes backwards)");
    stop_requested_ = false;
    while (!queue_.empty() && queue_.top().time <= end) {
      const Event ev = queue_.pop();
      now_ = ev.time;
      ++events_processed_;
      fold_into_fingerprint(ev);
      h(static_cast<const Event&>(ev), *this);
      if (stop_requested_) {
        stop_requested_ = false;
        return;
      }
    }
    now_ = end;
  }

  // Ends the current run_until after the event being handled.
  void stop() noexcept { stop_requested_ = true; }

  std::uint64_t events_processed() const noexcept { return events_processed_; }
  std::size_t pending() const noexcept { return queue_.size(); }
  void reserve(std::size_t n) { queue_.reserve(n); }

  // A 64-bit hash of (time, kind, target, payload) of every processed event, in order: the OMNeT++ fingerprint idea.
  // Two runs that process the same events in the same order agree; any change of order or content shows up without
  // storing a trace. seq is left out on purpose, so a model change that only renumbers events does not count.
  // The mix is FNV-1a over 64-bit words (FNV prime 0x100000001b3, offset basis 0xcbf29ce484222325; Fowler, Noll,
  // Vo) with an extra xor-shift after each multiply so that differences in high bits also reach the low bits. Three
  // words per event keep it to a few ns, unlike byte-wise FNV.
  std::uint64_t fingerprint() const noexcept { return fingerprint_; }

 private:
  static constexpr SimTime kMaxTime = std::numeric_limits<SimTime>::max();
  static constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
  static constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

  static constexpr std::uint64_t mix(std::uint64_t h, std::uint64_t word) noexcept {
    h = (h ^ word) * kFnvPrime;
    return h ^ (h >> 29);
  }
  void fold_into_fingerprint(const Event& ev) noexcept {
    std::uint64_t h = fingerprint_;
    h = mix(h, static_cast<std::uint64_t>(ev.time));
    h = mix(h, (static_cast<std::uint64_t>(ev.kind) << 32) | ev.target);
    h = mix(h, ev.payload);
    fingerprint_ = h;
  }

  Queue queue_;
  SimTime now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_processed_ = 0;
  std::uint64_t fingerprint_ = kFnvOffset;
  bool stop_requested_ = false;
};

}  // namespace aidc
