#pragma once
/// @file
/// The ask/tell optimizer over a descriptor's settings: Bayesian optimization with a small
/// Gaussian process over the mixed space (ranges on their step grids, enums as categories),
/// expected improvement weighted by the modelled chance that a configuration is feasible, and a
/// best configuration chosen by the model rather than by the luckiest single measurement.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include <servokit/optimize/gaussian_process.hpp>
#include <servokit/optimize/objective.hpp>
#include <servokit/optimize/random.hpp>
#include <servokit/optimize/space.hpp>

namespace servokit::optimize {

/// An ask/tell search over the settings of an application descriptor.
///
/// `ask()` suggests the next configuration, `tell()` records how a configuration did; the first
/// suggestion is the baseline (the descriptor's current values), then a space-filling design, then
/// the configurations a Gaussian-process model expects to improve most on the best so far,
/// weighted by the chance they are feasible. Failed, rejected and infeasible trials teach that
/// model to keep away. No configuration is suggested twice, except the few best ones, which a
/// noisy search may re-measure when the model is unsure of them.
///
/// Suggestions depend only on the descriptor, the objective's direction, the seed and the trials
/// told so far, in order: an optimizer rebuilt after a crash and told the stored trials again
/// continues exactly where the first one was. `tell()` takes configurations from anywhere (a
/// replayed study), not only from this object's `ask()`.
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
      : space_(descriptor), maximize_(goal.maximize()), seed_(seed) {
    const auto& dims = space_.dimensions();
    for (std::size_t index = 0; index < dims.size(); ++index) {
      if (!dims[index].searchable()) continue;
      (dims[index].is_enum ? inputs_.enums : inputs_.ranges).push_back(index);
    }
  }

  /// The next configuration to measure. Asking twice without a `tell()` between gives the same one.
  ///
  /// `pending` holds configurations already asked and not yet told (trials running in parallel):
  /// the suggestion differs from each of them and is chosen as if each had measured a typical
  /// value (a "constant liar"), so that N asks with a growing `pending` spread N trials over the
  /// space instead of piling them on one spot. The result depends only on the seed, the trials
  /// told and `pending`, in order. Throws `optimize::error` for a pending configuration the
  /// descriptor does not allow.
  configuration ask(std::span<const configuration> pending = {}) const {
    if (pending.empty()) return space_.values(next_position());
    optimizer believer = *this;
    // The lie: the median of the values measured so far (lower is better), or, before any
    // feasible value, nothing but the fact that the configuration is taken.
    std::vector<double> values;
    for (const auto& trial : trials_) {
      if (trial.status == trial_status::ok) values.push_back(trial.value);
    }
    std::optional<double> lie;
    if (!values.empty()) {
      std::sort(values.begin(), values.end());
      lie = values[(values.size() - 1) / 2];
    }
    for (const auto& settings : pending) {
      record added;
      added.position = space_.snap(space_.position(settings));
      added.cells = space_.cells(added.position);
      added.pending = true;
      added.status = lie ? trial_status::ok : trial_status::infeasible;
      added.value = lie.value_or(0.0);
      added.has_value = lie.has_value();
      believer.trials_.push_back(std::move(added));
    }
    return space_.values(believer.next_position());
  }

  /// Records a trial: `value` is the objective as `objective::evaluate` computed it (the goal's
  /// direction is applied inside), required when `status` is `ok`. A non-finite value counts as
  /// infeasible. An infeasible trial may carry the value too (`evaluate` gives it when only a
  /// constraint was broken): the search then learns the objective from it as well, and only the
  /// feasibility of the region from its status. Throws `optimize::error` for settings the
  /// descriptor does not allow.
  void tell(const configuration& settings, trial_status status, std::optional<double> value) {
    if (status == trial_status::ok && !value) throw error("tell: a trial with status ok needs a value");
    record added;
    added.position = space_.snap(space_.position(settings));
    added.cells = space_.cells(added.position);
    added.status = status;
    if (status == trial_status::ok && !std::isfinite(*value)) added.status = trial_status::infeasible;
    const bool usable = value && std::isfinite(*value);
    if (usable && (added.status == trial_status::ok || added.status == trial_status::infeasible)) {
      added.value = *value;
      added.has_value = true;
    }
    trials_.push_back(std::move(added));
  }

