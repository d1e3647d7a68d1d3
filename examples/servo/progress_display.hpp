#pragma once
// The terminal progress of `servokit-servo --local`: the program shows it, the transport only
// reports through the session's listener callbacks (a transport does not know the terminal).

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <servokit/backend/report.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/backend/trial_book.hpp>

namespace servokit_servo {

namespace backend = servokit::backend;

/// What a person watching `--local` sees: on a terminal, one live line (trial k of N, the phase
/// with the driver's progress, the best so far and its gain over the baseline) above which each
/// finished trial leaves a line; elsewhere (a pipe, a log file) only one plain line per trial.
class progress_display {
 public:
  /// Writes to `descriptor` (stderr by default); live only when it is a terminal.
  explicit progress_display(int descriptor = STDERR_FILENO) : descriptor_(descriptor), live_(::isatty(descriptor) == 1) {}
  progress_display(const progress_display&) = delete;
  progress_display& operator=(const progress_display&) = delete;

  /// Whether the live line is drawn.
  bool live() const { return live_; }

  /// The callbacks a session reports to.
  backend::session_listener listener() {
    backend::session_listener events;
    events.phase = [this](std::int64_t trial, std::int64_t budget, std::string_view phase) {
      std::lock_guard lock(mutex_);
      trial_ = trial, budget_ = budget, phase_ = std::string(phase), percent_ = 0, message_.clear();
      phase_started_ = std::chrono::steady_clock::now();
      redraw();
    };
    events.progress = [this](double percent, std::string_view message) {
      std::lock_guard lock(mutex_);
      percent_ = percent, message_ = std::string(message);
      redraw();
    };
    events.trial_finished = [this](const backend::trial_record& trial, const backend::best_summary& best) {
      std::lock_guard lock(mutex_);
      best_ = best;
      print_line(backend::trial_line(trial, budget_, best));
      phase_.clear();
      redraw();
    };
    return events;
  }

  /// Prints a line of someone else's (the agent loop's log) without breaking the live line.
  void print(std::string_view line) {
    std::lock_guard lock(mutex_);
    print_line(std::string(line));
    redraw();
  }

  /// Removes the live line, before the summary is printed.
  void close() {
    std::lock_guard lock(mutex_);
    if (live_ && drawn_) write("\r\x1b[K");
    drawn_ = false;
    phase_.clear();
  }

 private:

  void print_line(const std::string& line) {
    std::string text = live_ && drawn_ ? "\r\x1b[K" : "";
    text += line + "\n";
    write(text);
    drawn_ = false;
  }

  void redraw() {
    if (!live_ || phase_.empty()) return;
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_started_).count();
    std::string line = "[trial " + std::to_string(trial_) + "/" + std::to_string(budget_) + "] " + phase_;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, " %3.0f%% %4.0fs", std::clamp(percent_, 0.0, 100.0), elapsed);
    line += buffer;
    if (!message_.empty()) line += " " + backend::one_line(message_, 60);
    line += best_.objective ? backend::best_text(best_) : std::string();
    // A line wider than the terminal wraps, and "\r" then redraws only its last row.
    winsize size{};
    const std::size_t width = ::ioctl(descriptor_, TIOCGWINSZ, &size) == 0 && size.ws_col > 10 ? size.ws_col - 1 : 100;
    if (line.size() > width) line = line.substr(0, width);
    write("\r\x1b[K" + line);
    drawn_ = true;
  }

  void write(const std::string& text) const {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t written = ::write(descriptor_, text.data() + done, text.size() - done);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return;   // a closed terminal: nothing to show anything on
      done += static_cast<std::size_t>(written);
    }
  }

  int descriptor_;
  bool live_;
  bool drawn_ = false;
  std::int64_t trial_ = 0, budget_ = 0;
  std::string phase_, message_;
  double percent_ = 0;
  std::chrono::steady_clock::time_point phase_started_{};
  backend::best_summary best_;
  std::mutex mutex_;
};

}  // namespace servokit_servo
