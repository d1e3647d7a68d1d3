#pragma once
/// @file
/// Python's `str.format`, over `text::format_value`: the template language the original servo
/// drivers used in their configs (`--cpu {web.cpu} --mem {web.mem:.0f}`), with Python's results
/// byte for byte for the values a JSON or YAML document holds.
///
/// Supported, as Python 3.11 has them:
/// - literal text with `{{` and `}}` for braces;
/// - fields `{name}`, `{name.key}`, `{name[key]}`, `{name[0]}` (list and string index), chained;
/// - conversions `!s`, `!r`, `!a`;
/// - the format spec mini-language `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`
///   for str, int, float and bool, with nested fields in the spec (`{x:{width}}`);
/// - Python's `str()`/`repr()` of None, bools, lists and dicts.
///
/// Differences, all deliberate: fields are named only (`{}` and `{0}` name no positional
/// argument and are an error); `.key` and `[key]` both look a key up in an object (Python needs
/// a namespace for the one and a dict for the other); a digit key `[0]` on an object looks up the
/// string "0". Errors say which field failed and list what exists where the lookup stopped.
///
/// Example:
/// ```
/// auto names = text::format_value::make_object({{"web", text::format_value::make_object({{"mem", 2.5}})}});
/// text::python_format("--mem {web.mem:.0f}", names);   // "--mem 2"
/// ```

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <servokit/text/format_value.hpp>

namespace servokit::text {

/// A template that cannot be parsed, a field that names nothing, or a value the format spec does
/// not apply to. `what()` says which, where and why.
class format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A field name as written, split into its lookups: `state[application].web` is `state`, then
/// `[application]`, then `.web`.
struct field_name {
  /// One lookup after the first name: `.key` (attribute) or `[key]` (index).
  struct step {
    bool indexed = false;  ///< written as `[key]`
    std::string key;       ///< the key or index text
  };

  std::string first;        ///< the name looked up in the template's arguments
  std::vector<step> steps;  ///< the lookups that follow, in order

  /// The name as written, up to `step_count` steps: `state[application]`.
  std::string text(std::size_t step_count = SIZE_MAX) const {
    std::string written = first;
    for (std::size_t i = 0; i < steps.size() && i < step_count; ++i) {
      written += steps[i].indexed ? "[" + steps[i].key + "]" : "." + steps[i].key;
    }
    return written;
  }
};

/// A field inside a format spec (`{x:{width}}`): a name, a conversion and a plain spec.
struct nested_field {
  ::servokit::text::field_name name;
  char conversion = 0;   ///< 0, 's', 'r' or 'a'
  std::string spec;      ///< the nested field's own spec (no further nesting)
};

/// One `{...}` of a template.
struct replacement_field {
  ::servokit::text::field_name name;
  char conversion = 0;   ///< 0 (none), 's', 'r' or 'a'
  /// The format spec: literal pieces and nested fields, in order.
  std::vector<std::variant<std::string, nested_field>> spec;
  std::size_t offset = 0;  ///< where the `{` is in the template (0-based)
  std::string source;      ///< the field as written, braces included, for messages
};

namespace detail {

/// The length of the UTF-8 sequence that starts with `lead` (1 for a byte that starts none, so
/// that invalid input is walked byte by byte rather than overrun).
inline std::size_t utf8_length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF8) return 4;
  return 1;
}

/// The number of code points in `text` (Python's `len` of a str).
inline std::size_t code_point_count(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size(); at += utf8_length(static_cast<unsigned char>(text[at]))) ++count;
  return count;
}

/// The byte offset of code point `index` in `text` (its size when there are fewer).
inline std::size_t code_point_offset(std::string_view text, std::size_t index) {
  std::size_t at = 0;
  for (; index > 0 && at < text.size(); --index) at += utf8_length(static_cast<unsigned char>(text[at]));
  return std::min(at, text.size());
}

/// The code point starting at `text[at]` and its length; invalid bytes decode as themselves.
inline std::pair<std::uint32_t, std::size_t> decode_code_point(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t length = utf8_length(lead);
  if (length == 1 || at + length > text.size()) return {lead, 1};
  std::uint32_t code = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return {lead, 1};
    code = (code << 6) | (next & 0x3F);
  }
  return {code, length};
}

/// `code` as UTF-8.
inline std::string encode_code_point(std::uint32_t code) {
  std::string out;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  return out;
}

