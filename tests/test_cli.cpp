// The `aidcsim` command as a user meets it: the real binary, run through the shell, with its exit code and
// messages. Bad input must give exit code 2, a message that names the file, the JSON path, the value and what was
// expected, and no results file (complete or temporary) at -o.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/model/site_year.hpp"
#include "run_command.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using aidc::test::CommandResult;
using aidc::test::run_command;
using aidc::test::small_scenario_json;
using aidc::test::TempDir;
using aidc::test::write_text;

namespace {

constexpr int kExitBadInput = 2;

const fs::path kBinary = AIDCSIM_BINARY;

fs::path write_scenario(const TempDir& dir, const nlohmann::json& doc, const std::string& name = "scenario.json") {
  return write_text(dir / name, doc.dump(2));
}

// Anything a run left at -o: the results file or one of its temporaries (results.h5.tmp-*).
bool has_results_output(const TempDir& dir) {
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("results.h5", 0) == 0) return true;
  }
  return false;
}

CommandResult run_scenario_file(const TempDir& dir, const fs::path& scenario) {
  return run_command(kBinary, {"run", scenario.string(), "-o", (dir / "results.h5").string(), "--threads", "1"}, dir);
}

// A bad input is refused: exit code 2, every given part in the message, nothing at -o.
void check_refused(const TempDir& dir, const CommandResult& r, std::initializer_list<std::string> message_parts) {
  INFO(r.command);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitBadInput);
  for (const auto& part : message_parts) CHECK_THAT(r.err, Catch::Contains(part));
  CHECK_FALSE(has_results_output(dir));
}

void check_bad_scenario(const nlohmann::json& doc, std::initializer_list<std::string> message_parts) {
  TempDir dir;
  const fs::path scenario = write_scenario(dir, doc);
  const CommandResult r = run_scenario_file(dir, scenario);
  check_refused(dir, r, message_parts);
  CHECK_THAT(r.err, Catch::Contains(scenario.string()));
}

}  // namespace

TEST_CASE("aidcsim run on a valid scenario exits 0, writes the results file and prints the KPI table") {
  TempDir dir;
  const CommandResult r = run_scenario_file(dir, write_scenario(dir, small_scenario_json()));
  INFO(r.command);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_regular_file(dir / "results.h5"));
  CHECK(dir.entries() == 2);  // the scenario and the results: no temporary left behind
  CHECK_THAT(r.out, Catch::Contains("2 replication(s) of 168 h"));
  // By default ten headline KPIs, formatted for people; the raw names of the full table are not printed.
  CHECK_THAT(r.out, Catch::Contains("headline KPIs: P50 (P10 - P90) over 2 replication(s)"));
  CHECK_THAT(r.out, Catch::Contains("annual PUE") && Catch::Contains(" MWh") && Catch::Contains(" %"));
  CHECK_THAT(r.out, !Catch::Contains("it_energy_mwh"));
  CHECK(r.err.empty());  // not a terminal: no progress

  const CommandResult all = run_command(
      kBinary, {"run", (dir / "scenario.json").string(), "-o", (dir / "all.h5").string(), "--kpis", "all"}, dir);
  REQUIRE(all.exit_code == 0);
  for (const auto& kpi : aidc::site_kpi_info()) CHECK_THAT(all.out, Catch::Contains(kpi.name));
  const CommandResult bad = run_command(
      kBinary, {"run", (dir / "scenario.json").string(), "-o", (dir / "x.h5").string(), "--kpis", "some"}, dir);
  CHECK(bad.exit_code == kExitBadInput);
}

TEST_CASE("aidcsim run refuses an unknown key with its path and the accepted keys") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_kw"] = 5;
  check_bad_scenario(doc, {"/site/grid/capacity_kw: got 5; expected", "capacity_mw"});
}

TEST_CASE("aidcsim run refuses a value of the wrong type") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = "lots";
  check_bad_scenario(doc, {"/site/grid/capacity_mw: got \"lots\"; expected a number in (0, 10000]"});
}

TEST_CASE("aidcsim run refuses an out-of-range number") {
  auto doc = small_scenario_json();
  doc["facility"]["power_chain"] = {{"ups_efficiency", 1.5}};
  check_bad_scenario(doc, {"/facility/power_chain/ups_efficiency: got 1.5; expected", "(0, 1]"});
}

TEST_CASE("aidcsim run refuses an unknown catalog system and suggests the nearest") {
  auto doc = small_scenario_json();
  doc["it"]["systems"][0]["name"] = "dgx-h1000";
  check_bad_scenario(doc, {"/it/systems/0/name: got \"dgx-h1000\"; expected", "did you mean \"dgx-h100\""});
}

TEST_CASE("aidcsim run refuses a scenario whose EPW file is missing") {
  auto doc = small_scenario_json();
  doc["site"]["weather"] = {{"source", "epw"}, {"file", "no_such_weather.epw"}};
  check_bad_scenario(doc,
                     {"/site/weather/file: got \"no_such_weather.epw\"; expected an EPW weather file that exists"});
}

