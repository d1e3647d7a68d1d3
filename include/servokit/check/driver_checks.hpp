#pragma once
/// @file
/// The protocol checks of one driver (`PROTOCOL.md` sections 1-4), as `servokit-check` runs
/// them on a driver written in any language: it is only ever called as the agent calls it.
///
/// For an adjust driver: `version`, `info`, `query` (the descriptor rules), `adjust` (a request
/// generated from the descriptor that sets every setting to its current value, so checking
/// changes nothing), `cancel`, `bad_json`, `unknown_setting`, `stdout_json_only`. For a measure
/// driver the same with `describe`, `measure` (every described metric, a short duration) and
/// `wrong_types` (`metrics` a number) instead of `unknown_setting`.

#include <signal.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/check/driver_call.hpp>
#include <servokit/check/report.hpp>
#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/messages.hpp>
#include <servokit/protocol/validate.hpp>

namespace servokit::check {

/// The two kinds of driver.
namespace kind {
inline constexpr std::string_view adjust = "adjust";
inline constexpr std::string_view measure = "measure";
}  // namespace kind

/// How the checks call the driver.
struct check_options {
  std::string app_id = "servokit-check";                    ///< the app id argument
  std::chrono::milliseconds time_limit{60000};              ///< per call; longer is a hang
  std::chrono::milliseconds cancel_limit{5000};             ///< from SIGUSR1 to the driver's exit
  double measure_duration = 1;                              ///< control.duration of the measure check
  double cancel_duration = 60;                              ///< of the measurement that is cancelled
};

namespace detail {

/// The progress lines of `call` that break the protocol's shape (`progress` a number in 0-100);
/// empty when all are well-formed.
inline std::string progress_problems(const call_result& call) {
  for (const auto& line : call.json_lines) {
    if (!has_member(line, "progress")) continue;
    try {
      const auto progress = json::read<progress_line>(line);
      if (progress.progress < 0 || progress.progress > 100) return "progress out of 0-100 in " + excerpt(line);
    } catch (const std::exception& error) {
      return "malformed progress line " + excerpt(line) + ": " + error.what();
    }
  }
  return {};
}

/// Number of progress lines of `call`.
inline std::size_t progress_count(const call_result& call) {
  std::size_t count = 0;
  for (const auto& line : call.json_lines) count += has_member(line, "progress") ? 1 : 0;
  return count;
}

/// The JSON lines of `call` that are not progress lines (the final line is the last of them).
inline std::vector<std::string> result_lines(const call_result& call) {
  std::vector<std::string> results;
  for (const auto& line : call.json_lines) {
    if (!has_member(line, "progress")) results.push_back(line);
  }
  return results;
}

/// A bad request must be answered with one failure line (a status other than ok) and a
/// non-zero exit. Returns the problem, or "" when the answer is right.
inline std::string failure_answer_problem(const call_result& call) {
  if (call.could_not_start) return "could not start: " + call.start_error;
  if (!call.ended_by_itself()) return "did not end by itself";
  if (!call.done.status.exited() || call.done.status.code() == 0) return "it must exit non-zero, but " + call.done.status.describe();
  const auto results = result_lines(call);
  if (results.size() != 1) return "expected exactly one final JSON line, got " + std::to_string(results.size());
  try {
    const auto final_line = json::read<status_line>(results.front());
    if (final_line.status == status::ok) return "the final line says ok: " + excerpt(results.front());
  } catch (const std::exception& error) {
    return "the final line is not a status line: " + std::string(error.what());
  }
  return {};
}

/// An adjust request that sets every setting of `app` to its current value.
inline std::string current_values_request(const application& app) {
  application request;
  for (const auto& [component_name, declared] : app.components) {
    component wanted;
    for (const auto& [setting_name, setting_declared] : declared.settings) {
      setting value_only;
      if (setting_declared.value) {
        value_only.value = setting_declared.value;
      } else if (setting_declared.is_enum() && setting_declared.values && !setting_declared.values->empty()) {
        value_only.value = setting_declared.values->front();
      } else if (setting_declared.min) {
        value_only.value = scalar{*setting_declared.min};
      } else {
        continue;
      }
      wanted.settings[setting_name] = value_only;
    }
    request.components[component_name] = wanted;
  }
  return R"({"application":)" + json::to_json(request) + R"(,"control":{"userdata":{}}})";
}

/// A measure request for `metrics` with `duration` seconds.
inline std::string measure_request(const std::vector<std::string>& metrics, double duration) {
  return R"({"metrics":)" + json::to_json(metrics) + R"(,"control":{"duration":)" + json::to_json(duration) +
         R"(,"warmup":0,"delay":0,"userdata":{}}})";
}

/// Checks an operation (adjust or measure) that must succeed: exit 0, well-formed progress, at
/// least one progress line, and a final line read as `Final`. Returns the problem or "".
template <class Final>
std::string operation_problem(const call_result& call) {
  if (call.could_not_start) return "could not start: " + call.start_error;
  if (!call.ended_by_itself()) return "no answer within the time limit (killed)";
  if (!call.ok()) return "it failed: " + call.done.status.describe();
  if (auto problem = progress_problems(call); !problem.empty()) return problem;
  if (progress_count(call) == 0) return "no progress line: a driver reports progress while it works";
  const auto results = result_lines(call);
  if (results.size() != 1) return "expected exactly one final line, got " + std::to_string(results.size());
  try {
    const auto final_line = json::read<Final>(results.front());
    if (final_line.status != status::ok) return "the final line's status is not ok";
  } catch (const std::exception& error) {
    return "the final line " + excerpt(results.front()) + " breaks the protocol: " + error.what();
  }
  return {};
}

/// Records `problem` (failed) or a pass, with the call's description as the evidence.
inline void record(driver_report& report, std::string name, const std::string& problem, const call_result& call) {
  if (problem.empty()) {
    report.add(std::move(name), outcome::passed, call.describe());
  } else {
    report.add(std::move(name), outcome::failed, problem + "\n" + call.describe());
  }
}

}  // namespace detail

/// Runs every check of the protocol on the driver `program`, a driver of kind `driver_kind`
/// (`kind::adjust` or `kind::measure`), in `directory` (its servo directory).
inline driver_report check_driver(const std::filesystem::path& program, std::string_view driver_kind,
                                  const std::filesystem::path& directory, const check_options& options = {}) {
  using namespace detail;
  driver_report report;
  report.driver = program.string();
  report.kind = std::string(driver_kind);
  report.directory = directory.string();
  const bool is_adjust = driver_kind == kind::adjust;
  std::deque<call_result> calls;   // every call, for the stdout check at the end (a deque: references stay valid)

  const auto run = [&](std::vector<std::string> arguments, std::string request = {}) -> const call_result& {
    call how;
    how.program = program;
    how.arguments = std::move(arguments);
    how.request = std::move(request);
    how.directory = directory;
    how.time_limit = options.time_limit;
    calls.push_back(run_call(how));
    return calls.back();
  };

  // --version: one line, exit 0.
  {
    const auto& version = run({"--version"});
    std::string problem;
    if (!version.ended_by_itself()) problem = "no answer within the time limit (killed)";
    else if (!version.ok()) problem = "it failed: " + version.done.status.describe();
    else if (version.json_lines.size() + version.other_lines.size() != 1) problem = "expected one line on stdout";
    record(report, "version", problem, version);
  }

  // --info app: {"version": string, "has_cancel": bool}.
  bool has_cancel = false;
  {
    const auto& info = run({"--info", options.app_id});
    std::string problem;
    if (!info.ended_by_itself()) problem = "no answer within the time limit (killed)";
    else if (!info.ok()) problem = "it failed: " + info.done.status.describe();
    else if (info.json_lines.size() != 1) problem = "expected exactly one JSON line";
    else {
      try {
        has_cancel = json::read<driver_info>(info.json_lines.front()).has_cancel;
      } catch (const std::exception& error) {
        problem = std::string("not {\"version\": string, \"has_cancel\": bool}: ") + error.what();
      }
    }
    record(report, "info", problem, info);
  }

  // --query / --describe, against the descriptor rules; remembered for the requests.
  application descriptor;
  std::vector<std::string> metric_names;
  bool described = false;
  {
    const auto& query = run({is_adjust ? "--query" : "--describe", options.app_id});
    std::string problem;
    if (!query.ended_by_itself()) problem = "no answer within the time limit (killed)";
    else if (!query.ok()) problem = "it failed: " + query.done.status.describe();
    else if (query.json_lines.size() != 1) problem = "expected exactly one JSON line";
    else {
      try {
        if (is_adjust) {
          descriptor = json::read<application_descriptor>(query.json_lines.front()).application;
          validate_descriptor(descriptor);
          if (descriptor.components.empty()) problem = "the descriptor has no components";
        } else {
          const auto describe = json::read<describe_line>(query.json_lines.front());
          if (describe.status != status::ok) problem = "status is not ok";
          // No metrics is allowed: a driver such as servo-exec only runs stages, beside others.
          for (const auto& [name, unused] : describe.metrics) metric_names.push_back(name);
        }
      } catch (const std::exception& error) {
        problem = error.what();
      }
    }
    described = problem.empty();
    record(report, is_adjust ? "query" : "describe", problem, query);
  }

  // The operation with a generated request, then the bad requests.
  const std::string request = is_adjust ? current_values_request(descriptor) : measure_request(metric_names, options.measure_duration);
  if (!described) {
    report.add(is_adjust ? "adjust" : "measure", outcome::skipped,
               std::string("no valid ") + (is_adjust ? "descriptor" : "metrics") + " to build a request from");
  } else {
    const auto& operation = run({options.app_id}, request);
    const auto problem = is_adjust ? operation_problem<status_line>(operation) : operation_problem<measure_result_line>(operation);
    record(report, is_adjust ? "adjust" : "measure", problem, operation);
  }

  // Cancel by SIGUSR1 where --info promises it: ends within the limit with a failure line, and
  // leaves no process of its group behind.
  if (!has_cancel) {
    report.add("cancel", outcome::skipped, "--info says has_cancel is false (or could not be read): the agent kills such a driver");
  } else if (!described) {
    report.add("cancel", outcome::skipped, "no request to start an operation with");
  } else {
    call how;
    how.program = program;
    how.arguments = {options.app_id};
    how.request = is_adjust ? request : measure_request(metric_names, options.cancel_duration);
    how.directory = directory;
    how.signal_number = SIGUSR1;
    how.kill_group_on_exit = false;
    how.time_limit = how.signal_after + options.cancel_limit;
    calls.push_back(run_call(how));
    const auto& cancelled = calls.back();
    std::string problem;
    std::string when = cancelled.signal_sent_after.count() >= 0
                           ? "SIGUSR1 sent " + std::to_string(cancelled.signal_sent_after.count()) + " ms after the start"
                           : "SIGUSR1 not sent";
    // A driver that ends with exit 0 and an ok line all the same had finished its work by the
    // time the signal came (a measurement whose job was quick, an adjust to the current values):
    // it was not cancelled, so the check could not be exercised, which is no failure. One that
    // goes on working is caught by the limit, one that stops badly by the failure-line rules.
    const bool finished_first = cancelled.signal_sent_after.count() < 0 || cancelled.signal_after_final_line ||
                                (cancelled.ok() && !cancelled.group_left_behind);
    if (finished_first && cancelled.ok()) {
      report.add("cancel", outcome::skipped, "the operation ended ok before the cancel took effect\n" + cancelled.describe());
    } else {
      if (!cancelled.ended_by_itself()) {
        problem = "it did not end within " + std::to_string(options.cancel_limit.count()) + " ms of SIGUSR1 (killed)";
      } else if (auto answer = failure_answer_problem(cancelled); !answer.empty()) {
        problem = "after SIGUSR1: " + answer;
      } else if (cancelled.group_left_behind) {
        problem = "processes of its group were still running after it exited (killed)";
      }
      record(report, "cancel", problem.empty() ? problem : problem + " (" + when + ")", cancelled);
    }
  }

  {
    const auto& malformed = run({options.app_id}, "{\"this is\": not JSON");
    record(report, "bad_json", failure_answer_problem(malformed), malformed);
  }
  if (is_adjust) {
    std::string component_name = descriptor.components.empty() ? "servokit-check" : descriptor.components.begin()->first;
    const auto& unknown = run({options.app_id},
                              R"({"application":{"components":{)" + json::to_json(component_name) +
                                  R"(:{"settings":{"servokit_check_no_such_setting":{"value":1}}}}},"control":{"userdata":{}}})");
    record(report, "unknown_setting", failure_answer_problem(unknown), unknown);
  } else {
    // `metrics` is a list of names (or a map by name): a number is no request a driver can use.
    const auto& wrong = run({options.app_id}, R"({"metrics":5,"control":{"duration":0,"userdata":{}}})");
    record(report, "wrong_types", failure_answer_problem(wrong), wrong);
  }

  // Nothing but JSON lines on stdout, over every call above but --version (a plain string).
  std::string offender;
  std::size_t lines = 0;
  for (const auto& call : calls) {
    if (&call == &calls.front()) continue;
    lines += call.json_lines.size() + call.other_lines.size();
    if (offender.empty() && !call.other_lines.empty()) offender = call.what + " printed " + excerpt(call.other_lines.front());
  }
  if (offender.empty()) {
    report.add("stdout_json_only", outcome::passed, std::to_string(lines) + " stdout lines over " + std::to_string(calls.size()) + " calls, all JSON");
  } else {
    report.add("stdout_json_only", outcome::failed, offender);
  }
  return report;
}

}  // namespace servokit::check
