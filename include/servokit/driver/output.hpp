#pragma once
/// @file
/// Where a driver's protocol lines go: one JSON line each, written whole and flushed at once.

#include <cerrno>
#include <mutex>
#include <string>
#include <string_view>

#include <unistd.h>

namespace servokit {

/// The default output policy: each line to stdout with a single write(2) loop, so that a
/// heartbeat from another thread never interleaves with a line being written, and nothing sits
/// in a buffer when the agent is waiting for it.
struct stdout_output {
  /// Writes `json_line` and a newline to stdout. A closed stdout (EPIPE) is ignored: the reader
  /// is gone and there is nobody left to tell.
  static void write_line(std::string_view json_line) {
    std::string line;
    line.reserve(json_line.size() + 1);
    line.append(json_line);
    line += '\n';
    const std::lock_guard lock(mutex());
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t written = ::write(STDOUT_FILENO, rest.data(), rest.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return;
      }
      rest.remove_prefix(static_cast<std::size_t>(written));
    }
  }

  /// The lock every line is written under; held by the signal watcher when it ends the program.
  static std::mutex& mutex() {
    static std::mutex lines;
    return lines;
  }
};

}  // namespace servokit
