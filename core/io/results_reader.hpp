#pragma once
// Reads back what ResultsWriter wrote: for the tests now, for `aidcsim report` later. Read-only, whole datasets at
// a time (results files are sized for that). Every failure throws std::runtime_error naming the file and the
// object, e.g. "results.h5:/timeseries/power_w: no such dataset". HDF5 stays out of this header.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/io/results_writer.hpp"

namespace aidc {

// One [R, T] series, row-major: value of replication r at step t is values[r * steps + t].
struct SeriesData {
  std::size_t replications = 0;
  std::size_t steps = 0;
  std::vector<double> values;

  double at(std::size_t replication, std::size_t step) const { return values.at(replication * steps + step); }
};

struct EventTable {
  std::vector<EventRecord> events;      // kind is the enum's integer value
  std::vector<std::string> kind_names;  // kind_names[kind] is its name
};

class ResultsReader {
 public:
  explicit ResultsReader(const std::filesystem::path& path);
  ~ResultsReader();
  ResultsReader(ResultsReader&&) noexcept;
  ResultsReader& operator=(ResultsReader&&) noexcept;
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  const std::filesystem::path& path() const;

  // True when every link along the absolute path exists (e.g. "/timeseries/power_w").
  bool has_object(const std::string& object_path) const;

  // Attributes of any object ("/" for the root). Strings may be variable-length or fixed-width; integers of any
  // width and signedness are converted, and a value that does not fit throws.
  std::string string_attribute(const std::string& object_path, const std::string& name) const;
  std::vector<std::string> string_array_attribute(const std::string& object_path, const std::string& name) const;
  std::int64_t int_attribute(const std::string& object_path, const std::string& name) const;
  std::uint64_t uint_attribute(const std::string& object_path, const std::string& name) const;
  double double_attribute(const std::string& object_path, const std::string& name) const;
  std::string root_string_attribute(const std::string& name) const { return string_attribute("/", name); }
  std::int64_t root_int_attribute(const std::string& name) const { return int_attribute("/", name); }

  // The `units` attribute of a dataset, e.g. units("/timeseries/power_w") == "W".
  std::string units(const std::string& dataset_path) const;

  std::vector<double> time_s() const;
  // Names of the [R, T] series under /timeseries (time_s excluded), in name order.
  std::vector<std::string> series_names() const;
  SeriesData series(const std::string& name) const;

  std::vector<KpiRow> kpis() const;
  EventTable events() const;
  std::string scenario_json() const;
  // A table written by ResultsWriter::write_table (e.g. "/economics/cash_flows"): every column in field order,
  // string fields as text and numeric fields as double, with units and long_name. Attributes are read separately.
  NamedTable table(const std::string& dataset_path) const;
  std::string catalog_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aidc
