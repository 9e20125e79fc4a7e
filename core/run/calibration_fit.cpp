#include "core/run/calibration_fit.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/scenario/catalog.hpp"
#include "core/scenario/input_error.hpp"
#include "kernels/inference_calibration.hpp"
#include "kernels/training_model.hpp"

namespace aidc {

namespace {

struct Score {
  double objective = 0.0, median = 0.0, max = 0.0;
};

Score score(std::vector<double> abs_errors) {
  Score s;
  if (abs_errors.empty()) return s;
  std::sort(abs_errors.begin(), abs_errors.end());
  const std::size_t n = abs_errors.size();
  s.median = n % 2 == 1 ? abs_errors[n / 2] : 0.5 * (abs_errors[n / 2 - 1] + abs_errors[n / 2]);
  s.max = abs_errors.back();
  s.objective = s.median + 0.3 * s.max;
  return s;
}

}  // namespace

TrainingCalibrationFit fit_training_calibration(const std::vector<TrainingCalibrationRow>& rows,
                                                const TrainingCalibration& fixed) {
  TrainingCalibrationFit best;
  best.rows = static_cast<int>(rows.size());
  bool first = true;
  for (int i = 50; i <= 95; ++i) {
    for (int j = 0; j <= 40; ++j) {
      TrainingCalibration k = fixed;
      k.matmul_fraction = i / 100.0;
      k.elementwise_passes = j / 4.0;
      std::vector<double> abs_errors, signed_errors;
      for (const TrainingCalibrationRow& r : rows) {
        const TrainingEstimate e = estimate_training(r.problem, r.config, k);
        const double err = e.step_time_s / r.measured_step_s - 1.0;
        signed_errors.push_back(err);
        abs_errors.push_back(std::fabs(err));
      }
      const Score s = score(abs_errors);
      if (first || s.objective < best.objective - 1e-12) {
        first = false;
        best.matmul_fraction = k.matmul_fraction;
        best.elementwise_passes = k.elementwise_passes;
        best.objective = s.objective;
        best.median_abs_error = s.median;
        best.max_abs_error = s.max;
        best.errors = signed_errors;
      }
    }
  }
  return best;
}

std::vector<GroupedGemmRow> grouped_gemm_rows(const Catalog& catalog) {
  std::vector<GroupedGemmRow> out;
  const nlohmann::json* list = catalog.entry("reference_measurements", "grouped_gemm");
  if (!list || !list->is_array()) return out;
  InputProblems problems;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& e = (*list)[i];
    if (!e.is_object()) continue;
    if (const auto role = e.find("role"); role == e.end() || !role->is_string() || *role != "calibration") continue;
    auto positive = [&](const char* key) {
      const auto it = e.find(key);
      const double x = it != e.end() && it->is_number() ? it->get<double>() : 0.0;
      if (!(x > 0.0)) {
        problems.add("reference_measurements.json", "/entries/grouped_gemm/" + std::to_string(i) + "/" + key,
                     it != e.end() ? it->dump() : "missing", "a number > 0");
      }
      return x;
    };
    GroupedGemmRow r;
    r.tokens = positive("tokens_per_group");
    const double tflops = positive("tflops"), reference = positive("reference_tflops");
    r.ratio = reference > 0.0 ? tflops / reference : 0.0;
    // Label fields of any JSON type (a wrong type only changes the label, it is not a fitted value).
    auto text = [&](const char* key) {
      const auto it = e.find(key);
      if (it == e.end()) return std::string("?");
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer()) return std::to_string(it->get<long long>());
      return it->dump();
    };
    r.label = text("gpu") + " " + text("layout") + " M=" + std::to_string(static_cast<long long>(r.tokens)) +
              " N=" + text("n") + " K=" + text("k");
    out.push_back(r);
  }
  problems.throw_if_any();
  return out;
}