TEST_CASE("aidcsim run refuses a malformed EPW file and names the EPW file and the line") {
  TempDir dir;
  // The eight header lines, then a first data row with 5 of its 35 fields.
  write_text(dir / "broken.epw",
             "LOCATION,Nowhere,-,-,-,000000,1.0,103.0,8.0,10.0\nDESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\n"
             "GROUND TEMPERATURES,0\nHOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,\nCOMMENTS 2,\n"
             "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n1999,1,1,1,60\n");
  auto doc = small_scenario_json();
  doc["site"]["weather"] = {{"source", "epw"}, {"file", "broken.epw"}};
  const fs::path scenario = write_scenario(dir, doc);
  const CommandResult r = run_scenario_file(dir, scenario);
  check_refused(dir, r, {scenario.string(), "/site/weather/file: got \"broken.epw\"; expected a valid EPW file",
                         (dir / "broken.epw").string() + " line 9", "5 fields"});
}

TEST_CASE("aidcsim run refuses a scenario file that does not exist") {
  TempDir dir;
  const fs::path missing = dir / "nowhere.json";
  check_refused(dir, run_scenario_file(dir, missing), {missing.string(), "no such file", "a scenario JSON file"});
}

TEST_CASE("aidcsim run refuses invalid JSON and gives the line and column") {
  TempDir dir;
  const fs::path scenario = write_text(dir / "scenario.json", "{\n  \"name\": \"x\",\n  oops\n}\n");
  check_refused(dir, run_scenario_file(dir, scenario), {scenario.string(), "line 3, column", "expected valid JSON"});
}

TEST_CASE("aidcsim run prints every problem of a scenario, not just the first") {
  auto doc = small_scenario_json();
  doc["site"]["grid"]["capacity_mw"] = 0;
  doc["replications"] = 0;
  doc["it"]["systems"][0]["count"] = 2.5;
  doc["facility"]["cooling"]["type"] = "magic";
  doc["bogus"] = true;
  check_bad_scenario(doc, {"bad input (5 problems)", "/site/grid/capacity_mw: got 0", "/replications: got 0",
                           "/it/systems/0/count: got 2.5", "/facility/cooling/type: got \"magic\"",
                           "/bogus: got true"});
}

TEST_CASE("aidcsim run refuses a bad command-line value and names the option, the value and the range") {
  TempDir dir;
  const fs::path scenario = write_scenario(dir, small_scenario_json());
  const CommandResult r = run_command(
      kBinary, {"run", scenario.string(), "-o", (dir / "results.h5").string(), "--replications", "0"}, dir);
  check_refused(dir, r, {"--replications: Value 0 not in range 1 to 1000000"});
  const CommandResult t = run_command(
      kBinary, {"run", scenario.string(), "-o", (dir / "results.h5").string(), "--threads", "many"}, dir);
  check_refused(dir, t, {"--threads", "many"});
}

TEST_CASE("aidcsim check resolves claims against the KPIs the run would report") {
  TempDir dir;
  auto doc = small_scenario_json();
  doc["claims"] = nlohmann::json::parse(R"([{"metric": "pue_anual", "comparison": "<=", "target": 1.3}])");
  const fs::path scenario = write_scenario(dir, doc);
  const CommandResult r = run_command(kBinary, {"check", scenario.string()}, dir);
  CHECK(r.exit_code == kExitBadInput);
  CHECK(r.err.find("/claims/0/metric") != std::string::npos);
  CHECK(r.err.find("pue_annual") != std::string::npos);
}

TEST_CASE("aidcsim check prints the resolved scenario with defaults filled in") {
  TempDir dir;
  const fs::path scenario = write_scenario(dir, small_scenario_json());
  const CommandResult r = run_command(kBinary, {"check", scenario.string()}, dir);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto printed = nlohmann::json::parse(r.out);
  CHECK(printed == aidc::test::resolve(small_scenario_json()).resolved);
  // Values the file left out, filled in from the catalogs.
  CHECK(printed["site"]["grid"].contains("price_usd_per_kwh"));
  CHECK(printed["site"]["grid"].contains("saidi_h_per_yr"));
  CHECK(printed["facility"].contains("power_chain"));
  CHECK(printed["facility"].contains("ups"));
  CHECK(dir.entries() == 1);  // check writes nothing
}

namespace {

bool has_temporary(const TempDir& dir) {
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("aidcsim run refuses -o naming its own scenario file and leaves the scenario as it was") {
  TempDir dir;
  const fs::path scenario = write_scenario(dir, small_scenario_json());
  const std::string before = aidc::test::read_text(scenario);
  const CommandResult r = run_command(kBinary, {"run", scenario.string(), "-o", scenario.string()}, dir);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Catch::Contains(scenario.string() + ": -o: got an input of this run"));
  CHECK(aidc::test::read_text(scenario) == before);
  CHECK(r.out.empty());
}

TEST_CASE("aidcsim run refuses -o naming a device and leaves the device in place") {
  TempDir dir;
  const fs::path scenario = write_scenario(dir, small_scenario_json());
  const CommandResult r = run_command(kBinary, {"run", scenario.string(), "-o", "/dev/null"}, dir);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Catch::Contains("/dev/null: -o: got a character device"));
  CHECK(fs::is_character_file("/dev/null"));
}

