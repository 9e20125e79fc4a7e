// Direct chunk writes (ResultsWriterOptions::direct_chunk_writes): the writer gathers whole chunks, shuffles and
// deflates them on TBB's workers and stores them with H5Dwrite_chunk. Readers must not tell the difference: the
// same values, the same declared filters, and the very bytes HDF5's own filter pipeline stores.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <tbb/global_control.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/io/chunk_codec.hpp"
#include "core/io/h5_handle.hpp"
#include "core/io/results_layout.hpp"
#include "core/io/results_reader.hpp"
#include "core/io/results_writer.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using aidc::test::TempDir;

namespace {

const std::vector<std::string> kKinds = {"grid_outage", "generator_start", "node_failure"};

aidc::RunMetadata meta(int replications) {
  aidc::RunMetadata m;
  m.software_version = "0.1.0";
  m.git_sha = "abc123def456";
  m.created_utc = "2026-11-25T13:00:00Z";
  m.seed = 7;
  m.replications = replications;
  m.backend = "cpu (TBB)";
  m.device = "test";
  m.scenario_name = "chunks";
  return m;
}

std::vector<double> hourly_time(std::size_t steps) {
  std::vector<double> t(steps);
  for (std::size_t i = 0; i < steps; ++i) t[i] = 3600.0 * static_cast<double>(i);
  return t;
}

// A smooth series with noise in the low bits, like a simulated power trace: compressible, but not trivially.
std::vector<double> smooth_values(int replications, std::size_t steps, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> noise(-1.0, 1.0);
  std::vector<double> v(static_cast<std::size_t>(replications) * steps);
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = 20.0e6 + 1.0e5 * std::sin(0.2618 * static_cast<double>(i % steps)) + 10.0 * noise(rng);
  }
  return v;
}

// Uniformly random bit patterns (finite doubles): deflate cannot shrink them, so the stored chunk is larger than
// the raw one.
std::vector<double> random_values(int replications, std::size_t steps, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(static_cast<std::size_t>(replications) * steps);
  for (double& x : v) {
    std::uint64_t bits = rng();
    if (((bits >> 52) & 0x7ff) == 0x7ff) bits ^= std::uint64_t{1} << 62;  // never NaN or infinite
    std::memcpy(&x, &bits, sizeof x);
  }
  return v;
}

std::vector<aidc::EventRecord> many_events(std::size_t count, int replications) {
  std::vector<aidc::EventRecord> events(count);
  std::mt19937_64 rng(11);
  for (std::size_t i = 0; i < count; ++i) {
    aidc::EventRecord& e = events[i];
    e.replication = static_cast<std::int32_t>(i * static_cast<std::size_t>(replications) / count);
    e.time_s = 3600.0 * static_cast<double>(i % 8760) + 0.5;
    e.kind = static_cast<std::int32_t>(rng() % kKinds.size());
    e.component = i % 7 == 0 ? std::string(40, 'x') : "component_" + std::to_string(i % 13);
    e.id = static_cast<std::int64_t>(rng() % 100000);
    e.duration_s = static_cast<double>(rng() % 7200);
    e.value = static_cast<double>(rng() % 1000000) * 0.001;
  }
  return events;
}

// Built with += rather than "s" + std::to_string(s), which trips GCC 12's -Wrestrict false positive.
std::string series_name(std::size_t s) {
  std::string name = "s";
  name += std::to_string(s);
  return name;
}

// What every test writes: two series of [R, T] in batches of `batch` rows, events in calls of varying size, KPIs.
struct Content {
  int replications = 0;
  std::size_t steps = 0;
  std::vector<std::vector<double>> series;
  std::vector<aidc::EventRecord> events;
  int batch = 1;
  int skip_row = -1;  // a replication never written (NaN in the file)
};

