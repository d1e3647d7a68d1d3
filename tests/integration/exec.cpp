// servokit-exec run as a servo runs it: `measure` linked in a servo directory with a config.yaml,
// the request on stdin, one JSON line per message. Tasks run real programs and real HTTP
// requests against a test server on 127.0.0.1 (tests/support/http_test_server.py).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <servokit/http.hpp>
#include <servokit/json.hpp>
#include <servokit/process.hpp>
#include <servokit/protocol.hpp>

#include "driver_run.hpp"
#include "http_server.hpp"
#include "leftovers.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using servokit_test::driver_output;
using servokit_test::http_test_server;
using servokit_test::read_file;

namespace {

/// A servo directory with `measure` linked to bin/servokit-exec and the given config.yaml.
class exec_servo {
 public:
  explicit exec_servo(const std::string& config) {
    std::filesystem::create_symlink(servokit_test::bin("servokit-exec"), dir_ / "measure");
    dir_.write("config.yaml", config);
  }
  std::filesystem::path operator/(std::string_view name) const { return dir_ / name; }
  std::string read(std::string_view name) const { return read_file(dir_ / name); }

  /// `./measure app < request`; `on_line` sees each stdout line as it comes.
  driver_output measure(const std::string& request = R"({"control": {"duration": 0}})",
                        std::function<void(const std::string&, servokit::process::child&)> on_line = {}) const {
    return servokit_test::run_driver({.argv = {(dir_ / "measure").string(), "app"}, .request = request,
                                      .directory = dir_.path(), .on_line = std::move(on_line)});
  }
  driver_output run(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), (dir_ / "measure").string());
    return servokit_test::run_driver({.argv = arguments, .directory = dir_.path()});
  }

 private:
  servokit_test::temp_dir dir_;
};

/// The final line's status.
std::string status_of(const driver_output& output) {
  return servokit::json::read<servokit::status_line>(output.last_line()).status;
}
/// The final line's message.
std::string message_of(const driver_output& output) {
  return servokit::json::read<servokit::status_line>(output.last_line()).message.value_or("");
}
/// The messages of every progress line.
std::vector<std::string> progress_messages(const driver_output& output) {
  std::vector<std::string> messages;
  for (std::size_t i = 0; i + 1 < output.lines.size(); ++i) {
    const auto line = servokit::json::read<servokit::progress_line>(output.lines[i]);
    messages.push_back(line.message.value_or(""));
  }
  return messages;
}
bool any_contains(const std::vector<std::string>& messages, std::string_view part) {
  return std::any_of(messages.begin(), messages.end(), [&](const std::string& m) { return m.find(part) != std::string::npos; });
}

/// Whether process `pid` is gone (waits up to 5 s for the kernel to finish with it).
bool process_gone(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (stat.find(") Z ") != std::string::npos) return true;   // a zombie of another parent: not running
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

pid_t pid_in(const exec_servo& servo, std::string_view file) { return std::stoi(servo.read(file)); }

}  // namespace

TEST_CASE("--info has cancel, --describe is an empty metric set") {
  exec_servo servo("exec: {}\n");
  CHECK(servo.run({"--info"}).last_line() == R"({"version":"1.0.0","has_cancel":true})");
  CHECK(servo.run({"--describe", "app"}).last_line() == R"({"status":"ok","metrics":{}})");
}

