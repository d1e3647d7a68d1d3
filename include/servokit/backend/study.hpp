#pragma once
/// @file
/// The study tables, one schema for every store: the versioned migrations that create them (and
/// bring an older file up to date), the transaction that reads and writes them over any SQL
/// connection with the small API of `sqlite_database`, and `sqlite_study_store`, the embedded
/// default: one SQLite file that may hold the studies of many applications, each trial committed
/// before the next one starts, so that a crashed or killed backend resumes where it stopped.

#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/sqlite.hpp>
#include <servokit/backend/store.hpp>

namespace servokit::backend {

/// The schema's migrations: entry N-1 takes a store from version N-1 to N. SQL that both SQLite
/// and PostgreSQL run as written (TEXT, BIGINT and DOUBLE PRECISION; `?N` parameters).
inline constexpr std::string_view study_migrations[] = {
    // 1: the schema of the first servokit-optimizer; IF NOT EXISTS, so its files pass through.
    "CREATE TABLE IF NOT EXISTS studies ("
    "  app TEXT PRIMARY KEY, descriptor TEXT NOT NULL, objective TEXT NOT NULL, seed BIGINT NOT NULL,"
    "  created DOUBLE PRECISION NOT NULL, finished_settings TEXT);"
    "CREATE TABLE IF NOT EXISTS trials ("
    "  app TEXT NOT NULL, number BIGINT NOT NULL, settings TEXT NOT NULL, metrics TEXT NOT NULL,"
    "  objective DOUBLE PRECISION, status TEXT NOT NULL, reason TEXT NOT NULL, started DOUBLE PRECISION NOT NULL,"
    "  finished DOUBLE PRECISION NOT NULL, PRIMARY KEY (app, number));",
    // 2: what a list of studies shows, parallel trials with their leases, and each servo's state.
    "ALTER TABLE studies ADD COLUMN budget BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE studies ADD COLUMN config TEXT NOT NULL DEFAULT '{}';"
    "ALTER TABLE studies ADD COLUMN state TEXT NOT NULL DEFAULT 'running';"
    "ALTER TABLE studies ADD COLUMN failure TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE studies ADD COLUMN last_activity DOUBLE PRECISION NOT NULL DEFAULT 0;"
    "UPDATE studies SET state = 'finished' WHERE finished_settings IS NOT NULL;"
    "UPDATE studies SET last_activity = COALESCE((SELECT MAX(finished) FROM trials WHERE trials.app = studies.app), created);"
    "ALTER TABLE trials ADD COLUMN servo_uid TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE pending_trials ("
    "  app TEXT NOT NULL, number BIGINT NOT NULL, settings TEXT NOT NULL, servo_uid TEXT NOT NULL,"
    "  started DOUBLE PRECISION NOT NULL, lease_expires DOUBLE PRECISION NOT NULL, PRIMARY KEY (app, number));"
    "CREATE TABLE servos ("
    "  app TEXT NOT NULL, servo_uid TEXT NOT NULL, state TEXT NOT NULL, last_seen DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY (app, servo_uid));",
    // 3: the confirmation phase's re-measurements (optimization.confirm), 1 for each.
    "ALTER TABLE trials ADD COLUMN confirmation BIGINT NOT NULL DEFAULT 0;",
};
static_assert(std::size(study_migrations) == study_schema_version, "one migration per schema version");

/// Brings the store behind `database` to `study_schema_version`, inside a transaction the caller
/// holds (so that two processes opening one store at once migrate it once). Each step is
/// recorded in `schema_version`; a store newer than this servokit is refused.
template <class Database>
void migrate_study_schema(Database& database, const std::string& location) {
  database.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
  auto query = database.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  query.step();
  const std::int64_t found = query.integer(0);
  if (found > study_schema_version) {
    throw store_error(location + ": the study store has schema version " + std::to_string(found) +
                      ", written by a newer servokit; this one knows up to version " +
                      std::to_string(study_schema_version) + " (upgrade servokit, or use another store)");
  }
  for (std::int64_t version = found + 1; version <= study_schema_version; ++version) {
    database.execute(study_migrations[version - 1]);
    database.prepare("INSERT INTO schema_version (version) VALUES (?1)").bind(1, version).run();
  }
}

/// A trial that the study cannot take: its number is out of sequence (another agent records into
/// the same study through the sequential shortcuts). Waiting does not help, unlike a
/// `store_error` (locked, full, unwritable, unreachable).
class study_conflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline constexpr std::string_view trial_columns =
    "number, settings, metrics, objective, status, reason, started, finished, servo_uid, confirmation";

template <class Statement>
trial_record read_trial(const Statement& row) {
  return {row.integer(0),          row.text(1),   row.text(2),
          row.number(3),           row.text(4),   row.text(5),
          row.number(6).value_or(0), row.number(7).value_or(0), row.text(8),
          row.integer(9) != 0};
}

inline constexpr std::string_view summary_query =
    "SELECT s.app, s.descriptor, s.objective, s.seed, s.created, s.budget, s.config, s.state, s.failure,"
    " s.finished_settings, s.last_activity,"
    " (SELECT COUNT(*) FROM trials t WHERE t.app = s.app),"
    " (SELECT COUNT(*) FROM pending_trials p WHERE p.app = s.app) FROM studies s";

template <class Statement>
study_summary read_summary(const Statement& row) {
  study_summary summary;
  summary.app = row.text(0);
  summary.identity = {row.text(1), row.text(2), static_cast<std::uint64_t>(row.integer(3))};
  summary.created = row.number(4).value_or(0);
  summary.budget = row.integer(5);
  summary.config_json = row.text(6);
  summary.state = row.text(7);
  summary.failure = row.text(8);
  summary.finished_settings_json = row.optional_text(9);
  summary.last_activity = row.number(10).value_or(0);
  summary.trials = row.integer(11);
  summary.running = row.integer(12);
  return summary;
}

template <class Database>
std::vector<study_summary> query_studies(Database& database, std::optional<std::string_view> app) {
  auto query = database.prepare(std::string(summary_query) + (app ? " WHERE s.app = ?1" : "") + " ORDER BY s.app");
  if (app) query.bind(1, *app);
  std::vector<study_summary> found;
  while (query.step()) found.push_back(read_summary(query));
  return found;
}

template <class Database>
std::vector<trial_record> query_trials(Database& database, std::string_view app) {
  auto query = database.prepare("SELECT " + std::string(trial_columns) + " FROM trials WHERE app = ?1 ORDER BY number");
  query.bind(1, app);
  std::vector<trial_record> found;
  while (query.step()) found.push_back(read_trial(query));
  return found;
}

template <class Database>
std::vector<pending_trial_record> query_pending(Database& database, std::string_view app) {
  auto query = database.prepare(
      "SELECT number, settings, servo_uid, started, lease_expires FROM pending_trials WHERE app = ?1 ORDER BY number");
  query.bind(1, app);
  std::vector<pending_trial_record> found;
  while (query.step()) {
    found.push_back({query.integer(0), query.text(1), query.text(2), query.number(3).value_or(0),
                     query.number(4).value_or(0)});
  }
  return found;
}

template <class Database>
std::optional<servo_record> query_servo(Database& database, std::string_view app, std::string_view servo_uid) {
  auto query = database.prepare("SELECT servo_uid, state, last_seen FROM servos WHERE app = ?1 AND servo_uid = ?2");
  query.bind(1, app).bind(2, servo_uid);
  if (!query.step()) return std::nullopt;
  return servo_record{query.text(0), query.text(1), query.number(2).value_or(0)};
}

}  // namespace detail

