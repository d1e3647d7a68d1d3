#pragma once
/// @file
/// Studies in PostgreSQL: the schema of every store (study.hpp) on a server that several
/// `servokit-optimizer` replicas share. An app's lock is a transaction-scoped advisory lock, so it
/// holds across processes and machines and is released by the server when a replica dies. Also
/// `open_study_store`, which picks the store from `--study`: a URI or an SQLite file. Without
/// libpq's header only `open_study_store` is declared, and it refuses a URI with the reason.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/postgres.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/backend/study.hpp>

namespace servokit::backend {

#ifdef SERVOKIT_HAS_LIBPQ

/// The studies in a PostgreSQL database, reached through a small pool of connections.
class postgres_study_store final : public study_store {
 public:
  /// The advisory lock key under which stores migrate the schema, one at a time.
  static constexpr std::int64_t migration_lock_key = 0x5e7f0c17;

  /// Connects to `uri` (`postgresql://USER@HOST:PORT/DB`) and migrates the schema. At most
  /// `max_connections` are open at once; a caller beyond them waits for one.
  explicit postgres_study_store(std::string uri, std::size_t max_connections = 16)
      : uri_(std::move(uri)), location_(redact_postgres_uri(uri_)), max_connections_(max_connections ? max_connections : 1) {
    auto connection = connect();
    connection->execute("BEGIN");
    try {
      connection->prepare("SELECT pg_advisory_xact_lock(?1)").bind(1, migration_lock_key).run();
      migrate_study_schema(*connection, location_);
      connection->execute("COMMIT");
    } catch (...) {
      try {
        connection->execute("ROLLBACK");
      } catch (...) {  // the connection is dropped below either way
      }
      throw;
    }
    give_back(std::move(connection));
  }

  std::string location() const override { return location_; }

  std::unique_ptr<study_transaction> begin(std::string_view app) override {
    connection_lease lease(*this);
    postgres_connection& connection = *lease.connection;
    return std::make_unique<sql_study_transaction<postgres_connection, connection_lease>>(
        connection, std::move(lease), std::string(app), location_, "BEGIN", "SELECT pg_advisory_xact_lock(?1)");
  }
  std::vector<study_summary> studies() override {
    connection_lease lease(*this);
    return detail::query_studies(*lease.connection, std::nullopt);
  }
  std::vector<trial_record> trials(std::string_view app) override {
    connection_lease lease(*this);
    return detail::query_trials(*lease.connection, app);
  }
  std::vector<pending_trial_record> pending(std::string_view app) override {
    connection_lease lease(*this);
    return detail::query_pending(*lease.connection, app);
  }
  std::optional<servo_record> servo(std::string_view app, std::string_view servo_uid) override {
    connection_lease lease(*this);
    return detail::query_servo(*lease.connection, app, servo_uid);
  }

 private:
  /// A connection taken from the pool, given back (when still fit) at destruction.
  struct connection_lease {
    explicit connection_lease(postgres_study_store& store) : owner(&store), connection(store.take()) {}
    connection_lease(connection_lease&& other) noexcept
        : owner(std::exchange(other.owner, nullptr)), connection(std::move(other.connection)) {}
    connection_lease(const connection_lease&) = delete;
    connection_lease& operator=(const connection_lease&) = delete;
    connection_lease& operator=(connection_lease&&) = delete;
    ~connection_lease() {
      if (owner) owner->give_back(std::move(connection));
    }
    postgres_study_store* owner;
    std::unique_ptr<postgres_connection> connection;
  };

  std::unique_ptr<postgres_connection> connect() { return std::make_unique<postgres_connection>(uri_); }

  std::unique_ptr<postgres_connection> take() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    try {
      return connect();
    } catch (...) {
      lock.lock();
      --open_;
      available_.notify_one();
      throw;
    }
  }

  /// Keeps `connection` for the next caller, or closes it when it broke (the server restarted, a
  /// transaction was left open by an error).
  void give_back(std::unique_ptr<postgres_connection> connection) {
    const bool keep = connection && connection->reusable();
    if (!keep) connection.reset();
    std::lock_guard lock(mutex_);
    if (keep) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
    available_.notify_one();
  }

  std::string uri_;
  std::string location_;
  std::size_t max_connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<postgres_connection>> idle_;
  std::size_t open_ = 1;   // the constructor's connection, given back to the pool at its end
};

#endif  // SERVOKIT_HAS_LIBPQ

/// The store `location` names: PostgreSQL for a `postgresql://` or `postgres://` URI, otherwise
/// the SQLite file of that name (created when absent).
inline std::unique_ptr<study_store> open_study_store(const std::string& location) {
#ifdef SERVOKIT_HAS_LIBPQ
  if (is_postgres_uri(location)) return std::make_unique<postgres_study_store>(location);
#else
  if (is_postgres_uri(location)) {
    throw store_error(redact_postgres_uri(location) +
                      ": this program was built without PostgreSQL support (libpq's header, libpq-dev)");
  }
#endif
  return std::make_unique<sqlite_study_store>(location);
}

}  // namespace servokit::backend
