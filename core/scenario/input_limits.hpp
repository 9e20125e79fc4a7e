#pragma once
// Hard physical limits on scenario numbers (issue 10: "physical bounds on every numeric input"). A value beyond one
// of these is a typo or a unit slip, never a site: the readers refuse it as bad input (exit 2) before it can
// overflow a count derived from it (generators = load / unit rating, instances = demand / capacity, steps =
// tokens / batch) or run for hours. Each limit sits one to two orders of magnitude beyond the largest real value we
// know of, stated beside it, so that no real scenario is refused.

#include <cstddef>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>

#include "core/scenario/json_reader.hpp"

namespace aidc::limits {

// A century in hours (leap years included): beyond any financing horizon, equipment life or training job.
inline constexpr double kMaxDurationH = 100.0 * 8784.0;
inline constexpr double kMaxDurationS = kMaxDurationH * 3600.0;  // 3.2e9 s
inline constexpr double kMaxDurationD = kMaxDurationH / 24.0;

// Grid connection of one site: the largest announced AI campuses are 1-5 GW (e.g. Stargate Abilene 1.2 GW, Meta
// Hyperion up to 5 GW); 10 GW is twice that, and a 32,000 "MW" entry is a kW figure typed as MW.
inline constexpr double kMaxGridMw = 10'000.0;
// Facility-level power figures (design IT capacity): the same bound as the grid.
inline constexpr double kMaxSitePowerMw = kMaxGridMw;
// One generator set: standby diesel sets are rated 0.02-4.5 MW (Caterpillar C175/3516 and Cummins QSK95 ranges top
// out at about 4.5 MWe) and industrial gas turbines for on-site prime power reach about 50-100 MW; below 10 kW a
// "generator" is a portable set, and 1e-6 MW would size millions of units for a 14 MW site.
inline constexpr double kMinGeneratorMw = 0.01;
inline constexpr double kMaxGeneratorMw = 100.0;
// The largest generator count, explicit or sized from the load (a 10 GW site of 0.1 MW units); beyond it the
// simulation of the fleet of units would take minutes and gigabytes for no physical meaning.
inline constexpr int kMaxGeneratorCount = 100'000;

// One system (a server or a rack): a GB300 NVL72 rack draws about 135 kW and announced next-generation racks
// (NVIDIA Kyber NVL576) about 600 kW; 2 MW is three times that.
inline constexpr double kMaxSystemPowerKw = 2'000.0;

// Training tokens of one job: Llama 3 was trained on 15.6e12 tokens (Meta, "The Llama 3 Herd of Models", 2024);
// 1e15 is 64 times that (and the built-in validation case's "run for ever" job).
inline constexpr double kMaxTrainingTokens = 1e15;
// Tokens per optimizer step: Llama 3 405B ended at 16M tokens per step (same paper); 1e9 is 60 times that.
inline constexpr double kMaxGlobalBatchTokens = 1e9;
// Requests per second of one inference service: public figures for the largest chat services are about 2.5e9
// prompts a day, about 3e4 per second (OpenAI, July 2025); 1e7 per second is 300 times that, at any time of the
// horizon (demand growth included).
inline constexpr double kMaxRequestsPerS = 1e7;
// A latency SLO (TTFT, TPOT): beyond a day it is batch processing, not a latency objective.
inline constexpr double kMaxLatencySloS = 86'400.0;

// One amount of money: 1e13 USD is ten times the largest announced AI infrastructure programme (about 1e12 USD).
inline constexpr double kMaxUsd = 1e13;
// The price of one system: a GB300 NVL72 rack lists at about 3.5e6 USD; 1e9 is 300 times that.
inline constexpr double kMaxSystemPriceUsd = 1e9;

// A workload's name prefixes its KPI names ("<name>.capacity_tokens_per_s", core/model/fleet_ops.cpp
// fleet_kpi_info, the longest suffix at 22 bytes), which the results file stores in 64-byte fields holding 63 bytes
// of text (core/io/results_layout.hpp kKpiNameBytes): 63 - 22 = 41. It also names the HDF5 group /perf/<name>,
// which has no tighter limit. tests/test_workloads_scenario.cpp checks every workload KPI name fits.
inline constexpr std::size_t kMaxWorkloadNameBytes = 41;

// (0, hi]: a positive number up to a physical limit.
inline Range positive_up_to(double hi) { return {0.0, hi, true, false}; }
// [0, hi].
inline Range up_to(double hi) { return Range::closed(0.0, hi); }

// A number with three significant digits, for warning messages ("480 times the catalog's").
inline std::string short_number(double x) {
  std::ostringstream os;
  os << std::setprecision(3) << x;
  return os.str();
}

}  // namespace aidc::limits
