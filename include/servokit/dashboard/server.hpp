#pragma once
/// @file
/// The dashboard served over HTTP on a port of its own (cpp-httplib, Debian's
/// libcpp-httplib-dev: link it through pkg-config, `PkgConfig::cpp-httplib`, whose compile
/// definitions must match the library's), on a thread of its own, beside whatever the program
/// does. Loopback unless told otherwise.

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <httplib.h>

#include <servokit/dashboard/api.hpp>

namespace servokit::dashboard {

/// Where to listen.
struct listen_address {
  std::string host = "127.0.0.1";
  int port = 0;   ///< 0: any free port
};

/// `HOST:PORT`, `[IPv6]:PORT` or `PORT` (loopback) as `--dashboard` takes it. Throws
/// `std::invalid_argument` naming what is wrong.
inline listen_address parse_listen_address(std::string_view text) {
  listen_address address;
  std::string_view port_text = text;
  if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    std::string_view host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) throw std::invalid_argument("\"" + std::string(text) + "\": the host is empty (expected HOST:PORT, e.g. 127.0.0.1:8081)");
    address.host = std::string(host);
    port_text = text.substr(colon + 1);
  }
  const auto [end, problem] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
  if (port_text.empty() || problem != std::errc() || end != port_text.data() + port_text.size() || address.port < 0 ||
      address.port > 65535) {
    throw std::invalid_argument("\"" + std::string(text) + "\": expected HOST:PORT or PORT with a port from 0 to 65535 (0 picks a free one)");
  }
  return address;
}

/// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
inline bool loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

/// A warning for a dashboard anyone on the network may read (not loopback, no token), or nothing.
inline std::optional<std::string> exposure_warning(const listen_address& address, std::string_view token) {
  if (loopback_host(address.host) || !token.empty()) return std::nullopt;
  return "the dashboard listens on " + address.host +
         " without a token: whoever reaches that address can read every study (give --auth-token, or listen on 127.0.0.1)";
}

/// The dashboard's HTTP server. Starts serving in `start()`, stops in `stop()` or when destroyed.
class server {
 public:
  /// Serves `source` with `assets`; `token` (empty: none) guards /api/. Both must outlive it.
  server(study_source& source, std::span<const asset> assets, std::string token = {})
      : site_(source, assets, std::move(token)) {
    http_.set_tcp_nodelay(true);
    http_.set_keep_alive_max_count(1000);   // a page polls twice a second on one connection
    // Each open page keeps a connection alive and polls on it; a few pages and the API's users fit.
    http_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    const auto handle = [this](const httplib::Request& incoming, httplib::Response& outgoing) {
      const std::string authorization = incoming.get_header_value("Authorization");
      const std::string after = incoming.get_param_value("after");
      request query;
      query.method = incoming.method;
      query.path = incoming.path;
      query.authorization = authorization;
      if (incoming.has_param("after")) query.after = after;
      reply(site_.answer(query), outgoing);
    };
    const char* everything = ".*";
    http_.Get(everything, handle);
    http_.Post(everything, handle);
    http_.Put(everything, handle);
    http_.Delete(everything, handle);
    http_.Patch(everything, handle);
    http_.Options(everything, handle);
  }
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server() { stop(); }

  /// Binds `address` and serves on a thread of its own; returns the port (the one picked when
  /// the address said 0). Throws `std::runtime_error` naming the address when it cannot bind.
  int start(const listen_address& address) {
    const int bound = address.port == 0 ? http_.bind_to_any_port(address.host)
                                        : (http_.bind_to_port(address.host, address.port) ? address.port : -1);
    if (bound < 0) {
      throw std::runtime_error("dashboard: cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " +
                               std::strerror(errno));
    }
    host_ = address.host;
    port_ = bound;
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    return bound;
  }

  /// The address of the page of every study, e.g. `http://127.0.0.1:8081/`.
  std::string url() const {
    const bool ipv6 = host_.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + "/";
  }

  /// Stops serving and waits for the server's thread.
  void stop() {
    if (!thread_.joinable()) return;
    http_.stop();
    thread_.join();
  }

 private:
  static void reply(const response& answer, httplib::Response& outgoing) {
    outgoing.status = answer.status;
    for (const auto& [name, value] : answer.headers) outgoing.set_header(name, value);
    outgoing.set_content(answer.body, answer.content_type);
  }

  site site_;
  httplib::Server http_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

}  // namespace servokit::dashboard
