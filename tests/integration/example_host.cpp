// The servokit-host example, run as the servo runs a measure driver.
#include <doctest/doctest.h>

#include <servokit/json.hpp>
#include <servokit/protocol.hpp>

#include "driver_run.hpp"
#include "temp_dir.hpp"

using servokit_test::run_driver;

namespace {
const std::string host = servokit_test::bin("servokit-host");
}

TEST_CASE("servokit-host describes its metrics and measures the host") {
  servokit_test::temp_dir servo;
  auto describe = run_driver({.argv = {host, "--describe", "app"}, .directory = servo.path()});
  CHECK(describe.exit_code() == 0);
  REQUIRE(describe.lines.size() == 1);
  auto described = servokit::json::read<servokit::describe_line>(describe.lines[0]);
  CHECK(described.metrics.contains("cpu_utilization"));

  servo.write("config.yaml", "host:\n  sample_interval: 0.1\n");
  auto output = run_driver({.argv = {host, "app"},
                            .request = R"({"metrics":["cpu_utilization","memory_available"],"control":{"duration":0.5}})",
                            .directory = servo.path()});
  CHECK(output.exit_code() == 0);
  REQUIRE_FALSE(output.lines.empty());
  auto result = servokit::json::read<servokit::measure_result_line>(output.last_line());
  CHECK(result.status == "ok");
  REQUIRE(result.metrics.size() == 2);
  const double cpu = *servokit::numeric_value(*result.metrics.at("cpu_utilization").value);
  CHECK(cpu >= 0);
  CHECK(cpu <= 100);
  CHECK(*servokit::numeric_value(*result.metrics.at("memory_available").value) > 0);
  CHECK(output.lines.size() >= 2);  // progress while sampling
}

TEST_CASE("servokit-host stops at once on SIGUSR1") {
  servokit_test::temp_dir servo;
  servo.write("config.yaml", "host:\n  sample_interval: 0.1\n");
  bool signalled = false;
  auto output = run_driver({.argv = {host, "app"},
                            .request = R"({"control":{"duration":600}})",
                            .directory = servo.path(),
                            .on_line = [&](const std::string&, servokit::process::child& driver) {
                              if (!signalled) signalled = driver.signal(SIGUSR1);
                            }});
  CHECK(output.exit_code() == 5);
  CHECK(output.last_line() == R"({"status":"canceled","reason":"signal","message":"host canceled by SIGUSR1"})");
  CHECK(output.elapsed < std::chrono::seconds(60));
}
