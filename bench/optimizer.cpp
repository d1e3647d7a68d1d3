// The optimizer benchmark: the ask/tell layer driven in process on synthetic objectives whose
// optimum is known (found by enumerating every configuration), against random search over the
// same discrete space; and the evaluator that bench/optimizer_tpe.py drives so that Optuna's TPE
// sees exactly the same functions, noise and scoring.
//
// usage: bench-optimizer table [seeds]    regrets of servokit and random search, one JSON line each
//        bench-optimizer problems         the problems (descriptor, goal, baseline) as JSON lines
//        bench-optimizer serve            evaluate/score requests from stdin, one JSON line each
//        bench-optimizer ask-speed        ask() after 200 trials with 10 settings
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <time.h>

#include <servokit/json.hpp>
#include <servokit/optimize.hpp>

namespace opt = servokit::optimize;
using servokit::ordered_map;
using servokit::scalar;

namespace {

constexpr int budget = 30;
constexpr double noise_level = 0.05;

/// One synthetic application: its descriptor, objective and the true (noise-free) metrics of a
/// configuration; nothing when the measurement fails (a crash region).
struct problem {
  std::string name;
  std::string kind;
  std::string descriptor_json;
  opt::optimization_config config;
  std::function<std::optional<ordered_map<double>>(const opt::configuration&)> metrics;
};

double number(const opt::configuration& settings, const char* component, const char* setting) {
  return *servokit::numeric_value(settings.at(component).at(setting));
}
std::string text(const opt::configuration& settings, const char* component, const char* setting) {
  return std::get<std::string>(settings.at(component).at(setting));
}

opt::optimization_config goal(const char* metric, const char* expression, const char* direction) {
  opt::optimization_config config;
  if (metric) config.objective.metric = metric;
  if (expression) config.objective.expression = expression;
  config.objective.goal = direction;
  return config;
}

std::vector<problem> problems() {
  std::vector<problem> all;
  // A smooth bowl over four ranges, one with a step that does not divide its range.
  all.push_back({"bowl", "smooth",
                 R"({"application":{"components":{"web":{"settings":{
                   "cpu":{"min":0.25,"max":4,"step":0.25,"value":1},
                   "replicas":{"min":1,"max":20,"step":1,"value":3},
                   "memory":{"min":0.5,"max":8,"step":0.5,"value":1}}},
                   "db":{"settings":{"pool":{"min":2,"max":100,"step":3,"value":11}}}}}})",
                 goal("latency", nullptr, "minimize"), [](const opt::configuration& s) -> std::optional<ordered_map<double>> {
                   const double u[] = {(number(s, "web", "cpu") - 0.25) / 3.75, (number(s, "web", "replicas") - 1) / 19,
                                       (number(s, "web", "memory") - 0.5) / 7.5, (number(s, "db", "pool") - 2) / 98};
                   const double center[] = {0.62, 0.3, 0.75, 0.45};
                   const double weight[] = {1.0, 2.0, 0.6, 1.4};
                   double value = 1;
                   for (int i = 0; i < 4; ++i) value += 3 * weight[i] * (u[i] - center[i]) * (u[i] - center[i]);
                   return ordered_map<double>{{"latency", value}};
                 }});
  // A smooth bowl over five ranges and an enum that shifts it.
  all.push_back({"bowl6", "smooth",
                 R"({"application":{"components":{"app":{"settings":{
                   "a":{"min":0,"max":11,"step":1,"value":2},
                   "b":{"min":0,"max":1.1,"step":0.1,"value":0.2},
                   "c":{"min":10,"max":120,"step":10,"value":20},
                   "d":{"min":0,"max":5.5,"step":0.5,"value":1},
                   "e":{"min":1,"max":12,"step":1,"value":2},
                   "codec":{"type":"enum","values":["lz4","zstd","none"],"value":"none"}}}}}})",
                 goal("runtime", nullptr, "minimize"), [](const opt::configuration& s) -> std::optional<ordered_map<double>> {
                   const double u[] = {number(s, "app", "a") / 11, number(s, "app", "b") / 1.1, (number(s, "app", "c") - 10) / 110,
                                       number(s, "app", "d") / 5.5, (number(s, "app", "e") - 1) / 11};
                   const double center[] = {0.7, 0.35, 0.55, 0.8, 0.25};
                   const std::string codec = text(s, "app", "codec");
                   double value = 2 + (codec == "zstd" ? 0.0 : codec == "lz4" ? 0.25 : 0.6);
                   for (int i = 0; i < 5; ++i) value += 2.5 * (u[i] - center[i]) * (u[i] - center[i]);
                   return ordered_map<double>{{"runtime", value}};
                 }});
  // A rugged, multi-modal function (Rastrigin-like) over three fine ranges.
  all.push_back({"rugged", "multi-modal",
                 R"({"application":{"components":{"job":{"settings":{
                   "x":{"min":0,"max":10,"step":0.1,"value":5},
                   "y":{"min":0,"max":10,"step":0.1,"value":5},
                   "z":{"min":0,"max":10,"step":0.1,"value":5}}}}}})",
                 goal("runtime", nullptr, "minimize"), [](const opt::configuration& s) -> std::optional<ordered_map<double>> {
                   const double x[] = {number(s, "job", "x"), number(s, "job", "y"), number(s, "job", "z")};
                   const double center[] = {6.3, 2.7, 7.1};
                   double value = 1;
                   for (int i = 0; i < 3; ++i) {
                     const double u = (x[i] - center[i]) * 0.45;
                     value += 0.4 * u * u + 0.8 * (1 - std::cos(2 * 3.141592653589793 * u));
                   }
                   return ordered_map<double>{{"runtime", value}};
                 }});
  // Mixed ranges and enums with interactions, an expression objective and a pinned setting.
  all.push_back({"mixed", "mixed range+enum",
                 R"({"application":{"components":{"svc":{"settings":{
                   "instance":{"type":"enum","values":["small","medium","large","xlarge"],"value":"small"},
                   "gc":{"type":"enum","values":["serial","parallel","g1"],"value":"serial"},
                   "heap":{"min":256,"max":8192,"step":256,"value":1024},
                   "threads":{"min":1,"max":64,"step":1,"value":2},
                   "batch":{"min":1,"max":1000,"step":10,"value":101},
                   "region":{"type":"enum","values":["eu","us"],"value":"eu","pinned":true}}}}}})",
                 goal(nullptr, "throughput / cost", "maximize"), [](const opt::configuration& s) -> std::optional<ordered_map<double>> {
                   const std::string instance = text(s, "svc", "instance");
                   const std::string gc = text(s, "svc", "gc");
                   const double heap = number(s, "svc", "heap");
                   const double threads = number(s, "svc", "threads");
                   const double batch = number(s, "svc", "batch");
                   const int size = instance == "small" ? 0 : instance == "medium" ? 1 : instance == "large" ? 2 : 3;
                   const double capacity[] = {100, 230, 420, 800};
                   const double price[] = {1, 2, 4, 8};
                   const double best_threads[] = {4, 8, 16, 32};
                   const double collector = gc == "serial" ? 0.8 : gc == "parallel" ? 1.0 : heap >= 2048 ? 1.12 : 0.85;
                   const double memory = 1 - 0.5 * std::exp(-heap / 1500);
                   const double spread = std::log2(threads) - std::log2(best_threads[size]);
                   const double parallel = std::exp(-spread * spread / 2);
                   const double batching = 0.6 + 0.4 * std::exp(-std::pow((batch - 300) / 250, 2));
                   return ordered_map<double>{{"throughput", capacity[size] * collector * memory * parallel * batching},
                                              {"cost", price[size] * (1 + 0.3 * heap / 8192)}};
                 }});
  // Cost to minimize under a latency bound, billed in whole units (plateaus), with a region where
  // the application runs out of memory and the measurement fails.
  {
    auto config = goal("cost", nullptr, "minimize");
    config.constraints = std::vector<opt::constraint_config>{{"p95_latency", std::nullopt, 125.0}};
    all.push_back({"constrained", "constraint+plateau",
                   R"({"application":{"components":{"api":{"settings":{
                     "cpu":{"min":0.5,"max":8,"step":0.5,"value":4},
                     "replicas":{"min":1,"max":12,"step":1,"value":4},
                     "memory":{"min":256,"max":4096,"step":256,"value":2048}}}}}})",
                   config, [](const opt::configuration& s) -> std::optional<ordered_map<double>> {
                     const double cpu = number(s, "api", "cpu");
                     const double replicas = number(s, "api", "replicas");
                     const double memory = number(s, "api", "memory");
                     if (memory < 512) return std::nullopt;   // out of memory: the measurement fails
                     const double capacity = cpu * replicas * std::min(1.0, memory / 1024);
                     const double latency = std::max(60.0, 40 + 400 / std::max(capacity - 2, 0.1));
                     const double cost = 2 * std::ceil(cpu * replicas / 2) + 0.25 * replicas * std::ceil(memory / 1024);
                     return ordered_map<double>{{"cost", cost}, {"p95_latency", latency}};
                   }});
  }
  return all;
}

