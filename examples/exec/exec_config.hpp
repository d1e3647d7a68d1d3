#pragma once
/// @file
/// servo-exec's section of config.yaml (PROTOCOL.md section 6): four optional stages, each a list
/// of tasks, read into reflected structs and checked task by task, so that every mistake is
/// reported with the file, line and key before anything runs.
///
/// ```
/// exec:
///   start:
///     - name: start load
///       async: true
///       exec: [./load, --rps, 100]
///   stop:
///     - name: tell the load balancer
///       retries: 2
///       request: {method: POST, url: "http://lb:8080/drain", success_codes: [200, "202-204"]}
/// ```

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/json/decode.hpp>
#include <servokit/protocol/ordered_map.hpp>

namespace exec {

/// What `exec` and `shell_exec` hold: a string, or a list of strings (numbers are taken as text).
struct command_value {
  std::vector<std::string> words;   ///< never empty
  bool was_list = false;            ///< written as a list
};

/// `success_codes`: an int, a "lo-hi" string, or a list of both; each an inclusive range.
struct code_ranges {
  std::vector<std::pair<long, long>> ranges;

  /// Whether `status` is in one of the ranges.
  [[nodiscard]] bool contains(long status) const {
    for (const auto& [low, high] : ranges) {
      if (low <= status && status <= high) return true;
    }
    return false;
  }
};

/// `data`: the request body. A string is sent as is; anything else (a mapping, a list, a number)
/// as its compact JSON text.
struct body_text {
  std::string text;
};

/// A task's `request:` as written.
struct request_config {
  BOOST_HANA_DEFINE_STRUCT(request_config,
    (std::optional<std::string>, method),
    (std::string, url),
    (std::optional<double>, http_timeout),
    (std::optional<body_text>, data),
    (std::optional<std::string>, content_type),
    (std::optional<servokit::ordered_map<std::string>>, headers),
    (std::optional<code_ranges>, success_codes),
    (std::optional<bool>, verify));
};

/// One task as written (exactly one of `exec`, `shell_exec`, `request`: checked on reading).
struct task_config {
  BOOST_HANA_DEFINE_STRUCT(task_config,
    (std::optional<std::string>, name),
    (std::optional<bool>, async),
    (std::optional<bool>, ignore_exitcode),
    (std::optional<bool>, notify),
    (std::optional<int>, retries),
    (std::optional<double>, timeout),
    (std::optional<command_value>, exec),
    (std::optional<command_value>, shell_exec),
    (std::optional<request_config>, request));
};

/// The `exec:` section: the four stages, in the order they run.
struct exec_config {
  BOOST_HANA_DEFINE_STRUCT(exec_config,
    (std::optional<std::vector<task_config>>, pre),
    (std::optional<std::vector<task_config>>, start),
    (std::optional<std::vector<task_config>>, stop),
    (std::optional<std::vector<task_config>>, post));
};

/// The defaults of PROTOCOL.md section 6, in one place.
namespace defaults {
inline constexpr std::string_view method = "GET";
inline constexpr double http_timeout_seconds = 10;
inline constexpr std::string_view data = "{}";
inline constexpr std::string_view content_type = "application/json";
inline const code_ranges success_codes{{{200, 399}}};
}  // namespace defaults

namespace detail {

/// "200" or "200-299" as a range; nothing when the text is neither.
inline std::optional<std::pair<long, long>> parse_code_range(std::string_view text) {
  const auto number = [](std::string_view digits) -> std::optional<long> {
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    long value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    return value;
  };
  const std::size_t dash = text.find('-');
  const auto low = number(text.substr(0, dash));
  const auto high = dash == std::string_view::npos ? low : number(text.substr(dash + 1));
  if (!low || !high) return std::nullopt;
  return std::pair{*low, *high};
}

/// Fails at `key` of `node` (its line when present, else the node's own).
template <class Node>
[[noreturn]] void fail_at_key(const Node& node, servokit::json::path at, std::string_view key, const std::string& problem) {
  at.push(key);
  if (auto child = servokit::json::find_member(node, key)) child->fail(at, problem);
  node.fail(at, problem);
}

}  // namespace detail
}  // namespace exec

