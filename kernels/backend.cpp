#include "kernels/backend.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace aidc {

#if defined(AIDCSIM_HAVE_CUDA)
namespace detail {
// backend_cuda.cu: thin wrappers over the CUDA runtime that swallow its errors.
int cuda_runtime_device_count();
std::string cuda_runtime_device_name();
bool cuda_runtime_select_device(int device);
}  // namespace detail
#endif

Backend parse_backend(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (name == "auto") return Backend::Auto;
  if (name == "cpu" || name == "tbb") return Backend::Cpu;
  if (name == "cuda" || name == "gpu") return Backend::Cuda;
  throw std::invalid_argument("unknown backend '" + name + "': expected auto, cpu or cuda");
}

std::string backend_name(Backend backend) {
  switch (backend) {
    case Backend::Auto: return "auto";
    case Backend::Cpu: return "cpu";
    case Backend::Cuda: return "cuda";
  }
  return "unknown";
}

bool cuda_compiled_in() {
#if defined(AIDCSIM_HAVE_CUDA)
  return true;
#else
  return false;
#endif
}

int cuda_device_count() {
#if defined(AIDCSIM_HAVE_CUDA)
  return detail::cuda_runtime_device_count();
#else
  return 0;
#endif
}

std::string cuda_device_name() {
#if defined(AIDCSIM_HAVE_CUDA)
  return detail::cuda_runtime_device_name();
#else
  return {};
#endif
}

bool select_cuda_device(int device) {
#if defined(AIDCSIM_HAVE_CUDA)
  return device >= 0 && device < cuda_device_count() && detail::cuda_runtime_select_device(device);
#else
  (void)device;
  return false;
#endif
}

Backend resolve_backend(Backend requested) {
  if (requested == Backend::Cpu) return Backend::Cpu;
  const int devices = cuda_device_count();
  if (requested == Backend::Auto) return devices > 0 ? Backend::Cuda : Backend::Cpu;
  if (!cuda_compiled_in()) {
    throw std::runtime_error("backend cuda requested, but this aidcsim was built without CUDA (no nvcc at build time); "
                             "use --backend cpu or auto");
  }
  if (devices == 0) {
    throw std::runtime_error("backend cuda requested, but no CUDA device is visible (no GPU, no driver, or "
                             "CUDA_VISIBLE_DEVICES hides them); use --backend cpu or auto");
  }
  return Backend::Cuda;
}

}  // namespace aidc
