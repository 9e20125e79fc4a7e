#pragma once
// Runs a program through the shell, as a user would, with its stdout and stderr captured to files in a test's
// temporary directory, and gives back the exit code and both texts.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace aidc::test {

struct CommandResult {
  int exit_code = -1;  // -1 when the program did not exit normally (killed by a signal)
  std::string out, err;
  std::string command;
};

// POSIX shell quoting: the argument as one word, whatever it holds.
inline std::string shell_quote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

inline CommandResult run_command(const std::filesystem::path& program, const std::vector<std::string>& args,
                                 const TempDir& dir) {
  CommandResult r;
  r.command = shell_quote(program.string());
  for (const auto& a : args) r.command += ' ' + shell_quote(a);
  const auto out = dir / "command.stdout", err = dir / "command.stderr";
  const int status =
      std::system((r.command + " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string())).c_str());
  r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace aidc::test
