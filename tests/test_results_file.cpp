#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/io/h5_handle.hpp"
#include "core/io/results_reader.hpp"
#include "core/io/results_layout.hpp"
#include "core/io/results_writer.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using aidc::test::TempDir;

namespace {

aidc::RunMetadata example_meta(int replications) {
  aidc::RunMetadata meta;
  meta.software_version = "0.1.0";
  meta.git_sha = "abc123def456";
  meta.created_utc = "2026-11-25T13:00:00Z";
  meta.seed = 18'446'744'073'709'551'557ULL;  // above 2^63: the attribute must be unsigned 64-bit
  meta.replications = replications;
  meta.backend = "cpu (TBB)";
  meta.device = "2 threads";
  meta.scenario_name = "lagos-inference-20mw";
  return meta;
}

std::vector<double> hourly_time(std::size_t steps) {
  std::vector<double> t(steps);
  for (std::size_t i = 0; i < steps; ++i) t[i] = 3600.0 * static_cast<double>(i);
  return t;
}

const std::vector<std::string> kEventKinds = {"grid_outage", "generator_start", "node_failure", "repair_done"};

std::vector<aidc::SeriesInfo> example_series() {
  return {{"it_power_w", "W", "IT power drawn by all systems"},
          {"pue", "1", "power usage effectiveness"},
          {"outdoor_temp_c", "degC", "outdoor dry-bulb temperature"}};
}

// A deterministic [R, T] block for series `s`.
std::vector<double> series_values(std::size_t s, int replications, std::size_t steps) {
  std::vector<double> v(static_cast<std::size_t>(replications) * steps);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1000.0 * static_cast<double>(s + 1) + 0.25 * static_cast<double>(i);
  return v;
}

std::vector<aidc::EventRecord> example_events() {
  return {{0, 7200.0, 0, "grid", 0, 5400.0, 20.0e6},
          {0, 7260.0, 1, "generator", 3, 0.0, 2.5e6},
          {1, 86400.5, 2, "node", 417, 0.0, 0.0},
          {1, 90000.0, 3, "node", 417, 3600.0, 0.0}};
}

std::vector<aidc::KpiRow> example_kpis() {
  return {{"pue_annual", "1", "annual power usage effectiveness", 1.31, 1.28, 1.31, 1.35},
          {"availability", "1", "fraction of hours with full service", 0.9991, 0.998, 0.9992, 0.9997},
          {"energy_it_j", "J", "IT energy over the year", 5.1e14, 5.0e14, 5.1e14, 5.2e14}};
}

const std::string kScenarioJson = R"({"name": "lagos-inference-20mw", "site": {"country": "NG", "note": "Lagos — ünïcode"}})";
const std::string kCatalogJson = R"({"accelerators": [{"name": "H100-SXM", "source": "NVIDIA datasheet"}]})";

// Writes the full example file (R=2, T=24) and commits it.
void write_example(const fs::path& final_path) {
  const int replications = 2;
  const std::size_t steps = 24;
  const auto time = hourly_time(steps);
  aidc::ResultsWriter writer(final_path, example_meta(replications), time, example_series(), replications,
                             kEventKinds);
  writer.write_inputs(kScenarioJson, kCatalogJson);
  for (std::size_t s = 0; s < example_series().size(); ++s) {
    const auto v = series_values(s, replications, steps);
    // One replication per call, as the runner will: row 1 first to show order does not matter.
    writer.write_series_block(s, 1, 1, std::span<const double>(v).subspan(steps, steps));
    writer.write_series_block(s, 0, 1, std::span<const double>(v).first(steps));
  }
  const auto events = example_events();
  writer.write_events(std::span(events).first(2));  // appends: two calls make one table
  writer.write_events(std::span(events).subspan(2));
  const auto kpis = example_kpis();
  writer.write_kpis(kpis);
  writer.commit();
}

}  // namespace

