// The backend session: the protocol's backend side driven by the optimizer, with the study and
// the report, talked to by an agent simulated in this file (no drivers, no processes).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include <servokit/backend.hpp>
#include <servokit/config.hpp>
#include <servokit/json.hpp>

#include "spawned_process.hpp"
#include "temp_dir.hpp"

namespace backend = servokit::backend;
namespace opt = servokit::optimize;
using servokit_test::read_file;
using servokit_test::temp_dir;

namespace {

const char* const description = R"({"status": "ok", "descriptor": {
  "application": {"components": {"job": {"settings": {
    "threads": {"type": "range", "min": 1, "max": 8, "step": 1, "value": 1},
    "mode":    {"type": "enum", "values": ["slow", "fast", "broken"], "value": "slow"}}}}},
  "measurement": {"metrics": {"total_runtime": {"unit": "s"}, "errors": {"unit": "count"}}}}})";

opt::optimization_config config_of(const std::string& yaml) {
  return servokit::config::document::parse(yaml, "config.yaml").section<opt::optimization_config>("optimization");
}

const char* const minimize_runtime = "optimization:\n  objective: {metric: total_runtime, goal: minimize}\n"
                                     "  constraints: [{metric: errors, max: 0}]\n  budget: 12\n  seed: 7\n"
                                     "  control: {duration: 5, userdata: {tag: x}}\n";

/// What the simulated application does with one configuration.
struct behaviour {
  /// The adjust result param for `threads`/`mode`, or nothing for a plain success.
  std::function<std::optional<std::string>(std::int64_t threads, const std::string& mode)> adjust;
  /// The measure result param.
  std::function<std::string(std::int64_t threads, const std::string& mode)> measure;
};

behaviour well_behaved() {
  return {[](std::int64_t, const std::string& mode) -> std::optional<std::string> {
            if (mode == "broken") return std::string(R"({"status": "rejected", "message": "health check failed"})");
            return std::nullopt;
          },
          [](std::int64_t threads, const std::string& mode) {
            if (threads == 7) return std::string(R"({"status": "failed", "message": "job crashed", "reason": "unknown"})");
            const double runtime = 10.0 / static_cast<double>(threads) + (mode == "fast" ? 0.5 : 2.0);
            const int errors = threads == 8 ? 3 : 0;   // the fastest setting breaks the constraint
            return R"({"metrics": {"total_runtime": {"value": )" + servokit::format_number(runtime) +
                   R"(, "unit": "s"}, "errors": {"value": )" + std::to_string(errors) + "}}}";
          }};
}

/// An agent in process: HELLO, then WHATS_NEXT and the command's result until SLEEP, or until
/// `stop_after` events (a crash at that point). Records every reply.
struct simulated_agent {
  backend::session& backend;
  behaviour app;
  std::vector<std::string> log;   // "EVENT -> reply"
  std::int64_t threads = 1;
  std::string mode = "slow";
  int events_sent = 0;

  std::string send(std::string_view event, std::string_view param, std::string_view uid = {}) {
    ++events_sent;
    std::string reply = backend.handle(event, param, uid);
    log.push_back(std::string(event) + " -> " + reply);
    return reply;
  }

  /// Runs until SLEEP or `max_events`; returns whether it reached SLEEP.
  bool run(int max_events = 100000) {
    send("HELLO", R"({"agent": "test/1"})");
    simdjson::dom::parser parser;
    while (events_sent < max_events) {
      const std::string reply = send("WHATS_NEXT", "null");
      simdjson::dom::element command = parser.parse(reply);
      const std::string cmd(command["cmd"].get_string().value());
      const std::string uid(command["cmd_uid"].error() ? "" : command["cmd_uid"].get_string().value());
      if (cmd == "SLEEP") return true;
      if (events_sent >= max_events) return false;
      if (cmd == "DESCRIBE") {
        send("DESCRIPTION", description, uid);
      } else if (cmd == "ADJUST") {
        auto settings = command["param"]["state"]["application"]["components"]["job"]["settings"];
        const std::int64_t wanted_threads = settings["threads"]["value"].get_int64().value();
        const std::string wanted_mode(settings["mode"]["value"].get_string().value());
        send("ADJUSTMENT", R"({"progress": 0, "message": "starting driver"})", uid);
        if (events_sent >= max_events) return false;
        auto result = app.adjust(wanted_threads, wanted_mode);
        if (!result) threads = wanted_threads, mode = wanted_mode;
        send("ADJUSTMENT", result ? *result : std::string(R"({"state": {}})"), uid);
      } else if (cmd == "MEASURE") {
        send("MEASUREMENT", R"({"progress": 50, "message": "half way"})", uid);
        if (events_sent >= max_events) return false;
        send("MEASUREMENT", app.measure(threads, mode), uid);
      }
    }
    return false;
  }
};

backend::session_options options_for(const std::string& yaml, std::optional<std::filesystem::path> report = {}) {
  backend::session_options options;
  options.app_id = "demo";
  options.config = config_of(yaml);
  options.budget = options.config.budget.value_or(30);
  options.seed = static_cast<std::uint64_t>(options.config.seed.value_or(1));
  options.report_directory = std::move(report);
  return options;
}

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

/// The settings the agent was left in, as the study spells them.
std::string applied_settings(const simulated_agent& agent) {
  return R"({"job":{"threads":)" + std::to_string(agent.threads) + R"(,"mode":")" + agent.mode + "\"}}";
}

/// The trials of the study `yaml` describes, run to its end without a crash (in memory).
std::vector<backend::trial_record> run_uninterrupted(const std::string& yaml) {
  backend::study_database study(":memory:");
  backend::session session(options_for(yaml), study);
  simulated_agent agent{session, well_behaved()};
  REQUIRE(agent.run());
  return session.trials();
}

