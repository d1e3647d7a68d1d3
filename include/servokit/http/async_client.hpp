#pragma once
/// \file
/// HTTP exchanges on a `process::event_loop`: libcurl's multi interface with its sockets and
/// timer registered with the loop, so one thread serves HTTP transfers, child processes and
/// signals together.

#include <curl/curl.h>
#include <sys/epoll.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <servokit/http/curl_global.hpp>
#include <servokit/http/request.hpp>
#include <servokit/http/url.hpp>
#include <servokit/process/event_loop.hpp>
#include <servokit/version.hpp>

namespace servokit::http {

/// Identifies one transfer of an `async_client`; 0 is never used.
using transfer_id = std::uint64_t;

/// Largest total size of a response's header fields; a server sending more fails the exchange
/// (`error_kind::too_large`) rather than growing memory.
inline constexpr std::size_t max_response_header_bytes = std::size_t{256} << 10;

class async_client;

namespace detail {

/// One transfer in flight: the easy handle and everything its callbacks fill in.
struct transfer {
  using clock = process::event_loop::clock;

  async_client* owner = nullptr;
  transfer_id id = 0;
  CURL* easy = nullptr;
  curl_slist* header_fields = nullptr;
  request sent;                       // owns the body libcurl sends (POSTFIELDS is not copied)
  response received;
  std::size_t header_bytes = 0;
  bool too_large = false;
  bool connected = false;
  curl_off_t uploaded = 0;
  clock::time_point last_activity{};
  process::event_loop::handle idle_timer = 0;
  std::function<void(result)> on_done;
  process::stop_binding stop;
  char error_buffer[CURL_ERROR_SIZE] = {};

  transfer() = default;
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;
  ~transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(header_fields);
  }

  /// "GET http://host/path" without credentials, the start of every message about it.
  [[nodiscard]] std::string describe() const { return sent.method + " " + redact_url(sent.url); }
};

/// Whether `text` may go into a header line as is (no CR, LF or NUL: no injected fields).
inline bool header_safe(std::string_view text) noexcept {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

/// `text` without leading and trailing blanks and line ends.
inline std::string_view trim(std::string_view text) noexcept {
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

/// The kind of failure a libcurl code stands for.
inline error_kind classify(CURLcode code) noexcept {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return error_kind::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return error_kind::timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return error_kind::tls;
    case CURLE_FILESIZE_EXCEEDED:
      return error_kind::too_large;
    case CURLE_ABORTED_BY_CALLBACK:
      return error_kind::canceled;
    default:
      return error_kind::other;
  }
}

}  // namespace detail

/// Runs HTTP exchanges on a `process::event_loop`. Each `start` adds a transfer; its handler is
/// called once, on the loop's thread, with the response or the error, as the loop turns.
/// Connections (and DNS answers) are kept and reused between transfers of the same client.
///
/// ```
/// process::event_loop loop;
/// http::async_client http(loop);
/// http.start({.method = "POST", .url = hook, .body = "{}"}, [&](http::result done) {
///   if (!done.ok()) log(done.error->what());
/// });
/// process::child load(loop, process::command{"./load"});   // same loop, same thread
/// loop.run_until([&] { return http.active() == 0; });
/// ```
///
/// Use it from the loop's thread only; destroy it before the loop. Handlers may start and cancel
/// transfers but must not destroy the client.
class async_client {
 public:
  /// The handler a transfer ends with.
  using handler = std::function<void(result)>;

  /// A client whose transfers run on `loop`. Throws `http_error` when libcurl cannot start.
  explicit async_client(process::event_loop& loop) : loop_(loop) {
    detail::ensure_curl_initialized();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw http_error(error_kind::other, "cannot create a libcurl multi handle");
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &async_client::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &async_client::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  }
  async_client(const async_client&) = delete;
  async_client& operator=(const async_client&) = delete;

  /// Abandons the transfers still running (their handlers are not called) and closes every
  /// connection.
  ~async_client() {
    closing_ = true;
    for (auto& [id, each] : transfers_) {
      loop_.cancel_timer(each->idle_timer);
      curl_multi_remove_handle(multi_, each->easy);
    }
    transfers_.clear();
    curl_multi_cleanup(multi_);
    for (const auto& [fd, watch] : sockets_) loop_.unwatch(watch);
    loop_.cancel_timer(timer_);
  }