/// Every configuration of `space` (all are discrete in this suite), visited once.
void for_each_configuration(const opt::search_space& space, const std::function<void(const opt::configuration&)>& visit) {
  const auto& dims = space.dimensions();
  std::vector<std::int64_t> counts;
  for (const auto& dim : dims) {
    counts.push_back(dim.pinned ? 1 : dim.is_enum ? static_cast<std::int64_t>(dim.members.size()) : dim.last_step + 1);
  }
  std::vector<std::int64_t> index(dims.size(), 0);
  std::vector<double> position = space.baseline();
  for (;;) {
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (dims[d].pinned) continue;
      position[d] = dims[d].is_enum ? static_cast<double>(index[d]) : static_cast<double>(index[d]) / static_cast<double>(std::max<std::int64_t>(1, dims[d].last_step));
    }
    visit(space.values(position));
    std::size_t d = 0;
    while (d < dims.size() && ++index[d] == counts[d]) index[d++] = 0;
    if (d == dims.size()) return;
  }
}

/// A problem ready to run: the true optimum and the baseline's value, for the regret.
struct prepared {
  problem definition;
  servokit::application app;
  opt::objective objective;
  double optimum;
  double baseline;

  /// The true objective of `settings`, or nothing when infeasible or failing.
  std::optional<double> truth(const opt::configuration& settings) const {
    auto metrics = definition.metrics(settings);
    if (!metrics) return std::nullopt;
    auto evaluated = objective.evaluate(*metrics);
    if (evaluated.status != opt::trial_status::ok) return std::nullopt;
    return evaluated.value;
  }

