// CUDA runtime queries for backend selection. Every error (no driver, driver older than the runtime, no device)
// reads as "no device": the program must run on machines without a GPU.
#include <cuda_runtime_api.h>

#include <string>

namespace aidc::detail {

int cuda_runtime_device_count() {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error state
    return 0;
  }
  return n;
}

std::string cuda_runtime_device_name() {
  if (cuda_runtime_device_count() == 0) return {};
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    (void)cudaGetLastError();
    return {};
  }
  return prop.name;
}

}  // namespace aidc::detail
