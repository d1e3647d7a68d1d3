#pragma once
/// \file
/// A running child process served by an event loop: stdin fed, stdout and stderr read as they
/// come, limits enforced, its process group signalled, and always reaped.

#include <servokit/process/command.hpp>
#include <servokit/process/completion.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/fd.hpp>
#include <servokit/process/options.hpp>
#include <servokit/process/orphan_guard.hpp>
#include <servokit/process/output.hpp>
#include <servokit/process/spawn.hpp>

#include <signal.h>
#include <sys/epoll.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iterator>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace servokit::process {

class child;

namespace detail {

/// Waits for `pid` and returns its wait status, retrying EINTR; -1 when it is not our child.
inline int reap(pid_t pid) noexcept {
  int status = 0;
  for (;;) {
    if (::waitpid(pid, &status, 0) == pid) return status;
    if (errno != EINTR) return -1;
  }
}

/// The state of one child, at a fixed address so loop handlers can point to it.
class child_state {
 public:
  using clock = event_loop::clock;

  child_state(event_loop& loop, child_options options) : loop_(loop), options_(std::move(options)) {}
  child_state(const child_state&) = delete;
  child_state& operator=(const child_state&) = delete;

  /// A child still running is killed with its group and reaped: the handle owns the process.
  ~child_state() {
    if (process_.pid > 0 && !reaped_) {
      kill_group(SIGKILL);
      reap(process_.pid);
      if (::kill(-process_.pid, 0) != 0 && errno == ESRCH) release_process_group(process_.pid);
    }
    for (stream* each : {&out_, &err_}) loop_.unwatch(each->watch);
    loop_.unwatch(stdin_watch_);
    loop_.unwatch(exit_watch_);
    cancel_timers();
    loop_.cancel_timer(drain_timer_);
  }

  void start(const command& cmd) {
    stdio_targets targets{options_.in.target, options_.out.target, options_.err.target};
    if (targets.in == stream_target::pipe && options_.in.data.empty() && !options_.in.keep_open) {
      targets.in = stream_target::null;  // nothing to feed: spare a pipe, the child sees EOF all the same
    }
    process_ = spawn(cmd, targets);
    guard_process_group(process_.pid);   // stopped even if this program is SIGKILLed (orphan_guard.hpp)
    started_ = last_activity_ = clock::now();

    out_.open_if_piped(process_.stdout_pipe, options_.out);
    err_.open_if_piped(process_.stderr_pipe, options_.err);
    result_.out = captured_output(out_.fd ? options_.out.capture : capture_limit{0, keep::tail});
    result_.err = captured_output(err_.fd ? options_.err.capture : capture_limit{0, keep::tail});
    if (out_.fd) out_.watch = loop_.watch(out_.fd.get(), EPOLLIN, [this](std::uint32_t) { read_from(out_, true); });
    if (err_.fd) err_.watch = loop_.watch(err_.fd.get(), EPOLLIN, [this](std::uint32_t) { read_from(err_, false); });

    if (process_.pidfd) {
      exit_watch_ = loop_.watch(process_.pidfd.get(), EPOLLIN, [this](std::uint32_t) { try_reap(); });
    } else {
      poll_for_exit(std::chrono::milliseconds(1));
    }

    if (options_.limits.total) {
      total_timer_ = loop_.start_timer(*options_.limits.total, [this] {
        total_timer_ = 0;
        interrupt(interruption::total_timeout);
      });
    }
    if (options_.limits.silence && silence_watched()) arm_silence_timer();

    stdin_fd_ = std::move(process_.stdin_pipe);
    stdin_close_requested_ = !options_.in.keep_open;
    if (stdin_fd_) {
      stdin_pending_ = std::move(options_.in.data);
      flush_stdin();
    }
    if (options_.cancel.stop_possible()) {
      cancel_binding_ = loop_.bind_stop(options_.cancel, [this] { interrupt(interruption::cancelled); });
    }
  }

  [[nodiscard]] pid_t pid() const noexcept { return process_.pid; }
  [[nodiscard]] bool exited() const noexcept { return reaped_; }
  [[nodiscard]] bool finished() const noexcept { return finished_; }
  [[nodiscard]] const completion& result() const noexcept { return result_; }
  [[nodiscard]] completion& result() noexcept { return result_; }
  [[nodiscard]] event_loop& loop() const noexcept { return loop_; }

  bool send_signal(int signal_number) noexcept {
    if (reaped_) return false;
    if (::kill(-process_.pid, signal_number) == 0) return true;
    // The child left its group (setsid/setpgid): it still is our child, reach it directly.
    return ::kill(process_.pid, signal_number) == 0;
  }

