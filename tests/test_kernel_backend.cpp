#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "kernels/backend.hpp"

using namespace aidc;

TEST_CASE("backend names parse in any case and round-trip") {
  CHECK(parse_backend("auto") == Backend::Auto);
  CHECK(parse_backend("CPU") == Backend::Cpu);
  CHECK(parse_backend("tbb") == Backend::Cpu);
  CHECK(parse_backend("Cuda") == Backend::Cuda);
  CHECK_THROWS_AS(parse_backend("opencl"), std::invalid_argument);
  for (Backend b : {Backend::Auto, Backend::Cpu, Backend::Cuda}) CHECK(parse_backend(backend_name(b)) == b);
}

TEST_CASE("the CUDA device query answers without crashing on a machine without a driver") {
  const int n = cuda_device_count();
  CHECK(n >= 0);
  if (!cuda_compiled_in()) CHECK(n == 0);
  CHECK((n == 0) == cuda_device_name().empty());
  INFO("CUDA compiled in: " << cuda_compiled_in() << ", devices: " << n << " " << cuda_device_name());
}

TEST_CASE("auto picks the CPU when no CUDA device is visible and CUDA when one is") {
  const Backend expected = cuda_device_count() > 0 ? Backend::Cuda : Backend::Cpu;
  CHECK(resolve_backend(Backend::Auto) == expected);
  CHECK(resolve_backend(Backend::Cpu) == Backend::Cpu);
}

TEST_CASE("requesting CUDA without a device throws a clear error") {
  if (cuda_device_count() > 0) {
    CHECK(resolve_backend(Backend::Cuda) == Backend::Cuda);
    return;
  }
  try {
    resolve_backend(Backend::Cuda);
    FAIL("resolve_backend(Cuda) returned without a device");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find("cuda") != std::string::npos);
    CHECK(what.find("--backend cpu") != std::string::npos);
  }
}
