#pragma once
// The thread pool of servokit-optimizer's HTTP server: a fixed number of threads, a bounded queue
// of accepted connections, and a deadline for each request, so that slow or hostile clients
// cannot hold every thread nor grow the queue without end.
//
// cpp-httplib 0.11 (Debian 12) gives a task queue only an opaque task per accepted connection:
// `enqueue` cannot refuse one, and the queue never learns the socket. Both are needed here: a
// connection beyond the queue's bound must be answered 503 and closed, and a connection past its
// deadline must be shut down (a slowloris client sends a header byte every few seconds, each read
// well within the read timeout, and would hold a thread for hours). So the queue finds the socket
// itself: httplib sets SO_RCVTIMEO to the server's read timeout on each accepted socket just
// before it enqueues its task, on the accepting thread; `enqueue` looks for the one socket of the
// listening port that still has that exact value and claims it by setting a slightly different
// one (which changes nothing else: httplib polls with its own timeout before each read). A claimed
// socket is known by its peer address too, so a descriptor number reused after a close is never
// taken for the old connection.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace servokit_optimizer {

/// The limits of the pool.
struct pool_limits {
  std::size_t threads = 32;                            ///< connections served at once
  std::size_t queue = 256;                             ///< accepted connections waiting for a thread
  std::chrono::milliseconds deadline{30000};           ///< for each request, headers to reply
  std::chrono::milliseconds read_timeout{5000};        ///< the server's read timeout (the mark's base)
};

/// What the pool has done, for the log and the tests.
struct pool_counters {
  std::size_t refused_full = 0;       ///< connections answered 503 because the queue was full
  std::size_t cut_at_deadline = 0;    ///< connections shut down at their request's deadline
  std::size_t unidentified = 0;       ///< accepted connections whose socket was not found
  std::size_t accepted = 0;           ///< every connection httplib handed over
};

/// The identity of an accepted socket: its descriptor and its peer.
struct connection_identity {
  int descriptor = -1;
  sockaddr_storage peer{};
  socklen_t peer_length = 0;

  /// Whether `descriptor` still is this connection (not a reused number).
  bool still_open() const {
    sockaddr_storage now{};
    socklen_t length = sizeof now;
    if (::getpeername(descriptor, reinterpret_cast<sockaddr*>(&now), &length) != 0) return false;
    return length == peer_length && std::memcmp(&now, &peer, length) == 0;
  }
};

/// An `httplib::TaskQueue` with a bounded queue and a deadline per request.
class connection_pool : public httplib::TaskQueue {
 public:
  /// Serves with `limits`; `port` is the listening port (to tell its connections apart). `note`
  /// hears each refused or cut connection (kind `503` or `deadline`, and a line).
  connection_pool(pool_limits limits, int port, std::function<void(const std::string&, const std::string&)> note = {})
      : limits_(limits), port_(port), note_(std::move(note)) {
    for (std::size_t i = 0; i < limits_.threads; ++i) workers_.emplace_back([this] { work(); });
    watchdog_ = std::thread([this] { watch(); });
  }
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;
  ~connection_pool() override { shutdown(); }

  /// Called by httplib on its accepting thread, once per accepted connection.
  void enqueue(std::function<void()> task) override {
    const std::optional<connection_identity> identity = claim_new_socket();
    std::unique_lock lock(mutex_);
    ++counters_.accepted;
    if (queue_.size() >= limits_.queue && identity) {
      ++counters_.refused_full;
      lock.unlock();
      if (note_) note_("503", "503 for a new connection: " + std::to_string(limits_.queue) + " connections already wait for a thread");
      // Answered and shut down here; the task then finds the connection closed and only closes
      // the socket, at once.
      refuse(identity->descriptor);
      task();
      return;
    }
    if (!identity) ++counters_.unidentified;
    queue_.push_back(queued{std::move(task), identity, clock::now()});
    lock.unlock();
    wake_.notify_one();
  }

