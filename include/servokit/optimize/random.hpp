#pragma once
/// @file
/// The optimizer's source of randomness: a small generator whose state comes from the seed and
/// the number of trials told, so that a suggestion depends only on the seed and the answers, and a
/// study resumed by replaying its trials continues exactly as it would have.

#include <cmath>
#include <cstdint>
#include <numbers>

namespace servokit::optimize::detail {

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform, unlike the
/// distributions of `<random>`, whose output the standard leaves to each library.
class random_source {
 public:
  explicit random_source(std::uint64_t seed) : state_(seed) {}
  /// A generator for the suggestion after `trials` trials told, under `seed`.
  static random_source for_trial(std::uint64_t seed, std::uint64_t trials) {
    random_source mixer(seed ^ (0x9e3779b97f4a7c15ULL * (trials + 1)));
    return random_source(mixer.next() ^ trials);
  }

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
  /// Uniform in [0, bound).
  std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }
  /// Standard normal (Box-Muller).
  double normal() {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(2.0 * std::numbers::pi * uniform());
  }

 private:
  std::uint64_t state_;
};

}  // namespace servokit::optimize::detail
