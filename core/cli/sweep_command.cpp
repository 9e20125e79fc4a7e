#include "core/cli/sweep_command.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aidcsim_version.hpp"
#include "core/io/catalog_folder.hpp"
#include "core/io/output_path.hpp"
#include "core/io/results_writer.hpp"
#include "core/io/text_file.hpp"
#include "core/io/utc_timestamp.hpp"
#include "core/run/sweep.hpp"
#include "core/cli/cli_errors.hpp"
#include "core/cli/mpi_session.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/parse_scenario.hpp"
#include "core/scenario/parse_sweep.hpp"
#include "kernels/backend.hpp"

namespace aidc {

namespace {


std::string g(double x) { return std::isnan(x) ? "n/a" : fmt::format("{:.4g}", x); }

void print_sweep(std::ostream& out, const SweepSpec& spec, const SweepResult& r) {
  out << fmt::format("sweep {}: base {}, {} point(s), {} replication(s) each, {:.1f} s\n", spec.source_path,
                     r.base_scenario, r.points.size(), r.replications, r.wall_s);
  out << fmt::format("{:<44}", "point");
  for (const std::string& k : spec.kpis) out << fmt::format(" {:>30}", k + " " + spec.statistic + " (P10..P90)");
  out << '\n';
  for (const SweepPointResult& p : r.points) {
    if (p.kind == "sensitivity_low" || p.kind == "sensitivity_high") continue;  // in the tornado below
    const std::string name = (p.kind == "base" ? std::string("base") : p.kind + " " + p.label).substr(0, 44);
    out << fmt::format("{:<44}", name);
    if (!p.ok) {
      out << " FAILED: " << p.error << '\n';
      continue;
    }
    for (const KpiRow& k : p.kpis) {
      out << fmt::format(" {:>30}", g(kpi_statistic(k, spec.statistic)) + " (" + g(k.p10) + ".." + g(k.p90) + ")");
    }
    out << '\n';
  }
  std::string current;
  for (const TornadoRow& t : r.tornado) {
    if (t.kpi != current) {
      current = t.kpi;
      out << fmt::format("\ntornado of {} {} (base {}), widest swing first:\n", t.kpi, spec.statistic, g(t.base_kpi));
      out << fmt::format("  {:<44} {:>12} {:>12} {:>12} {:>12} {:>12}\n", "input (base value)", "low", "-> kpi", "high",
                         "-> kpi", "swing");
    }
    out << fmt::format("  {:<44} {:>12} {:>12} {:>12} {:>12} {:>12}\n", t.pointer + " (" + g(t.base_input) + ")",
                       g(t.low), g(t.kpi_at_low), g(t.high), g(t.kpi_at_high), g(t.swing));
  }
  for (const BreakEvenResult& b : r.break_even) {
    if (b.found) {
      out << fmt::format("\nbreak-even {}: {} = {} (bracket {}..{}, {} runs; {} {} there {})\n", b.spec.label,
                         b.spec.pointer, g(b.value), g(b.bracket_low), g(b.bracket_high), b.runs, b.spec.kpi,
                         b.spec.statistic, g(b.kpi_value));
    } else {
      out << "\nbreak-even " << b.spec.label << ": not found: " << b.message << '\n';
    }
  }
}

// sweep.h5's rank files: sweep.h5 -> sweep.rank1.h5.
std::filesystem::path rank_file(const std::filesystem::path& output, int rank) {
  std::filesystem::path p = output;
  p.replace_filename(output.stem().string() + ".rank" + std::to_string(rank) + output.extension().string());
  return p;
}

// The sweep's tables (the whole sweep on rank 0, or one rank's own points), and on rank 0 of several ranks the
// links to every rank's file.
void write_sweep_file(const std::filesystem::path& path, const SweepSpec& spec, const SweepResult& r,
                      const nlohmann::json& sweep_doc, const nlohmann::json& base_doc, const MpiSession& mpi,
                      bool summary, const std::string& device_note) {
  RunMetadata meta{kSoftwareVersion, kGitSha, utc_now_iso8601(), r.seed, r.replications, "cpu",
                   mpi.ranks() > 1 ? "TBB threads per rank, rank " + std::to_string(mpi.rank()) + " of " +
                                         std::to_string(mpi.ranks()) + " (MPI)" + device_note
                                   : "TBB threads, one process" + device_note,
                   r.base_scenario};
  const std::vector<double> time_s = {0.0};
  ResultsWriter writer(path, meta, time_s, {}, r.replications, {"none"});
  writer.write_inputs(base_doc.dump(2), nlohmann::json{{"sweep", sweep_doc}}.dump(2));
  writer.write_table("sweep/points", sweep_points_table(spec, r));
  if (summary && !r.tornado.empty()) writer.write_table("sweep/tornado", tornado_table(spec, r));
  if (summary && !r.break_even.empty()) writer.write_table("sweep/break_even", break_even_table(r));
  if (summary && mpi.ranks() > 1) {
    for (int k = 0; k < mpi.ranks(); ++k) {
      writer.write_external_link("ranks/rank_" + std::to_string(k), rank_file(path, k).filename().string(), "/");
    }
  }
  writer.commit();
}

}  // namespace

int run_sweep_command(const SweepCliOptions& o) {
  const MpiSession mpi;
  const bool root = mpi.rank() == 0;
  try {
    const Catalog catalog = o.catalog_dir.empty() ? Catalog::embedded() : read_catalog_folder(o.catalog_dir);
    const std::filesystem::path sweep_path(o.sweep);
    const nlohmann::json sweep_doc = parse_json_text(read_text_file(sweep_path, "a sweep JSON file", 16u << 20), o.sweep);
    const SweepSpec spec = read_sweep(sweep_doc, o.sweep);
    std::error_code ec;
    const std::filesystem::path folder = std::filesystem::absolute(sweep_path, ec).parent_path();
    const std::filesystem::path scenario_path = folder / spec.scenario;
    const std::string scenario_label = (sweep_path.parent_path() / spec.scenario).string();
    const nlohmann::json base_doc =
        parse_json_text(read_text_file(scenario_path, "the base scenario JSON file named by \"scenario\"", 16u << 20),
                        scenario_label);
    if (!o.output.empty()) {
      const std::filesystem::path inputs[] = {sweep_path, scenario_path};
      check_output_path(o.output, inputs, "-o");  // on every rank: all must agree on bad input
      if (mpi.ranks() > 1) check_output_path(rank_file(o.output, mpi.rank()), inputs, "-o (this rank's file)");
    }
    SweepOptions options;
    options.threads = o.threads;
    options.partition = {mpi.rank(), mpi.ranks()};
    // Several ranks on a node with GPUs share them: rank `local rank mod devices` runs its kernels on that device.
    std::string device_note;
    if (mpi.ranks() > 1 && cuda_device_count() > 0) {
      const int device = local_rank() % cuda_device_count();
      if (select_cuda_device(device)) device_note = fmt::format(", kernels on GPU {} ({})", device, cuda_device_name());
    }
    if (!o.quiet && root && isatty(fileno(stderr)) != 0) {
      options.progress = [](const std::string& line) {
        std::fprintf(stderr, "\r\033[K  %.150s", line.c_str());
        std::fflush(stderr);
      };
    }
    SweepResult r = run_sweep(spec, base_doc, catalog, scenario_label, scenario_path.parent_path(), options);
    if (options.progress) std::fprintf(stderr, "\r\033[K");
    if (mpi.ranks() > 1 && !o.output.empty()) {
      // Each rank's own points in its own file beside sweep.h5, linked from it (/ranks/rank_<r>).
      const std::filesystem::path mine = rank_file(o.output, mpi.rank());
      SweepResult own = r;
      own.points.clear();
      for (const SweepPointResult& p : r.points) {
        if (p.computed) own.points.push_back(p);
      }
      write_sweep_file(mine, spec, own, sweep_doc, base_doc, mpi, false, device_note);
    }
    if (mpi.ranks() > 1) {
      // Rank 0 merges every rank's points (their doubles bit for bit) and alone prints and writes.
      const std::vector<std::string> parts = mpi.gather_to_root(sweep_items_to_text(r));
      if (!root) return 0;
      for (std::size_t k = 1; k < parts.size(); ++k) merge_sweep_items(r, parts[k]);
      finish_sweep(spec, r);
    }
    if (!o.output.empty()) write_sweep_file(o.output, spec, r, sweep_doc, base_doc, mpi, true, device_note);
    if (!o.quiet) {
      print_sweep(std::cout, spec, r);
      if (!o.output.empty()) std::cout << "results: " << o.output << '\n';
    }
    // A break-even whose bracket does not hold the target is bad input of the sweep file (after the file is written).
    std::vector<InputProblem> problems;
    for (std::size_t i = 0; i < r.break_even.size(); ++i) {
      const BreakEvenResult& b = r.break_even[i];
      if (!b.found) {
        problems.push_back({o.sweep, fmt::format("/break_even/{}", i), fmt::format("[{}, {}]", g(b.spec.low), g(b.spec.high)),
                            fmt::format("a bracket in which {} reaches {}: {}", b.spec.kpi, g(b.spec.target), b.message)});
      }
    }
    if (!problems.empty()) throw BadInput(problems);
    return 0;
  } catch (const BadInput& e) {
    // Every rank checks the whole sweep, so all find the same bad input: rank 0 says it, all exit 2.
    return root ? report_bad_input(e) : kExitBadInput;
  } catch (const std::exception& e) {
    const int code = report_internal_error(e);
    if (mpi.ranks() > 1) mpi.abort(code);  // the other ranks may be waiting in the gather
    return code;
  }
}

}  // namespace aidc
