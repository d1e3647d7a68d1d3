// `servokit-servo --local` killed with SIGKILL during an adjust, during a measurement and between
// trials, then run again with the same command: the study resumes with no trial lost, none
// counted twice, the budget respected, and the same search as a run that was never killed.
#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <servokit/backend/report.hpp>
#include <servokit/backend/study.hpp>

#include "servo_dir.hpp"
#include "spawned_process.hpp"

namespace backend = servokit::backend;
using servokit_test::read_file;
using servokit_test::servo_dir;
using servokit_test::wait_for;

namespace {

const std::string bin_dir = SERVOKIT_TEST_BIN_DIR;

/// A servo directory whose adjust and job each log their pid and take 0.2 s, so that a kill can
/// land inside them.
void set_up(const servo_dir& dir, int budget, const std::string& extra_optimization = "") {
  const std::string batch = bin_dir + "/servokit-batch";
  dir.script("adjust", "#!/bin/sh\ncase \"$1\" in --*) exec " + batch + " --role adjust \"$@\";; esac\n"
                       "echo \"adjust $$\" >> events.log\nsleep 0.2\nexec " + batch + " --role adjust \"$@\"\n");
  std::filesystem::create_symlink(batch, dir.path() / "measure");
  dir.script("job.sh", "#!/bin/sh\necho \"measure $$\" >> events.log\nsleep 0.2\n"
                       "awk -v c=\"$1\" -v m=\"$2\" 'BEGIN { cost = (c - 5) * (c - 5) + 1; if (m == \"slow\") cost += 4; "
                       "print \"cost: \" cost }'\n");
  dir.write("config.yaml",
            "batch:\n  command: ./job.sh {web.cpu} {web.mode}\n  application:\n    components:\n      web:\n"
            "        settings:\n          cpu: {min: 1, max: 8, step: 1, default: 1}\n"
            "          mode: {type: enum, values: [slow, fast], default: slow}\n"
            "  metrics:\n    cost: {output_regex: '^cost: (\\S+)$'}\n"
            "optimization:\n  objective: {metric: cost, goal: minimize}\n  budget: " + std::to_string(budget) +
            "\n  seed: 5\n" + extra_optimization);
}

/// `servokit-servo --local` started in `dir`, its output in out.RUN and err.RUN.
servokit_test::spawned_process start_agent(const servo_dir& dir, int run) {
  return servokit_test::spawned_process(dir.path(),
                                        {bin_dir + "/servokit-servo", "--local", "--study", "study.sqlite", "--report", "report", "app"},
                                        dir.path() / ("out." + std::to_string(run)), dir.path() / ("err." + std::to_string(run)));
}

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::istringstream input(read_file(file));
  for (std::string line; std::getline(input, line);) lines.push_back(line);
  return lines;
}

/// The drivers left running by a killed agent end on their own within a second (their sleep,
/// then a closed pipe); waits for every pid in events.log to be gone, killing stragglers.
void reap_orphans(const servo_dir& dir) {
  for (const auto& line : lines_of(dir.path() / "events.log")) {
    const pid_t pid = std::stoi(line.substr(line.find(' ') + 1));
    if (!wait_for([&] { return ::kill(pid, 0) != 0; })) ::kill(-pid, SIGKILL);
  }
}

std::size_t count_events(const servo_dir& dir, std::string_view kind) {
  std::size_t count = 0;
  for (const auto& line : lines_of(dir.path() / "events.log")) count += line.rfind(kind, 0) == 0 ? 1 : 0;
  return count;
}

/// Starts run `run` of the agent in `dir`, SIGKILLs it once `ready()` holds, and reaps its drivers.
template <class Ready>
void kill_agent_when(const servo_dir& dir, int run, Ready ready) {
  auto agent = start_agent(dir, run);
  REQUIRE(wait_for(ready));
  agent.kill_now();
  reap_orphans(dir);
}

/// The lines of the report's trials.jsonl so far.
std::size_t report_lines(const servo_dir& dir) {
  const auto file = dir.path() / "report" / "trials.jsonl";
  return std::filesystem::exists(file) ? lines_of(file).size() : std::size_t{0};
}

}  // namespace

