#include "core/io/results_writer.hpp"

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
#include "core/io/results_layout.hpp"
#include "core/io/temp_files.hpp"

namespace aidc {

namespace {

using layout::EventRow;
using layout::KpiRowFixed;

// Copies text into a NUL-terminated fixed-width field, cutting it to N - 1 bytes at a UTF-8 boundary.
template <std::size_t N>
void copy_fixed(char (&dst)[N], std::string_view text) {
  const std::string_view cut = h5::truncate_utf8(text, N - 1);
  std::memset(dst, 0, N);
  std::memcpy(dst, cut.data(), cut.size());
}

// The file type drops the padding the compiler put between fields: smaller files, and readers see exactly the
// declared columns. HDF5 converts between the padded memory layout and the packed file layout on each write.
h5::Datatype packed_copy(hid_t memory_type, std::string_view object) {
  h5::Datatype file_type(h5::check_id(H5Tcopy(memory_type), "H5Tcopy", object));
  h5::check(H5Tpack(file_type.get()), "H5Tpack", object);
  return file_type;
}

// Forces the data to disk. Without it, a power cut shortly after rename() can leave the final name pointing at a
// file whose blocks never reached the disk: exactly the complete-looking partial file the rename is meant to avoid.
void sync_path(const std::filesystem::path& path, bool directory) {
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
constexpr std::size_t kMaxChunksInFlight = 32;

void fill_doubles(std::vector<unsigned char>& bytes, double value) {
  for (std::size_t i = 0; i + sizeof(double) <= bytes.size(); i += sizeof(double)) {
    std::memcpy(bytes.data() + i, &value, sizeof(double));
  }
}

void validate_name(const std::string& name, std::string_view what) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    throw std::invalid_argument("ResultsWriter: " + std::string(what) + " name '" + name +
                                "' must be non-empty, not '.', and contain no '/'");
  }
}

}  // namespace

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

