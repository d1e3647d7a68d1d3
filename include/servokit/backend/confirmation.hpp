#pragma once
/// @file
/// The confirmation phase (`optimization.confirm: N`): once the budget's trials are recorded, the
/// top configurations and the baseline are measured N times more each, so that the reported best
/// is not a lucky draw and its gain comes with an uncertainty. What is re-measured is decided from
/// the recorded search trials alone (never from the optimizer's state), so every replica, and a
/// resumed study, agrees on it; what remains to measure is read from the recorded and running
/// confirmation trials.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include <servokit/backend/store.hpp>

namespace servokit::backend {

/// How many of the best search configurations are confirmed beside the baseline. With the usual
/// few-percent noise the top of a search is a handful of near-ties, and the one measured best is
/// most often the luckiest draw among them; three covers those near-ties while the confirmation
/// costs (3 + 1) x N trials, a modest share of a typical budget of 30 or more.
inline constexpr std::size_t confirmed_top_count = 3;

/// The confidence of the gain's interval.
inline constexpr double gain_confidence = 0.95;

/// Mean, spread and count of repeated measurements of one configuration.
struct sample_summary {
  double mean = 0;          ///< the arithmetic mean
  double stddev = 0;        ///< the sample standard deviation (n - 1); 0 for a single measurement
  std::int64_t count = 0;   ///< how many measurements
};

/// The mean and spread of `values`; none when there are none.
inline std::optional<sample_summary> summarize_samples(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  sample_summary summary;
  summary.count = static_cast<std::int64_t>(values.size());
  for (double value : values) summary.mean += value;
  summary.mean /= static_cast<double>(values.size());
  if (values.size() > 1) {
    double squares = 0;
    for (double value : values) squares += (value - summary.mean) * (value - summary.mean);
    summary.stddev = std::sqrt(squares / static_cast<double>(values.size() - 1));
  }
  return summary;
}

/// How much better the best is than the baseline, in the objective's units (positive: better),
/// with its interval at `gain_confidence`.
struct gain_estimate {
  double gain = 0;                  ///< best mean minus baseline mean, signed so that better is positive
  std::optional<double> low, high;  ///< the interval; none when a side has a single measurement
};

/// The gain of `best` over `baseline` and its interval: Welch's t interval from the two means'
/// standard errors (the two configurations may have different spreads, and with a few repeats
/// each the normal 1.96 would be too narrow).
inline gain_estimate estimate_gain(const sample_summary& best, const sample_summary& baseline, bool maximize) {
  gain_estimate estimate;
  estimate.gain = maximize ? best.mean - baseline.mean : baseline.mean - best.mean;
  if (best.count < 2 || baseline.count < 2) return estimate;
  const double best_variance = best.stddev * best.stddev / static_cast<double>(best.count);
  const double baseline_variance = baseline.stddev * baseline.stddev / static_cast<double>(baseline.count);
  const double standard_error = std::sqrt(best_variance + baseline_variance);
  double half_width = 0;
  if (standard_error > 0) {
    // Welch-Satterthwaite degrees of freedom.
    const double freedom = std::pow(best_variance + baseline_variance, 2) /
                           (best_variance * best_variance / static_cast<double>(best.count - 1) +
                            baseline_variance * baseline_variance / static_cast<double>(baseline.count - 1));
    const boost::math::students_t distribution(freedom);
    half_width = boost::math::quantile(distribution, 0.5 + gain_confidence / 2) * standard_error;
  }
  estimate.low = estimate.gain - half_width;
  estimate.high = estimate.gain + half_width;
  return estimate;
}

/// The configurations to confirm, settings JSON each: the baseline (trial 1's) first, then up to
/// `confirmed_top_count` others, best first by the mean of their feasible measurements among the
/// search trials (those numbered up to `budget`); ties go to the one measured first. Ranking by
/// measurements, not by the optimizer's model, keeps the list a function of the recorded trials.
inline std::vector<std::string> confirmation_candidates(const std::vector<trial_record>& trials, std::int64_t budget,
                                                        bool maximize) {
  std::vector<std::string> candidates;
  if (trials.empty()) return candidates;
  const std::string& baseline = trials.front().settings_json;
  candidates.push_back(baseline);
  struct ranked {
    std::string settings_json;
    double sum = 0;
    std::int64_t count = 0;
    std::int64_t first = 0;
  };
  std::vector<ranked> measured;
  for (const auto& trial : trials) {
    if (trial.number > budget || trial.confirmation || trial.status != "ok" || !trial.objective) continue;
    if (trial.settings_json == baseline) continue;
    auto found = std::find_if(measured.begin(), measured.end(),
                              [&](const ranked& entry) { return entry.settings_json == trial.settings_json; });
    if (found == measured.end()) found = measured.insert(measured.end(), ranked{trial.settings_json, 0, 0, trial.number});
    found->sum += *trial.objective;
    found->count += 1;
  }
  std::stable_sort(measured.begin(), measured.end(), [&](const ranked& a, const ranked& b) {
    const double mean_a = a.sum / static_cast<double>(a.count), mean_b = b.sum / static_cast<double>(b.count);
    if (mean_a != mean_b) return maximize ? mean_a > mean_b : mean_a < mean_b;
    return a.first < b.first;
  });
  for (std::size_t i = 0; i < measured.size() && i < confirmed_top_count; ++i) candidates.push_back(measured[i].settings_json);
  return candidates;
}

/// The configuration the next confirmation trial measures: the first candidate, in order, with
/// the fewest trials so far (recorded confirmation trials and `running_settings`) among those
/// short of `repeats`, so that the rounds interleave and an interrupted phase is balanced.
/// None when every candidate has its `repeats`.
inline std::optional<std::string> next_confirmation(const std::vector<std::string>& candidates,
                                                    const std::vector<trial_record>& trials,
                                                    const std::vector<std::string>& running_settings,
                                                    std::int64_t repeats) {
  std::optional<std::string> chosen;
  std::int64_t fewest = repeats;
  for (const auto& candidate : candidates) {
    std::int64_t taken = std::count(running_settings.begin(), running_settings.end(), candidate);
    for (const auto& trial : trials) taken += trial.confirmation && trial.settings_json == candidate ? 1 : 0;
    if (taken < fewest) {
      fewest = taken;
      chosen = candidate;
    }
  }
  return chosen;
}

/// The confirmation trials of one configuration.
struct confirmed_configuration {
  std::string settings_json;                 ///< the configuration
  std::optional<sample_summary> measured;    ///< its feasible re-measurements, none when none
  bool all_ok = true;                        ///< every re-measurement succeeded and was feasible
};

/// What the confirmation trials of `trials` measured for `settings_json`.
inline confirmed_configuration confirmed_measurements(const std::vector<trial_record>& trials,
                                                      const std::string& settings_json) {
  confirmed_configuration confirmed{settings_json, std::nullopt, true};
  std::vector<double> values;
  for (const auto& trial : trials) {
    if (!trial.confirmation || trial.settings_json != settings_json) continue;
    if (trial.status == "ok" && trial.objective) {
      values.push_back(*trial.objective);
    } else {
      confirmed.all_ok = false;
    }
  }
  confirmed.measured = summarize_samples(values);
  return confirmed;
}

}  // namespace servokit::backend
