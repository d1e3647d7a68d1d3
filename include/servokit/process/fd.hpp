#pragma once
/// \file
/// File descriptors the process layer owns: RAII ownership, pipes, and reads and writes that
/// never block, never raise SIGPIPE and retry EINTR.

#include <servokit/process/error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <ctime>
#include <span>
#include <string_view>
#include <utility>

namespace servokit::process {

/// Owns one file descriptor and closes it exactly once.
class unique_fd {
 public:
  /// An empty owner (holds -1).
  unique_fd() noexcept = default;
  /// Takes ownership of `fd` (-1 means none).
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  /// Transfers ownership; `other` becomes empty.
  unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  /// Closes the current descriptor and takes `other`'s.
  unique_fd& operator=(unique_fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  /// Closes the descriptor, if any.
  ~unique_fd() { reset(); }

  /// The descriptor, or -1.
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// Whether a descriptor is held.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership without closing.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the held descriptor and takes `fd`. close() is not retried on EINTR: Linux releases
  /// the descriptor even then, and a retry could close one another thread just opened.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// The two ends of a pipe.
struct pipe_ends {
  unique_fd read_end;   ///< Where data comes out.
  unique_fd write_end;  ///< Where data goes in.
};

/// Makes `fd` non-blocking (the parent's ends of a child's pipes; the child's ends stay blocking,
/// as programs expect).
inline void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    throw process_error(errno, "cannot make a pipe non-blocking");
  }
}

namespace detail {

/// Moves a descriptor above 0, 1 and 2. A pipe end that landed on a standard number (because the
/// program started with one closed) would make the child's dup2(fd, same fd) a no-op that leaves
/// close-on-exec set, and the child would start with that stream closed.
inline unique_fd above_standard_streams(unique_fd fd) {
  if (fd.get() > 2) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) throw process_error(errno, "cannot duplicate a pipe descriptor");
  return unique_fd(moved);
}

}  // namespace detail

/// Creates a close-on-exec pipe whose ends are never 0, 1 or 2; both ends block.
inline pipe_ends make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw process_error(errno, "cannot create a pipe");
  pipe_ends ends{unique_fd(fds[0]), unique_fd(fds[1])};
  ends.read_end = detail::above_standard_streams(std::move(ends.read_end));
  ends.write_end = detail::above_standard_streams(std::move(ends.write_end));
  return ends;
}

/// Result of one non-blocking read or write: bytes moved, or the errno that stopped it
/// (EAGAIN when nothing could be moved now). A read of 0 bytes with error 0 is end of file.
struct io_result {
  std::size_t bytes = 0;  ///< Bytes read or written.
  int error = 0;          ///< 0, or the errno value.
};

/// Reads once into `buffer`, retrying EINTR.
inline io_result read_some(int fd, std::span<char> buffer) noexcept {
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (errno != EINTR) return {0, errno};
  }
}

namespace detail {

/// Blocks SIGPIPE in the calling thread for its lifetime, and swallows the SIGPIPE a write to a
/// closed pipe raises. The process layer never changes the process-wide disposition of SIGPIPE
/// (the program may rely on it for its own stdout); a write's SIGPIPE is sent to the writing
/// thread, so a thread-local block plus sigtimedwait is enough and is invisible to the program.
class sigpipe_block {
 public:
  sigpipe_block() noexcept {
    sigemptyset(&pipe_only_);
    sigaddset(&pipe_only_, SIGPIPE);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &pipe_only_, &previous);
    was_blocked_ = sigismember(&previous, SIGPIPE) == 1;
  }
  sigpipe_block(const sigpipe_block&) = delete;
  sigpipe_block& operator=(const sigpipe_block&) = delete;
  ~sigpipe_block() {
    if (raised_) {
      const timespec no_wait{0, 0};
      while (sigtimedwait(&pipe_only_, nullptr, &no_wait) < 0 && errno == EINTR) {
      }
    }
    if (!was_blocked_) pthread_sigmask(SIG_UNBLOCK, &pipe_only_, nullptr);
  }
  /// Records that a write failed with EPIPE, so the pending SIGPIPE is consumed on exit.
  void note_broken_pipe() noexcept { raised_ = true; }

 private:
  sigset_t pipe_only_{};
  bool was_blocked_ = false;
  bool raised_ = false;
};

}  // namespace detail

/// Writes once from `data`, retrying EINTR; a reader that went away gives error EPIPE, never a
/// SIGPIPE that would kill the program.
inline io_result write_some(int fd, std::string_view data) noexcept {
  detail::sigpipe_block guard;
  for (;;) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (errno == EINTR) continue;
    const int error = errno;
    if (error == EPIPE) guard.note_broken_pipe();
    return {0, error};
  }
}

}  // namespace servokit::process
