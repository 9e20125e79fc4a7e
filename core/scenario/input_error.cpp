#include "core/scenario/input_error.hpp"

namespace aidc {

std::string format_problem(const InputProblem& p) {
  std::string line = p.file.empty() ? std::string("<input>") : p.file;
  line += ": ";
  line += p.json_path.empty() ? std::string("(document)") : p.json_path;
  line += ": ";
  line += p.value.empty() ? std::string("missing") : "got " + p.value;
  line += "; expected " + p.expected;
  return line;
}

std::string format_warning(const InputWarning& w) {
  std::string line = w.file.empty() ? std::string("<input>") : w.file;
  line += ": ";
  line += w.json_path.empty() ? std::string("(document)") : w.json_path;
  line += ": ";
  if (!w.value.empty()) line += w.value + ": ";
  line += w.message;
  return line;
}

void InputProblems::throw_if_any() const {
  if (!problems_.empty()) throw BadInput(problems_);
}

namespace {
std::string join_problems(const std::vector<InputProblem>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += '\n';
    text += format_problem(p);
  }
  return text;
}
}  // namespace

BadInput::BadInput(std::vector<InputProblem> problems)
    : std::runtime_error(join_problems(problems)), problems_(std::move(problems)) {}

BadInput::BadInput(const std::string& file, const std::string& json_path, const std::string& value,
                   const std::string& expected)
    : BadInput(std::vector<InputProblem>{{file, json_path, value, expected}}) {}

}  // namespace aidc