/// Appends `\xNN`, `\uNNNN` or `\UNNNNNNNN` for `code`, as Python's repr and ascii escape.
inline void append_escape(std::string& out, std::uint32_t code) {
  static constexpr char hex[] = "0123456789abcdef";
  int digits = 2;
  if (code > 0xFF) digits = code > 0xFFFF ? 8 : 4;
  out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += hex[(code >> shift) & 0xF];
}

/// Python's `repr` of a str (`ascii_only`: `ascii()`, escaping every non-ASCII code point).
/// Non-ASCII code points are kept as they are by `repr` (Python escapes the few it deems
/// unprintable; servokit does not carry Unicode's tables for that).
inline std::string string_repr(std::string_view text, bool ascii_only) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t at = 0; at < text.size();) {
    const auto [code, length] = decode_code_point(text, at);
    const bool invalid_byte = length == 1 && code >= 0x80;
    if (code == static_cast<std::uint32_t>(quote) || code == '\\') {
      out += '\\';
      out += static_cast<char>(code);
    } else if (code == '\n') {
      out += "\\n";
    } else if (code == '\r') {
      out += "\\r";
    } else if (code == '\t') {
      out += "\\t";
    } else if (code < 0x20 || code == 0x7F || invalid_byte || (ascii_only && code >= 0x80)) {
      append_escape(out, code);
    } else {
      out.append(text.substr(at, length));
    }
    at += length;
  }
  out += quote;
  return out;
}

/// `value`'s decimal digits.
inline std::string decimal_digits(std::uint64_t value, int base = 10, bool uppercase = false) {
  char buffer[72];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, base);
  std::string digits(buffer, end);
  if (uppercase) {
    for (char& c : digits) {
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return digits;
}

/// The significant digits (no point, no sign) and decimal exponent of `magnitude` (finite, >= 0),
/// rounded to `significant` digits, or the shortest that reads back exactly when it is empty.
inline std::pair<std::string, int> scientific_digits(double magnitude, std::optional<int> significant) {
  std::string buffer(static_cast<std::size_t>(significant.value_or(17)) + 32, '\0');
  const auto result = significant
                          ? std::to_chars(buffer.data(), buffer.data() + buffer.size(), magnitude,
                                          std::chars_format::scientific, *significant - 1)
                          : std::to_chars(buffer.data(), buffer.data() + buffer.size(), magnitude,
                                          std::chars_format::scientific);
  const std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  const std::size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(), exponent);
  return {digits, exponent};
}

/// Lays significant `digits` with decimal exponent `exponent` out in fixed notation.
inline std::string fixed_layout(const std::string& digits, int exponent) {
  if (exponent < 0) return "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const auto integer_length = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= integer_length) return digits + std::string(integer_length - digits.size(), '0');
  return digits.substr(0, integer_length) + "." + digits.substr(integer_length);
}

/// Lays significant `digits` with decimal exponent `exponent` out in scientific notation.
inline std::string scientific_layout(const std::string& digits, int exponent, bool uppercase, bool force_point) {
  std::string out(1, digits[0]);
  if (digits.size() > 1) out += "." + digits.substr(1);
  else if (force_point) out += '.';
  out += uppercase ? 'E' : 'e';
  out += exponent < 0 ? '-' : '+';
  const int absolute = exponent < 0 ? -exponent : exponent;
  if (absolute < 10) out += '0';
  out += std::to_string(absolute);
  return out;
}

/// Drops trailing zeros (and then a trailing point) from the fraction of `digits`.
inline std::string strip_trailing_zeros(std::string digits) {
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return digits;
}

/// `magnitude` (finite, >= 0) in fixed notation with `precision` decimals, rounded exactly.
inline std::string fixed_digits(double magnitude, std::size_t precision) {
  std::string buffer(precision + 340, '\0');
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), magnitude, std::chars_format::fixed,
                                    static_cast<int>(precision));
  return std::string(buffer.data(), result.ptr);
}

/// Python's `repr` of a float.
inline std::string float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  const auto [digits, exponent] = scientific_digits(std::fabs(value), std::nullopt);
  std::string body = exponent < -4 || exponent >= 16 ? scientific_layout(digits, exponent, false, false)
                                                     : fixed_layout(digits, exponent);
  if (body.find_first_of(".e") == std::string::npos) body += ".0";
  return std::signbit(value) ? "-" + body : body;
}

/// The largest width or precision a spec may ask for: beyond it a template is a mistake, and
/// honouring it would only be a way to exhaust memory.
inline constexpr std::size_t max_spec_number = 100000;

}  // namespace detail

