// The `aidcsim` command: run a scenario, check one, estimate the throughput of a model on some accelerators
// (inference or training), validate the estimates against the reference measurements, size, sweep, and make the
// reviewer's report of a results file (core/cli/report_command.hpp). Exit codes: 0 success,
// 2 bad input (every problem printed with file, JSON path, value and expectation; estimate problems in numbers),
// 1 internal error.
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "aidcsim_version.hpp"
#include "core/cli/kpi_table.hpp"
#include "core/cli/perf_commands.hpp"
#include "core/cli/report_command.hpp"
#include "core/cli/size_command.hpp"
#include "core/cli/sweep_command.hpp"
#include "core/io/catalog_folder.hpp"
#include "core/io/output_path.hpp"
#include "core/io/text_file.hpp"
#include "core/model/fleet_ops.hpp"
#include "core/model/export_control.hpp"
#include "core/run/claims_outputs.hpp"
#include "core/run/run_scenario.hpp"
#include "core/cli/cli_errors.hpp"
#include "core/cli/calibrate_command.hpp"
#include "core/cli/catalog_command.hpp"
#include "core/cli/climate_command.hpp"
#include "core/scenario/input_error.hpp"
#include "core/stats/number_text.hpp"

namespace {


aidc::Catalog load_catalog(const std::string& dir) {
  return dir.empty() ? aidc::Catalog::embedded() : aidc::read_catalog_folder(dir);
}

// What `run` will read and write, checked before any replication runs: the output path must be writable and not
// one of the inputs (the scenario, its EPW file, the catalog files) nor a device, and the results must fit on the
// disk (core/io/output_path.hpp). Throws BadInput.
void check_run_output(const std::filesystem::path& output, const std::string& scenario_path,
                      const std::string& catalog_dir, const aidc::Scenario& s, int events_for) {
  std::vector<std::filesystem::path> inputs{scenario_path};
  if (s.site.weather.kind == aidc::WeatherKind::Epw) inputs.emplace_back(s.site.weather.epw_path);
  if (!catalog_dir.empty()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(catalog_dir, ec)) inputs.push_back(entry.path());
  }
  aidc::check_output_path(output, inputs, "-o");
  std::size_t series = aidc::site_series_info().size();
  if (s.fleet.enabled) series += aidc::fleet_series_info().size();
  const int event_replications = events_for < 0 ? s.replications : std::min(events_for, s.replications);
  aidc::check_free_space(output,
                         aidc::estimate_results_size(static_cast<std::uintmax_t>(s.replications),
                                                     static_cast<std::uintmax_t>(s.horizon_h), series,
                                                     static_cast<std::uintmax_t>(event_replications)),
                         "-o");
}

