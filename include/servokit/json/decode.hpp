#pragma once
/// @file
/// Reading a document tree into any supported C++ type. The same code reads JSON (simdjson) and
/// YAML (yaml-cpp): each supplies a small *node* adapter, so that a config file and a request
/// obey one set of rules and give errors of one shape.
///
/// A node adapter provides: `kind()`, `boolean()`, `integer()`, `number()`, `text()`,
/// `has_text()`, `for_each_member(f(key, node))`, `for_each_element(f(node))`, `describe()`,
/// `to_raw_json()`, `[[noreturn]] fail(path, problem)`, and the nouns `object_noun`/`list_noun`.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <servokit/json/node.hpp>
#include <servokit/json/path.hpp>
#include <servokit/json/protocol_meta.hpp>
#include <servokit/json/reflect.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/requests.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit::json {

namespace detail {

template <class T>
inline constexpr bool dependent_false = false;

template <class Integer, class Node>
void decode_integer(const Node& node, Integer& out, path& at) {
  using limits = std::numeric_limits<Integer>;
  if (node.kind() == node_kind::integer) {
    const std::int64_t value = node.integer();
    if constexpr (std::is_unsigned_v<Integer>) {
      if (value < 0) node.fail(at, "expected a non-negative integer, got " + node.describe());
    }
    if (std::cmp_less(value, limits::min()) || std::cmp_greater(value, limits::max())) {
      node.fail(at, "integer " + node.describe() + " is out of range");
    }
    out = static_cast<Integer>(value);
    return;
  }
  // 3.0 is an integer too: JSON writers in other languages print whole floats that way.
  if (node.kind() == node_kind::number) {
    const double value = node.number();
    // The upper bound is exclusive, max + 1: for 64-bit types max rounds up to 2^63 (2^64) as a
    // double, and converting that back is undefined behaviour, not an error.
    if (std::trunc(value) == value && value >= static_cast<double>(limits::min()) &&
        value < static_cast<double>(limits::max()) + 1.0) {
      out = static_cast<Integer>(value);
      return;
    }
  }
  expected(node, at, "an integer");
}

template <reflected_struct T, class Node>
void decode_struct(const Node& node, T& out, path& at) {
  if (node.kind() != node_kind::object) expected(node, at, Node::object_noun);
  const auto& keys = member_keys<T>();
  std::array<bool, member_count<T>> seen{};
  node.for_each_member([&](std::string_view key, const Node& child) {
    std::size_t index = 0;
    while (index < keys.size() && keys[index] != key) ++index;
    if (index == keys.size()) {
      if constexpr (ignores_unknown_keys<T>()) {
        return;
      } else {
        std::string known;
        for (auto name : keys) known += (known.empty() ? "" : ", ") + std::string(name);
        at.push(key);
        child.fail(at, "unknown key \"" + std::string(key) + "\" (expected one of: " + known + ")");
      }
    }
    seen[index] = true;
    at.push(key);
    visit_member_at(out, index, [&](auto& member) { decode(child, member, at); });
    at.pop();
  });
  // A type may keep the object as it came, every key included (`meta<T>::keep_source`).
  if constexpr (requires(std::string text) { meta<T>::keep_source(out, std::move(text)); }) {
    meta<T>::keep_source(out, node.to_raw_json());
  }
  std::size_t index = 0;
  for_each_member(out, [&](std::string_view key, auto& member) {
    using member_type = std::remove_cvref_t<decltype(member)>;
    if (!seen[index++] && !is_optional<member_type> && !missing_keys_keep_defaults<T>()) {
      node.fail(at, "missing required key \"" + std::string(key) + "\"");
    }
  });
}

}  // namespace detail

template <class T, class Node>
void decode(const Node& node, T& out, path& at) {
  if constexpr (custom_reader<T, Node>) {
    meta<T>::read(node, out, at);
  } else if constexpr (is_optional<T>) {
    if (node.kind() == node_kind::null) {
      out.reset();
    } else {
      decode(node, out.emplace(), at);
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (node.kind() != node_kind::boolean) detail::expected(node, at, "true or false");
    out = node.boolean();
  } else if constexpr (std::is_integral_v<T>) {
    detail::decode_integer(node, out, at);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (node.kind() != node_kind::integer && node.kind() != node_kind::number) detail::expected(node, at, "a number");
    out = static_cast<T>(node.number());
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!node.has_text()) detail::expected(node, at, "a string");
    out = node.text();
  } else if constexpr (std::is_same_v<T, scalar>) {
    switch (node.kind()) {
      case node_kind::integer: out = node.integer(); break;
      case node_kind::number: out = node.number(); break;
      case node_kind::string: out = node.text(); break;
      default: detail::expected(node, at, "a number or a string");
    }
  } else if constexpr (std::is_same_v<T, raw_json>) {
    out = raw_json(node.to_raw_json());
  } else if constexpr (is_string_map<T>) {
    if (node.kind() != node_kind::object) detail::expected(node, at, Node::object_noun);
    out = T{};
    node.for_each_member([&](std::string_view key, const Node& child) {
      at.push(key);
      typename T::mapped_type value{};
      decode(child, value, at);
      out.insert_or_assign(std::string(key), std::move(value));
      at.pop();
    });
  } else if constexpr (list_like<T>) {
    if (node.kind() != node_kind::array) detail::expected(node, at, Node::list_noun);
    out.clear();
    std::size_t index = 0;
    node.for_each_element([&](const Node& child) {
      at.push(index++);
      decode(child, out.emplace_back(), at);
      at.pop();
    });
  } else if constexpr (reflected_struct<T>) {
    detail::decode_struct(node, out, at);
  } else {
    static_assert(detail::dependent_false<T>,
                  "servokit cannot read this type: declare it with BOOST_HANA_DEFINE_STRUCT, or specialize "
                  "servokit::meta<T> with a static read(node, value, path) function");
  }
}

}  // namespace servokit::json