void ResultsWriter::Impl::create(const RunMetadata& meta, std::span<const double> time_s) {
  // SEMI: H5Fclose fails while any object is still open, instead of quietly deferring the close. commit() then
  // cannot rename a file that HDF5 has not finished writing.
  h5::PropList fapl(h5::check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", label("file access")));
  h5::check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", label("file access"));
  file = h5::File(h5::check_id(H5Fcreate(tmp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), "H5Fcreate",
                               tmp_path.string()));

  create_root_attributes(meta);
  inputs_group = h5::Group(h5::check_id(H5Gcreate2(file.get(), "inputs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                        "H5Gcreate2", label("/inputs")));
  create_timeseries(time_s);
  create_events();
  create_kpis();
}

void ResultsWriter::Impl::create_root_attributes(const RunMetadata& meta) {
  const hid_t root = file.get();
  const std::string object = label("/");
  h5::write_string_attribute(root, "schema", layout::kSchema, object);
  h5::write_scalar_attribute<std::int32_t>(root, "schema_version", layout::kSchemaVersion, object);
  h5::write_string_attribute(root, "software_version", meta.software_version, object);
  h5::write_string_attribute(root, "git_sha", meta.git_sha, object);
  h5::write_string_attribute(root, "created_utc", meta.created_utc, object);
  h5::write_scalar_attribute<std::uint64_t>(root, "seed", meta.seed, object);
  // The constructor's count is the one the series are shaped by, so it is the one recorded.
  h5::write_scalar_attribute<std::int32_t>(root, "replications", replications, object);
  h5::write_string_attribute(root, "backend", meta.backend, object);
  h5::write_string_attribute(root, "device", meta.device, object);
  h5::write_string_attribute(root, "scenario_name", meta.scenario_name, object);
}

void ResultsWriter::Impl::create_timeseries(std::span<const double> time_s) {
  timeseries_group = h5::Group(h5::check_id(
      H5Gcreate2(file.get(), "timeseries", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2",
      label("/timeseries")));

  {
    const std::string object = label("/timeseries/time_s");
    const hsize_t dims[1] = {static_cast<hsize_t>(steps)};
    const h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, nullptr), "H5Screate_simple", object));
    h5::Dataset ds(h5::check_id(H5Dcreate2(timeseries_group.get(), "time_s", H5T_IEEE_F64LE, space.get(),
                                           H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                "H5Dcreate2", object));
    if (steps > 0) {
      h5::check(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time_s.data()), "H5Dwrite",
                object);
    }
    h5::write_string_attribute(ds.get(), "units", "s", object);
    h5::write_string_attribute(ds.get(), "long_name", "time since the start of the simulation", object);
    ds.close(object);
  }

  const auto rows = static_cast<hsize_t>(replications);
  const auto cols = static_cast<hsize_t>(steps);
  const hsize_t dims[2] = {rows, cols};
  const layout::Chunk2 chunk = layout::series_chunk(rows, cols);
  series_chunk = chunk;
  series_chunked = rows > 0 && cols > 0;
  const std::size_t bands = series_chunked ? static_cast<std::size_t>((rows + chunk.rows - 1) / chunk.rows) : 0;
  series_chunks.assign(series.size(), SeriesChunks{std::vector<BandState>(bands, BandState::untouched), {}});

  // An unwritten block reads back as NaN, not as a plausible 0.0, so a replication the caller forgot is visible.
  const double fill = std::numeric_limits<double>::quiet_NaN();
  for (const SeriesInfo& info : series) {
    const std::string object = label("/timeseries/" + info.name);
    const h5::Dataspace space(h5::check_id(H5Screate_simple(2, dims, nullptr), "H5Screate_simple", object));
    h5::PropList dcpl(h5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", object));
    h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), "H5Pset_fill_value", object);
    // HDF5 cannot chunk an empty extent (chunk sizes must be positive); an empty series stays contiguous.
    if (rows > 0 && cols > 0) {
      const hsize_t chunk_dims[2] = {chunk.rows, chunk.cols};
      h5::check(H5Pset_chunk(dcpl.get(), 2, chunk_dims), "H5Pset_chunk", object);
      // Shuffle groups the bytes of neighbouring doubles (exponents together), which gzip then compresses far
      // better. Both filters are built into every HDF5, so any reader opens the file without plugins.
      h5::check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", object);
      h5::check(H5Pset_deflate(dcpl.get(), layout::kGzipLevel), "H5Pset_deflate", object);
    }
    h5::Dataset ds(h5::check_id(H5Dcreate2(timeseries_group.get(), info.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                           H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                "H5Dcreate2", object));
    h5::write_string_attribute(ds.get(), "units", info.units, object);
    h5::write_string_attribute(ds.get(), "long_name", info.long_name, object);
    series_datasets.push_back(std::move(ds));
  }
}

h5::Dataset ResultsWriter::Impl::create_table(const char* name, hid_t file_type, std::size_t row_bytes) {
  // Tables are extendible so that write_events/write_kpis can append (one call per replication, say), and exist
  // from the start with zero rows so that a run without events still has the /events a reader expects.
  const std::string object = label(std::string("/") + name);
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  const h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, max_dims), "H5Screate_simple", object));
  h5::PropList dcpl(h5::check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", object));
  const hsize_t chunk_dims[1] = {layout::table_chunk_rows(row_bytes)};
  h5::check(H5Pset_chunk(dcpl.get(), 1, chunk_dims), "H5Pset_chunk", object);
  h5::check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", object);
  h5::check(H5Pset_deflate(dcpl.get(), layout::kGzipLevel), "H5Pset_deflate", object);
  return h5::Dataset(h5::check_id(
      H5Dcreate2(file.get(), name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), "H5Dcreate2",
      object));
}

