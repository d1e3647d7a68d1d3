#pragma once
/// @file
/// The protocol state machine of the backend (`PROTOCOL.md` sections 5 and 9): which event it
/// waits for, which command it gives, and how it matches results to commands (`cmd_uid`),
/// retried results and events out of order. What a result means for the study is the trial
/// book's business (`trial_book.hpp`); this file only decodes the wire and keeps the phase.
///
/// The conversation it leads: HELLO, WHATS_NEXT answered DESCRIBE, DESCRIPTION, then per trial
/// ADJUST and MEASURE until the budget is spent; then a last ADJUST to the best configuration, and
/// the conversation is finished (SLEEP from then on).
///
/// There is one conversation per servo of the app (told apart by the envelope's `servo_uid`), and
/// its state lives in the study store between events (`conversation_state`), so that any backend
/// replica can answer a servo's next request. A servo with no trial to run for now (the app's
/// `optimization.parallel` trials already run) is told to SLEEP briefly and ask again.

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include <boost/hana/define_struct.hpp>
#include <simdjson.h>

#include <servokit/backend/trial_book.hpp>
#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/metrics.hpp>

namespace servokit::backend {

/// The `descriptor` of a DESCRIPTION event.
struct description_descriptor {
  struct measurement_part {
    BOOST_HANA_DEFINE_STRUCT(measurement_part,
      (metric_descriptors, metrics));
  };
  BOOST_HANA_DEFINE_STRUCT(description_descriptor,
    (::servokit::application, application),
    (std::optional<measurement_part>, measurement));
};

/// A servo's conversation between two events, as the study store keeps it (`servo_record`).
struct conversation_state {
  BOOST_HANA_DEFINE_STRUCT(conversation_state,
    (std::string, phase),                               ///< start, describing, adjusting, ...
    (bool, described),                                  ///< its drivers' description was accepted
    (bool, retry_description),                          ///< the failure is a refused description
    (std::optional<std::string>, failure),              ///< why it cannot go on
    (std::optional<std::int64_t>, trial),               ///< the number of the trial it runs
    (std::string, trial_settings),                      ///< that trial's configuration
    (double, trial_started),                            ///< when that trial began
    (std::int64_t, commands_issued),                    ///< commands given to it so far
    (std::string, outstanding_uid),                     ///< the command it is running
    (std::string, last_completed_uid),                  ///< the command it last finished
    (std::string, last_command),                        ///< the command it is running (name)
    (std::string, last_command_param),                  ///< ... and its param (JSON)
    (std::string, final_settings),                      ///< the best configuration applied at the end
    (std::optional<std::string>, final_adjust_problem), ///< why that adjust did not succeed
    (double, renew_after));                             ///< when its trial's lease is next renewed
};

/// The param of a DESCRIPTION, ADJUSTMENT or MEASUREMENT result: success or failure.
struct result_param {
  BOOST_HANA_DEFINE_STRUCT(result_param,
    (std::optional<std::string>, status),
    (std::optional<std::string>, message),
    (std::optional<std::string>, reason),
    (std::optional<description_descriptor>, descriptor),
    (std::optional<ordered_map<metric_value>>, metrics));
};

}  // namespace servokit::backend

namespace servokit {
template <>
struct meta<backend::description_descriptor::measurement_part> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct meta<backend::description_descriptor> {
  static constexpr bool ignore_unknown_keys = true;   // "optimization": {"perf": ...}
};
template <>
struct meta<backend::conversation_state> {
  static constexpr bool ignore_unknown_keys = true;   // a state kept by a newer replica
};
template <>
struct meta<backend::result_param> {
  static constexpr bool ignore_unknown_keys = true;   // "state", "annotations", "cmd_uid", ...
};
}  // namespace servokit

