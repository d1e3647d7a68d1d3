#pragma once
/// @file
/// The trial bookkeeping of one application's study: the objective, the optimizer that asks for
/// configurations, the study that keeps every trial, and the report for people. It knows nothing
/// of the protocol: the conversation (`conversation.hpp`) asks it for the next trial and hands it
/// each result.
///
/// The study is the truth: a trial is committed to it before the optimizer hears of it, and a
/// resumed study replays its trials into a fresh optimizer, so that it asks what the interrupted
/// run would have asked. Every request works inside a transaction of the study store (`attach`),
/// which holds the app's lock: several servos of the app (and several backend replicas sharing a
/// store) each get their own trial, and the book catches up with trials other replicas recorded.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/confirmation.hpp>
#include <servokit/backend/plot_worker.hpp>
#include <servokit/backend/report.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/backend/trial_scheduler.hpp>
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
  std::optional<std::int64_t> parallel;      ///< `optimization.parallel`: trials at once at most
  double trial_timeout = default_trial_timeout;  ///< `optimization.trial_timeout`, in seconds
  /// Who draws the plot off the request path; a server shares one among its sessions. None: the
  /// session starts its own when it first needs it.
  std::shared_ptr<plot_worker> plotter;
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
  /// Something went wrong that does not stop the study (a report file that cannot be written).
  std::function<void(std::string_view warning)> warning;
};

