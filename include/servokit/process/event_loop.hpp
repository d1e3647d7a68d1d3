#pragma once
/// \file
/// One thread's event loop: file descriptors (epoll), timers on the monotonic clock, tasks posted
/// from other threads, and std::stop_token bindings. Children, signal watches and anything else
/// that waits are registered here, so one thread serves them all without a thread per pipe.

#include <servokit/process/error.hpp>
#include <servokit/process/fd.hpp>

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <unordered_map>
#include <utility>
#include <vector>

namespace servokit::process {

class event_loop;

/// Ties a std::stop_token to a loop: when stop is requested, from any thread, the action runs
/// on the loop's thread at its next turn. Destroying the binding (on the loop's thread) drops
/// an action that has not run yet. Must not outlive its loop.
class stop_binding {
 public:
  /// Binds nothing.
  stop_binding() = default;

 private:
  friend class event_loop;
  struct shared_action {
    std::function<void()> action;
  };
  struct post_to_loop {
    event_loop* loop;
    std::weak_ptr<shared_action> action;
    void operator()() const;
  };
  std::shared_ptr<shared_action> action_;
  std::unique_ptr<std::stop_callback<post_to_loop>> callback_;
};

/// An epoll loop owned and run by one thread. Only `post`, `wake` and the stop tokens bound with
/// `bind_stop` may be used from other threads. Handlers run on the loop's thread, one at a time;
/// they may add and remove watches and timers (their own included) but must not run the loop
/// recursively.
class event_loop {
 public:
  /// The clock of every deadline: monotonic, so a wall-clock change never fires a timeout.
  using clock = std::chrono::steady_clock;
  /// Called with the ready epoll events (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR...).
  using io_handler = std::function<void(std::uint32_t events)>;
  /// Identifies a watch or a timer for removal; 0 is never used.
  using handle = std::uint64_t;

