#pragma once
/// @file
/// Finding `config.yaml`, taking a driver's section of it and mapping that onto the driver's
/// declared config struct (`PROTOCOL.md` section 7).

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <servokit/config/yaml_node.hpp>
#include <servokit/json/decode.hpp>

namespace servokit::config {

/// A config file that cannot be used: missing where required, unreadable, not YAML, or not
/// matching the driver's config struct. `what()` names the file and, where known, line, column and
/// key path: `config.yaml:7:5: batch.metrics.rps.unit: expected a string, got a mapping`.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The config file every driver of a servo shares: `$OPTUNE_CONFIG` when set and not empty, else
/// `./config.yaml` (the servo's directory is the current directory when a driver runs).
inline std::string default_path() {
  const char* configured = std::getenv("OPTUNE_CONFIG");
  return configured && *configured ? std::string(configured) : std::string("./config.yaml");
}

/// A parsed config file; a file that does not exist is an empty document.
class document {
 public:
  /// Reads and parses `file_path`. A missing file gives an empty document (`exists()` is false);
  /// an unreadable file or invalid YAML throws `config::error`.
  static document load(const std::string& file_path) {
    document loaded;
    loaded.file_ = std::make_shared<const std::string>(file_path);
    // POSIX reads rather than a stream, so that the message can give the real cause (EACCES,
    // EISDIR) instead of a stream's bare failbit.
    const int descriptor = ::open(file_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
      const int cause = errno;
      if (cause == ENOENT) return loaded;
      throw error(file_path + ": cannot open: " + std::strerror(cause));
    }
    std::string text;
    char buffer[16384];
    for (;;) {
      const ssize_t got = ::read(descriptor, buffer, sizeof buffer);
      if (got > 0) {
        text.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0) {
        break;
      } else if (errno != EINTR) {
        const int cause = errno;
        ::close(descriptor);
        throw error(file_path + ": cannot read: " + std::strerror(cause));
      }
    }
    ::close(descriptor);
    return parse(text, file_path);
  }

  /// Parses `yaml_text` as if read from a file named `file_name` (used in messages).
  static document parse(const std::string& yaml_text, const std::string& file_name) {
    document parsed;
    parsed.file_ = std::make_shared<const std::string>(file_name);
    parsed.exists_ = true;
    try {
      parsed.root_ = YAML::Load(yaml_text);
    } catch (const YAML::Exception& failure) {
      std::string where = file_name;
      if (!failure.mark.is_null()) {
        where += ":" + std::to_string(failure.mark.line + 1) + ":" + std::to_string(failure.mark.column + 1);
      }
      throw error(where + ": not valid YAML: " + failure.msg);
    }
    const auto type = parsed.root_.Type();
    if (type != YAML::NodeType::Map && type != YAML::NodeType::Null && type != YAML::NodeType::Undefined) {
      throw error(yaml_node(parsed.root_, parsed.file_).location() +
                  ": expected a mapping of driver names to their sections at the top level");
    }
    return parsed;
  }

  /// Whether the file existed.
  bool exists() const { return exists_; }
  /// The file's path as given.
  const std::string& file() const { return *file_; }

  /// Whether the document has a (non-null) section `name`.
  bool has_section(std::string_view name) const { return find(name).has_value(); }

  /// The section `name` as a node for `json::decode`, or nothing.
  std::optional<yaml_node> section_node(std::string_view name) const {
    auto found = find(name);
    if (!found) return std::nullopt;
    return yaml_node(*found, file_);
  }

  /// Reads the section `name` into `Config`. A missing or empty section reads as an empty mapping,
  /// so a struct whose members are all optional gets its defaults; one with required members gets
  /// an error saying the section (or file) is missing and what it must hold.
  template <class Config>
  Config section(std::string_view name) const {
    Config config{};
    json::path at;
    at.push(name);
    try {
      if (auto found = find(name)) {
        json::decode(yaml_node(*found, file_), config, at);
        return config;
      }
      json::decode(yaml_node(YAML::Node(YAML::NodeType::Map), file_), config, at);
      return config;
    } catch (const json::read_error& failure) {
      if (!has_section(name)) {
        const std::string quoted = "\"" + std::string(name) + "\"";
        const std::string missing = !exists_         ? ": not found, and the " + quoted + " section is required"
                                    : has_key(name) ? ": the " + quoted + " section is empty"
                                                    : ": has no " + quoted + " section";
        throw error(*file_ + missing + " (" + failure.problem() + ")");
      }
      throw error(failure.what());
    } catch (const YAML::Exception& failure) {
      throw error(*file_ + ": " + failure.msg);
    }
  }

 private:
  /// The value under the top-level key `name`, null included, or nothing when there is no key.
  std::optional<YAML::Node> entry(std::string_view name) const {
    if (!root_.IsMap()) return std::nullopt;
    for (const auto& item : root_) {
      if (item.first.IsScalar() && item.first.Scalar() == name) return item.second;
    }
    return std::nullopt;
  }

  bool has_key(std::string_view name) const { return entry(name).has_value(); }

  /// The section `name` when it holds something.
  std::optional<YAML::Node> find(std::string_view name) const {
    auto found = entry(name);
    if (!found || found->IsNull()) return std::nullopt;
    return found;
  }

  std::shared_ptr<const std::string> file_ = std::make_shared<const std::string>();
  YAML::Node root_;
  bool exists_ = false;
};

/// Reads section `name` of the config file at `file_path` (default: `default_path()`) into
/// `Config`. Throws `config::error`.
template <class Config>
Config load_section(std::string_view name, const std::string& file_path = default_path()) {
  return document::load(file_path).section<Config>(name);
}

}  // namespace servokit::config
