// servokit-check against real drivers: every servokit driver passes, a correct driver in another
// language (Python) passes, and each broken driver (shell scripts in check_fixtures/) fails on
// the check for its fault and on no other.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <servokit/check/report.hpp>
#include <servokit/json/read.hpp>
#include <servokit/process/run.hpp>

#include "aggregator_servo.hpp"
#include "driver_run.hpp"
#include "temp_dir.hpp"

namespace {

namespace check = servokit::check;
namespace fs = std::filesystem;
using servokit_test::bin;

const fs::path fixtures = fs::path(SERVOKIT_TEST_SOURCE_DIR) / "tests/integration/check_fixtures";

/// What one servokit-check run said.
struct check_run {
  int exit_code = -1;
  check::report report;
};

/// Runs servokit-check --json with `arguments` (generous limits: the machine may be busy).
check_run run_check(std::vector<std::string> arguments) {
  namespace process = servokit::process;
  std::vector<std::string> argv = {bin("servokit-check"), "--json"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  process::child_options options;
  options.limits.total = std::chrono::minutes(5);
  const auto done = process::run(process::command(argv), std::move(options));
  INFO("servokit-check " << done.describe() << "; stderr: " << done.err.text());
  REQUIRE(done.status.exited());
  const auto lines = done.stdout_lines();
  REQUIRE(lines.size() == 1);
  return {done.status.code(), servokit::json::read<check::report>(lines.front())};
}

/// The outcome of check `name` of the driver of kind `kind`, or "absent".
std::string outcome_of(const check::report& report, const std::string& kind, const std::string& name) {
  for (const auto& driver : report.drivers) {
    if (driver.kind != kind) continue;
    for (const auto& one : driver.checks) {
      if (one.name == name) return one.result;
    }
  }
  return "absent";
}

/// The names of the failed checks, "kind.name" each.
std::vector<std::string> failed_checks(const check::report& report) {
  std::vector<std::string> failed;
  for (const auto& driver : report.drivers) {
    for (const auto& one : driver.checks) {
      if (one.failed()) failed.push_back(driver.kind + "." + one.name);
    }
  }
  return failed;
}

/// Copies fixture `file` into `dir` as the executable `name`.
fs::path install_fixture(const fs::path& dir, const std::string& file, const std::string& name) {
  const auto target = dir / name;
  fs::copy_file(fixtures / file, target);
  fs::permissions(target, fs::perms::owner_all, fs::perm_options::add);
  return target;
}

}  // namespace

TEST_CASE("a correct driver in Python passes every check, as adjust and as measure") {
  servokit_test::temp_dir servo;
  install_fixture(servo.path(), "good_driver.py", "adjust");
  install_fixture(servo.path(), "good_driver.py", "measure");
  const auto run = run_check({"--cancel-timeout", "20", servo.path().string()});
  INFO(check::render_text(run.report));
  CHECK(run.exit_code == 0);
  CHECK(run.report.passed);
  CHECK(failed_checks(run.report).empty());
  for (const std::string name : {"version", "info", "query", "adjust", "bad_json", "unknown_setting", "stdout_json_only"}) {
    CHECK_MESSAGE(outcome_of(run.report, "adjust", name) == "passed", name);
  }
  for (const std::string name : {"version", "info", "describe", "measure", "cancel", "bad_json", "wrong_types", "stdout_json_only"}) {
    CHECK_MESSAGE(outcome_of(run.report, "measure", name) == "passed", name);
  }
}

TEST_CASE("each broken driver fails on the check for its fault, and only there") {
  struct broken {
    const char* file;
    const char* kind;
    const char* failing_check;
  };
  for (const broken& driver : {broken{"no_progress.sh", "measure", "measure"},
                               broken{"wrong_types.sh", "measure", "info"},
                               broken{"ignores_sigusr1.sh", "measure", "cancel"},
                               broken{"garbage_stdout.sh", "adjust", "stdout_json_only"},
                               broken{"hang.sh", "adjust", "query"}}) {
    CAPTURE(driver.file);
    servokit_test::temp_dir servo;
    install_fixture(servo.path(), driver.file, driver.kind);
    // The hang is detected by the time limit, so that one is short; the SIGUSR1 limit likewise.
    const std::string limit = std::string(driver.file) == "hang.sh" ? "10" : "60";
    const auto run = run_check({"--timeout", limit, "--cancel-timeout", "3", servo.path().string()});
    INFO(check::render_text(run.report));
    CHECK(run.exit_code == 1);
    CHECK_FALSE(run.report.passed);
    CHECK(failed_checks(run.report) == std::vector<std::string>{std::string(driver.kind) + "." + driver.failing_check});
  }
}

TEST_CASE("a driver program given by path needs its kind when its name does not say it") {
  servokit_test::temp_dir servo;
  const auto program = install_fixture(servo.path(), "good_driver.py", "measure-driver");
  namespace process = servokit::process;
  const auto refused = process::run(process::command({bin("servokit-check"), program.string()}));
  CHECK(refused.status.code() == 2);
  CHECK(std::string(refused.err.text()).find("--kind") != std::string::npos);
  const auto missing = process::run(process::command({bin("servokit-check"), (servo.path() / "nothing").string()}));
  CHECK(missing.status.code() == 2);
}

TEST_CASE("every servokit driver passes") {
  // servokit-batch as adjust and measure.
  servokit_test::temp_dir batch;
  fs::create_symlink(bin("servokit-batch"), batch.path() / "adjust");
  fs::create_symlink(bin("servokit-batch"), batch.path() / "measure");
  batch.write("config.yaml", "batch:\n  command: \"true\"\n  application:\n    components:\n      web:\n"
                             "        settings:\n          cpu: {min: 1, max: 8, step: 1, default: 2}\n");
  // servokit-host, and servokit-exec with a stage.
  servokit_test::temp_dir host;
  fs::create_symlink(bin("servokit-host"), host.path() / "measure");
  host.write("config.yaml", "host:\n  sample_interval: 0.2\n");
  servokit_test::temp_dir exec;
  fs::create_symlink(bin("servokit-exec"), exec.path() / "measure");
  exec.write("config.yaml", "exec:\n  start: [{exec: /bin/true}]\n");
  // The aggregators, over servokit drivers.
  servokit_test::aggregator_servo agg("servokit-agg", "adjust");
  agg.config("testadjust:\n  application:\n    components:\n      web:\n        settings:\n"
             "          cpu: {type: range, min: 0.25, max: 4, step: 0.25, value: 1, unit: cores}\n"
             "  state_file: web.state\n");
  agg.link("01web", "test-driver_adjust");
  servokit_test::aggregator_servo magg("servokit-magg", "measure");
  magg.config("host:\n  sample_interval: 0.2\n");
  magg.link("host", "servokit-host");

  const auto run = run_check({"--cancel-timeout", "20", batch.path().string(), host.path().string(),
                              exec.path().string(), agg.path().string(), magg.path().string()});
  INFO(check::render_text(run.report));
  CHECK(run.report.drivers.size() == 6);
  CHECK(failed_checks(run.report).empty());
  CHECK(run.report.passed);
  CHECK(run.exit_code == 0);
}
