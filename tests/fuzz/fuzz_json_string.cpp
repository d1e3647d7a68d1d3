// Fuzz target: the writer's string escaping, for any bytes (a child's output is not always UTF-8).
// Properties: the literal parses as a JSON string; it reads back as the input with each byte that
// is not part of a well-formed UTF-8 sequence replaced by U+FFFD; valid UTF-8 round-trips exactly.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <servokit/json.hpp>

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// The length of the well-formed sequence at `at` per Unicode's table 3-7, or 0. Written from the
/// table, independently of the writer's own check.
std::size_t well_formed_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0x100u; };
  const unsigned b0 = byte(at);
  const auto in = [](unsigned b, unsigned low, unsigned high) { return b >= low && b <= high; };
  if (b0 <= 0x7F) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(byte(at + 1), 0x80, 0xBF) ? 2 : 0;
  unsigned low = 0x80, high = 0xBF;
  if (b0 == 0xE0) low = 0xA0;
  if (b0 == 0xED) high = 0x9F;
  if (in(b0, 0xE0, 0xEF)) return in(byte(at + 1), low, high) && in(byte(at + 2), 0x80, 0xBF) ? 3 : 0;
  if (b0 == 0xF0) low = 0x90;
  if (b0 == 0xF4) high = 0x8F;
  if (in(b0, 0xF0, 0xF4)) {
    return in(byte(at + 1), low, high) && in(byte(at + 2), 0x80, 0xBF) && in(byte(at + 3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string expected;
  bool valid = true;
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t length = well_formed_length(input, at);
    if (length == 0) {
      expected += "\xEF\xBF\xBD";
      valid = false;
      ++at;
    } else {
      expected.append(input, at, length);
      at += length;
    }
  }
  const std::string literal = servokit::json::to_json(input);
  for (char c : literal) {
    if (static_cast<unsigned char>(c) < 0x20) property_failed("a raw control character in the literal", literal);
  }
  std::string back;
  try {
    back = servokit::json::read<std::string>(literal);
  } catch (const servokit::json::read_error& failure) {
    property_failed("the literal does not parse", literal + " (" + failure.what() + ")");
  }
  if (back != expected) property_failed("the literal does not read back as the input, U+FFFD for bad bytes", literal);
  if (valid && back != input) property_failed("valid UTF-8 does not round-trip", literal);
  // Inside an object and an array too, as the writer places strings in real messages.
  const std::string wrapped = "{" + literal + ":[" + literal + "]}";
  try {
    (void)servokit::json::read<servokit::raw_json>(wrapped);
  } catch (const servokit::json::read_error& failure) {
    property_failed("the literal breaks an enclosing document", wrapped + " (" + failure.what() + ")");
  }
  return 0;
}
