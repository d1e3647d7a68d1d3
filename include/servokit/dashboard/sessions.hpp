#pragma once
/// @file
/// A `study_source` over the live sessions of this process (what `servokit-servo --local` and
/// `servokit-optimizer` optimize right now, with their exact state) and, behind them, the study
/// store: the studies no session of this process runs (not yet resumed after a restart, or run by
/// another replica) are shown as the store has them.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/backend/session.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/dashboard/model.hpp>
#include <servokit/json/write.hpp>
#include <servokit/optimize/objective.hpp>

namespace servokit::dashboard {

/// The studies of the sessions added to it, and of `store`. Thread-safe; the sessions and the
/// store must outlive the source (or the server reading it).
class session_source final : public study_source {
 public:
  /// Shows the sessions added later and, when `store` is given, every other study it holds.
  explicit session_source(backend::study_store* store = nullptr) : store_(store) {}

  /// Shows `session`'s study (replacing an earlier session of the same app).
  void add(const backend::session& session) {
    entry added;
    added.session = &session;
    describe_config(added, session.config());
    std::lock_guard lock(mutex_);
    entries_[session.app_id()] = std::move(added);
  }

  /// Shows `app` as failed with `reason`: its study could not be opened (made for another
  /// objective or seed), so no session runs for it.
  void add_refused(const std::string& app, const optimize::optimization_config& config, std::int64_t budget,
                   std::string reason) {
    entry added;
    added.refusal = std::move(reason);
    added.budget = budget;
    describe_config(added, config);
    std::lock_guard lock(mutex_);
    entries_[app] = std::move(added);
  }

  std::vector<study_details> studies() override {
    std::map<std::string, study_details, std::less<>> found;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [app, known] : entries_) found[app] = read(app, known);
    }
    for (const auto& stored : stored_studies()) {
      if (!found.contains(stored.app)) found[stored.app] = study_details{overview_of(stored), store_->trials(stored.app)};
    }
    std::vector<study_details> listed;
    listed.reserve(found.size());
    for (auto& [app, details] : found) listed.push_back(std::move(details));
    return listed;
  }

  std::optional<study_details> study(std::string_view app) override {
    {
      std::lock_guard lock(mutex_);
      const auto found = entries_.find(app);
      if (found != entries_.end()) return read(found->first, found->second);
    }
    for (const auto& stored : stored_studies()) {
      if (stored.app == app) return study_details{overview_of(stored), store_->trials(app)};
    }
    return std::nullopt;
  }

  /// How long the store's list of studies is reused: the store is shared with the sessions that
  /// record trials, so pages polling twice a second each must not queue behind them. (The studies
  /// run here are read from their sessions, always current.)
  static constexpr std::chrono::milliseconds store_listing_lifetime{250};

 private:
  struct entry {
    const backend::session* session = nullptr;   // none when refused
    std::string refusal;
    std::int64_t budget = 0;
    std::string config_json = "null";
    std::string objective;
    bool maximize = false;
  };

  static void describe_config(entry& into, const optimize::optimization_config& config) {
    into.config_json = json::to_json(config);
    try {
      const optimize::objective objective(config);
      into.objective = backend::describe_objective(objective);
      into.maximize = objective.maximize();
    } catch (const std::exception&) {   // a session was made from it, so it parsed; shown as is otherwise
      into.objective = config.objective.metric.value_or(config.objective.expression.value_or(""));
      into.maximize = config.objective.goal == optimize::maximize_goal;
    }
  }

  /// The store's studies, read again when the last reading is older than `store_listing_lifetime`.
  std::vector<backend::study_summary> stored_studies() {
    if (!store_) return {};
    std::lock_guard lock(store_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!store_read_ || now - *store_read_ >= store_listing_lifetime) {
      stored_ = store_->studies();
      store_read_ = now;
    }
    return stored_;
  }

  /// A study only the store knows, as the store has it.
  static study_overview overview_of(const backend::study_summary& stored) {
    study_overview overview;
    overview.app = stored.app;
    overview.state = stored.state == backend::study_states::finished ? std::string(states::done) : stored.state;
    overview.reason = stored.failure;
    overview.budget = stored.budget;
    overview.trials_done = stored.trials;
    overview.objective = stored.identity.objective;
    overview.maximize = overview.objective.rfind(optimize::maximize_goal, 0) == 0;
    overview.config_json = stored.config_json;
    overview.created = stored.created;
    overview.last_activity = stored.last_activity;
    return overview;
  }

  static study_details read(const std::string& app, const entry& known) {
    study_details details;
    study_overview& overview = details.overview;
    overview.app = app;
    overview.objective = known.objective;
    overview.maximize = known.maximize;
    overview.config_json = known.config_json;
    if (!known.session) {
      overview.state = states::failed;
      overview.reason = known.refusal;
      overview.budget = known.budget;
      return details;
    }
    details.trials = known.session->trials();
    overview.budget = known.session->budget();
    overview.trials_done = static_cast<std::int64_t>(details.trials.size());
    if (auto failure = known.session->failure()) {
      overview.state = states::failed;
      overview.reason = std::move(*failure);
    } else {
      overview.state = known.session->finished() ? states::done : states::running;
    }
    if (!details.trials.empty()) {
      overview.created = details.trials.front().started;
      overview.last_activity = details.trials.back().finished;
    }
    return details;
  }

  backend::study_store* store_;
  std::mutex store_mutex_;   // guards the store's listing below
  std::vector<backend::study_summary> stored_;
  std::optional<std::chrono::steady_clock::time_point> store_read_;
  std::mutex mutex_;         // guards the sessions
  std::map<std::string, entry, std::less<>> entries_;
};

}  // namespace servokit::dashboard
