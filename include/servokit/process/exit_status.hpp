#pragma once
/// \file
/// How a child ended: an exit code or a signal, decoded once from the wait status.

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <string>

namespace servokit::process {

/// The conventional name of a signal ("SIGKILL", "SIGRTMIN+3"), or "signal 77" when it has none.
inline std::string signal_name(int signal_number) {
  if (signal_number >= SIGRTMIN && signal_number <= SIGRTMAX) {
    return signal_number == SIGRTMIN ? std::string("SIGRTMIN")
                                     : "SIGRTMIN+" + std::to_string(signal_number - SIGRTMIN);
  }
  if (const char* abbreviation = ::sigabbrev_np(signal_number)) {
    return std::string("SIG") + abbreviation;
  }
  return "signal " + std::to_string(signal_number);
}

/// How a process ended. Default-constructed, it describes a process that has not ended yet.
class exit_status {
 public:
  /// Not ended (yet).
  constexpr exit_status() noexcept = default;

  /// Decodes a status from waitpid().
  static constexpr exit_status from_wait_status(int wait_status) noexcept {
    if (WIFEXITED(wait_status)) return exited_with(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) {
      exit_status status = killed_by(WTERMSIG(wait_status));
      status.core_dumped_ = WCOREDUMP(wait_status);
      return status;
    }
    return {};
  }
  /// A process that called exit(code).
  static constexpr exit_status exited_with(int code) noexcept {
    exit_status status;
    status.kind_ = kind::exited;
    status.value_ = code;
    return status;
  }
  /// A process terminated by a signal.
  static constexpr exit_status killed_by(int signal_number) noexcept {
    exit_status status;
    status.kind_ = kind::signaled;
    status.value_ = signal_number;
    return status;
  }

  /// Whether the process has ended (either way).
  [[nodiscard]] constexpr bool ended() const noexcept { return kind_ != kind::running; }
  /// Whether it ended by calling exit.
  [[nodiscard]] constexpr bool exited() const noexcept { return kind_ == kind::exited; }
  /// Whether a signal terminated it.
  [[nodiscard]] constexpr bool signaled() const noexcept { return kind_ == kind::signaled; }
  /// Exited with code 0.
  [[nodiscard]] constexpr bool success() const noexcept { return exited() && value_ == 0; }
  /// The exit code, or -1 when it did not exit.
  [[nodiscard]] constexpr int code() const noexcept { return exited() ? value_ : -1; }
  /// The terminating signal, or 0 when it was not signalled.
  [[nodiscard]] constexpr int signal() const noexcept { return signaled() ? value_ : 0; }
  /// Whether the terminating signal also produced a core dump.
  [[nodiscard]] constexpr bool core_dumped() const noexcept { return core_dumped_; }

  /// "exited with code 3", "killed by SIGKILL", "killed by SIGSEGV (core dumped)", "still running".
  [[nodiscard]] std::string describe() const {
    switch (kind_) {
      case kind::exited:
        return "exited with code " + std::to_string(value_);
      case kind::signaled:
        return "killed by " + signal_name(value_) + (core_dumped_ ? " (core dumped)" : "");
      case kind::running:
        break;
    }
    return "still running";
  }

  /// Same kind and same value.
  friend constexpr bool operator==(const exit_status&, const exit_status&) noexcept = default;

 private:
  enum class kind { running, exited, signaled };
  kind kind_ = kind::running;
  int value_ = 0;
  bool core_dumped_ = false;
};

}  // namespace servokit::process
