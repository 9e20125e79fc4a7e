#pragma once
// Accelerators for tests come from the built-in catalog, the same figures the command line uses, so a test can
// never drift from the data it claims to check.

#include <string>

#include "core/scenario/catalog.hpp"
#include "core/scenario/perf_catalog.hpp"

namespace aidc::test {

inline const Catalog& test_catalog() {
  static const Catalog catalog = Catalog::embedded();
  return catalog;
}

inline AcceleratorSpec catalog_accelerator(const std::string& name) {
  return accelerator_from_catalog(test_catalog(), name);
}

}  // namespace aidc::test
