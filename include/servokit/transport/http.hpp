#pragma once
/// @file
/// `http_transport`: the agent's connection to the Optune endpoint (`PROTOCOL.md` sections 5 and
/// 9). Each event is one POST of `{"event": ..., "param": ...}` with `Authorization: Bearer` from
/// the token file, on one kept-alive connection, TLS verified, proxies from the usual environment
/// variables (the HTTP layer's rules). The token never appears in any message.
///
/// ```
/// transport::http_options backend;
/// backend.url = transport::endpoint_url(url_option, account_option, app_id);   // section 5's rules
/// backend.token = transport::read_token_file("/run/secrets/optune_auth_token");
/// transport::http_transport connection(std::move(backend));
/// ```

#include <chrono>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

#include <servokit/http/client.hpp>
#include <servokit/http/request.hpp>
#include <servokit/http/retry_after.hpp>
#include <servokit/http/url.hpp>
#include <servokit/json/write.hpp>
#include <servokit/text/token_file.hpp>
#include <servokit/transport/transport.hpp>

namespace servokit::transport {

/// The token file the original agent read by default.
inline constexpr std::string_view default_token_file = "/run/secrets/optune_auth_token";

/// A setting of the HTTP transport that cannot be used (no account for the default URL, an
/// unreadable or empty token file); the message says what to do.
class setup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The endpoint: `url` when given, else the Optune API's URL for `account` and `app_id`
/// (`https://api.opsani.com/accounts/{account}/applications/{app_id}/servo`). Throws
/// `setup_error` when neither a URL nor an account is given.
inline std::string endpoint_url(std::string_view url, std::string_view account, std::string_view app_id) {
  if (!url.empty()) return std::string(url);
  if (account.empty()) {
    throw setup_error("no Optune account: give --account or set $OPTUNE_ACCOUNT (or give the endpoint with --url)");
  }
  return "https://api.opsani.com/accounts/" + std::string(account) + "/applications/" + std::string(app_id) + "/servo";
}

/// The bearer token in `path` (`servokit::read_token_file`'s rules, the same as the server's).
/// Throws `setup_error` naming the file, never its content, and saying what to do.
inline std::string read_token_file(const std::string& path) {
  try {
    return servokit::read_token_file(path);
  } catch (const token_file_error& error) {
    throw setup_error(std::string(error.what()) + " (give another with --auth-token FILE, or --no-auth)");
  }
}

/// How `http_transport` reaches the backend.
struct http_options {
  std::string url;                    ///< the endpoint (see `endpoint_url`)
  std::optional<std::string> token;   ///< sent as `Authorization: Bearer`; none with --no-auth
  bool verify_tls = true;             ///< check the server's certificate and name
  std::string user_agent = "servokit-servo";  ///< the `User-Agent` header
  /// Until the connection (TLS included) is up.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// No byte either way for this long fails the exchange (a hung backend is retried).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(120)};
};

/// The agent's HTTP connection (see the file comment). One loop uses it at a time.
class http_transport {
 public:
  /// A transport to `settings.url`; the connection opens with the first event.
  explicit http_transport(http_options settings) : options_(std::move(settings)) {
    if (options_.token) authorization_ = "Bearer " + *options_.token;
  }

  /// POSTs the event; returns a 2xx reply's body. Throws `transport_error`: retryable for a
  /// connection failure, a timeout, a 404, 408 or 429, a 5xx or a 1xx (with the Retry-After the
  /// backend gave, checked); not retryable for a 3xx (the endpoint moved: the message says where
  /// and to give it with --url), another 4xx (the backend refused the event) or a stop request.
  reply exchange(const event& sent, std::stop_token stop) {
    http::request post;
    post.method = "POST";
    post.url = options_.url;
    post.verify_tls = options_.verify_tls;
    post.connect_timeout = options_.connect_timeout;
    post.idle_timeout = options_.idle_timeout;
    post.headers.emplace_back("Content-Type", "application/json");
    post.headers.emplace_back("Accept", "application/json");
    post.headers.emplace_back("User-Agent", options_.user_agent);
    if (!authorization_.empty()) post.headers.emplace_back("Authorization", authorization_);
    json::writer body(post.body);
    body.begin_object();
    body.key("event");
    body.string(sent.name);
    body.key("param");
    body.raw(sent.param_json.empty() ? std::string_view("null") : sent.param_json);
    if (!sent.servo_uid.empty()) {
      body.key("servo_uid");
      body.string(sent.servo_uid);
    }
    body.end_object();

    http::response answer;
    try {
      answer = client_.perform(post, stop);
    } catch (const http::http_error& error) {
      throw transport_error(without_token(error.what()), error.kind() != http::error_kind::canceled);
    }
    if (answer.status >= 200 && answer.status < 300) return reply{std::move(answer.body)};
    const std::string failed = "POST " + http::redact_url(options_.url) + ": HTTP " + std::to_string(answer.status);
    if (answer.status >= 300 && answer.status < 400) {
      // A POST is not followed: the event would be resent elsewhere, perhaps without TLS. The
      // operator learns where the endpoint went and gives it; retrying would loop for ever.
      const auto location = answer.header("Location");
      throw transport_error(without_token(failed + ": the backend moved" +
                                          (location ? " to " + http::redact_url(std::string(*location)) : std::string()) +
                                          "; servokit does not follow redirects: give the endpoint with --url"),
                            false, static_cast<int>(answer.status));
    }
    const bool retried_status = answer.status == 404 || answer.status == 408 || answer.status == 429;
    const bool refused = answer.status >= 400 && answer.status < 500 && !retried_status;
    std::optional<double> retry_after;
    if (const auto header = answer.header("Retry-After"); header && !refused) {
      retry_after = http::retry_after_seconds(*header, std::chrono::system_clock::now());
    }
    throw transport_error(without_token(failed + ": " + body_excerpt(answer.body)), !refused,
                          static_cast<int>(answer.status), retry_after);
  }

  /// The endpoint, without credentials, for messages.
  std::string endpoint() const { return http::redact_url(options_.url); }

 private:
  /// The start of an error body, on one line.
  static std::string body_excerpt(std::string_view body) {
    std::string text(body.substr(0, 300));
    for (char& c : text) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (body.size() > 300) text += "...";
    return text.empty() ? "(empty body)" : text;
  }

  /// `text` with the token masked, should a backend or proxy ever echo it back.
  std::string without_token(std::string text) const {
    if (!options_.token || options_.token->empty()) return text;
    for (std::size_t at = text.find(*options_.token); at != std::string::npos; at = text.find(*options_.token, at)) {
      text.replace(at, options_.token->size(), "***");
    }
    return text;
  }

  http_options options_;
  std::string authorization_;
  http::client client_;
};

static_assert(transport<http_transport>);

}  // namespace servokit::transport
