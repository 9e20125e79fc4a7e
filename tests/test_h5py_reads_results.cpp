// A results file written by the real `aidcsim` binary opens in tools that know nothing of aidcsim: h5py (Debian's
// /usr/bin/python3 with python3-h5py, not a pyenv python that lacks it) and h5dump (hdf5-tools). The checks on the
// h5py side live in tests/check_results_with_h5py.py. A missing tool fails the test: the set-up installs both.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/model/site_year.hpp"
#include "run_command.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using aidc::test::CommandResult;
using aidc::test::run_command;
using aidc::test::TempDir;

namespace {

const fs::path kSystemPython = "/usr/bin/python3";
constexpr const char* kSetupHint = "install the set-up's packages: apt-get install python3-h5py hdf5-tools";

// Two replications of a month on a grid that fails often, so that /events has rows.
fs::path write_results(const TempDir& dir) {
  auto doc = aidc::test::small_scenario_json();
  doc["horizon"]["duration_h"] = 720;
  doc["site"]["grid"]["saifi_per_yr"] = 60.0;
  doc["site"]["grid"]["saidi_h_per_yr"] = 200.0;
  const fs::path scenario = aidc::test::write_text(dir / "scenario.json", doc.dump(2));
  const fs::path results = dir / "results.h5";
  const CommandResult r = run_command(AIDCSIM_BINARY, {"run", scenario.string(), "-o", results.string(), "-q"}, dir);
  INFO(r.command << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return results;
}

}  // namespace

TEST_CASE("h5py reads a results file written by aidcsim as units-labelled series and structured tables") {
  TempDir dir;
  if (!fs::exists(kSystemPython)) FAIL(kSystemPython << " is missing: " << kSetupHint);
  const fs::path results = write_results(dir);
  const std::string script = std::string(AIDCSIM_SOURCE_DIR) + "/tests/check_results_with_h5py.py";
  std::vector<std::string> args = {script, results.string(), "2", "720"};
  for (const auto& info : aidc::site_series_info()) args.push_back(info.name);
  const CommandResult check = run_command(kSystemPython, args, dir);
  INFO(check.command << "\nstdout: " << check.out << "\nstderr: " << check.err);
  constexpr int kExitNoH5py = 3;  // the script's exit code when h5py or numpy cannot be imported
  if (check.exit_code == kExitNoH5py) FAIL(check.out << kSetupHint);
  CHECK(check.exit_code == 0);
}

TEST_CASE("h5dump reads the header of a results file written by aidcsim") {
  TempDir dir;
  const CommandResult which = run_command("/bin/sh", {"-c", "command -v h5dump"}, dir);
  if (which.exit_code != 0) FAIL("h5dump is not on PATH: " << kSetupHint);
  const fs::path results = write_results(dir);
  const CommandResult dump = run_command("h5dump", {"-H", results.string()}, dir);
  INFO(dump.command << "\nstderr: " << dump.err);
  CHECK(dump.exit_code == 0);
  CHECK_THAT(dump.out, Catch::Contains("DATASET \"it_power_w\"") && Catch::Contains("H5T_ENUM") &&
                           Catch::Contains("ATTRIBUTE \"units\""));
}
