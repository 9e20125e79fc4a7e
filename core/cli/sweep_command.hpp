#pragma once
// `aidcsim sweep SWEEP.json [-o sweep.h5] [--threads T] [-q] [--catalog DIR]`: the points of a sweep over a base
// scenario (core/run/sweep.hpp), printed as a table, a tornado per KPI and the break-evens, and written to one HDF5
// file (/sweep/points, /sweep/tornado, /sweep/break_even, /inputs). Returns the exit code: 0, 2 bad input (also when
// a break-even bracket does not contain the target; the file is still written), 1 internal error.

#include <string>

namespace aidc {

struct SweepCliOptions {
  std::string sweep;
  std::string output = "sweep.h5";
  std::string catalog_dir;
  int threads = 0;
  bool quiet = false;
};

int run_sweep_command(const SweepCliOptions& o);

}  // namespace aidc
