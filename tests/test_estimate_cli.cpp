// `aidcsim estimate inference|training` and `aidcsim validate` as a user meets them: the real binary, run through
// the shell, its JSON parsed. Bad input gives exit code 2 and the reason in numbers.
#include <catch2/catch.hpp>

#include <filesystem>
#include <initializer_list>
#include <sstream>
#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run/perf_estimates.hpp"
#include "core/scenario/catalog.hpp"
#include "kernels/backend.hpp"
#include "run_command.hpp"
#include "temp_dir.hpp"
#include "tests/skip.hpp"

namespace fs = std::filesystem;
using aidc::test::CommandResult;
using aidc::test::run_command;
using aidc::test::TempDir;
using nlohmann::json;

namespace {

const fs::path kBinary = AIDCSIM_BINARY;

CommandResult aidcsim(const std::vector<std::string>& args) {
  TempDir dir;
  return run_command(kBinary, args, dir);
}

json run_json(const std::vector<std::string>& args) {
  const CommandResult r = aidcsim(args);
  INFO(r.command);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

std::vector<std::string> inference_args(std::initializer_list<std::string> extra) {
  std::vector<std::string> a = {"estimate", "inference", "--model",  "llama-3.1-8b", "--accelerator", "h100-sxm",
                                "--precision", "fp8",    "--isl",    "1000",         "--osl",         "200"};
  a.insert(a.end(), extra);
  return a;
}

std::vector<std::string> training_args(std::initializer_list<std::string> extra) {
  std::vector<std::string> a = {"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                "--seq",    "4096",     "--global-batch-tokens", "262144"};
  a.insert(a.end(), extra);
  return a;
}

void check_refused(const std::vector<std::string>& args, std::initializer_list<std::string> parts) {
  const CommandResult r = aidcsim(args);
  INFO(r.command);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  for (const auto& p : parts) CHECK_THAT(r.err, Catch::Contains(p));
}

}  // namespace

TEST_CASE("estimate inference prints throughput, latencies and the configuration as JSON") {
  const json j = run_json(inference_args({"--gpus", "2", "--tp", "1", "--json"}));
  for (const char* k : {"output_tokens_per_s", "ttft_p50_s", "ttft_p99_s", "tpot_p50_s", "tpot_p99_s"}) {
    INFO(k);
    REQUIRE(j.contains(k));
    CHECK(j[k].get<double>() > 0.0);
  }
  for (const char* k : {"tp", "pp", "ep", "replicas", "max_batch", "chunk_tokens"}) {
    INFO(k);
    REQUIRE(j["config"].contains(k));
    CHECK(j["config"][k].get<int>() > 0);
  }
  CHECK(j["config"]["tp"] == 1);
  CHECK(j["config"]["replicas"] == 2);
  CHECK(j["model"] == "llama-3.1-8b");
  CHECK(j["accelerator"] == "h100-sxm");
  CHECK(j["gpus"] == 2);
  CHECK(j["precision"] == "fp8");
  CHECK(j["isl"] == 1000);
  CHECK(j["osl"] == 200);
  CHECK(j["configs_evaluated"].get<int>() > 0);
  CHECK(j["backend"].is_string());
}

TEST_CASE("estimate inference keeps a given tensor-parallel degree") {
  const json j = run_json(inference_args({"--gpus", "4", "--tp", "2", "--json"}));
  CHECK(j["config"]["tp"] == 2);
  CHECK(j["config"]["replicas"].get<int>() * j["config"]["pp"].get<int>() == 2);
}

TEST_CASE("saturated inference throughput is at least the throughput of one client") {
  const json sat = run_json(inference_args({"--gpus", "1", "--json"}));
  const json one = run_json(inference_args({"--gpus", "1", "--concurrency", "1", "--json"}));
  CHECK(sat["concurrency"] == "saturated");
  CHECK(one["concurrency"] == 1);
  CHECK(sat["output_tokens_per_s"].get<double>() >= one["output_tokens_per_s"].get<double>());
  // one client: no queueing, so time to first token is one prefill
  CHECK(one["ttft_p99_s"].get<double>() < sat["ttft_p99_s"].get<double>());
}

TEST_CASE("estimate inference without --json prints a short readable block") {
  const CommandResult r = aidcsim(inference_args({"--gpus", "1"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("output tokens/s"));
  CHECK_THAT(r.out, Catch::Contains("TTFT p50 / p99"));
  CHECK_THAT(r.out, Catch::Contains("configuration     tp 1"));
}

TEST_CASE("estimate training prints step time, MFU and memory and keeps the given tp and pp") {
  const json j = run_json(training_args({"--gpus", "16", "--tp", "2", "--pp", "2", "--json"}));
  for (const char* k : {"step_time_s", "model_tflops_per_gpu", "mfu", "memory_per_gpu_gb", "tokens_per_s"}) {
    INFO(k);
    REQUIRE(j.contains(k));
    CHECK(j[k].get<double>() > 0.0);
  }
  CHECK(j["mfu"].get<double>() < 1.0);
  const json& c = j["config"];
  for (const char* k : {"tp", "pp", "dp", "cp", "micro_batch", "interleave", "zero", "recompute"}) {
    INFO(k);
    CHECK(c.contains(k));
  }
  CHECK(c["tp"] == 2);
  CHECK(c["pp"] == 2);
  CHECK(c["tp"].get<int>() * c["pp"].get<int>() * c["dp"].get<int>() * c["cp"].get<int>() == 16);
  CHECK(j["configs_evaluated"].get<long long>() > 0);
}

TEST_CASE("estimate training defaults to flash attention and --attention standard is slower and larger") {
  const json flash = run_json(training_args({"--gpus", "8", "--json"}));
  const json standard = run_json(training_args({"--gpus", "8", "--attention", "standard", "--json"}));
  CHECK(flash["attention"] == "flash");
  CHECK(standard["attention"] == "standard");
  CHECK(flash["step_time_s"].get<double>() < standard["step_time_s"].get<double>());
  check_refused(training_args({"--gpus", "8", "--attention", "paged"}), {"--attention"});
}

TEST_CASE("estimate training without --json prints a short readable block") {
  const CommandResult r = aidcsim(training_args({"--gpus", "8"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("step time"));
  CHECK_THAT(r.out, Catch::Contains("MFU"));
}

TEST_CASE("an unknown model or accelerator is refused with the names and the nearest one") {
  std::vector<std::string> a = inference_args({"--gpus", "1"});
  a[3] = "llama-3.1-70b";
  check_refused(a, {"llama-3.1-70b", "llama-3.1-8b", "did you mean \"llama-3.3-70b\""});
  a = inference_args({"--gpus", "1"});
  a[5] = "h100-sxm5";
  check_refused(a, {"h100-sxm5", "mi300x", "did you mean \"h100-sxm\""});
  std::vector<std::string> t = training_args({"--gpus", "8"});
  t[5] = "b300";
  check_refused(t, {"b300", "gb300"});
  // another spelling of a name, and the start of several names
  a = inference_args({"--gpus", "1"});
  a[3] = "Llama-3.1-8B";
  check_refused(a, {"did you mean \"llama-3.1-8b\""});
  a = inference_args({"--gpus", "1"});
  a[5] = "h100";
  check_refused(a, {"did you mean \"h100-pcie\" or \"h100-sxm\""});
}

TEST_CASE("GPUs not divisible by the tensor-parallel degree are refused") {
  check_refused(inference_args({"--gpus", "3", "--tp", "2"}), {"--gpus 3 is not divisible by --tp 2"});
  check_refused(training_args({"--gpus", "6", "--tp", "4"}), {"--gpus 6 is not divisible by --tp 4"});
}

TEST_CASE("a model that does not fit is refused with the memory in numbers") {
  std::vector<std::string> a = {"estimate", "inference", "--model", "llama-3.1-405b", "--accelerator", "h100-sxm",
                                "--gpus", "2", "--precision", "fp8", "--isl", "1000", "--osl", "100"};
  check_refused(a, {"llama-3.1-405b in fp8 needs", "GB of weights", "2 x h100-sxm hold 171 GB (167 GB usable)"});
  std::vector<std::string> t = training_args({"--gpus", "2"});
  t[3] = "llama-3.1-405b";
  check_refused(t, {"llama-3.1-405b on 2 x h100-sxm", "no configuration fits in memory", "GB"});
}

TEST_CASE("fp4 on an accelerator without fp4 is refused") {
  std::vector<std::string> a = inference_args({"--gpus", "1"});
  a[7] = "fp4";
  check_refused(a, {"h100-sxm has no fp4 support"});
  std::vector<std::string> t = training_args({"--gpus", "8", "--precision", "fp8"});
  t[5] = "a100-sxm-80gb";
  check_refused(t, {"a100-sxm-80gb has no fp8 support"});
}

TEST_CASE("backend cuda without a device is refused and with one it runs") {
  const CommandResult r = aidcsim(inference_args({"--gpus", "1", "--backend", "cuda", "--json"}));
  INFO(r.err);
  if (aidc::cuda_device_count() == 0) {
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("backend cuda requested"));
  } else {
    CHECK(r.exit_code == 0);
  }
  check_refused(inference_args({"--gpus", "1", "--backend", "tpu"}), {"unknown backend"});
}

TEST_CASE("command-line parse errors of estimate give exit code 2") {
  check_refused({"estimate"}, {"subcommand"});
  check_refused({"estimate", "inference", "--model", "llama-3.1-8b"}, {"required"});
  check_refused(inference_args({"--gpus", "0"}), {"--gpus"});
  check_refused(inference_args({"--gpus", "1", "--precision-typo", "fp8"}), {"precision-typo"});
  std::vector<std::string> a = inference_args({"--gpus", "1"});
  a[7] = "int4";
  check_refused(a, {"int4"});
  // NaN and out-of-range numbers name the option and the expectation (NaN passes every comparison)
  check_refused(inference_args({"--gpus", "1", "--ttft-slo-s", "nan"}), {"--ttft-slo-s", "finite number", "nan"});
  check_refused(inference_args({"--gpus", "1", "--tpot-slo-s", "-0.1"}), {"--tpot-slo-s"});
  for (const char* tokens : {"1e30", "nan"}) {
    check_refused({"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm", "--gpus", "8",
                   "--seq", "4096", "--global-batch-tokens", tokens},
                  {"--global-batch-tokens", "finite number", tokens});
  }
}

TEST_CASE("a training batch that is not a whole number of sequences is refused with multiples to use") {
  check_refused({"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm", "--gpus", "8",
                 "--seq", "8192", "--global-batch-tokens", "12345"},
                {"not a whole number of 8192-token sequences (1.51)", "8192 or 16384"});
}

TEST_CASE("a fixed tp that does not split the heads as the serving engines require is refused") {
  check_refused({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus", "3",
                 "--tp", "3", "--precision", "fp8", "--isl", "1000", "--osl", "1000"},
                {"--tp 3 does not split the 64 attention heads and 8 KV heads of llama-3.3-70b"});
}

TEST_CASE("an SLO miss names only the bounds that were given") {
  check_refused(inference_args({"--gpus", "1", "--tpot-slo-s", "0.0001"}), {"no TTFT bound, p99 TPOT <= 0.0001 s"});
}

TEST_CASE("validate prints every reference row and the summary lines") {
  const aidc::Catalog catalog = aidc::Catalog::embedded();
  const std::size_t n_inference = catalog.entry("reference_measurements", "inference")->size();
  const std::size_t n_training = catalog.entry("reference_measurements", "training")->size();
  const CommandResult r = aidcsim({"validate"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string line;
  std::size_t inference = 0, training = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("inference ", 0) == 0 && line.find("rows,") == std::string::npos) ++inference;
    if (line.rfind("training ", 0) == 0 && line.find("rows,") == std::string::npos) ++training;
  }
  CHECK(inference == n_inference);
  CHECK(training == n_training);
  for (const char* s : {"inference calibration:", "inference validation:", "training calibration:",
                        "training validation:", "median |error|"}) {
    CHECK_THAT(r.out, Catch::Contains(s));
  }
}

// The acceptance test of the throughput estimates: on the calibration rows, median absolute error <= 10 % and
// maximum <= 25 %, for inference and for training; every row estimated or skipped with a reason.
TEST_CASE("validate JSON meets the calibration targets for inference and training") {
  const json j = run_json({"validate", "--json"});
  const aidc::Catalog catalog = aidc::Catalog::embedded();
  const std::size_t n_rows = catalog.entry("reference_measurements", "inference")->size() +
                             catalog.entry("reference_measurements", "training")->size();
  REQUIRE(j["rows"].size() == n_rows);
  for (const json& row : j["rows"]) {
    INFO(row.dump());
    if (row["status"] == "skipped") {
      CHECK(!row["reason"].get<std::string>().empty());
    } else {
      CHECK(row["status"] == "estimated");
      CHECK(row["estimate"].get<double>() > 0.0);
      CHECK(row["measured"].get<double>() > 0.0);
      CHECK(row.contains("error"));
      CHECK(row.contains("config"));
    }
  }
  for (const char* kind : {"inference", "training"}) {
    const json& cal = j["summary"][kind]["calibration"];
    INFO(kind << " calibration: " << cal.dump());
    CHECK(cal["rows"].get<int>() > 0);
    CHECK(cal["skipped"] == 0);
    CHECK(cal["median_abs_error"].get<double>() <= 0.10);
    CHECK(cal["max_abs_error"].get<double>() <= 0.25);
    CHECK(j["summary"][kind]["validation"].contains("median_abs_error"));
  }
  CHECK(j["summary"]["inference"]["calibration"]["rows"] == 35);
  CHECK(j["summary"]["training"]["calibration"]["rows"] == 8);
  // a training row that names the single modules its run recomputed is estimated with them
  const json& training = *catalog.entry("reference_measurements", "training");
  int with_modules = 0;
  for (const json& row : j["rows"]) {
    if (row["kind"] != "training" || row["status"] != "estimated") continue;
    const json& entry = training[row["index"].get<std::size_t>()];
    if (!entry.contains("recompute_modules")) continue;
    INFO(row.dump());
    CHECK(row["config"]["recompute_modules"] == entry["recompute_modules"]);
    ++with_modules;
  }
  CHECK(with_modules >= 4);  // DeepSeek-V3's Megatron-Bridge rows: mla_up_proj
}

TEST_CASE("validate with backend cuda and no device is refused") {
  if (aidc::cuda_device_count() > 0) AIDCSIM_SKIP("a CUDA device is here: validate with backend cuda runs");
  check_refused({"validate", "--backend", "cuda"}, {"backend cuda requested"});
}

TEST_CASE("a tp that does not divide the GPUs is refused with the remainder, one that does is accepted") {
  CHECK(aidc::tp_divisibility_error(6, 4) == "--gpus 6 is not divisible by --tp 4 (6 = 4 x 1 + 2)");
  CHECK(aidc::tp_divisibility_error(8, 4).empty());
  CHECK(aidc::tp_divisibility_error(7, 0).empty());  // 0: searched
}

TEST_CASE("a training configuration's JSON names every parallel degree, the recompute mode and sequence parallelism") {
  aidc::TrainingConfig c;
  c.tp = 4;
  c.pp = 2;
  c.dp = 8;
  c.cp = 1;
  c.ep = 1;
  c.micro_batch = 2;
  c.interleave = 1;
  c.zero = 1;
  c.recompute = aidc::Recompute::Selective;
  c.sequence_parallel = 1;
  c.schedule = aidc::PipelineSchedule::ZeroBubble;
  const json j = aidc::training_config_json(c);
  CHECK(j == json::parse(R"({"tp": 4, "pp": 2, "dp": 8, "cp": 1, "ep": 1, "etp": 4, "micro_batch": 2, "interleave": 1,
                             "zero": 1, "recompute": "selective", "recompute_modules": [],
                             "sequence_parallel": true, "schedule": "zero-bubble"})"));
  // single modules recomputed: by Megatron-core's names, and in the one-word label
  c.recompute = aidc::Recompute::None;
  c.recompute_modules = aidc::kRecomputeMlaUpProj | aidc::kRecomputeMlp;
  CHECK(aidc::training_config_json(c)["recompute_modules"] == json::parse(R"(["mlp", "mla_up_proj"])"));
  CHECK(aidc::recompute_label(c) == "mlp+mla_up_proj");
  c.recompute = aidc::Recompute::Selective;
  c.recompute_modules = aidc::kRecomputeLayernorm;
  CHECK(aidc::recompute_label(c) == "selective+layernorm");
  aidc::InferenceConfig i;
  i.tp = 2;
  i.replicas = 4;
  const json k = aidc::inference_config_json(i);
  CHECK(k["tp"] == 2);
  CHECK(k["replicas"] == 4);
  CHECK(k["serving"] == "aggregated");
  CHECK(k.size() == 7);
  i.prefill_replicas = 1;
  const json d = aidc::inference_config_json(i);
  CHECK(d["serving"] == "disaggregated");
  CHECK(d["prefill_instances"] == 1);
  CHECK(d["decode_instances"] == 3);
  CHECK(aidc::inference_layout_text(i) == "tp 2, pp 1, ep 1, 1 prefill + 3 decode instances");
}

TEST_CASE("estimate training accepts the published 405B and DeepSeek-V3 layouts and a fixed pipeline schedule") {
  // Llama 3.1 405B at PP 16 (Meta) and PP 8 with CP 2 (Megatron-Bridge, MLPerf-style); DeepSeek-V3 at PP 16.
  struct Case {
    const char* model;
    const char* gpus;
    const char* seq;
    std::vector<std::string> degrees;
  };
  const Case cases[] = {
      {"llama-3.1-405b", "2048", "8192", {"--tp", "8", "--pp", "16"}},
      {"llama-3.1-405b", "1024", "8192", {"--tp", "8", "--pp", "8", "--cp", "2"}},
      {"deepseek-v3", "2048", "4096", {"--tp", "1", "--pp", "16"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"estimate", "training", "--model", c.model, "--accelerator", "h100-sxm",
                                     "--gpus", c.gpus, "--seq", c.seq, "--global-batch-tokens", "16777216",
                                     "--precision", "fp8", "--json"};
    args.insert(args.end(), c.degrees.begin(), c.degrees.end());
    const json j = run_json(args);
    INFO(c.model << " " << c.gpus);
    CHECK(j["config"]["pp"] == std::stoi(c.degrees[3]));
    CHECK(j["tokens_per_s"].get<double>() > 0.0);
  }
  // A fixed schedule is kept and printed; an unknown one is refused by the option parser.
  for (const char* s : {"1f1b", "zero-bubble", "dualpipe"}) {
    const json j = run_json(training_args({"--gpus", "16", "--pp", "4", "--schedule", s, "--json"}));
    CHECK(j["config"]["schedule"] == s);
  }
  const CommandResult text = aidcsim(training_args({"--gpus", "16", "--pp", "4", "--schedule", "dualpipe"}));
  CHECK_THAT(text.out, Catch::Contains("schedule dualpipe"));
  const CommandResult bad = aidcsim(training_args({"--gpus", "16", "--schedule", "gpipe"}));
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("--schedule"));
}

TEST_CASE("estimate training takes fp4 on Blackwell and refuses it where the accelerator has no FP4") {
  const json j = run_json({"estimate", "training", "--model", "llama-3.3-70b", "--accelerator", "gb200", "--gpus",
                           "64", "--seq", "8192", "--global-batch-tokens", "2097152", "--precision", "fp4", "--json"});
  CHECK(j["tokens_per_s"].get<double>() > 0.0);
  check_refused({"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm", "--gpus", "8",
                 "--seq", "4096", "--global-batch-tokens", "262144", "--precision", "fp4"},
                {"h100-sxm has no fp4 support"});
}

TEST_CASE("training beyond one scale-up domain on an accelerator without a scale-out NIC is refused, not infinite") {
  // mi325x has no system in the catalog, so no NIC rate: 64 GPUs (8 domains) cannot be timed; 8 can.
  check_refused({"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "mi325x", "--gpus", "64",
                 "--seq", "8192", "--global-batch-tokens", "1048576"},
                {"64 GPUs exceed the 8-GPU scale-up domain of mi325x", "no scale-out NIC"});
  const json j = run_json({"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "mi325x", "--gpus", "8",
                           "--seq", "8192", "--global-batch-tokens", "1048576", "--json"});
  CHECK(j["step_time_s"].get<double>() > 0.0);
  CHECK(j["step_time_s"].get<double>() < 100.0);
}

TEST_CASE("a fixed schedule the fixed pipeline cannot run is refused with the reason") {
  check_refused(training_args({"--gpus", "8", "--pp", "1", "--schedule", "dualpipe"}), {"needs a pipeline (pp > 1)"});
  check_refused(training_args({"--gpus", "8", "--pp", "1", "--schedule", "zero-bubble"}), {"zero-bubble"});
  const CommandResult odd = aidcsim({"estimate", "training", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm",
                                     "--gpus", "40", "--pp", "5", "--seq", "4096", "--global-batch-tokens", "1310720",
                                     "--schedule", "dualpipe"});
  CHECK(odd.exit_code == 2);
  CHECK_THAT(odd.err, Catch::Contains("even pipeline-parallel degree (got 5)"));
}

TEST_CASE("estimate inference takes a serving engine: trtllm reserves the KV, vllm and sglang grow it on demand and "
          "run at their own calibration") {
  // Llama 3.3 70B on 2 H100 with 4096/4096 tokens: the KV cache, not the batch limit, bounds the batch.
  auto args = [](const char* engine) {
    return std::vector<std::string>{"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm",
                                    "--gpus", "2", "--tp", "2", "--precision", "fp8", "--isl", "4096", "--osl",
                                    "4096", "--requests", "600", "--engine", engine, "--json"};
  };
  const json trt = run_json(args("trtllm"));
  const json vllm = run_json(args("vllm"));
  CHECK(trt["engine"] == "trtllm");
  CHECK(vllm["engine"] == "vllm");
  CHECK(trt["preemptions_per_replica"] == 0);
  CHECK(vllm["preemptions_per_replica"].get<int>() > 0);
  // vLLM's own fit (kernels/inference_calibration.hpp: its served rows, 37.5 us of host time per prompt token and
  // 90 us per sampled sequence on trtllm-bench's kernels) runs below trtllm-bench's figure, whatever the larger
  // on-demand batch.
  CHECK(vllm["output_tokens_per_s"].get<double>() < 0.9 * trt["output_tokens_per_s"].get<double>());
  // SGLang grows the KV on demand too (retractions) and, from its smaller static pool (its reserve holds 13.5 GiB
  // per GPU here), also runs below trtllm-bench.
  const json sglang = run_json(args("sglang"));
  CHECK(sglang["preemptions_per_replica"].get<int>() > 0);
  CHECK(sglang["output_tokens_per_s"].get<double>() < 0.9 * trt["output_tokens_per_s"].get<double>());
  // trtllm-serve: TensorRT-LLM's KV policy (no preemption) at the served path's own fit, below trtllm-bench's figure.
  const json serve = run_json(args("trtllm-serve"));
  CHECK(serve["engine"] == "trtllm-serve");
  CHECK(serve["preemptions_per_replica"] == 0);
  CHECK(serve["output_tokens_per_s"].get<double>() < 0.8 * trt["output_tokens_per_s"].get<double>());
  const CommandResult bad = aidcsim({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                     "--gpus", "1", "--precision", "fp8", "--isl", "10", "--osl", "10", "--engine",
                                     "tgi"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--engine"));
}

TEST_CASE("estimate inference --engine-defaults runs the engine's own scheduler limits, and --max-batch and "
          "--chunk-tokens fix them") {
  auto args = [](std::vector<std::string> extra) {
    std::vector<std::string> a{"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "a100-sxm-80gb",
                               "--gpus", "1", "--precision", "bf16", "--isl", "2000", "--osl", "100", "--burst", "200",
                               "--engine", "vllm", "--json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // vLLM on an A100: 256 sequences and 2048 tokens per step (its A100 exception), one configuration evaluated.
  const json d = run_json(args({"--engine-defaults"}));
  CHECK(d["config"]["max_batch"] == 256);
  CHECK(d["config"]["chunk_tokens"] == 2048);
  CHECK(d["configs_evaluated"] == 1);
  CHECK(d["scheduler_limits"]["max_batch"] == "engine defaults");
  // A given limit wins over the default; the other stays the engine's.
  const json g = run_json(args({"--engine-defaults", "--chunk-tokens", "4096"}));
  CHECK(g["config"]["chunk_tokens"] == 4096);
  CHECK(g["config"]["max_batch"] == 256);
  CHECK(g["scheduler_limits"]["chunk_tokens"] == "given");
  // Searched: the best of the grid is at least the defaults' figure.
  const json s = run_json(args({}));
  CHECK(s["scheduler_limits"]["max_batch"] == "searched");
  CHECK(s["configs_evaluated"].get<int>() > 1);
  CHECK(s["output_tokens_per_s"].get<double>() >= d["output_tokens_per_s"].get<double>() * (1.0 - 1e-9));
  const CommandResult text = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm",
                                      "--gpus", "1", "--precision", "bf16", "--isl", "2000", "--osl", "100",
                                      "--engine", "vllm", "--engine-defaults"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("max batch 1024 (engine defaults), chunk 8192 tokens (engine defaults)"));
  // Each limit is labelled on its own: a given max_batch, a searched chunk; above 1024 the cap is said.
  const CommandResult one = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm",
                                     "--gpus", "1", "--precision", "bf16", "--isl", "2000", "--osl", "100",
                                     "--max-batch", "64"});
  CHECK_THAT(one.out, Catch::Matches("(.|\\n)*max batch 64 \\(given\\), chunk [0-9]+ tokens\\n(.|\\n)*"));
  const CommandResult capped = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm",
                                        "--gpus", "1", "--precision", "bf16", "--isl", "2000", "--osl", "100",
                                        "--max-batch", "5000", "--json"});
  CHECK(json::parse(capped.out)["scheduler_limits"]["max_batch"] == "given, capped at 1024");
  CHECK_THAT(text.out, Catch::Contains("searched          1 configuration on"));
  // trtllm-bench has no defaults: asking for them is refused, as on a reference row
  const CommandResult trt = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm",
                                     "--gpus", "1", "--precision", "bf16", "--isl", "2000", "--osl", "100",
                                     "--engine-defaults"});
  CHECK(trt.exit_code == 2);
  CHECK_THAT(trt.err, Catch::Contains("engine trtllm (trtllm-bench) has no default scheduler limits"));
  // --kv-cache bf16 under fp8 weights: the KV holds half the tokens, and the output says so.
  const json kv8 = run_json({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm", "--gpus",
                             "1", "--precision", "fp8", "--isl", "2000", "--osl", "100", "--json"});
  const json kv16 = run_json({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm", "--gpus",
                              "1", "--precision", "fp8", "--isl", "2000", "--osl", "100", "--kv-cache", "bf16",
                              "--json"});
  CHECK(kv8["kv_cache_dtype"] == "fp8");
  CHECK(kv16["kv_cache_dtype"] == "bf16");
  CHECK(kv16["kv_capacity_tokens_per_replica"].get<double>() ==
        Approx(0.5 * kv8["kv_capacity_tokens_per_replica"].get<double>()).epsilon(0.02));
  const CommandResult badkv = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm",
                                       "--gpus", "1", "--precision", "fp8", "--isl", "2000", "--osl", "100",
                                       "--kv-cache", "int4"});
  CHECK(badkv.exit_code == 2);
  CHECK_THAT(badkv.err, Catch::Contains("--kv-cache"));
  // A token budget whose activations do not fit says so, not that the weights do not.
  const CommandResult huge = aidcsim({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                      "--gpus", "1", "--precision", "fp8", "--isl", "1000", "--osl", "100",
                                      "--chunk-tokens", "1000000"});
  CHECK(huge.exit_code == 2);
  CHECK_THAT(huge.err, Catch::Contains("9 GB of weights fit in the 83 GB usable of 1 x h100-sxm, but not with the "
                                       "activations of a 1000000-token iteration"));
  // Weights that fit in all GPUs together but not on one GPU of the replica are the weights' refusal, not the
  // activations' (70B in bf16 at tp 1: 141 GB per GPU).
  const CommandResult split = aidcsim({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator",
                                       "h100-sxm", "--gpus", "2", "--tp", "1", "--pp", "1", "--precision", "bf16",
                                       "--isl", "1000", "--osl", "100"});
  CHECK(split.exit_code == 2);
  CHECK_THAT(split.err, Catch::Contains("needs 141 GB of weights"));
  CHECK_THAT(split.err, !Catch::Contains("activations"));
  // SGLang's reserve follows the configured chunk: on one H100, Qwen3-32B in bf16 (65.5 GB) fits beside the reserve
  // of a 2048-token chunk (the 10 GiB floor) and holds more KV than at its default 8192, but not beside the 25.1 GiB
  // of a 16384-token chunk, which is the activations' refusal.
  const auto sglang = [](const char* chunk) {
    return std::vector<std::string>{"estimate", "inference", "--model", "qwen3-32b", "--accelerator", "h100-sxm",
                                    "--gpus", "1", "--precision", "bf16", "--isl", "1000", "--osl", "100",
                                    "--engine", "sglang", "--chunk-tokens", chunk, "--requests", "200"};
  };
  auto small_args = sglang("2048"), default_args = sglang("8192");
  small_args.push_back("--json");
  default_args.push_back("--json");
  const json small = run_json(small_args), dflt = run_json(default_args);
  const double gib = 1024.0 * 1024.0 * 1024.0;
  const double kv_bytes_per_token = 64 * 8 * 128 * 2 * 2.0;  // 64 layers, 8 KV heads of 128, K and V, 16-bit
  CHECK(small["kv_capacity_tokens_per_replica"].get<double>() - dflt["kv_capacity_tokens_per_replica"].get<double>() ==
        Approx((13440.0 - 10240.0) / 1024.0 * gib / kv_bytes_per_token).epsilon(0.01));
  const CommandResult big = aidcsim(sglang("16384"));
  CHECK(big.exit_code == 2);
  CHECK_THAT(big.err, Catch::Contains("66 GB of weights fit in the 75 GB usable of 1 x h100-sxm, but not with the "
                                      "activations of a 16384-token iteration"));
  // FP8 on an A100: vLLM serves it weight-only and says so; SGLang is refused with the way out.
  const json w8 = run_json({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "a100-sxm-80gb",
                            "--gpus", "1", "--precision", "fp8", "--isl", "1000", "--osl", "100", "--engine", "vllm",
                            "--requests", "300", "--json"});
  CHECK(w8["gemm_precision"] == "bf16 (fp8 weights dequantized: weight-only W8A16)");
  CHECK(w8["weights_gb_per_gpu"].get<double>() < 17.0);
  const CommandResult w8text = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator",
                                        "a100-sxm-80gb", "--gpus", "1", "--precision", "fp8", "--isl", "1000",
                                        "--osl", "100", "--engine", "vllm", "--requests", "300"});
  CHECK(w8text.exit_code == 0);
  CHECK_THAT(w8text.out, Catch::Contains("weight-only fp8   a100-sxm-80gb has no FP8 arithmetic"));
  const CommandResult nofp8 = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator",
                                       "a100-sxm-80gb", "--gpus", "1", "--precision", "fp8", "--isl", "1000",
                                       "--osl", "100", "--engine", "sglang"});
  CHECK(nofp8.exit_code == 2);
  CHECK_THAT(nofp8.err, Catch::Contains("a100-sxm-80gb has no fp8 support"));
  CHECK_THAT(nofp8.err, Catch::Contains("weight-only (FP8 Marlin, W8A16): --engine vllm"));
  // --ep fixes the expert-parallel degree (vLLM's --enable-expert-parallel: ep = tp), checked against tp and experts
  const json ep4 = run_json({"estimate", "inference", "--model", "qwen3-235b-a22b", "--accelerator", "h100-sxm",
                             "--gpus", "4", "--tp", "4", "--ep", "4", "--precision", "fp8", "--isl", "1000", "--osl",
                             "100", "--requests", "300", "--json"});
  CHECK(ep4["config"]["ep"] == 4);
  for (const auto& [ep, text] : std::vector<std::pair<std::string, std::string>>{
           {"8", "--ep 8 must divide --tp 4"}, {"3", "--ep 3 does not divide the 128 routed experts"}}) {
    const CommandResult bad = aidcsim({"estimate", "inference", "--model", "qwen3-235b-a22b", "--accelerator",
                                       "h100-sxm", "--gpus", "8", "--tp", "4", "--ep", ep, "--precision", "fp8",
                                       "--isl", "1000", "--osl", "100"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains(text));
  }
  const CommandResult zero = aidcsim({"estimate", "inference", "--model", "qwen3-14b", "--accelerator", "h100-sxm",
                                      "--gpus", "1", "--precision", "bf16", "--isl", "2000", "--osl", "100",
                                      "--max-batch", "0"});
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Catch::Contains("--max-batch"));
}

