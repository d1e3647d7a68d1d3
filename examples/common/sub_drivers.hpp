#pragma once
/// @file
/// What both aggregators (servokit-agg, servokit-magg) do with the drivers in their directory:
/// find them, run one of their calls on the process layer's event loop, read their progress and
/// final lines as JSON, and describe a failure with the end of the sub-driver's output quoted.
/// Sub-drivers may be written in any language: only the protocol's lines are relied on.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/driver/errors.hpp>
#include <servokit/json/node.hpp>
#include <servokit/json/path.hpp>
#include <servokit/json/read.hpp>
#include <servokit/process/child.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/protocol/messages.hpp>
#include <servokit/text/seconds.hpp>

namespace aggregate {

namespace process = servokit::process;

/// One driver of the directory: its file name (which names it in every message) and path.
struct sub_driver {
  std::string name;
  std::filesystem::path path;
};

/// The executable regular files directly in `directory` (symlinks followed), in file-name order.
/// Anything else there is skipped with a note on stderr, since a data file or a helper directory
/// is expected beside the drivers. Throws `servokit::driver_error` when the directory is missing.
inline std::vector<sub_driver> find_sub_drivers(const std::filesystem::path& directory, std::string_view program) {
  std::error_code error;
  std::filesystem::directory_iterator entries(directory, error);
  if (error) {
    throw servokit::driver_error("cannot read the drivers directory ./" + directory.string() + ": " + error.message());
  }
  std::vector<sub_driver> found;
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    std::error_code kind_error;
    const bool regular = std::filesystem::is_regular_file(entry.path(), kind_error);  // follows symlinks
    if (regular && ::access(entry.path().c_str(), X_OK) == 0) {
      found.push_back({name, entry.path()});
      continue;
    }
    const char* const why = regular ? "not executable" : std::filesystem::is_directory(entry.path(), kind_error)
                                                             ? "a directory"
                                                             : "not a regular file";
    std::fprintf(stderr, "%.*s: skipping %s: %s\n", static_cast<int>(program.size()), program.data(),
                 entry.path().c_str(), why);
  }
  std::sort(found.begin(), found.end(), [](const sub_driver& a, const sub_driver& b) { return a.name < b.name; });
  return found;
}

/// The drivers of `directory` as `find_sub_drivers` finds them; none is an error that says which
/// kind of driver belongs there (`kind`: "adjust", "measure").
inline std::vector<sub_driver> required_sub_drivers(const std::filesystem::path& directory, std::string_view program,
                                                    std::string_view kind) {
  std::vector<sub_driver> drivers = find_sub_drivers(directory, program);
  if (drivers.empty()) {
    throw servokit::driver_error("no drivers: ./" + directory.string() + " has no executable files (put the " +
                                 std::string(kind) + " drivers to combine there)");
  }
  return drivers;
}

/// Seconds from SIGUSR1 (a cancel) to SIGKILL when an aggregator stops its drivers, unless
/// `cleanup_grace_period` says otherwise. The graces nest, so that each program finishes stopping
/// its children before its own parent gives up on it:
/// - the agent: a cancel (SIGUSR1) gets 30 s before SIGKILL, a stop (SIGTERM) 2 s;
/// - an aggregator: a cancel gets 20 s (this value; servo-magg's 300 s outlasted the agent's
///   30 s), a stop `terminate_grace` (1 s);
/// - servokit-exec: its tasks get 0.5 s;
/// - and when a program is killed outright, its orphan guard gives what it left 0.5 s.
inline constexpr double default_cleanup_grace_seconds = 20;

/// The grace an aggregator gives its drivers on SIGTERM: at most 1 s, inside the agent's 2 s.
inline constexpr std::chrono::milliseconds terminate_grace{1000};

/// The grace for stopping drivers with `signal_number`: `cleanup` for a cancel, at most
/// `terminate_grace` for SIGTERM.
inline std::chrono::milliseconds stop_grace(int signal_number, std::chrono::milliseconds cleanup) {
  return signal_number == SIGTERM ? std::min(cleanup, terminate_grace) : cleanup;
}

