#pragma once
/// @file
/// `driver_runner`: how the agent runs one driver of its servo directory (`./adjust`, `./measure`,
/// `./environment`): it starts the driver with its arguments and stdin, asks `--info` whether it
/// has cancel, reads its stdout as the line protocol of `PROTOCOL.md` section 9 (progress lines,
/// then one result line), hands each progress line to the caller, and cancels or stops it as
/// told. It knows nothing of the backend, so it is not a template: the loop relays progress.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include <servokit/process/child.hpp>
#include <servokit/process/command.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/servo/driver_output.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/servo/stop_control.hpp>

namespace servokit::servo {

/// How a driver run ended.
struct driver_run {
  /// completed: a result line with exit 0; failed: anything else; cancelled: the backend asked;
  /// resync: the backend answered a progress line with `unexpected-event`; stopped: SIGTERM.
  enum class outcome { completed, failed, cancelled, resync, stopped } kind = outcome::failed;
  std::string final_line;  ///< completed: the driver's result line
  std::string status = "failed";
  std::string reason = "unknown";
  std::string message;
};

/// What the caller makes of a progress line (the backend's answer to it).
enum class progress_verdict { go_on, cancel, resync };

/// Called with each progress line of a running driver: the `progress` value as JSON and the
/// line's `message`, if any.
using progress_relay = std::function<progress_verdict(std::string_view progress_json, std::optional<std::string_view> message)>;

/// The grace a driver gets between SIGTERM and SIGKILL when the agent stops it (a terminate
/// request, a line that is not JSON). servokit-magg and servokit-exec give their own children the
/// same 2 s, and each stops its children before its own grace ends, so a chain of them stops
/// within the outer grace.
inline constexpr std::chrono::seconds driver_stop_grace{2};

/// Runs drivers for one agent loop (see the file comment). Used from the loop's thread only;
/// `wake` may be called from any thread.
class driver_runner {
 public:
  /// A runner under `settings` (which must outlive it), stopped by `stops`' terminate requests.
  driver_runner(const options& settings, stop_control& stops) : options_(settings), stops_(stops) {}
  driver_runner(const driver_runner&) = delete;
  driver_runner& operator=(const driver_runner&) = delete;

  /// Wakes a wait for a driver's output so that a stop request is seen at once.
  void wake() { events_.wake(); }

  /// `driver --info app_id`: whether it has cancel. Fills `failure` when it cannot be learned.
  std::optional<bool> has_cancel(const std::string& driver, driver_run& failure) {
    process::child_options info_options;
    info_options.limits.silence = silence_limit();
    info_options.limits.exit_after_output_closed = exit_wait();
    info_options.cancel = stops_.terminate_token();
    info_options.stopping.grace = driver_stop_grace;
    std::string what = driver + " --info";
    process::completion done;
    try {
      process::child info(events_, process::command({driver, "--info", options_.app_id}).in_directory(options_.directory),
                          std::move(info_options));
      done = std::move(info.wait());
    } catch (const std::exception& error) {
      failure.message = "cannot run " + what + ": " + error.what();
      return std::nullopt;
    }
    if (stops_.terminating()) {
      failure.kind = driver_run::outcome::stopped;
      return std::nullopt;
    }
    if (!done.ok()) {
      failure.message = with_stderr(what + " " + done.describe(), done.err, options_.stderr_policy);
      return std::nullopt;
    }
    for (const std::string& line : done.stdout_lines()) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      simdjson::dom::element parsed;
      bool cancel = false;
      const auto flag = parser_.parse(line).get(parsed) == simdjson::SUCCESS ? detail::member(parsed, "has_cancel") : std::nullopt;
      if (!flag || flag->get_bool().get(cancel) != simdjson::SUCCESS) {
        failure.message = what + " printed no \"has_cancel\" flag: " + excerpt(line);
        return std::nullopt;
      }
      return cancel;
    }
    failure.message = what + " printed nothing";
    return std::nullopt;
  }

