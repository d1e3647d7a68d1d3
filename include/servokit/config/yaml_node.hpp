#pragma once
/// @file
/// A node adapter over yaml-cpp for `json::decode`, so that a config file is read by the same rules
/// as a JSON request, with errors that name the file, line, column and key path.

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include <servokit/json/node.hpp>
#include <servokit/json/path.hpp>
#include <servokit/json/write.hpp>

namespace servokit::config {

namespace detail {

/// Parses `text` as a whole as a decimal (or `0x` hexadecimal) integer.
inline std::optional<std::int64_t> parse_integer(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string digits(text);
  int base = 10;
  std::size_t start = (digits[0] == '-' || digits[0] == '+') ? 1 : 0;
  if (digits.size() > start + 2 && digits[start] == '0' && (digits[start + 1] == 'x' || digits[start + 1] == 'X')) {
    base = 16;
  }
  for (std::size_t i = start + (base == 16 ? 2 : 0); i < digits.size(); ++i) {
    const char c = digits[i];
    const bool digit = (c >= '0' && c <= '9') || (base == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!digit) return std::nullopt;
  }
  if (digits.size() == start) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(digits.c_str(), &end, base);
  if (errno == ERANGE || end != digits.c_str() + digits.size()) return std::nullopt;
  return value;
}

/// Parses `text` as a whole as a floating-point number (`1.5`, `-2e3`, `.5`, `.inf`, `.nan`).
inline std::optional<double> parse_float(std::string_view text) {
  if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf") return HUGE_VAL;
  if (text == "-.inf" || text == "-.Inf" || text == "-.INF") return -HUGE_VAL;
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return std::nan("");
  bool digit_seen = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') digit_seen = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') return std::nullopt;
  }
  if (!digit_seen) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

/// The boolean a plain scalar spells, as PyYAML read the originals' configs (`yes`, `off`...).
inline std::optional<bool> parse_boolean(std::string_view text) {
  for (auto word : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}) {
    if (text == word) return true;
  }
  for (auto word : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}) {
    if (text == word) return false;
  }
  return std::nullopt;
}

}  // namespace detail

/// A node of a parsed YAML document, for `json::decode`.
///
/// Aliases make a YAML document a graph: an anchor may contain its own alias (`x: &a [*a]`), and
/// aliases of aliases multiply (a few hundred bytes can stand for billions of values). So the
/// nodes reached from one node made with the public constructor (and its copies) stop with an
/// error past `max_depth` levels or `max_nodes` nodes in all, where reading would otherwise
/// overflow the stack or run out of memory.
///
/// Quoted scalars are strings. A plain scalar is a boolean, an integer or a number when it spells
/// one, else a string; wherever a string is expected any scalar is taken as its text, so
/// `version: 1.10` reads as `"1.10"` into a string member.
class yaml_node {
 public:
  static constexpr std::string_view object_noun = "a mapping";
  static constexpr std::string_view list_noun = "a list";

  /// Deeper than this is an alias inside its own anchor, not a config.
  static constexpr std::size_t max_depth = 256;
  /// More nodes than this reached from one root is aliases multiplying, not a config.
  static constexpr std::size_t max_nodes = 100'000;

  /// Wraps `node` of the file named `file` (used in messages).
  yaml_node(YAML::Node node, std::shared_ptr<const std::string> file) : node_(std::move(node)), file_(std::move(file)) {}

  /// The kind of value held.
  json::node_kind kind() const {
    switch (node_.Type()) {
      case YAML::NodeType::Map: return json::node_kind::object;
      case YAML::NodeType::Sequence: return json::node_kind::array;
      case YAML::NodeType::Scalar: break;
      default: return json::node_kind::null;
    }
    if (quoted()) return json::node_kind::string;
    const std::string& text = node_.Scalar();
    if (detail::parse_boolean(text)) return json::node_kind::boolean;
    if (detail::parse_integer(text)) return json::node_kind::integer;
    if (detail::parse_float(text)) return json::node_kind::number;
    return json::node_kind::string;
  }
  /// The boolean held (kind `boolean`).
  bool boolean() const { return *detail::parse_boolean(node_.Scalar()); }
  /// The integer held (kind `integer`).
  std::int64_t integer() const { return *detail::parse_integer(node_.Scalar()); }
  /// The number held (kind `integer` or `number`).
  double number() const {
    if (auto integer_value = detail::parse_integer(node_.Scalar())) return static_cast<double>(*integer_value);
    return *detail::parse_float(node_.Scalar());
  }
  /// Whether `text()` applies: any scalar has text.
  bool has_text() const { return node_.Type() == YAML::NodeType::Scalar; }
  /// The scalar's text.
  std::string text() const { return node_.Scalar(); }