/// The silence limit of `$OPTUNE_IO_TIMEOUT` minus one second (so that an aggregator times out
/// a quiet sub-driver before the agent times out the aggregator), or none when unset, empty, 0,
/// or too small to leave a second. The value is read as the agent reads it
/// (`servokit::parse_seconds`: `2.5` is 1.5 s here, not "no limit"); a value that is not a
/// number of seconds is a `servokit::seconds_error` naming the variable.
inline std::optional<std::chrono::milliseconds> silence_limit_from_environment() {
  const char* const text = std::getenv("OPTUNE_IO_TIMEOUT");
  if (text == nullptr || *text == '\0') return std::nullopt;
  const double seconds = servokit::parse_seconds(text, "$OPTUNE_IO_TIMEOUT");
  if (seconds <= 1) return std::nullopt;
  return servokit::to_duration<std::chrono::milliseconds>(seconds - 1);
}

/// Checks the duration `key` of a config section (`node`, at `at`) as every duration from
/// outside is checked (`servokit::checked_seconds`): NaN and negatives fail at the key's
/// file:line, values beyond 10^9 s become 10^9 s.
template <class Node>
void check_config_seconds(const Node& node, servokit::json::path at, std::string_view key, std::optional<double>& value) {
  if (!value) return;
  try {
    value = servokit::checked_seconds(*value, key);
  } catch (const servokit::seconds_error& error) {
    std::string problem = error.what();
    problem.erase(0, key.size() + 2);   // "<key>: ": the location names the key already
    at.push(key);
    if (auto child = servokit::json::find_member(node, key)) child->fail(at, problem);
    node.fail(at, problem);
  }
}

/// Only whether a line has a `progress` key: the one thing that tells progress from a result.
struct line_shape {
  BOOST_HANA_DEFINE_STRUCT(line_shape,
    (std::optional<servokit::raw_json>, progress));
};

}  // namespace aggregate

template <>
struct servokit::meta<aggregate::line_shape> {
  static constexpr bool ignore_unknown_keys = true;
};

namespace aggregate {

/// How one call of a sub-driver runs.
struct call_options {
  std::string input;                                      ///< stdin (the request), or nothing
  std::optional<std::chrono::milliseconds> silence;       ///< longest quiet on stdout
  std::function<void(const servokit::progress_line&)> on_progress;  ///< each progress line
  std::function<void()> on_finish;                        ///< once it has ended, on the loop's thread
  std::vector<std::pair<std::string, std::string>> environment;  ///< variables added to the inherited ones
};

/// The final line of a call, as far as its status goes; the rest of the line is read where it
/// matters (a measurement's metrics, a descriptor).
struct final_status {
  BOOST_HANA_DEFINE_STRUCT(final_status,
    (std::optional<std::string>, status),
    (std::optional<std::string>, reason),
    (std::optional<std::string>, message));
};

/// How much of each stream is kept to quote when a sub-driver fails.
inline constexpr std::size_t quoted_bytes = 800;

}  // namespace aggregate

template <>
struct servokit::meta<aggregate::final_status> {
  static constexpr bool ignore_unknown_keys = true;
};