  /// Starts `sent`; `on_done` receives the result on the loop's thread at a later turn (never
  /// within this call). A stop request on `stop` cancels the transfer (`error_kind::canceled`).
  /// Throws `http_error` for a request that cannot be sent at all (a header with a line break).
  transfer_id start(request sent, handler on_done, std::stop_token stop = {}) {
    auto owned = std::make_unique<detail::transfer>();
    detail::transfer& each = *owned;
    each.owner = this;
    each.id = next_id_++;
    each.sent = std::move(sent);
    each.on_done = std::move(on_done);
    configure(each);
    transfers_.emplace(each.id, std::move(owned));
    if (const CURLMcode added = curl_multi_add_handle(multi_, each.easy); added != CURLM_OK) {
      transfers_.erase(each.id);
      throw http_error(error_kind::other, "cannot start a transfer: " + std::string(curl_multi_strerror(added)));
    }
    if (stop.stop_possible()) {
      each.stop = loop_.bind_stop(std::move(stop), [this, id = each.id] { cancel(id); });
    }
    return each.id;
  }

  /// Cancels a transfer that has not ended: its handler runs now, with `error_kind::canceled`.
  /// Unknown or ended transfers are ignored.
  void cancel(transfer_id id) {
    const auto found = transfers_.find(id);
    if (found == transfers_.end()) return;
    fail(id, error_kind::canceled, found->second->describe() + ": canceled");
  }

  /// Transfers started and not ended yet.
  [[nodiscard]] std::size_t active() const noexcept { return transfers_.size(); }

  /// The loop the transfers run on.
  [[nodiscard]] process::event_loop& loop() const noexcept { return loop_; }

 private:
  using clock = detail::transfer::clock;

  // ---- setting up one transfer ----

  template <class Value>
  static void set(detail::transfer& each, CURLoption option, Value value) {
    if (const CURLcode code = curl_easy_setopt(each.easy, option, value); code != CURLE_OK) {
      throw http_error(error_kind::other, each.describe() + ": " + curl_easy_strerror(code));
    }
  }

  void configure(detail::transfer& each) {
    const request& sent = each.sent;
    for (const auto& [name, value] : sent.headers) {
      if (name.empty() || name.find(':') != std::string::npos || !detail::header_safe(name) || !detail::header_safe(value)) {
        // The value is not quoted: it may be a credential.
        throw http_error(error_kind::other, each.describe() + ": header \"" + (detail::header_safe(name) ? name : "?") +
                                                "\" has an invalid name or a line break in its value");
      }
    }
    if (sent.method.empty() || sent.method.find_first_of(" \t\r\n") != std::string::npos) {
      throw http_error(error_kind::other, each.describe() + ": invalid method");
    }
    each.easy = curl_easy_init();
    if (each.easy == nullptr) throw http_error(error_kind::other, each.describe() + ": cannot create a libcurl handle");

    set(each, CURLOPT_PRIVATE, static_cast<void*>(&each));
    set(each, CURLOPT_ERRORBUFFER, each.error_buffer);
    set(each, CURLOPT_URL, sent.url.c_str());
    // Only HTTP(S), also after a redirect: a URL from configuration never reads file:// or
    // talks to another protocol.
    set(each, CURLOPT_PROTOCOLS_STR, "http,https");
    set(each, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set(each, CURLOPT_NOSIGNAL, 1L);
    set(each, CURLOPT_USERAGENT, ("servokit/" + std::string(servokit::version)).c_str());  // libcurl copies it
    set(each, CURLOPT_ACCEPT_ENCODING, "");   // every encoding libcurl decodes; the size cap applies decoded
    set(each, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max<long long>(1, sent.connect_timeout.count())));
    set(each, CURLOPT_TIMEOUT_MS, static_cast<long>(sent.total_timeout ? std::max<long long>(1, sent.total_timeout->count()) : 0));
    set(each, CURLOPT_SSL_VERIFYPEER, sent.verify_tls ? 1L : 0L);
    set(each, CURLOPT_SSL_VERIFYHOST, sent.verify_tls ? 2L : 0L);
    set(each, CURLOPT_FOLLOWLOCATION, sent.follow_redirects ? 1L : 0L);
    set(each, CURLOPT_MAXREDIRS, 10L);
    set(each, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(sent.max_response_bytes));

    set(each, CURLOPT_WRITEFUNCTION, &async_client::on_body);
    set(each, CURLOPT_WRITEDATA, static_cast<void*>(&each));
    set(each, CURLOPT_HEADERFUNCTION, &async_client::on_header);
    set(each, CURLOPT_HEADERDATA, static_cast<void*>(&each));
    set(each, CURLOPT_PREREQFUNCTION, &async_client::on_connected);
    set(each, CURLOPT_PREREQDATA, static_cast<void*>(&each));
    set(each, CURLOPT_NOPROGRESS, 0L);
    set(each, CURLOPT_XFERINFOFUNCTION, &async_client::on_progress);
    set(each, CURLOPT_XFERINFODATA, static_cast<void*>(&each));

    const std::string& method = sent.method;
    const bool bodiless = method == "GET" || method == "HEAD" || method == "DELETE" || method == "OPTIONS";
    if (method == "HEAD") {
      set(each, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && sent.body.empty()) {
      set(each, CURLOPT_HTTPGET, 1L);
    } else {
      if (method != "POST") set(each, CURLOPT_CUSTOMREQUEST, method.c_str());
      if (!bodiless || !sent.body.empty()) {
        // A POST, PUT or PATCH always says how long its body is, even when it is empty.
        set(each, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sent.body.size()));
        set(each, CURLOPT_POSTFIELDS, sent.body.data());
      }
    }

    bool has_content_type = false;
    bool has_expect = false;
    for (const auto& [name, value] : sent.headers) {
      has_content_type = has_content_type || same_header_name(name, "Content-Type");
      has_expect = has_expect || same_header_name(name, "Expect");
      // "Name;" is libcurl's way to send a field with an empty value ("Name:" would remove it).
      add_header_field(each, value.empty() ? name + ";" : name + ": " + value);
    }
    // No "Expect: 100-continue" round trip before larger bodies, and no form content type made
    // up for a body the caller did not label.
    if (!has_expect) add_header_field(each, "Expect:");
    if (!has_content_type) add_header_field(each, "Content-Type:");
    set(each, CURLOPT_HTTPHEADER, each.header_fields);
  }

