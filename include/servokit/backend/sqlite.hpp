#pragma once
/// @file
/// A thin RAII layer over SQLite's C API, just what the study needs: open a database, run
/// statements with bound values, read rows, and transactions that roll back unless committed.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <sqlite3.h>

#include <servokit/backend/store.hpp>

namespace servokit::backend {

/// A SQLite call that failed; `what()` names the database file and SQLite's own message.
class sqlite_error : public store_error {
 public:
  using store_error::store_error;
};

/// One prepared statement; finalized when destroyed.
class sqlite_statement {
 public:
  sqlite_statement(sqlite3* database, std::string_view sql) : database_(database) {
    if (sqlite3_prepare_v2(database, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
      throw sqlite_error(std::string("SQLite: cannot prepare \"") + std::string(sql) + "\": " + sqlite3_errmsg(database));
    }
  }
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;
  sqlite_statement(sqlite_statement&& other) noexcept
      : database_(other.database_), statement_(std::exchange(other.statement_, nullptr)) {}
  ~sqlite_statement() { sqlite3_finalize(statement_); }

  /// Binds `value` to the 1-based parameter `index`; returns *this for chaining.
  sqlite_statement& bind(int index, std::string_view value) {
    check(sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
    return *this;
  }
  /// Binds an integer.
  sqlite_statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(statement_, index, value));
    return *this;
  }
  /// Binds a number.
  sqlite_statement& bind(int index, double value) {
    check(sqlite3_bind_double(statement_, index, value));
    return *this;
  }
  /// Binds a number, or NULL when there is none.
  sqlite_statement& bind(int index, std::optional<double> value) {
    check(value ? sqlite3_bind_double(statement_, index, *value) : sqlite3_bind_null(statement_, index));
    return *this;
  }

  /// Runs the statement to its next row: true when a row is available, false when done.
  bool step() {
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    throw sqlite_error(std::string("SQLite: ") + sqlite3_errmsg(database_));
  }
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }

  /// Column `index` (0-based) of the current row as text; empty for NULL.
  std::string text(int index) const {
    const auto* bytes = sqlite3_column_text(statement_, index);
    return bytes ? std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(sqlite3_column_bytes(statement_, index)))
                 : std::string();
  }
  /// Column `index` as text, or nothing for NULL.
  std::optional<std::string> optional_text(int index) const {
    if (sqlite3_column_type(statement_, index) == SQLITE_NULL) return std::nullopt;
    return text(index);
  }
  /// Column `index` as an integer.
  std::int64_t integer(int index) const { return sqlite3_column_int64(statement_, index); }
  /// Column `index` as a number, or nothing for NULL.
  std::optional<double> number(int index) const {
    if (sqlite3_column_type(statement_, index) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(statement_, index);
  }

 private:
  void check(int result) const {
    if (result != SQLITE_OK) throw sqlite_error(std::string("SQLite: cannot bind: ") + sqlite3_errmsg(database_));
  }

  sqlite3* database_;
  sqlite3_stmt* statement_ = nullptr;
};

/// An open database connection; closed when destroyed.
class sqlite_database {
 public:
  /// Opens (creating when absent) the database at `file`; `:memory:` gives a private one.
  explicit sqlite_database(const std::string& file) : file_(file) {
    if (sqlite3_open_v2(file.c_str(), &database_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string message = database_ ? sqlite3_errmsg(database_) : "out of memory";
      sqlite3_close(database_);
      throw sqlite_error(file + ": cannot open the study database: " + message);
    }
    // Another process holding the file (a second agent on the same study) waits a little, then
    // gets a clear "database is locked" rather than an instant failure.
    sqlite3_busy_timeout(database_, 5000);
  }
  sqlite_database(const sqlite_database&) = delete;
  sqlite_database& operator=(const sqlite_database&) = delete;
  ~sqlite_database() { sqlite3_close(database_); }

  /// Runs one or more statements without parameters.
  void execute(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(database_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message ? message : sqlite3_errmsg(database_);
      sqlite3_free(message);
      throw sqlite_error(file_ + ": " + reason);
    }
  }
  /// Prepares one statement.
  sqlite_statement prepare(std::string_view sql) {
    try {
      return sqlite_statement(database_, sql);
    } catch (const sqlite_error& failure) {
      throw sqlite_error(file_ + ": " + failure.what());
    }
  }

  /// The file it was opened with.
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  sqlite3* database_ = nullptr;
};

/// A write transaction: `BEGIN IMMEDIATE` now, `ROLLBACK` on destruction unless `commit()` ran, so
/// that an exception halfway leaves the study as it was.
class sqlite_transaction {
 public:
  explicit sqlite_transaction(sqlite_database& database) : database_(database) { database_.execute("BEGIN IMMEDIATE"); }
  sqlite_transaction(const sqlite_transaction&) = delete;
  sqlite_transaction& operator=(const sqlite_transaction&) = delete;
  ~sqlite_transaction() {
    if (!committed_) {
      try {
        database_.execute("ROLLBACK");
      } catch (...) {  // nothing better to do in a destructor: the transaction is gone either way
      }
    }
  }
  /// Makes the changes durable.
  void commit() {
    database_.execute("COMMIT");
    committed_ = true;
  }

 private:
  sqlite_database& database_;
  bool committed_ = false;
};

}  // namespace servokit::backend
