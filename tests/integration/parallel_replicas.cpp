// Two servokit-optimizer replicas on one PostgreSQL database (a throwaway server started by the
// test), servos sending each request to the next replica as a load balancer would; one replica is
// SIGKILLed in the middle of the study and restarted. The study ends with exactly `budget` trials,
// each once, and the report the replicas share holds every trial once.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include <servokit/backend/postgres_store.hpp>

#include "optimizer_process.hpp"
#include "postgres_cluster.hpp"
#include "simulated_servo.hpp"
#include "temp_dir.hpp"

namespace backend = servokit::backend;
using servokit_test::optimizer_process;
using servokit_test::postgres_cluster;
using servokit_test::read_file;
using servokit_test::run_simulated_servo;
using servokit_test::simulated_servo_options;
using servokit_test::simulated_servo_result;
using servokit_test::temp_dir;
using servokit_test::wait_for;

namespace {

const std::string description = R"({"status": "ok", "descriptor": {
  "application": {"components": {"db": {"settings": {
    "cache": {"type": "range", "min": 1, "max": 32, "step": 1, "value": 4},
    "mode": {"type": "enum", "values": ["a", "b", "c"], "value": "a"}}}}},
  "measurement": {"metrics": {"latency": {"unit": "ms"}}}}})";

std::string measure_latency(simdjson::dom::element components) {
  const double cache = static_cast<double>(components["db"]["settings"]["cache"]["value"].get_int64().value());
  const std::string_view mode = components["db"]["settings"]["mode"]["value"].get_string().value();
  const double latency = (cache - 20) * (cache - 20) / 10 + (mode == "b" ? 1 : 3);
  return R"({"metrics": {"latency": {"value": )" + std::to_string(latency) + "}}}";
}

/// The trial numbers in a trials.jsonl.
std::vector<std::int64_t> reported_numbers(const std::string& report) {
  std::vector<std::int64_t> numbers;
  simdjson::dom::parser parser;
  std::size_t start = 0;
  for (std::size_t end; (end = report.find('\n', start)) != std::string::npos; start = end + 1) {
    simdjson::dom::element line = parser.parse(report.substr(start, end - start));
    numbers.push_back(line["trial"].get_int64().value());
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

}  // namespace

TEST_CASE("two replicas on PostgreSQL, one SIGKILLed and restarted mid-study: exactly budget trials, each once") {
  auto* cluster = postgres_cluster::shared();
  if (!cluster) return;   // skipped, with the reason on stderr
  const std::string uri = cluster->fresh_database();
  const std::int64_t budget = 24;
  temp_dir dir;
  dir.write("config.yaml", "optimization:\n  objective: {metric: latency, goal: minimize}\n  budget: " +
                               std::to_string(budget) + "\n  seed: 5\n  trial_timeout: 5\n");
  const std::vector<std::string> arguments{"--config", "config.yaml", "--study", uri, "--report", "reports"};
  optimizer_process first(dir.path(), "first", arguments);
  optimizer_process second(dir.path(), "second", arguments);

  // Two apps, two servos each, every request to the other replica than the one before.
  const std::vector<std::string> apps{"orders", "search"};
  std::vector<simulated_servo_options> servos;
  for (const auto& app : apps) {
    for (const char* uid : {"servo-1", "servo-2"}) {
      simulated_servo_options options;
      options.endpoints = {first.endpoint(app), second.endpoint(app)};
      options.servo_uid = app + "-" + uid;
      options.description = description;
      options.measure = measure_latency;
      options.measure_time = std::chrono::milliseconds(60);
      servos.push_back(options);
    }
  }
  std::vector<simulated_servo_result> results(servos.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < servos.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = run_simulated_servo(servos[i]); });
  }

  // Midway through the first app's study, the first replica dies; a little later it is back.
  backend::postgres_study_store store(uri);
  const bool midway = wait_for([&] { return static_cast<std::int64_t>(store.trials("orders").size()) >= budget / 3; },
                               std::chrono::seconds(180));
  first.kill();
  const auto trials_at_kill = store.trials("orders").size();
  wait_for([&] { return store.trials("orders").size() >= trials_at_kill + 3; }, std::chrono::seconds(60));
  first.start();
  for (auto& thread : threads) thread.join();
  INFO("first: " << first.log() << "\nsecond: " << second.log());
  CHECK(midway);
  CHECK(trials_at_kill < static_cast<std::size_t>(budget));

  for (const auto& result : results) {
    CHECK(result.finished);
    CHECK(result.error_replies == 0);
  }
  std::int64_t failed_requests = 0;
  for (const auto& result : results) failed_requests += result.failed_requests;
  CHECK(failed_requests > 0);   // the servos did meet the dead replica, and went on through the other

  for (const auto& app : apps) {
    CAPTURE(app);
    const auto trials = store.trials(app);
    REQUIRE(static_cast<std::int64_t>(trials.size()) == budget);
    std::set<std::string> settings_seen;
    for (std::int64_t i = 0; i < budget; ++i) {
      CHECK(trials[static_cast<std::size_t>(i)].number == i + 1);
      CHECK(trials[static_cast<std::size_t>(i)].status == "ok");
    }
    CHECK(store.pending(app).empty());
    const auto summary = store.summary(app);
    REQUIRE(summary);
    CHECK(summary->state == "finished");
    // The report the replicas share: every trial once.
    std::vector<std::int64_t> expected(static_cast<std::size_t>(budget));
    for (std::int64_t i = 0; i < budget; ++i) expected[static_cast<std::size_t>(i)] = i + 1;
    CHECK(reported_numbers(read_file(dir / "reports" / app / "trials.jsonl")) == expected);
    CHECK(read_file(dir / "reports" / app / "best.json").find("\"settings\":{\"db\"") != std::string::npos);
  }
  CHECK(first.stop() == 0);
  CHECK(second.stop() == 0);
}
