#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/io/results_reader.hpp"
#include "core/model/fleet_ops.hpp"
#include "core/run/run_scenario.hpp"
#include "core/run/workload_estimates.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/input_limits.hpp"
#include "core/scenario/parse_workloads.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::has_problem;
using aidc::test::problems_of;
using aidc::test::resolve;
using aidc::test::TempDir;
using aidc::test::small_scenario_json;

namespace {

// The small scenario (1000 x dgx-h100, 8000 GPUs) with one inference and one training workload.
nlohmann::json with_workloads() {
  auto doc = small_scenario_json();
  doc["replications"] = 1;
  doc["horizon"]["duration_h"] = 24;
  doc["workloads"] = nlohmann::json::parse(R"([
    {"name": "chat-8b", "type": "inference", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 2,
     "precision": "fp8", "isl": 1000, "osl": 200},
    {"name": "pretrain_8b", "type": "training", "model": "llama-3.1-8b", "system": "dgx-h100", "gpus": 8,
     "seq": 4096, "global_batch_tokens": 1048576}
  ])");
  return doc;
}

// A run into dir/r.h5 on two threads, the throughput search on the CPU.
RunOptions cpu_run_into(const TempDir& dir) {
  RunOptions options;
  options.output = dir.path() / "r.h5";
  options.threads = 2;
  options.perf_backend = Backend::Cpu;
  return options;
}

}  // namespace

TEST_CASE("a workloads section resolves with the system's accelerator and echoes every value") {
  const auto rs = resolve(with_workloads());
  REQUIRE(rs.scenario.workloads.size() == 2);
  const WorkloadSpec& inf = rs.scenario.workloads[0];
  CHECK(inf.kind == WorkloadKind::Inference);
  CHECK(inf.accelerator == "h100-sxm");
  CHECK(inf.precision == Precision::Fp8);
  CHECK(inf.arch.layers == 32);
  const WorkloadSpec& tr = rs.scenario.workloads[1];
  CHECK(tr.kind == WorkloadKind::Training);
  CHECK(tr.precision == Precision::Bf16);  // the training default
  CHECK(rs.catalog_entries["llm_models"].contains("llama-3.1-8b"));
  REQUIRE(rs.resolved.contains("workloads"));
  CHECK(rs.resolved["workloads"][0]["tp"] == 0);
  CHECK(rs.resolved["workloads"][1]["precision"] == "bf16");
  const auto again = resolve(rs.resolved);
  CHECK(again.resolved["workloads"] == rs.resolved["workloads"]);
}

TEST_CASE("a scenario without workloads has no workloads section") {
  const auto rs = resolve(small_scenario_json());
  CHECK(rs.scenario.workloads.empty());
  CHECK_FALSE(rs.resolved.contains("workloads"));
}

TEST_CASE("bad workloads are reported with their paths") {
  auto doc = with_workloads();
  doc["workloads"][0]["model"] = "llama-3.1-8c";
  doc["workloads"][0]["system"] = "dgx-h10";
  doc["workloads"][1]["gpus"] = 9000;
  doc["workloads"][1]["name"] = "pre train/1";
  doc["workloads"][1]["colour"] = "blue";
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/0/model", "llama-3.1-8c", "did you mean"));
  CHECK(has_problem(ps, "/workloads/0/model", "", "llama-3.1-8b"));
  CHECK(has_problem(ps, "/workloads/0/system", "dgx-h10", "dgx-h100"));
  CHECK(has_problem(ps, "/workloads/1/gpus", "9000", "8000 GPUs"));
  CHECK(has_problem(ps, "/workloads/1/name", "pre train/1", "letters, digits"));
  CHECK(has_problem(ps, "/workloads/1/colour", "blue", "unknown key"));
}

