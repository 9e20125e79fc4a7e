#pragma once
// The results file's path and size, checked before any replication runs, so that a run that cannot end well is
// refused at once (exit code 2) instead of failing after the simulation, or worse: overwriting the scenario it
// read, replacing a device node such as /dev/null by an HDF5 file (rename() replaces whatever is at the name), or
// filling the disk with a file of hundreds of GB.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace aidc {

// Throws BadInput (file = `output`, JSON path = `option`, e.g. "-o") when `output`
//   - is empty or names a folder ("out/"),
//   - is one of `inputs` (the same file, hard links included, or the same path once normalized),
//   - exists and is not a regular file (a folder, a FIFO, a device),
//   - lies in a folder that is missing, is not a folder, or where this process cannot create a file (read-only
//     folder or file system; tried for real with a probe file that is removed at once).
void check_output_path(const std::filesystem::path& output, std::span<const std::filesystem::path> inputs,
                       const std::string& option = "-o");

// What a run's results file will take on disk, roughly: its series, its events, and the tables written once.
struct ResultsSizeEstimate {
  std::uintmax_t series_bytes = 0;
  std::uintmax_t events_bytes = 0;
  std::uintmax_t tables_bytes = 0;  // /inputs, /perf, /kpis and the other tables: an allowance, the same for all
  std::uintmax_t total_bytes() const;  // saturates
};

// The stored size of `series_count` float64 series of replications x horizon_h values, compressed, and of the
// events of `event_replications` replications, and an allowance for the rest (see output_path.cpp for the assumed
// compression, event rate and allowance).
// Saturates instead of overflowing.
ResultsSizeEstimate estimate_results_size(std::uintmax_t replications, std::uintmax_t horizon_h,
                                          std::uintmax_t series_count, std::uintmax_t event_replications);

// Throws BadInput (file = `output`, JSON path = `option`) when `estimate` exceeds `available_bytes`; the message
// gives both numbers and what to do (--events-for, fewer replications, another folder).
void check_fits(const std::filesystem::path& output, const ResultsSizeEstimate& estimate,
                std::uintmax_t available_bytes, const std::string& option = "-o");

// check_fits() against the space free to this process in the folder of `output` (std::filesystem::space); nothing
// is checked when the file system does not say.
void check_free_space(const std::filesystem::path& output, const ResultsSizeEstimate& estimate,
                      const std::string& option = "-o");

// "1.5 GB", "320 MB", "12 kB", "512 bytes": decimal units, as df -H and file managers show them.
std::string format_bytes(std::uintmax_t bytes);

}  // namespace aidc
