#pragma once
/// @file
/// The study store: where the backend keeps every study, its trials, the trials that are running
/// and the state of each servo, behind one small interface so that the session does not care
/// whether the study lives in an SQLite file (the embedded default) or in PostgreSQL (replicas
/// that share it). Everything that changes a study happens in a `study_transaction`, which holds
/// the app's lock (across threads AND processes) until it commits or is dropped: two replicas
/// never hand out the same trial, and a transaction that throws halfway changes nothing.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace servokit::backend {

/// A store that cannot be opened, read or written; `what()` names the store and the cause.
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One finished trial, as stored. Settings and metrics are compact JSON objects
/// (`{component: {setting: value}}`, `{metric: value}`) so that the study does not depend on the
/// optimizer's types and a person can read it with `sqlite3` or `psql`.
struct trial_record {
  std::int64_t number = 0;            ///< 1-based, in the order trials were issued; trial 1 is the baseline
  std::string settings_json = "{}";   ///< what was applied (or asked for, when the adjust failed)
  std::string metrics_json = "{}";    ///< what was measured; `{}` when nothing was
  std::optional<double> objective;    ///< the objective's value; none unless status is ok (or infeasible)
  std::string status;                 ///< ok, failed, rejected or infeasible
  std::string reason;                 ///< why, when the status is not ok
  double started = 0;                 ///< Unix time in seconds when the trial's adjust was sent
  double finished = 0;                ///< Unix time in seconds when its result was recorded
  std::string servo_uid;              ///< the servo that ran it; empty for a servo that sends none
  /// A re-measurement of the confirmation phase (`optimization.confirm`), after the budget's
  /// trials: it does not count against the budget.
  bool confirmation = false;
};

/// What identifies a study: it is refused when the config no longer matches it.
struct study_identity {
  std::string descriptor_json;   ///< `{"application": ...}` as the adjust driver first described it
  std::string objective;         ///< the objective and constraints, as `describe_objective` spells them
  std::uint64_t seed = 0;        ///< the optimizer's seed
};

/// The state of a study as a whole, as `study_summary::state` spells it.
namespace study_states {
inline constexpr std::string_view running = "running";    ///< trials are still to run
inline constexpr std::string_view finished = "finished";  ///< budget spent, best configuration applied
inline constexpr std::string_view failed = "failed";      ///< stopped: `study_summary::failure` says why
}  // namespace study_states

/// One study as a list of studies shows it (the dashboard's `/`).
struct study_summary {
  std::string app;                    ///< the application's id
  study_identity identity;            ///< what the study was made for
  double created = 0;                 ///< Unix time when the study started
  std::int64_t budget = 0;            ///< trials it may hold, the baseline included (0: not recorded, an old study)
  std::string config_json = "{}";     ///< the `optimization:` section that defines it, as JSON
  std::string state = "running";      ///< one of `study_states`
  std::string failure;                ///< why, when the state is failed
  std::optional<std::string> finished_settings_json;  ///< the configuration applied at the end
  double last_activity = 0;           ///< Unix time of the last change (a trial issued or recorded, the end)
  std::int64_t trials = 0;            ///< trials recorded
  std::int64_t running = 0;           ///< trials issued and not yet recorded
};

/// A trial that was issued and not yet recorded: which servo runs it, and until when that servo
/// holds it. Once the lease has expired the trial may be issued to another servo; whichever result
/// comes first is recorded, once.
struct pending_trial_record {
  std::int64_t number = 0;            ///< the number its record will have
  std::string settings_json = "{}";   ///< the configuration being tried
  std::string servo_uid;              ///< the servo it was issued to (empty: a servo that sends none)
  double started = 0;                 ///< Unix time when it was first issued
  double lease_expires = 0;           ///< Unix time after which it may be issued again
};

/// The backend's memory of one servo of a study: the state of the conversation with it (its phase,
/// the command it was given), kept in the store so that any replica can answer its next request.
struct servo_record {
  std::string servo_uid;              ///< empty for a servo that sends none
  std::string state_json = "{}";      ///< the session's own encoding of the conversation
  double last_seen = 0;               ///< Unix time of its last event
};

