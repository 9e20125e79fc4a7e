#include "core/cli/report_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/cli/cli_errors.hpp"

#ifndef AIDCSIM_VISUALIZE_DIR
#error "AIDCSIM_VISUALIZE_DIR (the source tree's visualize/ folder) must be defined by the build"
#endif

namespace aidc {
namespace {

// The folder holding the aidcsim_report package: $AIDCSIM_VISUALIZE_DIR, else the source tree's visualize/ that
// this binary was built from.
std::filesystem::path visualize_dir() {
  const char* env = std::getenv("AIDCSIM_VISUALIZE_DIR");
  return (env != nullptr && *env != '\0') ? std::filesystem::path(env) : std::filesystem::path(AIDCSIM_VISUALIZE_DIR);
}

// Debian's interpreter, where the python3-* packages the report needs are installed, unless $AIDCSIM_PYTHON names
// another; a python3 found first on PATH (pyenv, a virtual environment) usually lacks them.
std::string python_program() {
  const char* env = std::getenv("AIDCSIM_PYTHON");
  if (env != nullptr && *env != '\0') return env;
  if (access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

}  // namespace

int run_report_command(int argc, char** argv) {
  const std::filesystem::path dir = visualize_dir();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / "aidcsim_report" / "__main__.py", ec)) {
    std::cerr << "aidcsim report: the report package is not at " << (dir / "aidcsim_report").string()
              << "; set AIDCSIM_VISUALIZE_DIR to the visualize/ folder of the aidcsim sources\n";
    return kExitInternal;
  }
  const char* old_path = std::getenv("PYTHONPATH");
  std::string python_path = dir.string();
  if (old_path != nullptr && *old_path != '\0') python_path += std::string(":") + old_path;
  setenv("PYTHONPATH", python_path.c_str(), 1);
  setenv("MPLBACKEND", "Agg", 1);  // no display: matplotlib draws to SVG only

  const std::string python = python_program();
  std::vector<std::string> words{python, "-m", "aidcsim_report"};
  for (int i = 0; i < argc; ++i) words.emplace_back(argv[i]);
  std::vector<char*> exec_argv;
  for (std::string& w : words) exec_argv.push_back(w.data());
  exec_argv.push_back(nullptr);
  std::cout.flush();
  execvp(python.c_str(), exec_argv.data());
  std::cerr << "aidcsim report: cannot start " << python << ": " << std::strerror(errno)
            << "; install Debian's python3 (bash tools/deps.sh) or set AIDCSIM_PYTHON\n";
  return kExitInternal;
}

}  // namespace aidc
