#pragma once
/// @file
/// `servo_loop<Transport>`: the agent. It speaks to a backend through any transport
/// (`servokit::transport::transport`) and owns the state machine of `PROTOCOL.md` sections 5 and
/// 9: HELLO, WHATS_NEXT, DESCRIBE/ADJUST/MEASURE/SLEEP, GOODBYE; re-synchronising after
/// `unexpected-event`; and stop requests (the signals of section 5). Two helpers do the rest:
/// `conversation` (servo/conversation.hpp) sends each event with its retry policy, and
/// `driver_runner` (servo/driver_runner.hpp) runs `./adjust`, `./measure` and `./environment`.
///
/// ```
/// servokit::servo::options opts;
/// opts.app_id = "my-app";
/// servokit::servo::read_environment(opts);             // $OPTUNE_IO_TIMEOUT, $SERVO_RETRY_DELAY_SEC...
/// servokit::transport::http_transport backend(http_options);
/// servokit::servo::servo_loop loop(opts, backend);
/// servokit::servo::signal_relay signals([&](auto kind, auto name) { loop.request_stop(kind, name); });
/// return loop.run();
/// ```
///
/// A transport that provides `bool finished() const` (an in-process backend whose work is done)
/// ends the loop: once it is true after an exchange, the loop sends GOODBYE `exit` and returns.

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <concepts>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <simdjson.h>

#include <servokit/json/write.hpp>
#include <servokit/servo/conversation.hpp>
#include <servokit/servo/driver_output.hpp>
#include <servokit/servo/driver_runner.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/servo/stop_control.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/transport/transport.hpp>

namespace servokit::servo {

/// A transport that can say the backend is done (an in-process optimizer whose budget is spent).
template <class T>
concept finishing_transport = requires(const T& connection) {
  { connection.finished() } -> std::convertible_to<bool>;
};

/// The exit codes of `servo_loop::run`.
namespace exit_code {
inline constexpr int ok = 0;                ///< stopped as asked (a signal, `finished()`)
inline constexpr int backend_refused = 1;   ///< the backend refused HELLO or WHATS_NEXT (a 3xx, a 4xx other than 404, 408, 429)
}  // namespace exit_code

/// The agent loop over a transport (see the file comment). One loop runs on one thread; only
/// `request_stop` may be called from others (a signal thread).
template <transport::transport Transport>
class servo_loop {
 public:
  /// The loop for `settings`, talking through `backend` (which must outlive it).
  servo_loop(options settings, Transport& backend)
      : options_(with_default_log(std::move(settings))),
        backend_(backend),
        conversation_(options_, backend, stops_),
        runner_(options_, stops_) {}
  servo_loop(const servo_loop&) = delete;
  servo_loop& operator=(const servo_loop&) = delete;

  /// Asks the loop to stop; thread-safe and quick, so a signal thread may call it.
  /// `terminate` stops a running driver and any wait at once and sends GOODBYE with `reason`
  /// (the signal's name, "SIGTERM" by default); a second `terminate` also cuts GOODBYE's retries.
  /// `exit` and `restart` let the current operation finish and report, then send GOODBYE `exit`
  /// or `restart`; after `restart`, `restart_requested()` tells the program to re-execute itself.
  /// Every wait ends on any of them: a SLEEP, `--delay`, and the retries of an event the backend
  /// did not take (GOODBYE's excepted).
  void request_stop(stop_request kind, std::string_view reason = {}) {
    stops_.request(kind, reason);
    runner_.wake();
  }

  /// Whether the loop ended on a `restart` request: the program should now re-execute itself.
  bool restart_requested() const noexcept { return ended_for_restart_; }

  /// Runs until a stop request (or the transport's `finished()`); returns the exit code
  /// (`exit_code::ok`, or `exit_code::backend_refused` when the backend refused HELLO or WHATS_NEXT).
  int run() {
    pause();
    if (!stops_.terminating()) {
      if (hello() == step::refused) return exit_code::backend_refused;
    }
    for (;;) {
      if (stops_.terminating()) return goodbye(stops_.terminate_reason());
      if (const auto graceful = stops_.graceful_request(); graceful != stop_control::graceful::none) {
        ended_for_restart_ = graceful == stop_control::graceful::restart;
        return goodbye(ended_for_restart_ ? "restart" : "exit");
      }
      if (backend_finished()) return goodbye("exit");
      switch (next_command()) {
        case step::refused: return exit_code::backend_refused;
        case step::resync:
          log("the backend reported an unexpected event: starting over (GOODBYE, HELLO)");
          send_goodbye("restart");
          if (!stops_.any() && hello() == step::refused) return exit_code::backend_refused;
          break;
        case step::done: break;
      }
    }
  }

