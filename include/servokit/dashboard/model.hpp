#pragma once
/// @file
/// What the dashboard shows, apart from where it comes from: a study's overview (a row of `/`),
/// its trials, and the best configuration against the baseline, computed from the trials. A
/// `study_source` supplies them: live sessions in this process (`session_source`) or a study
/// store; the API (`api.hpp`) only reads through it.

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/backend/store.hpp>

namespace servokit::dashboard {

/// The states a study is shown in.
namespace states {
inline constexpr std::string_view running = "running";
inline constexpr std::string_view done = "done";
inline constexpr std::string_view failed = "failed";
}  // namespace states

/// One study as the list of every study shows it.
struct study_overview {
  std::string app;                     ///< the application id
  std::string state;                   ///< `running`, `done` or `failed`
  std::string reason;                  ///< why, when `failed`
  std::int64_t budget = 0;             ///< trials the study may hold, the baseline included
  std::int64_t trials_done = 0;        ///< trials recorded so far
  bool maximize = false;               ///< the objective's goal
  std::string objective;               ///< the objective and constraints in words (`minimize latency, ...`)
  std::string config_json = "null";    ///< the `optimization:` section as compact JSON
  std::optional<double> created;       ///< Unix time the study started, when known
  std::optional<double> last_activity; ///< Unix time of the last recorded trial (or the start)
};

/// One study with its trials, in order.
struct study_details {
  study_overview overview;
  std::vector<backend::trial_record> trials;
};

/// Where the dashboard reads studies from. Implementations are called from the HTTP server's
/// threads at any time and must be safe for that.
class study_source {
 public:
  virtual ~study_source() = default;
  /// Every study with its trials, in a stable order (by app id).
  virtual std::vector<study_details> studies() = 0;
  /// One study, or nothing when `app` has none.
  virtual std::optional<study_details> study(std::string_view app) = 0;
};

/// The measurements of one configuration: repeats of the same settings are one group.
struct configuration_result {
  std::string settings_json = "{}";   ///< the settings, as the study stores them
  std::int64_t first_trial = 0;       ///< the first trial that measured them
  std::int64_t repeats = 0;           ///< successful measurements of them
  double mean = 0;                    ///< the mean objective over those
  std::optional<double> spread;       ///< the sample standard deviation, with two or more repeats
};

/// The best configuration against the baseline, as the trials measured them.
struct best_result {
  std::optional<configuration_result> best;       ///< the configuration with the best mean objective
  std::optional<configuration_result> baseline;   ///< trial 1's configuration, when it was measured
  /// How much better the best mean is than the baseline mean, in percent of the baseline.
  std::optional<double> improvement_percent;
  /// The spread of that gain: the best's and the baseline's spreads combined, in percent of the
  /// baseline; only when there are repeats.
  std::optional<double> improvement_spread;
};

/// The best configuration and the baseline among `trials`: successful trials grouped by their
/// settings and compared by each group's mean objective (a configuration measured again counts
/// once, by its mean, with its spread); on equal means the one measured first wins.
inline best_result summarize_best(const std::vector<backend::trial_record>& trials, bool maximize) {
  struct accumulator {
    std::int64_t first_trial = 0;
    std::int64_t count = 0;
    double sum = 0;
    double sum_of_squares = 0;
  };
  std::map<std::string, accumulator, std::less<>> groups;
  for (const auto& trial : trials) {
    if (trial.status != "ok" || !trial.objective || !std::isfinite(*trial.objective)) continue;
    auto& group = groups[trial.settings_json];
    if (group.count == 0) group.first_trial = trial.number;
    ++group.count;
    group.sum += *trial.objective;
    group.sum_of_squares += *trial.objective * *trial.objective;
  }
  const auto result_of = [](const std::string& settings, const accumulator& group) {
    configuration_result result;
    result.settings_json = settings;
    result.first_trial = group.first_trial;
    result.repeats = group.count;
    const auto count = static_cast<double>(group.count);
    result.mean = group.sum / count;
    if (group.count > 1) {
      const double variance = (group.sum_of_squares - count * result.mean * result.mean) / (count - 1);
      result.spread = std::sqrt(variance > 0 ? variance : 0);
    }
    return result;
  };
  best_result summary;
  for (const auto& [settings, group] : groups) {
    auto candidate = result_of(settings, group);
    if (!summary.best || (maximize ? candidate.mean > summary.best->mean : candidate.mean < summary.best->mean) ||
        (candidate.mean == summary.best->mean && candidate.first_trial < summary.best->first_trial)) {
      summary.best = std::move(candidate);
    }
  }
  if (!trials.empty()) {
    if (const auto found = groups.find(trials.front().settings_json); found != groups.end()) {
      summary.baseline = result_of(found->first, found->second);
    }
  }
  if (summary.best && summary.baseline && summary.baseline->mean != 0) {
    const double scale = std::fabs(summary.baseline->mean);
    const double gain = maximize ? summary.best->mean - summary.baseline->mean : summary.baseline->mean - summary.best->mean;
    summary.improvement_percent = gain / scale * 100.0;
    if (summary.best->spread || summary.baseline->spread) {
      const double best_spread = summary.best->spread.value_or(0);
      const double baseline_spread = summary.baseline->spread.value_or(0);
      summary.improvement_spread = std::sqrt(best_spread * best_spread + baseline_spread * baseline_spread) / scale * 100.0;
    }
  }
  return summary;
}

}  // namespace servokit::dashboard
