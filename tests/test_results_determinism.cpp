// A results file is a pure function of (scenario, seed): not of the thread count nor of how replications are
// batched. And a file read back holds everything the layout promises.
#include <cmath>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/results_reader.hpp"
#include "core/model/site_year.hpp"
#include "core/run/run_scenario.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace aidc;
using aidc::test::TempDir;

namespace {

// Four replications of a month on a grid that fails often, so that every replication has events.
ResolvedScenario month_with_outages(std::uint64_t seed = 5) {
  auto doc = aidc::test::small_scenario_json();
  doc["seed"] = seed;
  doc["replications"] = 4;
  doc["horizon"]["duration_h"] = 720;
  doc["site"]["grid"]["saidi_h_per_yr"] = 200.0;
  doc["site"]["grid"]["saifi_per_yr"] = 60.0;
  return aidc::test::resolve(doc);
}

struct Contents {
  std::vector<double> time_s;
  std::map<std::string, SeriesData> series;
  std::vector<EventRecord> events;
  std::vector<KpiRow> kpis;
};

Contents read_contents(const fs::path& file) {
  const ResultsReader reader(file);
  Contents c;
  c.time_s = reader.time_s();
  for (const auto& name : reader.series_names()) c.series.emplace(name, reader.series(name));
  c.events = reader.events().events;
  c.kpis = reader.kpis();
  return c;
}

fs::path run_to(const TempDir& dir, const std::string& name, const ResolvedScenario& rs, int threads, int batch) {
  RunOptions options;
  options.output = dir / name;
  options.threads = threads;
  options.batch_replications = batch;
  run_scenario(rs, options);
  return options.output;
}

bool same_event(const EventRecord& a, const EventRecord& b) {
  return a.replication == b.replication && a.time_s == b.time_s && a.kind == b.kind && a.component == b.component &&
         a.id == b.id && a.duration_s == b.duration_s && a.value == b.value;
}

// Equal, or both NaN (a KPI undefined in every replication, a series hour with nothing to measure).
bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_number);
}

bool same_kpi(const KpiRow& a, const KpiRow& b) {
  return a.name == b.name && a.units == b.units && a.long_name == b.long_name && same_number(a.mean, b.mean) &&
         same_number(a.p10, b.p10) && same_number(a.p50, b.p50) && same_number(a.p90, b.p90);
}

// Bitwise equality of every series value, event and KPI (== on doubles: no tolerance).
void check_identical(const Contents& a, const Contents& b) {
  CHECK(a.time_s == b.time_s);
  REQUIRE(a.series.size() == b.series.size());
  for (const auto& [name, data] : a.series) {
    INFO("series " << name);
    REQUIRE(b.series.count(name) == 1);
    const SeriesData& other = b.series.at(name);
    CHECK(data.replications == other.replications);
    CHECK(data.steps == other.steps);
    CHECK(same_values(data.values, other.values));
  }
  REQUIRE(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    INFO("event " << i);
    CHECK(same_event(a.events[i], b.events[i]));
  }
  REQUIRE(a.kpis.size() == b.kpis.size());
  for (std::size_t i = 0; i < a.kpis.size(); ++i) {
    INFO("kpi " << a.kpis[i].name);
    CHECK(same_kpi(a.kpis[i], b.kpis[i]));
  }
}

// A month of a small site operating a service and a training job with failures 50 x the catalog rates.
ResolvedScenario month_with_fleet() {
  auto doc = aidc::test::small_scenario_json();
  doc["replications"] = 4;
  doc["horizon"]["duration_h"] = 720;
  doc["it"]["systems"][0]["count"] = 64;
  doc["fleet"] = {{"hot_spare_nodes", 2}, {"failures", {{"scale", 50.0}}}};
  doc["workloads"] = nlohmann::json::parse(R"([
    {"name": "chat", "type": "inference", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 1, "isl": 500,
     "osl": 200, "tpot_slo_s": 0.05, "instances": 96, "demand": {"mean_requests_per_s": 40, "diurnal_amplitude": 0.3}},
    {"name": "train", "type": "training", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 256, "seq": 4096,
     "global_batch_tokens": 2097152, "tokens": 1e11}
  ])");
  return aidc::test::resolve(doc);
}

}  // namespace

TEST_CASE("a fleet's results do not depend on the thread count or the batching", "[fleet]") {
  const TempDir dir;
  const ResolvedScenario rs = month_with_fleet();
  const Contents one = read_contents(run_to(dir, "one.h5", rs, 1, 1));
  const Contents two = read_contents(run_to(dir, "two.h5", rs, 2, 3));
  check_identical(one, two);
  // The fleet's series, events and KPIs are in the file.
  CHECK(one.series.count("inference_served_tokens_per_s") == 1);
  CHECK(one.series.count("training_progress") == 1);
  CHECK(one.series.count("accelerators_down") == 1);
  const ResultsReader reader(dir / "one.h5");
  const auto names = reader.events().kind_names;
  CHECK(std::find(names.begin(), names.end(), "component_failure") != names.end());
  bool failure = false;
  for (const EventRecord& e : one.events) {
    if (names.at(static_cast<std::size_t>(e.kind)) == "component_failure") failure = true;
  }
  CHECK(failure);
  // The fleet's plan: racks and the fat tree, with the fabric's power.
  const NamedTable racks = reader.table("/fleet/racks");
  CHECK(racks.rows() == 16);  // 64 DGX H100 of 10.2 kW, 4 to a 40.8 kW rack
  const NamedTable fabric = reader.table("/fleet/fabric");
  CHECK(fabric.rows() >= 2);
  CHECK(reader.double_attribute("/fleet/fabric", "power_w") > 0.0);
  CHECK(reader.double_attribute("/fleet/fabric", "endpoints") == 64 * 8);
  bool served = false;
  for (const KpiRow& k : one.kpis) {
    if (k.name == "chat.served_tokens_per_s") served = k.p50 > 0.0;
  }
  CHECK(served);
}

