#pragma once
/// @file
/// Everything the agent loop is told: the application, the servo directory, the pace, the limits
/// on drivers and the retries (`PROTOCOL.md` section 5). The loop never reads the environment
/// itself: `read_environment` fills the options from the variables the original agent honoured,
/// so a program that embeds the loop decides what comes from where.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <servokit/text/seconds.hpp>
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

/// A value from the environment that cannot be used; the message names the variable.
class environment_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// `$name` as checked seconds (`servokit::parse_seconds`), or nothing when unset or empty.
inline std::optional<double> seconds_variable(const char* name, const char* value) {
  if (value == nullptr || *value == '\0') return std::nullopt;
  try {
    return parse_seconds(value, std::string("$") + name);
  } catch (const seconds_error& error) {
    throw environment_error(error.what());
  }
}

/// The start of this process in seconds since the epoch (from /proc: the same across the exec
/// of a SIGHUP restart), or the current time when /proc cannot tell.
inline double process_start_seconds() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto after_name = text.rfind(')');   // the name may hold blanks and parentheses
  std::ifstream boot("/proc/stat");
  std::string line;
  double boot_time = -1;
  while (std::getline(boot, line)) {
    if (line.rfind("btime ", 0) == 0) boot_time = std::atof(line.c_str() + 6);
  }
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (after_name != std::string::npos && boot_time >= 0 && ticks_per_second > 0) {
    std::istringstream fields(text.substr(after_name + 2));
    std::string field;
    for (int index = 3; index <= 22 && fields >> field; ++index) {
      if (index == 22) return boot_time + std::atof(field.c_str()) / static_cast<double>(ticks_per_second);
    }
  }
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace detail

/// The default `servo_uid`: `<host>-<pid>-<start time>` (the start in centiseconds since the
/// epoch), unique to this agent process and kept across its SIGHUP restarts.
inline std::string default_servo_uid() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  char text[320];
  std::snprintf(text, sizeof text, "%s-%ld-%.0f", host, static_cast<long>(::getpid()), detail::process_start_seconds() * 100);
  return text;
}

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

  /// `$SERVO_RETRY_DELAY_SEC`: the longest wait before sending a failed event again (the waits
  /// grow from `first_whats_next_retry` up to it, see `servo/conversation.hpp`).
  seconds retry_delay{20};
  /// The wait before the first retry of an event (the original's quick first retry of WHATS_NEXT).
  seconds first_whats_next_retry{1};
  /// Sent as `servo_uid` in every event's envelope (section 9); `default_servo_uid()` unless
  /// `--servo-uid` says otherwise; empty: not sent.
  std::string servo_uid = default_servo_uid();

  /// Where log lines go; the default writes each as one line on stderr.
  std::function<void(log_level, std::string_view)> log;
  /// The file descriptor `interactive` reads Enter from.
  int input = 0;
};


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
