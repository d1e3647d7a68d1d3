// The config layer: config.yaml mapped onto declared structs, with errors naming file, line, key.
#include <doctest/doctest.h>

#include <cstdlib>

#include <servokit/config.hpp>
#include <servokit/json.hpp>
#include <servokit/protocol.hpp>

#include "temp_dir.hpp"

namespace {

struct metric_rule {
  BOOST_HANA_DEFINE_STRUCT(metric_rule,
    (std::string, output_regex),
    (std::optional<std::string>, unit));
};

struct job_config {
  BOOST_HANA_DEFINE_STRUCT(job_config,
    (std::string, command),
    (std::optional<double>, expected_duration),
    (std::optional<bool>, verbose),
    (std::optional<servokit::ordered_map<metric_rule>>, metrics),
    (std::optional<servokit::raw_json>, annotations));
};

struct optional_config {
  BOOST_HANA_DEFINE_STRUCT(optional_config,
    (std::optional<double>, grace_period),
    (std::optional<bool>, force_cancel));
};

std::string config_error_of(auto load) {
  try {
    load();
  } catch (const servokit::config::error& failure) {
    return failure.what();
  }
  return "(no error)";
}

}  // namespace

using servokit::config::document;

TEST_CASE("a driver's section maps onto its config struct") {
  auto config = document::parse(R"yaml(other: {x: 1}
batch:
  command: ./run --cpu {cpu}
  expected_duration: 30
  verbose: yes
  metrics:
    rps:
      output_regex: 'rps: (\d+)'
      unit: rps
    latency: {output_regex: "p99 (\\d+)"}
  annotations: {team: perf, count: 3, tags: [a, "2"], on: true}
)yaml", "config.yaml").section<job_config>("batch");
  CHECK(config.command == "./run --cpu {cpu}");
  CHECK(config.expected_duration == 30);
  CHECK(config.verbose == true);
  REQUIRE(config.metrics.has_value());
  CHECK(config.metrics->begin()->first == "rps");  // file order is kept
  CHECK(config.metrics->at("rps").output_regex == R"(rps: (\d+))");
  CHECK(config.metrics->at("latency").output_regex == R"(p99 (\d+))");
  CHECK_FALSE(config.metrics->at("latency").unit.has_value());
  CHECK(config.annotations->text() == R"({"team":"perf","count":3,"tags":["a","2"],"on":true})");
}

TEST_CASE("errors name the file, line, column, key path and expected type") {
  const std::string text = "batch:\n  command: run\n  metrics:\n    rps:\n      output_regex: [1, 2]\n";
  CHECK(config_error_of([&] { document::parse(text, "config.yaml").section<job_config>("batch"); }) ==
        "config.yaml:5:21: batch.metrics.rps.output_regex: expected a string, got a list");
  CHECK(config_error_of([] {
          document::parse("batch:\n  command: run\n  expected_duration: soon\n", "c.yaml").section<job_config>("batch");
        }) == "c.yaml:3:22: batch.expected_duration: expected a number, got \"soon\"");
}

TEST_CASE("unknown keys are errors that list the known ones") {
  CHECK(config_error_of([] {
          document::parse("batch:\n  command: run\n  comand: typo\n", "config.yaml").section<job_config>("batch");
        }) ==
        "config.yaml:3:11: batch.comand: unknown key \"comand\" (expected one of: command, expected_duration, "
        "verbose, metrics, annotations)");
}

TEST_CASE("invalid YAML names the file, line and column") {
  // The seed README's own example: "\." is not a YAML escape inside double quotes.
  auto message = config_error_of([] {
    document::parse("batch:\n  metrics:\n    m:\n      output_regex: \"Job took (\\.d) seconds\"\n", "config.yaml");
  });
  CHECK(message.starts_with("config.yaml:4:"));
  CHECK(message.find("not valid YAML: unknown escape character") != std::string::npos);
}

