// Several servos of one app against one servokit-optimizer (SQLite study): each runs its own trial
// at once with a different configuration, optimization.parallel caps them, a vanished servo's trial
// goes to another after optimization.trial_timeout, a late result counts once, and the study ends
// with exactly `budget` trials.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include <servokit/backend/confirmation.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/http/client.hpp>

#include "optimizer_process.hpp"
#include "simulated_servo.hpp"
#include "temp_dir.hpp"

namespace backend = servokit::backend;
using servokit_test::optimizer_process;
using servokit_test::read_file;
using servokit_test::run_simulated_servo;
using servokit_test::simulated_servo_options;
using servokit_test::simulated_servo_result;
using servokit_test::temp_dir;

namespace {

const std::string description = R"({"status": "ok", "descriptor": {
  "application": {"components": {"web": {"settings": {
    "cpu": {"type": "range", "min": 1, "max": 16, "step": 1, "value": 2},
    "mem": {"type": "range", "min": 1, "max": 16, "step": 1, "value": 2}}}}},
  "measurement": {"metrics": {"cost": {"unit": "s"}}}}})";

std::string measure_cost(simdjson::dom::element components) {
  const double cpu = static_cast<double>(components["web"]["settings"]["cpu"]["value"].get_int64().value());
  const double mem = static_cast<double>(components["web"]["settings"]["mem"]["value"].get_int64().value());
  const double cost = (cpu - 11) * (cpu - 11) + (mem - 5) * (mem - 5) + 1;
  return R"({"metrics": {"cost": {"value": )" + std::to_string(cost) + "}}}";
}

/// The config, the optimizer and its study in one directory.
struct backend_fixture {
  temp_dir dir;
  std::optional<optimizer_process> server;

  explicit backend_fixture(const std::string& extra_config) {
    dir.write("config.yaml", "optimization:\n  objective: {metric: cost, goal: minimize}\n  seed: 3\n" + extra_config);
    server.emplace(dir.path(), "optimizer",
                   std::vector<std::string>{"--config", "config.yaml", "--study", "study.sqlite", "--report", "reports"});
  }

  simulated_servo_options servo(const std::string& uid, int measure_ms = 300) const {
    simulated_servo_options options;
    options.endpoints = {server->endpoint("web")};
    options.servo_uid = uid;
    options.description = description;
    options.measure = measure_cost;
    options.measure_time = std::chrono::milliseconds(measure_ms);
    return options;
  }

  std::vector<backend::trial_record> trials() const {
    backend::sqlite_study_store store((dir / "study.sqlite").string());
    return store.trials("web");
  }
};

/// Runs `servos` at once to the end of the study.
std::vector<simulated_servo_result> run_all(const std::vector<simulated_servo_options>& servos) {
  std::vector<simulated_servo_result> results(servos.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < servos.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = run_simulated_servo(servos[i]); });
  }
  for (auto& thread : threads) thread.join();
  return results;
}

/// The most trials that ran at one moment, from their start and finish times.
int most_at_once(const std::vector<backend::trial_record>& trials) {
  int most = 0;
  for (const auto& trial : trials) {
    int at_once = 0;
    for (const auto& other : trials) at_once += other.started <= trial.started && trial.started < other.finished ? 1 : 0;
    most = std::max(most, at_once);
  }
  return most;
}

/// Every trial number from 1 to `budget` exactly once.
void check_numbers(const std::vector<backend::trial_record>& trials, std::int64_t budget) {
  REQUIRE(static_cast<std::int64_t>(trials.size()) == budget);
  for (std::int64_t i = 0; i < budget; ++i) CHECK(trials[static_cast<std::size_t>(i)].number == i + 1);
}

}  // namespace