namespace servokit::backend {

/// Event names of the protocol.
namespace events {
inline constexpr std::string_view hello = "HELLO";
inline constexpr std::string_view whats_next = "WHATS_NEXT";
inline constexpr std::string_view description = "DESCRIPTION";
inline constexpr std::string_view adjustment = "ADJUSTMENT";
inline constexpr std::string_view measurement = "MEASUREMENT";
inline constexpr std::string_view goodbye = "GOODBYE";
}  // namespace events

/// Whether `name` is an event of the protocol.
inline bool known_event(std::string_view name) {
  for (auto known : {events::hello, events::whats_next, events::description, events::adjustment, events::measurement,
                     events::goodbye}) {
    if (name == known) return true;
  }
  return false;
}

/// A reply without a command: `{"status": "ok"}`, `{"status": "invalid", "reason": "..."}`.
inline std::string status_reply(std::string_view status, std::string_view reason) {
  std::string text;
  json::writer out(text);
  out.begin_object();
  out.key("status"), out.string(status);
  if (!reason.empty()) out.key("reason"), out.string(reason);
  out.end_object();
  return text;
}

/// `{"state": {"application": {"components": {c: {"settings": {s: {"value": v}}}}}}, "control": {}}`.
inline std::string adjust_param(const std::string& settings_json) {
  const auto values = json::read<settings_table>(settings_json);
  std::string text;
  json::writer out(text);
  out.begin_object();
  out.key("state"), out.begin_object();
  out.key("application"), out.begin_object();
  out.key("components"), out.begin_object();
  for (const auto& [component, settings] : values) {
    out.key(component), out.begin_object();
    out.key("settings"), out.begin_object();
    for (const auto& [name, value] : settings) {
      out.key(name), out.begin_object();
      out.key("value"), out.value(value);
      out.end_object();
    }
    out.end_object();
    out.end_object();
  }
  out.end_object();
  out.end_object();
  out.end_object();
  out.key("control"), out.raw("{}");
  out.end_object();
  return text;
}

/// Whether `event` is a progress report of a running driver (`{"progress": ...}`).
inline bool is_progress_event(std::string_view event, std::string_view param_json) {
  if (event != events::adjustment && event != events::measurement) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element param;
  if (parser.parse(param_json.data(), param_json.size(), true).get(param)) return false;
  return param.is_object() && !param["progress"].error();
}

/// A prefix for command uids unique to this process: with the per-servo count of commands, no two
/// commands of a study share a uid, whichever replica issued them.
inline std::string random_uid_prefix() {
  static constexpr char digits[] = "0123456789abcdef";
  std::random_device entropy;
  std::string text;
  for (int word = 0; word < 2; ++word) {
    std::uint32_t value = entropy();
    for (int i = 0; i < (word == 0 ? 8 : 4); ++i, value >>= 4) text += digits[value & 0xF];
  }
  return text;
}

/// The protocol state machine of one servo's conversation about one application, over the
/// application's trial book (attached to the request's transaction). Made for one event from the
/// servo's stored state; `state()` is what to store after it.
class conversation {
 public:
  /// Leads `servo_uid`'s conversation for `options.app_id` over `book`, reporting to `listener`,
  /// from its stored `state` (none: a servo never seen). Commands get uids starting `uid_prefix`;
  /// `stop_reason` (when set) stops it.
  conversation(const session_options& options, trial_book& book, const session_listener& listener,
               std::string servo_uid, std::string uid_prefix, const std::optional<std::string>& stop_reason,
               const std::optional<conversation_state>& state = std::nullopt)
      : options_(options), book_(book), listener_(listener), servo_uid_(std::move(servo_uid)),
        uid_prefix_(std::move(uid_prefix)), stop_reason_(stop_reason) {
    if (state) restore(*state);
  }

  /// The state to keep until the servo's next event.
  conversation_state state() const {
    conversation_state kept{};   // value-initialized: no member left indeterminate
    kept.phase = std::string(phase_names[static_cast<std::size_t>(phase_)]);
    kept.described = described_;
    kept.retry_description = retry_description_;
    kept.failure = failure_;
    if (pending_) {
      kept.trial = pending_->number;
      kept.trial_settings = pending_->settings_json;
      kept.trial_started = pending_->started;
    }
    kept.commands_issued = static_cast<std::int64_t>(commands_issued_);
    kept.outstanding_uid = outstanding_uid_;
    kept.last_completed_uid = last_completed_uid_;
    kept.last_command = last_command_;
    kept.last_command_param = last_command_param_;
    kept.final_settings = final_settings_json_;
    kept.final_adjust_problem = final_adjust_problem_;
    kept.renew_after = renew_after_;
    return kept;
  }

