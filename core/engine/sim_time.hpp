// Simulated time: one type, chosen once for the whole simulator.
//
// Why integer nanoseconds and not double seconds: integer time makes event order exact and the same on every
// machine (no rounding drift when a delay is added many times), and ties are real ties, broken by sequence number
// (see event_queue.hpp). ASTRA-sim and ns-3 make the same choice. An int64 of nanoseconds spans about +/- 292 years,
// which covers any data-center study horizon with a wide margin.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace aidc {

using SimTime = std::int64_t;

inline constexpr SimTime kNsPerSecond = 1'000'000'000;
inline constexpr SimTime kNsPerHour = 3'600 * kNsPerSecond;

// Seconds to simulated time, rounded to the nearest nanosecond (halves away from zero).
// Throws std::out_of_range for NaN or values outside the int64 range (about +/- 292 years).
constexpr SimTime seconds_to_sim(double s) {
  const double ns = s * 1e9;
  // 9.2e18 < 2^63 (9.22e18): keeps the cast below defined; the negated form also rejects NaN.
  if (!(ns > -9.2e18 && ns < 9.2e18)) {
    throw std::out_of_range("seconds_to_sim: duration out of the representable range");
  }
  return static_cast<SimTime>(ns < 0.0 ? ns - 0.5 : ns + 0.5);
}

// Simulated time to seconds. Division (not multiplication by 1e-9) so whole seconds come back exact.
constexpr double sim_to_seconds(SimTime t) { return static_cast<double>(t) / static_cast<double>(kNsPerSecond); }

}  // namespace aidc