TEST_CASE("four servos of one app run four trials at once, each a different configuration, budget trials in all") {
  backend_fixture backend_server("  budget: 12\n");
  std::vector<simulated_servo_options> servos;
  for (const char* uid : {"servo-a", "servo-b", "servo-c", "servo-d"}) servos.push_back(backend_server.servo(uid));
  const auto results = run_all(servos);
  INFO("server: " << backend_server.server->log());
  for (const auto& result : results) {
    CHECK(result.finished);
    CHECK(result.error_replies == 0);
  }
  const auto trials = backend_server.trials();
  check_numbers(trials, 12);
  // Trials that overlap never share a configuration.
  for (const auto& trial : trials) {
    for (const auto& other : trials) {
      if (&trial == &other || !(other.started < trial.finished && trial.started < other.finished)) continue;
      CHECK_MESSAGE(trial.settings_json != other.settings_json, "trials " << trial.number << " and " << other.number);
    }
  }
  CHECK(most_at_once(trials) >= 3);
  std::set<std::string> servos_seen;
  for (const auto& trial : trials) servos_seen.insert(trial.servo_uid);
  CHECK(servos_seen.size() >= 3);

  // The report shows it too: every trial once, with overlapping start and finish times.
  const std::string report = read_file(backend_server.dir / "reports" / "web" / "trials.jsonl");
  std::vector<backend::trial_record> reported;
  simdjson::dom::parser parser;
  std::size_t start = 0;
  for (std::size_t end; (end = report.find('\n', start)) != std::string::npos; start = end + 1) {
    simdjson::dom::element line = parser.parse(report.substr(start, end - start));
    backend::trial_record record;
    record.number = line["trial"].get_int64().value();
    record.started = line["started"].get_double().value();
    record.finished = line["finished"].get_double().value();
    reported.push_back(record);
  }
  std::sort(reported.begin(), reported.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  check_numbers(reported, 12);
  CHECK(most_at_once(reported) >= 3);
}

TEST_CASE("optimization.parallel: 2 keeps two trials at once; the other servos sleep meanwhile") {
  backend_fixture backend_server("  budget: 8\n  parallel: 2\n");
  std::vector<simulated_servo_options> servos;
  for (const char* uid : {"servo-a", "servo-b", "servo-c", "servo-d"}) servos.push_back(backend_server.servo(uid, 200));
  const auto results = run_all(servos);
  INFO("server: " << backend_server.server->log());
  for (const auto& result : results) CHECK(result.finished);
  const auto trials = backend_server.trials();
  check_numbers(trials, 8);
  CHECK(most_at_once(trials) == 2);
}

TEST_CASE("a vanished servo's trial is run by another after trial_timeout; its late result is recorded once") {
  backend_fixture backend_server("  budget: 5\n  trial_timeout: 1\n");
  // The servo that vanishes: it takes trial 1 to its MEASURE, then says nothing.
  servokit::http::client client;
  const auto post = [&](const std::string& body) {
    servokit::http::request request;
    request.method = "POST";
    request.url = backend_server.server->endpoint("web");
    request.body = body;
    request.headers.emplace_back("Content-Type", "application/json");
    return client.perform(request).body;
  };
  simdjson::dom::parser parser;
  const auto command_of = [&](const std::string& reply) {
    simdjson::dom::element parsed = parser.parse(reply);
    return std::pair<std::string, std::string>(std::string(parsed["cmd"].get_string().value()),
                                               parsed["cmd_uid"].error() ? "" : std::string(parsed["cmd_uid"].get_string().value()));
  };
  const std::string envelope_end = R"(, "servo_uid": "servo-lost"})";
  post(R"({"event": "HELLO", "param": {})" + envelope_end);
  auto [describe, describe_uid] = command_of(post(R"({"event": "WHATS_NEXT", "param": null)" + envelope_end));
  REQUIRE(describe == "DESCRIBE");
  post(R"({"event": "DESCRIPTION", "cmd_uid": ")" + describe_uid + R"(", "param": )" + description + envelope_end);
  auto [adjust, adjust_uid] = command_of(post(R"({"event": "WHATS_NEXT", "param": null)" + envelope_end));
  REQUIRE(adjust == "ADJUST");
  post(R"({"event": "ADJUSTMENT", "cmd_uid": ")" + adjust_uid + R"(", "param": {"status": "ok"})" + envelope_end);
  auto [measure, measure_uid] = command_of(post(R"({"event": "WHATS_NEXT", "param": null)" + envelope_end));
  REQUIRE(measure == "MEASURE");

  // Another servo runs the whole study, trial 1 included once its lease has run out.
  const auto results = run_all({backend_server.servo("servo-b", 100)});
  INFO("server: " << backend_server.server->log());
  CHECK(results[0].finished);
  auto trials = backend_server.trials();
  check_numbers(trials, 5);
  CHECK(trials.front().servo_uid == "servo-b");
  CHECK(trials.front().settings_json == R"({"web":{"cpu":2,"mem":2}})");   // the baseline, run by servo-b

  // The lost servo comes back with its result: accepted, and not recorded a second time.
  const std::string late = post(R"({"event": "MEASUREMENT", "cmd_uid": ")" + measure_uid +
                                R"(", "param": {"metrics": {"cost": {"value": 99}}})" + envelope_end);
  CHECK(late.find("\"status\":\"ok\"") != std::string::npos);
  trials = backend_server.trials();
  check_numbers(trials, 5);
  for (const auto& trial : trials) CHECK(trial.objective != doctest::Approx(99));
  const auto next = post(R"({"event": "WHATS_NEXT", "param": null)" + envelope_end);
  CHECK(next.find("\"cmd\":\"") != std::string::npos);   // it goes on (its final adjust, or a sleep)
}

TEST_CASE("optimization.confirm with three servos: the re-measurements are handed out like trials, each once, none against the budget") {
  backend_fixture backend_server("  budget: 9\n  confirm: 2\n");
  std::vector<simulated_servo_options> servos;
  for (const char* uid : {"servo-a", "servo-b", "servo-c"}) servos.push_back(backend_server.servo(uid, 200));
  const auto results = run_all(servos);
  INFO("server: " << backend_server.server->log());
  for (const auto& result : results) {
    CHECK(result.finished);
    CHECK(result.error_replies == 0);
  }
  const auto trials = backend_server.trials();
  const std::vector<backend::trial_record> searched(trials.begin(), trials.begin() + std::min<std::ptrdiff_t>(9, std::ssize(trials)));
  const auto candidates = backend::confirmation_candidates(searched, 9, false);
  REQUIRE(candidates.size() == 4);   // the baseline and the top three
  check_numbers(trials, 9 + 4 * 2);
  std::set<std::string> confirming_servos;
  std::map<std::string, int> per_configuration;
  double search_finished = 0;
  for (const auto& trial : trials) {
    CHECK(trial.confirmation == (trial.number > 9));
    if (!trial.confirmation) search_finished = std::max(search_finished, trial.finished);
  }
  for (const auto& trial : trials) {
    if (!trial.confirmation) continue;
    confirming_servos.insert(trial.servo_uid);
    ++per_configuration[trial.settings_json];
    CHECK(trial.started >= search_finished);   // planned from the whole search
  }
  CHECK(confirming_servos.size() >= 2);
  CHECK(per_configuration.size() == 4);
  for (const auto& candidate : candidates) CHECK(per_configuration[candidate] == 2);
  const std::string best = read_file(backend_server.dir / "reports" / "web" / "best.json");
  CHECK(best.find("\"chosen_by\":\"confirmation\"") != std::string::npos);
  CHECK(best.find("\"count\":2") != std::string::npos);
}