  /// Handles one event; returns the reply body. Throws `retry_later` when the study could not be
  /// written (the phase is kept: the same event may come again), `study_conflict` when another
  /// agent records into the same study.
  std::string handle(std::string_view event, std::string_view param_json, std::string_view cmd_uid) {
    if (event == events::hello) {
      // A (re)started agent: whatever command was out is lost; the trial in flight is run again
      // (it is still this servo's in the study, until its lease runs out).
      // A description that was refused is asked for again: the drivers may have been fixed.
      if (phase_ != phase::finished || (failure_ && retry_description_)) phase_ = phase::start, failure_.reset();
      described_ = false;
      pending_.reset();
      return status_reply("ok", "");
    }
    if (event == events::goodbye) {
      if (phase_ != phase::finished) phase_ = phase::start;
      described_ = false;
      return status_reply("ok", "");
    }
    if (event == events::whats_next) return whats_next();

    simdjson::dom::parser parser;
    simdjson::dom::element param;
    if (parser.parse(param_json.data(), param_json.size(), true).get(param)) {
      return status_reply("invalid", "the param of " + std::string(event) + " is not valid JSON");
    }
    const bool is_progress = param.is_object() && !param["progress"].error();
    if (is_progress) return progress(event, param);

    if (event != expected_event() || phase_ == phase::start || phase_ == phase::adjusted || phase_ == phase::finished) {
      if (!cmd_uid.empty() && cmd_uid == last_completed_uid_) return status_reply("ok", "");  // a retried result
      return unexpected(event);
    }
    if (!cmd_uid.empty() && cmd_uid != outstanding_uid_) {
      if (cmd_uid == last_completed_uid_) return status_reply("ok", "");
      return status_reply("unexpected-event", "event \"" + std::string(event) + "\" names command \"" +
                                                  std::string(cmd_uid) + "\", the outstanding one is \"" +
                                                  outstanding_uid_ + "\"; ignoring");
    }
    result_param result;
    std::string reply;
    try {
      json::read(param_json, result);
    } catch (const std::exception& failure) {
      // Answering "invalid" and keeping the phase would give the same command again, and the
      // agent would run it again, forever: the result is taken for what it says, a failure.
      reply = malformed(event, std::string(event) + ": the result could not be read: " + failure.what());
    }
    if (reply.empty()) {
      reply = event == events::description     ? description(result)
              : phase_ == phase::final_adjusting ? final_adjustment(result)
              : event == events::adjustment      ? adjustment(result)
                                                 : measurement(result);
    }
    // Only now: a result that could not be recorded (retry_later) is taken when it comes again.
    last_completed_uid_ = outstanding_uid_;
    return reply;
  }

  /// Whether `event` needs neither the trial book nor a change of state: a WHATS_NEXT while a
  /// command is out (its reply was lost, the agent asks again) or once the conversation is over.
  /// Such an event is answered without the app's lock, so a locked study does not delay it.
  /// So is a progress report while the trial's lease needs no renewal yet.
  bool answers_from_state(std::string_view event, std::string_view param_json) const {
    if (event == events::whats_next) return phase_ != phase::start && phase_ != phase::adjusted;
    return (phase_ == phase::adjusting || phase_ == phase::measuring) && unix_now() < renew_after_ &&
           is_progress_event(event, param_json);
  }

  /// Whether the conversation is over (budget spent and best applied, failed, or stopped).
  bool finished() const { return phase_ == phase::finished; }
  /// Why the session could not go on (refused description, changed study, unwritable file).
  const std::optional<std::string>& failure() const { return failure_; }
  /// Why the last adjust to the best configuration did not succeed, when it did not.
  const std::optional<std::string>& final_adjust_problem() const { return final_adjust_problem_; }

  /// Ends the conversation with `reason`: the agent is told to sleep, with it.
  void fail(std::string reason) {
    failure_ = std::move(reason);
    retry_description_ = false;
    phase_ = phase::finished;
  }

 private:
  enum class phase { start, describing, adjusting, adjusted, measuring, final_adjusting, finished };
  static constexpr std::string_view phase_names[] = {"start",     "describing",      "adjusting", "adjusted",
                                                     "measuring", "final_adjusting", "finished"};

  void restore(const conversation_state& state) {
    for (std::size_t i = 0; i < std::size(phase_names); ++i) {
      if (state.phase == phase_names[i]) phase_ = static_cast<phase>(i);
    }
    described_ = state.described;
    retry_description_ = state.retry_description;
    failure_ = state.failure;
    if (state.trial) pending_ = pending_trial{*state.trial, state.trial_settings, state.trial_started, servo_uid_};
    commands_issued_ = static_cast<std::uint64_t>(std::max<std::int64_t>(state.commands_issued, 0));
    outstanding_uid_ = state.outstanding_uid;
    last_completed_uid_ = state.last_completed_uid;
    last_command_ = state.last_command;
    last_command_param_ = state.last_command_param;
    final_settings_json_ = state.final_settings;
    final_adjust_problem_ = state.final_adjust_problem;
    renew_after_ = state.renew_after;
  }