void ResultsWriter::Impl::create_events() {
  const std::string object = label("/events");
  // The kind column is an HDF5 enum: h5py, h5dump and HDFView show the names, and the stored integers stay
  // compact and sortable. Native int32 base: the memory and file representations agree on little-endian hosts.
  h5::Datatype kind_type(h5::check_id(H5Tenum_create(H5T_NATIVE_INT32), "H5Tenum_create", object));
  for (std::size_t i = 0; i < event_kind_names.size(); ++i) {
    const auto value = static_cast<std::int32_t>(i);
    h5::check(H5Tenum_insert(kind_type.get(), event_kind_names[i].c_str(), &value), "H5Tenum_insert",
              object + " kind '" + event_kind_names[i] + "'");
  }
  event_mem_type = layout::make_event_memory_type(kind_type.get(), object);
  const h5::Datatype file_type = packed_copy(event_mem_type.get(), object);
  events = create_table("events", file_type.get(), H5Tget_size(file_type.get()));

  // Direct chunk writes store rows in the packed file layout, which HDF5 would otherwise produce by converting each
  // row: the offsets come from the file type itself, so they follow whatever H5Tpack decided. Each member has the
  // same (native) type in memory and in the file, so converting is copying the bytes.
  const hid_t ft = file_type.get();
  auto field_offset = [&](const char* name, std::size_t bytes) {
    const int index = h5::check(H5Tget_member_index(ft, name), "H5Tget_member_index", object + " field " + name);
    const h5::Datatype member(
        h5::check_id(H5Tget_member_type(ft, static_cast<unsigned>(index)), "H5Tget_member_type", object));
    if (H5Tget_size(member.get()) != bytes) {
      throw std::logic_error("ResultsWriter: /events field " + std::string(name) + " is " +
                             std::to_string(H5Tget_size(member.get())) + " bytes in the file, " +
                             std::to_string(bytes) + " in memory");
    }
    return H5Tget_member_offset(ft, static_cast<unsigned>(index));
  };
  event_layout.replication = field_offset("replication", sizeof(std::int32_t));
  event_layout.time_s = field_offset("time_s", sizeof(double));
  event_layout.kind = field_offset("kind", sizeof(std::int32_t));
  event_layout.component = field_offset("component", layout::kComponentBytes);
  event_layout.id = field_offset("id", sizeof(std::int64_t));
  event_layout.duration_s = field_offset("duration_s", sizeof(double));
  event_layout.value = field_offset("value", sizeof(double));
  event_layout.row_bytes = H5Tget_size(ft);
  event_chunk_rows = layout::table_chunk_rows(event_layout.row_bytes);

  // Units as one string array aligned with the compound's fields, so in h5py
  // dict(zip(ds.dtype.names, ds.attrs["units"])) gives each column's units. "" marks a column that is not a
  // physical quantity; `value`'s units depend on the event kind and are documented by the model that emits it.
  std::vector<std::string> units(layout::kEventFields.size());
  for (std::size_t i = 0; i < layout::kEventFields.size(); ++i) units[i] = layout::kEventUnits[i];
  h5::write_string_array_attribute(events.get(), "units", units, object);
  h5::write_string_attribute(events.get(), "long_name", "discrete events of every replication", object);
}

void ResultsWriter::Impl::create_kpis() {
  const std::string object = label("/kpis");
  kpi_mem_type = layout::make_kpi_memory_type(object);
  const h5::Datatype file_type = packed_copy(kpi_mem_type.get(), object);
  kpis = create_table("kpis", file_type.get(), H5Tget_size(file_type.get()));
  h5::write_string_attribute(kpis.get(), "long_name",
                             "key performance indicators over replications; each row's units in its units column",
                             object);
}

void ResultsWriter::Impl::append_rows(h5::Dataset& dataset, std::string_view object, hid_t mem_type,
                                      const void* rows, std::size_t count) {
  if (count == 0) return;
  const std::string name = label(object);
  hsize_t old_rows = 0;
  {
    const h5::Dataspace space(h5::check_id(H5Dget_space(dataset.get()), "H5Dget_space", name));
    h5::check(H5Sget_simple_extent_dims(space.get(), &old_rows, nullptr), "H5Sget_simple_extent_dims", name);
  }
  const hsize_t added = count;
  const hsize_t new_rows = old_rows + added;
  h5::check(H5Dset_extent(dataset.get(), &new_rows), "H5Dset_extent", name);
  const h5::Dataspace file_space(h5::check_id(H5Dget_space(dataset.get()), "H5Dget_space", name));
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &old_rows, nullptr, &added, nullptr),
            "H5Sselect_hyperslab", name);
  const h5::Dataspace mem_space(h5::check_id(H5Screate_simple(1, &added, nullptr), "H5Screate_simple", name));
  h5::check(H5Dwrite(dataset.get(), mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, rows), "H5Dwrite",
            name);
}