/// A parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
struct format_spec {
  std::string fill;                      ///< one code point; empty when not given
  char align = 0;                        ///< '<', '>', '=', '^' or 0
  char sign = 0;                         ///< '+', '-', ' ' or 0
  bool coerce_negative_zero = false;     ///< 'z'
  bool alternate = false;                ///< '#'
  bool zero_padding = false;             ///< '0' before the width
  std::optional<std::size_t> width;
  char grouping = 0;                     ///< ',', '_' or 0
  std::optional<std::size_t> precision;
  char type = 0;                         ///< the presentation type, 0 when none

  /// Parses `spec` for a value of Python type `type_name` (used in messages). Throws `format_error`.
  static format_spec parse(std::string_view spec, std::string_view type_name) {
    format_spec parsed;
    std::size_t at = 0;
    const auto is_align = [](char c) { return c == '<' || c == '>' || c == '=' || c == '^'; };
    if (!spec.empty()) {
      const std::size_t first_length = detail::utf8_length(static_cast<unsigned char>(spec[0]));
      if (first_length < spec.size() && is_align(spec[first_length])) {
        parsed.fill = std::string(spec.substr(0, first_length));
        parsed.align = spec[first_length];
        at = first_length + 1;
      } else if (is_align(spec[0])) {
        parsed.align = spec[0];
        at = 1;
      }
    }
    if (at < spec.size() && (spec[at] == '+' || spec[at] == '-' || spec[at] == ' ')) parsed.sign = spec[at++];
    if (at < spec.size() && spec[at] == 'z') parsed.coerce_negative_zero = true, ++at;
    if (at < spec.size() && spec[at] == '#') parsed.alternate = true, ++at;
    if (at < spec.size() && spec[at] == '0') parsed.zero_padding = true, ++at;
    parsed.width = read_number(spec, at);
    if (at < spec.size() && (spec[at] == ',' || spec[at] == '_')) parsed.grouping = spec[at++];
    if (at < spec.size() && (spec[at] == ',' || spec[at] == '_')) {
      throw format_error("Cannot specify both ',' and '_'.");
    }
    if (at < spec.size() && spec[at] == '.') {
      ++at;
      parsed.precision = read_number(spec, at);
      if (!parsed.precision) throw format_error("Format specifier missing precision");
    }
    if (spec.size() - at > 1) {
      throw format_error("Invalid format specifier '" + std::string(spec) + "' for object of type '" +
                         std::string(type_name) + "'");
    }
    if (at < spec.size()) parsed.type = spec[at];
    if (parsed.grouping && parsed.type) {
      const bool allowed = std::string_view("deEfFgG%").find(parsed.type) != std::string_view::npos ||
                           (parsed.grouping == '_' && std::string_view("boxX").find(parsed.type) != std::string_view::npos);
      if (!allowed) {
        throw format_error(std::string("Cannot specify '") + parsed.grouping + "' with '" + parsed.type + "'.");
      }
    }
    return parsed;
  }

 private:
  static std::optional<std::size_t> read_number(std::string_view spec, std::size_t& at) {
    const std::size_t start = at;
    std::size_t value = 0;
    while (at < spec.size() && spec[at] >= '0' && spec[at] <= '9') {
      value = value * 10 + static_cast<std::size_t>(spec[at] - '0');
      if (value > detail::max_spec_number) {
        throw format_error("width or precision beyond " + std::to_string(detail::max_spec_number) + " in format spec '" +
                           std::string(spec) + "'");
      }
      ++at;
    }
    if (at == start) return std::nullopt;
    return value;
  }
};

