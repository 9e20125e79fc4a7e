#pragma once
// Iteration-level continuous batching of one replica (vLLM / TensorRT-LLM style) over a request stream.
//
// Each engine iteration: admit waiting requests in arrival order while the batch has a free slot (max_batch) and
// the KV cache can hold them, then run one step. KV policies (BatchingParams::kv_on_demand):
// - reserve (0): a request is admitted when its whole context (input + output) fits, and holds it until it
//   finishes: TensorRT-LLM's GUARANTEED_NO_EVICT capacity policy (its default), so nothing is ever preempted;
// - on demand (1): a request is admitted when its prompt fits, and its KV grows by one token per generated token
//   (vLLM's PagedAttention blocks, SGLang's token pool); when the next step would not fit, the most recently
//   admitted decoding request is preempted, its KV freed, and it waits at the head of the queue to be recomputed:
//   prefilled again over its prompt plus the tokens it had generated (vLLM's recompute preemption, SGLang's
//   retraction), resuming where it stopped. Preempted requests are readmitted before new ones, last preempted
//   first;
// - estimated (2): on demand as (1), but admission also keeps room for a share of the tokens still to come, SGLang's
//   scheduler (python/sglang/srt/managers/schedule_policy.py PrefillAdder and scheduler.py, defaults in
//   srt/environ.py): a request is admitted when the KV written so far, plus new_token_ratio x the tokens every
//   admitted request still has to generate, plus its own prompt + new_token_ratio x its output, fit. The ratio starts
//   at SGLANG_INIT_NEW_TOKEN_RATIO 0.7 and falls by (0.7 - 0.098) / 600 per decode step (SGLANG_NEW_TOKEN_RATIO_DECAY
//   _STEPS 600) to 0.7 x SGLANG_MIN_NEW_TOKEN_RATIO_FACTOR 0.14 = 0.098; when a decode step would not fit, requests
//   are retracted (latest first) until SGLANG_RETRACT_DECODE_STEPS = 20 steps fit, and the ratio restarts at
//   min(1, (tokens generated + 20 x requests left) / their total outputs) of the requests left (retract_decode).
// Then the step in which every decoding request produces one token and
// prompt chunks of admitted requests fill the rest of the token budget (chunk_tokens = max tokens per iteration,
// decode tokens included, prompts served first-come first-served). A request whose prompt completes in an iteration
// emits its first token at the end of that iteration.
//
// Event skipping: when no prompt token can be processed (no prefill pending, or the budget is all decode) and no
// request can be admitted before the next finish, every iteration is the same decode batch with each context one
// token longer. The iteration time is affine in the total context (iteration_cost is a sum of maxima of terms
// proportional to it), so k iterations cost k*c0 + slope*k(k-1)/2 exactly; the loop jumps to the next finish (or
// the next admissible arrival) in one step. Results equal the step-by-step loop's.
//
// Phases (BatchingParams::phase), for disaggregated serving (kernels/inference_search.hpp):
// - both (0): every request is prefilled and decoded here (co-located serving);
// - prefill only (1): a request finishes when its prompt is processed and its first token emitted (a prefill
//   instance; its KV then leaves for a decode instance), so every request counts one output token;
// - decode only (2): a request arrives with its prompt's KV and first token from a prefill instance: admission
//   delivers that token and puts it straight into the decode batch (context = input + 1); `first_token_s` is the
//   admission, so TTFT here is the wait for a decode slot, and TPOT runs from the admission. A request preempted
//   here (on-demand KV) is recomputed locally as in co-located serving. With carry_prior the scratch still holds
//   the prefill phase's states for the same stream: each request's TTFT is then its own prefill TTFT there, plus
//   its transfer, plus its wait here (the phases paired request by request: a burst of arrivals delays the same
//   requests in both).
//
// Arrivals: closed loop (concurrency > 0: requests 0..C-1 arrive at t = 0, and each finish releases the next
// request at that instant), or open loop (concurrency = 0: request i arrives at arrival_s[i] * arrival_scale,
// ascending).
//
// Device-safe: no heap allocation (the caller passes scratch), no exceptions, hand-written heap sort; deterministic.

#include <math.h>

#include "kernels/hd.hpp"
#include "kernels/inference_model.hpp"

