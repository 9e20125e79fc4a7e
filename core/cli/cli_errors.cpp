#include "core/cli/cli_errors.hpp"

#include <iostream>

namespace aidc {

int report_bad_input(const BadInput& e) {
  std::cerr << "aidcsim: bad input (" << e.problems().size() << " problem" << (e.problems().size() == 1 ? "" : "s")
            << "):\n";
  for (const auto& p : e.problems()) std::cerr << "  " << format_problem(p) << '\n';
  return kExitBadInput;
}

int report_internal_error(const std::exception& e) {
  std::cerr << "aidcsim: internal error: " << e.what() << '\n';
  return kExitInternal;
}

}  // namespace aidc
