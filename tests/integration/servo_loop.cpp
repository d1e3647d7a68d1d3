// The agent loop through scripted_transport: every row of the event table, every failure path,
// cancels at each point, retries, unexpected-event, cmd_uid echo and stop requests, with real
// drivers (servokit-batch, shell and Python scripts) run as children in a servo directory.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include <servokit/servo.hpp>
#include <servokit/transport/scripted.hpp>

#include "batch_servo.hpp"
#include "servo_dir.hpp"

using servokit::servo::servo_loop;
using servokit::servo::stop_request;
using servokit::transport::scripted_transport;
using servokit_test::log_capture;
using servokit_test::servo_dir;
using servokit_test::test_options;

namespace {

/// A shell driver: `--info` says `has_cancel`, `--describe`/`--query` print fixed descriptors,
/// otherwise the request goes to request.json and `body` runs.
std::string shell_driver(const std::string& body, bool has_cancel = false) {
  return std::string("#!/bin/sh\n") +
         "if [ \"$1\" = --info ]; then echo '{\"version\":\"1.0\",\"has_cancel\":" + (has_cancel ? "true" : "false") +
         "}'; exit 0; fi\n"
         "if [ \"$1\" = --describe ]; then echo '{\"status\":\"ok\",\"metrics\":{\"rps\":{\"unit\":\"rps\"}}}'; exit 0; fi\n"
         "if [ \"$1\" = --query ]; then echo '{\"application\":{\"components\":{\"c\":{\"settings\":{\"x\":{\"value\":1,\"min\":0,\"max\":2,\"step\":1}}}}}}'; exit 0; fi\n"
         "cat > request.json\n" + body + "\n";
}

const char* const hello = R"({"agent": "test-agent/1"})";
const char* const ok_reply = R"({"status": "ok"})";

/// The progress event the agent sends before a driver starts.
std::string starting(const std::string& cmd_uid = "") {
  return R"({"progress": 0, "runtime": "<any>", "message": "starting driver")" +
         (cmd_uid.empty() ? std::string() : R"(, "cmd_uid": ")" + cmd_uid + "\"") + "}";
}

/// A WHATS_NEXT reply with `cmd`, `param` and an optional uid.
std::string command(const std::string& cmd, const std::string& param, const std::string& cmd_uid = "") {
  return R"({"cmd": ")" + cmd + R"(", "param": )" + param +
         (cmd_uid.empty() ? std::string() : R"(, "cmd_uid": ")" + cmd_uid + "\"") + "}";
}

/// Runs the loop and reports the script's state when it did not play to its end.
int run_loop(servo_loop<scripted_transport>& loop, scripted_transport& backend, log_capture& log) {
  int code = -1;
  try {
    code = loop.run();
  } catch (const servokit::transport::script_mismatch& mismatch) {
    const std::string report = std::string(mismatch.what()) + "\nlog:\n" + log.all();
    FAIL_CHECK(report);
  }
  CHECK_MESSAGE(backend.complete(), "not sent:" << backend.remaining() << "\nlog:\n" << log.all());
  return code;
}

const char* const measure_request = R"({"metrics": ["rps"], "control": {"duration": 1, "userdata": {"k": [1, "two"]}}})";

}  // namespace

TEST_CASE("a full cycle with servokit-batch: HELLO, DESCRIBE, ADJUST, MEASURE, SLEEP, then GOODBYE when the backend is finished") {
  servo_dir dir;
  dir.batch();
  log_capture log;
  auto options = test_options(dir, log);
  options.perf = "total_runtime";
  scripted_transport backend;
  backend.expect("HELLO", hello).reply(ok_reply);
  backend.expect("WHATS_NEXT", "null").reply(command("DESCRIBE", "{}", "d-1"));
  backend.expect("DESCRIPTION", R"({"status": "ok", "cmd_uid": "d-1", "descriptor": {
      "application": {"components": {"web": {"settings": {"cpu": {"value": 2, "min": 1, "max": 8, "step": 1}}}}},
      "measurement": {"metrics": {"total_runtime": {"unit": "seconds"}}},
      "optimization": {"perf": "total_runtime"}}})").reply(ok_reply);
  backend.expect("WHATS_NEXT", "null")
      .reply(command("ADJUST", R"({"state": {"application": {"components": {"web": {"settings": {"cpu": {"value": 5}}}}}}, "control": {"userdata": {"a": 1}}})", "a-1"));
  backend.expect("ADJUSTMENT", starting("a-1")).reply(ok_reply);
  backend.expect("ADJUSTMENT", R"({"progress": 100, "runtime": "<any>", "message": "stored", "cmd_uid": "a-1"})").reply(ok_reply);
  backend.expect("ADJUSTMENT", R"({"state": {"application": {"components": {"web": {"settings": {"cpu": {"value": 5}}}}}}, "cmd_uid": "a-1"})")
      .reply(ok_reply);
  backend.expect("WHATS_NEXT", "null").reply(command("MEASURE", R"({"metrics": ["total_runtime"], "control": {"duration": 0}})", "m-1"));
  backend.expect("MEASUREMENT", starting("m-1")).reply(ok_reply);
  backend.expect("MEASUREMENT", R"({"progress": 0, "runtime": "<any>", "message": "running the job", "cmd_uid": "m-1"})").reply(ok_reply);
  backend.expect("MEASUREMENT", R"({"metrics": {"total_runtime": {"value": "<any>", "unit": "seconds"}}, "cmd_uid": "m-1"})").reply(ok_reply);
  backend.expect("WHATS_NEXT", "null").reply(R"({"cmd": "SLEEP", "param": {"duration": 0.01, "data": {"reason": "no active optimization pipeline"}}})");
  backend.expect("WHATS_NEXT", "null").reply(command("DESCRIBE", "{}")).finish();
  backend.expect("DESCRIPTION", R"({"status": "ok", "descriptor": {
      "application": {"components": {"web": {"settings": {"cpu": {"value": 5, "min": 1, "max": 8, "step": 1}}}}},
      "measurement": {"metrics": {"total_runtime": {"unit": "seconds"}}},
      "optimization": {"perf": "total_runtime"}}})").reply(ok_reply);
  backend.expect("GOODBYE", R"({"reason": "exit"})").reply(ok_reply);
  servo_loop loop(options, backend);
  CHECK(run_loop(loop, backend, log) == 0);
  CHECK_FALSE(loop.restart_requested());
  // cmd_uid reaches the transport too, for backends in process.
  CHECK(backend.cmd_uids()[4] == "a-1");
  // One line per operation by default.
  CHECK(log.has("ADJUST ./adjust: ok"));
  CHECK(log.has("MEASURE ./measure: ok"));
  CHECK(log.has("SLEEP 0.01 s: no active optimization pipeline"));
  CHECK_FALSE(log.has("> WHATS_NEXT"));
}

