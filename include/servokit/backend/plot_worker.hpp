#pragma once
/// @file
/// The convergence plot drawn off the request path. gnuplot may take up to 30 s; a session must
/// not hold its lock (nor a server thread) that long. The session writes the plot's data and
/// script itself (fast, and enough to draw the plot by hand later), then queues the drawing here:
/// one background thread draws the queued plots in turn, and a plot queued again for the same
/// directory before it was drawn is drawn once (coalescing).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <servokit/backend/report.hpp>

namespace servokit::backend {

/// Where one report's plot stands; shared by the session that asked and the worker that draws.
class plot_status {
 public:
  /// The stages of a plot.
  enum class stage { none, queued, drawn, skipped };

  /// The current stage.
  stage current() const {
    std::lock_guard lock(mutex_);
    return stage_;
  }
  /// Why the plot was skipped (gnuplot missing or failing, or the worker stopped first).
  std::optional<std::string> note() const {
    std::lock_guard lock(mutex_);
    return note_;
  }
  /// Waits until the plot is drawn or skipped, at most `timeout`; returns whether it is.
  bool wait_done(std::chrono::steady_clock::duration timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return stage_ == stage::drawn || stage_ == stage::skipped; });
  }

  /// Marks the plot queued (a new drawing asked for).
  void queue() { set(stage::queued, std::nullopt); }
  /// Records the drawing's outcome: drawn when `skipped_because` is empty.
  void done(std::optional<std::string> skipped_because) {
    set(skipped_because ? stage::skipped : stage::drawn, std::move(skipped_because));
  }

 private:
  void set(stage next, std::optional<std::string> note) {
    {
      std::lock_guard lock(mutex_);
      stage_ = next;
      note_ = std::move(note);
    }
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  stage stage_ = stage::none;
  std::optional<std::string> note_;
};

/// One background thread that draws the plots queued by any number of sessions.
class plot_worker {
 public:
  plot_worker() = default;
  plot_worker(const plot_worker&) = delete;
  plot_worker& operator=(const plot_worker&) = delete;
  /// Draws what is queued, then ends (a process that ends normally leaves no plot undrawn).
  ~plot_worker() { stop(/*draw_queued=*/true); }

  /// Queues the drawing of `directory`'s plot (its `convergence.gp` is already written); `status`
  /// hears the outcome. A drawing of the same directory that is queued and not started yet is
  /// replaced by this one.
  void submit(std::filesystem::path directory, std::shared_ptr<plot_status> status) {
    status->queue();
    {
      std::lock_guard lock(mutex_);
      if (stopped_) {
        status->done("the plot was not drawn: the program is stopping (run gnuplot convergence.gp in " +
                     directory.string() + ")");
        return;
      }
      for (auto& queued : queue_) {
        if (queued.directory == directory) {
          if (queued.status != status) queued.status->done("replaced by a later drawing of the same plot");
          queued.status = std::move(status);
          return;
        }
      }
      queue_.push_back(job{std::move(directory), std::move(status)});
      if (!thread_.joinable()) thread_ = std::jthread([this](std::stop_token stop) { serve(stop); });
    }
    wake_.notify_one();
  }

  /// Stops the worker: with `draw_queued`, after drawing every queued plot; without, the plot
  /// being drawn is cancelled and the queued ones are skipped with a note.
  void stop(bool draw_queued) {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      if (!draw_queued) {
        for (auto& queued : queue_) {
          queued.status->done("the plot was not drawn: the program stopped first (run gnuplot convergence.gp in " +
                              queued.directory.string() + ")");
        }
        queue_.clear();
        cancel_.request_stop();
      }
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  /// How many drawings are queued and not started.
  std::size_t queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  struct job {
    std::filesystem::path directory;
    std::shared_ptr<plot_status> status;
  };

  void serve(std::stop_token) {
    for (;;) {
      job next;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
        if (queue_.empty()) return;   // stopped, nothing left
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      std::optional<std::string> note;
      try {
        note = report_writer::render_plot(next.directory, cancel_.get_token());
      } catch (const std::exception& failure) {
        note = std::string("the plot could not be drawn: ") + failure.what();
      }
      next.status->done(std::move(note));
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  bool stopped_ = false;
  std::stop_source cancel_;
  std::jthread thread_;   // last: joined before the members it uses are gone
};

}  // namespace servokit::backend
