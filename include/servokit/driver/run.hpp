#pragma once
/// @file
/// `servokit::run<D>(argc, argv)`: the whole program of an adjust or measure driver, generated
/// from the driver type. The author writes the work; this writes the command line, config, request
/// parsing, progress heartbeat, cancellation and every protocol line.
///
/// Example:
/// ```
/// int main(int argc, char** argv) { return servokit::run<my_measure>(argc, argv); }
/// ```

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <exception>
#include <new>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>

#include <servokit/config/load.hpp>
#include <servokit/driver/command_line.hpp>
#include <servokit/driver/errors.hpp>
#include <servokit/driver/policies.hpp>
#include <servokit/driver/progress.hpp>
#include <servokit/driver/signal_monitor.hpp>
#include <servokit/driver/traits.hpp>
#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>
#include <servokit/process/exit_status.hpp>
#include <servokit/process/fd.hpp>
#include <servokit/protocol/messages.hpp>
#include <servokit/protocol/validate.hpp>

namespace servokit {

namespace detail {

/// Reads all of stdin (the request). Throws `std::system_error` when it cannot be read.
inline std::string read_standard_input() {
  std::string text;
  char buffer[65536];
  for (;;) {
    const process::io_result got = process::read_some(STDIN_FILENO, buffer);
    if (got.error != 0) throw std::system_error(got.error, std::generic_category(), "cannot read the request from stdin");
    if (got.bytes == 0) return text;
    text.append(buffer, got.bytes);
  }
}

/// A final line with `status`, `reason` and `message`.
inline std::string status_text(std::string_view status_value, std::string_view reason_value, std::string message) {
  status_line line{};
  line.status = std::string(status_value);
  line.reason = std::string(reason_value);
  if (!message.empty()) line.message = std::move(message);
  return json::to_json(line);
}

/// Checks, at compile time, what `run<D>` needs of `D`, with messages that say what to add.
template <class D>
consteval bool check_driver() {
  static_assert(named_driver<D>,
                "servokit::run<D>: D must declare its name (its config section) and version: add "
                "`static constexpr std::string_view name = \"mydriver\", version = \"1.0.0\";`");
  static_assert(std::is_default_constructible_v<D>, "servokit::run<D>: D must be default-constructible");
  if constexpr (provides_describe<D> && !measure_driver<D>) {
    static_assert(measure_driver<D>,
                  "servokit::run<D>: D has describe() but no measure: add `servokit::measurement measure(const "
                  "config&, const servokit::measure_request&, servokit::progress&[, servokit::stop_token])`");
  }
  if constexpr (provides_measure<D> && !measure_driver<D>) {
    static_assert(measure_driver<D>,
                  "servokit::run<D>: D has measure() but no describe: add `servokit::metric_descriptors "
                  "describe(const config&)`");
  }
  if constexpr (provides_query<D> && !adjust_driver<D>) {
    static_assert(adjust_driver<D>,
                  "servokit::run<D>: D has query() but no adjust: add `void adjust(const config&, const "
                  "servokit::adjust_request&, servokit::progress&[, servokit::stop_token])`");
  }
  if constexpr (provides_adjust<D> && !adjust_driver<D>) {
    static_assert(adjust_driver<D>,
                  "servokit::run<D>: D has adjust() but no query: add `servokit::application query(const config&)`");
  }
  static_assert(adjust_driver<D> || measure_driver<D>,
                "servokit::run<D>: D is neither an adjust driver (add query() and adjust()) nor a measure driver "
                "(add describe() and measure()); see servokit/driver/traits.hpp");
  return true;
}

/// One run of a driver program in one role, with the policies chosen.
template <class D, class Policies>
class driver_program {
 public:
  using traits = driver_traits<D>;
  using output = typename Policies::output;

  explicit driver_program(driver_role role) : role_(role) {}

  int run(const invocation& call) {
    switch (call.mode) {
      case driver_mode::help:
        output::write_line(call.help_text);
        return exit_code::success;
      case driver_mode::show_version:
        if constexpr (reports_own_info<D>) return print_own_info(/*version_only=*/true);
        output::write_line(D::version);
        return exit_code::success;
      case driver_mode::show_info: {
        if constexpr (reports_own_info<D>) return print_own_info(/*version_only=*/false);
        driver_info info{};
        info.version = std::string(D::version);
        info.has_cancel = has_cancel();
        output::write_line(json::to_json(info));
        return exit_code::success;
      }
      case driver_mode::query:
      case driver_mode::operate:
        break;
    }
    config_type_t<D> config{};
    if (!load_config(config)) return exit_code::config;
    return call.mode == driver_mode::query ? print_descriptor(config, call.app_id) : operate(config, call.app_id);
  }

