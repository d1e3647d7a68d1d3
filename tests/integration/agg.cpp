// servokit-agg run as a servo runs `./adjust`: sub-drivers in adjust.d/ written with servokit, in
// shell and in Python; every merge rule of PROTOCOL.md section 8 and every way a sub-driver fails.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include <servokit/json.hpp>
#include <servokit/protocol.hpp>

#include "aggregator_servo.hpp"
#include "batch_servo.hpp"
#include "driver_run.hpp"

using servokit_test::aggregator_servo;
using servokit_test::final_status;

namespace {

/// config.yaml for bin/test-driver_adjust (section "testadjust"): component web, setting cpu.
const std::string test_adjust_config = R"(testadjust:
  application:
    components:
      web:
        settings:
          cpu: {type: range, min: 0.25, max: 4, step: 0.25, value: 1, unit: cores}
  state_file: web.state
)";

/// A shell adjust driver owning `component.setting` (range 1..8), with `has_cancel` as given;
/// its adjust records the request in <name>.request and runs `work` before the final line.
std::string shell_driver(const std::string& name, const std::string& component, const std::string& setting,
                         bool has_cancel = true, const std::string& work = "") {
  return "#!/bin/sh\n"
         "case \"$1\" in\n"
         "  --info) echo '{\"version\": \"" + name + "-1.0\", \"has_cancel\": " + (has_cancel ? "true" : "false") + "}';;\n"
         "  --query) echo '{\"application\": {\"components\": {\"" + component + "\": {\"settings\": {\"" + setting +
         "\": {\"type\": \"range\", \"min\": 1, \"max\": 8, \"step\": 1, \"value\": 2}}}}}}';;\n"
         "  *) cat > " + name + ".request; echo '{\"progress\": 50, \"message\": \"" + name + " half\"}'\n" + work +
         "\n     echo '{\"status\": \"ok\"}';;\n"
         "esac\n";
}

/// Puts the servokit test driver (web.cpu) and a shell driver (jvm.heap) into `servo`.
void add_two_drivers(const aggregator_servo& servo) {
  servo.config(test_adjust_config);
  servo.link("01web", "test-driver_adjust");
  servo.script("02jvm", shell_driver("02jvm", "jvm", "heap"));
}

const std::string both_settings_request = R"({"application": {"components": {
    "web": {"settings": {"cpu": {"value": 2}}},
    "jvm": {"settings": {"heap": {"value": 4}}}}},
  "control": {"userdata": {"deploy": "blue"}, "timeout": 30}})";

/// The progress lines of a run, as read.
std::vector<servokit::progress_line> progress_lines(const servokit_test::driver_output& output) {
  std::vector<servokit::progress_line> lines;
  for (std::size_t index = 0; index + 1 < output.lines.size(); ++index) {
    lines.push_back(servokit::json::read<servokit::progress_line>(output.lines[index]));
  }
  return lines;
}

}  // namespace

TEST_CASE("--version and --info: own version with the sub-drivers' in name order; has_cancel only if all have it") {
  aggregator_servo servo("servokit-agg", "adjust");
  add_two_drivers(servo);
  servo.data_file("README");   // not executable: skipped with a note
  auto version = servo.run({"--version"});
  CHECK(version.exit_code() == 0);
  CHECK(version.last_line() == "servokit-agg 1.0.0 (0.9.0, 02jvm-1.0)");
  CHECK(version.error_text.find("skipping") != std::string::npos);
  CHECK(version.error_text.find("README: not executable") != std::string::npos);

  auto info = servokit::json::read<servokit::driver_info>(servo.run({"--info", "app"}).last_line());
  CHECK(info.version == "servokit-agg 1.0.0 (0.9.0, 02jvm-1.0)");
  CHECK_FALSE(info.has_cancel);   // the servokit test adjust driver has no cancel

  aggregator_servo cancellable("servokit-agg", "adjust");
  cancellable.script("a", shell_driver("a", "c", "x"));
  cancellable.script("b", shell_driver("b", "c", "y"));
  CHECK(servokit::json::read<servokit::driver_info>(cancellable.run({"--info"}).last_line()).has_cancel);
}