void ResultsWriter::Impl::write_series_rows_plain(std::size_t series_index, hsize_t first, hsize_t count,
                                                  const double* values) {
  const std::string object = label("/timeseries/" + series[series_index].name);
  const hid_t ds = series_datasets[series_index].get();
  const h5::Dataspace file_space(h5::check_id(H5Dget_space(ds), "H5Dget_space", object));
  const hsize_t start[2] = {first, 0};
  const hsize_t block[2] = {count, static_cast<hsize_t>(steps)};
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr),
            "H5Sselect_hyperslab", object);
  const h5::Dataspace mem_space(h5::check_id(H5Screate_simple(2, block, nullptr), "H5Screate_simple", object));
  h5::check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, values), "H5Dwrite",
            object);
}

void ResultsWriter::Impl::buffer_series_row(std::size_t series_index, std::size_t row, const double* values) {
  SeriesChunks& sc = series_chunks[series_index];
  const std::size_t band = row / series_chunk.rows;
  if (sc.bands[band] == BandState::stored) {
    // A row written again after its chunk was queued: through HDF5, which reads the stored chunk back, changes the
    // row and compresses it again. Queued chunks are stored first so that HDF5 reads the current data.
    chunk_writer.drain();
    write_series_rows_plain(series_index, row, 1, values);
    return;
  }
  PendingBand& p = sc.pending[band];
  if (sc.bands[band] == BandState::untouched) {
    // Rows that never arrive, and the rows of an edge chunk beyond the last replication, hold the fill value, as
    // HDF5 fills every new chunk before writing into it.
    p.values.resize(static_cast<std::size_t>(series_chunk.rows) * steps * sizeof(double));
    fill_doubles(p.values, std::numeric_limits<double>::quiet_NaN());
    p.written.assign(static_cast<std::size_t>(series_chunk.rows), false);
    sc.bands[band] = BandState::pending;
  }
  const std::size_t in_band = row - band * static_cast<std::size_t>(series_chunk.rows);
  std::memcpy(p.values.data() + in_band * steps * sizeof(double), values, steps * sizeof(double));
  if (!p.written[in_band]) {
    p.written[in_band] = true;
    ++p.rows_written;
  }
  const std::size_t first_row = band * static_cast<std::size_t>(series_chunk.rows);
  const std::size_t band_rows =
      std::min(static_cast<std::size_t>(series_chunk.rows), static_cast<std::size_t>(replications) - first_row);
  if (p.rows_written == band_rows) {
    queue_band(series_index, band, p);
    sc.pending.erase(band);
  }
}

void ResultsWriter::Impl::queue_band(std::size_t series_index, std::size_t band, PendingBand& p) {
  series_chunks[series_index].bands[band] = BandState::stored;
  const std::string object = label("/timeseries/" + series[series_index].name);
  const hid_t ds = series_datasets[series_index].get();
  const auto first_row = static_cast<hsize_t>(band) * series_chunk.rows;
  if (series_chunk.cols == steps) {
    // Whole rows per chunk (the usual case): the band is the chunk.
    chunk_writer.submit(ds, {first_row, 0}, std::move(p.values), sizeof(double), object);
    return;
  }
  // Rows longer than a chunk: cut the band along time; the last chunk's columns beyond T hold the fill value.
  const std::size_t rows = static_cast<std::size_t>(series_chunk.rows);
  const std::size_t cols = static_cast<std::size_t>(series_chunk.cols);
  for (std::size_t c0 = 0; c0 < steps; c0 += cols) {
    const std::size_t width = std::min(cols, steps - c0);
    std::vector<unsigned char> chunk(rows * cols * sizeof(double));
    if (width < cols) fill_doubles(chunk, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t r = 0; r < rows; ++r) {
      std::memcpy(chunk.data() + r * cols * sizeof(double), p.values.data() + (r * steps + c0) * sizeof(double),
                  width * sizeof(double));
    }
    chunk_writer.submit(ds, {first_row, static_cast<hsize_t>(c0)}, std::move(chunk), sizeof(double), object);
  }
}

