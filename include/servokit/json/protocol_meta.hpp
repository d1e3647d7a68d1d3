#pragma once
/// @file
/// How the protocol's few non-struct types read and write: `seconds_value` (a number or a numeric
/// string) and `metric_list` (a list, or an object whose keys are the names).

#include <cmath>
#include <exception>
#include <string>

#include <servokit/fwd.hpp>
#include <servokit/json/node.hpp>
#include <servokit/json/path.hpp>
#include <servokit/protocol/requests.hpp>

namespace servokit {

/// `seconds_value`: a number, or a string holding one (`"120"`), as newer backends send.
template <>
struct meta<seconds_value> {
  /// Reads a number or a numeric string.
  template <class Node>
  static void read(const Node& node, seconds_value& out, json::path& at) {
    if (node.kind() == json::node_kind::integer || node.kind() == json::node_kind::number) {
      out.count = node.number();
    } else if (node.kind() == json::node_kind::string) {
      const std::string text = node.text();
      std::size_t used = 0;
      try {
        out.count = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size()) node.fail(at, "expected a number of seconds, got " + node.describe());
    } else {
      node.fail(at, "expected a number of seconds, got " + node.describe());
    }
    if (!(out.count >= 0) || !std::isfinite(out.count)) {
      node.fail(at, "expected a non-negative number of seconds, got " + node.describe());
    }
  }
  /// Writes the number of seconds.
  template <class Writer>
  static void write(Writer& out, const seconds_value& value) {
    out.number(value.count);
  }
};

/// `metric_list`: a list of names, or an object whose keys are the names (`{"rps": {"unit": ...}}`).
template <>
struct meta<metric_list> {
  /// Reads either shape.
  template <class Node>
  static void read(const Node& node, metric_list& out, json::path& at) {
    out.clear();
    if (node.kind() == json::node_kind::object) {
      node.for_each_member([&](std::string_view key, const Node&) { out.emplace_back(key); });
      return;
    }
    if (node.kind() != json::node_kind::array) json::detail::expected(node, at, "a list of metric names");
    std::size_t index = 0;
    node.for_each_element([&](const Node& child) {
      at.push(index++);
      json::decode(child, out.emplace_back(), at);
      at.pop();
    });
  }
};

}  // namespace servokit