  /// Opens the epoll instance and the wake-up eventfd (both close-on-exec).
  event_loop() {
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) throw process_error(errno, "cannot create an epoll instance");
    wakeup_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wakeup_) throw process_error(errno, "cannot create an eventfd");
    wakeup_watch_ = watch(wakeup_.get(), EPOLLIN, [this](std::uint32_t) { run_posted_tasks(); });
  }
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;
  /// Everything registered must be gone (children destroyed, bindings released) before this.
  ~event_loop() = default;

  /// Calls `handler` whenever `fd` has one of `events` (level-triggered). Returns the handle for
  /// `unwatch`. Unwatch before closing `fd`.
  handle watch(int fd, std::uint32_t events, io_handler handler) {
    const handle id = next_handle_++;
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) < 0) {
      throw process_error(errno, "cannot watch a file descriptor");
    }
    watches_.emplace(id, std::make_shared<fd_watch>(fd_watch{fd, std::move(handler)}));
    return id;
  }
  /// Changes the events a watch waits for.
  void change(handle watch_handle, std::uint32_t events) {
    const auto found = watches_.find(watch_handle);
    if (found == watches_.end()) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = watch_handle;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, found->second->fd, &event) < 0) {
      throw process_error(errno, "cannot change a file descriptor watch");
    }
  }
  /// Stops a watch; events already collected for it are dropped. Unknown handles are ignored.
  void unwatch(handle watch_handle) noexcept {
    const auto found = watches_.find(watch_handle);
    if (found == watches_.end()) return;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, found->second->fd, nullptr);
    watches_.erase(found);
  }

  /// Calls `handler` once at `deadline` (or at the first turn after it).
  handle start_timer(clock::time_point deadline, std::function<void()> handler) {
    const handle id = next_handle_++;
    timers_.emplace(std::pair{deadline, id}, std::move(handler));
    timer_deadlines_.emplace(id, deadline);
    return id;
  }
  /// Same, `delay` from now.
  handle start_timer(clock::duration delay, std::function<void()> handler) {
    return start_timer(clock::now() + delay, std::move(handler));
  }
  /// Cancels a timer that has not fired; unknown handles are ignored.
  void cancel_timer(handle timer_handle) noexcept {
    const auto found = timer_deadlines_.find(timer_handle);
    if (found == timer_deadlines_.end()) return;
    timers_.erase(std::pair{found->second, timer_handle});
    timer_deadlines_.erase(found);
  }

  /// Runs `task` on the loop's thread at its next turn. Thread-safe.
  void post(std::function<void()> task) {
    {
      const std::lock_guard lock(posted_mutex_);
      posted_.push_back(std::move(task));
    }
    wake();
  }
  /// Makes a waiting turn return now (e.g. to re-check a condition set by another thread).
  /// Thread-safe and async-signal-safe.
  void wake() noexcept {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: the loop will wake anyway.
    while (::write(wakeup_.get(), &one, sizeof one) < 0 && errno == EINTR) {
    }
  }

  /// Runs `action` on this loop's thread once `token` is stopped (at once if it already is).
  [[nodiscard]] stop_binding bind_stop(std::stop_token token, std::function<void()> action) {
    stop_binding binding;
    if (!token.stop_possible()) return binding;
    binding.action_ = std::make_shared<stop_binding::shared_action>(stop_binding::shared_action{std::move(action)});
    binding.callback_ = std::make_unique<std::stop_callback<stop_binding::post_to_loop>>(
        std::move(token), stop_binding::post_to_loop{this, binding.action_});
    return binding;
  }

  /// One turn: waits until an fd is ready, a timer is due, a task is posted or `max_wait` has
  /// passed (no limit when empty), then runs every handler that is ready.
  void run_once(std::optional<clock::duration> max_wait = std::nullopt) {
    const int timeout_ms = wait_milliseconds(max_wait);
    std::array<epoll_event, 64> ready{};
    int count = ::epoll_wait(epoll_.get(), ready.data(), static_cast<int>(ready.size()), timeout_ms);
    if (count < 0) {
      if (errno != EINTR) throw process_error(errno, "epoll_wait failed");
      count = 0;
    }
    for (const epoll_event& event : std::span(ready.data(), static_cast<std::size_t>(count))) {
      const auto found = watches_.find(event.data.u64);
      if (found == watches_.end()) continue;  // removed by an earlier handler of this turn
      const std::shared_ptr<fd_watch> keep_alive = found->second;
      keep_alive->handler(event.events);
    }
    run_due_timers();
  }

  /// Runs turns until `done()` is true (checked before each turn).
  template <class Predicate>
  void run_until(Predicate&& done) {
    while (!done()) run_once();
  }
  /// Runs turns until `done()` is true or `deadline` passes; returns whether `done()` became true.
  template <class Predicate>
  bool run_until(Predicate&& done, clock::time_point deadline) {
    while (!done()) {
      const auto now = clock::now();
      if (now >= deadline) return false;
      run_once(deadline - now);
    }
    return true;
  }

  /// A buffer handlers may read into; valid until the handler returns. One per loop keeps the
  /// memory of many children flat.
  [[nodiscard]] std::span<char> read_buffer() noexcept { return read_buffer_; }

  /// Number of watches and timers registered besides the loop's own wake-up watch.
  [[nodiscard]] std::size_t pending_count() const noexcept { return watches_.size() - 1 + timers_.size(); }

 private:
  struct fd_watch {
    int fd;
    io_handler handler;
  };

  int wait_milliseconds(std::optional<clock::duration> max_wait) const {
    std::optional<clock::duration> wait = max_wait;
    if (!timers_.empty()) {
      const auto until_timer = timers_.begin()->first.first - clock::now();
      if (!wait || until_timer < *wait) wait = until_timer;
    }
    if (!wait) return -1;
    if (*wait <= clock::duration::zero()) return 0;
    // Rounded up, so a timer is never polled for just before it is due.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait).count();
    return ms > 24L * 3600 * 1000 ? 24 * 3600 * 1000 : static_cast<int>(ms);
  }

  void run_due_timers() {
    const auto now = clock::now();
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
      auto node = timers_.extract(timers_.begin());
      timer_deadlines_.erase(node.key().second);
      node.mapped()();
    }
  }

  void run_posted_tasks() {
    std::uint64_t counter = 0;
    while (::read(wakeup_.get(), &counter, sizeof counter) < 0 && errno == EINTR) {
    }
    std::vector<std::function<void()>> tasks;
    {
      const std::lock_guard lock(posted_mutex_);
      tasks.swap(posted_);
    }
    for (auto& task : tasks) task();
  }

  unique_fd epoll_;
  unique_fd wakeup_;
  handle next_handle_ = 1;
  handle wakeup_watch_ = 0;
  std::unordered_map<handle, std::shared_ptr<fd_watch>> watches_;
  std::map<std::pair<clock::time_point, handle>, std::function<void()>> timers_;
  std::unordered_map<handle, clock::time_point> timer_deadlines_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::vector<char> read_buffer_ = std::vector<char>(std::size_t{64} << 10);
};

inline void stop_binding::post_to_loop::operator()() const {
  loop->post([action = action] {
    if (const auto alive = action.lock()) alive->action();
  });
}

}  // namespace servokit::process
