#pragma once
/// @file
/// The trial bookkeeping of one application's study: the objective, the optimizer that asks for
/// configurations, the study that keeps every trial, and the report for people. It knows nothing
/// of the protocol: the conversation (`conversation.hpp`) asks it for the next trial and hands it
/// each result.
///
/// The study is the truth: a trial is committed to it before the optimizer hears of it, and a
/// resumed study replays its trials into a fresh optimizer, so that it asks what the interrupted
/// run would have asked.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/report.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>
#include <servokit/optimize/config.hpp>
#include <servokit/optimize/objective.hpp>
#include <servokit/optimize/optimizer.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/metrics.hpp>
#include <servokit/protocol/validate.hpp>

namespace servokit::backend {

/// Everything a session is told at its start.
struct session_options {
  std::string app_id;                        ///< the application, as the agent names it
  optimize::optimization_config config;      ///< the `optimization:` section
  std::int64_t budget = 30;                  ///< trials, the baseline included (config or `--budget`)
  std::uint64_t seed = 1;                    ///< the optimizer's seed (config or `--seed`)
  std::optional<std::filesystem::path> report_directory;  ///< `--report DIR`: where the report goes
  int sleep_seconds = 120;                   ///< the SLEEP duration once there is nothing to do
};

/// What a session tells whoever shows progress (all optional; called with the session's lock held,
/// so they must not call back into it).
struct session_listener {
  /// A trial's phase begins: `adjusting`, `measuring`, or `applying the best configuration`.
  std::function<void(std::int64_t trial, std::int64_t budget, std::string_view phase)> phase;
  /// A progress event of the running driver: percent done and its message.
  std::function<void(double percent, std::string_view message)> progress;
  /// A trial was recorded; `best` is the best so far.
  std::function<void(const trial_record& trial, const best_summary& best)> trial_finished;
};

/// The objective and its constraints as one line: what a study records and compares.
inline std::string describe_objective(const optimize::objective& objective) {
  std::string text = objective.describe();
  for (const auto& constraint : objective.constraints()) {
    if (constraint.min) text += ", " + constraint.metric + " >= " + format_number(*constraint.min);
    if (constraint.max) text += ", " + constraint.metric + " <= " + format_number(*constraint.max);
  }
  return text;
}

/// What differs between the settings a study was made for and the ones described now, one entry
/// per difference (`web.cpu: max 4 -> 8`, `web.mem: new setting`). Current values are not
/// compared (they are whatever the last trial left), except for pinned settings.
inline std::vector<std::string> describe_setting_changes(const application& stored, const application& current) {
  std::vector<std::string> changes;
  const auto text = [](const auto& value) {
    std::string out;
    json::writer(out).value(value);
    return out;
  };
  const auto compare = [&](const std::string& where, std::string_view key, const std::string& before,
                           const std::string& after) {
    if (before != after) changes.push_back(where + ": " + std::string(key) + " " + before + " -> " + after);
  };
  for (const auto& [component_name, component] : stored.components) {
    const auto now = current.components.find(component_name);
    for (const auto& [setting_name, declared] : component.settings) {
      const std::string where = component_name + "." + setting_name;
      if (now == current.components.end() || !now->second.settings.contains(setting_name)) {
        changes.push_back(where + ": no longer described");
        continue;
      }
      const setting& described = now->second.settings.at(setting_name);
      compare(where, "type", declared.is_enum() ? "enum" : "range", described.is_enum() ? "enum" : "range");
      compare(where, "min", text(declared.min), text(described.min));
      compare(where, "max", text(declared.max), text(described.max));
      compare(where, "step", text(declared.step), text(described.step));
      compare(where, "values", text(declared.values), text(described.values));
      compare(where, "pinned", text(declared.pinned.value_or(false)), text(described.pinned.value_or(false)));
      if (declared.pinned.value_or(false)) compare(where, "pinned value", text(declared.value), text(described.value));
    }
  }
  for (const auto& [component_name, component] : current.components) {
    const auto before = stored.components.find(component_name);
    for (const auto& [setting_name, unused] : component.settings) {
      if (before == stored.components.end() || !before->second.settings.contains(setting_name)) {
        changes.push_back(component_name + "." + setting_name + ": new setting");
      }
    }
  }
  return changes;
}

/// A trial that was asked for and has no result yet.
struct pending_trial {
  std::int64_t number = 0;      ///< the number it will be recorded under
  std::string settings_json;    ///< the configuration, as the study stores it
  double started = 0;           ///< Unix time of its (latest) adjust
};

/// Unix time in seconds, as the study records it.
inline double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// The bookkeeping of one application's trials: study, optimizer, report.
class trial_book {
 public:
  /// Opens (or resumes) `options.app_id`'s study in `study`. Throws `optimize::error` for a bad
  /// objective, and `std::runtime_error` when the stored study was made for another objective or
  /// seed: refused before anything runs.
  trial_book(const session_options& options, study_database& study, const session_listener& listener)
      : options_(options), objective_(options.config), study_(study), listener_(listener) {
    if (auto stored = study_.identity(options_.app_id)) {
      const std::string wanted = describe_objective(objective_);
      if (stored->objective != wanted) {
        throw std::runtime_error(study_.file() + ": the study of \"" + options_.app_id + "\" was made for objective \"" +
                                 stored->objective + "\", the config now says \"" + wanted +
                                 "\"; use another --study file (or delete this one) to start a new study");
      }
      if (stored->seed != options_.seed) {
        throw std::runtime_error(study_.file() + ": the study of \"" + options_.app_id + "\" was made with seed " +
                                 std::to_string(stored->seed) + ", now " + std::to_string(options_.seed) +
                                 "; use another --study file (or delete this one) to start a new study");
      }
      identity_ = std::move(stored);
    }
    if (options_.report_directory) report_.emplace(*options_.report_directory);
  }

