// Fuzz target: a backend's reply to WHATS_NEXT, as the agent loop takes it: parsed, its command
// read (cmd, cmd_uid, param, a SLEEP's duration, an ADJUST's state, a MEASURE's control), the
// command carried out and its result reported. Then a Retry-After header and a SLEEP duration
// through the checked seconds readers.
// Properties: no crash, no undefined behaviour (the sanitizers), no exception out of the loop,
// every reported event is JSON; the loop ends (a stop is requested as the reply is given, so a
// SLEEP of any length returns at once); checked seconds are always in [0, 10^9].
// Drivers: the servo directory does not exist, so no program ever starts.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/http/retry_after.hpp>
#include <servokit/servo/loop.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/transport/transport.hpp>

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// A backend that answers WHATS_NEXT with the fuzz input (once), everything else with `{}`.
class fuzz_backend {
 public:
  explicit fuzz_backend(std::string_view reply) : reply_(reply) {}
  servokit::transport::reply exchange(const servokit::transport::event& sent, std::stop_token) {
    simdjson::dom::element ignored;
    if (sent.param_json != "null" && parser_.parse(sent.param_json.data(), sent.param_json.size()).get(ignored) != simdjson::SUCCESS) {
      property_failed("the agent sent a param that is not JSON", sent.param_json);
    }
    if (++exchanges_ > 64) property_failed("the agent does not stop", sent.name);
    if (sent.name == "WHATS_NEXT" && !replied_) {
      replied_ = true;
      if (on_reply) on_reply();
      return {std::string(reply_)};
    }
    return {"{}"};
  }
  bool finished() const { return replied_; }
  std::function<void()> on_reply;

 private:
  std::string_view reply_;
  bool replied_ = false;
  int exchanges_ = 0;
  simdjson::dom::parser parser_;
};

void check_seconds(double value, std::string_view input) {
  if (!(value >= 0 && value <= servokit::max_seconds)) property_failed("checked seconds out of [0, 1e9]", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  servokit::servo::options options;
  options.app_id = "fuzz";
  options.directory = "/nonexistent/servokit-fuzz";
  options.retry_delay = std::chrono::milliseconds(1);
  options.first_whats_next_retry = std::chrono::milliseconds(1);
  options.log = [](servokit::servo::log_level, std::string_view) {};
  fuzz_backend backend(input);
  servokit::servo::servo_loop loop(options, backend);
  backend.on_reply = [&loop] { loop.request_stop(servokit::servo::stop_request::exit); };
  try {
    if (loop.run() != servokit::servo::exit_code::ok) property_failed("the loop did not end as asked", input);
  } catch (const std::exception& error) {
    property_failed("an exception escaped the loop", error.what());
  }

  // The same bytes as a Retry-After header, and as a SLEEP duration given as a string or JSON.
  if (const auto wait = servokit::http::retry_after_seconds(input, std::chrono::system_clock::now())) check_seconds(*wait, input);
  try {
    check_seconds(servokit::parse_seconds(input, "fuzz"), input);
  } catch (const servokit::seconds_error&) {
  }
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(input.data(), input.size()).get(element) == simdjson::SUCCESS) {
    try {
      if (const auto seconds = servokit::servo::detail::seconds_value(element, "fuzz")) check_seconds(*seconds, input);
    } catch (const servokit::seconds_error&) {
    }
  }
  return 0;
}
