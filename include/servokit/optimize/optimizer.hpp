#pragma once
/// @file
/// The ask/tell optimizer over a descriptor's settings: Bayesian optimization with a Gaussian
/// process (one lengthscale per setting, fitted by maximum likelihood, fitted noise) on transformed
/// inputs and outputs, a stratified initial design, log expected improvement weighted by the
/// modelled chance of feasibility and searched both globally and in a trust region around the
/// reported best, and a reported best that was measured, chosen by its measurements or by the model.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include <servokit/optimize/design.hpp>
#include <servokit/optimize/gaussian_process.hpp>
#include <servokit/optimize/objective.hpp>
#include <servokit/optimize/random.hpp>
#include <servokit/optimize/space.hpp>

namespace servokit::optimize {

namespace detail {

/// The Box-Cox transform (v^power - 1) / power of a positive value; the log at power 0.
inline double box_cox(double value, double power) {
  return power == 0 ? std::log(value) : (std::pow(value, power) - 1) / power;
}

/// The Box-Cox power, among -1, -0.5, -0.25, 0 (the log), 0.25, 0.5 and 1 (the values as they
/// are), under which `values` (all positive) look likeliest drawn from a normal distribution: the
/// largest profile log-likelihood -n/2 log(variance of the transformed values) + (power - 1)
/// sum(log value); the log on a tie. The log suits a latency or a cost, whose spread grows with
/// its size; but where a region pays a penalty hundreds of times the rest (a 5-second timeout
/// beside millisecond lookups), one measurement there still sits six standard deviations out in
/// log scale and the model calls the rest flat, while a negative power compresses such a cliff.
/// HEBO (Cowen-Rivers et al. 2022) fits a power transform to its outputs for the same reason;
/// a few fixed powers keep the suggestion a function of the trials and cost nothing to fit.
inline double box_cox_power(const std::vector<double>& values) {
  double best_power = 0;
  double best_likelihood = -std::numeric_limits<double>::infinity();
  double log_sum = 0;
  for (double value : values) log_sum += std::log(value);
  const auto n = static_cast<double>(values.size());
  std::vector<double> transformed(values.size());
  // The log first: a later power must beat it, so the log wins a tie.
  for (double power : {0.0, -1.0, -0.5, -0.25, 0.25, 0.5, 1.0}) {
    double mean = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      transformed[i] = box_cox(values[i], power);
      mean += transformed[i];
    }
    mean /= n;
    double variance = 0;
    for (double t : transformed) variance += (t - mean) * (t - mean);
    variance /= n;
    if (!(variance > 1e-300) || !std::isfinite(variance)) continue;
    const double likelihood = -0.5 * n * std::log(variance) + (power - 1) * log_sum;
    if (likelihood > best_likelihood + 1e-9) {
      best_likelihood = likelihood;
      best_power = power;
    }
  }
  return best_power;
}

}  // namespace detail

/// Which rule chose the reported best configuration.
enum class best_rule {
  measurements,   ///< the best mean of its measurements
  model_mean,     ///< among those the noise could have put first, the lowest model mean
};

/// The rule as the report spells it: `measurements` or `model mean`.
inline std::string_view to_string(best_rule rule) {
  return rule == best_rule::measurements ? "measurements" : "model mean";
}

/// An ask/tell search over the settings of an application descriptor.
///
/// `ask()` suggests the next configuration, `tell()` records how a configuration did; the first
/// suggestion is the baseline (the descriptor's current values), then the centre of the space,
/// then a Latin-hypercube design stratified in every setting, then the configuration with the
/// highest log expected improvement times the chance of feasibility under a Gaussian-process
/// model, searched over the whole space and densely within a trust region around the configuration
/// `best()` reports (which grows after successes and shrinks after failures, as in TuRBO); where
/// the model cannot fit the measurements, every other step searches only the trust region and the
/// moves from the best configurations. Failed, rejected and infeasible trials teach the model to
/// keep away. A string enum's member tried at most twice, each time with other settings changed
/// too, is tried once at the reported best with nothing else changed: at once if its trials failed
/// (so that a failure caused by other settings is not blamed on it), and once the search stalls if
/// they did not (so that a mode is not judged by a trial far from the good settings); see
/// `category_probe`. No configuration is suggested twice, except the few best ones, which a noisy
/// search may re-measure.
///
/// The model sees settings as features: a wide positive range (max/min >= 20) and a wide numeric
/// enum on a logarithmic scale, other ranges linearly, numeric enums ordered by value, string enums
/// as categories. A positive objective is modelled by a Box-Cox power transform of it (the log,
/// unless another power fits the measurements better; see `detail::box_cox_power`).
///
/// Suggestions depend only on the descriptor, the objective's direction, the seed, the trials
/// told so far, in order, and the pending configurations passed to `ask`: an optimizer rebuilt
/// after a crash and told the stored trials again continues exactly where the first one was.
/// `tell()` takes configurations from anywhere (a replayed study), not only from `ask()`.
class optimizer {
 public:
  /// The best configuration measured so far.
  struct best_trial {
    configuration settings;
    double value;          ///< the mean of its measurements, as the objective computed them
    std::size_t trial;     ///< the index (0 = baseline) of the first trial that measured it
    std::size_t measurements = 1;   ///< how many feasible measurements it has
    best_rule chosen_by = best_rule::measurements;
  };