TEST_CASE("the adjust driver gets the state with the command's control; measure gets the param unchanged") {
  servo_dir dir;
  dir.script("adjust", shell_driver(R"(echo '{"status": "ok", "reason": "success"}')"));
  dir.script("measure", shell_driver(R"(echo '{"progress": 50.5, "message": "half"}'
echo '{"status": "ok", "metrics": {"rps": {"value": 10}, "requests throughput": {"value": 7}}, "annotations": {"note": "hi"}}')"));
  log_capture log;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("ADJUST", R"({"state": {"application": {"components": {}}, "control": {"stale": 1}}, "control": {"userdata": {"u": 2}}})"));
  backend.expect("ADJUSTMENT", starting()).reply(ok_reply);
  backend.expect("ADJUSTMENT", R"({"state": {"application": {"components": {}}, "control": {"stale": 1}}})").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("MEASURE", measure_request, "7"));
  backend.expect("MEASUREMENT", starting("7")).reply(ok_reply);
  backend.expect("MEASUREMENT", R"({"progress": 50.5, "runtime": "<any>", "message": "half", "cmd_uid": "7"})").reply(ok_reply);
  // The legacy rule: `perf` copied from `requests throughput`; annotations kept when not empty.
  backend.expect("MEASUREMENT", R"({"metrics": {"rps": {"value": 10}, "requests throughput": {"value": 7}, "perf": {"value": 7}},
                                    "annotations": {"note": "hi"}, "cmd_uid": "7"})")
      .reply(ok_reply)
      .then([&] { CHECK(dir.read("request.json") == R"({"metrics":["rps"],"control":{"duration":1,"userdata":{"k":[1,"two"]}}})"); })
      .finish();
  backend.expect("GOODBYE", R"({"reason": "exit"})");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
}

TEST_CASE("a numeric cmd_uid is echoed as a number; empty annotations are left out") {
  servo_dir dir;
  dir.script("measure", shell_driver(R"(echo '{"status": "ok", "metrics": {"rps": {"value": 1}}, "annotations": {}}')"));
  log_capture log;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "MEASURE", "cmd_uid": 42, "param": {"metrics": ["rps"]}})");
  backend.expect("MEASUREMENT", R"({"progress": 0, "runtime": 0, "message": "starting driver", "cmd_uid": 42})").reply(ok_reply);
  backend.expect("MEASUREMENT", R"({"metrics": {"rps": {"value": 1}}, "cmd_uid": 42})").reply(ok_reply).finish();
  backend.expect("GOODBYE");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
  CHECK(backend.cmd_uids()[2] == "42");
}

