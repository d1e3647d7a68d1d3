#pragma once
/// @file
/// A thin RAII layer over libpq (PostgreSQL's C client), with the API of `sqlite_database` so
/// that the study's SQL runs on either: a connection from a libpq URI, statements with `?N`
/// parameters bound as text, rows read column by column. Link with libpq (`-lpq`, Debian's
/// libpq-dev); only programs that include this header need it.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/store.hpp>

namespace servokit::backend {

/// A PostgreSQL call that failed; `what()` names the server (without password) and its message.
class postgres_error : public store_error {
 public:
  using store_error::store_error;
};

/// Whether `location` names a PostgreSQL database: a `postgresql://` or `postgres://` URI.
inline bool is_postgres_uri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

/// `uri` as messages may show it: a password (`user:secret@`, `password=secret`) replaced by `***`.
inline std::string redact_postgres_uri(std::string_view uri) {
  std::string shown(uri);
  if (const auto scheme = shown.find("://"); scheme != std::string::npos) {
    const auto at = shown.find('@', scheme + 3);
    const auto colon = shown.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      shown.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t found = shown.find("password="); found != std::string::npos; found = shown.find("password=", found + 1)) {
    const auto end = shown.find('&', found);
    shown.replace(found + 9, (end == std::string::npos ? shown.size() : end) - found - 9, "***");
  }
  return shown;
}

}  // namespace servokit::backend

// Everything below needs libpq's header (Debian: libpq-dev, in /usr/include/postgresql/; other
// systems put it straight in the path). Without it, only the names above are declared.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#define SERVOKIT_HAS_LIBPQ 1
#elif __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#define SERVOKIT_HAS_LIBPQ 1
#endif

#ifdef SERVOKIT_HAS_LIBPQ
namespace servokit::backend {

/// `sql` with SQLite's `?N` parameters spelled as PostgreSQL's `$N` (outside quoted text).
inline std::string postgres_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '$';
      continue;
    }
    out += c;
  }
  return out;
}

/// One statement with its parameters; run at the first `step()` or `run()`, its result freed when
/// destroyed.
class postgres_statement {
 public:
  postgres_statement(PGconn* connection, std::string sql, std::string location)
      : connection_(connection), sql_(std::move(sql)), location_(std::move(location)) {}
  postgres_statement(const postgres_statement&) = delete;
  postgres_statement& operator=(const postgres_statement&) = delete;
  postgres_statement(postgres_statement&& other) noexcept
      : connection_(other.connection_), sql_(std::move(other.sql_)), location_(std::move(other.location_)),
        parameters_(std::move(other.parameters_)), result_(std::exchange(other.result_, nullptr)), row_(other.row_) {}
  ~postgres_statement() { PQclear(result_); }

  /// Binds `value` to the 1-based parameter `index`; returns *this for chaining.
  postgres_statement& bind(int index, std::string_view value) { return set(index, std::string(value)); }
  /// Binds an integer.
  postgres_statement& bind(int index, std::int64_t value) { return set(index, std::to_string(value)); }
  /// Binds a number, every digit kept.
  postgres_statement& bind(int index, double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return set(index, buffer);
  }
  /// Binds a number, or NULL when there is none.
  postgres_statement& bind(int index, std::optional<double> value) {
    return value ? bind(index, *value) : set(index, std::nullopt);
  }

  /// Runs the statement (the first time) and moves to its next row: false when there is none.
  bool step() {
    if (!result_) execute();
    ++row_;
    return row_ < PQntuples(result_);
  }
  /// Runs a statement that returns no rows.
  void run() {
    if (!result_) execute();
  }

  /// Column `index` (0-based) of the current row as text; empty for NULL.
  std::string text(int index) const {
    return std::string(PQgetvalue(result_, row_, index), static_cast<std::size_t>(PQgetlength(result_, row_, index)));
  }
  /// Column `index` as text, or nothing for NULL.
  std::optional<std::string> optional_text(int index) const {
    if (PQgetisnull(result_, row_, index)) return std::nullopt;
    return text(index);
  }
  /// Column `index` as an integer (0 for NULL).
  std::int64_t integer(int index) const { return std::strtoll(PQgetvalue(result_, row_, index), nullptr, 10); }
  /// Column `index` as a number, or nothing for NULL.
  std::optional<double> number(int index) const {
    if (PQgetisnull(result_, row_, index)) return std::nullopt;
    return std::strtod(PQgetvalue(result_, row_, index), nullptr);
  }

 private:
  postgres_statement& set(int index, std::optional<std::string> value) {
    if (index < 1) throw postgres_error(location_ + ": parameter index " + std::to_string(index) + " (they start at 1)");
    if (parameters_.size() < static_cast<std::size_t>(index)) parameters_.resize(static_cast<std::size_t>(index));
    parameters_[static_cast<std::size_t>(index - 1)] = std::move(value);
    return *this;
  }

  void execute() {
    std::vector<const char*> values;
    for (const auto& parameter : parameters_) values.push_back(parameter ? parameter->c_str() : nullptr);
    result_ = PQexecParams(connection_, sql_.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                           nullptr, 0);
    const auto status = PQresultStatus(result_);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = result_ ? PQresultErrorMessage(result_) : PQerrorMessage(connection_);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      throw postgres_error(location_ + ": " + message + " (in \"" + sql_.substr(0, 120) + "\")");
    }
  }

  PGconn* connection_;
  std::string sql_;
  std::string location_;
  std::vector<std::optional<std::string>> parameters_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

/// An open connection to a PostgreSQL server; closed when destroyed.
class postgres_connection {
 public:
  /// Connects to `uri` (a libpq URI: `postgresql://USER@HOST:PORT/DB`). Throws `postgres_error`
  /// naming the server (without its password) and libpq's reason.
  explicit postgres_connection(const std::string& uri) : location_(redact_postgres_uri(uri)) {
    connection_ = PQconnectdb(uri.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      std::string message = connection_ ? PQerrorMessage(connection_) : "out of memory";
      while (!message.empty() && message.back() == '\n') message.pop_back();
      PQfinish(connection_);
      throw postgres_error(location_ + ": cannot connect to the study database: " + message);
    }
    // NOTICEs ("relation already exists, skipping") are for people at a psql prompt, not a log.
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
  }
  postgres_connection(const postgres_connection&) = delete;
  postgres_connection& operator=(const postgres_connection&) = delete;
  ~postgres_connection() { PQfinish(connection_); }

  /// Runs one or more statements without parameters.
  void execute(std::string_view sql) {
    PGresult* result = PQexec(connection_, std::string(sql).c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
      PQclear(result);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      throw postgres_error(location_ + ": " + message);
    }
    PQclear(result);
  }
  /// Prepares one statement (`?N` parameters).
  postgres_statement prepare(std::string_view sql) { return postgres_statement(connection_, postgres_parameters(sql), location_); }

  /// Whether the connection is still up and outside any transaction: fit to be used again.
  bool reusable() const {
    return PQstatus(connection_) == CONNECTION_OK && PQtransactionStatus(connection_) == PQTRANS_IDLE;
  }
  /// The server as messages name it (without password).
  const std::string& location() const { return location_; }

 private:
  std::string location_;
  PGconn* connection_ = nullptr;
};

}  // namespace servokit::backend
#endif  // SERVOKIT_HAS_LIBPQ
