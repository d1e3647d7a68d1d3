// Fuzz target: a request or descriptor read from bytes a backend or another program sent.
// Properties: only json::read_error escapes; what was read writes back as JSON that parses and
// reads back as the same type; after one normalizing round, reading and writing is a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <servokit/json.hpp>
#include <servokit/protocol.hpp>

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

template <class Message>
void round_trip(std::string_view input) {
  Message message{};
  try {
    message = servokit::json::read<Message>(input);
  } catch (const servokit::json::read_error&) {
    return;  // refused with a message: what bad input must get
  }
  const std::string written = servokit::json::to_json(message);
  try {
    (void)servokit::json::read<servokit::raw_json>(written);
  } catch (const servokit::json::read_error& failure) {
    property_failed("the writer's output is not JSON", written + " (" + failure.what() + ")");
  }
  // The first write may normalize once: a whole double prints as `3` and reads back as an integer,
  // `-0` reads back as 0. From then on, reading and writing must give the same text.
  std::string normalized;
  std::string again;
  try {
    normalized = servokit::json::to_json(servokit::json::read<Message>(written));
    again = servokit::json::to_json(servokit::json::read<Message>(normalized));
  } catch (const servokit::json::read_error& failure) {
    property_failed("what was written does not read back", written + " (" + failure.what() + ")");
  }
  if (again != normalized) property_failed("writing is not stable", normalized + " then " + again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip<servokit::measure_request>(input);
  round_trip<servokit::adjust_request>(input);
  round_trip<servokit::application_descriptor>(input);
  return 0;
}
