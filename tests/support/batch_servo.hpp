#pragma once
// A servo directory for servokit-batch, set up as a user would (adjust and measure links to the
// program, config.yaml, the job script), and helpers to run its drivers the way a servo does.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <servokit/json.hpp>
#include <servokit/process.hpp>
#include <servokit/protocol.hpp>

#include "driver_run.hpp"
#include "temp_dir.hpp"

namespace servokit_test {

/// The fixtures shipped with the batch tests.
inline std::string batch_fixture(const std::string& name) {
  return read_file(std::filesystem::path(SERVOKIT_TEST_SOURCE_DIR) / "tests/integration/batch_fixtures" / name);
}

/// A servo directory with `adjust` and `measure` linked to bin/servokit-batch.
class batch_servo {
 public:
  /// Sets up the links and writes `config` as config.yaml.
  explicit batch_servo(const std::string& config) {
    const std::string program = bin("servokit-batch");
    std::filesystem::create_symlink(program, dir_ / "adjust");
    std::filesystem::create_symlink(program, dir_ / "measure");
    dir_.write("config.yaml", config);
  }

  /// The directory.
  const std::filesystem::path& path() const { return dir_.path(); }
  /// `name` inside it.
  std::filesystem::path operator/(std::string_view name) const { return dir_ / name; }

  /// Writes an executable script `name`.
  void script(const std::string& name, const std::string& body) const {
    const auto file = dir_.write(name, body);
    std::filesystem::permissions(file, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
  }

  /// Runs `./adjust` or `./measure` with `arguments` and `request` on stdin.
  driver_output run(const std::string& role, std::vector<std::string> arguments, const std::string& request = "",
                    std::function<void(const std::string&, servokit::process::child&)> on_line = {}) const {
    arguments.insert(arguments.begin(), (dir_ / role).string());
    return run_driver({.argv = arguments, .request = request, .directory = dir_.path(), .on_line = std::move(on_line)});
  }
  /// `./adjust --query app`.
  driver_output query() const { return run("adjust", {"--query", "app"}); }
  /// `./adjust app < request`.
  driver_output adjust(const std::string& request) const { return run("adjust", {"app"}, request); }
  /// `./measure app < request`.
  driver_output measure(const std::string& request) const { return run("measure", {"app"}, request); }

 private:
  temp_dir dir_;
};

/// The final status line of a run.
inline servokit::status_line final_status(const driver_output& output) {
  return servokit::json::read<servokit::status_line>(output.last_line());
}

/// The final line of a successful measurement.
inline servokit::measure_result_line measured(const driver_output& output) {
  return servokit::json::read<servokit::measure_result_line>(output.last_line());
}

/// Whether process `pid` is gone: no such process, or a zombie (dead, waiting to be reaped).
inline bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close_paren = content.rfind(')');
  return close_paren == std::string::npos || content.substr(close_paren + 2, 1) == "Z";
}

/// Waits until `done()` or `limit` passes (a generous limit: these are events, not timings).
template <class Predicate>
bool eventually(Predicate&& done, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace servokit_test
