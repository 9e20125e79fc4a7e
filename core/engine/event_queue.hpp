// The pending-event set: an Event record and three interchangeable priority queues over it.
//
// Every queue pops in exactly (time, seq) order. seq is a 64-bit insertion number handed out by the Simulator, so
// events at the same time come out in the order they were scheduled: the deterministic tie-break of simcpp20 (rising
// id) and of OMNeT++ (insertion order). The queues do not invent seq themselves; whoever pushes sets it.
//
// Three implementations share one interface (push, pop, top, empty, size, clear, reserve) so bench/ can compare them
// with data (see bench/bench_event_queue.cpp):
//   - DaryHeapQueue<2>  binary heap, the textbook baseline;
//   - DaryHeapQueue<4>  4-ary heap: half the depth, and the four children of a node sit in two 64-byte cache lines;
//                       LaMarca & Ladner (1996), "The influence of caches on the performance of heaps", found 4-ary
//                       heaps faster than binary ones on cached machines;
//   - CalendarQueue     Brown (1988), "Calendar queues: a fast O(1) priority queue implementation for the simulation
//                       event set problem", CACM 31(10):1220-1227, with Brown's resize rule.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/engine/sim_time.hpp"

namespace aidc {

// One scheduled event. Plain data (32 bytes) so the queues move it with memcpy-like copies.
// kind and target are for the model to interpret (e.g. "job finished" on node 17); payload is free for the model,
// e.g. a generation counter for lazy cancellation (see simulator.hpp).
struct Event {
  SimTime time;
  std::uint64_t seq;
  std::uint32_t kind;
  std::uint32_t target;
  std::uint64_t payload;
};
static_assert(std::is_trivially_copyable_v<Event> && std::is_standard_layout_v<Event>);
static_assert(sizeof(Event) == 32, "two events per 64-byte cache line");

// The one ordering every queue uses: earlier time first, then lower insertion sequence.
// Written with bitwise & and | (not && and ||) so the compiler emits flag arithmetic instead of branches: inside a
// heap the outcome of a comparison is close to a coin flip, and a mispredicted branch costs more than the compare.
constexpr bool event_before(const Event& a, const Event& b) noexcept {
  return (a.time < b.time) | ((a.time == b.time) & (a.seq < b.seq));
}

// Allocates arrays of T so that element 1, not element 0, starts a 64-byte cache line (the block is over-allocated
// by one line and handed out sizeof(T) bytes before a line boundary). In a d-ary heap with its root at index 0 the
// sibling families start at indices Arity*i + 1, so with 32-byte events each family of 2 or 4 then fills whole cache
// lines: a family of 4 touches exactly two lines, never three.
template <class T>
struct FamilyAlignedAllocator {
  static_assert(64 % sizeof(T) == 0, "element size must divide the cache line");
  using value_type = T;
  static constexpr std::size_t kLine = 64;
  static constexpr std::align_val_t kAlignment{kLine};
  static constexpr std::size_t kOffset = kLine - sizeof(T);