void print_warnings(const std::vector<aidc::InputWarning>& warnings) {
  for (const aidc::InputWarning& w : warnings) std::cerr << "aidcsim: warning: " << aidc::format_warning(w) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aidcsim: will this AI data-center site deliver what its proposal claims?"};
  app.set_version_flag("--version", std::string("aidcsim ") + aidc::kSoftwareVersion + " (" + aidc::kGitSha + ")");
  app.require_subcommand(1);
  // `report` hands its arguments, unparsed, to the Python package that makes the report (its own --help).
  if (argc >= 2 && std::string_view(argv[1]) == "report") return aidc::run_report_command(argc - 2, argv + 2);

  std::string scenario_path, output = "results.h5", catalog_dir;
  std::optional<long long> replications;
  std::optional<std::string> seed_text;  // parsed here: CLI11 saturates an out-of-range integer silently
  int threads = 0;
  int events_for = -1;
  bool quiet = false;
  std::string kpis_shown = "headline";

  CLI::App* run = app.add_subcommand("run", "simulate a scenario and write its results file (HDF5)");
  run->add_option("scenario", scenario_path, "scenario JSON file")->required();
  run->add_option("-o,--output", output, "results file (HDF5); written atomically")->capture_default_str();
  run->add_option("--replications", replications, "Monte-Carlo replications (overrides the scenario)")
      ->check(CLI::Range(1LL, 1'000'000LL));
  // The scenario's own range (0 to 2^63 - 1), so that the seed stored in /inputs/scenario reads back.
  run->add_option("--seed", seed_text, "random seed, 0 to 9223372036854775807 (overrides the scenario)");
  run->add_option("--threads", threads, "worker threads (0: all cores)")->check(CLI::Range(0, 4096));
  run->add_option("--events-for", events_for,
                  "write the events of the first N replications only (default: all); KPIs and series cover all")
      ->check(CLI::Range(0, 1'000'000));
  run->add_option("--catalog", catalog_dir, "catalog folder replacing the built-in catalogs");
  run->add_flag("-q,--quiet", quiet, "no progress or table");
  run->add_option("--kpis", kpis_shown, "KPIs printed: headline (ten, formatted) or all (the full table)")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>{"headline", "all"}));

  CLI::App* check = app.add_subcommand("check", "validate a scenario and print it resolved (defaults filled in)");
  check->add_option("scenario", scenario_path, "scenario JSON file")->required();
  check->add_option("--catalog", catalog_dir, "catalog folder replacing the built-in catalogs");

  // A finite number in (0, max]: CLI::PositiveNumber and CLI::Range let NaN through (every comparison is false).
  auto finite_positive = [](double max, const char* unit) {
    return CLI::Validator(
        [max, unit](std::string& text) -> std::string {
          double v = 0.0;
          if (!CLI::detail::lexical_cast(text, v) || !std::isfinite(v) || v <= 0.0 || v > max) {
            return "expected a finite number above 0 and at most " + CLI::detail::to_string(max) + " " + unit +
                   ", got " + text;
          }
          return std::string();
        },
        "POSITIVE");
  };

  aidc::EstimateOptions est;
  CLI::App* estimate = app.add_subcommand("estimate", "throughput of a model on some accelerators");
  estimate->require_subcommand(1);
  CLI::App* est_inf = estimate->add_subcommand(
      "inference", "serving throughput and latency (best tp/pp/ep/batch/chunk; saturated unless --concurrency)");
  CLI::App* est_tr =
      estimate->add_subcommand("training", "training step time and MFU (best parallel layout; given degrees kept)");
  for (CLI::App* sub : {est_inf, est_tr}) {
    sub->add_option("--model", est.model, "model name (scenarios/catalog/llm_models.json)")->required();
    sub->add_option("--accelerator", est.accelerator, "accelerator name (scenarios/catalog/accelerators.json)")
        ->required();
    sub->add_option("--gpus", est.gpus, "GPUs")->required()->check(CLI::Range(1, 1'000'000));
    sub->add_option("--tp", est.tp, "tensor-parallel degree (default: searched)")->check(CLI::Range(1, 1'000'000));
    sub->add_option("--pp", est.pp, "pipeline-parallel degree (default: searched)")->check(CLI::Range(1, 1'000'000));
    sub->add_option("--backend", est.backend, "auto, cpu or cuda")->capture_default_str();
    sub->add_flag("--json", est.json, "JSON on stdout");
  }
  est_inf->add_option("--precision", est.precision, "weight precision")
      ->required()
      ->check(CLI::IsMember(std::vector<std::string>{"bf16", "fp8", "fp4"}));
  est_inf->add_option("--ep", est.ep,
                      "expert-parallel degree of an MoE model: its experts split over ep of a tensor-parallel group's "
                      "ranks, which must divide tp (vLLM's --enable-expert-parallel is ep = tp; default: searched)")
      ->check(CLI::Range(1, 1'000'000));
  est_inf->add_option("--isl", est.isl, "input tokens per request")->required()->check(CLI::Range(1, 100'000'000));
  est_inf->add_option("--osl", est.osl, "output tokens per request")->required()->check(CLI::Range(1, 100'000'000));
  est_inf->add_option("--concurrency", est.concurrency, "concurrent clients (default: saturated)")
      ->check(CLI::Range(1, 100'000'000));
  est_inf->add_option("--ttft-slo-s", est.ttft_slo_s, "p99 time-to-first-token bound, s")
      ->check(finite_positive(86400.0, "s"));
  est_inf->add_option("--tpot-slo-s", est.tpot_slo_s, "p99 time-per-output-token bound, s")
      ->check(finite_positive(3600.0, "s"));
  est_inf->add_option("--engine", est.engine,
                      "serving engine whose scheduler runs the replicas: trtllm (reserves each request's whole KV), "
                      "vllm (KV on demand, preemption), sglang (KV on demand, admission by an estimate of the "
                      "tokens to come, retraction), or trtllm-serve (TensorRT-LLM behind its OpenAI server: trtllm's "
                      "KV policy, the served path's own calibration)")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>{"trtllm", "vllm", "sglang", "trtllm-serve"}));
  est_inf->add_option("--serving", est.serving,
                      "aggregated (every replica prefills and decodes; default), disaggregated (prefill and decode "
                      "instances apart, KV sent over the fabric) or any (the search picks)")
      ->check(CLI::IsMember(std::vector<std::string>{"aggregated", "disaggregated", "any"}));
  est_inf->add_flag("--engine-defaults", est.engine_defaults,
                    "run the engine's default scheduler limits on this GPU (what a plain vllm serve, sglang "
                    "launch_server or trtllm-serve gets: vLLM 1024 sequences and 8192 tokens per step, 256 and 2048 "
                    "on A100; SGLang's chunked prefill by GPU memory; trtllm-serve 8192 tokens) instead of searching "
                    "them");
  est_inf->add_option("--kv-cache", est.kv_cache,
                      "what the KV cache is stored in: auto (FP8 with fp8/fp4 weights, as NVIDIA's ModelOpt checkpoints "
                      "carry KV scales; 16-bit with bf16 and under vLLM's weight-only FP8), bf16 (a checkpoint "
                      "without KV scales, the engines' auto), or "
                      "fp8")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>{"auto", "bf16", "fp8"}));
  est_inf->add_option("--max-batch", est.max_batch,
                      "sequences in flight per replica, fixed (default: searched; the search's largest is 1024)")
      ->check(CLI::Range(1, 1'000'000));
  est_inf->add_option("--chunk-tokens", est.chunk_tokens,
                      "token budget per iteration (decode tokens + prompt chunk), fixed (default: searched)")
      ->check(CLI::Range(1, 1'000'000));
  est_inf->add_option("--prefill-instances", est.prefill_instances,
                      "disaggregated: this many prefill instances, the rest decode (default: searched)")
      ->check(CLI::Range(1, 1'000'000));
  est_inf->add_option("--prefill-tp", est.prefill_tp,
                      "disaggregated: the prefill instances' tensor-parallel degree (default: searched; --tp is the "
                      "decode instances')")
      ->check(CLI::Range(1, 1'000'000));
  CLI::Option* requests_opt = est_inf->add_option("--requests", est.requests, "requests simulated per replica")
                                   ->capture_default_str()
                                   ->check(CLI::Range(1, 1'000'000));
  est_inf->add_option("--burst", est.burst,
                      "N prompts for the whole deployment, all sent at t = 0 (or behind --concurrency clients), "
                      "throughput over the time to the last finish: what vllm bench serve and sglang bench_serving "
                      "with --request-rate inf report (default: steady-state throughput)")
      ->check(CLI::Range(1, 1'000'000))
      ->excludes(requests_opt);
  est_tr->add_option("--seq", est.seq, "sequence length, tokens")->required()->check(CLI::Range(1, 100'000'000));
  est_tr->add_option("--global-batch-tokens", est.global_batch_tokens, "tokens per optimizer step")
      ->required()
      ->check(finite_positive(1e15, "tokens"));
  est_tr->add_option("--interleave", est.interleave,
                     "virtual pipeline stages per GPU, interleaved 1F1B (default: searched; 1 = not interleaved)")
      ->check(CLI::Range(1, 8));
  est_tr->add_option("--cp", est.cp, "context-parallel degree (default: searched)")->check(CLI::Range(1, 1'000'000));
  est_tr->add_option("--precision", est.precision, "training precision (fp4: NVFP4 layer GEMMs, Blackwell)")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>{"bf16", "fp8", "fp4"}));
  est_tr->add_option("--attention", est.attention,
                     "attention kernel: flash (fused, no s x s tensor; 2023+ frameworks) or standard (Megatron-LM 2022)")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>{"flash", "standard"}));
  est_tr->add_option("--schedule", est.schedule,
                     "pipeline schedule: 1f1b (interleaved when it pays), zero-bubble (ZB-H1), dualpipe, or searched")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>{"searched", "1f1b", "zero-bubble", "dualpipe"}));

  aidc::ValidateCliOptions val;
  CLI::App* validate =
      app.add_subcommand("validate", "estimates against every reference measurement of the catalog, with errors");
  validate->add_flag("--json", val.json, "JSON on stdout");
  validate->add_flag("--estimator-errors", val.estimator_errors,
                     "print the estimator-error catalog (scenarios/catalog/estimator_errors.json) from the validation rows");
  validate->add_option("--backend", val.backend, "auto, cpu or cuda")->capture_default_str();
  validate->add_option("--requests", val.requests, "requests simulated per inference row")
      ->capture_default_str()
      ->check(CLI::Range(50, 1'000'000));

  aidc::SizeCliOptions size_opt;
  CLI::App* size = app.add_subcommand(
      "size", "least verified hardware (systems, MW) meeting demand, SLOs and deadlines per candidate and site, ranked");
  size->add_option("scenario", size_opt.scenario, "scenario JSON file (with fleet and workloads)")->required();
  size->add_option("--sites", size_opt.sites, "host countries to compare (replaces sizing.sites)")->delimiter(',');
  size->add_option("--candidates", size_opt.candidates, "candidate systems (replaces sizing.candidates)")
      ->delimiter(',');
  size->add_flag("--json", size_opt.json, "JSON on stdout");
  size->add_option("-o,--output", size_opt.output, "HDF5 file with the /sizing table");
  size->add_option("--threads", size_opt.threads, "worker threads (0: all cores)")->check(CLI::Range(0, 4096));
  size->add_option("--catalog", size_opt.catalog_dir, "catalog folder replacing the built-in catalogs");
  size->add_flag("-q,--quiet", size_opt.quiet, "no progress or table");

  aidc::SweepCliOptions sweep_opt;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "variants, cases, tornado sensitivity and break-evens over a base scenario, into one HDF5 file");
  sweep->add_option("sweep", sweep_opt.sweep, "sweep JSON file (its \"scenario\" names the base)")->required();
  sweep->add_option("-o,--output", sweep_opt.output, "HDF5 file with /sweep/points, /sweep/tornado, /sweep/break_even")
      ->capture_default_str();
  sweep->add_option("--threads", sweep_opt.threads, "worker threads (0: all cores)")->check(CLI::Range(0, 4096));
  sweep->add_option("--catalog", sweep_opt.catalog_dir, "catalog folder replacing the built-in catalogs");
  sweep->add_flag("-q,--quiet", sweep_opt.quiet, "no progress or tables");
  aidc::CalibrateCliOptions cal_opt;
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "refit the training and inference efficiencies from the calibration rows alone; compare with the committed ones");
  calibrate->add_flag("--check", cal_opt.check, "exit 1 when the committed values differ from the refit");
  calibrate->add_flag("--json", cal_opt.json, "JSON on stdout");
  aidc::FitClimateCliOptions fit_opt;
  CLI::App* fit_climate = app.add_subcommand(
      "fit-climate", "refit each city's synthetic weather noise to its design conditions (--check, --write)");
  fit_climate->add_option("--city", fit_opt.cities, "cities to fit (default: every one with design conditions)")
      ->delimiter(',');
  fit_climate->add_flag("--check", fit_opt.check, "exit 1 when a stored fit differs from the refit");
  fit_climate->add_option("--write", fit_opt.write, "climate.json to update in place with the fits");
  fit_climate->add_flag("--json", fit_opt.json, "JSON on stdout");
  fit_climate->add_option("--threads", fit_opt.threads, "worker threads (0: all cores)")->check(CLI::Range(0, 4096));
  fit_climate->add_option("--catalog", fit_opt.catalog_dir, "catalog folder replacing the built-in catalogs");
  aidc::CatalogCliOptions catalog_opt;
  CLI::App* catalog_cmd = app.add_subcommand(
      "catalog", "what the catalogs hold: without a name each catalog; with models, accelerators, systems, countries "
                 "or a catalog's name its entries and their key figures");
  catalog_cmd->add_option("name", catalog_opt.name, "models, accelerators, systems, countries or a catalog's name");
  catalog_cmd->add_option("--catalog", catalog_opt.catalog_dir, "catalog folder replacing the built-in catalogs");
  // Listed for --help only: main() hands `report` to the Python package before parsing (above).
  app.add_subcommand("report", "the reviewer's report of a results file: offline HTML, PDF, workbook, CSV (--help)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    if (code != 0) {
      // A script that asked for --json gets the error as JSON on stdout too.
      for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--json") {
          aidc::report_json_error(e.what());
          break;
        }
      }
    }
    return code == 0 ? 0 : aidc::kExitBadInput;
  }

  if (catalog_cmd->parsed()) return aidc::run_catalog(catalog_opt);
  if (size->parsed()) return aidc::run_size(size_opt);
  if (fit_climate->parsed()) return aidc::run_fit_climate(fit_opt);
  if (calibrate->parsed()) return aidc::run_calibrate(cal_opt);
  if (sweep->parsed()) return aidc::run_sweep_command(sweep_opt);
  if (estimate->parsed() || validate->parsed()) {
    if (est_inf->parsed()) return aidc::run_estimate_inference(est);
    if (est_tr->parsed()) return aidc::run_estimate_training(est);
    return aidc::run_validate(val);
  }

  try {
    // A folder or a FIFO given as the scenario is named as such (and a FIFO never read, so nothing hangs).
    aidc::check_input_file(scenario_path, "a scenario JSON file");
    const aidc::Catalog catalog = load_catalog(catalog_dir);
    if (check->parsed()) {
      const aidc::ResolvedScenario rs = aidc::load_scenario_file(scenario_path, catalog);
      print_warnings(rs.warnings);
      // What `run` settles before any replication (workload layouts and memory, claims' metrics), so that `check`
      // rejects exactly what `run` would.
      aidc::plan_run(rs, aidc::Backend::Auto);
      std::cout << rs.resolved.dump(2) << '\n';
      return 0;
    }
    // Command-line overrides apply to the document before resolution, so they are validated like the file.
    // They are RFC 6902 patches (core/scenario/scenario_patch.hpp), the mechanism variants and sweeps use too.
    std::vector<aidc::ScenarioPatch> overrides;
    // "add" on an object member sets it whether or not the file has it (RFC 6902, 4.1).
    auto set = [&](const char* option, const char* pointer, long long value) {
      overrides.push_back({option, nlohmann::json::array({aidc::add_op(pointer, value)})});
    };
    if (replications) set("--replications", "/replications", *replications);
    if (seed_text) {
      long long seed = -1;
      const std::string& t = *seed_text;
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), seed);
      if (ec != std::errc() || end != t.data() + t.size() || seed < 0) {
        throw aidc::BadInput("command line", "--seed", t, "an integer from 0 to 9223372036854775807");
      }
      set("--seed", "/seed", seed);
    }
    const aidc::ResolvedScenario rs = aidc::load_scenario_file(scenario_path, catalog, overrides);
    print_warnings(rs.warnings);
    check_run_output(output, scenario_path, catalog_dir, rs.scenario, events_for);

    const bool tty = isatty(fileno(stderr)) != 0 && !quiet;
    aidc::ProgressFn progress;
    if (tty) {
      progress = [](int done, int all) {
        std::fprintf(stderr, "\r  replications %d/%d (%3.0f%%)", done, all, 100.0 * done / all);
        if (done == all) std::fprintf(stderr, "\n");
        std::fflush(stderr);
      };
    }
    aidc::RunOptions options;
    options.output = output;
    options.threads = threads;
    options.event_replications = events_for;
    const aidc::RunSummary summary = aidc::run_scenario(rs, options, progress);
    print_warnings(summary.run_warnings);
    if (!quiet) {
      std::cout << "aidcsim " << aidc::kSoftwareVersion << ": " << rs.scenario.name << " — "
                << rs.scenario.replications << " replication(s) of " << rs.scenario.horizon_h << " h, seed "
                << rs.scenario.seed << ", " << summary.threads << " thread(s), " << fmt::format("{:.1f}", summary.wall_s) << " s\n";
      const aidc::SiteSpec& site = rs.scenario.site;
      std::cout << fmt::format("site {} ({}): design {:.1f} °C dry bulb / {:.1f} °C coincident wet bulb, {:.1f} °C "
                               "wet bulb / {:.1f} °C coincident dry bulb; basis: {}\n",
                               site.city, site.country, site.design_dry_bulb_c, site.design_wet_bulb_c,
                               site.design_evap_wet_bulb_c, site.design_evap_dry_bulb_c,
                               // The source in full is in the results (/inputs, site._design_basis).
                               site.design_basis.substr(0, site.design_basis.find(" (")));
      if (kpis_shown == "all") {
        aidc::print_kpi_table(std::cout, summary.kpis);
      } else {
        aidc::print_headline_kpis(std::cout, summary.kpis, rs.scenario.replications);
      }
      for (const std::string& line : summary.finance) std::cout << line << '\n';
      for (const std::string& line : summary.workloads) std::cout << line << '\n';
      if (!summary.claims.empty()) std::cout << "replications vary: " << summary.uncertainty << '\n';
      for (const std::string& line : summary.claims) std::cout << line << '\n';
      const aidc::ComplianceReport& c = summary.compliance;
      for (const aidc::AcceleratorAssessment& a : c.accelerators) {
        std::cout << "export control: " << aidc::people_number(a.count) << " x " << a.accelerator << ", TPP "
                  << aidc::people_number(a.tpp)
                  << " (" << a.tpp_precision << "), performance density " << a.performance_density_text << " -> "
                  << a.classification_name << '\n';
      }
      std::cout << "export control: " << aidc::people_number(c.accelerator_count) << " accelerators, total TPP "
                << aidc::people_number(c.total_tpp) << ", " << aidc::people_number(c.controlled_3a090a_count)
                << " in 3A090.a (rule of "
                << c.rule_date << "; " << c.note << ")\n";
      std::cout << "results: " << output << '\n';
    }
    return 0;
  } catch (const aidc::BadInput& e) {
    return aidc::report_bad_input(e);
  } catch (const std::exception& e) {
    return aidc::report_internal_error(e);
  }
}
