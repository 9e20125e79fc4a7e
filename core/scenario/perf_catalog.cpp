#include "core/scenario/perf_catalog.hpp"

#include "core/scenario/input_error.hpp"
#include "core/scenario/json_reader.hpp"

namespace aidc {

namespace {

const nlohmann::json& require_entry(const Catalog& catalog, const std::string& kind, const std::string& name,
                                    const std::string& where, const std::string& what) {
  const nlohmann::json* e = catalog.entry(kind, name);
  if (!e) {
    throw BadInput(where, "", nlohmann::json(name).dump(),
                   what + " in " + catalog.label(kind) + ", " + expected_one_of(name, catalog.names(kind)));
  }
  return *e;
}

double number_or(const nlohmann::json& e, const char* key, double fallback) {
  return e.contains(key) && e[key].is_number() ? e[key].get<double>() : fallback;
}

AcceleratorGeneration generation_from(const std::string& g) {
  if (g == "ampere") return AcceleratorGeneration::Ampere;
  if (g == "ada") return AcceleratorGeneration::Ada;
  if (g == "hopper") return AcceleratorGeneration::Hopper;
  if (g == "blackwell") return AcceleratorGeneration::Blackwell;
  if (g == "cdna3") return AcceleratorGeneration::Cdna3;
  if (g == "cdna4") return AcceleratorGeneration::Cdna4;
  if (g == "gaudi3") return AcceleratorGeneration::Gaudi3;
  return AcceleratorGeneration::Unknown;
}

}  // namespace

std::string engine_error_key(const std::string& kind, const std::string& generation, const std::string& engine) {
  return kind + (generation.empty() ? "" : "/" + generation) + "/engine:" + engine;
}

std::vector<std::string> throughput_error_keys(const std::string& kind, const LlmArch& arch,
                                               const AcceleratorSpec& accel, const std::string& engine,
                                               bool disaggregated) {
  std::vector<std::string> keys;
  if (kind == "inference" && disaggregated) keys.push_back(kDisaggregatedErrorKey);
  // The engine's own calibration is NVIDIA's (kernels/inference_calibration.hpp); CDNA's fit is already vLLM's.
  const bool cdna = accel.generation == static_cast<int>(AcceleratorGeneration::Cdna3) ||
                    accel.generation == static_cast<int>(AcceleratorGeneration::Cdna4);
  const std::string cls = throughput_error_class(arch, accel);
  if (kind == "inference" && !engine.empty() && engine != "trtllm" && !cdna) {
    // The engine on this generation first (its served fit judged on that hardware), then the engine anywhere.
    keys.push_back(engine_error_key(kind, cls.substr(0, cls.find('/')), engine));
    keys.push_back(engine_error_key(kind, "", engine));
  }
  keys.push_back(kind + "/" + cls);
  keys.push_back(kind + cls.substr(cls.find('/')));
  keys.push_back(kind);
  return keys;
}

ValidationErrorBand validation_error_band(const Catalog& catalog, const std::string& kind, const LlmArch& arch,
                                          const AcceleratorSpec& accel, const std::string& engine,
                                          bool disaggregated) {
  ValidationErrorBand b;
  for (const std::string& key : throughput_error_keys(kind, arch, accel, engine, disaggregated)) {
    const nlohmann::json* e = catalog.entry("estimator_errors", key);
    if (e == nullptr || !e->is_object()) continue;
    b.found = true;
    b.error_class = key;
    b.rows = e->value("rows", 0);
    b.median_abs_error = e->value("median_abs_error", 0.0);
    b.max_abs_error = e->value("max_abs_error", 0.0);
    b.log_ratio_mean = e->value("log_ratio_mean", 0.0);
    break;
  }
  b.disaggregated_missing = kind == "inference" && disaggregated && b.error_class != kDisaggregatedErrorKey;
  return b;
}

std::string throughput_error_class(const LlmArch& arch, const AcceleratorSpec& accel) {
  const char* gen = "unknown";
  switch (static_cast<AcceleratorGeneration>(accel.generation)) {
    case AcceleratorGeneration::Ampere: gen = "ampere"; break;
    case AcceleratorGeneration::Ada: gen = "ada"; break;
    case AcceleratorGeneration::Hopper: gen = "hopper"; break;
    case AcceleratorGeneration::Blackwell: gen = "blackwell"; break;
    case AcceleratorGeneration::Cdna3: gen = "cdna3"; break;
    case AcceleratorGeneration::Cdna4: gen = "cdna4"; break;
    case AcceleratorGeneration::Gaudi3: gen = "gaudi3"; break;
    case AcceleratorGeneration::Unknown: break;
  }
  return std::string(gen) + (arch.routed_experts > 0 ? "/moe" : "/dense");
}

LlmArch llm_arch_from_catalog(const Catalog& catalog, const std::string& name, const std::string& where) {
  const nlohmann::json& e = require_entry(catalog, "llm_models", name, where, "a model");
  LlmArch a;
  a.layers = e.value("layers", 0);
  a.hidden = e.value("hidden", 0);
  a.ffn_hidden = e.value("ffn_hidden", 0);
  a.heads = e.value("heads", 0);
  a.kv_heads = e.value("kv_heads", a.heads);
  a.head_dim = e.value("head_dim", a.heads > 0 ? a.hidden / a.heads : 0);
  a.vocab = e.value("vocab", 0);
  a.gated_mlp = e.value("gated_mlp", true);
  a.routed_experts = e.value("routed_experts", 0);
  a.active_experts = e.value("active_experts", 0);
  a.shared_experts = e.value("shared_experts", 0);
  a.moe_ffn_hidden = e.value("moe_ffn_hidden", 0);
  a.dense_layers = e.value("dense_layers", 0);
  a.kv_latent_dim = e.value("kv_latent_dim", 0);
  // MLA: the catalog's head_dim is the value head; the query/key head is qk_nope + qk_rope (DeepSeek-V3: 192).
  a.q_lora_rank = e.value("q_lora_rank", 0);
  a.qk_rope_head_dim = e.value("qk_rope_head_dim", 0);
  a.v_head_dim = e.value("v_head_dim", 0);
  if (a.kv_latent_dim > 0 && e.contains("qk_nope_head_dim")) {
    a.head_dim = e.value("qk_nope_head_dim", 0) + a.qk_rope_head_dim;
  }
  a.tied_embeddings = e.value("tied_embeddings", false);
  a.published_params = number_or(e, "published_params", 0.0);
  a.published_active_params = number_or(e, "published_active_params", 0.0);
  return a;
}

AcceleratorSpec accelerator_from_catalog(const Catalog& catalog, const std::string& name, const std::string& where) {
  const nlohmann::json& e = require_entry(catalog, "accelerators", name, where, "an accelerator");
  AcceleratorSpec a;
  a.bf16_flops_per_s = number_or(e, "bf16_dense_tflops", 0.0) * 1e12;
  a.fp8_flops_per_s = number_or(e, "fp8_dense_tflops", 0.0) * 1e12;
  a.fp4_flops_per_s = number_or(e, "fp4_dense_tflops", 0.0) * 1e12;
  // The memory the device reports to the engines (nvidia-smi / rocm-smi total) where the catalog cites it; else the
  // vendor's "GB" read as GiB, which is how the cited parts compare (catalog _about).
  const double mib = 1024.0 * 1024.0;
  const bool visible = e.contains("hbm_visible_mib") && !e["hbm_visible_mib"].is_null();
  if (visible && !(e["hbm_visible_mib"].is_number() && e["hbm_visible_mib"].get<double>() > 0.0)) {
    throw BadInput(catalog.label("accelerators"), "/entries/" + name + "/hbm_visible_mib", e["hbm_visible_mib"].dump(),
                   "the device-reported memory in MiB, a positive number (nvidia-smi memory.total)");
  }
  a.hbm_bytes = visible ? number_or(e, "hbm_visible_mib", 0.0) * mib
                : number_or(e, "hbm_gb", 0.0) * 1024.0 * mib;
  a.hbm_bytes_per_s = number_or(e, "hbm_tb_s", 0.0) * 1e12;
  // The catalog quotes bidirectional scale-up bandwidth (NVLink convention); collectives use one direction.
  a.scaleup_bytes_per_s = number_or(e, "scaleup_gb_s_bidir", 0.0) * 1e9 / 2.0;
  a.scaleup_domain_gpus = std::max(1, e.value("scaleup_domain_gpus", 1));
  a.tdp_w = number_or(e, "tdp_w", 0.0);
  a.generation = static_cast<int>(generation_from(e.value("generation", "")));
  // Scale-out: the NICs per GPU of the first catalog system built on this accelerator (DGX-style: one NIC per GPU).
  for (const auto& sys_name : catalog.names("systems")) {
    const nlohmann::json* s = catalog.entry("systems", sys_name);
    if (s && s->value("accelerator", "") == name && s->value("gpus", 0) > 0) {
      const double nics_per_gpu = number_or(*s, "scaleout_nics", 0.0) / s->value("gpus", 1);
      a.scaleout_bytes_per_s = nics_per_gpu * number_or(*s, "nic_gbps", 0.0) * 1e9 / 8.0;
      break;
    }
  }
  return a;
}

Precision parse_precision(const std::string& text, const std::string& where) {
  if (text == "bf16") return Precision::Bf16;
  if (text == "fp8") return Precision::Fp8;
  if (text == "fp4") return Precision::Fp4;
  throw BadInput(where, "", nlohmann::json(text).dump(), "one of: bf16, fp8, fp4");
}

}  // namespace aidc