  static void add_header_field(detail::transfer& each, const std::string& field) {
    curl_slist* extended = curl_slist_append(each.header_fields, field.c_str());
    if (extended == nullptr) throw std::bad_alloc();
    each.header_fields = extended;
  }

  // ---- libcurl callbacks: they record and return; nothing in them calls back into libcurl ----

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto& each = *static_cast<detail::transfer*>(user);
    const std::size_t bytes = size * count;
    if (each.received.body.size() + bytes > each.sent.max_response_bytes) {
      each.too_large = true;
      return 0;  // libcurl stops with CURLE_WRITE_ERROR
    }
    try {
      each.received.body.append(data, bytes);
    } catch (...) {
      return 0;
    }
    each.last_activity = clock::now();
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto& each = *static_cast<detail::transfer*>(user);
    const std::size_t bytes = size * count;
    each.header_bytes += bytes;
    if (each.header_bytes > max_response_header_bytes) {
      each.too_large = true;
      return 0;
    }
    each.last_activity = clock::now();
    const std::string_view line = detail::trim(std::string_view(data, bytes));
    try {
      if (line.starts_with("HTTP/")) {
        each.received.headers.clear();   // a new response begins (after a redirect or a 100)
      } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
        each.received.headers.emplace_back(std::string(detail::trim(line.substr(0, colon))),
                                           std::string(detail::trim(line.substr(colon + 1))));
      }
    } catch (...) {
      return 0;
    }
    return bytes;
  }

  /// The connection is up (new or reused) and the request is about to go: idle time counts now.
  static int on_connected(void* user, char*, char*, int, int) noexcept;

  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t uploaded) noexcept {
    auto& each = *static_cast<detail::transfer*>(user);
    if (uploaded != each.uploaded) {
      each.uploaded = uploaded;
      each.last_activity = clock::now();
    }
    return 0;
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) noexcept {
    auto& self = *static_cast<async_client*>(user);
    try {
      const auto found = self.sockets_.find(fd);
      if (what == CURL_POLL_REMOVE) {
        if (found != self.sockets_.end()) {
          self.loop_.unwatch(found->second);
          self.sockets_.erase(found);
        }
        return 0;
      }
      if (self.closing_) return 0;
      std::uint32_t events = 0;
      if ((what & CURL_POLL_IN) != 0) events |= EPOLLIN;
      if ((what & CURL_POLL_OUT) != 0) events |= EPOLLOUT;
      if (found != self.sockets_.end()) {
        self.loop_.change(found->second, events);
      } else {
        const auto watch = self.loop_.watch(fd, events, [&self, fd](std::uint32_t ready) { self.on_ready(fd, ready); });
        self.sockets_.emplace(fd, watch);
      }
      return 0;
    } catch (...) {
      return -1;  // libcurl fails the transfers on this socket
    }
  }

  static int on_timer(CURLM*, long timeout_ms, void* user) noexcept {
    auto& self = *static_cast<async_client*>(user);
    self.loop_.cancel_timer(self.timer_);
    self.timer_ = 0;
    if (timeout_ms < 0 || self.closing_) return 0;
    try {
      // Run at a later turn, never from inside this callback: libcurl refuses re-entry.
      self.timer_ = self.loop_.start_timer(std::chrono::milliseconds(timeout_ms), [&self] {
        self.timer_ = 0;
        self.drive(CURL_SOCKET_TIMEOUT, 0);
      });
      return 0;
    } catch (...) {
      return -1;
    }
  }

  // ---- driving libcurl from the loop ----

  void on_ready(curl_socket_t fd, std::uint32_t ready) {
    int flags = 0;
    if ((ready & EPOLLIN) != 0) flags |= CURL_CSELECT_IN;
    if ((ready & EPOLLOUT) != 0) flags |= CURL_CSELECT_OUT;
    if ((ready & (EPOLLERR | EPOLLHUP)) != 0) flags |= CURL_CSELECT_ERR;
    drive(fd, flags);
  }

  void drive(curl_socket_t fd, int flags) {
    int running = 0;
    curl_multi_socket_action(multi_, fd, flags, &running);
    finish_ended_transfers();
  }

  void finish_ended_transfers() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      char* owner = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
      auto& each = *reinterpret_cast<detail::transfer*>(owner);
      if (code == CURLE_OK) {
        result done;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &each.received.status);
        done.value = std::move(each.received);
        finish(each.id, std::move(done));
      } else {
        const auto [kind, message_text] = describe_failure(each, code);
        fail(each.id, kind, message_text);
      }
    }
  }

  static std::pair<error_kind, std::string> describe_failure(const detail::transfer& each, CURLcode code) {
    error_kind kind = detail::classify(code);
    std::string reason;
    if (each.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      kind = error_kind::too_large;
      reason = each.header_bytes > max_response_header_bytes
                   ? "the response headers exceed " + std::to_string(max_response_header_bytes) + " bytes"
                   : "the response is larger than " + std::to_string(each.sent.max_response_bytes) + " bytes";
    } else {
      reason = curl_easy_strerror(code);
      const std::string_view detail_text = detail::trim(each.error_buffer);
      if (!detail_text.empty()) reason += " (" + std::string(detail_text) + ")";
    }
    return {kind, each.describe() + ": " + redact_urls_in(reason)};
  }

  void fail(transfer_id id, error_kind kind, const std::string& message) {
    result done;
    done.error.emplace(kind, message);
    finish(id, std::move(done));
  }

  /// Ends a transfer: out of libcurl, its handle freed, then its handler called.
  void finish(transfer_id id, result done) {
    auto node = transfers_.extract(id);
    if (node.empty()) return;
    detail::transfer& each = *node.mapped();
    loop_.cancel_timer(each.idle_timer);
    curl_multi_remove_handle(multi_, each.easy);
    handler on_done = std::move(each.on_done);
    node = {};
    if (on_done) on_done(std::move(done));
  }

  void arm_idle_timer(detail::transfer& each) {
    loop_.cancel_timer(each.idle_timer);
    each.idle_timer = loop_.start_timer(each.last_activity + each.sent.idle_timeout, [this, id = each.id] {
      const auto found = transfers_.find(id);
      if (found == transfers_.end()) return;
      detail::transfer& current = *found->second;
      current.idle_timer = 0;
      if (clock::now() - current.last_activity >= current.sent.idle_timeout) {
        fail(id, error_kind::timeout,
             current.describe() + ": no data for " + std::to_string(current.sent.idle_timeout.count()) +
                 " ms (idle timeout)");
      } else {
        arm_idle_timer(current);   // data came meanwhile: wait for the rest of the new period
      }
    });
  }

  process::event_loop& loop_;
  CURLM* multi_ = nullptr;
  transfer_id next_id_ = 1;
  std::map<transfer_id, std::unique_ptr<detail::transfer>> transfers_;
  std::unordered_map<curl_socket_t, process::event_loop::handle> sockets_;
  process::event_loop::handle timer_ = 0;
  bool closing_ = false;
};

inline int async_client::on_connected(void* user, char*, char*, int, int) noexcept {
  auto& each = *static_cast<detail::transfer*>(user);
  each.connected = true;
  each.last_activity = clock::now();
  try {
    each.owner->arm_idle_timer(each);   // only touches the loop, not libcurl
  } catch (...) {
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

}  // namespace servokit::http
