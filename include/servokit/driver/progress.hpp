#pragma once
/// @file
/// The progress reporter a driver's work receives: `progress.report(40, "waiting for rollout")`.

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include <servokit/json/write.hpp>
#include <servokit/protocol/messages.hpp>

namespace servokit {

/// Prints progress lines for the running operation; safe to use from any thread.
///
/// The driver layer repeats the last line as a heartbeat when the work has been quiet for the
/// heartbeat interval, so that an agent with an I/O timeout does not take a slow driver for a
/// hung one (`PROTOCOL.md` section 3).
class progress {
 public:
  /// Emits each line through `emit` (one compact JSON line, no newline).
  explicit progress(std::function<void(const std::string&)> emit) : emit_(std::move(emit)) {}

  /// Reports `percent` done (0-100) with an optional message.
  void report(double percent, std::string message = {}) {
    progress_line line{};
    line.progress = percent;
    if (!message.empty()) line.message = std::move(message);
    report(std::move(line));
  }

  /// Reports a full progress line (with stage, stageprogress or msg_index).
  void report(progress_line line) {
    const std::lock_guard lock(mutex_);
    last_ = std::move(line);
    emit_locked();
  }

  /// The last progress reported (`{"progress": 0}` before the first report).
  progress_line last() const {
    const std::lock_guard lock(mutex_);
    return last_;
  }

  /// Re-emits the last line if nothing was emitted for `quiet_for`; returns whether it did.
  bool heartbeat(std::chrono::steady_clock::duration quiet_for) {
    const std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - last_emitted_ < quiet_for) return false;
    emit_locked();
    return true;
  }

 private:
  void emit_locked() {
    emit_(json::to_json(last_));
    last_emitted_ = std::chrono::steady_clock::now();
  }

  std::function<void(const std::string&)> emit_;
  mutable std::mutex mutex_;
  progress_line last_{};
  std::chrono::steady_clock::time_point last_emitted_ = std::chrono::steady_clock::now();
};

}  // namespace servokit