TEST_CASE("estimate inference serves disaggregated: the split, each side's capacity and the KV transfer") {
  const json j = run_json(inference_args({"--gpus", "4", "--tp", "1", "--serving", "disaggregated", "--requests",
                                          "400", "--json"}));
  CHECK(j["serving"] == "disaggregated");
  const json& d = j["disaggregated"];
  REQUIRE(d.is_object());
  CHECK(d["prefill_instances"].get<int>() + d["decode_instances"].get<int>() == 4);
  CHECK(j["config"]["prefill_instances"] == d["prefill_instances"]);
  const double slowest = std::min({d["prefill_capacity_tokens_per_s"].get<double>(),
                                   d["decode_capacity_tokens_per_s"].get<double>(),
                                   d["transfer_capacity_tokens_per_s"].get<double>()});
  CHECK(j["output_tokens_per_s"].get<double>() == Approx(slowest));
  CHECK(d["kv_transfer_s"].get<double>() > 0.0);
  CHECK(j["ttft_p50_s"].get<double>() >= d["kv_transfer_s"].get<double>());
  // a fixed split, in text
  const CommandResult t = aidcsim(inference_args({"--gpus", "4", "--tp", "1", "--prefill-instances", "1",
                                                  "--requests", "400"}));
  CHECK(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("1 prefill + "));  // pp searched: 1 + 3 at pp 1 or 1 + 1 at pp 2
  CHECK_THAT(t.out, Catch::Contains("<- sets the rate"));
  CHECK_THAT(t.out, Catch::Contains("KV transfer"));
  // co-located by default: no disaggregated block
  const json a = run_json(inference_args({"--gpus", "2", "--tp", "1", "--requests", "200", "--json"}));
  CHECK(a["serving"] == "aggregated");
  CHECK(a["disaggregated"].is_null());
}