TEST_CASE("--query merges the components of every driver into one valid descriptor") {
  aggregator_servo servo("servokit-agg", "adjust");
  add_two_drivers(servo);
  servo.script("03jvm2", shell_driver("03jvm2", "jvm", "threads"));   // the same component, another setting
  if (servokit_test::have_python3()) servo.fixture("agg_fixtures", "py_adjust.py", "04py");
  auto output = servo.run({"--query", "app"});
  REQUIRE(output.exit_code() == 0);
  const auto descriptor = servokit::json::read<servokit::application_descriptor>(output.last_line());
  CHECK_NOTHROW(servokit::validate_descriptor(descriptor.application));
  const auto& components = descriptor.application.components;
  CHECK(components.at("web").settings.at("cpu").unit == std::optional<std::string>("cores"));
  CHECK(components.at("jvm").settings.contains("heap"));
  CHECK(components.at("jvm").settings.contains("threads"));
  if (servokit_test::have_python3()) {
    CHECK(components.at("py").settings.contains("threads"));   // legacy {"components": ...} wrapped
  } else {
    MESSAGE("python3 not found: the Python sub-driver case is skipped");
  }
}

TEST_CASE("the same setting from two drivers is an error naming both") {
  aggregator_servo servo("servokit-agg", "adjust");
  add_two_drivers(servo);
  servo.script("03dup", shell_driver("03dup", "jvm", "heap"));
  for (const auto& arguments : {std::vector<std::string>{"--query", "app"}, std::vector<std::string>{"app"}}) {
    auto output = servo.run(arguments, both_settings_request);
    CHECK(output.exit_code() != 0);
    const auto status = final_status(output);
    CHECK(status.status == "failed");
    CHECK(status.message.value_or("").find("jvm.heap is declared by both 02jvm and 03dup") != std::string::npos);
  }
  CHECK_FALSE(servo.has("02jvm.request"));   // nothing was adjusted
}

TEST_CASE("adjust sends each driver only its own settings plus control, and reports progress per driver") {
  aggregator_servo servo("servokit-agg", "adjust");
  add_two_drivers(servo);
  servo.script("03idle", shell_driver("03idle", "db", "pool"));   // nothing asked of it: skipped
  auto output = servo.run({"app"}, both_settings_request);
  REQUIRE(output.exit_code() == 0);
  CHECK(output.last_line() == R"({"status":"ok","reason":"success"})");
  CHECK(servo.file("web.state") == R"({"components":{"web":{"settings":{"cpu":{"value":2}}}}})");
  CHECK(servo.file("02jvm.request") ==
        R"({"application":{"components":{"jvm":{"settings":{"heap":{"value":4}}}}},"control":{"userdata":{"deploy":"blue"},"timeout":30}})");
  CHECK_FALSE(servo.has("03idle.request"));

  const auto lines = progress_lines(output);
  REQUIRE(lines.size() >= 4);   // at least a start and an end per driver that ran
  double previous = 0;
  bool relayed_web = false, relayed_jvm = false;
  for (const auto& line : lines) {
    CHECK(line.progress >= previous);
    previous = line.progress;
    relayed_web = relayed_web || line.message == std::optional<std::string>("01web: applying");
    relayed_jvm = relayed_jvm || line.message == std::optional<std::string>("02jvm: 02jvm half");
    if (line.message == std::optional<std::string>("02jvm: 02jvm half")) CHECK(line.progress == 75);   // 1/2 + 50%/2
  }
  CHECK(relayed_web);
  CHECK(relayed_jvm);
  CHECK(previous == 100);
}

TEST_CASE("a setting that no driver owns is a bad request, and nothing is adjusted") {
  aggregator_servo servo("servokit-agg", "adjust");
  add_two_drivers(servo);
  auto output = servo.run({"app"}, R"({"application": {"components": {"jvm": {"settings": {"heap": {"value": 4}}},
                                       "web": {"settings": {"memory": {"value": 1}}}}}})");
  CHECK(output.exit_code() != 0);
  const auto status = final_status(output);
  CHECK(status.status == "bad-request");
  CHECK(status.message.value_or("").find("web.memory") != std::string::npos);
  CHECK_FALSE(servo.has("02jvm.request"));
}