TEST_CASE("driver failures are each reported with a precise message") {
  servo_dir dir;
  log_capture log;
  auto options = test_options(dir, log);
  std::string expected_result;
  bool prints_progress = false;
  SUBCASE("a line that is not JSON") {
    dir.script("measure", shell_driver("echo 'Traceback: oops'\nsleep 30"));
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "<contains>Failed decoding JSON stdout from './measure' driver: Traceback: oops"})x";
  }
  SUBCASE("no output at all") {
    dir.script("measure", shell_driver("exit 0"));
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "./measure printed no result (exited with code 0)"})x";
  }
  SUBCASE("a non-zero exit: the driver's status and message, its exit and its stderr") {
    dir.script("measure", shell_driver(R"(echo 'first problem' >&2; echo 'second problem' >&2; echo 'third' >&2
echo '{"status": "rejected", "reason": "unstable", "message": "it broke"}'; exit 3)"));
    expected_result = R"x({"status": "rejected", "reason": "unstable", "message": "it broke\n./measure exited with code 3\nstderr:\nfirst problem\nsecond problem\nthird\n"})x";
    SUBCASE("$OPTUNE_VERBOSE_STDERR=minimal: two lines") {
      options.stderr_policy = servokit::servo::stderr_in_failures::minimal;
      expected_result = R"x({"status": "rejected", "reason": "unstable", "message": "it broke\n./measure exited with code 3\nstderr:\nfirst problem\nsecond problem"})x";
    }
    SUBCASE("$OPTUNE_VERBOSE_STDERR=none") {
      options.stderr_policy = servokit::servo::stderr_in_failures::none;
      expected_result = R"x({"status": "rejected", "reason": "unstable", "message": "it broke\n./measure exited with code 3"})x";
    }
  }
  SUBCASE("stderr beyond 2 MiB is cut") {
    dir.script("measure", shell_driver("head -c 3000000 /dev/zero | tr '\\0' x >&2; exit 1"));
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "<contains>(truncated) ./measure printed no result (exited with code 1)\nstderr:\nxxxx"})x";
  }
  SUBCASE("status failed with exit 0") {
    dir.script("measure", shell_driver(R"(echo '{"status": "failed", "message": "no data"}')"));
    expected_result = R"x({"status": "failed", "reason": "undefined", "message": "Measurement driver failed with status \"failed\" and message:\nno data"})x";
  }
  SUBCASE("a measurement without metrics") {
    dir.script("measure", shell_driver(R"(echo '{"status": "ok", "metrics": {}}')"));
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "Measurement driver returned no metrics"})x";
  }
  SUBCASE("silent for longer than $OPTUNE_IO_TIMEOUT") {
    options.io_timeout = std::chrono::milliseconds(300);
    prints_progress = true;
    dir.script("measure", shell_driver(R"(echo '{"progress": 1}'; sleep 30)"));
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "<contains>./measure wrote nothing for 0.300 s ($OPTUNE_IO_TIMEOUT) and was stopped: ./measure killed by SIGTERM"})x";
  }
  SUBCASE("output closed but no exit within the exit wait") {
    options.exit_wait = std::chrono::milliseconds(200);
    dir.script("measure", shell_driver(R"(echo '{"status": "ok", "metrics": {"rps": {"value": 1}}}'; exec >&- 2>&-; sleep 30)"));
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "<contains>./measure closed its output but did not exit within 0.200 s and was stopped"})x";
  }
  SUBCASE("a driver that cannot be started") {
    dir.write("measure", shell_driver("exit 0"));  // not executable
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "<contains>./measure --info"})x";
  }
  SUBCASE("--info that fails") {
    dir.script("measure", "#!/bin/sh\necho 'no info here' >&2\nexit 2\n");
    expected_result = R"x({"status": "failed", "reason": "unknown", "message": "./measure --info exited with code 2\nstderr:\nno info here\n"})x";
  }
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("MEASURE", measure_request));
  backend.expect("MEASUREMENT", starting()).reply(ok_reply);
  if (prints_progress) {
    backend.expect("MEASUREMENT", R"({"progress": 1, "runtime": "<any>"})").reply(ok_reply);
  }
  backend.expect("MEASUREMENT", expected_result).reply(ok_reply).finish();
  backend.expect("GOODBYE", R"({"reason": "exit"})");
  servo_loop loop(options, backend);
  run_loop(loop, backend, log);
  CHECK(log.has("MEASURE ./measure: "));
}

TEST_CASE("DESCRIBE: a legacy descriptor is wrapped; a failing driver fails the description") {
  servo_dir dir;
  log_capture log;
  std::string expected;
  dir.script("measure", shell_driver("exit 0"));
  SUBCASE("legacy {\"components\": ...}") {
    dir.script("adjust", "#!/bin/sh\necho '{\"components\":{\"c\":{\"settings\":{}}}}'\n");
    expected = R"x({"status": "ok", "descriptor": {"application": {"components": {"c": {"settings": {}}}}, "measurement": {"metrics": {"rps": {"unit": "rps"}}}}})x";
  }
  SUBCASE("adjust --query exits non-zero") {
    dir.script("adjust", "#!/bin/sh\necho '{\"status\":\"failed\",\"message\":\"no cluster\"}'\necho 'kubectl: not found' >&2\nexit 1\n");
    expected = R"x({"status": "failed", "reason": "unknown", "message": "no cluster\n./adjust exited with code 1\nstderr:\nkubectl: not found\n"})x";
  }
  SUBCASE("measure --describe reports a status other than ok") {
    dir.script("adjust", shell_driver("exit 0"));
    dir.script("measure", "#!/bin/sh\necho '{\"status\":\"failed\",\"message\":\"no prometheus\"}'\n");
    expected = R"x({"status": "failed", "reason": "unknown", "message": "Measure driver failed with status \"failed\" and message \"no prometheus\""})x";
  }
  SUBCASE("no ./adjust") {
    expected = R"x({"status": "failed", "reason": "unknown", "message": "<contains>cannot start ./adjust: "})x";
  }
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("DESCRIBE", "{}"));
  backend.expect("DESCRIPTION", expected).reply(ok_reply).finish();
  backend.expect("GOODBYE");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
}

