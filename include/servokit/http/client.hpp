#pragma once
/// \file
/// The blocking HTTP client: one call, one exchange, on a private event loop.

#include <memory>
#include <optional>
#include <stop_token>
#include <utility>

#include <servokit/http/async_client.hpp>
#include <servokit/http/request.hpp>
#include <servokit/process/event_loop.hpp>

namespace servokit::http {

/// Performs HTTP exchanges one at a time, keeping connections alive between calls (the agent
/// posts every event to the same endpoint). A stop request makes `perform` return at once.
///
/// ```
/// http::client http;
/// http::request hello{.method = "POST", .url = endpoint, .body = event_json};
/// hello.headers.emplace_back("Authorization", "Bearer " + token);   // never in any message
/// http::response answer = http.perform(hello, stop);                // throws http_error
/// if (answer.status / 100 != 2) ...
/// ```
///
/// A client is used by one thread at a time; it may be moved to another thread between calls.
class client {
 public:
  /// A client with no connection yet. Throws `http_error` when libcurl cannot start.
  client() : state_(std::make_unique<state>()) {}

  /// Sends `sent` and returns the response, whatever its status. Throws `http_error` when there
  /// is none: unreachable, timed out, TLS refused, too large, or `stop` requested (kind
  /// `canceled`, at once, also in the middle of a transfer).
  response perform(const request& sent, std::stop_token stop = {}) {
    if (stop.stop_requested()) {
      throw http_error(error_kind::canceled, sent.method + " " + redact_url(sent.url) + ": canceled");
    }
    std::optional<result> done;
    const transfer_id id = state_->http.start(sent, [&done](result ended) { done = std::move(ended); }, std::move(stop));
    try {
      state_->loop.run_until([&done] { return done.has_value(); });
    } catch (...) {
      state_->http.cancel(id);
      throw;
    }
    return std::move(*done).get();
  }

 private:
  struct state {
    process::event_loop loop;
    async_client http{loop};
  };
  std::unique_ptr<state> state_;
};

}  // namespace servokit::http