TEST_CASE("aidcsim run refuses -o into a missing or non-folder folder before it simulates anything") {
  TempDir dir;
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  doc["replications"] = 64;  // minutes of simulation, were it to run first
  const fs::path scenario = write_scenario(dir, doc);
  const fs::path missing = dir / "missing" / "results.h5";
  const auto t0 = std::chrono::steady_clock::now();
  const CommandResult r = run_command(kBinary, {"run", scenario.string(), "-o", missing.string()}, dir);
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Catch::Contains(missing.string() + ": -o: got folder " + (dir / "missing").string() +
                                    " does not exist"));
  CHECK(r.out.empty());
  CHECK(elapsed_s < 20.0);
  write_text(dir / "plain", "x");
  const CommandResult p = run_command(kBinary, {"run", scenario.string(), "-o", (dir / "plain" / "r.h5").string()}, dir);
  CHECK(p.exit_code == kExitBadInput);
  CHECK_THAT(p.err, Catch::Contains("is not a folder"));
}

TEST_CASE("aidcsim run and check name a scenario path that is a folder or a FIFO, and do not hang on the FIFO") {
  TempDir dir;
  fs::create_directory(dir / "folder.json");
  const CommandResult f = run_command(kBinary, {"check", (dir / "folder.json").string()}, dir);
  CHECK(f.exit_code == kExitBadInput);
  CHECK_THAT(f.err, Catch::Contains("folder.json: (document): got a folder, not a file; expected a scenario JSON file"));
  const fs::path fifo = dir / "pipe.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const CommandResult p = run_command("timeout", {"20", kBinary.string(), "run", fifo.string(), "-o",
                                                  (dir / "results.h5").string()}, dir);
  CHECK(p.exit_code == kExitBadInput);
  CHECK_THAT(p.err, Catch::Contains("got a FIFO (named pipe), not a regular file"));
}

TEST_CASE("aidcsim run refuses a negative seed, one beyond 2^63 - 1 and one that is not an integer") {
  TempDir dir;
  const fs::path scenario = write_scenario(dir, small_scenario_json());
  // CLI11 would have saturated 2^63 to 2^63 - 1 silently: the seed is parsed and checked by aidcsim itself.
  for (const std::string seed : {"-1", "9223372036854775808", "99999999999999999999", "7x", ""}) {
    const CommandResult r = run_command(
        kBinary, {"run", scenario.string(), "-o", (dir / "results.h5").string(), "--seed", seed}, dir);
    check_refused(dir, r, {"--seed"});
  }
  const CommandResult ok = run_command(kBinary, {"run", scenario.string(), "-o", (dir / "results.h5").string(),
                                                 "-q", "--seed", "9223372036854775807"},
                                       dir);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("aidcsim run refuses a run whose results would not fit on the disk and says the estimate") {
  TempDir dir;
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  const fs::path scenario = write_scenario(dir, doc);
  const CommandResult r = run_command(kBinary,
                                      {"run", scenario.string(), "-o", (dir / "results.h5").string(),
                                       "--replications", "1000000"},
                                      dir);
  // About 1 TB of series alone: more than the test machine's disk, or this test says so.
  if (fs::space(dir.path()).available > 2'000'000'000'000ULL) {
    WARN("more than 2 TB free: the refusal is not checked");
    return;
  }
  check_refused(dir, r, {"results.h5: -o: got a results file of about", "free in", "--events-for"});
}

TEST_CASE("SIGTERM during aidcsim run removes its temporary file and still ends the process by SIGTERM") {
  TempDir dir;
  auto doc = small_scenario_json();
  doc["horizon"]["duration_h"] = 8760;
  doc["replications"] = 200;
  const fs::path scenario = write_scenario(dir, doc);
  const std::string out = (dir / "results.h5").string();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execl(kBinary.c_str(), kBinary.c_str(), "run", scenario.c_str(), "-o", out.c_str(), "--threads", "1", "-q",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool seen = false;
  for (int i = 0; i < 600 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = has_temporary(dir);
  }
  CHECK(seen);
  ::kill(pid, SIGTERM);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGTERM);
  CHECK_FALSE(has_temporary(dir));
  CHECK_FALSE(fs::exists(dir / "results.h5"));
}

TEST_CASE("aidcsim run sweeps the temporary file a killed run left beside its output") {
  TempDir dir;
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  REQUIRE(dead > 0);
  int status = 0;
  REQUIRE(::waitpid(dead, &status, 0) == dead);
  const fs::path stale = write_text(dir / ("results.h5.tmp-" + std::to_string(dead) + "-0"),
                                    std::string("\x89HDF\r\n\x1a\n", 8) + "the rest of a killed run's file");
  const CommandResult r = run_scenario_file(dir, write_scenario(dir, small_scenario_json()));
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK_FALSE(fs::exists(stale));
  CHECK_FALSE(has_temporary(dir));
}
