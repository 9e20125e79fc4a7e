// The operation fields of workloads (issue 4): required with a fleet section, refused without one, bounded by the
// systems the site holds.

#include <catch2/catch.hpp>

#include "core/run/workload_estimates.hpp"
#include "core/model/economics.hpp"
#include "core/run/perf_estimates.hpp"
#include "scenario_fixtures.hpp"

using namespace aidc;
using namespace aidc::test;

namespace {

nlohmann::json with_fleet() {
  auto doc = small_scenario_json();
  doc["fleet"] = nlohmann::json::object();
  doc["workloads"] = nlohmann::json::parse(R"([
    {"name": "chat", "type": "inference", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 1, "isl": 500,
     "osl": 200, "demand": {"mean_requests_per_s": 40}},
    {"name": "train", "type": "training", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 256, "seq": 4096,
     "global_batch_tokens": 2097152, "tokens": 1e11}
  ])");
  return doc;
}

}  // namespace

TEST_CASE("operated workloads resolve with defaults for priority, checkpoints and restarts", "[fleet][scenario]") {
  const ResolvedScenario rs = resolve(with_fleet());
  const auto& w = rs.scenario.workloads;
  REQUIRE(w.size() == 2);
  CHECK(w[0].priority == 1);
  CHECK(w[0].instances == 0);
  CHECK(w[0].demand.mean_requests_per_s == 40.0);
  CHECK(w[1].priority == 0);
  CHECK(w[1].tokens == 1e11);
  CHECK(w[1].checkpoint_s == 30.0);
  CHECK(w[1].restart_s == 300.0);
  CHECK(rs.resolved["workloads"][1]["restart_s"] == 300.0);
  // Their catalog entries go to /inputs/catalog beside the facility defaults the site used.
  CHECK(rs.catalog_entries["facility_defaults"].contains("training_restart_s"));
  CHECK(rs.catalog_entries["facility_defaults"].contains("training_checkpoint_s"));
  CHECK(rs.catalog_entries["facility_defaults"].contains("noise_sd_c"));
  // The resolved scenario parses again to the same workloads.
  const ResolvedScenario again = resolve(rs.resolved);
  CHECK(again.resolved["workloads"] == rs.resolved["workloads"]);
}

TEST_CASE("without a fleet section operation keys are bad input that says what is missing", "[fleet][scenario]") {
  auto doc = with_fleet();
  doc.erase("fleet");
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/0/demand", "", "\"fleet\" section"));
  CHECK(has_problem(ps, "/workloads/1/tokens", "", "\"fleet\" section"));
}

TEST_CASE("with a fleet a service needs a demand and a job its tokens", "[fleet][scenario]") {
  auto doc = with_fleet();
  doc["workloads"][0].erase("demand");
  doc["workloads"][1].erase("tokens");
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/0/demand", "", "mean_requests_per_s"));
  CHECK(has_problem(ps, "/workloads/1/tokens"));
}

TEST_CASE("bad operation values are reported with their paths", "[fleet][scenario]") {
  auto doc = with_fleet();
  doc["workloads"][0]["demand"]["mean_requests_per_s"] = -1;
  doc["workloads"][0]["demand"]["diurnal_amplitude"] = 2;
  doc["workloads"][0]["instances"] = 100000;
  doc["workloads"][1]["start_h"] = 99999;
  doc["workloads"][1]["checkpoint_s"] = -5;
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/0/demand/mean_requests_per_s", "-1"));
  CHECK(has_problem(ps, "/workloads/0/demand/diurnal_amplitude", "2"));
  CHECK(has_problem(ps, "/workloads/0/instances", "100000", "1000 dgx-h100 systems"));
  CHECK(has_problem(ps, "/workloads/1/start_h", "99999"));
  CHECK(has_problem(ps, "/workloads/1/checkpoint_s", "-5"));
}

TEST_CASE("a job larger than the fleet is bad input naming the site's GPUs", "[fleet][scenario]") {
  auto doc = with_fleet();
  doc["workloads"][1]["gpus"] = 8008;
  CHECK(has_problem(problems_of(doc), "/workloads/1/gpus", "8008", "8000 GPUs"));
}