  /// Throws `optimize::error` for a descriptor that breaks the protocol's rules.
  optimizer(const application& descriptor, const objective& goal, std::uint64_t seed)
      : space_(descriptor), maximize_(goal.maximize()), seed_(seed) {
    const auto& dims = space_.dimensions();
    for (std::size_t index = 0; index < dims.size(); ++index) {
      if (!dims[index].searchable()) continue;
      features_.push_back(describe(dims[index], index));
      inputs_.categorical.push_back(features_.back().kind == feature_kind::categorical);
    }
  }

  /// The next configuration to measure. Asking twice without a `tell()` between gives the same one.
  ///
  /// `pending` holds configurations already asked and not yet told (trials running in parallel):
  /// the suggestion differs from each of them and is chosen as if each had measured what the model
  /// expects there (the "kriging believer"), so that N asks with a growing `pending` spread N
  /// trials over the space. The result depends only on the seed, the trials told and `pending`,
  /// in order. Throws `optimize::error` for a pending configuration the descriptor does not allow.
  configuration ask(std::span<const configuration> pending = {}) const {
    std::vector<std::vector<double>> pending_positions;
    for (const auto& settings : pending) pending_positions.push_back(space_.snap(space_.position(settings)));
    return space_.values(next_position(pending_positions));
  }

  /// Records a trial: `value` is the objective as `objective::evaluate` computed it (the goal's
  /// direction is applied inside), required when `status` is `ok`. A non-finite value counts as
  /// infeasible. An infeasible trial may carry the value too (`evaluate` gives it when only a
  /// constraint was broken): the search then learns the objective from it as well, but never as
  /// better than the best feasible value (see `build`), and the feasibility of the region from its
  /// status. Throws `optimize::error` for settings the descriptor does not allow.
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
  /// The configuration with the best mean of its measurements, unless the noise says that others
  /// could have come first by chance: then, among those, the one with the lowest model mean
  /// (which weighs its repeats and its neighbours), and `chosen_by` says so. The noise is the
  /// model's, bounded by the spread of the configurations measured more than once; with none
  /// measured twice, or a model that explains little of the measurements, the measurements rule.
  std::optional<best_trial> best() const {
    model fitted;
    build(fitted, {});
    const auto chosen = choose_best(fitted);
    if (!chosen) return std::nullopt;
    return best_trial{space_.values(trials_[chosen->trial.first].position), chosen->trial.mean(), chosen->trial.first,
                      chosen->trial.count, chosen->rule};
  }

  /// The number of trials told.
  std::size_t trials() const { return trials_.size(); }

  /// The search space (the dimensions of the descriptor).
  const search_space& space() const { return space_; }

  /// The trials of the space-filling design that follows the baseline and the centre: about half
  /// a trial per setting, between 4 and 6. A small design leaves more of a short budget to the
  /// model (Bossek et al. 2020, "Initial design strategies and their effects on sequential
  /// model-based optimization", find about a tenth of the budget best). On the benchmark's 74
  /// problems (27 of them fresh when it was judged), d + 2 points (5 to 10) met issue 14's criteria
  /// in about as many cells, and its median regrets were further from the best anchor's on 6 of
  /// the 9 sets (bench/optimizer-results.md).
  std::size_t design_size() const { return std::clamp<std::size_t>(features_.size() / 2 + 2, 4, 6); }

 private:
  enum class feature_kind { linear, logarithmic, ordered, categorical };

  /// How the model sees one searchable dimension.
  struct feature {
    std::size_t dimension = 0;
    feature_kind kind = feature_kind::linear;
    double low = 0;                       ///< logarithmic: log(min); ordered: the lowest member's scale value
    double high = 1;                      ///< logarithmic: log(max); ordered: the highest
    std::vector<double> member_features;  ///< ordered: each member's feature in [0, 1]
    std::vector<std::size_t> by_value;    ///< ordered: the member indices, lowest value first
  };

  struct record {
    std::vector<double> position;
    std::vector<std::int64_t> cells;
    trial_status status = trial_status::failed;
    double value = 0;
    bool has_value = false;   ///< `value` holds the objective (ok trials, and infeasible ones that told it)
  };

  /// The feasible measurements of one configuration.
  struct group {
    std::size_t first = 0;
    double sum = 0;
    std::size_t count = 0;
    double mean() const { return sum / static_cast<double>(count); }
  };

  /// The models fitted to the trials and what they need to read a value.
  struct model {
    detail::gaussian_process objective;
    bool has_objective = false;
    detail::gaussian_process feasibility;
    bool has_feasibility = false;
    std::size_t feasible_count = 0;
    bool power_transformed = false;   ///< every value is positive and modelled by its Box-Cox transform
    double power = 0;                 ///< that transform's power (`box_cox_power`; 0 is the log)
    double center = 0;                ///< standardization of the (transformed) targets
    double scale = 1;
    double feasible_share = 0;  ///< the feasibility model's prior mean: the share of feasible trials, as a label in [-1, 1]
    double incumbent = 0;       ///< the lowest model mean at a measured feasible configuration
    std::vector<double> incumbent_position;
    std::vector<std::vector<std::int64_t>> leaders;   ///< measured configurations by model mean, best first
    bool maximize = false;

    /// A value as the objective model sees it: lower is better, power-transformed when positive, standardized.
    double transformed(double value) const {
      double base = power_transformed ? detail::box_cox(value, power) : value;
      if (maximize) base = -base;
      return (base - center) / scale;
    }
  };

