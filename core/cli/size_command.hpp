#pragma once
// `aidcsim size SCENARIO.json [--sites A,B] [--candidates x,y] [--json] [-o sizing.h5] [--threads T]`: the least
// verified hardware per site and candidate system (core/run/sizing.hpp), a ranked table per site with the winner,
// or the JSON. Returns the exit code (0, 2 bad input, 1 internal error).

#include <string>
#include <vector>

namespace aidc {

struct SizeCliOptions {
  std::string scenario;
  std::vector<std::string> sites;
  std::vector<std::string> candidates;
  std::string output;      // HDF5 file with a /sizing table; empty: none
  std::string catalog_dir;
  int threads = 0;
  bool json = false;
  bool quiet = false;
};

int run_size(const SizeCliOptions& o);

}  // namespace aidc