TEST_CASE("ADJUST: a rejected adjustment and a command without a state") {
  servo_dir dir;
  log_capture log;
  dir.script("adjust", shell_driver(R"(echo '{"status": "rejected", "reason": "unstable", "message": "health check failed"}'; exit 1)"));
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("ADJUST", R"({"state": {"application": {"components": {}}}})", "u"));
  backend.expect("ADJUSTMENT", starting("u")).reply(ok_reply);
  backend.expect("ADJUSTMENT", R"({"status": "rejected", "reason": "unstable", "cmd_uid": "u", "message": "health check failed\n./adjust exited with code 1\nstderr:\n"})").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("ADJUST", R"({"control": {}})", "v"));
  backend.expect("ADJUSTMENT", R"({"status": "failed", "reason": "unknown", "cmd_uid": "v", "message": "ADJUST command without a \"state\" object: {\"control\":{}}"})")
      .reply(ok_reply)
      .finish();
  backend.expect("GOODBYE");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
}

TEST_CASE("the environment check: ./environment gets the param; a mismatch is reported and the command not run") {
  servo_dir dir;
  log_capture log;
  dir.script("adjust", shell_driver("touch adjusted; echo '{\"status\": \"ok\"}'"));
  const std::string param = R"({"state": {"application": {"components": {}}}, "control": {"environment": {"mode": "blue"}}})";
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  SUBCASE("mismatch") {
    dir.script("environment", "#!/bin/sh\ncat > env_request.json\necho '{\"status\": \"mismatch\", \"message\": \"green is live\"}'\n");
    backend.expect("WHATS_NEXT").reply(command("ADJUST", param, "e"));
    backend.expect("ADJUSTMENT", R"({"status": "environment-mismatch", "cmd_uid": "e",
        "message": "Environment plugin failed with status \"mismatch\" and message:\ngreen is live\nresponse: {\"status\": \"mismatch\", \"message\": \"green is live\"}"})")
        .reply(ok_reply)
        .finish()
        .then([&] {
          CHECK_FALSE(dir.has("adjusted"));
          CHECK(dir.read("env_request.json") == R"({"state":{"application":{"components":{}}},"control":{"environment":{"mode":"blue"}}})");
        });
  }
  SUBCASE("no ./environment") {
    backend.expect("WHATS_NEXT").reply(command("ADJUST", param));
    backend.expect("ADJUSTMENT", R"({"status": "environment-mismatch", "message": "<contains>cannot start ./environment"})").reply(ok_reply).finish();
  }
  SUBCASE("match: the command runs") {
    dir.script("environment", "#!/bin/sh\necho '{\"status\": \"ok\"}'\n");
    backend.expect("WHATS_NEXT").reply(command("ADJUST", param));
    backend.expect("ADJUSTMENT", starting()).reply(ok_reply);
    backend.expect("ADJUSTMENT", R"({"state": {"application": {"components": {}}}})").reply(ok_reply).finish().then([&] {
      CHECK(dir.has("adjusted"));
    });
  }
  backend.expect("GOODBYE");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
}

TEST_CASE("cancel: before the driver starts, mid-run with cancel support, mid-run without") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("MEASURE", measure_request, "c"));
  const char* const cancelled = R"({"status": "cancelled", "message": "user stop", "cmd_uid": "c"})";
  SUBCASE("answer to 'starting driver': the driver never starts") {
    dir.script("measure", shell_driver("touch started"));
    backend.expect("MEASUREMENT", starting("c")).reply(R"({"status": "cancel", "reason": "user stop"})");
    backend.expect("MEASUREMENT", cancelled).reply(ok_reply).finish().then([&] { CHECK_FALSE(dir.has("started")); });
  }
  SUBCASE("a shell driver with cancel gets SIGUSR1") {
    dir.script("measure", shell_driver(R"(trap 'echo usr1 > got_signal; echo "{\"status\": \"canceled\", \"message\": \"SIGUSR1\"}"; exit 5' USR1
echo '{"progress": 10}'
i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done)", true));
    backend.expect("MEASUREMENT", starting("c")).reply(ok_reply);
    backend.expect("MEASUREMENT", R"({"progress": 10, "runtime": "<any>", "cmd_uid": "c"})").reply(R"({"status": "cancel", "reason": "user stop"})");
    backend.expect("MEASUREMENT", cancelled).reply(ok_reply).finish().then([&] { CHECK(dir.read("got_signal") == "usr1\n"); });
  }
  SUBCASE("a Python driver with cancel gets SIGUSR1") {
    dir.script("measure", R"(#!/usr/bin/env python3
import json, signal, sys, time
if sys.argv[1] == '--info':
    print(json.dumps({'version': '1', 'has_cancel': True})); sys.exit(0)
request = json.load(sys.stdin)
def cancel(signum, frame):
    open('got_signal', 'w').write('usr1\n')
    print(json.dumps({'status': 'canceled', 'message': 'cancelled by SIGUSR1'}), flush=True)
    sys.exit(1)
signal.signal(signal.SIGUSR1, cancel)
print(json.dumps({'progress': 10, 'message': 'measuring ' + ','.join(request['metrics'])}), flush=True)
time.sleep(30)
)");
    backend.expect("MEASUREMENT", starting("c")).reply(ok_reply);
    backend.expect("MEASUREMENT", R"({"progress": 10, "runtime": "<any>", "message": "measuring rps", "cmd_uid": "c"})")
        .reply(R"({"status": "cancel", "reason": "user stop"})");
    backend.expect("MEASUREMENT", cancelled).reply(ok_reply).finish().then([&] { CHECK(dir.read("got_signal") == "usr1\n"); });
  }
  SUBCASE("a driver without cancel is killed: its SIGUSR1 handler never runs") {
    dir.script("measure", shell_driver(R"(trap 'echo usr1 > got_signal; exit 5' USR1
echo '{"progress": 10}'
i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done)", false));
    backend.expect("MEASUREMENT", starting("c")).reply(ok_reply);
    backend.expect("MEASUREMENT", R"({"progress": 10, "runtime": "<any>", "cmd_uid": "c"})").reply(R"({"status": "cancel", "reason": "user stop"})");
    backend.expect("MEASUREMENT", cancelled).reply(ok_reply).finish().then([&] { CHECK_FALSE(dir.has("got_signal")); });
  }
  backend.expect("GOODBYE", R"({"reason": "exit"})");
  servo_loop loop(test_options(dir, log), backend);
  const auto started = std::chrono::steady_clock::now();
  run_loop(loop, backend, log);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));  // not the driver's 30 s
}

