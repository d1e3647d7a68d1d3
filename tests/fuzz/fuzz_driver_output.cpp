// Fuzz target: what a driver prints on stdout, read by the agent's driver runner as the line
// protocol of PROTOCOL.md section 9 (progress lines, one result line). The input is the output
// of a real child: /bin/cat, fed the input on stdin. Each progress line goes to a relay that
// cancels at the third one, so the cancel path is taken too.
// Properties: no crash, no undefined behaviour (the sanitizers), no exception; a run that
// completed has a result line that is JSON without `progress`; a failed run says why.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/servo/driver_output.hpp>
#include <servokit/servo/driver_runner.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/servo/stop_control.hpp>

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  servokit::servo::options options;
  options.app_id = "fuzz";
  options.directory = "/";
  options.servo_uid = "fuzz";
  servokit::servo::stop_control stops;
  servokit::servo::driver_runner runner(options, stops);
  int progress_lines = 0;
  const servokit::servo::progress_relay relay = [&](std::string_view progress_json, std::optional<std::string_view>) {
    simdjson::dom::parser parser;
    simdjson::dom::element parsed;
    if (parser.parse(progress_json.data(), progress_json.size()).get(parsed) != simdjson::SUCCESS) {
      property_failed("a progress value relayed is not JSON", progress_json);
    }
    return ++progress_lines == 3 ? servokit::servo::progress_verdict::cancel : servokit::servo::progress_verdict::go_on;
  };
  servokit::servo::driver_run run;
  try {
    run = runner.run("/bin/cat", {}, input, &relay, false);
  } catch (const std::exception& error) {
    property_failed("an exception escaped the runner", error.what());
  }
  using outcome = servokit::servo::driver_run::outcome;
  if (run.kind == outcome::completed) {
    simdjson::dom::parser parser;
    simdjson::dom::element result;
    if (parser.parse(run.final_line).get(result) != simdjson::SUCCESS) property_failed("the result line is not JSON", run.final_line);
    if (servokit::servo::detail::member(result, "progress")) property_failed("a progress line taken as the result", run.final_line);
  } else if (run.kind == outcome::failed && run.message.empty()) {
    property_failed("a failed run without a message", input);
  }
  return 0;
}
