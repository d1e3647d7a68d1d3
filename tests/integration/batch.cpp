// servokit-batch run as a servo runs it: `adjust` and `measure` links in a servo directory with a
// config.yaml, requests on stdin, one JSON line per message on stdout.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <servokit/json.hpp>
#include <servokit/process.hpp>
#include <servokit/protocol.hpp>

#include "batch_servo.hpp"
#include "driver_run.hpp"
#include "temp_dir.hpp"

using servokit_test::batch_fixture;
using servokit_test::batch_servo;
using servokit_test::final_status;
using servokit_test::measured;

namespace {

/// A job that records its arguments (NUL-separated, so any byte survives) and prints metrics.
const char* const recording_job = R"(#!/bin/sh
printf '%s\0' "$@" > args.out
echo "some noise"
echo "rps: 1234.5"
echo "Dummy result: 42 items"
)";

/// The arguments the job received.
std::vector<std::string> recorded_arguments(const batch_servo& servo) {
  const std::string text = servokit_test::read_file(servo / "args.out");
  std::vector<std::string> arguments;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\0', start)) != std::string::npos; start = end + 1) {
    arguments.push_back(text.substr(start, end - start));
  }
  return arguments;
}

std::string scalar_text(const servokit::scalar& value) {
  return servokit::json::to_json(value);
}

/// The value of `component.setting` in a `--query` output.
std::string queried_value(const servokit_test::driver_output& output, const std::string& component,
                          const std::string& setting) {
  auto descriptor = servokit::json::read<servokit::application_descriptor>(output.last_line());
  const auto& declared = descriptor.application.components.at(component).settings.at(setting);
  return declared.value ? scalar_text(*declared.value) : "(none)";
}

const std::string later_config = batch_fixture("later_config.yaml");

}  // namespace

TEST_CASE("query gives the declared settings with their initial values, as a valid descriptor (later dialect)") {
  batch_servo servo(later_config);
  auto output = servo.query();
  REQUIRE(output.exit_code() == 0);
  auto descriptor = servokit::json::read<servokit::application_descriptor>(output.last_line());
  CHECK_NOTHROW(servokit::validate_descriptor(descriptor.application));
  CHECK(queried_value(output, "web", "cpu") == "256");
  CHECK(queried_value(output, "web", "mem") == "100");
  CHECK(queried_value(output, "web", "inst") == "\"c5.large\"");
  CHECK(output.last_line().find(R"("annotations":{"team":"data","note":"nightly run"})") != std::string::npos);
}

TEST_CASE("adjust then query: the adjusted values come back, the others keep theirs (both dialects)") {
  SUBCASE("later dialect") {
    batch_servo servo(later_config);
    auto adjusted = servo.adjust(R"({"application": {"components": {"web": {"settings": {
        "cpu": {"value": 512}, "mem": {"value": 120.0}, "inst": {"value": "m5.large"}}}}}, "control": {}})");
    CHECK(adjusted.exit_code() == 0);
    CHECK(final_status(adjusted).status == "ok");
    auto queried = servo.query();
    CHECK(queried_value(queried, "web", "cpu") == "512");
    CHECK(queried_value(queried, "web", "mem") == "120");   // the protocol writes a whole float as 120
    CHECK(queried_value(queried, "web", "inst") == "\"m5.large\"");
    CHECK(queried_value(queried, "web", "share") == "1");
    // A second adjustment of one setting leaves the others as the first one set them.
    CHECK(servo.adjust(R"({"application": {"components": {"web": {"settings": {"share": {"value": 2.5}}}}}})").exit_code() == 0);
    queried = servo.query();
    CHECK(queried_value(queried, "web", "share") == "2.5");
    CHECK(queried_value(queried, "web", "cpu") == "512");
    // The state file is YAML that keeps each value's type.
    const std::string state = servokit_test::read_file(servo / "_state.yaml");
    CHECK(state.find("value: 120.0") != std::string::npos);
    CHECK(state.find("value: \"m5.large\"") != std::string::npos);
  }
  SUBCASE("seed dialect") {
    batch_servo servo(batch_fixture("seed_config_fixed.yaml"));
    auto queried = servo.query();
    REQUIRE(queried.exit_code() == 0);
    CHECK(queried_value(queried, "web", "inst_type") == "\"c5.2xlarge\"");
    CHECK(queried_value(queried, "web", "replicas") == "(none)");
    CHECK(servo.adjust(R"({"application": {"components": {"web": {"settings": {
        "replicas": {"value": 7}, "inst_type": {"value": "m5a.xlarge"}}}}}})").exit_code() == 0);
    queried = servo.query();
    CHECK(queried_value(queried, "web", "replicas") == "7");
    CHECK(queried_value(queried, "web", "inst_type") == "\"m5a.xlarge\"");
  }
}

