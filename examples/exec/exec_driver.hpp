#pragma once
/// @file
/// servo-exec as a servokit measure driver: runs the configured tasks in the stages pre, start,
/// (wait for the measurement), stop and post, on one event loop that serves child processes, HTTP
/// requests and background tasks together. It measures nothing itself.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <list>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/driver.hpp>
#include <servokit/http.hpp>
#include <servokit/process.hpp>
#include <servokit/protocol.hpp>
#include <servokit/text/seconds.hpp>

#include "exec_config.hpp"

namespace exec {

namespace process = servokit::process;
namespace http = servokit::http;
using clock = std::chrono::steady_clock;

/// How much of a task's stdout and stderr is kept for messages (the end of each).
inline constexpr std::size_t kept_output_bytes = 16 * 1024;
/// How much output (or response body) one message quotes: its end.
inline constexpr std::size_t quoted_output_bytes = 2048;
/// Between SIGTERM and SIGKILL to a task's process group (the original waited 0.5 s).
inline constexpr std::chrono::milliseconds kill_grace{500};
/// After a cancel, the longest a `post` task may run (its own `timeout` when shorter): the agent
/// is waiting for the cancel to complete.
inline constexpr std::chrono::seconds post_limit_after_cancel{30};
/// How often the output of background tasks with `notify` is relayed.
inline constexpr std::chrono::seconds relay_interval{1};

/// The four stages in the order they run.
enum class stage { pre, start, stop, post };

/// "pre", "start", "stop", "post".
inline std::string_view stage_name(stage which) {
  switch (which) {
    case stage::pre: return "pre";
    case stage::start: return "start";
    case stage::stop: return "stop";
    case stage::post: return "post";
  }
  return "?";
}

namespace detail {

/// The end of `text`, at most `limit` bytes, marked when cut.
inline std::string ending(std::string_view text, std::size_t limit = quoted_output_bytes) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.size() <= limit) return std::string(text);
  return "[...]" + std::string(text.substr(text.size() - limit));
}

/// `ranges` as the config would write them: "200-399, 876".
inline std::string describe_codes(const code_ranges& codes) {
  std::string text;
  for (const auto& [low, high] : codes.ranges) {
    if (!text.empty()) text += ", ";
    text += low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
  }
  return text;
}

/// Longest wait or timeout honoured (about 31 years): beyond, the clock's arithmetic would overflow.
inline constexpr double longest_seconds = servokit::max_seconds;

/// `seconds` (checked by `servokit::checked_seconds`, named `source` in its error) as
/// milliseconds, at least 1.
inline std::chrono::milliseconds milliseconds_of(double seconds, std::string_view source) {
  return std::max(std::chrono::milliseconds(1),
                  servokit::to_duration<std::chrono::milliseconds>(servokit::checked_seconds(seconds, source)));
}

}  // namespace detail

/// The command a task's `exec` or `shell_exec` runs. Only config.yaml decides it: nothing of the
/// request ever goes into it.
inline process::command command_of(const task_config& task) {
  if (task.exec) return process::command(task.exec->words);
  const auto& words = task.shell_exec->words;
  // A list is the command line followed by the shell's own arguments ($0, $1...), as Python's
  // Popen(list, shell=True) passed them.
  return process::command::shell(words.front(), std::vector<std::string>(words.begin() + 1, words.end()));
}

