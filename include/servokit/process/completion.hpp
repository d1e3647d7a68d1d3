#pragma once
/// \file
/// What is known about a child once it has ended and its output has been read.

#include <servokit/process/exit_status.hpp>
#include <servokit/process/output.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace servokit::process {

/// Why the process layer stopped a child, if it did. The first cause wins: a child cancelled
/// during its kill grace period after a timeout still reports the timeout.
enum class interruption {
  none,             ///< The child ended on its own.
  total_timeout,    ///< It ran longer than `timeouts::total`.
  silence_timeout,  ///< It wrote nothing for `timeouts::silence`.
  exit_timeout,     ///< It closed its output but did not exit within `timeouts::exit_after_output_closed`.
  cancelled,        ///< Its stop token was triggered, or `child::cancel()` was called.
};

/// "the total timeout", "the silence timeout"... (empty for `none`).
[[nodiscard]] constexpr std::string_view describe(interruption cause) noexcept {
  switch (cause) {
    case interruption::none: return "";
    case interruption::total_timeout: return "the total timeout";
    case interruption::silence_timeout: return "the silence timeout";
    case interruption::exit_timeout: return "the exit timeout after its output closed";
    case interruption::cancelled: return "a cancel";
  }
  return "";
}

/// The outcome of running a child.
struct completion {
  exit_status status;                                ///< How the process ended.
  interruption interrupted_by = interruption::none;  ///< Whether and why we stopped it.
  captured_output out;                               ///< stdout, within its capture limit.
  captured_output err;                               ///< stderr, within its capture limit.
  std::chrono::steady_clock::duration elapsed{};     ///< From start to the end of its output.
  std::uint64_t stdin_bytes_written = 0;             ///< Bytes of stdin the child accepted.
  bool stdin_closed_by_child = false;                ///< It closed stdin before taking all of it.
  bool output_abandoned = false;  ///< Its pipes were still held open (by a process that left its
                                  ///< group) after it exited, and were closed unread.

  /// Ended on its own with exit code 0.
  [[nodiscard]] bool ok() const noexcept { return interrupted_by == interruption::none && status.success(); }
  /// Stopped by the total timeout.
  [[nodiscard]] bool timed_out() const noexcept { return interrupted_by == interruption::total_timeout; }
  /// Stopped because it went silent.
  [[nodiscard]] bool went_silent() const noexcept { return interrupted_by == interruption::silence_timeout; }
  /// Stopped by a cancel.
  [[nodiscard]] bool cancelled() const noexcept { return interrupted_by == interruption::cancelled; }
  /// stdout's captured lines (all of them when within the capture limit).
  [[nodiscard]] std::vector<std::string> stdout_lines() const { return out.lines(); }

  /// "exited with code 3", "killed by SIGKILL after the silence timeout".
  [[nodiscard]] std::string describe() const {
    std::string text = status.describe();
    if (interrupted_by != interruption::none) {
      text += " after ";
      text += process::describe(interrupted_by);
    }
    return text;
  }
};

}  // namespace servokit::process