TEST_CASE("workload names must be distinct and the type and lengths given") {
  auto doc = with_workloads();
  doc["workloads"][1]["name"] = "chat-8b";
  doc["workloads"][0].erase("isl");
  doc["workloads"][1].erase("type");
  doc["workloads"][1]["seq"] = 4096;
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/1/name", "chat-8b", "no other workload"));
  CHECK(has_problem(ps, "/workloads/0/isl"));
  CHECK(has_problem(ps, "/workloads/1/type", "", "inference, training"));
  auto doc2 = with_workloads();
  doc2["workloads"] = {{"name", "x"}};
  CHECK(has_problem(problems_of(doc2), "/workloads", "", "an array"));
}

TEST_CASE("a workload system must be one of the site's systems") {
  auto doc = with_workloads();
  doc["workloads"][0]["system"] = "dgx-b200";  // in the catalog but not on this site
  CHECK(has_problem(problems_of(doc), "/workloads/0/system", "dgx-b200", "it.systems"));
}

TEST_CASE("hdf5-safe workload names") {
  CHECK(hdf5_safe_name("chat-70b"));
  CHECK(hdf5_safe_name("A_1"));
  CHECK_FALSE(hdf5_safe_name(""));
  CHECK_FALSE(hdf5_safe_name("a/b"));
  CHECK_FALSE(hdf5_safe_name("a.b"));
  CHECK_FALSE(hdf5_safe_name(std::string(65, 'a')));
  CHECK(hdf5_safe_name(std::string(41, 'a')));
  CHECK_FALSE(hdf5_safe_name(std::string(42, 'a')));
}

TEST_CASE("a workload name longer than its KPI names allow is bad input at parse") {
  auto doc = with_workloads();
  doc["workloads"][0]["name"] = std::string(42, 'n');
  CHECK(has_problem(problems_of(doc), "/workloads/0/name", std::string(42, 'n'), "1 to 41 letters"));
}

TEST_CASE("every KPI name of a workload with the longest accepted name fits the results file") {
  auto doc = with_workloads();
  doc["fleet"] = nlohmann::json::object();
  doc["workloads"][0]["name"] = std::string(limits::kMaxWorkloadNameBytes, 'i');
  doc["workloads"][0]["demand"] = {{"mean_requests_per_s", 10}};
  doc["workloads"][1]["name"] = std::string(limits::kMaxWorkloadNameBytes, 't');
  doc["workloads"][1]["tokens"] = 1e12;
  const auto rs = resolve(doc);
  for (const KpiInfo& k : fleet_kpi_info(rs.scenario)) {
    INFO(k.name);
    CHECK(k.name.size() <= 63);  // core/io/results_layout.hpp: 64-byte fields, NUL-terminated
  }
}

TEST_CASE("workload numbers beyond physical limits are bad input") {
  auto doc = with_workloads();
  doc["workloads"][1]["global_batch_tokens"] = 1e308;
  CHECK(has_problem(problems_of(doc), "/workloads/1/global_batch_tokens", "1e+308", "(0, 1e+09]"));
  auto fleet = with_workloads();
  fleet["fleet"] = nlohmann::json::object();
  fleet["workloads"][0]["demand"] = {{"mean_requests_per_s", 1e308}};
  fleet["workloads"][1]["tokens"] = 1e308;
  fleet["workloads"][1]["checkpoint_s"] = 1e308;
  const auto ps = problems_of(fleet);
  CHECK(has_problem(ps, "/workloads/0/demand/mean_requests_per_s", "1e+308", "(0, 1e+07]"));
  CHECK(has_problem(ps, "/workloads/1/tokens", "1e+308", "(0, 1e+15]"));
  CHECK(has_problem(ps, "/workloads/1/checkpoint_s", "1e+308", "[0, 3.16"));
}

TEST_CASE("a demand that grows beyond the request-rate limit within the horizon is bad input") {
  auto doc = with_workloads();
  doc["fleet"] = nlohmann::json::object();
  doc["horizon"]["duration_h"] = 100 * 8760;
  doc["workloads"][0]["demand"] = {{"mean_requests_per_s", 100}, {"annual_growth", 5.0}};
  doc["workloads"][1]["tokens"] = 1e12;
  CHECK(has_problem(problems_of(doc), "/workloads/0/demand/annual_growth", "5", "requests/s"));
}