  /// The fraction of the baseline's gap to the optimum left: 0 at the optimum, 1 at the baseline
  /// (or for nothing found, or a reported best that is in truth infeasible).
  double regret(const std::optional<opt::configuration>& reported) const {
    if (!reported) return 1;
    auto value = truth(*reported);
    if (!value) return 1;
    const double gap = objective.maximize() ? optimum - *value : *value - optimum;
    return gap / std::abs(objective.maximize() ? optimum - baseline : baseline - optimum);
  }
};

prepared prepare(const problem& definition) {
  auto app = servokit::json::read<servokit::application_descriptor>(definition.descriptor_json).application;
  opt::objective objective(definition.config);
  opt::search_space space(app);
  prepared ready{definition, app, objective, 0, 0};
  bool found = false;
  for_each_configuration(space, [&](const opt::configuration& settings) {
    auto value = ready.truth(settings);
    if (!value) return;
    if (!found || (objective.maximize() ? *value > ready.optimum : *value < ready.optimum)) ready.optimum = *value;
    found = true;
  });
  ready.baseline = *ready.truth(space.values(space.baseline()));
  return ready;
}

std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

/// A measurement of trial `trial` under `seed`: each metric times (1 + 5% normal noise) when
/// noisy, the same draws for every method (they depend on the seed and trial number only).
struct measured {
  std::optional<ordered_map<double>> metrics;
  opt::objective::evaluation evaluation;
};
measured measure(const prepared& ready, const opt::configuration& settings, bool noisy, std::uint64_t seed, int trial) {
  measured result;
  result.metrics = ready.definition.metrics(settings);
  if (!result.metrics) {
    result.evaluation = {opt::trial_status::failed, std::nullopt, "out of memory"};
    return result;
  }
  if (noisy) {
    opt::detail::random_source random(mix(seed * 1000003ULL + static_cast<std::uint64_t>(trial)));
    for (auto& [name, value] : *result.metrics) value *= 1 + noise_level * random.normal();
  }
  result.evaluation = ready.objective.evaluate(*result.metrics);
  return result;
}