namespace detail {

/// Groups `digits` (most significant first) by `interval` with `separator`; with `min_width`,
/// pads with zeros first so that the grouped result is at least that wide (Python's zero padding
/// of a grouped number: `format(1234, '08,')` is `0,001,234`).
inline std::string group_digits(std::string_view digits, std::size_t interval, char separator, std::size_t min_width) {
  std::string reversed;
  std::size_t remaining = digits.size();
  std::ptrdiff_t width_left = static_cast<std::ptrdiff_t>(min_width);
  for (;;) {
    const std::size_t wanted = std::max<std::size_t>(
        {remaining, static_cast<std::size_t>(std::max<std::ptrdiff_t>(width_left, 0)), std::size_t{1}});
    const std::size_t take = std::min(interval, wanted);
    for (std::size_t i = 0; i < take; ++i) {
      reversed += remaining > 0 ? digits[--remaining] : '0';
    }
    width_left -= static_cast<std::ptrdiff_t>(take);
    if (remaining == 0 && width_left <= 0) break;
    reversed += separator;
    --width_left;
  }
  return std::string(reversed.rbegin(), reversed.rend());
}

/// A number laid out in parts, so that padding can go between the sign and the digits.
struct number_parts {
  std::string sign;      ///< "-", "+", " " or ""
  std::string prefix;    ///< "0x" and the like
  std::string integer;   ///< the digits before any point, ungrouped
  std::string rest;      ///< the point, fraction, exponent or '%'
};

/// Pads `body` (of `length` code points) to the spec's width with its fill and alignment.
inline std::string pad(std::string body, std::size_t length, const format_spec& spec, char default_align,
                       const std::string& default_fill) {
  const std::size_t width = spec.width.value_or(0);
  if (length >= width) return body;
  const std::size_t padding = width - length;
  const std::string& fill = spec.fill.empty() ? default_fill : spec.fill;
  const auto repeat = [&fill](std::size_t count) {
    std::string out;
    out.reserve(count * fill.size());
    for (std::size_t i = 0; i < count; ++i) out += fill;
    return out;
  };
  switch (spec.align ? spec.align : default_align) {
    case '<': return body + repeat(padding);
    case '^': return repeat(padding / 2) + body + repeat(padding - padding / 2);
    default: return repeat(padding) + body;
  }
}

/// Assembles a number from its parts with grouping, sign-aware padding and alignment.
inline std::string finish_number(number_parts parts, const format_spec& spec, std::size_t group_interval) {
  const bool zero_fill = spec.zero_padding && spec.fill.empty();
  const std::string fill = zero_fill ? "0" : spec.fill.empty() ? " " : spec.fill;
  const char align = spec.align ? spec.align : zero_fill ? '=' : '>';
  const std::size_t head = parts.sign.size() + parts.prefix.size();
  const std::size_t width = spec.width.value_or(0);
  std::string integer = parts.integer;
  if (spec.grouping && !integer.empty()) {
    // Zero padding goes into the grouped digits themselves, separators included.
    const std::size_t min_width = align == '=' && fill == "0" && width > head + parts.rest.size()
                                      ? width - head - parts.rest.size()
                                      : 0;
    integer = group_digits(integer, group_interval, spec.grouping, min_width);
  }
  const std::size_t length = head + integer.size() + code_point_count(parts.rest);
  if (align == '=') {
    std::string padding;
    for (std::size_t i = length; i < width; ++i) padding += fill;
    return parts.sign + parts.prefix + padding + integer + parts.rest;
  }
  format_spec aligned = spec;
  aligned.align = align;
  aligned.fill = fill;
  return pad(parts.sign + parts.prefix + integer + parts.rest, length, aligned, '>', " ");
}

/// The sign text for a number that is `negative`, per the spec.
inline std::string sign_text(bool negative, const format_spec& spec) {
  if (negative) return "-";
  if (spec.sign == '+') return "+";
  if (spec.sign == ' ') return " ";
  return "";
}

/// Formats a float (or an int converted to one) per `spec`; `type_name` is for messages.
inline std::string format_float(double value, const format_spec& spec, std::string_view type_name) {
  char type = spec.type;
  if (std::string_view("eEfFgGn%").find(type) == std::string_view::npos && type != 0) {
    throw format_error(std::string("Unknown format code '") + type + "' for object of type '" + std::string(type_name) + "'");
  }
  if (type == 'n' && spec.grouping) throw format_error(std::string("Cannot specify '") + spec.grouping + "' with 'n'.");
  const bool uppercase = type == 'E' || type == 'F' || type == 'G';
  bool negative = std::signbit(value) && !std::isnan(value);
  double magnitude = std::fabs(value);
  number_parts parts;
  if (!std::isfinite(value)) {
    parts.integer.clear();
    parts.rest = std::isnan(value) ? (uppercase ? "NAN" : "nan") : (uppercase ? "INF" : "inf");
    if (type == '%') parts.rest += '%';
    parts.sign = sign_text(negative, spec);
    format_spec no_grouping = spec;
    no_grouping.grouping = 0;
    return finish_number(parts, no_grouping, 3);
  }
  std::string body;
  if (type == 0 && !spec.precision) {
    body = float_repr(magnitude);
  } else if (type == 'f' || type == 'F' || type == '%') {
    if (type == '%') magnitude *= 100;
    body = fixed_digits(magnitude, spec.precision.value_or(6));
    if (spec.alternate && spec.precision.value_or(6) == 0) body += '.';
    if (type == '%') body += '%';
  } else if (type == 'e' || type == 'E') {
    const int precision = static_cast<int>(spec.precision.value_or(6));
    const auto [digits, exponent] = scientific_digits(magnitude, precision + 1);
    body = scientific_layout(digits, exponent, uppercase, spec.alternate);
  } else {
    // 'g', 'G', 'n', or no type with a precision: Python's general format. Without a type, the
    // fixed form keeps at least one decimal and the exponent form starts one digit earlier.
    const bool no_type = type == 0;
    const int precision = std::max(1, static_cast<int>(spec.precision.value_or(6)));
    auto [digits, exponent] = magnitude == 0 ? std::pair<std::string, int>{std::string(static_cast<std::size_t>(precision), '0'), 0}
                                             : scientific_digits(magnitude, precision);
    const bool use_exponent = exponent < -4 || exponent >= (no_type ? precision - 1 : precision);
    if (!spec.alternate) digits = strip_trailing_zeros(digits);
    body = use_exponent ? scientific_layout(digits, exponent, uppercase, spec.alternate) : fixed_layout(digits, exponent);
    if (!use_exponent && body.find('.') == std::string::npos && (no_type || spec.alternate)) {
      body += no_type && !spec.alternate ? ".0" : ".";
    }
  }
  if (spec.coerce_negative_zero && negative && body.find_first_of("123456789") == std::string::npos) negative = false;
  const std::size_t integer_end = body.find_first_not_of("0123456789");
  parts.integer = body.substr(0, integer_end);
  parts.rest = integer_end == std::string::npos ? std::string() : body.substr(integer_end);
  parts.sign = sign_text(negative, spec);
  return finish_number(std::move(parts), spec, 3);
}

/// Formats an int per `spec` (bools too, which Python formats as 1 and 0 under a spec).
inline std::string format_integer(bool negative, std::uint64_t magnitude, const format_spec& spec, std::string_view type_name) {
  const char type = spec.type;
  if (std::string_view("eEfFgG%").find(type) != std::string_view::npos && type != 0) {
    const double value = static_cast<double>(magnitude);
    return format_float(negative ? -value : value, spec, "float");
  }
  if (std::string_view("dnbcoxX").find(type) == std::string_view::npos && type != 0) {
    throw format_error(std::string("Unknown format code '") + type + "' for object of type '" + std::string(type_name) + "'");
  }
  if (spec.precision) throw format_error("Precision not allowed in integer format specifier");
  if (spec.coerce_negative_zero) throw format_error("Negative zero coercion (z) not allowed in integer format specifier");
  if (type == 'n' && spec.grouping) throw format_error(std::string("Cannot specify '") + spec.grouping + "' with 'n'.");
  number_parts parts;
  if (type == 'c') {
    if (spec.sign) throw format_error("Sign not allowed with integer format specifier 'c'");
    if (spec.alternate) throw format_error("Alternate form (#) not allowed with integer format specifier 'c'");
    if (negative || magnitude > 0x10FFFF) throw format_error("%c arg not in range(0x110000)");
    format_spec as_text = spec;
    const std::string character = encode_code_point(static_cast<std::uint32_t>(magnitude));
    return pad(character, 1, as_text, '>', " ");
  }
  int base = 10;
  if (type == 'b') base = 2, parts.prefix = spec.alternate ? "0b" : "";
  if (type == 'o') base = 8, parts.prefix = spec.alternate ? "0o" : "";
  if (type == 'x') base = 16, parts.prefix = spec.alternate ? "0x" : "";
  if (type == 'X') base = 16, parts.prefix = spec.alternate ? "0X" : "";
  parts.integer = decimal_digits(magnitude, base, type == 'X');
  parts.sign = sign_text(negative, spec);
  return finish_number(std::move(parts), spec, base == 10 ? 3 : 4);
}

/// Formats a str per `spec`.
inline std::string format_string(std::string_view text, const format_spec& spec) {
  if (spec.type != 0 && spec.type != 's') {
    throw format_error(std::string("Unknown format code '") + spec.type + "' for object of type 'str'");
  }
  if (spec.sign) throw format_error("Sign not allowed in string format specifier");
  if (spec.alternate) throw format_error("Alternate form (#) not allowed in string format specifier");
  if (spec.coerce_negative_zero) throw format_error("Negative zero coercion (z) not allowed in format specifier");
  if (spec.grouping) throw format_error(std::string("Cannot specify '") + spec.grouping + "' with 's'.");
  if (spec.align == '=') throw format_error("'=' alignment not allowed in string format specifier");
  std::string_view shown = text;
  if (spec.precision) shown = text.substr(0, code_point_offset(text, *spec.precision));
  format_spec padded = spec;
  if (spec.zero_padding && spec.fill.empty()) padded.fill = "0";
  return pad(std::string(shown), code_point_count(shown), padded, '<', " ");
}

}  // namespace detail

