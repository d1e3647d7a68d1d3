#pragma once
/// @file
/// Where a value sits in a document (`$.control.duration`, `batch.metrics[0]`) and the error that
/// reading a document throws, which names that place.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace servokit::json {

/// The chain of keys and indexes from a document's root to one value.
class path {
 public:
  /// Steps into the member `key`.
  void push(std::string_view key) { steps_.emplace_back(std::string(key)); }
  /// Steps into the element at `index`.
  void push(std::size_t index) { steps_.emplace_back(index); }
  /// Steps back out of the last member or element.
  void pop() { steps_.pop_back(); }
  /// Whether this is the root itself.
  bool empty() const { return steps_.empty(); }

  /// JSONPath notation: `$`, `$.control.duration`, `$.metrics[0]`, `$["content-type"]`.
  std::string json_text() const { return render("$"); }
  /// Dotted notation for config files: `batch.metrics.rps.unit`, `exec.pre[0].name`; `root` for
  /// the document itself (a config file's top level has no key of its own).
  std::string dotted_text(std::string_view root = "(top level)") const {
    if (steps_.empty()) return std::string(root);
    std::string text = render("");
    return text.front() == '.' ? text.substr(1) : text;
  }

 private:
  static bool plain_identifier(std::string_view key) {
    if (key.empty()) return false;
    for (char c : key) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && c != '_' && c != '-') return false;
    }
    return true;
  }

  std::string render(std::string_view root) const {
    std::string text(root);
    for (const auto& step : steps_) {
      if (const auto* index = std::get_if<std::size_t>(&step)) {
        text += '[';
        text += std::to_string(*index);
        text += ']';
      } else {
        const auto& key = std::get<std::string>(step);
        if (plain_identifier(key)) {
          text += '.';
          text += key;
        } else {
          text += "[\"";
          for (char c : key) {
            if (c == '"' || c == '\\') text += '\\';
            text += c;
          }
          text += "\"]";
        }
      }
    }
    return text;
  }

  std::vector<std::variant<std::string, std::size_t>> steps_;
};

/// A document that cannot be read into the requested type. `what()` is the whole message, e.g.
/// `$.control.duration: expected a number, got "abc"`; the parts are kept for callers that
/// report them separately.
class read_error : public std::runtime_error {
 public:
  /// `location` is a file position prefix such as `config.yaml:3:7` (may be empty); `where` is the
  /// rendered path; `problem` says what was expected and what was found.
  read_error(std::string location, std::string where, std::string problem)
      : std::runtime_error(compose(location, where, problem)),
        location_(std::move(location)),
        where_(std::move(where)),
        problem_(std::move(problem)) {}

  /// The file position (`config.yaml:3:7`), empty for JSON read from a stream.
  const std::string& location() const { return location_; }
  /// The path of the offending value.
  const std::string& where() const { return where_; }
  /// What was expected and what was found.
  const std::string& problem() const { return problem_; }

 private:
  static std::string compose(const std::string& location, const std::string& where, const std::string& problem) {
    std::string text = location.empty() ? std::string() : location + ": ";
    if (!where.empty()) text += where + ": ";
    return text + problem;
  }
  std::string location_, where_, problem_;
};

}  // namespace servokit::json