double run_servokit(const prepared& ready, bool noisy, std::uint64_t seed) {
  opt::optimizer search(ready.app, ready.objective, seed);
  for (int trial = 0; trial < budget; ++trial) {
    auto settings = search.ask();
    auto result = measure(ready, settings, noisy, seed, trial);
    search.tell(settings, result.evaluation.status, result.evaluation.value);
  }
  auto best = search.best();
  return ready.regret(best ? std::optional(best->settings) : std::nullopt);
}

/// Random search over the same discrete space: the baseline, then configurations not yet tried;
/// the best measured value is what it reports.
double run_random(const prepared& ready, bool noisy, std::uint64_t seed) {
  opt::search_space space(ready.app);
  opt::detail::random_source random(mix(seed ^ 0xabcdef));
  std::vector<std::vector<std::int64_t>> tried;
  std::optional<opt::configuration> best;
  double best_value = 0;
  for (int trial = 0; trial < budget; ++trial) {
    std::vector<double> position = space.baseline();
    for (int attempt = 0; trial > 0 && attempt < 100; ++attempt) {
      position = space.baseline();
      for (std::size_t d = 0; d < space.dimensions().size(); ++d) {
        const auto& dim = space.dimensions()[d];
        if (dim.pinned) continue;
        position[d] = dim.is_enum ? static_cast<double>(random.below(dim.members.size())) : random.uniform();
      }
      position = space.snap(position);
      if (std::find(tried.begin(), tried.end(), space.cells(position)) == tried.end()) break;
    }
    tried.push_back(space.cells(position));
    auto settings = space.values(position);
    auto result = measure(ready, settings, noisy, seed, trial);
    if (result.evaluation.status != opt::trial_status::ok) continue;
    const double value = *result.evaluation.value;
    if (!best || (ready.objective.maximize() ? value > best_value : value < best_value)) {
      best = settings;
      best_value = value;
    }
  }
  return ready.regret(best);
}

int table(int seeds) {
  for (const auto& definition : problems()) {
    const prepared ready = prepare(definition);
    for (bool noisy : {false, true}) {
      std::string line = "{\"function\":\"" + definition.name + (noisy ? "+noise" : "") + "\",\"kind\":\"" + definition.kind +
                         "\",\"optimum\":" + servokit::format_number(ready.optimum) +
                         ",\"baseline\":" + servokit::format_number(ready.baseline);
      for (const char* method : {"servokit", "random"}) {
        line += std::string(",\"") + method + "\":[";
        for (int seed = 1; seed <= seeds; ++seed) {
          const double regret = std::string(method) == "servokit" ? run_servokit(ready, noisy, static_cast<std::uint64_t>(seed))
                                                                  : run_random(ready, noisy, static_cast<std::uint64_t>(seed));
          if (seed > 1) line += ",";
          line += servokit::format_number(regret);
        }
        line += "]";
      }
      std::cout << line << "}\n" << std::flush;
    }
  }
  return 0;
}

int list_problems() {
  for (const auto& definition : problems()) {
    opt::objective objective(definition.config);
    std::cout << "{\"name\":\"" << definition.name << "\",\"maximize\":" << (objective.maximize() ? "true" : "false")
              << ",\"descriptor\":"
              << servokit::json::to_json(servokit::json::read<servokit::application_descriptor>(definition.descriptor_json))
              << "}\n";
  }
  return 0;
}

/// One request of bench/optimizer_tpe.py: measure trial `trial` of `seed` at `settings`, or (with
/// `score`) the regret of reporting `settings` as the best.
struct request {
  BOOST_HANA_DEFINE_STRUCT(request,
    (std::string, function),
    (std::optional<bool>, noisy),
    (std::optional<std::int64_t>, seed),
    (std::optional<std::int64_t>, trial),
    (std::optional<bool>, score),
    (std::optional<opt::configuration>, settings));
};

