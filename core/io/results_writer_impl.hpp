#pragma once
// Internal to the results writer (results_writer.cpp, results_writer_create.cpp): the writer's state and the
// helpers both files use. Not part of core/io's interface.

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <fcntl.h>
#include <unistd.h>
#include "core/io/chunk_writer.hpp"
#include "core/io/h5_handle.hpp"
#include "core/io/named_table_writer.hpp"
#include "core/io/results_layout.hpp"
#include "core/io/temp_files.hpp"
#include "core/io/results_writer.hpp"

namespace aidc {

namespace results_writer_detail {

using layout::EventRow;
using layout::KpiRowFixed;

// Copies text into a NUL-terminated fixed-width field, cutting it to N - 1 bytes at a UTF-8 boundary.
template <std::size_t N>
inline void copy_fixed(char (&dst)[N], std::string_view text) {
  const std::string_view cut = h5::truncate_utf8(text, N - 1);
  std::memset(dst, 0, N);
  std::memcpy(dst, cut.data(), cut.size());
}

// The file type drops the padding the compiler put between fields: smaller files, and readers see exactly the
// declared columns. HDF5 converts between the padded memory layout and the packed file layout on each write.
inline h5::Datatype packed_copy(hid_t memory_type, std::string_view object) {
  h5::Datatype file_type(h5::check_id(H5Tcopy(memory_type), "H5Tcopy", object));
  h5::check(H5Tpack(file_type.get()), "H5Tpack", object);
  return file_type;
}

// Forces the data to disk. Without it, a power cut shortly after rename() can leave the final name pointing at a
// file whose blocks never reached the disk: exactly the complete-looking partial file the rename is meant to avoid.
inline void sync_path(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open for fsync: " + path.string());
  const int rc = ::fsync(fd);
  const int saved_errno = errno;
  ::close(fd);
  // Some file systems cannot fsync a directory (EINVAL); the data itself is already safe then.
  if (rc != 0 && !(directory && saved_errno == EINVAL)) {
    throw std::system_error(saved_errno, std::generic_category(), "fsync: " + path.string());
  }
}

// Chunks queued for compression before the oldest is stored: about 32 MiB of raw data, roughly one batch of a
// site-year run (27 series and the events of 8 replications), so compression overlaps with the simulation of the
// next batch. A constant, not the thread count, so that the file's bytes do not depend on the thread count.
inline constexpr std::size_t kMaxChunksInFlight = 32;

inline void fill_doubles(std::vector<unsigned char>& bytes, double value) {
  for (std::size_t i = 0; i + sizeof(double) <= bytes.size(); i += sizeof(double)) {
    std::memcpy(bytes.data() + i, &value, sizeof(double));
  }
}

}  // namespace results_writer_detail

using results_writer_detail::kMaxChunksInFlight;

struct ResultsWriter::Impl {
  enum class State { open, closed, committed };

  // A band of one series: the chunk.rows rows that share a row of chunks. Rows are gathered here until all have
  // arrived, then cut into chunks and queued; memory is freed as soon as the band is queued.
  struct PendingBand {
    std::vector<unsigned char> values;  // chunk.rows x T doubles, NaN where no row has arrived yet
    std::vector<bool> written;
    std::size_t rows_written = 0;
  };
  enum class BandState : unsigned char { untouched, pending, stored };
  struct SeriesChunks {
    std::vector<BandState> bands;
    std::map<std::size_t, PendingBand> pending;
  };

  // Byte offsets of the /events columns in the packed file type, and the packed row size.
  struct EventFileLayout {
    std::size_t replication = 0, time_s = 0, kind = 0, component = 0, id = 0, duration_s = 0, value = 0;
    std::size_t row_bytes = 0;
  };

  std::filesystem::path final_path;
  std::filesystem::path tmp_path;
  std::optional<RemoveOnSignal> remove_on_signal;  // SIGINT/SIGTERM remove tmp_path until the rename
  std::string file_label;  // the temporary path, prefixed to object names in error messages
  State state = State::open;

  std::size_t steps = 0;  // T
  int replications = 0;   // R
  std::vector<SeriesInfo> series;
  std::vector<std::string> event_kind_names;