TEST_CASE("revenue per million tokens needs a fleet serving tokens and adds the tokens' revenue", "[fleet][economics]") {
  auto doc = with_fleet();
  doc["economics"] = {{"revenue", {{"usd_per_gpu_hour", 0.0}, {"usd_per_million_tokens", 2.5}}}};
  const ResolvedScenario rs = resolve(doc);
  CHECK(rs.scenario.economics.usd_per_million_tokens == 2.5);
  CHECK(rs.resolved["economics"]["revenue"]["usd_per_million_tokens"] == 2.5);
  // Without a fleet the tokens are unknown: bad input at the key.
  auto no_fleet = small_scenario_json();
  no_fleet["economics"] = {{"revenue", {{"usd_per_million_tokens", 2.5}}}};
  CHECK(has_problem(problems_of(no_fleet), "/economics/revenue/usd_per_million_tokens", "2.5", "\"fleet\" section"));
  // Revenue = GPU-hours x price + million tokens x price.
  EconomicsSpec e = rs.scenario.economics;
  e.usd_per_gpu_hour = 2.0;
  OperatingInputs ops;
  ops.gpu_hours_sold_per_year = 1000.0;
  ops.million_tokens_per_year = 400.0;
  CHECK(evaluate_economics(e, ops).revenue_usd_per_year == Approx(2.0 * 1000.0 + 2.5 * 400.0));
}

TEST_CASE("a request length mix resolves, round-trips and gives a capacity between its classes", "[fleet][scenario]") {
  auto doc = with_fleet();
  doc["workloads"][0].erase("isl");
  doc["workloads"][0].erase("osl");
  doc["workloads"][0]["mix"] = nlohmann::json::parse(R"([{"share": 0.75, "isl": 500, "osl": 200},
                                                          {"share": 0.25, "isl": 4000, "osl": 600}])");
  const ResolvedScenario rs = resolve(doc);
  const WorkloadSpec& w = rs.scenario.workloads[0];
  REQUIRE(w.mix.size() == 2);
  CHECK(mean_output_tokens(w) == Approx(0.75 * 200 + 0.25 * 600));
  CHECK(resolve(rs.resolved).resolved["workloads"] == rs.resolved["workloads"]);
  // The mix's capacity in requests/s lies between its classes' (time-sharing).
  InferenceRequestSpec spec = inference_request(w);  // as the run builds it (core/run/workload_estimates.hpp)
  spec.n_requests = 600;
  const InferenceOutcome mixed = estimate_inference_mix(spec, w.mix, Backend::Cpu);
  REQUIRE(mixed.found);
  double rates[2];
  for (int i = 0; i < 2; ++i) {
    spec.isl = w.mix[static_cast<std::size_t>(i)].isl;
    spec.osl = w.mix[static_cast<std::size_t>(i)].osl;
    const InferenceOutcome one = estimate_inference(spec, Backend::Cpu);
    REQUIRE(one.found);
    rates[i] = one.estimate.output_tokens_per_s / spec.osl;
  }
  const double mix_rate = mixed.estimate.output_tokens_per_s / mean_output_tokens(w);
  CHECK(mix_rate == Approx(1.0 / (0.75 / rates[0] + 0.25 / rates[1])));
  CHECK(mix_rate < std::max(rates[0], rates[1]));
  CHECK(mix_rate > std::min(rates[0], rates[1]));
}

TEST_CASE("a mix with shares not summing to one, or next to isl and osl, is bad input", "[fleet][scenario]") {
  auto doc = with_fleet();
  doc["workloads"][0]["mix"] = nlohmann::json::parse(R"([{"share": 0.5, "isl": 500, "osl": 200},
                                                          {"share": 0.2, "isl": 4000, "osl": 600}])");
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/0/mix", "", "sum to 1"));
  CHECK(has_problem(ps, "/workloads/0/isl", "500", "\"mix\""));
}