  /// Called by httplib when the server stops: the queued connections are served, then the
  /// threads end.
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();   // the watchdog still cuts slow connections meanwhile
    {
      std::lock_guard lock(mutex_);
      workers_done_ = true;
    }
    wake_watchdog_.notify_all();
    watchdog_.join();
    if (note_) {
      note_("pool", "connections: " + std::to_string(counters_.accepted) + " accepted, " +
                        std::to_string(counters_.refused_full) + " refused (queue full), " +
                        std::to_string(counters_.cut_at_deadline) + " cut at the deadline, " +
                        std::to_string(counters_.unidentified) + " not identified (no deadline for them)");
    }
  }

  /// Called (through the server's logger) on a worker's thread once a request was answered: the
  /// connection's next request gets a fresh deadline.
  void request_answered() {
    std::lock_guard lock(mutex_);
    const auto found = running_.find(std::this_thread::get_id());
    if (found != running_.end()) found->second.since = clock::now();
  }

  /// What the pool has done so far.
  pool_counters counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
  }

 private:
  using clock = std::chrono::steady_clock;

  struct queued {
    std::function<void()> task;
    std::optional<connection_identity> identity;
    clock::time_point accepted;   // a request's deadline counts from here, the wait included
  };
  struct running {
    std::optional<connection_identity> identity;
    clock::time_point since;   // the connection's start, or the last answered request's end
  };

  static timeval to_timeval(std::chrono::milliseconds value) {
    timeval out{};
    out.tv_sec = static_cast<time_t>(value.count() / 1000);
    out.tv_usec = static_cast<suseconds_t>((value.count() % 1000) * 1000);
    return out;
  }

  /// The socket httplib just accepted: of this port, not listening, and with SO_RCVTIMEO at the
  /// read timeout exactly; claimed by moving its SO_RCVTIMEO 250 ms further.
  std::optional<connection_identity> claim_new_socket() const {
    const timeval fresh = to_timeval(limits_.read_timeout);
    const timeval claimed = to_timeval(limits_.read_timeout + std::chrono::milliseconds(250));
    std::error_code error;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
         !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
      const std::string name = it->path().filename().string();
      const int descriptor = std::atoi(name.c_str());
      struct stat status {};
      if (::fstat(descriptor, &status) != 0 || !S_ISSOCK(status.st_mode)) continue;
      int listening = 0;
      socklen_t size = sizeof listening;
      if (::getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening) continue;
      sockaddr_storage local{};
      socklen_t local_length = sizeof local;
      if (::getsockname(descriptor, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) continue;
      if (local_port(local) != port_) continue;
      timeval timeout{};
      size = sizeof timeout;
      if (::getsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, &size) != 0) continue;
      if (timeout.tv_sec != fresh.tv_sec || timeout.tv_usec != fresh.tv_usec) continue;
      ::setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &claimed, sizeof claimed);
      connection_identity identity;
      identity.descriptor = descriptor;
      identity.peer_length = sizeof identity.peer;
      if (::getpeername(descriptor, reinterpret_cast<sockaddr*>(&identity.peer), &identity.peer_length) != 0) continue;
      return identity;
    }
    return std::nullopt;
  }

  static int local_port(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    return -1;
  }

  /// 503 and a shutdown, without blocking (the socket's send buffer takes a short reply).
  static void refuse(int descriptor) {
    static const std::string reply = [] {
      const std::string body = R"({"status":"unavailable","reason":"the server is busy; retry later"})";
      return "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
             "Content-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    [[maybe_unused]] const auto sent = ::send(descriptor, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(descriptor, SHUT_RDWR);
  }

  void work() {
    for (;;) {
      queued next;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        next = std::move(queue_.front());
        queue_.pop_front();
        running_[std::this_thread::get_id()] = running{next.identity, next.accepted};
      }
      next.task();   // httplib serves the connection (its keep-alive requests) and closes it
      std::lock_guard lock(mutex_);
      running_.erase(std::this_thread::get_id());
    }
  }

  /// Shuts down the connections whose request is past its deadline: their thread's read or
  /// write returns at once, and httplib closes the connection.
  void watch() {
    std::unique_lock lock(mutex_);
    while (!workers_done_) {
      wake_watchdog_.wait_for(lock, std::chrono::milliseconds(200));
      const auto now = clock::now();
      const auto cut = [&](std::optional<connection_identity>& identity) {
        if (identity->still_open()) {
          ::shutdown(identity->descriptor, SHUT_RDWR);
          ++counters_.cut_at_deadline;
          if (note_) {
            note_("deadline", "a connection cut: its request took more than " +
                                  std::to_string(limits_.deadline.count()) + " ms (a slow or stalled client)");
          }
        }
        identity.reset();   // once
      };
      for (auto& [thread, connection] : running_) {
        if (connection.identity && now - connection.since >= limits_.deadline) cut(connection.identity);
      }
      // A connection that waited its whole deadline in the queue is shut down there: its thread,
      // when it gets one, finds it closed and moves on at once.
      for (auto& waiting : queue_) {
        if (waiting.identity && now - waiting.accepted >= limits_.deadline) cut(waiting.identity);
      }
    }
  }

  pool_limits limits_;
  int port_;
  std::function<void(const std::string&, const std::string&)> note_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, wake_watchdog_;
  std::deque<queued> queue_;
  std::map<std::thread::id, running> running_;
  pool_counters counters_;
  bool stopping_ = false;
  bool workers_done_ = false;
  std::vector<std::thread> workers_;
  std::thread watchdog_;
};

}  // namespace servokit_optimizer
