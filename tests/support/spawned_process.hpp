#pragma once
// A program a test starts in a directory, with stdout and stderr in files: killed and reaped when
// the test ends, whatever happens.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace servokit_test {

/// `argv` run in `directory`, its output in `stdout_file` and `stderr_file`.
class spawned_process {
 public:
  spawned_process(const std::filesystem::path& directory, std::vector<std::string> argv,
                  const std::filesystem::path& stdout_file, const std::filesystem::path& stderr_file) {
    std::vector<char*> arguments;
    for (auto& argument : argv) arguments.push_back(argument.data());
    arguments.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (::chdir(directory.c_str()) != 0) ::_exit(126);
      ::dup2(::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
      ::dup2(::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
      ::execv(arguments[0], arguments.data());
      ::_exit(127);
    }
  }
  spawned_process(const spawned_process&) = delete;
  spawned_process& operator=(const spawned_process&) = delete;
  ~spawned_process() { kill_now(); }

  /// The process id.
  pid_t pid() const { return pid_; }

  /// Sends `signal_number` (when still running).
  void signal(int signal_number) const {
    if (pid_ > 0) ::kill(pid_, signal_number);
  }
  /// SIGKILL, reaped.
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  /// Waits for the exit and returns its code (128 + signal when killed), or -1 when it did not
  /// end within `limit` (it is then killed).
  int wait(std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill_now();
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

/// Waits until `ready()` holds, polling; false after `limit` (generous: nothing is timed).
/// Every caller waits for progress that is bound to come, so the limit only guards against a
/// hang and costs nothing when the test passes: five minutes, since a minute was too short for
/// integration.local_resume's kill points on a CI machine loaded by other work (84 s for the
/// file, against 30 s alone).
template <class Condition>
bool wait_for(Condition ready, std::chrono::seconds limit = std::chrono::seconds(300)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace servokit_test
