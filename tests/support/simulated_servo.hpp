#pragma once
// A servo simulated in a thread, speaking the servo protocol over HTTP to one or more backends
// (replicas behind a "load balancer": each request goes to the next endpoint, and a request that
// finds its endpoint down goes to the next one). Its application is a function of the settings;
// it stops when the backend says the optimization is over.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include <servokit/http/client.hpp>
#include <servokit/json/write.hpp>

namespace servokit_test {

/// What a simulated servo does and where it talks.
struct simulated_servo_options {
  std::vector<std::string> endpoints;          ///< the servo URLs of the backends, used in turn
  std::string servo_uid;                       ///< sent in every envelope; empty: none sent
  std::string description;                     ///< the DESCRIPTION param
  /// The MEASUREMENT param for the settings of the last ADJUST (`{component: {setting: {value}}}`).
  std::function<std::string(simdjson::dom::element settings)> measure;
  std::chrono::milliseconds measure_time{0};   ///< how long a measurement takes
  std::chrono::milliseconds longest_sleep{100};   ///< SLEEPs are cut to this (the test's patience)
  std::chrono::seconds give_up{240};           ///< ends the conversation regardless
  /// Called before each request with its number; returning false makes the servo vanish at once.
  std::function<bool(long request)> keep_going = [](long) { return true; };
  /// Called with the seconds each answered request took (benchmarks); none: not timed.
  std::function<void(double seconds)> on_reply;
};

/// What a simulated servo saw.
struct simulated_servo_result {
  long requests = 0;                ///< requests answered
  long failed_requests = 0;         ///< requests that found their backend down (and went to another)
  long error_replies = 0;           ///< replies other than 200
  int trials_measured = 0;          ///< MEASUREs it ran
  bool finished = false;            ///< it was told the optimization is over
  bool vanished = false;            ///< keep_going said stop
  std::string last_reply;           ///< the last reply body
};

/// Runs one servo's whole conversation in the calling thread.
inline simulated_servo_result run_simulated_servo(const simulated_servo_options& options) {
  simulated_servo_result result;
  servokit::http::client client;
  simdjson::dom::parser parser;
  long turn = 0;
  const auto deadline = std::chrono::steady_clock::now() + options.give_up;
  const auto send = [&](const std::string& event, const std::string& param, const std::string& uid) -> std::string {
    std::string body;
    servokit::json::writer out(body);
    out.begin_object();
    out.key("event"), out.string(event);
    out.key("param"), out.raw(param);
    if (!uid.empty()) out.key("cmd_uid"), out.string(uid);
    if (!options.servo_uid.empty()) out.key("servo_uid"), out.string(options.servo_uid);
    out.end_object();
    for (;;) {
      servokit::http::request request;
      request.method = "POST";
      request.url = options.endpoints[static_cast<std::size_t>(turn++) % options.endpoints.size()];
      request.body = body;
      request.headers.emplace_back("Content-Type", "application/json");
      try {
        const auto sent_at = std::chrono::steady_clock::now();
        const auto reply = client.perform(request);
        if (options.on_reply) {
          options.on_reply(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent_at).count());
        }
        ++result.requests;
        if (reply.status != 200) ++result.error_replies;
        result.last_reply = reply.body;
        return reply.body;
      } catch (const std::exception&) {
        ++result.failed_requests;
        if (std::chrono::steady_clock::now() > deadline) return "{}";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  };

  send("HELLO", R"({"agent": "simulated"})", "");
  std::string adjusted = "null";
  while (std::chrono::steady_clock::now() < deadline) {
    if (!options.keep_going(result.requests)) {
      result.vanished = true;
      return result;
    }
    const std::string reply = send("WHATS_NEXT", "null", "");
    simdjson::dom::element command;
    std::string_view cmd;
    if (parser.parse(reply).get(command) || command["cmd"].get_string().get(cmd)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    std::string_view uid_view;
    const std::string uid = command["cmd_uid"].get_string().get(uid_view) ? std::string() : std::string(uid_view);
    if (cmd == "SLEEP") {
      std::string_view reason;
      if (!command["param"]["data"]["reason"].get_string().get(reason) &&
          (reason.find("finished") != std::string_view::npos || reason.find("stopped") != std::string_view::npos)) {
        result.finished = reason.find("finished") != std::string_view::npos;
        return result;
      }
      std::this_thread::sleep_for(options.longest_sleep);
    } else if (cmd == "DESCRIBE") {
      send("DESCRIPTION", options.description, uid);
    } else if (cmd == "ADJUST") {
      adjusted = simdjson::minify(command["param"]["state"]["application"]["components"]);
      send("ADJUSTMENT", R"({"progress": 50, "message": "adjusting"})", uid);
      send("ADJUSTMENT", R"({"status": "ok", "state": {}})", uid);
    } else if (cmd == "MEASURE") {
      simdjson::dom::parser settings_parser;
      const std::string param = options.measure(settings_parser.parse(adjusted));
      send("MEASUREMENT", R"({"progress": 10, "message": "measuring"})", uid);
      std::this_thread::sleep_for(options.measure_time);
      if (!options.keep_going(result.requests)) {
        result.vanished = true;
        return result;
      }
      send("MEASUREMENT", param, uid);
      ++result.trials_measured;
    }
  }
  return result;
}

}  // namespace servokit_test
