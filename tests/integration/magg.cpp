// servokit-magg run as a servo runs `./measure`: sub-drivers in measure.d/ written with servokit,
// in shell and in Python, all at once; every rule of PROTOCOL.md section 8 and every failure.
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
using servokit_test::measured;

namespace {

/// A shell measure driver describing `metric`; its measurement records the request in
/// <name>.request, runs `work`, then reports `metric` = 7 (and annotations when given).
std::string shell_driver(const std::string& name, const std::string& metric, bool has_cancel = true,
                         const std::string& work = "", const std::string& annotations = "") {
  return "#!/bin/sh\n"
         "case \"$1\" in\n"
         "  --info) echo '{\"version\": \"" + name + "-1.0\", \"has_cancel\": " + (has_cancel ? "true" : "false") + "}';;\n"
         "  --describe) echo '{\"status\": \"ok\", \"metrics\": {\"" + metric + "\": {\"unit\": \"count\"}}}';;\n"
         "  *) cat > " + name + ".request; echo $$ >> pids; echo '{\"progress\": 20, \"message\": \"" + name + " started\"}'\n" +
         work + "\n"
         "     echo '{\"status\": \"ok\", \"metrics\": {\"" + metric + "\": {\"value\": 7, \"unit\": \"count\"}}" +
         (annotations.empty() ? "" : ", \"annotations\": " + annotations) + "}';;\n"
         "esac\n";
}

/// A servo with the servokit test measure driver (total_runtime, rps) and a shell one (errors).
void add_two_drivers(const aggregator_servo& servo) {
  servo.link("load", "test-driver_measure");
  servo.script("errors", shell_driver("errors", "errors", true, "", R"({"source": "shell"})"));
}

/// The elapsed seconds of a run.
double seconds(const servokit_test::driver_output& output) {
  return std::chrono::duration<double>(output.elapsed).count();
}

}  // namespace

TEST_CASE("--info: each driver's info under its name; has_cancel if all have it or force_cancel is set") {
  aggregator_servo servo("servokit-magg", "measure");
  add_two_drivers(servo);
  auto output = servo.run({"--info", "app"});
  REQUIRE(output.exit_code() == 0);
  CHECK(output.last_line() == R"({"has_cancel":true,"version":"1.0.0","drivers":{"errors":{"version":"errors-1.0","has_cancel":true},"load":{"version":"2.3.4","has_cancel":true}}})");
  CHECK(servo.run({"--version"}).last_line() == "1.0.0");

  servo.script("nocancel", shell_driver("nocancel", "other", false));
  CHECK(servo.run({"--info"}).last_line().starts_with(R"({"has_cancel":false,)"));
  servo.config("magg:\n  force_cancel: true\n");
  CHECK(servo.run({"--info"}).last_line().starts_with(R"({"has_cancel":true,)"));
}

TEST_CASE("--describe merges the metrics; a metric from two drivers is an error naming both") {
  aggregator_servo servo("servokit-magg", "measure");
  add_two_drivers(servo);
  if (servokit_test::have_python3()) servo.fixture("magg_fixtures", "py_measure.py", "py");
  auto output = servo.run({"--describe", "app"});
  REQUIRE(output.exit_code() == 0);
  const auto line = servokit::json::read<servokit::describe_line>(output.last_line());
  CHECK(line.status == "ok");
  CHECK(line.metrics.contains("total_runtime"));
  CHECK(line.metrics.contains("rps"));
  CHECK(line.metrics.at("errors").unit == std::optional<std::string>("count"));
  if (servokit_test::have_python3()) CHECK(line.metrics.contains("py_latency"));

  servo.script("rps2", shell_driver("rps2", "rps"));
  auto duplicate = servo.run({"--describe", "app"});
  CHECK(duplicate.exit_code() != 0);
  CHECK(final_status(duplicate).message.value_or("").find("metric rps is reported by both drivers load and rps2") !=
        std::string::npos);
}