/// How a study that crashed again and again ended.
struct crashed_runs {
  int crashes = 0;
  std::string applied;   ///< the settings the last run left the application in
};

/// Runs the study `yaml` describes on `file` again and again, each run crashing after 5 to 13
/// events in turn (so at every point of a trial: mid-adjust, mid-measure, between trials), until
/// one reaches the end. `after_crash` looks at the study after each crash. The application
/// outlives the servo: each run starts with the settings the one before left it in (a crash right
/// after the final adjust leaves it in the best configuration, with nothing left to adjust).
crashed_runs run_with_crashes(const std::string& file, const std::string& yaml, const std::filesystem::path& report,
                              const std::function<void(backend::study_database&)>& after_crash = {}) {
  crashed_runs runs;
  std::int64_t threads = 1;
  std::string mode = "slow";
  for (;;) {
    const int crash_after = 5 + runs.crashes % 9;
    backend::study_database study(file);
    backend::session session(options_for(yaml, report), study);
    simulated_agent agent{session, well_behaved()};
    agent.threads = threads;
    agent.mode = mode;
    const bool finished = agent.run(crash_after);
    threads = agent.threads;
    mode = agent.mode;
    if (finished) {
      runs.applied = applied_settings(agent);
      return runs;
    }
    ++runs.crashes;
    REQUIRE(runs.crashes < 300);
    if (after_crash) after_crash(study);
  }
}

}  // namespace

TEST_CASE("a whole study: budget spent, every kind of trial recorded, the best applied, the report complete") {
  temp_dir dir;
  backend::study_database study((dir / "study.sqlite").string());
  backend::session session(options_for(minimize_runtime, dir / "report"), study);
  simulated_agent agent{session, well_behaved()};
  REQUIRE(agent.run());
  CHECK(session.finished());
  CHECK_FALSE(session.failure());

  const auto trials = session.trials();
  REQUIRE(trials.size() == 12);
  CHECK(trials.front().number == 1);
  CHECK(trials.front().settings_json == R"({"job":{"threads":1,"mode":"slow"}})");   // the baseline first
  CHECK(trials.front().status == "ok");
  CHECK(*trials.front().objective == doctest::Approx(12.0));
  for (const auto& trial : trials) {
    if (trial.status == "ok") CHECK(trial.objective.has_value());
    if (trial.status == "failed" || trial.status == "rejected") CHECK_FALSE(trial.objective.has_value());
    if (trial.settings_json.find("broken") != std::string::npos) CHECK(trial.status == "rejected");
    if (trial.settings_json.find("\"threads\":7") != std::string::npos && trial.status != "rejected") CHECK(trial.status == "failed");
    if (trial.settings_json.find("\"threads\":8") != std::string::npos && trial.status == "ok") FAIL("errors > 0 accepted");
    if (trial.status == "infeasible") CHECK(trial.objective.has_value());   // only the constraint broke
  }

  // The last ADJUST is the best configuration, and the app is left in it.
  const auto best = session.best();
  REQUIRE(best.objective);
  CHECK(*best.objective < 12.0);
  CHECK(applied_settings(agent) == best.settings_json);
  REQUIRE(best.improvement_percent());
  CHECK(*best.improvement_percent() > 0);

  // Every reply to a progress event is ok; the MEASURE carries the objective's metrics and the control.
  bool saw_measure = false;
  for (const auto& line : agent.log) {
    if (line.find("\"cmd\":\"MEASURE\"") != std::string::npos) {
      saw_measure = true;
      CHECK(line.find(R"("metrics":["total_runtime","errors"],"control":{"duration":5,"userdata":{"tag":"x"}})") != std::string::npos);
    }
  }
  CHECK(saw_measure);

  // The report agrees with the study.
  const std::string jsonl = read_file(dir / "report" / "trials.jsonl");
  CHECK(count_lines(jsonl) == 12);
  CHECK(jsonl.rfind(R"({"trial":1,"settings":{"job":{"threads":1,"mode":"slow"}},"metrics":{"total_runtime":12,"errors":0},"objective":12,"status":"ok")", 0) == 0);
  const std::string csv = read_file(dir / "report" / "trials.csv");
  CHECK(count_lines(csv) == 13);
  CHECK(csv.rfind("trial,status,objective,job.threads,job.mode,total_runtime,errors,reason\n", 0) == 0);
  const std::string best_json = read_file(dir / "report" / "best.json");
  CHECK(best_json.find("\"settings\":" + best.settings_json) != std::string::npos);
  CHECK(best_json.find("\"baseline\":12") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "report" / "convergence.dat"));
  REQUIRE(session.wait_for_plot(std::chrono::seconds(120)));   // drawn in the background
  if (!session.plot_note()) CHECK(std::filesystem::file_size(dir / "report" / "convergence.png") > 1000);

  // Once finished, the agent is told to sleep, with the reason.
  const std::string next = session.handle("WHATS_NEXT", "null");
  CHECK(next.find("\"cmd\":\"SLEEP\"") != std::string::npos);
  CHECK(next.find("finished") != std::string::npos);
}

TEST_CASE("a study resumed after a crash at any event: no trial lost, none counted twice, the same search") {
  temp_dir dir;
  const auto uninterrupted = run_uninterrupted(minimize_runtime);   // for comparison
  const auto file = (dir / "crashing.sqlite").string();
  CHECK(run_with_crashes(file, minimize_runtime, dir / "report").crashes > 12);
  backend::study_database study(file);
  const auto resumed = study.trials("demo");
  REQUIRE(resumed.size() == uninterrupted.size());
  for (std::size_t i = 0; i < resumed.size(); ++i) {
    CHECK(resumed[i].number == static_cast<std::int64_t>(i + 1));
    CHECK(resumed[i].settings_json == uninterrupted[i].settings_json);
    CHECK(resumed[i].status == uninterrupted[i].status);
  }
  CHECK(count_lines(read_file(dir / "report" / "trials.jsonl")) == static_cast<int>(resumed.size()));
}

