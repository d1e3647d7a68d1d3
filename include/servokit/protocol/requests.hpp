#pragma once
/// @file
/// The requests a driver reads from stdin (`PROTOCOL.md` sections 1 and 2).

#include <string>
#include <utility>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/fwd.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit {

/// A duration in seconds that the backend may send as a number or as a numeric string.
struct seconds_value {
  double count = 0;  ///< the number of seconds

  friend bool operator==(const seconds_value&, const seconds_value&) = default;
};

/// The `control` object of an adjust request.
struct adjust_control {
  BOOST_HANA_DEFINE_STRUCT(adjust_control,
    (std::optional<raw_json>, userdata));   ///< anything the backend sends, passed on unchanged

  /// The control object exactly as received, every key included (an aggregator passes it on
  /// whole); empty when the control was built, not read.
  raw_json as_received;
};

/// `adjust app_id < request`: the values to apply, by component and setting.
struct adjust_request {
  BOOST_HANA_DEFINE_STRUCT(adjust_request,
    (::servokit::application, application),
    (std::optional<adjust_control>, control));

  std::string app_id;  ///< from the command line, not the wire
};

/// The `control` object of a measure request: how long to measure and what the backend adds.
struct measure_control {
  BOOST_HANA_DEFINE_STRUCT(measure_control,
    (std::optional<seconds_value>, duration),   ///< how long to measure
    (std::optional<seconds_value>, warmup),     ///< wait this long before measuring
    (std::optional<seconds_value>, delay),      ///< wait this long after warmup
    (std::optional<seconds_value>, past),       ///< measure this far back (servox: alias of delay)
    (std::optional<raw_json>, userdata),        ///< anything the backend sends, passed on unchanged
    (std::optional<raw_json>, load),            ///< load generator settings, passed on unchanged
    (std::optional<raw_json>, environment));    ///< the agent's environment check, passed on

  /// The control object exactly as received, with the keys not declared above (a backend's own,
  /// a config template's `{_control.custom}`); empty when the control was built, not read.
  raw_json as_received;

  /// `duration` in seconds, 0 when absent.
  double duration_seconds() const { return duration ? duration->count : 0; }
  /// `warmup` in seconds, 0 when absent.
  double warmup_seconds() const { return warmup ? warmup->count : 0; }
  /// `delay` in seconds (or `past`, its alias), 0 when both are absent.
  double delay_seconds() const { return delay ? delay->count : past ? past->count : 0; }
};

/// The metric names a measure request asks for: a list, or (newer backends) a map whose keys are
/// the names. Empty means every metric the driver describes.
struct metric_list : std::vector<std::string> {
  using std::vector<std::string>::vector;
};

/// `measure app_id < request`: which metrics to measure, and how.
struct measure_request {
  BOOST_HANA_DEFINE_STRUCT(measure_request,
    (std::optional<metric_list>, metrics),
    (std::optional<measure_control>, control));

  std::string app_id;  ///< from the command line, not the wire

  /// The requested metric names; empty when the request named none.
  const std::vector<std::string>& metric_names() const {
    static const std::vector<std::string> none;
    return metrics ? static_cast<const std::vector<std::string>&>(*metrics) : none;
  }
  /// The control object, or an empty one.
  measure_control control_or_default() const { return control.value_or(measure_control{}); }
};

// A backend adds control keys as the protocol grows (servox's `cmd_uid` lives beside them); a
// driver must not refuse a measurement for a key it does not use.
template <>
struct meta<adjust_control> {
  static constexpr bool ignore_unknown_keys = true;
  /// Keeps the whole object in `as_received`.
  static void keep_source(adjust_control& control, std::string json_text) {
    control.as_received = raw_json(std::move(json_text));
  }
};
template <>
struct meta<measure_control> {
  static constexpr bool ignore_unknown_keys = true;
  /// Keeps the whole object in `as_received`.
  static void keep_source(measure_control& control, std::string json_text) {
    control.as_received = raw_json(std::move(json_text));
  }
};
template <>
struct meta<adjust_request> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct meta<measure_request> {
  static constexpr bool ignore_unknown_keys = true;
};

}  // namespace servokit
