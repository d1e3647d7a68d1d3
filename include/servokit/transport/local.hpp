#pragma once
/// @file
/// `local_transport`: the optimization backend in the agent's own process. Each event goes to a
/// `backend::session` (the optimizer, the study, the report); the loop ends when the session is
/// finished. With it, `servokit-servo --local APP` optimizes an application without any service.
///
/// ```
/// servokit::transport::local_transport backend(session_options, "study.sqlite");
/// servokit::servo::servo_loop loop(loop_options, backend);
/// int code = loop.run();
/// if (auto failure = backend.session().failure()) { /* refused: say why, exit non-zero */ }
/// ```

#include <stop_token>
#include <string>
#include <utility>

#include <servokit/backend/session.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/transport/transport.hpp>

namespace servokit::transport {

/// The backend in process: a study file and a session on it.
class local_transport {
 public:
  /// Opens `study_file` (created when absent) and the session of `options.app_id` on it; the
  /// session reports its progress to `listener` (the program decides how to show it). Throws what
  /// `backend::session` throws: a bad objective, or a study made for another objective or seed.
  local_transport(backend::session_options options, const std::string& study_file, backend::session_listener listener = {})
      : study_(study_file), session_(std::move(options), study_, std::move(listener)) {}

  /// Hands the event to the session. Never blocks, so a stop request needs no special care. A
  /// study that cannot be written now (locked, disk full) is a retryable `transport_error`: the
  /// loop sends the same event again after its retry delay, as it would to a server's 503.
  reply exchange(const event& sent, std::stop_token) {
    try {
      return reply{session_.handle(sent.name, sent.param_json, sent.cmd_uid)};
    } catch (const backend::retry_later& busy) {
      throw transport_error(std::string("the study cannot be written now: ") + busy.what(), /*retryable=*/true);
    }
  }

  /// Whether the optimization is over (the loop then says GOODBYE and returns).
  bool finished() const { return session_.finished(); }

  /// The study file the session records into.
  backend::study_database& study() { return study_; }

  /// The session, for its results once the loop returned.
  backend::session& session() { return session_; }
  const backend::session& session() const { return session_; }

 private:
  backend::study_database study_;
  backend::session session_;
};

static_assert(transport<local_transport>);

}  // namespace servokit::transport