TEST_CASE("an objective metric the measure driver does not offer is refused before any trial") {
  backend::study_database study(":memory:");
  backend::session session(options_for("optimization:\n  objective: {metric: latency, goal: minimize}\n  budget: 5\n"), study);
  session.handle("HELLO", "{}");
  CHECK(session.handle("WHATS_NEXT", "null").find("\"cmd\":\"DESCRIBE\"") != std::string::npos);
  const std::string reply = session.handle("DESCRIPTION", description);
  CHECK(reply.find("\"status\":\"invalid\"") != std::string::npos);
  CHECK(reply.find("unknown metric \\\"latency\\\" (the measure driver offers: total_runtime, errors)") != std::string::npos);
  CHECK(session.finished());
  REQUIRE(session.failure());
  CHECK(session.trials().empty());
  CHECK(session.handle("WHATS_NEXT", "null").find("\"cmd\":\"SLEEP\"") != std::string::npos);
}

TEST_CASE("a study is refused when the objective, the seed or the settings changed, saying what changed") {
  temp_dir dir;
  const auto file = (dir / "study.sqlite").string();
  {
    backend::study_database study(file);
    backend::session session(options_for(minimize_runtime), study);
    simulated_agent agent{session, well_behaved()};
    agent.run(8);
  }
  backend::study_database study(file);
  SUBCASE("objective") {
    std::string changed = minimize_runtime;
    changed.replace(changed.find("minimize"), 8, "maximize");
    CHECK_THROWS_WITH(backend::session(options_for(changed), study),
                      doctest::Contains("was made for objective \"minimize total_runtime, errors <= 0\", the config now says \"maximize total_runtime, errors <= 0\""));
  }
  SUBCASE("seed") {
    std::string changed = minimize_runtime;
    changed.replace(changed.find("seed: 7"), 7, "seed: 8");
    CHECK_THROWS_WITH(backend::session(options_for(changed), study), doctest::Contains("made with seed 7, now 8"));
  }
  SUBCASE("settings") {
    backend::session session(options_for(minimize_runtime), study);
    session.handle("HELLO", "{}");
    session.handle("WHATS_NEXT", "null");
    std::string changed = description;
    changed.replace(changed.find("\"max\": 8"), 8, "\"max\": 16");
    const std::string reply = session.handle("DESCRIPTION", changed);
    CHECK(reply.find("job.threads: max 8 -> 16") != std::string::npos);
    CHECK(session.failure());
  }
}

TEST_CASE("events out of order, retried results and bad params") {
  backend::study_database study(":memory:");
  backend::session session(options_for(minimize_runtime), study);
  CHECK(session.handle("MEASUREMENT", R"({"metrics": {}})") ==
        R"({"status":"unexpected-event","reason":"Out of order event \"MEASUREMENT\", expected \"WHATS_NEXT\"; ignoring"})");
  session.handle("HELLO", "{}");
  const std::string describe = session.handle("WHATS_NEXT", "null");
  CHECK(session.handle("WHATS_NEXT", "null") == describe);   // a lost reply: the same command again
  CHECK(session.handle("ADJUSTMENT", R"({"state": {}})") ==
        R"({"status":"unexpected-event","reason":"Out of order event \"ADJUSTMENT\", expected \"DESCRIPTION\"; ignoring"})");
  CHECK(session.handle("DESCRIPTION", "{not json").find("\"status\":\"invalid\"") != std::string::npos);
  CHECK(session.handle("DESCRIPTION", description, "someone-else").find("unexpected-event") != std::string::npos);
  simdjson::dom::parser parser;
  const std::string uid(parser.parse(describe)["cmd_uid"].get_string().value());
  CHECK(session.handle("DESCRIPTION", description, uid) == R"({"status":"ok"})");
  CHECK(session.handle("DESCRIPTION", description, uid) == R"({"status":"ok"})");   // retried: already taken
  CHECK(session.handle("DESCRIPTION", description).find("unexpected-event") != std::string::npos);

  const std::string adjust = session.handle("WHATS_NEXT", "null");
  CHECK(adjust.find("\"cmd\":\"ADJUST\"") != std::string::npos);
  CHECK(session.handle("ADJUSTMENT", R"({"progress": 10})") == R"({"status":"ok"})");
  session.request_stop("the server is shutting down");
  CHECK(session.handle("ADJUSTMENT", R"({"progress": 20})") ==
        R"({"status":"cancel","reason":"the server is shutting down"})");
  CHECK(session.handle("ADJUSTMENT", R"({"status": "cancelled", "message": "the server is shutting down"})") ==
        R"({"status":"ok"})");
  CHECK(session.trials().empty());   // a cancelled trial is not counted
  CHECK(session.handle("WHATS_NEXT", "null").find("\"cmd\":\"SLEEP\"") != std::string::npos);
  CHECK(session.finished());
}

