#pragma once
/// @file
/// The study: every trial of an optimization, kept in SQLite so that a crashed or killed agent
/// resumes where it stopped. One file may hold the studies of many applications (the server
/// keeps one per app); each trial is committed before the next one starts.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/backend/sqlite.hpp>

namespace servokit::backend {

/// One finished trial, as stored. Settings and metrics are compact JSON objects
/// (`{component: {setting: value}}`, `{metric: value}`) so that the study does not depend on the
/// optimizer's types and a person can read the file with the `sqlite3` shell.
struct trial_record {
  std::int64_t number = 0;            ///< 1-based; trial 1 is the baseline
  std::string settings_json = "{}";   ///< what was applied (or asked for, when the adjust failed)
  std::string metrics_json = "{}";    ///< what was measured; `{}` when nothing was
  std::optional<double> objective;    ///< the objective's value; none unless status is ok
  std::string status;                 ///< ok, failed, rejected or infeasible
  std::string reason;                 ///< why, when the status is not ok
  double started = 0;                 ///< Unix time in seconds when the trial's adjust was sent
  double finished = 0;                ///< Unix time in seconds when its result was recorded
};

/// What identifies a study: it is refused when the config no longer matches it.
struct study_identity {
  std::string descriptor_json;   ///< `{"application": ...}` as the adjust driver first described it
  std::string objective;         ///< the objective and constraints, as `describe_objective` spells them
  std::uint64_t seed = 0;        ///< the optimizer's seed
};

/// A trial that the study cannot take: its number is out of sequence (another agent records into
/// the same study). Waiting does not help, unlike an `sqlite_error` (locked, full, unwritable).
class study_conflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The SQLite file of one or more studies. Safe to share between threads (one lock per call).
class study_database {
 public:
  /// Opens or creates `file` (`:memory:` for a study that ends with the process).
  ///
  /// WAL with `synchronous=NORMAL`: a commit is in the log before `record` returns, so a killed
  /// process (SIGKILL included) loses nothing; only a power cut may lose the last trial, which is
  /// then simply run again.
  ///
  /// A write that finds the file locked by another process waits up to `busy_timeout`, then
  /// throws `sqlite_error` ("database is locked"), as a full disk or an unwritable file does.
  explicit study_database(const std::string& file, std::chrono::milliseconds busy_timeout = std::chrono::seconds(5))
      : database_(file, busy_timeout) {
    if (file != ":memory:") database_.execute("PRAGMA journal_mode=WAL");
    database_.execute(
        "PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS studies ("
        "  app TEXT PRIMARY KEY, descriptor TEXT NOT NULL, objective TEXT NOT NULL, seed INTEGER NOT NULL,"
        "  created REAL NOT NULL, finished_settings TEXT);"
        "CREATE TABLE IF NOT EXISTS trials ("
        "  app TEXT NOT NULL, number INTEGER NOT NULL, settings TEXT NOT NULL, metrics TEXT NOT NULL,"
        "  objective REAL, status TEXT NOT NULL, reason TEXT NOT NULL, started REAL NOT NULL, finished REAL NOT NULL,"
        "  PRIMARY KEY (app, number));");
  }

  /// The file it was opened with.
  const std::string& file() const { return database_.file(); }

  /// The stored identity of `app`'s study, or nothing when it has none yet.
  std::optional<study_identity> identity(std::string_view app) {
    std::lock_guard lock(mutex_);
    auto query = database_.prepare("SELECT descriptor, objective, seed FROM studies WHERE app = ?1");
    query.bind(1, app);
    if (!query.step()) return std::nullopt;
    return study_identity{query.text(0), query.text(1), static_cast<std::uint64_t>(query.integer(2))};
  }

  /// Starts `app`'s study.
  void create(std::string_view app, const study_identity& identity, double now) {
    std::lock_guard lock(mutex_);
    sqlite_transaction transaction(database_);
    database_.prepare("INSERT INTO studies (app, descriptor, objective, seed, created) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, app)
        .bind(2, identity.descriptor_json)
        .bind(3, identity.objective)
        .bind(4, static_cast<std::int64_t>(identity.seed))
        .bind(5, now)
        .run();
    transaction.commit();
  }

  /// Every trial of `app`, in order.
  std::vector<trial_record> trials(std::string_view app) {
    std::lock_guard lock(mutex_);
    auto query = database_.prepare(
        "SELECT number, settings, metrics, objective, status, reason, started, finished FROM trials WHERE app = ?1 "
        "ORDER BY number");
    query.bind(1, app);
    std::vector<trial_record> found;
    while (query.step()) {
      found.push_back({query.integer(0), query.text(1), query.text(2), query.number(3), query.text(4), query.text(5),
                       query.number(6).value_or(0), query.number(7).value_or(0)});
    }
    return found;
  }

  /// Commits one trial. Its number must be the next one: a trial is never counted twice, even
  /// when two processes share the file by mistake (the second one's insert fails with
  /// `study_conflict`).
  void record(std::string_view app, const trial_record& trial) {
    std::lock_guard lock(mutex_);
    sqlite_transaction transaction(database_);
    auto count = database_.prepare("SELECT COUNT(*) FROM trials WHERE app = ?1");
    count.bind(1, app);
    count.step();
    if (count.integer(0) != trial.number - 1) {
      throw study_conflict(database_.file() + ": trial " + std::to_string(trial.number) + " of \"" + std::string(app) +
                         "\" is out of sequence: the study holds " + std::to_string(count.integer(0)) +
                         " trials (is another agent using the same study?)");
    }
    database_
        .prepare(
            "INSERT INTO trials (app, number, settings, metrics, objective, status, reason, started, finished) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, app)
        .bind(2, trial.number)
        .bind(3, trial.settings_json)
        .bind(4, trial.metrics_json)
        .bind(5, trial.objective)
        .bind(6, trial.status)
        .bind(7, trial.reason)
        .bind(8, trial.started)
        .bind(9, trial.finished)
        .run();
    transaction.commit();
  }

  /// Records that `app`'s study ended with the application adjusted to `settings_json`.
  void mark_finished(std::string_view app, std::string_view settings_json) {
    std::lock_guard lock(mutex_);
    database_.prepare("UPDATE studies SET finished_settings = ?2 WHERE app = ?1").bind(1, app).bind(2, settings_json).run();
  }

 private:
  sqlite_database database_;
  std::mutex mutex_;  // the server's sessions share one connection
};

}  // namespace servokit::backend
