#pragma once
/// @file
/// The state servo-batch keeps between runs: the values of the last adjustments, in
/// `./_state.yaml` (as the original kept it), as YAML:
/// ```
/// # servokit-batch: the settings' values as last adjusted (written atomically; do not edit while it runs)
/// application:
///   components:
///     web:
///       settings:
///         cpu:
///           value: 2.0
/// ```
/// Strings are double-quoted and floats always carry a point or an exponent, so a value reads
/// back with its type (`"256"` stays a string, `2.0` a float, `2` an integer).
///
/// Safety with adjust and measure running at once: every writer holds an exclusive flock on
/// `./_state.yaml.lock` for its read-modify-write, writes a temporary file in the same directory,
/// fsyncs it, renames it over `_state.yaml` and fsyncs the directory; readers hold a shared lock
/// while they read. A reader therefore sees the whole old file or the whole new one, never a part.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include <boost/hana/define_struct.hpp>
#include <yaml-cpp/yaml.h>

#include <servokit/config/load.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/values.hpp>

namespace batch {

/// One stored setting: its value.
struct stored_setting {
  BOOST_HANA_DEFINE_STRUCT(stored_setting,
    (std::optional<servokit::scalar>, value));
};

/// One stored component.
struct stored_component {
  BOOST_HANA_DEFINE_STRUCT(stored_component,
    (servokit::ordered_map<stored_setting>, settings));
};

/// What `_state.yaml` holds under `application`.
struct stored_application {
  BOOST_HANA_DEFINE_STRUCT(stored_application,
    (servokit::ordered_map<stored_component>, components));
};

}  // namespace batch

// The original's state file held whatever the adjust request had (a `control` key, settings with
// more than a value): read what servokit needs and leave the rest.
template <>
struct servokit::meta<batch::stored_setting> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct servokit::meta<batch::stored_component> {
  static constexpr bool ignore_unknown_keys = true;
};
template <>
struct servokit::meta<batch::stored_application> {
  static constexpr bool ignore_unknown_keys = true;
};

namespace batch {

/// The state file's name, in the servo directory (the current directory).
inline constexpr const char* state_file_name = "_state.yaml";
/// The lock file that orders readers and writers of the state file.
inline constexpr const char* state_lock_name = "_state.yaml.lock";

/// A flock held on the state's lock file for as long as this lives.
class state_lock {
 public:
  /// Takes the lock: shared (`exclusive` false) for readers, exclusive for the writer. Throws
  /// `std::system_error` naming the file when the lock file cannot be opened or locked.
  explicit state_lock(bool exclusive) {
    descriptor_ = ::open(state_lock_name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor_ < 0 && !exclusive && (errno == EACCES || errno == EROFS)) {
      // A read-only servo directory has no writer to wait for: read without the lock.
      return;
    }
    if (descriptor_ < 0) throw std::system_error(errno, std::generic_category(), std::string("cannot open ./") + state_lock_name);
    while (::flock(descriptor_, exclusive ? LOCK_EX : LOCK_SH) != 0) {
      if (errno == EINTR) continue;
      const int cause = errno;
      ::close(descriptor_);
      throw std::system_error(cause, std::generic_category(), std::string("cannot lock ./") + state_lock_name);
    }
  }
  ~state_lock() {
    if (descriptor_ >= 0) ::close(descriptor_);   // closing releases the flock
  }
  state_lock(const state_lock&) = delete;
  state_lock& operator=(const state_lock&) = delete;

 private:
  int descriptor_ = -1;
};

/// Reads `_state.yaml` (call with a `state_lock` held). Nothing when there is no state yet;
/// throws `servokit::config::error` naming the file, line and key when it cannot be used.
inline std::optional<stored_application> read_state() {
  const auto document = servokit::config::document::load(std::string("./") + state_file_name);
  if (!document.exists() || !document.has_section("application")) return std::nullopt;
  return document.section<stored_application>("application");
}

namespace detail {

/// Emits a scalar so that it reads back with its type.
inline void emit_scalar(YAML::Emitter& out, const servokit::scalar& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    out << YAML::DoubleQuoted << *text;
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    out << std::to_string(*integer);
  } else {
    const double number = std::get<double>(value);
    if (std::isnan(number)) {
      out << ".nan";
    } else if (std::isinf(number)) {
      out << (number < 0 ? "-.inf" : ".inf");
    } else {
      std::string written = servokit::format_number(number);
      if (written.find_first_of(".e") == std::string::npos) written += ".0";   // 2.0 stays a float
      out << written;
    }
  }
}

/// Writes `content` to `path` all at once: a temporary file beside it, fsync, rename, and an
/// fsync of the directory so the rename itself survives a crash.
inline void write_file_atomically(const std::string& path, const std::string& content) {
  std::string temporary = "./._" + std::string(state_file_name) + ".XXXXXX";
  const int descriptor = ::mkstemp(temporary.data());
  if (descriptor < 0) throw std::system_error(errno, std::generic_category(), "cannot create a temporary file in the servo directory");
  const auto fail = [&](const std::string& what) {
    const int cause = errno;
    ::close(descriptor);
    ::unlink(temporary.c_str());
    throw std::system_error(cause, std::generic_category(), what + " " + temporary);
  };
  std::string_view rest = content;
  while (!rest.empty()) {
    const ssize_t written = ::write(descriptor, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fchmod(descriptor, 0644) != 0) fail("cannot set the permissions of");
  if (::fsync(descriptor) != 0) fail("cannot fsync");
  if (::close(descriptor) != 0) {
    const int cause = errno;
    ::unlink(temporary.c_str());
    throw std::system_error(cause, std::generic_category(), "cannot close " + temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int cause = errno;
    ::unlink(temporary.c_str());
    throw std::system_error(cause, std::generic_category(), "cannot rename " + temporary + " to " + path);
  }
  const int directory = ::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory >= 0) {
    ::fsync(directory);
    ::close(directory);
  }
}

}  // namespace detail

/// Replaces `_state.yaml` with `state` (call with the exclusive `state_lock` held).
inline void write_state(const stored_application& state) {
  YAML::Emitter out;
  out << YAML::Comment("servokit-batch: the settings' values as last adjusted (written atomically)");
  out << YAML::BeginMap << YAML::Key << "application" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "components" << YAML::Value << YAML::BeginMap;
  for (const auto& [component_name, component] : state.components) {
    out << YAML::Key << YAML::DoubleQuoted << component_name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "settings" << YAML::Value << YAML::BeginMap;
    for (const auto& [setting_name, setting] : component.settings) {
      if (!setting.value) continue;
      out << YAML::Key << YAML::DoubleQuoted << setting_name << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "value" << YAML::Value;
      detail::emit_scalar(out, *setting.value);
      out << YAML::EndMap;
    }
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  if (!out.good()) throw std::runtime_error("cannot write the state: " + out.GetLastError());
  std::string text = out.c_str();
  text += '\n';
  detail::write_file_atomically(std::string("./") + state_file_name, text);
}

}  // namespace batch