TEST_CASE("impossible disaggregated requests are refused with the reason before any search") {
  check_refused(inference_args({"--gpus", "4", "--prefill-instances", "4"}),
                {"no disaggregated layout holds 4 prefill instance(s)", "4 prefill instance(s) leave no decode instance"});
  check_refused(inference_args({"--gpus", "8", "--tp", "4", "--prefill-instances", "5"}),
                {"no disaggregated layout holds 5 prefill instance(s) and at least one decode instance at tp 4 x pp 1 "
                 "on 8 GPUs"});
  // two prefill instances beside a TP4 decode instance on 8 GPUs: at prefill tp 1 or 2, not only at the decode tp
  const json two = run_json(inference_args({"--gpus", "8", "--tp", "4", "--prefill-instances", "2", "--requests",
                                            "300", "--json"}));
  CHECK(two["disaggregated"]["prefill_instances"] == 2);
  CHECK(two["disaggregated"]["prefill_tp"].get<int>() <= 2);
  check_refused(inference_args({"--gpus", "4", "--serving", "aggregated", "--prefill-instances", "1"}),
                {"needs disaggregated (or any) serving"});
  check_refused(inference_args({"--gpus", "1", "--serving", "disaggregated"}), {"at least 2 instances"});
  check_refused(inference_args({"--gpus", "8", "--tp", "8", "--serving", "disaggregated"}),
                {"at least 2 instances (one prefill, one decode): 8 GPU(s) at tp 8 x pp 1 make 1"});
  // A model too large for half the GPUs says why the whole set is not enough.
  check_refused({"estimate", "inference", "--model", "llama-3.1-405b", "--accelerator", "h100-sxm", "--gpus", "8",
                 "--precision", "fp8", "--isl", "1000", "--osl", "200", "--serving", "disaggregated"},
                {"an instance has at most 4 GPUs"});
  // One-token outputs have no decode step: the prefill side sets the rate, never 0.
  const json one = run_json({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                             "--precision", "fp8", "--isl", "1000", "--osl", "1", "--gpus", "2", "--tp", "1",
                             "--serving", "disaggregated", "--requests", "200", "--json"});
  CHECK(one["output_tokens_per_s"].get<double>() > 0.0);
  CHECK(one["output_tokens_per_s"] == one["disaggregated"]["prefill_capacity_tokens_per_s"]);
  // Few clients: no more than C requests per request latency, co-located or not.
  for (const char* mode : {"aggregated", "disaggregated"}) {
    const json c1 = run_json(inference_args({"--gpus", "8", "--tp", "1", "--concurrency", "1", "--serving", mode,
                                             "--requests", "100", "--json"}));
    const double latency = c1["ttft_p50_s"].get<double>() + 199.0 * c1["tpot_p50_s"].get<double>();
    INFO(mode);
    CHECK(c1["output_tokens_per_s"].get<double>() <= 1.02 * 200.0 / latency);
  }
  const CommandResult bad = aidcsim(inference_args({"--gpus", "2", "--serving", "split"}));
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("--serving"));
}