  /// The power of the chance of feasibility in the acquisition: more cautious than EI times the
  /// chance (Gardner et al. 2014), since a failed trial costs as much as a good one and teaches
  /// nothing about the objective.
  static constexpr double feasibility_weight = 3.0;
  static constexpr std::size_t fit_points_limit = 48;        ///< points the hyperparameters are fitted on
  static constexpr std::size_t condition_points_limit = 160; ///< points the posterior conditions on
  static constexpr double trust_length_start = 0.4;   ///< the trust region's first edge (see `trust_length`)
  static constexpr std::size_t global_candidates = 300;
  static constexpr std::size_t local_candidates = 600;

  /// The centre of the objective model's lengthscale prior, in features (each in [0, 1]). It grows
  /// with the square root of the number of features, as the distance between random points does:
  /// with a fixed centre, a ten-setting space looks to a few dozen points like ten wiggly
  /// independent features, and the search scatters (Hvarfner et al. 2024, "Vanilla Bayesian
  /// optimization performs great in high dimensions", scale the prior the same way). 0.3 sqrt(d)
  /// is 0.5 at three settings and 0.95 at ten.
  double typical_lengthscale() const { return 0.3 * std::sqrt(static_cast<double>(features_.size())); }

  feature describe(const dimension& dim, std::size_t index) const {
    feature described;
    described.dimension = index;
    if (!dim.is_enum) {
      if (dim.min > 0 && dim.max / dim.min >= 20) {
        described.kind = feature_kind::logarithmic;
        described.low = std::log(dim.min);
        described.high = std::log(dim.max);
      }
      return described;
    }
    std::vector<double> numbers;
    for (const auto& member : dim.members) {
      auto number = numeric_value(member);
      if (!number || !std::isfinite(*number)) {
        described.kind = feature_kind::categorical;
        return described;
      }
      numbers.push_back(*number);
    }
    described.kind = feature_kind::ordered;
    const auto [lowest, highest] = std::minmax_element(numbers.begin(), numbers.end());
    const bool wide = *lowest > 0 && *highest / *lowest >= 20;
    // Read before the members are scaled in place (the iterators point into them).
    const double low = wide ? std::log(*lowest) : *lowest;
    const double high = wide ? std::log(*highest) : *highest;
    for (double& number : numbers) number = wide ? std::log(number) : number;
    for (std::size_t member = 0; member < numbers.size(); ++member) {
      described.member_features.push_back(high > low ? (numbers[member] - low) / (high - low)
                                                     : static_cast<double>(member) / static_cast<double>(numbers.size() - 1));
    }
    described.by_value.resize(numbers.size());
    std::iota(described.by_value.begin(), described.by_value.end(), std::size_t{0});
    std::stable_sort(described.by_value.begin(), described.by_value.end(),
                     [&](std::size_t left, std::size_t right) { return numbers[left] < numbers[right]; });
    return described;
  }

  /// The model's input for a (snapped) position.
  std::vector<double> features_of(const std::vector<double>& position) const {
    std::vector<double> result(features_.size());
    const auto& dims = space_.dimensions();
    for (std::size_t f = 0; f < features_.size(); ++f) {
      const auto& described = features_[f];
      const auto& dim = dims[described.dimension];
      const double coordinate = position[described.dimension];
      switch (described.kind) {
        case feature_kind::linear: result[f] = coordinate; break;
        case feature_kind::logarithmic: {
          const double value = std::max(dim.min + coordinate * (dim.max - dim.min), dim.min);
          result[f] = (std::log(value) - described.low) / (described.high - described.low);
          break;
        }
        case feature_kind::ordered: result[f] = described.member_features[static_cast<std::size_t>(std::llround(coordinate))]; break;
        case feature_kind::categorical: result[f] = std::round(coordinate); break;
      }
    }
    return result;
  }

  /// The coordinate of a searchable dimension for a place `unit` in [0, 1] along its feature
  /// (categories: the member whose share of [0, 1] holds it). With `shares`, an ordered enum too
  /// gives each member an equal share of [0, 1], in value order: what a stratified design needs.
  double coordinate_of(const feature& described, double unit, bool shares = false) const {
    const auto& dim = space_.dimensions()[described.dimension];
    unit = std::clamp(unit, 0.0, 1.0);
    if (shares && described.kind == feature_kind::ordered) {
      const auto members = described.by_value.size();
      return static_cast<double>(described.by_value[std::min(static_cast<std::size_t>(unit * static_cast<double>(members)), members - 1)]);
    }
    switch (described.kind) {
      case feature_kind::linear: return unit;
      case feature_kind::logarithmic: {
        const double value = std::exp(described.low + unit * (described.high - described.low));
        return (value - dim.min) / (dim.max - dim.min);
      }
      case feature_kind::ordered: {
        std::size_t nearest = 0;
        for (std::size_t member = 1; member < described.member_features.size(); ++member) {
          if (std::abs(described.member_features[member] - unit) < std::abs(described.member_features[nearest] - unit)) nearest = member;
        }
        return static_cast<double>(nearest);
      }
      case feature_kind::categorical: {
        const auto members = static_cast<double>(dim.members.size());
        return std::min(std::floor(unit * members), members - 1);
      }
    }
    return unit;
  }

  /// The snapped position at `units` (one place in [0, 1] per searchable dimension).
  std::vector<double> position_at(const std::vector<double>& units, bool shares = false) const {
    std::vector<double> position = space_.baseline();
    for (std::size_t f = 0; f < features_.size(); ++f) position[features_[f].dimension] = coordinate_of(features_[f], units[f], shares);
    return space_.snap(position);
  }

