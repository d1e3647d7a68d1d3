#pragma once
/// @file
/// The thread that watches over a running operation: it turns SIGUSR1, SIGTERM, SIGINT and SIGHUP
/// into a stop request (or, for a driver without cancel, into an immediate failure line), and
/// repeats the last progress line while the work is quiet. It runs a `process::event_loop` of its
/// own, so the driver's work keeps its thread and the signals arrive through a signalfd.

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>
#include <system_error>
#include <thread>

#include <servokit/driver/progress.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/signals.hpp>

namespace servokit {

/// The signals a driver treats as "stop now": SIGUSR1 (the protocol's cancel), and the signals a
/// person or supervisor sends to end a program.
inline process::signal_set operation_signals() { return {SIGUSR1, SIGTERM, SIGINT, SIGHUP}; }

/// Blocks `operation_signals()` in the calling thread, and so in every thread it starts later;
/// call it first thing in `main`, before any thread exists, so that no thread takes a signal's
/// default action behind the monitor's back.
inline void block_operation_signals() {
  if (int failure = ::pthread_sigmask(SIG_BLOCK, &operation_signals().native(), nullptr)) {
    throw std::system_error(failure, std::generic_category(), "pthread_sigmask");
  }
}

/// Watches one operation from a thread of its own.
class signal_monitor {
 public:
  /// Called on the monitor's thread when a signal arrives, before the stop is requested; a
  /// handler for work that cannot be cancelled prints the failure line and ends the program.
  using signal_handler = std::function<void(int signal_number)>;

  /// Starts watching. On a signal, `on_signal` (when set) runs first, then `stop` is requested;
  /// the last progress line is repeated after `heartbeat_seconds` of quiet (never when 0).
  signal_monitor(std::stop_source stop, progress& reporter, int heartbeat_seconds, signal_handler on_signal = {})
      : stop_(std::move(stop)), reporter_(reporter), heartbeat_seconds_(heartbeat_seconds),
        on_signal_(std::move(on_signal)), thread_([this] { watch(); }) {}

  signal_monitor(const signal_monitor&) = delete;
  signal_monitor& operator=(const signal_monitor&) = delete;

  /// Stops watching and joins the thread.
  ~signal_monitor() {
    finished_ = true;
    loop_.wake();
    thread_.join();
  }

  /// The first signal that requested the stop, or 0.
  int received_signal() const { return received_.load(); }

 private:
  void watch() {
    process::signal_watch signals(loop_, operation_signals(), [this](const process::received_signal& signal) {
      if (on_signal_) on_signal_(signal.number);
      int none = 0;
      received_.compare_exchange_strong(none, signal.number);
      stop_.request_stop();
    });
    if (heartbeat_seconds_ > 0) schedule_heartbeat();
    loop_.run_until([this] { return finished_.load(); });
    loop_.cancel_timer(heartbeat_timer_);
  }

  // The repeat is due an interval after the last line, whenever the work printed it; a check
  // every second finds it due within a second.
  void schedule_heartbeat() {
    heartbeat_timer_ = loop_.start_timer(std::chrono::seconds(1), [this] {
      reporter_.heartbeat(std::chrono::seconds(heartbeat_seconds_));
      schedule_heartbeat();
    });
  }

  std::stop_source stop_;
  progress& reporter_;
  int heartbeat_seconds_;
  signal_handler on_signal_;
  process::event_loop loop_;   // made here, turned only by the monitor's thread
  process::event_loop::handle heartbeat_timer_ = 0;
  std::atomic<bool> finished_{false};
  std::atomic<int> received_{0};
  std::thread thread_;         // last: starts once everything it uses exists
};

}  // namespace servokit
