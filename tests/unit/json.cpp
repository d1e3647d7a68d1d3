// The JSON layer: reading reflected structs with path-naming errors, writing compact lines.
#include <doctest/doctest.h>

#include <servokit/json.hpp>
#include <servokit/protocol.hpp>

namespace {

struct point {
  BOOST_HANA_DEFINE_STRUCT(point,
    (double, x),
    (std::optional<std::int32_t>, label_count));
};

struct shape {
  BOOST_HANA_DEFINE_STRUCT(shape,
    (std::string, name),
    (std::vector<point>, points),
    (std::optional<servokit::raw_json>, extra));
};

struct renamed {
  BOOST_HANA_DEFINE_STRUCT(renamed,
    (std::string, error_class),
    (std::optional<std::string>, content_type));
};

struct with_defaults {
  BOOST_HANA_DEFINE_STRUCT(with_defaults,
    (int, retries),
    (std::string, method));
};

std::string error_of(auto read) {
  try {
    read();
  } catch (const servokit::json::read_error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

template <>
struct servokit::meta<renamed> {
  static constexpr std::string_view key(std::string_view member) {
    if (member == "error_class") return "class";
    if (member == "content_type") return "content-type";
    return member;
  }
};

template <>
struct servokit::meta<with_defaults> {
  static constexpr bool missing_keys_keep_defaults = true;
};

using servokit::json::read;
using servokit::json::to_json;

TEST_CASE("a reflected struct reads from JSON and writes back as one compact line") {
  auto value = read<shape>(R"( { "name": "tri", "points": [ {"x": 1}, {"x": 2.5, "label_count": 3} ],
                                  "extra": { "any" : [1, "two", null] } } )");
  CHECK(value.name == "tri");
  REQUIRE(value.points.size() == 2);
  CHECK(value.points[1].x == 2.5);
  CHECK(value.points[1].label_count == 3);
  CHECK_FALSE(value.points[0].label_count.has_value());
  REQUIRE(value.extra.has_value());
  CHECK(value.extra->text() == R"({"any":[1,"two",null]})");
  CHECK(to_json(value) ==
        R"({"name":"tri","points":[{"x":1},{"x":2.5,"label_count":3}],"extra":{"any":[1,"two",null]}})");
}

TEST_CASE("read errors name the JSON path and what was expected") {
  CHECK(error_of([] { read<servokit::measure_request>(R"({"control": {"duration": "abc"}})"); }) ==
        R"($.control.duration: expected a number of seconds, got "abc")");
  CHECK(error_of([] { read<shape>(R"({"name": "t", "points": [{"x": 1}, {"x": true}]})"); }) ==
        "$.points[1].x: expected a number, got true");
  CHECK(error_of([] { read<shape>(R"({"points": []})"); }) == R"($: missing required key "name")");
  CHECK(error_of([] { read<shape>(R"({"name": "t", "points": [], "colour": 1})"); }) ==
        R"($.colour: unknown key "colour" (expected one of: name, points, extra))");
  CHECK(error_of([] { read<shape>(R"([1, 2])"); }) == "$: expected an object, got an array");
  CHECK(error_of([] { read<point>(R"({"x": 1, "label_count": 3000000000})"); }) ==
        "$.label_count: integer 3000000000 is out of range");
  CHECK(error_of([] { read<point>(R"({"x": 1, "label_count": 1.5})"); }) ==
        "$.label_count: expected an integer, got 1.5");
}

TEST_CASE("text that is not JSON is reported as such") {
  CHECK(error_of([] { read<shape>("not json"); }).starts_with("input is not valid JSON: "));
  CHECK(error_of([] { read<shape>(R"({"name": "t")"); }).starts_with("input is not valid JSON: "));
  CHECK(error_of([] { read<shape>("  \n"); }) == "no input: expected a JSON document");
}

TEST_CASE("meta<T> renames keys and can let missing keys keep their defaults") {
  auto value = read<renamed>(R"({"class": "E", "content-type": "text/plain"})");
  CHECK(value.error_class == "E");
  CHECK(value.content_type == "text/plain");
  CHECK(to_json(value) == R"({"class":"E","content-type":"text/plain"})");
  auto defaults = read<with_defaults>(R"({"retries": 2})");
  CHECK(defaults.retries == 2);
  CHECK(defaults.method.empty());
}

TEST_CASE("strings are escaped correctly") {
  CHECK(to_json(std::string("q\"b\\n\n\t\r\b\f\x01\x1f\x7f")) == R"("q\"b\\n\n\t\r\b\f\u0001\u001f)" "\x7f\"");
  CHECK(to_json(std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")) == "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per bad byte, so the output stays valid JSON") {
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(to_json(std::string("a\xff" "b")) == "\"a" + replacement + "b\"");
  CHECK(to_json(std::string("\xc3")) == "\"" + replacement + "\"");                             // truncated
  CHECK(to_json(std::string("\xc0\xaf")) == "\"" + replacement + replacement + "\"");           // overlong
  CHECK(to_json(std::string("\xed\xa0\x80")) == "\"" + replacement + replacement + replacement + "\"");  // surrogate
  CHECK(to_json(std::string("\xf4\x90\x80\x80")).size() == 2 + 4 * replacement.size());         // > U+10FFFF
  // What we write always parses again.
  auto round_trip = read<std::string>(to_json(std::string("x\xfe\xc3\xa9\n")));
  CHECK(round_trip == "x" + replacement + "\xc3\xa9\n");
}

TEST_CASE("numbers keep integer and floating point apart") {
  auto values = read<std::vector<servokit::scalar>>(R"([3, 3.0, 0.1, -7, "s", 1e300])");
  CHECK(std::holds_alternative<std::int64_t>(values[0]));
  CHECK(std::holds_alternative<double>(values[1]));
  CHECK(to_json(values) == R"([3,3,0.1,-7,"s",1e+300])");
  CHECK(to_json(std::numeric_limits<double>::quiet_NaN()) == "null");
}

TEST_CASE("a whole float just past a 64-bit integer's range is an error, not a wrapped value") {
  // Found by fuzzing: 2^63 passed the range check (INT64_MAX rounds up to 2^63 as a double) and the
  // conversion back was undefined behaviour.
  CHECK(error_of([] { read<std::int64_t>("9223372036854775808"); }) ==
        "$: expected an integer, got 9223372036854775808");
  CHECK(error_of([] { read<std::int64_t>("9.223372036854775808e18"); }).starts_with("$: expected an integer"));
  CHECK(error_of([] { read<std::uint64_t>("1.8446744073709552e19"); }).starts_with("$: expected an integer"));
  CHECK(read<std::int64_t>("-9.223372036854775808e18") == std::numeric_limits<std::int64_t>::min());
  CHECK(read<std::uint64_t>("9223372036854775808") == 9223372036854775808u);
  CHECK(read<std::int32_t>("2147483647.0") == 2147483647);
  CHECK(error_of([] { read<std::int32_t>("2147483648.0"); }).starts_with("$: expected an integer"));
}

TEST_CASE("a double beyond the 64-bit integers is written in a form servokit reads back") {
  // Found by fuzzing: 2^64 was written as 18446744073709551616, which simdjson refuses.
  CHECK(to_json(0x1p64) == "1.8446744073709552e+19");
  CHECK(read<double>(to_json(0x1p64)) == 0x1p64);
  CHECK(read<double>(to_json(-9223372036854777856.0)) == -9223372036854777856.0);
  CHECK(to_json(1e21) == "1e+21");
  CHECK(to_json(123456789012.0) == "123456789012");
}

TEST_CASE("a metric list reads from a list or from a map's keys") {
  auto from_list = read<servokit::measure_request>(R"({"metrics": ["a", "b"]})");
  auto from_map = read<servokit::measure_request>(R"({"metrics": {"a": {"unit": "s"}, "b": {}}})");
  CHECK(from_list.metric_names() == std::vector<std::string>{"a", "b"});
  CHECK(from_map.metric_names() == std::vector<std::string>{"a", "b"});
  CHECK(error_of([] { read<servokit::measure_request>(R"({"metrics": "a"})"); }) ==
        R"($.metrics: expected a list of metric names, got "a")");
}

TEST_CASE("durations may be numbers or numeric strings; past is delay's alias") {
  auto request = read<servokit::measure_request>(
      R"({"control": {"duration": "120", "warmup": 5, "past": 30, "userdata": {"k": [1]}, "cmd_uid": "x"}})");
  auto control = request.control_or_default();
  CHECK(control.duration_seconds() == 120);
  CHECK(control.warmup_seconds() == 5);
  CHECK(control.delay_seconds() == 30);
  CHECK(control.userdata->text() == R"({"k":[1]})");
}

TEST_CASE("a measure request's control keeps every key as received, for those who pass them on") {
  auto request = read<servokit::measure_request>(R"({"control": {"duration": 2, "custom": {"k": 2.0}, "cmd_uid": "u"}})");
  REQUIRE(request.control.has_value());
  CHECK(request.control->duration_seconds() == 2);
  CHECK(request.control->as_received.text() == R"({"duration":2,"custom":{"k":2.0},"cmd_uid":"u"})");
  CHECK(to_json(*request.control) == R"({"duration":2})");  // writing is by the declared members
}