/// The HTTP exchange a task's `request` describes, with the defaults of PROTOCOL.md section 6.
inline http::request request_of(const task_config& task) {
  const request_config& written = *task.request;
  http::request sent;
  sent.method = written.method.value_or(std::string(defaults::method));
  sent.url = written.url;
  const auto http_timeout = detail::milliseconds_of(written.http_timeout.value_or(defaults::http_timeout_seconds), "http_timeout");
  sent.connect_timeout = sent.idle_timeout = http_timeout;
  if (task.timeout) sent.total_timeout = detail::milliseconds_of(*task.timeout, "timeout");
  sent.verify_tls = written.verify.value_or(true);
  sent.follow_redirects = true;   // as Python requests did
  if (written.headers) {
    for (const auto& [name, value] : *written.headers) sent.headers.emplace_back(name, value);
  }
  // The body: `data` when given; else "{}" for methods that carry one (the original sent "{}"
  // with every method; GET and HEAD go without, as servers expect).
  const bool carries_body = sent.method != "GET" && sent.method != "HEAD";
  if (written.data) {
    sent.body = written.data->text;
  } else if (carries_body) {
    sent.body = std::string(defaults::data);
  }
  if ((carries_body || written.data) && !http::find_header(sent.headers, "Content-Type")) {
    sent.headers.emplace_back("Content-Type", written.content_type.value_or(std::string(defaults::content_type)));
  }
  return sent;
}

/// How one attempt of a task ended.
struct attempt_outcome {
  bool ok = false;
  bool cancelled = false;
  std::string what;      ///< "exited with code 3", "HTTP 500 (success: 200-399)", an HTTP error
  std::string output;    ///< the end of its output or response body, for messages
};

