// The checked readers for values from outside: seconds and the token file.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <doctest/doctest.h>

#include <servokit/text/seconds.hpp>
#include <servokit/text/token_file.hpp>

#include "temp_dir.hpp"

using servokit::checked_seconds;
using servokit::max_seconds;
using servokit::parse_seconds;
using servokit::seconds_error;

TEST_CASE("checked_seconds refuses NaN and negatives, clamps the huge, keeps the rest") {
  CHECK(checked_seconds(0, "x") == 0);
  CHECK(checked_seconds(2.5, "x") == 2.5);
  CHECK(checked_seconds(1e300, "x") == max_seconds);
  CHECK(checked_seconds(std::numeric_limits<double>::infinity(), "x") == max_seconds);
  CHECK_THROWS_WITH_AS(checked_seconds(std::nan(""), "SLEEP duration"),
                       "SLEEP duration: expected a number of seconds (0 or more), got NaN", seconds_error);
  CHECK_THROWS_WITH_AS(checked_seconds(-1, "$SERVO_RETRY_DELAY_SEC"),
                       "$SERVO_RETRY_DELAY_SEC: expected a number of seconds (0 or more), got -1", seconds_error);
}

TEST_CASE("parse_seconds reads decimals, exponents and blanks, and names the source on garbage") {
  CHECK(parse_seconds("2.5", "x") == 2.5);
  CHECK(parse_seconds(" 30\n", "x") == 30);
  CHECK(parse_seconds("+4", "x") == 4);
  CHECK(parse_seconds("1e3", "x") == 1000);
  CHECK(parse_seconds("1e400", "x") == max_seconds);
  CHECK(parse_seconds("1e-400", "x") == 0);
  CHECK(parse_seconds("inf", "x") == max_seconds);
  CHECK_THROWS_AS(parse_seconds("nan", "x"), seconds_error);
  CHECK_THROWS_AS(parse_seconds("-1e400", "x"), seconds_error);
  CHECK_THROWS_AS(parse_seconds("-0.5", "x"), seconds_error);
  CHECK_THROWS_WITH_AS(parse_seconds("2.5s", "$OPTUNE_IO_TIMEOUT"),
                       "$OPTUNE_IO_TIMEOUT: expected a number of seconds (0 or more), got \"2.5s\"", seconds_error);
  CHECK_THROWS_AS(parse_seconds("", "x"), seconds_error);
  CHECK_THROWS_AS(parse_seconds("  ", "x"), seconds_error);
}

TEST_CASE("the longest checked duration converts to nanoseconds without overflow") {
  const auto longest = servokit::to_duration<std::chrono::nanoseconds>(checked_seconds(1e300, "x"));
  CHECK(longest == std::chrono::seconds(1'000'000'000));
  CHECK(servokit::to_duration<std::chrono::milliseconds>(2.5) == std::chrono::milliseconds(2500));
}

TEST_CASE("read_token_file trims blanks around the token and refuses what no header can carry") {
  servokit_test::temp_dir dir;
  const auto write = [&](const std::string& content) {
    const auto path = dir.path() / "token";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path.string();
  };
  CHECK(servokit::read_token_file(write("abc123\n")) == "abc123");
  CHECK(servokit::read_token_file(write("  abc123 \r\n\n")) == "abc123");
  CHECK_THROWS_AS(servokit::read_token_file(write(" \n")), servokit::token_file_error);
  CHECK_THROWS_AS(servokit::read_token_file(write("abc\n123\n")), servokit::token_file_error);
  CHECK_THROWS_AS(servokit::read_token_file(write("abc 123")), servokit::token_file_error);
  try {
    servokit::read_token_file((dir.path() / "absent").string());
    FAIL("no error for a missing file");
  } catch (const servokit::token_file_error& error) {
    CHECK(std::string(error.what()).find("absent") != std::string::npos);
  }
  // The message never quotes the content.
  try {
    servokit::read_token_file(write("sec ret"));
    FAIL("no error for an inner blank");
  } catch (const servokit::token_file_error& error) {
    CHECK(std::string(error.what()).find("sec") == std::string::npos);
  }
}
