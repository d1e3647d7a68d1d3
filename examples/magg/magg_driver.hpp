#pragma once
/// @file
/// servokit-magg: servo-magg's `measure`, one measure driver made of the drivers in
/// `./measure.d/`, all started at once on one event loop (`PROTOCOL.md` section 8).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/driver.hpp>
#include <servokit/json/write.hpp>
#include <servokit/protocol.hpp>

#include "../common/sub_drivers.hpp"

namespace magg {

using aggregate::sub_driver;
using aggregate::sub_driver_call;
using json_object = servokit::ordered_map<servokit::raw_json>;

/// The optional `magg:` section of config.yaml.
struct magg_config {
  BOOST_HANA_DEFINE_STRUCT(magg_config,
    /// Seconds added to the longest warmup + duration + delay + past before every driver is
    /// stopped; 0 (the default): no timeout.
    (std::optional<double>, grace_period),
    /// Stop the other drivers at the first failure even if not all of them have cancel.
    (std::optional<bool>, force_cancel),
    /// Seconds between SIGUSR1 and SIGKILL when drivers are stopped (default 300).
    (std::optional<double>, cleanup_grace_period));
};

/// The directory of the drivers, relative to the servo directory (the current directory).
inline constexpr std::string_view drivers_directory = "measure.d";
/// The name in notes on stderr.
inline constexpr std::string_view program_name = "servokit-magg";

/// `--info`: servo-magg's line, with each driver's own info under its name.
struct magg_info {
  BOOST_HANA_DEFINE_STRUCT(magg_info,
    (bool, has_cancel),
    (std::string, version),
    (servokit::ordered_map<servokit::driver_info>, drivers));
};

/// What a driver's `--describe` printed.
struct describe_output {
  BOOST_HANA_DEFINE_STRUCT(describe_output,
    (std::optional<std::string>, status),
    (servokit::metric_descriptors, metrics));
};

/// What a driver's measurement printed last.
struct measure_output {
  BOOST_HANA_DEFINE_STRUCT(measure_output,
    (std::optional<servokit::ordered_map<servokit::metric_value>>, metrics),
    (std::optional<servokit::raw_json>, annotations));
};

/// The request one driver gets: its own metrics and its own control.
struct driver_request {
  BOOST_HANA_DEFINE_STRUCT(driver_request,
    (json_object, control),
    (std::optional<std::vector<std::string>>, metrics));
};

}  // namespace magg

/// The durations of `magg:` checked where they are read, with the file and line in the error.
template <>
struct servokit::meta<magg::magg_config> {
  template <class Node>
  static void read(const Node& node, magg::magg_config& out, json::path& at) {
    json::detail::decode_struct(node, out, at);
    aggregate::check_config_seconds(node, at, "grace_period", out.grace_period);
    aggregate::check_config_seconds(node, at, "cleanup_grace_period", out.cleanup_grace_period);
  }
};

template <>
struct servokit::meta<magg::describe_output> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct servokit::meta<magg::measure_output> {
  static constexpr bool ignore_unknown_keys = true;
};

namespace magg {

/// The drivers of `./measure.d/`; none is an error, as in servo-magg.
inline std::vector<sub_driver> drivers_or_error() {
  return aggregate::required_sub_drivers(drivers_directory, program_name, "measure");
}

/// `--describe app_id` of every driver at once; their metrics, in driver order. A metric from two
/// drivers is an error naming both.
inline std::vector<servokit::metric_descriptors> describe_all(const std::vector<sub_driver>& drivers,
                                                              const std::string& app_id) {
  servokit::process::event_loop loop;
  const aggregate::call_list calls = aggregate::start_calls(loop, drivers, {"--describe", app_id});
  aggregate::wait_for(loop, calls);
  std::vector<servokit::metric_descriptors> described;
  servokit::ordered_map<std::string> first_owner;
  std::string conflicts;
  for (const auto& call : calls) {
    describe_output output = aggregate::read_result<describe_output>(*call, "--describe");
    if (output.status && *output.status != servokit::status::ok) {
      throw servokit::driver_error("driver " + call->driver().name + " (--describe) reported status " +
                                   *output.status + ": " + call->final_line().substr(0, 200));
    }
    for (const auto& [metric, unused] : output.metrics) {
      if (const auto owner = first_owner.find(metric); owner != first_owner.end()) {
        conflicts += (conflicts.empty() ? "" : "; ") + ("metric " + metric + " is reported by both drivers " +
                                                         owner->second + " and " + call->driver().name);
      } else {
        first_owner.insert_or_assign(metric, call->driver().name);
      }
    }
    described.push_back(std::move(output.metrics));
  }
  if (!conflicts.empty()) throw servokit::driver_error(conflicts);
  return described;
}

/// The measure aggregator.
class magg_driver {
 public:
  static constexpr std::string_view name = "magg", version = "1.0.0";
  using config = magg_config;

