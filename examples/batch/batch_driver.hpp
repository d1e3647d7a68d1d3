#pragma once
/// @file
/// servo-batch as one servokit driver type that is both an adjust driver (query, adjust: store the
/// values) and a measure driver (describe, measure: run the job, time it, take metrics from its
/// stdout). `servokit::run` picks the role from the program's name or `--role`.

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <servokit/driver.hpp>
#include <servokit/json/read.hpp>
#include <servokit/process.hpp>
#include <servokit/protocol.hpp>
#include <servokit/text.hpp>

#include "batch_config.hpp"
#include "output_scanner.hpp"
#include "state_store.hpp"

namespace batch {

using servokit::text::format_value;

/// How much of the job's stdout and stderr is kept for messages: the end of each.
inline constexpr std::size_t kept_output_bytes = 16 * 1024;
/// How long a cancelled job gets between SIGTERM and SIGKILL to its process group.
inline constexpr std::chrono::seconds cancel_grace{2};

namespace detail {

/// The end of `text`, at most `limit` bytes, for a message.
inline std::string ending(std::string_view text, std::size_t limit = 4096) {
  if (text.size() <= limit) return std::string(text);
  return "[...] " + std::string(text.substr(text.size() - limit));
}

/// A declared bound (min, max, step, kept as double) as a template shows it: a whole number as an
/// int (`1`, as the config most likely wrote it), anything else as a float.
inline format_value number_value(double number) {
  if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
    return format_value(static_cast<std::int64_t>(number));
  }
  return format_value(number);
}

/// A free-form JSON part of the request as a template value.
inline format_value json_value(const servokit::raw_json& raw) {
  if (raw.empty()) return format_value();
  return servokit::json::read<format_value>(raw.text());
}

/// The measure request's `control`, as the template's `control` / `_control`.
inline format_value control_value(const servokit::measure_control& control) {
  // Every key the backend sent, as it sent it (2 stays 2, 2.0 stays 2.0). A control that was not
  // read from a request (the request had none) holds nothing: an empty object.
  return control.as_received.empty() ? format_value::empty_object() : json_value(control.as_received);
}

/// A setting's declaration and current value as the seed dialect's `state[...]` shows them.
inline format_value setting_value(const servokit::setting& setting) {
  format_value value = format_value::empty_object();
  if (setting.type) value.set("type", *setting.type);
  if (setting.min) value.set("min", number_value(*setting.min));
  if (setting.max) value.set("max", number_value(*setting.max));
  if (setting.step) value.set("step", number_value(*setting.step));
  if (setting.unit) value.set("unit", *setting.unit);
  if (setting.values) {
    format_value::list values;
    for (const auto& each : *setting.values) values.push_back(format_value::from_scalar(each));
    value.set("values", format_value(std::move(values)));
  }
  if (setting.pinned) value.set("pinned", *setting.pinned);
  if (setting.value) value.set("value", format_value::from_scalar(*setting.value));
  return value;
}

/// A metric's captured text as the value to report: a number when it spells one, else the text.
inline servokit::scalar metric_scalar(const std::string& text) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  std::int64_t integer = 0;
  if (auto [stop, error] = std::from_chars(begin, end, integer); error == std::errc{} && stop == end && !text.empty()) {
    return integer;
  }
  double number = 0;
  if (auto [stop, error] = std::from_chars(begin, end, number); error == std::errc{} && stop == end && std::isfinite(number)) {
    return number;
  }
  return text;
}

}  // namespace detail

/// The application with its current values: the last adjusted ones, else the config's initial
/// ones. A stored value that the config no longer allows is ignored (and said so on stderr).
inline servokit::application current_application(const batch_config& config) {
  servokit::application current = config.declared;
  std::optional<stored_application> stored;
  {
    state_lock lock(false);
    stored = read_state();
  }
  if (!stored) return current;
  for (auto& [component_name, component] : current.components) {
    auto stored_component = stored->components.find(component_name);
    if (stored_component == stored->components.end()) continue;
    for (auto& [setting_name, setting] : component.settings) {
      auto stored_setting = stored_component->second.settings.find(setting_name);
      if (stored_setting == stored_component->second.settings.end() || !stored_setting->second.value) continue;
      servokit::setting candidate = setting;
      candidate.value = stored_setting->second.value;
      const auto problems = servokit::setting_problems(component_name + "." + setting_name, candidate);
      if (problems.empty()) {
        setting.value = candidate.value;
      } else {
        std::fprintf(stderr, "servokit-batch: ignoring the stored value of %s.%s, which the config no longer allows: %s\n",
                     component_name.c_str(), setting_name.c_str(), problems.front().c_str());
      }
    }
  }
  return current;
}

