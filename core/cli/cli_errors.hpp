#pragma once
// How every aidcsim command ends on an error: bad input (exit 2) printed problem by problem with file, JSON path,
// value and expectation; anything else an internal error (exit 1).

#include <exception>

#include "core/scenario/input_error.hpp"

namespace aidc {

inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// Print on stderr and return the exit code.
int report_bad_input(const BadInput& e);
int report_internal_error(const std::exception& e);

}  // namespace aidc