TEST_CASE("a run with workloads writes every configuration and the chosen point under /perf") {
  TempDir dir;
  const auto rs = resolve(with_workloads());
  const RunOptions options = cpu_run_into(dir);
  const RunSummary summary = run_scenario(rs, options);
  REQUIRE(summary.workloads.size() == 2);
  CHECK(summary.workloads[0].find("workload chat-8b: ") == 0);
  CHECK(summary.workloads[0].find("output tokens/s on 2 x h100-sxm (tp ") != std::string::npos);
  CHECK(summary.workloads[1].find("workload pretrain_8b: step ") == 0);

  ResultsReader reader(options.output);
  // Inference: the chosen row is the feasible configuration with the most output tokens/s.
  const NamedTable cfg = reader.table("/perf/chat-8b/configs");
  const NamedTable chosen = reader.table("/perf/chat-8b/chosen");
  REQUIRE(cfg.rows() > 1);
  REQUIRE(chosen.rows() == 1);
  for (const TableColumn& c : cfg.columns) {
    INFO(c.name);
    CHECK_FALSE(c.units.empty());
  }
  CHECK(cfg.column("output_tokens_per_s").units == "tokens/s");
  CHECK(cfg.column("ttft_p99_s").units == "s");
  CHECK(cfg.column("memory_bytes_per_gpu").units == "B");
  double best = -1.0;
  std::size_t best_row = 0;
  const auto& tps = cfg.column("output_tokens_per_s").values;
  for (std::size_t i = 0; i < cfg.rows(); ++i) {
    if (cfg.column("feasible").values[i] == 1.0 && cfg.column("meets_slo").values[i] == 1.0 && tps[i] > best) {
      best = tps[i];
      best_row = i;
    }
  }
  REQUIRE(best > 0.0);
  CHECK(chosen.column("output_tokens_per_s").values[0] == best);
  for (const char* col : {"tp", "pp", "replicas", "max_batch", "chunk_tokens", "ttft_p99_s", "tpot_p99_s"}) {
    INFO(col);
    CHECK(chosen.column(col).values[0] == cfg.column(col).values[best_row]);
  }
  CHECK(reader.string_attribute("/perf/chat-8b/chosen", "model") == "llama-3.1-8b");
  CHECK(reader.string_attribute("/perf/chat-8b/chosen", "system") == "dgx-h100");
  CHECK(reader.string_attribute("/perf/chat-8b/chosen", "accelerator") == "h100-sxm");
  CHECK(reader.string_attribute("/perf/chat-8b/configs", "precision") == "fp8");
  CHECK(reader.string_attribute("/perf/chat-8b/configs", "backend") == "cpu");
  CHECK(reader.double_attribute("/perf/chat-8b/chosen", "gpus") == 2.0);
  CHECK(reader.double_attribute("/perf/chat-8b/configs", "configs_evaluated") == static_cast<double>(cfg.rows()));

  // Training: the chosen row is the feasible configuration with the shortest step.
  const NamedTable tcfg = reader.table("/perf/pretrain_8b/configs");
  const NamedTable tch = reader.table("/perf/pretrain_8b/chosen");
  REQUIRE(tcfg.rows() > 1);
  REQUIRE(tch.rows() == 1);
  for (const TableColumn& c : tcfg.columns) {
    INFO(c.name);
    if (!c.is_text) CHECK_FALSE(c.units.empty());
  }
  double fastest = 1e300;
  for (std::size_t i = 0; i < tcfg.rows(); ++i) {
    if (tcfg.column("feasible").values[i] == 1.0) fastest = std::min(fastest, tcfg.column("step_time_s").values[i]);
  }
  CHECK(tch.column("step_time_s").values[0] == fastest);
  CHECK(tch.column("mfu").values[0] > 0.0);
  CHECK(tch.column("mfu").values[0] < 1.0);
  CHECK(tch.column("tokens_per_s").values[0] == Approx(1048576.0 / fastest));
  CHECK(reader.string_attribute("/perf/pretrain_8b/chosen", "precision") == "bf16");
}

