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

bool cuda_runtime_select_device(int device) {
  if (cudaSetDevice(device) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return true;
}

std::string cuda_runtime_device_name() {
  if (cuda_runtime_device_count() == 0) return {};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) {
    (void)cudaGetLastError();
    device = 0;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    (void)cudaGetLastError();
    return {};
  }
  return prop.name;
}

}  // namespace aidc::detail
