// The pending-event set: an Event record and three interchangeable priority queues over it.
//
// Every queue pops in exactly (time, seq) order. seq is a 64-bit insertion number handed out by the Simulator, so
// events at the same time come out in the order they were scheduled: the deterministic tie-break of simcpp20 (rising
// id) and of OMNeT++ (insertion order). The queues do not invent seq themselves; whoever pushes sets it.
//
// Four implementations share one interface (push, pop, top, empty, size, clear, reserve) so bench/ can compare them
// with data (see bench/bench_event_queue.cpp and bench/RESULTS.md):
//   - DaryHeapQueue<2>  binary heap, the textbook baseline;
//   - DaryHeapQueue<4>  4-ary heap: half the depth, and the four children of a node sit in two 64-byte cache lines;
//                       LaMarca & Ladner (1996), "The influence of caches on the performance of heaps", found 4-ary
//                       heaps faster than binary ones on cached machines;
//   - CalendarQueue     Brown (1988), "Calendar queues: a fast O(1) priority queue implementation for the simulation
//                       event set problem", CACM 31(10):1220-1227, with Brown's resize rule.
//   - RadixHeapQueue    radix heap, Ahuja, Mehlhorn, Orlin & Tarjan (1990), "Faster algorithms for the shortest path
//                       problem", JACM 37(2):213-223. Monotone only: it requires that no event is pushed before the
//                       last one popped, which the Simulator guarantees (schedule_at throws if t < now()).
// The first three are general priority queues; all four pop identically on monotone workloads (tests/).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
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
// Four details make it fast (measured in bench/RESULTS.md):
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
    // Differences in double: times may span the whole int64 range, whose difference overflows it. For times
    // within 2^53 the double difference is exact, the same as the integer one.
    const auto difference = [](SimTime later, SimTime earlier) {
      return static_cast<double>(later) - static_cast<double>(earlier);
    };
    const double span = difference(sample[k - 1].time, sample[0].time);
    const double mean_gap = span / static_cast<double>(k - 1);
    double sum = 0.0;
    std::size_t used = 0;
    for (std::size_t j = 1; j < k; ++j) {
      const double gap = difference(sample[j].time, sample[j - 1].time);
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

// ---------------------------------------------------------------------------------------------------------------
// Radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990), the monotone integer priority queue of Dijkstra codes.
//
// PRECONDITION (monotone use): an event may not be pushed before the last event popped, i.e. its time must be
// >= the time of the last pop (and, at that very time, its seq larger than the popped one's). push() throws
// std::logic_error when the time is earlier; the seq part is not checked. The Simulator guarantees both: it refuses
// schedule_at(t) with t < now(), now() is the time of the last pop, and seqs rise. top() does not count as a pop:
// after top() shows an event at t, events before t may still be pushed (run_until ends that way when the next
// event lies past its end), so top() never moves the heap's reference point.
//
// Times are mapped to unsigned keys (flip the sign bit: order-preserving, so negative times work). `last_` is the
// key of the last pop (initially the smallest key). A pending key k sits in bucket bit_width(k ^ last_): bucket 0
// holds keys equal to last_, bucket b (1..64) keys whose highest bit differing from last_ is bit b-1. Every key in
// bucket b is smaller than every key in bucket b+1, so the minimum lies in bucket 0, else in the lowest non-empty
// bucket. push is O(1): one xor, one bit_width, one append. When bucket 0 runs empty, pop takes the lowest
// non-empty bucket b, makes its minimum the new last_ and redistributes its events: each lands in a bucket below b
// (it agrees with the new last_ on bit b-1 and above), so an event moves at most 64 times over its whole stay and
// typically a few times (about log2 of its distance from now).
//
// (time, seq) order: equal times share a key, hence a bucket. Bucket 0 is kept sorted by seq, read from a cursor
// `head_`. When seqs are pushed rising (the Simulator), every bucket is already in seq order: a push appends a seq
// larger than any pending one, and a redistribution of bucket b only feeds buckets below b, which are all empty at
// that moment (b is the lowest non-empty one), with a subsequence of b's seq-ordered events. So bucket 0 comes out
// of a refill sorted and pushes at the current time append. For seqs pushed in any order (allowed outside the
// Simulator), a refill that puts more than one event in bucket 0 sorts it by seq (rare: it takes a tie), and a
// push at the current time with a smaller seq than the last pending one is inserted in place. Either way the pop
// order is exactly (time, seq); tests/test_engine_event_queue.cpp checks it against std::priority_queue.
//
// Storage: 65 std::vectors of Events, cleared but never shrunk, so after the first few pops the steady state
// allocates nothing; a 64-bit mask of the non-empty buckets 1..64 finds the lowest by one count-trailing-zeros.
// Each bucket also keeps its least key and where that event is, so top() is O(1) and a refill is a single pass.
// Capacity: each bucket keeps its largest size so far;
// in practice a small multiple of the peak pending count.
class RadixHeapQueue {
 public:
  void push(const Event& ev) {
    const std::uint64_t k = key(ev.time);
    if (k < last_) throw std::logic_error("RadixHeapQueue::push: event time is before the last popped event's time");
    const unsigned b = static_cast<unsigned>(std::bit_width(k ^ last_));
    if (b == 0) {
      push_current(ev);
    } else {
      append(b, k, ev);
      mask_ |= std::uint64_t{1} << (b - 1);
    }
    ++size_;
  }

  // Removes and returns the earliest event. Throws std::out_of_range if the queue is empty.
  Event pop() {
    if (size_ == 0) throw std::out_of_range("RadixHeapQueue::pop on an empty queue");
    if (head_ == buckets_[0].size()) refill_current();
    std::vector<Event>& cur = buckets_[0];
    const Event min = cur[head_++];
    if (head_ == cur.size()) {
      cur.clear();
      head_ = 0;
    }
    --size_;
    return min;
  }

  // The earliest event. Precondition: !empty(). Changes nothing, so it does not change which pushes are allowed.
  const Event& top() const {
    if (head_ < buckets_[0].size()) return buckets_[0][head_];
    const unsigned b = lowest_bucket();
    return buckets_[b][min_index_[b]];
  }

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }
  // Empties the queue and forgets the last popped time: any time may be pushed again.
  void clear() noexcept {
    for (std::vector<Event>& b : buckets_) b.clear();
    min_key_.fill(kNoKey);
    mask_ = 0;
    head_ = 0;
    size_ = 0;
    last_ = 0;
  }
  // Pre-sizes the top bucket, where a fill before the first pop goes (for non-negative times); the other buckets
  // reach their working capacity during the first pops and keep it.
  void reserve(std::size_t n) { buckets_[kBuckets - 1].reserve(n); }

 private:
  static constexpr std::size_t kBuckets = 65;
  static constexpr std::uint64_t kNoKey = std::numeric_limits<std::uint64_t>::max();

  // Order-preserving map of int64 time to uint64: flip the sign bit. INT64_MIN -> 0, so last_ = 0 admits every time.
  static constexpr std::uint64_t key(SimTime t) noexcept {
    return static_cast<std::uint64_t>(t) ^ (std::uint64_t{1} << 63);
  }

  // Lowest non-empty bucket among 1..64. Precondition: mask_ != 0.
  unsigned lowest_bucket() const noexcept { return static_cast<unsigned>(std::countr_zero(mask_)) + 1; }

  // Appends ev (key k) to bucket b >= 1 and keeps that bucket's minimum (key, then seq) up to date.
  void append(unsigned b, std::uint64_t k, const Event& ev) {
    std::vector<Event>& bucket = buckets_[b];
    const std::size_t pos = bucket.size();
    bucket.push_back(ev);
    if (k <= min_key_[b]) {
      if (k < min_key_[b] || ev.seq < bucket[min_index_[b]].seq) {
        min_key_[b] = k;
        min_index_[b] = pos;
      }
    }
  }

  // ev.time equals the last popped time: append if its seq is the largest (always, under the Simulator), else insert
  // it in seq order among the unread part of bucket 0.
  void push_current(const Event& ev) {
    std::vector<Event>& cur = buckets_[0];
    if (head_ == cur.size() || cur.back().seq < ev.seq) {
      cur.push_back(ev);
      return;
    }
    const auto pos = std::upper_bound(cur.begin() + static_cast<std::ptrdiff_t>(head_), cur.end(), ev,
                                      [](const Event& x, const Event& y) { return x.seq < y.seq; });
    cur.insert(pos, ev);
  }

  // Bucket 0 is empty (and size_ > 0): make the minimum key of the lowest non-empty bucket the new last_ and spread
  // that bucket over the buckets below it, in one pass. The events equal to the new last_ form bucket 0, sorted by
  // seq.
  void refill_current() {
    const unsigned b = lowest_bucket();
    std::vector<Event>& src = buckets_[b];
    const std::uint64_t last = min_key_[b];
    last_ = last;
    std::uint64_t mask = mask_ & ~(std::uint64_t{1} << (b - 1));
    std::vector<Event>& cur = buckets_[0];
    for (const Event& ev : src) {
      const std::uint64_t k = key(ev.time);
      const unsigned to = static_cast<unsigned>(std::bit_width(k ^ last));  // to < b
      if (to == 0) {
        cur.push_back(ev);
      } else {
        append(to, k, ev);
        mask |= std::uint64_t{1} << (to - 1);
      }
    }
    src.clear();
    min_key_[b] = kNoKey;
    mask_ = mask;
    if (cur.size() > 1) {
      std::sort(cur.begin(), cur.end(), [](const Event& x, const Event& y) { return x.seq < y.seq; });
    }
  }

  std::array<std::vector<Event>, kBuckets> buckets_;
  // For buckets 1..64: the least key in the bucket (kNoKey when empty) and the index of its event with the least
  // seq, so top() is O(1) without a scan and a refill needs one pass.
  std::array<std::uint64_t, kBuckets> min_key_ = make_no_keys();
  std::array<std::size_t, kBuckets> min_index_{};
  std::uint64_t mask_ = 0;  // bit b-1 set <=> bucket b (1..64) is non-empty
  std::uint64_t last_ = 0;  // key of the last popped event
  std::size_t head_ = 0;    // read cursor in bucket 0
  std::size_t size_ = 0;

  static constexpr std::array<std::uint64_t, kBuckets> make_no_keys() noexcept {
    std::array<std::uint64_t, kBuckets> a{};
    a.fill(kNoKey);
    return a;
  }
};

}  // namespace aidc
