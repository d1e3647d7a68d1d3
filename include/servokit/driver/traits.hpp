#pragma once
/// @file
/// `driver_traits<D>`: what a driver type provides, found with concepts. A driver declares its
/// `name` (its config section) and `version`, optionally a `config` struct, and the operations of
/// an adjust driver (`query`, `adjust`) or a measure driver (`describe`, `measure`), or both.
///
/// Minimal complete definition of a measure driver:
/// ```
/// struct my_measure {
///   static constexpr std::string_view name = "mine", version = "1.0.0";
///   servokit::metric_descriptors describe();
///   servokit::measurement measure(const servokit::measure_request&, servokit::progress&);
/// };
/// ```
/// Each operation may take, in this order, `const config&` (when the driver declares `config`),
/// the request, `servokit::progress&` and `servokit::stop_token`; the trailing two are optional.
/// `query` and `describe` may also take the app_id (`const std::string&`) after the config.
/// Taking the stop token is what makes `has_cancel` true.

#include <concepts>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>

#include <servokit/driver/progress.hpp>
#include <servokit/fwd.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/metrics.hpp>
#include <servokit/protocol/requests.hpp>

namespace servokit {

/// The cancellation signal a driver's work receives; SIGUSR1 (and SIGTERM, SIGINT) request a stop.
using stop_token = std::stop_token;

/// The config type of a driver that declares none. Its section, if the file has one, is left
/// alone: it may belong to a wrapper or a later version of the driver.
struct no_config {};

/// `no_config` reads from any section, and from none.
template <>
struct meta<no_config> {
  /// Accepts and ignores whatever the section holds.
  template <class Node, class Path>
  static void read(const Node&, no_config&, Path&) {}
};

namespace detail {
template <class D>
struct config_of {
  using type = no_config;
};
template <class D>
  requires requires { typename D::config; }
struct config_of<D> {
  using type = typename D::config;
};
}  // namespace detail

/// The driver's config type: `D::config`, or `no_config`.
template <class D>
using config_type_t = typename detail::config_of<D>::type;

/// Whether `D` names itself: `static constexpr std::string_view name, version`.
template <class D>
concept named_driver = requires {
  { D::name } -> std::convertible_to<std::string_view>;
  { D::version } -> std::convertible_to<std::string_view>;
};

namespace detail {

/// Calls `driver.*operation` with the leading config argument when the driver declares a config,
/// then `args...`; the three overloads below try the full and the shorter signatures.
template <class D, class... Args>
concept callable_query = requires(D& driver, const config_type_t<D>& config, Args&... args) {
  requires(!std::is_same_v<config_type_t<D>, no_config>);
  driver.query(config, args...);
} || requires(D& driver, Args&... args) { driver.query(args...); };

template <class D, class... Args>
concept callable_adjust = requires(D& driver, const config_type_t<D>& config, Args&... args) {
  requires(!std::is_same_v<config_type_t<D>, no_config>);
  driver.adjust(config, args...);
} || requires(D& driver, Args&... args) { driver.adjust(args...); };

template <class D, class... Args>
concept callable_describe = requires(D& driver, const config_type_t<D>& config, Args&... args) {
  requires(!std::is_same_v<config_type_t<D>, no_config>);
  driver.describe(config, args...);
} || requires(D& driver, Args&... args) { driver.describe(args...); };

template <class D, class... Args>
concept callable_measure = requires(D& driver, const config_type_t<D>& config, Args&... args) {
  requires(!std::is_same_v<config_type_t<D>, no_config>);
  driver.measure(config, args...);
} || requires(D& driver, Args&... args) { driver.measure(args...); };

}  // namespace detail

namespace detail {

/// Whether `D` has a `query` that takes nothing or the app_id (`const std::string&`), an
/// aggregator's case: it passes the app_id on to the drivers it queries.
template <class D>
concept provides_query = callable_query<D> || callable_query<D, const std::string>;

/// Whether `D` has a `describe` that takes nothing or the app_id.
template <class D>
concept provides_describe = callable_describe<D> || callable_describe<D, const std::string>;

/// Whether `D` has an `adjust` of any accepted signature (trailing progress and stop token optional).
template <class D>
concept provides_adjust = callable_adjust<D, const adjust_request> || callable_adjust<D, const adjust_request, progress> ||
                          callable_adjust<D, const adjust_request, progress, stop_token>;

/// Whether `D` has a `measure` of any accepted signature.
template <class D>
concept provides_measure = callable_measure<D, const measure_request> ||
                           callable_measure<D, const measure_request, progress> ||
                           callable_measure<D, const measure_request, progress, stop_token>;

}  // namespace detail

/// Whether `D` provides `query` (returning the application) and `adjust`.
template <class D>
concept adjust_driver = named_driver<D> && detail::provides_query<D> && detail::provides_adjust<D>;

/// Whether `D` provides `describe` (returning metric descriptors) and `measure`.
template <class D>
concept measure_driver = named_driver<D> && detail::provides_describe<D> && detail::provides_measure<D>;

/// Whether `D` computes its own `--info` line (and `--version` text) at run time, as an aggregator
/// whose `has_cancel` and version depend on its sub-drivers does: a member `info(const config&)`
/// or `info()` returning a reflected struct with at least `version` and `has_cancel`; every other
/// member of it is printed too (servo-magg's `drivers`).
template <class D>
concept reports_own_info = requires(D& driver, const config_type_t<D>& config) {
  { driver.info(config).version } -> std::convertible_to<std::string_view>;
  { driver.info(config).has_cancel } -> std::convertible_to<bool>;
} || requires(D& driver) {
  { driver.info().version } -> std::convertible_to<std::string_view>;
  { driver.info().has_cancel } -> std::convertible_to<bool>;
};

/// Whether `D` wants to know which signal stops its operation (to pass the same one on to the
/// programs it runs): a member `void on_stop_signal(int signal_number)`, called on the signal
/// monitor's thread just before the stop token is triggered, so it must be thread-safe.
template <class D>
concept observes_stop_signal = requires(D& driver, int signal_number) { driver.on_stop_signal(signal_number); };

/// What a driver type declares and provides, for the code that generates its program.
template <class D>
struct driver_traits {
  using config_type = config_type_t<D>;   ///< its config struct, or `no_config`
  static constexpr bool is_adjust = adjust_driver<D>;
  static constexpr bool is_measure = measure_driver<D>;
  /// Whether its adjust takes a stop token (so SIGUSR1 cancels it cleanly).
  static constexpr bool adjust_has_cancel = detail::callable_adjust<D, const adjust_request, progress, stop_token>;
  /// Whether its measure takes a stop token.
  static constexpr bool measure_has_cancel = detail::callable_measure<D, const measure_request, progress, stop_token>;
  /// Whether the driver declares a config struct.
  static constexpr bool has_config = !std::is_same_v<config_type, no_config>;
};

namespace detail {

/// Calls `D::query` with what it takes.
template <class D>
auto call_query(D& driver, const config_type_t<D>& config, const std::string& app_id) {
  if constexpr (requires { driver.query(config, app_id); }) return driver.query(config, app_id);
  else if constexpr (requires { driver.query(config); }) return driver.query(config);
  else if constexpr (requires { driver.query(app_id); }) return driver.query(app_id);
  else return driver.query();
}

/// Calls `D::describe` with what it takes.
template <class D>
auto call_describe(D& driver, const config_type_t<D>& config, const std::string& app_id) {
  if constexpr (requires { driver.describe(config, app_id); }) return driver.describe(config, app_id);
  else if constexpr (requires { driver.describe(config); }) return driver.describe(config);
  else if constexpr (requires { driver.describe(app_id); }) return driver.describe(app_id);
  else return driver.describe();
}

/// Calls `D::info` with what it takes.
template <class D>
auto call_info(D& driver, const config_type_t<D>& config) {
  if constexpr (requires { driver.info(config); }) return driver.info(config);
  else return driver.info();
}

/// Calls `D::adjust` with the longest argument list it takes.
template <class D>
auto call_adjust(D& driver, const config_type_t<D>& config, const adjust_request& request, progress& reporter,
                 stop_token stop) {
  if constexpr (requires { driver.adjust(config, request, reporter, stop); }) return driver.adjust(config, request, reporter, stop);
  else if constexpr (requires { driver.adjust(config, request, reporter); }) return driver.adjust(config, request, reporter);
  else if constexpr (requires { driver.adjust(config, request); }) return driver.adjust(config, request);
  else if constexpr (requires { driver.adjust(request, reporter, stop); }) return driver.adjust(request, reporter, stop);
  else if constexpr (requires { driver.adjust(request, reporter); }) return driver.adjust(request, reporter);
  else return driver.adjust(request);
}

/// Calls `D::measure` with the longest argument list it takes.
template <class D>
auto call_measure(D& driver, const config_type_t<D>& config, const measure_request& request, progress& reporter,
                  stop_token stop) {
  if constexpr (requires { driver.measure(config, request, reporter, stop); }) return driver.measure(config, request, reporter, stop);
  else if constexpr (requires { driver.measure(config, request, reporter); }) return driver.measure(config, request, reporter);
  else if constexpr (requires { driver.measure(config, request); }) return driver.measure(config, request);
  else if constexpr (requires { driver.measure(request, reporter, stop); }) return driver.measure(request, reporter, stop);
  else if constexpr (requires { driver.measure(request, reporter); }) return driver.measure(request, reporter);
  else return driver.measure(request);
}

}  // namespace detail
}  // namespace servokit
