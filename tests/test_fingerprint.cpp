// Fingerprint tests (the OMNeT++ idea): a 64-bit hash of every processed event's (time, kind, target, payload)
// over a full year of an example scenario, compared with a pinned value. Any change in event order, event timing,
// the random streams or the example scenario changes the fingerprint, without storing a golden trace.
//
// When one of these fails: decide whether the change of the event sequence was meant (a model change, a new event,
// a scenario edit) or is a bug (a changed tie-break, a thread-dependent order, a shifted random stream). If it was
// meant, re-pin the constants below with the values printed in the failure message, and say why in the commit.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/model/site_year.hpp"
#include "core/scenario/catalog.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace {

struct Pinned {
  const char* scenario;  // under scenarios/
  std::uint64_t fingerprint;
  std::uint64_t events_processed;
};

// scenarios/default.json (Johor, 100 MW, with its fleet in operation: failures, repairs, a chat service and two
// training jobs), replication 0 of a full year. Re-pinned when the default scenario gained its fleet (issue 4), and
// when the training search gained zero-bubble / DualPipe schedules (its jobs' step times changed, issue 12), and
// when the training model took each tensor's real width (SwiGLU, GQA) and zero-bubble needed m >= p, and when the
// inference efficiencies were refitted reproducibly (HBM 0.90, 50 us per collective; issue 12), and when the refit
// took the OpenOrca prompts at the dataset's 222 tokens and the v5.0 MLPerf rows (HBM 0.95, 2.5 ms per iteration),
// and when the closed loop's steady-state window took whole client cycles (refit: matmul 0.50, HBM 0.85, 1 ms, 35 us),
// and when the memory fits took the device-reported capacities and the engines' KV rules (refit: matmul 0.55, HBM
// 0.85, no exposed per-iteration overhead, 4 us per sampled sequence, 75 us).
constexpr Pinned kDefault = {"default.json", 0xd039e10cee37fdb3ULL, 63578};
// scenarios/nairobi-15mw-b200-water.json (an unreliable grid: outages, generator starts and failures).
constexpr Pinned kNairobi = {"nairobi-15mw-b200-water.json", 0x2f3961a36cee17b9ULL, 9136};

std::string hex(std::uint64_t x) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llxULL", static_cast<unsigned long long>(x));
  return buf;
}

aidc::SiteYearResult check_pinned(const Pinned& pinned) {
  const aidc::Catalog catalog = aidc::Catalog::embedded();
  aidc::ResolvedScenario rs =
      aidc::load_scenario_file(std::string(AIDCSIM_SOURCE_DIR) + "/scenarios/" + pinned.scenario, catalog);
  aidc::Scenario& s = rs.scenario;
  REQUIRE(s.horizon_h == 8760);
  s.replications = 1;
  const aidc::HourlyWeather weather = aidc::site_weather(s, rs.epw_weather.get(), 0);
  // A fleet runs its workloads at the kernels' operating points (so a kernel change moves these fingerprints too).
  const std::vector<aidc::FleetWorkloadRate> rates =
      s.fleet.enabled ? aidc::fleet_rates(aidc::estimate_workloads(s, aidc::Backend::Cpu))
                      : std::vector<aidc::FleetWorkloadRate>{};
  const aidc::SiteYearResult result = aidc::simulate_site_year(s, weather, 0, rates);
  INFO(pinned.scenario << ": now fingerprint " << hex(result.fingerprint) << ", events_processed "
                       << result.events_processed << " (pinned " << hex(pinned.fingerprint) << ", "
                       << pinned.events_processed << ")");
  CHECK(result.fingerprint == pinned.fingerprint);
  CHECK(result.events_processed == pinned.events_processed);
  return result;
}

}  // namespace

TEST_CASE("the default scenario's event sequence over a year matches its pinned fingerprint") {
  check_pinned(kDefault);
}

TEST_CASE("the Nairobi scenario's event sequence, with outages and generators, matches its pinned fingerprint") {
  const aidc::SiteYearResult r = check_pinned(kNairobi);
  // The point of this scenario: the year has outages that the generators carry, burning fuel.
  CHECK(r.kpis[aidc::kKpiGridOutages] > 5);
  CHECK(r.kpis[aidc::kKpiFuelUsed] > 0.0);
}
