#pragma once
// The results writer's temporary files (<final>.tmp-<pid>-<n>, beside the final file) must not outlive the run
// that made them: a writer destroyed without commit removes its own (results_writer.cpp), these cover the rest.
//   - SIGINT, SIGTERM and SIGHUP: a handler removes every registered temporary file (unlink() only: it is
//     async-signal-safe), then lets the signal kill the process as it would have (default action, re-raised), so
//     the exit status still says "killed by SIGTERM".
//   - SIGKILL, a power cut, a crash: nothing runs, so the next writer in that folder removes the temporaries of
//     processes that no longer run (sweep_stale_temporaries).

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace aidc {

// A fresh temporary name for `final_path`: final_path + ".tmp-<pid>-<n>", n counting up within the process, so
// two writers of one process, or of two processes, never share one.
std::filesystem::path make_temporary_path(const std::filesystem::path& final_path);

// The pid in a temporary file's name "<name>.tmp-<pid>-<anything>"; nullopt for any other name.
std::optional<pid_t> temporary_owner(std::string_view filename);

// Removes, in `folder`, the regular files named like a temporary of a process that no longer runs (kill(pid, 0)
// fails with ESRCH) and holding an HDF5 file (its signature at offset 0), or empty and named after `final_name`
// (an aborted start or probe). Other files, and the temporaries of running processes, are left alone. Returns the
// paths removed. Never throws: a folder it cannot list or a file it cannot remove is skipped.
std::vector<std::filesystem::path> sweep_stale_temporaries(const std::filesystem::path& folder,
                                                           const std::filesystem::path& final_name);

// While alive, `path` is removed if the process gets SIGINT, SIGTERM or SIGHUP. The handlers are installed on the
// first registration, for the signals whose action is then the default one (a signal the caller ignores, such as
// SIGHUP under nohup, or handles itself stays so). At most kMaxRegistered paths at a time; more are not covered.
class RemoveOnSignal {
 public:
  static constexpr int kMaxRegistered = 16;
  explicit RemoveOnSignal(const std::filesystem::path& path) noexcept;
  ~RemoveOnSignal();
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;
  // Stops covering the path (after it was renamed away, say).
  void release() noexcept;

 private:
  int slot_ = -1;
};

}  // namespace aidc