namespace {

/// The `cmd` and `cmd_uid` of a command reply.
std::pair<std::string, std::string> command_of(const std::string& reply) {
  simdjson::dom::parser parser;
  simdjson::dom::element parsed = parser.parse(reply);
  std::string_view cmd, uid;
  if (parsed["cmd"].get_string().get(cmd)) return {};
  if (parsed["cmd_uid"].get_string().get(uid)) uid = {};
  return {std::string(cmd), std::string(uid)};
}

const char* const small_budget = "optimization:\n  objective: {metric: total_runtime, goal: minimize}\n  budget: 4\n  seed: 3\n";

/// Drives `session` through HELLO, DESCRIBE, the baseline's ADJUST, up to its MEASURE; returns
/// the MEASURE's uid.
std::string up_to_first_measure(backend::session& session) {
  session.handle("HELLO", "{}");
  const auto [describe, describe_uid] = command_of(session.handle("WHATS_NEXT", "null"));
  REQUIRE(describe == "DESCRIBE");
  REQUIRE(session.handle("DESCRIPTION", description, describe_uid) == R"({"status":"ok"})");
  const auto [adjust, adjust_uid] = command_of(session.handle("WHATS_NEXT", "null"));
  REQUIRE(adjust == "ADJUST");
  REQUIRE(session.handle("ADJUSTMENT", R"({"state": {}})", adjust_uid) == R"({"status":"ok"})");
  const auto [measure, measure_uid] = command_of(session.handle("WHATS_NEXT", "null"));
  REQUIRE(measure == "MEASURE");
  return measure_uid;
}

}  // namespace

TEST_CASE("a result that cannot be read is a failed trial with the decode error, and the study goes on") {
  // Before: answered "invalid" with the phase kept, so the agent was given the same command again
  // and re-measured forever.
  backend::study_database study(":memory:");
  backend::session session(options_for(minimize_runtime), study);
  behaviour app = well_behaved();
  const auto measure = app.measure;
  app.measure = [measure](std::int64_t threads, const std::string& mode) {
    if (threads == 1 && mode == "slow") return std::string(R"({"status": "ok", "metrics": {"score": 5}})");
    if (threads == 2) return std::string(R"({"metrics": [1, 2]})");
    return measure(threads, mode);
  };
  const auto adjust = app.adjust;
  app.adjust = [adjust](std::int64_t threads, const std::string& mode) -> std::optional<std::string> {
    if (threads == 3) return std::string(R"({"status": 5, "message": ["not", "a", "string"]})");
    return adjust(threads, mode);
  };
  simulated_agent agent{session, app};
  REQUIRE(agent.run(2000));   // bounded: a loop would never reach SLEEP
  CHECK(session.finished());
  CHECK_FALSE(session.failure());
  const auto trials = session.trials();
  REQUIRE(trials.size() == 12);
  CHECK(trials.front().status == "failed");
  CHECK(trials.front().reason == "MEASUREMENT: the result could not be read: $.metrics.score: expected an object, got 5");
  bool saw_bad_list = false, saw_bad_adjust = false;
  for (const auto& trial : trials) {
    if (trial.settings_json.find("\"threads\":2,") != std::string::npos && trial.status == "failed") {
      saw_bad_list = trial.reason.find("MEASUREMENT: the result could not be read: $.metrics") == 0;
    }
    if (trial.settings_json.find("\"threads\":3,") != std::string::npos && trial.reason.find("ADJUSTMENT") == 0) {
      saw_bad_adjust = trial.status == "failed" && trial.reason.find("$.status") != std::string::npos;
    }
  }
  // The optimizer may or may not try threads 2 and 3 in twelve trials; when it did, they failed
  // clearly. Threads 2 reaches the measurement only where the adjust accepted it: mode "broken"
  // is rejected by the adjust first.
  const bool tried_2 = std::any_of(trials.begin(), trials.end(), [](const auto& t) {
    return t.settings_json.find("\"threads\":2,") != std::string::npos && t.status != "rejected";
  });
  const bool tried_3 = std::any_of(trials.begin(), trials.end(), [](const auto& t) { return t.settings_json.find("\"threads\":3,") != std::string::npos; });
  if (tried_2) CHECK(saw_bad_list);
  if (tried_3) CHECK(saw_bad_adjust);
  // The agent was told, with the reason, and each command was given once.
  int invalid_replies = 0;
  for (const auto& line : agent.log) invalid_replies += line.find("could not be read") != std::string::npos ? 1 : 0;
  CHECK(invalid_replies >= 1);
}

TEST_CASE("a description that cannot be read is refused with the reason: the session ends, a new HELLO asks again") {
  // Before: "invalid" with the phase kept: DESCRIBE again, and again, silently.
  backend::study_database study(":memory:");
  backend::session session(options_for(minimize_runtime), study);
  session.handle("HELLO", "{}");
  const auto [describe, uid] = command_of(session.handle("WHATS_NEXT", "null"));
  REQUIRE(describe == "DESCRIBE");
  const std::string reply = session.handle(
      "DESCRIPTION", R"({"status": "ok", "descriptor": {"application": {"components": {"job": {"settings": {"threads": {"min": "one"}}}}}}})", uid);
  CHECK(reply.find("\"status\":\"invalid\"") != std::string::npos);
  CHECK(reply.find("$.descriptor.application.components.job.settings.threads.min") != std::string::npos);
  CHECK(session.finished());
  REQUIRE(session.failure());
  CHECK(session.failure()->find("DESCRIPTION: the result could not be read") == 0);
  const std::string next = session.handle("WHATS_NEXT", "null");
  CHECK(command_of(next).first == "SLEEP");
  CHECK(next.find("optimization stopped: DESCRIPTION: the result could not be read") != std::string::npos);
  CHECK(session.handle("DESCRIPTION", R"({"descriptor": 3})", uid) == R"({"status":"ok"})");   // a retry of the same result
  CHECK(session.handle("DESCRIPTION", R"({"descriptor": 3})").find("unexpected-event") != std::string::npos);

  // A restarted agent (the drivers fixed) is asked again, and the study runs.
  simulated_agent agent{session, well_behaved()};
  REQUIRE(agent.run(2000));
  CHECK_FALSE(session.failure());
  CHECK(session.trials().size() == 12);
}

