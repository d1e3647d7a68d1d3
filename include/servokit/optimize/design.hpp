#pragma once
/// @file
/// The space-filling initial design: a scrambled Latin hypercube in the unit cube, stratified in
/// every dimension, drawn from the seed alone.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <servokit/optimize/random.hpp>

namespace servokit::optimize {

/// `count` points in [0, 1)^`dimensions`: in every dimension, each of the `count` equal strata
/// [j / count, (j + 1) / count) holds exactly one point, at a random place within it, and the
/// strata are paired across dimensions by independent random permutations. Every dimension
/// consumes the same number of draws, so each is stratified whatever the others are. A function
/// of its arguments only.
inline std::vector<std::vector<double>> latin_hypercube(std::size_t count, std::size_t dimensions, std::uint64_t seed) {
  std::vector<std::vector<double>> points(count, std::vector<double>(dimensions));
  detail::random_source random(seed ^ 0x5eedde5167ULL);
  std::vector<std::size_t> order(count);
  for (std::size_t d = 0; d < dimensions; ++d) {
    for (std::size_t i = 0; i < count; ++i) order[i] = i;
    for (std::size_t i = count; i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
    for (std::size_t k = 0; k < count; ++k) {
      points[k][d] = (static_cast<double>(order[k]) + random.uniform()) / static_cast<double>(count);
    }
  }
  return points;
}

}  // namespace servokit::optimize