  /// `--info`: `has_cancel` when `force_cancel` is set or every driver has it; each driver's info.
  magg_info info(const config& cfg) {
    const std::vector<sub_driver> drivers = drivers_or_error();
    const std::vector<servokit::driver_info> infos = aggregate::info_of(drivers);
    magg_info combined{};
    combined.version = std::string(version);
    combined.has_cancel = true;
    for (std::size_t index = 0; index < drivers.size(); ++index) {
      combined.drivers.insert_or_assign(drivers[index].name, infos[index]);
      combined.has_cancel = combined.has_cancel && infos[index].has_cancel;
    }
    combined.has_cancel = combined.has_cancel || cfg.force_cancel.value_or(false);
    return combined;
  }

  /// `--describe app_id`: every driver's metrics merged.
  servokit::metric_descriptors describe(const config&, const std::string& app_id) {
    servokit::metric_descriptors merged;
    for (auto& metrics : describe_all(drivers_or_error(), app_id)) {
      for (auto& [metric, descriptor] : metrics) merged.insert_or_assign(metric, std::move(descriptor));
    }
    return merged;
  }

  /// `app_id < request`: every driver at once, each with its own metrics and control.
  servokit::measurement measure(const config& cfg, const servokit::measure_request& request,
                                servokit::progress& reporter, servokit::stop_token stop) {
    const std::vector<sub_driver> drivers = drivers_or_error();
    cleanup_grace_ = aggregate::seconds_to_milliseconds(cfg.cleanup_grace_period.value_or(aggregate::default_cleanup_grace_seconds),
                                                         "magg.cleanup_grace_period");
    const std::vector<driver_request> requests = split(drivers, request);
    if (stop.stop_requested()) return {};

    servokit::process::event_loop loop;
    bool stopping = false;
    std::vector<double> percent(drivers.size(), 0.0);
    double reported_minimum = 0;
    aggregate::call_list calls;
    calls.reserve(drivers.size());
    for (std::size_t index = 0; index < drivers.size(); ++index) {
      aggregate::call_options options;
      options.input = servokit::json::to_json(requests[index]);
      // The minimum over the drivers; a driver that has finished counts as done.
      const auto update = [&, index](double driver_percent, const std::optional<std::string>& message) {
        percent[index] = std::clamp(driver_percent, 0.0, 100.0);
        const double minimum = *std::min_element(percent.begin(), percent.end());
        const bool has_message = message && !message->empty();
        if (!has_message && minimum == reported_minimum) return;
        reported_minimum = minimum;
        servokit::progress_line relayed{};
        relayed.progress = minimum;
        if (has_message) relayed.message = "Driver " + drivers[index].name + ": " + *message;
        reporter.report(std::move(relayed));
      };
      options.on_progress = [update](const servokit::progress_line& line) { update(line.progress, line.message); };
      options.on_finish = [update, &calls, &stopping, index] {
        if (!stopping && calls[index]->ok()) update(100, std::nullopt);
      };
      calls.push_back(std::make_unique<sub_driver_call>(loop, drivers[index], std::vector<std::string>{request.app_id},
                                                        std::move(options)));
    }

    // Ending the measurement early: on a cancel, a timeout or (see below) a driver's failure,
    // SIGUSR1 to every running driver, SIGKILL after the cleanup grace.
    const auto stop_all = [&](int signal_number) {
      stopping = true;
      for (const auto& call : calls) call->stop(signal_number, aggregate::stop_grace(signal_number, cleanup_grace_));
    };
    const auto binding = loop.bind_stop(stop, [&] { stop_all(stop_signal_.load() == SIGUSR1 || stop_signal_.load() == 0 ? SIGUSR1 : SIGTERM); });
    std::optional<double> timeout_seconds;
    servokit::process::event_loop::handle timeout_timer = 0;
    bool timed_out = false;
    if (const double grace = cfg.grace_period.value_or(0); grace > 0) {
      double longest = 0;
      for (const auto& each : requests) longest = std::max(longest, measuring_seconds(each.control));
      timeout_seconds = longest + grace;
      timeout_timer = loop.start_timer(aggregate::seconds_to_milliseconds(*timeout_seconds, "magg.grace_period"), [&] {
        timeout_timer = 0;
        timed_out = true;
        stop_all(SIGUSR1);
      });
    }

    // At the first failure the others are stopped when that is safe: force_cancel, or every
    // driver has cancel (asked only then, so a measurement that goes well runs each driver once).
    const bool force_cancel = cfg.force_cancel.value_or(false);
    aggregate::call_list info_calls;
    bool failure_handled = false;
    const auto all_finished = [](const aggregate::call_list& list) {
      return std::all_of(list.begin(), list.end(), [](const auto& call) { return call->finished(); });
    };
    while (!all_finished(calls)) {
      loop.run_once();
      if (stopping || failure_handled) continue;
      const bool failed = std::any_of(calls.begin(), calls.end(), [](const auto& call) { return call->finished() && !call->ok(); });
      if (!failed) continue;
      if (force_cancel) {
        failure_handled = true;
        stop_all(SIGUSR1);
      } else if (info_calls.empty()) {
        if (std::none_of(calls.begin(), calls.end(), [](const auto& call) { return call->running(); })) {
          failure_handled = true;   // nobody left to stop
          continue;
        }
        info_calls = aggregate::start_calls(loop, drivers, {"--info"});   // all of them, as servo-magg
      } else if (all_finished(info_calls)) {
        failure_handled = true;
        const bool all_cancel = std::all_of(info_calls.begin(), info_calls.end(), [](const auto& call) {
          try {
            return aggregate::read_result<servokit::driver_info>(*call, "--info").has_cancel;
          } catch (const servokit::driver_error&) {
            return false;
          }
        });
        if (all_cancel) stop_all(SIGUSR1);
      }
    }
    loop.cancel_timer(timeout_timer);
    aggregate::wait_for(loop, info_calls);
    if (stop.stop_requested()) return {};   // run<D> reports the cancel
    return merge_results(calls, timed_out ? timeout_seconds : std::nullopt);
  }

