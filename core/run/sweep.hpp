#pragma once
// `aidcsim sweep`: every point of a sweep (core/scenario/sweep_spec.hpp) is the base scenario's document with the
// point's values set by RFC 6902 patches, resolved, prepared and run like a scenario file (core/run/run_scenario.hpp)
// with the base's seed, so all points share their random numbers (common random numbers: a point's difference
// from the base is the edit's, not the dice's). Every point's document is resolved before any runs, so a bad edit is
// bad input (exit 2) before any replication; a point that fails while running is recorded with its error and the
// other points go on.
//
//   base run, variants, cases, sensitivity (each input at its low and high), break-even (bracket ends, bisection)

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/results_writer.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/sweep_spec.hpp"

namespace aidc {

struct SweepPointResult {
  std::string kind;   // "base", "variant", "case", "sensitivity_low", "sensitivity_high" or "break_even"
  std::string label;
  PointerValues set;
  bool ok = true;
  std::string error;  // why the point failed (ok = false)
  std::vector<KpiRow> kpis;  // the sweep's KPIs in its order (NaN statistics when failed)
  double wall_s = 0.0;
  bool computed = true;      // false: another rank's point, not yet merged
};

// One bar of a tornado: one input at its low and high value, the others at the base's.
struct TornadoRow {
  std::string kpi;
  std::string pointer;
  double base_input = 0.0, low = 0.0, high = 0.0;
  double base_kpi = 0.0, kpi_at_low = 0.0, kpi_at_high = 0.0;
  double swing = 0.0;  // |kpi_at_high - kpi_at_low|; rows sorted by it, largest first, per KPI
};

struct BreakEvenResult {
  BreakEvenSpec spec;
  bool found = false;
  double value = 0.0;        // the input value at the crossing (the last bracket's midpoint)
  double kpi_value = 0.0;    // the statistic there
  double bracket_low = 0.0, bracket_high = 0.0;  // the final bracket, of width <= tolerance when found
  double kpi_at_low = 0.0, kpi_at_high = 0.0;    // at the given bracket's ends
  int runs = 0;
  std::string message;       // when not found: which end came closer
  bool computed = true;      // false: another rank's search, not yet merged
};

struct SweepResult {
  std::string base_scenario;
  int replications = 0;
  std::uint64_t seed = 0;  // the base's seed, which every point shares
  std::vector<SweepPointResult> points;  // the base first
  std::vector<TornadoRow> tornado;
  std::vector<BreakEvenResult> break_even;
  std::vector<double> sensitivity_base_input;  // the base's value of each sensitivity input
  double wall_s = 0.0;
};

// Which share of the work a process does: item k (the points in order, then the break-evens) is rank k % ranks's.
// Every rank plans and checks the whole sweep, so all agree on the items and on bad input.
struct SweepPartition {
  int rank = 0;
  int ranks = 1;
};

struct SweepOptions {
  int threads = 0;
  std::function<void(const std::string&)> progress;  // one line per point started
  SweepPartition partition;
};

// Throws BadInput (before any run) for a base scenario, a KPI name, a pointer or an edit that is bad input, naming
// the sweep file or the scenario file and the point.
SweepResult run_sweep(const SweepSpec& spec, const nlohmann::json& base_doc, const Catalog& catalog,
                      const std::string& base_label, const std::filesystem::path& base_dir, const SweepOptions& options);

// With several ranks: one rank's computed items as text (doubles as bit patterns, so nothing is rounded), merged
// into another's result; then finish_sweep builds the tornado (run_sweep does it itself on one rank).
std::string sweep_items_to_text(const SweepResult& r);
void merge_sweep_items(SweepResult& r, const std::string& text);
void finish_sweep(const SweepSpec& spec, SweepResult& r);

// The value of `statistic` ("mean", "p10", "p50", "p90") of a KPI row.
double kpi_statistic(const KpiRow& k, const std::string& statistic);

// Tables for sweep.h5: /sweep/points, /sweep/tornado, /sweep/break_even.
NamedTable sweep_points_table(const SweepSpec& spec, const SweepResult& r);
NamedTable tornado_table(const SweepSpec& spec, const SweepResult& r);
NamedTable break_even_table(const SweepResult& r);

}  // namespace aidc