TEST_CASE("a published layout can be pinned: --pp for serving, --interleave for training") {
  // Llama 3.1 405B on 1024 H100 at PP 8 x VP 8 with CP 2 (the validate row's published layout).
  const json t = run_json({"estimate", "training", "--model", "llama-3.1-405b", "--accelerator", "h100-sxm", "--gpus",
                           "1024", "--seq", "8192", "--global-batch-tokens", "4194304", "--tp", "8", "--pp", "8",
                           "--cp", "2", "--interleave", "8", "--precision", "fp8", "--json"});
  CHECK(t["config"]["pp"] == 8);
  CHECK(t["config"]["interleave"] == 8);
  check_refused(training_args({"--gpus", "8", "--pp", "1", "--interleave", "2"}), {"needs a pipeline"});
  check_refused(training_args({"--gpus", "8", "--pp", "2", "--interleave", "2", "--schedule", "dualpipe"}),
                {"does not interleave"});
  const json s = run_json({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus",
                           "8", "--tp", "2", "--pp", "2", "--precision", "fp8", "--isl", "1000", "--osl", "200",
                           "--requests", "300", "--json"});
  CHECK(s["config"]["tp"] == 2);
  CHECK(s["config"]["pp"] == 2);
  check_refused({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus", "8",
                 "--tp", "2", "--pp", "3", "--precision", "fp8", "--isl", "1000", "--osl", "200"},
                {"8 GPUs are not divisible by the fixed tp x pp = 6"});
}

