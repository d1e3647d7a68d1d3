// The optimize layer's inputs: the `optimization:` section of config.yaml (errors with file, line
// and key) and the objective over metrics (expressions by muparser, constraints, never a NaN).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <servokit/config.hpp>
#include <servokit/optimize/objective.hpp>

namespace opt = servokit::optimize;
using servokit::config::document;
using servokit::ordered_map;

// Checks that `text` holds `part`, and shows the whole text when it does not.
#define CHECK_CONTAINS(text, part)                                             \
  do {                                                                         \
    const std::string checked_text = (text);                                   \
    CHECK_MESSAGE(checked_text.find(part) != std::string::npos, checked_text); \
  } while (false)

namespace {

opt::optimization_config section_of(const std::string& yaml) {
  return document::parse(yaml, "config.yaml").section<opt::optimization_config>("optimization");
}

std::string config_error_of(const std::string& yaml) {
  try {
    section_of(yaml);
  } catch (const servokit::config::error& failure) {
    return failure.what();
  }
  return "no error";
}

opt::objective objective_of(const std::string& yaml) { return opt::objective(section_of(yaml)); }

}  // namespace

TEST_CASE("the optimization section reads as the issue writes it") {
  auto config = section_of(R"yaml(
optimization:
  objective: {metric: latency, goal: minimize}
  constraints: [{metric: error_rate, max: 0.01}, {metric: throughput, min: 100}]
  budget: 30
  seed: 1
  control: {duration: 60, warmup: 10}
)yaml");
  CHECK(*config.objective.metric == "latency");
  CHECK(config.objective.goal == "minimize");
  REQUIRE(config.constraints->size() == 2);
  CHECK((*config.constraints)[0].metric == "error_rate");
  CHECK(*(*config.constraints)[0].max == 0.01);
  CHECK(*(*config.constraints)[1].min == 100);
  CHECK(*config.budget == 30);
  CHECK(*config.seed == 1);
  CHECK(config.control->text() == R"({"duration":60,"warmup":10})");

  auto expression = section_of("optimization:\n  objective: {expression: \"throughput / cost\", goal: maximize}\n");
  CHECK(*expression.objective.expression == "throughput / cost");
  CHECK_FALSE(expression.constraints.has_value());
}

TEST_CASE("a bad optimization section is one error naming file, line and key") {
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {metric: latency, goal: minimize}\n  budjet: 30\n"), "config.yaml:3:");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {metric: latency, goal: minimize}\n  budjet: 30\n"), "unknown key \"budjet\"");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective:\n    metric: latency\n    goal: fastest\n"), "config.yaml:4:11: optimization.objective.goal: goal must be \"minimize\" or \"maximize\", got \"fastest\"");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {metric: a, expression: a + b, goal: minimize}\n"), "exactly one of \"metric\"");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {goal: minimize}\n"), "exactly one of \"metric\"");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective:\n    expression: \"throughput / \"\n    goal: maximize\n"), "config.yaml:3:17: optimization.objective.expression: the expression \"throughput / \" does not parse");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {metric: a, goal: minimize}\n  constraints:\n    - {metric: b}\n"), "config.yaml:4:7: optimization.constraints[0]: a constraint on \"b\" needs \"min\", \"max\" or both");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {metric: a, goal: minimize}\n  constraints: [{metric: b, min: 5, max: 1}]\n"), "min 5 is above max 1");
  CHECK_CONTAINS(config_error_of("optimization:\n  objective: {metric: a, goal: minimize, weight: 2}\n"), "unknown key \"weight\"");
  CHECK_CONTAINS(config_error_of("optimization:\n  budget: 3\n"), "missing required key \"objective\"");
}

TEST_CASE("an objective built in code checks the same rules") {
  opt::optimization_config config;
  config.objective.metric = "latency";
  config.objective.goal = "minimise";
  CHECK_THROWS_WITH_AS(opt::objective{config}, doctest::Contains("optimization.objective.goal: goal must be"), opt::error);
  config.objective.goal = "minimize";
  config.objective.metric.reset();
  config.objective.expression = "2 * (a";
  CHECK_THROWS_WITH_AS(opt::objective{config}, doctest::Contains("does not parse"), opt::error);
  config.objective.expression = "2 + 3";
  CHECK_THROWS_WITH_AS(opt::objective{config}, doctest::Contains("reads no metric"), opt::error);
}

