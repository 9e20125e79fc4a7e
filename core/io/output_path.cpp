#include "core/io/output_path.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "core/io/text_file.hpp"
#include "core/scenario/input_error.hpp"

namespace aidc {

namespace fs = std::filesystem;

namespace {

// Assumption, measured on this repository's example scenarios (4 replications of 8760 h, shuffle + gzip 4,
// core/io/results_layout.hpp): the hourly site and fleet series are stored in 39 % to 51 % of their 8 bytes per
// value (default.json 46 %, tokyo-40mw-b200-mixed 39 %, riyadh-50mw-gb200-liquid 51 %). The estimate takes 55 %,
// to leave some room for series that compress worse.
constexpr std::uintmax_t kSeriesStoredPercent = 55;
// Assumption, from the same runs: /events holds up to 4.2 events per replication-hour (default.json's 100 MW fleet
// of H100 nodes; node failures and repairs dominate, so bigger fleets emit more), stored in 13 to 15 bytes each
// (72-byte rows, shuffle + gzip). The estimate takes 5 events of 16 bytes per replication-hour.
constexpr std::uintmax_t kEventsPerReplicationHour = 5;
constexpr std::uintmax_t kEventStoredBytes = 16;
// Assumption: what a run writes once, whatever its replications (/inputs, /kpis, /claims, /perf and the other
// tables, HDF5's own metadata): 3.5 MB in default.json, most of it its workloads' /perf configuration tables.
// The estimate allows 8 MB.
constexpr std::uintmax_t kTablesBytes = 8'000'000;

std::uintmax_t saturating_mul(std::uintmax_t a, std::uintmax_t b) {
  constexpr std::uintmax_t kMax = std::numeric_limits<std::uintmax_t>::max();
  if (a != 0 && b > kMax / a) return kMax;
  return a * b;
}

std::uintmax_t saturating_add(std::uintmax_t a, std::uintmax_t b) {
  constexpr std::uintmax_t kMax = std::numeric_limits<std::uintmax_t>::max();
  return b > kMax - a ? kMax : a + b;
}

bool same_path(const fs::path& a, const fs::path& b) {
  std::error_code ec_a, ec_b;
  if (fs::exists(a, ec_a) && fs::exists(b, ec_b)) {
    std::error_code ec;
    const bool same = fs::equivalent(a, b, ec);
    if (!ec) return same;
  }
  // Not both there: compare the paths once made absolute, with symbolic links of the existing part resolved.
  std::error_code ec1, ec2;
  const fs::path ca = fs::weakly_canonical(fs::absolute(a, ec1), ec1);
  const fs::path cb = fs::weakly_canonical(fs::absolute(b, ec2), ec2);
  if (ec1 || ec2) return a.lexically_normal() == b.lexically_normal();
  return ca == cb;
}

// Creates and removes a file beside `output`, which is what the results writer will do with its temporary file:
// the one sure test that the folder takes new files (permissions, ACLs, read-only mounts, quotas). The name follows
// the writer's temporary names, so a probe orphaned by a kill is swept like them (core/io/temp_files.hpp).
int probe_create(const fs::path& output) {
  fs::path probe = output;
  probe += ".tmp-" + std::to_string(::getpid()) + "-probe";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      ::unlink(probe.c_str());
      return 0;
    }
    if (errno != EEXIST) return errno;
    ::unlink(probe.c_str());  // this process's own leftover
  }
  return EEXIST;
}

}  // namespace

void check_output_path(const fs::path& output, std::span<const fs::path> inputs, const std::string& option) {
  const std::string label = output.string();
  const auto refuse = [&](const std::string& value, const std::string& expected) {
    throw BadInput(label, option, value, expected);
  };
  const std::string wanted = "a results file path (HDF5) in a writable folder";
  if (output.empty()) refuse("\"\"", wanted);
  if (!output.has_filename()) refuse("a folder (" + label + ")", "a file name, e.g. " + (output / "results.h5").string());

  for (const fs::path& input : inputs) {
    if (!input.empty() && same_path(output, input)) {
      refuse("an input of this run (" + input.string() + ")",
             "a results file other than the inputs, which it would overwrite");
    }
  }

  std::error_code ec;
  const fs::file_status st = fs::status(output, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    // rename() would replace whatever is there: a device node, a FIFO, an empty folder.
    refuse(describe_non_regular(output), "a regular file or a new name (what is there would be replaced)");
  }

  const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  const fs::file_status fst = fs::status(folder, ec);
  if (!fs::exists(fst)) refuse("folder " + folder.string() + " does not exist", wanted);
  if (!fs::is_directory(fst)) refuse(folder.string() + " is not a folder", wanted);
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    refuse("folder " + folder.string() + " is not writable (" + std::strerror(errno) + ")", wanted);
  }
  if (const int error = probe_create(output); error != 0) {
    refuse("cannot create a file in " + folder.string() + " (" + std::strerror(error) + ")", wanted);
  }
}

std::uintmax_t ResultsSizeEstimate::total_bytes() const {
  return saturating_add(saturating_add(series_bytes, events_bytes), tables_bytes);
}

ResultsSizeEstimate estimate_results_size(std::uintmax_t replications, std::uintmax_t horizon_h,
                                          std::uintmax_t series_count, std::uintmax_t event_replications) {
  ResultsSizeEstimate e;
  const std::uintmax_t values = saturating_mul(saturating_mul(replications, horizon_h), series_count);
  e.series_bytes = saturating_mul(values, sizeof(double)) / 100 * kSeriesStoredPercent;
  const std::uintmax_t events = saturating_mul(saturating_mul(event_replications, horizon_h), kEventsPerReplicationHour);
  e.events_bytes = saturating_mul(events, kEventStoredBytes);
  e.tables_bytes = kTablesBytes;
  return e;
}

std::string format_bytes(std::uintmax_t bytes) {
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000) return std::to_string(bytes) + " bytes";
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  value /= 1000.0;
  while (value >= 1000.0 && unit + 1 < std::size(kUnits)) {
    value /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.{}f} {}", value, value < 10.0 ? 1 : 0, kUnits[unit]);
}

void check_fits(const fs::path& output, const ResultsSizeEstimate& estimate, std::uintmax_t available_bytes,
                const std::string& option) {
  if (estimate.total_bytes() <= available_bytes) return;
  const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  throw BadInput(output.string(), option,
                 "a results file of about " + format_bytes(estimate.total_bytes()) + " (series " +
                     format_bytes(estimate.series_bytes) + ", events " + format_bytes(estimate.events_bytes) +
                     ", tables " + format_bytes(estimate.tables_bytes) + ") with " + format_bytes(available_bytes) +
                     " free in " + folder.string(),
                 "a run whose results fit on the disk: fewer --replications, --events-for N to keep the events of "
                 "N replications only, or -o on a disk with more room");
}

void check_free_space(const fs::path& output, const ResultsSizeEstimate& estimate, const std::string& option) {
  const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  std::error_code ec;
  const fs::space_info space = fs::space(folder, ec);
  if (ec || space.available == static_cast<std::uintmax_t>(-1)) return;
  check_fits(output, estimate, space.available, option);
}

}  // namespace aidc