namespace aidc {

// SGLang's scheduler defaults (srt/environ.py; header: KV policy 2).
inline constexpr double kSglangInitNewTokenRatio = 0.7;
inline constexpr double kSglangMinNewTokenRatioFactor = 0.14;
inline constexpr double kSglangNewTokenRatioDecaySteps = 600.0;
inline constexpr int kSglangRetractDecodeSteps = 20;

struct InferenceRequest {
  int input_tokens = 0;
  int output_tokens = 1;
  double arrival_s = 0.0;  // open loop only
};

struct BatchingParams {
  int max_batch = 256;       // sequences in flight (prefilling + decoding)
  int chunk_tokens = 8192;   // token budget per iteration (decode tokens + prompt chunk tokens)
  int concurrency = 0;       // > 0: closed loop with this many clients; 0: open loop on arrival_s
  double arrival_scale = 1.0;  // open loop: multiplies arrival times (a replica of R sees 1/R of the rate: R)
  double kv_capacity_tokens = 0.0;
  long long max_skip_iterations = 0;  // 0: unlimited event skipping; 1: step by step (the reference the tests use)
  int kv_on_demand = 0;      // KV policy (header): 0 reserve input + output at admission, 1 on demand with preemption,
                             // 2 on demand with SGLang's estimated reservation and retraction
  int phase = 0;             // 0 prefill + decode, 1 prefill only, 2 decode only (header: Phases)
  // Decode only, right after the prefill phase's simulation of the same stream in the same scratch: each request's
  // TTFT starts with its own prefill TTFT from those states plus its KV transfer, prior_fixed_s +
  // prior_s_per_input_token x its input (the two phase simulations paired request by request).
  int carry_prior = 0;
  // 0: leave the TTFT / TPOT percentiles at 0 (a disaggregated search's prefill phase, whose latencies reach the
  // estimate through the decode phase's carry_prior; the selection was 10.7 % of that search's profile)
  int latency_percentiles = 1;
  double prior_fixed_s = 0.0;
  double prior_s_per_input_token = 0.0;
  // On return the finished requests' arrival_s are rebased so that first_token_s - arrival_s is each one's whole TTFT.
  // Throughput is measured in steady state. Open loop (and a prefill-only phase): output tokens produced between
  // the first finish and the admission of the last request, over that time (the batch is full of a natural mix of prefill and decode
  // there). Closed loop: the output tokens of the requests released from the first finish until the last release
  // of the client that finish freed, over that time: whole cycles of one client (a window ending at the last
  // admission cut fixed-length loops, whose requests finish in waves, mid-cycle: up to 3.7x low). The cold start
  // (everyone prefilling at once) and the drain of a finite stream are excluded. When the window is empty (the
  // stream is shorter than two of a client's requests) the makespan figure is used instead.
};

// Per-request scratch (caller-provided, one per request).
struct RequestState {
  double arrival_s = 0.0;
  double first_token_s = 0.0;
  double finish_s = 0.0;
  long long finish_step = 0;  // decode-step counter value at which the request has all its tokens
  long long admit_seq = 0;    // admission order (on-demand preemption takes the latest)
  int prefilled = 0;
  int prompt = 0;             // tokens to prefill in this admission: the input, or after a preemption the input
                              // plus the tokens generated so far
  int remaining = 0;          // decode steps left after this admission's prefill emits its token
  int status = 0;             // 0 waiting, 1 prefill, 2 decode, 3 finished, 4 rejected (never fits the KV cache),
                              // 5 preempted (waiting to be recomputed)
};

// Caller-provided working memory: n_capacity >= number of requests; batch_capacity >= max_batch.
struct BatchingScratch {
  RequestState* states = nullptr;   // [n_capacity]
  double* values = nullptr;         // [n_capacity] for percentiles (carry_prior: each request's time before)
  long long* heap = nullptr;        // [batch_capacity] decoding requests by finish step
  int* prefill_queue = nullptr;     // [batch_capacity] ring buffer of admitted requests still in prefill
  int n_capacity = 0;
  int batch_capacity = 0;
};

struct BatchingResult {
  double output_tokens_per_s = 0.0;           // steady-state window (see BatchingParams)
  double output_tokens_per_s_makespan = 0.0;  // all output tokens / (last finish - first arrival)
  double makespan_s = 0.0;
  double ttft_p50_s = 0.0, ttft_p99_s = 0.0;  // arrival to first token (queueing included)
  double tpot_p50_s = 0.0, tpot_p99_s = 0.0;  // per-request mean inter-token time (requests with >= 2 tokens)
  double mean_batch = 0.0;                    // time-weighted sequences in flight while busy
  double output_tokens = 0.0;
  double input_tokens = 0.0;
  long long iterations = 0;                   // engine iterations (skipped ones included)
  long long preemptions = 0;                  // on-demand KV: decoding requests preempted and recomputed
  double peak_kv_tokens = 0.0;                // most KV tokens held (reserved or written) at once
  long long events = 0;                       // loop turns actually executed
  int requests_finished = 0;
  int requests_rejected = 0;                  // context larger than the whole KV cache
  int error = 0;                              // 1: scratch too small or bad parameters
};

// ----- hand-written sorting and percentiles (device-safe) -----

AIDC_HD inline void sift_down(double* a, int start, int end) {
  int root = start;
  while (2 * root + 1 <= end) {
    int child = 2 * root + 1;
    if (child + 1 <= end && a[child] < a[child + 1]) ++child;
    if (a[root] < a[child]) {
      const double t = a[root];
      a[root] = a[child];
      a[child] = t;
      root = child;
    } else {
      return;
    }
  }
}

AIDC_HD inline void heap_sort(double* a, int n) {
  if (n < 2) return;
  for (int start = (n - 2) / 2; start >= 0; --start) sift_down(a, start, n - 1);
  for (int end = n - 1; end > 0; --end) {
    const double t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end - 1);
  }
}