TEST_CASE("every estimate carries the held-out error of its class from the estimator-error catalog") {
  const json s = run_json({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus",
                           "2", "--tp", "2", "--precision", "fp8", "--isl", "1000", "--osl", "200", "--requests", "300",
                           "--json"});
  REQUIRE(s["validation_error"].is_object());
  CHECK(s["validation_error"]["class"] == "inference/hopper/dense");
  const aidc::Catalog catalog = aidc::Catalog::embedded();
  const json* entry = catalog.entry("estimator_errors", "inference/hopper/dense");
  REQUIRE(entry != nullptr);
  CHECK(s["validation_error"]["rows"] == (*entry)["rows"]);
  CHECK(s["validation_error"]["median_abs_error"].get<double>() == (*entry)["median_abs_error"].get<double>());
  // no MoE class with enough rows for inference: the kind's figures
  const json m = run_json({"estimate", "inference", "--model", "qwen3-235b-a22b", "--accelerator", "h200-sxm", "--gpus",
                           "8", "--tp", "8", "--precision", "fp8", "--isl", "1000", "--osl", "200", "--requests", "200",
                           "--json"});
  CHECK(m["validation_error"]["class"] == (catalog.entry("estimator_errors", "inference/hopper/moe") != nullptr
                                               ? "inference/hopper/moe"
                                           : catalog.entry("estimator_errors", "inference/moe") != nullptr
                                               ? "inference/moe"
                                               : "inference"));
  const CommandResult t = aidcsim({"estimate", "training", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                   "--gpus", "8", "--seq", "4096", "--global-batch-tokens", "262144"});
  CHECK(t.exit_code == 0);
  REQUIRE(catalog.entry("estimator_errors", "training/hopper/dense") != nullptr);
  CHECK_THAT(t.out, Catch::Contains("checked against") && Catch::Contains("(training/hopper/dense): median |error|"));
}