  /// The centre of the space: each range and ordered enum at the middle of its feature (a wide
  /// range at its geometric middle), each string enum at the baseline's member, which is the only
  /// member the user has singled out. Measured right after the baseline: with no knowledge of the
  /// response, the centre is the point nearest to all others, and a search that starts from the
  /// baseline and a random design alone can spend its whole budget away from it.
  std::vector<double> centre_position() const {
    std::vector<double> units(features_.size(), 0.5);
    auto position = position_at(units);
    const auto baseline = space_.baseline();
    for (const auto& described : features_) {
      if (described.kind == feature_kind::categorical) position[described.dimension] = baseline[described.dimension];
    }
    return space_.snap(position);
  }

  /// The spread of repeated measurements of the same configurations (the pooled standard deviation,
  /// in the model's standardized units), or infinity without repeats. It measures the noise where
  /// the model can only infer it: a model that cannot fit the response blames its misfit on
  /// noise, while re-measured configurations that gave the same value twice show there is none.
  double repeat_spread(const model& fitted) const {
    std::map<std::vector<std::int64_t>, std::vector<double>> repeats;
    for (const auto& trial : trials_) {
      if (trial.status == trial_status::ok) repeats[trial.cells].push_back(fitted.transformed(trial.value));
    }
    double squares = 0;
    std::size_t degrees = 0;
    for (const auto& [cells, values] : repeats) {
      if (values.size() < 2) continue;
      const double mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
      for (double value : values) squares += (value - mean) * (value - mean);
      degrees += values.size() - 1;
    }
    return degrees == 0 ? std::numeric_limits<double>::infinity() : std::sqrt(squares / static_cast<double>(degrees));
  }

  /// The reported best configuration and the rule that chose it (see `best()`), given the models
  /// fitted to all trials told.
  struct chosen_best {
    group trial;
    best_rule rule = best_rule::measurements;
  };
  /// See `best()`: the best mean of measurements, or the model's choice where repeats show noise.
  std::optional<chosen_best> choose_best(const model& fitted) const {
    const auto groups = feasible_groups();
    if (groups.empty()) return std::nullopt;
    std::vector<const group*> ranked;
    for (const auto& [cells, candidate] : groups) ranked.push_back(&candidate);
    std::stable_sort(ranked.begin(), ranked.end(), [&](const group* left, const group* right) {
      return target_of(left->mean()) < target_of(right->mean());
    });
    const group* chosen = ranked.front();
    best_rule rule = best_rule::measurements;
    // The model's mean is worth more than the measurements only where it explains them: a model
    // that calls most of their spread noise (a response it cannot fit, such as a steep quartic
    // valley) would otherwise pick, among "contenders" spanning most of the data, a configuration
    // measured far worse than the best one.
    if (fitted.has_objective && fitted.feasible_count >= 5 && fitted.objective.noise_ratio() < 0.25) {
      // Without a configuration measured twice there is no evidence of noise: the measurements rule.
      const double spread = repeat_spread(fitted);
      const double noise = std::isfinite(spread) ? std::min(std::sqrt(std::exp(fitted.objective.shape().log_noise)), spread) : 0.0;
      const double first = fitted.transformed(ranked.front()->mean());
      std::vector<const group*> contenders;
      for (const group* candidate : ranked) {
        if (fitted.transformed(candidate->mean()) > first + 2 * noise) break;
        contenders.push_back(candidate);
      }
      if (contenders.size() > 1) {
        double lowest = std::numeric_limits<double>::infinity();
        for (const group* candidate : contenders) {
          const double believed = fitted.objective.predict(features_of(trials_[candidate->first].position)).mean;
          if (believed < lowest) {
            lowest = believed;
            chosen = candidate;
          }
        }
        rule = best_rule::model_mean;
      }
    }
    return chosen_best{*chosen, rule};
  }

  /// A value turned so that lower is better.
  double target_of(double value) const { return maximize_ ? -value : value; }

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

  /// At most `limit` of `indices` (which index `targets`): the best half by target and the most
  /// recent, so that a long history keeps both what is known to be good and where the search is.
  static std::vector<std::size_t> bounded(const std::vector<std::size_t>& indices, const std::vector<double>& targets, std::size_t limit) {
    if (indices.size() <= limit) return indices;
    std::vector<std::size_t> by_target = indices;
    std::stable_sort(by_target.begin(), by_target.end(), [&](std::size_t left, std::size_t right) { return targets[left] < targets[right]; });
    std::set<std::size_t> kept(by_target.begin(), by_target.begin() + static_cast<std::ptrdiff_t>(limit / 2));
    for (auto index = indices.rbegin(); index != indices.rend() && kept.size() < limit; ++index) kept.insert(*index);
    return {kept.begin(), kept.end()};
  }