/// Everything that changes one app's study, under the app's lock. Dropped without `commit()`, it
/// rolls back. Use only from the thread that began it, and do not call the store while it is open
/// (an SQLite store has one connection).
class study_transaction {
 public:
  virtual ~study_transaction() = default;

  /// The app this transaction is about.
  virtual const std::string& app() const = 0;

  /// The study's identity, or nothing when the app has no study yet.
  virtual std::optional<study_identity> identity() = 0;
  /// The study as a list shows it, or nothing when the app has none yet.
  virtual std::optional<study_summary> summary() = 0;
  /// Starts the app's study: made for `identity`, with `budget` trials and the `optimization:`
  /// section `config_json`. Throws `store_error` when it already has one.
  virtual void create(const study_identity& identity, std::int64_t budget, std::string_view config_json,
                      double now) = 0;

  /// Every recorded trial, by number.
  virtual std::vector<trial_record> trials() = 0;
  /// Every issued, unrecorded trial, by number.
  virtual std::vector<pending_trial_record> pending() = 0;
  /// Issues a trial, or updates one already issued (given to another servo, lease renewed).
  virtual void save_pending(const pending_trial_record& trial, double now) = 0;
  /// Forgets an issued trial without recording it.
  virtual void remove_pending(std::int64_t number) = 0;
  /// Records a finished trial and forgets it as issued. Returns false, changing nothing, when a
  /// trial with its number is already recorded: a late or repeated result counts once.
  virtual bool record(const trial_record& trial) = 0;

  /// What the store remembers of `servo_uid`'s conversation, or nothing for a servo never seen.
  virtual std::optional<servo_record> servo(std::string_view servo_uid) = 0;
  /// Every servo of the study, most recently seen first.
  virtual std::vector<servo_record> servos() = 0;
  /// Remembers `servo`'s conversation.
  virtual void save_servo(const servo_record& servo) = 0;

  /// Ends the study: the best configuration `settings_json` was applied.
  virtual void mark_finished(std::string_view settings_json, double now) = 0;
  /// Ends the study without finishing it: `reason` says why (shown by the dashboard).
  virtual void mark_failed(std::string_view reason, double now) = 0;
  /// Takes the study back to running (a refused description was fixed, a stop was lifted).
  virtual void mark_running(double now) = 0;

  /// Makes every change durable (committed to disk or to the server) before it returns.
  virtual void commit() = 0;
};

/// Where studies live. Implementations: `sqlite_study_store` (study.hpp) and
/// `postgres_study_store` (postgres_store.hpp). Safe to share between threads.
class study_store {
 public:
  virtual ~study_store() = default;

  /// The store as messages name it: a file name, or a PostgreSQL URI without its password.
  virtual std::string location() const = 0;
  /// Opens a transaction on `app`'s study and takes the app's lock, waiting for whichever thread
  /// or process holds it. Throws `store_error` when the store cannot be reached.
  virtual std::unique_ptr<study_transaction> begin(std::string_view app) = 0;

  /// Every study, by app (a consistent snapshot; takes no app lock).
  virtual std::vector<study_summary> studies() = 0;
  /// Every recorded trial of `app`'s study, by number (empty when it has none).
  virtual std::vector<trial_record> trials(std::string_view app) = 0;
  /// Every issued, unrecorded trial of `app`'s study, by number.
  virtual std::vector<pending_trial_record> pending(std::string_view app) = 0;
  /// What the store remembers of `servo_uid`'s conversation about `app`, read without the app's
  /// lock (a servo sends one request at a time, so only its own requests change it).
  virtual std::optional<servo_record> servo(std::string_view app, std::string_view servo_uid) = 0;

  /// `app`'s identity, or nothing when it has no study: a shortcut for a transaction of one read.
  std::optional<study_identity> identity(std::string_view app) {
    auto transaction = begin(app);
    return transaction->identity();
  }
  /// `app`'s study as a list shows it, or nothing when it has none.
  std::optional<study_summary> summary(std::string_view app) {
    auto transaction = begin(app);
    return transaction->summary();
  }
};

/// The schema version this servokit writes. A store written by a newer one is refused, with both
/// versions named, rather than misread.
inline constexpr std::int64_t study_schema_version = 3;

}  // namespace servokit::backend
