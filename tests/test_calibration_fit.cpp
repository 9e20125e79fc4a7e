// The fitted training efficiencies are reproducible from the repository: refitting them from the catalog's
// calibration rows alone (core/run/calibration_fit.hpp, `aidcsim calibrate`) gives the committed values.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/run/calibration_fit.hpp"
#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/perf_catalog.hpp"
#include "kernels/inference_calibration.hpp"
#include "tests/inference_test_models.hpp"
#include "tests/skip.hpp"

using namespace aidc;

TEST_CASE("the committed Ampere training efficiencies equal a refit from the calibration rows alone") {
  const Catalog catalog = Catalog::embedded();
  const std::vector<TrainingCalibrationRow> rows = training_calibration_rows(catalog);
  REQUIRE(rows.size() == 8);
  for (const TrainingCalibrationRow& r : rows) {
    INFO(r.label);
    CHECK(r.note.empty());  // the published configuration, nothing searched
    CHECK(r.problem.accel.generation == static_cast<int>(AcceleratorGeneration::Ampere));
  }
  const TrainingCalibration committed = ampere_bf16_calibration();
  const TrainingCalibrationFit fit = fit_training_calibration(rows, committed);
  CHECK(fit.matmul_fraction == Approx(committed.matmul_fraction));
  CHECK(fit.elementwise_passes == Approx(committed.elementwise_passes));
  CHECK(fit.median_abs_error <= 0.10);
  CHECK(fit.max_abs_error <= 0.25);
}

TEST_CASE("the expert grouped-GEMM half-efficiency token count equals a refit of DeepGEMM's published figures") {
  const Catalog catalog = Catalog::embedded();
  const std::vector<GroupedGemmRow> rows = grouped_gemm_rows(catalog);
  REQUIRE(rows.size() == 10);
  const GroupedGemmFit fit = fit_expert_gemm_half_tokens(rows);
  CHECK(fit.half_tokens == Approx(TrainingCalibration{}.expert_gemm_half_tokens));
  CHECK(fit.median_abs_error <= 0.10);
  // The shape of the curve: more tokens per expert, a larger share of the large-GEMM rate, as measured.
  for (std::size_t i = 1; i < 5; ++i) CHECK(rows[i].ratio > rows[i - 1].ratio);
}

TEST_CASE("a grouped_gemm row without its numbers is bad input naming the row") {
  const Catalog embedded = Catalog::embedded();
  nlohmann::json rows = *embedded.entry("reference_measurements", "grouped_gemm");
  rows[3].erase("reference_tflops");
  Catalog c = embedded;
  c.add("reference_measurements", nlohmann::json{{"entries", {{"grouped_gemm", rows}}}}.dump(), "test");
  try {
    grouped_gemm_rows(c);
    FAIL("no BadInput");
  } catch (const BadInput& e) {
    CHECK(std::string(e.what()).find("/entries/grouped_gemm/3/reference_tflops") != std::string::npos);
  }
}

TEST_CASE("an accelerator's device-reported memory must be a positive number of MiB, and null falls back to hbm_gb") {
  const Catalog embedded = Catalog::embedded();
  auto with = [&](const nlohmann::json& v) {
    nlohmann::json h100 = *embedded.entry("accelerators", "h100-sxm");
    h100["hbm_visible_mib"] = v;
    Catalog c = embedded;
    c.add("accelerators", nlohmann::json{{"entries", {{"h100-sxm", h100}}}}.dump(), "my/accelerators.json");
    return c;
  };
  for (const nlohmann::json& bad : {nlohmann::json(-5), nlohmann::json(0), nlohmann::json("81559")}) {
    INFO(bad.dump());
    try {
      accelerator_from_catalog(with(bad), "h100-sxm", "accelerator");
      FAIL("no BadInput");
    } catch (const BadInput& e) {
      const std::string what = e.what();
      CHECK(what.find("my/accelerators.json") != std::string::npos);
      CHECK(what.find("/entries/h100-sxm/hbm_visible_mib") != std::string::npos);
      CHECK(what.find("positive number") != std::string::npos);
    }
  }
  const AcceleratorSpec fallback = accelerator_from_catalog(with(nullptr), "h100-sxm", "accelerator");
  CHECK(fallback.hbm_bytes == Approx(80.0 * 1024 * 1024 * 1024));  // hbm_gb 80 read as GiB
}