  FamilyAlignedAllocator() noexcept = default;
  template <class U>
  FamilyAlignedAllocator(const FamilyAlignedAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > (std::numeric_limits<std::size_t>::max() - kLine) / sizeof(T)) throw std::bad_array_new_length();
    auto* block = static_cast<unsigned char*>(::operator new(n * sizeof(T) + kLine, kAlignment));
    return reinterpret_cast<T*>(block + kOffset);
  }
  void deallocate(T* p, std::size_t) noexcept {
    ::operator delete(reinterpret_cast<unsigned char*>(p) - kOffset, kAlignment);
  }
  template <class U>
  bool operator==(const FamilyAlignedAllocator<U>&) const noexcept {
    return true;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// d-ary min-heap in one contiguous std::vector. Root at index 0, children of i at Arity*i+1 .. Arity*i+Arity.
//
// Four details make it fast (measured in bench/RESULTS_engine.md):
//   - sifts move a "hole" instead of swapping: the element being placed is held aside and each level costs one
//     copy, not three (Knuth, TAOCP vol. 3, sec. 5.2.3);
//   - the storage is offset so each family of siblings fills whole cache lines (FamilyAlignedAllocator); LaMarca &
//     Ladner (1996) align their heaps the same way;
//   - the smallest of 4 siblings is found by a two-round tournament of branch-free comparisons, so the two halves
//     compare in parallel and nothing is mispredicted;
//   - the families one level down are prefetched while the current family is compared, which doubled the hold rate
//     of large heaps (10^5..10^6 events) on our test machine.
template <int Arity>
class DaryHeapQueue {
  static_assert(Arity >= 2, "a heap needs at least two children per node");

 public:
  void push(const Event& ev) {
    heap_.push_back(ev);
    Event* const h = heap_.data();
    std::size_t hole = heap_.size() - 1;
    while (hole > 0) {
      const std::size_t up = parent(hole);
      if (!event_before(ev, h[up])) break;
      h[hole] = h[up];
      hole = up;
    }
    h[hole] = ev;
  }

  // Removes and returns the earliest event. Throws std::out_of_range if the queue is empty.
  Event pop() {
    if (empty()) throw std::out_of_range("DaryHeapQueue::pop on an empty queue");
    const Event min = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    if (!empty()) sift_down_from_root(last);
    return min;
  }

  // The earliest event. Precondition: !empty().
  const Event& top() const { return heap_.front(); }
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  void clear() noexcept { heap_.clear(); }
  void reserve(std::size_t n) { heap_.reserve(n); }

 private:
  static constexpr std::size_t kArity = static_cast<std::size_t>(Arity);
  static constexpr std::size_t first_child(std::size_t i) noexcept { return kArity * i + 1; }
  static constexpr std::size_t parent(std::size_t i) noexcept { return (i - 1) / kArity; }

  // Index of the earliest of the full family h[first .. first+Arity).
  static std::size_t min_of_family(const Event* h, std::size_t first) noexcept {
    if constexpr (kArity == 2) {
      return first + static_cast<std::size_t>(event_before(h[first + 1], h[first]));
    } else if constexpr (kArity == 4) {
      const std::size_t a = first + static_cast<std::size_t>(event_before(h[first + 1], h[first]));
      const std::size_t b = first + 2 + static_cast<std::size_t>(event_before(h[first + 3], h[first + 2]));
      return event_before(h[b], h[a]) ? b : a;
    } else {
      std::size_t best = first;
      for (std::size_t c = first + 1; c < first + kArity; ++c) best = event_before(h[c], h[best]) ? c : best;
      return best;
    }
  }

  // Places `ev` into the hole left at the root, moving the hole down along the smallest child.
  void sift_down_from_root(const Event& ev) {
    const std::size_t end = heap_.size();
    Event* const h = heap_.data();
    std::size_t hole = 0;
    for (;;) {
      const std::size_t first = first_child(hole);
      std::size_t best;
      if (first + kArity <= end) {
        // While this family is compared, fetch the families of all its members (the next level, whichever child
        // wins): branch-free selection no longer lets speculation run ahead, so large heaps must prefetch instead.
        const std::size_t next = first_child(first);
        if (next < end) {
#if defined(__GNUC__) || defined(__clang__)
          for (std::size_t line = 0; line < kArity * kArity * sizeof(Event); line += 64) {
            __builtin_prefetch(reinterpret_cast<const char*>(h + next) + line);
          }
#endif
        }
        best = min_of_family(h, first);
      } else if (first < end) {
        best = first;
        for (std::size_t c = first + 1; c < end; ++c) best = event_before(h[c], h[best]) ? c : best;
      } else {
        break;
      }
      if (!event_before(h[best], ev)) break;
      h[hole] = h[best];
      hole = best;
    }
    h[hole] = ev;
  }

  std::vector<Event, FamilyAlignedAllocator<Event>> heap_;
};

using BinaryHeapQueue = DaryHeapQueue<2>;
using QuaternaryHeapQueue = DaryHeapQueue<4>;

// ---------------------------------------------------------------------------------------------------------------
// Calendar queue (Brown 1988).
//
// Time is cut into "days" of `width_` ns; day d lives in bucket d mod nbuckets, so one "year" of nbuckets days wraps
// around the bucket array like the pages of a desk calendar. Each bucket is a singly linked list sorted by
// (time, seq). To find the minimum, scan buckets from the current day and take the head of the first bucket whose
// head falls inside that bucket's current day; after a whole year with no hit, search all heads directly.
// When the size passes 2*nbuckets the calendar doubles, below nbuckets/2 it halves, and each time the day width is
// re-estimated as 3x the mean gap between the earliest events, ignoring gaps over twice the mean (Brown, sec. 4).
//
// Unlike Brown's original this one stays exact when an event is pushed earlier than the last one popped (it moves
// the cursor back), so it is a general priority queue and can be checked against std::priority_queue.
// Nodes live in one pool vector addressed by 32-bit index, with a free list, so the steady state allocates nothing.
class CalendarQueue {
 public:
  CalendarQueue() { buckets_.assign(kMinBuckets, kNil); }

  void push(const Event& ev) {
    const bool was_empty = size_ == 0;
    link_node(new_node(ev));
    if (was_empty) {
      cur_bucket_ = bucket_of(ev.time);
      cur_top_ = day_end(ev.time);
    }
    ++size_;
    if (size_ > 2 * buckets_.size()) resize(2 * buckets_.size());
  }

  // Removes and returns the earliest event. Throws std::out_of_range if the queue is empty.
  Event pop() {
    if (size_ == 0) throw std::out_of_range("CalendarQueue::pop on an empty queue");
    const Event min = extract_min();
    --size_;
    if (buckets_.size() > kMinBuckets && size_ < buckets_.size() / 2) resize(buckets_.size() / 2);
    return min;
  }

  // The earliest event. Precondition: !empty(). Moves the (mutable) scan cursor, so a following pop() is O(1).
  const Event& top() const { return nodes_[locate_min()].ev; }

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  void clear() {
    nodes_.clear();
    free_head_ = kNil;
    size_ = 0;
    buckets_.assign(kMinBuckets, kNil);
    width_ = 1;
    cur_bucket_ = 0;
    cur_top_ = 1;
  }
  void reserve(std::size_t n) { nodes_.reserve(n); }

 private:
  static constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::size_t kMinBuckets = 2;
  static constexpr SimTime kMaxTime = std::numeric_limits<SimTime>::max();

  struct Node {
    Event ev;
    std::uint32_t next;
  };

  static SimTime floor_div(SimTime a, SimTime b) noexcept {
    const SimTime q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
  }
  std::size_t bucket_of(SimTime t) const noexcept {
    // Casting a negative day to unsigned wraps modulo 2^64, which agrees with mod nbuckets (a power of two).
    return static_cast<std::size_t>(static_cast<std::uint64_t>(floor_div(t, width_))) & (buckets_.size() - 1);
  }
  // Exclusive end of the day holding t, saturated at the largest time (an event there is found by direct search).
  SimTime day_end(SimTime t) const noexcept {
    const SimTime day = floor_div(t, width_);
    if (day >= kMaxTime / width_ - 1) return kMaxTime;
    return (day + 1) * width_;
  }
  static SimTime saturating_add(SimTime a, SimTime b) noexcept { return a > kMaxTime - b ? kMaxTime : a + b; }

  std::uint32_t new_node(const Event& ev) {
    if (free_head_ != kNil) {
      const std::uint32_t i = free_head_;
      free_head_ = nodes_[i].next;
      nodes_[i].ev = ev;
      return i;
    }
    if (nodes_.size() >= kNil) throw std::length_error("CalendarQueue: more than 2^32-1 pending events");
    nodes_.push_back(Node{ev, kNil});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  // Links node i into its bucket, keeping the list sorted. The scan's invariant is that no pending event lies
  // before the cursor's day; an event pushed earlier than that moves the cursor back to its own day.
  void link_node(std::uint32_t i) {
    const Event& ev = nodes_[i].ev;
    const std::size_t b = bucket_of(ev.time);
    std::uint32_t* link = &buckets_[b];
    while (*link != kNil && event_before(nodes_[*link].ev, ev)) link = &nodes_[*link].next;
    nodes_[i].next = *link;
    *link = i;
    if (ev.time < cur_top_ - width_) {
      cur_bucket_ = b;
      cur_top_ = day_end(ev.time);
    }
  }

  // Index of the node holding the earliest event; leaves the cursor on its bucket and day. Precondition: size_ > 0.
  std::uint32_t locate_min() const {
    const std::size_t nb = buckets_.size();
    const std::size_t mask = nb - 1;
    std::size_t b = cur_bucket_;
    SimTime top = cur_top_;
    for (std::size_t k = 0; k < nb; ++k) {
      const std::uint32_t h = buckets_[b];
      if (h != kNil && nodes_[h].ev.time < top) {
        cur_bucket_ = b;
        cur_top_ = top;
        return h;
      }
      b = (b + 1) & mask;
      top = saturating_add(top, width_);
    }
    // A whole year without a hit: the next event is far ahead. Take the least head directly (Brown's fallback).
    std::uint32_t best = kNil;
    std::size_t best_bucket = 0;
    for (std::size_t j = 0; j < nb; ++j) {
      const std::uint32_t h = buckets_[j];
      if (h != kNil && (best == kNil || event_before(nodes_[h].ev, nodes_[best].ev))) {
        best = h;
        best_bucket = j;
      }
    }
    cur_bucket_ = best_bucket;
    cur_top_ = day_end(nodes_[best].ev.time);
    return best;
  }

  Event extract_min() {
    const std::uint32_t h = locate_min();
    buckets_[cur_bucket_] = nodes_[h].next;
    nodes_[h].next = free_head_;
    free_head_ = h;
    return nodes_[h].ev;
  }

  // Brown's day width: 3x the mean gap among the earliest (up to 25) events, after dropping gaps over twice the
  // first mean so that one outlier does not stretch every day. At least 1 ns.
  SimTime estimate_width() {
    const std::size_t k = std::min<std::size_t>(size_, 25);
    if (k < 2) return width_;
    Event sample[25];
    for (std::size_t j = 0; j < k; ++j) sample[j] = extract_min();
    for (std::size_t j = 0; j < k; ++j) link_node(new_node(sample[j]));  // size_ never stopped counting them
    const double span = static_cast<double>(sample[k - 1].time - sample[0].time);
    const double mean_gap = span / static_cast<double>(k - 1);
    double sum = 0.0;
    std::size_t used = 0;
    for (std::size_t j = 1; j < k; ++j) {
      const double gap = static_cast<double>(sample[j].time - sample[j - 1].time);
      if (gap <= 2.0 * mean_gap) {
        sum += gap;
        ++used;
      }
    }
    const double trimmed = used > 0 ? sum / static_cast<double>(used) : mean_gap;
    const double w = 3.0 * trimmed;
    if (!(w >= 1.0)) return 1;
    if (w > 1e15) return static_cast<SimTime>(1e15);  // keeps day arithmetic far from int64 overflow
    return static_cast<SimTime>(w);
  }

  void resize(std::size_t new_buckets) {
    const SimTime new_width = estimate_width();
    std::vector<std::uint32_t> live;
    live.reserve(size_);
    for (std::uint32_t h : buckets_) {
      for (std::uint32_t i = h; i != kNil; i = nodes_[i].next) live.push_back(i);
    }
    buckets_.assign(new_buckets, kNil);
    width_ = new_width;
    // Sorted latest first, each relink is a push at the head of its bucket's list and keeps that list sorted:
    // O(1) per node instead of a walk. The last one relinked is the earliest event, where the cursor goes.
    std::sort(live.begin(), live.end(),
              [this](std::uint32_t a, std::uint32_t b) { return event_before(nodes_[b].ev, nodes_[a].ev); });
    for (std::uint32_t i : live) {
      const std::size_t b = bucket_of(nodes_[i].ev.time);
      nodes_[i].next = buckets_[b];
      buckets_[b] = i;
    }
    if (!live.empty()) {
      const SimTime t = nodes_[live.back()].ev.time;
      cur_bucket_ = bucket_of(t);
      cur_top_ = day_end(t);
    }
  }

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> buckets_;
  std::uint32_t free_head_ = kNil;
  std::size_t size_ = 0;
  SimTime width_ = 1;
  mutable std::size_t cur_bucket_ = 0;
  mutable SimTime cur_top_ = 1;
};

}  // namespace aidc