void write_file(const fs::path& path, const Content& c, bool direct) {
  const auto time = hourly_time(c.steps);
  std::vector<aidc::SeriesInfo> infos;
  for (std::size_t s = 0; s < c.series.size(); ++s) infos.push_back({series_name(s), "W", "a series"});
  aidc::ResultsWriter writer(path, meta(c.replications), time, infos, c.replications, kKinds,
                             aidc::ResultsWriterOptions{direct});
  for (int first = 0; first < c.replications; first += c.batch) {
    const int count = std::min(c.batch, c.replications - first);
    for (std::size_t s = 0; s < c.series.size(); ++s) {
      for (int i = 0; i < count; ++i) {
        if (first + i == c.skip_row) continue;
        const auto row = std::span<const double>(c.series[s]).subspan(static_cast<std::size_t>(first + i) * c.steps,
                                                                     c.steps);
        writer.write_series_block(s, first + i, 1, row);
      }
    }
  }
  // Calls of 1, 2, 3, ... events, so that calls straddle chunk boundaries at every offset.
  std::size_t done = 0;
  for (std::size_t n = 1; done < c.events.size(); ++n) {
    const std::size_t take = std::min(n * 97, c.events.size() - done);
    writer.write_events(std::span<const aidc::EventRecord>(c.events).subspan(done, take));
    done += take;
  }
  writer.write_kpis(std::vector<aidc::KpiRow>{{"k", "1", "a KPI", 1.0, 0.5, 1.0, 1.5}});
  writer.commit();
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_series_equal(const aidc::SeriesData& read, const std::vector<double>& expected, std::size_t steps,
                        int skip_row) {
  REQUIRE(read.values.size() == expected.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const bool skipped = static_cast<int>(i / steps) == skip_row;
    if (skipped ? !std::isnan(read.values[i]) : !same_bits(read.values[i], expected[i])) ++mismatches;
  }
  CHECK(mismatches == 0);
}

void check_events_equal(const std::vector<aidc::EventRecord>& read, const std::vector<aidc::EventRecord>& expected) {
  REQUIRE(read.size() == expected.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const aidc::EventRecord& a = read[i];
    const aidc::EventRecord& b = expected[i];
    const std::string component = std::string(aidc::h5::truncate_utf8(b.component, aidc::layout::kComponentBytes - 1));
    if (a.replication != b.replication || a.time_s != b.time_s || a.kind != b.kind || a.component != component ||
        a.id != b.id || a.duration_s != b.duration_s || a.value != b.value) {
      ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

// Every stored chunk of a dataset: its offset, filter mask and stored bytes.
struct StoredChunk {
  unsigned mask = 0;
  std::vector<unsigned char> bytes;
  bool operator==(const StoredChunk&) const = default;
};

std::map<std::vector<hsize_t>, StoredChunk> stored_chunks(const fs::path& path, const std::string& dataset) {
  using namespace aidc::h5;
  const File f(check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen", path.string()));
  const Dataset ds(check_id(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT), "H5Dopen2", dataset));
  const Dataspace space(check_id(H5Dget_space(ds.get()), "H5Dget_space", dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  hsize_t n = 0;
  check(H5Dget_num_chunks(ds.get(), space.get(), &n), "H5Dget_num_chunks", dataset);
  std::map<std::vector<hsize_t>, StoredChunk> out;
  for (hsize_t i = 0; i < n; ++i) {
    std::vector<hsize_t> offset(static_cast<std::size_t>(rank));
    unsigned mask = 0;
    haddr_t address = 0;
    hsize_t size = 0;
    check(H5Dget_chunk_info(ds.get(), space.get(), i, offset.data(), &mask, &address, &size), "H5Dget_chunk_info",
          dataset);
    StoredChunk c;
    c.bytes.resize(static_cast<std::size_t>(size));
    std::uint32_t read_mask = 0;
    check(H5Dread_chunk(ds.get(), H5P_DEFAULT, offset.data(), &read_mask, c.bytes.data()), "H5Dread_chunk", dataset);
    c.mask = read_mask;
    out.emplace(offset, std::move(c));
  }
  return out;
}

std::vector<H5Z_filter_t> declared_filters(const fs::path& path, const std::string& dataset, unsigned* level) {
  using namespace aidc::h5;
  const File f(check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "H5Fopen", path.string()));
  const Dataset ds(check_id(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT), "H5Dopen2", dataset));
  const PropList dcpl(check_id(H5Dget_create_plist(ds.get()), "H5Dget_create_plist", dataset));
  std::vector<H5Z_filter_t> filters;
  for (int i = 0; i < H5Pget_nfilters(dcpl.get()); ++i) {
    unsigned flags = 0;
    std::size_t nelmts = 1;
    unsigned values[1] = {0};
    char name[64] = {};
    unsigned config = 0;
    filters.push_back(
        H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nelmts, values, sizeof name, name, &config));
    if (filters.back() == H5Z_FILTER_DEFLATE) *level = values[0];
  }
  return filters;
}

}  // namespace

TEST_CASE("shuffle puts byte j of every element together, as HDF5's shuffle filter does") {
  // Three 4-byte elements and two bytes of a fractional fourth, which stay at the end.
  const std::vector<unsigned char> in = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31};
  std::vector<unsigned char> out(in.size());
  aidc::h5::shuffle_bytes(in, 4, out);
  CHECK(out == std::vector<unsigned char>{0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23, 30, 31});
  // One element, or one-byte elements: nothing moves.
  aidc::h5::shuffle_bytes(std::span(in).first(4), 4, out);
  CHECK(std::equal(in.begin(), in.begin() + 4, out.begin()));
  aidc::h5::shuffle_bytes(in, 1, out);
  CHECK(out == in);
}

TEST_CASE("series whose replications are not a multiple of the chunk rows, written in unaligned batches, read back exactly") {
  TempDir dir;
  Content c;
  c.replications = 31;  // chunks of 14 rows: 14 + 14 + an edge chunk of 3
  c.steps = 8760;
  c.series = {smooth_values(c.replications, c.steps, 1), smooth_values(c.replications, c.steps, 2)};
  c.batch = 5;
  c.skip_row = 17;  // inside the second chunk, which is then stored only at commit
  REQUIRE(aidc::layout::series_chunk(31, 8760).rows == 14);
  const fs::path file = dir / "direct.h5";
  write_file(file, c, true);
  const aidc::ResultsReader reader(file);
  for (std::size_t s = 0; s < c.series.size(); ++s) {
    const aidc::SeriesData read = reader.series(series_name(s));
    CHECK(read.replications == 31);
    CHECK(read.steps == 8760);
    check_series_equal(read, c.series[s], c.steps, c.skip_row);
  }
}

TEST_CASE("an events table across several chunks reads back exactly") {
  TempDir dir;
  Content c;
  c.replications = 3;
  c.steps = 24;
  c.series = {smooth_values(c.replications, c.steps, 3)};
  const std::size_t chunk_rows = aidc::layout::table_chunk_rows(72);
  c.events = many_events(2 * chunk_rows + 1234, c.replications);  // two full chunks and a partial one
  const fs::path file = dir / "direct.h5";
  write_file(file, c, true);
  const aidc::ResultsReader reader(file);
  const aidc::EventTable table = reader.events();
  CHECK(table.kind_names == kKinds);
  check_events_equal(table.events, c.events);
  CHECK(stored_chunks(file, "/events").size() == 3);
  REQUIRE(reader.kpis().size() == 1);
  CHECK(reader.kpis()[0].p90 == 1.5);
}

TEST_CASE("datasets written chunk by chunk still declare shuffle then deflate at the layout's level") {
  TempDir dir;
  Content c;
  c.replications = 4;
  c.steps = 100;
  c.series = {smooth_values(c.replications, c.steps, 4)};
  c.events = many_events(500, c.replications);
  const fs::path file = dir / "direct.h5";
  write_file(file, c, true);
  for (const std::string dataset : {"/timeseries/s0", "/events"}) {
    INFO(dataset);
    unsigned level = 0;
    CHECK(declared_filters(file, dataset, &level) == std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE});
    CHECK(level == aidc::layout::kGzipLevel);
  }
}