 private:
  bool has_cancel() const { return role_ == driver_role::adjust ? traits::adjust_has_cancel : traits::measure_has_cancel; }

  int finish(std::string_view status_value, std::string_view reason_value, std::string message, int code) {
    output::write_line(status_text(status_value, reason_value, std::move(message)));
    return code;
  }

  /// Loads `D`'s config section; on failure prints the config failure line and returns false.
  bool load_config(config_type_t<D>& config) {
    try {
      config = Policies::config_source::load().template section<config_type_t<D>>(D::name);
      return true;
    } catch (const config::error& failure) {
      finish(status::failed, "config", failure.what(), exit_code::config);
      return false;
    }
  }

  /// `--info` (or `--version`, its `version` alone) of a driver that computes them itself.
  int print_own_info(bool version_only) {
    if constexpr (reports_own_info<D>) {
      config_type_t<D> config{};
      if (!load_config(config)) return exit_code::config;
      const std::string line = run_short_call([&] {
        D driver{};
        const auto info = call_info(driver, config);
        return version_only ? info.version : json::to_json(info);
      });
      output::write_line(line);
    }
    return exit_code::success;
  }

  /// The final line when a signal ends work that cannot be cancelled.
  static std::string stopped_line(int signal_number) {
    return status_text(status::canceled, "signal",
                       std::string(D::name) + " stopped by " + process::signal_name(signal_number));
  }

  /// The handler for a signal while work that cannot be cancelled runs: report and leave now.
  static void end_on_signal(int signal_number) {
    output::write_line(stopped_line(signal_number));
    ::_exit(exit_code::canceled);
  }

  /// Runs `work`, a short call with nothing to cancel, and returns what it returns; a signal
  /// meanwhile ends the program with the failure line. On stdout a signal handler does that
  /// (no thread, no event loop: these calls are about start-up time); another output policy
  /// gets the monitor's thread, whose handler may lock and allocate.
  template <class Work>
  static auto run_short_call(Work&& work) {
    if constexpr (std::is_same_v<output, stdout_output>) {
      exit_on_signal guard(&stopped_line, exit_code::canceled);
      return work();
    } else {
      progress unused([](const std::string&) {});
      signal_monitor monitor(std::stop_source(), unused, 0, &end_on_signal);
      return work();
    }
  }

  /// `--query` / `--describe`: the application descriptor, or the metric descriptors.
  int print_descriptor(const config_type_t<D>& config, const std::string& app_id) {
    // The line is written once the signals are blocked again, so nothing can interleave with it.
    std::string invalid;
    const std::string line = run_short_call([&]() -> std::string {
      D driver{};
      if (role_ == driver_role::adjust) {
        if constexpr (traits::is_adjust) {
          application_descriptor descriptor{};
          descriptor.application = call_query(driver, config, app_id);
          try {
            validate_descriptor(descriptor.application);
          } catch (const protocol_error& failure) {
            invalid = std::string(D::name) + " produced an invalid descriptor: " + failure.what();
            return {};
          }
          return json::to_json(descriptor);
        }
      } else {
        if constexpr (traits::is_measure) {
          describe_line described{};
          described.status = std::string(status::ok);
          described.metrics = call_describe(driver, config, app_id);
          return json::to_json(described);
        }
      }
      return {};
    });
    if (!invalid.empty()) return finish(status::failed, reason::unknown, std::move(invalid), exit_code::failed);
    output::write_line(line);
    return exit_code::success;
  }