TEST_CASE("a missing section or file gives defaults when the struct allows, else an error") {
  auto parsed = document::parse("other: {}\n", "config.yaml");
  auto defaults = parsed.section<optional_config>("magg");
  CHECK_FALSE(defaults.grace_period.has_value());
  CHECK(config_error_of([&] { parsed.section<job_config>("batch"); }) ==
        "config.yaml: has no \"batch\" section (missing required key \"command\")");
  CHECK(config_error_of([] { document::parse("batch:\n", "config.yaml").section<job_config>("batch"); }) ==
        "config.yaml: the \"batch\" section is empty (missing required key \"command\")");

  servokit_test::temp_dir dir;
  auto missing = (dir / "config.yaml").string();
  CHECK_FALSE(document::load(missing).exists());
  CHECK_FALSE(servokit::config::load_section<optional_config>("magg", missing).force_cancel.has_value());
  CHECK(config_error_of([&] { servokit::config::load_section<job_config>("batch", missing); }) ==
        missing + ": not found, and the \"batch\" section is required (missing required key \"command\")");
}

TEST_CASE("an unreadable config file is an error naming it") {
  servokit_test::temp_dir dir;
  std::filesystem::create_directory(dir / "config.yaml");  // a directory cannot be read as a file
  auto path = (dir / "config.yaml").string();
  auto message = config_error_of([&] { servokit::config::load_section<optional_config>("magg", path); });
  CHECK(message.starts_with(path + ": cannot "));
}

TEST_CASE("$OPTUNE_CONFIG overrides ./config.yaml") {
  servokit_test::temp_dir dir;
  auto file = dir.write("elsewhere.yaml", "batch:\n  command: from-env\n");
  ::setenv("OPTUNE_CONFIG", file.c_str(), 1);
  CHECK(servokit::config::default_path() == file.string());
  CHECK(servokit::config::load_section<job_config>("batch").command == "from-env");
  ::setenv("OPTUNE_CONFIG", "", 1);
  CHECK(servokit::config::default_path() == "./config.yaml");
  ::unsetenv("OPTUNE_CONFIG");
}

TEST_CASE("quoted scalars stay strings; plain ones take their natural type") {
  auto app = document::parse(R"(d:
  components:
    web:
      settings:
        replicas: {min: 1, max: 8, step: 1, value: 3}
        version: {type: enum, values: ["3", 4.5, c5.large], value: "3"}
)", "config.yaml").section<servokit::application>("d");
  const auto& settings = app.components.at("web").settings;
  CHECK(std::get<std::int64_t>(*settings.at("replicas").value) == 3);
  CHECK(std::get<std::string>(*settings.at("version").value) == "3");
  CHECK(servokit::json::to_json(*settings.at("version").values) == R"(["3",4.5,"c5.large"])");
}

TEST_CASE("an alias inside its own anchor, or aliases multiplying, are errors, not a crash or a hang") {
  // Found by fuzzing: `&a [*a]` made every reader recurse until the stack overflowed.
  const auto self_reference = config_error_of([] {
    document::parse("x: &a [1, *a]\n", "config.yaml").section<servokit::raw_json>("x");
  });
  CHECK(self_reference == "config.yaml:1:8: values nested more than 256 deep (is an alias inside its own anchor?)");
  CHECK(config_error_of([] {
          document::parse("x: {command: c, annotations: &b {c: 1, d: *b}}\n", "config.yaml").section<job_config>("x");
        }).find("nested more than 256 deep") != std::string::npos);
  std::string bomb = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int level = 1; level <= 7; ++level) {
    const std::string previous = "*a" + std::to_string(level - 1);
    bomb += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", " : "") + previous;
    bomb += "]\n";
  }
  bomb += "x: {annotations: *a7}\n";
  CHECK(config_error_of([&] { document::parse(bomb, "config.yaml").section<servokit::raw_json>("x"); })
            .find("expands to more than 100000 values") != std::string::npos);
  // Aliases used as a config uses them still read.
  auto shared = document::parse("rule: &r {output_regex: 'x=(\\d+)'}\nx: {command: c, metrics: {a: *r, b: *r}}\n",
                                "config.yaml")
                    .section<job_config>("x");
  CHECK(shared.metrics->at("b").output_regex == "x=(\\d+)");
}
