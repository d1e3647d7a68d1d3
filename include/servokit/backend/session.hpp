#pragma once
/// @file
/// The backend side of the servo protocol for one application (`PROTOCOL.md` sections 5 and 9),
/// as a state machine that does not care how events arrive: `local_transport` calls it in
/// process, `servokit-optimizer` from its HTTP handler.
///
/// The conversation it leads: HELLO, WHATS_NEXT answered DESCRIBE, DESCRIPTION (the objective's
/// metrics checked against the measure driver's), then per trial ADJUST (settings from the
/// optimizer's `ask()`) and MEASURE, each result recorded in the study and told to the optimizer,
/// until the budget is spent; then a last ADJUST to the best configuration, and the session is
/// finished (the server answers SLEEP from then on).

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/hana/define_struct.hpp>
#include <simdjson.h>

#include <servokit/backend/report.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>
#include <servokit/optimize/objective.hpp>
#include <servokit/optimize/optimizer.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/metrics.hpp>
#include <servokit/protocol/validate.hpp>

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
struct meta<backend::result_param> {
  static constexpr bool ignore_unknown_keys = true;   // "state", "annotations", "cmd_uid", ...
};
}  // namespace servokit

namespace servokit::backend {

/// Everything a session is told at its start.
struct session_options {
  std::string app_id;                        ///< the application, as the agent names it
  optimize::optimization_config config;      ///< the `optimization:` section
  std::int64_t budget = 30;                  ///< trials, the baseline included (config or `--budget`)
  std::uint64_t seed = 1;                    ///< the optimizer's seed (config or `--seed`)
  std::optional<std::filesystem::path> report_directory;  ///< `--report DIR`: where the report goes
  int sleep_seconds = 120;                   ///< the SLEEP duration once there is nothing to do
};

/// What a session tells whoever shows progress (all optional; called with the session's lock held,
/// so they must not call back into it).
struct session_listener {
  /// A trial's phase begins: `adjusting`, `measuring`, or `applying the best configuration`.
  std::function<void(std::int64_t trial, std::int64_t budget, std::string_view phase)> phase;
  /// A progress event of the running driver: percent done and its message.
  std::function<void(double percent, std::string_view message)> progress;
  /// A trial was recorded; `best` is the best so far.
  std::function<void(const trial_record& trial, const best_summary& best)> trial_finished;
};

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

/// The objective and its constraints as one line: what a study records and compares.
inline std::string describe_objective(const optimize::objective& objective) {
  std::string text = objective.describe();
  for (const auto& constraint : objective.constraints()) {
    if (constraint.min) text += ", " + constraint.metric + " >= " + format_number(*constraint.min);
    if (constraint.max) text += ", " + constraint.metric + " <= " + format_number(*constraint.max);
  }
  return text;
}

/// What differs between the settings a study was made for and the ones described now, one entry
/// per difference (`web.cpu: max 4 -> 8`, `web.mem: new setting`). Current values are not
/// compared (they are whatever the last trial left), except for pinned settings.
inline std::vector<std::string> describe_setting_changes(const application& stored, const application& current) {
  std::vector<std::string> changes;
  const auto text = [](const auto& value) {
    std::string out;
    json::writer(out).value(value);
    return out;
  };
  const auto compare = [&](const std::string& where, std::string_view key, const std::string& before,
                           const std::string& after) {
    if (before != after) changes.push_back(where + ": " + std::string(key) + " " + before + " -> " + after);
  };
  for (const auto& [component_name, component] : stored.components) {
    const auto now = current.components.find(component_name);
    for (const auto& [setting_name, declared] : component.settings) {
      const std::string where = component_name + "." + setting_name;
      if (now == current.components.end() || !now->second.settings.contains(setting_name)) {
        changes.push_back(where + ": no longer described");
        continue;
      }
      const setting& described = now->second.settings.at(setting_name);
      compare(where, "type", declared.is_enum() ? "enum" : "range", described.is_enum() ? "enum" : "range");
      compare(where, "min", text(declared.min), text(described.min));
      compare(where, "max", text(declared.max), text(described.max));
      compare(where, "step", text(declared.step), text(described.step));
      compare(where, "values", text(declared.values), text(described.values));
      compare(where, "pinned", text(declared.pinned.value_or(false)), text(described.pinned.value_or(false)));
      if (declared.pinned.value_or(false)) compare(where, "pinned value", text(declared.value), text(described.value));
    }
  }
  for (const auto& [component_name, component] : current.components) {
    const auto before = stored.components.find(component_name);
    for (const auto& [setting_name, unused] : component.settings) {
      if (before == stored.components.end() || !before->second.settings.contains(setting_name)) {
        changes.push_back(component_name + "." + setting_name + ": new setting");
      }
    }
  }
  return changes;
}

/// The backend's side of the conversation with one agent about one application.
///
/// `handle` takes one event and returns the reply body (JSON text). It never throws for anything
/// an agent sends: bad params are answered `invalid`, events out of order `unexpected-event`. A
/// study that cannot be used (its settings or objective changed, the file is not writable) ends
/// the session with `failure()` set; the server then answers SLEEP with the reason.
class session {
 public:
  /// Opens (or resumes) `app_id`'s study in `study`. Throws `optimize::error` for a bad objective,
  /// and `study_mismatch`-style errors as `std::runtime_error` when the stored study was made for
  /// another objective or seed: refused before anything runs.
  session(session_options options, study_database& study, session_listener listener = {})
      : options_(std::move(options)), objective_(options_.config), study_(study), listener_(std::move(listener)) {
    std::random_device entropy;
    uid_prefix_ = to_hex(entropy()) + to_hex(entropy()).substr(0, 4);
    if (auto stored = study_.identity(options_.app_id)) {
      const std::string wanted = describe_objective(objective_);
      if (stored->objective != wanted) {
        throw std::runtime_error(study_.file() + ": the study of \"" + options_.app_id + "\" was made for objective \"" +
                                 stored->objective + "\", the config now says \"" + wanted +
                                 "\"; use another --study file (or delete this one) to start a new study");
      }
      if (stored->seed != options_.seed) {
        throw std::runtime_error(study_.file() + ": the study of \"" + options_.app_id + "\" was made with seed " +
                                 std::to_string(stored->seed) + ", now " + std::to_string(options_.seed) +
                                 "; use another --study file (or delete this one) to start a new study");
      }
      identity_ = std::move(stored);
    }
    if (options_.report_directory) report_.emplace(*options_.report_directory);
  }