  /// The event the conversation waits for in its current phase.
  std::string_view expected_event() const {
    switch (phase_) {
      case phase::describing: return events::description;
      case phase::adjusting:
      case phase::final_adjusting: return events::adjustment;
      case phase::measuring: return events::measurement;
      default: return events::whats_next;
    }
  }

  std::string unexpected(std::string_view event) const {
    return status_reply("unexpected-event",
                        "Out of order event \"" + std::string(event) + "\", expected \"" + std::string(expected_event()) +
                            "\"; ignoring");
  }

  std::string progress(std::string_view event, simdjson::dom::element param) {
    if (event != events::adjustment && event != events::measurement) {
      return status_reply("invalid", "progress is sent only with ADJUSTMENT and MEASUREMENT");
    }
    if (stop_reason_) return status_reply("cancel", *stop_reason_);
    // A sign of life: the servo keeps its trial.
    if (pending_ && (phase_ == phase::adjusting || phase_ == phase::measuring) && unix_now() >= renew_after_) renew();
    double percent = 0;
    if (auto value = param["progress"].get_double(); !value.error()) percent = value.value_unsafe();
    else if (auto whole = param["progress"].get_int64(); !whole.error()) percent = static_cast<double>(whole.value_unsafe());
    std::string_view message;
    if (auto text = param["message"].get_string(); !text.error()) message = text.value_unsafe();
    if (listener_.progress) listener_.progress(percent, message);
    return status_reply("ok", "");
  }

  std::string issue(std::string_view command, const std::string& param_json) {
    outstanding_uid_ = uid_prefix_ + "-" + std::to_string(++commands_issued_);
    last_command_ = std::string(command);
    last_command_param_ = param_json;
    return command_reply();
  }

  std::string command_reply() const {
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("cmd"), out.string(last_command_);
    out.key("param"), out.raw(last_command_param_);
    out.key("cmd_uid"), out.string(outstanding_uid_);
    out.end_object();
    return text;
  }

  std::string sleep_reply(const std::string& reason, std::optional<std::int64_t> seconds = std::nullopt) const {
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("cmd"), out.string("SLEEP");
    out.key("param"), out.begin_object();
    out.key("duration"), out.integer(seconds.value_or(options_.sleep_seconds));
    out.key("data"), out.begin_object();
    out.key("reason"), out.string(reason);
    out.end_object();
    out.end_object();
    out.end_object();
    return text;
  }

  std::string whats_next() {
    switch (phase_) {
      case phase::describing:
      case phase::adjusting:
      case phase::measuring:
      case phase::final_adjusting:
        // The agent asks again while a command is out: its reply was lost (a retried request).
        return command_reply();
      case phase::finished:
        return sleep_reply(failure_ ? "optimization stopped: " + *failure_
                                    : "optimization of \"" + options_.app_id + "\" finished");
      default: break;
    }
    if (stop_reason_) {
      phase_ = phase::finished;
      return sleep_reply("stopped: " + *stop_reason_);
    }
    if (!described_) {
      phase_ = phase::describing;
      return issue("DESCRIBE", "{}");
    }
    if (phase_ == phase::adjusted) {
      phase_ = phase::measuring;
      renew();
      if (listener_.phase) listener_.phase(pending_->number, options_.budget, confirming() ? "measuring (confirmation)" : "measuring");
      return issue("MEASURE", book_.measure_param());
    }
    const trial_assignment next = book_.next_trial(servo_uid_);
    if (next.what == trial_assignment::kind::wait) {
      // Not "finished" nor "stopped": the agent asks again after the pause.
      return sleep_reply("waiting for a trial of \"" + options_.app_id +
                             "\": the trials allowed at once are running (optimization.parallel, or the rest of the budget)",
                         static_cast<std::int64_t>(next.wait_seconds));
    }
    if (next.what == trial_assignment::kind::budget_spent) {
      pending_.reset();
      phase_ = phase::final_adjusting;
      final_settings_json_ = book_.final_settings();
      if (listener_.phase) {
        listener_.phase(static_cast<std::int64_t>(book_.trials().size()), options_.budget, "applying the best configuration");
      }
      return issue("ADJUST", adjust_param(final_settings_json_));
    }
    pending_ = pending_trial{next.trial.number, next.trial.settings_json, next.trial.started, servo_uid_};
    renew_after_ = unix_now() + options_.trial_timeout / 2;   // the lease was just given
    phase_ = phase::adjusting;
    if (listener_.phase) listener_.phase(pending_->number, options_.budget, confirming() ? "adjusting (confirmation)" : "adjusting");
    return issue("ADJUST", adjust_param(pending_->settings_json));
  }