  /// Sends `first_signal` to the group, SIGKILL after `grace`; records `cause` unless one is set.
  void interrupt(interruption cause, int first_signal, std::chrono::milliseconds grace) {
    if (reaped_) return;
    if (result_.interrupted_by == interruption::none) result_.interrupted_by = cause;
    cancel_limit_timers();
    if (first_signal == SIGKILL || grace <= std::chrono::milliseconds::zero()) {
      if (first_signal != SIGKILL) send_signal(first_signal);
      kill_group(SIGKILL);
      return;
    }
    send_signal(first_signal);
    if (kill_timer_ == 0) {
      kill_timer_ = loop_.start_timer(grace, [this] {
        kill_timer_ = 0;
        kill_group(SIGKILL);
      });
    }
  }
  void interrupt(interruption cause) { interrupt(cause, options_.stopping.signal, options_.stopping.grace); }

  void write_stdin(std::string_view data) {
    if (stdin_refused_) return;  // the child closed stdin: what it will not read is dropped
    if (!stdin_fd_ || stdin_close_requested_) {
      throw std::logic_error("write_stdin: stdin of '" + program_ + "' is not an open pipe (set in.keep_open)");
    }
    if (stdin_offset_ > 0 && stdin_offset_ >= stdin_pending_.size() / 2) {
      stdin_pending_.erase(0, stdin_offset_);
      stdin_offset_ = 0;
    }
    stdin_pending_.append(data);
    flush_stdin();
  }

  void close_stdin() {
    stdin_close_requested_ = true;
    if (stdin_fd_ && stdin_offset_ == stdin_pending_.size()) release_stdin();
  }

 private:
  struct stream {
    unique_fd fd;
    event_loop::handle watch = 0;
    line_splitter lines;
    const output_options* options = nullptr;

    void open_if_piped(unique_fd& pipe, const output_options& stream_options) {
      fd = std::move(pipe);
      options = &stream_options;
      lines = line_splitter(stream_options.max_line_length);
    }
  };

  [[nodiscard]] bool silence_watched() const noexcept {
    return options_.limits.silence_reset_by == activity::any_output_bytes ? (out_.fd || err_.fd)
                                                                          : static_cast<bool>(out_.fd);
  }

  void kill_group(int signal_number) noexcept {
    if (reaped_) return;
    ::kill(-process_.pid, signal_number);
    ::kill(process_.pid, signal_number);
  }

  void read_from(stream& source, bool is_stdout) {
    const std::span<char> buffer = loop_.read_buffer();
    // A bounded number of reads per turn keeps one flooding child from starving the others.
    for (int reads = 0; reads < 16; ++reads) {
      const io_result got = read_some(source.fd.get(), buffer);
      if (got.error == EAGAIN) return;
      if (got.error != 0 || got.bytes == 0) {
        close_stream(source);
        return;
      }
      deliver(source, is_stdout, std::string_view(buffer.data(), got.bytes));
      if (got.bytes < buffer.size()) return;  // drained for now: spare the read that says EAGAIN
    }
  }

  void deliver(stream& source, bool is_stdout, std::string_view chunk) {
    if (options_.limits.silence &&
        (is_stdout || options_.limits.silence_reset_by == activity::any_output_bytes)) {
      last_activity_ = clock::now();
    }
    (is_stdout ? result_.out : result_.err).append(chunk);
    if (source.options->on_chunk) source.options->on_chunk(chunk);
    if (source.options->on_line) {
      source.lines.feed(chunk, [&](const output_line& line) { source.options->on_line(line); });
    }
  }

  void close_stream(stream& source) {
    if (source.options->on_line) {
      source.lines.finish([&](const output_line& line) { source.options->on_line(line); });
    }
    loop_.unwatch(source.watch);
    source.watch = 0;
    source.fd.reset();
    if (!silence_watched()) {
      loop_.cancel_timer(silence_timer_);
      silence_timer_ = 0;
    }
    if (!out_.fd && !err_.fd) on_output_closed();
    check_done();
  }

  void on_output_closed() {
    if (reaped_) return;
    if (!process_.pidfd) try_reap();  // polling: the end of output usually means the end of the child
    if (!reaped_ && options_.limits.exit_after_output_closed && exit_timer_ == 0) {
      exit_timer_ = loop_.start_timer(*options_.limits.exit_after_output_closed, [this] {
        exit_timer_ = 0;
        interrupt(interruption::exit_timeout);
      });
    }
  }

  void arm_silence_timer() {
    silence_timer_ = loop_.start_timer(last_activity_ + *options_.limits.silence, [this] {
      silence_timer_ = 0;
      if (clock::now() - last_activity_ >= *options_.limits.silence) {
        interrupt(interruption::silence_timeout);
      } else {
        arm_silence_timer();  // output came meanwhile: wait for the rest of the new period
      }
    });
  }