/// The names a command template sees, per dialect: `state` and `control` (seed), or one name per
/// component with its settings' values, and `_control` (later dialect).
inline format_value template_names(const batch_config& config, const servokit::application& current,
                                   const servokit::measure_control& control) {
  format_value names = format_value::empty_object();
  if (config.form == dialect::default_state) {
    format_value components = format_value::empty_object();
    for (const auto& [component_name, component] : current.components) {
      format_value settings = format_value::empty_object();
      for (const auto& [setting_name, setting] : component.settings) settings.set(setting_name, detail::setting_value(setting));
      components.set(component_name, format_value::make_object({{"settings", std::move(settings)}}));
    }
    format_value application = format_value::make_object({{"components", std::move(components)}});
    if (current.annotations) application.set("annotations", detail::json_value(*current.annotations));
    names.set("state", format_value::make_object({{"application", std::move(application)}}));
    names.set("control", detail::control_value(control));
  } else {
    for (const auto& [component_name, component] : current.components) {
      format_value settings = format_value::empty_object();
      for (const auto& [setting_name, setting] : component.settings) {
        settings.set(setting_name, setting.value ? format_value::from_scalar(*setting.value) : format_value());
      }
      names.set(component_name, std::move(settings));
    }
    names.set("_control", detail::control_value(control));
  }
  return names;
}

/// What a finished job left: how it ended, how long it took, the ends of its output.
struct job_outcome {
  servokit::process::completion done;
  double seconds = 0;
  bool cancelled = false;
};

/// Runs `command_text` with `/bin/sh -c` in its own process group, feeding stdout to `scanner`,
/// reporting progress against `expected_seconds`, and stopping the whole group when `stop` is
/// requested (SIGTERM, SIGKILL after `cancel_grace`). Whatever the job leaves running in its
/// group when it ends is killed: nothing it started outlives the measurement.
inline job_outcome run_job(const std::string& command_text, output_scanner& scanner, double expected_seconds,
                           servokit::progress& progress, servokit::stop_token stop) {
  namespace process = servokit::process;
  using clock = std::chrono::steady_clock;
  process::event_loop loop;
  process::child_options options;
  options.out.on_chunk = [&scanner](std::string_view chunk) { scanner.feed(chunk); };
  options.out.capture = {kept_output_bytes, process::keep::tail};
  options.err.capture = {kept_output_bytes, process::keep::tail};
  options.cancel = stop;
  options.stopping.signal = SIGTERM;
  options.stopping.grace = cancel_grace;
  options.stopping.kill_group_on_exit = true;

  const auto started = clock::now();
  std::optional<process::child> job;
  try {
    job.emplace(loop, process::command::shell(command_text), std::move(options));
  } catch (const process::spawn_error& failure) {
    throw servokit::driver_error(std::string("cannot start the job: ") + failure.what());
  }

  process::event_loop::handle progress_timer = 0;
  int reported_percent = 0;
  std::function<void()> report_progress = [&] {
    const double elapsed = std::chrono::duration<double>(clock::now() - started).count();
    // Capped below 100: a job that runs past its expected duration is not done until it ends.
    const int percent = static_cast<int>(std::min(99.0, std::floor(elapsed / expected_seconds * 100)));
    if (percent != reported_percent) {
      reported_percent = percent;
      progress.report(percent, "running the job");
    }
    progress_timer = loop.start_timer(std::chrono::seconds(1), report_progress);
  };
  progress_timer = loop.start_timer(std::chrono::seconds(1), report_progress);

  job_outcome outcome;
  outcome.done = std::move(job->wait());
  outcome.seconds = std::chrono::duration<double>(clock::now() - started).count();
  outcome.cancelled = outcome.done.cancelled();
  loop.cancel_timer(progress_timer);
  scanner.finish();
  job.reset();
  return outcome;
}