TEST_CASE("a request or sequence longer than the model's context window is estimated with a warning") {
  // Llama 2 70B was trained for 4096 positions (llm_models.json max_context)
  const CommandResult r = aidcsim({"estimate", "inference", "--model", "llama-2-70b", "--accelerator", "h100-sxm",
                                   "--gpus", "2", "--precision", "fp8", "--isl", "8000", "--osl", "1000",
                                   "--requests", "100", "--concurrency", "16", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("warning: --isl 8000 + --osl 1000 = 9000 tokens exceed llama-2-70b's context "
                                    "window of 4096"));
  const json j = json::parse(r.out);
  REQUIRE(j["warnings"].size() == 1);
  const json quiet = run_json(inference_args({"--gpus", "1", "--requests", "100", "--concurrency", "8", "--json"}));
  CHECK(quiet["warnings"].empty());
  const CommandResult t = aidcsim({"estimate", "training", "--model", "gpt3-175b", "--accelerator", "h100-sxm",
                                   "--gpus", "64", "--seq", "4096", "--global-batch-tokens", "1048576"});
  CHECK_THAT(t.err, Catch::Contains("--seq 4096 = 4096 tokens exceed gpt3-175b's context window of 2048"));
}

TEST_CASE("a saturated estimate from under three batches of requests per replica says it may be low") {
  // 8B on one H100 at 128/2048: 100 requests measure 42 % below 20000; the figure is still printed, with the warning
  const CommandResult r = aidcsim({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                   "--gpus", "1", "--tp", "1", "--precision", "fp8", "--isl", "128", "--osl", "2048",
                                   "--requests", "100"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("100 requests per replica are under 3 batches (mean batch 100)"));
  // 2000 requests at a mean batch of about 420 reach a steady state: no warning
  const CommandResult ok = aidcsim({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                    "--gpus", "1", "--tp", "1", "--precision", "fp8", "--isl", "128", "--osl", "2048"});
  CHECK(ok.err.find("under 3 batches") == std::string::npos);
  // closed loop with clients: the clients, not the stream, set the load; no warning
  const CommandResult c = aidcsim({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                   "--gpus", "1", "--tp", "1", "--precision", "fp8", "--isl", "128", "--osl", "2048",
                                   "--requests", "100", "--concurrency", "16"});
  CHECK(c.err.find("under 3 batches") == std::string::npos);
}

TEST_CASE("aidcsim catalog lists the catalogs, and a catalog's entries with their key figures") {
  const CommandResult all = aidcsim({"catalog"});
  REQUIRE(all.exit_code == 0);
  CHECK_THAT(all.out, Catch::Contains("llm_models") && Catch::Contains("accelerators") && Catch::Contains("systems"));
  const CommandResult models = aidcsim({"catalog", "models"});
  REQUIRE(models.exit_code == 0);
  CHECK_THAT(models.out, Catch::Contains("llama-2-70b") && Catch::Contains("context 4096"));
  const CommandResult accel = aidcsim({"catalog", "accelerators"});
  CHECK_THAT(accel.out, Catch::Contains("h100-sxm") && Catch::Contains("scale-up 8 GPUs"));
  const CommandResult raw = aidcsim({"catalog", "failures"});  // no summary: the names
  CHECK(raw.exit_code == 0);
  CHECK_FALSE(raw.out.empty());
  check_refused({"catalog", "modles"}, {"catalog: got \"modles\"", "did you mean \"models\""});
}

TEST_CASE("estimate inference --burst times a fixed set of prompts to the last finish, as vllm bench serve does") {
  const json burst = run_json(inference_args({"--gpus", "1", "--burst", "300", "--json"}));
  CHECK(burst["burst_prompts"] == 300);
  CHECK(burst["requests_per_replica"].is_null());
  CHECK(burst["warnings"].empty());  // no short-steady-state warning: the whole run is the measure
  const json steady = run_json(inference_args({"--gpus", "1", "--json"}));
  CHECK(steady["burst_prompts"].is_null());
  // 300 prompts with a ramp and a drain: below the steady-state figure, and not far below it.
  CHECK(burst["output_tokens_per_s"].get<double>() < steady["output_tokens_per_s"].get<double>());
  CHECK(burst["output_tokens_per_s"].get<double>() > 0.6 * steady["output_tokens_per_s"].get<double>());
  const CommandResult text = aidcsim(inference_args({"--gpus", "1", "--burst", "300", "--concurrency", "16"}));
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("a burst of 300 prompts behind 16 clients, timed to the last finish"));
  const CommandResult both = aidcsim(inference_args({"--gpus", "1", "--burst", "300", "--requests", "100"}));
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("--requests excludes --burst"));
  const CommandResult split = aidcsim(inference_args({"--gpus", "2", "--burst", "300", "--serving", "disaggregated"}));
  CHECK(split.exit_code == 2);
  CHECK_THAT(split.err, Catch::Contains("co-located serving only"));
}