TEST_CASE("a study that cannot be written now gets retry_later, the phase is kept, and the same event is taken later") {
  // Before: the exception ended the study until a restart, and the agent was told "ok".
  temp_dir dir;
  const auto file = (dir / "study.sqlite").string();
  backend::study_database study(file, std::chrono::milliseconds(50));
  backend::session session(options_for(small_budget), study);
  session.handle("HELLO", "{}");
  const auto [describe, describe_uid] = command_of(session.handle("WHATS_NEXT", "null"));
  {
    // Another process holds the write lock past the busy timeout: SQLITE_BUSY.
    backend::sqlite_database other(file);
    other.execute("BEGIN IMMEDIATE");
    CHECK_THROWS_WITH_AS(session.handle("DESCRIPTION", description, describe_uid), doctest::Contains("database is locked"),
                         backend::retry_later);
    CHECK_FALSE(session.finished());
    CHECK(session.handle("WHATS_NEXT", "null") == session.handle("WHATS_NEXT", "null"));
    CHECK(command_of(session.handle("WHATS_NEXT", "null")).second == describe_uid);   // the same DESCRIBE
    other.execute("ROLLBACK");
  }
  CHECK(session.handle("DESCRIPTION", description, describe_uid) == R"({"status":"ok"})");
  const auto [adjust, adjust_uid] = command_of(session.handle("WHATS_NEXT", "null"));
  REQUIRE(session.handle("ADJUSTMENT", R"({"state": {}})", adjust_uid) == R"({"status":"ok"})");
  const auto [measure, measure_uid] = command_of(session.handle("WHATS_NEXT", "null"));
  REQUIRE(measure == "MEASURE");
  const std::string result = R"({"metrics": {"total_runtime": {"value": 12}, "errors": {"value": 0}}})";
  {
    backend::sqlite_database other(file);
    other.execute("BEGIN IMMEDIATE");
    CHECK_THROWS_AS(session.handle("MEASUREMENT", result, measure_uid), backend::retry_later);
    CHECK_THROWS_AS(session.handle("MEASUREMENT", result, measure_uid), backend::retry_later);
    CHECK(session.trials().empty());
    CHECK(command_of(session.handle("WHATS_NEXT", "null")) == std::pair<std::string, std::string>{"MEASURE", measure_uid});
    other.execute("ROLLBACK");
  }
  CHECK(session.handle("MEASUREMENT", result, measure_uid) == R"({"status":"ok"})");
  CHECK(session.handle("MEASUREMENT", result, measure_uid) == R"({"status":"ok"})");   // its retry: taken once
  REQUIRE(session.trials().size() == 1);
  CHECK(*session.trials().front().objective == 12);
  CHECK(study.trials("demo").size() == 1);
  simulated_agent agent{session, well_behaved()};
  REQUIRE(agent.run(2000));
  CHECK_FALSE(session.failure());
  CHECK(study.trials("demo").size() == 4);
}

TEST_CASE("a full disk: retry_later, nothing half-written, and the study goes on once there is room") {
  temp_dir dir;
  const auto file = (dir / "study.sqlite").string();
  backend::study_database study(file);
  backend::session session(options_for(small_budget), study);
  const std::string measure_uid = up_to_first_measure(session);
  const std::string result = R"({"metrics": {"total_runtime": {"value": 12}, "errors": {"value": 0}}})";
  {
    // The process may write no file beyond 4 KiB: SQLite's next WAL frame fails as on a full disk.
    struct sigaction ignore {}, previous {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGXFSZ, &ignore, &previous);
    rlimit before{};
    ::getrlimit(RLIMIT_FSIZE, &before);
    rlimit tiny = before;
    tiny.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &tiny) == 0);
    bool retry = false;
    std::string what;
    try {
      session.handle("MEASUREMENT", result, measure_uid);
    } catch (const backend::retry_later& busy) {
      retry = true;
      what = busy.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &before);
    ::sigaction(SIGXFSZ, &previous, nullptr);
    INFO(what);
    CHECK(retry);
    CHECK(session.trials().empty());
  }
  CHECK(command_of(session.handle("WHATS_NEXT", "null")).second == measure_uid);
  CHECK(session.handle("MEASUREMENT", result, measure_uid) == R"({"status":"ok"})");
  CHECK(study.trials("demo").size() == 1);
}

TEST_CASE("a report that cannot be written is a warning: the study completes, and the report heals when it can") {
  // Before: the first failed report write ended the study (and the agent was told "ok").
  temp_dir dir;
  const auto report = dir / "report";
  std::filesystem::create_directories(report / "trials.jsonl");   // a directory where the file goes
  std::filesystem::create_directories(report / "best.json");
  backend::study_database study(":memory:");
  std::vector<std::string> warnings;
  backend::session_listener listener;
  listener.warning = [&warnings](std::string_view warning) { warnings.emplace_back(warning); };
  listener.trial_finished = [&](const backend::trial_record& trial, const backend::best_summary&) {
    if (trial.number == 6) std::filesystem::remove_all(report / "trials.jsonl");   // room again
  };
  backend::session session(options_for(minimize_runtime, report), study, listener);
  simulated_agent agent{session, well_behaved()};
  REQUIRE(agent.run(2000));
  CHECK(session.finished());
  CHECK_FALSE(session.failure());
  CHECK(session.trials().size() == 12);
  REQUIRE_FALSE(warnings.empty());
  CHECK(warnings.size() <= 3);   // each distinct warning once
  const auto all = session.warnings();
  CHECK(std::any_of(all.begin(), all.end(), [](const auto& w) { return w.find("trials.jsonl") != std::string::npos; }));
  CHECK(std::any_of(all.begin(), all.end(), [](const auto& w) { return w.find("best.json") != std::string::npos; }));
  CHECK(count_lines(read_file(report / "trials.csv")) == 13);
  CHECK(count_lines(read_file(report / "trials.jsonl")) == 12);   // rewritten whole once it could be
  CHECK(backend::summarize(session).find("warning: the report: ") != std::string::npos);
}