 private:
  enum class step { done, resync, refused };

  /// Where a running driver's progress goes: the event and the command's uid.
  struct progress_target {
    std::string_view event;                          ///< ADJUSTMENT or MEASUREMENT
    std::string_view cmd_uid;                        ///< the command's uid, for the transport
    std::chrono::steady_clock::time_point started;   ///< for `runtime`
  };

  static options with_default_log(options settings) {
    if (!settings.log) {
      settings.log = [](log_level, std::string_view line) {
        std::string text(line);
        text += '\n';
        std::fwrite(text.data(), 1, text.size(), stderr);
      };
    }
    return settings;
  }

  // --- log -------------------------------------------------------------------------------

  void log(std::string_view line) { options_.log(log_level::operation, line); }
  static std::string seconds_text(std::chrono::steady_clock::duration elapsed) { return driver_runner::seconds_text(elapsed); }

  bool backend_finished() const {
    if constexpr (finishing_transport<Transport>) {
      return static_cast<bool>(std::as_const(backend_).finished());
    } else {
      return false;
    }
  }

  /// Between a command and its result, and before HELLO: Enter in interactive mode, else `delay`.
  void pause() {
    if (options_.interactive) {
      log("Press <Enter> to continue...");
      char byte = 0;
      while (!stops_.any()) {
        pollfd ready{options_.input, POLLIN, 0};
        if (::poll(&ready, 1, 200) <= 0) continue;
        const ssize_t got = ::read(options_.input, &byte, 1);
        if (got <= 0) {
          options_.interactive = false;  // no more input: go on without asking again
          return;
        }
        if (byte == '\n') return;
      }
    } else if (options_.delay.count() > 0) {
      stops_.wait_for(options_.delay);
    }
  }

  // --- exchanges ---------------------------------------------------------------------------

  answer send(std::string_view event, const std::string& param_json, std::string_view cmd_uid, retries policy,
              std::stop_token stop) {
    return conversation_.send(event, param_json, cmd_uid, policy, stop);
  }

  /// HELLO with the agent's name.
  step hello() {
    std::string param;
    json::writer out(param);
    out.begin_object();
    out.key("agent");
    out.string(options_.agent);
    out.end_object();
    const answer reply = send("HELLO", param, {}, retries::forever, stops_.terminate_token());
    if (reply.refused) return step::refused;
    if (reply.delivered) log("HELLO sent (agent " + options_.agent + ", app " + options_.app_id + ")");
    return step::done;
  }

  /// GOODBYE with `reason` (three retries; a second terminate request cuts them), then exit 0.
  int goodbye(const std::string& reason) {
    send_goodbye(reason);
    return exit_code::ok;
  }
  void send_goodbye(const std::string& reason) {
    std::string param;
    json::writer out(param);
    out.begin_object();
    out.key("reason");
    out.string(reason);
    out.end_object();
    const answer reply = send("GOODBYE", param, {}, retries::three_times, stops_.force_token());
    log(reply.delivered ? "GOODBYE sent (" + reason + ")" : "GOODBYE (" + reason + ") could not be sent");
  }

  /// Sends a command's result event; `unexpected-event` asks for re-synchronisation.
  step report(std::string_view event, const std::string& param, std::string_view cmd_uid) {
    const answer reply = send(event, param, cmd_uid, retries::forever, stops_.terminate_token());
    if (!reply.delivered) return step::done;
    return check_status(event, reply);
  }

  step check_status(std::string_view event, const answer& reply) {
    if (reply.status == "unexpected-event") {
      log(std::string(event) + ": unexpected-event: " + reply.reason.value_or(""));
      return step::resync;
    }
    if (reply.status == "invalid") log(std::string(event) + ": the backend answered invalid: " + reply.reason.value_or(""));
    return step::done;
  }

  // --- commands ----------------------------------------------------------------------------

