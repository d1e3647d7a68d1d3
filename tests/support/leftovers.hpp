#pragma once
// Processes left behind in a directory: every process (but this one) whose working directory is
// in `dir` or whose command line mentions it, found by scanning /proc.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace servokit_test {

/// One process found: its pid and its command line (NULs as blanks), for messages.
struct leftover {
  pid_t pid = 0;
  std::string command_line;
};

/// The processes (zombies excluded) whose cwd is `dir` or below it, or whose command line holds `dir`.
inline std::vector<leftover> processes_in(const std::filesystem::path& dir) {
  std::vector<leftover> found;
  const std::string root = std::filesystem::weakly_canonical(dir).string();
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc", error); !error && it != std::filesystem::directory_iterator();
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) continue;
    std::ifstream stat_file(it->path() / "stat");
    const std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    const auto after_name = stat.rfind(')');
    if (after_name == std::string::npos || stat.compare(after_name, 3, ") Z") == 0) continue;   // gone, or a zombie
    std::ifstream cmdline_file(it->path() / "cmdline");
    std::string command_line((std::istreambuf_iterator<char>(cmdline_file)), std::istreambuf_iterator<char>());
    for (char& c : command_line) c = c == '\0' ? ' ' : c;
    std::error_code link_error;
    const std::string cwd = std::filesystem::read_symlink(it->path() / "cwd", link_error).string();
    const bool inside = !link_error && (cwd == root || cwd.rfind(root + "/", 0) == 0);
    if (inside || command_line.find(root) != std::string::npos) found.push_back({pid, command_line});
  }
  return found;
}

/// Waits up to `limit` for no process to be left in `dir`; returns those still there.
inline std::vector<leftover> leftovers_after(const std::filesystem::path& dir, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::vector<leftover> left = processes_in(dir);
    if (left.empty() || std::chrono::steady_clock::now() >= deadline) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

/// "pid: command line" lines, for a failure message.
inline std::string describe(const std::vector<leftover>& left) {
  std::string text;
  for (const auto& each : left) text += std::to_string(each.pid) + ": " + each.command_line + "\n";
  return text;
}

}  // namespace servokit_test
