#pragma once
/// @file
/// The thread that watches over a running operation: it turns SIGUSR1, SIGTERM, SIGINT and SIGHUP
/// into a stop request (or, for a driver without cancel, into an immediate failure line), and
/// repeats the last progress line while the work is quiet. It runs a `process::event_loop` of its
/// own, so the driver's work keeps its thread and the signals arrive through a signalfd. Short
/// calls with nothing to cancel (`--query`, `--describe`) use `exit_on_signal` instead.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <functional>
#include <iterator>
#include <string>
#include <stop_token>
#include <system_error>
#include <thread>

#include <servokit/driver/progress.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/signals.hpp>

namespace servokit {

/// The signals a driver treats as "stop now": SIGUSR1 (the protocol's cancel), and the signals a
/// person or supervisor sends to end a program.
inline constexpr int operation_signal_numbers[] = {SIGUSR1, SIGTERM, SIGINT, SIGHUP};

/// `operation_signal_numbers` as a set.
inline process::signal_set operation_signals() {
  process::signal_set set;
  for (int signal_number : operation_signal_numbers) set.add(signal_number);
  return set;
}

/// Blocks `operation_signals()` in the calling thread, and so in every thread it starts later;
/// call it first thing in `main`, before any thread exists, so that no thread takes a signal's
/// default action behind the monitor's back.
inline void block_operation_signals() {
  if (int failure = ::pthread_sigmask(SIG_BLOCK, &operation_signals().native(), nullptr)) {
    throw std::system_error(failure, std::generic_category(), "pthread_sigmask");
  }
}

/// Ends the program with a failure line when an operation signal arrives during a short call
/// (`--query`, `--describe`, a driver's own `--info`): there is nothing to cancel and no progress
/// to repeat, so a plain signal handler does what the monitor's thread and event loop would, at a
/// fraction of the start-up cost. While it lives, `operation_signals()` are unblocked in the
/// calling thread and handled; the handler writes the line prepared for the signal to stdout and
/// calls `_exit`. Destroying it blocks the signals again first, so that the caller can write its
/// own final line without the handler's interleaving: a signal after that stays pending and is
/// dropped at exit. Only one may exist at a time; it writes to stdout, so it suits the
/// `stdout_output` policy.
class exit_on_signal {
 public:
  /// `line_for(signal_number)` gives the final line (without the newline) to print for each of
  /// `operation_signals()`; they are built here, as the handler may not allocate.
  template <class LineFor>
  exit_on_signal(LineFor&& line_for, int exit_code) {
    for (std::size_t i = 0; i < signal_count; ++i) {
      std::string line = line_for(handled[i]);
      line += '\n';
      lines_[i] = std::move(line);
    }
    exit_code_ = exit_code;
    active() = this;
    struct sigaction action {};
    action.sa_handler = &on_signal;
    sigfillset(&action.sa_mask);   // one handler at a time: the first signal's line is the one
    for (std::size_t i = 0; i < signal_count; ++i) ::sigaction(handled[i], &action, &previous_[i]);
    if (int failure = ::pthread_sigmask(SIG_UNBLOCK, &operation_signals().native(), nullptr)) {
      restore();
      throw std::system_error(failure, std::generic_category(), "pthread_sigmask");
    }
  }

  exit_on_signal(const exit_on_signal&) = delete;
  exit_on_signal& operator=(const exit_on_signal&) = delete;

  /// Blocks the signals again, then puts the previous handlers back.
  ~exit_on_signal() {
    ::pthread_sigmask(SIG_BLOCK, &operation_signals().native(), nullptr);
    restore();
  }

 private:
  static constexpr std::size_t signal_count = std::size(operation_signal_numbers);
  static constexpr const int (&handled)[signal_count] = operation_signal_numbers;

  static exit_on_signal*& active() {
    static exit_on_signal* current = nullptr;
    return current;
  }

  void restore() {
    for (std::size_t i = 0; i < signal_count; ++i) ::sigaction(handled[i], &previous_[i], nullptr);
    active() = nullptr;
  }

  // Async-signal-safe: write(2) of a line built beforehand, then _exit.
  static void on_signal(int signal_number) {
    const exit_on_signal* self = active();
    if (self == nullptr) ::_exit(128 + signal_number);
    for (std::size_t i = 0; i < signal_count; ++i) {
      if (handled[i] != signal_number) continue;
      const char* rest = self->lines_[i].data();
      std::size_t left = self->lines_[i].size();
      while (left > 0) {
        const ssize_t written = ::write(STDOUT_FILENO, rest, left);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) break;
        rest += written;
        left -= static_cast<std::size_t>(written);
      }
    }
    ::_exit(self->exit_code_);
  }

  std::string lines_[signal_count];
  struct sigaction previous_[signal_count] {};
  int exit_code_ = 1;
};

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