  /// One WHATS_NEXT and the command it brings. A reply without a command to run is followed by
  /// a growing wait (see `conversation::wait_after_idle_reply`), never by WHATS_NEXT at once.
  step next_command() {
    const answer reply = send("WHATS_NEXT", "null", {}, retries::forever, stops_.terminate_token());
    if (reply.refused) return step::refused;
    if (!reply.delivered) return step::done;
    if (check_status("WHATS_NEXT", reply) == step::resync) return step::resync;
    const std::optional<std::string> command = detail::string_member(reply.body, "cmd");
    if (!command) {
      log("WHATS_NEXT: the reply has no command (\"cmd\"): " + excerpt(conversation_.reply_text()) + "; asking again");
      pause();
      conversation_.wait_after_idle_reply();
      return step::done;
    }
    // The command's uid is echoed exactly as it came (a string or a number) in every event.
    std::string cmd_uid_json, cmd_uid;
    if (const auto uid = detail::member(reply.body, "cmd_uid"); uid && !uid->is_null()) {
      cmd_uid_json = simdjson::minify(*uid);
      std::string_view text;
      cmd_uid = uid->get_string().get(text) == simdjson::SUCCESS ? std::string(text) : cmd_uid_json;
    }
    std::string param = "{}";
    if (const auto given = detail::member(reply.body, "param"); given && given->is_object()) {
      param = simdjson::minify(*given);
    }
    command_ = {*command, std::move(cmd_uid_json), std::move(cmd_uid)};
    if (*command != "SLEEP") conversation_.command_received();

    if (*command == "DESCRIBE" || *command == "ADJUST" || *command == "MEASURE") {
      const std::string event = *command == "DESCRIBE" ? "DESCRIPTION" : *command + "MENT";
      if (std::optional<std::string> mismatch = check_environment(param)) {
        log(*command + " ./environment: environment-mismatch: " + std::string(first_line(*mismatch)));
        pause();
        return report(event, failure_param("environment-mismatch", std::nullopt, *mismatch), command_.uid);
      }
      if (stops_.terminating()) return step::done;
      if (*command == "DESCRIBE") return describe();
      if (*command == "ADJUST") return adjust(param);
      return measure(param);
    }
    if (*command == "SLEEP") return sleep(param);
    log("WHATS_NEXT: unknown command \"" + excerpt(*command, 60) + "\"; ignoring it");
    pause();
    conversation_.wait_after_idle_reply();
    return step::done;
  }

  /// The current command: its name and uid (as JSON, and as text for the transport).
  struct current_command {
    std::string name;
    std::string uid_json;
    std::string uid;
  };

  /// `{"status": ..., "message": ..., "reason": ..., "cmd_uid": ...}`.
  std::string failure_param(std::string_view status, std::optional<std::string_view> reason, std::string_view message) {
    std::string param;
    json::writer out(param);
    out.begin_object();
    out.key("status");
    out.string(status);
    out.key("message");
    out.string(message);
    if (reason) {
      out.key("reason");
      out.string(*reason);
    }
    add_cmd_uid(out);
    out.end_object();
    return param;
  }
  void add_cmd_uid(json::writer& out) {
    if (command_.uid_json.empty()) return;
    out.key("cmd_uid");
    out.raw(command_.uid_json);
  }

  /// The result of a failed run, as its command reports it.
  step report_failure(std::string_view event, const driver_run& run, std::string_view what,
                      std::chrono::steady_clock::time_point started) {
    const bool cancelled = run.kind == driver_run::outcome::cancelled;
    log(command_.name + " " + std::string(what) + ": " + run.status + " " +
        seconds_text(std::chrono::steady_clock::now() - started) + ": " + excerpt(first_line(run.message)));
    pause();
    return report(event,
                  failure_param(run.status, cancelled ? std::nullopt : std::optional<std::string_view>(run.reason),
                                run.message),
                  command_.uid);
  }

  /// `./environment` with the command's param, when the param's control has `environment`.
  /// Returns the mismatch message, or nothing when the check passed or was not asked for.
  std::optional<std::string> check_environment(const std::string& param) {
    simdjson::dom::element parsed;
    if (line_parser_.parse(param).get(parsed) != simdjson::SUCCESS) return std::nullopt;
    const auto control = detail::member(parsed, "control");
    const auto wanted = control ? detail::member(*control, "environment") : std::nullopt;
    if (!wanted || wanted->is_null()) return std::nullopt;
    driver_run run = run_driver("./environment", {}, param, nullptr);
    if (run.kind == driver_run::outcome::stopped) return std::nullopt;
    if (run.kind != driver_run::outcome::completed) return run.message;
    simdjson::dom::element result;
    if (line_parser_.parse(run.final_line).get(result) != simdjson::SUCCESS) return std::nullopt;
    const std::string status = detail::string_member(result, "status").value_or("undefined");
    if (status == "ok") return std::nullopt;
    return "Environment plugin failed with status \"" + status + "\" and message:\n" +
           detail::string_member(result, "message").value_or("undefined") + "\nresponse: " + run.final_line;
  }

