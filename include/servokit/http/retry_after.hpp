#pragma once
/// \file
/// `retry_after_seconds`: the wait a `Retry-After` header asks for (RFC 9110 section 10.2.3),
/// either delay-seconds (`120`) or an HTTP date (`Fri, 31 Dec 1999 23:59:59 GMT`), as a checked
/// number of seconds (`text/seconds.hpp`: never negative, clamped at 10^9 s).

#include <time.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <servokit/text/seconds.hpp>

namespace servokit::http {

/// The seconds to wait that `value` (a Retry-After field) asks for, counted from `now`: a date
/// in the past is 0. Nothing when the value is neither a number of seconds nor an HTTP date
/// (IMF-fixdate, or the obsolete RFC 850 and asctime forms that RFC 9110 asks recipients to
/// accept); the caller then waits as it would without the header.
[[nodiscard]] inline std::optional<double> retry_after_seconds(std::string_view value,
                                                               std::chrono::system_clock::time_point now) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    try {
      return parse_seconds(value, "Retry-After");   // all digits: never negative; 1e400 is clamped
    } catch (const seconds_error&) {
      return std::nullopt;
    }
  }
  const std::string text(value);
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    tm fields{};
    const char* end = ::strptime(text.c_str(), format, &fields);
    if (end == nullptr || *end != '\0') continue;
    const time_t at = ::timegm(&fields);
    if (at == static_cast<time_t>(-1)) return std::nullopt;
    // In doubles: a date in the year 99999 does not fit the clock's nanoseconds.
    const double wait = static_cast<double>(at) - std::chrono::duration<double>(now.time_since_epoch()).count();
    return checked_seconds(wait < 0 ? 0.0 : wait, "Retry-After");
  }
  return std::nullopt;
}

}  // namespace servokit::http
