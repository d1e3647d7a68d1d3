// Optimizing without a service, in process: servo_loop<local_transport> runs servokit-batch (or a
// shell adjust in front of it) in a real servo directory, the backend session chooses the
// settings, and the application ends in the best configuration with a complete report.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <servokit/backend.hpp>
#include <servokit/json.hpp>
#include <servokit/servo.hpp>
#include <servokit/transport/local.hpp>

#include "servo_dir.hpp"

namespace backend = servokit::backend;
using servokit_test::log_capture;
using servokit_test::read_file;
using servokit_test::servo_dir;

namespace {

/// The job: a cost with its minimum at cpu 5 in mode "fast"; cpu 7 crashes, cpu 8 reports errors.
const char* const job_script = R"(#!/bin/sh
cpu=$1 mode=$2
[ "$cpu" = 7 ] && { echo "segfault" >&2; exit 3; }
errors=0; [ "$cpu" = 8 ] && errors=2
awk -v c="$cpu" -v m="$mode" -v e="$errors" 'BEGIN { cost = (c - 5) * (c - 5) + 1; if (m == "slow") cost += 4; print "cost: " cost; print "errors: " e }'
)";

std::string config_yaml(const std::string& objective_metric, int budget) {
  return "batch:\n"
         "  command: ./job.sh {web.cpu} {web.mode}\n"
         "  application:\n    components:\n      web:\n        settings:\n"
         "          cpu: {min: 1, max: 8, step: 1, default: 1}\n"
         "          mode: {type: enum, values: [slow, fast, bad], default: slow}\n"
         "  metrics:\n"
         "    cost: {output_regex: '^cost: (\\S+)$'}\n"
         "    errors: {output_regex: '^errors: (\\d+)$'}\n"
         "optimization:\n"
         "  objective: {metric: " + objective_metric + ", goal: minimize}\n"
         "  constraints: [{metric: errors, max: 0}]\n"
         "  budget: " + std::to_string(budget) + "\n"
         "  seed: 3\n"
         "  control: {duration: 0}\n";
}

/// A servo directory with servokit-batch as both drivers.
void set_up(const servo_dir& dir, const std::string& objective_metric, int budget) {
  const std::string program = std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-batch";
  std::filesystem::create_symlink(program, dir.path() / "adjust");
  std::filesystem::create_symlink(program, dir.path() / "measure");
  dir.script("job.sh", job_script);
  dir.write("config.yaml", config_yaml(objective_metric, budget));
}

struct run_result {
  int exit_code;
  std::optional<std::string> failure;
  std::vector<backend::trial_record> trials;
  backend::best_summary best;
};

run_result optimize(const servo_dir& dir, log_capture& log, const std::string& study, std::optional<std::filesystem::path> report) {
  auto options = servokit_test::test_options(dir, log);
  backend::option_overrides overrides;
  overrides.report_directory = std::move(report);
  auto session_options = backend::read_session_options((dir.path() / "config.yaml").string(), "app", overrides);
  servokit::transport::local_transport backend_in_process(std::move(session_options), study);
  servokit::servo::servo_loop loop(options, backend_in_process);
  const int code = loop.run();
  auto& session = backend_in_process.session();
  return {code, session.failure(), session.trials(), session.best()};
}

}  // namespace