void ResultsWriter::Impl::queue_event_chunk() {
  if (event_buffered_rows == 0) return;
  const std::string object = label("/events");
  const hsize_t first = event_rows;
  const hsize_t new_rows = event_rows + event_buffered_rows;
  // The extent must cover the chunk before it is stored; a short last chunk is stored whole, its tail zero as in a
  // chunk HDF5 extends row by row.
  h5::check(H5Dset_extent(events.get(), &new_rows), "H5Dset_extent", object);
  event_rows = new_rows;
  event_buffer.resize(static_cast<std::size_t>(event_chunk_rows) * event_layout.row_bytes, 0);
  chunk_writer.submit(events.get(), {first}, std::move(event_buffer), event_layout.row_bytes, object);
  event_buffer = {};
  event_buffered_rows = 0;
}

// Queues what is still gathered (incomplete bands, the last events) and stores every queued chunk: before commit's
// flush, so that the file is complete when HDF5 closes it.
void ResultsWriter::Impl::finish_chunks() {
  if (!direct) return;
  for (std::size_t k = 0; k < series_chunks.size(); ++k) {
    for (auto& [band, pending] : series_chunks[k].pending) queue_band(k, band, pending);
    series_chunks[k].pending.clear();
  }
  queue_event_chunk();
  chunk_writer.drain();
}

ResultsWriter::ResultsWriter(const std::filesystem::path& final_path, const RunMetadata& meta,
                             std::span<const double> time_s, std::vector<SeriesInfo> series, int replications,
                             std::vector<std::string> event_kind_names, ResultsWriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  // Arguments are checked before anything touches the disk.
  if (final_path.empty() || !final_path.has_filename()) {
    throw std::invalid_argument("ResultsWriter: final path '" + final_path.string() + "' names no file");
  }
  if (replications < 1) {
    throw std::invalid_argument("ResultsWriter: replications must be at least 1, got " +
                                std::to_string(replications));
  }
  if (meta.replications != 0 && meta.replications != replications) {
    throw std::invalid_argument("ResultsWriter: metadata says " + std::to_string(meta.replications) +
                                " replications but the series are shaped for " + std::to_string(replications));
  }
  // Every reader plots and interpolates against time_s; a NaN or a step backwards would be a bug upstream.
  for (std::size_t i = 0; i < time_s.size(); ++i) {
    if (!std::isfinite(time_s[i]) || (i > 0 && !(time_s[i] > time_s[i - 1]))) {
      throw std::invalid_argument("ResultsWriter: time_s must be finite and strictly increasing; entry " +
                                  std::to_string(i) + " is " + std::to_string(time_s[i]));
    }
  }
  std::set<std::string> seen{"time_s"};
  for (const SeriesInfo& info : series) {
    validate_name(info.name, "series");
    if (!seen.insert(info.name).second) {
      throw std::invalid_argument("ResultsWriter: series name '" + info.name + "' is used twice (or is 'time_s')");
    }
  }
  std::set<std::string> kinds;
  for (const std::string& kind : event_kind_names) {
    if (kind.empty() || !kinds.insert(kind).second) {
      throw std::invalid_argument("ResultsWriter: event kind names must be non-empty and distinct ('" + kind + "')");
    }
  }
  const std::filesystem::path parent = final_path.parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    throw std::invalid_argument("ResultsWriter: directory '" + parent.string() + "' does not exist");
  }

  impl_->final_path = final_path;
  // Temporaries of runs killed with SIGKILL (or by a power cut) would otherwise pile up beside the output.
  (void)sweep_stale_temporaries(parent.empty() ? std::filesystem::path(".") : parent, final_path.filename());
  impl_->tmp_path = make_temporary_path(final_path);
  impl_->remove_on_signal.emplace(impl_->tmp_path);
  impl_->file_label = impl_->tmp_path.string();
  impl_->steps = time_s.size();
  impl_->replications = replications;
  impl_->series = std::move(series);
  impl_->event_kind_names = std::move(event_kind_names);
  impl_->direct = options.direct_chunk_writes;

  const h5::QuietErrors quiet;
  // If this throws, impl_ (already constructed) is destroyed on unwinding and removes the temporary file.
  impl_->create(meta, time_s);
}