  void poll_for_exit(std::chrono::milliseconds interval) {
    poll_timer_ = loop_.start_timer(interval, [this, interval] {
      poll_timer_ = 0;
      try_reap();
      if (!reaped_) poll_for_exit(std::min<std::chrono::milliseconds>(interval * 2, std::chrono::milliseconds(50)));
    });
  }

  void try_reap() {
    if (reaped_) return;
    siginfo_t info{};
    int waited = 0;
    do {
      // WNOWAIT leaves the zombie in place, so its pid, hence its group id, cannot be reused
      // while we kill what is left of the group.
      waited = ::waitid(P_PID, static_cast<id_t>(process_.pid), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (waited < 0 && errno == EINTR);
    if (waited == 0 && info.si_pid == 0) return;  // not ended yet
    if (waited == 0 && options_.stopping.kill_group_on_exit) ::kill(-process_.pid, SIGKILL);
    // waited < 0 (ECHILD): someone else reaped it (SIGCHLD set to SIG_IGN, a waitpid(-1)
    // elsewhere); the status is then unknown.
    if (waited == 0) {
      const int status = reap(process_.pid);
      if (status != -1) result_.status = exit_status::from_wait_status(status);
    }
    reaped_ = true;
    // The guard forgets the group once nothing of it is left; members that outlived the leader
    // (kill_group_on_exit off) stay in its care, and their group id cannot be reused meanwhile.
    if (::kill(-process_.pid, 0) != 0 && errno == ESRCH) release_process_group(process_.pid);
    loop_.unwatch(exit_watch_);
    exit_watch_ = 0;
    process_.pidfd.reset();
    cancel_timers();
    release_stdin();  // nobody will read it any more
    if (out_.fd || err_.fd) {
      drain_timer_ = loop_.start_timer(options_.limits.output_after_exit, [this] {
        drain_timer_ = 0;
        abandon_output();
      });
    }
    check_done();
  }

  void abandon_output() {
    for (stream* each : {&out_, &err_}) {
      if (!each->fd) continue;
      result_.output_abandoned = true;
      read_from(*each, each == &out_);
      if (each->fd) close_stream(*each);
    }
  }

  void flush_stdin() {
    while (stdin_offset_ < stdin_pending_.size()) {
      const io_result wrote =
          write_some(stdin_fd_.get(), std::string_view(stdin_pending_).substr(stdin_offset_));
      if (wrote.error == EAGAIN) {
        if (stdin_watch_ == 0) {
          stdin_watch_ = loop_.watch(stdin_fd_.get(), EPOLLOUT, [this](std::uint32_t) { flush_stdin(); });
        }
        return;
      }
      if (wrote.error != 0) {
        // EPIPE: the child closed its stdin (or exited); what it did not take is dropped.
        result_.stdin_closed_by_child = wrote.error == EPIPE;
        stdin_refused_ = true;
        release_stdin();
        return;
      }
      stdin_offset_ += wrote.bytes;
      result_.stdin_bytes_written += wrote.bytes;
    }
    stdin_pending_.clear();
    stdin_offset_ = 0;
    // Level-triggered EPOLLOUT on an idle pipe would fire every turn: watch only while data waits.
    loop_.unwatch(stdin_watch_);
    stdin_watch_ = 0;
    if (stdin_close_requested_) release_stdin();
  }

  void release_stdin() noexcept {
    loop_.unwatch(stdin_watch_);
    stdin_watch_ = 0;
    stdin_fd_.reset();
    stdin_pending_.clear();
    stdin_offset_ = 0;
  }

  void cancel_limit_timers() noexcept {
    for (event_loop::handle* timer : {&total_timer_, &silence_timer_, &exit_timer_}) {
      loop_.cancel_timer(*timer);
      *timer = 0;
    }
  }

  void cancel_timers() noexcept {
    cancel_limit_timers();
    for (event_loop::handle* timer : {&kill_timer_, &poll_timer_}) {
      loop_.cancel_timer(*timer);
      *timer = 0;
    }
  }

  void check_done() {
    if (finished_ || !reaped_ || out_.fd || err_.fd) return;
    finished_ = true;
    loop_.cancel_timer(drain_timer_);
    drain_timer_ = 0;
    cancel_binding_ = stop_binding();
    result_.elapsed = clock::now() - started_;
    if (options_.on_exit) options_.on_exit(result_);
  }

  friend class process::child;

  event_loop& loop_;
  child_options options_;
  std::string program_;
  spawned_process process_;
  clock::time_point started_{};
  clock::time_point last_activity_{};
  stream out_;
  stream err_;
  unique_fd stdin_fd_;
  std::string stdin_pending_;
  std::size_t stdin_offset_ = 0;
  bool stdin_close_requested_ = true;
  bool stdin_refused_ = false;
  event_loop::handle stdin_watch_ = 0;
  event_loop::handle exit_watch_ = 0;
  event_loop::handle total_timer_ = 0;
  event_loop::handle silence_timer_ = 0;
  event_loop::handle exit_timer_ = 0;
  event_loop::handle kill_timer_ = 0;
  event_loop::handle poll_timer_ = 0;
  event_loop::handle drain_timer_ = 0;
  bool reaped_ = false;
  bool finished_ = false;
  completion result_;
  stop_binding cancel_binding_;
};

}  // namespace detail

/// A child process started on an event loop. It runs while the loop turns (`wait()`, or the
/// loop's `run_until` for several children at once); its stdin is fed, its output read and
/// captured, its limits enforced, and it is reaped when it ends. Destroying a child that is still
/// running kills its whole process group with SIGKILL and reaps it, so it never outlives the
/// operation that started it. Use it from the loop's thread only; destroy it before the loop and
/// never from one of its own callbacks.
///
/// ```
/// event_loop loop;
/// child_options options;
/// options.in.data = request_json;
/// options.out.on_line = [&](const output_line& line) { relay_progress(line.text); };
/// child driver(loop, command{"./measure", app_id}, std::move(options));
/// const completion& done = driver.wait();
/// ```
class child {
 public:
  /// Starts `cmd` now. Throws `spawn_error` when it cannot be started.
  child(event_loop& loop, const command& cmd, child_options options = {})
      : state_(std::make_unique<detail::child_state>(loop, std::move(options))) {
    state_->program_ = std::string(cmd.program());
    state_->start(cmd);  // if this throws after the spawn, ~child_state kills and reaps
  }
  /// Moves the handle; the process is unaffected.
  child(child&&) noexcept = default;
  /// Kills and reaps the process this handle held, if still running, and takes `other`'s.
  child& operator=(child&&) noexcept = default;
  /// Kills the group and reaps the process if it is still running.
  ~child() = default;

