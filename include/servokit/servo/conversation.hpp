#pragma once
/// @file
/// The agent's conversation with its backend (`PROTOCOL.md` section 5): one event sent over any
/// transport, its reply parsed, and the retry policy when the backend is not there.
///
/// The policy, in one place:
/// - HELLO, WHATS_NEXT and results are sent until they are delivered; progress events are
///   retried once, GOODBYE three times (its waits at most 1 s apart, so a `docker stop` is not
///   held up by a backend that is down).
/// - The waits grow exponentially with jitter: the first is `first_whats_next_retry` (1 s), each
///   next doubles, all capped by `retry_delay` (`$SERVO_RETRY_DELAY_SEC`, 20 s); each is drawn
///   between half and the whole of its step, so that agents cut off together do not come back
///   together. A `Retry-After` from the backend (408, 429, 503...) is honoured instead.
/// - A 3xx and the 4xx other than 404, 408 and 429 are not retried: the backend refused.
/// - Every wait ends on any stop request: SIGTERM ends the exchange, SIGUSR1 and SIGHUP end the
///   retries of any event but GOODBYE (which a second SIGTERM cuts), so an agent whose backend is
///   down still stops when asked.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/servo/driver_output.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/servo/stop_control.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/transport/transport.hpp>

namespace servokit::servo {

/// How often an event is sent again when it is not delivered.
enum class retries { forever, once, three_times };

/// The waits between tries: exponential from `first`, capped by `cap`, each drawn in
/// [step/2, step] (see the file comment). `reset` starts again from `first`.
class retry_backoff {
 public:
  /// Waits from `first` up to `cap`; `seed` makes the jitter reproducible in tests.
  retry_backoff(seconds first, seconds cap, std::uint64_t seed = std::random_device{}())
      : first_(std::min(first, cap)), cap_(cap), step_(first_), random_(seed) {}

  /// The next wait; the step after it doubles, up to the cap.
  seconds next() {
    const double step = step_.count();
    step_ = std::min(cap_, step_ * 2);
    return seconds(std::uniform_real_distribution<double>(step / 2, step)(random_));
  }
  /// After a delivered event: the next failure waits `first` again.
  void reset() { step_ = first_; }

 private:
  seconds first_;
  seconds cap_;
  seconds step_;
  std::mt19937_64 random_;
};

/// A reply that arrived: its body parsed (valid until the next exchange) and the backend's status.
struct answer {
  bool delivered = false;    ///< false: given up (retries spent, refused, or stopped)
  bool refused = false;      ///< the backend refused the event (a 3xx, a 4xx other than 404, 408, 429)
  simdjson::dom::element body;
  std::optional<std::string> status;
  std::optional<std::string> reason;
};

/// The conversation with the backend over `Transport` (see the file comment). Used from the
/// loop's thread only.
template <transport::transport Transport>
class conversation {
 public:
  /// Talks to `backend` under `settings`; `stops` cuts its waits. All three must outlive it.
  conversation(const options& settings, Transport& backend, stop_control& stops)
      : options_(settings),
        backend_(backend),
        stops_(stops),
        backoff_(settings.first_whats_next_retry, settings.retry_delay),
        idle_backoff_(settings.first_whats_next_retry, settings.retry_delay) {}
  conversation(const conversation&) = delete;
  conversation& operator=(const conversation&) = delete;

  /// Sends `event` with `param_json`, retrying per `policy`; parses the reply. `stop` ends it at
  /// once (the terminate token, or the force token for GOODBYE).
  answer send(std::string_view event, const std::string& param_json, std::string_view cmd_uid, retries policy,
              std::stop_token stop) {
    answer result;
    int retries_left = policy == retries::forever ? -1 : policy == retries::once ? 1 : 3;
    const bool last_word = event == "GOODBYE";
    retry_backoff& waits = backoff_;
    waits.reset();
    retry_backoff goodbye_waits(std::min(options_.first_whats_next_retry, seconds(1)),
                                std::min(options_.retry_delay, seconds(1)));
    if (options_.verbose) detail("> " + std::string(event) + " " + excerpt(param_json, 4096));
    for (;;) {
      std::string problem;
      std::optional<double> asked_wait;
      try {
        transport::reply reply =
            backend_.exchange(transport::event{event, param_json, cmd_uid, options_.servo_uid}, stop);
        reply_text_ = std::move(reply.body);
        if (options_.verbose) detail("< " + std::string(event) + " " + excerpt(reply_text_, 4096));
        if (parser_.parse(reply_text_).get(result.body) == simdjson::SUCCESS) {
          result.delivered = true;
          result.status = detail::string_member(result.body, "status");
          result.reason = detail::string_member(result.body, "reason");
          return result;
        }
        problem = "the reply is not JSON: " + excerpt(reply_text_);
      } catch (const transport::transport_error& error) {
        if (stop.stop_requested()) return result;
        if (!error.retryable()) {
          log(std::string(event) + ": the backend refused the event: " + error.what());
          result.refused = true;
          return result;
        }
        problem = error.what();
        asked_wait = error.retry_after();
      }
      if (retries_left == 0) {
        log(std::string(event) + ": " + problem + "; no retries left, giving up on this event");
        return result;
      }
      if (!last_word && stops_.any()) {
        log(std::string(event) + ": " + problem + "; a stop was requested: giving up on this event");
        return result;
      }
      if (retries_left > 0) --retries_left;
      const seconds delay = asked_wait ? seconds(*asked_wait) : last_word ? goodbye_waits.next() : waits.next();
      char wait_text[64];
      std::snprintf(wait_text, sizeof wait_text, "%.3g s%s", delay.count(), asked_wait ? " (Retry-After)" : "");
      log(std::string(event) + ": " + problem + "; retrying in " + wait_text);
      if (!wait(delay, stop, last_word)) {
        if (!stop.stop_requested()) log(std::string(event) + ": a stop was requested: giving up on this event");
        return result;
      }
    }
  }

  /// After a reply that brought no command to run: waits as after a failure (growing, with
  /// jitter, capped by `retry_delay`), so a backend that answers nothing useful is not asked
  /// again at once. Returns false when a stop request cut the wait.
  bool wait_after_idle_reply() {
    const seconds delay = idle_backoff_.next();
    char wait_text[32];
    std::snprintf(wait_text, sizeof wait_text, "%.3g s", delay.count());
    log(std::string("asking again in ") + wait_text);
    return stops_.wait_for(delay);
  }
  /// A command came: the next reply without one waits the first step again.
  void command_received() { idle_backoff_.reset(); }

  /// The text of the last reply (the parsed `answer::body` points into it).
  const std::string& reply_text() const noexcept { return reply_text_; }

 private:
  /// Waits `delay` unless `stop` comes or, for any event but GOODBYE, any stop request.
  bool wait(seconds delay, std::stop_token stop, bool last_word) {
    if (last_word) return stops_.wait_for(delay, stop);
    return stops_.wait_for(delay) && !stop.stop_requested();
  }
  void log(std::string_view line) { options_.log(log_level::operation, line); }
  void detail(std::string_view line) {
    if (options_.verbose) options_.log(log_level::detail, line);
  }

  const options& options_;
  Transport& backend_;
  stop_control& stops_;
  retry_backoff backoff_;
  retry_backoff idle_backoff_;
  simdjson::dom::parser parser_;
  std::string reply_text_;
};

}  // namespace servokit::servo
