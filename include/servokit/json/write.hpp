#pragma once
/// @file
/// Writing any supported value as compact JSON on one line, with correct string escaping.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include <servokit/json/protocol_meta.hpp>
#include <servokit/json/reflect.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit::json {

namespace detail {

/// The length of the well-formed UTF-8 sequence at `text[at]`, or 0 when it is not one: a stray
/// continuation byte, a truncated sequence, an overlong form, a surrogate or a code point past
/// U+10FFFF.
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code = lead & 0x07u;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (byte(at + i) & 0x3Fu);
  }
  if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000)) return 0;  // overlong
  if (code >= 0xD800 && code <= 0xDFFF) return 0;                                  // surrogate
  if (code > 0x10FFFF) return 0;
  return length;
}

}  // namespace detail

/// Appends `text` to `out` as a JSON string literal.
///
/// Quotes, backslashes and control characters are escaped; valid UTF-8 passes through as is.
/// Each byte that is not part of a valid UTF-8 sequence becomes U+FFFD (the replacement
/// character), as Python's `errors="replace"` does, so the output is always valid JSON in valid
/// UTF-8 whatever a child program printed.
inline void append_string_literal(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t at = 0;
  while (at < text.size()) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x80) {
      const std::size_t length = detail::utf8_sequence_length(text, at);
      if (length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++at;
      } else {
        out.append(text.substr(at, length));
        at += length;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++at;
  }
  out += '"';
}

/// Builds compact JSON text into a string, value by value; commas are placed for you.
///
/// Example: `writer w(out); w.begin_object(); w.key("status"); w.value("ok"); w.end_object();`
class writer {
 public:
  /// Appends to `out`.
  explicit writer(std::string& out) : out_(out) {}

  /// Opens an object.
  void begin_object() { separate(), out_ += '{', need_comma_ = false; }
  /// Closes the innermost object.
  void end_object() { out_ += '}', need_comma_ = true; }
  /// Opens an array.
  void begin_array() { separate(), out_ += '[', need_comma_ = false; }
  /// Closes the innermost array.
  void end_array() { out_ += ']', need_comma_ = true; }
  /// Writes a member key; the next value written is its value.
  void key(std::string_view name) {
    separate();
    append_string_literal(out_, name);
    out_ += ':';
    need_comma_ = false;
  }

  /// Writes `null`.
  void null() { separate(), out_ += "null", need_comma_ = true; }
  /// Writes `true` or `false`.
  void boolean(bool value) { separate(), out_ += value ? "true" : "false", need_comma_ = true; }
  /// Writes an integer exactly.
  void integer(std::int64_t value) { separate(), out_ += std::to_string(value), need_comma_ = true; }
  /// Writes the shortest text that reads back as `value`; `null` for NaN and infinities.
  void number(double value) { separate(), out_ += format_number(value), need_comma_ = true; }
  /// Writes a string literal.
  void string(std::string_view text) { separate(), append_string_literal(out_, text), need_comma_ = true; }
  /// Writes already-valid compact JSON text as it is (`null` when empty).
  void raw(std::string_view json_text) {
    separate();
    out_ += json_text.empty() ? std::string_view("null") : json_text;
    need_comma_ = true;
  }

  /// Writes any supported value: the types `decode` reads, and string literals.
  template <class T>
  void value(const T& item);

 private:
  void separate() {
    if (need_comma_) out_ += ',';
  }

  std::string& out_;
  bool need_comma_ = false;
};

namespace detail {
template <class T>
inline constexpr bool unsupported_for_writing = false;
}  // namespace detail

template <class T>
void writer::value(const T& item) {
  if constexpr (custom_writer<T>) {
    meta<T>::write(*this, item);
  } else if constexpr (is_optional<T>) {
    if (item) value(*item);
    else null();
  } else if constexpr (std::is_same_v<T, bool>) {
    boolean(item);
  } else if constexpr (std::is_integral_v<T>) {
    integer(static_cast<std::int64_t>(item));
  } else if constexpr (std::is_floating_point_v<T>) {
    number(static_cast<double>(item));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    string(item);
  } else if constexpr (std::is_same_v<T, raw_json>) {
    raw(item.text());
  } else if constexpr (is_variant<T>) {
    // `this->` spelled out: clang 14 does not see the implicit use of the capture in a generic
    // lambda and fails -Wunused-lambda-capture (an error under -Werror).
    std::visit([this](const auto& held) { this->value(held); }, item);
  } else if constexpr (is_string_map<T>) {
    begin_object();
    for (const auto& [name, member] : item) {
      key(name);
      value(member);
    }
    end_object();
  } else if constexpr (list_like<T>) {
    begin_array();
    for (const auto& element : item) value(element);
    end_array();
  } else if constexpr (reflected_struct<T>) {
    begin_object();
    // An absent optional member is left out, not written as null: the protocol's optional keys
    // are absent keys, and a reader may treat "unit": null differently from no unit.
    for_each_member(item, [this](std::string_view name, const auto& member) {
      if constexpr (is_optional<std::remove_cvref_t<decltype(member)>>) {
        if (!member) return;
      }
      key(name);
      value(member);
    });
    end_object();
  } else {
    static_assert(detail::unsupported_for_writing<T>,
                  "servokit cannot write this type: declare it with BOOST_HANA_DEFINE_STRUCT, or specialize "
                  "servokit::meta<T> with a static write(writer&, const T&) function");
  }
}

/// `item` as compact JSON text, without a trailing newline.
template <class T>
std::string to_json(const T& item) {
  std::string out;
  writer(out).value(item);
  return out;
}

}  // namespace servokit::json
