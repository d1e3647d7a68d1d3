#pragma once
/// @file
/// The request envelope of the servo endpoint (`PROTOCOL.md` sections 5 and 9), read by one
/// checked reader: `{"event": EVENT, "param": PARAM, "cmd_uid": ..., "servo_uid": ...}`. Every
/// field is checked for its type before it is used, so that a client's body can be anything
/// without harm (`{"event": "HELLO"}` without a `param` once crashed the server). No sockets here:
/// the fuzz target calls it directly.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/backend/conversation.hpp>

namespace servokit::backend {

/// A body that is not a usable envelope; `what()` says why, in words for the client.
class envelope_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One request of an agent, checked.
struct envelope {
  std::string event;        ///< a known event (HELLO, WHATS_NEXT, ...)
  std::string param_json;   ///< the param as compact JSON (`null` for WHATS_NEXT)
  std::string cmd_uid;      ///< the command it belongs to (envelope or param), empty when none
  std::string servo_uid;    ///< which servo of the app sends it, empty when it does not say
};

/// The longest `cmd_uid` or `servo_uid` taken (they are echoed and used as keys).
inline constexpr std::size_t max_envelope_uid_length = 256;

namespace detail {
/// A uid member of `object`: absent (empty), or a string of printable ASCII up to the limit.
inline std::string envelope_uid(simdjson::dom::object object, std::string_view key, std::string_view where) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value)) return {};
  std::string_view text;
  if (value.get_string().get(text)) throw envelope_error(std::string(where) + " \"" + std::string(key) + "\" must be a string");
  if (text.size() > max_envelope_uid_length) {
    throw envelope_error(std::string(where) + " \"" + std::string(key) + "\" is longer than " +
                         std::to_string(max_envelope_uid_length) + " characters");
  }
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      throw envelope_error(std::string(where) + " \"" + std::string(key) + "\" may hold printable ASCII only");
    }
  }
  return std::string(text);
}
}  // namespace detail

/// Reads `body` as an envelope; throws `envelope_error` with the reason when it is not one.
inline envelope read_envelope(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(body.data(), body.size(), true).get(root)) {
    throw envelope_error(std::string("the body is not valid JSON: ") + simdjson::error_message(error));
  }
  simdjson::dom::object object;
  std::string_view event;
  if (root.get_object().get(object) || object.at_key("event").get_string().get(event)) {
    throw envelope_error("the body must be an object with a string \"event\"");
  }
  if (!known_event(event)) {
    std::string shown;
    for (const char c : event.substr(0, 60)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    throw envelope_error("unknown event \"" + shown +
                         "\" (expected HELLO, WHATS_NEXT, DESCRIPTION, ADJUSTMENT, MEASUREMENT or GOODBYE)");
  }
  envelope read;
  read.event = std::string(event);
  // Every agent sends a param (`null` for WHATS_NEXT): a body without one is not from an agent.
  simdjson::dom::element param;
  if (object.at_key("param").get(param)) {
    throw envelope_error("the body has no \"param\" (every event sends one; null when there is nothing to say)");
  }
  read.param_json = simdjson::minify(param);
  read.cmd_uid = detail::envelope_uid(object, "cmd_uid", "the envelope's");
  // servox echoes the command's uid in the param rather than in the envelope.
  simdjson::dom::object param_object;
  if (read.cmd_uid.empty() && !param.get_object().get(param_object)) {
    read.cmd_uid = detail::envelope_uid(param_object, "cmd_uid", "the param's");
  }
  read.servo_uid = detail::envelope_uid(object, "servo_uid", "the envelope's");
  return read;
}

}  // namespace servokit::backend
