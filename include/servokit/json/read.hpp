#pragma once
/// @file
/// Reading JSON text into any supported type with simdjson, with errors that name the JSON path:
/// `$.control.duration: expected a number, got "abc"`.

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/json/decode.hpp>
#include <servokit/json/path.hpp>

namespace servokit::json {

/// A node adapter over a simdjson DOM element, for `decode`.
class simdjson_node {
 public:
  static constexpr std::string_view object_noun = "an object";
  static constexpr std::string_view list_noun = "an array";

  /// Wraps `element`, which must outlive this node (it lives in its parser).
  explicit simdjson_node(simdjson::dom::element element) : element_(element) {}

  /// The kind of value held.
  node_kind kind() const {
    switch (element_.type()) {
      case simdjson::dom::element_type::ARRAY: return node_kind::array;
      case simdjson::dom::element_type::OBJECT: return node_kind::object;
      case simdjson::dom::element_type::INT64: return node_kind::integer;
      case simdjson::dom::element_type::UINT64: return node_kind::number;  // beyond int64: keep as double
      case simdjson::dom::element_type::DOUBLE: return node_kind::number;
      case simdjson::dom::element_type::STRING: return node_kind::string;
      case simdjson::dom::element_type::BOOL: return node_kind::boolean;
      case simdjson::dom::element_type::NULL_VALUE: return node_kind::null;
    }
    return node_kind::null;
  }
  /// The boolean held (kind `boolean`).
  bool boolean() const { return element_.get_bool().value_unsafe(); }
  /// The integer held (kind `integer`).
  std::int64_t integer() const { return element_.get_int64().value_unsafe(); }
  /// The number held, converted to double (kind `integer` or `number`).
  double number() const {
    switch (element_.type()) {
      case simdjson::dom::element_type::INT64: return static_cast<double>(element_.get_int64().value_unsafe());
      case simdjson::dom::element_type::UINT64: return static_cast<double>(element_.get_uint64().value_unsafe());
      default: return element_.get_double().value_unsafe();
    }
  }
  /// Whether `text()` applies: in JSON, only strings are text.
  bool has_text() const { return element_.type() == simdjson::dom::element_type::STRING; }
  /// The string held.
  std::string text() const { return std::string(element_.get_string().value_unsafe()); }

  /// Calls `visit(key, child)` for each member of an object, in document order.
  template <class Visitor>
  void for_each_member(Visitor&& visit) const {
    // Held by value: iterating the temporary result directly would dangle.
    const simdjson::dom::object object = element_.get_object().value_unsafe();
    for (auto field : object) visit(field.key, simdjson_node(field.value));
  }
  /// Calls `visit(child)` for each element of an array, in order.
  template <class Visitor>
  void for_each_element(Visitor&& visit) const {
    const simdjson::dom::array array = element_.get_array().value_unsafe();
    for (auto child : array) visit(simdjson_node(child));
  }

  /// The value as a person reads it after "got": `"abc"`, `42`, `null`, `an object`.
  std::string describe() const {
    switch (kind()) {
      case node_kind::object: return "an object";
      case node_kind::array: return "an array";
      case node_kind::string: {
        const std::string full = to_raw_json();
        // A whole document pasted into a message helps nobody; the start identifies it.
        return full.size() <= 60 ? full : full.substr(0, 56) + "...\"";
      }
      default: return to_raw_json();
    }
  }
  /// The value as compact JSON text.
  std::string to_raw_json() const { return simdjson::minify(element_); }

  /// Throws `read_error` at `at` with `problem`.
  [[noreturn]] void fail(const path& at, const std::string& problem) const {
    throw read_error("", at.json_text(), problem);
  }

 private:
  simdjson::dom::element element_;
};

/// Parses `text` as one JSON document and reads it into `out`. Throws `read_error` naming the
/// JSON path, or saying that the text is not JSON.
template <class T>
void read(std::string_view text, T& out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw read_error("", "", "no input: expected a JSON document");
  }
  if (auto error = parser.parse(text.data(), text.size(), true).get(root)) {
    throw read_error("", "", std::string("input is not valid JSON: ") + simdjson::error_message(error));
  }
  path at;
  decode(simdjson_node(root), out, at);
}

/// Parses `text` as one JSON document of type `T`. Throws `read_error` as `read(text, out)` does.
template <class T>
T read(std::string_view text) {
  T out{};
  read(text, out);
  return out;
}

}  // namespace servokit::json