  /// DESCRIBE: `./adjust --query` and `./measure --describe`, joined into the descriptor.
  step describe() {
    const auto started = std::chrono::steady_clock::now();
    std::string application, metrics;
    for (auto [driver, flag, kind, key, part] : {std::tuple{"./adjust", "--query", "Adjust", "application", &application},
                                                std::tuple{"./measure", "--describe", "Measure", "metrics", &metrics}}) {
      driver_run run = run_driver(driver, {flag, options_.app_id}, {}, nullptr);
      if (run.kind == driver_run::outcome::stopped) return step::done;
      if (run.kind == driver_run::outcome::completed && !descriptor_part(run, kind, key, *part)) {
        run.kind = driver_run::outcome::failed;
      }
      if (run.kind != driver_run::outcome::completed) {
        return report_failure("DESCRIPTION", run, std::string(driver) + " " + flag, started);
      }
    }

    std::string param;
    json::writer out(param);
    out.begin_object();
    out.key("status");
    out.string("ok");
    out.key("descriptor");
    out.begin_object();
    out.key("application");
    out.raw(application);
    out.key("measurement");
    out.begin_object();
    out.key("metrics");
    out.raw(metrics);
    out.end_object();
    if (options_.perf) {
      out.key("optimization");
      out.begin_object();
      out.key("perf");
      out.string(*options_.perf);
      out.end_object();
    }
    out.end_object();
    add_cmd_uid(out);
    out.end_object();
    log("DESCRIBE ./adjust --query, ./measure --describe: ok " + seconds_text(std::chrono::steady_clock::now() - started));
    pause();
    return report("DESCRIPTION", param, command_.uid);
  }

  /// Takes `key` (application or metrics) from a describing driver's result line into `part`;
  /// on failure, fills `run` with the reason and returns false.
  bool descriptor_part(driver_run& run, std::string_view kind, std::string_view key, std::string& part) {
    simdjson::dom::element result;
    if (line_parser_.parse(run.final_line).get(result) != simdjson::SUCCESS || !result.is_object()) {
      run.message = std::string(kind) + " driver printed a result that is not a JSON object: " + excerpt(run.final_line);
      return false;
    }
    const std::string status = detail::string_member(result, "status").value_or("ok");
    if (status != "ok") {
      run.status = status;
      run.reason = detail::string_member(result, "reason").value_or("unknown");
      run.message = std::string(kind) + " driver failed with status \"" + status + "\" and message \"" +
                    detail::string_member(result, "message").value_or("undefined") + "\"";
      return false;
    }
    if (key == "application") {
      if (auto application = detail::raw_member(result, "application")) {
        part = std::move(*application);
      } else if (detail::member(result, "components")) {
        part = run.final_line;  // a legacy driver's bare {"components": ...}: it is the application
        simdjson::dom::element legacy;
        if (line_parser_.parse(run.final_line).get(legacy) == simdjson::SUCCESS) part = simdjson::minify(legacy);
      } else {
        part = "{}";
      }
      return true;
    }
    const auto metrics = detail::member(result, "metrics");
    part = metrics && metrics->is_object() ? with_perf_alias(*metrics) : (metrics ? simdjson::minify(*metrics) : "{}");
    return true;
  }

  /// The metrics object, with `perf` copied from `requests throughput` when it lacks one (the
  /// original's legacy rule for the ab driver).
  static std::string with_perf_alias(simdjson::dom::element metrics) {
    const auto throughput = detail::member(metrics, "requests throughput");
    if (!throughput || detail::member(metrics, "perf")) return simdjson::minify(metrics);
    std::string text = simdjson::minify(metrics);
    text.pop_back();  // the closing brace
    text += ",\"perf\":" + simdjson::minify(*throughput) + "}";
    return text;
  }