TEST_CASE("servo_loop<local_transport> with servokit-batch: the budget spent, the best applied, the report whole") {
  servo_dir dir;
  set_up(dir, "cost", 14);
  log_capture log;
  const auto report = dir.path() / "report";
  const auto result = optimize(dir, log, (dir.path() / "study.sqlite").string(), report);
  INFO(log.all());
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.failure);
  REQUIRE(result.trials.size() == 14);
  CHECK(result.trials.front().settings_json == R"({"web":{"cpu":1,"mode":"slow"}})");
  CHECK(*result.trials.front().objective == doctest::Approx(21));

  // Every kind of outcome is a recorded trial and the search went on past it.
  for (const auto& trial : result.trials) {
    const bool crashes = trial.settings_json.find("\"cpu\":7") != std::string::npos;
    const bool errors = trial.settings_json.find("\"cpu\":8") != std::string::npos;
    if (crashes) {
      CHECK(trial.status == "failed");
      CHECK(trial.reason.find("segfault") != std::string::npos);
    } else if (errors) {
      CHECK(trial.status == "infeasible");
      CHECK(trial.reason.find("errors <= 0") != std::string::npos);
    } else {
      CHECK(trial.status == "ok");
    }
  }

  // The best is clearly better than the baseline, and the application was left in it.
  REQUIRE(result.best.objective);
  CHECK(*result.best.objective <= 10);
  const auto best = servokit::json::read<backend::settings_table>(result.best.settings_json);
  const std::string state = dir.read("_state.yaml");
  CHECK(state.find("\"cpu\":\n          value: " + std::to_string(std::get<std::int64_t>(best.at("web").at("cpu")))) !=
        std::string::npos);
  CHECK(state.find("value: \"" + std::get<std::string>(best.at("web").at("mode")) + "\"") != std::string::npos);

  // The report agrees with the study, line for line.
  backend::study_database study((dir.path() / "study.sqlite").string());
  const auto stored = study.trials("app");
  REQUIRE(stored.size() == 14);
  std::string expected_jsonl;
  for (const auto& trial : stored) expected_jsonl += backend::trial_json_line(trial) + "\n";
  CHECK(read_file(report / "trials.jsonl") == expected_jsonl);
  CHECK(read_file(report / "trials.csv") == backend::report_writer::csv(stored));
  CHECK(read_file(report / "best.json").find("\"settings\":" + result.best.settings_json) != std::string::npos);
  // The plot's title is data: a single-quoted gnuplot string (no backquote substitution, no
  // escapes) typeset as is.
  const std::string plot_script = read_file(report / "convergence.gp");
  CHECK(plot_script.find("set title '") != std::string::npos);
  CHECK(plot_script.find("' noenhanced\n") != std::string::npos);
}

TEST_CASE("a rejected adjust is recorded and the search goes on") {
  servo_dir dir;
  set_up(dir, "cost", 12);
  // An adjust in front of servokit-batch that refuses mode "bad", as a health check would.
  std::filesystem::remove(dir.path() / "adjust");
  dir.script("adjust", "#!/bin/sh\ncase \"$1\" in --*) exec " + std::string(SERVOKIT_TEST_BIN_DIR) +
                           "/servokit-batch --role adjust \"$@\";; esac\ninput=$(cat)\n"
                           "case \"$input\" in *'\"bad\"'*) echo '{\"status\": \"rejected\", \"reason\": \"unknown\", "
                           "\"message\": \"mode bad failed its health check\"}'; exit 1;; esac\n"
                           "printf '%s' \"$input\" | exec " + std::string(SERVOKIT_TEST_BIN_DIR) +
                           "/servokit-batch --role adjust \"$@\"\n");
  log_capture log;
  const auto result = optimize(dir, log, ":memory:", std::nullopt);
  INFO(log.all());
  REQUIRE(result.trials.size() == 12);
  int rejected = 0;
  for (const auto& trial : result.trials) {
    if (trial.settings_json.find("\"bad\"") == std::string::npos) continue;
    ++rejected;
    CHECK(trial.status == "rejected");
    CHECK(trial.reason.find("health check") != std::string::npos);
    CHECK(trial.metrics_json == "{}");
  }
  CHECK(rejected > 0);
  CHECK(result.trials.back().number == 12);
  CHECK(result.best.settings_json.find("bad") == std::string::npos);
}

TEST_CASE("an objective naming a metric the measure driver does not offer is refused before any trial") {
  servo_dir dir;
  set_up(dir, "latency", 5);
  log_capture log;
  const auto result = optimize(dir, log, ":memory:", std::nullopt);
  REQUIRE(result.failure);
  CHECK(result.failure->find("unknown metric \"latency\" (the measure driver offers: total_runtime, cost, errors)") !=
        std::string::npos);
  CHECK(result.trials.empty());
  CHECK_FALSE(dir.has("_state.yaml"));   // nothing was adjusted
  CHECK(log.has("DESCRIBE"));
}