  /// Checks a description against the study and the objective; starts the study (or the
  /// optimizer of a resumed one) when it fits. Returns the reason when it is refused.
  std::optional<std::string> describe(const application& described, const metric_descriptors& metrics) {
    try {
      validate_descriptor(described);
    } catch (const std::exception& failure) {
      return std::string("the adjust driver's descriptor is not valid: ") + failure.what();
    }
    try {
      objective_.check_metrics(metrics);
    } catch (const std::exception& failure) {
      return std::string(failure.what());
    }
    std::string descriptor_json;
    json::writer(descriptor_json).value(application_descriptor{described});
    if (!identity_) {
      study_identity created{descriptor_json, describe_objective(objective_), options_.seed};
      study_.create(options_.app_id, created, unix_now());
      identity_ = std::move(created);
    } else {
      const auto stored = json::read<application_descriptor>(identity_->descriptor_json);
      const auto changes = describe_setting_changes(stored.application, described);
      if (!changes.empty()) {
        std::string list;
        for (const auto& change : changes) list += (list.empty() ? "" : "; ") + change;
        return study_.file() + ": the study of \"" + options_.app_id + "\" was made for other settings (" + list +
               "); use another --study file (or delete this one) to start a new study";
      }
    }
    if (!optimizer_) start_optimizer();
    return std::nullopt;
  }

  /// Whether every trial of the budget is recorded.
  bool budget_spent() const { return static_cast<std::int64_t>(trials_.size()) >= options_.budget; }

  /// The next trial: the optimizer's next configuration.
  pending_trial ask() {
    const auto configuration = optimizer_->ask();
    return pending_trial{static_cast<std::int64_t>(trials_.size()) + 1, settings_text(configuration), unix_now()};
  }

  /// Records a trial that has no measurement (its adjust or measure failed, or was rejected).
  void record_failure(const pending_trial& trial, optimize::trial_status status, std::string reason) {
    record(trial, status, "{}", std::nullopt, std::move(reason));
  }

  /// Records a measurement: the objective evaluated on the reported metrics.
  void record_measurement(const pending_trial& trial, const ordered_map<metric_value>& metrics) {
    ordered_map<double> values;
    ordered_map<scalar> reported;
    for (const auto& [name, metric] : metrics) {
      if (!metric.value) continue;
      reported.insert_or_assign(name, *metric.value);
      if (auto number = numeric_value(*metric.value)) {
        values.insert_or_assign(name, *number);
      } else if (const auto* text = std::get_if<std::string>(&*metric.value)) {
        // Drivers in other languages print numbers as strings now and then ("12.5").
        char* end = nullptr;
        const double parsed = std::strtod(text->c_str(), &end);
        if (!text->empty() && end == text->c_str() + text->size()) values.insert_or_assign(name, parsed);
      }
    }
    std::string metrics_json;
    json::writer(metrics_json).value(reported);
    const auto evaluation = objective_.evaluate(values);
    record(trial, evaluation.status, metrics_json, evaluation.value, evaluation.reason);
  }

  /// The configuration the study ends with: the optimizer's best, else the baseline.
  std::string final_settings() const {
    const best_summary best = best_by_optimizer();
    return best.settings_json != "null" ? best.settings_json : trials_.front().settings_json;
  }