ResultsWriter::~ResultsWriter() {
  if (impl_) {
    const h5::QuietErrors quiet;
    impl_.reset();
  }
}

void ResultsWriter::write_inputs(const std::string& scenario_json, const std::string& catalog_json) {
  Impl& w = *impl_;
  w.require_open("write_inputs");
  if (w.inputs_written) throw std::logic_error("ResultsWriter: write_inputs called twice");
  const h5::QuietErrors quiet;
  const h5::Datatype type = h5::make_vlen_utf8_type();
  auto write_text = [&](const char* name, const std::string& text) {
    const std::string object = w.label(std::string("/inputs/") + name);
    const h5::Dataspace space(h5::check_id(H5Screate(H5S_SCALAR), "H5Screate", object));
    h5::Dataset ds(h5::check_id(H5Dcreate2(w.inputs_group.get(), name, type.get(), space.get(), H5P_DEFAULT,
                                           H5P_DEFAULT, H5P_DEFAULT),
                                "H5Dcreate2", object));
    const char* data = text.c_str();
    h5::check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &data), "H5Dwrite", object);
    h5::write_string_attribute(ds.get(), "content_type", "application/json", object);
    ds.close(object);
  };
  write_text("scenario", scenario_json);
  write_text("catalog", catalog_json);
  w.inputs_written = true;
}

void ResultsWriter::write_series_block(std::size_t series_index, int first_replication, int count,
                                       std::span<const double> values) {
  Impl& w = *impl_;
  w.require_open("write_series_block");
  if (series_index >= w.series.size()) {
    throw std::out_of_range("ResultsWriter::write_series_block: series index " + std::to_string(series_index) +
                            " out of range (" + std::to_string(w.series.size()) + " series)");
  }
  const std::string& name = w.series[series_index].name;
  if (count < 0 || first_replication < 0 || first_replication > w.replications - count) {
    throw std::out_of_range("ResultsWriter::write_series_block: replications [" + std::to_string(first_replication) +
                            ", " + std::to_string(first_replication) + "+" + std::to_string(count) +
                            ") outside [0, " + std::to_string(w.replications) + ") for series '" + name + "'");
  }
  const std::size_t expected = static_cast<std::size_t>(count) * w.steps;
  if (values.size() != expected) {
    throw std::invalid_argument("ResultsWriter::write_series_block: series '" + name + "' needs count x T = " +
                                std::to_string(count) + " x " + std::to_string(w.steps) + " = " +
                                std::to_string(expected) + " values, got " + std::to_string(values.size()));
  }
  if (expected == 0) return;

  const h5::QuietErrors quiet;
  if (!w.direct || !w.series_chunked) {
    w.write_series_rows_plain(series_index, static_cast<hsize_t>(first_replication), static_cast<hsize_t>(count),
                              values.data());
    return;
  }
  for (int i = 0; i < count; ++i) {
    w.buffer_series_row(series_index, static_cast<std::size_t>(first_replication + i),
                        values.data() + static_cast<std::size_t>(i) * w.steps);
  }
}

void ResultsWriter::set_event_replications(int n) {
  Impl& w = *impl_;
  w.require_open("set_event_replications");
  h5::write_scalar_attribute(w.events.get(), "replications_with_events", static_cast<std::int64_t>(n),
                             w.label("/events"));
}