TEST_CASE("statuses merge: rejected wins, every failed driver's message and reason is joined, all drivers run") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("01rej", "#!/bin/sh\ncase \"$1\" in --query) echo '{\"application\":{\"components\":{\"a\":{\"settings\":"
                        "{\"x\":{\"min\":1,\"max\":3,\"value\":1}}}}}}';; *) cat >/dev/null; echo '{\"status\":\"rejected\","
                        "\"reason\":\"unstable\",\"message\":\"health check failed\"}'; exit 1;; esac\n");
  servo.script("02fail", "#!/bin/sh\ncase \"$1\" in --query) echo '{\"application\":{\"components\":{\"b\":{\"settings\":"
                         "{\"y\":{\"min\":1,\"max\":3,\"value\":1}}}}}}';; *) cat >/dev/null; echo '{\"status\":\"failed\","
                         "\"reason\":\"quota\",\"message\":\"no capacity\"}'; exit 1;; esac\n");
  servo.script("03ok", shell_driver("03ok", "c", "z"));
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}},
      "b":{"settings":{"y":{"value":2}}},"c":{"settings":{"z":{"value":2}}}}}})");
  CHECK(output.exit_code() != 0);
  const auto status = final_status(output);
  CHECK(status.status == "rejected");
  CHECK(status.reason == std::optional<std::string>("unstable, quota"));
  CHECK(status.message.value_or("").find("01rej: rejected: health check failed") != std::string::npos);
  CHECK(status.message.value_or("").find("02fail: failed: no capacity") != std::string::npos);
  CHECK(servo.has("03ok.request"));   // a failure does not stop the drivers after it
}

TEST_CASE("a Python sub-driver (the original's kind) adjusts, and its failure is reported with its stderr") {
  if (!servokit_test::have_python3()) {
    MESSAGE("python3 not found: skipped");
    return;
  }
  aggregator_servo servo("servokit-agg", "adjust");
  add_two_drivers(servo);
  servo.fixture("agg_fixtures", "py_adjust.py", "03py");
  const std::string request = R"({"application":{"components":{"py":{"settings":{"threads":{"value":8}}}}}})";
  auto ok = servo.run({"app"}, request);
  CHECK(ok.exit_code() == 0);
  CHECK(servo.file("03py.request") == R"({"application": {"components": {"py": {"settings": {"threads": {"value": 8}}}}}})");
  auto failed = servo.run({"app"}, request, {{"PY_ADJUST_STATUS", "rejected"}});
  CHECK(failed.exit_code() != 0);
  const auto status = final_status(failed);
  CHECK(status.status == "rejected");
  CHECK(status.reason == std::optional<std::string>("py-reason"));
  CHECK(status.message.value_or("").find("03py: rejected: python says rejected") != std::string::npos);
  CHECK(status.message.value_or("").find("python driver: giving up") != std::string::npos);
}

TEST_CASE("a sub-driver that crashes, prints non-JSON, prints nothing or floods gets a failure naming it and quoting its output") {
  struct broken_case {
    const char* name;
    const char* work;         // the adjust branch of the script
    const char* expected;     // in the failure message
  };
  const broken_case cases[] = {
      {"crash", "echo 'about to crash' >&2; kill -SEGV $$", "killed by SIGSEGV"},
      {"nonjson", "echo 'Traceback (most recent call last):'; sleep 5", "not a JSON object: Traceback (most recent call last):"},
      {"silent", "true", "printed no result line"},
      {"flood", "head -c 3000000 /dev/zero | tr '\\0' x", "printed a line longer than"},
      {"exitcode", "echo 'disk full' >&2; exit 3", "exited with code 3"},
  };
  for (const auto& each : cases) {
    CAPTURE(each.name);
    aggregator_servo servo("servokit-agg", "adjust");
    servo.script(each.name, std::string("#!/bin/sh\ncase \"$1\" in --query) echo '{\"application\":{\"components\":{\"a\":"
                                        "{\"settings\":{\"x\":{\"min\":1,\"max\":3,\"value\":1}}}}}}';;\n"
                                        "*) cat >/dev/null; echo $$ >> pids; ") +
                                each.work + ";;\nesac\n");
    auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})");
    CHECK(output.exit_code() != 0);
    const auto status = final_status(output);
    CHECK(status.status == "failed");
    const std::string message = status.message.value_or("");
    CHECK(message.find(std::string(each.name) + ": failed: ") != std::string::npos);
    CHECK(message.find(each.expected) != std::string::npos);
    if (std::string(each.name) == "crash") CHECK(message.find("about to crash") != std::string::npos);
    if (std::string(each.name) == "exitcode") CHECK(message.find("disk full") != std::string::npos);
    CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
  }
}