TEST_CASE("adjust rejects every value the declaration does not allow, naming the setting and what it allows") {
  batch_servo servo(later_config);
  const auto rejection = [&](const std::string& settings) {
    auto output = servo.adjust(R"({"application": {"components": {"web": {"settings": )" + settings + "}}}}");
    CHECK(output.exit_code() == 3);
    auto status = final_status(output);
    CHECK(status.status == "bad-request");
    return status.message.value_or("");
  };
  CHECK(rejection(R"({"mem": {"value": 40}})") == "web.mem: 40 is below the minimum 50");
  CHECK(rejection(R"({"mem": {"value": 310}})") == "web.mem: 310 is above the maximum 300");
  CHECK(rejection(R"({"mem": {"value": 55}})") == "web.mem: 55 is not a multiple of the step 10 from the minimum 50");
  CHECK(rejection(R"({"mem": {"value": "lots"}})") == "web.mem: expected a number, got \"lots\"");
  CHECK(rejection(R"({"cpu": {"value": 300}})") == "web.cpu: 300 is not one of the allowed values (256, 512, 1024)");
  CHECK(rejection(R"({"inst": {"value": "t2.micro"}})") ==
        "web.inst: \"t2.micro\" is not one of the allowed values (\"c5.large\", \"m5.large\")");
  CHECK(rejection(R"({"disk": {"value": 1}})") == "web.disk: unknown setting (web has: cpu, mem, inst, share)");
  CHECK(rejection(R"({"mem": {}})") == "web.mem: no value given");
  auto unknown_component = servo.adjust(R"({"application": {"components": {"db": {"settings": {}}}}})");
  CHECK(final_status(unknown_component).message == "unknown component \"db\" (known: web)");
  // Nothing rejected was stored.
  CHECK_FALSE(std::filesystem::exists(servo / "_state.yaml"));
  CHECK(queried_value(servo.query(), "web", "mem") == "100");
}

TEST_CASE("measure runs the job with the values filled in and takes metrics from its stdout (later dialect)") {
  batch_servo servo(later_config);
  servo.script("job.sh", recording_job);
  CHECK(servo.adjust(R"({"application": {"components": {"web": {"settings": {"mem": {"value": 150.0}}}}}})").exit_code() == 0);
  auto output = servo.measure(R"({"metrics": ["total_runtime", "rps", "result"], "control": {"duration": 30}})");
  REQUIRE(output.exit_code() == 0);
  CHECK(output.lines.front() == R"({"progress":0,"message":"running the job"})");
  const auto result = measured(output);
  CHECK(result.status == "ok");
  CHECK(scalar_text(*result.metrics.at("rps").value) == "1234.5");
  CHECK(result.metrics.at("rps").unit == "rps");
  CHECK(scalar_text(*result.metrics.at("result").value) == "42");
  const double runtime = *servokit::numeric_value(*result.metrics.at("total_runtime").value);
  CHECK(runtime > 0);
  CHECK(runtime < 60);
  CHECK(result.metrics.at("total_runtime").unit == "seconds");
  REQUIRE(result.annotations);
  CHECK(result.annotations->text() == R"({"team":"data","note":"nightly run"})");
  CHECK(recorded_arguments(servo) ==
        std::vector<std::string>{"--cpu", "256", "--mem", "150", "--inst", "c5.large", "--timeout", "30"});
}

TEST_CASE("measure in the seed dialect: state[...] and control[...] / control.x fields, format specs") {
  batch_servo servo(R"(batch:
  command: ./job.sh {state[application][components][web][settings][cpu][value]} {state[application][components][web][settings][mem][value]:.0f} {control.userdata.timeout} {control[duration]:>5} {{literal}}
  default_state:
    application:
      components:
        web:
          settings:
            cpu: {min: 0.5, max: 4, step: 0.5, value: 2.0}
            mem: {min: 1, max: 8, step: 0.5, value: 2.5}
  metrics:
    result: {output_regex: 'Dummy result: (\d+)', unit: count}
)");
  servo.script("job.sh", recording_job);
  auto output = servo.measure(R"({"metrics": ["result"], "control": {"duration": 60, "userdata": {"timeout": 9}}})");
  REQUIRE(output.exit_code() == 0);
  CHECK(scalar_text(*measured(output).metrics.at("result").value) == "42");
  CHECK(measured(output).metrics.contains("total_runtime"));
  CHECK(recorded_arguments(servo) == std::vector<std::string>{"2.0", "2", "9", "   60", "{literal}"});
}

