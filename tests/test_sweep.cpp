// Sweeps (core/scenario/parse_sweep.hpp, core/run/sweep.hpp, `aidcsim sweep`): variants, cases, the tornado and
// break-evens, against hand-solved cases, and their bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/io/results_reader.hpp"
#include "core/run/sweep.hpp"
#include "core/scenario/parse_sweep.hpp"
#include "run_command.hpp"
#include "skip.hpp"
#include "scenario_fixtures.hpp"
#include "temp_dir.hpp"

using namespace aidc;
using aidc::test::TempDir;

namespace {

// The small scenario with economics and no tax, terminal value or fleet: every replication sells sold_fraction of
// all GPU-hours at the price, so the project NPV is linear in price x sold_fraction and zero where the price equals
// the levelized cost per GPU-hour.
nlohmann::json linear_case() {
  auto doc = aidc::test::small_scenario_json();
  doc["replications"] = 4;
  doc["economics"] = {{"revenue", {{"usd_per_gpu_hour", 2.0}, {"sold_fraction", 0.7}}},
                      {"tax_rate", 0.0},
                      {"terminal_value", "none"},
                      {"financing", {{"debt_share", 0.6}}}};
  return doc;
}

std::vector<InputProblem> sweep_problems(const nlohmann::json& sweep, const nlohmann::json& base = linear_case()) {
  try {
    const SweepSpec spec = read_sweep(sweep, "sweep.json");
    (void)run_sweep(spec, base, Catalog::embedded(), "base.json", ".", {});
  } catch (const BadInput& e) {
    return e.problems();
  }
  return {};
}

bool has(const std::vector<InputProblem>& ps, const std::string& path, const std::string& part = "") {
  for (const InputProblem& p : ps) {
    if (p.json_path == path && (p.value + " " + p.expected).find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a sweep's tornado orders inputs by swing and its break-even solves the hand-solved price") {
  const SweepSpec spec = read_sweep(nlohmann::json::parse(R"({
    "scenario": "base.json",
    "kpis": ["npv_usd", "levelized_usd_per_gpu_hour"],
    "cases": [{"label": "same as base", "set": {"/economics/revenue/usd_per_gpu_hour": 2.0}}],
    "sensitivity": [
      {"path": "/economics/revenue/sold_fraction", "low": 0.65, "high": 0.75},
      {"path": "/economics/financing/interest_rate", "low": 0.05, "high": 0.08},
      {"path": "/economics/revenue/usd_per_gpu_hour", "low": 1.5, "high": 2.5}],
    "break_even": [{"path": "/economics/revenue/usd_per_gpu_hour", "kpi": "npv_usd", "target": 0,
                    "low": 0.5, "high": 20, "tolerance": 1e-6}]})"),
                                    "sweep.json");
  const SweepResult r = run_sweep(spec, linear_case(), Catalog::embedded(), "base.json", ".", {});
  REQUIRE(r.points.size() == 1 + 1 + 6);
  // Common random numbers: a case that sets the base's own value gives the base's KPIs exactly.
  CHECK(r.points[1].kpis[0].p50 == r.points[0].kpis[0].p50);
  CHECK(r.points[1].kpis[0].p10 == r.points[0].kpis[0].p10);
  // NPV = k (price x sold - c): the price's swing (1.0 x 0.7) beats sold_fraction's (0.1 x 2.0); the interest rate
  // does not enter the project's cash flows at all.
  REQUIRE(r.tornado.size() == 6);
  CHECK(r.tornado[0].kpi == "npv_usd");
  CHECK(r.tornado[0].pointer == "/economics/revenue/usd_per_gpu_hour");
  CHECK(r.tornado[1].pointer == "/economics/revenue/sold_fraction");
  CHECK(r.tornado[2].pointer == "/economics/financing/interest_rate");
  CHECK(r.tornado[2].swing == Approx(0.0).margin(1e-6 * r.tornado[0].swing));
  CHECK(r.tornado[0].swing / r.tornado[1].swing == Approx(0.7 / 0.2).epsilon(1e-9));
  CHECK(r.tornado[0].base_input == 2.0);
  // The price where the median NPV is zero is the median levelized cost (NPV_r = k (p - LCOH_r), the same k).
  REQUIRE(r.break_even.size() == 1);
  const BreakEvenResult& b = r.break_even[0];
  CHECK(b.found);
  CHECK(b.value == Approx(r.points[0].kpis[1].p50).epsilon(1e-5));
  CHECK(b.bracket_high - b.bracket_low <= 1e-6);
  CHECK(b.runs > 10);
}

TEST_CASE("a grid of variants is the product of its value lists, labelled by what each point sets") {
  const SweepSpec spec = read_sweep(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["pue_annual"],
      "variants": {"grid": {"/site/grid/price_usd_per_kwh": [0.05, 0.1, 0.2],
                            "/facility/cooling/type": ["water_cooled_chiller_tower", "air_cooled_chiller"]},
                   "list": [{"label": "cheap", "set": {"/site/grid/price_usd_per_kwh": 0.01}}]}})"),
                                    "sweep.json");
  REQUIRE(spec.variants.size() == 7);
  // nlohmann keeps object keys sorted: /facility/... varies slowest; values in the order given.
  CHECK(spec.variants[0].label == "/facility/cooling/type=water_cooled_chiller_tower, /site/grid/price_usd_per_kwh=0.05");
  CHECK(spec.variants[5].set[1].second == 0.2);
  CHECK(spec.variants[6].label == "cheap");
  auto doc = linear_case();
  doc["replications"] = 2;
  const SweepResult r = run_sweep(spec, doc, Catalog::embedded(), "base.json", ".", {});
  REQUIRE(r.points.size() == 8);
  // Points 1-3 have the tower, 4-6 air-cooled chillers, which the tower beats on PUE; the price changes no PUE.
  CHECK(r.points[1].kpis[0].p50 < r.points[4].kpis[0].p50);
  CHECK(r.points[1].kpis[0].p50 == r.points[3].kpis[0].p50);
}