TEST_CASE("measure: each driver gets its own metrics and its own control; results and annotations merge") {
  aggregator_servo servo("servokit-magg", "measure");
  add_two_drivers(servo);
  servo.script("idle", shell_driver("idle", "idle_metric"));   // none of its metrics asked for
  const bool python = servokit_test::have_python3();
  if (python) servo.fixture("magg_fixtures", "py_measure.py", "py");
  auto output = servo.run({"app"}, R"({"metrics": ["rps", "errors", "py_latency"],
      "control": {"duration": 0, "warmup": 0, "load": {"rate": 5},
                  "userdata": {"errors": {"control": {"duration": 0, "extra": "for errors"}}, "other": 1}}})");
  REQUIRE(output.exit_code() == 0);
  CHECK(servo.file("errors.request") ==
        R"({"control":{"duration":0,"warmup":0,"load":{"rate":5},"extra":"for errors"},"metrics":["errors"]})");
  CHECK(servo.file("idle.request") == R"({"control":{"duration":0,"warmup":0,"load":{"rate":5}}})");

  const auto result = measured(output);
  CHECK(result.status == "ok");
  CHECK(servokit::json::to_json(result.metrics.at("rps")) == R"({"value":1234.5,"unit":"rps"})");
  CHECK(result.metrics.at("errors").value == std::optional<servokit::scalar>(std::int64_t{7}));
  CHECK_FALSE(result.metrics.contains("total_runtime"));   // not asked of the servokit driver
  std::string annotations = result.annotations ? result.annotations->text() : "";
  CHECK(annotations.find(R"("source":"shell")") != std::string::npos);
  if (python) {
    CHECK(result.metrics.at("py_latency").value == std::optional<servokit::scalar>(17.5));
    CHECK(annotations.find(R"("py_note":"from python")") != std::string::npos);
    CHECK(servo.file("py.request").find(R"("metrics": ["py_latency"])") != std::string::npos);
  } else {
    MESSAGE("python3 not found: the Python sub-driver case is skipped");
  }

  bool relayed = false;
  for (std::size_t index = 0; index + 1 < output.lines.size(); ++index) {
    const auto line = servokit::json::read<servokit::progress_line>(output.lines[index]);
    relayed = relayed || line.message == std::optional<std::string>("Driver errors: errors started");
  }
  CHECK(relayed);
}

TEST_CASE("progress is the minimum over the drivers") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.script("fast", shell_driver("fast", "a", true, "     echo '{\"progress\": 90, \"message\": \"fast at 90\"}'"));
  servo.script("slow", shell_driver("slow", "b", true,
                                    "     sleep 1; echo '{\"progress\": 60, \"message\": \"slow at 60\"}'; sleep 1"));
  auto output = servo.run({"app"}, R"({"control": {}})");
  REQUIRE(output.exit_code() == 0);
  for (std::size_t index = 0; index + 1 < output.lines.size(); ++index) {
    const auto line = servokit::json::read<servokit::progress_line>(output.lines[index]);
    if (line.message == std::optional<std::string>("Driver fast: fast at 90")) CHECK(line.progress <= 20);
    if (line.message == std::optional<std::string>("Driver slow: slow at 60")) CHECK(line.progress == 60);
  }
}

TEST_CASE("32 servokit sub-drivers run at once and every metric comes back") {
  aggregator_servo servo("servokit-magg", "measure");
  std::string request = R"({"metrics": [)";
  for (int index = 0; index < 32; ++index) {
    std::string name = "m";
    name += std::to_string(100 + index);
    servo.link(name, "test-driver_named_measure");
    // Strings built piece by piece: GCC 12's -Wrestrict misfires at -O2 on `"m" + std::string`.
    request += index ? ", \"" : "\"";
    request += name;
    request += '"';
  }
  request += R"(], "control": {"duration": 1}})";
  auto output = servo.run({"app"}, request);
  REQUIRE(output.exit_code() == 0);
  const auto result = measured(output);
  CHECK(result.metrics.size() == 32);
  CHECK(result.metrics.at("m131").value == std::optional<servokit::scalar>(std::int64_t{1}));
  CHECK(seconds(output) < 16);   // one after another they would take 32 s
}

TEST_CASE("zero drivers is an error") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.data_file("datafile");
  for (const auto& arguments : {std::vector<std::string>{"--describe", "app"}, std::vector<std::string>{"--info"},
                                std::vector<std::string>{"app"}}) {
    auto output = servo.run(arguments, "{}");
    CHECK(output.exit_code() != 0);
    CHECK(final_status(output).message.value_or("").find("no drivers") != std::string::npos);
  }
}

