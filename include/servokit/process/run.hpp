#pragma once
/// \file
/// The common case in one call: run a command to its end and get what happened.

#include <servokit/process/child.hpp>
#include <servokit/process/command.hpp>
#include <servokit/process/completion.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/options.hpp>

#include <utility>

namespace servokit::process {

/// Runs `cmd` to completion on a private event loop: feeds `options.in.data`, collects stdout and
/// stderr (or hands lines to the callbacks), enforces the timeouts and the cancel token, and
/// returns the completion. Throws `spawn_error` when the program cannot be started; a non-zero
/// exit, a signal or a timeout is reported in the completion, never thrown.
///
/// ```
/// child_options options;
/// options.limits.total = std::chrono::seconds(10);
/// completion done = run(command::shell("ls /tmp"), std::move(options));
/// if (!done.ok()) log(done.describe() + ": " + std::string(done.err.tail()));
/// for (const std::string& line : done.stdout_lines()) use(line);
/// ```
[[nodiscard]] inline completion run(const command& cmd, child_options options = {}) {
  event_loop loop;
  child process(loop, cmd, std::move(options));
  return std::move(process.wait());
}

/// Same, with `input` on stdin.
[[nodiscard]] inline completion run(const command& cmd, std::string input, child_options options = {}) {
  options.in.data = std::move(input);
  return run(cmd, std::move(options));
}

}  // namespace servokit::process
