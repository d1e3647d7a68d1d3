#pragma once
// A real HTTP server on 127.0.0.1 for one test: tests/support/http_test_server.py started as a
// child (its routes are listed there), stopped and reaped when the object goes.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/process.hpp>

namespace servokit_test {

/// Starts the test server and waits for its port. Closing its stdin (on destruction) ends it;
/// the child handle kills its process group anyway.
class http_test_server {
 public:
  explicit http_test_server(std::vector<std::string> extra_arguments = {})
      : http_test_server(SERVOKIT_TEST_SOURCE_DIR "/tests/support/http_test_server.py", std::move(extra_arguments)) {}
  /// Another server script that follows the same convention (port on the first line of stdout,
  /// serving until stdin closes), such as the agent tests' Optune backend.
  http_test_server(const std::string& script, std::vector<std::string> extra_arguments) {
    namespace process = servokit::process;
    std::vector<std::string> argv{"python3", script};
    argv.insert(argv.end(), extra_arguments.begin(), extra_arguments.end());
    process::child_options options;
    options.in.keep_open = true;
    options.err.target = process::stream_target::inherit;
    options.out.on_line = [this](const process::output_line& line) {
      if (port_ == 0) port_ = std::stoi(std::string(line.text));
    };
    server_.emplace(loop_, process::command(std::move(argv)), std::move(options));
    loop_.run_until([this] { return port_ != 0 || server_->finished(); },
                    process::event_loop::clock::now() + std::chrono::seconds(20));
    if (port_ == 0) throw std::runtime_error("the test HTTP server did not start");
  }
  http_test_server(const http_test_server&) = delete;
  http_test_server& operator=(const http_test_server&) = delete;
  ~http_test_server() {
    server_->close_stdin();
    server_->terminate(SIGTERM, std::chrono::milliseconds(500));
    server_->wait();
  }

  /// The port it listens on.
  int port() const { return port_; }
  /// "http://127.0.0.1:PORT" followed by `path` (or https when started with --tls).
  std::string url(std::string_view path = "", std::string_view scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  /// The process id (to check it is gone).
  pid_t pid() const { return server_->pid(); }

 private:
  servokit::process::event_loop loop_;
  std::optional<servokit::process::child> server_;
  int port_ = 0;
};

}  // namespace servokit_test