  /// Runs `driver arguments... < input` in the servo directory. Each progress line goes to
  /// `relay` (when given); a `cancel` verdict cancels the driver (SIGUSR1 and `cancel_grace`
  /// when it `has_cancel`, else SIGKILL) and the run ends `cancelled` (its message left for the
  /// caller); `resync` kills it. Never throws for a driver's failure.
  driver_run run(const std::string& driver, std::vector<std::string> arguments, std::string input,
                 const progress_relay* relay, bool has_cancel) {
    driver_run result;
    std::deque<std::string> lines;
    bool stdout_overlong = false;
    process::child_options child_options;
    child_options.in.data = std::move(input);
    child_options.out.on_line = [&](const process::output_line& line) {
      if (line.continued || stdout_overlong) {
        stdout_overlong = true;  // a line over 1 MiB: refused as a whole below
        return;
      }
      lines.emplace_back(line.text);
    };
    child_options.err.capture = {max_message_bytes, process::keep::head};
    if (options_.verbose) {
      child_options.err.on_line = [this, &driver](const process::output_line& line) {
        detail(driver + " stderr: " + std::string(line.text));
      };
    }
    child_options.limits.silence = silence_limit();
    child_options.limits.exit_after_output_closed = exit_wait();
    child_options.stopping.signal = SIGTERM;
    child_options.stopping.grace = driver_stop_grace;
    child_options.cancel = stops_.terminate_token();

    process::command command(std::vector<std::string>{driver});
    for (auto& argument : arguments) command.argv.push_back(std::move(argument));
    command.in_directory(options_.directory);
    std::optional<process::child> child;
    try {
      child.emplace(events_, command, std::move(child_options));
    } catch (const std::exception& error) {
      result.message = "cannot start " + driver + ": " + error.what();
      return result;
    }

    std::string final_line;
    std::string not_json;
    bool cancel_sent = false;
    bool resync = false;
    for (;;) {
      events_.run_until([&] { return child->finished() || !lines.empty(); });
      while (!lines.empty()) {
        const std::string line = std::move(lines.front());
        lines.pop_front();
        if (options_.verbose) detail(driver + ": " + line);
        if (line.find_first_not_of(" \t\r") == std::string::npos || !not_json.empty()) continue;
        simdjson::dom::element parsed;
        if (parser_.parse(line).get(parsed) != simdjson::SUCCESS) {
          not_json = line;
          child->terminate(SIGTERM, driver_stop_grace);
          continue;
        }
        const auto progress_value = detail::member(parsed, "progress");
        if (!progress_value) {
          final_line = line;
          continue;
        }
        if (relay == nullptr || cancel_sent || resync) continue;
        const std::optional<std::string> message = detail::string_member(parsed, "message");
        switch ((*relay)(simdjson::minify(*progress_value), message)) {
          case progress_verdict::cancel:
            cancel_sent = true;
            if (has_cancel) {
              child->terminate(SIGUSR1, std::chrono::ceil<std::chrono::milliseconds>(options_.cancel_grace));
            } else {
              child->kill();
            }
            break;
          case progress_verdict::resync:
            resync = true;
            child->kill();
            break;
          case progress_verdict::go_on: break;
        }
      }
      if (child->finished() && lines.empty()) break;
    }
    const process::completion& done = child->result();
    if (stops_.terminating()) {
      result.kind = driver_run::outcome::stopped;
      return result;
    }
    if (resync) {
      result.kind = driver_run::outcome::resync;
      return result;
    }
    if (cancel_sent) {
      result.kind = driver_run::outcome::cancelled;
      result.status = "cancelled";
      return result;
    }
    const std::string how = done.describe();  // "exited with code 3", "killed by SIGTERM after ..."
    const std::string described = driver + " " + how;
    if (!not_json.empty()) {
      result.message = "Failed decoding JSON stdout from '" + driver + "' driver: " + excerpt(not_json, 1000) + " (" + how + ")";
    } else if (stdout_overlong) {
      result.message = driver + " printed a line longer than 1 MiB (" + how + ")";
    } else if (done.went_silent()) {
      result.message = driver + " wrote nothing for " + seconds_text(*silence_limit()) +
                       " ($OPTUNE_IO_TIMEOUT) and was stopped: " + described;
    } else if (done.interrupted_by == process::interruption::exit_timeout) {
      result.message = driver + " closed its output but did not exit within " + seconds_text(exit_wait()) +
                       " and was stopped: " + described;
    } else if (final_line.empty()) {
      result.message = driver + " printed no result (" + how + ")";
    } else if (!done.ok()) {
      // The driver's own failure line, when it printed one, says most; its exit and stderr follow.
      simdjson::dom::element parsed;
      if (parser_.parse(final_line).get(parsed) == simdjson::SUCCESS) {  // it was when read
        const std::string status = detail::string_member(parsed, "status").value_or("failed");
        result.status = status == "ok" ? "failed" : status;
        result.reason = detail::string_member(parsed, "reason").value_or("unknown");
        result.message = detail::string_member(parsed, "message").value_or("");
      }
      result.message += (result.message.empty() ? "" : "\n") + described;
    } else {
      result.kind = driver_run::outcome::completed;
      result.final_line = std::move(final_line);
      return result;
    }
    if (!done.ok()) result.message = with_stderr(std::move(result.message), done.err, options_.stderr_policy);
    result.message = cap_message(std::move(result.message));
    return result;
  }

  /// `elapsed` as "1.234 s", for the log and for messages.
  static std::string seconds_text(std::chrono::duration<double> elapsed) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f s", elapsed.count());
    return buffer;
  }

 private:
  void detail(std::string_view line) {
    if (options_.verbose && options_.log) options_.log(log_level::detail, line);
  }
  std::optional<std::chrono::milliseconds> silence_limit() const {
    if (!options_.io_timeout) return std::nullopt;
    return std::chrono::ceil<std::chrono::milliseconds>(*options_.io_timeout);
  }
  std::chrono::milliseconds exit_wait() const { return std::chrono::ceil<std::chrono::milliseconds>(options_.exit_wait); }

  const options& options_;
  stop_control& stops_;
  process::event_loop events_;
  simdjson::dom::parser parser_;
};

}  // namespace servokit::servo
