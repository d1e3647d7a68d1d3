// Spawn-and-wait of a trivial child: servokit::process::run against a bare posix_spawn + waitpid
// measured in the same run, interleaved so that drift in the machine's load hits both alike.
//
// usage: bench-process_spawn [rounds] [spawns-per-round] [program]
// Prints the median time per spawn of each and their ratio; exits 1 when the ratio exceeds 1.5.
#include <servokit/process/run.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace process = servokit::process;
using bench_clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void bare_spawn_and_wait(const char* program) {
  char* const arguments[] = {const_cast<char*>(program), nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, program, nullptr, nullptr, arguments, environ) != 0) std::abort();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
}

template <class Spawn>
double microseconds_per_spawn(int spawns, Spawn&& spawn) {
  const auto start = bench_clock::now();
  for (int i = 0; i < spawns; ++i) spawn();
  return std::chrono::duration<double, std::micro>(bench_clock::now() - start).count() / spawns;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 21;
  const int spawns = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string program = argc > 3 ? argv[3] : "/bin/true";

  std::vector<double> bare, servokit_run, servokit_path_search;
  for (int round = 0; round < rounds; ++round) {
    bare.push_back(microseconds_per_spawn(spawns, [&] { bare_spawn_and_wait(program.c_str()); }));
    servokit_run.push_back(microseconds_per_spawn(spawns, [&] {
      if (!process::run({program}).ok()) std::abort();
    }));
    servokit_path_search.push_back(microseconds_per_spawn(spawns, [&] {
      if (!process::run({"true"}).ok()) std::abort();
    }));
  }
  const double floor = median(bare);
  const double ours = median(servokit_run);
  const double searched = median(servokit_path_search);
  std::printf("spawn+wait of %s, median of %d rounds x %d spawns\n", program.c_str(), rounds, spawns);
  std::printf("  bare posix_spawn + waitpid        %8.1f us\n", floor);
  std::printf("  process::run (stdout/stderr piped) %7.1f us   ratio %.2f (limit 1.50)\n", ours, ours / floor);
  std::printf("  process::run {\"true\"} (PATH)      %8.1f us   ratio %.2f\n", searched, searched / floor);
  return ours / floor <= 1.5 ? 0 : 1;
}