/// The study transaction over any SQL connection with `sqlite_database`'s API (`execute`,
/// `prepare`, statements with `bind`, `step`, `run` and typed columns). `Hold` is whatever keeps
/// the connection to this transaction (a mutex's lock, a pooled connection), released last.
template <class Database, class Hold>
class sql_study_transaction final : public study_transaction {
 public:
  /// Runs `begin_sql`, then `lock_sql` (when not empty) with the app's lock key in place of `?1`,
  /// in one round trip: the key is a number this class computes, never text from outside.
  sql_study_transaction(Database& database, Hold hold, std::string app, std::string location,
                        std::string_view begin_sql, std::string_view lock_sql = {})
      : hold_(std::move(hold)), database_(database), app_(std::move(app)), location_(std::move(location)) {
    std::string begin(begin_sql);
    if (!lock_sql.empty()) {
      std::string lock(lock_sql);
      lock.replace(lock.find("?1"), 2, std::to_string(app_lock_key(app_)));
      begin += "; " + lock;
    }
    try {
      database_.execute(begin);
    } catch (...) {
      rollback();
      throw;
    }
  }
  sql_study_transaction(const sql_study_transaction&) = delete;
  sql_study_transaction& operator=(const sql_study_transaction&) = delete;
  ~sql_study_transaction() override {
    if (!committed_) rollback();
  }