TEST_CASE("direct chunk writes store the same bytes as HDF5's filter pipeline") {
  TempDir dir;
  Content c;
  SECTION("a year of hourly series with an edge chunk and a replication never written") {
    c.replications = 17;
    c.steps = 8760;
    c.series = {smooth_values(c.replications, c.steps, 5)};
    c.batch = 3;
    c.skip_row = 15;
    c.events = many_events(aidc::layout::table_chunk_rows(72) + 10, c.replications);
  }
  bool incompressible = false;
  SECTION("incompressible series, stored larger than raw") {
    c.replications = 3;
    c.steps = 8760;
    c.series = {random_values(c.replications, c.steps, 6)};
    c.batch = 2;
    incompressible = true;
  }
  SECTION("rows longer than a chunk, cut along time with a short last chunk") {
    c.replications = 2;
    c.steps = 300'000;
    c.series = {smooth_values(c.replications, c.steps, 7)};
    c.batch = 1;
  }
  const fs::path direct = dir / "direct.h5";
  const fs::path plain = dir / "plain.h5";
  write_file(direct, c, true);
  write_file(plain, c, false);

  for (const std::string dataset : {"/timeseries/s0", "/events"}) {
    INFO(dataset);
    const auto a = stored_chunks(direct, dataset);
    const auto b = stored_chunks(plain, dataset);
    CHECK(a.size() == b.size());
    for (const auto& [offset, chunk] : b) {
      INFO("chunk at " << offset[0]);
      REQUIRE(a.count(offset) == 1);
      CHECK(a.at(offset).mask == chunk.mask);
      CHECK(a.at(offset).bytes.size() == chunk.bytes.size());
      CHECK(a.at(offset).bytes == chunk.bytes);
      if (incompressible && dataset != "/events") CHECK(chunk.bytes.size() > 3 * 8760 * sizeof(double));
    }
  }
  const aidc::ResultsReader ra(direct);
  const aidc::ResultsReader rb(plain);
  const aidc::SeriesData sa = ra.series("s0");
  const aidc::SeriesData sb = rb.series("s0");
  REQUIRE(sa.values.size() == sb.values.size());
  CHECK(std::equal(sa.values.begin(), sa.values.end(), sb.values.begin(), same_bits));
  check_series_equal(sa, c.series[0], c.steps, c.skip_row);
  check_events_equal(ra.events().events, c.events);
  check_events_equal(rb.events().events, c.events);
}

