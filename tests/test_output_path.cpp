// The results file's path, size and temporary files (core/io/output_path.hpp, core/io/temp_files.hpp) and the
// reading of small input files (core/io/text_file.hpp): every bad case is a BadInput naming the path, the option,
// the value and what was expected, found before anything is written.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "core/io/output_path.hpp"
#include "core/io/temp_files.hpp"
#include "core/io/text_file.hpp"
#include "core/scenario/input_error.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using aidc::test::TempDir;
using aidc::test::write_text;

namespace {

// The one problem of a BadInput thrown by `f`, formatted; fails the test when nothing or something else is thrown.
template <class F>
std::string problem_of(F&& f) {
  try {
    f();
  } catch (const aidc::BadInput& e) {
    REQUIRE(e.problems().size() == 1);
    return aidc::format_problem(e.problems().front());
  }
  FAIL("no BadInput thrown");
  return {};
}

std::string output_problem(const fs::path& output, const std::vector<fs::path>& inputs = {}) {
  return problem_of([&] { aidc::check_output_path(output, inputs, "-o"); });
}

// A pid that no process has: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  REQUIRE(pid > 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return pid;
}

const std::string kHdf5Signature("\x89HDF\r\n\x1a\n", 8);

}  // namespace

TEST_CASE("an output path in a writable folder passes and leaves nothing behind") {
  TempDir dir;
  CHECK_NOTHROW(aidc::check_output_path(dir / "results.h5", {}, "-o"));
  write_text(dir / "old.h5", "an older results file, to be replaced");
  CHECK_NOTHROW(aidc::check_output_path(dir / "old.h5", {}, "-o"));
  CHECK(dir.entries() == 1);  // the probe file is gone
}

TEST_CASE("an output path naming an input of the run is refused, however it is spelled") {
  TempDir dir;
  const fs::path scenario = write_text(dir / "scenario.json", "{}");
  const std::vector<fs::path> inputs{scenario, dir / "weather.epw"};
  const std::string p = output_problem(scenario, inputs);
  CHECK_THAT(p, Catch::Contains(scenario.string() + ": -o: got an input of this run"));
  CHECK_THAT(p, Catch::Contains("expected a results file other than the inputs"));
  CHECK_THAT(output_problem(dir.path() / "." / "sub" / ".." / "scenario.json", inputs), Catch::Contains("an input"));
  fs::create_hard_link(scenario, dir / "link.json");
  CHECK_THAT(output_problem(dir / "link.json", inputs), Catch::Contains("an input"));
  // An input that does not exist yet is still compared by its path.
  CHECK_THAT(output_problem(dir / "weather.epw", inputs), Catch::Contains("an input"));
  CHECK(aidc::test::read_text(scenario) == "{}");
}

TEST_CASE("an output path naming a device, a FIFO or a folder is refused and left as it was") {
  TempDir dir;
  CHECK_THAT(output_problem("/dev/null"), Catch::Contains("/dev/null: -o: got a character device; expected a regular"));
  CHECK(fs::is_character_file("/dev/null"));
  const fs::path fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THAT(output_problem(fifo), Catch::Contains("got a FIFO"));
  CHECK(fs::is_fifo(fifo));
  fs::create_directory(dir / "folder");
  CHECK_THAT(output_problem(dir / "folder"), Catch::Contains("got a folder"));
  CHECK_THAT(output_problem(dir.path() / "folder/"), Catch::Contains("expected a file name"));
  CHECK_THAT(output_problem(""), Catch::Contains("expected a results file path"));
}

TEST_CASE("an output path in a missing, non-folder or read-only folder is refused") {
  TempDir dir;
  CHECK_THAT(output_problem(dir / "missing" / "r.h5"),
             Catch::Contains("got folder " + (dir / "missing").string() + " does not exist; expected a results file"));
  write_text(dir / "plain", "x");
  CHECK_THAT(output_problem(dir / "plain" / "r.h5"), Catch::Contains("is not a folder"));
  const fs::path ro = dir / "read-only";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() != 0) {
    CHECK_THAT(output_problem(ro / "r.h5"), Catch::Contains("is not writable"));
  } else {
    WARN("running as root, who may write into a read-only folder: the read-only case is not checked");
  }
  fs::permissions(ro, fs::perms::owner_all);
}

TEST_CASE("the results size estimate covers series and events and saturates instead of overflowing") {
  // 1 000 000 replications of a site-year with 27 series: 8 bytes per value, 55 % of them once compressed.
  const aidc::ResultsSizeEstimate e = aidc::estimate_results_size(1'000'000, 8760, 27, 1'000'000);
  CHECK(e.series_bytes == 1'000'000ULL * 8760 * 27 * 8 / 100 * 55);
  CHECK(e.events_bytes == 1'000'000ULL * 8760 * 5 * 16);
  CHECK(e.tables_bytes > 0);
  CHECK(e.total_bytes() == e.series_bytes + e.events_bytes + e.tables_bytes);
  CHECK(aidc::estimate_results_size(1, 8760, 27, 0).events_bytes == 0);
  const auto huge = aidc::estimate_results_size(~0ULL, ~0ULL, 27, ~0ULL);
  CHECK(huge.series_bytes > 0);
  CHECK(huge.total_bytes() >= huge.series_bytes);
}

