// Benchmark helper for bench/local.sh: the optimization backend's own cost, without drivers.
//
//   bench-local_backend session DIR TRIALS   an agent simulated in process drives a session (study
//                                            file and report in DIR): the time of each trial's
//                                            events (ask, bookkeeping, SQLite commit, report line)
//   bench-local_backend drivers DIR TRIALS   the drivers alone, as the agent runs them per trial
//                                            (adjust --info, adjust, measure --info, measure): the floor
//   bench-local_backend server URL APPS TRIALS
//                                            APPS agents at once, each a thread posting a whole
//                                            study's events to servokit-optimizer at URL: reply times
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include <servokit/backend/session.hpp>
#include <servokit/config/load.hpp>
#include <servokit/http/client.hpp>
#include <servokit/process/run.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

const char* const description = R"({"status": "ok", "descriptor": {
  "application": {"components": {"db": {"settings": {
    "page_size": {"type": "enum", "values": [1024, 4096, 16384, 65536], "value": 4096},
    "cache_kib": {"min": 500, "max": 64000, "step": 500, "value": 2000},
    "journal":   {"type": "enum", "values": ["delete", "truncate", "persist", "wal"], "value": "delete"},
    "threads":   {"min": 1, "max": 16, "step": 1, "value": 1}}}}},
  "measurement": {"metrics": {"total_runtime": {"unit": "s"}}}}})";

/// A cheap objective of the settings, so the optimizer has something to model.
double cost_of(simdjson::dom::element settings) {
  const double cache = static_cast<double>(settings["cache_kib"]["value"].get_int64().value());
  const double threads = static_cast<double>(settings["threads"]["value"].get_int64().value());
  const std::string_view journal = settings["journal"]["value"].get_string().value();
  return 1.0 + (cache - 30000) * (cache - 30000) / 1e9 + (threads - 6) * (threads - 6) / 10 + (journal == "wal" ? 0 : 0.5);
}

/// One agent's conversation through `send(event, param, uid) -> reply`, `trials` trials long;
/// calls `timed(trial, seconds)` with the time of each trial's events.
template <class Send, class Timed>
void converse(Send send, Timed timed) {
  simdjson::dom::parser parser;
  send("HELLO", R"({"agent": "bench"})", "");
  double adjusted_cost = 0;
  std::int64_t trial = 0;
  auto trial_started = clock_type::now();
  for (;;) {
    const std::string reply = send("WHATS_NEXT", "null", "");
    simdjson::dom::element command = parser.parse(reply);
    const std::string cmd(command["cmd"].get_string().value());
    const std::string uid(command["cmd_uid"].error() ? "" : command["cmd_uid"].get_string().value());
    if (cmd == "SLEEP") return;
    if (cmd == "DESCRIBE") {
      send("DESCRIPTION", description, uid);
    } else if (cmd == "ADJUST") {
      adjusted_cost = cost_of(command["param"]["state"]["application"]["components"]["db"]["settings"]);
      send("ADJUSTMENT", R"({"progress": 0, "message": "starting driver"})", uid);
      send("ADJUSTMENT", R"({"state": {}})", uid);
    } else if (cmd == "MEASURE") {
      send("MEASUREMENT", R"({"progress": 0, "message": "starting driver"})", uid);
      send("MEASUREMENT", R"({"metrics": {"total_runtime": {"value": )" + servokit::format_number(adjusted_cost) + "}}}", uid);
      const auto now = clock_type::now();
      timed(++trial, std::chrono::duration<double>(now - trial_started).count());
      trial_started = now;
    }
  }
}

void print_distribution(const char* name, std::vector<double> values) {
  if (values.empty()) return;
  std::sort(values.begin(), values.end());
  const auto at = [&](double share) { return values[static_cast<std::size_t>(share * static_cast<double>(values.size() - 1))]; };
  std::printf("%-28s n %6zu  median %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", name, values.size(), at(0.5) * 1e3,
              at(0.99) * 1e3, values.back() * 1e3);
}

int session_mode(const std::string& directory, std::int64_t trials) {
  servokit::backend::session_options options;
  options.app_id = "bench";
  options.config = servokit::config::document::parse(
                       "optimization:\n  objective: {metric: total_runtime, goal: minimize}\n  seed: 1\n", "bench.yaml")
                       .section<servokit::optimize::optimization_config>("optimization");
  options.budget = trials;
  options.report_directory = directory + "/report";
  servokit::backend::study_database study(directory + "/study.sqlite");
  servokit::backend::session session(options, study);
  std::vector<double> per_trial(static_cast<std::size_t>(trials) + 1, 0);
  converse([&](std::string_view event, std::string_view param, std::string_view uid) { return session.handle(event, param, uid); },
           [&](std::int64_t trial, double seconds) { per_trial[static_cast<std::size_t>(trial)] = seconds; });
  const auto window = [&](std::int64_t from, std::int64_t to) {
    return std::vector<double>(per_trial.begin() + from, per_trial.begin() + to + 1);
  };
  print_distribution("trials 2-10", window(2, std::min<std::int64_t>(10, trials)));
  if (trials >= 200) print_distribution("trials 190-200", window(190, 200));
  std::printf("trial %-5lld                  %8.3f ms   (ask, bookkeeping, SQLite commit, report line)\n",
              static_cast<long long>(trials), per_trial.back() * 1e3);

  // The optimizer's share: ask() alone after the same trials (a resumed optimizer, told them all).
  const auto stored = study.trials("bench");
  const auto descriptor = servokit::json::read<servokit::backend::description_descriptor>(
      std::string_view(description).substr(std::string_view(description).find("\"descriptor\": ") + 14,
                                           std::string_view(description).size() - std::string_view(description).find("\"descriptor\": ") - 15));
  servokit::optimize::objective objective(options.config);
  servokit::optimize::optimizer search(descriptor.application, objective, options.seed);
  for (std::size_t i = 0; i + 1 < stored.size(); ++i) {
    search.tell(servokit::json::read<servokit::optimize::configuration>(stored[i].settings_json),
                *servokit::optimize::trial_status_from_string(stored[i].status), stored[i].objective);
  }
  std::vector<double> asks;
  for (int repeat = 0; repeat < 11; ++repeat) {
    const auto before = clock_type::now();
    auto suggestion = search.ask();
    asks.push_back(std::chrono::duration<double>(clock_type::now() - before).count());
    (void)suggestion;
  }
  print_distribution("ask() alone at that trial", asks);
  return 0;
}

