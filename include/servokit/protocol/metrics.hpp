#pragma once
/// @file
/// What a measure driver describes and reports (`PROTOCOL.md` section 2).

#include <cstdint>
#include <optional>
#include <string>

#include <boost/hana/define_struct.hpp>

#include <servokit/fwd.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit {

/// What `measure --describe` says about one metric; every key is optional.
struct metric_descriptor {
  BOOST_HANA_DEFINE_STRUCT(metric_descriptor,
    (std::optional<std::string>, unit),          ///< seconds, rps, ms...
    (std::optional<std::int64_t>, index),        ///< display order
    (std::optional<raw_json>, cookie),           ///< opaque to servokit
    (std::optional<double>, min),
    (std::optional<double>, max),
    (std::optional<double>, weight),
    (std::optional<std::string>, annotation));
};

/// The metrics a measure driver offers, by name.
using metric_descriptors = ordered_map<metric_descriptor>;

/// One measured metric: a single value, or (newer backends) time series in `values`.
struct metric_value {
  BOOST_HANA_DEFINE_STRUCT(metric_value,
    (std::optional<scalar>, value),
    (std::optional<std::string>, unit),
    (std::optional<raw_json>, values));   ///< `[{"id": ..., "data": [[ts, v], ...]}]`, passed on
};

/// A measure driver's result: the metrics it measured and free-form annotations.
struct measurement {
  BOOST_HANA_DEFINE_STRUCT(measurement,
    (ordered_map<metric_value>, metrics),
    (std::optional<raw_json>, annotations));   ///< `{"note": "text or list of text"}`
};

template <>
struct meta<metric_descriptor> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct meta<metric_value> {
  static constexpr bool ignore_unknown_keys = true;
};

}  // namespace servokit
