#pragma once
/// @file
/// `scripted_transport`: a backend for tests. It holds the events the agent must send, in order,
/// each with the reply to give (or the failure to raise), and throws `script_mismatch` with a
/// readable difference at the first event that is not the expected one.
///
/// ```
/// scripted_transport backend;
/// backend.expect("HELLO").reply("{}");
/// backend.expect("WHATS_NEXT", "null").reply(R"({"cmd": "MEASURE", "cmd_uid": "m1", "param": {...}})");
/// backend.expect("MEASUREMENT", R"({"progress": 0, "runtime": "<any>", "message": "starting driver", "cmd_uid": "m1"})")
///     .reply(R"({"status": "cancel", "reason": "stop"})");
/// backend.expect("MEASUREMENT", R"({"status": "cancelled", "message": "stop", "cmd_uid": "m1"})").reply("{}").finish();
/// backend.expect("GOODBYE", R"({"reason": "exit"})").reply("{}");
/// ```
/// Expected params are JSON compared by value (numbers by their value, objects by their keys in
/// any order); the string `"<any>"` matches any value, and a string starting with `"<contains>"`
/// matches a string that contains the rest.

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include <servokit/transport/transport.hpp>

namespace servokit::transport {

/// The agent sent something else than the script expected; the message shows both.
class script_mismatch : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// A transport that plays a script (see the file comment). Not thread-safe: one loop uses it.
class scripted_transport {
 public:
  /// One expected event and what to answer.
  class step {
   public:
    /// Answer with this body.
    step& reply(std::string body) {
      body_ = std::move(body);
      failure_.reset();
      return *this;
    }
    /// Answer by throwing `transport_error(message, retryable, http_status, retry_after)`.
    step& fail(std::string message, bool retryable, std::optional<int> http_status = std::nullopt,
               std::optional<double> retry_after = std::nullopt) {
      failure_ = transport_error(std::move(message), retryable, http_status, retry_after);
      return *this;
    }
    /// Run `action` once the answer is decided (send a stop request, check a file...).
    step& then(std::function<void()> action) {
      action_ = std::move(action);
      return *this;
    }
    /// After this answer, `finished()` is true (the backend's work is done).
    step& finish() {
      finish_ = true;
      return *this;
    }

   private:
    friend class scripted_transport;
    std::string event_;
    std::optional<std::string> param_;
    std::string body_ = "{}";
    std::optional<transport_error> failure_;
    std::function<void()> action_;
    bool finish_ = false;
  };

  /// Appends an expected event; `param` (JSON, see above) is checked when given.
  step& expect(std::string event, std::optional<std::string> param = std::nullopt) {
    step& added = steps_.emplace_back();
    added.event_ = std::move(event);
    added.param_ = std::move(param);
    return added;
  }

  /// Checks `sent` against the next step and answers as it says.
  reply exchange(const event& sent, std::stop_token) {
    sent_.push_back(std::string(sent.name) + " " + std::string(sent.param_json));
    uids_.emplace_back(sent.cmd_uid);
    if (next_ >= steps_.size()) {
      throw script_mismatch("event " + std::to_string(next_ + 1) + ": the script has ended, but the agent sent " +
                            sent_.back() + history());
    }
    step& expected = steps_[next_++];
    if (sent.name != expected.event_) {
      throw script_mismatch("event " + std::to_string(next_) + ": expected " + expected.event_ + ", got " +
                            sent_.back() + history());
    }
    if (expected.param_) {
      if (std::string difference = compare(*expected.param_, sent.param_json); !difference.empty()) {
        throw script_mismatch("event " + std::to_string(next_) + " (" + expected.event_ + "): " + difference +
                              "\n  expected param: " + *expected.param_ + "\n  sent param:     " +
                              std::string(sent.param_json) + history());
      }
    }
    if (expected.finish_) finished_ = true;
    if (expected.action_) expected.action_();
    if (expected.failure_) throw *expected.failure_;
    return reply{expected.body_};
  }