TEST_CASE("a written results file reads back identically") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  write_example(file);

  aidc::ResultsReader reader(file);
  SECTION("root attributes") {
    CHECK(reader.root_string_attribute("schema") == "aidcsim");
    CHECK(reader.root_int_attribute("schema_version") == 1);
    CHECK(reader.root_string_attribute("software_version") == "0.1.0");
    CHECK(reader.root_string_attribute("git_sha") == "abc123def456");
    CHECK(reader.root_string_attribute("created_utc") == "2026-11-25T13:00:00Z");
    CHECK(reader.uint_attribute("/", "seed") == 18'446'744'073'709'551'557ULL);
    CHECK_THROWS_WITH(reader.int_attribute("/", "seed"), Catch::Contains("does not fit"));
    CHECK(reader.root_int_attribute("replications") == 2);
    CHECK(reader.root_string_attribute("backend") == "cpu (TBB)");
    CHECK(reader.root_string_attribute("device") == "2 threads");
    CHECK(reader.root_string_attribute("scenario_name") == "lagos-inference-20mw");
  }
  SECTION("inputs") {
    CHECK(reader.scenario_json() == kScenarioJson);
    CHECK(reader.catalog_json() == kCatalogJson);
    CHECK(reader.string_attribute("/inputs/scenario", "content_type") == "application/json");
    CHECK(reader.string_attribute("/inputs/catalog", "content_type") == "application/json");
  }
  SECTION("time and series") {
    CHECK(reader.time_s() == hourly_time(24));
    CHECK(reader.units("/timeseries/time_s") == "s");
    CHECK(reader.series_names() == std::vector<std::string>{"it_power_w", "outdoor_temp_c", "pue"});
    const auto infos = example_series();
    for (std::size_t s = 0; s < infos.size(); ++s) {
      const aidc::SeriesData data = reader.series(infos[s].name);
      CHECK(data.replications == 2);
      CHECK(data.steps == 24);
      CHECK(data.values == series_values(s, 2, 24));
      CHECK(reader.units("/timeseries/" + infos[s].name) == infos[s].units);
      CHECK(reader.string_attribute("/timeseries/" + infos[s].name, "long_name") == infos[s].long_name);
    }
  }
  SECTION("events") {
    const aidc::EventTable table = reader.events();
    CHECK(table.kind_names == kEventKinds);
    const auto expected = example_events();
    REQUIRE(table.events.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(table.events[i].replication == expected[i].replication);
      CHECK(table.events[i].time_s == expected[i].time_s);
      CHECK(table.events[i].kind == expected[i].kind);
      CHECK(table.events[i].component == expected[i].component);
      CHECK(table.events[i].id == expected[i].id);
      CHECK(table.events[i].duration_s == expected[i].duration_s);
      CHECK(table.events[i].value == expected[i].value);
    }
    CHECK(reader.string_array_attribute("/events", "units") ==
          std::vector<std::string>{"", "s", "", "", "", "s", ""});
  }
  SECTION("kpis") {
    const auto kpis = reader.kpis();
    const auto expected = example_kpis();
    REQUIRE(kpis.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(kpis[i].name == expected[i].name);
      CHECK(kpis[i].units == expected[i].units);
      CHECK(kpis[i].long_name == expected[i].long_name);
      CHECK(kpis[i].mean == expected[i].mean);
      CHECK(kpis[i].p10 == expected[i].p10);
      CHECK(kpis[i].p50 == expected[i].p50);
      CHECK(kpis[i].p90 == expected[i].p90);
    }
  }
}

TEST_CASE("every dataset under /timeseries has a units attribute") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  write_example(file);
  aidc::ResultsReader reader(file);
  auto names = reader.series_names();
  names.push_back("time_s");
  REQUIRE(names.size() == 4);
  for (const auto& name : names) {
    INFO(name);
    CHECK_NOTHROW(reader.units("/timeseries/" + name));
    CHECK_FALSE(reader.units("/timeseries/" + name).empty());
  }
}

TEST_CASE("nothing exists at the final path before commit") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  const auto time = hourly_time(4);
  aidc::ResultsWriter writer(file, example_meta(1), time, example_series(), 1, kEventKinds);
  writer.write_inputs(kScenarioJson, kCatalogJson);
  CHECK_FALSE(fs::exists(file));
  CHECK(fs::exists(writer.temporary_path()));
  CHECK(writer.temporary_path().parent_path() == file.parent_path());
  writer.commit();
  CHECK(fs::exists(file));
  CHECK_FALSE(fs::exists(writer.temporary_path()));
  CHECK(dir.entries() == 1);
}

