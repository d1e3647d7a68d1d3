#pragma once
/// @file
/// A `study_source` over the live sessions of this process (what `servokit-servo --local` and
/// `servokit-optimizer` optimize right now, with their exact state) and, behind them, the study
/// store: the studies no session of this process runs (not yet resumed after a restart, or run by
/// another replica) are shown as the store has them.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <stop_token>
#include <thread>
#include <vector>

#include <servokit/backend/session.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/dashboard/model.hpp>
#include <servokit/json/write.hpp>
#include <servokit/optimize/objective.hpp>

namespace servokit::dashboard {

/// The studies of the sessions added to it, and of `store`. Thread-safe; the sessions and the
/// store must outlive the source (or the server reading it).
///
/// Reading a session waits for its lock, which it holds while the optimizer computes its next
/// suggestion (milliseconds with many trials), and the store's lock is the one the sessions record
/// with. So requests never read them: they get a snapshot that a thread of the source's own takes
/// when asked for (on demand only: nothing is read while nobody looks). A snapshot older than
/// `snapshot_lifetime` is still served, and a new one is taken for the next request; only the
/// very first request waits for one.
class session_source final : public study_source {
 public:
  /// Shows the sessions added later and, when `store` is given, every other study it holds.
  explicit session_source(backend::study_store* store = nullptr)
      : store_(store), reader_([this](std::stop_token stop) { take_snapshots(stop); }) {}
  session_source(const session_source&) = delete;
  session_source& operator=(const session_source&) = delete;
  ~session_source() override {
    reader_.request_stop();
    reader_.join();
  }

  /// Shows `session`'s study (replacing an earlier session of the same app).
  void add(const backend::session& session) {
    entry added;
    added.session = &session;
    describe_config(added, session.config());
    std::lock_guard lock(mutex_);
    entries_[session.app_id()] = std::move(added);
    outdate();
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
    outdate();
  }

  std::vector<study_details> studies() override {
    const auto shot = current();
    std::vector<study_details> listed;
    listed.reserve(shot->size());
    for (const auto& [app, details] : *shot) listed.push_back(details);
    return listed;
  }

  std::optional<study_details> study(std::string_view app) override {
    const auto shot = current();
    const auto found = shot->find(app);
    if (found == shot->end()) return std::nullopt;
    return found->second;
  }

  /// Takes a new snapshot now and waits for it (what the next request then sees).
  void refresh() {
    std::unique_lock lock(snapshot_mutex_);
    const std::uint64_t wanted = ++requested_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return taken_ >= wanted; });
  }

  /// How long a snapshot is fresh: a page polls every 0.5 s, and a trial must show within 1 s.
  static constexpr std::chrono::milliseconds snapshot_lifetime{100};

 private:
  struct entry {
    const backend::session* session = nullptr;   // none when refused
    std::string refusal;
    std::int64_t budget = 0;
    std::string config_json = "null";
    std::string objective;
    bool maximize = false;
  };
  using snapshot = std::map<std::string, study_details, std::less<>>;

  /// The snapshot to answer from; asks for a new one when it is stale, waits only for the first.
  std::shared_ptr<const snapshot> current() {
    std::unique_lock lock(snapshot_mutex_);
    if (!snapshot_ || std::chrono::steady_clock::now() - snapshot_started_ >= snapshot_lifetime) {
      if (requested_ == taken_) ++requested_;
      changed_.notify_all();
    }
    changed_.wait(lock, [&] { return snapshot_ != nullptr; });
    return snapshot_;
  }

  /// Marks the snapshot stale (a study was added). Called with `mutex_` held.
  void outdate() {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_started_ = {};
  }

  /// The reader's loop: a snapshot each time one is asked for.
  void take_snapshots(std::stop_token stop) {
    std::unique_lock lock(snapshot_mutex_);
    while (changed_.wait(lock, stop, [&] { return requested_ > taken_; })) {
      const std::uint64_t serving = requested_;
      const auto started = std::chrono::steady_clock::now();
      lock.unlock();
      auto fresh = std::make_shared<const snapshot>(read_everything());
      lock.lock();
      snapshot_ = std::move(fresh);
      snapshot_started_ = started;
      taken_ = serving;
      changed_.notify_all();
    }
  }

  /// Every session's study, and the store's other studies (the store's last listing when it
  /// cannot be read now: a snapshot is always made).
  snapshot read_everything() {
    snapshot found;
    std::map<std::string, entry, std::less<>> sessions;
    {
      std::lock_guard lock(mutex_);   // copied: reading a session may wait, and add() must not
      sessions = entries_;
    }
    for (const auto& [app, known] : sessions) found[app] = read(app, known);
    if (store_) {
      try {
        stored_ = store_->studies();
        stored_trials_.clear();
        for (const auto& stored : stored_) {
          if (!found.contains(stored.app)) stored_trials_[stored.app] = store_->trials(stored.app);
        }
      } catch (const std::exception&) {   // the store cannot be read now: its last listing is shown
      }
      for (const auto& stored : stored_) {
        if (found.contains(stored.app)) continue;
        const auto trials = stored_trials_.find(stored.app);
        found[stored.app] = study_details{overview_of(stored), trials == stored_trials_.end() ? std::vector<backend::trial_record>{}
                                                                                              : trials->second};
      }
    }
    return found;
  }

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
  std::vector<backend::study_summary> stored_;   // the reader's last listing of the store
  std::map<std::string, std::vector<backend::trial_record>, std::less<>> stored_trials_;
  std::mutex mutex_;                             // guards the sessions
  std::map<std::string, entry, std::less<>> entries_;
  std::mutex snapshot_mutex_;                    // guards the snapshot and the requests for one
  std::condition_variable_any changed_;
  std::shared_ptr<const snapshot> snapshot_;
  std::chrono::steady_clock::time_point snapshot_started_{};
  std::uint64_t requested_ = 0;
  std::uint64_t taken_ = 0;
  std::jthread reader_;   // last: it starts once everything it reads exists
};

}  // namespace servokit::dashboard
