#pragma once
// Runs a driver program the way a servo does (argv, request on stdin, cwd = the servo directory)
// and collects what it printed, for the integration tests.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <servokit/json.hpp>
#include <servokit/process.hpp>

namespace servokit_test {

/// A program this build made, by name: the test-* children (tests/support/programs) from
/// <build>/tests/bin, every other one (the servokit programs) from <build>/bin.
inline std::string bin(const std::string& name) {
  const bool test_child = name.rfind("test-", 0) == 0;
  return std::string(test_child ? SERVOKIT_TEST_HELPER_DIR : SERVOKIT_TEST_BIN_DIR) + "/" + name;
}

/// What a driver run printed and how it ended.
struct driver_output {
  std::vector<std::string> lines;   ///< stdout, line by line
  std::string error_text;           ///< stderr
  servokit::process::exit_status status;
  std::chrono::steady_clock::duration elapsed{};

  /// The exit code; -1 when it was killed by a signal.
  int exit_code() const { return status.exited() ? status.code() : -1; }
  /// The last stdout line, or "" when there was none.
  std::string last_line() const { return lines.empty() ? std::string() : lines.back(); }
};

/// How to run a driver.
struct driver_call {
  std::vector<std::string> argv;                      ///< program path first
  std::string request;                                ///< stdin
  std::filesystem::path directory = ".";              ///< the servo directory (cwd)
  std::vector<std::pair<std::string, std::string>> environment;
  bool keep_stdin_open = false;                       ///< never send EOF (an agent that hangs)
  std::function<void(const std::string&, servokit::process::child&)> on_line;  ///< each stdout line
};

/// Runs `call` to its end (killed after 60 s, so a broken driver fails the test instead of
/// hanging it).
inline driver_output run_driver(const driver_call& call) {
  namespace process = servokit::process;
  process::command command(call.argv);
  command.in_directory(call.directory);
  for (const auto& [name, value] : call.environment) command.with_variable(name, value);
  process::event_loop loop;
  driver_output result;
  process::child* running = nullptr;
  process::child_options options;
  options.in.data = call.request;
  options.in.keep_open = call.keep_stdin_open;
  options.limits.total = std::chrono::seconds(60);
  options.out.on_line = [&](const process::output_line& line) {
    result.lines.emplace_back(line.text);
    if (call.on_line && running) call.on_line(result.lines.back(), *running);
  };
  process::child driver(loop, command, std::move(options));
  running = &driver;
  const auto& done = driver.wait();
  result.error_text = done.err.text();
  result.status = done.status;
  result.elapsed = done.elapsed;
  return result;
}

/// Whether `line` parses as one JSON value.
inline bool is_json(const std::string& line) {
  try {
    servokit::json::read<servokit::raw_json>(line);
    return true;
  } catch (const servokit::json::read_error&) {
    return false;
  }
}

}  // namespace servokit_test