  /// ADJUST: the state with the command's control added, to `./adjust`; the result is the state
  /// that was asked for.
  step adjust(const std::string& param) {
    const auto started = std::chrono::steady_clock::now();
    simdjson::dom::element parsed;
    std::string state, request;
    if (line_parser_.parse(param).get(parsed) == simdjson::SUCCESS) {
      const auto given = detail::member(parsed, "state");
      if (given && given->is_object()) {
        state = simdjson::minify(*given);
        json::writer out(request);
        out.begin_object();
        const simdjson::dom::object state_object = given->get_object().value_unsafe();  // held: a temporary would dangle
        for (auto field : state_object) {
          if (field.key == "control") continue;
          out.key(field.key);
          out.raw(simdjson::minify(field.value));
        }
        out.key("control");
        const auto control = detail::member(parsed, "control");
        out.raw(control && control->is_object() ? simdjson::minify(*control) : std::string("{}"));
        out.end_object();
      }
    }
    if (state.empty()) {
      driver_run refused;
      refused.message = "ADJUST command without a \"state\" object: " + excerpt(param);
      return report_failure("ADJUSTMENT", refused, "./adjust", started);
    }
    progress_target progress{"ADJUSTMENT", command_.uid, started};
    driver_run run = run_driver("./adjust", {options_.app_id}, std::move(request), &progress);
    if (run.kind == driver_run::outcome::stopped) return step::done;
    if (run.kind == driver_run::outcome::resync) return step::resync;
    if (run.kind == driver_run::outcome::completed) check_result_status(run, "Adjustment");
    if (run.kind != driver_run::outcome::completed) return report_failure("ADJUSTMENT", run, "./adjust", started);

    std::string result;
    json::writer out(result);
    out.begin_object();
    out.key("state");
    out.raw(state);
    add_cmd_uid(out);
    out.end_object();
    log("ADJUST ./adjust: ok " + seconds_text(std::chrono::steady_clock::now() - started));
    pause();
    return report("ADJUSTMENT", result, command_.uid);
  }

  /// A completed run whose result line has a status other than `ok` becomes a failure.
  void check_result_status(driver_run& run, std::string_view operation) {
    simdjson::dom::element result;
    if (line_parser_.parse(run.final_line).get(result) != simdjson::SUCCESS || !result.is_object()) {
      run.kind = driver_run::outcome::failed;
      run.message = std::string(operation) + " driver printed a result that is not a JSON object: " + excerpt(run.final_line);
      return;
    }
    const std::string status = detail::string_member(result, "status").value_or("undefined");
    if (status == "ok") return;
    run.kind = driver_run::outcome::failed;
    run.status = status;
    run.reason = detail::string_member(result, "reason").value_or("undefined");
    run.message = cap_message(std::string(operation) + " driver failed with status \"" + status + "\" and message:\n" +
                              detail::string_member(result, "message").value_or("undefined"));
  }

  /// MEASURE: the param to `./measure` unchanged; the result is its metrics (and annotations).
  step measure(const std::string& param) {
    const auto started = std::chrono::steady_clock::now();
    progress_target progress{"MEASUREMENT", command_.uid, started};
    driver_run run = run_driver("./measure", {options_.app_id}, param, &progress);
    if (run.kind == driver_run::outcome::stopped) return step::done;
    if (run.kind == driver_run::outcome::resync) return step::resync;
    if (run.kind == driver_run::outcome::completed) check_result_status(run, "Measurement");
    std::string result;
    if (run.kind == driver_run::outcome::completed) {
      simdjson::dom::element parsed;
      const bool readable = line_parser_.parse(run.final_line).get(parsed) == simdjson::SUCCESS;  // it was before
      const auto metrics = readable ? detail::member(parsed, "metrics") : std::nullopt;
      if (!metrics || !detail::truthy(*metrics)) {
        run.kind = driver_run::outcome::failed;
        run.message = "Measurement driver returned no metrics";
      } else {
        json::writer out(result);
        out.begin_object();
        out.key("metrics");
        out.raw(metrics->is_object() ? with_perf_alias(*metrics) : simdjson::minify(*metrics));
        if (const auto annotations = detail::member(parsed, "annotations"); annotations && detail::truthy(*annotations)) {
          out.key("annotations");
          out.raw(simdjson::minify(*annotations));
        }
        add_cmd_uid(out);
        out.end_object();
      }
    }
    if (run.kind != driver_run::outcome::completed) return report_failure("MEASUREMENT", run, "./measure", started);
    log("MEASURE ./measure: ok " + seconds_text(std::chrono::steady_clock::now() - started));
    pause();
    return report("MEASUREMENT", result, command_.uid);
  }