TEST_CASE("the stored chunks do not depend on the thread count") {
  TempDir dir;
  Content c;
  c.replications = 45;
  c.steps = 8760;
  c.series = {smooth_values(c.replications, c.steps, 8), smooth_values(c.replications, c.steps, 9)};
  c.batch = 8;
  c.events = many_events(3 * aidc::layout::table_chunk_rows(72), c.replications);
  {
    const tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    write_file(dir / "one.h5", c, true);
  }
  {
    const tbb::global_control four(tbb::global_control::max_allowed_parallelism, 4);
    write_file(dir / "four.h5", c, true);
  }
  for (const std::string dataset : {"/timeseries/s0", "/timeseries/s1", "/events"}) {
    INFO(dataset);
    CHECK(stored_chunks(dir / "one.h5", dataset) == stored_chunks(dir / "four.h5", dataset));
  }
}

TEST_CASE("a series row written again after its chunk was stored reads back as the last value written") {
  TempDir dir;
  const fs::path file = dir / "rewrite.h5";
  const std::size_t steps = 8760;
  const auto first = smooth_values(14, steps, 10);
  const auto second = smooth_values(1, steps, 11);
  {
    const auto time = hourly_time(steps);
    aidc::ResultsWriter writer(file, meta(14), time, {{"p", "W", ""}}, 14, kKinds);
    writer.write_series_block(0, 0, 14, first);  // the whole chunk: queued at once
    writer.write_series_block(0, 6, 1, second);  // through HDF5, after the queued chunk is stored
    writer.commit();
  }
  std::vector<double> expected = first;
  std::copy(second.begin(), second.end(), expected.begin() + 6 * static_cast<std::ptrdiff_t>(steps));
  check_series_equal(aidc::ResultsReader(file).series("p"), expected, steps, -1);
}