  /// A 64-bit key for `app` (FNV-1a): the PostgreSQL advisory lock of its study. Two apps that
  /// share a key only wait for each other.
  static std::int64_t app_lock_key(std::string_view app) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (char c : app) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<std::int64_t>(hash);
  }

  const std::string& app() const override { return app_; }

  std::optional<study_identity> identity() override {
    auto found = summary();
    if (!found) return std::nullopt;
    return found->identity;
  }
  std::optional<study_summary> summary() override {
    auto found = detail::query_studies(database_, std::string_view(app_));
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  }
  void create(const study_identity& identity, std::int64_t budget, std::string_view config_json, double now) override {
    if (summary()) throw store_error(location_ + ": the study of \"" + app_ + "\" exists already");
    database_
        .prepare(
            "INSERT INTO studies (app, descriptor, objective, seed, created, budget, config, state, failure, last_activity) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', '', ?5)")
        .bind(1, std::string_view(app_))
        .bind(2, std::string_view(identity.descriptor_json))
        .bind(3, std::string_view(identity.objective))
        .bind(4, static_cast<std::int64_t>(identity.seed))
        .bind(5, now)
        .bind(6, budget)
        .bind(7, config_json)
        .run();
  }

  std::vector<trial_record> trials() override { return detail::query_trials(database_, app_); }
  std::vector<pending_trial_record> pending() override { return detail::query_pending(database_, app_); }

  void save_pending(const pending_trial_record& trial, double now) override {
    database_
        .prepare(
            "INSERT INTO pending_trials (app, number, settings, servo_uid, started, lease_expires) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (app, number) DO UPDATE SET settings = excluded.settings,"
            " servo_uid = excluded.servo_uid, started = excluded.started, lease_expires = excluded.lease_expires")
        .bind(1, std::string_view(app_))
        .bind(2, trial.number)
        .bind(3, std::string_view(trial.settings_json))
        .bind(4, std::string_view(trial.servo_uid))
        .bind(5, trial.started)
        .bind(6, trial.lease_expires)
        .run();
    touch(now);
  }
  void remove_pending(std::int64_t number) override {
    database_.prepare("DELETE FROM pending_trials WHERE app = ?1 AND number = ?2")
        .bind(1, std::string_view(app_))
        .bind(2, number)
        .run();
  }
  bool record(const trial_record& trial) override {
    auto exists = database_.prepare("SELECT COUNT(*) FROM trials WHERE app = ?1 AND number = ?2");
    exists.bind(1, std::string_view(app_)).bind(2, trial.number);
    exists.step();
    if (exists.integer(0) != 0) return false;
    database_
        .prepare("INSERT INTO trials (app, " + std::string(detail::trial_columns) +
                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
        .bind(1, std::string_view(app_))
        .bind(2, trial.number)
        .bind(3, std::string_view(trial.settings_json))
        .bind(4, std::string_view(trial.metrics_json))
        .bind(5, trial.objective)
        .bind(6, std::string_view(trial.status))
        .bind(7, std::string_view(trial.reason))
        .bind(8, trial.started)
        .bind(9, trial.finished)
        .bind(10, std::string_view(trial.servo_uid))
        .bind(11, std::int64_t{trial.confirmation ? 1 : 0})
        .run();
    remove_pending(trial.number);
    touch(trial.finished);
    return true;
  }

  std::optional<servo_record> servo(std::string_view servo_uid) override {
    return detail::query_servo(database_, app_, servo_uid);
  }
  std::vector<servo_record> servos() override {
    auto query = database_.prepare(
        "SELECT servo_uid, state, last_seen FROM servos WHERE app = ?1 ORDER BY last_seen DESC, servo_uid");
    query.bind(1, std::string_view(app_));
    std::vector<servo_record> found;
    while (query.step()) found.push_back({query.text(0), query.text(1), query.number(2).value_or(0)});
    return found;
  }
  void save_servo(const servo_record& servo) override {
    database_
        .prepare(
            "INSERT INTO servos (app, servo_uid, state, last_seen) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (app, servo_uid) DO UPDATE SET state = excluded.state, last_seen = excluded.last_seen")
        .bind(1, std::string_view(app_))
        .bind(2, std::string_view(servo.servo_uid))
        .bind(3, std::string_view(servo.state_json))
        .bind(4, servo.last_seen)
        .run();
  }

  void mark_finished(std::string_view settings_json, double now) override {
    database_
        .prepare("UPDATE studies SET finished_settings = ?2, state = 'finished', failure = '', last_activity = ?3 WHERE app = ?1")
        .bind(1, std::string_view(app_))
        .bind(2, settings_json)
        .bind(3, now)
        .run();
  }
  void mark_failed(std::string_view reason, double now) override { set_state(study_states::failed, reason, now); }
  void mark_running(double now) override { set_state(study_states::running, "", now); }

  void commit() override {
    database_.execute("COMMIT");
    committed_ = true;
  }

 private:
  void touch(double now) {
    database_.prepare("UPDATE studies SET last_activity = ?2 WHERE app = ?1").bind(1, std::string_view(app_)).bind(2, now).run();
  }
  void set_state(std::string_view state, std::string_view reason, double now) {
    database_.prepare("UPDATE studies SET state = ?2, failure = ?3, last_activity = ?4 WHERE app = ?1")
        .bind(1, std::string_view(app_))
        .bind(2, state)
        .bind(3, reason)
        .bind(4, now)
        .run();
  }
  void rollback() noexcept {
    try {
      database_.execute("ROLLBACK");
    } catch (...) {  // nothing better to do: the transaction is gone either way
    }
  }

  Hold hold_;   // first: released after the rollback in the destructor
  Database& database_;
  std::string app_;
  std::string location_;
  bool committed_ = false;
};

