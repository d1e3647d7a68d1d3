#pragma once
/// @file
/// servokit-agg: servo-agg's `adjust`, one adjust driver made of the drivers in `./adjust.d/`
/// (`PROTOCOL.md` section 8). `--query` merges their components; an adjust sends each driver only
/// the settings its own `--query` listed and runs them one after another in file-name order.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
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

namespace agg {

using aggregate::sub_driver;
using aggregate::sub_driver_call;

/// The optional `agg:` section of config.yaml.
struct agg_config {
  BOOST_HANA_DEFINE_STRUCT(agg_config,
    /// Seconds a sub-driver may take to stop after SIGUSR1 (a cancel) or SIGTERM before it gets
    /// SIGKILL; the same key and default as servo-magg's.
    (std::optional<double>, cleanup_grace_period));
};

/// The directory of the drivers, relative to the servo directory (the current directory).
inline constexpr std::string_view drivers_directory = "adjust.d";
/// The name in notes on stderr.
inline constexpr std::string_view program_name = "servokit-agg";

/// What a driver's `--query` printed: the descriptor, or the legacy `{"components": ...}`.
struct query_output {
  BOOST_HANA_DEFINE_STRUCT(query_output,
    (std::optional<servokit::application>, application),
    (std::optional<servokit::ordered_map<servokit::component>>, components));
};

/// What one driver is asked to apply: its own settings, and the request's control as received.
struct driver_request {
  BOOST_HANA_DEFINE_STRUCT(driver_request,
    (servokit::application, application),
    (std::optional<servokit::raw_json>, control));
};

}  // namespace agg

/// The durations of `agg:` checked where they are read, with the file and line in the error.
template <>
struct servokit::meta<agg::agg_config> {
  template <class Node>
  static void read(const Node& node, agg::agg_config& out, json::path& at) {
    json::detail::decode_struct(node, out, at);
    aggregate::check_config_seconds(node, at, "cleanup_grace_period", out.cleanup_grace_period);
  }
};

template <>
struct servokit::meta<agg::query_output> {
  static constexpr bool ignore_unknown_keys = true;
};

namespace agg {

/// `$PYTHONPATH` for the sub-drivers: the servo directory first, as servo-agg set it, so that
/// Python drivers in adjust.d/ import the `adjust.py` library placed beside the aggregator.
inline std::pair<std::string, std::string> python_path() {
  std::string directory = std::filesystem::current_path().string();
  if (const char* inherited = std::getenv("PYTHONPATH"); inherited != nullptr && *inherited != '\0') {
    directory += ":" + std::string(inherited);
  }
  return {"PYTHONPATH", directory};
}

/// The drivers of `./adjust.d/`, with an error when there are none.
inline std::vector<sub_driver> drivers_or_error() {
  return aggregate::required_sub_drivers(drivers_directory, program_name, "adjust");
}

/// The settings each driver owns (by its `--query`), and the merged application.
struct ownership {
  servokit::application merged;
  /// "component" -> "setting" -> index of the driver that declares it.
  std::map<std::string, std::map<std::string, std::size_t, std::less<>>, std::less<>> owner;
};

/// Merges the drivers' applications in order; a setting declared twice is an error naming both.
inline ownership merge_applications(const std::vector<sub_driver>& drivers,
                                    const std::vector<servokit::application>& applications) {
  ownership result;
  servokit::ordered_map<servokit::raw_json> annotations;
  std::vector<std::string> conflicts;
  for (std::size_t index = 0; index < drivers.size(); ++index) {
    for (const auto& [component_name, declared] : applications[index].components) {
      auto& merged_component = result.merged.components[component_name];
      auto& owners = result.owner[component_name];
      for (const auto& [setting_name, setting] : declared.settings) {
        const auto [known, inserted] = owners.emplace(setting_name, index);
        if (!inserted) {
          conflicts.push_back("setting " + component_name + "." + setting_name + " is declared by both " +
                              drivers[known->second].name + " and " + drivers[index].name);
          continue;
        }
        merged_component.settings.insert_or_assign(setting_name, setting);
      }
    }
    // Annotations are free-form; objects are merged key by key, anything else cannot be.
    if (const auto& extra = applications[index].annotations; extra && !extra->empty_object()) {
      try {
        for (auto& [key, value] : servokit::json::read<servokit::ordered_map<servokit::raw_json>>(extra->text())) {
          annotations.insert_or_assign(key, std::move(value));
        }
      } catch (const servokit::json::read_error&) {
        std::fprintf(stderr, "%s: ignoring the annotations of %s: not an object\n", program_name.data(),
                     drivers[index].name.c_str());
      }
    }
  }
  if (!conflicts.empty()) {
    std::string message;
    for (const auto& conflict : conflicts) message += (message.empty() ? "" : "; ") + conflict;
    throw servokit::driver_error(message);
  }
  if (!annotations.empty()) result.merged.annotations = servokit::raw_json(servokit::json::to_json(annotations));
  return result;
}

/// The adjust aggregator. `has_cancel` is true only when every sub-driver has it.
class agg_driver {
 public:
  static constexpr std::string_view name = "agg", version = "1.0.0";
  using config = agg_config;