TEST_CASE("estimate inference with one output token prints no TPOT, and vllm names its own calibration and error "
          "class") {
  const CommandResult one = aidcsim({"estimate", "inference", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm",
                                     "--precision", "fp8", "--isl", "1000", "--osl", "1", "--gpus", "1"});
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out, Catch::Contains("TPOT p50 / p99    n/a (one output token per request"));
  const CommandResult v = aidcsim(inference_args({"--gpus", "1", "--engine", "vllm"}));
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains("its own calibration (served runs through its OpenAI server): 37.5 us of host "
                                    "time per prompt token and 90 us per sequence per step (trtllm-bench 0 and 4 us)"));
  // Its error class is the engine's on that generation (the served fits are H100's; A100 rows are judged apart).
  CHECK_THAT(v.out, Catch::Contains("(inference/hopper/engine:vllm)"));
  const CommandResult t = aidcsim(inference_args({"--gpus", "1"}));
  CHECK_THAT(t.out, !Catch::Contains("its own calibration"));
  CHECK_THAT(t.out, Catch::Contains("(inference/hopper/dense)"));
}

TEST_CASE("with --json an error is a JSON object on stdout too, and the text stays on stderr") {
  const CommandResult model = aidcsim({"estimate", "inference", "--model", "llama-3.1-8bx", "--accelerator",
                                       "h100-sxm", "--gpus", "1", "--precision", "fp8", "--isl", "10", "--osl", "10",
                                       "--json"});
  CHECK(model.exit_code == 2);
  const json m = json::parse(model.out);
  CHECK(m["error"]["kind"] == "bad_input");
  REQUIRE(m["error"]["problems"].size() == 1);
  CHECK(m["error"]["problems"][0]["where"] == "--model");
  CHECK(m["error"]["problems"][0]["value"] == "\"llama-3.1-8bx\"");
  CHECK_THAT(m["error"]["message"].get<std::string>(), Catch::Contains("did you mean \"llama-3.1-8b\""));
  CHECK_THAT(model.err, Catch::Contains("--model: got \"llama-3.1-8bx\""));
  // A refusal in numbers, a command-line parse error and another command's bad input: the same shape.
  const CommandResult refused = aidcsim(inference_args({"--gpus", "3", "--tp", "2", "--json"}));
  CHECK(refused.exit_code == 2);
  CHECK(json::parse(refused.out)["error"]["kind"] == "bad_input");
  const CommandResult parse = aidcsim(inference_args({"--gpus", "1", "--burst", "5", "--requests", "3", "--json"}));
  CHECK(parse.exit_code == 2);
  CHECK(json::parse(parse.out)["error"]["message"] == "--requests excludes --burst");
  const CommandResult size = aidcsim({"size", "/nonexistent/scenario.json", "--json"});
  CHECK(size.exit_code == 2);
  CHECK(json::parse(size.out)["error"]["problems"][0]["where"] == "/nonexistent/scenario.json");
  // Without --json stdout stays empty.
  const CommandResult text = aidcsim(inference_args({"--gpus", "3", "--tp", "2"}));
  CHECK(text.exit_code == 2);
  CHECK(text.out.empty());
}

