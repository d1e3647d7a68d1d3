#pragma once
/// \file
/// Everything a child can be told: its streams, its limits, how it is stopped.

#include <servokit/process/completion.hpp>
#include <servokit/process/output.hpp>
#include <servokit/process/spawn.hpp>

#include <signal.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace servokit::process {

/// The child's stdin. With a pipe, `data` is written as the child reads it (any size, never
/// blocking the loop), then stdin is closed unless `keep_open` (then `child::write_stdin` and
/// `child::close_stdin` continue it). A pipe with no data that is not kept open is /dev/null.
struct input_options {
  stream_target target = stream_target::pipe;  ///< Where stdin comes from.
  std::string data;                            ///< What to feed first.
  bool keep_open = false;                      ///< Leave stdin open after `data`.
};

/// One output stream of the child (stdout or stderr), when piped. Lines go to `on_line` as they
/// arrive, raw chunks to `on_chunk` (for scanning huge output without splitting it), and the
/// stream is captured for the completion within `capture`. All are optional and combine.
struct output_options {
  stream_target target = stream_target::pipe;          ///< Where the stream goes.
  std::function<void(const output_line&)> on_line;    ///< Each line, as soon as it is complete.
  std::function<void(std::string_view)> on_chunk;     ///< Each chunk, as read.
  capture_limit capture;                               ///< What the completion keeps.
  std::size_t max_line_length = default_max_line_length;  ///< Longer lines come in pieces.
};

/// What counts as output for the silence timeout: bytes read (a partial line counts), not lines.
enum class activity {
  stdout_bytes,      ///< Only stdout, where drivers write progress (the default).
  any_output_bytes,  ///< stdout or stderr.
};

/// Limits on a child's run. Each fires the termination in `termination` and is reported in
/// `completion::interrupted_by`. Durations are measured on the monotonic clock.
struct timeouts {
  std::optional<std::chrono::milliseconds> total;    ///< From start until it has ended.
  std::optional<std::chrono::milliseconds> silence;  ///< Longest time without `silence_reset_by` output.
  activity silence_reset_by = activity::stdout_bytes;  ///< What resets the silence timer.
  /// Once stdout and stderr are closed, how long the child may take to exit (the agent: 3 s).
  std::optional<std::chrono::milliseconds> exit_after_output_closed;
  /// Once the child has exited, how long to keep reading pipes that something else (a process
  /// that left its group) still holds open, before closing them unread.
  std::chrono::milliseconds output_after_exit = std::chrono::seconds(2);
};

/// How a child is stopped when a timeout fires or it is cancelled.
struct termination {
  /// Sent first to the child's whole process group (SIGUSR1 for a driver that has cancel).
  int signal = SIGTERM;
  /// Then SIGKILL, this long after `signal` if the child has not ended (0: at once).
  std::chrono::milliseconds grace = std::chrono::seconds(5);
  /// When the child ends, SIGKILL whatever is left in its group, so nothing it started outlives it.
  bool kill_group_on_exit = true;
};

/// Everything about how a child runs besides the command itself.
struct child_options {
  input_options in;         ///< stdin.
  output_options out;       ///< stdout.
  output_options err;       ///< stderr.
  timeouts limits;          ///< When to stop it.
  termination stopping;     ///< How to stop it.
  std::stop_token cancel;   ///< When stopped (from any thread), the child is cancelled.
  /// Called once on the loop's thread when the child has ended and its output is read.
  std::function<void(const completion&)> on_exit;
};

}  // namespace servokit::process