  /// The best configuration measured so far, or nothing before the first feasible trial.
  ///
  /// Among the few configurations with the best measured means, the one the model believes best:
  /// a single lucky draw of a noisy measurement does not win over a configuration whose
  /// neighbours and repeats agree that it is good.
  std::optional<best_trial> best() const {
    model fitted;
    build(fitted);
    return best_of(fitted);
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
    bool has_value = false;   ///< `value` holds the objective (ok trials, and infeasible ones that told it)
    bool pending = false;     ///< asked, not yet told: `value` is a lie (or absent), never a measurement
  };

  /// The feasible measurements of one configuration.
  struct group {
    std::size_t first = 0;
    double sum = 0;
    std::size_t count = 0;
    double mean() const { return sum / static_cast<double>(count); }
  };

  /// What the trials so far say: the objective model over feasible trials and the feasibility
  /// model over all of them. Not movable: the processes point into it.
  struct model {
    model() = default;
    model(const model&) = delete;
    model& operator=(const model&) = delete;

    std::vector<std::vector<double>> points;      ///< feasible trials, then failed ones (targets below)
    std::size_t feasible_count = 0;               ///< how many of `points` are feasible trials
    std::vector<double> targets;                  ///< lower is better, warped (below)
    double center = 0;                            ///< the median feasible value (lower is better)
    double spread = 1;                            ///< a robust scale of the feasible values

    /// A value (lower is better) as the model sees it: centred and scaled robustly, and the bad
    /// tail beyond two scales compressed logarithmically, so that a few disastrous configurations
    /// (a thousandth of the throughput) do not flatten the differences among the good ones, which
    /// stay linear.
    double warped(double value) const {
      const double scaled = (value - center) / spread;
      return scaled <= 2 ? scaled : 2 + std::log1p(scaled - 2);
    }
    detail::gaussian_process objective_model;
    bool has_objective_model = false;
    std::vector<std::vector<double>> labelled;    ///< trials for the feasibility model
    detail::gaussian_process feasibility_model;
    bool has_feasibility_model = false;
    double incumbent = 0;                          ///< the lowest modelled target among feasible trials
  };

  /// Trials a model is fitted to at most: beyond, the best and the most recent, so that `ask()`
  /// stays within milliseconds after hundreds of trials.
  static constexpr std::size_t model_points = 40;
  /// Failed, rejected and infeasible trials the models keep at most: the most recent.
  static constexpr std::size_t unfeasible_points = 16;
  /// Trials the kernel shape is chosen on at most.
  static constexpr std::size_t tuning_points_limit = 32;

  std::size_t searchable_count() const { return inputs_.ranges.size() + inputs_.enums.size(); }

  /// The trials of the space-filling design that follows the baseline.
  std::size_t design_size() const { return std::clamp<std::size_t>(searchable_count() + 1, 4, 8); }

  /// A value turned so that lower is better.
  double target_of(double value) const { return maximize_ ? -value : value; }

  std::map<std::vector<std::int64_t>, group> feasible_groups() const {
    std::map<std::vector<std::int64_t>, group> groups;
    for (std::size_t index = 0; index < trials_.size(); ++index) {
      const auto& trial = trials_[index];
      if (trial.status != trial_status::ok || trial.pending) continue;
      auto [found, inserted] = groups.try_emplace(trial.cells);
      if (inserted) found->second.first = index;
      found->second.sum += trial.value;
      ++found->second.count;
    }
    return groups;
  }

  /// Pairwise kernel distances of `points`.
  void distances(const std::vector<std::vector<double>>& points, std::vector<double>& squared,
                 std::vector<double>& differing) const {
    const std::size_t n = points.size();
    squared.assign(n * n, 0.0);
    differing.assign(n * n, 0.0);
    for (std::size_t row = 0; row < n; ++row) {
      for (std::size_t column = 0; column <= row; ++column) {
        detail::kernel_distances(inputs_, points[row], points[column], squared[row * n + column], differing[row * n + column]);
        squared[column * n + row] = squared[row * n + column];
        differing[column * n + row] = differing[row * n + column];
      }
    }
  }

