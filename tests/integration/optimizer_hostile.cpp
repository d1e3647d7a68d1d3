// The short version of the hostile-input run (bench/hostile_server.py; the long one is a bench):
// servokit-optimizer on 127.0.0.1 takes two thousand malformed, truncated, huge, unauthorized,
// out-of-order and slow requests across a hundred and fifty app ids while a real study runs beside
// them; the run then checks that the server still serves, the study completed with every trial
// once and its report whole, the report directories stay within --max-apps, and VmHWM stayed
// bounded.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include <servokit/process.hpp>

namespace {
const std::string bin_dir = SERVOKIT_TEST_BIN_DIR;
const std::string source_dir = SERVOKIT_TEST_SOURCE_DIR;
}  // namespace

TEST_CASE("a hostile-input run: the server still serves, the real study is intact, memory bounded") {
  namespace process = servokit::process;
  process::child_options options;
  options.limits.total = std::chrono::minutes(4);
  const auto done = process::run(process::command{"python3", source_dir + "/bench/hostile_server.py", "--bin-dir", bin_dir,
                                                  "--requests", "2000", "--apps", "150", "--max-apps", "40",
                                                  "--threads", "4", "--slowloris", "8", "--budget", "6",
                                                  "--time-limit", "200", "--max-rss-mib", "256"},
                                 std::move(options));
  std::string report;
  for (const auto& line : done.stdout_lines()) report += line + "\n";
  INFO(report << std::string(done.err.tail()));
  CHECK(done.ok());
  CHECK(report.find("real study: 6 of 6 trials, numbers [1, 2, 3, 4, 5, 6], report lines 6, finished True") !=
        std::string::npos);
  CHECK(report.find("FAILED") == std::string::npos);
  MESSAGE(report);
}
