// The throughput model's own error (core/run/estimator_errors.hpp) and what drawing it does to a run's claims.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/run/estimator_errors.hpp"
#include "core/run/run_scenario.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/scenario/scenario_patch.hpp"
#include "scenario_fixtures.hpp"

using namespace aidc;

namespace {

ValidationRow row(const std::string& kind, const std::string& role, const std::string& quantity, double measured,
                  double estimate) {
  ValidationRow r;
  r.kind = kind;
  r.role = role;
  r.quantity = quantity;
  r.measured = measured;
  r.estimate = estimate;
  r.error = estimate / measured - 1.0;
  return r;
}

std::string claim_line(const RunSummary& s, const std::string& part) {
  for (const std::string& line : s.claims) {
    if (line.find(part) != std::string::npos) return line;
  }
  return "";
}

}  // namespace

TEST_CASE("estimator errors come from the validation rows only, in throughput terms") {
  const std::vector<ValidationRow> rows = {
      row("inference", "validation", "output_tokens_per_s", 100.0, 80.0),   // true / estimate = 1.25
      row("inference", "validation", "output_tokens_per_s", 100.0, 125.0),  // 0.8
      row("inference", "calibration", "output_tokens_per_s", 100.0, 10.0),  // ignored: it fitted the model
      row("training", "validation", "step_time_s", 2.0, 1.0),               // step twice the estimate: rate x 0.5
      row("training", "validation", "tokens_per_s_per_gpu", 100.0, 50.0),   // rate x 2
  };
  const auto e = estimator_errors(rows);
  REQUIRE(e.count("inference") == 1);
  const EstimatorError& inf = e.at("inference");
  CHECK(inf.rows == 2);
  CHECK(inf.log_ratio_mean == Approx(0.0).margin(1e-12));  // ln 1.25 + ln 0.8 = 0
  CHECK(inf.log_ratio_rms == Approx(std::log(1.25)));
  CHECK(inf.log_ratio_sd == Approx(std::log(1.25) * std::sqrt(2.0)));
  const EstimatorError& tr = e.at("training");
  CHECK(tr.log_ratio_mean == Approx(0.0).margin(1e-12));
  CHECK(tr.log_ratio_rms == Approx(std::log(2.0)));
}

TEST_CASE("estimator errors are kept per kind, architecture and accelerator class with at least 3 rows") {
  std::vector<ValidationRow> rows;
  auto add = [&](const std::string& cls, double measured, double estimate) {
    ValidationRow r = row("training", "validation", "tokens_per_s_per_gpu", measured, estimate);
    r.error_class = cls;
    rows.push_back(r);
  };
  add("blackwell/moe", 100.0, 200.0);
  add("blackwell/moe", 100.0, 150.0);
  add("blackwell/moe", 100.0, 125.0);
  add("hopper/moe", 100.0, 100.0);
  add("hopper/dense", 100.0, 100.0);
  add("hopper/dense", 100.0, 110.0);
  const auto e = estimator_errors(rows);
  REQUIRE(e.count("training") == 1);
  CHECK(e.at("training").rows == 6);
  REQUIRE(e.count("training/moe") == 1);
  CHECK(e.at("training/moe").rows == 4);
  REQUIRE(e.count("training/blackwell/moe") == 1);
  CHECK(e.at("training/blackwell/moe").rows == 3);
  CHECK(e.at("training/blackwell/moe").median_abs_error == Approx(0.5));
  CHECK(e.at("training/blackwell/moe").max_abs_error == Approx(1.0));
  CHECK(e.count("training/hopper/moe") == 0);    // 1 row
  CHECK(e.count("training/hopper/dense") == 0);  // 2 rows: below the class minimum
  CHECK(e.count("training/dense") == 0);
  const std::string table = estimator_errors_table(e);
  CHECK(table.find("training/blackwell/moe") != std::string::npos);
}

TEST_CASE("a workload draws the error of its most specific class") {
  // The default scenario's workloads are dense models on Hopper: their classes' sigmas, not the kinds'.
  const Catalog catalog = Catalog::embedded();
  const std::filesystem::path file = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json";
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ResolvedScenario rs = resolve_scenario(parse_json_text(text, "default.json"), catalog, "default.json",
                                               file.parent_path());
  REQUIRE(rs.scenario.uncertainty.throughput_error == "validation");
  for (const char* kind : {"inference", "training"}) {
    const std::string key = std::string(kind) + "/hopper/dense";
    const nlohmann::json* entry = catalog.entry("estimator_errors", key);
    REQUIRE(entry);
    const double sigma = std::string(kind) == "inference" ? rs.scenario.uncertainty.inference_log_sigma
                                                          : rs.scenario.uncertainty.training_log_sigma;
    CHECK(sigma == Approx((*entry)["value"].get<double>()));
    CHECK(rs.catalog_entries["estimator_errors"].contains(key));
  }
}