TEST_CASE("a failed driver fails the whole, named and quoted; with every driver cancellable the others are stopped") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.config("magg:\n  cleanup_grace_period: 5\n");
  // bad fails once long is ready for the signal (a trap not yet set would let SIGUSR1 kill it)
  servo.script("bad", shell_driver("bad", "a", true,
                                   "     while [ ! -f long.ready ]; do sleep 0.02; done\n"
                                   "     echo 'connection refused' >&2; exit 2"));
  servo.script("long", shell_driver("long", "b", true,
                                    "     trap 'echo USR1 > long.signal; exit 1' USR1; touch long.ready; sleep 30 & wait"));
  auto output = servo.run({"app"}, R"({"control": {}})");
  CHECK(output.exit_code() != 0);
  const auto message = final_status(output).message.value_or("");
  CHECK(message.find("driver bad exited with code 2") != std::string::npos);
  CHECK(message.find("connection refused") != std::string::npos);
  CHECK(message.find("driver long") != std::string::npos);   // stopped, so it failed too
  CHECK(servo.file("long.signal") == "USR1\n");
  CHECK(seconds(output) < 20);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("when a driver without cancel runs, a failure waits for it instead (unless force_cancel)") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.script("bad", shell_driver("bad", "a", true, "     exit 2"));
  servo.script("steady", shell_driver("steady", "b", false, "     sleep 1"));
  auto output = servo.run({"app"}, R"({"control": {}})");
  CHECK(output.exit_code() != 0);
  const auto message = final_status(output).message.value_or("");
  CHECK(message.find("driver bad") != std::string::npos);
  CHECK(message.find("driver steady") == std::string::npos);   // it was let finish
  CHECK(servo.has("steady.request"));

  servo.config("magg:\n  force_cancel: true\n  cleanup_grace_period: 5\n");
  servo.script("steady", shell_driver("steady", "b", false, "     sleep 30 & wait"));
  auto forced = servo.run({"app"}, R"({"control": {}})");
  CHECK(final_status(forced).message.value_or("").find("driver steady") != std::string::npos);
  CHECK(seconds(forced) < 20);
}

TEST_CASE("cancel during a parallel measurement: SIGUSR1 to every driver, then the cancel line") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.config("magg:\n  cleanup_grace_period: 10\n");
  for (const std::string name : {"a", "b", "c"}) {
    servo.script(name, shell_driver(name, "metric_" + name, true,
                                    "     trap 'echo USR1 > " + name + ".signal; exit 1' USR1\n"
                                    "     echo '{\"progress\": 30, \"message\": \"armed\"}'; sleep 30 & wait"));
  }
  servo.link("d", "test-driver_named_measure");
  int started = 0;
  auto output = servo.run({"app"}, R"({"control": {"duration": 30}})", {},
                          [&started](const std::string& line, servokit::process::child& magg) {
                            if (line.find("armed") != std::string::npos || line.find("measuring") != std::string::npos) {
                              if (++started == 4) magg.signal(SIGUSR1);
                            }
                          });
  CHECK(output.exit_code() == 5);
  CHECK(final_status(output).status == "canceled");
  for (const std::string name : {"a", "b", "c"}) CHECK(servo.file(name + ".signal") == "USR1\n");
  CHECK(seconds(output) < 20);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("a sub-driver that ignores SIGUSR1 is killed after cleanup_grace_period") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.config("magg:\n  cleanup_grace_period: 0.5\n");
  servo.script("stubborn", shell_driver("stubborn", "a", true,
                                        "     trap '' USR1; echo '{\"progress\": 30, \"message\": \"armed\"}'; sleep 30"));
  auto output = servo.run({"app"}, R"({"control": {}})", {},
                          [](const std::string& line, servokit::process::child& magg) {
                            if (line.find("Driver stubborn: armed") != std::string::npos) magg.signal(SIGUSR1);
                          });
  CHECK(final_status(output).status == "canceled");
  CHECK(seconds(output) < 20);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("grace_period: past the longest warmup + duration + delay + past plus the grace, every driver is stopped") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.config("magg:\n  grace_period: 1\n  cleanup_grace_period: 0.5\n");
  servo.script("over", shell_driver("over", "a", false, "     trap '' USR1; sleep 30"));
  servo.script("quick", shell_driver("quick", "b"));
  auto output = servo.run({"app"}, R"({"control": {"duration": 1, "warmup": "0.5",
                                        "userdata": {"quick": {"control": {"duration": 2}}}}})");
  CHECK(output.exit_code() != 0);
  const auto message = final_status(output).message.value_or("");
  CHECK(message.find("timed out after 3.5 s") != std::string::npos);   // quick: 2 + 0.5 s, plus grace 1 s
  CHECK(message.find("driver over") != std::string::npos);
  CHECK(seconds(output) < 20);
  CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
}