TEST_CASE("no value can run anything: every injection attempt arrives as data and leaves no trace") {
  batch_servo servo(R"yaml(batch:
  command: ./job.sh {_control.userdata.a} '{_control.userdata.a}' "{_control.userdata.a}" x{_control.userdata.a}y "$(printf %s {_control.userdata.a})" {web.inst}
  application:
    components:
      web:
        settings:
          inst:
            type: enum
            default: plain
            values: [plain, "; touch pwned_enum", "$(touch pwned_enum2)", "`touch pwned_enum3`"]
)yaml");
  servo.script("job.sh", recording_job);
  const std::vector<std::string> attempts = {
      "; touch pwned", "$(touch pwned)", "`touch pwned`", "' ; touch pwned ; '", "\" ; touch pwned ; \"",
      "\ntouch pwned\n", "a\\'b; touch pwned", "$HOME${PATH}*", "&& touch pwned || touch pwned"};
  const std::vector<std::string> enum_values = {"; touch pwned_enum", "$(touch pwned_enum2)", "`touch pwned_enum3`"};
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const std::string& attempt = attempts[i];
    const std::string& inst = enum_values[i % enum_values.size()];
    CAPTURE(attempt);
    CHECK(servo.adjust(R"({"application": {"components": {"web": {"settings": {"inst": {"value": )" +
                       servokit::json::to_json(inst) + "}}}}}}")
              .exit_code() == 0);
    auto output = servo.measure(R"({"metrics": [], "control": {"userdata": {"a": )" + servokit::json::to_json(attempt) + "}}}");
    REQUIRE(output.exit_code() == 0);
    std::string substituted = attempt;   // $(...) drops trailing newlines, as it does for any data
    while (!substituted.empty() && substituted.back() == '\n') substituted.pop_back();
    CHECK(recorded_arguments(servo) ==
          std::vector<std::string>{attempt, attempt, attempt, "x" + attempt + "y", substituted, inst});
  }
  for (const auto& entry : std::filesystem::directory_iterator(servo.path())) {
    CHECK_MESSAGE(entry.path().filename().string().find("pwned") == std::string::npos, entry.path());
  }
}

TEST_CASE("SIGUSR1 mid-job kills the job and its children and reports the cancel") {
  batch_servo servo(later_config);
  servo.script("job.sh", R"(#!/bin/sh
sleep 600 &
echo $! > grandchild.pid.tmp
mv grandchild.pid.tmp grandchild.pid
wait
)");
  pid_t grandchild = 0;
  bool signalled = false;
  auto output = servo.run("measure", {"app"}, R"({"metrics": ["rps"], "control": {"duration": 1}})",
                          [&](const std::string& line, servokit::process::child& driver) {
                            if (signalled || line.find("running the job") == std::string::npos) return;
                            // The job is starting: wait for its background child to exist, then cancel.
                            REQUIRE(servokit_test::eventually([&] { return std::filesystem::exists(servo / "grandchild.pid"); }));
                            grandchild = std::stoi(servokit_test::read_file(servo / "grandchild.pid"));
                            signalled = true;
                            driver.signal(SIGUSR1);
                          });
  REQUIRE(signalled);
  CHECK(output.exit_code() == 5);
  auto status = final_status(output);
  CHECK(status.status == "canceled");
  CHECK(status.message == "batch canceled by SIGUSR1");
  CHECK(output.elapsed < std::chrono::seconds(30));
  CHECK(servokit_test::eventually([&] { return servokit_test::process_gone(grandchild); }));
}

TEST_CASE("a job that fails reports its exit code and the end of its stderr") {
  batch_servo servo(later_config);
  servo.script("job.sh", R"(#!/bin/sh
i=0
while [ $i -lt 2000 ]; do echo "early stderr line $i" >&2; i=$((i+1)); done
echo "fatal: the cake is a lie" >&2
exit 3
)");
  auto output = servo.measure(R"({"metrics": ["rps"], "control": {"duration": 1}})");
  CHECK(output.exit_code() == 1);
  const std::string message = final_status(output).message.value_or("");
  CHECK(message.find("the job exited with code 3") != std::string::npos);
  CHECK(message.find("fatal: the cake is a lie") != std::string::npos);
  CHECK(message.find("early stderr line 0\n") == std::string::npos);   // only the end
  CHECK(message.size() < 8192);
}