/// The embedded store: one SQLite file (`:memory:` for a study that ends with the process).
/// Threads share one connection in turn; processes that share the file take turns through
/// `BEGIN IMMEDIATE`, SQLite's write lock, which is the app lock here (it locks every app).
///
/// WAL with `synchronous=NORMAL`: a commit is in the log before it returns, so a killed process
/// (SIGKILL included) loses nothing; only a power cut may lose the last trial, which is then
/// simply run again.
class sqlite_study_store final : public study_store {
 public:
  /// Opens or creates `file` and migrates it to the current schema. A write that finds the file
  /// locked by another process waits up to `busy_timeout`, then throws `sqlite_error` ("database
  /// is locked"), as a full disk or an unwritable file does.
  explicit sqlite_study_store(const std::string& file, std::chrono::milliseconds busy_timeout = std::chrono::seconds(5))
      : database_(file, busy_timeout) {
    if (file != ":memory:") database_.execute("PRAGMA journal_mode=WAL");
    database_.execute("PRAGMA synchronous=NORMAL");
    sqlite_transaction transaction(database_);
    migrate_study_schema(database_, file);
    transaction.commit();
    // Reads outside transactions (a repeated WHATS_NEXT, a progress report, a list of studies) get
    // a connection of their own: in WAL mode they do not wait for a writer holding the other one.
    if (file != ":memory:") reader_.emplace(file, busy_timeout);
  }

  /// The file it was opened with.
  const std::string& file() const { return database_.file(); }
  std::string location() const override { return database_.file(); }

  std::unique_ptr<study_transaction> begin(std::string_view app) override {
    std::unique_lock lock(mutex_);
    return std::make_unique<sql_study_transaction<sqlite_database, std::unique_lock<std::mutex>>>(
        database_, std::move(lock), std::string(app), database_.file(), "BEGIN IMMEDIATE");
  }
  std::vector<study_summary> studies() override {
    return read([&](sqlite_database& database) { return detail::query_studies(database, std::nullopt); });
  }
  std::vector<trial_record> trials(std::string_view app) override {
    return read([&](sqlite_database& database) { return detail::query_trials(database, app); });
  }
  std::vector<pending_trial_record> pending(std::string_view app) override {
    return read([&](sqlite_database& database) { return detail::query_pending(database, app); });
  }
  std::optional<servo_record> servo(std::string_view app, std::string_view servo_uid) override {
    return read([&](sqlite_database& database) { return detail::query_servo(database, app, servo_uid); });
  }

  // The sequential session's shortcuts, each one transaction.

  /// Starts `app`'s study (budget and config unknown: 0 and `{}`).
  void create(std::string_view app, const study_identity& identity, double now) {
    auto transaction = begin(app);
    transaction->create(identity, 0, "{}", now);
    transaction->commit();
  }
  /// Commits one trial. Its number must be the next one: a trial is never counted twice, even
  /// when two processes share the file by mistake (`study_conflict`).
  void record(std::string_view app, const trial_record& trial) {
    auto transaction = begin(app);
    const auto count = static_cast<std::int64_t>(transaction->trials().size());
    if (count != trial.number - 1 || !transaction->record(trial)) {
      throw study_conflict(file() + ": trial " + std::to_string(trial.number) + " of \"" + std::string(app) +
                         "\" is out of sequence: the study holds " + std::to_string(count) +
                         " trials (is another agent using the same study?)");
    }
    transaction->commit();
  }
  /// Records that `app`'s study ended with the application adjusted to `settings_json`.
  void mark_finished(std::string_view app, std::string_view settings_json) {
    auto transaction = begin(app);
    transaction->mark_finished(settings_json,
                               std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    transaction->commit();
  }

 private:
  /// Runs `query` on the reading connection (the writing one for `:memory:`, which is private to it).
  template <class Query>
  auto read(Query query) -> decltype(query(std::declval<sqlite_database&>())) {
    if (reader_) {
      std::lock_guard lock(reader_mutex_);
      return query(*reader_);
    }
    std::lock_guard lock(mutex_);
    return query(database_);
  }

  sqlite_database database_;
  std::mutex mutex_;  // transactions take turns on the writing connection
  std::optional<sqlite_database> reader_;
  std::mutex reader_mutex_;
};

/// The name the sequential session and its callers know the SQLite store by.
using study_database = sqlite_study_store;

}  // namespace servokit::backend