TEST_CASE("the plot is drawn off the request path: the last reply does not wait for gnuplot") {
  temp_dir dir;
  // A gnuplot that draws until the test releases it (or 20 s pass), then leaves a plot.
  const auto release = dir / "release";
  const auto drawn = dir / "drawn";
  dir.write("bin/gnuplot", "#!/bin/sh\n[ \"$1\" = -e ] && exit 0\n"
                           "i=0; while [ ! -e '" + release.string() + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n"
                           "echo plotted > convergence.png; touch '" + drawn.string() + "'\n");
  std::filesystem::permissions(dir / "bin/gnuplot", std::filesystem::perms::owner_all);
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  ::setenv("PATH", ((dir / "bin").string() + ":" + old_path).c_str(), 1);
  {
    backend::study_database study(":memory:");
    backend::session session(options_for(small_budget, dir / "report"), study);
    simulated_agent agent{session, well_behaved()};
    REQUIRE(agent.run(2000));   // the final ADJUSTMENT's reply came back...
    CHECK(session.finished());
    CHECK_FALSE(std::filesystem::exists(drawn));   // ...while gnuplot was still drawing
    CHECK(session.plot_pending());
    CHECK(backend::summarize(session).find("convergence.png being drawn") != std::string::npos);
    CHECK(session.handle("WHATS_NEXT", "null").find("SLEEP") != std::string::npos);   // and the session answers
    dir.write("release", "");
    REQUIRE(session.wait_for_plot(std::chrono::seconds(60)));
    CHECK(std::filesystem::exists(drawn));
    CHECK_FALSE(session.plot_note());
    CHECK(read_file(dir / "report" / "convergence.png") == "plotted\n");
  }
  ::setenv("PATH", old_path.c_str(), 1);
}

