#pragma once
/// @file
/// The thread that watches over a running operation: it turns SIGUSR1, SIGTERM, SIGINT and SIGHUP
/// into a stop request (or, for a driver without cancel, into an immediate failure line), and
/// repeats the last progress line while the work is quiet.

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <system_error>
#include <thread>

#include <servokit/driver/progress.hpp>

namespace servokit {

/// The signals a driver treats as "stop now": SIGUSR1 (the protocol's cancel), and the signals a
/// person or supervisor sends to end a program.
inline sigset_t operation_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : {SIGUSR1, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, signal_number);
  return set;
}

/// Blocks `operation_signals()` in the calling thread, and so in every thread it starts later;
/// call it first thing in `main`, before any thread exists, so that no thread takes a signal's
/// default action behind the monitor's back.
inline void block_operation_signals() {
  const sigset_t set = operation_signals();
  if (int failure = pthread_sigmask(SIG_BLOCK, &set, nullptr)) throw std::system_error(failure, std::generic_category(), "pthread_sigmask");
}

/// Watches one operation from a thread of its own (signalfd and a timer in one poll loop).
class signal_monitor {
 public:
  /// Called from the monitor thread when a signal arrives, before the stop is requested; a handler
  /// for work that cannot be cancelled prints the failure line and ends the program.
  using uncancellable_handler = std::function<void(int signal_number)>;

  /// Starts watching. On a signal, `on_signal` (when set) runs first, then `stop` is requested;
  /// progress is repeated every `heartbeat_seconds` of quiet (never when 0).
  signal_monitor(std::stop_source stop, progress& reporter, int heartbeat_seconds,
                 uncancellable_handler on_uncancellable = {})
      : stop_(std::move(stop)), reporter_(reporter), heartbeat_seconds_(heartbeat_seconds),
        on_uncancellable_(std::move(on_uncancellable)) {
    const sigset_t set = operation_signals();
    signals_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_ < 0) {
      const int cause = errno;
      ::close(signals_);
      throw std::system_error(cause, std::generic_category(), "eventfd");
    }
    thread_ = std::thread([this] { watch(); });
  }

  signal_monitor(const signal_monitor&) = delete;
  signal_monitor& operator=(const signal_monitor&) = delete;

  /// Stops watching and joins the thread.
  ~signal_monitor() {
    const std::uint64_t one = 1;
    while (::write(wake_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    thread_.join();
    ::close(wake_);
    ::close(signals_);
  }

  /// The signal that requested the stop, or 0.
  int received_signal() const { return received_.load(); }

 private:
  void watch() {
    using namespace std::chrono;
    for (;;) {
      pollfd watched[2] = {{signals_, POLLIN, 0}, {wake_, POLLIN, 0}};
      const int timeout_ms = heartbeat_seconds_ > 0 ? 1000 : -1;   // heartbeat checks each second
      const int ready = ::poll(watched, 2, timeout_ms);
      if (ready < 0 && errno != EINTR) return;
      if (watched[1].revents != 0) return;
      if (watched[0].revents & POLLIN) {
        signalfd_siginfo info{};
        while (::read(signals_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          const int signal_number = static_cast<int>(info.ssi_signo);
          if (on_uncancellable_) on_uncancellable_(signal_number);
          int expected = 0;
          received_.compare_exchange_strong(expected, signal_number);
          stop_.request_stop();
        }
      }
      if (heartbeat_seconds_ > 0) reporter_.heartbeat(seconds(heartbeat_seconds_));
    }
  }

  std::stop_source stop_;
  progress& reporter_;
  int heartbeat_seconds_;
  uncancellable_handler on_uncancellable_;
  int signals_ = -1;
  int wake_ = -1;
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace servokit