/// Python's `repr(value)`: `'text'`, `2.0`, `True`, `None`, `[1, 'a']`, `{'k': 1}`.
inline std::string python_repr(const format_value& value, bool ascii_only = false);

/// Python's `str(value)`: a str as it is, everything else as `repr`.
inline std::string python_str(const format_value& value) {
  return value.is_string() ? value.as_string() : python_repr(value);
}

inline std::string python_repr(const format_value& value, bool ascii_only) {
  if (value.is_null()) return "None";
  if (value.is_bool()) return value.as_bool() ? "True" : "False";
  if (value.is_integer()) {
    const auto [negative, magnitude] = value.integer_sign_and_magnitude();
    return (negative ? "-" : "") + detail::decimal_digits(magnitude);
  }
  if (value.is_float()) return detail::float_repr(value.as_float());
  if (value.is_string()) return detail::string_repr(value.as_string(), ascii_only);
  std::string out;
  if (value.is_list()) {
    out = "[";
    for (const auto& item : value.as_list()) {
      if (out.size() > 1) out += ", ";
      out += python_repr(item, ascii_only);
    }
    return out + "]";
  }
  out = "{";
  for (const auto& [key, item] : value.as_object()) {
    if (out.size() > 1) out += ", ";
    out += detail::string_repr(key, ascii_only) + ": " + python_repr(item, ascii_only);
  }
  return out + "}";
}

