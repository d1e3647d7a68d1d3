#pragma once
/// @file
/// Forward declarations of servokit's customization points, with standard headers only, so that a
/// header that specializes `servokit::meta<T>` for its own type stays cheap to include.

namespace servokit {

/// The one customization point for how servokit reads, writes and names a type.
///
/// The primary template is empty: a struct declared with `BOOST_HANA_DEFINE_STRUCT` needs nothing
/// more. A specialization may provide any of these (all optional):
/// - `static constexpr std::string_view key(std::string_view member)`: the JSON/YAML key of a
///   member, for keys that are not C++ identifiers (`"class"`, `"content-type"`);
/// - `static constexpr bool ignore_unknown_keys`: accept and drop keys the struct does not declare
///   (default false: an unknown key is an error naming it);
/// - `static constexpr bool missing_keys_keep_defaults`: a missing key leaves the member as the
///   value-initialized struct had it (default false: only `std::optional` members may be missing);
/// - `static void keep_source(T&, std::string json_text)`: receives the object as it was read,
///   every key included, for types that pass unknown keys on (a measure request's `control`);
/// - `template <class Node> static void read(const Node&, T&, json::path&)` and
///   `static void write(json::writer&, const T&)`: full control for a type that is not a struct.
template <class T>
struct meta {};

class raw_json;
template <class Value>
class ordered_map;

namespace json {
class path;
class writer;
class read_error;
}  // namespace json

}  // namespace servokit