  /// Whether the pending trial is a re-measurement of the confirmation phase (past the budget).
  bool confirming() const { return pending_ && pending_->number > options_.budget; }

  std::string description(const result_param& result) {
    if (result.status && *result.status != "ok") {
      return refuse("the drivers could not describe the application: " +
                    result.message.value_or(result.reason.value_or(*result.status)));
    }
    if (!result.descriptor) return status_reply("invalid", "DESCRIPTION: no \"descriptor\"");
    const description_descriptor& described = *result.descriptor;
    if (auto refusal = book_.describe(described.application,
                                      described.measurement ? described.measurement->metrics : metric_descriptors{})) {
      return refuse(std::move(*refusal));
    }
    book_.mark_running();
    described_ = true;
    phase_ = phase::start;
    return status_reply("ok", "");
  }

  std::string adjustment(const result_param& result) {
    const std::string status = result.status.value_or("ok");
    if (status == "ok") {
      phase_ = phase::adjusted;
      renew();
      return status_reply("ok", "");
    }
    if (cancelled(status)) return abandon_trial();
    const auto trial_status = status == "rejected" ? optimize::trial_status::rejected : optimize::trial_status::failed;
    record_failure(trial_status, "adjust " + status + ": " + result.message.value_or(result.reason.value_or("no message")));
    return status_reply("ok", "");
  }

  std::string measurement(const result_param& result) {
    const std::string status = result.status.value_or("ok");
    if (cancelled(status)) return abandon_trial();
    if (status != "ok" || !result.metrics) {
      record_failure(optimize::trial_status::failed,
                     "measure " + status + ": " + result.message.value_or(result.reason.value_or("no metrics")));
      return status_reply("ok", "");
    }
    book_.record_measurement(*pending_, *result.metrics);
    trial_done();
    return status_reply("ok", "");
  }

  std::string final_adjustment(const result_param& result) {
    const std::string status = result.status.value_or("ok");
    if (cancelled(status)) {
      phase_ = phase::start;  // asked again at the next WHATS_NEXT
      return status_reply("ok", "");
    }
    if (status != "ok") {
      final_adjust_problem_ = "the last adjust to the best configuration " + status + ": " +
                              result.message.value_or(result.reason.value_or("no message"));
    }
    book_.finish(final_settings_json_);
    phase_ = phase::finished;
    return status_reply("ok", "");
  }

  /// A result that does not decode: a refused description (the session ends, saying why), a
  /// failed trial recorded with the decode error, or a final adjust that did not succeed.
  std::string malformed(std::string_view event, std::string reason) {
    if (event == events::description) return refuse(std::move(reason));
    if (phase_ == phase::final_adjusting) {
      final_adjust_problem_ = "the last adjust to the best configuration: " + reason;
      book_.finish(final_settings_json_);
      phase_ = phase::finished;
    } else {
      record_failure(optimize::trial_status::failed, reason);
    }
    return status_reply("invalid", reason + "; recorded as a failure");
  }

  /// Renews the lease of the servo's trial; the next renewal is due when half of it has passed.
  void renew() {
    book_.renew(*pending_);
    renew_after_ = unix_now() + options_.trial_timeout / 2;
  }

  static bool cancelled(std::string_view status) {
    return status == "cancelled" || status == "canceled" || status == "aborted";
  }

  /// A trial stopped before its result: nothing is recorded, and it is run again from its adjust.
  std::string abandon_trial() {
    phase_ = phase::start;
    return status_reply("ok", "");
  }

  void record_failure(optimize::trial_status status, std::string reason) {
    book_.record_failure(*pending_, status, std::move(reason));
    trial_done();
  }

  void trial_done() {
    pending_.reset();
    phase_ = phase::start;
  }

  std::string refuse(std::string reason) {
    fail(reason);
    retry_description_ = true;
    book_.mark_failed(reason);
    return status_reply("invalid", reason);
  }

  const session_options& options_;
  trial_book& book_;
  const session_listener& listener_;
  std::string servo_uid_;
  std::optional<pending_trial> pending_;
  phase phase_ = phase::start;
  bool described_ = false;
  bool retry_description_ = false;   // the failure is a refused description
  std::string uid_prefix_;
  std::uint64_t commands_issued_ = 0;
  std::string outstanding_uid_, last_completed_uid_, last_command_, last_command_param_;
  std::string final_settings_json_;
  const std::optional<std::string>& stop_reason_;
  std::optional<std::string> failure_, final_adjust_problem_;
  double renew_after_ = 0;   // Unix time from which a progress event renews the trial's lease
};

}  // namespace servokit::backend
