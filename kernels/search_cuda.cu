// The CUDA instantiation of the Thrust searches (nvcc; only in builds with AIDCSIM_ENABLE_CUDA and a toolkit).
// Training and inference share this one translation unit: nvcc parses the Thrust/CUB headers and runs its host
// pass once per architecture set instead of twice (bench/RESULTS.md has the measured difference).
#define AIDC_KERNEL_BACKEND_NS cuda_backend
#include "kernels/training_search_impl.inl"
#include "kernels/inference_search_impl.inl"
