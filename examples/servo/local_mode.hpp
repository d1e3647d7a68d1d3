#pragma once
// `servokit-servo --local`: the agent with the optimization backend in its own process. The
// objective, budget, seed and measurement control come from the `optimization:` section of the
// servo directory's config.yaml; the study (SQLite) makes a killed run resume where it stopped.

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include <servokit/backend/options.hpp>
#include <servokit/backend/session.hpp>
#include <servokit/config/load.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/transport/local.hpp>

#include "progress_display.hpp"

namespace servokit_servo {

/// The command line of `--local` and what it overrides.
struct local_arguments {
  bool enabled = false;
  std::string study = "servokit-study.sqlite";
  std::optional<std::int64_t> budget;
  std::optional<std::int64_t> seed;
  std::optional<std::string> report;

  /// Adds `--local`, `--budget`, `--seed`, `--study` and `--report` to `app`.
  void add_to(CLI::App& app) {
    app.add_flag("--local", enabled,
                 "Optimize without a service: the backend runs in this process, driven by the optimization:\n"
                 "section of config.yaml (objective, constraints, budget, seed, control)");
    app.add_option("--budget", budget, "With --local: trials, the baseline included (overrides optimization.budget)")
        ->check(CLI::PositiveNumber);
    app.add_option("--seed", seed, "With --local: the optimizer's seed (overrides optimization.seed)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--study", study, "With --local: the SQLite study file; the same command resumes it")
        ->capture_default_str();
    app.add_option("--report", report, "With --local: write trials.jsonl, trials.csv, best.json and a plot to DIR");
  }
};

/// Runs the agent against the in-process backend with `run_agent(options, transport)` (the
/// options' log now drawn above the progress line), then prints the
/// summary on stdout. Exit code: the loop's, or 1 when the optimization was refused.
template <class RunAgent>
int run_local(servokit::servo::options options, const local_arguments& local, RunAgent run_agent) {
  namespace backend = servokit::backend;
  const auto complain = [](std::string_view message) {
    std::fprintf(stderr, "servokit-servo: %.*s\n", static_cast<int>(message.size()), message.data());
  };
  std::optional<backend::session_options> session_options;
  try {
    backend::option_overrides overrides{local.budget, local.seed, std::nullopt};
    if (local.report) overrides.report_directory = *local.report;
    session_options = backend::read_session_options(servokit::config::default_path(), options.app_id, overrides);
  } catch (const std::exception& failure) {
    complain(failure.what());
    return 2;
  }

  progress_display display;
  // The loop's own lines (HELLO sent, ADJUST ./adjust: ok...) would bury the progress: they are
  // shown with --verbose only, above the live line.
  const bool verbose = options.verbose;
  options.log = [&display, verbose](servokit::servo::log_level, std::string_view line) {
    if (verbose) display.print(line);
  };
  try {
    backend::session_listener listener = display.listener();
    listener.warning = [&display](std::string_view warning) {
      display.print("servokit-servo: warning: " + std::string(warning));
    };
    const std::int64_t confirm = session_options->config.confirm.value_or(0);
    servokit::transport::local_transport backend_in_process(std::move(*session_options), local.study, std::move(listener));
    auto& session = backend_in_process.session();
    const std::size_t done_before = backend_in_process.study().trials(options.app_id).size();
    display.print("servokit-servo: optimizing " + options.app_id + " locally, " + std::to_string(session.budget()) +
                  " trials" +
                  (confirm > 0 ? " then the top " + std::to_string(backend::confirmed_top_count) + " and the baseline " +
                                     std::to_string(confirm) + " times each (optimization.confirm)"
                               : std::string()) +
                  "; study " + local.study +
                  (done_before ? " (resumed: " + std::to_string(done_before) + " trials done)" : "") +
                  (local.report ? ", report in " + *local.report : ""));
    const int code = run_agent(options, backend_in_process);
    display.close();
    if (const auto failure = session.failure()) {
      complain("optimization stopped: " + *failure);
      return 1;
    }
    if (!session.finished()) {
      complain("stopped after " + std::to_string(session.trials().size()) + " of " + std::to_string(session.budget()) +
               " trials; run the same command again to resume the study in " + local.study);
    }
    // The plot is drawn off the request path; the summary says whether it was.
    session.wait_for_plot(std::chrono::seconds(60));
    const std::string summary = backend::summarize(session);
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    std::fflush(stdout);
    return code;
  } catch (const std::exception& failure) {
    display.close();
    complain(failure.what());
    return 1;
  }
}

}  // namespace servokit_servo