void ResultsWriter::write_events(std::span<const EventRecord> events) {
  Impl& w = *impl_;
  w.require_open("write_events");
  if (w.direct) {
    // Checked whole before any row is gathered, so that a bad event leaves the table as it was.
    for (std::size_t i = 0; i < events.size(); ++i) w.check_event(events[i], i);
    const h5::QuietErrors quiet;
    const Impl::EventFileLayout& f = w.event_layout;
    for (const EventRecord& e : events) {
      if (w.event_buffer.empty()) w.event_buffer.resize(static_cast<std::size_t>(w.event_chunk_rows) * f.row_bytes);
      unsigned char* row = w.event_buffer.data() + w.event_buffered_rows * f.row_bytes;
      char component[layout::kComponentBytes];
      copy_fixed(component, e.component);  // longer names are cut at a UTF-8 boundary (31 bytes)
      std::memcpy(row + f.replication, &e.replication, sizeof e.replication);
      std::memcpy(row + f.time_s, &e.time_s, sizeof e.time_s);
      std::memcpy(row + f.kind, &e.kind, sizeof e.kind);
      std::memcpy(row + f.component, component, sizeof component);
      std::memcpy(row + f.id, &e.id, sizeof e.id);
      std::memcpy(row + f.duration_s, &e.duration_s, sizeof e.duration_s);
      std::memcpy(row + f.value, &e.value, sizeof e.value);
      if (++w.event_buffered_rows == w.event_chunk_rows) w.queue_event_chunk();
    }
    return;
  }
  std::vector<EventRow> rows(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const EventRecord& e = events[i];
    w.check_event(e, i);
    EventRow& r = rows[i];
    r.replication = e.replication;
    r.time_s = e.time_s;
    r.kind = e.kind;
    copy_fixed(r.component, e.component);  // longer names are cut at a UTF-8 boundary (31 bytes)
    r.id = e.id;
    r.duration_s = e.duration_s;
    r.value = e.value;
  }
  const h5::QuietErrors quiet;
  w.append_rows(w.events, "/events", w.event_mem_type.get(), rows.data(), rows.size());
}

void ResultsWriter::write_kpis(std::span<const KpiRow> kpis) {
  Impl& w = *impl_;
  w.require_open("write_kpis");
  std::vector<KpiRowFixed> rows(kpis.size());
  for (std::size_t i = 0; i < kpis.size(); ++i) {
    const KpiRow& k = kpis[i];
    // The name is a key and the units give the numbers their meaning: cutting either would corrupt the table, so
    // they must fit. The long name is prose, and is cut to fit.
    if (k.name.empty() || k.name.size() >= layout::kKpiNameBytes) {
      throw std::invalid_argument("ResultsWriter::write_kpis: KPI name '" + k.name + "' must be 1 to " +
                                  std::to_string(layout::kKpiNameBytes - 1) + " bytes");
    }
    if (k.units.size() >= layout::kKpiUnitsBytes) {
      throw std::invalid_argument("ResultsWriter::write_kpis: units '" + k.units + "' of KPI '" + k.name +
                                  "' exceed " + std::to_string(layout::kKpiUnitsBytes - 1) + " bytes");
    }
    KpiRowFixed& r = rows[i];
    copy_fixed(r.name, k.name);
    copy_fixed(r.units, k.units);
    copy_fixed(r.long_name, k.long_name);
    r.mean = k.mean;
    r.p10 = k.p10;
    r.p50 = k.p50;
    r.p90 = k.p90;
  }
  const h5::QuietErrors quiet;
  w.append_rows(w.kpis, "/kpis", w.kpi_mem_type.get(), rows.data(), rows.size());
}

const TableColumn& NamedTable::column(const std::string& name) const {
  for (const TableColumn& c : columns) {
    if (c.name == name) return c;
  }
  throw std::out_of_range("NamedTable: no column '" + name + "'");
}