TEST_CASE("a grace_period beyond any clock means no timeout, not an instant one") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.config("magg:\n  grace_period: 1e300\n  cleanup_grace_period: 1e300\n");
  servo.script("quick", shell_driver("quick", "b"));
  auto output = servo.run({"app"}, R"({"control": {"duration": 0}})");
  REQUIRE(output.exit_code() == 0);
  CHECK(measured(output).status == "ok");
}

TEST_CASE("a sub-driver that crashes, prints non-JSON, prints nothing or floods fails the measurement, named and quoted") {
  struct broken_case {
    const char* name;
    const char* work;
    const char* expected;
  };
  const broken_case cases[] = {
      {"crash", "echo 'segfault ahead' >&2; kill -SEGV $$", "killed by SIGSEGV"},
      {"nonjson", "echo 'rps=12'; sleep 5", "not a JSON object: rps=12"},
      {"silent", "exit 0", "printed no result line"},
      {"flood", "yes '{\"progress\": 1}' | head -n 200000; head -c 3000000 /dev/zero | tr '\\0' x",
       "printed a line longer than"},
  };
  for (const auto& each : cases) {
    CAPTURE(each.name);
    aggregator_servo servo("servokit-magg", "measure");
    servo.link("good", "test-driver_named_measure");
    // Without cancel, so that its failure lets the good driver finish.
    servo.script(each.name, std::string("#!/bin/sh\ncase \"$1\" in --describe) echo '{\"status\":\"ok\",\"metrics\":"
                                        "{\"x\":{}}}';;\n--info) echo '{\"version\":\"1\",\"has_cancel\":false}';;\n"
                                        "*) cat >/dev/null; echo $$ >> pids; ") +
                                each.work + ";;\nesac\n");
    auto output = servo.run({"app"}, R"({"control": {}})");
    CHECK(output.exit_code() != 0);
    const auto message = final_status(output).message.value_or("");
    CHECK(message.find(std::string("driver ") + each.name) != std::string::npos);
    CHECK(message.find(each.expected) != std::string::npos);
    if (std::string(each.name) == "crash") CHECK(message.find("segfault ahead") != std::string::npos);
    CHECK(message.find("driver good") == std::string::npos);
    CHECK(servokit_test::eventually([&] { return servokit_test::all_gone(servokit_test::read_pids(servo / "pids")); }));
  }
}

TEST_CASE("grace_period and cleanup_grace_period: NaN and negatives are refused at their line of config.yaml") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.script("quick", shell_driver("quick", "b"));
  for (const char* config : {"magg:\n  grace_period: nan\n", "magg:\n  force_cancel: true\n  cleanup_grace_period: -3\n"}) {
    servo.config(config);
    auto output = servo.run({"app"}, R"({"control": {"duration": 0}})");
    CHECK(output.exit_code() != 0);
    const std::string message = final_status(output).message.value_or("");
    CHECK_MESSAGE(message.find("config.yaml:") != std::string::npos, message);
    CHECK_MESSAGE(message.find("grace_period") != std::string::npos, message);
    // "nan" is refused by the config reader already, -1 by the seconds check (it was taken as 0).
    CHECK_MESSAGE(message.find("expected a number") != std::string::npos, message);
  }
}


TEST_CASE("measure -> servokit-magg with measure.d/batch -> servokit-batch: batch takes its role from measure.d") {
  aggregator_servo servo("servokit-magg", "measure");
  servo.link("batch", "servokit-batch");
  servo.config(servokit_test::batch_fixture("later_config.yaml"));
  // Run directly, as the original agent or a user would run a sub-driver (it was a usage error).
  auto direct = servokit_test::run_driver({.argv = {(servo.drivers() / "batch").string(), "--describe", "app"},
                                           .directory = servo.path()});
  CHECK_MESSAGE(direct.exit_code() == 0, direct.last_line());
  // And through magg.
  auto output = servo.run({"--describe", "app"});
  REQUIRE_MESSAGE(output.exit_code() == 0, output.last_line());
  const auto line = servokit::json::read<servokit::describe_line>(output.last_line());
  CHECK(line.status == "ok");
  CHECK(line.metrics.contains("rps"));
  CHECK(line.metrics.contains("total_runtime"));
}
