#pragma once
/// @file
/// The one checked reader for a number of seconds that comes from outside: the backend (a SLEEP's
/// `duration`), the environment (`$OPTUNE_IO_TIMEOUT`, `$SERVO_RETRY_DELAY_SEC`), a config file
/// (timeouts, grace periods, delays), a command line (`--delay`) or a request (`control.duration`).
///
/// Why one place: a double that reaches `std::chrono` unchecked is undefined behaviour when it does
/// not fit the clock's integer (a SLEEP of 1e300 s ended the wait at once and the agent hammered
/// the backend), and NaN compares false with everything, so it slips through every `<` test.

#include <charconv>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

namespace servokit {

/// The longest duration servokit honours, in seconds (about 31.7 years): anything longer is
/// clamped to it, so converting to any clock (nanoseconds included) cannot overflow.
inline constexpr double max_seconds = 1e9;

/// A number of seconds that cannot be used; `what()` names where it came from and the value.
class seconds_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

namespace detail {
inline std::string describe_seconds_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "infinity" : "-infinity";
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  return error == std::errc{} ? std::string(text, end) : std::string("?");
}
}  // namespace detail

/// `value` checked as a duration from outside: NaN and negatives are refused with a
/// `seconds_error` naming `source` (e.g. `"$OPTUNE_IO_TIMEOUT"`, `"SLEEP duration"`,
/// `"./config.yaml:4:14: exec.timeout"`); +infinity and anything above `max_seconds` become
/// `max_seconds`. Returns the value in [0, max_seconds].
inline double checked_seconds(double value, std::string_view source) {
  if (std::isnan(value) || value < 0) {
    throw seconds_error(std::string(source) + ": expected a number of seconds (0 or more), got " +
                        detail::describe_seconds_value(value));
  }
  return value > max_seconds ? max_seconds : value;
}

/// Seconds written as text (`"2.5"`, `" 30 "`, `"1e3"`), checked as `checked_seconds` does.
/// Surrounding blanks are allowed; anything else that is not a number is a `seconds_error`
/// quoting the text. Never locale-dependent (`std::from_chars`, not `strtod`).
inline double parse_seconds(std::string_view text, std::string_view source) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::string_view trimmed = text;
  while (!trimmed.empty() && blank(trimmed.front())) trimmed.remove_prefix(1);
  while (!trimmed.empty() && blank(trimmed.back())) trimmed.remove_suffix(1);
  if (!trimmed.empty() && trimmed.front() == '+') trimmed.remove_prefix(1);   // from_chars refuses '+'
  double value = 0;
  const auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (trimmed.empty() || end != trimmed.data() + trimmed.size() ||
      (error != std::errc{} && error != std::errc::result_out_of_range)) {
    throw seconds_error(std::string(source) + ": expected a number of seconds (0 or more), got \"" +
                        std::string(text) + "\"");
  }
  if (error == std::errc::result_out_of_range) {
    // Too big or too small for a double: 1e400 is as long as any duration, 1e-400 is nothing,
    // -1e400 is a negative like any other.
    const auto exponent = trimmed.find_first_of("eE");
    const bool tiny = exponent != std::string_view::npos && trimmed.find('-', exponent) != std::string_view::npos;
    value = tiny ? 0.0 : (trimmed.front() == '-' ? -max_seconds : max_seconds);
  }
  return checked_seconds(value, source);
}

/// A checked number of seconds as a clock duration (`std::chrono::milliseconds`,
/// `std::chrono::steady_clock::duration`, ...), rounded to the nearest tick. Safe for every value
/// `checked_seconds` returns.
template <class Duration>
Duration to_duration(double checked) {
  return std::chrono::round<Duration>(std::chrono::duration<double>(checked));
}

}  // namespace servokit