TEST_CASE("a run whose results do not fit on the disk is refused with the estimate and the free space") {
  const aidc::ResultsSizeEstimate e = aidc::estimate_results_size(1'000'000, 8760, 27, 1'000'000);
  const std::string p = problem_of([&] { aidc::check_fits("/data/results.h5", e, 80'000'000'000ULL, "-o"); });
  CHECK_THAT(p, Catch::Contains("/data/results.h5: -o: got a results file of about 1.7 TB"));
  CHECK_THAT(p, Catch::Contains("with 80 GB free in /data"));
  CHECK_THAT(p, Catch::Contains("--events-for"));
  CHECK_THAT(p, Catch::Contains("--replications"));
  CHECK_NOTHROW(aidc::check_fits("r.h5", aidc::estimate_results_size(2, 168, 27, 2), 80'000'000'000ULL, "-o"));
  CHECK(aidc::format_bytes(512) == "512 bytes");
  CHECK(aidc::format_bytes(1'500) == "1.5 kB");
  CHECK(aidc::format_bytes(320'000'000) == "320 MB");
}

TEST_CASE("reading an input file names a missing file, a folder, a FIFO and a file too large") {
  TempDir dir;
  const std::string what = "a scenario JSON file";
  const auto read = [&](const fs::path& p, std::uintmax_t max) {
    return problem_of([&] { (void)aidc::read_text_file(p, what, max); });
  };
  CHECK(aidc::read_text_file(write_text(dir / "ok.json", "{\"a\": 1}"), what, 100) == "{\"a\": 1}");
  CHECK_THAT(read(dir / "none.json", 100), Catch::Contains("none.json: (document): got no such file; expected a scenario"));
  fs::create_directory(dir / "folder.json");
  CHECK_THAT(read(dir / "folder.json", 100), Catch::Contains("got a folder, not a file"));
  const fs::path fifo = dir / "pipe.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THAT(read(fifo, 100), Catch::Contains("got a FIFO (named pipe), not a regular file"));  // and no hang
  CHECK_THAT(read(dir / "ok.json", 4), Catch::Contains("got 8 bytes; expected a scenario JSON file of at most 4 bytes"));
  CHECK_THAT(problem_of([&] { aidc::check_input_file(fifo, what); }), Catch::Contains("a FIFO"));
  CHECK_NOTHROW(aidc::check_input_file(dir / "ok.json", what));
}

TEST_CASE("a temporary file's name gives its owner's pid") {
  CHECK(aidc::temporary_owner("results.h5.tmp-4242-0") == 4242);
  CHECK(aidc::temporary_owner("a.tmp-b.h5.tmp-17-probe") == 17);
  CHECK_FALSE(aidc::temporary_owner("results.h5"));
  CHECK_FALSE(aidc::temporary_owner(".tmp-12-0"));
  CHECK_FALSE(aidc::temporary_owner("results.h5.tmp-12"));
  CHECK_FALSE(aidc::temporary_owner("results.h5.tmp-x1-0"));
  CHECK_FALSE(aidc::temporary_owner("results.h5.tmp--0"));
  const fs::path tmp = aidc::make_temporary_path("/out/results.h5");
  CHECK(tmp.parent_path() == "/out");
  CHECK(aidc::temporary_owner(tmp.filename().string()) == ::getpid());
  CHECK(aidc::make_temporary_path("/out/results.h5") != tmp);
}

TEST_CASE("the sweep removes the HDF5 temporaries of dead processes and nothing else") {
  TempDir dir;
  const pid_t dead = dead_pid();
  const std::string d = std::to_string(dead);
  const fs::path stale = write_text(dir / ("results.h5.tmp-" + d + "-0"), kHdf5Signature + "rest of a file");
  const fs::path stale_other = write_text(dir / ("older.h5.tmp-" + d + "-3"), kHdf5Signature);
  const fs::path probe = write_text(dir / ("results.h5.tmp-" + d + "-probe"), "");
  const fs::path not_hdf5 = write_text(dir / ("notes.txt.tmp-" + d + "-1"), "someone's notes");
  const fs::path empty_other = write_text(dir / ("other.h5.tmp-" + d + "-2"), "");
  const fs::path alive = write_text(dir / ("results.h5.tmp-" + std::to_string(::getppid()) + "-0"), kHdf5Signature);
  const fs::path mine = write_text(dir / ("results.h5.tmp-" + std::to_string(::getpid()) + "-9"), kHdf5Signature);
  const std::vector<fs::path> removed = aidc::sweep_stale_temporaries(dir.path(), "results.h5");
  CHECK(removed.size() == 3);
  CHECK_FALSE(fs::exists(stale));
  CHECK_FALSE(fs::exists(stale_other));
  CHECK_FALSE(fs::exists(probe));
  CHECK(fs::exists(not_hdf5));
  CHECK(fs::exists(empty_other));
  CHECK(fs::exists(alive));
  CHECK(fs::exists(mine));
  CHECK(aidc::sweep_stale_temporaries(dir / "missing", "results.h5").empty());
}

TEST_CASE("a registered temporary file is removed when the process gets SIGTERM, which still kills it") {
  TempDir dir;
  const fs::path tmp = write_text(dir / "results.h5.tmp-1-0", "partial");
  const fs::path kept = write_text(dir / "released.tmp-1-0", "partial");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The test framework handles SIGTERM itself; the guard covers only a signal left at its default action.
    ::signal(SIGTERM, SIG_DFL);
    const aidc::RemoveOnSignal guard(tmp);
    aidc::RemoveOnSignal released(kept);
    released.release();
    ::raise(SIGTERM);
    ::_exit(0);  // not reached
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK_FALSE(fs::exists(tmp));
  CHECK(fs::exists(kept));
}