namespace servokit {

template <>
struct meta<exec::command_value> {
  template <class Node>
  static void read(const Node& node, exec::command_value& out, json::path& at) {
    out = {};
    if (node.kind() == json::node_kind::array) {
      out.was_list = true;
      std::size_t index = 0;
      node.for_each_element([&](const Node& element) {
        at.push(index++);
        if (!element.has_text()) element.fail(at, "expected a string (one argument), got " + element.describe());
        out.words.push_back(element.text());
        at.pop();
      });
      if (out.words.empty()) node.fail(at, "an empty list: give the program and its arguments");
    } else if (node.has_text() && node.kind() != json::node_kind::null) {
      out.words.push_back(node.text());
      if (out.words.front().empty()) node.fail(at, "an empty command");
    } else {
      node.fail(at, "expected a string or a list of strings, got " + node.describe());
    }
  }
};

template <>
struct meta<exec::code_ranges> {
  template <class Node>
  static void read(const Node& node, exec::code_ranges& out, json::path& at) {
    out.ranges.clear();
    const auto read_one = [&](const Node& item) {
      std::optional<std::pair<long, long>> range;
      if (item.kind() == json::node_kind::integer) {
        const auto code = item.integer();
        if (code >= 100 && code <= 999) range = std::pair<long, long>{static_cast<long>(code), static_cast<long>(code)};
      } else if (item.kind() == json::node_kind::string) {
        range = exec::detail::parse_code_range(item.text());
      }
      if (!range || range->first < 100 || range->second > 999 || range->first > range->second) {
        item.fail(at, "expected an HTTP status code (200), a range \"lo-hi\" (\"200-299\", lo <= hi, 100-999) or a "
                      "list of them, got " + item.describe());
      }
      out.ranges.push_back(*range);
    };
    if (node.kind() == json::node_kind::array) {
      std::size_t index = 0;
      node.for_each_element([&](const Node& item) {
        at.push(index++);
        read_one(item);
        at.pop();
      });
      if (out.ranges.empty()) node.fail(at, "an empty list would make every response a failure");
    } else {
      read_one(node);
    }
  }
};

template <>
struct meta<exec::body_text> {
  template <class Node>
  static void read(const Node& node, exec::body_text& out, json::path&) {
    out.text = node.kind() == json::node_kind::string ? node.text() : node.to_raw_json();
  }
};

template <>
struct meta<exec::request_config> {
  /// `content-type` is not a C++ identifier.
  static constexpr std::string_view key(std::string_view member) {
    return member == "content_type" ? "content-type" : member;
  }
  template <class Node>
  static void read(const Node& node, exec::request_config& out, json::path& at) {
    json::detail::decode_struct(node, out, at);
    const std::string_view url = out.url;
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      exec::detail::fail_at_key(node, at, "url", "expected an http:// or https:// URL");
    }
    if (out.http_timeout && !(*out.http_timeout > 0)) {
      exec::detail::fail_at_key(node, at, "http_timeout", "expected a number of seconds above 0");
    }
    if (out.method) {
      for (char& c : *out.method) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');   // as requests does
        if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_')) {
          exec::detail::fail_at_key(node, at, "method", "expected an HTTP method such as GET or POST");
        }
      }
      if (out.method->empty()) exec::detail::fail_at_key(node, at, "method", "expected an HTTP method such as GET or POST");
    }
  }
};

template <>
struct meta<exec::task_config> {
  template <class Node>
  static void read(const Node& node, exec::task_config& out, json::path& at) {
    json::detail::decode_struct(node, out, at);
    const int actions = int{out.exec.has_value()} + int{out.shell_exec.has_value()} + int{out.request.has_value()};
    if (actions == 0) {
      node.fail(at, "a task needs exactly one of exec, shell_exec or request; it has none");
    }
    if (actions > 1) {
      // Point at the second one: the first is what the task was probably meant to be.
      const std::string_view second = out.exec ? (out.shell_exec ? "shell_exec" : "request") : "request";
      exec::detail::fail_at_key(node, at, second, "a task needs exactly one of exec, shell_exec or request; it has more");
    }
    if (out.retries && *out.retries < 0) exec::detail::fail_at_key(node, at, "retries", "expected 0 or more");
    if (out.timeout && !(*out.timeout > 0)) exec::detail::fail_at_key(node, at, "timeout", "expected a number of seconds above 0");
  }
};

}  // namespace servokit