  /// `--info`: own version and the sub-drivers' in parentheses, `has_cancel` when all have it.
  servokit::driver_info info(const config&) {
    const std::vector<sub_driver> drivers = aggregate::find_sub_drivers(drivers_directory, program_name);
    const std::vector<servokit::driver_info> infos = aggregate::info_of(drivers, {python_path()});
    servokit::driver_info combined{};
    combined.version = "servokit-agg " + std::string(version) + " (";
    combined.has_cancel = true;
    for (std::size_t index = 0; index < infos.size(); ++index) {
      combined.version += (index == 0 ? "" : ", ") + infos[index].version;
      combined.has_cancel = combined.has_cancel && infos[index].has_cancel;
    }
    combined.version += ")";
    return combined;
  }

  /// `--query app_id`: every driver's components merged.
  servokit::application query(const config&, const std::string& app_id) {
    const std::vector<sub_driver> drivers = drivers_or_error();
    return merge_applications(drivers, query_all(drivers, app_id, {})).merged;
  }

  /// `app_id < request`: each driver with its own settings, one after another.
  void adjust(const config& cfg, const servokit::adjust_request& request, servokit::progress& reporter,
              servokit::stop_token stop) {
    grace_ = aggregate::seconds_to_milliseconds(cfg.cleanup_grace_period.value_or(aggregate::default_cleanup_grace_seconds),
                                                "agg.cleanup_grace_period");
    const std::vector<sub_driver> drivers = drivers_or_error();
    const ownership owned = merge_applications(drivers, query_all(drivers, request.app_id, stop));
    if (stop.stop_requested()) return;
    const std::vector<servokit::application> shares = split(drivers, owned, request.application);

    std::vector<std::size_t> to_run;
    for (std::size_t index = 0; index < drivers.size(); ++index) {
      if (!shares[index].components.empty()) to_run.push_back(index);
    }
    std::optional<servokit::raw_json> control;
    if (request.control) {
      control = request.control->as_received.empty() ? servokit::raw_json(servokit::json::to_json(*request.control))
                                                     : request.control->as_received;
    }
    const auto silence = aggregate::silence_limit_from_environment();
    std::vector<driver_failure> failures;
    const double share = to_run.empty() ? 100.0 : 100.0 / static_cast<double>(to_run.size());
    for (std::size_t step = 0; step < to_run.size() && !stop.stop_requested(); ++step) {
      const sub_driver& driver = drivers[to_run[step]];
      const double done_before = share * static_cast<double>(step);
      reporter.report(done_before, driver.name + ": starting");
      aggregate::call_options options;
      options.input = servokit::json::to_json(driver_request{shares[to_run[step]], control});
      options.silence = silence;
      options.environment.push_back(python_path());
      options.on_progress = [&reporter, &driver, done_before, share](const servokit::progress_line& line) {
        servokit::progress_line relayed{};
        relayed.progress = std::clamp(done_before + share * std::clamp(line.progress, 0.0, 100.0) / 100.0, 0.0, 100.0);
        if (line.message && !line.message->empty()) relayed.message = driver.name + ": " + *line.message;
        reporter.report(std::move(relayed));
      };
      servokit::process::event_loop loop;
      sub_driver_call call(loop, driver, {request.app_id}, std::move(options));
      const auto binding = loop.bind_stop(stop, [this, &call] { call.stop(forwarded_signal(), aggregate::stop_grace(forwarded_signal(), grace_)); });
      loop.run_until([&call] { return call.finished(); });
      if (!call.ok()) failures.push_back(describe_failure(call));
      reporter.report(done_before + share, driver.name + (call.ok() ? ": done" : ": " + failures.back().status));
    }
    if (stop.stop_requested()) return;   // run<D> reports the cancel
    if (!failures.empty()) throw combined_error(failures);
  }

  /// The signal that stops the operation, to pass on the same kind to the running sub-driver.
  void on_stop_signal(int signal_number) { stop_signal_.store(signal_number); }