  h5::File file;
  h5::Group inputs_group;
  h5::Group timeseries_group;
  std::vector<h5::Dataset> series_datasets;
  h5::Dataset events;
  h5::Dataset kpis;
  h5::Datatype event_mem_type;
  h5::Datatype kpi_mem_type;
  bool inputs_written = false;

  bool direct = true;  // ResultsWriterOptions::direct_chunk_writes
  layout::Chunk2 series_chunk{1, 1};
  bool series_chunked = false;
  std::vector<SeriesChunks> series_chunks;
  EventFileLayout event_layout;
  unsigned long long event_chunk_rows = 1;
  std::vector<unsigned char> event_buffer;  // up to event_chunk_rows packed rows not yet queued
  std::size_t event_buffered_rows = 0;
  hsize_t event_rows = 0;  // rows in /events (its extent)
  h5::ChunkWriter chunk_writer{static_cast<int>(layout::kGzipLevel), kMaxChunksInFlight};

  std::string label(std::string_view object) const { return file_label + ":" + std::string(object); }

  void check_event(const EventRecord& e, std::size_t i) const {
    if (e.replication < 0 || e.replication >= replications) {
      throw std::out_of_range("ResultsWriter::write_events: event " + std::to_string(i) + " has replication " +
                              std::to_string(e.replication) + ", outside [0, " + std::to_string(replications) +
                              ")");
    }
    if (e.kind < 0 || static_cast<std::size_t>(e.kind) >= event_kind_names.size()) {
      throw std::out_of_range("ResultsWriter::write_events: event " + std::to_string(i) + " has kind " +
                              std::to_string(e.kind) + ", outside the " + std::to_string(event_kind_names.size()) +
                              " declared kinds");
    }
  }

  void require_open(std::string_view operation) const {
    if (state != State::open) {
      throw std::logic_error("ResultsWriter: " + std::string(operation) + " after commit (or a failed commit) of " +
                             final_path.string());
    }
  }

  // Closes every identifier, innermost first. With `checked`, a failure throws (commit); without, it is ignored
  // (destructor).
  void close_all(bool checked) {
    auto close_one = [&](auto& handle, std::string_view object) {
      if (checked) handle.close(label(object));
      else handle.reset();
    };
    for (std::size_t i = 0; i < series_datasets.size(); ++i) {
      close_one(series_datasets[i], "/timeseries/" + series[i].name);
    }
    close_one(events, "/events");
    close_one(kpis, "/kpis");
    close_one(event_mem_type, "/events memory type");
    close_one(kpi_mem_type, "/kpis memory type");
    close_one(timeseries_group, "/timeseries");
    close_one(inputs_group, "/inputs");
    close_one(file, "/");
  }

  void create(const RunMetadata& meta, std::span<const double> time_s);
  void create_root_attributes(const RunMetadata& meta);
  void create_timeseries(std::span<const double> time_s);
  void create_events();
  void create_kpis();
  h5::Dataset create_table(const char* name, hid_t file_type, std::size_t row_bytes);
  void write_series_rows_plain(std::size_t series_index, hsize_t first, hsize_t count, const double* values);
  void buffer_series_row(std::size_t series_index, std::size_t row, const double* values);
  void queue_band(std::size_t series_index, std::size_t band, PendingBand& pending);
  void queue_event_chunk();
  void finish_chunks();
  void append_rows(h5::Dataset& dataset, std::string_view object, hid_t mem_type, const void* rows,
                   std::size_t count);

  ~Impl() {
    if (state == State::committed) return;
    // The file is deleted anyway: truncating it first gives back its disk space, so that the metadata HDF5 still
    // flushes on closing finds room even when a full disk is why we got here. A close that fails leaves HDF5 (1.10)
    // with an identifier to a file it has already torn down, which it closes again at exit: a crash in
    // H5F__close_cb after the error was reported.
    (void)::truncate(tmp_path.c_str(), 0);
    close_all(false);
    std::error_code ignored;
    std::filesystem::remove(tmp_path, ignored);
  }
};

}  // namespace aidc