TEST_CASE("retries: connection errors and bodies that are not JSON are retried; a 4xx other than 404 is not") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  SUBCASE("main events forever, a 404 and a non-JSON body included") {
    backend.expect("HELLO").fail("connection refused", true);
    backend.expect("HELLO").fail("HTTP 503", true, 503);
    backend.expect("HELLO").reply(ok_reply);
    backend.expect("WHATS_NEXT").fail("HTTP 404", true, 404);
    backend.expect("WHATS_NEXT").reply("<html>gateway</html>");
    backend.expect("WHATS_NEXT").reply(command("DESCRIBE", "{}"));
    dir.batch();
    backend.expect("DESCRIPTION").fail("connection reset", true);
    backend.expect("DESCRIPTION").reply(ok_reply).finish();
    backend.expect("GOODBYE").fail("down", true);
    backend.expect("GOODBYE").fail("down", true);
    backend.expect("GOODBYE").fail("down", true);
    backend.expect("GOODBYE").fail("down", true);  // three retries, then the agent exits anyway
    servo_loop loop(test_options(dir, log), backend);
    CHECK(run_loop(loop, backend, log) == 0);
    CHECK(log.has("WHATS_NEXT: the reply is not JSON: <html>gateway</html>; retrying in "));
    CHECK(log.has("GOODBYE (exit) could not be sent"));
  }
  SUBCASE("progress events are retried once, then the operation goes on") {
    dir.script("measure", shell_driver(R"(echo '{"progress": 20}'; echo '{"status": "ok", "metrics": {"rps": {"value": 3}}}')"));
    backend.expect("HELLO").reply(ok_reply);
    backend.expect("WHATS_NEXT").reply(command("MEASURE", measure_request));
    backend.expect("MEASUREMENT", starting()).fail("timeout", true);
    backend.expect("MEASUREMENT", starting()).fail("timeout", true);
    backend.expect("MEASUREMENT", R"({"progress": 20, "runtime": "<any>"})").fail("timeout", true);
    backend.expect("MEASUREMENT", R"({"progress": 20, "runtime": "<any>"})").reply(ok_reply);
    backend.expect("MEASUREMENT", R"({"metrics": {"rps": {"value": 3}}})").reply(ok_reply).finish();
    backend.expect("GOODBYE");
    servo_loop loop(test_options(dir, log), backend);
    CHECK(run_loop(loop, backend, log) == 0);
  }
  SUBCASE("a 401 to HELLO ends the agent with exit code 1") {
    backend.expect("HELLO").fail("HTTP 401 Unauthorized: bad token", false, 401);
    servo_loop loop(test_options(dir, log), backend);
    CHECK(run_loop(loop, backend, log) == 1);
    CHECK(log.has("HELLO: the backend refused the event: HTTP 401 Unauthorized"));
  }
  SUBCASE("a 400 to a result is logged and the loop goes on") {
    dir.batch();
    backend.expect("HELLO").reply(ok_reply);
    backend.expect("WHATS_NEXT").reply(command("DESCRIBE", "{}"));
    backend.expect("DESCRIPTION").fail("HTTP 400: bad descriptor", false, 400);
    backend.expect("WHATS_NEXT").reply(R"({"status": "ok"})").finish();  // no cmd: asked again (here: finished)
    backend.expect("GOODBYE");
    servo_loop loop(test_options(dir, log), backend);
    CHECK(run_loop(loop, backend, log) == 0);
    CHECK(log.has("DESCRIPTION: the backend refused the event: HTTP 400: bad descriptor"));
    CHECK(log.has("WHATS_NEXT: the reply has no command"));
  }
}

