#pragma once
// Functions and functors that run on both backends are marked AIDC_HD: __host__ __device__ under nvcc, nothing
// under the host compiler (where Thrust runs them on TBB).

#if defined(__CUDACC__)
#define AIDC_HD __host__ __device__
#else
#define AIDC_HD
#endif
