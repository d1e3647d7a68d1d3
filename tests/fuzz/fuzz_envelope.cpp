// Fuzz target: the body of a request to servokit-optimizer's servo endpoint, as any client may
// send it. Properties: only envelope_error escapes read_envelope; what it accepts is a known event
// with a param that is JSON, and uids within their limits; a body made again from what was read
// reads back the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/backend/envelope.hpp>
#include <servokit/json/write.hpp>

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace backend = servokit::backend;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  backend::envelope read;
  try {
    read = backend::read_envelope(input);
  } catch (const backend::envelope_error&) {
    return 0;  // refused with a reason: what a bad body must get
  }
  if (!backend::known_event(read.event)) property_failed("an unknown event was accepted", read.event);
  if (read.cmd_uid.size() > backend::max_envelope_uid_length || read.servo_uid.size() > backend::max_envelope_uid_length) {
    property_failed("a uid beyond the limit was accepted", read.cmd_uid + " / " + read.servo_uid);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  if (parser.parse(read.param_json).get(ignored)) property_failed("the param is not JSON", read.param_json);

  // The same envelope written again reads back the same.
  std::string body;
  servokit::json::writer out(body);
  out.begin_object();
  out.key("event"), out.string(read.event);
  out.key("param"), out.raw(read.param_json);
  if (!read.cmd_uid.empty()) out.key("cmd_uid"), out.string(read.cmd_uid);
  if (!read.servo_uid.empty()) out.key("servo_uid"), out.string(read.servo_uid);
  out.end_object();
  backend::envelope again;
  try {
    again = backend::read_envelope(body);
  } catch (const backend::envelope_error& failure) {
    property_failed("a rewritten envelope is refused", body + " (" + failure.what() + ")");
  }
  if (again.event != read.event || again.param_json != read.param_json || again.cmd_uid != read.cmd_uid ||
      again.servo_uid != read.servo_uid) {
    property_failed("a rewritten envelope reads differently", body);
  }
  return 0;
}
