#include "core/cli/cli_errors.hpp"

#include <iostream>

#include <nlohmann/json.hpp>

namespace aidc {

namespace {

// A command-line option names itself in `file` ("--model") and has no JSON path.
bool is_option(const InputProblem& p) { return p.file.rfind("--", 0) == 0 && p.json_path.empty(); }

std::string problem_text(const InputProblem& p) {
  return is_option(p) ? p.file + ": got " + p.value + "; expected " + p.expected : format_problem(p);
}

void print_json_error(const char* kind, const std::string& message, const nlohmann::json& problems) {
  std::cout << nlohmann::json{{"error", {{"kind", kind}, {"message", message}, {"problems", problems}}}}.dump(2)
            << '\n';
}

}  // namespace

int report_bad_input(const BadInput& e) {
  std::cerr << "aidcsim: bad input (" << e.problems().size() << " problem" << (e.problems().size() == 1 ? "" : "s")
            << "):\n";
  for (const auto& p : e.problems()) std::cerr << "  " << problem_text(p) << '\n';
  return kExitBadInput;
}

int report_internal_error(const std::exception& e) {
  std::cerr << "aidcsim: internal error: " << e.what() << '\n';
  return kExitInternal;
}

void report_json_error(const std::string& message) {
  print_json_error("bad_input", message, nlohmann::json::array());
}

int report_error(const std::exception_ptr& ep, bool json) {
  try {
    std::rethrow_exception(ep);
  } catch (const Refused& e) {
    std::cerr << "aidcsim: bad input: " << e.what() << '\n';
    if (json) print_json_error("bad_input", e.what(), nlohmann::json::array());
    return kExitBadInput;
  } catch (const BadInput& e) {
    if (json) {
      nlohmann::json problems = nlohmann::json::array();
      std::string message;
      for (const auto& p : e.problems()) {
        problems.push_back({{"where", p.file}, {"json_path", p.json_path}, {"value", p.value},
                            {"expected", p.expected}, {"text", problem_text(p)}});
        message += (message.empty() ? "" : "; ") + problem_text(p);
      }
      print_json_error("bad_input", message, problems);
    }
    return report_bad_input(e);
  } catch (const std::exception& e) {
    if (json) print_json_error("internal", e.what(), nlohmann::json::array());
    return report_internal_error(e);
  } catch (...) {
    std::cerr << "aidcsim: internal error: unknown exception\n";
    if (json) print_json_error("internal", "unknown exception", nlohmann::json::array());
    return kExitInternal;
  }
}

}  // namespace aidc
