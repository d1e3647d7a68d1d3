// Benchmark helper for bench/parallel.sh: servos of many apps at once against one or more
// servokit-optimizer replicas, and what their studies hold afterwards.
//
//   bench-parallel run URLS APPS SERVOS JOB_MS
//       APPS apps (bench-0, bench-1, ...) with SERVOS simulated servos each, every request to the
//       next of the comma-separated server URLS (a load balancer), a job of JOB_MS milliseconds:
//       reply times (median, p99, max), error replies, requests that found a replica down, wall time
//   bench-parallel floor URL COUNT
//       COUNT requests the server refuses before any study work (the HTTP floor of the same run)
//   bench-parallel regret STUDY APP TRIALS [TARGET_REGRET]
//       APP's trials in STUDY (SQLite file or postgresql:// URI) in the order they finished: the
//       wall time and the regret (best - optimum) after TRIALS trials, and the wall time at which
//       the regret first reached TARGET_REGRET
//   bench-parallel check STUDY APPS BUDGET
//       each app holds exactly BUDGET trials numbered 1..BUDGET, none left running
//   bench-parallel count STUDY APPS
//       the trials recorded so far, all apps together
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include <servokit/backend/postgres_store.hpp>
#include <servokit/http/client.hpp>

#include "simulated_servo.hpp"

namespace {

const char* const description = R"({"status": "ok", "descriptor": {
  "application": {"components": {"db": {"settings": {
    "page_size": {"type": "enum", "values": [1024, 4096, 16384, 65536], "value": 4096},
    "cache_kib": {"min": 500, "max": 64000, "step": 500, "value": 2000},
    "journal":   {"type": "enum", "values": ["delete", "truncate", "persist", "wal"], "value": "delete"},
    "threads":   {"min": 1, "max": 16, "step": 1, "value": 1}}}}},
  "measurement": {"metrics": {"total_runtime": {"unit": "s"}}}}})";

/// The objective's minimum: cache 30000, 6 threads, WAL.
constexpr double optimum = 1.0;

double cost_of(simdjson::dom::element settings) {
  const double cache = static_cast<double>(settings["cache_kib"]["value"].get_int64().value());
  const double threads = static_cast<double>(settings["threads"]["value"].get_int64().value());
  const std::string_view journal = settings["journal"]["value"].get_string().value();
  return optimum + (cache - 30000) * (cache - 30000) / 1e9 + (threads - 6) * (threads - 6) / 10 +
         (journal == "wal" ? 0 : 0.5);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1) {
    parts.push_back(text.substr(start, comma - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

double at(std::vector<double>& sorted, double share) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<std::size_t>(share * static_cast<double>(sorted.size() - 1))];
}

int run(const std::string& urls, int apps, int servos, int job_ms) {
  std::mutex mutex;
  std::vector<double> replies;
  std::vector<servokit_test::simulated_servo_result> results(static_cast<std::size_t>(apps * servos));
  std::vector<std::thread> threads;
  const auto started = std::chrono::steady_clock::now();
  for (int app = 0; app < apps; ++app) {
    for (int servo = 0; servo < servos; ++servo) {
      servokit_test::simulated_servo_options options;
      for (const auto& url : split(urls)) {
        options.endpoints.push_back(url + "/accounts/bench/applications/bench-" + std::to_string(app) + "/servo");
      }
      // Each servo starts at another replica, so that the load spreads from the first request.
      std::rotate(options.endpoints.begin(),
                  options.endpoints.begin() + (app * servos + servo) % static_cast<int>(options.endpoints.size()),
                  options.endpoints.end());
      options.servo_uid = "servo-" + std::to_string(servo);
      options.description = description;
      options.measure = [](simdjson::dom::element components) {
        return R"({"metrics": {"total_runtime": {"value": )" + std::to_string(cost_of(components["db"]["settings"])) + "}}}";
      };
      options.measure_time = std::chrono::milliseconds(job_ms);
      options.longest_sleep = std::chrono::milliseconds(200);
      options.give_up = std::chrono::seconds(1800);
      options.on_reply = [&](double seconds) {
        std::lock_guard lock(mutex);
        replies.push_back(seconds);
      };
      const auto index = static_cast<std::size_t>(app * servos + servo);
      threads.emplace_back([options, index, &results] { results[index] = servokit_test::run_simulated_servo(options); });
    }
  }
  for (auto& thread : threads) thread.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  long errors = 0, failed = 0, unfinished = 0;
  for (const auto& result : results) {
    errors += result.error_replies;
    failed += result.failed_requests;
    unfinished += result.finished ? 0 : 1;
  }
  std::sort(replies.begin(), replies.end());
  std::printf("replies %zu  median %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.1f ms  error_replies %ld  "
              "requests_to_a_down_replica %ld  servos_not_finished %ld  wall %.2f s\n",
              replies.size(), at(replies, 0.5) * 1e3, at(replies, 0.9) * 1e3, at(replies, 0.99) * 1e3,
              replies.empty() ? 0.0 : replies.back() * 1e3, errors, failed, unfinished, wall);
  return errors == 0 && unfinished == 0 ? 0 : 1;
}

int http_floor(const std::string& url, int count) {
  servokit::http::client client;
  std::vector<double> replies;
  for (int i = 0; i < count; ++i) {
    servokit::http::request request;
    request.method = "POST";
    request.url = url + "/accounts/bench/applications/bench-floor/servo";
    request.body = "not json";
    request.headers.emplace_back("Content-Type", "application/json");
    const auto sent_at = std::chrono::steady_clock::now();
    client.perform(request);
    replies.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent_at).count());
  }
  std::sort(replies.begin(), replies.end());
  std::printf("floor (a request refused before any study work) %zu  median %.2f ms  p99 %.2f ms\n", replies.size(),
              at(replies, 0.5) * 1e3, at(replies, 0.99) * 1e3);
  return 0;
}

