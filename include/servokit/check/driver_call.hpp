#pragma once
/// @file
/// One call of a driver as `servokit-check` makes it: argv, a request on stdin, a time limit, in
/// the driver's servo directory; its stdout sorted into JSON lines and everything else.

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include <servokit/process/child.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/options.hpp>
#include <servokit/process/spawn.hpp>

namespace servokit::check {

/// Whether `line` is one JSON object, as every stdout line of a driver must be.
inline bool is_json_object(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(line.data(), line.size(), true).get(root)) return false;
  return root.type() == simdjson::dom::element_type::OBJECT;
}

/// Whether `line` is a JSON object with the member `key` (a progress line has `progress`).
inline bool has_member(std::string_view line, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(line.data(), line.size(), true).get(object)) return false;
  simdjson::dom::element member;
  return object.at_key(key).get(member) == simdjson::SUCCESS;
}

/// Whether `line` is blank (the protocol ignores blank lines).
inline bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

/// Text shortened for a report: at most `limit` bytes, with a mark where it was cut.
inline std::string excerpt(std::string_view text, std::size_t limit = 300) {
  std::string out = "'";
  out += text.substr(0, limit);
  if (text.size() > limit) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out + "'";
}

/// What one call of a driver did.
struct call_result {
  std::string what;                           ///< `./measure --info app`: for the evidence
  process::completion done;                   ///< exit, timeouts, captured stderr
  std::vector<std::string> json_lines;        ///< stdout lines that are JSON objects, in order
  std::vector<std::string> other_lines;       ///< non-blank stdout lines that are not
  bool could_not_start = false;               ///< the program could not be started at all
  std::string start_error;                    ///< why, when so
  /// When `call::signal_number` was sent, how long after the start; negative when it was not.
  std::chrono::milliseconds signal_sent_after{-1};
  /// The driver had already printed its final (non-progress) line when the signal was sent.
  bool signal_after_final_line = false;
  /// The driver's process group still had members after the driver exited (they were then
  /// killed); only looked at when `call::kill_group_on_exit` is false.
  bool group_left_behind = false;

  /// Ended on its own with exit code 0.
  [[nodiscard]] bool ok() const { return !could_not_start && done.ok(); }
  /// Ended on its own (any exit code), not stopped by the time limit.
  [[nodiscard]] bool ended_by_itself() const {
    return !could_not_start && done.interrupted_by == process::interruption::none;
  }
  /// The last JSON line, or "" when there was none.
  [[nodiscard]] std::string last_json() const { return json_lines.empty() ? std::string() : json_lines.back(); }
  /// How it ended and what it printed, for a report.
  [[nodiscard]] std::string describe() const {
    if (could_not_start) return what + ": could not start: " + start_error;
    std::string out = what + ": " + done.describe();
    out += ", " + std::to_string(json_lines.size()) + " JSON line(s)";
    if (!json_lines.empty()) out += ", last " + excerpt(json_lines.back());
    if (!other_lines.empty()) out += ", " + std::to_string(other_lines.size()) + " other line(s), first " + excerpt(other_lines.front());
    const auto errors = done.err.tail();
    if (!errors.empty()) out += "\nstderr: " + excerpt(errors, 400);
    return out;
  }
};

/// How to call a driver.
struct call {
  std::filesystem::path program;               ///< the driver
  std::vector<std::string> arguments;          ///< after the program
  std::string request;                         ///< stdin (empty: /dev/null-like, closed at once)
  std::filesystem::path directory;             ///< the servo directory (cwd)
  std::chrono::milliseconds time_limit{60000}; ///< then SIGKILL to its group, reported as a hang
  /// A signal for the driver process (SIGUSR1 to cancel), 0 for none: sent at its first progress
  /// line or `signal_after` after the start, whichever comes first.
  int signal_number = 0;
  std::chrono::milliseconds signal_after{3000};   ///< see `signal_number`
  /// Whether to kill what is left of the driver's process group when it exits (the cancel check
  /// turns this off to see whether the driver cleaned up after itself).
  bool kill_group_on_exit = true;
};

/// Runs `how` to its end (or its time limit) and sorts its stdout.
inline call_result run_call(const call& how) {
  call_result result;
  result.what = how.program.string();
  for (const auto& argument : how.arguments) result.what += " " + argument;

  process::command command;
  command.argv.push_back(how.program.string());
  command.argv.insert(command.argv.end(), how.arguments.begin(), how.arguments.end());
  command.working_directory = how.directory;

  process::child_options options;
  options.in.data = how.request;
  options.limits.total = how.time_limit;
  options.stopping.signal = SIGKILL;
  options.stopping.grace = std::chrono::milliseconds(0);
  options.stopping.kill_group_on_exit = how.kill_group_on_exit;
  process::child* running = nullptr;
  const auto started = std::chrono::steady_clock::now();
  // The driver process alone is signalled, as the agent does: cleaning up its own children is
  // the driver's job, and what it leaves behind is seen below.
  const auto send_signal = [&] {
    if (running == nullptr || how.signal_number == 0 || result.signal_sent_after.count() >= 0) return;
    for (const auto& line : result.json_lines) {
      if (!has_member(line, "progress")) result.signal_after_final_line = true;
    }
    if (::kill(running->pid(), how.signal_number) == 0) {
      result.signal_sent_after =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    }
  };
  options.out.on_line = [&](const process::output_line& line) {
    if (line.continued) return;  // an overlong line: its pieces are not JSON lines anyway
    const std::string text(line.text);
    if (is_blank(text)) return;
    const bool json = is_json_object(text);
    (json ? result.json_lines : result.other_lines).push_back(text);
    if (json && has_member(text, "progress")) send_signal();
  };
  options.out.capture.max_bytes = 0;

  process::event_loop loop;
  try {
    process::child child(loop, command, std::move(options));
    running = &child;
    process::event_loop::handle timer = 0;
    if (how.signal_number != 0) timer = loop.start_timer(how.signal_after, send_signal);
    result.done = std::move(child.wait());
    if (timer != 0) loop.cancel_timer(timer);
    if (!how.kill_group_on_exit && ::kill(-child.pid(), 0) == 0) {
      result.group_left_behind = true;
      ::kill(-child.pid(), SIGKILL);
    }
    running = nullptr;
  } catch (const std::exception& error) {
    result.could_not_start = true;
    result.start_error = error.what();
  }
  return result;
}

}  // namespace servokit::check