TEST_CASE("unexpected-event: GOODBYE, HELLO and WHATS_NEXT again, whether to a result or to progress") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  dir.batch();
  const char* const out_of_order = R"({"status": "unexpected-event", "reason": "Out of order event \"ADJUSTMENT\", expected \"MEASUREMENT\"; ignoring"})";
  SUBCASE("to a result") {
    backend.expect("WHATS_NEXT").reply(command("DESCRIBE", "{}"));
    backend.expect("DESCRIPTION").reply(out_of_order);
  }
  SUBCASE("to progress: the driver is stopped, no result is sent") {
    backend.expect("WHATS_NEXT").reply(command("MEASURE", R"({"metrics": [], "control": {}})"));
    backend.expect("MEASUREMENT", starting()).reply(out_of_order);
  }
  backend.expect("GOODBYE", R"({"reason": "restart"})").reply(ok_reply);
  backend.expect("HELLO", hello).reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": "0.01"}})").finish();
  backend.expect("GOODBYE", R"({"reason": "exit"})");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
  CHECK(log.has("unexpected-event: Out of order event"));
}

TEST_CASE("stop requests: terminate stops the driver at once; exit and restart finish the operation first") {
  servo_dir dir;
  log_capture log;
  dir.script("measure", shell_driver(R"(echo '{"progress": 10}'
i=0; while [ $i -lt 10 ] && [ ! -e go ]; do sleep 0.1; i=$((i+1)); done
echo '{"status": "ok", "metrics": {"rps": {"value": 5}}}')"));
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("MEASURE", measure_request));
  backend.expect("MEASUREMENT", starting()).reply(ok_reply);
  servo_loop<scripted_transport>* running = nullptr;
  SUBCASE("terminate (SIGINT): GOODBYE with the signal, no result, exit 0") {
    dir.script("measure", shell_driver("echo '{\"progress\": 10}'; sleep 30"));
    backend.expect("MEASUREMENT").reply(ok_reply).then([&] { running->request_stop(stop_request::terminate, "SIGINT"); });
    backend.expect("GOODBYE", R"({"reason": "SIGINT"})").reply(ok_reply);
    servo_loop loop(test_options(dir, log), backend);
    running = &loop;
    const auto started = std::chrono::steady_clock::now();
    CHECK(run_loop(loop, backend, log) == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
  }
  // A stop request during the measurement that lets it finish: the result, then GOODBYE `reason`.
  const auto finish_then_stop = [&](stop_request kind, const std::string& reason) {
    backend.expect("MEASUREMENT").reply(ok_reply).then([&, kind] {
      running->request_stop(kind);
      dir.write("go", "");
    });
    backend.expect("MEASUREMENT", R"({"metrics": {"rps": {"value": 5}}})").reply(ok_reply);
    backend.expect("GOODBYE", R"({"reason": ")" + reason + "\"}").reply(ok_reply);
    servo_loop loop(test_options(dir, log), backend);
    running = &loop;
    CHECK(run_loop(loop, backend, log) == 0);
    return loop.restart_requested();
  };
  SUBCASE("exit (SIGUSR1): the measurement completes and is reported, then GOODBYE exit") {
    CHECK_FALSE(finish_then_stop(stop_request::exit, "exit"));
  }
  SUBCASE("restart (SIGHUP): the same with GOODBYE restart, and the program is told to re-execute") {
    CHECK(finish_then_stop(stop_request::restart, "restart"));
  }
}

TEST_CASE("SLEEP: 120 s when the duration is missing, cut short by a stop request from another thread") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": "soon"}})");
  backend.expect("GOODBYE", R"({"reason": "exit"})").reply(ok_reply);
  servo_loop loop(test_options(dir, log), backend);
  std::jthread stopper([&] {
    CHECK(servokit_test::eventually([&] { return log.has("SLEEP 120 s"); }));
    loop.request_stop(stop_request::exit);
  });
  run_loop(loop, backend, log);
}

TEST_CASE("unknown commands and replies without a command are logged and the loop asks again") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "DANCE"})");
  backend.expect("WHATS_NEXT").reply(R"([1, 2])");
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": 0}})").finish();
  backend.expect("GOODBYE");
  servo_loop loop(test_options(dir, log), backend);
  run_loop(loop, backend, log);
  CHECK(log.has("WHATS_NEXT: unknown command \"DANCE\"; ignoring it"));
  CHECK(log.has("WHATS_NEXT: the reply has no command (\"cmd\"): [1, 2]"));
}

TEST_CASE("verbose: requests, replies and driver lines are logged") {
  servo_dir dir;
  dir.script("measure", shell_driver(R"(echo 'to stderr' >&2; echo '{"status": "ok", "metrics": {"rps": {"value": 1}}}')"));
  log_capture log;
  auto options = test_options(dir, log);
  options.verbose = true;
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("MEASURE", measure_request));
  backend.expect("MEASUREMENT").reply(ok_reply);
  backend.expect("MEASUREMENT").reply(R"({"status": "ok", "from": "backend"})").finish();
  backend.expect("GOODBYE");
  servo_loop loop(options, backend);
  run_loop(loop, backend, log);
  CHECK(log.has("> WHATS_NEXT null"));
  CHECK(log.has(R"(< MEASUREMENT {"status": "ok", "from": "backend"})"));
  CHECK(log.has(R"(./measure: {"status": "ok", "metrics": {"rps": {"value": 1}}})"));
  CHECK(log.has("./measure stderr: to stderr"));
}

