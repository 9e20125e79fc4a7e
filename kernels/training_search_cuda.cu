// The CUDA instantiation of the training search (nvcc; only in builds with AIDCSIM_ENABLE_CUDA and a toolkit).
#define AIDC_TRAINING_BACKEND_NS cuda_backend
#include "kernels/training_search_impl.inl"
