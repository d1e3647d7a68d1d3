#pragma once
// The apps servokit-optimizer serves: a session per app, created at its first event, with the
// app's own config (`--config-dir DIR/<app>.yaml`, else `--config`), within a cap on how many apps
// (`--max-apps`) and an optional allow-list (`--allow-app`). An app refused by the cap or the list
// gets no session and no report directory.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <servokit/backend/envelope.hpp>
#include <servokit/backend/options.hpp>
#include <servokit/backend/plot_worker.hpp>
#include <servokit/backend/postgres_store.hpp>
#include <servokit/backend/session.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/dashboard/sessions.hpp>
#include <servokit/json/write.hpp>

namespace servokit_optimizer {

namespace backend = servokit::backend;

/// One line on stderr, whole (the server's threads log at once).
inline void log_line(const std::string& line) {
  const std::string text = "servokit-optimizer: " + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

/// Logs a line of a kind that a hostile client can repeat at will (401s, refused apps, bad
/// requests): the first few, then at each power of two, with the count, so the log stays readable
/// and bounded.
class rate_limited_log {
 public:
  /// Logs `line` unless too many of its kind were logged; `kind` is a short fixed label.
  void operator()(const std::string& kind, const std::string& line) {
    std::uint64_t count = 0;
    {
      std::lock_guard lock(mutex_);
      count = ++counts_[kind];
    }
    if (count <= 5) return log_line(line);
    if ((count & (count - 1)) == 0) log_line(line + " (" + std::to_string(count) + " such so far; not all are logged)");
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;
};

/// An app id is used as a file name (DIR/<app>.yaml) and a directory name (the report): letters,
/// digits, `.`, `_`, `-`, not starting with a dot (so never `.` nor `..`), at most 128 characters.
inline bool valid_app_id(std::string_view app) {
  if (app.empty() || app.size() > 128 || app.front() == '.') return false;
  for (char c : app) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

/// What the server is told at its start about the apps.
struct app_policy {
  std::optional<std::string> config_file;              ///< `--config`: every app's, or the fallback
  std::optional<std::filesystem::path> config_directory;  ///< `--config-dir`: `<app>.yaml` per app
  backend::option_overrides overrides;                 ///< `--budget`, `--seed`
  std::optional<std::filesystem::path> report_root;    ///< `--report`: each app's report in DIR/<app>/
  std::size_t max_apps = 100;                          ///< `--max-apps`
  std::set<std::string> allowed;                       ///< `--allow-app`; empty: any app
  std::chrono::milliseconds lock_wait{10000};          ///< how long a request waits for its app
};

/// An HTTP answer: status, JSON body, and the Retry-After seconds of a 503.
struct http_answer {
  int status = 200;
  std::string body;
  int retry_after = 0;
};

/// Every app's session.
class app_sessions {
 public:
  /// Serves the apps of `policy`, their studies in `study_location`: an SQLite file, or a
  /// postgresql:// URI (a database that replicas of this server share).
  app_sessions(app_policy policy, const std::string& study_location)
      : policy_(std::move(policy)), study_(backend::open_study_store(study_location)) {}

  /// The answer to `request` for `app` (a valid app id).
  http_answer handle(const std::string& app, const backend::envelope& request) {
    entry* found = session_of(app);
    if (!found) {
      refusals_("app refused", "app " + app + ": refused: " + refusal_reason(app));
      return {403, backend::status_reply("forbidden", refusal_reason(app))};
    }
    std::unique_lock lock(found->mutex, std::defer_lock);
    if (!lock.try_lock_for(policy_.lock_wait)) {
      return {503, backend::status_reply("unavailable", "the app's session is busy; retry later"), 1};
    }
    if (!found->session) {
      // The study could not be opened for this app (made for another objective or seed, or its
      // config is unusable): it sleeps with the reason rather than optimize something else.
      if (request.event == backend::events::whats_next) {
        return {200, R"({"cmd":"SLEEP","param":{"duration":120,"data":{"reason":)" + quoted(found->refusal) + "}}}"};
      }
      return {200, backend::status_reply("invalid", found->refusal)};
    }
    std::string reply;
    try {
      reply = found->session->handle(request.event, request.param_json, request.cmd_uid, request.servo_uid);
    } catch (const backend::retry_later& busy) {
      // The study could not be written now: nothing was recorded; the agent sends the same event
      // again (it retries a 503, honouring Retry-After).
      log_line("app " + app + ": " + request.event + " not taken, the agent is asked to retry: " + busy.what());
      return {503, backend::status_reply("unavailable", busy.what()), 5};
    }
    if (found->session->finished()) {
      if (auto failure = found->session->failure()) {
        // Once per distinct reason: the agent keeps asking, and sleeps each time.
        if (*failure != found->logged_failure) log_line("app " + app + ": stopped: " + *failure);
        found->logged_failure = *failure;
      } else if (!found->logged_summary) {
        std::string summary = backend::summarize(*found->session);
        if (!summary.empty() && summary.back() == '\n') summary.pop_back();
        log_line(summary);
        found->logged_summary = true;
      }
    }
    return {200, std::move(reply)};
  }

  /// How many apps have a session (or a refusal) now.
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }

  /// Draws every app's plot off the request path (one thread for all).
  backend::plot_worker& plotter() { return *plotter_; }

  /// Shows every app's study on `dashboard` from now on (`--dashboard`): call before serving.
  void show_on(servokit::dashboard::session_source& dashboard) { dashboard_ = &dashboard; }
  /// The store of every app's study.
  backend::study_store& study() { return *study_; }

 private:
  struct entry {
    std::unique_ptr<backend::session> session;
    std::string refusal;
    std::timed_mutex mutex;   // one request of the app at a time, waited for at most lock_wait
    std::string logged_failure;
    bool logged_summary = false;
  };

  static std::string quoted(std::string_view text) {
    std::string out;
    servokit::json::append_string_literal(out, text);
    return out;
  }

  std::string refusal_reason(const std::string& app) const {
    if (!policy_.allowed.empty() && !policy_.allowed.contains(app)) {
      return "app \"" + app + "\" is not in this server's --allow-app list";
    }
    return "this server serves at most " + std::to_string(policy_.max_apps) + " apps (--max-apps); \"" + app +
           "\" is not one of them";
  }

  /// The config file of `app`: DIR/<app>.yaml when it exists, else --config; none: a reason.
  std::string config_of(const std::string& app) const {
    if (policy_.config_directory) {
      const auto own = *policy_.config_directory / (app + ".yaml");
      std::error_code error;
      if (std::filesystem::is_regular_file(own, error)) return own.string();
      if (!policy_.config_file) {
        throw std::runtime_error(own.string() + " does not exist, and there is no --config to fall back on");
      }
    }
    return *policy_.config_file;
  }

  entry* session_of(const std::string& app) {
    std::lock_guard lock(mutex_);
    if (auto found = sessions_.find(app); found != sessions_.end()) return found->second.get();
    if (!policy_.allowed.empty() && !policy_.allowed.contains(app)) return nullptr;
    if (sessions_.size() >= policy_.max_apps) return nullptr;
    auto& slot = sessions_[app];
    slot = std::make_unique<entry>();
    // What the dashboard shows of a refused app: its config and budget when they could be read.
    servokit::optimize::optimization_config shown_config;
    std::int64_t shown_budget = 0;
    try {
      auto options = backend::read_session_options(config_of(app), app, policy_.overrides);
      shown_config = options.config;
      shown_budget = options.budget;
      if (policy_.report_root) options.report_directory = *policy_.report_root / app;
      options.plotter = plotter_;
      backend::session_listener listener;
      listener.trial_finished = [app, budget = options.budget](const backend::trial_record& trial, const backend::best_summary& best) {
        log_line("app " + app + ": " + backend::trial_line(trial, budget, best));
      };
      listener.warning = [app](std::string_view warning) { log_line("app " + app + ": warning: " + std::string(warning)); };
      const auto budget = options.budget;
      const std::size_t done = study_->trials(app).size();
      slot->session = std::make_unique<backend::session>(std::move(options), *study_, std::move(listener));
      log_line("app " + app + ": study " + (done > 0 ? "resumed" : "started") + " (" + std::to_string(done) + " of " +
               std::to_string(budget) + " trials done)");
      if (dashboard_) dashboard_->add(*slot->session);
    } catch (const std::exception& failure) {
      slot->refusal = failure.what();
      log_line("app " + app + ": refused: " + slot->refusal);
      if (dashboard_) dashboard_->add_refused(app, shown_config, shown_budget, slot->refusal);
    }
    return slot.get();
  }

  app_policy policy_;
  std::unique_ptr<backend::study_store> study_;
  std::shared_ptr<backend::plot_worker> plotter_ = std::make_shared<backend::plot_worker>();
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<entry>> sessions_;
  rate_limited_log refusals_;
  servokit::dashboard::session_source* dashboard_ = nullptr;
};

}  // namespace servokit_optimizer