  /// SLEEP: `duration` seconds (checked: a negative or NaN is refused, anything above 10^9 s is
  /// 10^9 s), 120 when missing or unusable; skipped in interactive mode. Any stop request ends it.
  step sleep(const std::string& param) {
    double duration = 120;
    std::string why;
    simdjson::dom::element parsed;
    if (line_parser_.parse(param).get(parsed) == simdjson::SUCCESS) {
      if (const auto given = detail::member(parsed, "duration")) {
        try {
          duration = detail::seconds_value(*given, "SLEEP duration").value_or(120);
        } catch (const seconds_error& error) {
          log(std::string(error.what()) + "; sleeping 120 s instead");
        }
      }
      if (const auto data = detail::member(parsed, "data")) {
        const auto status = detail::string_member(*data, "status");
        why = (status ? *status + ": " : std::string()) + detail::string_member(*data, "reason").value_or("");
      }
    }
    char text[64];
    std::snprintf(text, sizeof text, "SLEEP %g s", duration);
    if (options_.interactive) {
      log(std::string(text) + " (skipped: interactive)" + (why.empty() ? "" : ": " + why));
      pause();
      return step::done;
    }
    log(std::string(text) + (why.empty() ? "" : ": " + why));
    stops_.wait_for(seconds(duration));
    return step::done;
  }

  // --- drivers -----------------------------------------------------------------------------

  /// Sends a progress event; returns the backend's status and reason.
  answer send_progress(const progress_target& target, std::string_view progress_json, std::optional<std::string_view> message) {
    std::string param;
    json::writer out(param);
    out.begin_object();
    out.key("progress");
    out.raw(progress_json);
    out.key("runtime");
    out.integer(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - target.started).count());
    if (message) {
      out.key("message");
      out.string(*message);
    }
    add_cmd_uid(out);
    out.end_object();
    return send(target.event, param, target.cmd_uid, retries::once, stops_.terminate_token());
  }

  /// What a progress reply asks for.
  progress_verdict judge_progress(const progress_target& target, const answer& reply, std::string& cancel_reason) {
    if (!reply.delivered) return progress_verdict::go_on;
    if (reply.status == "cancel") {
      cancel_reason = reply.reason && !reply.reason->empty() ? *reply.reason : "cancelled by the backend";
      log(std::string(target.event) + ": the backend cancelled the operation: " + cancel_reason);
      return progress_verdict::cancel;
    }
    if (check_status(target.event, reply) == step::resync) return progress_verdict::resync;
    return progress_verdict::go_on;
  }

  /// Runs `driver arguments... < input` (`driver_runner::run`), relaying progress to `progress`
  /// when given (then "starting driver" first and `--info` for cancel). Never throws for a
  /// driver's failure.
  driver_run run_driver(const std::string& driver, std::vector<std::string> arguments, std::string input,
                        const progress_target* progress) {
    driver_run run;
    std::string cancel_reason;
    bool has_cancel = false;
    if (progress != nullptr) {
      const answer reply = send_progress(*progress, "0", "starting driver");
      if (stops_.terminating()) return stopped(run);
      switch (judge_progress(*progress, reply, cancel_reason)) {
        case progress_verdict::cancel:
          log(driver + " not started: cancelled before it began");
          return cancelled(run, cancel_reason);
        case progress_verdict::resync: run.kind = driver_run::outcome::resync; return run;
        case progress_verdict::go_on: break;
      }
      const std::optional<bool> cancel_support = runner_.has_cancel(driver, run);
      if (!cancel_support) return run;
      has_cancel = *cancel_support;
    }
    const progress_relay relay = [&](std::string_view progress_json, std::optional<std::string_view> message) {
      return judge_progress(*progress, send_progress(*progress, progress_json, message), cancel_reason);
    };
    run = runner_.run(driver, std::move(arguments), std::move(input), progress != nullptr ? &relay : nullptr, has_cancel);
    if (run.kind == driver_run::outcome::cancelled) return cancelled(run, cancel_reason);
    return run;
  }

  static driver_run& stopped(driver_run& run) {
    run.kind = driver_run::outcome::stopped;
    return run;
  }
  static driver_run& cancelled(driver_run& run, std::string reason) {
    run.kind = driver_run::outcome::cancelled;
    run.status = "cancelled";
    run.message = std::move(reason);
    return run;
  }

  options options_;
  Transport& backend_;
  stop_control stops_;
  conversation<Transport> conversation_;
  driver_runner runner_;
  simdjson::dom::parser line_parser_;
  current_command command_;
  bool ended_for_restart_ = false;
};

}  // namespace servokit::servo
