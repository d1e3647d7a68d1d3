#pragma once
/// \file
/// `orphan_guard`: nothing a servokit program starts outlives it, even when it is SIGKILLed.
///
/// Every child (`process::child`) leads a process group of its own, so that stopping it reaches
/// everything it started; but a process group is not stopped by its parent's death. A parent-death
/// signal (PR_SET_PDEATHSIG) would reach only the direct child, not the shell's `sleep` or a
/// driver's own workers, and posix_spawn cannot set it. So each program that starts children
/// starts, with its first child, one small guard process: the program tells it, over a socket, each
/// process group it starts and each it has reaped. When the socket closes, the program has ended
/// (exited, exec'ed, or been killed, SIGKILL included) and the guard stops every group still on
/// its list: SIGTERM, then SIGKILL `orphan_grace` later, then it exits.
///
/// Nested programs chain: servokit-magg and servokit-exec are programs with guards of their own,
/// so an agent's SIGKILL reaches their sub-drivers and async tasks through them. With every guard
/// waiting at most `orphan_grace` (0.5 s) per level, two levels end within about a second.
///
/// The guard is detached (double fork: init or the nearest subreaper reaps it), leaves the
/// terminal's process group (a Ctrl-C is the program's to handle), holds no descriptor of the
/// program's but its end of the socket (a child's stdin must still see EOF when the program closes
/// it), and works in "/" so that it never keeps a directory busy. A socket rather than a pipe: a
/// guard killed by someone costs the program an EPIPE (MSG_NOSIGNAL), never a SIGPIPE.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace servokit::process {

/// How long the guard waits between SIGTERM and SIGKILL for the groups its program left behind.
/// Short on purpose: the program is gone, nobody will read what the children still write.
inline constexpr std::chrono::milliseconds orphan_grace{500};

namespace detail {

/// One message to the guard: a process group to watch (`watch` 1) or to forget (0).
struct guard_message {
  std::int32_t group = 0;
  std::int32_t watch = 0;
};

/// The guard process's loop: reads `guard_message`s until EOF, then stops the groups left. Runs
/// in a child of a fork from a program that may have threads, so only async-signal-safe calls and
/// no allocation; never returns.
[[noreturn]] inline void run_guard(int from_program) noexcept {
  constexpr int capacity = 4096;
  static std::int32_t groups[capacity];
  int count = 0;
  guard_message message{};
  std::size_t filled = 0;
  for (;;) {
    const ssize_t got = ::read(from_program, reinterpret_cast<char*>(&message) + filled, sizeof message - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;   // EOF: the program has ended
    filled += static_cast<std::size_t>(got);
    if (filled < sizeof message) continue;
    filled = 0;
    if (message.group <= 1) continue;
    if (message.watch != 0) {
      if (count < capacity) groups[count++] = message.group;
    } else {
      for (int index = 0; index < count; ++index) {
        if (groups[index] == message.group) {
          groups[index] = groups[--count];
          break;
        }
      }
    }
  }
  for (int index = 0; index < count; ++index) ::kill(-groups[index], SIGTERM);
  const auto grace_ms = static_cast<long>(orphan_grace.count());
  for (long waited = 0; waited < grace_ms; waited += 20) {
    bool any = false;
    for (int index = 0; index < count; ++index) any = any || ::kill(-groups[index], 0) == 0;
    if (!any) ::_exit(0);
    const timespec step{0, 20L * 1000 * 1000};
    ::clock_nanosleep(CLOCK_MONOTONIC, 0, &step, nullptr);
  }
  for (int index = 0; index < count; ++index) ::kill(-groups[index], SIGKILL);
  ::_exit(0);
}

/// The guard of this process: started with the first child, restarted after a fork.
class guard_connection {
 public:
  static guard_connection& instance() {
    static guard_connection connection;
    return connection;
  }

  void send(pid_t group, bool watch) noexcept {
    const std::lock_guard lock(mutex_);
    if (owner_ != ::getpid()) start();   // first use, or a forked copy of a program that had one
    if (write_end_ < 0) return;          // no guard could be started: children are still stopped by their handles
    const guard_message message{static_cast<std::int32_t>(group), watch ? 1 : 0};
    // 8 bytes are sent whole on a stream socket with room; the guard reads at once.
    for (;;) {
      const ssize_t written = ::send(write_end_, &message, sizeof message, MSG_NOSIGNAL);
      if (written >= 0) break;
      if (errno == EINTR) continue;
      ::close(write_end_);   // the guard is gone (killed by hand): children are still stopped by their handles
      write_end_ = -1;
      break;
    }
  }

 private:
  guard_connection() = default;

  void start() noexcept {
    owner_ = ::getpid();
    if (write_end_ >= 0) ::close(write_end_);   // a forked copy's inherited end belongs to the parent's guard
    write_end_ = -1;
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return;
    const pid_t intermediate = ::fork();
    if (intermediate < 0) {
      ::close(ends[0]);
      ::close(ends[1]);
      return;
    }
    if (intermediate == 0) {
      // The intermediate forks the guard and exits, so the guard is nobody's child here. It also
      // moves the guard to a process group of its own before exiting (the guard does so itself,
      // but on a busy machine it may not have run yet): the program waits for the intermediate,
      // so by the time the program starts its work, a signal to the program's group (its parent
      // stopping the program and all it started, SIGKILL included) no longer reaches the guard.
      // Found by "a SIGKILLed servokit-exec leaves no async task running" failing under load: the
      // test's SIGKILL to servokit-exec's group killed a guard that had not yet left it.
      const pid_t guard = ::fork();
      if (guard != 0) {
        if (guard > 0) ::setpgid(guard, guard);
        ::_exit(0);
      }
      become_guard(ends[0], ends[1]);
    }
    ::close(ends[0]);
    int status = 0;
    while (::waitpid(intermediate, &status, 0) < 0 && errno == EINTR) {
    }
    write_end_ = ends[1];
  }

  [[noreturn]] static void become_guard(int read_end, int write_end) noexcept {
    ::close(write_end);
    // Only the guard's end of the socket stays open: a copy of a child's stdin pipe would keep it from EOF.
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    const int from_program = ::fcntl(read_end, F_DUPFD, 3);
    const int kept = from_program >= 0 ? from_program : read_end;
#ifdef SYS_close_range
    if (kept > 3) ::syscall(SYS_close_range, 3U, static_cast<unsigned>(kept - 1), 0U);
    ::syscall(SYS_close_range, static_cast<unsigned>(kept + 1), ~0U, 0U);
#else
    for (int fd = 3; fd < 65536; ++fd) {
      if (fd != kept) ::close(fd);
    }
#endif
    ::setpgid(0, 0);
    if (::chdir("/") != 0) {
      // Staying in the program's directory only keeps it busy a little longer.
    }
    ::prctl(PR_SET_NAME, "servokit-guard", 0, 0, 0);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (const int number : {SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGPIPE}) ::sigaction(number, &ignore, nullptr);
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    ::sigaction(SIGTERM, &fallback, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    run_guard(kept);
  }

  std::mutex mutex_;
  pid_t owner_ = -1;
  int write_end_ = -1;
};

}  // namespace detail

/// The guard is told of `group`, a process group this program has just started (see the file
/// comment): should the program end without reaping it, the group is stopped.
inline void guard_process_group(pid_t group) noexcept { detail::guard_connection::instance().send(group, true); }

/// `group` has been reaped and stopped: the guard forgets it.
inline void release_process_group(pid_t group) noexcept { detail::guard_connection::instance().send(group, false); }

}  // namespace servokit::process