TEST_CASE("plots queued for the same report before they are drawn are drawn once") {
  temp_dir dir;
  const auto release = dir / "release";
  dir.write("bin/gnuplot", "#!/bin/sh\n[ \"$1\" = -e ] && exit 0\necho run >> '" + (dir / "runs").string() +
                               "'\ni=0; while [ ! -e '" + release.string() + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n");
  std::filesystem::permissions(dir / "bin/gnuplot", std::filesystem::perms::owner_all);
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  ::setenv("PATH", ((dir / "bin").string() + ":" + old_path).c_str(), 1);
  {
    std::filesystem::create_directories(dir / "a");
    std::filesystem::create_directories(dir / "b");
    backend::plot_worker worker;
    auto first = std::make_shared<backend::plot_status>();
    worker.submit(dir / "a", first);   // being drawn (blocks until released)
    REQUIRE(servokit_test::wait_for([&] { return std::filesystem::exists(dir / "runs"); }));
    auto second = std::make_shared<backend::plot_status>(), third = std::make_shared<backend::plot_status>();
    worker.submit(dir / "b", second);
    worker.submit(dir / "b", third);   // replaces the queued one
    CHECK(worker.queued() == 1);
    CHECK(second->current() == backend::plot_status::stage::skipped);   // superseded, and says so
    CHECK(second->note() == std::optional<std::string>("replaced by a later drawing of the same plot"));
    dir.write("release", "");
    REQUIRE(third->wait_done(std::chrono::seconds(60)));
    REQUIRE(first->wait_done(std::chrono::seconds(60)));
    CHECK(count_lines(read_file(dir / "runs")) == 2);
  }
  ::setenv("PATH", old_path.c_str(), 1);
}

namespace {

const char* const confirm_twice = "optimization:\n  objective: {metric: total_runtime, goal: minimize}\n"
                                  "  constraints: [{metric: errors, max: 0}]\n  budget: 12\n  seed: 7\n  confirm: 2\n";

/// The well-behaved application with measurement noise: each measurement of a configuration is
/// 3% off in turn (up, down, up...), counted per configuration, so that repeats have a spread.
behaviour noisy() {
  auto counts = std::make_shared<std::map<std::string, int>>();
  behaviour app = well_behaved();
  auto exact = app.measure;
  app.measure = [counts, exact](std::int64_t threads, const std::string& mode) {
    const std::string reply = exact(threads, mode);
    if (threads == 7) return reply;
    const double runtime = 10.0 / static_cast<double>(threads) + (mode == "fast" ? 0.5 : 2.0);
    const int seen = (*counts)[std::to_string(threads) + mode]++;
    const double noisy_runtime = runtime * (seen % 2 == 0 ? 1.03 : 0.97);
    return R"({"metrics": {"total_runtime": {"value": )" + servokit::format_number(noisy_runtime) +
           R"(, "unit": "s"}, "errors": {"value": )" + std::to_string(threads == 8 ? 3 : 0) + "}}}";
  };
  return app;
}

/// What the progress display is told of the last trial: the best it names.
struct last_progress {
  std::string best_settings;
  std::string line;
  backend::session_listener listener(std::int64_t budget) {
    backend::session_listener events;
    events.trial_finished = [this, budget](const backend::trial_record& trial, const backend::best_summary& best) {
      best_settings = best.settings_json;
      line = backend::trial_line(trial, budget, best);
    };
    return events;
  }
};

/// The confirmation trials of `trials`, per configuration.
std::map<std::string, int> confirmations_per_configuration(const std::vector<backend::trial_record>& trials) {
  std::map<std::string, int> counts;
  for (const auto& trial : trials) {
    if (trial.confirmation) ++counts[trial.settings_json];
  }
  return counts;
}

}  // namespace

TEST_CASE("confirm: 2 re-measures the top configurations and the baseline twice each; the best is the best confirmed mean, "
          "and the progress line, best.json, the summary and the final adjust name it") {
  temp_dir dir;
  backend::study_database study((dir / "study.sqlite").string());
  last_progress progress;
  backend::session session(options_for(confirm_twice, dir / "report"), study, progress.listener(12));
  simulated_agent agent{session, noisy()};
  REQUIRE(agent.run());
  CHECK(session.finished());

  const auto trials = session.trials();
  const std::vector<backend::trial_record> searched(trials.begin(), trials.begin() + 12);
  const auto candidates = backend::confirmation_candidates(searched, 12, false);
  REQUIRE(candidates.size() == 1 + backend::confirmed_top_count);   // enough distinct feasible configurations
  CHECK(candidates.front() == trials.front().settings_json);        // the baseline among them
  REQUIRE(trials.size() == 12 + candidates.size() * 2);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    CHECK(trials[i].number == static_cast<std::int64_t>(i + 1));
    CHECK(trials[i].confirmation == (i >= 12));   // marked in the study, after the budget's trials
  }
  const auto counts = confirmations_per_configuration(trials);
  CHECK(counts.size() == candidates.size());
  for (const auto& candidate : candidates) CHECK(counts.at(candidate) == 2);

  // The best confirmed mean, from the confirmation trials alone, and the baseline's.
  const auto stats_of = [&](const std::string& settings) {
    std::vector<double> values;
    for (const auto& trial : trials) {
      if (trial.confirmation && trial.settings_json == settings && trial.objective) values.push_back(*trial.objective);
    }
    return *backend::summarize_samples(values);
  };
  std::string expected_best;
  double expected_mean = 0;
  for (const auto& candidate : candidates) {
    const auto stats = stats_of(candidate);
    if (expected_best.empty() || stats.mean < expected_mean) expected_best = candidate, expected_mean = stats.mean;
  }
  const auto best = session.best();
  CHECK(best.chosen_by == "confirmation");
  CHECK(best.settings_json == expected_best);
  REQUIRE(best.objective);
  CHECK(*best.objective == doctest::Approx(expected_mean));
  REQUIRE(best.confirmed);
  REQUIRE(best.baseline_confirmed);
  CHECK(best.confirmed->count == 2);
  CHECK(best.baseline_confirmed->count == 2);
  CHECK(best.confirmed->stddev > 0);   // the noise shows as spread
  const auto baseline_stats = stats_of(candidates.front());
  CHECK(best.baseline_confirmed->mean == doctest::Approx(baseline_stats.mean));
  CHECK(best.baseline_confirmed->stddev == doctest::Approx(baseline_stats.stddev));
  REQUIRE(best.gain);
  CHECK(best.gain->gain == doctest::Approx(baseline_stats.mean - expected_mean));
  REQUIRE(best.gain->low);
  REQUIRE(best.gain->high);
  CHECK(*best.gain->low < best.gain->gain);
  CHECK(*best.gain->high > best.gain->gain);

  // One best everywhere: the final adjust, the last progress line, best.json, the summary.
  CHECK(applied_settings(agent) == best.settings_json);
  CHECK(progress.best_settings == best.settings_json);
  CHECK(progress.line.find("confirmation trial " + std::to_string(trials.size())) == 0);
  REQUIRE(best.trial);
  CHECK(progress.line.find(" | best " + backend::readable_number(expected_mean) + " (trial " + std::to_string(*best.trial) +
                           ", confirmed, ") != std::string::npos);
  CHECK(trials[static_cast<std::size_t>(*best.trial - 1)].settings_json == best.settings_json);
  simdjson::dom::parser parser;
  const std::string best_text = read_file(dir / "report" / "best.json");
  simdjson::dom::element best_json = parser.parse(best_text);
  CHECK(std::string(best_json["chosen_by"].get_string().value()) == "confirmation");
  CHECK(simdjson::minify(best_json["settings"]) == best.settings_json);
  CHECK(best_json["objective"].get_double().value() == doctest::Approx(expected_mean));
  auto confirmation = best_json["confirmation"];
  CHECK(confirmation["best"]["mean"].get_double().value() == doctest::Approx(expected_mean));
  CHECK(confirmation["best"]["stddev"].get_double().value() == doctest::Approx(best.confirmed->stddev));
  CHECK(confirmation["best"]["count"].get_int64().value() == 2);
  CHECK(confirmation["baseline"]["mean"].get_double().value() == doctest::Approx(baseline_stats.mean));
  CHECK(confirmation["baseline"]["count"].get_int64().value() == 2);
  CHECK(confirmation["gain"].get_double().value() == doctest::Approx(best.gain->gain));
  CHECK(confirmation["gain_interval"].at(0).get_double().value() == doctest::Approx(*best.gain->low));
  CHECK(confirmation["gain_interval"].at(1).get_double().value() == doctest::Approx(*best.gain->high));
  CHECK(confirmation["confidence"].get_double().value() == doctest::Approx(0.95));
  const std::string summary = backend::summarize(session);
  CHECK(summary.find("12 of 12 trials + " + std::to_string(candidates.size() * 2) + " confirmation trials") != std::string::npos);
  CHECK(summary.find("best settings: " + backend::flat_settings(best.settings_json) + "\n") != std::string::npos);
  CHECK(summary.find("chosen by: confirmation") != std::string::npos);
  CHECK(summary.find("confirmed best:     " + backend::readable_number(expected_mean)) != std::string::npos);
  CHECK(summary.find("95% interval [") != std::string::npos);
  const std::string jsonl = read_file(dir / "report" / "trials.jsonl");
  int marked = 0;
  for (std::size_t at = 0; (at = jsonl.find("\"confirmation\":true", at)) != std::string::npos; ++at) ++marked;
  CHECK(marked == static_cast<int>(candidates.size() * 2));
  const std::string csv = read_file(dir / "report" / "trials.csv");
  CHECK(csv.find(",reason,confirmation\n") != std::string::npos);
}

