#pragma once
/// @file
/// What the agent makes of a driver's run: the failure message the backend gets (with the
/// driver's stderr as `$OPTUNE_VERBOSE_STDERR` says, cut at 2 MiB) and small JSON helpers over
/// simdjson elements that the loop uses to read drivers' lines and the backend's replies.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include <servokit/process/completion.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/text/seconds.hpp>

namespace servokit::servo {

/// The longest message sent to the backend: 2 MiB, as the original cut it.
inline constexpr std::size_t max_message_bytes = std::size_t{2} << 20;

/// `message` cut to `max_message_bytes` the way the original did: `(truncated) ` + the start + `....`.
inline std::string cap_message(std::string message) {
  if (message.size() <= max_message_bytes) return message;
  message.resize(max_message_bytes - 16);
  return "(truncated) " + message + "....";
}

/// `message` with the driver's stderr appended per `policy` (`\nstderr:\n` and the text, as the
/// original wrote it), capped at 2 MiB.
inline std::string with_stderr(std::string message, const process::captured_output& err, stderr_in_failures policy) {
  switch (policy) {
    case stderr_in_failures::all: message += "\nstderr:\n" + err.text(); break;
    case stderr_in_failures::minimal: {
      message += "\nstderr:\n";
      const std::vector<std::string> lines = err.lines();
      for (std::size_t i = 0; i < lines.size() && i < 2; ++i) message += (i ? "\n" : "") + lines[i];
      break;
    }
    case stderr_in_failures::none: break;
  }
  return cap_message(std::move(message));
}

/// At most `limit` bytes of `text` for a log or error line, marked when cut.
inline std::string excerpt(std::string_view text, std::size_t limit = 200) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "...";
}

/// The first line of `text`, for the one-line log.
inline std::string_view first_line(std::string_view text) { return text.substr(0, text.find('\n')); }

namespace detail {

/// The member `key` of `element` if it is an object that has it.
inline std::optional<simdjson::dom::element> member(simdjson::dom::element element, std::string_view key) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::element found;
  if (object.at_key(key).get(found) != simdjson::SUCCESS) return std::nullopt;
  return found;
}

/// The string member `key`, if `element` has one.
inline std::optional<std::string> string_member(simdjson::dom::element element, std::string_view key) {
  const auto found = member(element, key);
  std::string_view text;
  if (!found || found->get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  return std::string(text);
}

/// The member `key` as compact JSON, if present.
inline std::optional<std::string> raw_member(simdjson::dom::element element, std::string_view key) {
  const auto found = member(element, key);
  if (!found) return std::nullopt;
  return simdjson::minify(*found);
}

/// A value Python would take as true: not null, false, 0, "", [] or {}.
inline bool truthy(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return false;
    case simdjson::dom::element_type::BOOL: return element.get_bool().value_unsafe();
    case simdjson::dom::element_type::INT64: return element.get_int64().value_unsafe() != 0;
    case simdjson::dom::element_type::UINT64: return element.get_uint64().value_unsafe() != 0;
    case simdjson::dom::element_type::DOUBLE: return element.get_double().value_unsafe() != 0;
    case simdjson::dom::element_type::STRING: return !element.get_string().value_unsafe().empty();
    case simdjson::dom::element_type::ARRAY: return element.get_array().value_unsafe().size() != 0;
    case simdjson::dom::element_type::OBJECT: return element.get_object().value_unsafe().size() != 0;
  }
  return false;
}

/// A duration given as a number or a numeric string (section 9: durations may be either),
/// checked by `servokit::checked_seconds`: nothing when it is neither a number nor a string;
/// a `seconds_error` naming `source` for NaN, a negative or a string that is not a number;
/// clamped at `max_seconds`.
inline std::optional<double> seconds_value(simdjson::dom::element element, std::string_view source) {
  double number = 0;
  if (element.get_double().get(number) == simdjson::SUCCESS) return checked_seconds(number, source);
  std::int64_t integer = 0;
  if (element.get_int64().get(integer) == simdjson::SUCCESS) return checked_seconds(static_cast<double>(integer), source);
  std::uint64_t large = 0;
  if (element.get_uint64().get(large) == simdjson::SUCCESS) return checked_seconds(static_cast<double>(large), source);
  std::string_view text;
  if (element.get_string().get(text) == simdjson::SUCCESS) return parse_seconds(text, source);
  return std::nullopt;
}

}  // namespace detail
}  // namespace servokit::servo