TEST_CASE("estimate inference prefills at its own tp: the published 4 x TP2 + 1 x TP8 layout, its memory and its band") {
  const std::vector<std::string> base = {"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator",
                                         "h100-sxm", "--gpus", "16", "--tp", "8", "--precision", "fp8",
                                         "--isl", "3000", "--osl", "150", "--concurrency", "48", "--requests", "400"};
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--prefill-tp", "2", "--json"});
  const json j = run_json(args);
  CHECK(j["serving"] == "disaggregated");  // a prefill tp alone means disaggregated
  const json& d = j["disaggregated"];
  REQUIRE(d.is_object());
  CHECK(d["prefill_tp"] == 2);
  CHECK(d["prefill_instances"] == 4);  // 4 x 2 + 1 x 8: the only split at pp 1
  CHECK(d["decode_instances"] == 1);
  CHECK(j["config"]["prefill_tp"] == 2);
  CHECK(j["config"]["tp"] == 8);
  CHECK(d["prefill_weights_gb_per_gpu"].get<double>() ==
        Approx(4.0 * j["weights_gb_per_gpu"].get<double>()).epsilon(0.01));
  // its band is the disaggregated validation rows' own class (3 rows since 2026-12-07)
  CHECK(j["validation_error"]["class"] == "inference/serving:disaggregated");
  CHECK(j["validation_error"]["disaggregated_class_missing"] == false);
  args = base;
  args.insert(args.end(), {"--prefill-tp", "2"});
  const CommandResult t = aidcsim(args);
  REQUIRE(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("4 prefill (tp 2) + 1 decode instances"));
  CHECK_THAT(t.out, Catch::Contains("prefill instance: "));
  CHECK_THAT(t.out, Catch::Contains("held-out measurements (inference/serving:disaggregated)"));
  // a decode tp that does not divide the GPUs: 12 = one TP8 decode + one TP4 prefill instance
  const json twelve = run_json({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm",
                                "--gpus", "12", "--tp", "8", "--prefill-tp", "4", "--precision", "fp8", "--isl",
                                "3000", "--osl", "150", "--requests", "300", "--json"});
  CHECK(twelve["disaggregated"]["prefill_instances"] == 1);
  CHECK(twelve["disaggregated"]["decode_instances"] == 1);
  // co-located, the same tp is refused
  check_refused({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus", "12",
                 "--tp", "8", "--precision", "fp8", "--isl", "3000", "--osl", "150"},
                {"--gpus 12 is not divisible by --tp 8"});
}

TEST_CASE("a prefill tp that cannot be laid out is refused with the reason before any search") {
  check_refused(inference_args({"--gpus", "8", "--serving", "aggregated", "--prefill-tp", "2"}),
                {"prefill tp 2 asked for with aggregated serving", "needs disaggregated (or any) serving"});
  check_refused(inference_args({"--gpus", "8", "--prefill-tp", "3"}), {"--prefill-tp 3 does not split the 32"});
  check_refused(inference_args({"--gpus", "16", "--prefill-tp", "16"}), {"--prefill-tp 16 exceeds the scale-up domain"});
  check_refused(inference_args({"--gpus", "16", "--tp", "8", "--prefill-tp", "2", "--prefill-instances", "3"}),
                {"no disaggregated layout holds 3 prefill instance(s) at tp 2 and at least one decode instance at tp 8 "
                 "x pp 1 on 16 GPUs"});
  // --serving any offers co-located layouts too, but a fixed prefill tp must still have a disaggregated one
  check_refused(inference_args({"--gpus", "8", "--tp", "8", "--prefill-tp", "4", "--serving", "any"}),
                {"no disaggregated layout holds prefill instances at tp 4"});
  // a prefill instance too small for the weights is named as such, with the flag that sets its tp
  check_refused({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus", "16",
                 "--tp", "8", "--prefill-tp", "1", "--precision", "bf16", "--isl", "1000", "--osl", "100"},
                {"a prefill instance of tp 1 x pp 1 does not hold the weights", "--prefill-tp"});
  check_refused({"estimate", "inference", "--model", "llama-3.3-70b", "--accelerator", "h100-sxm", "--gpus", "16",
                 "--tp", "8", "--prefill-tp", "1", "--precision", "fp8", "--isl", "60000", "--osl", "100"},
                {"a prefill instance of tp 1 x pp 1 does not hold the longest prompt"});
  check_refused(inference_args({"--gpus", "8", "--burst", "100", "--prefill-tp", "2"}),
                {"co-located serving only"});
}