TEST_CASE("the environment fills the options; a bad value names its variable") {
  servokit::servo::options options;
  const auto from = [](std::map<std::string, std::string> variables) {
    return [variables](const char* name) -> const char* {
      const auto found = variables.find(name);
      return found == variables.end() ? nullptr : found->second.c_str();
    };
  };
  servokit::servo::read_environment(options, from({{"OPTUNE_IO_TIMEOUT", "45"}, {"OPTUNE_VERBOSE_STDERR", "minimal"},
                                                   {"OPTUNE_PERF", "rps / cost"}, {"SERVO_RETRY_DELAY_SEC", "2.5"}}));
  CHECK(options.io_timeout->count() == 45);
  CHECK(options.stderr_policy == servokit::servo::stderr_in_failures::minimal);
  CHECK(*options.perf == "rps / cost");
  CHECK(options.retry_delay.count() == 2.5);
  servokit::servo::read_environment(options, from({{"OPTUNE_IO_TIMEOUT", "0"}, {"OPTUNE_VERBOSE_STDERR", "no"}}));
  CHECK_FALSE(options.io_timeout);
  CHECK(options.stderr_policy == servokit::servo::stderr_in_failures::none);
  CHECK_THROWS_WITH(servokit::servo::read_environment(options, from({{"SERVO_RETRY_DELAY_SEC", "twenty"}})),
                    "$SERVO_RETRY_DELAY_SEC: expected a number of seconds (0 or more), got \"twenty\"");
  CHECK_THROWS_WITH(servokit::servo::read_environment(options, from({{"OPTUNE_IO_TIMEOUT", "-1"}})),
                    "$OPTUNE_IO_TIMEOUT: expected a number of seconds (0 or more), got -1");
  // 1e300 went unclamped into the retry wait and the silence limit (a float-to-integer overflow).
  CHECK_THROWS_WITH(servokit::servo::read_environment(options, from({{"SERVO_RETRY_DELAY_SEC", "nan"}})),
                    "$SERVO_RETRY_DELAY_SEC: expected a number of seconds (0 or more), got NaN");
  servokit::servo::read_environment(options, from({{"SERVO_RETRY_DELAY_SEC", "1e300"}, {"OPTUNE_IO_TIMEOUT", "1e300"}}));
  CHECK(options.retry_delay.count() == servokit::max_seconds);
  CHECK(options.io_timeout->count() == servokit::max_seconds);
}

TEST_CASE("scripted_transport: a mismatch names the event and the first difference") {
  scripted_transport backend;
  backend.expect("HELLO", R"({"agent": "a"})");
  std::string message;
  try {
    backend.exchange({"HELLO", R"({"agent": "b"})", ""}, {});
  } catch (const servokit::transport::script_mismatch& mismatch) {
    message = mismatch.what();
  }
  CHECK(message.find("event 1 (HELLO): $.agent: expected \"a\", got \"b\"") == 0);
  CHECK(scripted_transport::compare(R"({"a": [1, {"b": 2}]})", R"({"a": [1.0, {"b": 3}]})") == "$.a[1].b: expected 2, got 3");
  CHECK(scripted_transport::compare(R"({"a": 1})", R"({"a": 1, "c": 2})") == "$.c: not expected (sent 2)");
  CHECK(scripted_transport::compare(R"({"a": "<any>"})", R"({"a": {"x": 1}})").empty());
}

TEST_CASE("interactive: each event waits for Enter on the input; SLEEP is skipped") {
  servo_dir dir;
  log_capture log;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  auto options = test_options(dir, log);
  options.interactive = true;
  options.input = pipe_fds[0];
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": 3600}})");
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": 3600}})").finish();
  backend.expect("GOODBYE");
  servo_loop loop(options, backend);
  std::jthread user([&] {
    const auto prompts = [&] {
      const std::lock_guard lock(log.mutex);
      return std::count(log.lines.begin(), log.lines.end(), std::string("Press <Enter> to continue..."));
    };
    for (long answered = 0; answered < 3; ++answered) {
      CHECK(servokit_test::eventually([&] { return prompts() > answered; }));
      CHECK(backend.sent().size() == static_cast<std::size_t>(answered == 0 ? 0 : answered + 1));  // nothing sent before Enter
      CHECK(::write(pipe_fds[1], "\n", 1) == 1);
    }
  });
  run_loop(loop, backend, log);
  user.join();
  CHECK(log.has("SLEEP 3600 s (skipped: interactive)"));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_CASE("--delay: a pause before HELLO and between a command and its result") {
  servo_dir dir;
  dir.batch();
  log_capture log;
  auto options = test_options(dir, log);
  options.delay = std::chrono::milliseconds(200);
  scripted_transport backend;
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(command("DESCRIBE", "{}"));
  backend.expect("DESCRIPTION").reply(ok_reply).finish();
  backend.expect("GOODBYE");
  servo_loop loop(options, backend);
  const auto started = std::chrono::steady_clock::now();
  run_loop(loop, backend, log);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(400));
}