  /// The signal that stops the operation, to pass on the same kind to the running sub-drivers.
  void on_stop_signal(int signal_number) { stop_signal_.store(signal_number); }

 private:
  /// Each driver's request: the control without `userdata`, updated with
  /// `userdata.<driver>.control`, and the requested metrics it describes (those only when the
  /// request names metrics: then the drivers are asked to describe themselves first).
  static std::vector<driver_request> split(const std::vector<sub_driver>& drivers,
                                           const servokit::measure_request& request) {
    json_object shared_control;
    json_object userdata;
    if (request.control) {
      const std::string& text = request.control->as_received.empty() ? servokit::json::to_json(*request.control)
                                                                        : request.control->as_received.text();
      shared_control = servokit::json::read<json_object>(text);
      if (const auto found = shared_control.find("userdata"); found != shared_control.end()) {
        userdata = object_or_empty(found->second);
        shared_control.erase("userdata");
      }
    }
    std::vector<servokit::metric_descriptors> described;
    if (!request.metric_names().empty()) described = describe_all(drivers, request.app_id);

    std::vector<driver_request> requests(drivers.size());
    for (std::size_t index = 0; index < drivers.size(); ++index) {
      driver_request& each = requests[index];
      each.control = shared_control;
      if (const auto own = userdata.find(drivers[index].name); own != userdata.end()) {
        const json_object own_data = object_or_empty(own->second);
        if (const auto override_control = own_data.find("control"); override_control != own_data.end()) {
          for (auto& [key, value] : object_or_empty(override_control->second)) each.control.insert_or_assign(key, value);
        }
      }
      if (described.empty()) continue;
      std::vector<std::string> own_metrics;
      for (const std::string& metric : request.metric_names()) {
        if (described[index].contains(metric)) own_metrics.push_back(metric);
      }
      if (!own_metrics.empty()) each.metrics = std::move(own_metrics);
    }
    return requests;
  }