int drivers_mode(const std::string& directory, std::int64_t trials) {
  namespace process = servokit::process;
  const std::string adjust_request = R"({"application": {"components": {"web": {"settings": {"cpu": {"value": 3}}}}}, "control": {}})";
  const std::string measure_request = R"({"metrics": ["total_runtime"], "control": {}})";
  const auto run = [&](std::vector<std::string> argv, std::string input) {
    process::command command(std::move(argv));
    command.working_directory = directory;
    auto done = process::run(command, std::move(input));
    if (!done.ok()) {
      std::fprintf(stderr, "%s: %s\n", command.argv[0].c_str(), done.describe().c_str());
      std::exit(1);
    }
  };
  std::vector<double> per_trial;
  for (std::int64_t trial = 0; trial < trials; ++trial) {
    const auto before = clock_type::now();
    run({"./adjust", "--info", "app"}, "");
    run({"./adjust", "app"}, adjust_request);
    run({"./measure", "--info", "app"}, "");
    run({"./measure", "app"}, measure_request);
    per_trial.push_back(std::chrono::duration<double>(clock_type::now() - before).count());
  }
  print_distribution("drivers alone, per trial", per_trial);
  // The mean as well: local.sh compares it with the agent's wall time over its trials, itself a
  // mean. Set against the median, the floor's slow tail (0.3-0.5 ms a trial) counted as the
  // agent's overhead.
  double total = 0;
  for (const double seconds : per_trial) total += seconds;
  std::printf("drivers alone, mean per trial %.3f ms\n", total * 1e3 / static_cast<double>(per_trial.size()));
  return 0;
}

int server_mode(const std::string& url, int apps, std::int64_t trials) {
  // Per app: progress replies (no work: the HTTP floor), WHATS_NEXT (ask() for an ADJUST), results
  // (the study's commit, the report line).
  std::vector<std::vector<double>> progress(static_cast<std::size_t>(apps)), next(static_cast<std::size_t>(apps)),
      results(static_cast<std::size_t>(apps));
  std::vector<std::thread> agents;
  const auto started = clock_type::now();
  for (int app = 0; app < apps; ++app) {
    agents.emplace_back([&, app] {
      servokit::http::client client;
      const std::string endpoint = url + "/accounts/bench/applications/app" + std::to_string(app) + "/servo";
      std::int64_t told = 0;
      converse(
          [&](std::string_view event, std::string_view param, std::string_view uid) {
            servokit::http::request sent;
            sent.method = "POST";
            sent.url = endpoint;
            sent.headers.emplace_back("Content-Type", "application/json");
            sent.body = R"({"event": ")" + std::string(event) + R"(", "param": )" + std::string(param) +
                        (uid.empty() ? "" : R"(, "cmd_uid": ")" + std::string(uid) + "\"") + "}";
            const auto before = clock_type::now();
            auto answer = client.perform(sent);
            const double seconds = std::chrono::duration<double>(clock_type::now() - before).count();
            const bool is_progress = param.find("\"progress\"") != std::string_view::npos;
            auto& bucket = event == "WHATS_NEXT" ? next : is_progress ? progress : results;
            if (event != "HELLO") bucket[static_cast<std::size_t>(app)].push_back(seconds);
            if (answer.status != 200) {
              std::fprintf(stderr, "HTTP %ld: %s\n", answer.status, answer.body.c_str());
              std::exit(1);
            }
            return answer.body;
          },
          [&](std::int64_t, double) { ++told; });
      if (told != trials) std::fprintf(stderr, "app%d: %lld trials, expected %lld\n", app, static_cast<long long>(told), static_cast<long long>(trials));
    });
  }
  for (auto& agent : agents) agent.join();
  const double total = std::chrono::duration<double>(clock_type::now() - started).count();
  const auto merged = [](const std::vector<std::vector<double>>& per_app) {
    std::vector<double> all;
    for (const auto& each : per_app) all.insert(all.end(), each.begin(), each.end());
    return all;
  };
  std::printf("%d apps x %lld trials in %.2f s\n", apps, static_cast<long long>(trials), total);
  print_distribution("progress (no work: floor)", merged(progress));
  print_distribution("WHATS_NEXT (ask)", merged(next));
  print_distribution("results (commit, report)", merged(results));
  auto all = merged(progress);
  for (const auto& part : {merged(next), merged(results)}) all.insert(all.end(), part.begin(), part.end());
  print_distribution("every reply", all);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "session") return session_mode(args[1], std::stoll(args[2]));
  if (args.size() == 3 && args[0] == "drivers") return drivers_mode(args[1], std::stoll(args[2]));
  if (args.size() == 4 && args[0] == "server") return server_mode(args[1], std::stoi(args[2]), std::stoll(args[3]));
  std::fprintf(stderr, "usage: bench-local_backend session DIR TRIALS | drivers DIR TRIALS | server URL APPS TRIALS\n");
  return 2;
}