TEST_CASE("a workload that cannot fit is bad input before any replication and writes no results file") {
  TempDir dir;
  auto doc = with_workloads();
  // A 405B model in fp8 does not fit on one 80 GB GPU.
  doc["workloads"][0]["model"] = "llama-3.1-405b";
  doc["workloads"][0]["gpus"] = 1;
  const auto rs = resolve(doc);
  RunOptions options;
  options.output = dir.path() / "r.h5";
  options.threads = 1;
  options.perf_backend = Backend::Cpu;
  try {
    run_scenario(rs, options);
    FAIL("expected BadInput");
  } catch (const BadInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].json_path == "/workloads/0");
    CHECK(e.problems()[0].expected.find("1 x h100-sxm") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(options.output));

  // The command line: exit code 2, the path in the message, no results file.
  const auto file = dir.path() / "nofit.json";
  std::ofstream(file) << doc.dump(2);
  const auto out = dir.path() / "out.txt";
  const auto h5 = dir.path() / "cli.h5";
  const std::string cmd = std::string(AIDCSIM_BINARY) + " run " + file.string() + " -o " + h5.string() + " > " +
                          out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("/workloads/0") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(h5));
}

TEST_CASE("the tokyo b200 scenario carries workloads that resolve") {
  const Catalog catalog = Catalog::embedded();
  const auto rs = load_scenario_file(
      std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/tokyo-40mw-b200-water.json", catalog);
  REQUIRE(rs.scenario.workloads.size() == 2);
  CHECK(rs.scenario.workloads[0].accelerator == "b200");
  CHECK(rs.scenario.workloads[1].kind == WorkloadKind::Training);
}

TEST_CASE("a training workload may fix its pipeline schedule, an unknown one is bad input at its path") {
  auto doc = with_workloads();
  CHECK(resolve(doc).scenario.workloads[1].schedule == "searched");
  doc["workloads"][1]["schedule"] = "dualpipe";
  const auto rs = resolve(doc);
  CHECK(rs.scenario.workloads[1].schedule == "dualpipe");
  CHECK(rs.resolved["workloads"][1]["schedule"] == "dualpipe");
  CHECK(training_request(rs.scenario.workloads[1]).fixed_schedule == static_cast<int>(PipelineSchedule::DualPipe));
  doc["workloads"][1]["schedule"] = "gpipe";
  CHECK(has_problem(problems_of(doc), "/workloads/1/schedule", "gpipe", "dualpipe"));
}

TEST_CASE("an inference workload may name its serving engine, an unknown one is bad input at its path") {
  auto doc = with_workloads();
  CHECK(resolve(doc).scenario.workloads[0].engine == "trtllm");
  doc["workloads"][0]["engine"] = "vllm";
  const auto rs = resolve(doc);
  CHECK(rs.scenario.workloads[0].engine == "vllm");
  CHECK(rs.resolved["workloads"][0]["engine"] == "vllm");
  CHECK(inference_request(rs.scenario.workloads[0]).engine == ServingEngine::Vllm);
  doc["workloads"][0]["engine"] = "trtllm-serve";
  CHECK(inference_request(resolve(doc).scenario.workloads[0]).engine == ServingEngine::TrtLlmServe);
  doc["workloads"][0]["engine"] = "tgi";
  CHECK(has_problem(problems_of(doc), "/workloads/0/engine", "tgi", "sglang"));
  // A training workload has no engine.
  auto t = with_workloads();
  t["workloads"][1]["engine"] = "vllm";
  CHECK(has_problem(problems_of(t), "/workloads/1/engine", "vllm", ""));
}

TEST_CASE("an inference workload may serve disaggregated, with a fixed prefill split, and bad combinations are refused") {
  auto doc = with_workloads();
  CHECK(resolve(doc).scenario.workloads[0].serving == "aggregated");
  CHECK(resolve(doc).resolved["workloads"][0]["serving"] == "aggregated");
  doc["workloads"][0]["serving"] = "any";
  CHECK(inference_request(resolve(doc).scenario.workloads[0]).serving == ServingMode::Either);
  // A split alone implies disaggregated serving, and is echoed.
  auto split = with_workloads();
  split["workloads"][0]["prefill_instances"] = 1;
  const auto rs = resolve(split);
  CHECK(rs.scenario.workloads[0].serving == "disaggregated");
  CHECK(rs.resolved["workloads"][0]["prefill_instances"] == 1);
  CHECK(resolve(rs.resolved).resolved["workloads"] == rs.resolved["workloads"]);
  const InferenceRequestSpec spec = inference_request(rs.scenario.workloads[0]);
  CHECK(spec.prefill_instances == 1);
  CHECK(spec.serving == ServingMode::Disaggregated);
  const InferenceOutcome o = estimate_inference(spec, Backend::Cpu);
  REQUIRE(o.found);
  CHECK(o.config.prefill_replicas == 1);
  CHECK(o.config.replicas == 2);
  // Refused: a split with aggregated serving, a split leaving no decode instance, disaggregated on one GPU,
  // an unknown mode, and a split on a training workload.
  auto bad = with_workloads();
  bad["workloads"][0]["serving"] = "aggregated";
  bad["workloads"][0]["prefill_instances"] = 1;
  CHECK(has_problem(problems_of(bad), "/workloads/0/prefill_instances", "1", "aggregated"));
  bad["workloads"][0]["serving"] = "disaggregated";
  bad["workloads"][0]["prefill_instances"] = 2;
  CHECK(has_problem(problems_of(bad), "/workloads/0/prefill_instances", "2", "one decode instance"));
  auto one = with_workloads();
  one["workloads"][0]["gpus"] = 1;
  one["workloads"][0]["serving"] = "disaggregated";
  CHECK(has_problem(problems_of(one), "/workloads/0/serving", "disaggregated", "at least 2 instances"));
  auto shaped = with_workloads();
  shaped["workloads"][0]["gpus"] = 8;
  shaped["workloads"][0]["tp"] = 2;
  shaped["workloads"][0]["pp"] = 2;
  shaped["workloads"][0]["prefill_instances"] = 2;  // 2 prefill instances at tp 1 x pp 2 beside one at tp 2 x pp 2
  CHECK(problems_of(shaped).empty());
  shaped["workloads"][0]["prefill_instances"] = 4;
  CHECK(has_problem(problems_of(shaped), "/workloads/0/prefill_instances", "4",
                    "room in the workload's 8 GPUs over pp 2 for at least one decode instance at tp 2"));
  auto unknown = with_workloads();
  unknown["workloads"][0]["serving"] = "split";
  CHECK(has_problem(problems_of(unknown), "/workloads/0/serving", "split", "disaggregated"));
  auto tr = with_workloads();
  tr["workloads"][1]["serving"] = "disaggregated";
  CHECK(has_problem(problems_of(tr), "/workloads/1/serving", "disaggregated", ""));
}

TEST_CASE("a disaggregated workload's tables name the prefill instances and the KV transfer of every row") {
  TempDir dir;
  auto doc = with_workloads();
  doc["workloads"][0]["serving"] = "disaggregated";
  doc["workloads"].erase(1);
  const auto rs = resolve(doc);
  const RunOptions options = cpu_run_into(dir);
  const RunSummary summary = run_scenario(rs, options);
  REQUIRE(summary.workloads.size() == 1);
  CHECK_THAT(summary.workloads[0], Catch::Contains("1 prefill + 1 decode instances"));
  ResultsReader reader(options.output);
  const NamedTable cfg = reader.table("/perf/chat-8b/configs");
  REQUIRE(cfg.rows() > 0);
  for (std::size_t i = 0; i < cfg.rows(); ++i) {
    CHECK(cfg.column("prefill_instances").values[i] >= 1.0);
    CHECK(cfg.column("prefill_instances").values[i] < cfg.column("replicas").values[i]);
    if (cfg.column("feasible").values[i] == 1.0) CHECK(cfg.column("kv_transfer_s").values[i] > 0.0);
  }
  CHECK(cfg.column("kv_transfer_s").units == "s");
  CHECK(reader.string_attribute("/perf/chat-8b/chosen", "serving") == "disaggregated");
  CHECK(reader.string_attribute("/perf/chat-8b/chosen", "chosen_serving") == "disaggregated");
}

TEST_CASE("an FP8 inference workload on A100s is served weight-only by vLLM and refused for the other engines") {
  auto doc = with_workloads();
  doc["it"]["systems"] = nlohmann::json::parse(R"([{"name": "dgx-a100", "count": 1000}])");
  doc["workloads"][0]["system"] = "dgx-a100";
  doc["workloads"][1]["system"] = "dgx-a100";
  doc["workloads"][0]["engine"] = "vllm";
  const auto rs = resolve(doc);
  REQUIRE(rs.scenario.workloads.size() == 2);
  CHECK(rs.scenario.workloads[0].precision == Precision::Fp8);
  doc["workloads"][0]["engine"] = "sglang";
  CHECK(has_problem(problems_of(doc), "/workloads/0/precision", "\"fp8\"",
                    "\"engine\": \"vllm\" serves FP8 checkpoints on it weight-only"));
  doc["workloads"][0]["engine"] = "vllm";
  doc["workloads"][1]["precision"] = "fp8";  // training has no weight-only path
  const auto ps = problems_of(doc);
  CHECK(has_problem(ps, "/workloads/1/precision", "\"fp8\"", "no dense fp8 peak"));
  CHECK_FALSE(has_problem(ps, "/workloads/0/precision"));
}

TEST_CASE("an inference workload may prefill at its own tp, which implies disaggregated serving and is echoed and tabled") {
  auto doc = with_workloads();
  doc["workloads"][0]["gpus"] = 8;
  doc["workloads"][0]["tp"] = 4;
  doc["workloads"][0]["prefill_tp"] = 2;
  doc["workloads"].erase(1);
  const auto rs = resolve(doc);
  const WorkloadSpec& w = rs.scenario.workloads[0];
  CHECK(w.serving == "disaggregated");
  CHECK(w.prefill_tp == 2);
  CHECK(rs.resolved["workloads"][0]["prefill_tp"] == 2);
  CHECK(resolve(rs.resolved).resolved["workloads"] == rs.resolved["workloads"]);
  const InferenceRequestSpec spec = inference_request(w);
  CHECK(spec.prefill_tp == 2);
  const InferenceOutcome o = estimate_inference(spec, Backend::Cpu);
  REQUIRE(o.found);
  CHECK(o.config.prefill_tp == 2);
  CHECK(o.config.tp == 4);
  CHECK(config_gpus(o.config) == 8);
  TempDir dir;
  const RunOptions options = cpu_run_into(dir);
  const RunSummary summary = run_scenario(rs, options);
  REQUIRE(summary.workloads.size() == 1);
  CHECK_THAT(summary.workloads[0], Catch::Contains("prefill (tp 2) + "));
  ResultsReader reader(options.output);
  const NamedTable cfg = reader.table("/perf/chat-8b/configs");
  REQUIRE(cfg.rows() > 0);
  for (std::size_t i = 0; i < cfg.rows(); ++i) CHECK(cfg.column("prefill_tp").values[i] == 2.0);
  // Refused: with aggregated serving; a tp the heads do not split into; no layout that fills the GPUs.
  auto bad = doc;
  bad["workloads"][0]["serving"] = "aggregated";
  CHECK(has_problem(problems_of(bad), "/workloads/0/prefill_tp", "2", "aggregated"));
  bad = doc;
  bad["workloads"][0]["prefill_tp"] = 3;
  CHECK(has_problem(problems_of(bad), "/workloads/0/prefill_tp", "3", "32 heads, 8 KV heads"));
  bad = doc;
  bad["workloads"][0]["tp"] = 8;
  CHECK(has_problem(problems_of(bad), "/workloads/0/prefill_tp", "2", "at least one decode instance at tp 8"));
}