/// The study could not be written now (SQLITE_BUSY after the busy timeout, a full disk, an
/// unwritable file): nothing was recorded and the conversation kept its phase, so the same event
/// may be sent again later. The server answers 503 with Retry-After; `local_transport` a
/// retryable transport error.
class retry_later : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
  std::string servo_uid;        ///< the servo that runs it
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
  trial_book(const session_options& options, study_store& study, const session_listener& listener)
      : options_(options), objective_(options.config), study_(study), listener_(listener),
        scheduler_(parallel_options{options.budget, options.parallel, options.trial_timeout}) {
    if (auto stored = study_.identity(options_.app_id)) {
      const std::string wanted = describe_objective(objective_);
      if (stored->objective != wanted) {
        throw std::runtime_error(study_.location() + ": the study of \"" + options_.app_id + "\" was made for objective \"" +
                                 stored->objective + "\", the config now says \"" + wanted +
                                 "\"; use another --study file (or delete this one) to start a new study");
      }
      if (stored->seed != options_.seed) {
        throw std::runtime_error(study_.location() + ": the study of \"" + options_.app_id + "\" was made with seed " +
                                 std::to_string(stored->seed) + ", now " + std::to_string(options_.seed) +
                                 "; use another --study file (or delete this one) to start a new study");
      }
      identity_ = std::move(stored);
    }
    if (options_.report_directory) {
      try {
        report_.emplace(*options_.report_directory);
      } catch (const std::exception& failure) {
        warn(std::string(failure.what()) + "; the study goes on without a report");
      }
    }
  }

  /// Works in `transaction` (holding the app's lock) until `detach()`: catches up with the trials
  /// recorded meanwhile (by another servo's request, or another replica) and tells them to the
  /// optimizer, in the order of their numbers.
  void attach(study_transaction& transaction) {
    transaction_ = &transaction;
    synced_ = false;   // caught up at first need: a progress event reads no trials
  }
  /// Ends the work in the transaction given to `attach`. `committed` false (it rolled back) makes
  /// the book forget what it learnt in it: the next `attach` starts again from the study.
  void detach(bool committed) {
    transaction_ = nullptr;
    synced_ = false;
    if (!committed) {
      confirmation_candidates_.clear();
      scheduler_.allow(options_.budget);
      optimizer_.reset();
      told_.clear();
      trials_.clear();
    }
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
    sync();   // another replica may have made the study meanwhile
    if (!identity_) {
      study_identity created{descriptor_json, describe_objective(objective_), options_.seed};
      transaction().create(created, options_.budget, json::to_json(options_.config), unix_now());
      identity_ = std::move(created);
    } else {
      const auto stored = json::read<application_descriptor>(identity_->descriptor_json);
      const auto changes = describe_setting_changes(stored.application, described);
      if (!changes.empty()) {
        std::string list;
        for (const auto& change : changes) list += (list.empty() ? "" : "; ") + change;
        return study_.location() + ": the study of \"" + options_.app_id + "\" was made for other settings (" + list +
               "); use another --study file (or delete this one) to start a new study";
      }
    }
    if (!optimizer_) start_optimizer();
    return std::nullopt;
  }

  /// Marks the study failed with `reason` (a refused description), for whoever lists studies.
  void mark_failed(const std::string& reason) {
    if (transaction().summary()) transaction().mark_failed(reason, unix_now());
  }
  /// Marks a failed study running again (a description was accepted).
  void mark_running() {
    const auto summary = transaction().summary();
    if (summary && summary->state == study_states::failed) transaction().mark_running(unix_now());
  }

  /// Whether every trial of the budget (and of the confirmation phase, once it is known) is recorded.
  bool budget_spent() const { return static_cast<std::int64_t>(trials_.size()) >= scheduler_.options().budget; }

  /// What `servo_uid` runs next: its own trial again, a vanished servo's, a new configuration
  /// (asked with the running ones pending, so that each servo gets another), or nothing for now.
  trial_assignment next_trial(std::string_view servo_uid) {
    const auto ask = [&](const std::vector<std::string>& running_settings) {
      if (!confirmation_candidates_.empty()) {
        // The confirmation phase: the scheduler asks only while a re-measurement is missing.
        if (auto next = next_confirmation(confirmation_candidates_, trials_, running_settings, confirm_repeats())) return *next;
        throw store_error("the confirmation phase of \"" + options_.app_id + "\" has nothing left to measure");
      }
      std::vector<optimize::configuration> running;
      for (const auto& settings : running_settings) running.push_back(json::read<optimize::configuration>(settings));
      return settings_text(optimizer_->ask(running));
    };
    sync();
    return scheduler_.next(transaction(), servo_uid, trials_, ask, unix_now());
  }

  /// A sign of life from the servo that runs `trial`: its lease starts again.
  void renew(const pending_trial& trial) { scheduler_.renew(transaction(), trial.number, trial.servo_uid, unix_now()); }

  /// Records a trial that has no measurement (its adjust or measure failed, or was rejected).
  /// False when it was recorded already (a late result of a trial another servo ran).
  bool record_failure(const pending_trial& trial, optimize::trial_status status, std::string reason) {
    return record(trial, status, "{}", std::nullopt, std::move(reason));
  }

  /// Records a measurement: the objective evaluated on the reported metrics. False when it was
  /// recorded already.
  bool record_measurement(const pending_trial& trial, const ordered_map<metric_value>& metrics) {
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
    return record(trial, evaluation.status, metrics_json, evaluation.value, evaluation.reason);
  }

  /// The configuration the study ends with: the reported best (`final_best`), else the baseline.
  std::string final_settings() const {
    const best_summary best = final_best();
    return best.settings_json != "null" ? best.settings_json : trials_.front().settings_json;
  }

  /// The best the study reports once its trials are done, and the rule that chose it: the best
  /// confirmed mean when the confirmation phase measured it, else the optimizer's choice (`model`
  /// or `measurements`), else the best single measurement. Always a measured configuration. The
  /// progress line of the last trial, best.json, the summary and the final adjust all use it.
  best_summary final_best() const {
    if (confirm_repeats() > 0 && budget_spent()) {
      if (auto confirmed = best_by_confirmation()) return *confirmed;
    }
    best_summary best = best_by_optimizer();
    return best.settings_json != "null" ? best : best_measured();
  }

  /// Records that the application was left in `settings_json`, and completes the report: the
  /// tables now, the plot queued to be drawn off the request path. Once per study: each servo of
  /// the app ends with this adjust.
  void finish(const std::string& settings_json) {
    sync();
    const auto summary = transaction().summary();
    if (summary && summary->state == study_states::finished) return;
    transaction().mark_finished(settings_json, unix_now());
    if (!report_) return;
    const best_summary best = final_best();
    const bool prepared = report_step([&] {
      report_->write_tables(trials_, best);
      report_->prepare_plot(trials_, best, options_.app_id + ": " + describe_objective(objective_));
    });
    if (!prepared) {
      plot_->done("the plot was skipped: its data could not be written");
      return;
    }
    if (!options_.plotter && !own_plotter_) own_plotter_ = std::make_shared<plot_worker>();
    (options_.plotter ? options_.plotter : own_plotter_)->submit(report_->directory(), plot_);
  }

  /// Where the plot stands (none until the study finished with a report).
  const plot_status& plot() const { return *plot_; }

  /// What went wrong without stopping the study, each once, oldest first (at most 20).
  const std::vector<std::string>& warnings() const { return warnings_; }

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
        summary.chosen_by = found->chosen_by == optimize::best_rule::model_mean ? "model" : "measurements";
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
  std::int64_t confirm_repeats() const { return options_.config.confirm.value_or(0); }

  /// Once every search trial is recorded, fixes what the confirmation phase re-measures and lets
  /// the scheduler hand out its trials beyond the budget. Called whenever the trials change.
  void plan_confirmation() {
    if (confirm_repeats() <= 0 || !confirmation_candidates_.empty()) return;
    const auto searched = std::count_if(trials_.begin(), trials_.end(), [&](const trial_record& trial) {
      return !trial.confirmation && trial.number <= options_.budget;
    });
    if (searched < options_.budget) return;
    confirmation_candidates_ = confirmation_candidates(trials_, options_.budget, objective_.maximize());
    scheduler_.allow(options_.budget + static_cast<std::int64_t>(confirmation_candidates_.size()) * confirm_repeats());
  }

  /// The candidate with the best mean of its confirmation trials, when every one of its
  /// re-measurements was feasible; its gain over the baseline's re-measurements. Only the
  /// confirmation trials count: the search measurements that put a candidate on the list are
  /// biased in its favour (it was picked for being lucky as much as for being good).
  std::optional<best_summary> best_by_confirmation() const {
    if (confirmation_candidates_.empty()) return std::nullopt;
    const auto baseline = confirmed_measurements(trials_, confirmation_candidates_.front());
    std::optional<confirmed_configuration> chosen;
    for (const auto& candidate : confirmation_candidates_) {
      auto confirmed = confirmed_measurements(trials_, candidate);
      if (!confirmed.all_ok || !confirmed.measured) continue;
      if (!chosen || (objective_.maximize() ? confirmed.measured->mean > chosen->measured->mean
                                            : confirmed.measured->mean < chosen->measured->mean)) {
        chosen = std::move(confirmed);
      }
    }
    if (!chosen) return std::nullopt;
    best_summary summary = baseline_summary();
    summary.settings_json = chosen->settings_json;
    summary.objective = chosen->measured->mean;
    summary.chosen_by = "confirmation";
    summary.confirmed = chosen->measured;
    for (const auto& trial : trials_) {
      if (trial.settings_json == chosen->settings_json) {
        summary.trial = trial.number;   // the first trial that measured it
        break;
      }
    }
    if (baseline.measured) {
      summary.baseline = baseline.measured->mean;
      summary.baseline_confirmed = baseline.measured;
      summary.gain = estimate_gain(*chosen->measured, *baseline.measured, objective_.maximize());
    }
    return summary;
  }

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

  study_transaction& transaction() const {
    if (!transaction_) throw store_error("the trial book of \"" + options_.app_id + "\" was used outside a transaction");
    return *transaction_;
  }

  /// Catches up, once per transaction, with the study as it is: its identity (made by another
  /// replica, perhaps), and the trials recorded since (told to the optimizer by number).
  void sync() {
    if (synced_) return;
    synced_ = true;
    if (!identity_) identity_ = transaction().identity();
    if (!identity_) return;
    if (!optimizer_) {
      start_optimizer();
    } else {
      catch_up(transaction().trials());
    }
  }

  /// Tells the optimizer the trials of `recorded` it has not heard of, and keeps them all.
  void catch_up(std::vector<trial_record> recorded) {
    for (const auto& trial : recorded) {
      if (told_.contains(trial.number)) continue;
      const auto status = optimize::trial_status_from_string(trial.status).value_or(optimize::trial_status::failed);
      optimizer_->tell(json::read<optimize::configuration>(trial.settings_json), status, trial.objective);
      told_.insert(trial.number);
    }
    trials_ = std::move(recorded);
    plan_confirmation();
  }

  /// Builds the optimizer for the study's own descriptor (its baseline is the application as it
  /// was first described, not as the last trial left it) and replays every stored trial.
  void start_optimizer() {
    const auto stored = json::read<application_descriptor>(identity_->descriptor_json);
    optimizer_.emplace(stored.application, objective_, options_.seed);
    told_.clear();
    catch_up(transaction().trials());
    if (report_) {
      jsonl_whole_ = report_step([&] { report_->restart(trials_); });
      if (!trials_.empty()) report_step([&] { report_->write_tables(trials_, best_measured()); });
    }
  }

  /// Runs a step of the report; a failure is a warning: the study is the truth, the report is
  /// for people. Returns whether the step succeeded.
  template <class Step>
  bool report_step(Step&& step) {
    try {
      step();
      return true;
    } catch (const std::exception& failure) {
      warn(std::string("the report: ") + failure.what());
      return false;
    }
  }

  void warn(std::string warning) {
    if (std::find(warnings_.begin(), warnings_.end(), warning) != warnings_.end()) return;
    if (listener_.warning) listener_.warning(warning);
    if (warnings_.size() < 20) warnings_.push_back(std::move(warning));
  }

  bool record(const pending_trial& pending, optimize::trial_status status, std::string metrics_json,
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
    trial.servo_uid = pending.servo_uid;
    trial.confirmation = pending.number > options_.budget;
    sync();
    // The study first: it is the truth a resumed run starts from. The optimizer hears of the trial
    // in the same transaction; should it roll back, `detach` makes the book start again from the
    // study, so the two never disagree.
    if (!scheduler_.record(transaction(), trial)) return false;
    optimizer_->tell(json::read<optimize::configuration>(trial.settings_json), status, trial.objective);
    told_.insert(trial.number);
    trials_.insert(std::upper_bound(trials_.begin(), trials_.end(), trial,
                                    [](const trial_record& a, const trial_record& b) { return a.number < b.number; }),
                   trial);
    plan_confirmation();
    // The best measured so far, for the progress line and the running best.json: the optimizer's
    // own choice (which weighs noise) fits its model again, so it is asked once, at the end: the
    // last trial's line already names the best the study ends with.
    const best_summary best = budget_spent() ? final_best() : best_measured();
    if (report_) {
      // trials.jsonl is appended to; after a failed append it is rewritten whole, so that a
      // report that could not be written for a while is complete again once it can.
      jsonl_whole_ = report_step([&] { jsonl_whole_ ? report_->append(trial) : report_->restart(trials_); });
      report_step([&] { report_->write_tables(trials_, best); });
    }
    if (listener_.trial_finished) listener_.trial_finished(trial, best);
    return true;
  }

  const session_options& options_;
  optimize::objective objective_;
  study_store& study_;
  const session_listener& listener_;
  trial_scheduler scheduler_;
  study_transaction* transaction_ = nullptr;
  bool synced_ = false;   // caught up with the study in this transaction
  std::set<std::int64_t> told_;   // the numbers of the trials the optimizer heard of
  std::optional<report_writer> report_;
  std::optional<study_identity> identity_;
  std::optional<optimize::optimizer> optimizer_;
  std::vector<trial_record> trials_;
  std::vector<std::string> confirmation_candidates_;   // baseline first; empty until the search is done
  std::vector<std::string> warnings_;
  bool jsonl_whole_ = true;   // trials.jsonl holds every trial: the next one may be appended
  std::shared_ptr<plot_status> plot_ = std::make_shared<plot_status>();
  std::shared_ptr<plot_worker> own_plotter_;   // last, so destroyed first: its queued plot drawn
};

}  // namespace servokit::backend