TEST_CASE("a sub-driver silent for $OPTUNE_IO_TIMEOUT minus one second is stopped, and nothing of it is left") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("hang", "#!/bin/sh\ncase \"$1\" in --query) echo '{\"application\":{\"components\":{\"a\":"
                       "{\"settings\":{\"x\":{\"min\":1,\"max\":3,\"value\":1}}}}}}';;\n"
                       "*) cat >/dev/null; echo '{\"progress\": 10, \"message\": \"waiting\"}'; sleep 60 & echo $! >> pids; "
                       "echo $$ >> pids; wait;;\nesac\n");
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})",
                          {{"OPTUNE_IO_TIMEOUT", "2"}});
  CHECK(output.exit_code() != 0);
  const auto message = final_status(output).message.value_or("");
  CHECK(message.find("hang: failed: ") != std::string::npos);
  CHECK(message.find("silence timeout") != std::string::npos);
  CHECK(message.find("waiting") != std::string::npos);   // the end of its output
  CHECK(std::chrono::duration<double>(output.elapsed).count() < 30);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("SIGUSR1 is forwarded to the running sub-driver; the drivers after it do not run") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.config("agg:\n  cleanup_grace_period: 10\n");
  servo.script("01slow", shell_driver("01slow", "a", "x", true,
                                      "     trap 'echo USR1 > 01slow.signal; echo \"{\\\"status\\\": \\\"canceled\\\"}\"; exit 1' USR1\n"
                                      "     echo $$ >> pids; echo '{\"progress\": 60, \"message\": \"armed\"}'; sleep 30 & wait"));
  servo.script("02next", shell_driver("02next", "b", "y"));
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}},
                                        "b":{"settings":{"y":{"value":2}}}}}})",
                          {}, [](const std::string& line, servokit::process::child& agg) {
                            if (line.find("01slow: armed") != std::string::npos) agg.signal(SIGUSR1);
                          });
  CHECK(output.exit_code() == 5);   // servokit's exit code for a cancel
  CHECK(final_status(output).status == "canceled");
  CHECK(servo.file("01slow.signal") == "USR1\n");
  CHECK_FALSE(servo.has("02next.request"));
  CHECK(std::chrono::duration<double>(output.elapsed).count() < 25);
}

TEST_CASE("a sub-driver that ignores SIGUSR1 is killed after cleanup_grace_period") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.config("agg:\n  cleanup_grace_period: 0.5\n");
  servo.script("01stubborn", shell_driver("01stubborn", "a", "x", true, "     trap '' USR1; echo $$ >> pids; echo '{\"progress\": 60, \"message\": \"armed\"}'; sleep 30"));
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})", {},
                          [](const std::string& line, servokit::process::child& agg) {
                            if (line.find("01stubborn: armed") != std::string::npos) agg.signal(SIGUSR1);
                          });
  CHECK(final_status(output).status == "canceled");
  CHECK(std::chrono::duration<double>(output.elapsed).count() < 20);   // not the 30 s of its sleep
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("SIGTERM stops the running sub-driver with SIGTERM") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("01slow", shell_driver("01slow", "a", "x", false,
                                      "     trap 'echo TERM > 01slow.signal; exit 1' TERM\n"
                                      "     echo $$ >> pids; echo '{\"progress\": 60, \"message\": \"armed\"}'; sleep 30 & wait"));
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})", {},
                          [](const std::string& line, servokit::process::child& agg) {
                            if (line.find("01slow: armed") != std::string::npos) agg.signal(SIGTERM);
                          });
  CHECK(final_status(output).status == "canceled");
  CHECK(final_status(output).message.value_or("").find("SIGTERM") != std::string::npos);
  CHECK(servo.file("01slow.signal") == "TERM\n");
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("no drivers, or no adjust.d at all, is one clear error") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.data_file("notes.txt");
  auto empty = servo.run({"--query", "app"});
  CHECK(empty.exit_code() != 0);
  CHECK(final_status(empty).message.value_or("").find("no drivers") != std::string::npos);
  std::filesystem::remove_all(servo.drivers());
  auto missing = servo.run({"--query", "app"});
  CHECK(missing.exit_code() != 0);
  CHECK(final_status(missing).message.value_or("").find("./adjust.d") != std::string::npos);
  auto info = servo.run({"--info"});
  CHECK(info.exit_code() != 0);
  CHECK(servokit_test::is_json(info.last_line()));
}

TEST_CASE("sub-drivers find the servo directory first on $PYTHONPATH, as servo-agg set it (adjust.py beside the aggregator)") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("01py", shell_driver("01py", "a", "x", true, "     echo \"$PYTHONPATH\" > pythonpath"));
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})", {{"PYTHONPATH", "/opt/lib"}});
  CHECK(output.exit_code() == 0);
  CHECK(servo.file("pythonpath") == std::filesystem::canonical(servo.path()).string() + ":/opt/lib\n");
}

