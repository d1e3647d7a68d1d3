#pragma once
// A servo directory for the agent's tests: drivers written as shell or Python scripts, or
// servokit-batch linked as adjust and measure, and agent options that keep a test fast and quiet.

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/servo/options.hpp>

#include "temp_dir.hpp"

namespace servokit_test {

/// A scratch servo directory.
class servo_dir {
 public:
  /// Writes an executable file `name` with `body`.
  std::filesystem::path script(const std::string& name, const std::string& body) const {
    const auto file = dir_.write(name, body);
    std::filesystem::permissions(file, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
    return file;
  }
  /// Writes a plain file.
  std::filesystem::path write(const std::string& name, const std::string& body) const { return dir_.write(name, body); }
  /// Links `adjust` and `measure` to bin/servokit-batch and writes a batch config running `command`.
  void batch(const std::string& command = "true") const {
    const std::string program = std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-batch";
    std::filesystem::create_symlink(program, dir_ / "adjust");
    std::filesystem::create_symlink(program, dir_ / "measure");
    dir_.write("config.yaml", "batch:\n  command: \"" + command +
                                  "\"\n  application:\n    components:\n      web:\n        settings:\n"
                                  "          cpu: {min: 1, max: 8, step: 1, default: 2}\n");
  }
  /// Whether `name` exists in the directory.
  bool has(const std::string& name) const { return std::filesystem::exists(dir_ / name); }
  /// The content of `name`.
  std::string read(const std::string& name) const { return read_file(dir_ / name); }
  /// The directory.
  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  temp_dir dir_;
};

/// The agent's log lines, collected.
struct log_capture {
  std::mutex mutex;
  std::vector<std::string> lines;

  /// Whether a line contains `text`.
  bool has(std::string_view text) {
    const std::lock_guard lock(mutex);
    for (const auto& line : lines) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  /// All lines, for a failure message.
  std::string all() {
    const std::lock_guard lock(mutex);
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
  }
};

/// Options for a test: app "app" in `dir`, retries after 10 ms, no pause, log into `log`.
inline servokit::servo::options test_options(const servo_dir& dir, log_capture& log) {
  servokit::servo::options options;
  options.app_id = "app";
  options.directory = dir.path();
  options.agent = "test-agent/1";
  options.retry_delay = std::chrono::milliseconds(10);
  options.first_whats_next_retry = std::chrono::milliseconds(10);
  options.log = [&log](servokit::servo::log_level, std::string_view line) {
    const std::lock_guard lock(log.mutex);
    log.lines.emplace_back(line);
  };
  return options;
}

}  // namespace servokit_test
