// What reaches the event loop from outside its thread: signals sent to this program (through a
// signalfd), tasks posted and wake-ups from other threads, and timers.
#include <servokit/process/child.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/process/signals.hpp>

#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace process = servokit::process;
using namespace std::chrono_literals;

TEST_CASE("a signal sent to this program reaches the loop's callback through the signalfd") {
  process::event_loop loop;
  std::vector<process::received_signal> received;
  process::signal_watch watch(loop, {SIGUSR1, SIGHUP},
                              [&](const process::received_signal& signal) { received.push_back(signal); });
  CHECK(watch.signals().contains(SIGUSR1));
  CHECK_FALSE(watch.signals().contains(SIGTERM));

  // A child sends it, as a user's `kill -USR1` would; it must not reach the child itself.
  process::child sender(loop, process::command::shell("kill -USR1 $PPID && kill -HUP $PPID && echo sent"));
  const auto& done = sender.wait();
  REQUIRE(done.ok());
  CHECK(loop.run_until([&] { return received.size() == 2; }, std::chrono::steady_clock::now() + 60s));
  REQUIRE(received.size() == 2);
  // Pending standard signals are read lowest number first, not in the order they were sent.
  CHECK(received[0].number + received[1].number == SIGUSR1 + SIGHUP);
  CHECK(received[0].number != received[1].number);
  CHECK(received[0].sender == sender.pid());
  CHECK(received[1].sender == sender.pid());
}

TEST_CASE("a signal raised in this thread before the loop turns is not lost") {
  process::event_loop loop;
  int count = 0;
  process::signal_watch watch(loop, {SIGUSR2}, [&](const process::received_signal&) { ++count; });
  REQUIRE(::kill(::getpid(), SIGUSR2) == 0);
  CHECK(loop.run_until([&] { return count == 1; }, std::chrono::steady_clock::now() + 60s));
}

TEST_CASE("children do not inherit the signals blocked for the signal watch") {
  process::event_loop loop;
  process::signal_watch watch(loop, {SIGTERM}, [](const process::received_signal&) {});
  process::child_options options;
  options.limits.total = 60s;  // with SIGTERM blocked, it would end by SIGKILL after this instead
  process::child victim(loop, {"sleep", "1000"}, std::move(options));
  REQUIRE(victim.signal(SIGTERM));
  CHECK(victim.wait().status.signal() == SIGTERM);
}

TEST_CASE("tasks posted from another thread run on the loop's thread") {
  process::event_loop loop;
  const auto loop_thread = std::this_thread::get_id();
  std::atomic<int> ran = 0;
  bool on_loop_thread = true;
  std::vector<std::jthread> posters;
  for (int i = 0; i < 4; ++i) {
    posters.emplace_back([&] {
      for (int j = 0; j < 100; ++j) {
        loop.post([&] {
          on_loop_thread = on_loop_thread && std::this_thread::get_id() == loop_thread;
          ++ran;
        });
      }
    });
  }
  CHECK(loop.run_until([&] { return ran == 400; }, std::chrono::steady_clock::now() + 60s));
  CHECK(on_loop_thread);
}

TEST_CASE("wake() from another thread ends a turn that would otherwise wait forever") {
  process::event_loop loop;
  std::atomic<bool> flag = false;
  std::jthread waker([&] {
    flag = true;
    loop.wake();
  });
  loop.run_until([&] { return flag.load(); });  // no timer, no fd: only the wake can end the wait
  CHECK(flag);
}

TEST_CASE("a stop binding runs its action on the loop, and a released one never runs") {
  process::event_loop loop;
  std::stop_source kept_source;
  std::stop_source dropped_source;
  int kept_runs = 0;
  int dropped_runs = 0;
  const process::stop_binding kept = loop.bind_stop(kept_source.get_token(), [&] { ++kept_runs; });
  {
    const process::stop_binding dropped = loop.bind_stop(dropped_source.get_token(), [&] { ++dropped_runs; });
    dropped_source.request_stop();  // queued on the loop...
  }                                 // ...but released before the loop turns
  std::jthread stopper([&] { kept_source.request_stop(); });
  CHECK(loop.run_until([&] { return kept_runs == 1; }, std::chrono::steady_clock::now() + 60s));
  loop.run_once(0ms);
  CHECK(dropped_runs == 0);
}

TEST_CASE("timers fire in deadline order and can be cancelled") {
  process::event_loop loop;
  std::vector<int> fired;
  const auto now = std::chrono::steady_clock::now();
  loop.start_timer(now + 30ms, [&] { fired.push_back(3); });
  loop.start_timer(now + 10ms, [&] { fired.push_back(1); });
  const auto cancelled = loop.start_timer(now + 20ms, [&] { fired.push_back(2); });
  loop.cancel_timer(cancelled);
  loop.run_until([&] { return loop.pending_count() == 0; });
  CHECK(fired == std::vector<int>{1, 3});
  CHECK(std::chrono::steady_clock::now() - now >= 30ms);
}
