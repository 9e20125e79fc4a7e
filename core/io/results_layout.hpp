#pragma once
// Constants of the results file's layout shared by the writer and the reader (see results_writer.hpp), kept in
// one place so the two cannot drift apart.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/io/h5_handle.hpp"

namespace aidc::layout {

inline constexpr std::string_view kSchema = "aidcsim";
// Bump when a reader of the old layout would misread the new one (renamed or re-typed datasets, new meaning).
inline constexpr std::int32_t kSchemaVersion = 1;

// Fixed-width string fields, in bytes including the terminating NUL (UTF-8, so up to N - 1 bytes of text). Fixed widths keep the tables plain compound types that
// h5py turns into numpy structured arrays; variable-length strings would make them object arrays.
inline constexpr std::size_t kComponentBytes = 32;
inline constexpr std::size_t kKpiNameBytes = 64;
inline constexpr std::size_t kKpiUnitsBytes = 32;
inline constexpr std::size_t kKpiLongNameBytes = 256;  // the longest description (LLCR, levelized costs) fits whole

// /events columns and their units, aligned: the `units` attribute of /events is kEventUnits in this order.
// "" marks a column that is not a physical quantity (an index, a label); `value` has no single unit, its meaning
// depends on the kind.
inline constexpr std::array<std::string_view, 7> kEventFields = {"replication", "time_s",     "kind", "component",
                                                                 "id",          "duration_s", "value"};
inline constexpr std::array<std::string_view, 7> kEventUnits = {"", "s", "", "", "", "s", ""};

// About 1 MiB of uncompressed data per chunk (the HDF5 guidance for good gzip ratios and sequential reads). It is
// also the default size of HDF5's per-dataset chunk cache: a chunk no larger than that stays cached between the
// row-by-row writes of write_series_block and is compressed once, when evicted or closed.
inline constexpr std::size_t kChunkTargetBytes = std::size_t{1} << 20;
inline constexpr unsigned kGzipLevel = 1;  // see bench/RESULTS.md: level 1 vs 4 on the default scenario

struct Chunk2 {
  unsigned long long rows;
  unsigned long long cols;
};

// Chunk of an [R, T] float64 series: whole rows of T while a row fits the target, as many rows as fit (at least
// one); a row longer than the target is split along T as well.
constexpr Chunk2 series_chunk(unsigned long long replications, unsigned long long steps) {
  constexpr unsigned long long per_chunk = kChunkTargetBytes / sizeof(double);
  if (replications == 0 || steps == 0) return {1, 1};
  if (steps > per_chunk) return {1, per_chunk};
  return {std::max(1ULL, std::min(replications, per_chunk / steps)), steps};
}

constexpr unsigned long long table_chunk_rows(std::size_t row_bytes) {
  return std::max<unsigned long long>(1, kChunkTargetBytes / std::max<std::size_t>(row_bytes, 1));
}

// In-memory rows of the two tables, shared by writer and reader. Plain structs so that one H5Dread/H5Dwrite moves
// a whole block; the memory types below describe them field by field (HDF5 matches compound fields by name, so
// the file's field order need not match). The writer stores the same fields packed (H5Tpack), without padding.
struct EventRow {
  std::int32_t replication;
  double time_s;
  std::int32_t kind;
  char component[kComponentBytes];
  std::int64_t id;
  double duration_s;
  double value;
};

struct KpiRowFixed {
  char name[kKpiNameBytes];
  char units[kKpiUnitsBytes];
  char long_name[kKpiLongNameBytes];
  double mean;
  double p10;
  double p50;
  double p90;
  std::int64_t replications_defined;
};

inline void insert_field(hid_t compound, const char* name, std::size_t offset, hid_t type, std::string_view object) {
  h5::check(H5Tinsert(compound, name, offset, type), "H5Tinsert", std::string(object) + " field " + name);
}

// `kind_type` is the enum of the event kinds (the writer's, or one the reader rebuilt from the file).
inline h5::Datatype make_event_memory_type(hid_t kind_type, std::string_view object) {
  const h5::Datatype component_type = h5::make_fixed_utf8_type(kComponentBytes);
  h5::Datatype type(h5::check_id(H5Tcreate(H5T_COMPOUND, sizeof(EventRow)), "H5Tcreate", object));
  const hid_t t = type.get();
  insert_field(t, "replication", offsetof(EventRow, replication), H5T_NATIVE_INT32, object);
  insert_field(t, "time_s", offsetof(EventRow, time_s), H5T_NATIVE_DOUBLE, object);
  insert_field(t, "kind", offsetof(EventRow, kind), kind_type, object);
  insert_field(t, "component", offsetof(EventRow, component), component_type.get(), object);
  insert_field(t, "id", offsetof(EventRow, id), H5T_NATIVE_INT64, object);
  insert_field(t, "duration_s", offsetof(EventRow, duration_s), H5T_NATIVE_DOUBLE, object);
  insert_field(t, "value", offsetof(EventRow, value), H5T_NATIVE_DOUBLE, object);
  return type;
}

inline h5::Datatype make_kpi_memory_type(std::string_view object) {
  const h5::Datatype name_type = h5::make_fixed_utf8_type(kKpiNameBytes);
  const h5::Datatype units_type = h5::make_fixed_utf8_type(kKpiUnitsBytes);
  const h5::Datatype long_name_type = h5::make_fixed_utf8_type(kKpiLongNameBytes);
  h5::Datatype type(h5::check_id(H5Tcreate(H5T_COMPOUND, sizeof(KpiRowFixed)), "H5Tcreate", object));
  const hid_t t = type.get();
  insert_field(t, "name", offsetof(KpiRowFixed, name), name_type.get(), object);
  insert_field(t, "units", offsetof(KpiRowFixed, units), units_type.get(), object);
  insert_field(t, "long_name", offsetof(KpiRowFixed, long_name), long_name_type.get(), object);
  insert_field(t, "mean", offsetof(KpiRowFixed, mean), H5T_NATIVE_DOUBLE, object);
  insert_field(t, "p10", offsetof(KpiRowFixed, p10), H5T_NATIVE_DOUBLE, object);
  insert_field(t, "p50", offsetof(KpiRowFixed, p50), H5T_NATIVE_DOUBLE, object);
  insert_field(t, "p90", offsetof(KpiRowFixed, p90), H5T_NATIVE_DOUBLE, object);
  insert_field(t, "replications_defined", offsetof(KpiRowFixed, replications_defined), H5T_NATIVE_INT64, object);
  return type;
}

// A fixed-width field as text: up to the first NUL (zero padding), never past the field.
template <std::size_t N>
std::string fixed_to_string(const char (&field)[N]) {
  std::size_t n = 0;
  while (n < N && field[n] != '\0') ++n;
  return std::string(field, n);
}

// A dataset or field name: non-empty, not ".", no "/" (which HDF5 reads as a path).
inline void validate_name(const std::string& name, std::string_view what) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    throw std::invalid_argument("ResultsWriter: " + std::string(what) + " name '" + name +
                                "' must be non-empty, not '.', and contain no '/'");
  }
}

}  // namespace aidc::layout
