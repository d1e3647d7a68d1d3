#pragma once
/// \file
/// One HTTP exchange as the caller describes it (`request`), what came back (`response`), and
/// why it did not (`http_error`).

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace servokit::http {

/// A list of header fields in order; names may repeat (e.g. `Set-Cookie`).
using header_list = std::vector<std::pair<std::string, std::string>>;

/// Whether two header names are the same field (names are case-insensitive, RFC 9110).
[[nodiscard]] inline bool same_header_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// The value of the first field called `name` in `headers`, if any.
[[nodiscard]] inline std::optional<std::string_view> find_header(const header_list& headers, std::string_view name) {
  for (const auto& [field, value] : headers) {
    if (same_header_name(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

/// One HTTP exchange: what to send and the limits it runs under. Proxies come from the usual
/// environment variables (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`), as libcurl reads
/// them; nothing here turns that off.
struct request {
  std::string method = "GET";   ///< Any token: GET, POST, PUT, DELETE, HEAD, PATCH...
  std::string url;              ///< Absolute, with its scheme (http or https; nothing else is allowed).
  header_list headers;          ///< Sent as given; an empty value sends the field empty.
  std::string body;             ///< Sent when not empty (or always for POST).
  /// Until the connection (TCP and TLS) is up.
  std::chrono::milliseconds connect_timeout{10000};
  /// Once connected: no byte sent or received for this long fails the exchange.
  std::chrono::milliseconds idle_timeout{10000};
  /// The whole exchange, connect included; none when empty.
  std::optional<std::chrono::milliseconds> total_timeout;
  /// Check the server's certificate and name (https).
  bool verify_tls = true;
  /// Follow 3xx redirects (at most 10, http and https only). Off by default: an API client that
  /// is redirected usually wants to know.
  bool follow_redirects = false;
  /// A body longer than this fails the exchange (`error_kind::too_large`): memory stays bounded
  /// whatever the server sends. Headers count against a separate fixed limit.
  std::size_t max_response_bytes = std::size_t{8} << 20;
};

/// What the server answered. Any status is a response, 500 included: the caller decides.
struct response {
  long status = 0;        ///< 200, 404, 500...
  header_list headers;    ///< Of the last response when redirects were followed.
  std::string body;       ///< Decoded (gzip, deflate...) body.

  /// The first header called `name` (case-insensitive).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

/// Why an exchange produced no response.
enum class error_kind {
  connect,    ///< The server could not be reached: name resolution, refused, unreachable.
  timeout,    ///< The connect, idle or total timeout passed.
  tls,        ///< The TLS handshake or certificate check failed.
  canceled,   ///< The caller's stop token was triggered, or the transfer was cancelled.
  too_large,  ///< The response was larger than `request::max_response_bytes`.
  other,      ///< Anything else: a bad URL, a protocol error, a connection dropped mid-response.
};

/// "connect", "timeout"... for messages and logs.
[[nodiscard]] constexpr std::string_view to_string(error_kind kind) noexcept {
  switch (kind) {
    case error_kind::connect: return "connect";
    case error_kind::timeout: return "timeout";
    case error_kind::tls: return "tls";
    case error_kind::canceled: return "canceled";
    case error_kind::too_large: return "too_large";
    case error_kind::other: return "other";
  }
  return "other";
}

/// An exchange that failed. `what()` reads like "GET http://host:8080/path: Couldn't connect to
/// server (Failed to connect to host port 8080: Connection refused)": the method, the URL with
/// any credentials removed, and libcurl's reason. Header values never appear in it.
class http_error : public std::runtime_error {
 public:
  /// `message` must already be free of credentials (see `redact_url`).
  http_error(error_kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

  /// What kind of failure it was (for retry decisions).
  [[nodiscard]] error_kind kind() const noexcept { return kind_; }

 private:
  error_kind kind_;
};

/// The outcome of one exchange as the asynchronous interface reports it: a response, or the
/// error that took its place.
struct result {
  std::optional<response> value;     ///< Set when the exchange completed (whatever the status).
  std::optional<http_error> error;   ///< Set otherwise.

  /// Whether there is a response.
  [[nodiscard]] bool ok() const noexcept { return value.has_value(); }
  /// The response, or throws the error.
  response& get() & {
    if (!value) throw *error;
    return *value;
  }
  /// Same, moving the response out.
  response get() && {
    if (!value) throw *error;
    return std::move(*value);
  }
};

}  // namespace servokit::http