TEST_CASE("a writer destroyed without commit leaves neither the final file nor the temporary file") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  fs::path tmp;
  {
    const auto time = hourly_time(8);
    aidc::ResultsWriter writer(file, example_meta(2), time, example_series(), 2, kEventKinds);
    tmp = writer.temporary_path();
    const auto v = series_values(0, 2, 8);
    writer.write_series_block(0, 0, 2, v);
    const auto events = example_events();
    writer.write_events(events);
    REQUIRE(fs::exists(tmp));
  }
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(fs::exists(tmp));
  CHECK(dir.entries() == 0);
}

TEST_CASE("a writer unwound by an exception leaves no file behind") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  try {
    const auto time = hourly_time(8);
    aidc::ResultsWriter writer(file, example_meta(1), time, example_series(), 1, kEventKinds);
    throw std::runtime_error("simulated failure mid-run");
  } catch (const std::runtime_error&) {
  }
  CHECK(dir.entries() == 0);
}

TEST_CASE("an existing final file is replaced atomically on commit") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  {
    std::ofstream old(file);
    old << "an old results file";
  }
  const auto time = hourly_time(4);
  aidc::ResultsWriter writer(file, example_meta(1), time, example_series(), 1, kEventKinds);
  writer.write_inputs(kScenarioJson, kCatalogJson);
  // Until commit the old file is untouched: a reader sees the old file or the new one, never a mix.
  CHECK(fs::file_size(file) == std::string("an old results file").size());
  writer.commit();
  aidc::ResultsReader reader(file);
  CHECK(reader.root_string_attribute("schema") == "aidcsim");
  CHECK(reader.scenario_json() == kScenarioJson);
  CHECK(dir.entries() == 1);
}

TEST_CASE("bad arguments to the results writer throw") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  const auto time = hourly_time(6);

  SECTION("constructor") {
    CHECK_THROWS_AS(aidc::ResultsWriter(file, example_meta(0), time, example_series(), 0, kEventKinds),
                    std::invalid_argument);
    CHECK_THROWS_AS(aidc::ResultsWriter(file, example_meta(3), time, example_series(), 2, kEventKinds),
                    std::invalid_argument);
    CHECK_THROWS_AS(aidc::ResultsWriter(file, example_meta(1), time, {{"a/b", "W", ""}}, 1, kEventKinds),
                    std::invalid_argument);
    CHECK_THROWS_AS(aidc::ResultsWriter(file, example_meta(1), time, {{"x", "W", ""}, {"x", "W", ""}}, 1, kEventKinds),
                    std::invalid_argument);
    CHECK_THROWS_AS(aidc::ResultsWriter(file, example_meta(1), time, {{"time_s", "s", ""}}, 1, kEventKinds),
                    std::invalid_argument);
    CHECK_THROWS_AS(aidc::ResultsWriter(file, example_meta(1), time, example_series(), 1, {"a", "a"}),
                    std::invalid_argument);
    CHECK_THROWS_AS(aidc::ResultsWriter(dir.path() / "missing" / "r.h5", example_meta(1), time, example_series(), 1,
                                        kEventKinds),
                    std::invalid_argument);
    const std::vector<double> backwards = {0.0, 3600.0, 3600.0};
    CHECK_THROWS_WITH(aidc::ResultsWriter(file, example_meta(1), backwards, example_series(), 1, kEventKinds),
                      Catch::Contains("strictly increasing; entry 2"));
    CHECK(dir.entries() == 0);
  }

  SECTION("writes") {
    aidc::ResultsWriter writer(file, example_meta(2), time, example_series(), 2, kEventKinds);
    const std::vector<double> one_row(6, 1.0);
    const std::vector<double> two_rows(12, 1.0);
    CHECK_THROWS_WITH(writer.write_series_block(3, 0, 1, one_row), Catch::Contains("series index 3"));
    CHECK_THROWS_AS(writer.write_series_block(0, -1, 1, one_row), std::out_of_range);
    CHECK_THROWS_AS(writer.write_series_block(0, 2, 1, one_row), std::out_of_range);
    CHECK_THROWS_AS(writer.write_series_block(0, 1, 2, two_rows), std::out_of_range);
    CHECK_THROWS_WITH(writer.write_series_block(0, 0, 2, one_row), Catch::Contains("2 x 6 = 12 values, got 6"));
    CHECK_NOTHROW(writer.write_series_block(0, 0, 2, two_rows));

    std::vector<aidc::EventRecord> bad_kind = {{0, 0.0, 4, "grid", 0, 0.0, 0.0}};
    CHECK_THROWS_AS(writer.write_events(bad_kind), std::out_of_range);
    std::vector<aidc::EventRecord> bad_replication = {{2, 0.0, 0, "grid", 0, 0.0, 0.0}};
    CHECK_THROWS_AS(writer.write_events(bad_replication), std::out_of_range);

    std::vector<aidc::KpiRow> long_name = {{std::string(64, 'k'), "1", "", 0, 0, 0, 0}};
    CHECK_THROWS_AS(writer.write_kpis(long_name), std::invalid_argument);
    std::vector<aidc::KpiRow> long_units = {{"k", std::string(32, 'u'), "", 0, 0, 0, 0}};
    CHECK_THROWS_AS(writer.write_kpis(long_units), std::invalid_argument);
    std::vector<aidc::KpiRow> widest = {{std::string(63, 'k'), std::string(31, 'u'), std::string(300, 'l'), 0, 0, 0, 0}};
    CHECK_NOTHROW(writer.write_kpis(widest));  // the long name is prose and is cut to fit

    writer.write_inputs("{}", "{}");
    CHECK_THROWS_AS(writer.write_inputs("{}", "{}"), std::logic_error);
    writer.commit();
    CHECK_THROWS_AS(writer.commit(), std::logic_error);
    CHECK_THROWS_AS(writer.write_series_block(0, 0, 2, two_rows), std::logic_error);
  }
}