  /// Whether a step marked `finish()` has been answered.
  bool finished() const noexcept { return finished_; }
  /// Whether every step has been played.
  bool complete() const noexcept { return next_ == steps_.size(); }
  /// What remains, for a test's failure message.
  std::string remaining() const {
    std::string text;
    for (std::size_t i = next_; i < steps_.size(); ++i) text += "\n  " + steps_[i].event_ + " " + steps_[i].param_.value_or("");
    return text;
  }
  /// Every event sent so far, as "NAME param".
  const std::vector<std::string>& sent() const noexcept { return sent_; }
  /// The `cmd_uid` the loop gave with each event sent (empty when none).
  const std::vector<std::string>& cmd_uids() const noexcept { return uids_; }

  /// The first difference between `expected` (a pattern) and `actual` JSON, or "" when they match.
  static std::string compare(std::string_view expected, std::string_view actual) {
    simdjson::dom::parser expected_parser, actual_parser;
    simdjson::dom::element want, got;
    if (expected_parser.parse(expected.data(), expected.size()).get(want) != simdjson::SUCCESS) {
      return "the script's expected param is not JSON";
    }
    if (actual_parser.parse(actual.data(), actual.size()).get(got) != simdjson::SUCCESS) return "the sent param is not JSON";
    return difference(want, got, "$");
  }

 private:
  std::string history() const {
    std::string text = "\n  events so far:";
    for (const std::string& each : sent_) text += "\n    " + each;
    return text;
  }

  static std::string difference(simdjson::dom::element want, simdjson::dom::element got, const std::string& at) {
    using type = simdjson::dom::element_type;
    std::string_view pattern;
    if (want.get_string().get(pattern) == simdjson::SUCCESS) {
      if (pattern == "<any>") return {};
      if (pattern.starts_with("<contains>")) {
        std::string_view text;
        if (got.get_string().get(text) == simdjson::SUCCESS && text.find(pattern.substr(10)) != std::string_view::npos) {
          return {};
        }
        return at + ": expected a string containing \"" + std::string(pattern.substr(10)) + "\", got " + simdjson::minify(got);
      }
    }
    const auto numeric = [](type kind) { return kind == type::INT64 || kind == type::UINT64 || kind == type::DOUBLE; };
    if (numeric(want.type()) && numeric(got.type())) {
      if (want.get<double>().value_unsafe() == got.get<double>().value_unsafe()) return {};
      return at + ": expected " + simdjson::minify(want) + ", got " + simdjson::minify(got);
    }
    if (want.type() != got.type()) return at + ": expected " + simdjson::minify(want) + ", got " + simdjson::minify(got);
    if (want.type() == type::OBJECT) {
      const simdjson::dom::object want_object = want.get_object().value_unsafe();
      const simdjson::dom::object got_object = got.get_object().value_unsafe();
      for (auto field : want_object) {
        simdjson::dom::element member;
        if (got_object.at_key(field.key).get(member) != simdjson::SUCCESS) {
          return at + "." + std::string(field.key) + ": missing (expected " + simdjson::minify(field.value) + ")";
        }
        if (std::string inner = difference(field.value, member, at + "." + std::string(field.key)); !inner.empty()) return inner;
      }
      for (auto field : got_object) {
        simdjson::dom::element member;
        if (want_object.at_key(field.key).get(member) != simdjson::SUCCESS) {
          return at + "." + std::string(field.key) + ": not expected (sent " + simdjson::minify(field.value) + ")";
        }
      }
      return {};
    }
    if (want.type() == type::ARRAY) {
      const simdjson::dom::array want_array = want.get_array().value_unsafe();
      const simdjson::dom::array got_array = got.get_array().value_unsafe();
      if (want_array.size() != got_array.size()) {
        return at + ": expected " + std::to_string(want_array.size()) + " elements, got " + simdjson::minify(got);
      }
      std::size_t index = 0;
      auto got_element = got_array.begin();
      for (auto element : want_array) {
        if (std::string inner = difference(element, *got_element, at + "[" + std::to_string(index) + "]"); !inner.empty()) {
          return inner;
        }
        ++got_element, ++index;
      }
      return {};
    }
    if (simdjson::minify(want) == simdjson::minify(got)) return {};
    return at + ": expected " + simdjson::minify(want) + ", got " + simdjson::minify(got);
  }

  std::deque<step> steps_;  // a deque: `expect` hands out references that later steps must not move
  std::size_t next_ = 0;
  bool finished_ = false;
  std::vector<std::string> sent_;
  std::vector<std::string> uids_;
};

static_assert(transport<scripted_transport>);

}  // namespace servokit::transport
