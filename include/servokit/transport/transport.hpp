#pragma once
/// @file
/// What the agent loop needs from a backend connection: send one event, get the backend's reply.
///
/// The concept is deliberately small, so that a transport is a few dozen lines: `http_transport`
/// posts the event to the Optune endpoint, `local_transport` hands it to an in-process backend,
/// `scripted_transport` checks it against a test's script. Retries, re-synchronisation and every
/// other rule of `PROTOCOL.md` sections 5 and 9 belong to the loop, not to a transport.

#include <concepts>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

namespace servokit::transport {

/// One event of the agent: `{"event": name, "param": param}` on the wire.
struct event {
  std::string_view name;         ///< HELLO, WHATS_NEXT, DESCRIPTION, ADJUSTMENT, MEASUREMENT, GOODBYE
  std::string_view param_json;   ///< the param as compact JSON text (`null` for WHATS_NEXT)
  /// The command this event belongs to; empty: none. The loop has already written it into
  /// `param_json` as `cmd_uid` (section 9); it is given apart so that an in-process backend can
  /// match the event to its command without parsing the param. A transport never adds it again.
  std::string_view cmd_uid;
  /// This agent's identity (section 9's `servo_uid`), sent in the envelope beside `event` and
  /// `param`; empty: none.
  std::string_view servo_uid;
};

/// The backend's answer to one event: its JSON body, unparsed (the loop reads it with simdjson).
struct reply {
  std::string body;
};

/// An exchange that did not produce a reply.
///
/// `retryable()` tells the loop whether the same event may be sent again (a connection error, a
/// 5xx, 404, 408 or 429, a body that is not JSON) or not (another 4xx: the backend refused the
/// event; a 3xx: the endpoint moved). `retry_after()` is the wait the backend asked for
/// (`Retry-After`), checked, when it gave one.
/// The message names the endpoint without credentials and never contains the auth token.
class transport_error : public std::runtime_error {
 public:
  transport_error(std::string message, bool retryable, std::optional<int> http_status = std::nullopt,
                  std::optional<double> retry_after = std::nullopt)
      : std::runtime_error(std::move(message)), retryable_(retryable), http_status_(http_status), retry_after_(retry_after) {}

  /// Whether sending the same event again may succeed.
  bool retryable() const noexcept { return retryable_; }
  /// The HTTP status of the failed exchange, when there was one.
  std::optional<int> http_status() const noexcept { return http_status_; }
  /// The seconds the backend asked to wait before the next try (0 to 10^9), when it said.
  std::optional<double> retry_after() const noexcept { return retry_after_; }

 private:
  bool retryable_;
  std::optional<int> http_status_;
  std::optional<double> retry_after_;
};

/// A connection to a backend: `exchange` sends one event and returns the reply, or throws
/// `transport_error`. A stop request makes it return at once by throwing `transport_error`
/// (not retryable); it never blocks past the stop.
template <class T>
concept transport = requires(T& connection, const event& sent, std::stop_token stop) {
  { connection.exchange(sent, stop) } -> std::same_as<reply>;
};

}  // namespace servokit::transport
