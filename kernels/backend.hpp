#pragma once
// Which Thrust backend runs the kernels: the CPU (TBB) instantiation, always present, or the CUDA one, compiled in
// when nvcc was found at build time and usable when the machine has a driver and a device.

#include <string>

namespace aidc {

enum class Backend { Auto, Cpu, Cuda };

// "auto", "cpu" (also "tbb"), "cuda" (also "gpu"), case-insensitive; anything else throws std::invalid_argument.
Backend parse_backend(std::string name);
std::string backend_name(Backend backend);

// Whether this binary carries the CUDA instantiation of the kernels.
bool cuda_compiled_in();
// CUDA devices visible to this process; 0 when the CUDA build is absent, no driver is installed, or the runtime
// reports any error. Never throws.
int cuda_device_count();
// Name of the device this thread's kernels use (device 0 unless select_cuda_device chose another), or "" when
// there is none.
std::string cuda_device_name();
// Makes `device` (0 .. cuda_device_count() - 1) the one the kernels use, e.g. a sweep rank's `local rank mod
// devices`; false (nothing changed) without CUDA, without that device, or on any runtime error.
bool select_cuda_device(int device);
// Auto → Cuda when a device exists, else Cpu. Cuda without a device throws std::runtime_error saying why.
Backend resolve_backend(Backend requested);

}  // namespace aidc