#if defined(__SANITIZE_ADDRESS__)
#define AIDCSIM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AIDCSIM_UNDER_ASAN 1
#endif
#endif

TEST_CASE("the committed inference efficiencies equal a refit from the offline calibration rows alone") {
#ifdef AIDCSIM_UNDER_ASAN
  // 1,296 grid points x 16 searched rows and 186 x 10 Blackwell FP4 rows: about a minute in the main suite, far
  // longer under ASan/UBSan. The sanitizer run checks that the rows resolve; the main suite checks the refit.
  const std::vector<InferenceReferenceRow> some = inference_fit_rows(Catalog::embedded());
  REQUIRE(some.size() == 33);
  AIDCSIM_SKIP("the full inference refit runs in the main (unsanitized) suite");
#endif
  const std::vector<InferenceReferenceRow> rows = inference_fit_rows(Catalog::embedded());
  for (const InferenceReferenceRow& r : rows) {
    CHECK(r.role == "calibration");
    CHECK((r.scenario == InferenceScenario::Offline || r.scenario == InferenceScenario::Burst));
  }
  const InferenceCalibrationFit fit = fit_inference_calibration(rows);
  CHECK(fit.hopper_rows == 16);
  CHECK(fit.cdna3_rows == 1);
  const InferenceEfficiency hopper = inference_efficiency(kGenerationHopper, Precision::Fp8);
  CHECK(fit.hopper_fp8.matmul == Approx(hopper.matmul));
  CHECK(fit.hopper_fp8.hbm == Approx(hopper.hbm));
  CHECK(fit.hopper_fp8.iteration_overhead_s == 0.0);  // held at 0: the overlap scheduler (the header's reason)
  CHECK(hopper.iteration_overhead_s == 0.0);
  CHECK(fit.hopper_fp8.sequence_overhead_s == Approx(hopper.sequence_overhead_s));
  // Inside the grid (matmul 0.45..0.70, HBM 0.80..0.95, 0..8 us, 20..150 us), not on an edge.
  CHECK(hopper.matmul > 0.45 + 1e-9);
  CHECK(hopper.matmul < 0.70 - 1e-9);
  CHECK(hopper.hbm > 0.80 + 1e-9);
  CHECK(hopper.hbm < 0.95 - 1e-9);
  CHECK(hopper.sequence_overhead_s > 1e-12);
  CHECK(hopper.sequence_overhead_s < 8e-6 - 1e-12);
  CHECK(hopper.collective_latency_s > 20e-6 + 1e-12);
  CHECK(hopper.collective_latency_s < 150e-6 - 1e-12);
  CHECK(fit.hopper_fp8.collective_latency_s == Approx(hopper.collective_latency_s));
  CHECK(fit.cdna3_matmul == Approx(inference_efficiency(kGenerationCdna3, Precision::Fp8).matmul));
  CHECK(fit.hopper_median_abs_error <= 0.05);
  CHECK(fit.hopper_max_abs_error <= 0.15);
  // No validation row is in the fit.
  for (const std::string& label : fit.labels) CHECK(label.find("h200") == std::string::npos);
  // Blackwell FP4 with TensorRT-LLM: its own three numbers on the ten B200 rows; GB200 and 1000/1000 only judge.
  CHECK(fit.blackwell_fp4_rows == 10);
  CHECK(fit.blackwell_fp4.matmul == Approx(kBlackwellFp4Efficiency.matmul));
  CHECK(fit.blackwell_fp4.hbm == Approx(kBlackwellFp4Efficiency.hbm));
  CHECK(fit.blackwell_fp4.iteration_overhead_s == Approx(kBlackwellFp4Efficiency.iteration_overhead_s));
  CHECK(fit.blackwell_fp4.collective_latency_s == Approx(fit.hopper_fp8.collective_latency_s));
  CHECK(fit.blackwell_fp4_median_abs_error <= 0.05);
  CHECK(fit.blackwell_fp4_max_abs_error <= 0.15);
  for (const std::string& label : fit.blackwell_fp4_labels) {
    INFO(label);
    CHECK(label.find(" b200 fp4 ") != std::string::npos);  // a B200 row, not a GB200 one
    CHECK(label.find(" 1000/1000 ") == std::string::npos);
  }
  // The committed values reach TensorRT-LLM's Blackwell FP4 estimates; vLLM, SGLang and trtllm-serve (no FP4 rows)
  // run the same kernels (Blackwell's FP4 fraction and HBM share) with their own host terms (trtllm-serve also
  // Blackwell's iteration overhead); FP8 on Blackwell keeps Hopper's.
  const InferenceEfficiency bw = inference_efficiency(kGenerationBlackwell, Precision::Fp4);
  CHECK(bw.matmul == Approx(kBlackwellFp4Efficiency.matmul));
  CHECK(bw.hbm == Approx(kBlackwellFp4Efficiency.hbm));
  CHECK(bw.iteration_overhead_s == Approx(kBlackwellFp4Efficiency.iteration_overhead_s));
  for (const ServingEngine eng : {ServingEngine::Vllm, ServingEngine::Sglang, ServingEngine::TrtLlmServe}) {
    INFO(engine_name(eng));
    const EngineEfficiency k = engine_efficiency(eng);
    const InferenceEfficiency e = inference_efficiency(kGenerationBlackwell, Precision::Fp4, eng);
    CHECK(e.matmul == Approx(kBlackwellFp4Efficiency.matmul));
    CHECK(e.prompt_token_overhead_s == Approx(k.prompt_token_overhead_s));
    CHECK(e.hbm == Approx(kBlackwellFp4Efficiency.hbm));
    // trtllm-serve runs the executor of the fitted FP4 rows: its iteration overhead; vLLM and SGLang Hopper's.
    CHECK(e.iteration_overhead_s == Approx(eng == ServingEngine::TrtLlmServe
                                               ? kBlackwellFp4Efficiency.iteration_overhead_s
                                               : hopper.iteration_overhead_s));
    CHECK(e.sequence_overhead_s == Approx(k.sequence_overhead_s));
  }
  CHECK(inference_efficiency(kGenerationBlackwell, Precision::Fp8).hbm == Approx(hopper.hbm));
  // vLLM, SGLang and trtllm-serve: their own two host times, refitted on their own calibration rows only, at the
  // engine's default scheduler limits; their kernels are trtllm-bench's.
  REQUIRE(fit.engines.size() == 3);
  for (const InferenceCalibrationFit::Engine& e : fit.engines) {
    INFO(engine_name(e.engine));
    const EngineEfficiency committed = engine_efficiency(e.engine);
    // Inside the grid (0..150 us per prompt token, 0..400 us per sequence), not on an edge.
    CHECK(committed.prompt_token_overhead_s > 1e-12);
    CHECK(committed.prompt_token_overhead_s < 150e-6 - 1e-12);
    CHECK(committed.sequence_overhead_s > 1e-12);
    CHECK(committed.sequence_overhead_s < 400e-6 - 1e-12);
    CHECK(e.rows == 2);
    CHECK(e.fit.prompt_token_overhead_s == Approx(committed.prompt_token_overhead_s));
    CHECK(e.fit.sequence_overhead_s == Approx(committed.sequence_overhead_s));
    CHECK(e.max_abs_error <= 0.05);
    for (const std::string& label : e.labels) CHECK(label.find(engine_name(e.engine)) != std::string::npos);
    // The committed values reach the estimates: NVIDIA generations take them with trtllm-bench's kernels (BF16
    // +0.10), CDNA keeps its own fit (an engine's already) without them.
    const InferenceEfficiency nv = inference_efficiency(kGenerationHopper, Precision::Fp8, e.engine);
    CHECK(nv.matmul == Approx(hopper.matmul));
    CHECK(nv.prompt_token_overhead_s == Approx(committed.prompt_token_overhead_s));
    CHECK(nv.sequence_overhead_s == Approx(committed.sequence_overhead_s));
    CHECK(inference_efficiency(kGenerationAmpere, Precision::Bf16, e.engine).matmul ==
          Approx(hopper.matmul + 0.10));
    CHECK(inference_efficiency(kGenerationAmpere, Precision::Bf16, e.engine).prompt_token_overhead_s ==
          Approx(committed.prompt_token_overhead_s));
    const InferenceEfficiency cdna = inference_efficiency(kGenerationCdna3, Precision::Fp8, e.engine);
    CHECK(cdna.matmul == Approx(inference_efficiency(kGenerationCdna3, Precision::Fp8).matmul));
    CHECK(cdna.prompt_token_overhead_s == 0.0);
  }
}