int regret(const std::string& study, const std::string& app, std::size_t trials, double target) {
  auto store = servokit::backend::open_study_store(study);
  auto recorded = store->trials(app);
  if (recorded.empty()) {
    std::fprintf(stderr, "%s: no trials of %s\n", study.c_str(), app.c_str());
    return 1;
  }
  std::sort(recorded.begin(), recorded.end(), [](const auto& a, const auto& b) { return a.finished < b.finished; });
  double first_start = recorded.front().started;
  for (const auto& trial : recorded) first_start = std::min(first_start, trial.started);
  double best = 1e300;
  double wall_at_trials = 0, regret_at_trials = 0, wall_at_target = -1;
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    if (recorded[i].status == "ok" && recorded[i].objective) best = std::min(best, *recorded[i].objective);
    const double wall = recorded[i].finished - first_start;
    if (i + 1 == trials) wall_at_trials = wall, regret_at_trials = best - optimum;
    if (wall_at_target < 0 && best - optimum <= target + 1e-12) wall_at_target = wall;
  }
  std::printf("trials %zu  wall_at_%zu %.2f s  regret_at_%zu %.4f  wall_to_regret_%.4f %.2f s\n", recorded.size(),
              trials, wall_at_trials, trials, regret_at_trials, target, wall_at_target);
  return 0;
}

int check(const std::string& study, int apps, std::int64_t budget) {
  auto store = servokit::backend::open_study_store(study);
  long lost = 0, doubled = 0, beyond = 0, running = 0;
  for (int app = 0; app < apps; ++app) {
    const auto name = "bench-" + std::to_string(app);
    std::vector<int> seen(static_cast<std::size_t>(budget) + 1, 0);
    for (const auto& trial : store->trials(name)) {
      if (trial.number < 1 || trial.number > budget) {
        ++beyond;
        continue;
      }
      ++seen[static_cast<std::size_t>(trial.number)];
    }
    for (std::int64_t number = 1; number <= budget; ++number) {
      lost += seen[static_cast<std::size_t>(number)] == 0 ? 1 : 0;
      doubled += seen[static_cast<std::size_t>(number)] > 1 ? 1 : 0;
    }
    running += static_cast<long>(store->pending(name).size());
  }
  std::printf("apps %d  budget %lld  trials_lost %ld  trials_doubled %ld  beyond_budget %ld  left_running %ld\n", apps,
              static_cast<long long>(budget), lost, doubled, beyond, running);
  return lost == 0 && doubled == 0 && beyond == 0 && running == 0 ? 0 : 1;
}

int count(const std::string& study, int apps) {
  auto store = servokit::backend::open_study_store(study);
  std::size_t recorded = 0;
  for (int app = 0; app < apps; ++app) recorded += store->trials("bench-" + std::to_string(app)).size();
  std::printf("%zu\n", recorded);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 5 && args[0] == "run") return run(args[1], std::stoi(args[2]), std::stoi(args[3]), std::stoi(args[4]));
    if (args.size() == 3 && args[0] == "floor") return http_floor(args[1], std::stoi(args[2]));
    if ((args.size() == 4 || args.size() == 5) && args[0] == "regret") {
      return regret(args[1], args[2], static_cast<std::size_t>(std::stoul(args[3])), args.size() == 5 ? std::stod(args[4]) : 0.0);
    }
    if (args.size() == 3 && args[0] == "count") return count(args[1], std::stoi(args[2]));
    if (args.size() == 4 && args[0] == "check") return check(args[1], std::stoi(args[2]), std::stoll(args[3]));
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "bench-parallel: %s\n", failure.what());
    return 2;
  }
  std::fprintf(stderr,
               "usage: bench-parallel run URLS APPS SERVOS JOB_MS | floor URL COUNT | regret STUDY APP TRIALS [TARGET] | "
               "check STUDY APPS BUDGET | count STUDY APPS\n");
  return 2;
}