GroupedGemmFit fit_expert_gemm_half_tokens(const std::vector<GroupedGemmRow>& rows) {
  GroupedGemmFit best;
  best.rows = static_cast<int>(rows.size());
  bool first = true;
  for (int i = 0; i <= 250; ++i) {
    const double half = 4.0 * i;
    std::vector<double> abs_errors, signed_errors;
    for (const GroupedGemmRow& r : rows) {
      const double err = r.tokens / (r.tokens + half) / r.ratio - 1.0;
      signed_errors.push_back(err);
      abs_errors.push_back(std::fabs(err));
    }
    const Score s = score(abs_errors);
    if (first || s.objective < best.objective - 1e-12) {
      first = false;
      best.half_tokens = half;
      best.objective = s.objective;
      best.median_abs_error = s.median;
      best.max_abs_error = s.max;
      best.errors = signed_errors;
    }
  }
  return best;
}

std::vector<InferenceReferenceRow> inference_fit_rows(const Catalog& catalog) {
  std::vector<InferenceReferenceRow> out;
  for (InferenceReferenceRow& r : inference_reference_rows(catalog)) {
    if (r.role == "calibration" && r.problem.empty() &&
        (r.scenario == InferenceScenario::Offline || r.scenario == InferenceScenario::Burst ||
         r.scenario == InferenceScenario::ClosedLoop)) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

namespace {

// Signed errors of `rows` at the efficiency `eff` (its matmul is the FP8 one: a BF16 row adds 0.10, capped at 0.85,
// as inference_efficiency does).
std::vector<double> inference_errors(const std::vector<const InferenceReferenceRow*>& rows,
                                     const InferenceEfficiency& eff) {
  InferenceRowOptions opt;
  opt.n_requests = kInferenceFitRequests;
  opt.backend = Backend::Cpu;
  std::vector<double> errors;
  for (const InferenceReferenceRow* r : rows) {
    // What is the engine's by a public default rather than fitted (its KV memory rule) stays the row engine's.
    InferenceEfficiency row_eff = eff;
    const InferenceEfficiency engine_eff =
        inference_efficiency(r->spec.accel.generation, r->spec.precision, r->spec.engine);
    row_eff.kv_memory_rule = engine_eff.kv_memory_rule;
    row_eff.kv_memory_fraction = engine_eff.kv_memory_fraction;
    if (r->spec.precision == Precision::Bf16) row_eff.matmul = std::min(row_eff.matmul + 0.10, 0.85);
    opt.efficiency = row_eff;
    const InferenceRowEstimate e = estimate_inference_reference(*r, opt);
    errors.push_back(e.ok ? e.tokens_per_s / r->measured_tokens_per_s - 1.0 : 1e9);
  }
  return errors;
}

Score score_signed(const std::vector<double>& errors) {
  std::vector<double> a;
  for (double e : errors) a.push_back(std::fabs(e));
  return score(a);
}

// The best point of one inference grid so far: the first with the smallest objective (ties keep the earlier point).
struct GridBest {
  bool any = false;
  InferenceEfficiency eff;
  Score score;
  std::vector<double> errors;
  void consider(const std::vector<const InferenceReferenceRow*>& rows, const InferenceEfficiency& e) {
    std::vector<double> errs = inference_errors(rows, e);
    const Score s = score_signed(errs);
    if (!any || s.objective < score.objective - 1e-12) {
      any = true;
      eff = e;
      score = s;
      errors = std::move(errs);
    }
  }
};

}  // namespace

InferenceCalibrationFit fit_inference_calibration(const std::vector<InferenceReferenceRow>& rows) {
  InferenceCalibrationFit fit;
  std::vector<const InferenceReferenceRow*> hopper, cdna3, blackwell_fp4;
  std::vector<const InferenceReferenceRow*> by_engine[3];  // vLLM, SGLang, trtllm-serve on NVIDIA GPUs
  const ServingEngine slot_engine[3] = {ServingEngine::Vllm, ServingEngine::Sglang, ServingEngine::TrtLlmServe};
  auto engine_slot = [&](ServingEngine e) {
    int k = 0;
    while (k < 3 && slot_engine[k] != e) ++k;
    return k;
  };
  auto row_label = [](const InferenceReferenceRow& r) {
    return r.model + " " + r.accelerator + " " + precision_name(r.spec.precision) + " " + std::to_string(r.isl) +
           "/" + std::to_string(r.osl) + " " + r.scenario_name + " " + engine_name(r.spec.engine);
  };
  for (const InferenceReferenceRow& r : rows) {
    const int g = r.spec.accel.generation;
    const bool cdna = g == kGenerationCdna3 || g == kGenerationCdna4;
    if (!cdna && r.spec.engine != ServingEngine::TrtLlm) {
      const int k = engine_slot(r.spec.engine);
      if (k < 3) by_engine[k].push_back(&r);
      continue;
    }
    if (g == kGenerationBlackwell && r.spec.precision == Precision::Fp4 && r.spec.engine == ServingEngine::TrtLlm) {
      blackwell_fp4.push_back(&r);
      continue;
    }
    if (r.spec.precision != Precision::Fp8) continue;
    if (g == kGenerationHopper && r.spec.engine == ServingEngine::TrtLlm) hopper.push_back(&r);
    if (g == kGenerationCdna3) cdna3.push_back(&r);
  }
  fit.hopper_rows = static_cast<int>(hopper.size());
  fit.cdna3_rows = static_cast<int>(cdna3.size());
  GridBest hop;
  if (!hopper.empty()) {
    // The exposed iteration overhead stays 0: TensorRT-LLM's PyTorch executor overlaps its host work (stop checks,
    // responses, scheduling the next batch) with the GPU's step (its overlap scheduler, on by default), and the
    // max-throughput rows cannot tell a per-iteration term from a per-sequence one (a flat valley). What the GPU
    // cannot hide grows with the sequences that sample a token: the per-sequence term below.
    int points = 0;
    for (int mm = 45; mm <= 70; mm += 5) {
      for (int hbm = 80; hbm <= 95; hbm += 5) {
        for (int us = 0; us <= 8; ++us) {
          for (const double lat_us : {20.0, 35.0, 50.0, 75.0, 100.0, 150.0}) {
            InferenceEfficiency e = inference_efficiency(kGenerationHopper, Precision::Fp8);
            e.matmul = mm / 100.0;
            e.hbm = hbm / 100.0;
            e.iteration_overhead_s = 0.0;
            e.sequence_overhead_s = us * 1e-6;
            e.collective_latency_s = lat_us * 1e-6;
            hop.consider(hopper, e);
            ++points;
          }
        }
      }
    }
    fit.hopper_points = points;
    fit.hopper_fp8 = hop.eff;
    fit.hopper_median_abs_error = hop.score.median;
    fit.hopper_max_abs_error = hop.score.max;
  }
  for (const InferenceReferenceRow* r : hopper) fit.labels.push_back(r->model + " " + r->accelerator + " " +
                                                                     std::to_string(r->isl) + "/" +
                                                                     std::to_string(r->osl) + " " + r->scenario_name);
  fit.errors = hop.errors;
  // What the later fits hold fixed: the Hopper fit, or the committed Hopper values without Hopper rows.
  const InferenceEfficiency base = hop.any ? fit.hopper_fp8 : inference_efficiency(kGenerationHopper, Precision::Fp8);
  if (!cdna3.empty()) {
    GridBest cd;
    for (int mm = 35; mm <= 70; mm += 5) {
      InferenceEfficiency e = base;
      e.matmul = mm / 100.0;
      cd.consider(cdna3, e);
    }
    fit.cdna3_matmul = cd.eff.matmul;
    fit.cdna3_max_abs_error = cd.score.max;
    for (const InferenceReferenceRow* r : cdna3) {
      fit.labels.push_back(r->model + " " + r->accelerator + " " + std::to_string(r->isl) + "/" +
                           std::to_string(r->osl) + " " + r->scenario_name);
    }
    fit.errors.insert(fit.errors.end(), cd.errors.begin(), cd.errors.end());
  }
  // Blackwell FP4 with TensorRT-LLM: its own matmul (of the FP4 peak), HBM and iteration overhead; the collective
  // latency and the rest the Hopper fit's (NVLink 5 collectives have no rows of their own).
  fit.blackwell_fp4_rows = static_cast<int>(blackwell_fp4.size());
  if (!blackwell_fp4.empty()) {
    GridBest bw;
    // Grid units: matmul and HBM in hundredths, the iteration overhead in half milliseconds.
    auto try_point = [&](int mm, int hbm, int it) {
      InferenceEfficiency e = base;
      e.matmul = mm / 100.0;
      e.hbm = hbm / 100.0;
      e.iteration_overhead_s = it * 0.5e-3;
      bw.consider(blackwell_fp4, e);
    };
    // Coarse (matmul 0.30..0.60 step 0.10, HBM 0.45..0.85 step 0.10, 1..8 ms step 1), then the 26 points one fine
    // step (0.05, 0.05, 0.5 ms) around the coarse best: 186 evaluations instead of the 1,008 of the fine grid.
    for (int mm = 30; mm <= 60; mm += 10) {
      for (int hbm = 45; hbm <= 85; hbm += 10) {
        for (int it = 2; it <= 16; it += 2) try_point(mm, hbm, it);
      }
    }
    const int mm0 = static_cast<int>(std::lround(bw.eff.matmul * 100.0));
    const int hbm0 = static_cast<int>(std::lround(bw.eff.hbm * 100.0));
    const int it0 = static_cast<int>(std::lround(bw.eff.iteration_overhead_s / 0.5e-3));
    for (int mm = mm0 - 5; mm <= mm0 + 5; mm += 5) {
      for (int hbm = hbm0 - 5; hbm <= hbm0 + 5; hbm += 5) {
        for (int it = it0 - 1; it <= it0 + 1; ++it) {
          if (mm > 0 && hbm > 0 && it > 0 && !(mm == mm0 && hbm == hbm0 && it == it0)) try_point(mm, hbm, it);
        }
      }
    }
    fit.blackwell_fp4 = bw.eff;
    fit.blackwell_fp4_median_abs_error = bw.score.median;
    fit.blackwell_fp4_max_abs_error = bw.score.max;
    fit.blackwell_fp4_errors = bw.errors;
    for (const InferenceReferenceRow* r : blackwell_fp4) fit.blackwell_fp4_labels.push_back(row_label(*r));
  }
  // Each other engine: its host time per prompt token and per sampled sequence on its own rows, the kernels and
  // the rest the TensorRT-LLM fit: 0..150 us step 2.5 us x 0..400 us step 10 us (2,501 points).
  for (int k = 0; k < 3; ++k) {
    if (by_engine[k].empty()) continue;
    InferenceCalibrationFit::Engine ef;
    ef.engine = slot_engine[k];
    ef.rows = static_cast<int>(by_engine[k].size());
    GridBest best;
    for (int tok = 0; tok <= 60; ++tok) {
      for (int us = 0; us <= 40; ++us) {
        InferenceEfficiency e = base;  // the FP8 fraction; BF16 rows add 0.10 (inference_errors)
        e.prompt_token_overhead_s = tok * 2.5e-6;
        e.sequence_overhead_s = us * 10e-6;
        best.consider(by_engine[k], e);
      }
    }
    ef.fit = EngineEfficiency{best.eff.prompt_token_overhead_s, best.eff.sequence_overhead_s};
    ef.median_abs_error = best.score.median;
    ef.max_abs_error = best.score.max;
    ef.errors = best.errors;
    for (const InferenceReferenceRow* r : by_engine[k]) ef.labels.push_back(row_label(*r));
    fit.engines.push_back(std::move(ef));
  }
  return fit;
}

}  // namespace aidc
