#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/engine/rng.hpp"

using aidc::PhiloxCounter;
using aidc::PhiloxKey;
using aidc::RngStream;

// Known-answer vectors published with Random123 (tests/kat_vectors, lines "philox4x32 10 ..."): counter, key, output.
TEST_CASE("philox4x32-10 reproduces the Random123 known-answer vectors") {
  CHECK(aidc::philox4x32_10(PhiloxCounter{0, 0, 0, 0}, PhiloxKey{0, 0}) ==
        PhiloxCounter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  CHECK(aidc::philox4x32_10(PhiloxCounter{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                            PhiloxKey{0xffffffffu, 0xffffffffu}) ==
        PhiloxCounter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  CHECK(aidc::philox4x32_10(PhiloxCounter{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                            PhiloxKey{0xa4093822u, 0x299f31d0u}) ==
        PhiloxCounter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
  // constexpr: the generator can be checked at compile time too.
  STATIC_REQUIRE(aidc::philox4x32_10(PhiloxCounter{0, 0, 0, 0}, PhiloxKey{0, 0})[0] == 0x6627e8d5u);
}

TEST_CASE("a stream's first draws are the Philox blocks of its (draw, replication, stream) counter") {
  RngStream s(0x299f31d0a4093822ull, 0x13198a2e, 0x03707344);
  const PhiloxCounter b0 = aidc::philox4x32_10({0, 0, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
  const PhiloxCounter b1 = aidc::philox4x32_10({1, 0, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
  CHECK(s.next_u64() == (std::uint64_t{b0[1]} << 32 | b0[0]));
  CHECK(s.next_u64() == (std::uint64_t{b0[3]} << 32 | b0[2]));
  CHECK(s.next_u64() == (std::uint64_t{b1[1]} << 32 | b1[0]));
}

TEST_CASE("the same seed, replication and stream repeat the same sequence on any thread") {
  auto draw = [](std::vector<double>& out) {
    RngStream s(42, 3, 9);
    for (int i = 0; i < 1000; ++i) out.push_back(i % 3 == 0 ? s.normal() : s.uniform());
  };
  std::vector<double> here;
  std::vector<double> there;
  draw(here);
  std::thread worker(draw, std::ref(there));
  worker.join();
  CHECK(here == there);
}

TEST_CASE("distinct seeds, replications and streams give different sequences") {
  std::set<std::uint64_t> firsts;
  for (std::uint64_t seed : {1u, 2u}) {
    for (std::uint64_t rep : {0u, 1u}) {
      for (std::uint64_t stream : {0u, 1u, 2u}) {
        RngStream s(seed, rep, stream);
        firsts.insert(s.next_u64());
      }
    }
  }
  CHECK(firsts.size() == 12);
  RngStream a(1, 0, 0);
  RngStream b(1, 0, 1);
  int equal = 0;
  for (int i = 0; i < 1000; ++i) equal += a.next_u64() == b.next_u64() ? 1 : 0;
  CHECK(equal == 0);
}

TEST_CASE("replication and stream ids wider than 32 bits are rejected") {
  CHECK_THROWS_AS(RngStream(1, std::uint64_t{1} << 32, 0), std::out_of_range);
  CHECK_THROWS_AS(RngStream(1, 0, std::uint64_t{1} << 32), std::out_of_range);
  CHECK_NOTHROW(RngStream(~std::uint64_t{0}, 0xffffffffu, 0xffffffffu));
}

TEST_CASE("uniform draws lie strictly inside (0, 1) with mean one half") {
  RngStream s(2024, 0, 0);
  constexpr int kN = 1'000'000;
  double sum = 0.0;
  double lo = 1.0;
  double hi = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double u = s.uniform();
    sum += u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo > 0.0);
  CHECK(hi < 1.0);
  // Standard error of the mean is sqrt(1/12 / N) ~ 2.9e-4; allow 5 of them.
  CHECK(sum / kN == Approx(0.5).margin(1.5e-3));
  const double x = s.uniform(-3.0, 5.0);
  CHECK((x > -3.0 && x < 5.0));
}

TEST_CASE("exponential draws have mean one over the rate") {
  RngStream s(7, 1, 2);
  constexpr int kN = 1'000'000;
  constexpr double kRate = 4.0;
  double sum = 0.0;
  for (int i = 0; i < kN; ++i) sum += s.exponential(kRate);
  CHECK(sum / kN == Approx(1.0 / kRate).epsilon(5e-3));  // SE 0.1%, 5 SE
  CHECK_THROWS_AS(s.exponential(0.0), std::invalid_argument);
}

TEST_CASE("normal draws have the requested mean and standard deviation") {
  RngStream s(7, 0, 5);
  constexpr int kN = 1'000'000;
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double x = s.normal(10.0, 2.0);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / kN;
  const double var = sum_sq / kN - mean * mean;
  CHECK(mean == Approx(10.0).margin(0.01));  // SE 0.002
  CHECK(std::sqrt(var) == Approx(2.0).epsilon(5e-3));
}

TEST_CASE("lognormal_mean_sigma draws have the given arithmetic mean") {
  RngStream s(99, 0, 0);
  constexpr int kN = 1'000'000;
  constexpr double kMean = 3.0;
  constexpr double kSigma = 0.5;
  double sum = 0.0;
  for (int i = 0; i < kN; ++i) sum += s.lognormal_mean_sigma(kMean, kSigma);
  // CV = sqrt(exp(sigma^2) - 1) ~ 0.53, SE of the mean ~ 0.05%; allow 0.3%.
  CHECK(sum / kN == Approx(kMean).epsilon(3e-3));
  CHECK_THROWS_AS(s.lognormal_mean_sigma(0.0, 0.5), std::invalid_argument);
}

TEST_CASE("bernoulli draws succeed with probability p") {
  RngStream s(5, 0, 0);
  constexpr int kN = 1'000'000;
  int hits = 0;
  for (int i = 0; i < kN; ++i) hits += s.bernoulli(0.3) ? 1 : 0;
  CHECK(static_cast<double>(hits) / kN == Approx(0.3).margin(2.5e-3));  // SE 4.6e-4
  CHECK_FALSE(s.bernoulli(0.0));
  CHECK(s.bernoulli(1.0));
}

TEST_CASE("uniform_int covers 0 to n-1 evenly") {
  RngStream s(6, 0, 0);
  constexpr int kN = 600'000;
  std::vector<int> counts(6, 0);
  for (int i = 0; i < kN; ++i) {
    const std::uint64_t k = s.uniform_int(6);
    REQUIRE(k < 6);
    ++counts[k];
  }
  for (int c : counts) CHECK(c == Approx(kN / 6).epsilon(0.015));  // SE ~0.37%
  CHECK(s.uniform_int(1) == 0);
  const std::uint64_t big = (std::uint64_t{1} << 63) + 1;  // worst case for rejection: about half the draws retried
  for (int i = 0; i < 100; ++i) CHECK(s.uniform_int(big) < big);
  CHECK_THROWS_AS(s.uniform_int(0), std::invalid_argument);
}
