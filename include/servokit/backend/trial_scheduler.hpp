#pragma once
/// @file
/// Which trial a servo runs next when several servos of one app run trials at once: its own trial
/// again (it restarted), a trial whose servo vanished (its lease ran out), a new configuration
/// (asked with the running ones as pending, so that each servo gets a different one), or nothing
/// for now (`optimization.parallel` trials already run, or the rest of the budget is running).
/// Decided inside a `study_transaction`, so replicas sharing a store never hand out one trial
/// twice; a result is recorded once, whichever servo brings it first.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/backend/store.hpp>

namespace servokit::backend {

/// How an app's trials may run in parallel: `optimization.parallel` and `.trial_timeout`.
struct parallel_options {
  std::int64_t budget = 30;                 ///< trials the study may hold, the baseline included
  std::optional<std::int64_t> parallel;     ///< trials at once at most; none: one per servo
  double trial_timeout = 3600;              ///< seconds a servo holds its trial without a sign of life
};

/// The default `optimization.trial_timeout`, in seconds: a trial whose servo gave no sign of life
/// for an hour is given to another servo.
inline constexpr double default_trial_timeout = 3600;

/// What a servo is to do next.
struct trial_assignment {
  /// The kinds of answer.
  enum class kind {
    run,            ///< run `trial` (new, its own again, or taken over from a vanished servo)
    wait,           ///< nothing for this servo now: ask again after `wait_seconds`
    budget_spent,   ///< every trial of the budget is recorded
  };
  kind what = kind::wait;
  pending_trial_record trial;      ///< the trial to run (kind run)
  bool taken_over = false;         ///< it was another servo's, whose lease ran out
  double wait_seconds = 0;         ///< how long to wait (kind wait), at least 1 s
};

/// Decides and records, in a transaction, which trial each servo runs.
class trial_scheduler {
 public:
  /// Asks the optimizer for a new configuration (settings JSON), given the configurations of the
  /// trials that run now (settings JSON each).
  using ask_function = std::function<std::string(const std::vector<std::string>& running_settings)>;

  /// Schedules with `options`.
  explicit trial_scheduler(parallel_options options) : options_(options) {}

  /// The options it schedules with.
  const parallel_options& options() const { return options_; }

  /// Lets the study hold `trials` in all: the budget's and the confirmation phase's, once the
  /// trial book knows how many re-measurements that phase makes.
  void allow(std::int64_t trials) { options_.budget = trials; }

  /// Picks `servo_uid`'s next trial in `transaction` (whose `trials()` are `recorded`), and records
  /// the choice there: the trial becomes `servo_uid`'s with a fresh lease.
  trial_assignment next(study_transaction& transaction, std::string_view servo_uid,
                        const std::vector<trial_record>& recorded, const ask_function& ask, double now) const {
    trial_assignment answer;
    if (static_cast<std::int64_t>(recorded.size()) >= options_.budget) {
      answer.what = trial_assignment::kind::budget_spent;
      return answer;
    }
    const auto running = transaction.pending();
    // Its own trial first: a servo that restarted (HELLO) picks up where it was.
    for (const auto& trial : running) {
      if (trial.servo_uid == servo_uid) return run(transaction, trial, servo_uid, false, now);
    }
    for (const auto& trial : running) {
      if (trial.lease_expires <= now) return run(transaction, trial, servo_uid, true, now);
    }
    const auto running_count = static_cast<std::int64_t>(running.size());
    if (static_cast<std::int64_t>(recorded.size()) + running_count >= options_.budget ||
        (options_.parallel && running_count >= *options_.parallel)) {
      answer.what = trial_assignment::kind::wait;
      double soonest = options_.trial_timeout;
      for (const auto& trial : running) soonest = std::min(soonest, trial.lease_expires - now);
      // Often enough that a freed slot is taken soon; a lease's end is met within a second.
      answer.wait_seconds = std::clamp(std::ceil(soonest), 1.0, 5.0);
      return answer;
    }
    std::int64_t last_number = 0;
    std::vector<std::string> running_settings;
    for (const auto& trial : recorded) last_number = std::max(last_number, trial.number);
    for (const auto& trial : running) {
      last_number = std::max(last_number, trial.number);
      running_settings.push_back(trial.settings_json);
    }
    pending_trial_record fresh;
    fresh.number = last_number + 1;
    fresh.settings_json = ask(running_settings);
    fresh.started = now;
    return run(transaction, fresh, servo_uid, false, now);
  }

  /// A sign of life from `servo_uid` about trial `number` (an event of its adjust or measure):
  /// its lease starts again, once half of it has passed (so that a stream of progress events
  /// writes little). Nothing happens when the trial is no longer that servo's.
  void renew(study_transaction& transaction, std::int64_t number, std::string_view servo_uid, double now) const {
    for (auto trial : transaction.pending()) {
      if (trial.number != number || trial.servo_uid != servo_uid) continue;
      if (trial.lease_expires - now > options_.trial_timeout / 2) continue;
      trial.lease_expires = now + options_.trial_timeout;
      transaction.save_pending(trial, now);
    }
  }

  /// Records a finished trial. False, changing nothing, when it was recorded already (a late
  /// result of a trial given to another servo, or a repeated request) or lies beyond the budget.
  bool record(study_transaction& transaction, const trial_record& trial) const {
    if (trial.number < 1 || trial.number > options_.budget) return false;
    return transaction.record(trial);
  }

 private:
  trial_assignment run(study_transaction& transaction, pending_trial_record trial, std::string_view servo_uid,
                       bool taken_over, double now) const {
    if (taken_over) trial.started = now;   // the report shows when this servo began it
    trial.servo_uid = std::string(servo_uid);
    trial.lease_expires = now + options_.trial_timeout;
    transaction.save_pending(trial, now);
    trial_assignment answer;
    answer.what = trial_assignment::kind::run;
    answer.trial = std::move(trial);
    answer.taken_over = taken_over;
    return answer;
  }

  parallel_options options_;
};

}  // namespace servokit::backend
