#pragma once
/// @file
/// The application model an adjust driver works on: settings grouped into components, as printed
/// by `adjust --query` and sent back (values only) in an adjust request (`PROTOCOL.md` section 1).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/fwd.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit {

/// The two kinds of setting, as the `type` key spells them.
inline constexpr std::string_view range_setting = "range";
inline constexpr std::string_view enum_setting = "enum";

/// One tunable setting of a component: a numeric range or an enumeration.
///
/// Every key is optional on the wire: an adjust request carries only `value`, and `type` defaults
/// to `range`. `protocol/validate.hpp` checks the rules a complete descriptor obeys.
struct setting {
  BOOST_HANA_DEFINE_STRUCT(setting,
    (std::optional<std::string>, type),               ///< `range` (when absent) or `enum`
    (std::optional<scalar>, value),                   ///< the current or requested value
    (std::optional<double>, min),                     ///< range: lowest allowed value
    (std::optional<double>, max),                     ///< range: highest allowed value
    (std::optional<double>, step),                    ///< range: granularity from `min`
    (std::optional<std::vector<scalar>>, values),     ///< enum: the allowed values
    (std::optional<std::string>, unit),               ///< for people: cores, GiB, count...
    (std::optional<bool>, pinned));                   ///< the optimizer must not change it

  /// Whether this is an enumeration (`type: enum`); anything else is a range.
  bool is_enum() const { return type && *type == enum_setting; }
};

/// One component of the application (a service, a deployment, a job) and its settings.
struct component {
  BOOST_HANA_DEFINE_STRUCT(component,
    (ordered_map<setting>, settings));
};

/// The application: its components and free-form annotations.
struct application {
  BOOST_HANA_DEFINE_STRUCT(application,
    (ordered_map<component>, components),
    (std::optional<raw_json>, annotations));
};

/// What `adjust --query` prints: `{"application": {...}}`.
struct application_descriptor {
  BOOST_HANA_DEFINE_STRUCT(application_descriptor,
    (::servokit::application, application));
};

// Descriptors and requests travel through other programs and backends that add keys of their own
// (a setting's `description`, a component's `selector`); those keys are dropped, not refused.
template <>
struct meta<setting> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct meta<component> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct meta<application> {
  static constexpr bool ignore_unknown_keys = true;
};

}  // namespace servokit