void ResultsWriter::write_table(const std::string& object_path, const NamedTable& table) {
  Impl& w = *impl_;
  w.require_open("write_table");
  if (object_path.empty() || object_path.front() == '/' || object_path.back() == '/') {
    throw std::invalid_argument("ResultsWriter::write_table: path '" + object_path +
                                "' must be relative to the root, like 'economics/cash_flows'");
  }
  if (table.columns.empty()) throw std::invalid_argument("ResultsWriter::write_table: '" + object_path + "' has no columns");
  const std::size_t rows = table.rows();
  std::set<std::string> names;
  for (const TableColumn& c : table.columns) {
    validate_name(c.name, "table column");
    if (!names.insert(c.name).second) {
      throw std::invalid_argument("ResultsWriter::write_table: column '" + c.name + "' is used twice in " + object_path);
    }
    if (c.size() != rows) {
      throw std::invalid_argument("ResultsWriter::write_table: column '" + c.name + "' of " + object_path + " has " +
                                  std::to_string(c.size()) + " rows, the first column " + std::to_string(rows));
    }
  }
  const h5::QuietErrors quiet;
  const std::string object = w.label("/" + object_path);

  // One packed compound type serves as memory and file type, so HDF5 copies the rows without conversion.
  std::vector<std::size_t> offsets, widths;
  std::vector<h5::Datatype> string_types;
  std::size_t row_bytes = 0;
  for (const TableColumn& c : table.columns) {
    std::size_t width = sizeof(double);
    if (c.is_text) {
      width = 2;
      for (const std::string& t : c.text) width = std::max(width, t.size() + 1);
    }
    offsets.push_back(row_bytes);
    widths.push_back(width);
    row_bytes += width;
  }
  h5::Datatype type(h5::check_id(H5Tcreate(H5T_COMPOUND, row_bytes), "H5Tcreate", object));
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const TableColumn& c = table.columns[i];
    if (c.is_text) {
      string_types.push_back(h5::make_fixed_utf8_type(widths[i]));
      layout::insert_field(type.get(), c.name.c_str(), offsets[i], string_types.back().get(), object);
    } else {
      layout::insert_field(type.get(), c.name.c_str(), offsets[i], H5T_NATIVE_DOUBLE, object);
    }
  }
  std::vector<unsigned char> buffer(std::max<std::size_t>(1, rows * row_bytes), 0);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const TableColumn& c = table.columns[i];
      unsigned char* field = buffer.data() + r * row_bytes + offsets[i];
      if (c.is_text) std::memcpy(field, c.text[r].data(), c.text[r].size());
      else std::memcpy(field, &c.values[r], sizeof(double));
    }
  }

  h5::PropList lcpl(h5::check_id(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate", object));
  h5::check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group", object);
  const hsize_t dims[1] = {static_cast<hsize_t>(rows)};
  const h5::Dataspace space(h5::check_id(H5Screate_simple(1, dims, nullptr), "H5Screate_simple", object));
  h5::Dataset ds(h5::check_id(H5Dcreate2(w.file.get(), object_path.c_str(), type.get(), space.get(), lcpl.get(),
                                         H5P_DEFAULT, H5P_DEFAULT),
                              "H5Dcreate2", object));
  if (rows > 0) {
    h5::check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), "H5Dwrite", object);
  }
  std::vector<std::string> units;
  for (const TableColumn& c : table.columns) units.push_back(c.units);
  h5::write_string_array_attribute(ds.get(), "units", units, object);
  h5::write_string_attribute(ds.get(), "long_name", table.long_name, object);
  for (const auto& [name, value] : table.text_attributes) h5::write_string_attribute(ds.get(), name, value, object);
  for (const auto& [name, value] : table.number_attributes) {
    h5::write_scalar_attribute<double>(ds.get(), name, value, object);
  }
  ds.close(object);
}

void ResultsWriter::commit() {
  Impl& w = *impl_;
  w.require_open("commit");
  const h5::QuietErrors quiet;
  // From here on a failure leaves the writer closed; the destructor then removes the temporary file.
  w.state = Impl::State::closed;
  w.finish_chunks();
  h5::check(H5Fflush(w.file.get(), H5F_SCOPE_LOCAL), "H5Fflush", w.label("/"));
  w.close_all(true);
  sync_path(w.tmp_path, false);
  // POSIX rename() replaces an existing final file atomically: a reader sees the old file or the new one, whole.
  std::filesystem::rename(w.tmp_path, w.final_path);
  w.state = Impl::State::committed;
  w.remove_on_signal.reset();  // the name is the final file's now
  const std::filesystem::path dir = w.final_path.parent_path().empty() ? "." : w.final_path.parent_path();
  // The rename itself lives in the directory; syncing it makes the new name survive a power cut. The file is
  // complete and in place even if this fails, so a failure here is not worth an exception.
  try {
    sync_path(dir, true);
  } catch (const std::system_error&) {
  }
}

const std::filesystem::path& ResultsWriter::temporary_path() const { return impl_->tmp_path; }

}  // namespace aidc