  /// Fits the models to the trials told (a bounded subset of them when there are many).
  void build(model& fitted) const {
    std::vector<std::size_t> feasible;
    std::vector<std::size_t> unfeasible;
    for (std::size_t index = 0; index < trials_.size(); ++index) {
      if (trials_[index].pending && !trials_[index].has_value) continue;   // taken, nothing to learn
      if (trials_[index].status == trial_status::ok) {
        feasible.push_back(index);
      } else {
        unfeasible.push_back(index);
      }
    }
    if (feasible.size() > model_points) {
      // The best half by value, then the most recent.
      std::vector<std::size_t> by_value = feasible;
      std::stable_sort(by_value.begin(), by_value.end(), [&](std::size_t left, std::size_t right) {
        return target_of(trials_[left].value) < target_of(trials_[right].value);
      });
      std::set<std::size_t> kept(by_value.begin(), by_value.begin() + model_points / 2);
      for (auto index = feasible.rbegin(); index != feasible.rend() && kept.size() < model_points; ++index) kept.insert(*index);
      feasible.assign(kept.begin(), kept.end());
    }
    if (unfeasible.size() > unfeasible_points) unfeasible.erase(unfeasible.begin(), unfeasible.end() - unfeasible_points);

    if (!feasible.empty()) {
      std::vector<double> sorted;
      for (auto index : feasible) sorted.push_back(target_of(trials_[index].value));
      std::sort(sorted.begin(), sorted.end());
      const auto at = [&](double fraction) { return sorted[static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1))]; };
      fitted.center = at(0.5);
      // The interquartile range as a standard deviation, or the full range for few values, or 1.
      double spread = (at(0.75) - at(0.25)) / 1.35;
      if (!(spread > 0)) spread = (sorted.back() - sorted.front()) / 2;
      fitted.spread = spread > 0 ? spread : std::max(std::abs(fitted.center), 1.0);
    }
    for (auto index : feasible) {
      fitted.points.push_back(trials_[index].position);
      fitted.targets.push_back(fitted.warped(target_of(trials_[index].value)));
    }
    fitted.feasible_count = fitted.points.size();
    // Infeasible trials that told their value teach the objective model like any other: where
    // the optimum lies is then known on both sides of a constraint, and the feasibility model
    // below says which side holds. Failed and rejected trials count as the worst value seen, so
    // that the model expects nothing from a region that crashes instead of the prior's wide hopes.
    // Infeasible ones without a value count for nothing here: a constraint's edge is often where
    // the optimum lies.
    if (fitted.feasible_count > 0) {
      const double worst = *std::max_element(fitted.targets.begin(), fitted.targets.end());
      for (auto index : unfeasible) {
        const auto& trial = trials_[index];
        if (trial.status == trial_status::infeasible && !trial.has_value) continue;
        fitted.points.push_back(trial.position);
        fitted.targets.push_back(trial.has_value ? fitted.warped(target_of(trial.value)) : worst);
      }
    }
    detail::kernel_shape chosen;
    if (fitted.points.size() >= 2) {
      // The kernel shape by maximum likelihood over a small grid, with a mild prior towards
      // moderate length scales and noise: few points cannot tell a wiggle from noise alone. The
      // grid is tried on at most `tuning_points` of them (the best and the most recent), so that
      // its hundred factorizations stay cheap after hundreds of trials.
      std::vector<std::vector<double>> tuning_points;
      std::vector<double> tuning_targets;
      if (fitted.points.size() <= tuning_points_limit) {
        tuning_points = fitted.points;
        tuning_targets = fitted.targets;
      } else {
        std::vector<std::size_t> order(fitted.points.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t left, std::size_t right) {
          return fitted.targets[left] < fitted.targets[right];
        });
        std::set<std::size_t> kept(order.begin(), order.begin() + tuning_points_limit / 2);
        for (std::size_t i = fitted.points.size(); i-- > 0 && kept.size() < tuning_points_limit;) kept.insert(i);
        for (auto i : kept) {
          tuning_points.push_back(fitted.points[i]);
          tuning_targets.push_back(fitted.targets[i]);
        }
      }
      std::vector<double> squared;
      std::vector<double> differing;
      distances(tuning_points, squared, differing);
      static constexpr double lengthscales[] = {0.08, 0.14, 0.22, 0.35, 0.55, 0.85, 1.3};
      static constexpr double weights[] = {0.3, 1.0, 3.0};
      static constexpr double noise_ratios[] = {1e-4, 2e-3, 0.015, 0.06, 0.25};
      double best_score = -std::numeric_limits<double>::infinity();
      detail::gaussian_process trial_model;
      for (double lengthscale : lengthscales) {
        for (double weight : weights) {
          if (inputs_.enums.empty() && weight != 1.0) continue;
          for (double noise_ratio : noise_ratios) {
            detail::kernel_shape shape{lengthscale, weight, noise_ratio};
            if (!trial_model.fit(&tuning_points, &inputs_, tuning_targets, squared, differing, shape)) continue;
            const double log_lengthscale = std::log(lengthscale / 0.35);
            const double log_noise = std::log10(noise_ratio / 0.01);
            const double score = trial_model.log_likelihood() - 0.5 * log_lengthscale * log_lengthscale / 0.64 -
                                 0.5 * log_noise * log_noise / 2.25;
            if (score > best_score) {
              best_score = score;
              chosen = shape;
            }
          }
        }
      }
      distances(fitted.points, squared, differing);
      fitted.has_objective_model =
          fitted.objective_model.fit(&fitted.points, &inputs_, fitted.targets, squared, differing, chosen);
    }
    fitted.incumbent = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < fitted.feasible_count; ++i) {
      const double believed = fitted.has_objective_model ? fitted.objective_model.predict(fitted.points[i]).mean : fitted.targets[i];
      fitted.incumbent = std::min(fitted.incumbent, believed);
    }

    if (!unfeasible.empty()) {
      // Feasibility as a regression on +1 (feasible) and -1 (not), with the objective's shape:
      // unexplored regions sit at 0 (an even chance), failed ones near -1.
      std::vector<double> labels;
      for (auto index : feasible) {
        fitted.labelled.push_back(trials_[index].position);
        labels.push_back(1.0);
      }
      for (auto index : unfeasible) {
        fitted.labelled.push_back(trials_[index].position);
        labels.push_back(-1.0);
      }
      // Its own kernel shape, by likelihood: failing regions (too little memory, a broken
      // combination) are usually wide, and a short scale would leave most of one unexplored.
      // Tried on every unfeasible trial kept and the most recent feasible ones, at most
      // `tuning_points_limit` in all.
      std::vector<std::vector<double>> tuning_points;
      std::vector<double> tuning_labels;
      const std::size_t feasible_kept =
          std::min(feasible.size(), tuning_points_limit - std::min(tuning_points_limit, unfeasible.size()));
      for (std::size_t i = feasible.size() - feasible_kept; i < fitted.labelled.size(); ++i) {
        tuning_points.push_back(fitted.labelled[i]);
        tuning_labels.push_back(labels[i]);
      }
      std::vector<double> squared;
      std::vector<double> differing;
      distances(tuning_points, squared, differing);
      static constexpr double label_lengthscales[] = {0.1, 0.17, 0.25, 0.4, 0.6, 0.9, 1.3};
      detail::kernel_shape shape = chosen;
      shape.noise_ratio = 0.05;
      static constexpr double label_weights[] = {0.1, 0.5, 2.0};
      double best_likelihood = -std::numeric_limits<double>::infinity();
      detail::kernel_shape best_shape = shape;
      for (double lengthscale : label_lengthscales) {
        for (double weight : label_weights) {
          if (inputs_.enums.empty() && weight != label_weights[0]) continue;
          shape.lengthscale = lengthscale;
          shape.category_weight = weight;
          if (fitted.feasibility_model.fit(&tuning_points, &inputs_, tuning_labels, squared, differing, shape, 0.0, 1.0) &&
              fitted.feasibility_model.log_likelihood() > best_likelihood) {
            best_likelihood = fitted.feasibility_model.log_likelihood();
            best_shape = shape;
          }
        }
      }
      shape = best_shape;
      distances(fitted.labelled, squared, differing);
      fitted.has_feasibility_model =
          fitted.feasibility_model.fit(&fitted.labelled, &inputs_, labels, squared, differing, shape, 0.0, 1.0);
    }
  }

  std::optional<best_trial> best_of(const model& fitted) const {
    auto groups = feasible_groups();
    if (groups.empty()) return std::nullopt;
    std::vector<const group*> ranked;
    for (const auto& [cells, candidate] : groups) ranked.push_back(&candidate);
    std::stable_sort(ranked.begin(), ranked.end(), [&](const group* left, const group* right) {
      return target_of(left->mean()) < target_of(right->mean());
    });
    const group* chosen = ranked.front();
    if (fitted.has_objective_model && fitted.feasible_count >= 4) {
      // Among the best measured, those the noise could have put first (within two of the noise's
      // standard deviations of the best measured value), the one the model believes best. Without
      // noise that is the best measured one.
      const auto& shape = fitted.objective_model.shape();
      const double noise = std::sqrt(fitted.objective_model.scale() * shape.noise_ratio);
      const double first = fitted.warped(target_of(ranked.front()->mean()));
      double lowest = std::numeric_limits<double>::infinity();
      for (std::size_t rank = 0; rank < std::min<std::size_t>(5, ranked.size()); ++rank) {
        if (fitted.warped(target_of(ranked[rank]->mean())) > first + 2 * noise) break;
        const double believed = fitted.objective_model.predict(trials_[ranked[rank]->first].position).mean;
        if (believed < lowest) {
          lowest = believed;
          chosen = ranked[rank];
        }
      }
    }
    return best_trial{space_.values(trials_[chosen->first].position), chosen->mean(), chosen->first};
  }

  /// How much measuring at `position` is worth: expected improvement times the chance it is
  /// feasible. When the improvement alone cannot beat `floor`, it is returned as it is (the
  /// feasibility model, half the cost, is not consulted).
  double acquisition(const model& fitted, const std::vector<double>& position,
                     double floor = -std::numeric_limits<double>::infinity()) const {
    if (!fitted.has_objective_model) {
      // Nothing feasible to improve on yet: look where feasibility is likeliest, or least known.
      if (!fitted.has_feasibility_model) return 1.0;
      return feasible_chance(fitted, position) + 0.1 * std::sqrt(fitted.feasibility_model.predict(position).variance);
    }
    const auto belief = fitted.objective_model.predict(position);
    const double improvement = detail::expected_improvement(belief.mean, belief.variance, fitted.incumbent);
    if (!fitted.has_feasibility_model || improvement <= floor) return improvement;
    return improvement * feasible_chance(fitted, position);
  }

  /// The chance that `position` is feasible, from the regression on +1/-1 labels: the label's
  /// mean against its doubt, the doubt capped so that a region full of failures counts as one
  /// even where the labels alone leave the regression unsure.
  double feasible_chance(const model& fitted, const std::vector<double>& position) const {
    const auto belief = fitted.feasibility_model.predict(position);
    return detail::normal_cdf(belief.mean / std::min(std::sqrt(belief.variance + 1e-6), 0.5));
  }

  std::vector<double> random_position(detail::random_source& random) const {
    std::vector<double> position = space_.baseline();
    const auto& dims = space_.dimensions();
    for (auto index : inputs_.ranges) position[index] = random.uniform();
    for (auto index : inputs_.enums) position[index] = static_cast<double>(random.below(dims[index].members.size()));
    return space_.snap(position);
  }

  /// A random neighbour of `origin`: one to three settings moved a little (ranges) or changed (enums).
  std::vector<double> neighbour(const std::vector<double>& origin, detail::random_source& random) const {
    const std::size_t movable = searchable_count();
    std::vector<double> position = origin;
    if (movable == 0) return position;
    const std::size_t moves = 1 + random.below(std::min<std::size_t>(3, movable));
    const auto& dims = space_.dimensions();
    for (std::size_t move = 0; move < moves; ++move) {
      const std::size_t pick = random.below(movable);
      if (pick >= inputs_.ranges.size()) {
        const std::size_t index = inputs_.enums[pick - inputs_.ranges.size()];
        position[index] = static_cast<double>(random.below(dims[index].members.size()));
      } else {
        const std::size_t index = inputs_.ranges[pick];
        const auto& dim = dims[index];
        const double grid = dim.step > 0 ? 1.0 / static_cast<double>(dim.last_step) : 0.0;
        double shift = 0.12 * random.normal();
        if (std::abs(shift) < grid) shift = shift < 0 ? -grid : grid;
        position[index] = std::clamp(position[index] + shift, 0.0, 1.0);
      }
    }
    return space_.snap(position);
  }

  /// Every configuration one move from `origin`: each range a step (and a tenth of its range) up
  /// or down, each enum to each other member.
  std::vector<std::vector<double>> adjacent(const std::vector<double>& origin) const {
    std::vector<std::vector<double>> result;
    const auto& dims = space_.dimensions();
    for (auto index : inputs_.ranges) {
      const auto& dim = dims[index];
      const double grid = dim.step > 0 ? 1.0 / static_cast<double>(dim.last_step) : 0.01;
      for (double shift : {-grid, grid, -std::max(grid, 0.1), std::max(grid, 0.1)}) {
        std::vector<double> moved = origin;
        moved[index] = std::clamp(origin[index] + shift, 0.0, 1.0);
        result.push_back(space_.snap(moved));
      }
    }
    for (auto index : inputs_.enums) {
      for (std::size_t member = 0; member < dims[index].members.size(); ++member) {
        if (static_cast<double>(member) == origin[index]) continue;
        std::vector<double> moved = origin;
        moved[index] = static_cast<double>(member);
        result.push_back(moved);
      }
    }
    return result;
  }

  /// The k-th point of the design that follows the baseline: a Latin hypercube drawn from the
  /// seed alone, so each range is covered evenly and each enum member comes up in turn.
  std::vector<double> design_point(std::size_t k) const {
    const std::size_t count = design_size();
    detail::random_source random(seed_ ^ 0x5eedde5167ULL);
    std::vector<double> position = space_.baseline();
    const auto& dims = space_.dimensions();
    auto shuffled = [&](std::size_t size) {
      std::vector<std::size_t> order(size);
      for (std::size_t i = 0; i < size; ++i) order[i] = i;
      for (std::size_t i = size; i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
      return order;
    };
    for (auto index : inputs_.ranges) {
      auto order = shuffled(count);
      double jitter = 0;
      for (std::size_t i = 0; i <= k % count; ++i) jitter = random.uniform();
      position[index] = (static_cast<double>(order[k % count]) + jitter) / static_cast<double>(count);
    }
    for (auto index : inputs_.enums) {
      const std::size_t members = dims[index].members.size();
      auto order = shuffled(members);
      const std::size_t offset = random.below(members);
      position[index] = static_cast<double>(order[(k + offset) % members]);
    }
    return space_.snap(position);
  }

  /// The position `ask()` suggests: the baseline, the design, then the candidate (random, near
  /// the leaders, or a leader again) with the most expected improvement times feasibility,
  /// improved by climbing over adjacent configurations.
  std::vector<double> next_position() const {
    if (trials_.empty()) return space_.baseline();
    std::map<std::vector<std::int64_t>, std::size_t> measured;
    // A pending configuration counts as measured often enough never to be suggested again.
    for (const auto& trial : trials_) measured[trial.cells] += trial.pending ? 3 : 1;
    auto unmeasured = [&](const std::vector<double>& position) { return !measured.contains(space_.cells(position)); };

    auto random = detail::random_source::for_trial(seed_, trials_.size());
    if (trials_.size() < design_size()) {
      auto planned = design_point(trials_.size() - 1);
      if (unmeasured(planned)) return planned;
    }

    model fitted;
    build(fitted);
    std::vector<std::vector<double>> candidates;
    for (int i = 0; i < 256; ++i) candidates.push_back(random_position(random));

    // Around the configurations the model believes best: random neighbours and every adjacent one.
    std::vector<std::pair<double, std::size_t>> believed;
    for (std::size_t i = 0; i < fitted.feasible_count; ++i) {
      believed.emplace_back(fitted.has_objective_model ? fitted.objective_model.predict(fitted.points[i]).mean : fitted.targets[i], i);
    }
    std::stable_sort(believed.begin(), believed.end());
    std::vector<std::vector<std::int64_t>> podium;   // the three best measured configurations
    {
      auto groups = feasible_groups();
      std::vector<std::pair<double, const std::vector<std::int64_t>*>> by_mean;
      for (const auto& [cells, measured_group] : groups) by_mean.emplace_back(target_of(measured_group.mean()), &cells);
      std::stable_sort(by_mean.begin(), by_mean.end(), [](const auto& left, const auto& right) { return left.first < right.first; });
      for (std::size_t rank = 0; rank < std::min<std::size_t>(3, by_mean.size()); ++rank) podium.push_back(*by_mean[rank].second);
    }
    std::set<std::vector<std::int64_t>> leaders;
    for (const auto& [mean, i] : believed) {
      if (leaders.size() == 5) break;
      const auto& origin = fitted.points[i];
      if (!leaders.insert(space_.cells(origin)).second) continue;
      for (int j = 0; j < 32; ++j) candidates.push_back(neighbour(origin, random));
      if (leaders.size() <= 3) {
        for (auto& moved : adjacent(origin)) candidates.push_back(std::move(moved));
        // A leader among the three best measured, measured only once or twice, may be measured
        // again: with noise, the model's doubt about it is what expected improvement weighs.
        const auto cells = space_.cells(origin);
        if (measured[cells] < 3 && std::find(podium.begin(), podium.end(), cells) != podium.end()) {
          candidates.push_back(origin);
        }
      }
    }

    std::set<std::vector<std::int64_t>> scored;
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      auto cells = space_.cells(candidates[i]);
      if (!scored.insert(cells).second) continue;
      if (measured.contains(cells) &&
          (measured[cells] >= 3 || std::find(podium.begin(), podium.end(), cells) == podium.end())) {
        continue;
      }
      ranked.emplace_back(acquisition(fitted, candidates[i]), i);
    }
    if (ranked.empty()) {
      // Everything near the leaders and every random draw was measured: the space is (nearly)
      // exhausted; the best leader is the most useful thing left to measure.
      return believed.empty() ? random_position(random) : fitted.points[believed.front().second];
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& left, const auto& right) { return left.first > right.first; });

    // Climb from the three most promising candidates over adjacent configurations.
    std::vector<double> chosen = candidates[ranked.front().second];
    double chosen_score = ranked.front().first;
    for (std::size_t start = 0; start < std::min<std::size_t>(3, ranked.size()); ++start) {
      std::vector<double> current = candidates[ranked[start].second];
      double current_score = ranked[start].first;
      if (!unmeasured(current)) continue;
      for (int step = 0; step < 10; ++step) {
        bool moved = false;
        for (auto& next : adjacent(current)) {
          if (!unmeasured(next)) continue;
          const double score = acquisition(fitted, next, current_score);
          if (score > current_score) {
            current_score = score;
            current = std::move(next);
            moved = true;
          }
        }
        if (!moved) break;
      }
      if (current_score > chosen_score) {
        chosen_score = current_score;
        chosen = current;
      }
    }
    return chosen;
  }

  search_space space_;
  bool maximize_;
  std::uint64_t seed_;
  detail::kernel_inputs inputs_;
  std::vector<record> trials_;
};

}  // namespace servokit::optimize