TEST_CASE("bad sweep input is reported with the sweep file's JSON paths before any point runs") {
  CHECK(has(sweep_problems(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["npv_usd"]})")), "",
            "empty sweep"));
  const auto ps = sweep_problems(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["npv_usd"],
      "sensitivity": [{"path": "site/grid", "low": 1, "high": 2}, {"path": "/economics/tax_rate", "low": 2, "high": 1}],
      "break_even": [{"path": "/economics/tax_rate", "kpi": "npv_usd", "low": 0, "high": 1}]})"));
  CHECK(has(ps, "/sensitivity/0/path", "JSON pointer"));
  CHECK(has(ps, "/sensitivity/1/high", "more than low"));
  CHECK(has(ps, "/break_even/0/target"));
  CHECK(has(sweep_problems(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["npv_usdd"],
      "cases": [{"set": {"/economics/tax_rate": 0.1}}]})")),
            "/kpis/0", "npv_usd"));
  CHECK(has(sweep_problems(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["npv_usd"],
      "sensitivity": [{"path": "/economics/no_such", "low": 1, "high": 2}]})")),
            "/sensitivity/0/path", "a number of the base"));
  // An edit the scenario refuses is bad input naming the point, before anything runs.
  const auto bad_case = sweep_problems(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["npv_usd"],
      "cases": [{"label": "negative price", "set": {"/economics/revenue/usd_per_gpu_hour": -1}}]})"));
  REQUIRE(!bad_case.empty());
  CHECK(bad_case[0].json_path == "/economics/revenue/usd_per_gpu_hour");
  CHECK_THAT(bad_case[0].expected, Catch::Contains("negative price"));
  // Sensitivity from the uncertainty section needs the input to be drawn there.
  CHECK(has(sweep_problems(nlohmann::json::parse(R"({"scenario": "s.json", "kpis": ["npv_usd"],
      "sensitivity": [{"path": "/economics/tax_rate"}]})")),
            "/sensitivity/0", "uncertainty section"));
}

TEST_CASE("aidcsim sweep writes one file and exits 2 when a break-even bracket misses its target") {
  TempDir dir;
  aidc::test::write_text(dir.path() / "base.json", linear_case().dump(2));
  aidc::test::write_text(dir.path() / "sweep.json", R"({"scenario": "base.json", "kpis": ["npv_usd", "min_dscr"],
      "sensitivity": [{"path": "/economics/revenue/usd_per_gpu_hour", "low": 1.5, "high": 2.5}],
      "break_even": [{"path": "/economics/revenue/usd_per_gpu_hour", "kpi": "npv_usd", "target": 0,
                      "low": 50, "high": 60}]})");
  const auto out = dir.path() / "sweep.h5";
  const auto r = aidc::test::run_command(AIDCSIM_BINARY, {"sweep", (dir.path() / "sweep.json").string(), "-o",
                                                          out.string(), "--threads", "1"},
                                         dir);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("/break_even/0") && Catch::Contains("low end is closer"));
  CHECK_THAT(r.out, Catch::Contains("tornado of npv_usd p50"));
  ResultsReader reader(out);
  const NamedTable points = reader.table("/sweep/points");
  CHECK(points.rows() == 3);
  CHECK(points.column("kind").text[0] == "base");
  CHECK(points.column("npv_usd.p50").units == "USD");
  CHECK(reader.table("/sweep/tornado").rows() == 2);
  const NamedTable be = reader.table("/sweep/break_even");
  CHECK(be.column("found").values[0] == 0.0);
  CHECK(std::isnan(be.column("value").values[0]));
}

