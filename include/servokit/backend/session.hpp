#pragma once
/// @file
/// The backend side of the servo protocol for one application (`PROTOCOL.md` sections 5 and 9),
/// as a state machine that does not care how events arrive: `local_transport` calls it in
/// process, `servokit-optimizer` from its HTTP handler.
///
/// A session composes three parts: the conversation with the agent (`conversation.hpp`, the
/// protocol state machine), the trial bookkeeping (`trial_book.hpp`: optimizer, study, report),
/// and the summary for people (`summary.hpp`). It adds the lock that lets a server's threads share
/// it.

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/backend/conversation.hpp>
#include <servokit/backend/plot_worker.hpp>
#include <servokit/backend/report.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/backend/summary.hpp>
#include <servokit/backend/trial_book.hpp>

namespace servokit::backend {

/// The backend's side of the conversation with one agent about one application.
///
/// `handle` takes one event and returns the reply body (JSON text). Bad params are answered
/// `invalid`, events out of order `unexpected-event`; a result that cannot be read is a failed
/// trial (a refused description). A study that cannot be used (its settings or objective changed,
/// another agent records into it) ends the session with `failure()` set; the server then answers
/// SLEEP with the reason. A study that cannot be written NOW (locked, disk full) throws
/// `retry_later` and changes nothing: the caller says "retry later", and the same event is taken
/// when it comes again. Nothing else escapes `handle`.
class session {
 public:
  /// Opens (or resumes) `app_id`'s study in `study`. Throws `optimize::error` for a bad objective,
  /// and `study_mismatch`-style errors as `std::runtime_error` when the stored study was made for
  /// another objective or seed: refused before anything runs.
  session(session_options options, study_database& study, session_listener listener = {})
      : options_(std::move(options)), listener_(std::move(listener)), book_(options_, study, listener_),
        conversation_(options_, book_, listener_) {}
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Handles one event; returns the reply body. `cmd_uid` is the command the agent says the event
  /// belongs to (empty when it does not say: the original agent never did).
  std::string handle(std::string_view event, std::string_view param_json, std::string_view cmd_uid = {}) {
    std::lock_guard lock(mutex_);
    try {
      return conversation_.handle(event, param_json, cmd_uid);
    } catch (const retry_later&) {
      throw;
    } catch (const std::exception& failure) {
      // Another agent records into the same study, or a fault of the backend itself: the study
      // cannot go on safely, and the agent is told so, never "ok".
      conversation_.fail(failure.what());
      return status_reply("failed", std::string("the backend cannot go on with this study: ") + failure.what());
    } catch (...) {
      conversation_.fail("an unknown exception in the backend");
      return status_reply("failed", "the backend cannot go on with this study: an unknown exception");
    }
  }

  /// Asks the session to stop: running drivers are cancelled at their next progress event, and
  /// no new command is given.
  void request_stop(std::string reason) {
    std::lock_guard lock(mutex_);
    conversation_.request_stop(std::move(reason));
  }

  /// Whether the optimization is over: the budget spent and the best configuration applied, or
  /// the session failed, or a stop was requested and nothing runs.
  bool finished() const {
    std::lock_guard lock(mutex_);
    return conversation_.finished();
  }
  /// Why the session could not go on (refused description, changed study, unwritable file).
  std::optional<std::string> failure() const {
    std::lock_guard lock(mutex_);
    return conversation_.failure();
  }

  /// The study's trials, in order.
  std::vector<trial_record> trials() const {
    std::lock_guard lock(mutex_);
    return book_.trials();
  }
  /// The best configuration so far as the optimizer judges it (weighing noise), and the baseline.
  best_summary best() const {
    std::lock_guard lock(mutex_);
    return book_.best_by_optimizer();
  }
  /// The trials the study may hold.
  std::int64_t budget() const { return options_.budget; }
  /// The report's directory, when there is one.
  std::optional<std::filesystem::path> report_directory() const { return options_.report_directory; }
  /// The note when the plot was skipped (set once the plot, drawn in the background after the
  /// session finished, was given up).
  std::optional<std::string> plot_note() const { return book_.plot().note(); }
  /// Whether the plot is queued or being drawn.
  bool plot_pending() const { return book_.plot().current() == plot_status::stage::queued; }
  /// Waits, at most `timeout`, until the plot queued at the end is drawn or skipped; returns
  /// whether it is (true at once when there is none).
  bool wait_for_plot(std::chrono::steady_clock::duration timeout) const {
    return !plot_pending() || book_.plot().wait_done(timeout);
  }
  /// What went wrong without stopping the study (a report file that cannot be written).
  std::vector<std::string> warnings() const {
    std::lock_guard lock(mutex_);
    return book_.warnings();
  }
  /// Why the last adjust to the best configuration did not succeed, when it did not.
  std::optional<std::string> final_adjust_problem() const {
    std::lock_guard lock(mutex_);
    return conversation_.final_adjust_problem();
  }
  /// The app's name.
  const std::string& app_id() const { return options_.app_id; }

  /// Everything the summary says, taken at once.
  study_outcome outcome() const {
    std::lock_guard lock(mutex_);
    return study_outcome{options_.app_id,           options_.budget,
                         book_.trials(),            book_.best_by_optimizer(),
                         conversation_.final_adjust_problem(), book_.warnings(),
                         options_.report_directory, book_.plot().note(),
                         book_.plot().current() == plot_status::stage::queued};
  }

 private:
  session_options options_;
  session_listener listener_;
  trial_book book_;
  conversation conversation_;
  mutable std::mutex mutex_;
};

/// The end of a study in a few lines for people (see `summary.hpp`).
inline std::string summarize(const session& finished) { return summarize(finished.outcome()); }

}  // namespace servokit::backend