  /// Fits the models to the trials told; `pending` positions join the objective model at the
  /// value it expects there (they lower its doubt around them, not its hopes).
  void build(model& fitted, const std::vector<std::vector<double>>& pending) const {
    fitted.maximize = maximize_;
    std::vector<std::size_t> valued;   // trials whose value the objective model learns
    bool all_positive = true;
    for (std::size_t index = 0; index < trials_.size(); ++index) {
      const auto& trial = trials_[index];
      if (!trial.has_value) continue;
      valued.push_back(index);
      all_positive = all_positive && trial.value > 0;
      if (trial.status == trial_status::ok) ++fitted.feasible_count;
    }
    if (fitted.feasible_count == 0) {
      build_feasibility(fitted);
      return;
    }
    fitted.power_transformed = all_positive;
    if (all_positive) {
      std::vector<double> positive;
      for (auto index : valued) positive.push_back(trials_[index].value);
      fitted.power = detail::box_cox_power(positive);
    }
    // Standardize: the mean and standard deviation of the (transformed) values, lower is better.
    std::vector<double> raw(trials_.size(), 0.0);
    for (auto index : valued) {
      double base = fitted.power_transformed ? detail::box_cox(trials_[index].value, fitted.power) : trials_[index].value;
      raw[index] = maximize_ ? -base : base;
    }
    // An infeasible trial's value counts as no better than the best feasible one. Where a
    // constraint binds, the values beyond it are the tempting ones (the cheapest configurations
    // are those that break a latency bound): learned as they are, they would draw the search to
    // the infeasible side of the bound; clipped, they still say where the objective is worse.
    double best_feasible = std::numeric_limits<double>::infinity();
    for (auto index : valued) {
      if (trials_[index].status == trial_status::ok) best_feasible = std::min(best_feasible, raw[index]);
    }
    double sum = 0;
    for (auto index : valued) {
      if (trials_[index].status != trial_status::ok) raw[index] = std::max(raw[index], best_feasible);
      sum += raw[index];
    }
    fitted.center = sum / static_cast<double>(valued.size());
    double spread = 0;
    for (auto index : valued) spread += (raw[index] - fitted.center) * (raw[index] - fitted.center);
    spread = std::sqrt(spread / static_cast<double>(valued.size()));
    fitted.scale = spread > 1e-12 ? spread : 1.0;
    std::vector<double> targets(trials_.size(), 0.0);
    for (auto index : valued) targets[index] = (raw[index] - fitted.center) / fitted.scale;
    // Failed and rejected trials teach only the feasibility model: as "the worst value" in the
    // objective model they would make a cliff next to the optimum (a crash region usually borders
    // it: too little memory per worker), which pulls the modelled values of its good neighbours
    // down and shortens every lengthscale. The feasibility model keeps the search away instead.
    const auto fit_indices = bounded(valued, targets, fit_points_limit);
    const auto condition_indices = bounded(valued, targets, condition_points_limit);
    std::vector<std::vector<double>> points;
    std::vector<double> values;
    for (auto index : fit_indices) {
      points.push_back(features_of(trials_[index].position));
      values.push_back(targets[index]);
    }
    fitted.has_objective = fitted.objective.fit(points, values, inputs_, 60, typical_lengthscale());
    if (fitted.has_objective) {
      points.clear();
      values.clear();
      for (auto index : condition_indices) {
        points.push_back(features_of(trials_[index].position));
        values.push_back(targets[index]);
      }
      if (condition_indices != fit_indices) {
        fitted.has_objective = fitted.objective.condition(points, values, fitted.objective.shape());
      }
    }
    if (fitted.has_objective) {
      // The incumbent and the leaders: measured feasible configurations by model mean.
      std::vector<std::pair<double, std::size_t>> believed;
      std::set<std::vector<std::int64_t>> seen;
      for (std::size_t index = 0; index < trials_.size(); ++index) {
        if (trials_[index].status != trial_status::ok || !seen.insert(trials_[index].cells).second) continue;
        believed.emplace_back(fitted.objective.predict(features_of(trials_[index].position)).mean, index);
      }
      std::stable_sort(believed.begin(), believed.end());
      fitted.incumbent = believed.front().first;
      fitted.incumbent_position = trials_[believed.front().second].position;
      for (const auto& [mean, index] : believed) fitted.leaders.push_back(trials_[index].cells);
      if (!pending.empty()) {
        for (const auto& position : pending) {
          const auto at = features_of(position);
          values.push_back(fitted.objective.predict(at).mean);
          points.push_back(at);
        }
        fitted.has_objective = fitted.objective.condition(points, values, fitted.objective.shape());
      }
    }
    build_feasibility(fitted);
  }

  /// Feasibility as a regression on +1 (feasible) and -1 (failed, rejected, infeasible) around
  /// their mean: unexplored regions sit at the share seen so far. Only when some trial was not
  /// feasible.
  void build_feasibility(model& fitted) const {
    std::vector<std::size_t> all(trials_.size());
    std::iota(all.begin(), all.end(), 0);
    std::vector<double> labels(trials_.size());
    bool any_unfeasible = false;
    for (std::size_t index = 0; index < trials_.size(); ++index) {
      labels[index] = trials_[index].status == trial_status::ok ? 1.0 : -1.0;
      any_unfeasible = any_unfeasible || labels[index] < 0;
    }
    if (!any_unfeasible) return;
    // Where nothing was tried yet, the chance of feasibility is the share of feasible trials so
    // far, not an even chance: when most of the space fails or breaks a constraint (a cost under
    // a latency bound: the cheap configurations are exactly the infeasible ones), an even chance
    // lets the objective's optimism about untried cheap corners win over the known feasible region.
    fitted.feasible_share = std::accumulate(labels.begin(), labels.end(), 0.0) / static_cast<double>(labels.size());
    // The unfeasible ones first (the low labels), then the most recent.
    const auto kept = bounded(all, labels, fit_points_limit);
    std::vector<std::vector<double>> points;
    std::vector<double> values;
    for (auto index : kept) {
      points.push_back(features_of(trials_[index].position));
      values.push_back(labels[index] - fitted.feasible_share);
    }
    // Failing regions are usually wide (too little memory, a broken combination): the prior
    // expects long lengthscales, so that a few failures mark a region rather than points. A
    // configuration fails or passes the same way each time, so the labels' noise is kept small
    // (a variance of at most 0.2 on labels of +-1): free to call them noise, the fit did so
    // where failures came from interactions (threads times memory per thread, TTL plus grace),
    // found the whole space equally likely to fail, and the search followed the objective into
    // the failing corners.
    fitted.has_feasibility = fitted.feasibility.fit(points, values, inputs_, 30, 1.5, 0.2);
  }