TEST_CASE("a regex that matches nothing fails the measurement, naming the metric, the regex and the end of stdout") {
  batch_servo servo(later_config);
  servo.script("job.sh", "#!/bin/sh\necho 'rps: 12'\necho 'the last words'\n");
  auto output = servo.measure(R"({"metrics": ["rps", "result"], "control": {"duration": 1}})");
  CHECK(output.exit_code() == 1);
  const std::string message = final_status(output).message.value_or("");
  CHECK(message.starts_with("metric \"result\": the regex \"Dummy result: (\\w+)\" matched no line"));
  CHECK(message.find("the last words") != std::string::npos);
  auto unknown = servo.measure(R"({"metrics": ["latency"]})");
  CHECK(final_status(unknown).message == "unknown metric \"latency\" (batch measures: total_runtime, rps, result)");
  CHECK_FALSE(std::filesystem::exists(servo / "args.out"));
}

TEST_CASE("the seed's example config is refused with the file, line and problem; fixed, it works up to measure") {
  batch_servo seed(batch_fixture("seed_config.yaml"));
  for (auto output : {seed.query(), seed.measure(R"({"metrics": []})")}) {
    CHECK(output.exit_code() == 4);
    CHECK(final_status(output).message == "./config.yaml:32:40: not valid YAML: unknown escape character: .");
  }

  batch_servo fixed(batch_fixture("seed_config_fixed.yaml"));
  CHECK(fixed.query().exit_code() == 0);
  CHECK(fixed.adjust(R"({"application": {"components": {"web": {"settings": {"replicas": {"value": 3}}}}}})").exit_code() == 0);
  auto output = fixed.measure(R"({"metrics": ["my_metric_name"], "control": {"userdata": {"timeout": 5}}})");
  CHECK(output.exit_code() == 1);
  CHECK(final_status(output).message ==
        "batch.command: the template cannot be filled in: field "
        "{state[application][components][master][settings][cpu][value]}: state[application][components] has no key "
        "\"master\" (it has: web)");
}

TEST_CASE("config mistakes are refused with the file, line and key") {
  const auto config_error = [](const std::string& config) {
    batch_servo servo(config);
    auto output = servo.query();
    CHECK(output.exit_code() == 4);
    return final_status(output).message.value_or("");
  };
  const std::string settings = "    components:\n      web:\n        settings:\n          cpu: {min: 1, max: 4, ";
  CHECK(config_error("batch:\n  command: x\n  application:\n" + settings + "default: 2}\n  default_state: {application: {components: {}}}\n")
            .starts_with("./config.yaml:4:5: batch.application: give the settings either under default_state"));
  CHECK(config_error("batch:\n  command: x\n") .find("batch: missing the settings") != std::string::npos);
  CHECK(config_error("batch:\n  command: x\n  application:\n" + settings + "value: 2}\n") ==
        "./config.yaml:7:40: batch.application.components.web.settings.cpu.value: under application: a setting's "
        "initial value is `default`; `value` belongs to the default_state: dialect");
  CHECK(config_error("batch:\n  command: x\n  application:\n" + settings + "default: 9}\n") ==
        "./config.yaml:7:16: batch.application.components.web.settings.cpu: web.cpu: 9 is above the maximum 4");
  CHECK(config_error("batch:\n  command: x {a\n  application:\n" + settings + "default: 2}\n") ==
        "./config.yaml:2:12: batch.command: invalid command template: column 3: expected '}' before end of string");
  CHECK(config_error("batch:\n  command: echo `{web.cpu}`\n  application:\n" + settings + "default: 2}\n")
            .find("cannot be quoted for the shell: it is inside a `...` command substitution") != std::string::npos);
  CHECK(config_error("batch:\n  command: x\n  application:\n" + settings +
                     "default: 2}\n  metrics:\n    rps:\n      output_regex: 'a(?=b)'\n") ==
        "./config.yaml:10:21: batch.metrics.rps.output_regex: metric \"rps\": invalid regex \"a(?=b)\": invalid perl "
        "operator: (?= (RE2 syntax: no backreferences or lookaround)");
  CHECK(config_error("batch:\n  command: x\n  expected_duration: 0\n  application:\n" + settings + "default: 2}\n")
            .starts_with("./config.yaml:3:22: batch.expected_duration: must be a number of seconds above 0"));
}

