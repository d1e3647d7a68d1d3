// The optimizer benchmark's C++ side. bench/optimizer_suite.py owns the problems, the noise and
// the scoring; this program runs the two searches written in C++ over a pipe, one JSON line each
// way, so that every method sees exactly the same problems, noise draws and budgets:
//
//   bench-optimizer run servokit|dlib   first line in: {"descriptor": <application descriptor>,
//                                        "seed": N, "budget": N, "report": [20, 30, 60]}; then, per
//                                        trial, out {"ask": <configuration>} and in {"status":
//                                        "ok"|"failed"|"infeasible", "value": x|null}; servokit also
//                                        prints {"best": <configuration>, "at": k, "chosen_by": "..."}
//                                        after k trials for each k in "report".
//   bench-optimizer ask-speed            ask() timing at 100 and 300 trials with 10 settings, with
//                                        tell() (which only maps settings to a position) as floor.
//
// dlib's find_min_global (its engine, global_function_search, seeded) sees stepped ranges as integer grid indices and enums as integer member
// indices (the only way its box-constrained search can express them); it starts from its own
// design, not from the baseline.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <time.h>

#include <dlib/global_optimization.h>

#include <servokit/json.hpp>
#include <servokit/optimize.hpp>

namespace opt = servokit::optimize;

namespace {

struct run_request {
  BOOST_HANA_DEFINE_STRUCT(run_request,
    (servokit::application_descriptor, descriptor),
    (std::int64_t, seed),
    (std::int64_t, budget),
    (std::vector<std::int64_t>, report));
};

struct answer {
  BOOST_HANA_DEFINE_STRUCT(answer,
    (std::string, status),
    (std::optional<double>, value));
};

opt::optimization_config minimize_value() {
  opt::optimization_config config;
  config.objective.metric = "value";
  config.objective.goal = "minimize";
  return config;
}

/// Sends `settings` to the harness and reads its measurement.
answer measure(const opt::configuration& settings) {
  std::cout << "{\"ask\":" << servokit::json::to_json(settings) << "}\n" << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) throw std::runtime_error("the harness closed the pipe");
  return servokit::json::read<answer>(line);
}

opt::trial_status status_of(const answer& told) {
  if (told.status == "ok") return opt::trial_status::ok;
  if (told.status == "infeasible") return opt::trial_status::infeasible;
  return opt::trial_status::failed;
}

int run_servokit(const run_request& request) {
  opt::optimizer search(request.descriptor.application, opt::objective(minimize_value()),
                        static_cast<std::uint64_t>(request.seed));
  for (std::int64_t trial = 1; trial <= request.budget; ++trial) {
    const auto settings = search.ask();
    const auto told = measure(settings);
    const auto status = status_of(told);
    search.tell(settings, status, status == opt::trial_status::failed ? std::nullopt : told.value);
    if (std::find(request.report.begin(), request.report.end(), trial) != request.report.end()) {
      const auto best = search.best();
      std::cout << "{\"at\":" << trial << ",\"best\":" << (best ? servokit::json::to_json(best->settings) : "null")
                << ",\"chosen_by\":\"" << (best ? std::string(opt::to_string(best->chosen_by)) : "") << "\"}\n"
                << std::flush;
    }
  }
  return 0;
}

int run_dlib(const run_request& request) {
  const opt::search_space space(request.descriptor.application);
  const auto& dims = space.dimensions();
  std::vector<std::size_t> moving;
  for (std::size_t index = 0; index < dims.size(); ++index) {
    if (dims[index].searchable()) moving.push_back(index);
  }
  if (moving.empty()) throw std::runtime_error("nothing to search");
  dlib::matrix<double, 0, 1> lower(static_cast<long>(moving.size()));
  dlib::matrix<double, 0, 1> upper(static_cast<long>(moving.size()));
  std::vector<bool> integer(moving.size());
  for (std::size_t i = 0; i < moving.size(); ++i) {
    const auto& dim = dims[moving[i]];
    const auto row = static_cast<long>(i);
    lower(row) = 0;
    if (dim.is_enum) {
      upper(row) = static_cast<double>(dim.members.size() - 1);
      integer[i] = true;
    } else if (dim.step > 0) {
      upper(row) = static_cast<double>(dim.last_step);
      integer[i] = true;
    } else {
      upper(row) = 1;
      integer[i] = false;
    }
  }
  auto objective = [&](const dlib::matrix<double, 0, 1>& point) {
    std::vector<double> position = space.baseline();
    for (std::size_t i = 0; i < moving.size(); ++i) {
      const auto& dim = dims[moving[i]];
      const double x = point(static_cast<long>(i));
      position[moving[i]] = dim.is_enum || dim.step == 0 ? x : x / static_cast<double>(dim.last_step);
    }
    const auto told = measure(space.values(space.snap(position)));
    // dlib has no notion of a failed or infeasible trial: a large value keeps it away.
    if (told.status != "ok" || !told.value) return 1e9;
    return *told.value;
  };
  // find_min_global's own loop, seeded: find_min_global itself always starts from the same random
  // state (every seed would get the same search, so its "median over seeds" would be one run), and
  // it trades its model for pure random search when a measurement is faster than its own
  // bookkeeping, which the bench's instant measurements always are and a servo's, taking minutes,
  // never are. The engine, its settings and its minimization (by maximizing the negated value) are
  // find_min_global's.
  dlib::global_function_search search(dlib::function_spec(lower, upper, integer));
  search.set_seed(static_cast<time_t>(request.seed));
  for (std::int64_t trial = 0; trial < request.budget; ++trial) {
    auto next = search.get_next_x();
    next.set(-objective(next.x()));
  }
  return 0;
}