TEST_CASE("SLEEP: a duration of 1e300 is clamped to 10^9 s, a negative one refused; both end on a stop request") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  std::string duration, logged;
  SUBCASE("1e300 (was a float-to-integer overflow: the wait ended at once, WHATS_NEXT again)") {
    duration = "1e300";
    logged = "SLEEP 1e+09 s";
  }
  SUBCASE("a string holding 1e400") {
    duration = "\"1e400\"";
    logged = "SLEEP 1e+09 s";
  }
  SUBCASE("-5: refused with a message, the default 120 s instead") {
    duration = "-5";
    logged = "SLEEP duration: expected a number of seconds (0 or more), got -5; sleeping 120 s instead";
  }
  SUBCASE("\"nan\"") {
    duration = "\"nan\"";
    logged = "SLEEP duration: expected a number of seconds (0 or more), got NaN; sleeping 120 s instead";
  }
  backend.expect("HELLO").reply(ok_reply);
  backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": )" + duration + "}}");
  backend.expect("GOODBYE", R"({"reason": "exit"})").reply(ok_reply);
  servo_loop loop(test_options(dir, log), backend);
  std::jthread stopper([&] {
    CHECK(servokit_test::eventually([&] { return log.has(logged); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));   // a sleep that ended at once would ask again now
    loop.request_stop(stop_request::exit);
  });
  run_loop(loop, backend, log);
}

TEST_CASE("an outage: SIGUSR1 and SIGHUP end the retries; the waits grow, with jitter, up to $SERVO_RETRY_DELAY_SEC") {
  servo_dir dir;
  log_capture log;
  scripted_transport backend;
  auto options = test_options(dir, log);
  SUBCASE("exit during HELLO's retries (the wait is a minute): GOODBYE exit at once") {
    options.retry_delay = std::chrono::seconds(60);
    options.first_whats_next_retry = std::chrono::seconds(60);
    backend.expect("HELLO").fail("connection refused", true);
    backend.expect("GOODBYE", R"({"reason": "exit"})").reply(ok_reply);
    servo_loop loop(options, backend);
    std::jthread stopper([&] {
      CHECK(servokit_test::eventually([&] { return log.has("HELLO: connection refused; retrying in"); }));
      loop.request_stop(stop_request::exit);
    });
    const auto started = std::chrono::steady_clock::now();
    CHECK(run_loop(loop, backend, log) == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
    CHECK(log.has("HELLO: a stop was requested: giving up on this event"));
  }
  SUBCASE("restart during a result's retries: the result is given up, GOODBYE restart") {
    options.retry_delay = std::chrono::seconds(60);
    dir.batch();
    backend.expect("HELLO").reply(ok_reply);
    backend.expect("WHATS_NEXT").reply(command("DESCRIBE", "{}"));
    backend.expect("DESCRIPTION").fail("HTTP 502", true, 502);
    backend.expect("GOODBYE", R"({"reason": "restart"})").reply(ok_reply);
    servo_loop loop(options, backend);
    std::jthread stopper([&] {
      CHECK(servokit_test::eventually([&] { return log.has("DESCRIPTION: HTTP 502; retrying in"); }));
      loop.request_stop(stop_request::restart);
    });
    const auto started = std::chrono::steady_clock::now();
    CHECK(run_loop(loop, backend, log) == 0);
    CHECK(loop.restart_requested());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  }
  SUBCASE("a Retry-After is honoured instead of the backoff") {
    backend.expect("HELLO").fail("HTTP 429", true, 429, 0.3);
    backend.expect("HELLO").reply(ok_reply);
    backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": 0}})").finish();
    backend.expect("GOODBYE");
    servo_loop loop(options, backend);
    const auto started = std::chrono::steady_clock::now();
    run_loop(loop, backend, log);
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
    CHECK(log.has("HELLO: HTTP 429; retrying in 0.3 s (Retry-After)"));
  }
  SUBCASE("replies without a command are asked again after a growing wait, not at once") {
    options.first_whats_next_retry = std::chrono::milliseconds(100);
    options.retry_delay = std::chrono::milliseconds(400);
    backend.expect("HELLO").reply(ok_reply);
    backend.expect("WHATS_NEXT").reply(R"({"status": "ok"})");
    backend.expect("WHATS_NEXT").reply(R"({"status": "ok"})");
    backend.expect("WHATS_NEXT").reply(R"({"status": "ok"})");
    backend.expect("WHATS_NEXT").reply(R"({"cmd": "SLEEP", "param": {"duration": 0}})").finish();
    backend.expect("GOODBYE");
    servo_loop loop(options, backend);
    const auto started = std::chrono::steady_clock::now();
    run_loop(loop, backend, log);
    // At least half of 100 + 200 + 400 ms (the jitter draws each wait in [step/2, step]).
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(350));
    CHECK(log.has("asking again in"));
  }
}

TEST_CASE("retry_backoff: doubling steps from the first wait, each drawn in [step/2, step], capped") {
  using servokit::servo::seconds;
  servokit::servo::retry_backoff backoff(seconds(1), seconds(8), 42);
  const double steps[] = {1, 2, 4, 8, 8, 8};
  for (const double step : steps) {
    const double wait = backoff.next().count();
    CHECK(wait >= step / 2);
    CHECK(wait <= step);
  }
  backoff.reset();
  CHECK(backoff.next().count() <= 1);
  // Two agents cut off together do not retry in step.
  servokit::servo::retry_backoff one(seconds(1), seconds(8), 1), other(seconds(1), seconds(8), 2);
  CHECK(one.next().count() != other.next().count());
  // A first wait above the cap is the cap.
  servokit::servo::retry_backoff capped(seconds(5), seconds(2), 3);
  CHECK(capped.next().count() <= 2);
}