TEST_CASE("a results file with zero events still has an empty events table") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  {
    const auto time = hourly_time(3);
    aidc::ResultsWriter writer(file, example_meta(1), time, example_series(), 1, kEventKinds);
    writer.write_events({});
    writer.commit();
  }
  aidc::ResultsReader reader(file);
  REQUIRE(reader.has_object("/events"));
  const aidc::EventTable table = reader.events();
  CHECK(table.events.empty());
  CHECK(table.kind_names == kEventKinds);
  CHECK(reader.kpis().empty());
}

TEST_CASE("a component name longer than its field is cut at a UTF-8 boundary") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  // 30 ASCII bytes then a two-byte 'é': the 32-byte field (31 bytes of text and a NUL) has room for only its first
  // byte, so it is dropped whole.
  const std::string component = std::string(30, 'c') + "\xC3\xA9" + "tail";
  {
    const auto time = hourly_time(2);
    aidc::ResultsWriter writer(file, example_meta(1), time, {}, 1, kEventKinds);
    std::vector<aidc::EventRecord> events = {{0, 1.0, 0, component, 1, 0.0, 0.0}};
    writer.write_events(events);
    writer.commit();
  }
  aidc::ResultsReader reader(file);
  CHECK(reader.events().events.at(0).component == std::string(30, 'c'));
  CHECK(aidc::h5::truncate_utf8("ab\xE2\x82\xAC", 4) == "ab");  // a three-byte euro sign
  CHECK(aidc::h5::truncate_utf8("ab\xE2\x82\xAC", 5) == "ab\xE2\x82\xAC");
}