// Linear interpolation between closest ranks of a sorted array (numpy's default).
AIDC_HD inline double sorted_percentile(const double* a, int n, double q) {
  if (n <= 0) return 0.0;
  const double pos = q * (n - 1);
  const int lo = int(pos);
  const int hi = lo + 1 < n ? lo + 1 : n - 1;
  const double f = pos - lo;
  return a[lo] + (a[hi] - a[lo]) * f;
}

// k-th smallest (0-based) by quickselect with a median-of-three pivot: partially orders a so that a[k] is in
// place, everything before it <= a[k] and everything after >= a[k]. Deterministic, O(n) on average.
AIDC_HD inline double select_kth(double* a, int n, int k) {
  int lo = 0, hi = n - 1;
  while (hi > lo) {
    const int mid = lo + (hi - lo) / 2;
    // median of three to a[mid]
    if (a[mid] < a[lo]) { const double t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { const double t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { const double t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    const double pivot = a[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) ++i;
      while (pivot < a[j]) --j;
      if (i <= j) {
        const double t = a[i];
        a[i] = a[j];
        a[j] = t;
        ++i;
        --j;
      }
    }
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return a[k];
    }
  }
  return a[k];
}

// p50 and p99 (numpy's linear interpolation) of a[0..n) by selection, reordering a.
AIDC_HD inline void percentiles_50_99(double* a, int n, double& p50, double& p99) {
  p50 = p99 = 0.0;
  if (n <= 0) return;
  const double pos99 = 0.99 * (n - 1), pos50 = 0.50 * (n - 1);
  const int k99 = int(pos99), k50 = int(pos50);
  const double v99 = select_kth(a, n, k99);
  double n99 = v99;  // the next order statistic: the minimum of the part after k99
  if (k99 + 1 < n) {
    n99 = a[k99 + 1];
    for (int i = k99 + 2; i < n; ++i) n99 = a[i] < n99 ? a[i] : n99;
  }
  p99 = v99 + (n99 - v99) * (pos99 - k99);
  const double v50 = k50 < k99 ? select_kth(a, k99, k50) : v99;
  double n50 = v50;
  if (k50 + 1 < n) {
    if (k50 + 1 >= k99) {
      n50 = k50 + 1 == k99 ? v99 : n99;
    } else {
      n50 = a[k50 + 1];
      for (int i = k50 + 2; i < k99; ++i) n50 = a[i] < n50 ? a[i] : n50;
    }
  }
  p50 = v50 + (n50 - v50) * (pos50 - k50);
}

// ----- min-heap of decoding requests: key = finish_step << 24 | request index (ties by index: deterministic).
// Keys live in the heap itself so that sifting touches one small array. Limits: 16 M requests, 2^39 steps.

inline constexpr int kHeapIndexBits = 24;

AIDC_HD inline long long heap_key(long long finish_step, int index) {
  return (finish_step << kHeapIndexBits) | (long long)index;
}

AIDC_HD inline void fheap_push(long long* h, int& n, long long v) {
  int i = n++;
  while (i > 0) {
    const int p = (i - 1) / 2;
    if (h[p] <= v) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = v;
}

// Places `v` at hole `i` of the n-element heap `h`, moving it down past smaller children.
AIDC_HD inline void fheap_sift_down(long long* h, int n, int i, long long v) {
  for (;;) {
    int c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && h[c + 1] < h[c]) ++c;
    if (v <= h[c]) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = v;
}

AIDC_HD inline long long fheap_pop(long long* h, int& n) {
  const long long top = h[0];
  const long long v = h[--n];
  if (n > 0) fheap_sift_down(h, n, 0, v);
  return top;
}

// Removes the element at position `pos` (the last one takes its place and sifts up or down).
AIDC_HD inline void fheap_remove_at(long long* h, int& n, int pos) {
  const long long v = h[--n];
  if (pos == n) return;
  int i = pos;
  while (i > 0 && h[(i - 1) / 2] > v) {
    h[i] = h[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  fheap_sift_down(h, n, i, v);
}

AIDC_HD inline long long heap_step(long long key) { return key >> kHeapIndexBits; }
AIDC_HD inline int heap_index(long long key) { return int(key & ((1LL << kHeapIndexBits) - 1)); }

// Smallest j >= 1 with j*c0 + slope*j*(j-1)/2 >= gap (iterations until the clock passes an arrival), capped.
AIDC_HD inline long long steps_to_cover(double gap, double c0, double slope, long long cap) {
  if (gap <= 0.0) return 1;
  double j;
  if (slope <= 1e-18 * c0) {
    j = gap / c0;
  } else {
    const double a = 0.5 * slope, b = c0 - 0.5 * slope;
    j = (-b + ::sqrt(b * b + 4.0 * a * gap)) / (2.0 * a);
  }
  long long k = (long long)j;
  if (k < 1) k = 1;
  if (k > cap) return cap;
  // fix rounding: step forward until covered, back while the previous one covers
  while (k < cap && k * c0 + slope * 0.5 * double(k) * double(k - 1) < gap) ++k;
  while (k > 1 && (k - 1) * c0 + slope * 0.5 * double(k - 1) * double(k - 2) >= gap) --k;
  return k;
}

// SGLang's new_token_ratio after a retraction (retract_decode): (tokens generated + 20 x requests left) / their total
// outputs, at most 1, over the decoding requests left in the heap. A function, not a by-reference lambda in the
// simulator: captures by reference kept the loop's counters in memory (bench/RESULTS.md, 2026-12-04).
AIDC_HD inline double sglang_restart_ratio(const long long* heap, int heap_n, const RequestState* st,
                                           const InferenceRequest* reqs, long long dstep) {
  double generated = 0.0, outputs = 0.0;
  for (int j = 0; j < heap_n; ++j) {
    const int i = heap_index(heap[j]);
    const double left = double(st[i].finish_step - dstep);
    outputs += reqs[i].output_tokens;
    generated += reqs[i].output_tokens - left;
  }
  const double r = outputs > 0.0 ? (generated + kSglangRetractDecodeSteps * double(heap_n)) / outputs : 1.0;
  return r < 1.0 ? r : 1.0;
}

// SGLang's new_token_ratio at decode step `dstep`: a line from its last restart down to its floor.
AIDC_HD inline double sglang_ratio(double start, long long restart_step, long long dstep) {
  const double floor = kSglangInitNewTokenRatio * kSglangMinNewTokenRatioFactor;
  const double r = start - (kSglangInitNewTokenRatio - floor) / kSglangNewTokenRatioDecaySteps * double(dstep - restart_step);
  return r > floor ? r : floor;
}

// One prompt's chunk of `take` tokens from prefix `offset` into an iteration's load: its causal pairs and the prefix
// KV it reads.
AIDC_HD inline void add_prompt_chunk(IterationLoad& load, double offset, int take) {
  load.prefill_tokens += take;
  load.prefill_pairs += double(take) * (offset + 0.5 * (double(take) + 1.0));
  load.prefill_kv_read += offset + take;
  load.prefill_sequences += 1.0;
}

AIDC_HD inline BatchingResult simulate_batching(const ReplicaModel& model, const InferenceRequest* reqs, int n,
                                                const BatchingParams& p, const BatchingScratch& scratch) {
  BatchingResult res;
  if (n <= 0 || scratch.n_capacity < n || scratch.batch_capacity < p.max_batch || p.max_batch < 1 ||
      p.chunk_tokens < 1 || scratch.states == nullptr || scratch.values == nullptr || scratch.heap == nullptr ||
      scratch.prefill_queue == nullptr || n >= (1 << kHeapIndexBits)) {
    res.error = 1;
    return res;
  }
  RequestState* st = scratch.states;
  const bool closed = p.concurrency > 0;
  const bool on_demand = p.kv_on_demand != 0;
  const bool estimated = p.kv_on_demand == 2;
  // SGLang's new_token_ratio (estimated policy): a line in the decode-step counter from its last restart.
  const double ratio_min = kSglangInitNewTokenRatio * kSglangMinNewTokenRatioFactor;
  double ratio_start = kSglangInitNewTokenRatio;
  long long ratio_step = 0;
  double final_sum = 0.0;  // estimated: the whole contexts (input + output) of the admitted, unfinished requests
  const bool prefill_only = p.phase == 1, decode_only = p.phase == 2;
  auto out_of = [&](int i) { return prefill_only ? 1 : reqs[i].output_tokens; };
  // carry_prior: each request's time before this phase, kept in `values` (untouched until the results below).
  for (int i = 0; i < n; ++i) {
    if (decode_only && p.carry_prior != 0) {
      scratch.values[i] = (st[i].status == 3 ? st[i].first_token_s - st[i].arrival_s : 0.0) + p.prior_fixed_s +
                          p.prior_s_per_input_token * reqs[i].input_tokens;
    }
    st[i] = RequestState{};
    st[i].arrival_s = closed ? 0.0 : reqs[i].arrival_s * p.arrival_scale;
  }
  int released = closed ? (p.concurrency < n ? p.concurrency : n) : n;  // closed loop: requests with an arrival

  const int cap_q = p.max_batch;
  long long* heap = scratch.heap;
  int heap_n = 0;
  int* pq = scratch.prefill_queue;
  int pq_head = 0, pq_n = 0;
  // Preempted requests (on demand only), a stack in the tail of the heap array: while any waits nothing new is
  // admitted, so decoding + prefilling + preempted <= max_batch <= batch_capacity and the two never meet.
  int n_pre = 0;
  auto pre_slot = [&](int j) -> long long& { return heap[scratch.batch_capacity - 1 - j]; };

  double now = 0.0;
  long long dstep = 0;           // decode-step counter
  long long admissions = 0;
  double ctx_dec = 0.0;          // sum of contexts of decoding requests
  double kv_used = 0.0;          // KV tokens held: reserved (input + output) or, on demand, written so far
  double tokens_out = 0.0;
  double busy_s = 0.0, batch_time = 0.0;
  int next = 0;                  // next new request to admit (FIFO)
  int done = 0;                  // finished + rejected
  const double kv_cap = p.kv_capacity_tokens;
  double lo_t = -1.0, lo_tok = 0.0, hi_t = -1.0, hi_tok = 0.0;  // first finish; last admission
  double first_arrival = closed ? 0.0 : st[0].arrival_s;

  auto record_done = [&](void) {
    if (lo_t < 0.0 && res.requests_finished > 0) {
      lo_t = now;
      lo_tok = tokens_out;
    }
  };

  auto finish = [&](int i) {
    RequestState& s = st[i];
    s.status = 3;
    s.finish_s = now;
    const double ctx = double(reqs[i].input_tokens) + out_of(i);
    kv_used -= ctx;  // on demand too: a finished request had written its whole context
    final_sum -= ctx;
    ++res.requests_finished;
    ++done;
    if (closed && released < n) st[released++].arrival_s = now;
  };
  // KV tokens an admission takes: the whole context, or on demand the prompt and the token its prefill emits.
  auto admission_need = [&](int i) {
    return on_demand ? double(st[i].status == 5 ? st[i].prompt : reqs[i].input_tokens) + 1.0
                     : double(reqs[i].input_tokens) + out_of(i);
  };
  auto admit = [&](int i) {
    RequestState& s = st[i];
    kv_used += admission_need(i);
    final_sum += double(reqs[i].input_tokens) + out_of(i);
    if (s.status != 5) {
      s.prompt = reqs[i].input_tokens;
      s.remaining = out_of(i) - 1;
    }
    if (decode_only && s.status != 5) {  // KV and first token received: straight into the decode batch
      s.admit_seq = admissions++;
      s.first_token_s = now;
      tokens_out += 1.0;
      if (s.remaining <= 0) {
        finish(i);
        return;
      }
      s.status = 2;
      s.finish_step = dstep + s.remaining;
      fheap_push(heap, heap_n, heap_key(s.finish_step, i));
      ctx_dec += double(s.prompt) + 1.0;
      return;
    }
    s.status = 1;
    s.prefilled = 0;
    s.admit_seq = admissions++;
    int slot = pq_head + pq_n;
    if (slot >= cap_q) slot -= cap_q;
    pq[slot] = i;
    ++pq_n;
  };
  // On demand: frees the most recently admitted decoding request's KV and parks it for recompute.
  auto preempt_latest = [&](void) {
    int pos = 0;
    for (int j = 1; j < heap_n; ++j) {
      if (st[heap_index(heap[j])].admit_seq > st[heap_index(heap[pos])].admit_seq) pos = j;
    }
    const int i = heap_index(heap[pos]);
    fheap_remove_at(heap, heap_n, pos);
    RequestState& s = st[i];
    const long long left = s.finish_step - dstep;  // decode steps it still needed
    const double ctx = double(reqs[i].input_tokens) + out_of(i) - double(left);
    kv_used -= ctx;
    ctx_dec -= ctx;
    final_sum -= double(reqs[i].input_tokens) + out_of(i);
    s.prompt = int(ctx);  // recompute: the input and every token generated so far
    s.remaining = int(left) - 1;  // the recompute's prefill emits the next token
    s.status = 5;
    pre_slot(n_pre++) = i;
    ++res.preemptions;
  };
  const double ctx_slope = decode_context_slope(model);
  // Safety net only: every loop turn admits, finishes, preempts, prefills at least one prompt token or reaches an
  // arrival.
  long long guard = 0;
  long long guard_max = 16LL * n + 1000LL;
  // (stepping every iteration, or on demand with its preemptions, a turn can be as small as one decode step)
  const bool small_turns = on_demand || p.max_skip_iterations > 0;
  for (int i = 0; i < n; ++i) guard_max += 2LL * reqs[i].input_tokens + (small_turns ? 4LL * out_of(i) : 0);
  while (done < n && guard++ < guard_max) {
    ++res.events;
    // ---- admission: preempted requests first (last preempted first), then new ones in arrival order ----
    while (n_pre > 0 && heap_n + pq_n < p.max_batch) {
      const int i = int(pre_slot(n_pre - 1));
      if (estimated && heap_n + pq_n > 0) {  // SGLang: the ratio's share of the tokens to come must fit too
        const double r = sglang_ratio(ratio_start, ratio_step, dstep);
        if (kv_used + r * (final_sum - kv_used) + admission_need(i) + r * double(st[i].remaining) > kv_cap) break;
      } else if (kv_used + admission_need(i) > kv_cap) {
        break;
      }
      --n_pre;
      admit(i);
    }
    while (n_pre == 0 && next < n && next < released && st[next].arrival_s <= now && heap_n + pq_n < p.max_batch) {
      const double whole = double(reqs[next].input_tokens) + out_of(next);
      if (whole > kv_cap) {  // can never run here
        st[next].status = 4;
        st[next].finish_s = now;
        ++res.requests_rejected;
        ++done;
        if (closed && released < n) st[released++].arrival_s = now;
        ++next;
        continue;
      }
      if (estimated && heap_n + pq_n > 0) {
        const double r = sglang_ratio(ratio_start, ratio_step, dstep);
        if (kv_used + r * (final_sum - kv_used) + admission_need(next) + r * double(out_of(next) - 1) > kv_cap) break;
      } else if (kv_used + admission_need(next) > kv_cap) {
        break;
      }
      admit(next);
      ++next;
      if (next == n && hi_t < 0.0) {
        hi_t = now;
        hi_tok = tokens_out;
      }
    }
    if (kv_used > res.peak_kv_tokens) res.peak_kv_tokens = kv_used;
    record_done();
    if (done >= n) break;
    int n_dec = heap_n;
    int budget = p.chunk_tokens - n_dec > 0 ? p.chunk_tokens - n_dec : 0;

    if (n_dec == 0 && pq_n == 0) {  // idle: jump to the next arrival
      if (n_pre == 0 && next < n && next < released) {
        if (st[next].arrival_s > now) now = st[next].arrival_s;
        continue;
      }
      break;  // nothing can ever arrive (should not happen)
    }

    if (pq_n == 0 || budget == 0) {
      // ---- decode-only stretch: skip to the next event ----
      if (on_demand && heap_n > 0 && kv_used + heap_n > kv_cap) {  // free room, then admit and plan again
        // vLLM preempts until the step fits; SGLang retracts until 20 steps fit and restarts its ratio
        const double steps = estimated ? double(kSglangRetractDecodeSteps) : 1.0;
        while (heap_n > 0 && kv_used + steps * heap_n > kv_cap) preempt_latest();
        if (estimated) {
          ratio_start = sglang_restart_ratio(heap, heap_n, st, reqs, dstep);
          ratio_step = dstep;
        }
        continue;
      }
      long long k = heap_step(heap[0]) - dstep;
      if (k < 1) k = 1;
      if (p.max_skip_iterations > 0 && k > p.max_skip_iterations) k = p.max_skip_iterations;
      // estimated: while the ratio still falls, a waiting request may fit after any step
      if (estimated && sglang_ratio(ratio_start, ratio_step, dstep) > ratio_min &&
          (n_pre > 0 || (next < n && next < released && st[next].arrival_s <= now))) {
        k = 1;
      }
      if (on_demand && n_dec > 0) {  // until the KV would overflow
        const long long room = (long long)((kv_cap - kv_used) / n_dec);
        if (room < k) k = room > 1 ? room : 1;
      }
      IterationLoad l0;
      l0.decode_tokens = n_dec;
      l0.decode_context = ctx_dec;
      l0.logit_rows = n_dec;
      const double c0 = iteration_cost(model, l0).time_s;
      const double slope = ctx_slope * n_dec;  // each iteration adds n_dec context tokens
      // an arrival that could be admitted before the next finish ends the stretch early
      if (!closed && n_pre == 0 && next < n && pq_n == 0 && heap_n + pq_n < p.max_batch) {
        const double whole = double(reqs[next].input_tokens) + out_of(next);
        if (whole > kv_cap || estimated || kv_used + admission_need(next) <= kv_cap) {
          k = steps_to_cover(st[next].arrival_s - now, c0, slope, k);
        }
      }
      const double dt = double(k) * c0 + slope * 0.5 * double(k) * double(k - 1);
      now += dt;
      busy_s += dt;
      batch_time += dt * n_dec;
      dstep += k;
      res.iterations += k;
      ctx_dec += double(n_dec) * double(k);
      tokens_out += double(n_dec) * double(k);
      if (on_demand) kv_used += double(n_dec) * double(k);
      if (kv_used > res.peak_kv_tokens) res.peak_kv_tokens = kv_used;
      while (heap_n > 0 && heap_step(heap[0]) <= dstep) {
        const int i = heap_index(fheap_pop(heap, heap_n));
        ctx_dec -= double(reqs[i].input_tokens) + out_of(i);
        finish(i);
      }
      record_done();
      continue;
    }

    // ---- mixed iteration: decode batch + prompt chunks ----
    int completing = 0;  // prefills that complete: the first `completing` queue entries
    auto plan = [&](IterationLoad& load) {
      load = IterationLoad{};
      load.decode_tokens = n_dec;
      load.decode_context = ctx_dec;
      load.logit_rows = n_dec;
      int left = budget;
      completing = 0;
      for (int q = 0; q < pq_n && left > 0; ++q) {
        const int qi = pq_head + q;
        const int i = pq[qi >= cap_q ? qi - cap_q : qi];
        const int rem = st[i].prompt - st[i].prefilled;
        const int take = rem < left ? rem : left;
        add_prompt_chunk(load, st[i].prefilled, take);
        left -= take;
        if (take == rem) {
          load.logit_rows += 1.0;
          if (q == completing) ++completing;
        }
      }
    };
    IterationLoad load;
    plan(load);
    if (on_demand && heap_n > 0 && kv_used + heap_n > kv_cap) {  // this step writes one token per decoding request
      const double steps = estimated ? double(kSglangRetractDecodeSteps) : 1.0;
      while (heap_n > 0 && kv_used + steps * heap_n > kv_cap) preempt_latest();
      if (estimated) {
        ratio_start = sglang_restart_ratio(heap, heap_n, st, reqs, dstep);
        ratio_step = dstep;
      }
      n_dec = heap_n;
      budget = p.chunk_tokens - n_dec > 0 ? p.chunk_tokens - n_dec : 0;
      plan(load);
      if (n_dec == 0 && load.prefill_tokens == 0) continue;
    }
    const double dt = iteration_cost(model, load).time_s;
    now += dt;
    busy_s += dt;
    batch_time += dt * (n_dec + pq_n);
    ++res.iterations;
    if (n_dec == 0 && completing == 0 && n_pre == 0 && (closed || next >= n) && p.max_skip_iterations == 0) {
      // Only the head prompt's chunk and nothing else can change until it completes: no decode, no finish, no
      // arrival to admit (closed loop: they come with finishes), no preempted request waiting (a retraction in
      // this turn restarts SGLang's ratio, after which one may fit). Its further whole chunks run here, each costed
      // as the loop would (the same sums in the same order), not as loop turns (stepping every iteration: turns).
      RequestState& h = st[pq[pq_head]];
      h.prefilled += budget;
      while (h.prompt - h.prefilled > budget) {
        IterationLoad lc;
        lc.decode_context = ctx_dec;
        add_prompt_chunk(lc, h.prefilled, budget);
        const double dc = iteration_cost(model, lc).time_s;
        now += dc;
        busy_s += dc;
        batch_time += dc * pq_n;
        ++res.iterations;
        h.prefilled += budget;
      }
      record_done();
      continue;
    }
    if (n_dec > 0) {
      ++dstep;
      ctx_dec += n_dec;
      tokens_out += n_dec;
      if (on_demand) kv_used += n_dec;
    }
    if (kv_used > res.peak_kv_tokens) res.peak_kv_tokens = kv_used;
    while (heap_n > 0 && heap_step(heap[0]) <= dstep) {
      const int i = heap_index(fheap_pop(heap, heap_n));
      ctx_dec -= double(reqs[i].input_tokens) + out_of(i);
      finish(i);
    }
    // advance prompts: the queue is served in order, so partial progress only on the first not-completing entry
    int left = budget;
    int q = 0;
    while (q < pq_n && left > 0) {
      const int qi = pq_head + q;
      const int i = pq[qi >= cap_q ? qi - cap_q : qi];
      const int rem = st[i].prompt - st[i].prefilled;
      const int take = rem < left ? rem : left;
      st[i].prefilled += take;
      left -= take;
      ++q;
    }
    for (int c = 0; c < completing; ++c) {
      const int i = pq[pq_head];
      pq_head = pq_head + 1 == cap_q ? 0 : pq_head + 1;
      --pq_n;
      RequestState& s = st[i];
      if (!decode_only && s.first_token_s <= 0.0 && s.remaining == out_of(i) - 1) s.first_token_s = now;
      tokens_out += 1.0;
      if (s.remaining <= 0) {
        finish(i);
      } else {
        s.status = 2;
        s.finish_step = dstep + s.remaining;
        fheap_push(heap, heap_n, heap_key(s.finish_step, i));
        ctx_dec += double(s.prompt) + 1.0;
      }
    }
    record_done();
  }
  if (done < n) res.error = 1;

  // ---- results ----
  // Closed loop: the output tokens emitted from the first finish until the last release of the client that finish
  // freed (following it request by request: each finish releases the next request at that instant), over that
  // time: whole cycles of one client, so a loop whose requests finish in waves is not cut mid-wave. (Found after
  // the loop from the states: tracking the chain inside it cost the search 7-10 %. Counting the tokens of the
  // requests released in the window instead of those emitted in it read high, and the search, which keeps the
  // largest figure, picked exactly those configurations.) A prefill-only phase keeps the open-loop window.
  double t0 = 0.0, t_end = 0.0;
  const bool cycle_window = closed && p.phase != 1;  // prefill only: one token each, no cycles to cut
  if (cycle_window && done >= n) {
    const int c0 = p.concurrency < n ? p.concurrency : n;  // the first request released, by the first finish
    t0 = t_end = c0 < n ? st[c0].arrival_s : 0.0;
    int j = c0;
    while (j < n && st[j].status == 3) {
      const double t = st[j].finish_s;
      int lo = j + 1, hi = n;  // the first request released at or after t (releases are in index order)
      while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (st[mid].arrival_s < t) lo = mid + 1; else hi = mid;
      }
      if (lo >= n || st[lo].arrival_s != t) break;  // nothing released at t: the stream had run out
      t_end = t;
      j = lo;
    }
  }
  if (decode_only && p.carry_prior != 0) {
    // each finished request's whole TTFT (the time before this phase is in values[i]), left as first token -
    // arrival for the caller
    for (int i = 0; i < n; ++i) {
      if (st[i].status == 3) st[i].arrival_s -= scratch.values[i];
    }
  }
  // Output tokens request i had emitted by time t (its first at first_token_s, the rest evenly to finish_s).
  auto emitted_by = [&](int i, double t) {
    const RequestState& s = st[i];
    if (t < s.first_token_s) return 0.0;
    if (t >= s.finish_s) return double(out_of(i));
    return 1.0 + double(out_of(i) - 1) * (t - s.first_token_s) / (s.finish_s - s.first_token_s);
  };
  double last = 0.0, window_tokens = 0.0;
  int m = 0;
  for (int i = 0; i < n; ++i) {
    if (st[i].status != 3) continue;
    res.output_tokens += out_of(i);
    if (t_end > t0) window_tokens += emitted_by(i, t_end) - emitted_by(i, t0);
    res.input_tokens += reqs[i].input_tokens;
    if (st[i].finish_s > last) last = st[i].finish_s;
    scratch.values[m++] = st[i].first_token_s - st[i].arrival_s;
  }
  if (p.latency_percentiles != 0) {
    percentiles_50_99(scratch.values, m, res.ttft_p50_s, res.ttft_p99_s);
    m = 0;
    for (int i = 0; i < n; ++i) {
      if (st[i].status != 3 || out_of(i) < 2) continue;
      scratch.values[m++] = (st[i].finish_s - st[i].first_token_s) / (out_of(i) - 1);
    }
    percentiles_50_99(scratch.values, m, res.tpot_p50_s, res.tpot_p99_s);
  }
  res.makespan_s = last - first_arrival;
  res.output_tokens_per_s_makespan = res.makespan_s > 0.0 ? res.output_tokens / res.makespan_s : 0.0;
  if (cycle_window) {
    res.output_tokens_per_s = t_end > t0 && window_tokens > 0.0 ? window_tokens / (t_end - t0)
                                                                : res.output_tokens_per_s_makespan;
  } else {
    res.output_tokens_per_s = (lo_t >= 0.0 && hi_t > lo_t && hi_tok > lo_tok) ? (hi_tok - lo_tok) / (hi_t - lo_t)
                                                                             : res.output_tokens_per_s_makespan;
  }
  res.mean_batch = busy_s > 0.0 ? batch_time / busy_s : 0.0;
  return res;
}

}  // namespace aidc
