#pragma once
// A servo directory for an aggregator, set up as a user would: `adjust` (or `measure`) linked to
// bin/servokit-agg (or servokit-magg), the sub-drivers in adjust.d/ (measure.d/), config.yaml.

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <servokit/process.hpp>

#include "batch_servo.hpp"
#include "driver_run.hpp"
#include "temp_dir.hpp"

namespace servokit_test {

/// Whether Debian's python3 is there to run the Python sub-drivers.
inline bool have_python3() {
  const char* path = std::getenv("PATH");
  int error = 0;
  return !servokit::process::find_program("python3", path ? path : "/usr/bin:/bin", std::nullopt, error).empty();
}

/// A servo directory with one aggregator installed as `role` ("adjust" or "measure").
class aggregator_servo {
 public:
  /// `program` is the aggregator in bin/; its drivers go to `<role>.d/`.
  aggregator_servo(const std::string& program, std::string role) : role_(std::move(role)) {
    std::filesystem::create_symlink(bin(program), dir_ / role_);
    std::filesystem::create_directory(drivers());
  }

  /// The directory.
  const std::filesystem::path& path() const { return dir_.path(); }
  /// `name` inside it.
  std::filesystem::path operator/(std::string_view name) const { return dir_ / name; }
  /// The drivers' directory.
  std::filesystem::path drivers() const { return dir_ / (role_ + ".d"); }

  /// Writes config.yaml.
  void config(const std::string& text) const { dir_.write("config.yaml", text); }
  /// An executable script `name` in the drivers' directory.
  void script(const std::string& name, const std::string& body) const {
    const auto file = dir_.write(role_ + ".d/" + name, body);
    std::filesystem::permissions(file, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
  }
  /// A symlink `name` in the drivers' directory to a program in bin/ (as a user links a driver in).
  void link(const std::string& name, const std::string& program) const {
    std::filesystem::create_symlink(bin(program), drivers() / name);
  }
  /// A copy of a fixture script from tests/integration/<fixtures>/ as driver `name`.
  void fixture(const std::string& fixtures, const std::string& file, const std::string& name) const {
    script(name, read_file(std::filesystem::path(SERVOKIT_TEST_SOURCE_DIR) / "tests/integration" / fixtures / file));
  }
  /// A file in the drivers' directory that is not a driver.
  void data_file(const std::string& name) const { dir_.write(role_ + ".d/" + name, "not a driver\n"); }

  /// Runs the aggregator with `arguments`, `request` on stdin and extra environment variables.
  driver_output run(std::vector<std::string> arguments, const std::string& request = "",
                    std::vector<std::pair<std::string, std::string>> environment = {},
                    std::function<void(const std::string&, servokit::process::child&)> on_line = {}) const {
    arguments.insert(arguments.begin(), (dir_ / role_).string());
    return run_driver({.argv = arguments,
                       .request = request,
                       .directory = dir_.path(),
                       .environment = std::move(environment),
                       .on_line = std::move(on_line)});
  }

  /// The content of `name` in the servo directory ("" when absent).
  std::string file(const std::string& name) const { return read_file(dir_ / name); }
  /// Whether `name` exists in the servo directory.
  bool has(const std::string& name) const { return std::filesystem::exists(dir_ / name); }

 private:
  std::string role_;
  temp_dir dir_;
};

/// The pids written one per line into `file` by scripts (`echo $$ >> pids`).
inline std::vector<pid_t> read_pids(const std::filesystem::path& file) {
  std::vector<pid_t> pids;
  std::ifstream input(file);
  for (long pid; input >> pid;) pids.push_back(static_cast<pid_t>(pid));
  return pids;
}

/// Whether every pid in `pids` is gone (or a zombie about to be reaped by init).
inline bool all_gone(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) {
    if (!process_gone(pid)) return false;
  }
  return true;
}

}  // namespace servokit_test
