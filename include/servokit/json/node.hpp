#pragma once
/// @file
/// The vocabulary shared by the document readers: the kinds of node, and the generic `decode`.

#include <optional>
#include <string>
#include <string_view>

#include <servokit/json/path.hpp>

namespace servokit::json {

/// The kinds of value a document node can hold.
enum class node_kind { null, boolean, integer, number, string, array, object };

/// Reads `node` into `out`, naming `at` in any error. Supported: bool, integers, floating point,
/// `std::string`, `std::optional`, `std::vector`, string-keyed maps, `servokit::scalar`,
/// `servokit::raw_json`, reflected structs, and any type with `meta<T>::read`.
/// Defined in `json/decode.hpp`.
template <class T, class Node>
void decode(const Node& node, T& out, path& at);

/// The member `key` of `node` when it is an object that has one: a reader's custom checks use it
/// to point an error at the line of the key at fault.
template <class Node>
std::optional<Node> find_member(const Node& node, std::string_view key) {
  std::optional<Node> found;
  if (node.kind() != node_kind::object) return found;
  node.for_each_member([&](std::string_view name, const Node& child) {
    if (name == key) found.emplace(child);
  });
  return found;
}

namespace detail {

/// Fails at `at` with "expected WHAT, got <the node>".
template <class Node>
[[noreturn]] void expected(const Node& node, const path& at, std::string_view what) {
  node.fail(at, "expected " + std::string(what) + ", got " + node.describe());
}

}  // namespace detail
}  // namespace servokit::json
