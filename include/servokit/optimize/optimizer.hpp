#pragma once
/// @file
/// The ask/tell optimizer over a descriptor's settings.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include <servokit/optimize/objective.hpp>
#include <servokit/optimize/random.hpp>
#include <servokit/optimize/space.hpp>

namespace servokit::optimize {

/// An ask/tell search over the settings of an application descriptor.
///
/// `ask()` suggests the next configuration, `tell()` records how a configuration did; the first
/// suggestion is the baseline (the descriptor's current values). Suggestions depend only on the
/// descriptor, the objective's direction, the seed and the trials told so far, in order: an
/// optimizer rebuilt after a crash and told the stored trials again continues exactly where the
/// first one was. `tell()` takes configurations from anywhere (a replayed study), not only from
/// this object's `ask()`.
class optimizer {
 public:
  /// The best configuration measured so far.
  struct best_trial {
    configuration settings;
    double value;         ///< the mean of its measurements, as the objective computed them
    std::size_t trial;    ///< the index (0 = baseline) of the first trial that measured it
  };

  /// Throws `optimize::error` for a descriptor that breaks the protocol's rules.
  optimizer(const application& descriptor, const objective& goal, std::uint64_t seed)
      : space_(descriptor), maximize_(goal.maximize()), seed_(seed) {}

  /// The next configuration to measure. Asking twice without a `tell()` between gives the same one.
  configuration ask() const { return space_.values(next_position()); }

  /// Records a trial: `value` is the objective as `objective::evaluate` computed it (the goal's
  /// direction is applied inside), required when `status` is `ok`. A non-finite value counts as
  /// infeasible. Throws `optimize::error` for settings the descriptor does not allow.
  void tell(const configuration& settings, trial_status status, std::optional<double> value) {
    if (status == trial_status::ok && !value) throw error("tell: a trial with status ok needs a value");
    record added;
    added.position = space_.snap(space_.position(settings));
    added.cells = space_.cells(added.position);
    added.status = status;
    if (status == trial_status::ok && !std::isfinite(*value)) added.status = trial_status::infeasible;
    if (added.status == trial_status::ok) added.value = *value;
    trials_.push_back(std::move(added));
  }

  /// The best configuration measured so far, or nothing before the first feasible trial.
  std::optional<best_trial> best() const {
    auto groups = feasible_groups();
    if (groups.empty()) return std::nullopt;
    const group* chosen = nullptr;
    for (const auto& [cells, candidate] : groups) {
      if (!chosen || better(candidate.mean(), chosen->mean())) chosen = &candidate;
    }
    return best_trial{space_.values(trials_[chosen->first].position), chosen->mean(), chosen->first};
  }

  /// The number of trials told.
  std::size_t trials() const { return trials_.size(); }

  /// The search space (the dimensions of the descriptor).
  const search_space& space() const { return space_; }

 private:
  struct record {
    std::vector<double> position;
    std::vector<std::int64_t> cells;
    trial_status status = trial_status::failed;
    double value = 0;
  };
  /// The feasible measurements of one configuration.
  struct group {
    std::size_t first = 0;
    double sum = 0;
    std::size_t count = 0;
    double mean() const { return sum / static_cast<double>(count); }
  };

  bool better(double left, double right) const { return maximize_ ? left > right : left < right; }

  std::map<std::vector<std::int64_t>, group> feasible_groups() const {
    std::map<std::vector<std::int64_t>, group> groups;
    for (std::size_t index = 0; index < trials_.size(); ++index) {
      const auto& trial = trials_[index];
      if (trial.status != trial_status::ok) continue;
      auto [found, inserted] = groups.try_emplace(trial.cells);
      if (inserted) found->second.first = index;
      found->second.sum += trial.value;
      ++found->second.count;
    }
    return groups;
  }

  bool measured(const std::vector<std::int64_t>& cells) const {
    return std::any_of(trials_.begin(), trials_.end(), [&](const record& trial) { return trial.cells == cells; });
  }

  std::vector<double> random_position(detail::random_source& random) const {
    std::vector<double> position = space_.baseline();
    const auto& dims = space_.dimensions();
    for (std::size_t index = 0; index < dims.size(); ++index) {
      if (!dims[index].searchable()) continue;
      position[index] = dims[index].is_enum ? static_cast<double>(random.below(dims[index].members.size())) : random.uniform();
    }
    return space_.snap(position);
  }

  /// A neighbour of `origin`: one or two settings moved a little (ranges) or changed (enums).
  std::vector<double> neighbour(const std::vector<double>& origin, detail::random_source& random) const {
    std::vector<std::size_t> movable;
    const auto& dims = space_.dimensions();
    for (std::size_t index = 0; index < dims.size(); ++index) {
      if (dims[index].searchable()) movable.push_back(index);
    }
    std::vector<double> position = origin;
    if (movable.empty()) return position;
    const std::size_t moves = 1 + random.below(std::min<std::size_t>(2, movable.size()));
    for (std::size_t move = 0; move < moves; ++move) {
      const std::size_t index = movable[random.below(movable.size())];
      const auto& dim = dims[index];
      if (dim.is_enum) {
        position[index] = static_cast<double>(random.below(dim.members.size()));
      } else {
        const double grid = dim.step > 0 ? 1.0 / static_cast<double>(dim.last_step) : 0.0;
        double shift = 0.15 * random.normal();
        if (std::abs(shift) < grid) shift = shift < 0 ? -grid : grid;
        position[index] = std::clamp(position[index] + shift, 0.0, 1.0);
      }
    }
    return space_.snap(position);
  }

  std::vector<double> next_position() const {
    if (trials_.empty()) return space_.baseline();
    auto random = detail::random_source::for_trial(seed_, trials_.size());
    std::optional<std::vector<double>> incumbent;
    if (auto found = best()) incumbent = space_.snap(space_.position(found->settings));
    // Search near the best measured configuration most of the time, anywhere the rest, never a
    // configuration already measured while an unmeasured one can be found.
    std::vector<double> candidate;
    for (int attempt = 0; attempt < 2000; ++attempt) {
      const bool local = incumbent && trials_.size() >= 6 && random.uniform() < 0.7;
      candidate = local ? neighbour(*incumbent, random) : random_position(random);
      if (!measured(space_.cells(candidate))) return candidate;
    }
    return candidate;
  }

  search_space space_;
  bool maximize_;
  std::uint64_t seed_;
  std::vector<record> trials_;
};

}  // namespace servokit::optimize