TEST_CASE("a year of hourly series for three replications is chunked and compressed with shuffle and gzip") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  const int replications = 3;
  const std::size_t steps = 8760;
  {
    const auto time = hourly_time(steps);
    aidc::ResultsWriter writer(file, example_meta(replications), time, {{"it_power_w", "W", "IT power"}},
                               replications, kEventKinds);
    std::vector<double> v(replications * steps);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 20.0e6 + 1.0e5 * std::sin(static_cast<double>(i) * 0.2618);
    writer.write_series_block(0, 0, replications, v);
    writer.commit();
  }

  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const aidc::h5::File fh(f);
  const aidc::h5::Dataset ds(aidc::h5::check_id(H5Dopen2(f, "/timeseries/it_power_w", H5P_DEFAULT), "H5Dopen2", "x"));
  const aidc::h5::PropList dcpl(aidc::h5::check_id(H5Dget_create_plist(ds.get()), "H5Dget_create_plist", "x"));
  CHECK(H5Pget_layout(dcpl.get()) == H5D_CHUNKED);
  hsize_t chunk[2] = {0, 0};
  REQUIRE(H5Pget_chunk(dcpl.get(), 2, chunk) == 2);
  // 1 MiB / (8 B x 8760) = 14 rows would fit; there are only 3.
  CHECK(chunk[0] == 3);
  CHECK(chunk[1] == 8760);

  REQUIRE(H5Pget_nfilters(dcpl.get()) == 2);
  std::vector<H5Z_filter_t> filters;
  for (unsigned i = 0; i < 2; ++i) {
    unsigned flags = 0;
    std::size_t nelmts = 1;
    unsigned values[1] = {0};
    char name[64] = {};
    unsigned config = 0;
    filters.push_back(H5Pget_filter2(dcpl.get(), i, &flags, &nelmts, values, sizeof name, name, &config));
    if (filters.back() == H5Z_FILTER_DEFLATE) CHECK(values[0] == aidc::layout::kGzipLevel);
  }
  // Shuffle must run before gzip for it to help.
  CHECK(filters == std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE});
  CHECK(H5Dget_storage_size(ds.get()) < static_cast<hsize_t>(replications * steps * sizeof(double)));
}

TEST_CASE("a series row longer than 1 MiB is split along time as well") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  const std::size_t steps = 200'000;  // 1.6 MB per row
  {
    const auto time = hourly_time(steps);
    aidc::ResultsWriter writer(file, example_meta(2), time, {{"p", "W", ""}}, 2, kEventKinds);
    writer.commit();
  }
  const aidc::h5::File f(aidc::h5::check_id(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen", "x"));
  const aidc::h5::Dataset ds(aidc::h5::check_id(H5Dopen2(f.get(), "/timeseries/p", H5P_DEFAULT), "H5Dopen2", "x"));
  const aidc::h5::PropList dcpl(aidc::h5::check_id(H5Dget_create_plist(ds.get()), "H5Dget_create_plist", "x"));
  hsize_t chunk[2] = {0, 0};
  REQUIRE(H5Pget_chunk(dcpl.get(), 2, chunk) == 2);
  CHECK(chunk[0] == 1);
  CHECK(chunk[1] * sizeof(double) == (1u << 20));
  // Unwritten rows read back as NaN, not as a plausible zero.
  aidc::ResultsReader reader(file);
  CHECK(std::isnan(reader.series("p").at(1, 5)));
}

TEST_CASE("the results reader names the file and object when something is missing") {
  TempDir dir;
  const fs::path file = dir.path() / "results.h5";
  CHECK_THROWS_WITH(aidc::ResultsReader(file), Catch::Contains(file.string()) && Catch::Contains("does not exist"));
  {
    const auto time = hourly_time(2);
    aidc::ResultsWriter writer(file, example_meta(1), time, {}, 1, kEventKinds);
    writer.commit();  // no inputs written
  }
  aidc::ResultsReader reader(file);
  CHECK_THROWS_WITH(reader.scenario_json(), Catch::Contains(file.string() + ":/inputs/scenario"));
  CHECK_THROWS_WITH(reader.series("nope"), Catch::Contains("/timeseries/nope") && Catch::Contains("no such"));
  CHECK_THROWS_WITH(reader.root_string_attribute("nope"), Catch::Contains("attribute 'nope'"));
  CHECK_THROWS_WITH(reader.root_string_attribute("replications"), Catch::Contains("not a string"));
}

TEST_CASE("an HDF5 failure surfaces as an exception naming the operation and the object") {
  TempDir dir;
  const aidc::h5::QuietErrors quiet;
  const fs::path missing = dir.path() / "no" / "such.h5";
  try {
    aidc::h5::File f(aidc::h5::check_id(H5Fopen(missing.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen",
                                        missing.string()));
    FAIL("H5Fopen of a missing file succeeded");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("HDF5 H5Fopen failed for '" + missing.string() + "'"));
  }
}
