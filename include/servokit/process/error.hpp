#pragma once
/// \file
/// The exceptions of the process layer.

#include <string>
#include <system_error>
#include <utility>

namespace servokit::process {

/// A system call the process layer relies on failed (pipe, epoll, signalfd...): rare, and never
/// the child's fault. `code()` holds the errno value, `what()` says what was being done.
class process_error : public std::system_error {
 public:
  /// `context` says what was being attempted; the errno text is appended by std::system_error.
  process_error(int error_number, const std::string& context)
      : std::system_error(error_number, std::generic_category(), context) {}
};

/// A program could not be started: not found, not executable, a bad working directory...
/// `what()` reads like "cannot start 'driver' (in directory '/srv'): No such file or directory".
class spawn_error : public process_error {
 public:
  /// `program` is argv[0] as the caller gave it; `context` is the message before the errno text.
  spawn_error(std::string program, int error_number, const std::string& context)
      : process_error(error_number, context), program_(std::move(program)) {}

  /// The program that could not be started, as the caller named it.
  [[nodiscard]] const std::string& program() const noexcept { return program_; }

 private:
  std::string program_;
};

}  // namespace servokit::process
