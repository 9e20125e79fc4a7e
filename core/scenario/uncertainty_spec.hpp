#pragma once
// Uncertain inputs of a scenario (the optional "uncertainty" section): a distribution on numeric values of the
// scenario named by JSON pointer, with optional rank correlations between them. Each replication draws one value of
// each (core/model/uncertainty_sampling.hpp) and runs the scenario with those values in place, so P10/P50/P90 and
// the claims' verdicts carry the inputs' uncertainty as well as the weather's, the grid's and the failures'.
// Plain data, parsed by core/scenario/parse_uncertainty.cpp.

#include <string>
#include <vector>

namespace aidc {

enum class DistributionKind { Normal, Lognormal, Triangular, Uniform, Discrete };

// The parameters each kind uses; the others stay 0. Every distribution may be truncated to [min, max] (a physical
// bound: a price cannot be negative), by drawing within the truncated range of its CDF.
struct Distribution {
  DistributionKind kind = DistributionKind::Uniform;
  double mean = 0.0, sd = 0.0;              // normal
  double median = 0.0, sigma = 0.0;         // lognormal: median and log-space standard deviation
  double low = 0.0, mode = 0.0, high = 0.0; // triangular (low, mode, high); uniform (low, high)
  std::vector<double> values, weights;      // discrete: weights sum to 1 after normalisation
  double min = -1e308, max = 1e308;         // truncation
};

struct UncertainInput {
  std::string pointer;  // RFC 6901, e.g. "/economics/revenue/usd_per_gpu_hour"
  Distribution distribution;
  std::string units;    // as the user states them (for the samples table); "" when not given
  std::string source;   // why this spread (a public figure or "ASSUMPTION: ...")
};

// A rank correlation between two inputs (indices into UncertaintySpec::inputs), imposed through a Gaussian copula.
struct InputCorrelation {
  std::size_t a = 0, b = 0;
  double rho = 0.0;
};

struct UncertaintySpec {
  bool enabled = false;
  std::string sampling = "latin_hypercube";  // or "random"
  std::vector<UncertainInput> inputs;
  std::vector<InputCorrelation> correlations;
  // The throughput model's own error ("throughput_error": "validation"): each replication multiplies its inference
  // workloads' instance throughput by one lognormal draw and its training workloads' by another (median 1, log-space
  // sigma = the RMS log error of the validation rows of that kind, scenarios/catalog/estimator_errors.json). One draw
  // per kind: the model's error is shared by the workloads it estimates. 0: not drawn.
  std::string throughput_error = "none";
  double inference_log_sigma = 0.0;
  double training_log_sigma = 0.0;
};

}  // namespace aidc