TEST_CASE("Each engine sizes its KV cache by its documented memory default, on any generation and precision") {
  // Public defaults, not fitted: TensorRT-LLM free_gpu_memory_fraction 0.9 of what is free after weights and
  // activations; vLLM gpu_memory_utilization 0.9 of the total; SGLang mem_fraction_static (total less a reserve).
  for (const int g : {kGenerationHopper, kGenerationBlackwell, kGenerationCdna3}) {
    for (const Precision p : {Precision::Bf16, Precision::Fp8, Precision::Fp4}) {
      CHECK(inference_efficiency(g, p, ServingEngine::Vllm).kv_memory_rule == int(KvMemoryRule::Utilization));
      CHECK(inference_efficiency(g, p, ServingEngine::Sglang).kv_memory_rule == int(KvMemoryRule::Static));
      CHECK(inference_efficiency(g, p, ServingEngine::TrtLlm).kv_memory_rule == int(KvMemoryRule::FreeFraction));
      CHECK(inference_efficiency(g, p, ServingEngine::TrtLlmServe).kv_memory_rule ==
            int(KvMemoryRule::FreeFraction));
      for (const ServingEngine e : {ServingEngine::TrtLlm, ServingEngine::Vllm, ServingEngine::Sglang,
                                    ServingEngine::TrtLlmServe}) {
        CHECK(inference_efficiency(g, p, e).kv_memory_fraction == Approx(0.90));
      }
    }
  }
}