TEST_CASE("a workload without its own class falls back to its architecture's, then its kind's entry") {
  const std::filesystem::path file = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json";
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto resolve_with = [&](const std::string& entries) {
    Catalog catalog = Catalog::embedded();
    catalog.add("estimator_errors", "{\"entries\": {" + entries + "}}", "test estimator_errors.json");
    return resolve_scenario(parse_json_text(text, "default.json"), catalog, "default.json", file.parent_path());
  };
  // The default's workloads are dense on Hopper. Only the kinds: each kind's own entry.
  const std::string kinds = R"("inference": {"value": 0.2, "source": "test"}, "training": {"value": 0.3, "source": "t"})";
  ResolvedScenario rs = resolve_with(kinds);
  CHECK(rs.scenario.uncertainty.inference_log_sigma == Approx(0.2));
  CHECK(rs.scenario.uncertainty.training_log_sigma == Approx(0.3));
  // An architecture class (training/dense) but no generation class: the architecture's.
  rs = resolve_with(kinds + R"(, "training/dense": {"value": 0.12, "source": "t"}, "training/moe": {"value": 0.9,
                    "source": "t"})");
  CHECK(rs.scenario.uncertainty.training_log_sigma == Approx(0.12));
  CHECK(rs.catalog_entries["estimator_errors"].contains("training/dense"));
  CHECK_FALSE(rs.catalog_entries["estimator_errors"].contains("training/moe"));
  // No entry for the kind at all: bad input naming the catalog entry, before any replication.
  CHECK_THROWS_AS(resolve_with(R"("inference": {"value": 0.2, "source": "test"})"), BadInput);
  // A class entry without a numeric value: bad input at its escaped JSON pointer.
  try {
    resolve_with(kinds + R"(, "training/hopper/dense": {"source": "t"})");
    FAIL("expected BadInput");
  } catch (const BadInput& e) {
    CHECK(std::string(e.what()).find("/entries/training~1hopper~1dense") != std::string::npos);
  }
}

TEST_CASE("the estimator-error catalog is what a fresh validation gives (regenerate with validate --estimator-errors)") {
  const Catalog catalog = Catalog::embedded();
  ValidationOptions vo;
  vo.backend = Backend::Cpu;
  const auto fresh = estimator_errors(validate_references(catalog, vo).rows);
  // Every kind and class the fresh validation gives is in the catalog, with its rows and sigma.
  for (const auto& [key, e] : fresh) {
    INFO(key << ": run `aidcsim validate --estimator-errors --backend cpu > scenarios/catalog/estimator_errors.json`");
    const nlohmann::json* entry = catalog.entry("estimator_errors", key);
    REQUIRE(entry);
    CHECK((*entry)["rows"].get<int>() == e.rows);
    CHECK((*entry)["value"].get<double>() == Approx(e.log_ratio_rms).epsilon(1e-6));
  }
  // And nothing else: a class that fell below the row minimum must not survive in the catalog.
  for (const std::string& key : catalog.names("estimator_errors")) {
    INFO(key << ": in the catalog but not in a fresh validation; regenerate with validate --estimator-errors");
    CHECK(fresh.count(key) == 1);
  }
  for (const char* kind : {"inference", "training"}) {
    INFO(kind << ": the kernels or the reference rows changed; run `aidcsim validate --estimator-errors --backend cpu "
                 "> scenarios/catalog/estimator_errors.json`");
    const nlohmann::json* entry = catalog.entry("estimator_errors", kind);
    REQUIRE(entry);
    REQUIRE(fresh.count(kind) == 1);
    CHECK((*entry)["rows"].get<int>() == fresh.at(kind).rows);
    CHECK((*entry)["value"].get<double>() == Approx(fresh.at(kind).log_ratio_rms).epsilon(1e-6));
    CHECK((*entry)["log_ratio_mean"].get<double>() == Approx(fresh.at(kind).log_ratio_mean).epsilon(1e-6));
  }
}

