#pragma once
/// @file
/// `text::format_value`: a JSON-like value (null, bool, integer, float, string, list, object) as
/// Python's `str.format` sees the data it formats. It keeps what Python keeps: an integer `2` and
/// a float `2.0` are different values (`{x}` prints `2` and `2.0`), `true` is `True`, and objects
/// keep their key order. It reads from any servokit document node (JSON or YAML) through
/// `servokit::meta`, so `json::read<text::format_value>(text)` works.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <servokit/fwd.hpp>
#include <servokit/json/node.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit::text {

/// A value a format template can name: `{x}`, `{x.key}`, `{x[key]}`, `{x[0]}`.
///
/// Integers are kept as `std::int64_t`, or `std::uint64_t` for the positive ones beyond it, so
/// that every integer a JSON or YAML reader delivers prints exactly.
class format_value {
 public:
  /// The members of an object, in the order they were added.
  using member = std::pair<std::string, format_value>;
  /// An object: key order is kept, keys are unique (`set` replaces).
  using object = std::vector<member>;
  /// A list.
  using list = std::vector<format_value>;

  /// `None`.
  format_value() = default;
  /// `True` or `False`.
  format_value(bool boolean) : data_(boolean) {}
  /// An integer.
  format_value(std::int64_t integer) : data_(integer) {}
  /// An integer (any standard signed or unsigned integer type).
  template <class Integer>
    requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool> && !std::is_same_v<Integer, std::int64_t> &&
             !std::is_same_v<Integer, char>)
  format_value(Integer integer) {
    if constexpr (std::is_signed_v<Integer>) {
      data_ = static_cast<std::int64_t>(integer);
    } else if (static_cast<std::uint64_t>(integer) <= static_cast<std::uint64_t>(INT64_MAX)) {
      data_ = static_cast<std::int64_t>(integer);
    } else {
      data_ = static_cast<std::uint64_t>(integer);
    }
  }
  /// A float.
  format_value(double number) : data_(number) {}
  /// A string.
  format_value(std::string text) : data_(std::move(text)) {}
  /// A string.
  format_value(std::string_view text) : data_(std::string(text)) {}
  /// A string.
  format_value(const char* text) : data_(std::string(text)) {}
  /// A list.
  format_value(list items) : data_(std::move(items)) {}
  /// A protocol scalar: its integer, float or string.
  static format_value from_scalar(const scalar& value) {
    return std::visit([](const auto& held) { return format_value(held); }, value);
  }
  /// An empty object.
  static format_value empty_object() {
    format_value result;
    result.data_ = object{};
    return result;
  }
  /// An object with `members` (a later duplicate key replaces the earlier value).
  static format_value make_object(std::initializer_list<member> members) {
    format_value result = empty_object();
    for (const auto& [key, value] : members) result.set(key, value);
    return result;
  }

  /// Whether this is `None`.
  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }
  /// Whether this is `True`/`False`.
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  /// Whether this is an integer (signed or beyond `INT64_MAX`).
  bool is_integer() const { return std::holds_alternative<std::int64_t>(data_) || std::holds_alternative<std::uint64_t>(data_); }
  /// Whether this is a float.
  bool is_float() const { return std::holds_alternative<double>(data_); }
  /// Whether this is a string.
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  /// Whether this is a list.
  bool is_list() const { return std::holds_alternative<list>(data_); }
  /// Whether this is an object.
  bool is_object() const { return std::holds_alternative<object>(data_); }

  /// The boolean held (`is_bool()`).
  bool as_bool() const { return std::get<bool>(data_); }
  /// The float held (`is_float()`).
  double as_float() const { return std::get<double>(data_); }
  /// The string held (`is_string()`).
  const std::string& as_string() const { return std::get<std::string>(data_); }
  /// The list held (`is_list()`).
  const list& as_list() const { return std::get<list>(data_); }
  /// The list held (`is_list()`).
  list& as_list() { return std::get<list>(data_); }
  /// The members held (`is_object()`).
  const object& as_object() const { return std::get<object>(data_); }

  /// The integer as sign and magnitude, so that both integer ranges format alike (`is_integer()`).
  std::pair<bool, std::uint64_t> integer_sign_and_magnitude() const {
    if (const auto* unsigned_value = std::get_if<std::uint64_t>(&data_)) return {false, *unsigned_value};
    const std::int64_t value = std::get<std::int64_t>(data_);
    // Negating in unsigned arithmetic is defined for INT64_MIN too.
    return value < 0 ? std::pair{true, std::uint64_t{0} - static_cast<std::uint64_t>(value)}
                     : std::pair{false, static_cast<std::uint64_t>(value)};
  }
  /// The numeric value of an integer, float or boolean as a double (Python's `float(x)`).
  double to_double() const {
    if (const auto* number = std::get_if<double>(&data_)) return *number;
    if (const auto* boolean = std::get_if<bool>(&data_)) return *boolean ? 1.0 : 0.0;
    const auto [negative, magnitude] = integer_sign_and_magnitude();
    const double value = static_cast<double>(magnitude);
    return negative ? -value : value;
  }

  /// The member `key` of an object, or null when there is none (or this is not an object).
  const format_value* find(std::string_view key) const {
    const auto* members = std::get_if<object>(&data_);
    if (members == nullptr) return nullptr;
    for (const auto& [name, value] : *members) {
      if (name == key) return &value;
    }
    return nullptr;
  }
  /// Sets member `key` of an object (this becomes an object if it was `None`); returns the value.
  format_value& set(std::string_view key, format_value value) {
    if (is_null()) data_ = object{};
    auto& members = std::get<object>(data_);
    for (auto& [name, existing] : members) {
      if (name == key) return existing = std::move(value);
    }
    return members.emplace_back(std::string(key), std::move(value)).second;
  }

  /// Python's type name, for messages: `int`, `float`, `str`, `bool`, `NoneType`, `list`, `dict`.
  std::string_view type_name() const {
    switch (data_.index()) {
      case 0: return "NoneType";
      case 1: return "bool";
      case 2:
      case 3: return "int";
      case 4: return "float";
      case 5: return "str";
      case 6: return "list";
      default: return "dict";
    }
  }

  friend bool operator==(const format_value&, const format_value&) = default;

 private:
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, list, object> data_;
};

}  // namespace servokit::text

namespace servokit {

/// Reads any JSON or YAML node into a `text::format_value`, keeping integers and floats apart.
template <>
struct meta<text::format_value> {
  /// Reads `node` (any servokit document node) into `out`.
  template <class Node>
  static void read(const Node& node, text::format_value& out, json::path& at) {
    switch (node.kind()) {
      case json::node_kind::null: out = text::format_value(); return;
      case json::node_kind::boolean: out = text::format_value(node.boolean()); return;
      case json::node_kind::integer: out = text::format_value(node.integer()); return;
      case json::node_kind::number: out = text::format_value(node.number()); return;
      case json::node_kind::string: out = text::format_value(node.text()); return;
      case json::node_kind::array: {
        text::format_value::list items;
        std::size_t index = 0;
        node.for_each_element([&](const Node& child) {
          at.push(index++);
          read(child, items.emplace_back(), at);
          at.pop();
        });
        out = text::format_value(std::move(items));
        return;
      }
      case json::node_kind::object: {
        out = text::format_value::empty_object();
        node.for_each_member([&](std::string_view key, const Node& child) {
          at.push(key);
          read(child, out.set(key, text::format_value()), at);
          at.pop();
        });
        return;
      }
    }
  }
};

}  // namespace servokit
