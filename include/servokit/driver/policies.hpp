#pragma once
/// @file
/// The choices a generated driver program makes, as small policy types with defaults: how often
/// to repeat progress, where the config comes from, where lines go. A driver changes one by
/// declaring `using policies = ...` (deriving from `default_policies`), or a caller passes them to
/// `servokit::run<D, Policies>`.

#include <servokit/config/load.hpp>
#include <servokit/driver/output.hpp>

namespace servokit {

/// Repeat the last progress line when the work has been quiet for `Seconds` seconds.
template <int Seconds>
struct heartbeat_every {
  static_assert(Seconds > 0, "a heartbeat interval is a positive number of seconds; use no_heartbeat for none");
  static constexpr int interval_seconds = Seconds;   ///< 0 would mean no heartbeat
};

/// Never repeat progress lines on a timer.
struct no_heartbeat {
  static constexpr int interval_seconds = 0;
};

/// The config comes from `$OPTUNE_CONFIG`, else `./config.yaml` (`PROTOCOL.md` section 7).
struct config_file_source {
  /// The parsed config file (empty when there is none). Throws `config::error`.
  static config::document load() { return config::document::load(config::default_path()); }
};

/// The defaults: a heartbeat every 30 s as the original base classes had, the shared config file,
/// and stdout.
struct default_policies {
  using heartbeat = heartbeat_every<30>;
  using config_source = config_file_source;
  using output = stdout_output;
};

namespace detail {
template <class D>
struct policies_of {
  using type = default_policies;
};
template <class D>
  requires requires { typename D::policies; }
struct policies_of<D> {
  using type = typename D::policies;
};
}  // namespace detail

/// The policies a driver chose: `D::policies`, or `default_policies`.
template <class D>
using policies_t = typename detail::policies_of<D>::type;

}  // namespace servokit