/// One measurement: the stages, the wait, the background tasks, the progress. Everything runs
/// on the calling thread's event loop; the stop token (SIGUSR1) interrupts whatever runs.
class measurement_run {
 public:
  /// `wait_seconds` = duration + warmup + delay, counted from `started`.
  measurement_run(const exec_config& config, servokit::progress& progress, std::stop_token stop,
                  clock::time_point started, double wait_seconds)
      : config_(config), progress_(progress), stop_(std::move(stop)), started_(started),
        wait_end_(started + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(wait_seconds))),
        wait_seconds_(wait_seconds) {}
  measurement_run(const measurement_run&) = delete;
  measurement_run& operator=(const measurement_run&) = delete;

  /// Runs the measurement. Throws `servokit::driver_error` naming the stage and task that failed,
  /// after `post` has run. After a cancel it returns normally (servokit::run reports the cancel).
  void run() {
    relay_timer_ = loop_.start_timer(relay_interval, [this] { relay_background_output(true); });
    std::optional<std::string> failure;
    for (stage which : {stage::pre, stage::start}) {
      failure = run_stage(which);
      if (failure || stop_.stop_requested()) break;
    }
    if (!failure && !stop_.stop_requested()) {
      wait_for_measurement();
      waited_ = true;
      if (!stop_.stop_requested()) failure = run_stage(stage::stop);
    }
    waited_ = true;
    run_stage(stage::post);
    stop_background_tasks();
    loop_.cancel_timer(relay_timer_);
    relay_background_output(false);
    if (failure && !stop_.stop_requested()) throw servokit::driver_error(*failure);
  }

 private:
  /// A task started with `async: true`, running beside the stages until the measurement ends.
  struct background_task {
    std::string label;
    bool notify = false;
    std::optional<process::child> program;
    http::transfer_id transfer = 0;
    bool transfer_running = false;
    std::string unrelayed;   // notify output not yet sent as progress (its end, bounded)
  };

  // ---- progress ----

  int percent() const {
    if (!(wait_seconds_ > 0)) return waited_ ? 100 : 0;   // duration 0: no division by zero
    const double elapsed = std::chrono::duration<double>(clock::now() - started_).count();
    return static_cast<int>(std::clamp(std::floor(elapsed / wait_seconds_ * 100), 0.0, 100.0));
  }

  void report(std::string message) { progress_.report(percent(), std::move(message)); }

  // ---- stages and tasks ----

  static std::string label_of(const task_config& task, stage which, std::size_t index) {
    if (task.name && !task.name->empty()) return "\"" + *task.name + "\"";
    return std::string(stage_name(which)) + " task " + std::to_string(index + 1);
  }

  /// Runs the tasks of one stage in order; returns the failure message of the first task that
  /// failed for good (never for `post`), or nothing.
  std::optional<std::string> run_stage(stage which) {
    const auto& tasks = which == stage::pre ? config_.pre : which == stage::start ? config_.start
                        : which == stage::stop ? config_.stop : config_.post;
    if (!tasks) return std::nullopt;
    const bool post = which == stage::post;
    // post runs after a cancel too, so its tasks get a token nobody stops.
    const std::stop_token stop = post ? std::stop_token() : stop_;
    for (std::size_t index = 0; index < tasks->size(); ++index) {
      if (!post && stop_.stop_requested()) return std::nullopt;
      const task_config& task = (*tasks)[index];
      const std::string label = label_of(task, which, index);
      const int attempts = 1 + task.retries.value_or(0);
      attempt_outcome outcome;
      int attempt = 1;
      for (;; ++attempt) {
        report(std::string(stage_name(which)) + ": " + (task.async.value_or(false) ? "starting " : "running ") + label +
               (attempt > 1 ? " (attempt " + std::to_string(attempt) + " of " + std::to_string(attempts) + ")" : ""));
        outcome = run_attempt(task, label, which, stop);
        if (outcome.ok || outcome.cancelled || attempt >= attempts) break;
        report(std::string(stage_name(which)) + ": " + label + " attempt " + std::to_string(attempt) + " of " +
               std::to_string(attempts) + " failed: " + outcome.what + "; retrying");
      }
      if (outcome.ok || outcome.cancelled) continue;
      std::string message = "stage " + std::string(stage_name(which)) + ": task " + label + " failed after " +
                            std::to_string(attempt) + (attempt == 1 ? " attempt: " : " attempts: ") + outcome.what;
      if (!outcome.output.empty()) message += "; " + outcome.output;
      if (post || task.ignore_exitcode.value_or(false)) {
        std::fprintf(stderr, "servokit-exec: %s (ignored)\n", message.c_str());
        continue;
      }
      return message;
    }
    return std::nullopt;
  }

  attempt_outcome run_attempt(const task_config& task, const std::string& label, stage which, const std::stop_token& stop) {
    const bool async = task.async.value_or(false);
    std::optional<double> timeout = task.timeout;
    if (which == stage::post && stop_.stop_requested()) {
      const double limit = std::chrono::duration<double>(post_limit_after_cancel).count();
      timeout = std::min(timeout.value_or(limit), limit);
    }
    if (task.request) return async ? start_background_request(task, label) : run_request(task, label, timeout, stop);
    return async ? start_background_program(task, label, timeout) : run_program(task, label, timeout, stop);
  }

  static process::child_options program_options(std::optional<double> timeout) {
    process::child_options options;
    options.in.target = process::stream_target::null;
    options.out.capture = {kept_output_bytes, process::keep::tail};
    options.err.capture = {kept_output_bytes, process::keep::tail};
    if (timeout) options.limits.total = detail::milliseconds_of(*timeout, "timeout");
    options.stopping.signal = SIGTERM;
    options.stopping.grace = kill_grace;
    options.stopping.kill_group_on_exit = true;   // nothing a task starts outlives it
    return options;
  }

  attempt_outcome run_program(const task_config& task, const std::string& label, std::optional<double> timeout,
                              const std::stop_token& stop) {
    process::child_options options = program_options(timeout);
    options.cancel = stop;
    attempt_outcome outcome;
    std::optional<process::child> running;
    try {
      running.emplace(loop_, command_of(task), std::move(options));
    } catch (const process::spawn_error& failure) {
      outcome.what = failure.what();
      return outcome;
    }
    const process::completion& done = running->wait();   // the loop serves background tasks meanwhile
    outcome.ok = done.ok();
    outcome.cancelled = done.cancelled();
    outcome.what = done.timed_out() ? "timed out after " + servokit::format_number(*timeout) + " s (" + done.status.describe() + ")"
                                    : done.describe();
    const std::string out = detail::ending(done.out.tail()), err = detail::ending(done.err.tail());
    if (!out.empty()) outcome.output += "end of stdout: " + out;
    if (!err.empty()) outcome.output += (outcome.output.empty() ? "" : "; ") + std::string("end of stderr: ") + err;
    if (task.notify.value_or(false) && !outcome.cancelled) {
      report(label + " " + done.describe() + (outcome.output.empty() ? "" : ": " + outcome.output));
    }
    return outcome;
  }

  attempt_outcome run_request(const task_config& task, const std::string& label, std::optional<double> timeout,
                              const std::stop_token& stop) {
    http::request sent = request_of(task);
    if (timeout) sent.total_timeout = detail::milliseconds_of(*timeout, "timeout");
    attempt_outcome outcome;
    std::optional<http::result> done;
    try {
      http_client().start(std::move(sent), [&done](http::result ended) { done = std::move(ended); }, stop);
    } catch (const http::http_error& failure) {
      outcome.what = failure.what();
      return outcome;
    }
    loop_.run_until([&done] { return done.has_value(); });
    if (!done->ok()) {
      outcome.cancelled = done->error->kind() == http::error_kind::canceled;
      outcome.what = done->error->what();
      return outcome;
    }
    const http::response& got = *done->value;
    const code_ranges& success = task.request->success_codes ? *task.request->success_codes : defaults::success_codes;
    outcome.ok = success.contains(got.status);
    outcome.what = "HTTP " + std::to_string(got.status) + (outcome.ok ? "" : " (success codes: " + detail::describe_codes(success) + ")");
    if (!got.body.empty()) outcome.output = "end of response: " + detail::ending(got.body);
    if (task.notify.value_or(false)) report(label + " " + outcome.what + (got.body.empty() ? "" : ": " + detail::ending(got.body)));
    return outcome;
  }

  attempt_outcome start_background_program(const task_config& task, const std::string& label, std::optional<double> timeout) {
    background_task& entry = background_.emplace_back();
    entry.label = label;
    entry.notify = task.notify.value_or(false);
    process::child_options options = program_options(timeout);
    options.out.capture = options.err.capture = {0, process::keep::tail};
    options.cancel = stop_;   // a cancel stops background tasks at once
    if (entry.notify) {
      const auto keep = [&entry](const process::output_line& line) {
        entry.unrelayed.append(line.text);
        if (!line.continued) entry.unrelayed.push_back('\n');
        if (entry.unrelayed.size() > 2 * quoted_output_bytes) entry.unrelayed.erase(0, entry.unrelayed.size() - quoted_output_bytes);
      };
      options.out.on_line = keep;
      options.err.on_line = keep;
    }
    options.on_exit = [&entry](const process::completion& done) {
      if (!done.ok() && !done.cancelled()) {
        std::fprintf(stderr, "servokit-exec: background task %s %s\n", entry.label.c_str(), done.describe().c_str());
      }
    };
    attempt_outcome outcome;
    try {
      entry.program.emplace(loop_, command_of(task), std::move(options));
    } catch (const process::spawn_error& failure) {
      background_.pop_back();
      outcome.what = failure.what();
      return outcome;
    }
    outcome.ok = true;
    return outcome;
  }

  attempt_outcome start_background_request(const task_config& task, const std::string& label) {
    background_task& entry = background_.emplace_back();
    entry.label = label;
    entry.notify = task.notify.value_or(false);
    const code_ranges success = task.request->success_codes ? *task.request->success_codes : defaults::success_codes;
    attempt_outcome outcome;
    try {
      entry.transfer_running = true;
      entry.transfer = http_client().start(request_of(task), [&entry, success](http::result done) {
        entry.transfer_running = false;
        if (!done.ok()) {
          if (done.error->kind() != http::error_kind::canceled) {
            std::fprintf(stderr, "servokit-exec: background task %s: %s\n", entry.label.c_str(), done.error->what());
          }
          return;
        }
        if (!success.contains(done.value->status)) {
          std::fprintf(stderr, "servokit-exec: background task %s: HTTP %ld\n", entry.label.c_str(), done.value->status);
        }
        if (entry.notify) entry.unrelayed = "HTTP " + std::to_string(done.value->status) + ": " + detail::ending(done.value->body);
      }, stop_);
    } catch (const http::http_error& failure) {
      background_.pop_back();
      outcome.what = failure.what();
      return outcome;
    }
    outcome.ok = true;
    return outcome;
  }

  /// Sends what background tasks with `notify` printed since the last time, one progress
  /// message per task; re-arms itself when `again`.
  void relay_background_output(bool again) {
    for (background_task& entry : background_) {
      if (entry.unrelayed.empty()) continue;
      report(entry.label + ": " + detail::ending(entry.unrelayed));
      entry.unrelayed.clear();
    }
    if (again) relay_timer_ = loop_.start_timer(relay_interval, [this] { relay_background_output(true); });
  }

  // ---- the wait and the end ----

  /// Waits until `duration + warmup + delay` after the start, reporting the share elapsed;
  /// returns early on a cancel.
  void wait_for_measurement() {
    if (clock::now() >= wait_end_) return;
    bool stopped = false;
    const process::stop_binding binding = loop_.bind_stop(stop_, [&stopped] { stopped = true; });
    report("waiting for the measurement to complete");
    int last_percent = percent();
    process::event_loop::handle tick = 0;
    std::function<void()> on_tick = [&] {
      if (const int now_percent = percent(); now_percent != last_percent) {
        last_percent = now_percent;
        report("waiting for the measurement to complete");
      }
      tick = loop_.start_timer(std::chrono::seconds(1), on_tick);
    };
    tick = loop_.start_timer(std::chrono::seconds(1), on_tick);
    loop_.run_until([&stopped] { return stopped; }, wait_end_);
    loop_.cancel_timer(tick);
  }

  /// Stops every background task still running (SIGTERM to its group, SIGKILL after the grace;
  /// a request is abandoned) and waits until they are gone.
  void stop_background_tasks() {
    for (background_task& entry : background_) {
      if (entry.program && !entry.program->finished()) entry.program->terminate(SIGTERM, kill_grace);
      if (entry.transfer_running) http_client().cancel(entry.transfer);
    }
    loop_.run_until([this] {
      return std::all_of(background_.begin(), background_.end(),
                         [](const background_task& entry) { return !entry.program || entry.program->finished(); });
    });
  }

  const exec_config& config_;
  servokit::progress& progress_;
  std::stop_token stop_;
  clock::time_point started_;
  clock::time_point wait_end_;
  double wait_seconds_;
  bool waited_ = false;
  /// The HTTP client, made at the first request task: libcurl (with OpenSSL) is loaded then, so a
  /// measurement without requests never pays its start-up time and memory.
  http::async_client& http_client() {
    if (!http_) http_.emplace(loop_);
    return *http_;
  }

  // Destroyed in reverse: background tasks (killing any left), then the HTTP client, then the loop.
  process::event_loop loop_;
  std::optional<http::async_client> http_;
  std::list<background_task> background_;
  process::event_loop::handle relay_timer_ = 0;
};

/// servo-exec's measure driver.
struct exec_driver {
  static constexpr std::string_view name = "exec";
  static constexpr std::string_view version = "1.0.0";
  using config = exec_config;

  /// It measures nothing: it prepares and cleans up around the drivers that do.
  servokit::metric_descriptors describe(const config&) { return {}; }

  /// pre, start, wait `duration + warmup + delay`, stop, post; empty metrics.
  servokit::measurement measure(const config& cfg, const servokit::measure_request& request,
                                servokit::progress& progress, servokit::stop_token stop) {
    const auto control = request.control_or_default();
    // Each checked: a request's "nan" or "-5" fails the measurement naming it; 1e300 is 10^9 s.
    const double wait_seconds = servokit::checked_seconds(
        servokit::checked_seconds(control.duration_seconds(), "control.duration") +
            servokit::checked_seconds(control.warmup_seconds(), "control.warmup") +
            servokit::checked_seconds(control.delay_seconds(), "control.delay"),
        "control.duration + warmup + delay");
    measurement_run run(cfg, progress, std::move(stop), started_, wait_seconds);
    run.run();
    return {};
  }

  /// The driver's start: the wait counts from here, as the original's did.
  clock::time_point started_ = clock::now();
};

}  // namespace exec