/// Python's `format(value, spec)`. Throws `format_error` when the spec is invalid or does not
/// apply to the value's type (`Unknown format code 'd' for object of type 'str'`).
inline std::string format_with_spec(const format_value& value, std::string_view spec) {
  if (spec.empty()) return python_str(value);
  const std::string_view type_name = value.type_name();
  if (value.is_null() || value.is_list() || value.is_object()) {
    throw format_error("unsupported format string passed to " + std::string(type_name) + ".__format__");
  }
  const format_spec parsed = format_spec::parse(spec, type_name);
  if (value.is_string()) return detail::format_string(value.as_string(), parsed);
  if (value.is_float()) return detail::format_float(value.as_float(), parsed, type_name);
  if (value.is_bool()) return detail::format_integer(false, value.as_bool() ? 1 : 0, parsed, "bool");
  const auto [negative, magnitude] = value.integer_sign_and_magnitude();
  return detail::format_integer(negative, magnitude, parsed, type_name);
}

/// Looks `name` up in `arguments` (an object): the first name, then each `.key` or `[key]`.
/// Throws `format_error` naming the field, where the lookup stopped and what exists there.
inline format_value resolve_field(const format_value& arguments, const field_name& name) {
  const auto keys_of = [](const format_value& value) {
    std::string keys;
    for (const auto& [key, unused] : value.as_object()) keys += (keys.empty() ? "" : ", ") + key;
    return keys.empty() ? std::string("nothing") : keys;
  };
  if (name.first.empty() || name.first.find_first_not_of("0123456789") == std::string::npos) {
    throw format_error("field {" + name.text() + "}: positional fields are not supported; name one of: " +
                       (arguments.is_object() ? keys_of(arguments) : std::string("nothing")));
  }
  const format_value* current = arguments.find(name.first);
  if (current == nullptr) {
    throw format_error("field {" + name.text() + "}: there is no \"" + name.first + "\" (there is: " +
                       (arguments.is_object() ? keys_of(arguments) : std::string("nothing")) + ")");
  }
  // A string indexes to a one-character string, which lives here while the lookup goes on.
  std::optional<format_value> character;
  for (std::size_t i = 0; i < name.steps.size(); ++i) {
    const auto& step = name.steps[i];
    const std::string where = name.text(i);
    const std::string field = "field {" + name.text() + "}: ";
    if (current->is_object()) {
      const format_value* next = current->find(step.key);
      if (next == nullptr) {
        throw format_error(field + where + " has no key \"" + step.key + "\" (it has: " + keys_of(*current) + ")");
      }
      current = next;
      continue;
    }
    const bool numeric = !step.key.empty() && step.key.find_first_not_of("0123456789") == std::string::npos;
    if (!step.indexed) {
      throw format_error(field + where + " is a " + std::string(current->type_name()) + ", which has no attribute \"" +
                         step.key + "\"");
    }
    if (!current->is_list() && !current->is_string()) {
      throw format_error(field + where + " is a " + std::string(current->type_name()) + ", which cannot be indexed");
    }
    if (!numeric) {
      throw format_error(field + where + " is a " + std::string(current->type_name()) + ": its indices are integers, not \"" +
                         step.key + "\"");
    }
    const std::size_t index = step.key.size() > 18 ? SIZE_MAX : std::stoull(step.key);
    if (current->is_list()) {
      const auto& items = current->as_list();
      if (index >= items.size()) {
        throw format_error(field + "index " + step.key + " is out of range: " + where + " has " +
                           std::to_string(items.size()) + " items");
      }
      current = &items[index];
    } else {
      const std::string& text = current->as_string();
      if (index >= detail::code_point_count(text)) {
        throw format_error(field + "index " + step.key + " is out of range: " + where + " has " +
                           std::to_string(detail::code_point_count(text)) + " characters");
      }
      const std::size_t begin = detail::code_point_offset(text, index);
      const std::size_t length = detail::utf8_length(static_cast<unsigned char>(text[begin]));
      format_value next(text.substr(begin, length));
      character = std::move(next);
      current = &*character;
    }
  }
  return *current;
}