  /// The chance that `at` is feasible: the label's mean against its doubt, the doubt capped so
  /// that a region full of failures counts as one even where the regression is unsure.
  static double feasible_chance(const model& fitted, const std::vector<double>& at) {
    if (!fitted.has_feasibility) return 1.0;
    const auto belief = fitted.feasibility.predict(at);
    return detail::normal_cdf((belief.mean + fitted.feasible_share) / std::min(std::sqrt(belief.variance + 1e-6), 0.35));
  }

  /// How much measuring at `position` is worth: log expected improvement plus the log chance of
  /// feasibility (times `feasibility_weight`).
  double acquisition(const model& fitted, const std::vector<double>& position) const {
    const auto at = features_of(position);
    if (!fitted.has_objective) {
      // Nothing feasible to improve on yet: look where feasibility is likeliest, or least known.
      if (!fitted.has_feasibility) return 0.0;
      return feasible_chance(fitted, at) + 0.1 * std::sqrt(fitted.feasibility.predict(at).variance);
    }
    const auto belief = fitted.objective.predict(at);
    return detail::log_expected_improvement(belief.mean, belief.variance, fitted.incumbent) +
           feasibility_weight * std::log(std::max(feasible_chance(fitted, at), 1e-300));
  }

  /// Whether the centre is measured after the baseline: unless the baseline is the centre.
  bool centre_planned() const { return space_.cells(centre_position()) != space_.cells(space_.baseline()); }

  /// The trials before the model leads: the baseline, the centre (if planned) and the design.
  std::size_t initial_trials() const { return 1 + (centre_planned() ? 1 : 0) + design_size(); }

  /// The trust region's edge (in features, each in [0, 1]) after the trials told: it starts at 0.4,
  /// doubles (up to 1) after 3 improvements in a row, halves after max(4, features / 2) trials
  /// without one, and starts over at 0.4 when it falls below 1/32.
  double trust_length() const {
    double length = trust_length_start;
    const std::size_t patience = std::max<std::size_t>(4, features_.size() / 2);
    std::size_t successes = 0;
    std::size_t failures = 0;
    double best = std::numeric_limits<double>::infinity();
    const std::size_t first_led = initial_trials();   // the first trial the model chose
    for (std::size_t index = 0; index < trials_.size(); ++index) {
      const auto& trial = trials_[index];
      const bool feasible = trial.status == trial_status::ok;
      const double target = feasible ? target_of(trial.value) : std::numeric_limits<double>::infinity();
      if (index >= first_led) {
        if (target < best - 1e-3 * std::abs(best)) {
          ++successes;
          failures = 0;
        } else {
          ++failures;
          successes = 0;
        }
        if (successes >= 3) {
          length = std::min(2 * length, 1.0);
          successes = 0;
        }
        if (failures >= patience) {
          length /= 2;
          failures = 0;
          if (length < 1.0 / 32) length = trust_length_start;
        }
      }
      best = std::min(best, target);
    }
    return length;
  }

  /// Every configuration one move from `origin`: each range a grid step and a small and a larger
  /// move along its feature up or down, each ordered enum a member up or down, each category to
  /// each other member.
  std::vector<std::vector<double>> adjacent(const std::vector<double>& origin) const {
    std::vector<std::vector<double>> result;
    const auto& dims = space_.dimensions();
    const auto at = features_of(origin);
    for (std::size_t f = 0; f < features_.size(); ++f) {
      const auto& described = features_[f];
      const std::size_t index = described.dimension;
      const auto& dim = dims[index];
      auto add = [&](double coordinate) {
        std::vector<double> moved = origin;
        moved[index] = coordinate;
        moved = space_.snap(moved);
        if (moved[index] != origin[index]) result.push_back(std::move(moved));
      };
      switch (described.kind) {
        case feature_kind::linear:
        case feature_kind::logarithmic: {
          const double grid = dim.step > 0 ? 1.0 / static_cast<double>(dim.last_step) : 0.01;
          add(std::clamp(origin[index] - grid, 0.0, 1.0));
          add(std::clamp(origin[index] + grid, 0.0, 1.0));
          for (double shift : {-0.15, -0.05, 0.05, 0.15}) add(coordinate_of(described, at[f] + shift));
          break;
        }
        case feature_kind::ordered: {
          // The neighbours in value order, whatever the order the descriptor lists them in.
          const auto member = static_cast<std::size_t>(std::llround(origin[index]));
          const double here = described.member_features[member];
          std::optional<std::size_t> below, above;
          for (std::size_t other = 0; other < described.member_features.size(); ++other) {
            const double there = described.member_features[other];
            if (there < here && (!below || there > described.member_features[*below])) below = other;
            if (there > here && (!above || there < described.member_features[*above])) above = other;
          }
          if (below) add(static_cast<double>(*below));
          if (above) add(static_cast<double>(*above));
          break;
        }
        case feature_kind::categorical:
          for (std::size_t member = 0; member < dim.members.size(); ++member) add(static_cast<double>(member));
          break;
      }
    }
    return result;
  }