  /// `app_id < request`.
  int operate(const config_type_t<D>& config, const std::string& app_id) {
    progress reporter([](const std::string& line) { output::write_line(line); });
    std::stop_source stop;
    // Until the work starts there is nothing to cancel cleanly: a signal while the request is
    // still being read (an agent that never closes stdin) ends the program at once.
    std::atomic<bool> work_started{false};
    const bool cancellable = has_cancel();
    D driver{};
    signal_monitor::signal_handler on_signal = [&work_started, &driver, cancellable](int signal_number) {
      if (!cancellable || !work_started.load()) end_on_signal(signal_number);
      if constexpr (observes_stop_signal<D>) driver.on_stop_signal(signal_number);
    };
    int received = 0;
    std::string result;
    std::exception_ptr thrown;
    {
      signal_monitor monitor(stop, reporter, Policies::heartbeat::interval_seconds, on_signal);
      const std::string request_text = read_standard_input();
      try {
        if (role_ == driver_role::adjust) {
          if constexpr (traits::is_adjust) {
            adjust_request request{};
            if (!parse_request(request_text, request)) return exit_code::bad_request;
            request.app_id = app_id;
            work_started = true;
            call_adjust(driver, config, request, reporter, stop.get_token());
            result = status_text(status::ok, reason::success, "");
          }
        } else {
          if constexpr (traits::is_measure) {
            measure_request request{};
            if (!parse_request(request_text, request)) return exit_code::bad_request;
            request.app_id = app_id;
            work_started = true;
            measurement measured = call_measure(driver, config, request, reporter, stop.get_token());
            measure_result_line line{};
            line.status = std::string(status::ok);
            line.metrics = std::move(measured.metrics);
            // The Python base class always printed "annotations", and the original servo-magg
            // reads it unconditionally (KeyError without it): an empty object when there are none.
            line.annotations = measured.annotations ? std::move(measured.annotations) : raw_json("{}");
            result = json::to_json(line);
          }
        }
      } catch (...) {
        thrown = std::current_exception();
      }
      received = monitor.received_signal();
    }
    // Work that saw the stop, returned early or threw, has no result to trust: report the cancel.
    if (received != 0) {
      return finish(status::canceled, "signal", std::string(D::name) + " canceled by " + process::signal_name(received),
                    exit_code::canceled);
    }
    if (thrown) std::rethrow_exception(thrown);
    output::write_line(result);
    return exit_code::success;
  }

  /// Reads the request; on failure prints the bad-request line and returns false.
  template <class Request>
  bool parse_request(const std::string& text, Request& request) {
    try {
      json::read(text, request);
      return true;
    } catch (const json::read_error& failure) {
      finish(status::bad_request, status::bad_request, std::string("request: ") + failure.what(), exit_code::bad_request);
      return false;
    }
  }

  driver_role role_;
};

}  // namespace detail

/// The whole program of driver `D`: parses the command line, loads `D`'s config section, reads the
/// request, runs the work, and prints every line of `PROTOCOL.md` sections 1-4. Returns the exit
/// code (see `servokit::exit_code`); never throws.
template <class D, class Policies = policies_t<D>>
int run(int argc, char** argv) noexcept {
  static_assert(detail::check_driver<D>());
  using output = typename Policies::output;
  using traits = driver_traits<D>;
  // Whichever line we failed to write, there is no better place for it than a last attempt here.
  const auto failure = [](std::string_view status_value, std::string_view reason_value, const std::string& message,
                          int code) {
    try {
      output::write_line(detail::status_text(status_value, reason_value, message));
    } catch (...) {
      static constexpr char fallback[] = "{\"status\":\"failed\",\"reason\":\"unknown\",\"message\":\"out of memory\"}\n";
      [[maybe_unused]] auto ignored = ::write(STDOUT_FILENO, fallback, sizeof fallback - 1);
    }
    return code;
  };
  try {
    block_operation_signals();
    // The agent may stop reading; a write to a closed stdout must fail, not kill us silently.
    ::signal(SIGPIPE, SIG_IGN);
    const char* const program = argc > 0 ? argv[0] : D::name.data();
    invocation call;
    try {
      call = parse_command_line(argc, argv, program, traits::is_adjust && traits::is_measure);
    } catch (const usage_error& failure_) {
      return failure(status::bad_request, "usage", std::string("usage: ") + failure_.what(), exit_code::usage);
    }
    driver_role role = traits::is_adjust ? driver_role::adjust : driver_role::measure;
    if constexpr (traits::is_adjust && traits::is_measure) {
      auto chosen = call.role ? call.role : role_from_program_name(program);
      if (!chosen) {
        return failure(status::bad_request, "usage",
                       std::string("usage: ") + program +
                           " is both an adjust and a measure driver: run it as 'adjust' or 'measure' (a link "
                           "with that name), from an adjust.d or measure.d directory, or pass --role adjust|measure",
                       exit_code::usage);
      }
      role = *chosen;
    }
    return detail::driver_program<D, Policies>(role).run(call);
  } catch (const driver_error& failure_) {
    return failure(failure_.status(), failure_.reason(), failure_.what(), exit_code::failed);
  } catch (const protocol_error& failure_) {
    // A value the driver's declaration does not allow: the request could not be used.
    return failure(status::bad_request, status::bad_request, failure_.what(), exit_code::bad_request);
  } catch (const std::exception& failure_) {
    return failure(status::failed, reason::unknown, failure_.what(), exit_code::failed);
  } catch (...) {
    return failure(status::failed, reason::unknown, "unknown error (a non-standard exception)", exit_code::failed);
  }
}

}  // namespace servokit