 private:
  /// One driver's failure, as its final line (or its exit) reported it.
  struct driver_failure {
    std::string driver;
    std::string status;
    std::optional<std::string> reason;
    std::string message;
  };

  /// SIGUSR1 (a cancel) is passed on as it is; SIGTERM, SIGINT and SIGHUP end a sub-driver with SIGTERM.
  int forwarded_signal() const { return stop_signal_.load() == SIGUSR1 ? SIGUSR1 : SIGTERM; }

  /// `--query app_id` of every driver at once (a read-only call), their applications in order.
  std::vector<servokit::application> query_all(const std::vector<sub_driver>& drivers, const std::string& app_id,
                                               servokit::stop_token stop) {
    servokit::process::event_loop loop;
    const aggregate::call_list calls =
        aggregate::start_calls(loop, drivers, {"--query", app_id}, [](const sub_driver&) {
          aggregate::call_options options;
          options.environment.push_back(python_path());
          return options;
        });
    const auto binding = loop.bind_stop(stop, [this, &calls] {
      for (const auto& call : calls) call->stop(forwarded_signal(), aggregate::stop_grace(forwarded_signal(), grace_));
    });
    aggregate::wait_for(loop, calls);
    std::vector<servokit::application> applications;
    if (stop.stop_requested()) return applications;
    for (const auto& call : calls) {
      query_output output = aggregate::read_result<query_output>(*call, "--query");
      if (output.application) applications.push_back(std::move(*output.application));
      else if (output.components) applications.push_back({std::move(*output.components), std::nullopt});
      else throw servokit::driver_error("driver " + call->driver().name + " (--query) printed no application: " +
                                        call->final_line().substr(0, 200));
      try {
        servokit::validate_descriptor(applications.back());
      } catch (const servokit::protocol_error& broken) {
        throw servokit::driver_error("driver " + call->driver().name + " (--query) printed an invalid descriptor: " +
                                     broken.what());
      }
    }
    return applications;
  }

  /// Each driver's share of the requested settings; a setting no driver owns is a bad request.
  static std::vector<servokit::application> split(const std::vector<sub_driver>& drivers, const ownership& owned,
                                                  const servokit::application& requested) {
    std::vector<servokit::application> shares(drivers.size());
    std::string unowned;
    for (const auto& [component_name, component] : requested.components) {
      const auto owners = owned.owner.find(component_name);
      for (const auto& [setting_name, setting] : component.settings) {
        std::optional<std::size_t> owner;
        if (owners != owned.owner.end()) {
          if (const auto found = owners->second.find(setting_name); found != owners->second.end()) owner = found->second;
        }
        if (!owner) {
          unowned += (unowned.empty() ? "" : ", ") + component_name + "." + setting_name;
          continue;
        }
        shares[*owner].components[component_name].settings.insert_or_assign(setting_name, setting);
      }
    }
    if (!unowned.empty()) {
      throw servokit::driver_error(std::string(servokit::status::bad_request), std::string(servokit::status::bad_request),
                                   "no driver in ./" + std::string(drivers_directory) + " has the setting(s) " + unowned);
    }
    return shares;
  }

  static driver_failure describe_failure(const sub_driver_call& call) {
    const aggregate::final_status reported = call.reported();
    driver_failure result;
    result.driver = call.driver().name;
    const bool reported_failure = reported.status && *reported.status != servokit::status::ok;
    result.status = reported_failure ? *reported.status : std::string(servokit::status::failed);
    result.reason = reported.reason;
    result.message = reported.message.value_or("");
    if (!call.succeeded()) {
      // The exit and the end of its output say what its own line may not.
      result.message += (result.message.empty() ? "" : "; ") + call.failure();
    }
    return result;
  }

  /// One error for all failures: messages "driver: status: message" joined by lines, `rejected`
  /// over any other status (else the last failure's), reasons joined.
  static servokit::driver_error combined_error(const std::vector<driver_failure>& failures) {
    std::string status, reasons, message;
    for (const driver_failure& each : failures) {
      if (status != servokit::status::rejected) status = each.status;
      if (each.reason && !each.reason->empty()) reasons += (reasons.empty() ? "" : ", ") + *each.reason;
      message += (message.empty() ? "" : "\n") + each.driver + ": " + each.status + ": " + each.message;
    }
    return servokit::driver_error(status, reasons.empty() ? std::string(servokit::reason::unknown) : reasons, message);
  }

  std::atomic<int> stop_signal_{0};
  std::chrono::milliseconds grace_{0};
};

}  // namespace agg
