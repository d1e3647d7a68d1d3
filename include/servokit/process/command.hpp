#pragma once
/// \file
/// What to run: an argv or a shell command line, the working directory and the environment.

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
extern char** environ;  // NOLINT: POSIX declares it nowhere in a header
}

namespace servokit::process {

/// The environment a child starts with: by default the parent's own at the moment the child is
/// started, or a complete replacement; either way with variables added, overridden or removed.
class environment {
 public:
  /// The parent's environment, read when the child starts (the default).
  [[nodiscard]] static environment inherit() { return environment(); }
  /// Exactly `variables`, nothing inherited (e.g. `replace({{"PATH", "/bin"}})`).
  [[nodiscard]] static environment replace(const std::map<std::string, std::string>& variables = {}) {
    environment result;
    result.inherits_ = false;
    for (const auto& [name, value] : variables) result.changes_[name] = value;
    return result;
  }

  /// Adds `name` or overrides the inherited value.
  environment& set(std::string name, std::string value) & {
    changes_[std::move(name)] = std::move(value);
    return *this;
  }
  /// Same, on a temporary, for chaining.
  environment&& set(std::string name, std::string value) && { return std::move(set(std::move(name), std::move(value))); }
  /// Removes `name` from what the child sees.
  environment& unset(std::string name) & {
    changes_[std::move(name)] = std::nullopt;
    return *this;
  }
  /// Same, on a temporary, for chaining.
  environment&& unset(std::string name) && { return std::move(unset(std::move(name))); }

  /// Whether the parent's variables are the base.
  [[nodiscard]] bool inherits() const noexcept { return inherits_; }

  /// The value `name` will have in the child, if any.
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
    if (const auto change = changes_.find(name); change != changes_.end()) return change->second;
    if (!inherits_) return std::nullopt;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      if (text.size() > name.size() && text.starts_with(name) && text[name.size()] == '=') {
        return std::string(text.substr(name.size() + 1));
      }
    }
    return std::nullopt;
  }

  /// The final "NAME=value" list: inherited entries first, in the parent's order, then the
  /// added ones by name. Reads `environ`, so do not call setenv() concurrently.
  [[nodiscard]] std::vector<std::string> entries() const {
    std::vector<std::string> result;
    if (inherits_) {
      for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::string_view name = text.substr(0, text.find('='));
        if (!changes_.contains(name)) result.emplace_back(text);
      }
    }
    for (const auto& [name, value] : changes_) {
      if (value) result.push_back(name + '=' + *value);
    }
    return result;
  }

 private:
  bool inherits_ = true;
  std::map<std::string, std::optional<std::string>, std::less<>> changes_;  // nullopt: unset
};

/// What to start. argv[0] names the program: with a '/' it is a path (relative ones are taken
/// from the child's working directory, as execve would); without, it is searched in the PATH
/// the child will have, like execvp. No shell is involved unless asked for with `shell()`.
struct command {
  std::vector<std::string> argv;                           ///< Program and arguments.
  std::optional<std::filesystem::path> working_directory;  ///< Where the child starts; the parent's when empty.
  environment env;                                         ///< What the child's environment is.

  /// An empty command (set `argv` before starting it).
  command() = default;
  /// `command{"ls", "-l", "/tmp"}`.
  command(std::initializer_list<std::string> arguments) : argv(arguments) {}
  /// From a ready argv.
  explicit command(std::vector<std::string> arguments) : argv(std::move(arguments)) {}

  /// `/bin/sh -c script`; `shell_arguments` follow the script, the first becoming `$0`.
  [[nodiscard]] static command shell(std::string script, std::vector<std::string> shell_arguments = {}) {
    command result{"/bin/sh", "-c", std::move(script)};
    for (auto& argument : shell_arguments) result.argv.push_back(std::move(argument));
    return result;
  }

  /// The program as named (argv[0]), for messages.
  [[nodiscard]] std::string_view program() const noexcept {
    return argv.empty() ? std::string_view() : std::string_view(argv.front());
  }

  /// Sets the working directory, for chaining.
  command& in_directory(std::filesystem::path directory) & {
    working_directory = std::move(directory);
    return *this;
  }
  /// Same, on a temporary.
  command&& in_directory(std::filesystem::path directory) && { return std::move(in_directory(std::move(directory))); }
  /// Sets one environment variable, for chaining.
  command& with_variable(std::string name, std::string value) & {
    env.set(std::move(name), std::move(value));
    return *this;
  }
  /// Same, on a temporary.
  command&& with_variable(std::string name, std::string value) && {
    return std::move(with_variable(std::move(name), std::move(value)));
  }
};

/// Where `program` is, searched like execvp: a name with '/' is taken as is; otherwise each
/// directory of `search_path` (empty entries mean ".", relative ones are taken from
/// `base_directory` when given) is tried for an executable regular file. Returns the path, or
/// sets `error` to ENOENT (found nowhere) or EACCES (found, not executable) and returns "".
inline std::string find_program(std::string_view program, std::string_view search_path,
                                const std::optional<std::filesystem::path>& base_directory, int& error) {
  error = 0;
  if (program.empty()) {
    error = ENOENT;
    return {};
  }
  if (program.find('/') != std::string_view::npos) return std::string(program);
  bool found_not_executable = false;
  for (std::size_t begin = 0; begin <= search_path.size();) {
    std::size_t end = search_path.find(':', begin);
    if (end == std::string_view::npos) end = search_path.size();
    std::string directory(search_path.substr(begin, end - begin));
    begin = end + 1;
    if (directory.empty()) directory = ".";
    if (directory.front() != '/' && base_directory) directory = (*base_directory / directory).string();
    std::string candidate = directory + '/' + std::string(program);
    struct stat info {};
    if (::stat(candidate.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    found_not_executable = true;
  }
  error = found_not_executable ? EACCES : ENOENT;
  return {};
}

}  // namespace servokit::process
