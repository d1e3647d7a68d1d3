#pragma once
/// \file
/// Signals sent to this program (SIGTERM, SIGINT, SIGHUP, SIGUSR1...) delivered to an event loop
/// callback through a signalfd: no asynchronous handler, so the callback may do anything.

#include <servokit/process/error.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/fd.hpp>

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include <cerrno>
#include <functional>
#include <initializer_list>
#include <utility>

namespace servokit::process {

/// A set of signal numbers.
class signal_set {
 public:
  /// The empty set.
  signal_set() noexcept { sigemptyset(&set_); }
  /// `signal_set{SIGTERM, SIGINT}`.
  signal_set(std::initializer_list<int> signals) noexcept : signal_set() {
    for (int signal_number : signals) add(signal_number);
  }
  /// Adds one signal.
  signal_set& add(int signal_number) noexcept {
    sigaddset(&set_, signal_number);
    return *this;
  }
  /// Whether `signal_number` is in the set.
  [[nodiscard]] bool contains(int signal_number) const noexcept { return sigismember(&set_, signal_number) == 1; }
  /// The sigset_t, for system calls.
  [[nodiscard]] const sigset_t& native() const noexcept { return set_; }

 private:
  sigset_t set_{};
};

/// One signal as received: its number and who sent it.
struct received_signal {
  int number = 0;       ///< SIGTERM, SIGUSR1...
  pid_t sender = 0;     ///< Sending process (0 for the kernel).
  uid_t sender_uid = 0; ///< Its real user id.
};

/// Watches signals sent to this program and calls `on_signal` for each on the loop's thread.
///
/// It blocks the signals in the calling thread (a signalfd only sees blocked signals). Create it
/// in main() before any thread starts: threads inherit the mask of their creator, and a thread
/// that does not block a signal may receive it instead and run its default action (for SIGTERM:
/// terminate the program). Children started by this layer do not inherit the block. The signals
/// stay blocked after the watch is destroyed: unblocking would deliver a pending one with its
/// default action.
class signal_watch {
 public:
  /// Blocks `signals` and starts delivering them to `on_signal` on `loop`.
  signal_watch(event_loop& loop, const signal_set& signals, std::function<void(const received_signal&)> on_signal)
      : loop_(loop), signals_(signals), on_signal_(std::move(on_signal)) {
    if (int error = ::pthread_sigmask(SIG_BLOCK, &signals_.native(), nullptr); error != 0) {
      throw process_error(error, "cannot block signals for the signal watch");
    }
    fd_.reset(::signalfd(-1, &signals_.native(), SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw process_error(errno, "cannot create a signalfd");
    watch_ = loop_.watch(fd_.get(), EPOLLIN, [this](std::uint32_t) { drain(); });
  }
  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;
  /// Stops watching (the signals stay blocked, see above).
  ~signal_watch() { loop_.unwatch(watch_); }

  /// The signals watched.
  [[nodiscard]] const signal_set& signals() const noexcept { return signals_; }

 private:
  void drain() {
    signalfd_siginfo info{};
    for (;;) {
      const ssize_t got = ::read(fd_.get(), &info, sizeof info);
      if (got < 0 && errno == EINTR) continue;
      if (got != static_cast<ssize_t>(sizeof info)) return;  // EAGAIN: nothing more pending
      on_signal_(received_signal{static_cast<int>(info.ssi_signo), static_cast<pid_t>(info.ssi_pid),
                                 static_cast<uid_t>(info.ssi_uid)});
    }
  }

  event_loop& loop_;
  signal_set signals_;
  std::function<void(const received_signal&)> on_signal_;
  unique_fd fd_;
  event_loop::handle watch_ = 0;
};

}  // namespace servokit::process