TEST_CASE("InferenceEfficiency's defaults are the committed Hopper FP8 fit") {
  const InferenceEfficiency d;
  const InferenceEfficiency h = inference_efficiency(kGenerationHopper, Precision::Fp8);
  CHECK(d.matmul == Approx(h.matmul));
  CHECK(d.hbm == Approx(h.hbm));
  CHECK(d.iteration_overhead_s == h.iteration_overhead_s);
  CHECK(d.sequence_overhead_s == Approx(h.sequence_overhead_s));
  CHECK(d.prompt_token_overhead_s == h.prompt_token_overhead_s);
  CHECK(d.collective_latency_s == Approx(h.collective_latency_s));
  CHECK(d.kv_memory_rule == h.kv_memory_rule);
  CHECK(d.kv_memory_fraction == Approx(h.kv_memory_fraction));
}

TEST_CASE("a replica sizes its KV by its engine's rule at its own tp x pp (SGLang: the reserve holds activations)") {
  const double mib = 1024.0 * 1024.0, gib = 1024.0 * mib;
  const AcceleratorSpec h100 = test::catalog_accelerator("h100-sxm");
  REQUIRE(h100.hbm_bytes == Approx(81559.0 * mib));
  const LlmArch a = test::llama_3_3_70b();
  const InferenceEfficiency sg = inference_efficiency(kGenerationHopper, Precision::Fp8, ServingEngine::Sglang);
  const ReplicaModel r = make_replica_model(a, h100, Precision::Fp8, 2, 2, 1, 8192, sg);
  REQUIRE(r.infeasible == 0);
  // tp 2 x pp 2: 512 + 1.5 x 8192 + 2 x 256 + 1024 x 4/8 = 13824 MiB reserved; the activations are not taken again.
  const double kv_room = h100.hbm_bytes - 13824.0 * mib - r.weights_bytes_per_gpu;
  CHECK(r.kv_capacity_tokens == Approx(kv_room / r.kv_bytes_per_token_per_gpu));
  CHECK(r.usable_hbm_per_gpu == Approx(h100.hbm_bytes - 13824.0 * mib));
  (void)gib;
  const InferenceEfficiency trt = inference_efficiency(kGenerationHopper, Precision::Fp8, ServingEngine::TrtLlm);
  const ReplicaModel t = make_replica_model(a, h100, Precision::Fp8, 2, 2, 1, 8192, trt);
  CHECK(t.kv_capacity_tokens ==
        Approx(0.9 * (h100.hbm_bytes - 2.0 * gib - t.weights_bytes_per_gpu - t.activation_reserve_per_gpu) /
               t.kv_bytes_per_token_per_gpu));
}

