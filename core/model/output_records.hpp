#pragma once
// What a model's run produces, in the form the results file stores it: hourly series described by name and
// units, event records, and KPIs described by name, units and a sentence. Models own these types; core/io writes
// whatever it is handed and knows nothing of where the rows came from.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aidc {

// One hourly series: its dataset name under /timeseries, units and a sentence.
struct SeriesInfo {
  std::string name;
  std::string units;
  std::string long_name;
};

// One event of a replication. `kind` indexes the run's list of event kind names.
struct EventRecord {
  std::int32_t replication = 0;
  double time_s = 0.0;
  std::int32_t kind = 0;
  std::string component;   // e.g. "grid", "generator", "ups"
  std::int64_t id = 0;     // component instance
  double duration_s = 0.0;
  double value = 0.0;
};

// What a KPI is: its name, units and a sentence; models list theirs in this form.
struct KpiInfo {
  std::string name, units, long_name;
};

// Position of the KPI `name` in `info`; info.size() when it is not there.
inline std::size_t kpi_index(const std::vector<KpiInfo>& info, const std::string& name) {
  for (std::size_t k = 0; k < info.size(); ++k) {
    if (info[k].name == name) return k;
  }
  return info.size();
}

}  // namespace aidc
