// Stopping children: the total and silence timeouts, the exit timeout after the output closed,
// the TERM-then-KILL escalation, cancel through a std::stop_token, and process groups, so that
// nothing a child started outlives it.
#include <servokit/process/child.hpp>
#include <servokit/process/run.hpp>

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <stop_token>
#include <string>
#include <thread>

namespace process = servokit::process;
using namespace std::chrono_literals;

namespace {

// Whether `pid` is gone or a zombie (dead, waiting for init, which we do not control, to reap it).
bool process_dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto after_name = line.rfind(')');
  return after_name != std::string::npos && after_name + 2 < line.size() && line[after_name + 2] == 'Z';
}

// Waits (generously: the kernel may take a moment to tear a killed process down) until `pid` is dead.
bool becomes_dead(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!process_dead(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

bool no_child_left() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// A shell that starts a grandchild in the background, prints its pid, and waits for it.
const process::command shell_with_grandchild = process::command::shell("sleep 1000 & echo $!; wait");

}  // namespace

TEST_CASE("the total timeout stops a child that runs too long, and says so") {
  process::child_options options;
  options.limits.total = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const auto done = process::run({"sleep", "1000"}, std::move(options));
  CHECK(done.timed_out());
  CHECK(done.interrupted_by == process::interruption::total_timeout);
  CHECK(done.status.signal() == SIGTERM);
  CHECK(done.describe() == "killed by SIGTERM after the total timeout");
  CHECK(done.elapsed >= 200ms);
  CHECK(std::chrono::steady_clock::now() - started < 100s);
}

TEST_CASE("the silence timeout stops a child that stops writing to stdout") {
  process::child_options options;
  options.limits.silence = 300ms;
  const auto done = process::run(process::command::shell("echo alive; exec sleep 1000"), std::move(options));
  CHECK(done.went_silent());
  CHECK(done.status.signal() == SIGTERM);
  CHECK(done.describe() == "killed by SIGTERM after the silence timeout");
  CHECK(done.out.text() == "alive\n");
  CHECK(done.elapsed >= 300ms);
}

TEST_CASE("output on stdout resets the silence timer, partial lines included") {
  process::child_options options;
  options.limits.silence = 2s;
  // 3 s in all, never more than 0.1 s without a byte on stdout.
  const auto done = process::run(
      process::command::shell("i=0; while [ $i -lt 30 ]; do printf .; sleep 0.1; i=$((i+1)); done"), std::move(options));
  CHECK(done.ok());
  CHECK(done.out.text() == std::string(30, '.'));
}

TEST_CASE("by default only stdout counts as activity; stderr can be made to count too") {
  const auto noisy_on_stderr = process::command::shell("while :; do echo working >&2; sleep 0.05; done");
  process::child_options stdout_only;
  stdout_only.limits.silence = 500ms;
  stdout_only.limits.total = 60s;
  const auto silent = process::run(noisy_on_stderr, std::move(stdout_only));
  CHECK(silent.went_silent());
  CHECK(silent.err.total_bytes() > 0);

  process::child_options any_output;
  any_output.limits.silence = 1s;
  any_output.limits.silence_reset_by = process::activity::any_output_bytes;
  any_output.limits.total = 3s;
  const auto busy = process::run(noisy_on_stderr, std::move(any_output));
  CHECK(busy.timed_out());  // only the total timeout could stop it: stderr kept it from going silent
}

TEST_CASE("a child that ignores SIGTERM is killed with SIGKILL after the grace period") {
  process::event_loop loop;
  process::child* stubborn_pointer = nullptr;
  process::child_options options;
  options.stopping.grace = 300ms;
  options.out.on_line = [&](const process::output_line& line) {
    if (line.text == "ready") stubborn_pointer->cancel();  // SIGTERM is ignored by then
  };
  process::child stubborn(loop, {SERVOKIT_TEST_HELPER_DIR "/test-proc_ignore_term"}, std::move(options));
  stubborn_pointer = &stubborn;
  const auto& done = stubborn.wait();
  CHECK(done.cancelled());
  CHECK(done.status.signal() == SIGKILL);
  CHECK(done.describe() == "killed by SIGKILL after a cancel");
  CHECK(done.elapsed >= 300ms);
}

TEST_CASE("a custom first signal and grace: SIGUSR1 asks a driver to cancel, SIGKILL follows") {
  process::event_loop loop;
  process::child driver(loop, process::command::shell("trap 'echo cancelled; exit 7' USR1; echo ready; while :; do sleep 0.05; done"),
                        {});
  loop.run_until([&] { return driver.result().out.text() == "ready\n"; });
  driver.terminate(SIGUSR1, 60s);
  const auto& done = driver.wait();
  CHECK(done.status.code() == 7);
  CHECK(done.out.text() == "ready\ncancelled\n");
  CHECK(done.cancelled());
}

TEST_CASE("signals go to the whole group, and a kill reaches the grandchildren") {
  process::event_loop loop;
  pid_t grandchild = 0;
  process::child_options options;
  options.stopping.kill_group_on_exit = false;  // so only the signal to the group can reach it
  options.out.on_line = [&](const process::output_line& line) { grandchild = std::stoi(std::string(line.text)); };
  process::child parent(loop, shell_with_grandchild, std::move(options));
  loop.run_until([&] { return grandchild != 0; });
  REQUIRE_FALSE(process_dead(grandchild));
  CHECK(::getpgid(grandchild) == parent.pid());
  CHECK(::getpgid(parent.pid()) == parent.pid());
  CHECK(::getpgid(parent.pid()) != ::getpgrp());

  parent.kill();
  const auto& done = parent.wait();
  CHECK(done.status.signal() == SIGKILL);
  CHECK(becomes_dead(grandchild));
  CHECK(no_child_left());
}

TEST_CASE("when a child exits, what is left of its group is killed (unless asked not to)") {
  const auto leaves_background_job = process::command::shell("sleep 1000 >/dev/null 2>&1 & echo $!");
  const auto done = process::run(leaves_background_job);
  CHECK(done.ok());
  CHECK(becomes_dead(std::stoi(done.out.text())));

  process::child_options options;
  options.stopping.kill_group_on_exit = false;
  const auto kept = process::run(leaves_background_job, std::move(options));
  const pid_t survivor = std::stoi(kept.out.text());
  CHECK_FALSE(process_dead(survivor));
  ::kill(survivor, SIGKILL);
}

TEST_CASE("destroying a running child kills its group and reaps it") {
  pid_t child_pid = 0;
  pid_t grandchild = 0;
  {
    process::event_loop loop;
    process::child_options options;
    options.out.on_line = [&](const process::output_line& line) { grandchild = std::stoi(std::string(line.text)); };
    process::child running(loop, shell_with_grandchild, std::move(options));
    child_pid = running.pid();
    loop.run_until([&] { return grandchild != 0; });
  }
  errno = 0;
  CHECK(::waitpid(child_pid, nullptr, WNOHANG) == -1);  // already reaped...
  CHECK(errno == ECHILD);
  CHECK(process_dead(child_pid));                        // ...so neither running nor a zombie
  CHECK(becomes_dead(grandchild));
}

TEST_CASE("a std::stop_token stopped from another thread cancels the child and its group") {
  std::stop_source stop;
  std::atomic<pid_t> grandchild = 0;
  process::child_options options;
  options.cancel = stop.get_token();
  options.out.on_line = [&](const process::output_line& line) {
    grandchild = std::stoi(std::string(line.text));
    grandchild.notify_one();
  };
  std::jthread canceller([&] {
    grandchild.wait(0);
    stop.request_stop();
  });
  const auto done = process::run(shell_with_grandchild, std::move(options));
  CHECK(done.cancelled());
  CHECK(done.status.signal() == SIGTERM);
  CHECK(becomes_dead(grandchild));
}

TEST_CASE("a stop_token already stopped cancels the child at once") {
  std::stop_source stop;
  stop.request_stop();
  process::child_options options;
  options.cancel = stop.get_token();
  const auto done = process::run({"sleep", "1000"}, std::move(options));
  CHECK(done.cancelled());
  CHECK(done.status.signal() == SIGTERM);
}

TEST_CASE("a child that closes its output but does not exit is stopped after the exit timeout") {
  process::child_options options;
  options.limits.exit_after_output_closed = 200ms;
  const auto done = process::run(process::command::shell("echo bye; exec >&- 2>&-; sleep 1000"), std::move(options));
  CHECK(done.interrupted_by == process::interruption::exit_timeout);
  CHECK(done.status.signal() == SIGTERM);
  CHECK(done.out.text() == "bye\n");
}

TEST_CASE("pipes held open by a process that left the group do not hang the completion") {
  process::child_options options;
  options.limits.output_after_exit = 200ms;
  // setsid puts the sleep in a session of its own, out of reach of the group kill; it keeps
  // stdout. The shell exits only once that has happened (the marker file says so).
  const std::string marker = std::string(SERVOKIT_TEST_BINARY_DIR) + "/process-limits-escaped-" + std::to_string(::getpid());
  ::unlink(marker.c_str());
  const auto done = process::run(
      process::command::shell("setsid sh -c 'echo $$; : > \"$0\"; exec sleep 1000' \"$0\" & "
                              "while [ ! -e \"$0\" ]; do sleep 0.01; done",
                              {marker}),
      std::move(options));
  ::unlink(marker.c_str());
  CHECK(done.ok());
  CHECK(done.output_abandoned);
  const pid_t escaped = std::stoi(done.out.text());
  CHECK(::getsid(escaped) == escaped);
  ::kill(escaped, SIGKILL);
}

TEST_CASE("a child reaped between polls is reported once and nothing is left over") {
  process::event_loop loop;
  std::vector<process::child> children;
  for (int i = 0; i < 5; ++i) children.emplace_back(loop, process::command::shell("exit " + std::to_string(i)));
  process::wait_all(loop, children);
  for (int i = 0; i < 5; ++i) CHECK(children[static_cast<std::size_t>(i)].result().status.code() == i);
  CHECK(loop.pending_count() == 0);
  CHECK(no_child_left());
}
