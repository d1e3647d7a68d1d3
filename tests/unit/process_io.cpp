// Moving data through a child's pipes: never a deadlock however much flows each way, never a
// SIGPIPE when the child stops reading, and nothing of the parent leaking into the child.
#include <servokit/process/child.hpp>
#include <servokit/process/run.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace process = servokit::process;
using namespace std::chrono_literals;

namespace {

const std::string flood_program = SERVOKIT_TEST_HELPER_DIR "/test-proc_flood";
constexpr std::size_t mebibyte = std::size_t{1} << 20;

}  // namespace

TEST_CASE("64 MiB each way on stdin, stdout and stderr at once finishes without deadlock") {
  const std::size_t size = 64 * mebibyte;
  std::uint64_t stdout_lines = 0;
  std::uint64_t stderr_lines = 0;
  std::string last_line;
  process::child_options options;
  options.in.data.assign(size, 'i');
  options.out.on_line = [&](const process::output_line& line) {
    ++stdout_lines;
    last_line = line.text;
  };
  options.err.on_line = [&](const process::output_line&) { ++stderr_lines; };
  options.limits.total = 300s;  // a deadlock fails the test instead of hanging it
  const auto done = process::run({flood_program, std::to_string(size), std::to_string(size)}, std::move(options));

  REQUIRE(done.ok());
  CHECK(done.stdin_bytes_written == size);
  CHECK(last_line == "stdin-bytes=" + std::to_string(size));
  CHECK(done.out.total_bytes() == size + last_line.size() + 1);
  CHECK(done.err.total_bytes() == size);
  CHECK(stdout_lines == size / 64 + 1);
  CHECK(stderr_lines == size / 64);
  CHECK(done.out.text().size() == process::default_capture_bytes);  // the tail only, memory bounded
  CHECK(done.out.text().ends_with(last_line + "\n"));
}

TEST_CASE("stdin can be kept open and written piece by piece from the loop") {
  process::event_loop loop;
  std::vector<std::string> echoed;
  process::child* cat_pointer = nullptr;
  process::child_options options;
  options.in.keep_open = true;
  options.out.on_line = [&](const process::output_line& line) {
    echoed.emplace_back(line.text);
    if (echoed.size() < 3) {
      cat_pointer->write_stdin("line " + std::to_string(echoed.size()) + "\n");
    } else {
      cat_pointer->close_stdin();
    }
  };
  process::child cat(loop, {"cat"}, std::move(options));
  cat_pointer = &cat;
  cat.write_stdin("line 0\n");
  const auto& done = cat.wait();
  CHECK(done.ok());
  CHECK(echoed == std::vector<std::string>{"line 0", "line 1", "line 2"});
  CHECK(done.stdin_bytes_written == 21);
}

TEST_CASE("writing to a stdin that is not kept open is a logic error") {
  process::event_loop loop;
  process::child sleeper(loop, {"sleep", "100"});
  CHECK_THROWS_AS(sleeper.write_stdin("x"), std::logic_error);
}

TEST_CASE("a child that closes stdin early while a lot is fed does not kill us with SIGPIPE") {
  struct sigaction before {};
  REQUIRE(::sigaction(SIGPIPE, nullptr, &before) == 0);
  REQUIRE((before.sa_handler == SIG_DFL));  // so a stray SIGPIPE would end this test program

  for (const char* script : {"head -c 10 >/dev/null", "exec 0<&-; sleep 0.2", "exit 0"}) {
    CAPTURE(script);
    const auto done = process::run(process::command::shell(script), std::string(64 * mebibyte, 'x'));
    CHECK(done.ok());
    CHECK(done.stdin_closed_by_child);
    CHECK(done.stdin_bytes_written < 64 * mebibyte);
  }

  // The process-wide disposition is untouched and SIGPIPE is not left blocked or pending.
  struct sigaction after {};
  REQUIRE(::sigaction(SIGPIPE, nullptr, &after) == 0);
  CHECK((after.sa_handler == SIG_DFL));
  sigset_t blocked;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &blocked);
  CHECK_FALSE(sigismember(&blocked, SIGPIPE));
  sigset_t pending;
  ::sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE));
}

TEST_CASE("the child sees only fds 0, 1 and 2, even when the parent holds inheritable ones") {
  const int inheritable = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  REQUIRE(inheritable > 2);
  process::event_loop loop;
  process::child_options other_options;
  other_options.in.keep_open = true;
  process::child other(loop, {"sleep", "100"}, std::move(other_options));  // its pipes exist meanwhile

  for (const std::string input : {"", "x"}) {  // stdin from /dev/null, then from a pipe
    process::child_options options;
    options.in.data = input;
    const auto done = process::run({SERVOKIT_TEST_HELPER_DIR "/test-proc_fds"}, std::move(options));
    REQUIRE(done.ok());
    CHECK(done.stdout_lines() == std::vector<std::string>{"0", "1", "2"});
  }
  ::close(inheritable);
}

TEST_CASE("a child's signal mask and dispositions start clean") {
  sigset_t block_usr2;
  sigemptyset(&block_usr2);
  sigaddset(&block_usr2, SIGUSR2);
  sigset_t previous;
  ::pthread_sigmask(SIG_BLOCK, &block_usr2, &previous);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_int {};
  ::sigaction(SIGINT, &ignore, &old_int);

  // SigBlk and SigIgn of /proc/self/status are hexadecimal masks (bit n-1 for signal n). Signals
  // 32 and 33 are glibc's own (thread cancel, setxid), which posix_spawn itself sets to ignore.
  const auto done = process::run(process::command::shell("grep -E '^Sig(Blk|Ign)' /proc/self/status"));
  ::sigaction(SIGINT, &old_int, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  REQUIRE(done.ok());
  for (const auto& line : done.stdout_lines()) {
    CAPTURE(line);
    const unsigned long long mask = std::stoull(line.substr(line.find('\t') + 1), nullptr, 16);
    const unsigned long long glibc_internal = (1ULL << 31) | (1ULL << 32);
    CHECK((mask & ~glibc_internal) == 0);
  }
}
