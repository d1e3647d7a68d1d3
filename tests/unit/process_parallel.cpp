// Many children served by one thread: all complete, each with its own output and status, and
// every one is reaped.
#include <servokit/process/child.hpp>

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <string>
#include <vector>

namespace process = servokit::process;
using namespace std::chrono_literals;

TEST_CASE("200 children in parallel on one loop all complete and are all reaped") {
  constexpr int count = 200;
  process::event_loop loop;
  std::vector<process::child> children;
  children.reserve(count);
  int exits_seen = 0;
  for (int i = 0; i < count; ++i) {
    process::child_options options;
    options.in.data = "input " + std::to_string(i) + "\n";
    options.limits.total = 120s;
    options.on_exit = [&exits_seen](const process::completion&) { ++exits_seen; };
    // Each one reads its stdin, writes to both outputs and exits with its own code.
    children.emplace_back(loop,
                          process::command::shell("read line; echo \"$line from $0\"; echo \"err $0\" >&2; exit $(($0 % 7))",
                                                  {std::to_string(i)}),
                          std::move(options));
  }
  process::wait_all(loop, children);

  CHECK(exits_seen == count);
  for (int i = 0; i < count; ++i) {
    const auto& done = children[static_cast<std::size_t>(i)].result();
    CAPTURE(i);
    CHECK(done.interrupted_by == process::interruption::none);
    CHECK(done.status.code() == i % 7);
    CHECK(done.out.text() == "input " + std::to_string(i) + " from " + std::to_string(i) + "\n");
    CHECK(done.err.text() == "err " + std::to_string(i) + "\n");
  }
  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);  // no child at all, zombie or running
  CHECK(errno == ECHILD);
  CHECK(loop.pending_count() == 0);
}

TEST_CASE("children on one loop progress together: a slow one does not hold up the others") {
  process::event_loop loop;
  process::child_options slow_options;
  slow_options.in.keep_open = true;
  process::child slow(loop, {"cat"}, std::move(slow_options));  // runs until its stdin closes
  std::vector<process::child> quick;
  for (int i = 0; i < 20; ++i) quick.emplace_back(loop, process::command{"echo", std::to_string(i)});
  process::wait_all(loop, quick);
  CHECK_FALSE(slow.finished());
  slow.close_stdin();
  CHECK(slow.wait().ok());
}

TEST_CASE("several big producers share the loop without deadlock") {
  process::event_loop loop;
  std::vector<process::child> producers;
  for (int i = 0; i < 8; ++i) {
    process::child_options options;
    options.in.data.assign(std::size_t{4} << 20, 'i');
    options.limits.total = 120s;
    producers.emplace_back(loop,
                           process::command{SERVOKIT_TEST_HELPER_DIR "/test-proc_flood", std::to_string(8 << 20),
                                            std::to_string(8 << 20)},
                           std::move(options));
  }
  process::wait_all(loop, producers);
  for (const auto& producer : producers) {
    CHECK(producer.result().ok());
    CHECK(producer.result().err.total_bytes() == 8u << 20);
    CHECK(producer.result().out.text().ends_with("stdin-bytes=" + std::to_string(4 << 20) + "\n"));
  }
}

TEST_CASE("without pidfd (old kernels, seccomp) children are found ended by polling, all the same") {
  servokit::process::detail::pidfd_wanted = false;
  process::event_loop loop;
  std::vector<process::child> children;
  for (int i = 0; i < 20; ++i) children.emplace_back(loop, process::command::shell("exit $0", {std::to_string(i)}));
  // One that closes its output long before it exits, and one with no pipes at all.
  children.emplace_back(loop, process::command::shell("exec >&- 2>&-; sleep 0.3; exit 42"));
  process::child_options unpiped;
  unpiped.out.target = process::stream_target::null;
  unpiped.err.target = process::stream_target::null;
  children.emplace_back(loop, process::command::shell("sleep 0.2; exit 43"), std::move(unpiped));
  process::wait_all(loop, children);
  servokit::process::detail::pidfd_wanted = true;

  for (int i = 0; i < 20; ++i) CHECK(children[static_cast<std::size_t>(i)].result().status.code() == i);
  CHECK(children[20].result().status.code() == 42);
  CHECK(children[21].result().status.code() == 43);
  CHECK(loop.pending_count() == 0);
  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