  /// Calls `visit(key, child)` for each entry of a mapping, in file order.
  template <class Visitor>
  void for_each_member(Visitor&& visit) const {
    for (const auto& entry : node_) {
      const YAML::Node& key = entry.first;
      // A key that is itself a list or mapping cannot name a member; say where it is.
      if (key.Type() != YAML::NodeType::Scalar) {
        throw json::read_error(location_of(key), "", "a key must be a plain name, not " + describe_node(key));
      }
      visit(std::string_view(key.Scalar()), yaml_node(entry.second, *this));
    }
  }
  /// Calls `visit(child)` for each item of a list, in order.
  template <class Visitor>
  void for_each_element(Visitor&& visit) const {
    for (const auto& item : node_) visit(yaml_node(item, *this));
  }

  /// The value as a person reads it after "got".
  std::string describe() const { return describe_node(node_); }

  /// The value as compact JSON text, with the same scalar typing as `kind()`.
  std::string to_raw_json() const {
    std::string out;
    json::writer writer(out);
    write_json(writer);
    return out;
  }

  /// Throws `json::read_error` at this node's file position and `at` with `problem`.
  [[noreturn]] void fail(const json::path& at, const std::string& problem) const {
    throw json::read_error(location_of(node_), at.dotted_text(), problem);
  }

  /// `file:line:column` of this node (1-based), or the file name alone when yaml-cpp has no mark.
  std::string location() const { return location_of(node_); }

 private:
  /// A child of `parent`, counted against the limits of `parent`'s root.
  yaml_node(YAML::Node node, const yaml_node& parent)
      : node_(std::move(node)), file_(parent.file_), depth_(parent.depth_ + 1), walked_(parent.walked_) {
    if (depth_ > max_depth) {
      throw json::read_error(location_of(node_), "", "values nested more than " + std::to_string(max_depth) +
                                                         " deep (is an alias inside its own anchor?)");
    }
    if (++*walked_ > max_nodes) {
      throw json::read_error(location_of(node_), "", "the document expands to more than " + std::to_string(max_nodes) +
                                                         " values (aliases of aliases?)");
    }
  }

  bool quoted() const { return node_.Tag() == "!"; }

  std::string location_of(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return *file_;
    return *file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }

  static std::string describe_node(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Map: return "a mapping";
      case YAML::NodeType::Sequence: return "a list";
      case YAML::NodeType::Scalar: {
        std::string text = node.Scalar();
        if (text.size() > 56) text = text.substr(0, 56) + "...";
        return "\"" + text + "\"";
      }
      default: return "nothing (null)";
    }
  }

  void write_json(json::writer& out) const {
    switch (kind()) {
      case json::node_kind::object:
        out.begin_object();
        for_each_member([&](std::string_view key, const yaml_node& child) {
          out.key(key);
          child.write_json(out);
        });
        out.end_object();
        return;
      case json::node_kind::array:
        out.begin_array();
        for_each_element([&](const yaml_node& child) { child.write_json(out); });
        out.end_array();
        return;
      case json::node_kind::boolean: out.boolean(boolean()); return;
      case json::node_kind::integer: out.integer(integer()); return;
      case json::node_kind::number: out.number(number()); return;
      case json::node_kind::string: out.string(text()); return;
      case json::node_kind::null: out.null(); return;
    }
  }

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::size_t depth_ = 0;                                                    ///< levels below the root
  std::shared_ptr<std::size_t> walked_ = std::make_shared<std::size_t>(0);  ///< nodes made from the root
};

}  // namespace servokit::config
