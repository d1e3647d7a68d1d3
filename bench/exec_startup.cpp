// Start-up and per-task cost of servokit-exec, against fork+exec of /bin/true measured in the
// same rounds: every command runs in turn within each round, so drift in the machine's load (the
// bench machine is shared) hits the floor and the driver alike. Medians over the rounds.
//
// Wall time is what the limits are judged on; the CPU time (user + system of the process and the
// children it waited for, from wait4) is printed beside it, as it does not depend on the load.
//
// usage: bench-exec_startup DRIVER WORKDIR [rounds]
// WORKDIR holds request.json (a measure request), empty.yaml (exec: {}) and hundred.yaml (100
// tasks of /bin/true in one stage). Exits 1 when a limit of bench/exec.sh is missed.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
extern char** environ;  // NOLINT: POSIX declares it nowhere in a header
}

namespace {

using bench_clock = std::chrono::steady_clock;

struct run_spec {
  std::vector<std::string> argv;
  std::string input = "/dev/null";   // stdin
  std::string config;                // OPTUNE_CONFIG, when set
};

/// Milliseconds of wall time and of CPU time.
struct cost {
  double wall = 0;
  double cpu = 0;
};

/// Spawns `spec` with stdout to /dev/null and waits; returns what it cost.
cost run_once(const run_spec& spec) {
  std::vector<char*> arguments;
  for (const auto& each : spec.argv) arguments.push_back(const_cast<char*>(each.c_str()));
  arguments.push_back(nullptr);
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with("OPTUNE_CONFIG=")) continue;
    variables.emplace_back(*entry);
  }
  if (!spec.config.empty()) variables.push_back("OPTUNE_CONFIG=" + spec.config);
  std::vector<char*> environment;
  for (auto& each : variables) environment.push_back(each.data());
  environment.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, spec.input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const auto start = bench_clock::now();
  pid_t pid = 0;
  if (::posix_spawn(&pid, arguments[0], &actions, nullptr, arguments.data(), environment.data()) != 0) std::abort();
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) {
  }
  const auto elapsed = std::chrono::duration<double, std::milli>(bench_clock::now() - start).count();
  const auto milliseconds = [](const timeval& time) { return static_cast<double>(time.tv_sec) * 1e3 + static_cast<double>(time.tv_usec) / 1e3; };
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench-exec_startup: %s failed\n", spec.argv.back().c_str());
    std::exit(2);
  }
  return {elapsed, milliseconds(usage.ru_utime) + milliseconds(usage.ru_stime)};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// Medians of the wall and CPU times of a series of rounds.
struct series {
  std::vector<double> wall, cpu;
  void add(cost round) {
    wall.push_back(round.wall);
    cpu.push_back(round.cpu);
  }
  [[nodiscard]] cost median_cost() const { return {median(wall), median(cpu)}; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench-exec_startup DRIVER WORKDIR [rounds]\n");
    return 2;
  }
  const std::string driver = argv[1];
  const std::string work = argv[2];
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 41;
  const std::string request = work + "/request.json";
  const std::string empty = work + "/empty.yaml";

  const run_spec true_program{{"/bin/true"}, request};
  const run_spec info{{driver, "--info"}, "/dev/null", empty};
  const run_spec describe{{driver, "--describe", "app"}, "/dev/null", empty};
  const run_spec measure_empty{{driver, "app"}, request, empty};
  const run_spec measure_hundred{{driver, "app"}, request, work + "/hundred.yaml"};

  // Each round: 20 runs of each short command (their mean), one 100-task measurement.
  constexpr int repeats = 20;
  series floor_s, info_s, describe_s, empty_s, hundred_s;
  const auto mean_of = [](const run_spec& spec) {
    cost total;
    for (int i = 0; i < repeats; ++i) {
      const cost one = run_once(spec);
      total.wall += one.wall / repeats;
      total.cpu += one.cpu / repeats;
    }
    return total;
  };
  for (int round = 0; round < rounds; ++round) {
    floor_s.add(mean_of(true_program));
    info_s.add(mean_of(info));
    describe_s.add(mean_of(describe));
    empty_s.add(mean_of(measure_empty));
    hundred_s.add(run_once(measure_hundred));
  }
  const cost floor = floor_s.median_cost(), info_c = info_s.median_cost(), describe_c = describe_s.median_cost();
  const cost empty_c = empty_s.median_cost(), hundred_c = hundred_s.median_cost();
  const auto per_task_over_spawn = [](double hundred, double without_tasks, double spawn) { return (hundred - without_tasks) / 100 - spawn; };
  const double added = empty_c.wall - floor.wall;
  const double over_spawn = per_task_over_spawn(hundred_c.wall, empty_c.wall, floor.wall);
  std::printf("medians of %d interleaved rounds (each: %d runs of every command, one 100-task measurement)\n", rounds, repeats);
  std::printf("                                          wall ms   (cpu ms)\n");
  std::printf("  fork+exec of /bin/true (the floor)     %7.3f   (%.3f)\n", floor.wall, floor.cpu);
  std::printf("  --info                                 %7.3f   (%.3f)   ratio %.2f (cpu %.2f), limit 2.00\n", info_c.wall,
              info_c.cpu, info_c.wall / floor.wall, info_c.cpu / floor.cpu);
  std::printf("  --describe                             %7.3f   (%.3f)   ratio %.2f (cpu %.2f), limit 2.00\n", describe_c.wall,
              describe_c.cpu, describe_c.wall / floor.wall, describe_c.cpu / floor.cpu);
  std::printf("  a measurement without tasks            %7.3f   (%.3f)   adds %.3f ms (cpu %.3f) over the floor, limit 3.000\n",
              empty_c.wall, empty_c.cpu, added, empty_c.cpu - floor.cpu);
  std::printf("  100 tasks of /bin/true in one stage    %7.3f   (%.3f)   %.3f ms (cpu %.3f) per task over a bare spawn, limit 0.500\n",
              hundred_c.wall, hundred_c.cpu, over_spawn, per_task_over_spawn(hundred_c.cpu, empty_c.cpu, floor.cpu));
  const bool ok = info_c.wall / floor.wall <= 2.0 && describe_c.wall / floor.wall <= 2.0 && added <= 3.0 && over_spawn <= 0.5;
  return ok ? 0 : 1;
}
