#pragma once
// A sweep over a base scenario (`aidcsim sweep SWEEP.json`): variants (a grid or a list of edits), named cases,
// one-at-a-time sensitivity (the tornado) and break-even searches, each point the base document with values set
// by RFC 6902 patches (core/scenario/scenario_patch.hpp), resolved and run like any scenario. Plain data, parsed by
// core/scenario/parse_sweep.cpp; run by core/run/sweep.hpp.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace aidc {

// Values set at JSON pointers of the base scenario, in order.
using PointerValues = std::vector<std::pair<std::string, nlohmann::json>>;

struct SweepPoint {
  std::string label;
  PointerValues set;
};

// One input to its low and its high value, the others at the base scenario's.
struct SensitivityInput {
  std::string pointer;
  double low = 0.0, high = 0.0;
  bool from_uncertainty = false;  // low and high are the P10 and P90 of the base's uncertainty section
};

// The value of `pointer` in [low, high] at which `statistic` of `kpi` reaches `target`.
struct BreakEvenSpec {
  std::string label;
  std::string pointer;
  std::string kpi;
  std::string statistic = "p50";  // "mean", "p10", "p50" or "p90"
  double target = 0.0;
  double low = 0.0, high = 0.0;
  double tolerance = 0.0;         // on the input; 0 = (high - low) x 1e-4
};

struct SweepSpec {
  std::string source_path;   // the sweep file
  std::string scenario;      // the base scenario's path, relative to the sweep file's folder
  int replications = 0;      // 0 = the scenario's
  std::string uncertainty = "keep";  // "keep" the base's uncertain inputs (but those a point sets) or "drop" them
  std::vector<std::string> kpis;     // summarised for every point; checked against the base run's KPIs
  std::string statistic = "p50";     // of each KPI, for the tornado's swing
  std::vector<SweepPoint> variants;  // the grid's product or the list
  std::vector<SweepPoint> cases;
  std::vector<SensitivityInput> sensitivity;
  std::vector<BreakEvenSpec> break_even;
};

}  // namespace aidc