TEST_CASE("a sub-driver's invalid descriptor is refused, naming the driver and the rule") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("01good", shell_driver("01good", "a", "x"));
  servo.script("02bad", "#!/bin/sh\necho '{\"application\":{\"components\":{\"b\":{\"settings\":{\"y\":"
                        "{\"min\":5,\"max\":1,\"value\":3}}}}}}'\n");
  auto output = servo.run({"--query", "app"});
  CHECK(output.exit_code() != 0);
  const auto message = final_status(output).message.value_or("");
  CHECK(message.find("driver 02bad (--query) printed an invalid descriptor") != std::string::npos);
  CHECK(message.find("b.y: min 5 must be below max 1") != std::string::npos);
}

TEST_CASE("a --query that hangs is stopped after $OPTUNE_IO_TIMEOUT minus one second, named") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("01hung", "#!/bin/sh\necho $$ >> pids\nsleep 60\n");
  auto output = servo.run({"--query", "app"}, "", {{"OPTUNE_IO_TIMEOUT", "2"}});
  CHECK(output.exit_code() != 0);
  const auto message = final_status(output).message.value_or("");
  CHECK(message.find("driver 01hung (--query)") != std::string::npos);
  CHECK(message.find("silence timeout") != std::string::npos);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("--query merges the drivers' annotations key by key") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("01a", "#!/bin/sh\necho '{\"application\":{\"components\":{\"a\":{\"settings\":{\"x\":{\"min\":1,\"max\":3,"
                      "\"value\":1}}}},\"annotations\":{\"team\":\"web\",\"tier\":\"1\"}}}'\n");
  servo.script("02b", "#!/bin/sh\necho '{\"application\":{\"components\":{\"b\":{\"settings\":{\"y\":{\"min\":1,\"max\":3,"
                      "\"value\":1}}}},\"annotations\":{\"tier\":\"2\",\"jvm\":\"17\"}}}'\n");
  auto output = servo.run({"--query", "app"});
  REQUIRE(output.exit_code() == 0);
  const auto descriptor = servokit::json::read<servokit::application_descriptor>(output.last_line());
  REQUIRE(descriptor.application.annotations);
  CHECK(descriptor.application.annotations->text() == R"({"team":"web","tier":"2","jvm":"17"})");
}

TEST_CASE("$OPTUNE_IO_TIMEOUT=2.5 is read as the agent reads it: the sub-driver limit is 1.5 s, not \"no limit\"") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("hang", "#!/bin/sh\ncase \"$1\" in --query) echo '{\"application\":{\"components\":{\"a\":"
                       "{\"settings\":{\"x\":{\"min\":1,\"max\":3,\"value\":1}}}}}}';;\n"
                       "*) cat >/dev/null; echo '{\"progress\": 10, \"message\": \"waiting\"}'; sleep 60 & echo $! >> pids; "
                       "echo $$ >> pids; wait;;\nesac\n");
  auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})",
                          {{"OPTUNE_IO_TIMEOUT", "2.5"}});
  CHECK(output.exit_code() != 0);
  CHECK(final_status(output).message.value_or("").find("silence timeout") != std::string::npos);
  CHECK(std::chrono::duration<double>(output.elapsed).count() < 30);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
  // Not a number of seconds: one clear failure naming the variable.
  auto refused = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})",
                           {{"OPTUNE_IO_TIMEOUT", "nan"}});
  CHECK(refused.exit_code() != 0);
  CHECK(final_status(refused).message.value_or("").find("$OPTUNE_IO_TIMEOUT: expected a number of seconds (0 or more), got") !=
        std::string::npos);
}

TEST_CASE("cleanup_grace_period: NaN and negatives are refused at their line of config.yaml") {
  aggregator_servo servo("servokit-agg", "adjust");
  servo.script("a", shell_driver("a", "a", "x"));
  for (const char* value : {"nan", "-1"}) {
    servo.config(std::string("agg:\n  cleanup_grace_period: ") + value + "\n");
    auto output = servo.run({"app"}, R"({"application":{"components":{"a":{"settings":{"x":{"value":2}}}}}})");
    CHECK(output.exit_code() != 0);
    const std::string message = final_status(output).message.value_or("");
    CHECK_MESSAGE(message.find("config.yaml:2:") != std::string::npos, message);
    CHECK_MESSAGE(message.find("cleanup_grace_period") != std::string::npos, message);
    // "nan" is refused by the config reader already, -1 by the seconds check (it was taken as 0).
    CHECK_MESSAGE(message.find("expected a number") != std::string::npos, message);
    CHECK_FALSE(servo.has("a.request"));
  }
}
