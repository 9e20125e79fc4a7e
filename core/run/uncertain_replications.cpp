#include "core/run/uncertain_replications.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "core/model/uncertainty_sampling.hpp"
#include "core/run/prepare_scenario.hpp"
#include "core/scenario/input_error.hpp"
#include "core/scenario/scenario_patch.hpp"

namespace aidc {

namespace {

bool is_number_at(const nlohmann::json& doc, const std::string& pointer) {
  try {
    const nlohmann::json::json_pointer p(pointer);
    return doc.contains(p) && doc.at(p).is_number();
  } catch (const nlohmann::json::exception&) {
    return false;  // not a valid pointer (parse_uncertainty checked the leading '/', not every escape)
  }
}

}  // namespace

void prepare_uncertain_replications(ResolvedScenario& rs, const nlohmann::json& doc, const Catalog& catalog,
                                    const std::string& file_label, const std::filesystem::path& base_dir) {
  const Scenario& s = rs.scenario;
  const UncertaintySpec& u = s.uncertainty;
  if (!u.enabled) return;
  auto draws = std::make_shared<UncertainReplications>();
  InputProblems problems;
  for (std::size_t i = 0; i < u.inputs.size(); ++i) {
    const std::string& p = u.inputs[i].pointer;
    if (!is_number_at(rs.resolved, p)) {
      problems.add({s.source_path, "/uncertainty/inputs/" + std::to_string(i) + "/path", nlohmann::json(p).dump(),
                    "a pointer to a number of the scenario with every default filled in (as `aidcsim check` prints "
                    "it), e.g. \"/economics/revenue/usd_per_gpu_hour\""});
      draws->base_values.push_back(0.0);
    } else {
      draws->base_values.push_back(rs.resolved.at(nlohmann::json::json_pointer(p)).get<double>());
    }
  }
  problems.throw_if_any();
  // The throughput model's errors are drawn as two more lognormal inputs (median 1) after the listed ones, so the
  // listed inputs' draws do not depend on whether they are drawn.
  UncertaintySpec all = u;
  auto add_multiplier = [&](const char* name, double sigma) {
    if (!(sigma > 0.0)) return false;
    Distribution d;
    d.kind = DistributionKind::Lognormal;
    d.median = 1.0;
    d.sigma = sigma;
    all.inputs.push_back({name, d, "1", "scenarios/catalog/estimator_errors.json"});
    return true;
  };
  const bool inference = add_multiplier("#throughput/inference", u.inference_log_sigma);
  const bool training = add_multiplier("#throughput/training", u.training_log_sigma);
  std::vector<std::vector<double>> values = draw_uncertain_inputs(all, s.seed, s.replications);
  if (training) {
    draws->training_multiplier = std::move(values.back());
    values.pop_back();
  }
  if (inference) {
    draws->inference_multiplier = std::move(values.back());
    values.pop_back();
  }
  draws->values = std::move(values);

  nlohmann::json base = doc;
  base.erase("uncertainty");  // each replication's scenario is a plain one
  // Each replication's scenario is made when it runs (memory stays that of a batch), from a copy of everything it
  // needs; here every one is made once, in parallel, to refuse a bad draw before any replication runs.
  struct Maker {
    nlohmann::json base;
    Catalog catalog;
    std::string file_label;
    std::filesystem::path base_dir;
    std::shared_ptr<const HourlyWeather> epw;
    std::string epw_sha256;
    UncertaintySpec spec;
    std::vector<std::vector<double>> values;
    int replications = 0;
  };
  auto maker = std::make_shared<const Maker>(Maker{std::move(base), catalog, file_label, base_dir, rs.epw_weather,
                                                   rs.epw_sha256, u, draws->values, s.replications});
  auto make = [maker](int rep) -> ResolvedScenario {
    const Maker& m = *maker;
    nlohmann::json d = m.base;
    for (std::size_t i = 0; i < m.spec.inputs.size(); ++i) {
      const ScenarioPatch patch =
          set_creating_parents(d, m.spec.inputs[i].pointer, m.values[i][static_cast<std::size_t>(rep)],
                               fmt::format("uncertainty: input {} in replication {}", i, rep));
      d = apply_patches(d, std::span<const ScenarioPatch>(&patch, 1), m.file_label);
    }
    ResolvedScenario rr = resolve_scenario(d, m.catalog, m.file_label, m.base_dir);
    rr.epw_weather = m.epw;  // the same weather file: read once
    rr.epw_sha256 = m.epw_sha256;
    prepare_scenario(rr);
    rr.scenario.replications = m.replications;
    return rr;
  };
  draws->scenario_of = [make](int rep) { return make(rep).scenario; };

  const auto R = static_cast<std::size_t>(s.replications);
  std::vector<std::vector<InputWarning>> warnings(R);
  std::vector<std::vector<InputProblem>> failures(R);
  tbb::parallel_for(std::size_t{0}, R, [&](std::size_t rep) {
    try {
      warnings[rep] = make(static_cast<int>(rep)).warnings;
    } catch (const BadInput& e) {
      failures[rep] = e.problems();
    }
  });
  for (std::size_t rep = 0; rep < R; ++rep) {
    if (failures[rep].empty()) continue;
    // The first replication whose draw is bad input, naming the draw: fixed by bounding its distribution.
    std::vector<InputProblem> ps = failures[rep];
    for (InputProblem& pr : ps) {
      pr.expected += fmt::format(" (the value drawn for replication {} by /uncertainty: bound the distribution "
                                 "with \"min\"/\"max\" or narrow it)",
                                 rep);
    }
    throw BadInput(std::move(ps));
  }
  // A warning the base scenario does not give (a draw far from the catalog's value): once, naming the replication.
  std::set<std::pair<std::string, std::string>> warned;
  for (const InputWarning& w : rs.warnings) warned.insert({w.json_path, w.message});
  for (std::size_t rep = 0; rep < R; ++rep) {
    for (const InputWarning& w : warnings[rep]) {
      if (warned.insert({w.json_path, w.message}).second) {
        InputWarning note = w;
        note.message += fmt::format(" (in replication {}'s draw of the uncertain inputs)", rep);
        rs.warnings.push_back(std::move(note));
      }
    }
  }
  rs.uncertain = std::move(draws);
}

std::string samples_column_name(const std::string& pointer) {
  std::string name = pointer.empty() ? pointer : pointer.substr(1);
  std::replace(name.begin(), name.end(), '/', '.');
  return name;
}

NamedTable uncertainty_samples_table(const UncertaintySpec& u, const UncertainReplications& draws) {
  NamedTable t;
  t.long_name = "the uncertain inputs drawn for each replication (" + u.sampling +
                " sampling; columns named by the scenario's JSON pointer)";
  TableColumn rep{"replication", "1", false, {}, {}};
  const std::size_t rows = draws.values.empty() ? 0 : draws.values.front().size();
  for (std::size_t r = 0; r < rows; ++r) rep.values.push_back(static_cast<double>(r));
  t.columns.push_back(rep);
  nlohmann::json pointers = nlohmann::json::array();
  for (std::size_t i = 0; i < u.inputs.size(); ++i) {
    TableColumn c{samples_column_name(u.inputs[i].pointer), u.inputs[i].units, false, {}, draws.values[i]};
    t.columns.push_back(std::move(c));
    pointers.push_back(u.inputs[i].pointer);
  }
  std::string sources;
  for (const UncertainInput& in : u.inputs) {
    if (!in.source.empty()) sources += (sources.empty() ? "" : "; ") + in.pointer + ": " + in.source;
  }
  for (const auto& [name, m] : {std::pair<const char*, const std::vector<double>*>{"throughput.inference", &draws.inference_multiplier},
                                std::pair<const char*, const std::vector<double>*>{"throughput.training", &draws.training_multiplier}}) {
    if (m->empty()) continue;
    t.columns.push_back(TableColumn{name, "1", false, {}, *m});
  }
  if (u.throughput_error != "none") {
    sources += (sources.empty() ? "" : "; ") +
               std::string("throughput.*: the throughput model's error, lognormal with median 1 and the RMS log error "
                           "of the validation rows (scenarios/catalog/estimator_errors.json), multiplying the "
                           "workloads' throughput");
  }
  t.text_attributes = {{"sampling", u.sampling}, {"pointers", pointers.dump()}, {"sources", sources}};
  t.number_attributes = {{"inputs", static_cast<double>(u.inputs.size())},
                         {"correlations", static_cast<double>(u.correlations.size())}};
  return t;
}

std::string uncertainty_description(const Scenario& s) {
  std::string d = s.site.weather.kind == WeatherKind::Synthetic ? "weather noise, grid outages, generator starts"
                                                                 : "grid outages, generator starts";
  if (s.fleet.enabled) d += ", hardware failures";
  const UncertaintySpec& u = s.uncertainty;
  if (!u.enabled) return d + " (no uncertain inputs: commercial and model inputs are fixed)";
  if (!u.inputs.empty()) {
    d += fmt::format("; {} uncertain input{} ({} sampling):", u.inputs.size(), u.inputs.size() == 1 ? "" : "s",
                     u.sampling == "latin_hypercube" ? "Latin hypercube" : "random");
    for (std::size_t i = 0; i < u.inputs.size(); ++i) d += (i ? ", " : " ") + u.inputs[i].pointer;
  }
  if (u.inference_log_sigma > 0.0 || u.training_log_sigma > 0.0) {
    d += "; the throughput model's error (validation rows, log sigma";
    if (u.inference_log_sigma > 0.0) d += fmt::format(" inference {:.2f}", u.inference_log_sigma);
    if (u.training_log_sigma > 0.0) d += fmt::format(" training {:.2f}", u.training_log_sigma);
    d += ")";
  }
  return d;
}

}  // namespace aidc
