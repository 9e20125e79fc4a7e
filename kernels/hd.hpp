#pragma once
// Functions and functors that run on both backends are marked AIDC_HD: __host__ __device__ under nvcc, nothing
// under the host compiler (where Thrust runs them on TBB).

#if defined(__CUDACC__)
#define AIDC_HD __host__ __device__
#else
#define AIDC_HD
#endif

// AIDC_HOT_INLINE: a small function called from a hot loop that must be inlined there whatever the caller's size
// (GCC stops inlining into a function past its growth limits: iteration_cost called, not inlined, from
// simulate_batching cost the serving search 10 %). It includes `inline`.
#if defined(__CUDACC__)
#define AIDC_HOT_INLINE __forceinline__
#elif defined(__GNUC__)
#define AIDC_HOT_INLINE inline __attribute__((always_inline))
#else
#define AIDC_HOT_INLINE inline
#endif