TEST_CASE("stages run in order around the wait; success has empty metrics; progress never divides by zero") {
  exec_servo servo(R"(exec:
  pre:   [{name: p, shell_exec: "echo pre >> log"}]
  start: [{name: s, exec: [sh, -c, "echo start >> log"]}]
  stop:  [{shell_exec: ["echo $0 $1 >> log", stop, arg]}]
  post:  [{exec: ./post.sh}]
)");
  {
    std::ofstream(servo / "post.sh") << "#!/bin/sh\necho post >> log\n";
    std::filesystem::permissions(servo / "post.sh", std::filesystem::perms::owner_all);
  }
  SUBCASE("duration 0") {
    const auto output = servo.measure(R"({"control": {"duration": 0}})");
    REQUIRE(output.exit_code() == 0);
    CHECK(output.last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
    CHECK(servo.read("log") == "pre\nstart\nstop arg\npost\n");
    for (std::size_t i = 0; i + 1 < output.lines.size(); ++i) {
      const auto line = servokit::json::read<servokit::progress_line>(output.lines[i]);
      CHECK(line.progress >= 0);
      CHECK(line.progress <= 100);
    }
    const auto messages = progress_messages(output);
    CHECK(any_contains(messages, "pre: running \"p\""));
    CHECK(any_contains(messages, "stop: running stop task 1"));
  }
  SUBCASE("no control at all is duration 0") {
    CHECK(servo.measure("{}").last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
  }
  SUBCASE("the wait is duration + warmup + delay (or past), numbers or numeric strings") {
    const auto output = servo.measure(R"({"control": {"duration": "0.6", "warmup": 0.3, "past": 0.3}})");
    REQUIRE(output.exit_code() == 0);
    CHECK(output.elapsed >= 1200ms);
    CHECK(servo.read("log") == "pre\nstart\nstop arg\npost\n");
  }
}

TEST_CASE("a failing task is retried, then fails its stage; post still runs; the message says where") {
  exec_servo servo(R"(exec:
  pre:   [{name: ok, exec: /bin/true}]
  start:
    - name: flaky start
      retries: 2
      shell_exec: "echo attempt >> attempts; echo some output; echo the reason >&2; exit 3"
    - {name: never, shell_exec: "echo never >> log"}
  stop:  [{shell_exec: "echo stop >> log"}]
  post:  [{shell_exec: "echo post >> log"}, {shell_exec: "exit 1"}, {shell_exec: "echo post2 >> log"}]
)");
  const auto output = servo.measure();
  CHECK(output.exit_code() != 0);
  CHECK(status_of(output) == "failed");
  const std::string message = message_of(output);
  CHECK(message.find("stage start: task \"flaky start\" failed after 3 attempts: exited with code 3") != std::string::npos);
  CHECK(message.find("end of stdout: some output") != std::string::npos);
  CHECK(message.find("end of stderr: the reason") != std::string::npos);
  CHECK(servo.read("attempts") == "attempt\nattempt\nattempt\n");
  CHECK(servo.read("log") == "post\npost2\n");   // stop and the rest of start skipped; post complete
}

TEST_CASE("ignore_exitcode lets the stage go on") {
  exec_servo servo(R"(exec:
  start: [{ignore_exitcode: true, exec: /bin/false}, {shell_exec: "echo after >> log"}]
)");
  const auto output = servo.measure();
  CHECK(output.last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
  CHECK(servo.read("log") == "after\n");
}

TEST_CASE("a program that cannot be started is a failure with the reason") {
  exec_servo servo("exec:\n  pre: [{name: missing, exec: ./does-not-exist}]\n");
  const auto output = servo.measure();
  CHECK(status_of(output) == "failed");
  CHECK(message_of(output).find("task \"missing\" failed after 1 attempt: cannot start") != std::string::npos);
}

TEST_CASE("timeout kills the task's whole process group") {
  exec_servo servo(R"(exec:
  start: [{name: slow, timeout: 1, shell_exec: "sleep 300 & echo $! > child.pid; wait"}]
)");
  const auto started = std::chrono::steady_clock::now();
  const auto output = servo.measure();
  CHECK(std::chrono::steady_clock::now() - started < 15s);
  CHECK(status_of(output) == "failed");
  CHECK(message_of(output).find("task \"slow\" failed after 1 attempt: timed out after 1 s") != std::string::npos);
  CHECK(process_gone(pid_in(servo, "child.pid")));
}

TEST_CASE("async tasks run in the background and are gone when the measurement ends") {
  exec_servo servo(R"(exec:
  start:
    - name: load
      async: true
      notify: true
      shell_exec: "echo $$ > load.pid; sleep 300 & echo $! > load_child.pid; while true; do echo generating; sleep 0.2; done"
  stop: [{shell_exec: "test -s load.pid && echo load-was-running >> log"}]
)");
  const auto output = servo.measure(R"({"control": {"duration": 1}})");
  CHECK(output.last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
  CHECK(servo.read("log") == "load-was-running\n");
  CHECK(process_gone(pid_in(servo, "load.pid")));
  CHECK(process_gone(pid_in(servo, "load_child.pid")));
  CHECK(any_contains(progress_messages(output), "\"load\": generating"));
}

TEST_CASE("notify relays a task's output as progress messages") {
  exec_servo servo(R"(exec:
  pre: [{name: talk, notify: true, shell_exec: "echo line one; echo line two >&2"}, {name: quiet, exec: [echo, hidden]}]
)");
  const auto output = servo.measure();
  const auto messages = progress_messages(output);
  CHECK(any_contains(messages, "\"talk\" exited with code 0: end of stdout: line one; end of stderr: line two"));
  CHECK_FALSE(any_contains(messages, "hidden"));
}

TEST_CASE("SIGUSR1 cancels: running tasks stop, post runs, the result is canceled") {
  exec_servo servo(R"(exec:
  start:
    - {name: load, async: true, shell_exec: "echo $$ > load.pid; exec sleep 300"}
  stop: [{shell_exec: "echo stop >> log"}]
  post: [{shell_exec: "echo post >> log"}]
)");
  // Once the load generator is surely running (its pid written), cancel.
  const auto when = [&servo](std::string_view trigger) {
    return [trigger, &servo](const std::string& line, servokit::process::child& driver) {
      if (line.find(trigger) == std::string::npos) return;
      for (int i = 0; i < 100 && servo.read("load.pid").empty(); ++i) std::this_thread::sleep_for(20ms);
      driver.signal(SIGUSR1);
    };
  };
  SUBCASE("during the wait") {
    const auto output = servo.measure(R"({"control": {"duration": 60}})", when("waiting for the measurement"));
    CHECK(output.elapsed < 15s);
    CHECK(status_of(output) == "canceled");
    CHECK(message_of(output).find("SIGUSR1") != std::string::npos);
    CHECK(output.exit_code() != 0);
    CHECK(servo.read("log") == "post\n");
    CHECK(process_gone(pid_in(servo, "load.pid")));
  }
  SUBCASE("during a wait longer than any clock counts") {
    const auto output = servo.measure(R"({"control": {"duration": 1e15, "warmup": "1e300"}})", when("waiting for the measurement"));
    CHECK(output.elapsed < 15s);
    CHECK(status_of(output) == "canceled");
    CHECK(servo.read("log") == "post\n");
  }
}

TEST_CASE("SIGUSR1 during a task stops it; post runs") {
  exec_servo servo(R"(exec:
  pre: [{name: long, shell_exec: "echo $$ > task.pid; sleep 300"}]
  post: [{shell_exec: "echo post >> log"}]
)");
  const auto output = servo.measure(R"({"control": {"duration": 0}})", [](const std::string& line, servokit::process::child& driver) {
    if (line.find("pre: running") != std::string::npos) {
      std::this_thread::sleep_for(200ms);   // let the shell write its pid
      driver.signal(SIGUSR1);
    }
  });
  CHECK(output.elapsed < 15s);
  CHECK(status_of(output) == "canceled");
  CHECK(servo.read("log") == "post\n");
  CHECK(process_gone(pid_in(servo, "task.pid")));
}

TEST_CASE("post runs after a failed start and never fails the measurement") {
  exec_servo servo(R"(exec:
  start: [{exec: /bin/false}]
  post: [{shell_exec: "echo post >> log; exit 7"}]
)");
  const auto output = servo.measure();
  CHECK(status_of(output) == "failed");
  CHECK(message_of(output).find("stage start: task start task 1 failed") != std::string::npos);
  CHECK(servo.read("log") == "post\n");
  exec_servo only_post("exec:\n  post: [{exec: /bin/false}]\n");
  CHECK(only_post.measure().last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
}

TEST_CASE("request tasks against a real server: success codes, retries, errors, body and headers") {
  http_test_server server;
  const auto servo_for = [&](const std::string& tasks) {
    std::string config = "exec:\n  start:\n" + tasks;
    std::size_t at;
    while ((at = config.find("URL")) != std::string::npos) config.replace(at, 3, server.url());
    return std::make_unique<exec_servo>(config);
  };
  SUBCASE("success_codes as int, range and list") {
    auto servo = servo_for(R"(    - request: {url: "URL/status/201", success_codes: 201}
    - request: {url: "URL/status/204", success_codes: "200-299"}
    - request: {url: "URL/status/502", success_codes: [200, "500-503"]}
    - request: {url: "URL/status/302"}
)");
    CHECK(servo->measure().last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
  }
  SUBCASE("a code outside success_codes fails, naming the status and the codes") {
    auto servo = servo_for("    - {name: hook, request: {url: \"URL/status/404\", success_codes: [200, \"500-503\"]}}\n");
    const auto output = servo->measure();
    CHECK(status_of(output) == "failed");
    CHECK(message_of(output).find("task \"hook\" failed after 1 attempt: HTTP 404 (success codes: 200, 500-503); end of response: status 404") !=
          std::string::npos);
  }
  SUBCASE("a 500 is retried") {
    auto servo = servo_for(R"(    - {name: flaky, retries: 2, request: {url: "URL/flaky/a?failures=2"}}
    - {name: broken, retries: 1, ignore_exitcode: true, request: {url: "URL/flaky/b?failures=9"}}
)");
    const auto output = servo->measure();
    CHECK(output.last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
    servokit::http::client client;
    CHECK(client.perform({.url = server.url("/hits/a")}).body == "3");
    CHECK(client.perform({.url = server.url("/hits/b")}).body == "2");
    CHECK(any_contains(progress_messages(output), "\"flaky\" attempt 1 of 3 failed: HTTP 500"));
  }
  SUBCASE("connection refused names the URL") {
    http_test_server* gone = new http_test_server;
    const std::string url = gone->url("/x");
    delete gone;
    auto servo = servo_for("    - {name: down, request: {url: \"" + url + "\"}}\n");
    const auto output = servo->measure();
    CHECK(status_of(output) == "failed");
    CHECK(message_of(output).find("task \"down\" failed after 1 attempt: GET " + url + ": Couldn't connect") != std::string::npos);
  }
  SUBCASE("a request that hangs fails after http_timeout") {
    auto servo = servo_for("    - {name: hang, request: {url: \"URL/hang\", http_timeout: 1}}\n");
    const auto output = servo->measure();
    CHECK(output.elapsed < 10s);
    CHECK(status_of(output) == "failed");
    CHECK(message_of(output).find("idle timeout") != std::string::npos);
  }
  SUBCASE("POST sends data with its content type and the headers; notify relays the response") {
    auto servo = servo_for(R"(    - name: post
      notify: true
      request:
        method: post
        url: "URL/echo"
        data: {load: 100, name: x}
        headers: {X-Run: "42", Authorization: Bearer not-in-any-message}
    - {name: plain, notify: true, request: {method: PUT, url: "URL/echo", data: "raw text", content-type: text/plain}}
)");
    const auto output = servo->measure();
    CHECK(output.last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
    const auto messages = progress_messages(output);
    CHECK(any_contains(messages, R"("post" HTTP 200: {"method": "POST")"));
    CHECK(any_contains(messages, R"("body": "{\"load\":100,\"name\":\"x\"}")"));
    CHECK(any_contains(messages, R"("x-run": "42")"));
    CHECK(any_contains(messages, R"("content-type": "application/json")"));
    CHECK(any_contains(messages, R"("content-type": "text/plain")"));
    CHECK(any_contains(messages, R"("body": "raw text")"));
  }
}

TEST_CASE("TLS: verify true refuses a self-signed server, verify false accepts it") {
  servokit_test::temp_dir keys;
  const std::string key = (keys / "key.pem").string(), cert = (keys / "cert.pem").string();
  const auto made = servokit::process::run(servokit::process::command{
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", key, "-out", cert});
  REQUIRE(made.ok());
  http_test_server server({"--tls", cert, key});
  const std::string url = server.url("/status/200", "https");
  exec_servo checked("exec:\n  start: [{name: tls, request: {url: \"" + url + "\"}}]\n");
  const auto refused = checked.measure();
  CHECK(status_of(refused) == "failed");
  CHECK(message_of(refused).find("certificate") != std::string::npos);
  exec_servo unchecked("exec:\n  start: [{name: tls, request: {url: \"" + url + "\", verify: false}}]\n");
  CHECK(unchecked.measure().last_line() == R"({"status":"ok","metrics":{},"annotations":{}})");
}

TEST_CASE("values of the request never go into a command") {
  exec_servo servo("exec:\n  start: [{shell_exec: 'echo \"{duration} {control[userdata]}\" > out'}]\n");
  const auto output = servo.measure(R"json({"control": {"duration": 0, "userdata": {"x": "$(touch pwned)"}}})json");
  CHECK(output.exit_code() == 0);
  CHECK(servo.read("out") == "{duration} {control[userdata]}\n");
  CHECK_FALSE(std::filesystem::exists(servo / "pwned"));
}

TEST_CASE("bad configs are config errors naming the file, line and key") {
  const auto config_error = [](const std::string& config) {
    exec_servo servo(config);
    const auto output = servo.measure();
    CHECK(output.exit_code() != 0);
    CHECK(status_of(output) == "failed");
    return message_of(output);
  };
  std::string message = config_error("exec:\n  pre:\n    - name: x\n      exec: /bin/true\n      bogus: 1\n");
  CHECK(message.find("config.yaml:5:") != std::string::npos);
  CHECK(message.find("unknown key \"bogus\"") != std::string::npos);
  CHECK(message.find("exec.pre[0].bogus") != std::string::npos);

  message = config_error("exec:\n  start:\n    - name: x\n      exec: /bin/true\n      shell_exec: echo\n");
  CHECK(message.find("config.yaml:5:") != std::string::npos);
  CHECK(message.find("exactly one of exec, shell_exec or request; it has more") != std::string::npos);

  message = config_error("exec:\n  start:\n    - name: x\n      notify: true\n");
  CHECK(message.find("config.yaml:3:") != std::string::npos);
  CHECK(message.find("it has none") != std::string::npos);

  for (const char* codes : {"abc", "\"300-200\"", "1000", "[200, x]", "2.5", "[]"}) {
    CAPTURE(codes);
    message = config_error(std::string("exec:\n  stop:\n    - request:\n        url: http://127.0.0.1:1/\n        success_codes: ") +
                           codes + "\n");
    CHECK(message.find("config.yaml:5:") != std::string::npos);
    CHECK(message.find("success_codes") != std::string::npos);
  }

  message = config_error("exec:\n  stop:\n    - request: {url: \"127.0.0.1/x\"}\n");
  CHECK(message.find("config.yaml:3:") != std::string::npos);
  CHECK(message.find("http:// or https://") != std::string::npos);

  message = config_error("exec:\n  stage2: []\n");
  CHECK(message.find("unknown key \"stage2\"") != std::string::npos);

  message = config_error("exec:\n  pre:\n    - {exec: /bin/true, retries: -1}\n");
  CHECK(message.find("retries") != std::string::npos);
}

TEST_CASE("a SIGKILLed servokit-exec leaves no async task running") {
  exec_servo servo(R"(exec:
  start:
    - {name: load, async: true, shell_exec: "echo $$ > load.pid; trap '' TERM; sleep 300 & wait"}
)");
  const std::filesystem::path dir = (servo / "measure").parent_path();
  const auto output = servo.measure(R"({"control": {"duration": 60}})", [&servo](const std::string& line, servokit::process::child& exec) {
    if (line.find("waiting for the measurement") == std::string::npos) return;
    for (int i = 0; i < 100 && servo.read("load.pid").empty(); ++i) std::this_thread::sleep_for(20ms);
    exec.signal(SIGKILL);
  });
  CHECK(output.elapsed < 15s);
  // The orphan guard ends them within about a second (two levels of its 0.5 s grace); the wait
  // ends as soon as none is left, and 10 s leave room for a machine busy with other work.
  const auto left = servokit_test::leftovers_after(dir, 10s);
  CHECK_MESSAGE(left.empty(), servokit_test::describe(left));
  for (const auto& each : left) ::kill(each.pid, SIGKILL);
}
