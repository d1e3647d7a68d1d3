#pragma once
/// @file
/// What servokit needs to know about a user's type, found through Boost.Hana and `servokit::meta`:
/// whether it is a reflected struct, its members' keys, and the per-type options.

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>

#include <servokit/fwd.hpp>

namespace servokit::json {

/// Whether `T` was declared with `BOOST_HANA_DEFINE_STRUCT` (or adapted for Hana).
template <class T>
concept reflected_struct = boost::hana::Struct<T>::value;

/// Whether `T` is a `std::optional`.
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

/// Whether `T` is a `std::variant`.
template <class T>
inline constexpr bool is_variant = false;
template <class... T>
inline constexpr bool is_variant<std::variant<T...>> = true;

/// Whether `T` is a string-keyed map (`std::map<std::string, V>` or `servokit::ordered_map<V>`).
template <class T>
inline constexpr bool is_string_map = false;
template <class V, class C, class A>
inline constexpr bool is_string_map<std::map<std::string, V, C, A>> = true;
template <class V>
inline constexpr bool is_string_map<ordered_map<V>> = true;

/// Whether `T` is a `std::vector` (or derives from one, like `metric_list`).
template <class T>
concept list_like = requires { typename T::value_type; } &&
                    std::is_base_of_v<std::vector<typename T::value_type>, T>;

/// Whether `meta<T>` provides its own reader for nodes of type `Node`.
template <class T, class Node>
concept custom_reader = requires(const Node& node, T& out, path& at) { meta<T>::read(node, out, at); };

/// Whether `meta<T>` provides its own writer.
template <class T>
concept custom_writer = requires(writer& out, const T& value) { meta<T>::write(out, value); };

/// Whether `T`'s unknown keys are dropped rather than refused (`meta<T>::ignore_unknown_keys`).
template <class T>
constexpr bool ignores_unknown_keys() {
  if constexpr (requires { meta<T>::ignore_unknown_keys; }) return meta<T>::ignore_unknown_keys;
  else return false;
}

/// Whether `T`'s missing keys keep their defaults (`meta<T>::missing_keys_keep_defaults`).
template <class T>
constexpr bool missing_keys_keep_defaults() {
  if constexpr (requires { meta<T>::missing_keys_keep_defaults; }) return meta<T>::missing_keys_keep_defaults;
  else return false;
}

/// The number of reflected members of `T`.
template <reflected_struct T>
inline constexpr std::size_t member_count = decltype(boost::hana::length(boost::hana::accessors<T>()))::value;

namespace detail {

/// The characters of a Hana compile-time string, as a null-terminated array of static storage.
/// Used instead of `hana::to<char const*>`, whose storage GCC 12 may put in another entity's
/// COMDAT group under precompiled headers, which then fails to link ("defined in discarded
/// section").
template <char... characters>
inline constexpr char name_storage[] = {characters..., '\0'};

/// A Hana compile-time string as a `std::string_view`.
template <char... characters>
constexpr std::string_view name_view(boost::hana::string<characters...>) {
  return {name_storage<characters...>, sizeof...(characters)};
}

}  // namespace detail

/// The document key of each member of `T`, in declaration order: the member's name, or what
/// `meta<T>::key(name)` makes of it.
template <reflected_struct T>
const std::array<std::string_view, member_count<T>>& member_keys() {
  static const auto keys = [] {
    std::array<std::string_view, member_count<T>> names{};
    std::size_t index = 0;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      std::string_view name = detail::name_view(boost::hana::first(accessor));
      if constexpr (requires { meta<T>::key(name); }) name = meta<T>::key(name);
      names[index++] = name;
    });
    return names;
  }();
  return keys;
}

/// Calls `visit(key, member)` for each member of `object`, in declaration order.
template <class T, class Visitor>
  requires reflected_struct<std::remove_const_t<T>>
void for_each_member(T& object, Visitor&& visit) {
  std::size_t index = 0;
  const auto& keys = member_keys<std::remove_const_t<T>>();
  boost::hana::for_each(boost::hana::accessors<std::remove_const_t<T>>(), [&](auto accessor) {
    visit(keys[index++], boost::hana::second(accessor)(object));
  });
}

/// Calls `visit(member)` for the member of `object` at `wanted` (declaration order).
template <class T, class Visitor>
  requires reflected_struct<std::remove_const_t<T>>
void visit_member_at(T& object, std::size_t wanted, Visitor&& visit) {
  std::size_t index = 0;
  boost::hana::for_each(boost::hana::accessors<std::remove_const_t<T>>(), [&](auto accessor) {
    if (index++ == wanted) visit(boost::hana::second(accessor)(object));
  });
}

}  // namespace servokit::json
