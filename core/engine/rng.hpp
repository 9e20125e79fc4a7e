// Random number streams for replications: counter-based, so a stream is a pure function of its identity.
//
// Generator: Philox4x32-10 from J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy
// as 1, 2, 3", SC'11 (2011), doi:10.1145/2063384.2063405; constants and round structure as in the Random123 library
// (philox.h) and checked against its published known-answer vectors (tests/kat_vectors) in test_engine_rng.cpp.
// It passes TestU01 BigCrush, and a block is computed from (counter, key) alone, with no state carried between
// blocks. That is why a stream needs no seeding protocol and gives the same numbers whatever thread runs it.
//
// Layout: key = the 64-bit seed; counter words = (draw index low, draw index high, replication, stream). So the
// triple (seed, replication, stream) names a sequence of 2^64 blocks (2^65 u64 draws) that no other triple shares.
// replication and stream must each fit in 32 bits (throws std::out_of_range otherwise).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <string>

namespace aidc {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

// One Philox4x32-10 block: ten rounds of multiply-hi/lo + xor (a Feistel-like network), bumping the key by the Weyl
// constants between rounds. Constants from Salmon et al. (2011), Table 2 / Random123 philox.h.
constexpr PhiloxCounter philox4x32_10(PhiloxCounter ctr, PhiloxKey key) noexcept {
  constexpr std::uint32_t kM0 = 0xD2511F53u;
  constexpr std::uint32_t kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u;  // golden ratio
  constexpr std::uint32_t kW1 = 0xBB67AE85u;  // sqrt(3) - 1
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kW0;
      key[1] += kW1;
    }
    const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * ctr[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * ctr[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
    const auto lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
    const auto lo1 = static_cast<std::uint32_t>(p1);
    ctr = PhiloxCounter{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

class RngStream {
 public:
  RngStream(std::uint64_t seed, std::uint64_t replication, std::uint64_t stream)
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
        replication_(checked_u32(replication, "replication")),
        stream_(checked_u32(stream, "stream")) {}

  // Next 64 raw bits. Each Philox block gives two.
  std::uint64_t next_u64() noexcept {
    if (used_ == 2) refill();
    const std::uint64_t lo = block_[2 * used_];
    const std::uint64_t hi = block_[2 * used_ + 1];
    ++used_;
    return lo | (hi << 32);
  }

  // Uniform on the open interval (0, 1): an odd multiple of 2^-53, so never 0 (log is safe) nor 1.
  // All 2^52 values are exact in double and equally likely.
  double uniform() noexcept {
    constexpr double kTwoPowMinus53 = 0x1p-53;
    return static_cast<double>((next_u64() >> 11) | 1u) * kTwoPowMinus53;
  }

  // Uniform on (a, b).
  double uniform(double a, double b) noexcept { return a + (b - a) * uniform(); }

  // Exponential with the given rate (mean 1/rate), by inversion. Throws std::invalid_argument unless rate > 0.
  double exponential(double rate) {
    if (!(rate > 0.0)) throw std::invalid_argument("RngStream::exponential: rate must be > 0");
    return -std::log(uniform()) / rate;
  }

  // Standard normal by the Box-Muller transform (Box & Muller 1958). Each pair of uniforms gives two normals; the
  // second is kept for the next call, which is part of the stream's state and so just as deterministic.
  // Box-Muller rather than Marsaglia's polar method: a fixed two uniforms per pair, no rejection loop.
  double normal() noexcept {
    if (has_spare_normal_) {
      has_spare_normal_ = false;
      return spare_normal_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double theta = 2.0 * std::numbers::pi * uniform();
    spare_normal_ = r * std::sin(theta);
    has_spare_normal_ = true;
    return r * std::cos(theta);
  }

  double normal(double mean, double sd) noexcept { return mean + sd * normal(); }

  // Lognormal with the given arithmetic MEAN (not the median) and log-space standard deviation sigma:
  // exp(N(mu, sigma^2)) has mean exp(mu + sigma^2/2), so mu = ln(mean) - sigma^2/2.
  // Throws std::invalid_argument unless mean > 0 and sigma >= 0.
  double lognormal_mean_sigma(double mean, double sigma) {
    if (!(mean > 0.0) || !(sigma >= 0.0)) {
      throw std::invalid_argument("RngStream::lognormal_mean_sigma: need mean > 0 and sigma >= 0");
    }
    const double mu = std::log(mean) - 0.5 * sigma * sigma;
    return std::exp(mu + sigma * normal());
  }

  // True with probability p (p <= 0 never, p >= 1 always).
  bool bernoulli(double p) noexcept { return uniform() < p; }

  // Uniform integer in [0, n), without modulo bias: draws below 2^64 mod n are rejected so every residue has the
  // same number of preimages (the arc4random_uniform method). At most one retry in expectation for any n.
  // Throws std::invalid_argument if n == 0.
  std::uint64_t uniform_int(std::uint64_t n) {
    if (n == 0) throw std::invalid_argument("RngStream::uniform_int: n must be > 0");
    const std::uint64_t threshold = (0 - n) % n;  // == 2^64 mod n
    for (;;) {
      const std::uint64_t x = next_u64();
      if (x >= threshold) return x % n;
    }
  }

 private:
  static std::uint32_t checked_u32(std::uint64_t v, const char* what) {
    if (v > 0xFFFFFFFFull) {
      throw std::out_of_range(std::string("RngStream: ") + what + " must fit in 32 bits (Philox counter layout)");
    }
    return static_cast<std::uint32_t>(v);
  }

  void refill() noexcept {
    block_ = philox4x32_10(PhiloxCounter{static_cast<std::uint32_t>(block_index_),
                                         static_cast<std::uint32_t>(block_index_ >> 32), replication_, stream_},
                           key_);
    ++block_index_;
    used_ = 0;
  }

  PhiloxKey key_;
  std::uint32_t replication_;
  std::uint32_t stream_;
  std::uint64_t block_index_ = 0;
  PhiloxCounter block_{};
  unsigned used_ = 2;  // 2 = block spent; the first draw computes block 0
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace aidc
