#include "core/cli/size_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aidcsim_version.hpp"
#include "core/io/catalog_folder.hpp"
#include "core/io/output_path.hpp"
#include "core/io/results_writer.hpp"
#include "core/io/text_file.hpp"
#include "core/io/utc_timestamp.hpp"
#include "core/run/sizing.hpp"
#include "core/cli/cli_errors.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/parse_scenario.hpp"

namespace aidc {

namespace {


std::string money(double usd) {
  if (std::isnan(usd)) return "n/a";
  if (std::fabs(usd) >= 1e9) return fmt::format("{:.2f} B", usd / 1e9);
  return fmt::format("{:.1f} M", usd / 1e6);
}

// `x` with `decimals` digits after the point and `suffix`, or "n/a" for NaN.
std::string number(double x, int decimals, const std::string& suffix = "") {
  return std::isnan(x) ? "n/a" : fmt::format("{:.{}f}", x, decimals) + suffix;
}

void print_table(std::ostream& out, const SizingResult& r) {
  out << "sizing " << r.scenario << ": objective " << r.objective << ", services at P10 slo_attainment >= "
      << r.slo_attainment_target << ", deadlines at P90, " << r.verify_replications
      << " replication(s) per verification run, " << r.minimality_replications
      << " per minimality check (confidence: Beta-binomial, uniform prior, that over 10 % of years miss)\n";
  for (const SiteRanking& site : r.sites) {
    out << "\nsite " << site.site << "\n";
    out << fmt::format("{:<4} {:<12} {:<13} {:>8} {:>8} {:>8} {:>9} {:>9} {:>11} {:>11} {:>10} {:>6} {:>11} {:>10} {:<8} {}\n",
                       "rank", "system", "accelerator", "systems", "gpus", "IT MW", "fac. MW", "grid MW", "capex USD",
                       "TCO USD", "USD/Mtok", "PUE", "water m3/y", "CO2 t/y", "3A090", "verified / limiting factor");
    for (const CandidateResult& c : site.candidates) {
      std::string tail;
      if (c.feasible) {
        tail = fmt::format("verified in {} run(s)", c.verification_runs);
      } else {
        tail = "INFEASIBLE (" + c.limiting_factor + "): " + c.reason;
      }
      for (const std::string& a : c.adaptations) tail += "; " + a;
      const bool sized = c.systems > 0;
      const std::string dash = "-";
      out << fmt::format(
          "{:<4} {:<12} {:<13} {:>8} {:>8} {:>8} {:>9} {:>9.1f} {:>11} {:>11} {:>10} {:>6} {:>11} {:>10} {:<8} {}\n",
          c.rank, c.system, c.accelerator, sized ? std::to_string(c.systems) : dash,
          sized ? std::to_string(c.gpus) : dash, sized ? number(c.it_mw, 1) : dash,
          sized ? number(c.facility_mw, 1) : dash, c.grid_mw, money(c.capex_usd), money(c.tco_usd),
          number(c.usd_per_million_tokens, 3), number(c.pue, 3), number(c.water_m3_per_year, 0),
          number(c.carbon_t_per_year, 0), c.export_class, tail);
    }
    for (const CandidateResult& c : site.candidates) {
      if (!c.feasible) continue;
      out << "  " << c.system << ": " << c.working_nodes << " working + " << c.spare_nodes << " hot spare systems;";
      for (const WorkloadPlan& w : c.workloads) {
        if (w.training) {
          out << fmt::format(" {} {} GPUs on {} systems ({:.0f} tokens/s, ETTR {:.3f}, ~{:.1f} d", w.name, w.gpus,
                             w.nodes, w.tokens_per_s, w.availability, w.estimated_time_to_train_d);
          out << (w.deadline_d > 0.0 ? fmt::format(" of {:.1f} d)", w.deadline_d) : std::string(", no deadline)"))
              << ";";
        } else {
          out << fmt::format(" {} {} x {} GPUs on {} systems ({:.0f} tokens/s each);", w.name, w.instances, w.gpus,
                             w.nodes, w.tokens_per_s);
        }
        if (!w.note.empty()) out << " [" << w.note << "]";
      }
      out << "\n";
      for (const MinimalityCheck& m : c.minimality) {
        out << "    one step fewer for " << m.workload << " (" << m.nodes_from << " -> " << m.nodes_to
            << " systems): " << (m.failed ? "fails " : "") << m.failed_requirement;
        if (m.replications > 0) {
          out << fmt::format(" ({} replications: {} confident it fails)", m.replications,
                             m.confidence > 0.999 ? std::string("over 99.9 %") : fmt::format("{:.1f} %", 100.0 * m.confidence));
        }
        out << "\n";
      }
    }
    if (site.winner.empty()) {
      out << "winner at " << site.site << ": none (no candidate is feasible)\n";
    } else {
      const CandidateResult& w = site.candidates.front();
      out << "winner at " << site.site << ": " << w.system << " (" << w.systems << " systems, " << fmt::format("{:.1f}", w.facility_mw)
          << " MW at the meter, " << r.objective << " "
          << (r.objective == "usd_per_million_tokens" ? number(w.usd_per_million_tokens, 3, " USD")
                                                      : money(r.objective == "capex" ? w.capex_usd : w.tco_usd) + " USD")
          << ")\n";
    }
  }
  out << "\nexport classes are screening flags (US EAR ECCN 3A090), not legal advice\n";
}

}  // namespace

int run_size(const SizeCliOptions& o) {
  return guarded(o.json, [&] {
    const Catalog catalog = o.catalog_dir.empty() ? Catalog::embedded() : read_catalog_folder(o.catalog_dir);
    const std::filesystem::path path(o.scenario);
    const nlohmann::json doc = parse_json_text(read_text_file(path, "a scenario JSON file", 16u << 20), o.scenario);
    // The /sizing table is small: the path is checked (not an input, a device or a folder; writable), not the space.
    if (!o.output.empty()) {
      const std::filesystem::path inputs[] = {path};
      check_output_path(o.output, inputs, "-o");
    }
    SizingOptions options;
    options.sites = o.sites;
    options.candidates = o.candidates;
    options.threads = o.threads;
    if (!o.quiet && !o.json && isatty(fileno(stderr)) != 0) {
      options.progress = [](const std::string& line) {
        std::fprintf(stderr, "\r\033[K  %.150s", line.c_str());
        std::fflush(stderr);
      };
    }
    const auto t0 = std::chrono::steady_clock::now();
    const SizingResult r = size_scenario(doc, catalog, o.scenario,
                                         path.has_parent_path() ? path.parent_path() : std::filesystem::path("."),
                                         options);
    if (options.progress) std::fprintf(stderr, "\r\033[K");
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!o.output.empty()) {
      RunMetadata meta{kSoftwareVersion, kGitSha, utc_now_iso8601(), 0, 1, "cpu", "sizing", r.scenario};
      const std::vector<double> time_s = {0.0};
      ResultsWriter writer(o.output, meta, time_s, {}, 1, {"none"});
      writer.write_inputs(doc.dump(2), "{}");
      writer.write_table("sizing", sizing_table(r));
      writer.commit();
    }
    if (o.json) {
      nlohmann::json j = sizing_result_to_json(r);
      j["wall_s"] = wall_s;
      std::cout << j.dump(2) << '\n';
    } else if (!o.quiet) {
      print_table(std::cout, r);
      std::cout << fmt::format("sized in {:.1f} s", wall_s) << (o.output.empty() ? "" : ("; table: " + o.output + " /sizing"))
                << '\n';
    }
    return 0;
  });
}

}  // namespace aidc