  /// Records that the application was left in `settings_json`, and completes the report.
  /// Returns a note when the plot was skipped.
  std::optional<std::string> finish(const std::string& settings_json) {
    study_.mark_finished(options_.app_id, settings_json);
    if (!report_) return std::nullopt;
    const best_summary best = best_by_optimizer();
    report_->write_tables(trials_, best);
    return report_->plot(trials_, best, options_.app_id + ": " + describe_objective(objective_));
  }

  /// The study's trials, in order.
  const std::vector<trial_record>& trials() const { return trials_; }

  /// The trial with the best measured objective so far.
  best_summary best_measured() const {
    best_summary summary = baseline_summary();
    for (const auto& trial : trials_) {
      if (trial.status != "ok" || !trial.objective) continue;
      if (!summary.objective || (summary.maximize ? *trial.objective > *summary.objective : *trial.objective < *summary.objective)) {
        summary.objective = trial.objective;
        summary.settings_json = trial.settings_json;
        summary.trial = trial.number;
      }
    }
    return summary;
  }

  /// The optimizer's choice of the best configuration (noise-aware: not a lucky draw).
  best_summary best_by_optimizer() const {
    best_summary summary = baseline_summary();
    if (optimizer_) {
      if (const auto found = optimizer_->best()) {
        summary.settings_json = settings_text(found->settings);
        summary.objective = found->value;
        summary.trial = static_cast<std::int64_t>(found->trial) + 1;
      }
    }
    return summary;
  }

  /// `{"metrics": [what the objective reads], "control": <optimization.control>}`.
  std::string measure_param() const {
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("metrics"), out.value(objective_.metrics());
    out.key("control"), out.raw(options_.config.control ? options_.config.control->text() : std::string("{}"));
    out.end_object();
    return text;
  }

 private:
  best_summary baseline_summary() const {
    best_summary summary;
    summary.maximize = objective_.maximize();
    if (!trials_.empty() && trials_.front().status == "ok") summary.baseline = trials_.front().objective;
    return summary;
  }

  static std::string settings_text(const optimize::configuration& configuration) {
    std::string text;
    json::writer(text).value(configuration);
    return text;
  }

  /// Builds the optimizer for the study's own descriptor (its baseline is the application as it
  /// was first described, not as the last trial left it) and replays every stored trial.
  void start_optimizer() {
    const auto stored = json::read<application_descriptor>(identity_->descriptor_json);
    optimizer_.emplace(stored.application, objective_, options_.seed);
    trials_ = study_.trials(options_.app_id);
    for (const auto& trial : trials_) {
      const auto status = optimize::trial_status_from_string(trial.status).value_or(optimize::trial_status::failed);
      optimizer_->tell(json::read<optimize::configuration>(trial.settings_json), status, trial.objective);
    }
    if (report_) {
      report_->restart(trials_);
      if (!trials_.empty()) report_->write_tables(trials_, best_measured());
    }
  }

  void record(const pending_trial& pending, optimize::trial_status status, std::string metrics_json,
              std::optional<double> value, std::string reason) {
    trial_record trial;
    trial.number = pending.number;
    trial.settings_json = pending.settings_json;
    trial.metrics_json = std::move(metrics_json);
    // An infeasible trial keeps the objective's value when it had one (only a constraint broke):
    // the optimizer learns from it, and best() never picks it.
    trial.objective = status == optimize::trial_status::ok || status == optimize::trial_status::infeasible ? value : std::nullopt;
    trial.status = std::string(optimize::to_string(status));
    trial.reason = status == optimize::trial_status::ok ? std::string() : std::move(reason);
    trial.started = pending.started;
    trial.finished = unix_now();
    // The study first: it is the truth a resumed run starts from. The optimizer hears of the trial
    // only once it is durable, so the two never disagree.
    study_.record(options_.app_id, trial);
    optimizer_->tell(json::read<optimize::configuration>(trial.settings_json), status, trial.objective);
    trials_.push_back(trial);
    // The best measured so far, for the progress line and the running best.json: the optimizer's
    // own choice (which weighs noise) fits its model again, so it is asked once, at the end.
    const best_summary best = best_measured();
    if (report_) {
      report_->append(trial);
      report_->write_tables(trials_, best);
    }
    if (listener_.trial_finished) listener_.trial_finished(trial, best);
  }

  const session_options& options_;
  optimize::objective objective_;
  study_database& study_;
  const session_listener& listener_;
  std::optional<report_writer> report_;
  std::optional<study_identity> identity_;
  std::optional<optimize::optimizer> optimizer_;
  std::vector<trial_record> trials_;
};

}  // namespace servokit::backend