TEST_CASE("many adjusts and measures at once leave a valid state file, and every run sees a whole one") {
  batch_servo servo(later_config);
  servo.script("job.sh", "#!/bin/sh\necho \"mem: $4\"\n");
  auto config = later_config;
  // Measure reports the mem value it was run with, as a metric.
  config.replace(config.find("  metrics:\n"), std::string("  metrics:\n").size(),
                 "  metrics:\n    mem_seen: {output_regex: '^mem: (\\d+)$'}\n");
  servo.script("config.yaml", config);

  namespace process = servokit::process;
  process::event_loop loop;
  std::vector<process::child> runs;
  const int per_kind = 24;
  for (int i = 0; i < per_kind; ++i) {
    const int mem = 50 + 10 * (i % 26);
    process::command adjust({(servo / "adjust").string(), "app"});
    adjust.in_directory(servo.path());
    runs.emplace_back(loop, adjust,
                      process::child_options{.in = {.data = R"({"application": {"components": {"web": {"settings": {"mem": {"value": )" +
                                                            std::to_string(mem) + "}}}}}}"}});
    process::command measure({(servo / "measure").string(), "app"});
    measure.in_directory(servo.path());
    runs.emplace_back(loop, measure, process::child_options{.in = {.data = R"({"metrics": ["mem_seen"], "control": {"duration": 1}})"}});
  }
  process::wait_all(loop, runs);
  std::set<std::string> allowed;
  for (int i = 0; i < 26; ++i) allowed.insert(std::to_string(50 + 10 * i));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& done = runs[i].result();
    CAPTURE(done.out.text());
    CAPTURE(done.err.text());
    CHECK(done.ok());
    if (i % 2 == 1) {
      const auto lines = done.stdout_lines();
      REQUIRE_FALSE(lines.empty());
      const auto result = servokit::json::read<servokit::measure_result_line>(lines.back());
      CHECK(allowed.contains(scalar_text(*result.metrics.at("mem_seen").value)));
    }
  }
  const std::string queried = queried_value(servo.query(), "web", "mem");
  CHECK(allowed.contains(queried));
  // No temporary file is left behind.
  for (const auto& entry : std::filesystem::directory_iterator(servo.path())) {
    CHECK_MESSAGE(!entry.path().filename().string().starts_with("._"), entry.path());
  }
}

TEST_CASE("--info, --describe and the role: from the link's name or --role") {
  batch_servo servo(later_config);
  CHECK(servo.run("measure", {"--info"}).last_line() == R"({"version":"1.0.0","has_cancel":true})");
  CHECK(servo.run("adjust", {"--info"}).last_line() == R"({"version":"1.0.0","has_cancel":false})");
  CHECK(servo.run("measure", {"--describe", "app"}).last_line() ==
        R"({"status":"ok","metrics":{"total_runtime":{"unit":"seconds"},"rps":{"unit":"rps"},"result":{"unit":"count"}}})");
  auto by_flag = servokit_test::run_driver(
      {.argv = {servokit_test::bin("servokit-batch"), "--role", "adjust", "--query", "app"}, .directory = servo.path()});
  CHECK(by_flag.exit_code() == 0);
  CHECK(by_flag.last_line().starts_with(R"({"application":)"));
  auto neither = servokit_test::run_driver({.argv = {servokit_test::bin("servokit-batch"), "--query", "app"}, .directory = servo.path()});
  CHECK(neither.exit_code() == 2);
}

TEST_CASE("control keys the toolkit does not declare reach the template as the backend sent them") {
  std::string config = later_config;
  const std::string timeout_field = "--timeout {_control.duration}";
  REQUIRE(config.find(timeout_field) != std::string::npos);
  config.replace(config.find(timeout_field), timeout_field.size(),
                 timeout_field + " --custom {_control.custom} --ratio {_control.ratio}");
  batch_servo servo(config);
  servo.script("job.sh", recording_job);
  auto output = servo.measure(
      R"({"metrics": ["total_runtime"], "control": {"duration": 30, "custom": "a b;c", "ratio": 2.0}})");
  REQUIRE(output.exit_code() == 0);
  CHECK(recorded_arguments(servo) == std::vector<std::string>{"--cpu", "256", "--mem", "100", "--inst", "c5.large",
                                                              "--timeout", "30", "--custom", "a b;c", "--ratio", "2.0"});
}