  /// The process id, which is also its process group id.
  [[nodiscard]] pid_t pid() const noexcept { return state_->pid(); }
  /// argv[0] as given.
  [[nodiscard]] const std::string& program() const noexcept { return state_->program_; }
  /// The process has ended and been reaped (its output may still be being read).
  [[nodiscard]] bool exited() const noexcept { return state_->exited(); }
  /// The process has ended and all its output is read: `result()` is final.
  [[nodiscard]] bool finished() const noexcept { return state_->finished(); }
  /// The outcome; complete once `finished()`.
  [[nodiscard]] const completion& result() const noexcept { return state_->result(); }

  /// Sends `signal_number` to the child's whole process group (SIGUSR1 to ask a driver to cancel,
  /// for example). Returns false once the child has been reaped.
  bool signal(int signal_number) noexcept { return state_->send_signal(signal_number); }
  /// Stops the child the configured way (`termination::signal`, SIGKILL after the grace period);
  /// reported as `interruption::cancelled`.
  void cancel() { state_->interrupt(interruption::cancelled); }
  /// Sends `first_signal` to the group now and SIGKILL after `grace` if it has not ended by then;
  /// reported as `interruption::cancelled`.
  void terminate(int first_signal, std::chrono::milliseconds grace) {
    state_->interrupt(interruption::cancelled, first_signal, grace);
  }
  /// SIGKILL to the group now; reported as `interruption::cancelled`.
  void kill() { state_->interrupt(interruption::cancelled, SIGKILL, std::chrono::milliseconds::zero()); }

  /// Queues more stdin (requires `in.keep_open`); written as the child reads, never blocking.
  /// Data is dropped silently once the child has closed its stdin.
  void write_stdin(std::string_view data) { state_->write_stdin(data); }
  /// Closes stdin once everything queued has been written.
  void close_stdin() { state_->close_stdin(); }

  /// Runs the loop (serving every child on it) until this child has finished; returns its result.
  completion& wait() {
    detail::child_state& state = *state_;
    state.loop().run_until([&state] { return state.finished(); });
    return state.result();
  }

 private:
  std::unique_ptr<detail::child_state> state_;
};

/// Runs `loop` until every child in `children` has finished.
template <class Children>
void wait_all(event_loop& loop, Children& children) {
  loop.run_until([&children] {
    return std::all_of(std::begin(children), std::end(children), [](const child& each) { return each.finished(); });
  });
}

}  // namespace servokit::process
