#pragma once
// The one writer of aidcsim's results file (HDF5). It knows tables and series, not data centers: the caller
// names the series, the event kinds and the KPIs. The file is written under a temporary name beside the final
// one and renamed by commit(); a writer destroyed without commit() removes its temporary file, so a crash or an
// error never leaves a complete-looking partial file.
//
// Layout (README.md, "The results file"):
//   /                      attrs schema="aidcsim", schema_version, software_version, git_sha, created_utc,
//                                seed, replications, backend, device, scenario_name
//   /inputs/scenario       the resolved scenario as JSON text
//   /inputs/catalog        the catalog entries used, as JSON text (with their sources)
//   /timeseries/time_s     [T], attrs units, long_name
//   /timeseries/<name>     [R, T] float64, attrs units, long_name; chunked (about 1 MiB), gzip + shuffle
//   /events                compound table: replication i32, time_s f64, kind (HDF5 enum), component str,
//                          id i64, duration_s f64, value f64; attrs units per column
//   /kpis                  compound table: name str, units str, long_name str, mean, p10, p50, p90 (f64)
//   /<any/path>            a named table (write_table): compound of text and float64 columns in the given order,
//                          attrs units (string array aligned with the fields), long_name, and the caller's attrs;
//                          e.g. /economics/cash_flows and /compliance
//
// Details (core/io/results_layout.hpp holds the constants):
//   - String attributes and /inputs/* are variable-length UTF-8 (h5py gives str; datasets via .asstr()).
//   - Series are [R, T] float64, chunks of about 1 MiB (whole rows of T while they fit), shuffle + gzip 4, fill
//     value NaN so a block never written reads back as NaN.
//   - Series and /events chunks are compressed in parallel and stored with H5Dwrite_chunk (ResultsWriterOptions);
//     the filters declared on the datasets are the same, so readers see no difference.
//   - /events and /kpis are 1-D extendible compound datasets (h5py: numpy structured arrays); both exist from the
//     constructor on, with zero rows. Table strings are fixed-width, NUL-terminated UTF-8: component 32 bytes,
//     KPI name/units/long_name 64/32/128 bytes (so at most 31/63/31/127 bytes of text).
//   - /events attr `units` is a string array aligned with the fields ("" for non-quantities):
//     dict(zip(ds.dtype.names, ds.attrs["units"])) in h5py. The kind enum's names are the event_kind_names, with
//     values 0..K-1 (h5py.check_enum_dtype(ds.dtype["kind"])).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/model/output_records.hpp"

namespace aidc {

struct RunMetadata {
  std::string software_version;
  std::string git_sha;
  std::string created_utc;  // ISO 8601, e.g. 2026-11-25T13:00:00Z
  std::uint64_t seed = 0;
  int replications = 0;
  std::string backend;      // "cpu (TBB)" until the kernels land
  std::string device;       // e.g. "2 threads" or the GPU's name
  std::string scenario_name;
};

struct KpiRow {
  std::string name;
  std::string units;
  std::string long_name;
  double mean = 0.0;
  double p10 = 0.0;
  double p50 = 0.0;
  double p90 = 0.0;
  // Replications where the KPI is defined (not NaN; an IRR without a sign change is not): the statistics are over
  // these. -1 where not counted.
  long long replications_defined = -1;
};

// One column of a named table: text (a fixed-width UTF-8 field as wide as its longest entry) or float64 values.
struct TableColumn {
  std::string name;
  std::string units;  // "" for labels and other non-quantities
  bool is_text = false;
  std::vector<std::string> text;  // when is_text
  std::vector<double> values;     // otherwise
  std::size_t size() const { return is_text ? text.size() : values.size(); }
};

// A small table written whole, with units per column and attributes on the dataset.
struct NamedTable {
  std::string long_name;
  std::vector<TableColumn> columns;
  std::vector<std::pair<std::string, std::string>> text_attributes;
  std::vector<std::pair<std::string, double>> number_attributes;
  std::size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
  const TableColumn& column(const std::string& name) const;  // throws std::out_of_range naming the column
};

// How the writer stores its chunks; the file is the same for readers either way.
struct ResultsWriterOptions {
  // Series and /events are gathered into whole chunks in memory, shuffled and deflated on TBB's workers (the
  // current task arena) and stored with H5Dwrite_chunk, instead of passing through HDF5's filter pipeline on the
  // writer's thread. The stored chunks are byte for byte what the pipeline would store (core/io/chunk_codec.hpp).
  // false: every write goes through H5Dwrite (tests compare the two).
  bool direct_chunk_writes = true;
};

class ResultsWriter {
 public:
  // Creates the temporary file and every dataset. time_s has T entries; each series is [replications, T].
  ResultsWriter(const std::filesystem::path& final_path, const RunMetadata& meta,
                std::span<const double> time_s, std::vector<SeriesInfo> series, int replications,
                std::vector<std::string> event_kind_names, ResultsWriterOptions options = {});
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  // Once per writer.
  void write_inputs(const std::string& scenario_json, const std::string& catalog_json);
  // Rows [first_replication, first_replication + count) of series `series_index`; values is count × T, row-major.
  // Rows may come in any order and in batches of any size; with direct chunk writes a chunk is compressed once all
  // its rows have arrived (rows never written are stored as NaN at commit), so memory holds at most the chunks
  // still incomplete plus a bounded queue of chunks being compressed.
  void write_series_block(std::size_t series_index, int first_replication, int count,
                          std::span<const double> values);
  // Both append to their table, so they may be called once per replication. A component name longer than its field
  // is cut at a UTF-8 boundary; a KPI name or units that do not fit throw (cutting them would change the meaning),
  // a long_name is cut.
  void write_events(std::span<const EventRecord> events);
  // Records on /events how many replications (the first n) have their events in the table (all, by default).
  void set_event_replications(int n);
  void write_kpis(std::span<const KpiRow> kpis);
  // A named table at `object_path` (relative to the root, e.g. "economics/cash_flows"; groups are created as
  // needed), written once. Columns must have equal lengths and distinct, non-empty names.
  void write_table(const std::string& object_path, const NamedTable& table);
  // An external link at `link_path` (groups created as needed) to `object_path` in `file_name`, which HDF5
  // resolves relative to this file's folder when it is relative (e.g. a sweep's rank files beside sweep.h5).
  void write_external_link(const std::string& link_path, const std::string& file_name, const std::string& object_path);
  // Flushes, closes, fsyncs and renames the temporary file to the final path, replacing any file there atomically.
  // Nothing is visible at the final path before. Any call after commit() (or after a commit that threw) throws
  // std::logic_error.
  void commit();

  const std::filesystem::path& temporary_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aidc
