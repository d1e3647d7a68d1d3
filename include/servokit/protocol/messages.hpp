#pragma once
/// @file
/// The lines a driver prints besides its result: driver info, progress and the final status line
/// (`PROTOCOL.md` sections 1-3), and the statuses and reasons of the protocol.

#include <optional>
#include <string>
#include <string_view>

#include <boost/hana/define_struct.hpp>

#include <servokit/fwd.hpp>
#include <servokit/protocol/metrics.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit {

/// The statuses a final line may carry.
namespace status {
inline constexpr std::string_view ok = "ok";                   ///< the operation succeeded
inline constexpr std::string_view failed = "failed";           ///< it did not
inline constexpr std::string_view rejected = "rejected";       ///< the change was refused
inline constexpr std::string_view bad_request = "bad-request"; ///< the input could not be used
inline constexpr std::string_view canceled = "canceled";       ///< stopped by a signal
}  // namespace status

/// The reasons a final line may carry.
namespace reason {
inline constexpr std::string_view success = "success";
inline constexpr std::string_view unknown = "unknown";
}  // namespace reason

/// `--info`: `{"version": "1.2.0", "has_cancel": true}`.
struct driver_info {
  BOOST_HANA_DEFINE_STRUCT(driver_info,
    (std::string, version),
    (bool, has_cancel));
};

/// A progress line: `{"progress": 40, "message": "waiting for rollout"}`.
struct progress_line {
  BOOST_HANA_DEFINE_STRUCT(progress_line,
    (double, progress),                           ///< percent done, 0-100
    (std::optional<std::string>, message),
    (std::optional<std::int64_t>, msg_index),
    (std::optional<std::string>, stage),
    (std::optional<double>, stageprogress));
};

/// The final line of an adjust, or of any failed operation:
/// `{"status": "failed", "reason": "unknown", "message": "what went wrong"}`.
struct status_line {
  BOOST_HANA_DEFINE_STRUCT(status_line,
    (std::string, status),
    (std::optional<std::string>, reason),
    (std::optional<std::string>, message),
    (std::optional<raw_json>, state));            ///< an adjust driver may report the new state
};

/// The final line of a successful measurement: `{"status": "ok", "metrics": {...}, ...}`.
struct measure_result_line {
  BOOST_HANA_DEFINE_STRUCT(measure_result_line,
    (std::string, status),
    (ordered_map<metric_value>, metrics),
    (std::optional<raw_json>, annotations));
};

/// What `measure --describe` prints: `{"status": "ok", "metrics": {...}}`.
struct describe_line {
  BOOST_HANA_DEFINE_STRUCT(describe_line,
    (std::string, status),
    (metric_descriptors, metrics));
};

template <>
struct meta<driver_info> {
  static constexpr bool ignore_unknown_keys = true;   // servo-magg adds "drivers"
};
template <>
struct meta<progress_line> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct meta<status_line> {
  static constexpr bool ignore_unknown_keys = true;   // legacy "error" and "class"
};

}  // namespace servokit