TEST_CASE("without confirm, the reported best is a measured configuration, chosen_by says which rule, and every place names it") {
  temp_dir dir;
  backend::study_database study((dir / "study.sqlite").string());
  last_progress progress;
  backend::session session(options_for(minimize_runtime, dir / "report"), study, progress.listener(12));
  simulated_agent agent{session, noisy()};
  REQUIRE(agent.run());
  const auto best = session.best();
  CHECK((best.chosen_by == "model" || best.chosen_by == "measurements"));
  CHECK_FALSE(best.confirmed);
  const auto trials = session.trials();
  CHECK(trials.size() == 12);
  CHECK(std::any_of(trials.begin(), trials.end(), [&](const backend::trial_record& trial) {
    return trial.settings_json == best.settings_json && trial.status == "ok";
  }));
  CHECK(applied_settings(agent) == best.settings_json);
  CHECK(progress.best_settings == best.settings_json);
  REQUIRE(best.trial);
  CHECK(progress.line.find(" | best " + backend::readable_number(*best.objective) + " (trial " + std::to_string(*best.trial)) !=
        std::string::npos);
  CHECK(trials[static_cast<std::size_t>(*best.trial - 1)].settings_json == best.settings_json);
  simdjson::dom::parser parser;
  const std::string best_text = read_file(dir / "report" / "best.json");
  simdjson::dom::element best_json = parser.parse(best_text);
  CHECK(std::string(best_json["chosen_by"].get_string().value()) == best.chosen_by);
  CHECK(best_json["trial"].get_int64().value() == *best.trial);
  CHECK(simdjson::minify(best_json["settings"]) == best.settings_json);
  CHECK(best_json["confirmation"].error() == simdjson::NO_SUCH_FIELD);
  const std::string summary = backend::summarize(session);
  CHECK(summary.find("best settings: " + backend::flat_settings(best.settings_json) + "\n") != std::string::npos);
  CHECK(summary.find("chosen by: " + best.chosen_by) != std::string::npos);
  CHECK(summary.find("best (trial " + std::to_string(*best.trial) + ")") != std::string::npos);
}

TEST_CASE("a study killed during its confirmation phase resumes it without repeating a recorded re-measurement") {
  temp_dir dir;
  const auto uninterrupted = run_uninterrupted(confirm_twice);
  REQUIRE(uninterrupted.size() > 12);
  int crashes_mid_confirmation = 0;
  const auto runs = run_with_crashes((dir / "crashing.sqlite").string(), confirm_twice, dir / "report",
                                     [&](backend::study_database& study) {
    const auto recorded = study.trials("demo");
    const auto confirmed = std::count_if(recorded.begin(), recorded.end(), [](const auto& trial) { return trial.confirmation; });
    if (confirmed > 0 && recorded.size() < uninterrupted.size()) ++crashes_mid_confirmation;
  });
  const std::string applied = runs.applied;
  const auto file = (dir / "crashing.sqlite").string();
  CHECK(crashes_mid_confirmation >= 2);
  backend::study_database study(file);
  const auto resumed = study.trials("demo");
  REQUIRE(resumed.size() == uninterrupted.size());
  for (std::size_t i = 0; i < resumed.size(); ++i) {
    CHECK(resumed[i].number == static_cast<std::int64_t>(i + 1));
    CHECK(resumed[i].settings_json == uninterrupted[i].settings_json);
    CHECK(resumed[i].confirmation == uninterrupted[i].confirmation);
  }
  for (const auto& [settings, count] : confirmations_per_configuration(resumed)) CHECK(count == 2);
  CHECK(count_lines(read_file(dir / "report" / "trials.jsonl")) == static_cast<int>(resumed.size()));
  CHECK(read_file(dir / "report" / "best.json").find("\"chosen_by\":\"confirmation\"") != std::string::npos);
  CHECK(read_file(dir / "report" / "best.json").find("\"settings\":" + applied) != std::string::npos);
}

TEST_CASE("a bad optimization.confirm is a config error naming file and line") {
  const auto message_of = [](const std::string& yaml) {
    try {
      config_of(yaml);
    } catch (const std::exception& failure) {
      return std::string(failure.what());
    }
    return std::string("no error");
  };
  const std::string head = "optimization:\n  objective: {metric: total_runtime, goal: minimize}\n  budget: 12\n";
  CHECK(message_of(head + "  confirm: 101\n").starts_with("config.yaml:4:"));
  CHECK(message_of(head + "  confirm: 101\n").find("confirm must be an integer from 0 (no confirmation) to 100") != std::string::npos);
  CHECK(message_of(head + "  confirm: -1\n").starts_with("config.yaml:4:"));
  CHECK(message_of(head + "  confirm: two\n").starts_with("config.yaml:4:"));
  CHECK(message_of(head + "  confirm: 1.5\n").starts_with("config.yaml:4:"));
  CHECK(config_of(head + "  confirm: 0\n").confirm == 0);
  CHECK(config_of(head + "  confirm: 100\n").confirm == 100);
}
