#pragma once
/// @file
/// The backend side of the servo protocol for one application (`PROTOCOL.md` sections 5 and 9),
/// as a state machine that does not care how events arrive: `local_transport` calls it in
/// process, `servokit-optimizer` from its HTTP handler.
///
/// A session composes three parts: the conversation with each servo (`conversation.hpp`, the
/// protocol state machine), the trial bookkeeping (`trial_book.hpp`: optimizer, study, report),
/// and the summary for people (`summary.hpp`). Each event is handled in one transaction of the
/// study store, which holds the app's lock across threads and processes: the servo's conversation
/// is read from the store, advanced, and written back with the trial it recorded, or nothing is.

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
#include <servokit/backend/store.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/backend/summary.hpp>
#include <servokit/backend/trial_book.hpp>

namespace servokit::backend {

/// The backend's side of the conversations with the servos of one application.
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
  session(session_options options, study_store& study, session_listener listener = {})
      : options_(std::move(options)), listener_(std::move(listener)), study_(study), book_(options_, study, listener_),
        uid_prefix_(random_uid_prefix()) {}
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Handles one event of the servo `servo_uid` (empty: a servo that sends none, the app's only
  /// one); returns the reply body. `cmd_uid` is the command the agent says the event belongs to
  /// (empty when it does not say: the original agent never did).
  std::string handle(std::string_view event, std::string_view param_json, std::string_view cmd_uid = {},
                     std::string_view servo_uid = {}) {
    std::lock_guard lock(mutex_);
    bool committed = false;
    try {
      if (broken_) return broken_reply(event);
      if (event == events::whats_next || is_progress_event(event, param_json)) {
        // Asked again while a command is out, after the end, or a progress report while the
        // lease needs no renewal: answered from the servo's state as it is, without the app's lock.
        const auto stored = study_.servo(options_.app_id, servo_uid);
        std::optional<conversation_state> state;
        if (stored) state = json::read<conversation_state>(stored->state_json);
        conversation talk(options_, book_, listener_, std::string(servo_uid), uid_prefix_, stop_reason_, state);
        if (stored && talk.answers_from_state(event, param_json)) {
          std::string reply = talk.handle(event, param_json, cmd_uid);
          finished_ = talk.finished();
          failure_ = talk.failure();
          final_adjust_problem_ = talk.final_adjust_problem();
          return reply;
        }
      }
      auto transaction = study_.begin(options_.app_id);
      book_.attach(*transaction);
      const auto stored = transaction->servo(servo_uid);
      std::optional<conversation_state> state;
      if (stored) state = json::read<conversation_state>(stored->state_json);
      conversation talk(options_, book_, listener_, std::string(servo_uid), uid_prefix_, stop_reason_, state);
      std::string reply = talk.handle(event, param_json, cmd_uid);
      const std::string kept = json::to_json(talk.state());
      if (!stored || stored->state_json != kept) transaction->save_servo({std::string(servo_uid), kept, unix_now()});
      transaction->commit();
      committed = true;
      book_.detach(true);
      finished_ = talk.finished();
      failure_ = talk.failure();
      final_adjust_problem_ = talk.final_adjust_problem();
      return reply;
    } catch (const retry_later&) {
      book_.detach(committed);
      throw;
    } catch (const store_error& failure) {
      // The store could not be read or written now (locked past the busy timeout, a full disk, the
      // database server unreachable): nothing of this event was kept, the servo's state included,
      // so the same event is taken when it comes again.
      book_.detach(committed);
      throw retry_later(std::string(failure.what()) + " (nothing was recorded; send the event again later)");
    } catch (const std::exception& failure) {
      // A fault of the backend itself: the study cannot go on safely in this process, and the
      // agent is told so, never "ok".
      book_.detach(committed);
      return break_down(failure.what());
    } catch (...) {
      book_.detach(committed);
      return break_down("an unknown exception");
    }
  }

  /// Asks the session to stop: running drivers are cancelled at their next progress event, and
  /// no new command is given.
  void request_stop(std::string reason) {
    std::lock_guard lock(mutex_);
    stop_reason_ = std::move(reason);
  }

  /// Whether the optimization is over for the servo of the last event: the budget spent and the
  /// best configuration applied, or it failed, or a stop was requested and nothing runs.
  bool finished() const {
    std::lock_guard lock(mutex_);
    return finished_;
  }
  /// Why the session could not go on (refused description, changed study, unwritable file).
  std::optional<std::string> failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
  }

  /// The study's trials, in order.
  std::vector<trial_record> trials() const {
    std::lock_guard lock(mutex_);
    return book_.trials();
  }
  /// The best configuration as the study reports it (`trial_book::final_best`), and the baseline.
  best_summary best() const {
    std::lock_guard lock(mutex_);
    return book_.final_best();
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
    return final_adjust_problem_;
  }
  /// The app's name.
  const std::string& app_id() const { return options_.app_id; }
  /// The `optimization:` section the session was made from.
  const optimize::optimization_config& config() const { return options_.config; }

  /// Everything the summary says, taken at once.
  study_outcome outcome() const {
    std::lock_guard lock(mutex_);
    return study_outcome{options_.app_id,           options_.budget,
                         book_.trials(),            book_.final_best(),
                         final_adjust_problem_,     book_.warnings(),
                         options_.report_directory, book_.plot().note(),
                         book_.plot().current() == plot_status::stage::queued};
  }

 private:
  /// Ends the session in this process after a fault of its own: the reply says so.
  std::string break_down(const std::string& reason) {
    broken_ = true;
    finished_ = true;
    failure_ = reason;
    return status_reply("failed", "the backend cannot go on with this study: " + reason);
  }
  /// The reply to any event once the session broke down: SLEEP with the reason to WHATS_NEXT.
  std::string broken_reply(std::string_view event) const {
    if (event != events::whats_next) return status_reply("failed", "the backend cannot go on with this study: " + *failure_);
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("cmd"), out.string("SLEEP");
    out.key("param"), out.begin_object();
    out.key("duration"), out.integer(options_.sleep_seconds);
    out.key("data"), out.begin_object();
    out.key("reason"), out.string("optimization stopped: " + *failure_);
    out.end_object();
    out.end_object();
    out.end_object();
    return text;
  }

  session_options options_;
  session_listener listener_;
  study_store& study_;
  trial_book book_;
  std::string uid_prefix_;
  bool finished_ = false;
  bool broken_ = false;   // a fault of the backend ended the session in this process
  std::optional<std::string> stop_reason_, failure_, final_adjust_problem_;
  mutable std::mutex mutex_;
};

/// The end of a study in a few lines for people (see `summary.hpp`).
inline std::string summarize(const session& finished) { return summarize(finished.outcome()); }

}  // namespace servokit::backend