TEST_CASE("a measure driver whose metric is not an object: each trial fails with the decode error, the study ends") {
  // Before: the backend answered "invalid" and kept the phase, and the agent re-measured forever.
  servo_dir dir;
  set_up(dir, "cost", 4);
  std::filesystem::remove(dir.path() / "measure");
  dir.script("measure", "#!/bin/sh\ncase \"$1\" in --*) exec " + std::string(SERVOKIT_TEST_BIN_DIR) +
                            "/servokit-batch --role measure \"$@\";; esac\ncat > /dev/null\n"
                            "echo '{\"status\": \"ok\", \"metrics\": {\"cost\": 5}}'\n");
  log_capture log;
  auto options = servokit_test::test_options(dir, log);
  auto session_options = backend::read_session_options((dir.path() / "config.yaml").string(), "app");
  servokit::transport::local_transport backend_in_process(std::move(session_options), ":memory:");
  servokit::servo::servo_loop loop(options, backend_in_process);
  // A watchdog, so that a regression fails the test instead of hanging it.
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    for (int i = 0; i < 1200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!done) loop.request_stop(servokit::servo::stop_request::terminate, "the test's watchdog");
  });
  const int code = loop.run();
  done = true;
  watchdog.join();
  INFO(log.all());
  CHECK(code == 0);
  auto& session = backend_in_process.session();
  CHECK(session.finished());
  CHECK_FALSE(session.failure());
  const auto trials = session.trials();
  REQUIRE(trials.size() == 4);
  for (const auto& trial : trials) {
    CHECK(trial.status == "failed");
    CHECK(trial.reason == "MEASUREMENT: the result could not be read: $.metrics.cost: expected an object, got 5");
  }
  CHECK(log.has("could not be read"));   // the agent was told, in its log
}

TEST_CASE("a study locked by another process past the busy timeout: the agent retries the result, nothing is lost") {
  // Before: the exception ended the study, and the agent was told "ok".
  servo_dir dir;
  set_up(dir, "cost", 3);
  const auto study = dir.path() / "study.sqlite";
  // The second measurement's driver has another process hold the study's write lock for 7 s
  // (the busy timeout is 5 s) and waits until it does before it prints its result.
  std::filesystem::remove(dir.path() / "measure");
  dir.script("measure", "#!/bin/sh\ncase \"$1\" in --*) exec " + std::string(SERVOKIT_TEST_BIN_DIR) +
                            "/servokit-batch --role measure \"$@\";; esac\n"
                            "n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs\n"
                            "if [ $n = 2 ]; then\n"
                            "  setsid python3 -c 'import sqlite3, time, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                            "c.execute(\"BEGIN IMMEDIATE\"); open(\"locked\", \"w\").close(); time.sleep(7); c.execute(\"ROLLBACK\")' '" +
                            study.string() + "' < /dev/null > /dev/null 2>&1 &\n"
                            "  while [ ! -e locked ]; do sleep 0.05; done\nfi\n"
                            "exec " + std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-batch --role measure \"$@\"\n");
  log_capture log;
  const auto result = optimize(dir, log, study.string(), std::nullopt);
  INFO(log.all());
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.failure);
  REQUIRE(result.trials.size() == 3);
  for (std::int64_t i = 0; i < 3; ++i) CHECK(result.trials[static_cast<std::size_t>(i)].number == i + 1);
  CHECK(log.has("the study cannot be written now"));
  CHECK(log.has("database is locked"));
  CHECK(log.has("retrying"));
}

TEST_CASE("an adjust driver whose description has a type error: refused once with the reason, the loop ends") {
  // Before: answered "invalid" with the phase kept: DESCRIBE again, and again, silently.
  servo_dir dir;
  set_up(dir, "cost", 4);
  std::filesystem::remove(dir.path() / "adjust");
  dir.script("adjust", "#!/bin/sh\ncase \"$1\" in --query) echo '{\"application\": {\"components\": {\"web\": {\"settings\": "
                           "{\"cpu\": {\"min\": \"one\", \"max\": 8, \"step\": 1, \"value\": 1}}}}}}'; exit 0;; esac\nexec " +
                           std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-batch --role adjust \"$@\"\n");
  log_capture log;
  auto options = servokit_test::test_options(dir, log);
  auto session_options = backend::read_session_options((dir.path() / "config.yaml").string(), "app");
  servokit::transport::local_transport backend_in_process(std::move(session_options), ":memory:");
  servokit::servo::servo_loop loop(options, backend_in_process);
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    for (int i = 0; i < 1200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!done) loop.request_stop(servokit::servo::stop_request::terminate, "the test's watchdog");
  });
  loop.run();
  done = true;
  watchdog.join();
  INFO(log.all());
  const auto failure = backend_in_process.session().failure();
  REQUIRE(failure);
  CHECK(failure->find("$.descriptor.application.components.web.settings.cpu.min") != std::string::npos);
  CHECK(backend_in_process.session().trials().empty());
  int describes = 0;
  for (const auto& line : log.lines) describes += line.find("DESCRIBE") != std::string::npos ? 1 : 0;
  CHECK(describes >= 1);
  CHECK(describes <= 2);   // asked once (and its log line), not again and again
}
