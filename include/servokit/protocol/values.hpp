#pragma once
/// @file
/// The two value types of the protocol that are not structs: a setting or metric value (a number or
/// a string) and a free-form JSON value passed through unchanged.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace servokit {

/// A setting's or metric's value: an integer, a floating-point number or a string.
///
/// Integers are kept apart from floating-point numbers so that a value read as `3` is written back
/// as `3`, and a command template formats it the way the original Python drivers did.
using scalar = std::variant<std::int64_t, double, std::string>;

/// The numeric value of `value`, or nothing when it is a string.
inline std::optional<double> numeric_value(const scalar& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const auto* number = std::get_if<double>(&value)) return *number;
  return std::nullopt;
}

/// The shortest text that reads back as exactly `value` (`0.25`, `3`, `1e+21`), as JSON writes
/// numbers; `null` for NaN and infinities, which JSON cannot express.
inline std::string format_number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[32];
  // A whole number beyond the 64-bit integers in plain digits (`18446744073709551616`) is JSON that
  // simdjson, and so servokit itself, refuses to read: write those in exponent form.
  const bool beyond_integers = std::fabs(value) >= 0x1p63;
  auto [end, error] = beyond_integers ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific)
                                      : std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc{} ? std::string(buffer, end) : std::string("null");
}

/// A JSON value kept as its compact text: the free-form parts of a message (`control.userdata`,
/// `load`, annotations) that servokit passes on byte for byte without knowing their shape.
class raw_json {
 public:
  raw_json() = default;
  /// Wraps compact JSON text; the caller vouches that it is valid JSON (the readers do).
  explicit raw_json(std::string text) : text_(std::move(text)) {}

  /// The compact JSON text; empty for a default-constructed value.
  const std::string& text() const { return text_; }
  /// Whether this holds no value at all (not even `null`).
  bool empty() const { return text_.empty(); }
  /// Whether this holds an empty object `{}` or nothing.
  bool empty_object() const { return text_.empty() || text_ == "{}"; }

  friend bool operator==(const raw_json&, const raw_json&) = default;

 private:
  std::string text_;
};

}  // namespace servokit