/// Applies a conversion (`!s`, `!r`, `!a`) to `value`; 0 returns it unchanged.
inline format_value apply_conversion(const format_value& value, char conversion) {
  switch (conversion) {
    case 's': return format_value(python_str(value));
    case 'r': return format_value(python_repr(value));
    case 'a': return format_value(python_repr(value, true));
    default: return value;
  }
}

/// A parsed template: literal text and replacement fields, ready to be rendered many times.
class python_format_template {
 public:
  /// One piece of the template: literal text (braces unescaped) or a field.
  using part = std::variant<std::string, replacement_field>;

  /// Parses `text`. Throws `format_error` with the 1-based column for a template Python would
  /// refuse (`Single '}' encountered in format string`) and for positional fields.
  static python_format_template parse(std::string_view text) {
    python_format_template parsed;
    parsed.source_ = std::string(text);
    std::string literal;
    std::size_t at = 0;
    while (at < text.size()) {
      const char c = text[at];
      if (c == '}') {
        if (at + 1 < text.size() && text[at + 1] == '}') {
          literal += '}';
          at += 2;
          continue;
        }
        fail(at, "Single '}' encountered in format string");
      }
      if (c != '{') {
        literal += c;
        ++at;
        continue;
      }
      if (at + 1 < text.size() && text[at + 1] == '{') {
        literal += '{';
        at += 2;
        continue;
      }
      if (at + 1 >= text.size()) fail(at, "Single '{' encountered in format string");
      if (!literal.empty()) parsed.parts_.emplace_back(std::move(literal));
      literal.clear();
      const std::size_t start = at;
      replacement_field field;
      field.offset = start;
      ++at;
      parse_field_head(text, at, start, field.name, field.conversion);
      if (text[at] == ':') {
        ++at;
        parse_spec(text, at, start, field.spec);
      }
      ++at;  // the closing '}'
      field.source = std::string(text.substr(start, at - start));
      parsed.parts_.emplace_back(std::move(field));
    }
    if (!literal.empty()) parsed.parts_.emplace_back(std::move(literal));
    return parsed;
  }

  /// The pieces, in order.
  const std::vector<part>& parts() const { return parts_; }
  /// The template as written.
  const std::string& source() const { return source_; }

  /// Renders with the named `arguments` (an object). Throws `format_error`.
  std::string render(const format_value& arguments) const {
    return render(arguments, [](std::string formatted, const replacement_field&) { return formatted; });
  }

  /// Renders, passing each top-level field's formatted text through
  /// `escape(std::string formatted, const replacement_field&) -> std::string` (quoting for a
  /// shell, for example). Throws `format_error`; errors from `escape` pass through.
  template <class Escape>
  std::string render(const format_value& arguments, Escape&& escape) const {
    std::string out;
    for (const auto& piece : parts_) {
      if (const auto* literal = std::get_if<std::string>(&piece)) {
        out += *literal;
        continue;
      }
      const auto& field = std::get<replacement_field>(piece);
      out += escape(format_field(arguments, field), field);
    }
    return out;
  }