TEST_CASE("drawing the throughput model's error turns the default's 5 %-margin capacity claim from supported to at risk") {
  const Catalog catalog = Catalog::embedded();
  const std::filesystem::path file = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json";
  auto run = [&](const std::string& throughput_error) {
    ScenarioPatch p{"test", nlohmann::json::array()};
    append_op(p, replace_op("/replications", 16));
    append_op(p, replace_op("/uncertainty/throughput_error", throughput_error));
    const ScenarioPatch patches[] = {p};
    RunOptions o;
    o.threads = 2;
    return run_scenario(load_scenario_file(file, catalog, patches), o);
  };
  const RunSummary without = run("none");
  const RunSummary with = run("validation");
  const std::string claim = "chat-70b serves >= 10,000,000";
  CHECK_THAT(claim_line(without, claim), Catch::EndsWith("-> supported"));
  CHECK_THAT(claim_line(with, claim), Catch::Contains("-> at risk") && Catch::Contains("throughput model"));
  CHECK_THAT(with.uncertainty, Catch::Contains("the throughput model's error"));
}

TEST_CASE("the throughput model's error needs workloads in operation") {
  auto doc = aidc::test::small_scenario_json();
  doc["uncertainty"] = {{"throughput_error", "validation"}};
  CHECK(aidc::test::has_problem(aidc::test::problems_of(doc), "/uncertainty/throughput_error", "validation", "fleet"));
  doc["uncertainty"] = {{"throughput_error", "none"}};
  CHECK(aidc::test::has_problem(aidc::test::problems_of(doc), "/uncertainty/inputs", "", "non-empty array"));
}

TEST_CASE("a disaggregated estimate takes its own class, or says the band is co-located serving's while it has none") {
  Catalog catalog = Catalog::embedded();
  const AcceleratorSpec h100 = accelerator_from_catalog(catalog, "h100-sxm", "accelerator");
  const LlmArch dense = llm_arch_from_catalog(catalog, "llama-3.3-70b", "model");
  ValidationErrorBand b = validation_error_band(catalog, "inference", dense, h100, "vllm", true);
  REQUIRE(b.found);
  CHECK(b.error_class == kDisaggregatedErrorKey);
  CHECK(b.rows >= 3);
  CHECK_FALSE(b.disaggregated_missing);
  // co-located: the engine's class on its generation, never the disaggregated one
  b = validation_error_band(catalog, "inference", dense, h100, "vllm", false);
  CHECK(b.error_class == "inference/hopper/engine:vllm");
  CHECK_FALSE(b.disaggregated_missing);
  // a catalog without the disaggregated class: the next class, flagged as mostly co-located serving's
  catalog.add("estimator_errors",
              R"({"entries": {"inference": {"value": 0.3, "rows": 9, "median_abs_error": 0.2, "source": "test"}}})",
              "test estimator_errors.json");
  b = validation_error_band(catalog, "inference", dense, h100, "vllm", true);
  CHECK(b.error_class == "inference");
  CHECK(b.rows == 9);
  CHECK(b.disaggregated_missing);
}

TEST_CASE("a service whose layout the search picks draws the larger of its co-located and disaggregated sigmas") {
  const std::filesystem::path file = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios/default.json";
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto inference_sigma = [&](const std::string& serving, double colocated, double disaggregated) {
    Catalog catalog = Catalog::embedded();
    catalog.add("estimator_errors",
                "{\"entries\": {\"inference\": {\"value\": " + std::to_string(colocated) +
                    ", \"source\": \"t\"}, \"inference/serving:disaggregated\": {\"value\": " +
                    std::to_string(disaggregated) + ", \"source\": \"t\"}, \"training\": {\"value\": 0.1, "
                    "\"source\": \"t\"}}}",
                "test estimator_errors.json");
    std::string t = text;
    const std::string name = "\"name\": \"chat-70b\",";
    REQUIRE(t.find(name) != std::string::npos);
    if (!serving.empty()) t.replace(t.find(name), name.size(), name + " \"serving\": \"" + serving + "\",");
    return resolve_scenario(parse_json_text(t, "default.json"), catalog, "default.json", file.parent_path())
        .scenario.uncertainty.inference_log_sigma;
  };
  CHECK(inference_sigma("", 0.2, 0.5) == Approx(0.2));  // co-located by default
  CHECK(inference_sigma("disaggregated", 0.2, 0.5) == Approx(0.5));
  CHECK(inference_sigma("any", 0.2, 0.5) == Approx(0.5));
  CHECK(inference_sigma("any", 0.4, 0.3) == Approx(0.4));
}
