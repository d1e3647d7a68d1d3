#pragma once
/// @file
/// Everything the agent loop is told: the application, the servo directory, the pace, the limits
/// on drivers and the retries (`PROTOCOL.md` section 5). The loop never reads the environment
/// itself: `read_environment` fills the options from the variables the original agent honoured,
/// so a program that embeds the loop decides what comes from where.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <servokit/version.hpp>

namespace servokit::servo {

/// How much of a failed driver's stderr goes into the failure message (`$OPTUNE_VERBOSE_STDERR`).
enum class stderr_in_failures {
  all,      ///< all of it (`all`, the default), the message cut at 2 MiB
  minimal,  ///< its first two lines (`minimal`)
  none,     ///< none (any other value)
};

/// A line of the agent's log. `operation` lines are the default output (one per operation);
/// `detail` lines (requests, replies, driver output) only appear with `verbose`.
enum class log_level { operation, detail };

/// Seconds as the options hold them: fractions allowed (`--delay 0.5`).
using seconds = std::chrono::duration<double>;

/// What the agent loop runs and how.
struct options {
  std::string app_id;                      ///< passed to every driver; names the app to the backend
  std::filesystem::path directory = ".";   ///< the servo directory: ./adjust, ./measure, ./environment
  std::string agent = "servokit/" + std::string(servokit::version);  ///< HELLO's `agent`
  bool verbose = false;                    ///< log requests, replies and driver lines too
  bool interactive = false;                ///< wait for Enter (on `input`) before each event
  seconds delay{0};                        ///< pause between a command and its result, and before HELLO

  /// `$OPTUNE_IO_TIMEOUT`: a driver silent on stdout for longer is stopped; empty: no limit.
  std::optional<seconds> io_timeout;
  /// Once a driver closed its output, how long it may take to exit before it is killed.
  seconds exit_wait{3};
  /// After a cancel sent as SIGUSR1 (a driver with cancel), how long before SIGKILL.
  seconds cancel_grace{30};
  /// `$OPTUNE_VERBOSE_STDERR`.
  stderr_in_failures stderr_policy = stderr_in_failures::all;
  /// `$OPTUNE_PERF`: sent as the descriptor's `optimization.perf` when set.
  std::optional<std::string> perf;

  /// `$SERVO_RETRY_DELAY_SEC`: the wait before sending a failed event again.
  seconds retry_delay{20};
  /// The wait before the first retry of WHATS_NEXT (the original's quick first retry).
  seconds first_whats_next_retry{1};

  /// Where log lines go; the default writes each as one line on stderr.
  std::function<void(log_level, std::string_view)> log;
  /// The file descriptor `interactive` reads Enter from.
  int input = 0;
};

/// A value from the environment that cannot be used; the message names the variable.
class environment_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// `$name` as seconds (a non-negative number), or nothing when unset or empty.
inline std::optional<double> seconds_variable(const char* name, const char* value) {
  if (value == nullptr || *value == '\0') return std::nullopt;
  char* end = nullptr;
  const double parsed = std::strtod(value, &end);
  while (end != nullptr && (*end == ' ' || *end == '\t')) ++end;
  if (end == value || *end != '\0' || !std::isfinite(parsed) || parsed < 0) {
    throw environment_error(std::string("$") + name + "=\"" + value +
                            "\": expected a number of seconds (0 or more)");
  }
  return parsed;
}

}  // namespace detail

/// Fills the options from the environment as the original agent read it:
/// `$OPTUNE_IO_TIMEOUT` (empty or 0: no limit), `$OPTUNE_VERBOSE_STDERR`, `$OPTUNE_PERF` and
/// `$SERVO_RETRY_DELAY_SEC` (which the original crashed on). Throws `environment_error` naming
/// the variable when a value is not usable. `lookup` is `std::getenv` unless a test says otherwise.
inline void read_environment(options& into, const std::function<const char*(const char*)>& lookup = {}) {
  const auto get = [&](const char* name) -> const char* { return lookup ? lookup(name) : std::getenv(name); };
  if (auto timeout = detail::seconds_variable("OPTUNE_IO_TIMEOUT", get("OPTUNE_IO_TIMEOUT"))) {
    into.io_timeout = *timeout > 0 ? std::optional<seconds>(*timeout) : std::nullopt;
  }
  if (const char* policy = get("OPTUNE_VERBOSE_STDERR")) {
    const std::string_view value(policy);
    into.stderr_policy = value == "all"       ? stderr_in_failures::all
                         : value == "minimal" ? stderr_in_failures::minimal
                                              : stderr_in_failures::none;
  }
  if (const char* perf = get("OPTUNE_PERF"); perf != nullptr && *perf != '\0') into.perf = perf;
  if (auto delay = detail::seconds_variable("SERVO_RETRY_DELAY_SEC", get("SERVO_RETRY_DELAY_SEC"))) {
    into.retry_delay = seconds(*delay);
  }
}

/// Why the loop is asked to stop (`servo_loop::request_stop`), from the signals of section 5.
enum class stop_request {
  terminate,  ///< SIGTERM/SIGINT: stop the driver now, GOODBYE with the signal's name, exit 0
  exit,       ///< SIGUSR1: finish the operation, GOODBYE `exit`, exit 0
  restart,    ///< SIGHUP: finish the operation, GOODBYE `restart`, then the program re-executes
};

}  // namespace servokit::servo