/// servo-batch: adjust stores the values, query reports them, measure runs the configured job.
struct batch_driver {
  static constexpr std::string_view name = "batch";
  static constexpr std::string_view version = "1.0.0";
  using config = batch_config;

  /// `adjust --query`: the declared settings with their current values.
  servokit::application query(const config& cfg) { return current_application(cfg); }

  /// `adjust`: checks every requested value against the declaration, then merges the values over
  /// the stored ones and writes the state atomically.
  void adjust(const config& cfg, const servokit::adjust_request& request, servokit::progress& progress) {
    servokit::validate_adjustment(cfg.declared, request.application);
    {
      state_lock lock(true);
      stored_application stored;
      try {
        if (auto previous = read_state()) stored = std::move(*previous);
      } catch (const servokit::config::error& failure) {
        std::fprintf(stderr, "servokit-batch: replacing a state file that cannot be read: %s\n", failure.what());
      }
      for (const auto& [component_name, component] : request.application.components) {
        for (const auto& [setting_name, setting] : component.settings) {
          stored.components[component_name].settings[setting_name].value = setting.value;
        }
      }
      write_state(stored);
    }
    progress.report(100, "stored");
  }

  /// `measure --describe`: total_runtime and the configured metrics.
  servokit::metric_descriptors describe(const config& cfg) {
    servokit::metric_descriptors metrics;
    metrics[total_runtime].unit = "seconds";
    for (const auto& metric : cfg.metrics) metrics[metric.name].unit = metric.unit;
    return metrics;
  }

  /// `measure`: runs the job, reports total_runtime and each requested metric from its stdout.
  servokit::measurement measure(const config& cfg, const servokit::measure_request& request,
                                servokit::progress& progress, servokit::stop_token stop) {
    // Every requested metric must be known before an hour-long job starts, not after.
    std::vector<const compiled_metric*> wanted;
    for (const auto& metric_name : request.metric_names()) {
      if (metric_name == total_runtime) continue;
      const auto known = std::find_if(cfg.metrics.begin(), cfg.metrics.end(),
                                      [&](const compiled_metric& metric) { return metric.name == metric_name; });
      if (known == cfg.metrics.end()) {
        std::string available(total_runtime);
        for (const auto& metric : cfg.metrics) available += ", " + metric.name;
        throw servokit::driver_error("unknown metric \"" + metric_name + "\" (batch measures: " + available + ")");
      }
      if (std::find(wanted.begin(), wanted.end(), &*known) == wanted.end()) wanted.push_back(&*known);
    }
    if (request.metric_names().empty()) {
      for (const auto& metric : cfg.metrics) wanted.push_back(&metric);
    }

    const auto current = current_application(cfg);
    std::string command_text;
    try {
      command_text = cfg.command->render(template_names(cfg, current, request.control_or_default()));
    } catch (const servokit::text::format_error& failure) {
      throw servokit::driver_error(std::string("batch.command: the template cannot be filled in: ") + failure.what());
    }

    progress.report(0, "running the job");
    output_scanner scanner(wanted);
    const job_outcome outcome = run_job(command_text, scanner, cfg.expected_duration_seconds, progress, stop);
    if (outcome.cancelled) return {};   // servokit::run reports the cancel, naming the signal

    const auto& done = outcome.done;
    if (!done.ok()) {
      throw servokit::driver_error("the job " + done.describe() + "; command: " + detail::ending(command_text, 1024) +
                                   "; end of stderr: " + detail::ending(done.err.tail()));
    }
    servokit::measurement result;
    // Always reported, asked for or not, as the original did: it is what the job is measured by.
    result.metrics[total_runtime] = {servokit::scalar{outcome.seconds}, "seconds", std::nullopt};
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const auto& found = scanner.found(i);
      if (!found) {
        throw servokit::driver_error("metric \"" + wanted[i]->name + "\": the regex \"" + wanted[i]->regex_text +
                                     "\" matched no line of the job's stdout (" + std::to_string(scanner.bytes()) +
                                     " bytes); end of stdout: " + detail::ending(done.out.tail()));
      }
      result.metrics[wanted[i]->name] = {detail::metric_scalar(*found), wanted[i]->unit, std::nullopt};
    }
    result.annotations = current.annotations;
    return result;
  }
};

}  // namespace batch