  /// The members of a JSON object, or none when the value is not an object.
  static json_object object_or_empty(const servokit::raw_json& value) {
    if (value.text().empty() || value.text().front() != '{') return {};
    return servokit::json::read<json_object>(value.text());
  }

  /// warmup + duration + delay + past of one driver's control, in seconds.
  static double measuring_seconds(const json_object& control) {
    const auto timing = servokit::json::read<servokit::measure_control>(servokit::json::to_json(control));
    // Each value checked (a request's "nan" or "-5" is an error naming it, 1e300 is 10^9 s), so
    // the sum is a number the timer can take.
    const auto seconds = [](const std::optional<servokit::seconds_value>& value, std::string_view name) {
      return value ? servokit::checked_seconds(value->count, name) : 0.0;
    };
    return seconds(timing.warmup, "control.warmup") + seconds(timing.duration, "control.duration") +
           seconds(timing.delay, "control.delay") + seconds(timing.past, "control.past");
  }

  /// The merged measurement, or one error naming every driver that failed.
  static servokit::measurement merge_results(const aggregate::call_list& calls, std::optional<double> timed_out_after) {
    std::string failures;
    servokit::measurement merged;
    json_object annotations;
    for (const auto& call : calls) {
      const std::string& driver = call->driver().name;
      if (!call->ok()) {
        const aggregate::final_status reported = call->reported();
        std::string text = "driver " + driver;
        if (reported.status) text += " reported " + *reported.status + (reported.message ? ": " + *reported.message : "");
        if (!call->succeeded()) text += (reported.status ? "; " : " ") + call->failure();
        failures += (failures.empty() ? "" : "; ") + text;
        continue;
      }
      measure_output output;
      try {
        output = servokit::json::read<measure_output>(call->final_line());
      } catch (const servokit::json::read_error& failure) {
        failures += (failures.empty() ? "" : "; ") + ("driver " + driver + " printed an unusable result: " + failure.what());
        continue;
      }
      if (output.metrics) {
        for (auto& [metric, value] : *output.metrics) merged.metrics.insert_or_assign(metric, std::move(value));
      }
      if (output.annotations && !output.annotations->empty_object()) {
        if (output.annotations->text().front() == '{') {
          for (auto& [key, value] : object_or_empty(*output.annotations)) annotations.insert_or_assign(key, std::move(value));
        } else {
          std::fprintf(stderr, "%s: ignoring the annotations of %s: not an object\n", program_name.data(), driver.c_str());
        }
      }
    }
    if (timed_out_after) {
      throw servokit::driver_error("measurement timed out after " + servokit::format_number(*timed_out_after) +
                                   " s (the longest warmup + duration + delay + past plus grace_period); every "
                                   "driver was stopped" + (failures.empty() ? "" : ": " + failures));
    }
    if (!failures.empty()) throw servokit::driver_error("measurement failed: " + failures);
    if (!annotations.empty()) merged.annotations = servokit::raw_json(servokit::json::to_json(annotations));
    return merged;
  }

  std::atomic<int> stop_signal_{0};
  std::chrono::milliseconds cleanup_grace_{0};
};

}  // namespace magg
