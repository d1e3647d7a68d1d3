#pragma once
/// \file
/// The process layer (servokit::process): running child programs so that the rest of servokit
/// never has to think about pipes, signals or zombies.
///
/// ```
/// namespace process = servokit::process;
/// process::completion done = process::run({"./adjust", "--query", app_id});  // argv, no shell
/// if (!done.ok()) throw failure(done.describe() + ": " + std::string(done.err.tail()));
///
/// process::event_loop loop;                                  // several children, one thread
/// process::signal_watch signals(loop, {SIGTERM, SIGINT}, [&](const process::received_signal&) {
///   for (auto& driver : drivers) driver.cancel();            // TERM, then KILL after the grace
/// });
/// for (const auto& path : measure_drivers) drivers.emplace_back(loop, process::command{path, app_id}, options);
/// process::wait_all(loop, drivers);
/// ```
///
/// The decisions a user may need to know:
/// - Children start with posix_spawn in a process group of their own, with no signal blocked and
///   every signal at its default action, and with only fds 0, 1, 2 open. Every signal the layer
///   sends (`cancel`, timeouts, `signal`) goes to the whole group, so grandchildren are reached.
/// - Exits are seen through a pidfd per child (polling where the kernel refuses pidfd_open), never
///   through SIGCHLD: the program's SIGCHLD handling is left alone, except that SIGCHLD set to
///   SIG_IGN makes the kernel reap children itself and their status is then unknown.
/// - Nothing outlives its handle: destroying a running `child` kills its group with SIGKILL and
///   reaps it; when a child exits, what is left of its group is killed (`kill_group_on_exit`).
///   Nothing outlives the program either, SIGKILL included: a small guard process started with
///   the first child stops every group the program left behind (`orphan_guard.hpp`).
/// - SIGPIPE: writes to a child's stdin block SIGPIPE in the writing thread only, for the write,
///   and swallow the one a closed pipe raises; the process-wide disposition is never changed.
/// - The silence timeout counts bytes read from stdout (`activity::any_output_bytes`: stderr
///   too), partial lines included. All times are on the monotonic clock.
/// - Lines are at most `max_line_length` (1 MiB) bytes; longer ones arrive in pieces flagged
///   `continued`. Captures keep at most `capture.max_bytes` (2 MiB) per stream: by default the
///   tail, which holds the final result line and the last error messages.
/// - Signals to the program itself go through a `signal_watch` (signalfd): create it in main()
///   before starting threads. `event_loop::post`, `wake` and `bind_stop` are the thread-safe ways
///   in; everything else belongs to the loop's thread.

#include <servokit/process/child.hpp>
#include <servokit/process/command.hpp>
#include <servokit/process/completion.hpp>
#include <servokit/process/error.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/exit_status.hpp>
#include <servokit/process/fd.hpp>
#include <servokit/process/options.hpp>
#include <servokit/process/orphan_guard.hpp>
#include <servokit/process/output.hpp>
#include <servokit/process/run.hpp>
#include <servokit/process/signals.hpp>
#include <servokit/process/spawn.hpp>