  /// Formats one field with `arguments`: lookup, conversion, nested spec fields, spec.
  static std::string format_field(const format_value& arguments, const replacement_field& field) {
    try {
      std::string spec;
      for (const auto& piece : field.spec) {
        if (const auto* literal = std::get_if<std::string>(&piece)) {
          spec += *literal;
        } else {
          const auto& nested = std::get<nested_field>(piece);
          spec += format_with_spec(apply_conversion(resolve_field(arguments, nested.name), nested.conversion), nested.spec);
        }
      }
      return format_with_spec(apply_conversion(resolve_field(arguments, field.name), field.conversion), spec);
    } catch (const format_error& failure) {
      const std::string message = failure.what();
      if (message.starts_with("field {")) throw;
      throw format_error("field " + field.source + ": " + message);
    }
  }

 private:
  [[noreturn]] static void fail(std::size_t at, const std::string& problem) {
    throw format_error("column " + std::to_string(at + 1) + ": " + problem);
  }

  /// Parses `name[.x][[y]]...[!c]` from `at`; leaves `at` on the ':' or '}' that follows.
  static void parse_field_head(std::string_view text, std::size_t& at, std::size_t start, field_name& name, char& conversion) {
    const auto stop = [&](std::size_t i) { return i >= text.size() || std::string_view(".[!:}{").find(text[i]) != std::string_view::npos; };
    while (!stop(at)) name.first += text[at++];
    while (at < text.size() && (text[at] == '.' || text[at] == '[')) {
      field_name::step step;
      if (text[at] == '.') {
        ++at;
        while (!stop(at)) step.key += text[at++];
        if (step.key.empty()) fail(start, "Empty attribute in format string");
      } else {
        step.indexed = true;
        ++at;
        while (at < text.size() && text[at] != ']') step.key += text[at++];
        if (at >= text.size()) fail(start, "Missing ']' in format string");
        if (step.key.empty()) fail(start, "Empty attribute in format string");
        ++at;
        if (at < text.size() && std::string_view(".[!:}").find(text[at]) == std::string_view::npos) {
          fail(start, "Only '.' or '[' may follow ']' in format field specifier");
        }
      }
      name.steps.push_back(std::move(step));
    }
    if (at >= text.size()) fail(start, "expected '}' before end of string");
    if (text[at] == '{') fail(start, "unexpected '{' in field name");
    if (name.first.empty() || name.first.find_first_not_of("0123456789") == std::string::npos) {
      fail(start, "positional field {" + name.text() + "} is not supported: name a field");
    }
    if (text[at] == '!') {
      ++at;
      if (at >= text.size()) fail(start, "end of string while looking for conversion specifier");
      conversion = text[at++];
      if (conversion != 's' && conversion != 'r' && conversion != 'a') {
        fail(start, std::string("Unknown conversion specifier ") + conversion);
      }
      if (at >= text.size() || (text[at] != ':' && text[at] != '}')) fail(start, "expected ':' after conversion specifier");
    }
  }

  /// Parses a spec from `at` up to its closing '}' (left at `at`), with nested fields.
  static void parse_spec(std::string_view text, std::size_t& at, std::size_t start,
                         std::vector<std::variant<std::string, nested_field>>& spec) {
    std::string literal;
    for (;;) {
      if (at >= text.size()) fail(start, "expected '}' before end of string");
      const char c = text[at];
      if (c == '}') break;
      if (c != '{') {
        literal += c;
        ++at;
        continue;
      }
      if (!literal.empty()) spec.emplace_back(std::move(literal));
      literal.clear();
      const std::size_t nested_start = at++;
      nested_field nested;
      parse_field_head(text, at, nested_start, nested.name, nested.conversion);
      if (text[at] == ':') {
        ++at;
        while (at < text.size() && text[at] != '}') {
          if (text[at] == '{') fail(nested_start, "Max string recursion exceeded");
          nested.spec += text[at++];
        }
        if (at >= text.size()) fail(start, "expected '}' before end of string");
      }
      ++at;  // the nested field's '}'
      spec.emplace_back(std::move(nested));
    }
    if (!literal.empty()) spec.emplace_back(std::move(literal));
  }

  std::string source_;
  std::vector<part> parts_;
};

/// Parses and renders `text` with the named `arguments` in one call (Python's
/// `text.format(**arguments)`). Throws `format_error`.
inline std::string python_format(std::string_view text, const format_value& arguments) {
  return python_format_template::parse(text).render(arguments);
}

}  // namespace servokit::text
