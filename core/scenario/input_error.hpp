#pragma once
// Bad input is reported, never crashed on: every problem found in one pass is collected with the file, the JSON
// path (RFC 6901 pointer, e.g. /site/grid/capacity_mw), the offending value and what was expected; the command
// line prints them all and exits with code 2.

#include <stdexcept>
#include <string>
#include <vector>

namespace aidc {

struct InputProblem {
  std::string file;
  std::string json_path;  // "" for the whole document
  std::string value;      // the offending value as written (JSON text), "" when missing
  std::string expected;   // what would have been accepted
};

// Legal but implausible input (a grid below the site's design power, a value orders of magnitude from the
// catalog's): the run goes on, and the warning is printed on stderr and stored in the results file (/warnings).
struct InputWarning {
  std::string file;
  std::string json_path;  // "" for the whole document
  std::string value;      // the value as written (JSON text), "" when not one value
  std::string message;    // why it is implausible and what it does to the results
};

// One line per problem: "<file>: <json_path>: got <value>; expected <expected>".
std::string format_problem(const InputProblem& p);
// One line per warning: "<file>: <json_path>: <value>: <message>".
std::string format_warning(const InputWarning& w);

class InputProblems {
 public:
  void add(InputProblem p) { problems_.push_back(std::move(p)); }
  void add(const std::string& file, const std::string& json_path, const std::string& value,
           const std::string& expected) {
    problems_.push_back({file, json_path, value, expected});
  }
  bool empty() const { return problems_.empty(); }
  std::size_t size() const { return problems_.size(); }
  const std::vector<InputProblem>& all() const { return problems_; }
  // Throws BadInput when any problem was collected.
  void throw_if_any() const;

  void warn(const std::string& file, const std::string& json_path, const std::string& value,
            const std::string& message) {
    warnings_.push_back({file, json_path, value, message});
  }
  const std::vector<InputWarning>& warnings() const { return warnings_; }

 private:
  std::vector<InputProblem> problems_;
  std::vector<InputWarning> warnings_;
};

// Thrown for input the user must fix (exit code 2).
class BadInput : public std::runtime_error {
 public:
  explicit BadInput(std::vector<InputProblem> problems);
  BadInput(const std::string& file, const std::string& json_path, const std::string& value,
           const std::string& expected);
  const std::vector<InputProblem>& problems() const { return problems_; }

 private:
  std::vector<InputProblem> problems_;
};

}  // namespace aidc
