// The optimize layer: the `optimization:` config, the objective over metrics, and the ask/tell
// optimizer's suggestions (always valid, reproducible, steered by failures, better than the baseline).
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

#include <servokit/config.hpp>
#include <servokit/json.hpp>
#include <servokit/optimize.hpp>

namespace opt = servokit::optimize;
using servokit::application;
using servokit::ordered_map;
using servokit::scalar;

namespace {

application descriptor_of(const std::string& json) {
  return servokit::json::read<servokit::application_descriptor>(json).application;
}

/// Ranges with integer, decimal, non-dividing and float steps, a continuous range, enums of
/// strings and numbers, and a pinned setting.
const char* const every_kind = R"({"application": {"components": {
  "web": {"settings": {
    "cpu":      {"type": "range", "min": 0.25, "max": 4, "step": 0.25, "value": 1},
    "replicas": {"type": "range", "min": 1, "max": 50, "step": 1, "value": 3},
    "odd":      {"type": "range", "min": 0, "max": 10, "step": 3, "value": 3},
    "ratio":    {"type": "range", "min": 0.1, "max": 1, "step": 0.1, "value": 0.5},
    "fstep":    {"type": "range", "min": 0.3, "max": 2.0, "step": 0.7, "value": 1.0},
    "free":     {"type": "range", "min": -1, "max": 1, "value": 0},
    "pin":      {"type": "range", "min": 0, "max": 8, "step": 1, "value": 5, "pinned": true}}},
  "db": {"settings": {
    "inst":     {"type": "enum", "values": ["c5.large", "m5.large", "r5.large"], "value": "m5.large"},
    "threads":  {"type": "enum", "values": [1, 2, 4, 8], "value": 2},
    "mode":     {"type": "enum", "values": ["wal"], "value": "wal"}}}}}})";

opt::objective minimize(const std::string& metric) {
  opt::optimization_config config;
  config.objective.metric = metric;
  config.objective.goal = "minimize";
  return opt::objective(config);
}

}  // namespace

TEST_CASE("every suggestion is a value the adjust driver accepts") {
  const application app = descriptor_of(every_kind);
  opt::optimizer search(app, minimize("cost"), 7);
  for (int trial = 0; trial < 60; ++trial) {
    const opt::configuration settings = search.ask();
    servokit::application request;
    for (const auto& [component, values] : settings) {
      for (const auto& [name, value] : values) request.components[component].settings[name].value = value;
    }
    CAPTURE(trial);
    CHECK_NOTHROW(servokit::validate_adjustment(app, request));
    const auto& web = settings.at("web");
    CHECK(std::holds_alternative<std::int64_t>(web.at("replicas")));
    CHECK(std::holds_alternative<std::int64_t>(web.at("odd")));
    CHECK(std::get<std::int64_t>(web.at("odd")) <= 9);
    CHECK(std::get<double>(web.at("fstep")) <= 2.0);
    CHECK(web.at("pin") == scalar{std::int64_t{5}});
    CHECK(settings.at("db").at("mode") == scalar{std::string("wal")});
    search.tell(settings, opt::trial_status::ok, 1.0 + trial % 7);
  }
}
