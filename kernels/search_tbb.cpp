// The CPU instantiation of the Thrust searches (training and inference): Thrust with the TBB device system (set by
// the aidcsim_thrust_tbb CMake target) and CUB/Thrust wrapped in namespace aidc_tbb_cub, so it cannot collide with
// the CUDA instantiation.
#define AIDC_KERNEL_BACKEND_NS tbb_backend
#include "kernels/training_search_impl.inl"
#include "kernels/inference_search_impl.inl"
