#pragma once
// How every aidcsim command ends on an error: bad input (exit 2) printed problem by problem with file, JSON path,
// value and expectation; anything else an internal error (exit 1). On stderr as text; a command run with --json
// also prints the error on stdout as {"error": {"kind", "message", "problems": [...]}}, so that a script reading
// the JSON gets an object either way.

#include <exception>
#include <stdexcept>

#include "core/scenario/input_error.hpp"

namespace aidc {

inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// Bad input whose reason is one sentence in numbers, with no file or JSON path (a refused command-line request).
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Print on stderr and return the exit code.
int report_bad_input(const BadInput& e);
int report_internal_error(const std::exception& e);

// The error `e` (BadInput, Refused or any other exception) reported as above; with `json` also on stdout.
int report_error(const std::exception_ptr& e, bool json);

// A command-line parse error of a --json command, on stdout as above (the text is CLI11's, on stderr).
void report_json_error(const std::string& message);

// Runs a command's body and reports whatever it throws (report_error).
template <class F>
int guarded(bool json, F&& body) {
  try {
    return body();
  } catch (...) {
    return report_error(std::current_exception(), json);
  }
}

}  // namespace aidc