TEST_CASE("The engines' memory rules against hand-computed KV room on an H100 (81559 MiB)") {
  const double mib = 1024.0 * 1024.0, gib = 1024.0 * mib;
  const double hbm = 81559.0 * mib;
  const double weights = 32e9, act = 2e9;
  InferenceEfficiency e;
  e.kv_memory_fraction = 0.90;
  e.kv_memory_rule = int(KvMemoryRule::FreeFraction);  // 0.9 x (85.52 - 2.15 runtime - 32 - 2) GB
  EngineMemory m = engine_memory(e, hbm, 1, 1, weights, act);
  CHECK(m.kv_room_bytes == Approx(0.9 * (hbm - 2.0 * gib - weights - act)));
  CHECK(m.kv_room_bytes / 1e9 == Approx(44.43).epsilon(1e-3));
  CHECK(m.ceiling_bytes == Approx(hbm - 2.0 * gib));
  CHECK(m.used_bytes == Approx(weights + act + m.kv_room_bytes));
  e.kv_memory_rule = int(KvMemoryRule::Utilization);  // 0.9 x 85.52 - 34 GB
  m = engine_memory(e, hbm, 1, 1, weights, act);
  CHECK(m.kv_room_bytes / 1e9 == Approx(42.97).epsilon(1e-3));
  CHECK(m.ceiling_bytes == Approx(0.9 * hbm));
  // SGLang (v0.5.3 on): 79.65 GiB less 512 + 1.5 x 8192 + 2 x 256 + 1024 x 2/8 = 13568 MiB at tp 2, activations
  // inside it.
  e.kv_memory_rule = int(KvMemoryRule::Static);
  m = engine_memory(e, hbm, 2, 1, weights, act);
  CHECK(m.ceiling_bytes == Approx(hbm - 13568.0 * mib));
  CHECK(m.kv_room_bytes == Approx(hbm - 13568.0 * mib - weights));
  CHECK(m.used_bytes == Approx(hbm - 13568.0 * mib));
  // At tp 1 the fraction is (81559 - 13440) / 81559 = 0.835 (SGLang issue #29092: 0.828 for Qwen3-32B on an H100
  // with a 2026 release that also reserves piecewise CUDA-graph memory).
  CHECK((hbm - sglang_reserved_bytes(hbm, 1, 1)) / hbm == Approx(0.835).epsilon(1e-3));
  // By GPU size: an H200 at tp 8 (chunk 8192, graphs to 512): 512 + 12288 + 1024 + 1024; a B200 at tp 8 (chunk
  // 16384): 512 + 24576 + 1024 + 1024; a 24 GiB part at tp 1 (chunk 2048, graphs to 24): 512 + 3072 + 48 + 128.
  CHECK(sglang_reserved_bytes(143771.0 * mib, 8, 1) == Approx(14848.0 * mib));
  CHECK(sglang_reserved_bytes(183359.0 * mib, 8, 1) == Approx(27136.0 * mib));
  CHECK(sglang_reserved_bytes(24.0 * gib, 1, 1) == Approx(3760.0 * mib));
  // A 48 GiB part (chunk 4096, graphs to 32, 160 at tp 4): 512 + 6144 + 64 + 128; at tp 4, 512 + 6144 + 320 + 512.
  CHECK(sglang_reserved_bytes(48.0 * gib, 1, 1) == Approx(6848.0 * mib));
  CHECK(sglang_reserved_bytes(48.0 * gib, 4, 1) == Approx(7488.0 * mib));
  CHECK(sglang_memory_defaults(81559.0 * mib, 4).cuda_graph_max_bs == 512);
  // The configured --chunked-prefill-size sets the activation share: on an H100 at tp 1 a chunk of 2048 gives
  // 512 + 3072 + 512 + 128 = 4224 MiB, raised to the 10 GiB floor of GPUs above 60 GiB; 16384 gives
  // 512 + 24576 + 512 + 128; a 48 GiB part has no floor (512 + 3072 + 64 + 128).
  CHECK(sglang_reserved_bytes(hbm, 1, 1, 2048) == Approx(10240.0 * mib));
  CHECK(sglang_reserved_bytes(hbm, 1, 1, 16384) == Approx(25728.0 * mib));
  CHECK(sglang_reserved_bytes(hbm, 1, 1, 8192) == Approx(sglang_reserved_bytes(hbm, 1, 1)));
  CHECK(sglang_reserved_bytes(48.0 * gib, 1, 1, 2048) == Approx(3776.0 * mib));
  // ... and reaches the replica's KV room through engine_memory.
  m = engine_memory(e, hbm, 1, 1, weights, act, 16384);
  CHECK(m.kv_room_bytes == Approx(hbm - 25728.0 * mib - weights));
}
