#pragma once
// servokit-optimizer started by a test on 127.0.0.1 in a directory of the test's, on a port that
// stays the same across a kill and a restart (as a replica behind a load balancer would).

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "spawned_process.hpp"
#include "temp_dir.hpp"

namespace servokit_test {

/// A port that was free a moment ago on 127.0.0.1.
inline int free_loopback_port() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (probe >= 0) ::close(probe);
  if (!ok) throw std::runtime_error("cannot find a free port on 127.0.0.1");
  return ntohs(address.sin_port);
}

/// One servokit-optimizer process: `arguments` after `--listen 127.0.0.1:PORT`, run in `directory`,
/// its output in `<name>.out` and `<name>.err` there.
class optimizer_process {
 public:
  optimizer_process(std::filesystem::path directory, std::string name, std::vector<std::string> arguments)
      : directory_(std::move(directory)), name_(std::move(name)), arguments_(std::move(arguments)),
        port_(free_loopback_port()) {
    start();
  }

  /// Starts it (again), appending to its logs, and waits until it listens.
  void start() {
    std::vector<std::string> argv{std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-optimizer", "--listen",
                                  "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), arguments_.begin(), arguments_.end());
    ++starts_;
    const auto out = directory_ / (name_ + "." + std::to_string(starts_) + ".out");
    const auto err = directory_ / (name_ + "." + std::to_string(starts_) + ".err");
    process_.emplace(directory_, argv, out, err);
    if (!wait_for([&] { return read_file(out).find("listening on") != std::string::npos || !running(); })) {
      throw std::runtime_error(name_ + " did not start listening: " + read_file(err));
    }
    if (!running()) throw std::runtime_error(name_ + " exited at start: " + read_file(err));
  }
  /// SIGKILL, reaped: as a machine that dies.
  void kill() { process_->kill_now(); }
  /// Whether it still runs.
  bool running() const {
    if (!process_ || process_->pid() <= 0) return false;
    siginfo_t info{};
    // WNOWAIT: looks without reaping, so spawned_process still reaps it.
    return ::waitid(P_PID, static_cast<id_t>(process_->pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
  }
  /// The servo endpoint of `app`.
  std::string endpoint(const std::string& app) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/accounts/acme/applications/" + app + "/servo";
  }
  /// Everything it wrote on stderr, over every start.
  std::string log() const {
    std::string text;
    for (int start = 1; start <= starts_; ++start) {
      text += read_file(directory_ / (name_ + "." + std::to_string(start) + ".err"));
    }
    return text;
  }
  /// Sends SIGTERM and waits for the exit code.
  int stop() {
    process_->signal(SIGTERM);
    return process_->wait();
  }

 private:
  std::filesystem::path directory_;
  std::string name_;
  std::vector<std::string> arguments_;
  int port_;
  int starts_ = 0;
  std::optional<spawned_process> process_;
};

}  // namespace servokit_test