TEST_CASE("SIGKILL during adjust, during measure and between trials: the study resumes, nothing lost or doubled") {
  constexpr int budget = 8;

  // The reference: the same study never interrupted.
  servo_dir reference;
  set_up(reference, budget);
  {
    auto agent = start_agent(reference, 0);
    REQUIRE(agent.wait() == 0);
  }
  backend::study_database reference_study((reference.path() / "study.sqlite").string());
  const auto expected = reference_study.trials("app");
  REQUIRE(expected.size() == budget);

  servo_dir dir;
  set_up(dir, budget);
  int run = 0;
  const auto kill_when = [&](auto ready) { kill_agent_when(dir, ++run, ready); };
  const auto jsonl_lines = [&] { return report_lines(dir); };

  // During the adjust of trial 2 (the first adjust is the baseline's).
  kill_when([&] { return count_events(dir, "adjust") >= 2; });
  // During a measurement.
  kill_when([&, before = count_events(dir, "measure")] { return count_events(dir, "measure") > before; });
  // Between trials: the moment a trial's line is in the report.
  kill_when([&, before = jsonl_lines()] { return jsonl_lines() > before; });
  // During an adjust again, and a measurement again.
  kill_when([&, before = count_events(dir, "adjust")] { return count_events(dir, "adjust") > before; });
  kill_when([&, before = count_events(dir, "measure")] { return count_events(dir, "measure") > before; });

  // The same command to the end.
  {
    auto agent = start_agent(dir, ++run);
    REQUIRE(agent.wait() == 0);
  }
  INFO(read_file(dir.path() / ("err." + std::to_string(run))));

  backend::study_database study((dir.path() / "study.sqlite").string());
  const auto trials = study.trials("app");
  REQUIRE(trials.size() == budget);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    CHECK(trials[i].number == static_cast<std::int64_t>(i + 1));
    CHECK(trials[i].settings_json == expected[i].settings_json);   // the same search, trial for trial
    CHECK(trials[i].status == expected[i].status);
    CHECK(trials[i].objective == expected[i].objective);
  }
  // Interrupted trials were run again: more adjusts than trials, and the budget was still kept.
  CHECK(count_events(dir, "adjust") > budget);
  std::string jsonl;
  for (const auto& trial : trials) jsonl += backend::trial_json_line(trial) + "\n";
  CHECK(read_file(dir.path() / "report" / "trials.jsonl") == jsonl);

  // The last run ended with the summary and left the application in the best configuration.
  const std::string summary = read_file(dir.path() / ("out." + std::to_string(run)));
  CHECK(summary.find("optimization of \"app\": 8 of 8 trials (8 ok)") != std::string::npos);
  const std::string reference_summary = read_file(reference.path() / "out.0");
  const auto best_line = [](const std::string& text) { return text.substr(text.find("best settings:"), text.find('\n', text.find("best settings:")) - text.find("best settings:")); };
  REQUIRE(reference_summary.find("best settings:") != std::string::npos);
  REQUIRE(summary.find("best settings:") != std::string::npos);
  CHECK(best_line(summary) == best_line(reference_summary));
  CHECK(dir.read("_state.yaml") == reference.read("_state.yaml"));

  // A run after the end changes nothing: the budget is spent.
  {
    auto agent = start_agent(dir, ++run);
    REQUIRE(agent.wait() == 0);
  }
  CHECK(study.trials("app").size() == budget);
}

TEST_CASE("SIGKILL during the confirmation phase: the resumed run finishes it without repeating a recorded re-measurement") {
  constexpr int budget = 6;
  const std::string confirm = "  confirm: 2\n";
  servo_dir reference;
  set_up(reference, budget, confirm);
  {
    auto agent = start_agent(reference, 0);
    REQUIRE(agent.wait() == 0);
  }
  backend::study_database reference_study((reference.path() / "study.sqlite").string());
  const auto expected = reference_study.trials("app");
  REQUIRE(expected.size() == budget + 4 * 2);   // the baseline and the top three, twice each

  servo_dir dir;
  set_up(dir, budget, confirm);
  int run = 0;
  const auto kill_when = [&](auto ready) { kill_agent_when(dir, ++run, ready); };
  // Once the first re-measurement is committed to the study (the report's line may come a moment
  // earlier, so the study is what is watched); then during the next re-measurement's adjust, and
  // during a measurement further on.
  const auto confirmed_so_far = [&]() -> std::ptrdiff_t {
    if (!std::filesystem::exists(dir.path() / "study.sqlite")) return 0;
    backend::study_database study((dir.path() / "study.sqlite").string());
    const auto recorded = study.trials("app");
    return std::count_if(recorded.begin(), recorded.end(), [](const auto& trial) { return trial.confirmation; });
  };
  kill_when([&] { return confirmed_so_far() >= 1; });
  CHECK(confirmed_so_far() >= 1);
  kill_when([&, before = count_events(dir, "adjust")] { return count_events(dir, "adjust") > before; });
  kill_when([&, before = count_events(dir, "measure")] { return count_events(dir, "measure") > before + 1; });
  CHECK(confirmed_so_far() < 8);   // killed in the middle of the phase
  {
    auto agent = start_agent(dir, ++run);
    REQUIRE(agent.wait() == 0);
  }
  INFO(read_file(dir.path() / ("err." + std::to_string(run))));
  backend::study_database study((dir.path() / "study.sqlite").string());
  const auto trials = study.trials("app");
  REQUIRE(trials.size() == expected.size());
  for (std::size_t i = 0; i < trials.size(); ++i) {
    CHECK(trials[i].number == static_cast<std::int64_t>(i + 1));
    CHECK(trials[i].settings_json == expected[i].settings_json);
    CHECK(trials[i].confirmation == expected[i].confirmation);
  }
  CHECK(confirmed_so_far() == 8);
  const std::string summary = read_file(dir.path() / ("out." + std::to_string(run)));
  CHECK(summary.find("6 of 6 trials + 8 confirmation trials") != std::string::npos);
  CHECK(summary.find("chosen by: confirmation") != std::string::npos);
  CHECK(summary.find("confirmed baseline: ") != std::string::npos);
  const std::string reference_summary = read_file(reference.path() / "out.0");
  const auto best_line = [](const std::string& text) { return text.substr(text.find("best settings:"), text.find('\n', text.find("best settings:")) - text.find("best settings:")); };
  REQUIRE(summary.find("best settings:") != std::string::npos);
  CHECK(best_line(summary) == best_line(reference_summary));
  CHECK(dir.read("_state.yaml") == reference.read("_state.yaml"));   // the final adjust: the same best
  CHECK(read_file(dir.path() / "report" / "best.json").find("\"chosen_by\":\"confirmation\"") != std::string::npos);
}