TEST_CASE("every shipped sweep parses and names a shipped scenario") {
  const std::filesystem::path dir = std::filesystem::path(AIDCSIM_SOURCE_DIR) / "scenarios" / "sweeps";
  int sweeps = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".json") continue;
    INFO(f.path().string());
    std::ifstream in(f.path());
    const SweepSpec spec = read_sweep(nlohmann::json::parse(in), f.path().string());
    CHECK(std::filesystem::is_regular_file(dir / spec.scenario));
    ++sweeps;
  }
  CHECK(sweeps >= 1);
}

TEST_CASE("a sweep under mpirun with 1, 2 and 3 ranks gives the same points, tornado and break-even as one process") {
#if !defined(AIDCSIM_MPIEXEC)
  AIDCSIM_SKIP("aidcsim was built without MPI (libopenmpi-dev): no mpirun test");
#else
  TempDir dir;
  auto base = linear_case();
  base["replications"] = 3;
  aidc::test::write_text(dir.path() / "base.json", base.dump(2));
  aidc::test::write_text(dir.path() / "sweep.json", R"({"scenario": "base.json", "kpis": ["npv_usd", "pue_annual"],
      "cases": [{"label": "cheap power", "set": {"/site/grid/price_usd_per_kwh": 0.05}},
                {"label": "air", "set": {"/facility/cooling/type": "air_cooled_chiller"}}],
      "sensitivity": [{"path": "/economics/revenue/sold_fraction", "low": 0.6, "high": 0.8},
                      {"path": "/economics/construction_usd_per_w", "low": 8, "high": 11}],
      "break_even": [{"path": "/economics/revenue/usd_per_gpu_hour", "kpi": "npv_usd", "target": 0,
                      "low": 0.5, "high": 20, "tolerance": 0.01}]})");
  auto run = [&](int ranks) {
    const auto out = dir.path() / ("sweep" + std::to_string(ranks) + ".h5");
    const std::vector<std::string> sweep = {"sweep", (dir.path() / "sweep.json").string(), "-o", out.string(),
                                            "--threads", "1", "-q"};
    std::vector<std::string> args;
    if (ranks > 0) {
      // OpenMPI refuses root without these (CI runs as root); --oversubscribe: more ranks than cores.
      args = {"OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "OMPI_MCA_btl=self,vader",
              AIDCSIM_MPIEXEC, "-np", std::to_string(ranks), "--oversubscribe", AIDCSIM_BINARY};
    } else {
      args = {AIDCSIM_BINARY};
    }
    args.insert(args.end(), sweep.begin(), sweep.end());
    const auto r = aidc::test::run_command("/usr/bin/env", args, dir);
    INFO(r.command << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return out;
  };
  const ResultsReader one(run(0));
  for (int ranks : {1, 2, 3}) {
    INFO(ranks << " rank(s)");
    const std::filesystem::path many_path = run(ranks);
    const ResultsReader many(many_path);
    if (ranks > 1) {
      // Each rank's own points in its file beside sweep.h5 (linked from /ranks/rank_<k>): together, every point once.
      std::size_t rows = 0;
      for (int k = 0; k < ranks; ++k) {
        const auto rank_path = dir.path() / ("sweep" + std::to_string(ranks) + ".rank" + std::to_string(k) + ".h5");
        REQUIRE(std::filesystem::is_regular_file(rank_path));
        rows += ResultsReader(rank_path).table("/sweep/points").rows();
      }
      CHECK(rows == one.table("/sweep/points").rows());
    }
    for (const char* table : {"/sweep/points", "/sweep/tornado", "/sweep/break_even"}) {
      const NamedTable a = one.table(table), b = many.table(table);
      REQUIRE(a.columns.size() == b.columns.size());
      for (std::size_t c = 0; c < a.columns.size(); ++c) {
        if (a.columns[c].name == "wall_s") continue;  // timing, not a result
        INFO(table << " " << a.columns[c].name);
        CHECK(a.columns[c].text == b.columns[c].text);
        REQUIRE(a.columns[c].values.size() == b.columns[c].values.size());
        for (std::size_t i = 0; i < a.columns[c].values.size(); ++i) {
          const double x = a.columns[c].values[i], y = b.columns[c].values[i];
          CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
        }
      }
    }
  }
#endif
}
