// Fuzz target: any sequence of events and params handed to backend::session::handle, as a broken
// or hostile agent may send them. The input is split into lines; each line is one event: its first
// byte picks the event (and whether it names the outstanding command's uid), the rest is the param.
// Properties: handle never throws (the study is in memory: retry_later cannot happen), every reply
// is a JSON object with a "cmd" or a "status", and the study never holds more trials than the
// budget nor two trials with one number.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include <servokit/backend/session.hpp>
#include <servokit/config/load.hpp>

namespace {

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

const servokit::backend::session_options& options() {
  static const servokit::backend::session_options made = [] {
    servokit::backend::session_options options;
    options.app_id = "fuzz";
    options.config = servokit::config::document::parse(
                         "optimization:\n  objective: {metric: cost, goal: minimize}\n"
                         "  constraints: [{metric: errors, max: 0}]\n  budget: 4\n  seed: 1\n",
                         "fuzz.yaml")
                         .section<servokit::optimize::optimization_config>("optimization");
    options.budget = 4;
    return options;
  }();
  return made;
}

/// Params worth starting from, so that short inputs reach deep states: a line "#N" uses the N-th.
constexpr std::string_view seeds[] = {
    R"({"status":"ok","descriptor":{"application":{"components":{"c":{"settings":{"x":{"min":1,"max":4,"step":1,"value":1}}}}},"measurement":{"metrics":{"cost":{},"errors":{}}}}})",
    R"({"state":{}})",
    R"({"metrics":{"cost":{"value":3},"errors":{"value":0}}})",
    R"({"progress":50,"message":"half"})",
    R"({"status":"failed","message":"crash"})",
    R"({"status":"cancelled"})",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace backend = servokit::backend;
  static constexpr std::string_view names[] = {"HELLO", "WHATS_NEXT", "DESCRIPTION", "ADJUSTMENT", "MEASUREMENT", "GOODBYE", "BOGUS"};
  backend::study_database study(":memory:");
  backend::session session(options(), study);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string outstanding_uid;
  simdjson::dom::parser parser;
  for (int events = 0; !input.empty() && events < 200; ++events) {
    const auto end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    if (line.empty()) continue;
    const auto selector = static_cast<unsigned char>(line.front());
    const std::string_view event = names[selector % 7];
    const bool with_uid = (selector / 7) % 2 == 1;
    std::string param(line.substr(1));
    if (param.size() == 2 && param[0] == '#' && param[1] >= '0' && param[1] < '0' + 6) param = seeds[param[1] - '0'];
    std::string reply;
    try {
      reply = session.handle(event, param, with_uid ? std::string_view(outstanding_uid) : std::string_view());
    } catch (const std::exception& failure) {
      property_failed("handle threw", std::string(event) + " " + param + ": " + failure.what());
    }
    simdjson::dom::element parsed;
    if (parser.parse(reply).get(parsed) || !parsed.is_object()) property_failed("the reply is not a JSON object", reply);
    std::string_view text;
    if (parsed["cmd"].get_string().get(text) && parsed["status"].get_string().get(text)) {
      property_failed("the reply has neither cmd nor status", reply);
    }
    if (std::string_view uid; !parsed["cmd_uid"].get_string().get(uid)) outstanding_uid = std::string(uid);
  }
  const auto trials = session.trials();
  if (trials.size() > 4) property_failed("more trials than the budget", std::to_string(trials.size()));
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (trials[i].number != static_cast<std::int64_t>(i + 1)) property_failed("trial numbers out of sequence", std::to_string(i));
  }
  return 0;
}