namespace aggregate {

/// One call of one sub-driver (`--info`, `--query app`, `app < request`...), running on a loop
/// shared with any number of others. It must stay at one address while running: hold it in a
/// `std::unique_ptr` (see `start_calls`).
class sub_driver_call {
 public:
  sub_driver_call(process::event_loop& loop, sub_driver driver, std::vector<std::string> arguments,
                  call_options options)
      : driver_(std::move(driver)), on_progress_(std::move(options.on_progress)) {
    process::child_options child_options;
    child_options.in.data = std::move(options.input);
    child_options.out.capture = {4096, process::keep::tail};
    child_options.err.capture = {4096, process::keep::tail};
    child_options.out.on_line = [this](const process::output_line& line) { take_line(line); };
    child_options.limits.silence = options.silence;
    if (options.on_finish) {
      child_options.on_exit = [on_finish = std::move(options.on_finish)](const process::completion&) { on_finish(); };
    }
    // A driver that closed its output has nothing more to say: as the agent does, wait 3 s at
    // most for it to exit.
    child_options.limits.exit_after_output_closed = std::chrono::seconds(3);
    child_options.stopping.signal = SIGTERM;
    child_options.stopping.grace = std::chrono::seconds(2);
    std::vector<std::string> argv{driver_.path.string()};
    argv.insert(argv.end(), std::make_move_iterator(arguments.begin()), std::make_move_iterator(arguments.end()));
    process::command command(std::move(argv));
    for (auto& [variable, value] : options.environment) command.with_variable(std::move(variable), std::move(value));
    try {
      child_.emplace(loop, command, std::move(child_options));
    } catch (const process::spawn_error& failure) {
      problem_ = std::string("cannot be started: ") + failure.what();
    }
  }
  sub_driver_call(const sub_driver_call&) = delete;
  sub_driver_call& operator=(const sub_driver_call&) = delete;

  /// The driver called.
  const sub_driver& driver() const { return driver_; }
  /// Whether it has ended and its output is read (or it never started).
  bool finished() const { return !child_ || child_->finished(); }
  /// Whether it is still running.
  bool running() const { return child_ && !child_->exited(); }

  /// Sends `signal_number` to its process group now, SIGKILL after `grace` if it is still there.
  void stop(int signal_number, std::chrono::milliseconds grace) {
    if (running()) child_->terminate(signal_number, grace);
  }

  /// Whether it exited with code 0, printed only JSON lines, and printed a final line.
  bool succeeded() const {
    return child_ && child_->result().ok() && problem_.empty() && !final_line_.empty();
  }
  /// The last line that was not progress ("" when there was none).
  const std::string& final_line() const { return final_line_; }

  /// The status, reason and message of its final line (all empty when it printed none).
  final_status reported() const {
    final_status reported_status;
    if (final_line_.empty()) return reported_status;
    try {
      servokit::json::read(final_line_, reported_status);
    } catch (const servokit::json::read_error&) {
      // a status or message of the wrong type: it reported nothing usable
    }
    return reported_status;
  }

  /// Whether it succeeded and its final line reports no other status than `ok`.
  bool ok() const {
    if (!succeeded()) return false;
    const final_status reported_status = reported();
    return !reported_status.status || *reported_status.status == servokit::status::ok;
  }

  /// What went wrong, for a message that already names the driver: "exited with code 3; its
  /// output ends with: ...". Empty when it succeeded.
  std::string failure() const {
    if (succeeded()) return {};
    std::string text = problem_;
    if (child_) {
      const process::completion& done = child_->result();
      if (!done.ok() || text.empty()) {
        if (!text.empty()) text += ", then ";
        text += done.ok() && final_line_.empty() ? std::string("printed no result line") : done.describe();
      }
      append_quote(text, "its output ends with", done.out.tail());
      append_quote(text, "its stderr ends with", done.err.tail());
    }
    return text;
  }