  /// Handles one event; returns the reply body. `cmd_uid` is the command the agent says the event
  /// belongs to (empty when it does not say: the original agent never did).
  std::string handle(std::string_view event, std::string_view param_json, std::string_view cmd_uid = {}) {
    std::lock_guard lock(mutex_);
    try {
      return dispatch(event, param_json, cmd_uid);
    } catch (const std::exception& failure) {
      // The study or the report could not be written: nothing can go on safely.
      fail(failure.what());
      return status_reply("ok", "");
    }
  }

  /// Asks the session to stop: running drivers are cancelled at their next progress event, and
  /// no new command is given.
  void request_stop(std::string reason) {
    std::lock_guard lock(mutex_);
    stop_reason_ = std::move(reason);
  }

  /// Whether the optimization is over: the budget spent and the best configuration applied, or
  /// the session failed, or a stop was requested and nothing runs.
  bool finished() const {
    std::lock_guard lock(mutex_);
    return phase_ == phase::finished;
  }
  /// Why the session could not go on (refused description, changed study, unwritable file).
  std::optional<std::string> failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
  }

  /// The study's trials, in order.
  std::vector<trial_record> trials() const {
    std::lock_guard lock(mutex_);
    return trials_;
  }
  /// The best configuration so far as the optimizer judges it (weighing noise), and the baseline.
  best_summary best() const {
    std::lock_guard lock(mutex_);
    return best_locked();
  }
  /// The trials the study may hold.
  std::int64_t budget() const { return options_.budget; }
  /// The report's directory, when there is one.
  std::optional<std::filesystem::path> report_directory() const { return options_.report_directory; }
  /// The note when the plot was skipped (set once the session finished with a report).
  std::optional<std::string> plot_note() const {
    std::lock_guard lock(mutex_);
    return plot_note_;
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

 private:
  enum class phase { start, describing, adjusting, adjusted, measuring, final_adjusting, finished };

  static std::string to_hex(std::uint32_t value) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text(8, '0');
    for (int i = 7; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = digits[value & 0xF];
    return text;
  }

  static double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  /// The event the session waits for in its current phase.
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

  std::string dispatch(std::string_view event, std::string_view param_json, std::string_view cmd_uid) {
    if (event == events::hello) {
      // A (re)started agent: whatever command was out is lost; the trial in flight is run again.
      // A description that was refused is asked for again: the drivers may have been fixed.
      if (phase_ != phase::finished || (failure_ && retry_description_)) phase_ = phase::start, failure_.reset();
      described_ = false;
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
    try {
      json::read(param_json, result);
    } catch (const std::exception& failure) {
      return status_reply("invalid", std::string(event) + ": " + failure.what());
    }
    last_completed_uid_ = outstanding_uid_;
    if (event == events::description) return description(result);
    if (phase_ == phase::final_adjusting) return final_adjustment(result);
    if (event == events::adjustment) return adjustment(result);
    return measurement(result);
  }

  std::string progress(std::string_view event, simdjson::dom::element param) {
    if (event != events::adjustment && event != events::measurement) {
      return status_reply("invalid", "progress is sent only with ADJUSTMENT and MEASUREMENT");
    }
    if (stop_reason_) return status_reply("cancel", *stop_reason_);
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

  std::string sleep_reply(const std::string& reason) const {
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("cmd"), out.string("SLEEP");
    out.key("param"), out.begin_object();
    out.key("duration"), out.integer(options_.sleep_seconds);
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
      if (listener_.phase) listener_.phase(pending_->number, options_.budget, "measuring");
      return issue("MEASURE", measure_param());
    }
    if (static_cast<std::int64_t>(trials_.size()) >= options_.budget) {
      phase_ = phase::final_adjusting;
      const best_summary best = best_locked();
      final_settings_json_ = best.settings_json != "null" ? best.settings_json : trials_.front().settings_json;
      if (listener_.phase) listener_.phase(static_cast<std::int64_t>(trials_.size()), options_.budget, "applying the best configuration");
      return issue("ADJUST", adjust_param(final_settings_json_));
    }
    if (!pending_) {
      const auto configuration = optimizer_->ask();
      pending_ = pending_trial{static_cast<std::int64_t>(trials_.size()) + 1, settings_text(configuration), 0};
    }
    pending_->started = now();
    phase_ = phase::adjusting;
    if (listener_.phase) listener_.phase(pending_->number, options_.budget, "adjusting");
    return issue("ADJUST", adjust_param(pending_->settings_json));
  }

  std::string description(const result_param& result) {
    if (result.status && *result.status != "ok") {
      return refuse("the drivers could not describe the application: " +
                    result.message.value_or(result.reason.value_or(*result.status)));
    }
    if (!result.descriptor) return status_reply("invalid", "DESCRIPTION: no \"descriptor\"");
    const description_descriptor& described = *result.descriptor;
    try {
      validate_descriptor(described.application);
    } catch (const std::exception& failure) {
      return refuse(std::string("the adjust driver's descriptor is not valid: ") + failure.what());
    }
    try {
      objective_.check_metrics(described.measurement ? described.measurement->metrics : metric_descriptors{});
    } catch (const std::exception& failure) {
      return refuse(failure.what());
    }
    std::string descriptor_json;
    json::writer(descriptor_json).value(application_descriptor{described.application});
    if (!identity_) {
      identity_ = study_identity{descriptor_json, describe_objective(objective_), options_.seed};
      study_.create(options_.app_id, *identity_, now());
    } else {
      const auto stored = json::read<application_descriptor>(identity_->descriptor_json);
      const auto changes = describe_setting_changes(stored.application, described.application);
      if (!changes.empty()) {
        std::string list;
        for (const auto& change : changes) list += (list.empty() ? "" : "; ") + change;
        return refuse(study_.file() + ": the study of \"" + options_.app_id +
                      "\" was made for other settings (" + list +
                      "); use another --study file (or delete this one) to start a new study");
      }
    }
    if (!optimizer_) start_optimizer();
    described_ = true;
    phase_ = phase::start;
    return status_reply("ok", "");
  }

  /// Builds the optimizer for the study's own descriptor (its baseline is the application as it
  /// was first described, not as the last trial left it) and replays every stored trial, so that
  /// a resumed study asks exactly what the interrupted one would have.
  void start_optimizer() {
    const auto stored = json::read<application_descriptor>(identity_->descriptor_json);
    optimizer_.emplace(stored.application, objective_, options_.seed);
    trials_ = study_.trials(options_.app_id);
    for (const auto& trial : trials_) {
      const auto status = optimize::trial_status_from_string(trial.status).value_or(optimize::trial_status::failed);
      optimizer_->tell(json::read<optimize::configuration>(trial.settings_json), status, trial.objective);
    }
    if (report_) {
      report_->restart(trials_);
      if (!trials_.empty()) report_->write_tables(trials_, measured_best_locked());
    }
  }

  std::string adjustment(const result_param& result) {
    const std::string status = result.status.value_or("ok");
    if (status == "ok") {
      phase_ = phase::adjusted;
      return status_reply("ok", "");
    }
    if (cancelled(status)) return abandon_trial();
    const auto trial_status = status == "rejected" ? optimize::trial_status::rejected : optimize::trial_status::failed;
    record(trial_status, "{}", std::nullopt,
           "adjust " + status + ": " + result.message.value_or(result.reason.value_or("no message")));
    return status_reply("ok", "");
  }

  std::string measurement(const result_param& result) {
    const std::string status = result.status.value_or("ok");
    if (cancelled(status)) return abandon_trial();
    if (status != "ok" || !result.metrics) {
      record(optimize::trial_status::failed, "{}", std::nullopt,
             "measure " + status + ": " + result.message.value_or(result.reason.value_or("no metrics")));
      return status_reply("ok", "");
    }
    ordered_map<double> values;
    ordered_map<scalar> reported;
    for (const auto& [name, metric] : *result.metrics) {
      if (!metric.value) continue;
      reported.insert_or_assign(name, *metric.value);
      if (auto number = numeric_value(*metric.value)) {
        values.insert_or_assign(name, *number);
      } else if (const auto* text = std::get_if<std::string>(&*metric.value)) {
        // Drivers in other languages print numbers as strings now and then ("12.5").
        char* end = nullptr;
        const double parsed = std::strtod(text->c_str(), &end);
        if (!text->empty() && end == text->c_str() + text->size()) values.insert_or_assign(name, parsed);
      }
    }
    std::string metrics_json;
    json::writer(metrics_json).value(reported);
    const auto evaluation = objective_.evaluate(values);
    record(evaluation.status, metrics_json, evaluation.value, evaluation.reason);
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
    study_.mark_finished(options_.app_id, final_settings_json_);
    finish();
    return status_reply("ok", "");
  }

  static bool cancelled(std::string_view status) {
    return status == "cancelled" || status == "canceled" || status == "aborted";
  }

  /// A trial stopped before its result: nothing is recorded, and it is run again from its adjust.
  std::string abandon_trial() {
    phase_ = phase::start;
    return status_reply("ok", "");
  }

  void record(optimize::trial_status status, std::string metrics_json, std::optional<double> value, std::string reason) {
    trial_record trial;
    trial.number = pending_->number;
    trial.settings_json = pending_->settings_json;
    trial.metrics_json = std::move(metrics_json);
    // An infeasible trial keeps the objective's value when it had one (only a constraint broke):
    // the optimizer learns from it, and best() never picks it.
    trial.objective = status == optimize::trial_status::ok || status == optimize::trial_status::infeasible ? value : std::nullopt;
    trial.status = std::string(optimize::to_string(status));
    trial.reason = status == optimize::trial_status::ok ? std::string() : std::move(reason);
    trial.started = pending_->started;
    trial.finished = now();
    // The study first: it is the truth a resumed run starts from. The optimizer hears of the trial
    // only once it is durable, so the two never disagree.
    study_.record(options_.app_id, trial);
    optimizer_->tell(json::read<optimize::configuration>(trial.settings_json), status, trial.objective);
    trials_.push_back(trial);
    pending_.reset();
    phase_ = phase::start;
    // The best measured so far, for the progress line and the running best.json: the optimizer's
    // own choice (which weighs noise) fits its model again, so it is asked once, at the end.
    const best_summary best = measured_best_locked();
    if (report_) {
      report_->append(trial);
      report_->write_tables(trials_, best);
    }
    if (listener_.trial_finished) listener_.trial_finished(trial, best);
  }

  std::string refuse(std::string reason) {
    fail(reason);
    retry_description_ = true;
    return status_reply("invalid", reason);
  }

  void fail(std::string reason) {
    failure_ = std::move(reason);
    retry_description_ = false;
    phase_ = phase::finished;
  }

  void finish() {
    phase_ = phase::finished;
    if (report_) {
      const best_summary best = best_locked();
      report_->write_tables(trials_, best);
      plot_note_ = report_->plot(trials_, best, options_.app_id + ": " + describe_objective(objective_));
    }
  }

  /// The trial with the best measured objective so far.
  best_summary measured_best_locked() const {
    best_summary summary;
    summary.maximize = objective_.maximize();
    if (!trials_.empty() && trials_.front().status == "ok") summary.baseline = trials_.front().objective;
    for (const auto& trial : trials_) {
      if (trial.status != "ok" || !trial.objective) continue;
      if (!summary.objective || (summary.maximize ? *trial.objective > *summary.objective : *trial.objective < *summary.objective)) {
        summary.objective = trial.objective;
        summary.settings_json = trial.settings_json;
        summary.trial = trial.number;
      }
    }
    return summary;
  }

  /// The optimizer's choice of the best configuration (noise-aware: not a lucky draw).
  best_summary best_locked() const {
    best_summary summary;
    summary.maximize = objective_.maximize();
    if (!trials_.empty() && trials_.front().status == "ok") summary.baseline = trials_.front().objective;
    if (optimizer_) {
      if (const auto found = optimizer_->best()) {
        summary.settings_json = settings_text(found->settings);
        summary.objective = found->value;
        summary.trial = static_cast<std::int64_t>(found->trial) + 1;
      }
    }
    return summary;
  }

  static std::string settings_text(const optimize::configuration& configuration) {
    std::string text;
    json::writer(text).value(configuration);
    return text;
  }

  /// `{"state": {"application": {"components": {c: {"settings": {s: {"value": v}}}}}}, "control": {}}`.
  static std::string adjust_param(const std::string& settings_json) {
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

  /// `{"metrics": [what the objective reads], "control": <optimization.control>}`.
  std::string measure_param() const {
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("metrics"), out.value(objective_.metrics());
    out.key("control"), out.raw(options_.config.control ? options_.config.control->text() : std::string("{}"));
    out.end_object();
    return text;
  }

  struct pending_trial {
    std::int64_t number;
    std::string settings_json;
    double started;
  };

  session_options options_;
  optimize::objective objective_;
  study_database& study_;
  session_listener listener_;
  std::optional<report_writer> report_;
  std::optional<study_identity> identity_;
  std::optional<optimize::optimizer> optimizer_;
  std::vector<trial_record> trials_;
  std::optional<pending_trial> pending_;
  phase phase_ = phase::start;
  bool described_ = false;
  bool retry_description_ = false;   // the failure is a refused description
  std::string uid_prefix_;
  std::uint64_t commands_issued_ = 0;
  std::string outstanding_uid_, last_completed_uid_, last_command_, last_command_param_;
  std::string final_settings_json_;
  std::optional<std::string> stop_reason_, failure_, final_adjust_problem_, plot_note_;
  mutable std::mutex mutex_;
};

/// The end of a study in a few lines for people: trials by status, the baseline, the best and its
/// gain, the best settings, and where the report is.
inline std::string summarize(const session& finished) {
  const auto trials = finished.trials();
  const auto best = finished.best();
  std::int64_t counts[4] = {0, 0, 0, 0};
  static constexpr std::string_view names[4] = {"ok", "failed", "rejected", "infeasible"};
  for (const auto& trial : trials) {
    for (std::size_t i = 0; i < 4; ++i) counts[i] += trial.status == names[i] ? 1 : 0;
  }
  std::string text = "optimization of \"" + finished.app_id() + "\": " + std::to_string(trials.size()) + " of " +
                     std::to_string(finished.budget()) + " trials (";
  for (std::size_t i = 0, shown = 0; i < 4; ++i) {
    if (counts[i] == 0) continue;
    text += (shown++ ? ", " : "") + std::to_string(counts[i]) + " " + std::string(names[i]);
  }
  text += ")\n";
  if (!trials.empty()) {
    text += "  baseline (trial 1): " + (best.baseline ? readable_number(*best.baseline) : trials.front().status) + "  " +
            flat_settings(trials.front().settings_json) + "\n";
  }
  if (best.objective) {
    text += "  best (trial " + std::to_string(best.trial.value_or(0)) + "):     " + readable_number(*best.objective);
    if (const auto gain = best.improvement_percent()) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "  (%.1f%% %s than the baseline)", std::fabs(*gain), *gain >= 0 ? "better" : "worse");
      text += buffer;
    }
    text += "\n  best settings: " + flat_settings(best.settings_json) + "\n";
  } else {
    text += "  no trial succeeded: the application was left at its baseline settings\n";
  }
  if (const auto problem = finished.final_adjust_problem()) text += "  warning: " + *problem + "\n";
  if (const auto directory = finished.report_directory()) {
    text += "  report: " + directory->string() + "/ (trials.jsonl, trials.csv, best.json";
    const auto note = finished.plot_note();
    text += note ? ")\n  plot: " + *note + "\n" : ", convergence.png)\n";
  }
  return text;
}

}  // namespace servokit::backend
