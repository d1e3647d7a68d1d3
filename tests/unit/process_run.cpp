// Starting programs and the one-call convenience: argv or shell, PATH, working directory,
// environment, stdin, exit codes and signals, capture, and programs that cannot start.
#include <servokit/process/run.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace process = servokit::process;
using namespace std::chrono_literals;

namespace {

// A fresh directory under the build tree, removed at the end of the test.
struct scratch_directory {
  std::filesystem::path path;
  scratch_directory() {
    std::string pattern = std::string(SERVOKIT_TEST_BINARY_DIR) + "/process-run-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~scratch_directory() { std::filesystem::remove_all(path); }
};

void write_file(const std::filesystem::path& path, const std::string& text, std::filesystem::perms permissions) {
  std::ofstream(path) << text;
  std::filesystem::permissions(path, permissions);
}

}  // namespace

TEST_CASE("an argv runs without a shell: arguments arrive verbatim") {
  const auto done = process::run({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
  REQUIRE(done.ok());
  CHECK(done.out.text() == "a b|$HOME|*|'q'|");
  CHECK(done.describe() == "exited with code 0");
  CHECK(done.elapsed > 0ns);
}

TEST_CASE("a shell command line runs through /bin/sh -c, with optional shell arguments") {
  CHECK(process::run(process::command::shell("echo one; echo two | tr a-z A-Z")).stdout_lines() ==
        std::vector<std::string>{"one", "TWO"});
  CHECK(process::run(process::command::shell("echo \"$0:$1\"", {"name", "first"})).out.text() == "name:first\n");
}

TEST_CASE("stdin is fed and closed; stdout comes back as lines") {
  const auto done = process::run({"sort"}, "pear\napple\nfig\n");
  CHECK(done.ok());
  CHECK(done.stdout_lines() == std::vector<std::string>{"apple", "fig", "pear"});
  CHECK(done.stdin_bytes_written == 15);
}

TEST_CASE("without stdin data the child reads end of file at once") {
  CHECK(process::run({"cat"}).out.text().empty());
}

TEST_CASE("lines can go to a callback as they arrive") {
  std::vector<std::string> lines;
  process::child_options options;
  options.out.on_line = [&](const process::output_line& line) { lines.emplace_back(line.text); };
  const auto done = process::run(process::command::shell("echo a; echo; printf b"), std::move(options));
  CHECK(done.ok());
  CHECK(lines == std::vector<std::string>{"a", "", "b"});
}

TEST_CASE("raw chunks can be scanned instead of lines") {
  std::uint64_t bytes = 0;
  std::uint64_t zeros = 0;
  process::child_options options;
  options.out.capture = {0, process::keep::tail};
  options.out.on_chunk = [&](std::string_view chunk) {
    bytes += chunk.size();
    zeros += static_cast<std::uint64_t>(std::count(chunk.begin(), chunk.end(), '\0'));
  };
  const auto done = process::run({"head", "-c", "3000000", "/dev/zero"}, std::move(options));
  CHECK(done.ok());
  CHECK(bytes == 3000000);
  CHECK(zeros == 3000000);
  CHECK(done.out.total_bytes() == 3000000);
  CHECK(done.out.text().empty());
}

TEST_CASE("exit codes and signals are reported, never thrown") {
  const auto three = process::run(process::command::shell("exit 3"));
  CHECK(three.status.code() == 3);
  CHECK_FALSE(three.ok());
  CHECK(three.describe() == "exited with code 3");

  const auto killed = process::run(process::command::shell("kill -KILL $$"));
  CHECK(killed.status.signal() == SIGKILL);
  CHECK(killed.describe() == "killed by SIGKILL");
  CHECK(killed.interrupted_by == process::interruption::none);

  CHECK(process::run(process::command::shell("kill -TERM $$")).describe() == "killed by SIGTERM");
}

TEST_CASE("stderr is captured separately, and only its end is kept beyond the cap") {
  process::child_options options;
  options.err.capture = {1000, process::keep::tail};
  const auto done = process::run(
      process::command::shell("echo out; i=0; while [ $i -lt 500 ]; do echo \"error line $i\" >&2; i=$((i+1)); done"),
      std::move(options));
  CHECK(done.out.text() == "out\n");
  CHECK(done.err.truncated());
  CHECK(done.err.tail().size() == 1000);
  CHECK(done.err.text().ends_with("error line 499\n"));
  CHECK(done.err.total_bytes() > 5000);
}

TEST_CASE("the default capture keeps 2 MiB of each stream") {
  const auto done = process::run({"head", "-c", "3000000", "/dev/zero"});
  CHECK(done.out.total_bytes() == 3000000);
  CHECK(done.out.text().size() == process::default_capture_bytes);
  CHECK(done.out.truncated());
}

TEST_CASE("streams can go to /dev/null or be inherited") {
  process::child_options options;
  options.out.target = process::stream_target::null;
  options.err.target = process::stream_target::null;
  const auto done = process::run(process::command::shell("echo hidden; echo hidden >&2; test -c /dev/stdin"),
                                 std::move(options));
  CHECK(done.ok());
  CHECK(done.out.total_bytes() == 0);
  CHECK(done.err.total_bytes() == 0);
}

TEST_CASE("a program name without '/' is searched in the child's PATH") {
  scratch_directory scratch;
  write_file(scratch.path / "servokit-hello", "#!/bin/sh\necho found me\n", std::filesystem::perms::owner_all);
  process::command cmd{"servokit-hello"};
  cmd.env.set("PATH", "/nonexistent:" + scratch.path.string() + ":/usr/bin:/bin");
  CHECK(process::run(cmd).out.text() == "found me\n");
}

TEST_CASE("the working directory is set, and a relative program path is taken from it") {
  scratch_directory scratch;
  write_file(scratch.path / "here.sh", "#!/bin/sh\npwd\n", std::filesystem::perms::owner_all);
  const auto done = process::run(process::command{"./here.sh"}.in_directory(scratch.path));
  REQUIRE(done.ok());
  CHECK(done.out.text() == std::filesystem::canonical(scratch.path).string() + "\n");
  CHECK(process::run(process::command{"pwd"}.in_directory("/")).out.text() == "/\n");
}

TEST_CASE("the environment is inherited, overridden, extended, trimmed or replaced") {
  REQUIRE(::setenv("SERVOKIT_TEST_INHERITED", "from parent", 1) == 0);
  REQUIRE(::setenv("SERVOKIT_TEST_REMOVED", "present", 1) == 0);
  const auto script = process::command::shell(
      "echo \"$SERVOKIT_TEST_INHERITED|${SERVOKIT_TEST_REMOVED-unset}|$SERVOKIT_TEST_ADDED\"");
  CHECK(process::run(script).out.text() == "from parent|present|\n");

  process::command changed = script;
  changed.env.set("SERVOKIT_TEST_INHERITED", "overridden").set("SERVOKIT_TEST_ADDED", "added").unset("SERVOKIT_TEST_REMOVED");
  CHECK(process::run(changed).out.text() == "overridden|unset|added\n");

  process::command replaced{"env"};
  replaced.env = process::environment::replace({{"ONLY", "this"}});
  CHECK(process::run(replaced).out.text() == "ONLY=this\n");

  ::unsetenv("SERVOKIT_TEST_INHERITED");
  ::unsetenv("SERVOKIT_TEST_REMOVED");
}

TEST_CASE("a program that cannot be started is a spawn_error naming it and the reason") {
  try {
    (void)process::run({"servokit-no-such-program", "--flag"});
    FAIL("no exception");
  } catch (const process::spawn_error& error) {
    CHECK(error.program() == "servokit-no-such-program");
    CHECK(std::string(error.what()) == "cannot start 'servokit-no-such-program': No such file or directory");
    CHECK(error.code().value() == ENOENT);
  }
  CHECK_THROWS_WITH_AS((void)process::run({"/nonexistent/servokit/program"}),
                       "cannot start '/nonexistent/servokit/program': No such file or directory", process::spawn_error);
  CHECK_THROWS_WITH_AS((void)process::run(process::command{"pwd"}.in_directory("/nonexistent-dir")),
                       "cannot start 'pwd' (in directory '/nonexistent-dir'): No such file or directory",
                       process::spawn_error);
  CHECK_THROWS_AS((void)process::run(process::command{}), process::spawn_error);

  scratch_directory scratch;
  write_file(scratch.path / "not-executable", "#!/bin/sh\n", std::filesystem::perms::owner_read);
  if (::geteuid() != 0) {  // root may execute anything with an x bit, and this has none anyway
    CHECK_THROWS_WITH_AS((void)process::run({(scratch.path / "not-executable").string()}),
                         ("cannot start '" + (scratch.path / "not-executable").string() + "': Permission denied").c_str(),
                         process::spawn_error);
  }
  process::command in_path{"not-executable"};
  in_path.env.set("PATH", scratch.path.string());
  CHECK_THROWS_WITH_AS((void)process::run(in_path), "cannot start 'not-executable': Permission denied",
                       process::spawn_error);
}

TEST_CASE("a failed start leaves no child and no descriptor behind") {
  const auto count_fds = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator());
  };
  const auto before = count_fds();
  for (int attempt = 0; attempt < 50; ++attempt) {
    CHECK_THROWS_AS((void)process::run({"servokit-no-such-program"}, "input"), process::spawn_error);
  }
  CHECK(count_fds() == before);
  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