  /// A controlled trial for a string enum's member that was tried at most twice, never beside a
  /// feasible trial that differs from it in that member alone: the `reported` best (`choose_best`,
  /// what `best()` reports) with only that member changed, once per member. Its trials came with
  /// other settings changed too (a design point, a far candidate), so they cannot tell the
  /// member's own effect from those settings'. One trial that differs from a known good
  /// configuration in the member alone tells it.
  /// - A member whose trials all failed is probed at once: the feasibility model puts the failures
  ///   on the one feature they share, and the member is never tried again (a shield that crashed
  ///   only because the origin had too few connections, a fast network instance tried only with
  ///   tiny parts).
  /// - Any such member is probed once the search stalls (the trust region has shrunk: several
  ///   trials in a row improved nothing). A member whose one trial was feasible but far from the
  ///   good settings looks no better to the model than the incumbent's, whose settings it knows;
  ///   a mode that scales the whole response by a few percent stays untried while the search
  ///   polishes the others (BBOB's discus with a four-mode factor: the search ended at the right
  ///   point in the wrong mode, 30% above the optimum, in 8 of 10 seeds). `stalled` says so: the
  ///   trust region is below its first edge (`trust_length_start`).
  template <typename is_new_t>
  std::optional<std::vector<double>> category_probe(const std::optional<chosen_best>& reported, bool stalled, const is_new_t& is_new) const {
    if (!reported) return std::nullopt;
    const auto& origin = trials_[reported->trial.first].position;
    const auto& dims = space_.dimensions();
    // Whether `trial` differs from a feasible trial in dimension `index` alone: a probe done.
    auto differs_alone = [&](const record& trial, std::size_t index) {
      return std::any_of(trials_.begin(), trials_.end(), [&](const record& other) {
        if (other.status != trial_status::ok || other.position[index] == trial.position[index]) return false;
        for (std::size_t d = 0; d < trial.cells.size(); ++d) {
          if (d != index && trial.cells[d] != other.cells[d]) return false;
        }
        return true;
      });
    };
    for (const auto& described : features_) {
      if (described.kind != feature_kind::categorical) continue;
      const std::size_t index = described.dimension;
      for (std::size_t member = 0; member < dims[index].members.size(); ++member) {
        const auto value = static_cast<double>(member);
        if (value == origin[index]) continue;
        std::vector<const record*> with_member;
        for (const auto& trial : trials_) {
          if (trial.position[index] == value) with_member.push_back(&trial);
        }
        if (with_member.empty() || with_member.size() > 2) continue;
        if (std::any_of(with_member.begin(), with_member.end(), [&](const record* trial) {
              return (trial->status == trial_status::ok && !stalled) || differs_alone(*trial, index);
            })) {
          continue;
        }
        auto moved = origin;
        moved[index] = value;
        moved = space_.snap(moved);
        if (is_new(moved)) return moved;
      }
    }
    return std::nullopt;
  }

