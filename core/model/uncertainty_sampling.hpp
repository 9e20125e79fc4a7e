#pragma once
// Draws of the uncertain inputs (core/scenario/uncertainty_spec.hpp), one value of each per replication.
//
// Latin hypercube sampling (McKay, Beckman & Conover 1979): for each input the R replications take one uniform in
// each of R equal strata, in an order that is a random permutation, so even 16 replications cover each input's
// range evenly. Correlations are imposed through a Gaussian copula: the stratified uniforms become standard normals,
// are mixed by the Cholesky factor of the correlation matrix, and go back to uniforms (for one input this is
// exactly the stratified sample; with correlations the margins stay exact and the strata are kept approximately).
// Each uniform then goes through the input's inverse CDF, truncated to [min, max].
//
// Every random number comes from the counter-based streams (core/engine/rng.hpp) keyed by the scenario's seed, the
// replication and a stream per input, and the permutation from a stream of its own: a draw is a pure function of
// (seed, replication count, input index, replication), whatever the threads or ranks. Pure functions; no I/O.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/scenario/uncertainty_spec.hpp"

namespace aidc {

// Streams of the uncertainty draws: kStreamUncertaintyFirst + 2 i (jitter) and + 2 i + 1 (permutation) for input i.
inline constexpr std::uint64_t kStreamUncertaintyFirst = 1024;

// Standard normal CDF and its inverse (Acklam's rational approximation, refined by one Halley step to about
// 1e-15 relative error). p in (0, 1).
double normal_cdf(double x);
double normal_quantile(double p);

// The value of `d` at cumulative probability u in (0, 1), within its truncation [min, max].
double distribution_quantile(const Distribution& d, double u);

// The inputs' correlation matrix (1 on the diagonal, UncertaintySpec::correlations elsewhere) and its
// lower-triangular Cholesky factor; nullopt when the matrix is not positive definite (no joint distribution has
// those correlations).
using Matrix = std::vector<std::vector<double>>;
Matrix correlation_matrix(const UncertaintySpec& u);
std::optional<Matrix> cholesky_factor(const Matrix& c);

// values[i][rep]: input i's value in each of `replications` replications.
std::vector<std::vector<double>> draw_uncertain_inputs(const UncertaintySpec& u, std::uint64_t seed, int replications);

}  // namespace aidc
