#pragma once
/// @file
/// `stop_control`: the agent's stop requests (the signals of `PROTOCOL.md` section 5) and the
/// waits they cut short. Shared by the loop's state machine, its conversation with the backend and
/// its driver runner, so that every wait (a SLEEP, `--delay`, a retry's backoff) ends on SIGTERM,
/// SIGUSR1 or SIGHUP alike, and a running driver is stopped on SIGTERM.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>

#include <servokit/servo/options.hpp>

namespace servokit::servo {

/// The stop requests of one agent loop. Thread-safe: a signal thread calls `request`, the loop's
/// thread waits and checks.
class stop_control {
 public:
  /// What a graceful request asked for.
  enum class graceful { none, exit, restart };

  /// Records a request (see `servo_loop::request_stop`) and wakes every wait.
  void request(stop_request kind, std::string_view reason) {
    {
      const std::lock_guard lock(mutex_);
      if (kind == stop_request::terminate) {
        if (terminate_.stop_requested()) {
          force_.request_stop();
        } else {
          terminate_reason_ = reason.empty() ? std::string("SIGTERM") : std::string(reason);
        }
      } else if (graceful_.load() == graceful::none) {
        graceful_ = kind == stop_request::exit ? graceful::exit : graceful::restart;
      }
    }
    if (kind == stop_request::terminate) terminate_.request_stop();
    { const std::lock_guard lock(wait_mutex_); }  // a waiter between its check and its sleep sees the change
    wakeup_.notify_all();
  }

  /// Whether a terminate request came (SIGTERM, SIGINT).
  bool terminating() const noexcept { return terminate_.stop_requested(); }
  /// Whether any request came (terminate, exit or restart).
  bool any() const noexcept { return terminating() || graceful_.load() != graceful::none; }
  /// The graceful request, if one came.
  graceful graceful_request() const noexcept { return graceful_.load(); }
  /// The name GOODBYE gives a terminate request ("SIGTERM" unless told).
  std::string terminate_reason() const {
    const std::lock_guard lock(mutex_);
    return terminate_reason_;
  }
  /// Set by a terminate request: stops drivers and cuts exchanges.
  std::stop_token terminate_token() const noexcept { return terminate_.get_token(); }
  /// Set by a second terminate request: cuts GOODBYE's retries too.
  std::stop_token force_token() const noexcept { return force_.get_token(); }

  /// Waits `duration`; returns false early on any stop request (or when one had come).
  bool wait_for(seconds duration) {
    std::unique_lock lock(wait_mutex_);
    return !wakeup_.wait_for(lock, duration, [this] { return any(); });
  }
  /// Waits `duration` unless `stop` is set; returns false when it was.
  bool wait_for(seconds duration, std::stop_token stop) {
    std::unique_lock lock(wait_mutex_);
    return !wakeup_.wait_for(lock, duration, [&] { return stop.stop_requested(); });
  }

 private:
  mutable std::mutex mutex_;
  std::string terminate_reason_ = "SIGTERM";
  std::stop_source terminate_;
  std::stop_source force_;
  std::atomic<graceful> graceful_{graceful::none};
  std::mutex wait_mutex_;
  std::condition_variable wakeup_;
};

}  // namespace servokit::servo