 private:
  void take_line(const process::output_line& line) {
    if (!problem_.empty()) return;   // it is being stopped; the rest is noise
    if (line.continued) {
      fail_protocol("printed a line longer than " + std::to_string(process::default_max_line_length) + " bytes");
      return;
    }
    if (line.text.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank lines are allowed
    line_shape shape;
    try {
      servokit::json::read(line.text, shape);
    } catch (const servokit::json::read_error&) {
      fail_protocol("printed a line that is not a JSON object: " + excerpt(line.text));
      return;
    }
    if (!shape.progress) {
      final_line_.assign(line.text);
      return;
    }
    if (!on_progress_) return;
    servokit::progress_line progress{};
    try {
      servokit::json::read(line.text, progress);
    } catch (const servokit::json::read_error&) {
      return;   // a progress line we cannot read is still a sign of life, nothing more
    }
    on_progress_(progress);
  }

  void fail_protocol(std::string problem) {
    problem_ = std::move(problem);
    stop(SIGTERM, std::chrono::seconds(2));
  }

  static std::string excerpt(std::string_view text) {
    return text.size() <= 200 ? std::string(text) : std::string(text.substr(0, 200)) + "...";
  }

  static void append_quote(std::string& text, std::string_view label, std::string_view stream) {
    while (!stream.empty() && (stream.back() == '\n' || stream.back() == '\r')) stream.remove_suffix(1);
    if (stream.empty()) return;
    const bool cut = stream.size() > quoted_bytes;
    if (cut) stream = stream.substr(stream.size() - quoted_bytes);
    text += "; ";
    text += label;
    text += cut ? ": ..." : ": ";
    text += stream;
  }

  sub_driver driver_;
  std::function<void(const servokit::progress_line&)> on_progress_;
  std::optional<process::child> child_;
  std::string final_line_;
  std::string problem_;
};

/// The calls of one round, one per driver, all running at once.
using call_list = std::vector<std::unique_ptr<sub_driver_call>>;

/// Starts `arguments` on every driver at once; `options_for` gives each its options.
inline call_list start_calls(process::event_loop& loop, const std::vector<sub_driver>& drivers,
                             const std::vector<std::string>& arguments,
                             const std::function<call_options(const sub_driver&)>& options_for = {}) {
  call_list calls;
  calls.reserve(drivers.size());
  const auto silence = silence_limit_from_environment();
  for (const sub_driver& driver : drivers) {
    call_options options = options_for ? options_for(driver) : call_options{};
    // A hung --info or --query is stopped too, before the agent gives up on the aggregator.
    if (!options.silence) options.silence = silence;
    calls.push_back(std::make_unique<sub_driver_call>(loop, driver, arguments, std::move(options)));
  }
  return calls;
}

/// Runs `loop` until every call has finished.
inline void wait_for(process::event_loop& loop, const call_list& calls) {
  loop.run_until([&calls] {
    return std::all_of(calls.begin(), calls.end(), [](const auto& call) { return call->finished(); });
  });
}

/// The final line of a call that must have succeeded, read as `T`; otherwise a `driver_error`
/// naming the driver and what `what` was asked ("--info", "--describe"), quoting its output.
template <class T>
T read_result(const sub_driver_call& call, std::string_view what) {
  const std::string who = "driver " + call.driver().name + " (" + std::string(what) + ")";
  if (!call.succeeded()) throw servokit::driver_error(who + " " + call.failure());
  try {
    return servokit::json::read<T>(call.final_line());
  } catch (const servokit::json::read_error& failure) {
    throw servokit::driver_error(who + " printed an unusable result: " + failure.what() + ": " +
                                 call.final_line().substr(0, 200));
  }
}

/// `--info` of every driver at once, with `environment` added to theirs: their info in `drivers`
/// order. Throws `driver_error`.
inline std::vector<servokit::driver_info> info_of(const std::vector<sub_driver>& drivers,
                                                  const std::vector<std::pair<std::string, std::string>>& environment = {}) {
  process::event_loop loop;
  const call_list calls = start_calls(loop, drivers, {"--info"}, [&environment](const sub_driver&) {
    call_options options;
    options.environment = environment;
    return options;
  });
  wait_for(loop, calls);
  std::vector<servokit::driver_info> infos;
  for (const auto& call : calls) infos.push_back(read_result<servokit::driver_info>(*call, "--info"));
  return infos;
}

/// A number of seconds (a config key checked by `check_config_seconds`, or a sum of checked
/// values) as milliseconds, through the one checked conversion: beyond 10^9 s (31 years) is
/// 10^9 s, so that `1e300` is "practically never" instead of an out-of-range float-to-integer
/// conversion (undefined; in practice a negative time that fired at once). `source` names the
/// value should it be NaN or negative.
inline std::chrono::milliseconds seconds_to_milliseconds(double seconds, std::string_view source) {
  return servokit::to_duration<std::chrono::milliseconds>(servokit::checked_seconds(seconds, source));
}

}  // namespace aggregate
