#pragma once
/// @file
/// The agent's signals (section 5) turned into stop requests: SIGTERM and SIGINT ask to terminate,
/// SIGUSR1 to finish and exit, SIGHUP to finish and restart. They are read from a signalfd
/// (`process::signal_watch`) on a thread of their own, because the loop may be blocked in an
/// exchange with the backend when one arrives: the request reaches it through its thread-safe
/// `request_stop`, which cancels the exchange or the driver as the request says.

#include <signal.h>

#include <functional>
#include <stop_token>
#include <string_view>
#include <thread>
#include <utility>

#include <servokit/process/event_loop.hpp>
#include <servokit/process/signals.hpp>
#include <servokit/servo/options.hpp>

namespace servokit::servo {

/// The stop request a signal means, and the name GOODBYE gives it ("SIGTERM", "SIGINT"...).
inline stop_request stop_request_for(int signal_number) noexcept {
  switch (signal_number) {
    case SIGUSR1: return stop_request::exit;
    case SIGHUP: return stop_request::restart;
    default: return stop_request::terminate;
  }
}

/// The signal's name as the original agent sent it in GOODBYE.
inline std::string_view signal_name(int signal_number) noexcept {
  switch (signal_number) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    case SIGHUP: return "SIGHUP";
    default: return "signal";
  }
}

/// Relays SIGTERM, SIGINT, SIGUSR1 and SIGHUP to `on_stop(kind, signal name)` from a thread of
/// its own. Create it in main() before any other thread (it blocks the signals in the calling
/// thread, and threads inherit the mask); `on_stop` runs on the relay's thread, so it must be
/// thread-safe: `servo_loop::request_stop` is. The signals stay blocked after destruction.
///
/// ```
/// servo_loop loop(opts, backend);
/// signal_relay signals([&](stop_request kind, std::string_view name) { loop.request_stop(kind, name); });
/// int code = loop.run();
/// ```
class signal_relay {
 public:
  /// Starts relaying.
  explicit signal_relay(std::function<void(stop_request, std::string_view)> on_stop)
      : on_stop_(std::move(on_stop)),
        watch_(events_, process::signal_set{SIGTERM, SIGINT, SIGUSR1, SIGHUP},
               [this](const process::received_signal& received) {
                 on_stop_(stop_request_for(received.number), signal_name(received.number));
               }),
        thread_([this](std::stop_token stop) {
          const process::stop_binding wake = events_.bind_stop(stop, [] {});
          while (!stop.stop_requested()) events_.run_once();
        }) {}
  signal_relay(const signal_relay&) = delete;
  signal_relay& operator=(const signal_relay&) = delete;
  /// Stops the relay's thread.
  ~signal_relay() {
    thread_.request_stop();
    thread_.join();
  }

 private:
  std::function<void(stop_request, std::string_view)> on_stop_;
  process::event_loop events_;
  process::signal_watch watch_;
  std::jthread thread_;
};

}  // namespace servokit::servo
