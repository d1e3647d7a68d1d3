// The protocol model: the descriptor rules of PROTOCOL.md section 1 and the check of requested
// values against declared settings.
#include <doctest/doctest.h>

#include <servokit/json.hpp>
#include <servokit/protocol.hpp>

namespace {

servokit::application app_from(std::string_view json_text) {
  return servokit::json::read<servokit::application_descriptor>(json_text).application;
}

std::string problems_of(const servokit::application& app) {
  try {
    servokit::validate_descriptor(app);
  } catch (const servokit::protocol_error& failure) {
    return failure.what();
  }
  return "";
}

std::string adjustment_problems(const servokit::application& declared, std::string_view requested_json) {
  try {
    servokit::validate_adjustment(declared, servokit::json::read<servokit::adjust_request>(requested_json).application);
  } catch (const servokit::protocol_error& failure) {
    return failure.what();
  }
  return "";
}

const char* const example_descriptor = R"({"application": {"components": {
   "web": {"settings": {
      "cpu":      {"type": "range", "min": 0.25, "max": 4, "step": 0.25, "value": 1, "unit": "cores"},
      "replicas": {"type": "range", "min": 1, "max": 50, "step": 1, "value": 3},
      "inst":     {"type": "enum", "values": ["c5.large", "m5.large"], "value": "c5.large", "unit": "ec2"}
   }}},
   "annotations": {"any": "string"}}})";

}  // namespace

TEST_CASE("the descriptor of PROTOCOL.md section 1 is valid and round-trips") {
  auto app = app_from(example_descriptor);
  CHECK(problems_of(app).empty());
  CHECK(app.components.at("web").settings.at("inst").is_enum());
  servokit::application_descriptor descriptor{app};
  CHECK(servokit::json::to_json(descriptor) ==
        R"({"application":{"components":{"web":{"settings":{)"
        R"("cpu":{"type":"range","value":1,"min":0.25,"max":4,"step":0.25,"unit":"cores"},)"
        R"("replicas":{"type":"range","value":3,"min":1,"max":50,"step":1},)"
        R"("inst":{"type":"enum","value":"c5.large","values":["c5.large","m5.large"],"unit":"ec2"}}}},)"
        R"("annotations":{"any":"string"}}})");
}

TEST_CASE("each descriptor rule is enforced, naming the setting") {
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":4,"max":1}}}}}})")) ==
        "c.s: min 4 must be below max 1");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"max":1}}}}}})")) ==
        "c.s: a range setting needs numeric min and max");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":1,"max":8,"value":9}}}}}})")) ==
        "c.s: 9 is above the maximum 8");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":1,"max":8,"step":2,"value":4}}}}}})")) ==
        "c.s: 4 is not a multiple of the step 2 from the minimum 1");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"type":"enum","values":["a"],"value":"b"}}}}}})")) ==
        R"(c.s: "b" is not one of the allowed values ("a"))");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"type":"enum","value":"b"}}}}}})")) ==
        "c.s: an enum setting needs a non-empty list of values");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"type":"list"}}}}}})")) ==
        R"(c.s: type must be "range" or "enum", got "list")");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0,"max":1,"step":0}}}}}})")) ==
        "c.s: step must be positive, got 0");
}

TEST_CASE("a range whose step count (max - min) / step overflows is refused, so no grid count overflows an integer") {
  // 1e300 / 1e-300 is infinite; 1e19 steps do not fit an int64 (the optimizer's grid count was a
  // float-to-integer overflow); 2^53 steps are the most a double counts exactly.
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0,"max":1e300,"step":1e-300}}}}}})")) ==
        "c.s: step 1e-300 gives more than 2^53 values from 0 to 1e+300");
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":-1e18,"max":1e19,"step":1}}}}}})")).find(
            "gives more than 2^53 values") != std::string::npos);
  CHECK_NOTHROW(servokit::validate_descriptor(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0,"max":9007199254740992,"step":1}}}}}})")));
  // Infinite bounds (a YAML 1e400) are refused before any arithmetic.
  servokit::application infinite = app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0,"max":1}}}}}})");
  infinite.components.begin()->second.settings.begin()->second.max = std::numeric_limits<double>::infinity();
  CHECK(problems_of(infinite) == "c.s: min and max must be finite numbers, got 0 and infinity");
}

TEST_CASE("step alignment allows for decimal steps that binary floating point cannot hold") {
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0.1,"max":1,"step":0.1,"value":0.7}}}}}})"))
            .empty());
  CHECK(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0.25,"max":4,"step":0.25,"value":3.75}}}}}})"))
            .empty());
  CHECK_FALSE(problems_of(app_from(R"({"application":{"components":{"c":{"settings":{"s":{"min":0,"max":1,"step":0.1,"value":0.75}}}}}})"))
                  .empty());
}

TEST_CASE("all problems are reported at once") {
  auto problems = problems_of(app_from(
      R"({"application":{"components":{"c":{"settings":{"a":{"min":2,"max":1},"b":{"type":"enum","values":[1],"value":2}}}}}})"));
  CHECK(problems == "c.a: min 2 must be below max 1; c.b: 2 is not one of the allowed values (1)");
}

TEST_CASE("requested values are checked against the declared settings") {
  const auto declared = app_from(example_descriptor);
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"cpu":{"value":2.5},"inst":{"value":"m5.large"}}}}}})")
            .empty());
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"cpu":{"value":8}}}}}})") ==
        "web.cpu: 8 is above the maximum 4");
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"cpu":{"value":0.1}}}}}})") ==
        "web.cpu: 0.1 is below the minimum 0.25; web.cpu: 0.1 is not a multiple of the step 0.25 from the minimum 0.25");
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"replicas":{"value":"many"}}}}}})") ==
        R"(web.replicas: expected a number, got "many")");
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"inst":{"value":"t2.micro"}}}}}})") ==
        R"(web.inst: "t2.micro" is not one of the allowed values ("c5.large", "m5.large"))");
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"db":{"settings":{}}}}})") ==
        R"(unknown component "db" (known: web))");
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"mem":{"value":1}}}}}})") ==
        "web.mem: unknown setting (web has: cpu, replicas, inst)");
  CHECK(adjustment_problems(declared, R"({"application":{"components":{"web":{"settings":{"cpu":{}}}}}})") ==
        "web.cpu: no value given");
}

TEST_CASE("an adjust request keeps control.userdata as raw JSON and ignores extra keys") {
  auto request = servokit::json::read<servokit::adjust_request>(
      R"({"application":{"components":{"web":{"settings":{"cpu":{"value":2}}}}},"control":{"userdata":{"a":[1,{"b":null}]},"cmd_uid":"u1"}})");
  REQUIRE(request.control.has_value());
  CHECK(request.control->userdata->text() == R"({"a":[1,{"b":null}]})");
}