/// This thread's CPU time: what ask() costs, apart from the other programs sharing the machine.
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// ask() after `history` trials over 10 settings (6 ranges, 2 numeric and 2 string enums), noisy
/// values, a few failures: the median CPU time of 15 asks from there on, and of the matching tells.
int ask_speed() {
  std::string json = R"({"application":{"components":{"c":{"settings":{)";
  for (int i = 0; i < 5; ++i) json += "\"r" + std::to_string(i) + "\":{\"min\":0,\"max\":100,\"step\":1,\"value\":50},";
  json += R"("wide":{"min":500,"max":64000,"step":500,"value":2000},)";
  json += R"("n0":{"type":"enum","values":[1024,4096,16384,65536],"value":4096},)";
  json += R"("n1":{"type":"enum","values":[1,2,4,8,16],"value":2},)";
  json += R"("e0":{"type":"enum","values":["a","b","c"],"value":"a"},"e1":{"type":"enum","values":["x","y"],"value":"x"}}}}}})";
  auto app = servokit::json::read<servokit::application_descriptor>(json).application;
  int status = 0;
  for (std::size_t history : {100, 300}) {
    opt::optimizer search(app, opt::objective(minimize_value()), 1);
    opt::detail::random_source random(3);
    std::vector<double> ask_times;
    std::vector<double> tell_times;
    for (std::size_t trial = 0; trial < history + 15; ++trial) {
      const double ask_start = thread_seconds();
      auto settings = trial >= history ? search.ask() : search.space().values(search.space().snap([&] {
        std::vector<double> position = search.space().baseline();
        const auto& dims = search.space().dimensions();
        for (std::size_t d = 0; d < dims.size(); ++d) {
          position[d] = dims[d].is_enum ? static_cast<double>(random.below(dims[d].members.size())) : random.uniform();
        }
        return position;
      }()));
      if (trial >= history) ask_times.push_back(thread_seconds() - ask_start);
      double value = 1;
      for (const auto& [name, setting] : settings.at("c")) {
        if (auto x = servokit::numeric_value(setting)) value += std::log1p(std::abs(*x - 30)) / 10;
      }
      const double tell_start = thread_seconds();
      search.tell(settings, trial % 17 == 5 ? opt::trial_status::failed : opt::trial_status::ok,
                  value * (1 + 0.05 * random.normal()));
      if (trial >= history) tell_times.push_back(thread_seconds() - tell_start);
    }
    auto median = [](std::vector<double> values) {
      std::sort(values.begin(), values.end());
      return values[values.size() / 2];
    };
    const double goal = history <= 100 ? 0.050 : 0.200;
    std::printf("ask() at %zu trials, 10 settings: median %.1f ms CPU, slowest %.1f ms (goal: %.0f ms); floor tell() %.3f ms\n",
                history, median(ask_times) * 1e3, *std::max_element(ask_times.begin(), ask_times.end()) * 1e3, goal * 1e3,
                median(tell_times) * 1e3);
    if (median(ask_times) > goal) status = 1;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "run" && argc == 3) {
      std::string line;
      if (!std::getline(std::cin, line)) throw std::runtime_error("no request on stdin");
      const auto request = servokit::json::read<run_request>(line);
      const std::string method = argv[2];
      if (method == "servokit") return run_servokit(request);
      if (method == "dlib") return run_dlib(request);
    }
    if (mode == "ask-speed") return ask_speed();
  } catch (const std::exception& failure) {
    std::cerr << "bench-optimizer: " << failure.what() << "\n";
    return 2;
  }
  std::cerr << "usage: bench-optimizer run servokit|dlib | ask-speed\n";
  return 2;
}