TEST_CASE("results do not depend on the thread count or on how replications are batched") {
  TempDir dir;
  const ResolvedScenario rs = month_with_outages();
  const Contents one = read_contents(run_to(dir, "one_thread.h5", rs, 1, 1));
  const Contents two = read_contents(run_to(dir, "two_threads.h5", rs, 2, 3));
  REQUIRE(one.events.size() >= 4);  // the comparison means something only with events in it
  check_identical(one, two);
}

TEST_CASE("the same seed gives identical results and another seed different ones") {
  TempDir dir;
  const ResolvedScenario rs = month_with_outages(5);
  const Contents first = read_contents(run_to(dir, "first.h5", rs, 2, 0));
  const Contents again = read_contents(run_to(dir, "again.h5", rs, 2, 0));
  check_identical(first, again);

  const Contents other = read_contents(run_to(dir, "other.h5", month_with_outages(6), 2, 0));
  CHECK(other.series.at("dry_bulb_c").values != first.series.at("dry_bulb_c").values);
  CHECK(other.series.at("grid_import_w").values != first.series.at("grid_import_w").values);
  const bool same_events = other.events.size() == first.events.size() &&
                           std::equal(other.events.begin(), other.events.end(), first.events.begin(), same_event);
  CHECK_FALSE(same_events);
}

TEST_CASE("a results file read back holds every series, the run's metadata, its inputs and the required KPIs") {
  TempDir dir;
  const ResolvedScenario rs = month_with_outages();
  const fs::path file = run_to(dir, "results.h5", rs, 2, 0);
  const ResultsReader reader(file);
  const std::size_t R = 4, T = 720;

  CHECK(reader.time_s().size() == T);
  CHECK(reader.units("/timeseries/time_s") == "s");
  for (const auto& info : site_series_info()) {
    INFO("series " << info.name);
    const std::string path = "/timeseries/" + info.name;
    REQUIRE(reader.has_object(path));
    CHECK(reader.units(path) == info.units);
    CHECK(reader.string_attribute(path, "long_name") == info.long_name);
    const SeriesData data = reader.series(info.name);
    CHECK(data.replications == R);
    CHECK(data.steps == T);
  }
  CHECK(reader.series_names().size() == site_series_info().size());

  CHECK(reader.root_string_attribute("schema") == "aidcsim");
  CHECK(reader.uint_attribute("/", "seed") == 5);
  CHECK(reader.root_int_attribute("replications") == 4);
  CHECK_FALSE(reader.root_string_attribute("software_version").empty());
  CHECK_FALSE(reader.root_string_attribute("git_sha").empty());
  CHECK_THAT(reader.root_string_attribute("created_utc"), Catch::Matches(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"));
  CHECK(reader.root_string_attribute("backend") == "cpu");

  const auto scenario = nlohmann::json::parse(reader.scenario_json());
  CHECK(scenario == rs.resolved);
  const auto catalog = nlohmann::json::parse(reader.catalog_json());
  CHECK(catalog == rs.catalog_entries);
  REQUIRE(catalog.contains("systems"));
  CHECK(catalog["systems"]["dgx-h100"].contains("source"));
  CHECK(catalog["countries"]["Malaysia"].contains("sources"));
  REQUIRE(catalog.contains("facility_defaults"));
  for (const auto& [key, entry] : catalog["facility_defaults"].items()) {
    INFO(key);
    CHECK(entry.contains("source"));
  }

  const auto kpis = reader.kpis();
  for (const std::string name : {"it_energy_mwh", "facility_energy_mwh", "pue_annual", "wue_l_per_kwh", "water_m3",
                                 "carbon_t", "energy_cost_usd", "backup_hours", "unserved_energy_mwh"}) {
    INFO("kpi " << name);
    const auto row = std::find_if(kpis.begin(), kpis.end(), [&](const KpiRow& k) { return k.name == name; });
    REQUIRE(row != kpis.end());
    CHECK_FALSE(row->units.empty());
    CHECK(row->p10 <= row->p50);
    CHECK(row->p50 <= row->p90);
  }
  const auto events = reader.events();
  CHECK(events.kind_names == site_event_kind_names());
  CHECK_FALSE(events.events.empty());
}

TEST_CASE("a run may keep the events of its first replications only, and says so on /events", "[fleet]") {
  const TempDir dir;
  const ResolvedScenario rs = month_with_fleet();
  RunOptions options;
  options.output = dir / "some_events.h5";
  options.threads = 2;
  options.event_replications = 1;
  const RunSummary summary = run_scenario(rs, options);
  const ResultsReader reader(options.output);
  const auto events = reader.events().events;
  REQUIRE(!events.empty());
  CHECK(summary.event_records == events.size());
  for (const EventRecord& e : events) REQUIRE(e.replication == 0);
  CHECK(reader.int_attribute("/events", "replications_with_events") == 1);
  // The KPIs still cover every replication: the same as a run with all events.
  const Contents all = read_contents(run_to(dir, "all_events.h5", rs, 2, 0));
  CHECK(ResultsReader(dir / "all_events.h5").int_attribute("/events", "replications_with_events") == 4);
  const auto kpis = reader.kpis();
  REQUIRE(kpis.size() == all.kpis.size());
  for (std::size_t i = 0; i < kpis.size(); ++i) CHECK(same_kpi(kpis[i], all.kpis[i]));
}
