#include "core/io/results_writer.hpp"
#include "core/io/results_writer_impl.hpp"

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

namespace aidc {

using namespace results_writer_detail;

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
    layout::validate_name(info.name, "series");
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
    r.replications_defined = k.replications_defined;
  }
  const h5::QuietErrors quiet;
  w.append_rows(w.kpis, "/kpis", w.kpi_mem_type.get(), rows.data(), rows.size());
}

void ResultsWriter::write_table(const std::string& object_path, const NamedTable& table) {
  Impl& w = *impl_;
  w.require_open("write_table");
  write_named_table(w.file.get(), object_path, w.label("/" + object_path), table);
}

void ResultsWriter::write_external_link(const std::string& link_path, const std::string& file_name,
                                        const std::string& object_path) {
  Impl& w = *impl_;
  w.require_open("write_external_link");
  const h5::PropList lcpl(h5::check_id(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate", w.label("/" + link_path)));
  h5::check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group", w.label("/" + link_path));
  h5::check(H5Lcreate_external(file_name.c_str(), object_path.c_str(), w.file.get(), link_path.c_str(), lcpl.get(),
                               H5P_DEFAULT),
            "H5Lcreate_external", w.label("/" + link_path));
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