TEST_CASE("the metrics an objective reads, and unknown ones named before any trial") {
  auto objective = objective_of(R"yaml(
optimization:
  objective: {expression: "throughput / cost + latency.p99 * 0", goal: maximize}
  constraints: [{metric: cost, max: 10}, {metric: error_rate, max: 0.01}]
)yaml");
  CHECK(objective.maximize());
  CHECK(objective.metrics() == std::vector<std::string>{"cost", "latency.p99", "throughput", "error_rate"});
  servokit::metric_descriptors offered;
  offered["throughput"];
  offered["cost"];
  CHECK_THROWS_WITH_AS(objective.check_metrics(offered),
                       "optimization: unknown metrics \"latency.p99\", \"error_rate\" (the measure driver offers: throughput, cost)",
                       opt::error);
  offered["latency.p99"];
  offered["error_rate"];
  CHECK_NOTHROW(objective.check_metrics(offered));
  CHECK(objective.describe() == "maximize throughput / cost + latency.p99 * 0");
}

TEST_CASE("evaluating a measurement: a value, or infeasible with a reason, never NaN") {
  auto objective = objective_of(R"yaml(
optimization:
  objective: {expression: "throughput / cost", goal: maximize}
  constraints: [{metric: error_rate, max: 0.01}, {metric: throughput, min: 100}]
)yaml");
  auto ok = objective.evaluate({{"throughput", 300}, {"cost", 4}, {"error_rate", 0}});
  CHECK(ok.status == opt::trial_status::ok);
  CHECK(*ok.value == 75);

  auto division = objective.evaluate({{"throughput", 300}, {"cost", 0}, {"error_rate", 0}});
  CHECK(division.status == opt::trial_status::infeasible);
  CHECK_FALSE(division.value.has_value());
  CHECK_CONTAINS(division.reason, "division by zero");
  auto zero_by_zero = objective_of("optimization:\n  objective: {expression: \"a / b\", goal: minimize}\n").evaluate({{"a", 0}, {"b", 0}});
  CHECK(zero_by_zero.status == opt::trial_status::infeasible);
  CHECK_CONTAINS(zero_by_zero.reason, "NaN");

  auto missing = objective.evaluate({{"throughput", 300}, {"error_rate", 0}});
  CHECK(missing.status == opt::trial_status::infeasible);
  CHECK(missing.reason == "the measurement has no metric \"cost\"");

  auto not_a_number = objective.evaluate({{"throughput", std::nan("")}, {"cost", 4}, {"error_rate", 0}});
  CHECK(not_a_number.status == opt::trial_status::infeasible);
  CHECK_CONTAINS(not_a_number.reason, "\"throughput\" is null, not a finite number");

  auto too_many_errors = objective.evaluate({{"throughput", 300}, {"cost", 4}, {"error_rate", 0.05}});
  CHECK(too_many_errors.status == opt::trial_status::infeasible);
  CHECK(too_many_errors.reason == "constraint error_rate <= 0.01 broken: 0.05");
  CHECK(*too_many_errors.value == 75);   // kept for the optimizer to learn from
  auto too_slow = objective.evaluate({{"throughput", 50}, {"cost", 4}, {"error_rate", 0}});
  CHECK(too_slow.reason == "constraint throughput >= 100 broken: 50");

  auto single = objective_of("optimization:\n  objective: {metric: latency, goal: minimize}\n");
  CHECK_FALSE(single.maximize());
  CHECK(*single.evaluate({{"latency", 0.25}, {"other", 1}}).value == 0.25);
  CHECK(opt::to_string(opt::trial_status::rejected) == "rejected");
  CHECK(opt::trial_status_from_string("infeasible") == opt::trial_status::infeasible);
  CHECK_FALSE(opt::trial_status_from_string("bogus").has_value());
}