int serve() {
  std::vector<prepared> ready;
  for (const auto& definition : problems()) ready.push_back(prepare(definition));
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto asked = servokit::json::read<request>(line);
    const auto found = std::find_if(ready.begin(), ready.end(), [&](const prepared& p) { return p.definition.name == asked.function; });
    if (found == ready.end()) {
      std::cout << "{\"error\":\"unknown function\"}\n" << std::flush;
      continue;
    }
    if (asked.score.value_or(false)) {
      std::cout << "{\"regret\":" << servokit::format_number(found->regret(asked.settings)) << "}\n" << std::flush;
      continue;
    }
    auto result = measure(*found, *asked.settings, asked.noisy.value_or(false), static_cast<std::uint64_t>(asked.seed.value_or(0)),
                          static_cast<int>(asked.trial.value_or(0)));
    if (!result.metrics) {
      std::cout << "{\"status\":\"failed\"}\n" << std::flush;
      continue;
    }
    // TPE gets more than servokit does: the objective of an infeasible trial and by how much it
    // broke its constraints (Optuna's constraints_func wants both).
    double violation = -1;
    for (const auto& constraint : found->objective.constraints()) {
      const double value = result.metrics->at(constraint.metric);
      if (constraint.max) violation = std::max(violation, value - *constraint.max);
      if (constraint.min) violation = std::max(violation, *constraint.min - value);
    }
    auto unconstrained = found->definition.config;
    unconstrained.constraints.reset();
    auto value = opt::objective(unconstrained).evaluate(*result.metrics).value;
    std::cout << "{\"status\":\"" << opt::to_string(result.evaluation.status) << "\",\"value\":"
              << (value ? servokit::format_number(*value) : "null") << ",\"violation\":" << servokit::format_number(violation)
              << "}\n"
              << std::flush;
  }
  return 0;
}

/// This thread's CPU time: what ask() costs, apart from the other programs sharing the machine.
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

/// ask() after 200 trials over 10 settings (8 ranges, 2 enums), noisy values, a few failures;
/// the floor is tell() of the same trial, which only maps settings to a position.
int ask_speed() {
  std::string json = R"({"application":{"components":{"c":{"settings":{)";
  for (int i = 0; i < 8; ++i) json += "\"r" + std::to_string(i) + "\":{\"min\":0,\"max\":100,\"step\":1,\"value\":50},";
  json += R"("e0":{"type":"enum","values":["a","b","c"],"value":"a"},"e1":{"type":"enum","values":["x","y"],"value":"x"}}}}}})";
  auto app = servokit::json::read<servokit::application_descriptor>(json).application;
  opt::optimizer search(app, opt::objective(goal("t", nullptr, "minimize")), 1);
  opt::detail::random_source random(3);
  std::vector<double> cpu_times;
  std::vector<double> wall_times;
  std::vector<double> tell_times;
  for (int trial = 0; trial < 220; ++trial) {
    const double cpu_start = thread_seconds();
    const auto wall_start = std::chrono::steady_clock::now();
    auto settings = search.ask();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const double cpu = thread_seconds() - cpu_start;
    if (trial >= 200) {
      cpu_times.push_back(cpu);
      wall_times.push_back(wall);
    }
    double value = 1;
    for (const auto& [name, setting] : settings.at("c")) {
      if (auto x = servokit::numeric_value(setting)) value += (*x - 30) * (*x - 30) / 1000;
    }
    const double tell_start = thread_seconds();
    search.tell(settings, trial % 17 == 5 ? opt::trial_status::failed : opt::trial_status::ok, value * (1 + 0.05 * random.normal()));
    if (trial >= 200) tell_times.push_back(thread_seconds() - tell_start);
  }
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  std::printf("ask() after 200-219 trials, 10 settings: median %.2f ms CPU (%.2f ms wall), slowest %.2f ms CPU; "
              "floor tell() %.3f ms (goal: 10 ms)\n",
              median(cpu_times) * 1e3, median(wall_times) * 1e3, *std::max_element(cpu_times.begin(), cpu_times.end()) * 1e3,
              median(tell_times) * 1e3);
  return median(cpu_times) <= 0.010 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "table";
  try {
    if (mode == "table") return table(argc > 2 ? std::stoi(argv[2]) : 10);
    if (mode == "problems") return list_problems();
    if (mode == "serve") return serve();
    if (mode == "ask-speed") return ask_speed();
  } catch (const std::exception& failure) {
    std::cerr << "bench-optimizer: " << failure.what() << "\n";
    return 2;
  }
  std::cerr << "usage: bench-optimizer table [seeds] | problems | serve | ask-speed\n";
  return 2;
}