  /// The position `ask()` suggests: the baseline, the design, then the best candidate by the
  /// acquisition (random over the space, dense in the trust region around the incumbent, and
  /// every move from the leaders), improved by climbing over adjacent configurations.
  std::vector<double> next_position(const std::vector<std::vector<double>>& pending) const {
    const std::size_t asked = trials_.size() + pending.size();
    if (asked == 0 || features_.empty()) return space_.baseline();   // nothing else to try
    std::map<std::vector<std::int64_t>, std::size_t> measured;
    for (const auto& trial : trials_) ++measured[trial.cells];
    std::set<std::vector<std::int64_t>> taken;
    for (const auto& position : pending) taken.insert(space_.cells(position));
    auto is_new = [&](const std::vector<double>& position) {
      const auto cells = space_.cells(position);
      return !measured.contains(cells) && !taken.contains(cells);
    };
    if (asked < initial_trials()) {
      // The centre (unless the baseline is the centre), then the Latin hypercube.
      const auto centre = centre_position();
      const bool with_centre = centre_planned();
      if (with_centre && asked == 1) {
        if (is_new(centre)) return centre;
      } else if (const std::size_t row = asked - 1 - (with_centre ? 1 : 0); row < design_size()) {
        const auto design = latin_hypercube(design_size(), features_.size(), seed_);
        auto planned = position_at(design[row], true);
        if (is_new(planned)) return planned;
      }
    }

    auto random = detail::random_source::for_trial(seed_, trials_.size() + 7919 * pending.size());
    model fitted;
    build(fitted, pending);
    const auto reported = choose_best(fitted);   // the trust region's centre, and the probes' origin
    const double length = trust_length();         // the trust region's edge
    if (auto probe = category_probe(reported, length < trust_length_start, is_new)) return std::move(*probe);
    auto random_units = [&] {
      std::vector<double> units(features_.size());
      for (double& unit : units) unit = random.uniform();
      return units;
    };

    std::vector<std::vector<double>> candidates;
    // Where the model cannot fit the response (it calls a quarter or more of the variance noise,
    // far beyond what a few percent of measurement noise gives on these standardized log values),
    // every other step looks only near the reported best (the trust region and the moves from
    // the leaders): such a model keeps finding hope in the far corners it knows least, while a
    // local step improves on what was measured. Where it fits, its global search is better
    // (local steps at every other step regardless won fewer seeds against random search).
    const bool local_step = fitted.has_objective && fitted.objective.noise_ratio() >= 0.25 && asked % 2 == 1;
    if (!local_step) {
      for (std::size_t i = 0; i < global_candidates; ++i) candidates.push_back(position_at(random_units()));
    }
    // Re-measuring is allowed for the three measured configurations the model believes best, up
    // to three times each, when the fitted noise says a measurement can mislead.
    std::set<std::vector<std::int64_t>> repeatable;
    if (fitted.has_objective) {
      const bool noisy = fitted.objective.noise_ratio() > 1e-3;
      for (std::size_t rank = 0; rank < std::min<std::size_t>(3, fitted.leaders.size()); ++rank) {
        if (noisy && measured[fitted.leaders[rank]] < 3 && !taken.contains(fitted.leaders[rank])) repeatable.insert(fitted.leaders[rank]);
      }
      // The trust region: around the incumbent, each feature within half the edge scaled by its
      // lengthscale relative to the others; each candidate moves a few features (TuRBO's
      // perturbation mask), categories to a random member.
      const auto& shape = fitted.objective.shape();
      double mean_log = 0;
      for (double log_lengthscale : shape.log_lengthscales) mean_log += log_lengthscale;
      mean_log /= static_cast<double>(shape.log_lengthscales.size());
      // Centred on the configuration `best()` would report: the best measured one unless repeats
      // show noise. The model's favourite can sit far from it where the model blames its misfit
      // on noise (a steep valley it cannot fit), and a search centred there never tries the small
      // moves from the best measurement that a noise-free response rewards.
      const auto& centre_position = reported ? trials_[reported->trial.first].position : fitted.incumbent_position;
      auto center = features_of(centre_position);
      for (std::size_t f = 0; f < features_.size(); ++f) {
        // A category's place in [0, 1] is the middle of its member's share.
        if (features_[f].kind != feature_kind::categorical) continue;
        const auto members = static_cast<double>(space_.dimensions()[features_[f].dimension].members.size());
        center[f] = (center[f] + 0.5) / members;
      }
      const double move_chance = std::min(1.0, 4.0 / static_cast<double>(features_.size()));
      for (std::size_t i = 0; i < local_candidates; ++i) {
        std::vector<double> units = center;
        const std::size_t forced = random.below(features_.size());
        for (std::size_t f = 0; f < features_.size(); ++f) {
          const double draw = random.uniform();
          if (f != forced && draw >= move_chance) continue;
          const double half = 0.5 * length * std::clamp(std::exp(shape.log_lengthscales[f] - mean_log), 0.25, 4.0);
          if (features_[f].kind == feature_kind::categorical) {
            const auto members = space_.dimensions()[features_[f].dimension].members.size();
            units[f] = (static_cast<double>(random.below(members)) + 0.5) / static_cast<double>(members);
          } else {
            units[f] = std::clamp(center[f] + half * (2 * random.uniform() - 1), 0.0, 1.0);
          }
        }
        candidates.push_back(position_at(units));
      }
      // Every move from the centre and from the three configurations the model believes best.
      std::vector<std::vector<std::int64_t>> origins{space_.cells(centre_position)};
      for (std::size_t rank = 0; rank < std::min<std::size_t>(3, fitted.leaders.size()); ++rank) {
        if (fitted.leaders[rank] != origins.front()) origins.push_back(fitted.leaders[rank]);
      }
      for (const auto& origin : origins) {
        for (std::size_t index = 0; index < trials_.size(); ++index) {
          if (trials_[index].cells != origin) continue;
          for (auto& moved : adjacent(trials_[index].position)) candidates.push_back(std::move(moved));
          if (repeatable.contains(origin)) candidates.push_back(trials_[index].position);
          break;
        }
      }
    }
    auto allowed = [&](const std::vector<double>& position) {
      if (is_new(position)) return true;
      return repeatable.contains(space_.cells(position));
    };

    std::set<std::vector<std::int64_t>> scored;
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!allowed(candidates[i]) || !scored.insert(space_.cells(candidates[i])).second) continue;
      ranked.emplace_back(acquisition(fitted, candidates[i]), i);
    }
    if (ranked.empty()) {
      // Every draw was measured: the space is (nearly) exhausted; any configuration not yet
      // measured, else the incumbent again.
      for (int attempt = 0; attempt < 2000; ++attempt) {
        auto position = position_at(random_units());
        if (is_new(position)) return position;
      }
      return fitted.has_objective ? fitted.incumbent_position : space_.baseline();
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& left, const auto& right) { return left.first > right.first; });

    // Climb from the three most promising candidates over adjacent configurations.
    std::vector<double> chosen = candidates[ranked.front().second];
    double chosen_score = ranked.front().first;
    for (std::size_t start = 0; start < std::min<std::size_t>(3, ranked.size()); ++start) {
      std::vector<double> current = candidates[ranked[start].second];
      double current_score = ranked[start].first;
      if (!is_new(current)) continue;
      for (int step = 0; step < 8; ++step) {
        bool moved = false;
        for (auto& next : adjacent(current)) {
          if (!is_new(next)) continue;
          const double score = acquisition(fitted, next);
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
  std::vector<feature> features_;
  detail::kernel_inputs inputs_;
  std::vector<record> trials_;
};

}  // namespace servokit::optimize
